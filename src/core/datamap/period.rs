//! Legal retention periods of the retained tables: how many years, under which norm, counted from the
//! end of the calendar year of which date (§ 147 Abs. 4 AO, § 257 Abs. 5 HGB).

use serde_json::json;

/// Where a retained row's date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dated {
    /// A column of the row itself (orders: `date_purchased`).
    Column(&'static str),
    /// The row follows its parent entry's date (an order's products, totals, history).
    Parent,
}

/// A legal retention period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub years: u32,
    /// The norm, as the export and the report cite it.
    pub norm: &'static str,
    pub dated_by: Dated,
}

/// Booking vouchers (invoices, orders and what belongs to them): 8 years since BEG IV (2025).
pub const BOOKING_VOUCHER_NORM: &str = "§ 147 Abs. 1 Nr. 4, Abs. 3, 4 AO";

/// An order's own row: dated by its purchase.
pub const ORDER: Period = Period {
    years: 8,
    norm: BOOKING_VOUCHER_NORM,
    dated_by: Dated::Column("date_purchased"),
};

/// A row belonging to an order: dated by its order.
pub const ORDER_PART: Period = Period {
    years: 8,
    norm: BOOKING_VOUCHER_NORM,
    dated_by: Dated::Parent,
};

/// The last day a row dated in `year` is kept: 31 December of `year + years`.
pub fn kept_until(year: i32, years: u32) -> String {
    format!("{:04}-12-31", year.saturating_add_unsigned(years))
}

/// The entry's legal period with the shop's `retention_years` (unprefixed table => years) applied.
pub fn effective(entry: &super::Entry, overrides: &[(String, u32)]) -> Option<Period> {
    let mut period = entry.period?;
    if let Some((_, years)) = overrides.iter().find(|(t, _)| t == entry.table) {
        period.years = *years;
    }
    Some(period)
}

impl Period {
    pub fn describe(&self) -> serde_json::Value {
        json!({
            "years": self.years,
            "norm": self.norm,
            "counted_from": match self.dated_by {
                Dated::Column(c) => format!("end of the calendar year of {c}"),
                Dated::Parent => "end of the calendar year of the order's date".to_owned(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_ends_with_the_calendar_year() {
        assert_eq!(kept_until(2015, 8), "2023-12-31");
        assert_eq!(kept_until(2024, 6), "2030-12-31");
    }
}
