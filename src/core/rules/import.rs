//! Turning a shop's existing newsletter subscriptions into ledger events, once: what a subscription the
//! shop recorded proves, and with which date. The shops keep consent as a flag
//! (`customers.customers_newsletter`) or, in modified, xtcModified and Gambio, as a double opt-in list
//! (`newsletter_recipients`, `mail_status = 1` once the link was clicked; modified 3 also keeps when and
//! from which address). The best evidence wins: a confirmed double opt-in with its dates and addresses,
//! else the list entry's date, else the account's creation date.

use crate::core::rules::consent::Action;
use crate::core::rules::proof::{self, EARLIEST_YEAR};
use crate::core::time::Timestamp;

/// What the shop holds about one customer's subscription.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subscription {
    pub customer_id: u64,
    /// `customers.customers_newsletter = '1'`.
    pub flag: bool,
    pub account_created: Option<Timestamp>,
    /// A confirmed entry of `newsletter_recipients`.
    pub list: Option<ListEntry>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListEntry {
    pub added_at: Option<Timestamp>,
    pub added_ip: Option<String>,
    pub confirmed_at: Option<Timestamp>,
    pub confirmed_ip: Option<String>,
}

/// One event to append, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub action: Action,
    pub occurred_at: Option<Timestamp>,
    pub ip: Option<String>,
    /// Where the evidence came from (stored as the proof's text version).
    pub origin: &'static str,
}

pub const FROM_FLAG: &str = "import: customers.customers_newsletter";
pub const FROM_LIST: &str = "import: newsletter_recipients";

/// A shop date usable as proof: not in the future (clamped to now), not before the ledger's earliest year.
fn date(at: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
    at.filter(|t| t.year() >= EARLIEST_YEAR).map(|t| t.min(now))
}

/// A shop's stored address, if it is one ("unknown", proxies' lists and the like are dropped).
fn address(ip: Option<&str>, truncate: bool) -> Option<String> {
    ip.and_then(|ip| proof::ip(ip.trim(), truncate).ok())
}

/// The events that record the subscription: a confirmed double opt-in with its confirmation date becomes
/// its request and confirmation; anything else one grant, dated as well as the shop knows.
pub fn plan(s: &Subscription, now: Timestamp, truncate_ip: bool) -> Vec<Planned> {
    if let Some(list) = &s.list {
        let added = date(list.added_at, now);
        if let Some(confirmed) = date(list.confirmed_at, now) {
            return vec![
                Planned {
                    action: Action::Requested,
                    occurred_at: Some(added.map_or(confirmed, |a| a.min(confirmed))),
                    ip: address(list.added_ip.as_deref(), truncate_ip),
                    origin: FROM_LIST,
                },
                Planned {
                    action: Action::Confirmed,
                    occurred_at: Some(confirmed),
                    ip: address(list.confirmed_ip.as_deref(), truncate_ip),
                    origin: FROM_LIST,
                },
            ];
        }
        return vec![Planned {
            action: Action::Granted,
            occurred_at: added.or_else(|| date(s.account_created, now)),
            ip: address(list.added_ip.as_deref(), truncate_ip),
            origin: FROM_LIST,
        }];
    }
    if s.flag {
        return vec![Planned {
            action: Action::Granted,
            occurred_at: date(s.account_created, now),
            ip: None,
            origin: FROM_FLAG,
        }];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn the_best_evidence_wins() {
        let now = at("2026-11-29T12:00:00Z");
        let flag = Subscription {
            customer_id: 1,
            flag: true,
            account_created: Some(at("2019-03-01T10:00:00Z")),
            list: None,
        };
        assert_eq!(
            plan(&flag, now, false),
            vec![Planned {
                action: Action::Granted,
                occurred_at: Some(at("2019-03-01T10:00:00Z")),
                ip: None,
                origin: FROM_FLAG
            }]
        );
        let doi = Subscription {
            list: Some(ListEntry {
                added_at: Some(at("2020-01-01T09:00:00Z")),
                added_ip: Some("192.0.2.7".into()),
                confirmed_at: Some(at("2020-01-01T09:05:00Z")),
                confirmed_ip: Some("unknown".into()),
            }),
            ..flag.clone()
        };
        let events = plan(&doi, now, true);
        assert_eq!(events.len(), 2);
        assert_eq!(
            (events[0].action, events[0].ip.as_deref()),
            (Action::Requested, Some("192.0.2.0"))
        );
        assert_eq!(
            (
                events[1].action,
                events[1].occurred_at,
                events[1].ip.as_deref()
            ),
            (Action::Confirmed, Some(at("2020-01-01T09:05:00Z")), None)
        );
        // A list entry without a confirmation date (xtcModified, Gambio): one grant at the list date.
        let list = Subscription {
            list: Some(ListEntry {
                added_at: Some(at("2021-05-05T00:00:00Z")),
                ..ListEntry::default()
            }),
            flag: false,
            ..flag.clone()
        };
        assert_eq!(
            plan(&list, now, false)[0].occurred_at,
            Some(at("2021-05-05T00:00:00Z"))
        );
        assert_eq!(plan(&list, now, false)[0].action, Action::Granted);
    }

    #[test]
    fn unusable_dates_fall_back_or_are_left_out() {
        let now = at("2026-11-29T12:00:00Z");
        let s = Subscription {
            customer_id: 1,
            flag: true,
            account_created: Some(at("1000-01-01T00:00:00Z")),
            list: None,
        };
        assert_eq!(
            plan(&s, now, false)[0].occurred_at,
            None,
            "Gambio's 1000-01-01 is no date"
        );
        let future = Subscription {
            account_created: Some(at("2030-01-01T00:00:00Z")),
            ..s.clone()
        };
        assert_eq!(plan(&future, now, false)[0].occurred_at, Some(now));
        assert!(plan(&Subscription { flag: false, ..s }, now, false).is_empty());
    }
}
