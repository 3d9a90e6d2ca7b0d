//! What a consent event does to the current consent of a customer for a purpose, and whether a consent
//! still covers the account's address.

use crate::core::error::{Error, Result};
use crate::core::rules::email::normalise;

/// The kinds of events in the consent ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Consent given directly (checkbox at checkout, account, import of a confirmed flag).
    Granted,
    /// Consent withdrawn.
    Revoked,
    /// Double opt-in started: a confirmation mail with a token went out.
    Requested,
    /// The address owner confirmed a request (clicked the token link).
    Confirmed,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Granted => "granted",
            Action::Revoked => "revoked",
            Action::Requested => "requested",
            Action::Confirmed => "confirmed",
        }
    }

    pub fn from_name(name: &str) -> Result<Action> {
        match name {
            "granted" => Ok(Action::Granted),
            "revoked" => Ok(Action::Revoked),
            "requested" => Ok(Action::Requested),
            "confirmed" => Ok(Action::Confirmed),
            other => Err(Error::database(
                crate::core::error::DatabaseErrorKind::Schema,
                format!("the consent ledger holds an unknown action '{other}'"),
                0,
            )),
        }
    }
}

/// The current consent for one customer and purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// In force: granted, or confirmed after double opt-in.
    Granted,
    Revoked,
    /// A double opt-in request awaits confirmation; no consent in force.
    Pending,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Granted => "granted",
            Status::Revoked => "revoked",
            Status::Pending => "pending",
        }
    }

    pub fn from_name(name: &str) -> Option<Status> {
        match name {
            "granted" => Some(Status::Granted),
            "revoked" => Some(Status::Revoked),
            "pending" => Some(Status::Pending),
            _ => None,
        }
    }
}

/// The status after `action`, given the status before it (None: no event yet). The latest act wins,
/// except that a new double opt-in request does not suspend a consent already in force.
pub fn next_status(current: Option<Status>, action: Action) -> Status {
    match action {
        Action::Granted | Action::Confirmed => Status::Granted,
        Action::Revoked => Status::Revoked,
        Action::Requested if current == Some(Status::Granted) => Status::Granted,
        Action::Requested => Status::Pending,
    }
}

/// Whether the event renews the consent in force (its time becomes the state's `granted_at`).
pub fn gives_consent(action: Action) -> bool {
    matches!(action, Action::Granted | Action::Confirmed)
}

/// Whether a consent in force was given for another address than the account's current one, and so
/// does not count (`consent_other_address`). `current`: the account's address as the shop stores it,
/// None without a shop preset or without an account; `given_for`: the normalised address the
/// grant or confirmation in force was recorded with.
///
/// A consent with no recorded address (granted before addresses were recorded, schema version 1, or
/// without a shop preset and without proof key `email`) keeps counting: nothing shows it was given for
/// another address. Addresses are compared byte for byte in their normal form.
pub fn given_for_other_address(current: Option<&str>, given_for: Option<&str>) -> bool {
    match (current, given_for) {
        (Some(current), Some(given_for)) => normalise(current) != given_for,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_consent_covers_the_address_it_was_given_for() {
        assert!(!given_for_other_address(
            Some(" Erika@Example.org"),
            Some("erika@example.org")
        ));
        assert!(given_for_other_address(
            Some("erika.neu@example.org"),
            Some("erika@example.org")
        ));
        assert!(
            given_for_other_address(Some("müller@x.de"), Some("muller@x.de")),
            "two addresses, not one"
        );
        assert!(
            !given_for_other_address(Some("erika.neu@example.org"), None),
            "no recorded address: keeps counting"
        );
        assert!(
            !given_for_other_address(None, Some("erika@example.org")),
            "no shop address known"
        );
    }

    #[test]
    fn latest_act_wins() {
        assert_eq!(next_status(None, Action::Granted), Status::Granted);
        assert_eq!(
            next_status(Some(Status::Granted), Action::Revoked),
            Status::Revoked
        );
        assert_eq!(
            next_status(Some(Status::Revoked), Action::Granted),
            Status::Granted
        );
        assert_eq!(
            next_status(Some(Status::Pending), Action::Confirmed),
            Status::Granted
        );
        assert_eq!(
            next_status(Some(Status::Pending), Action::Revoked),
            Status::Revoked
        );
    }

    #[test]
    fn a_request_does_not_suspend_consent_in_force() {
        assert_eq!(
            next_status(Some(Status::Granted), Action::Requested),
            Status::Granted
        );
        assert_eq!(
            next_status(Some(Status::Revoked), Action::Requested),
            Status::Pending
        );
        assert_eq!(next_status(None, Action::Requested), Status::Pending);
    }

    #[test]
    fn names_round_trip() {
        for a in [
            Action::Granted,
            Action::Revoked,
            Action::Requested,
            Action::Confirmed,
        ] {
            assert_eq!(Action::from_name(a.name()).unwrap(), a);
        }
        for s in [Status::Granted, Status::Revoked, Status::Pending] {
            assert_eq!(Status::from_name(s.name()), Some(s));
        }
    }
}
