//! The send decision: may this shop send this type of mail to this customer now, and why.
//!
//! Order (DESIGN.md): `transactional` mail is always allowed. Otherwise a denial outranks an allowance:
//! `unknown_customer`, `suppressed`, `opted_out_all`, `opted_out`, `too_frequent`, then the consent
//! reasons, then § 7 Abs. 3 UWG.
//!
//! Lifting: a consent in force (that counts, see `consent_other_address`) that is newer than the
//! customer's own objection lifts that objection for the consented type. An objection or erasure entry
//! of an *address* is lifted only by a confirmed double opt-in for that address and purpose (an address
//! entry of kind `Lift`, newer than it), and only for that purpose: a direct grant proves nothing about
//! the address owner. Nothing else lifts anything.
//!
//! A consent in force given for another address than the account's current one does not count (with a
//! shop preset): it answers `consent_other_address` where `no_consent` would stand, and lifts nothing.

use crate::core::rules::consent::Status;
use crate::core::rules::email_type::Basis;
use crate::core::time::Timestamp;

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
    NoPurchase,
    PurchaseTooOld,
    EmailChanged,
    NoticeMissing,
    TooFrequent,
    UnknownCustomer,
}

impl Reason {
    pub const ALL: [Reason; 16] = [
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
        Reason::NoPurchase,
        Reason::PurchaseTooOld,
        Reason::EmailChanged,
        Reason::NoticeMissing,
        Reason::TooFrequent,
        Reason::UnknownCustomer,
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
            Reason::NoPurchase => "no_purchase",
            Reason::PurchaseTooOld => "purchase_too_old",
            Reason::EmailChanged => "email_changed",
            Reason::NoticeMissing => "notice_missing",
            Reason::TooFrequent => "too_frequent",
            Reason::UnknownCustomer => "unknown_customer",
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
}

impl Decision {
    fn allow(reason: Reason, basis: Basis, event_id: Option<u64>) -> Self {
        Decision {
            allowed: true,
            reason,
            basis: Some(basis),
            event_id,
        }
    }

    fn deny(reason: Reason, event_id: Option<u64>) -> Self {
        Decision {
            allowed: false,
            reason,
            basis: None,
            event_id,
        }
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentFacts {
    pub status: Status,
    /// Time of the grant or confirmation in force (UTC).
    pub granted_at: Option<Timestamp>,
    pub grant_event_id: Option<u64>,
    /// The last event for the purpose.
    pub event_id: u64,
    /// The grant or confirmation in force was given for another address than the account's current
    /// one (`rules::consent::given_for_other_address`): it does not count.
    pub for_other_address: bool,
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
    /// Whether the account has any order at all.
    pub has_orders: bool,
    /// Newest order of the account placed with the account's current address (shop-local time).
    pub newest_matching_order: Option<Timestamp>,
}

/// The clocks decisions compare with: UTC for the extension's own times, the database's local clock
/// (NOW()) for the shop's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clocks {
    pub utc_now: Timestamp,
    pub db_now: Timestamp,
}

/// Whether a consent in force, that counts, is newer than the objection made at `at`.
fn lifted(consent: Option<ConsentFacts>, at: Timestamp) -> bool {
    consent.is_some_and(|c| c.counts() && c.granted_at.is_some_and(|g| g > at))
}

/// What kind of entry the suppression list holds for an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// An objection by address (reason `opt_out`).
    Objection,
    /// Suppressed for good; `liftable`: an erasure (reason `erased`), which a confirmed double opt-in
    /// for the address lifts for its purpose. Any other reason is never lifted.
    Suppression { liftable: bool },
    /// A confirmed double opt-in for the address (reason `consent`): lifts the address's older
    /// objections and erasure entries of `*` and of its purpose, for its purpose only.
    Lift,
}

/// What the suppression list holds for one of the customer's addresses.
#[derive(Debug, Clone, Copy)]
pub struct AddressEntry<'a> {
    /// The type objected to (`*` for all mail), or the purpose a lift is for.
    pub email_type: &'a str,
    pub kind: EntryKind,
    pub created_at: Timestamp,
}

/// Folds the address entries of `email_type` (and of `*`) into the facts: an objection or erasure
/// entry older than a lift for `email_type` counts for nothing; every other objection stands, every
/// other entry suppresses.
pub fn apply_address_entries<'a>(
    facts: &mut Facts,
    email_type: &str,
    entries: impl IntoIterator<Item = AddressEntry<'a>>,
) {
    let entries: Vec<AddressEntry<'a>> = entries
        .into_iter()
        .filter(|e| e.email_type == "*" || e.email_type == email_type)
        .collect();
    let lifted_at = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Lift && e.email_type == email_type)
        .map(|e| e.created_at)
        .max();
    let is_lifted = |e: &AddressEntry<'_>| lifted_at.is_some_and(|l| l > e.created_at);
    for entry in &entries {
        match entry.kind {
            EntryKind::Lift => {}
            EntryKind::Objection if is_lifted(entry) => {}
            EntryKind::Objection if entry.email_type == "*" => facts.address_opted_out_all = true,
            EntryKind::Objection => facts.address_opted_out_type = true,
            EntryKind::Suppression { liftable: true } if is_lifted(entry) => {}
            EntryKind::Suppression { .. } => facts.suppressed = true,
        }
    }
}

/// Whether an objection (or a suppression) stands against this type.
pub fn objection(facts: &Facts) -> Option<Reason> {
    if facts.suppressed {
        return Some(Reason::Suppressed);
    }
    if facts.address_opted_out_all
        || facts
            .opted_out_all_at
            .is_some_and(|at| !lifted(facts.consent, at))
    {
        return Some(Reason::OptedOutAll);
    }
    if facts.address_opted_out_type
        || facts
            .opted_out_type_at
            .is_some_and(|at| !lifted(facts.consent, at))
    {
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
    if let Some(reason) = objection(facts) {
        return Decision::deny(reason, None);
    }
    if let (Some(days), Some(last)) = (rules.min_interval_days, facts.last_sent_at) {
        if last > clocks.utc_now.minus_days(days) {
            return Decision::deny(Reason::TooFrequent, None);
        }
    }
    match facts.consent {
        Some(c) if c.counts() => {
            return Decision::allow(Reason::Consent, Basis::Consent, c.grant_event_id);
        }
        Some(c) if c.status == Status::Revoked => {
            return Decision::deny(Reason::ConsentRevoked, Some(c.event_id));
        }
        _ => {}
    }
    // No consent that counts: for an `existing_customer` type § 7(3) decides next (as with a pending
    // request); otherwise the answer names why.
    let without_consent = || match facts.consent {
        Some(c) if c.status == Status::Granted => {
            Decision::deny(Reason::ConsentOtherAddress, c.grant_event_id)
        }
        Some(c) => Decision::deny(Reason::ConsentPending, Some(c.event_id)),
        None => Decision::deny(Reason::NoConsent, None),
    };
    if rules.basis == Basis::Consent || facts.in_shop.is_none() {
        // With no shop preset there are no orders to look at: consent rules alone apply.
        return without_consent();
    }
    // § 7 Abs. 3 UWG.
    if !facts.has_orders {
        return Decision::deny(Reason::NoPurchase, None);
    }
    let Some(newest) = facts.newest_matching_order else {
        return Decision::deny(Reason::EmailChanged, None);
    };
    if newest < clocks.db_now.minus_days(rules.max_age_days) {
        return Decision::deny(Reason::PurchaseTooOld, None);
    }
    if rules.notice_since.is_some_and(|since| newest < since) {
        return Decision::deny(Reason::NoticeMissing, None);
    }
    Decision::allow(Reason::ExistingCustomer, Basis::ExistingCustomer, None)
}

#[cfg(test)]
mod tests;
