//! What the suppression list's entries for an address do to a decision: objections, suppressions, and
//! the lifts a confirmed double opt-in leaves.

use super::Facts;
use crate::core::time::Timestamp;

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
