//! Restriction of processing (Art. 18 GDPR): what the restrict/unrestrict calls accept, and what the
//! recorded events mean.
//!
//! Decided: `restrict` on a customer who is restricted already records nothing and returns the event in
//! force (a repeated request is no error); `unrestrict` on a customer who is not restricted is refused
//! (InvalidInputException): lifting a restriction that is not there is a mistake the caller should see.

use crate::core::error::{Error, Result};
use crate::core::rules::proof::Proof;

/// The `action` of a restriction event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Restrict,
    Unrestrict,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Restrict => "restrict",
            Action::Unrestrict => "unrestrict",
        }
    }
}

/// The proof a restriction event keeps: `source`, `ip`, `user_agent`, `actor`. The consent keys (text,
/// dates, address) and `idempotency_key` are refused, naming the keys taken.
pub fn proof(proof: Proof, call: &str) -> Result<Proof> {
    let refused = [
        ("text", proof.text.is_some()),
        ("text_version", proof.text_version.is_some()),
        ("occurred_at", proof.occurred_at.is_some()),
        ("confirmed_at", proof.confirmed_at.is_some()),
        ("email", proof.email.is_some()),
        ("idempotency_key", proof.idempotency_key.is_some()),
    ];
    match refused.iter().find(|(_, present)| *present) {
        Some((key, _)) => Err(Error::invalid_input(format!(
            "proof '{key}' is not accepted by {call}; it takes source, ip, user_agent and actor"
        ))),
        None => Ok(proof),
    }
}

/// What a call finds before it writes: the newest event of the customer, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Newest {
    pub id: u64,
    pub action: Action,
}

/// What `call` does given the newest event: Ok(Some(id)) — nothing to write, answer that event;
/// Ok(None) — write a new event; Err — refused.
pub fn plan(call: Action, newest: Option<Newest>, customer_id: u64) -> Result<Option<u64>> {
    let restricted = newest.filter(|n| n.action == Action::Restrict);
    match (call, restricted) {
        (Action::Restrict, Some(n)) => Ok(Some(n.id)),
        (Action::Restrict, None) => Ok(None),
        (Action::Unrestrict, Some(_)) => Ok(None),
        (Action::Unrestrict, None) => Err(Error::invalid_input(format!(
            "customer {customer_id} is not restricted; unrestrict() lifts a restriction recorded by restrict()"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restrict_is_idempotent_unrestrict_needs_a_restriction() {
        let r = |id| {
            Some(Newest {
                id,
                action: Action::Restrict,
            })
        };
        let u = |id| {
            Some(Newest {
                id,
                action: Action::Unrestrict,
            })
        };
        assert_eq!(plan(Action::Restrict, None, 1).unwrap(), None);
        assert_eq!(plan(Action::Restrict, u(3), 1).unwrap(), None);
        assert_eq!(plan(Action::Restrict, r(4), 1).unwrap(), Some(4));
        assert_eq!(plan(Action::Unrestrict, r(4), 1).unwrap(), None);
        assert!(plan(Action::Unrestrict, None, 1).is_err());
        assert!(plan(Action::Unrestrict, u(5), 1).is_err());
    }

    #[test]
    fn consent_keys_are_refused() {
        let ok = Proof {
            actor: Some("admin".into()),
            ..Proof::default()
        };
        assert!(proof(ok, "restrict").is_ok());
        let bad = Proof {
            text: Some("x".into()),
            ..Proof::default()
        };
        let err = proof(bad, "restrict").unwrap_err().to_string();
        assert!(err.contains("'text'"), "{err}");
    }
}
