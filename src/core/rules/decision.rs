//! The send decision: may this shop send this type of mail to this customer now, and why.
//!
//! Order (DESIGN.md): `transactional` mail is always allowed. Otherwise a denial outranks an allowance:
//! `unknown_customer`, `restricted` (Art. 18 GDPR), `suppressed`, `opted_out_all`, `opted_out`, `too_frequent`, then the consent
//! reasons, then § 7 Abs. 3 UWG.
//!
//! § 7 Abs. 3 UWG: without `notice_since` (no proof that the objection notice was given when the
//! address was collected) every customer answers `notice_missing`. With it, one and the same order must
//! be a sale of the account (its own, status not excluded), placed with the current address, within
//! `max_age_days`, at or after `notice_since`, and, with `similar_categories`, hold such goods; the
//! answer names the condition at which the last orders dropped out (rules/sales.rs).
//!
//! Consent quality: with `consent => double_opt_in` only a confirmed double opt-in counts
//! (`consent_unconfirmed`); with `consent_max_idle_days` a consent with no grant, confirmation or send of
//! the type within that many days has lapsed (`consent_stale`). A consent that does not count lifts
//! no objection; for an `existing_customer` type § 7(3) then decides.
//!
//! Lifting: a consent in force (that counts, see `consent_other_address`) that is newer than the
//! customer's own objection lifts that objection for the consented type. An objection or erasure entry
//! of an *address* is lifted only by a confirmed double opt-in for that address and purpose (an address
//! entry of kind `Lift`, newer than it), and only for that purpose: a direct grant proves nothing about
//! the address owner. Nothing else lifts anything.
//!
//! A consent in force given for another address than the account's current one does not count (with a
//! shop preset): it answers `consent_other_address` where `no_consent` would stand, and lifts nothing.

use std::rc::Rc;

use crate::core::rules::consent::Status;
use crate::core::rules::email_type::{Basis, ConsentMode};
use crate::core::rules::sales::{self, Conditions, Purchases, Unmet};
use crate::core::time::Timestamp;

mod address;

pub use address::{AddressEntry, EntryKind, apply_address_entries};

/// Stable reason codes of `Decision::$reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Consent,
    ExistingCustomer,
    Transactional,
    OptedOut,
    OptedOutAll,
    Suppressed,
    NoConsent,
    ConsentRevoked,
    ConsentPending,
    ConsentOtherAddress,
    ConsentUnconfirmed,
    ConsentStale,
    NoPurchase,
    PurchaseTooOld,
    EmailChanged,
    NoticeMissing,
    NoSimilarPurchase,
    TooFrequent,
    UnknownCustomer,
    Restricted,
}

impl Reason {
    pub const ALL: [Reason; 20] = [
        Reason::Consent,
        Reason::ExistingCustomer,
        Reason::Transactional,
        Reason::OptedOut,
        Reason::OptedOutAll,
        Reason::Suppressed,
        Reason::NoConsent,
        Reason::ConsentRevoked,
        Reason::ConsentPending,
        Reason::ConsentOtherAddress,
        Reason::ConsentUnconfirmed,
        Reason::ConsentStale,
        Reason::NoPurchase,
        Reason::PurchaseTooOld,
        Reason::EmailChanged,
        Reason::NoticeMissing,
        Reason::NoSimilarPurchase,
        Reason::TooFrequent,
        Reason::UnknownCustomer,
        Reason::Restricted,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Reason::Consent => "consent",
            Reason::ExistingCustomer => "existing_customer",
            Reason::Transactional => "transactional",
            Reason::OptedOut => "opted_out",
            Reason::OptedOutAll => "opted_out_all",
            Reason::Suppressed => "suppressed",
            Reason::NoConsent => "no_consent",
            Reason::ConsentRevoked => "consent_revoked",
            Reason::ConsentPending => "consent_pending",
            Reason::ConsentOtherAddress => "consent_other_address",
            Reason::ConsentUnconfirmed => "consent_unconfirmed",
            Reason::ConsentStale => "consent_stale",
            Reason::NoPurchase => "no_purchase",
            Reason::PurchaseTooOld => "purchase_too_old",
            Reason::EmailChanged => "email_changed",
            Reason::NoticeMissing => "notice_missing",
            Reason::NoSimilarPurchase => "no_similar_purchase",
            Reason::TooFrequent => "too_frequent",
            Reason::UnknownCustomer => "unknown_customer",
            Reason::Restricted => "restricted",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: Reason,
    /// The legal basis the mail may be sent on; None when it may not.
    pub basis: Option<Basis>,
    /// The consent event the decision rests on (the grant or confirmation in force; the revocation or
    /// the pending request), if any.
    pub event_id: Option<u64>,
    /// The mail may carry advertising: every allowed mail that is not transactional; a transactional
    /// mail only when its type's `advertising_type` is allowed for the customer now.
    pub may_advertise: bool,
    /// The mail must carry the notice that the customer may object (`objectionNotice`): allowed and
    /// not transactional, or transactional with advertising.
    pub notice_required: bool,
}

impl Decision {
    fn allow(reason: Reason, basis: Basis, event_id: Option<u64>) -> Self {
        let advertises = basis != Basis::Transactional;
        Decision {
            allowed: true,
            reason,
            basis: Some(basis),
            event_id,
            may_advertise: advertises,
            notice_required: advertises,
        }
    }

    fn deny(reason: Reason, event_id: Option<u64>) -> Self {
        Decision {
            allowed: false,
            reason,
            basis: None,
            event_id,
            may_advertise: false,
            notice_required: false,
        }
    }

    /// A transactional decision with what its advertising type allows (`advertising`: the decision of
    /// the type named by `advertising_type`, if any).
    pub fn with_advertising(mut self, advertising: Option<&Decision>) -> Self {
        if self.allowed && self.basis == Some(Basis::Transactional) {
            let may = advertising.is_some_and(|d| d.allowed && d.may_advertise);
            self.may_advertise = may;
            self.notice_required = may;
        }
        self
    }
}

/// The email type as it applies to this decision (defaults filled in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRules {
    pub basis: Basis,
    pub max_age_days: u32,
    /// Shop-local time, like the orders' dates.
    pub notice_since: Option<Timestamp>,
    pub min_interval_days: Option<u32>,
    /// Shop status ids of orders that are no sale.
    pub excluded_statuses: Rc<[u64]>,
    /// The categories of similar goods, subcategories included; None: any goods.
    pub similar_categories: Option<Rc<[u64]>>,
    pub consent: ConsentMode,
    pub consent_max_idle_days: Option<u32>,
    /// transactional only: the type that decides whether the mail may advertise.
    pub advertising_type: Option<String>,
}

impl TypeRules {
    /// The rules of a type nobody defined: explicit consent.
    pub fn undefined(max_age_days: u32) -> TypeRules {
        TypeRules {
            basis: Basis::Consent,
            max_age_days,
            notice_since: None,
            min_interval_days: None,
            excluded_statuses: Rc::from([]),
            similar_categories: None,
            consent: ConsentMode::Any,
            consent_max_idle_days: None,
            advertising_type: None,
        }
    }

    /// Whether § 7(3) reads the account's orders (without `notice_since` it denies without them).
    pub fn reads_orders(&self) -> bool {
        self.basis == Basis::ExistingCustomer && self.notice_since.is_some()
    }

    /// Whether the decision reads the newest send of the type.
    pub fn reads_send_log(&self) -> bool {
        self.min_interval_days.is_some() || self.consent_max_idle_days.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentFacts {
    pub status: Status,
    /// Time of the grant or confirmation in force (UTC; the recorded time of an import).
    pub granted_at: Option<Timestamp>,
    pub grant_event_id: Option<u64>,
    /// The last event for the purpose.
    pub event_id: u64,
    /// The grant or confirmation in force was given for another address than the account's current
    /// one (`rules::consent::given_for_other_address`): it does not count.
    pub for_other_address: bool,
    /// The consent in force is a confirmed double opt-in (read only when the type asks for one).
    pub confirmed: bool,
}

impl ConsentFacts {
    /// In force and given for the account's current address (or for no recorded address).
    fn counts(&self) -> bool {
        self.status == Status::Granted && !self.for_other_address
    }
}

/// What the database knows about one customer for one type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    /// Some(false): the shop preset's customers table does not hold the id. None: no shop preset.
    pub in_shop: Option<bool>,
    /// Processing is restricted (Art. 18 GDPR): the customer's newest restriction event is `restrict`.
    pub restricted: bool,
    /// A suppression that nothing lifts (erasure and the like), by customer id or by address.
    pub suppressed: bool,
    /// Newest objection of the customer (by id) to all marketing mail / to this type, UTC. A newer
    /// consent in force lifts it.
    pub opted_out_all_at: Option<Timestamp>,
    pub opted_out_type_at: Option<Timestamp>,
    /// An objection of the account's address to all marketing mail / to this type that no confirmed
    /// double opt-in lifted (see `apply_address_entries`); a consent alone does not lift it.
    pub address_opted_out_all: bool,
    pub address_opted_out_type: bool,
    pub consent: Option<ConsentFacts>,
    /// Newest send of this type (UTC).
    pub last_sent_at: Option<Timestamp>,
    /// The account's sales (read for `existing_customer` types with a notice date).
    pub purchases: Purchases,
}

/// The clocks decisions compare with: UTC for the extension's own times, the database's local clock
/// (NOW()) for the shop's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clocks {
    pub utc_now: Timestamp,
    pub db_now: Timestamp,
}

/// Why the consent in force does not count for this type; None when it counts (or none is in force).
fn consent_flaw(rules: &TypeRules, facts: &Facts, clocks: Clocks) -> Option<Reason> {
    let c = facts.consent.filter(|c| c.status == Status::Granted)?;
    if c.for_other_address {
        return Some(Reason::ConsentOtherAddress);
    }
    if rules.consent == ConsentMode::DoubleOptIn && !c.confirmed {
        return Some(Reason::ConsentUnconfirmed);
    }
    if let Some(days) = rules.consent_max_idle_days {
        let last_used = c.granted_at.max(facts.last_sent_at);
        if last_used.is_none_or(|at| at < clocks.utc_now.minus_days(days)) {
            return Some(Reason::ConsentStale);
        }
    }
    None
}

/// Whether an objection (or a suppression) stands against this type, any consent in force for the
/// current address lifting the customer's older objections (isOptedOut, recommendations).
pub fn objection(facts: &Facts) -> Option<Reason> {
    objection_lifted_by(facts, facts.consent.filter(ConsentFacts::counts))
}

/// Whether profiling (tags, recommendations) must stop for the customer: an objection (or suppression)
/// stands against the facts' type, or processing is restricted (Art. 18 GDPR).
pub fn profiling_stopped(facts: &Facts) -> bool {
    facts.restricted || objection(facts).is_some()
}

/// Whether an objection stands, `counting` (the consent that counts, if any) lifting the customer's
/// older objections.
fn objection_lifted_by(facts: &Facts, counting: Option<ConsentFacts>) -> Option<Reason> {
    let lifted = |at: Timestamp| counting.is_some_and(|c| c.granted_at.is_some_and(|g| g > at));
    if facts.suppressed {
        return Some(Reason::Suppressed);
    }
    if facts.address_opted_out_all || facts.opted_out_all_at.is_some_and(|at| !lifted(at)) {
        return Some(Reason::OptedOutAll);
    }
    if facts.address_opted_out_type || facts.opted_out_type_at.is_some_and(|at| !lifted(at)) {
        return Some(Reason::OptedOut);
    }
    None
}

pub fn decide(rules: &TypeRules, facts: &Facts, clocks: Clocks) -> Decision {
    if rules.basis == Basis::Transactional {
        return Decision::allow(Reason::Transactional, Basis::Transactional, None);
    }
    if facts.in_shop == Some(false) {
        return Decision::deny(Reason::UnknownCustomer, None);
    }
    if facts.restricted {
        return Decision::deny(Reason::Restricted, None);
    }
    let flaw = consent_flaw(rules, facts, clocks);
    let counting = facts
        .consent
        .filter(|c| c.status == Status::Granted && flaw.is_none());
    if let Some(reason) = objection_lifted_by(facts, counting) {
        return Decision::deny(reason, None);
    }
    if let (Some(days), Some(last)) = (rules.min_interval_days, facts.last_sent_at) {
        if last > clocks.utc_now.minus_days(days) {
            return Decision::deny(Reason::TooFrequent, None);
        }
    }
    match facts.consent {
        Some(c) if c.status == Status::Granted && flaw.is_none() => {
            return Decision::allow(Reason::Consent, Basis::Consent, c.grant_event_id);
        }
        Some(c) if c.status == Status::Revoked => {
            return Decision::deny(Reason::ConsentRevoked, Some(c.event_id));
        }
        _ => {}
    }
    if rules.basis == Basis::Consent || facts.in_shop.is_none() {
        // No consent that counts, and (with no shop preset) no orders to look at: the answer names why.
        return match (facts.consent, flaw) {
            (Some(c), Some(flaw)) => Decision::deny(flaw, c.grant_event_id),
            (Some(c), None) => Decision::deny(Reason::ConsentPending, Some(c.event_id)),
            (None, _) => Decision::deny(Reason::NoConsent, None),
        };
    }
    // § 7 Abs. 3 UWG (as with a pending request or a consent that does not count).
    let Some(notice_since) = rules.notice_since else {
        return Decision::deny(Reason::NoticeMissing, None);
    };
    let conditions = Conditions {
        placed_since: clocks.db_now.minus_days(rules.max_age_days),
        notice_since,
        similar_goods: rules.similar_categories.is_some(),
    };
    match sales::unmet(&facts.purchases, &conditions) {
        None => Decision::allow(Reason::ExistingCustomer, Basis::ExistingCustomer, None),
        Some(unmet) => Decision::deny(
            match unmet {
                Unmet::NoSale => Reason::NoPurchase,
                Unmet::OtherAddress => Reason::EmailChanged,
                Unmet::TooOld => Reason::PurchaseTooOld,
                Unmet::BeforeNotice => Reason::NoticeMissing,
                Unmet::NotSimilar => Reason::NoSimilarPurchase,
            },
            None,
        ),
    }
}

#[cfg(test)]
mod tests;
