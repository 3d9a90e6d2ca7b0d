//! Turning another system's opt-out list into objections (`importOptOuts`), once per entry: which type
//! an entry objects to, which entries are test runs, and the key that makes a second run a no-op.
//!
//! MailBeez blocks a customer per module (`mailbeez_block.module`). The module becomes the objection's
//! type when an email type of that name is defined; else `*`: an old objection whose scope cannot be
//! mapped stops all marketing mail (the careful reading). `type_map` (module => type or `*`) overrides.

use crate::core::error::{Error, Result};
use crate::core::input::InputValue;
use crate::core::rules::email_type;

/// The sources `importOptOuts` reads.
pub const SOURCES: &[&str] = &["mailbeez"];

/// The validated `source` option.
pub fn source(source: Option<String>) -> Result<&'static str> {
    let Some(source) = source else {
        return Err(Error::invalid_input(format!(
            "importOptOuts needs option 'source' (one of: {})",
            SOURCES.join(", ")
        )));
    };
    SOURCES
        .iter()
        .find(|s| **s == source)
        .copied()
        .ok_or_else(|| {
            Error::invalid_input(format!(
                "importOptOuts: unknown source {} (known: {})",
                crate::core::rules::ident::shown(&source),
                SOURCES.join(", ")
            ))
        })
}

/// The validated `type_map` option: module => type name or `*`.
pub fn type_map(value: Option<InputValue>) -> Result<Vec<(String, String)>> {
    let entries = match value {
        None => return Ok(Vec::new()),
        Some(InputValue::Array(entries)) => entries,
        Some(other) => {
            return Err(Error::invalid_input(format!(
                "importOptOuts: option 'type_map' must be an array of module => email type (or '*'), got {}",
                other.type_name()
            )));
        }
    };
    entries
        .into_iter()
        .map(|(module, target)| {
            let InputValue::Str(target) = target else {
                return Err(Error::invalid_input(format!(
                    "importOptOuts: type_map[{}] must be an email type name or '*', got {}",
                    crate::core::rules::ident::shown(&module),
                    target.type_name()
                )));
            };
            if module.trim().is_empty() {
                return Err(Error::invalid_input(
                    "importOptOuts: type_map has an empty module name",
                ));
            }
            let target = email_type::name_or_all(&target)
                .map_err(|e| {
                    Error::invalid_input(format!(
                        "importOptOuts: type_map[{}]: {e}",
                        crate::core::rules::ident::shown(&module)
                    ))
                })?
                .to_owned();
            Ok((module, target))
        })
        .collect()
}

/// The type an entry of `module` objects to.
pub fn objection_type(module: &str, defined: &[String], map: &[(String, String)]) -> String {
    if let Some((_, target)) = map.iter().find(|(m, _)| m == module) {
        return target.clone();
    }
    if defined.iter().any(|t| t == module) {
        return module.to_owned();
    }
    "*".to_owned()
}

/// The idempotency key of one MailBeez block entry: its id and customer (a reinstalled MailBeez
/// numbers anew; the customer keeps two entries with one number apart). At most 56 characters.
pub fn mailbeez_key(autoemail_id: u64, customer_id: u64) -> String {
    format!("mailbeez_block:{autoemail_id}:{customer_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_maps_to_a_defined_type_else_all() {
        let defined = vec!["winback".to_owned(), "newsletter".to_owned()];
        let map = vec![("birthday".to_owned(), "newsletter".to_owned())];
        assert_eq!(objection_type("winback", &defined, &map), "winback");
        assert_eq!(objection_type("birthday", &defined, &map), "newsletter");
        assert_eq!(objection_type("review_request", &defined, &map), "*");
        assert_eq!(objection_type("Winback", &defined, &[]), "*");
    }

    #[test]
    fn options_are_validated() {
        assert!(source(None).is_err());
        assert!(source(Some("klaviyo".into())).is_err());
        assert_eq!(source(Some("mailbeez".into())).unwrap(), "mailbeez");
        assert!(type_map(Some(InputValue::Str("x".into()))).is_err());
        assert!(
            type_map(Some(InputValue::Array(vec![(
                "winback".into(),
                InputValue::Str("bad type!".into())
            )])))
            .is_err()
        );
        assert_eq!(
            type_map(Some(InputValue::Array(vec![(
                "winback".into(),
                InputValue::Str("*".into())
            )])))
            .unwrap(),
            vec![("winback".to_owned(), "*".to_owned())]
        );
        assert!(mailbeez_key(u64::MAX, u64::MAX).len() <= 64);
    }
}
