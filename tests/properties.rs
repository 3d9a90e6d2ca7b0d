//! Property tests of the parsers that face the internet and PHP callers: tokens from links, proof
//! arrays, email addresses. Any input yields a value or an error, never a panic; an altered token is
//! never accepted.

use dsgvo::core::input::InputValue;
use dsgvo::core::rules::{email, proof};
use dsgvo::core::time::Timestamp;
use dsgvo::core::token;
use proptest::prelude::*;

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-29T12:00:00Z").unwrap()
}

fn value() -> impl Strategy<Value = InputValue> {
    prop_oneof![
        Just(InputValue::Null),
        any::<bool>().prop_map(InputValue::Bool),
        any::<i64>().prop_map(InputValue::Int),
        any::<f64>().prop_map(InputValue::Float),
        ".{0,600}".prop_map(InputValue::Str),
        prop_oneof![
            Just("192.0.2.1"),
            Just("::1"),
            Just("checkout"),
            Just("import"),
            Just("2019-05-01T10:00:00Z"),
            Just("2999-01-01T00:00:00Z"),
            Just(" Erika@Example.org"),
        ]
        .prop_map(|s| InputValue::Str(s.into())),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("source".to_string()),
        Just("text".to_string()),
        Just("text_version".to_string()),
        Just("ip".to_string()),
        Just("user_agent".to_string()),
        Just("actor".to_string()),
        Just("occurred_at".to_string()),
        Just("email".to_string()),
        ".{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_string_is_refused_with_a_message(text in ".{0,200}") {
        // With the shop's real keys, so a string that decodes reaches the key and MAC checks.
        let config = secret_config();
        let keys = config.keyring();
        let e = token::open_unsubscribe(&text, &keys).unwrap_err();
        prop_assert!(e.message().starts_with("invalid token"), "{}", e.message());
        let e = token::open_consent_confirmation(&text, now(), &keys).unwrap_err();
        prop_assert!(e.message().starts_with("invalid token"), "{}", e.message());
    }

    #[test]
    fn a_payload_with_this_shops_header_is_refused_by_its_signature(
        body in proptest::collection::vec(any::<u8>(), 0..120),
        consent in any::<bool>(),
    ) {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let config = secret_config();
        let keys = config.keyring();
        // The header (version, kind, key id) of a real token of this shop, then any body and tag:
        // the parser gets past the length, kind and key checks and must refuse at the MAC.
        let real = if consent {
            token::consent_confirmation(7, now(), keys[0]).unwrap()
        } else {
            token::unsubscribe(7, "newsletter", now(), keys[0]).unwrap()
        };
        let mut bytes = b64.decode(&real).unwrap()[..6].to_vec();
        bytes.extend_from_slice(&body);
        let text = b64.encode(&bytes);
        let refused = if consent {
            token::open_consent_confirmation(&text, now(), &keys).map(|_| ())
        } else {
            token::open_unsubscribe(&text, &keys).map(|_| ())
        };
        let e = refused.unwrap_err();
        prop_assert!(e.message().starts_with("invalid token"), "{}", e.message());
    }

    #[test]
    fn any_proof_array_validates_or_is_refused(pairs in proptest::collection::vec((key(), value()), 0..8)) {
        match proof::validate(pairs, now(), false) {
            Ok(p) => {
                prop_assert!(p.text_version.as_ref().is_none_or(|v| v.chars().count() <= 64));
                prop_assert!(p.user_agent.as_ref().is_none_or(|v| v.chars().count() <= 512));
                prop_assert!(p.occurred_at.is_none_or(|t| t <= now()));
            }
            Err(e) => prop_assert!(!e.message().is_empty()),
        }
    }

    #[test]
    fn accepted_addresses_are_normal_and_bounded(text in ".{0,300}") {
        if let Ok(normal) = email::validate(&text) {
            prop_assert_eq!(normal.clone(), email::normalise(&normal));
            prop_assert!(normal.len() <= 254 && normal.contains('@'));
            prop_assert!(!normal.chars().any(|c| c.is_whitespace() || c.is_control()));
        }
    }
}

fn secret_config() -> dsgvo::core::config::Config {
    dsgvo::core::config::Config::resolve(
        |_| None,
        vec![
            ("dsn".into(), InputValue::Str("mysql://u@h/db".into())),
            (
                "secret".into(),
                InputValue::Str(
                    "34a1f2f4d20fc1fe6a567be8249b479df30042fc53096bfabc6c655cf35d33ef".into(),
                ),
            ),
        ],
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn an_altered_token_is_never_accepted(customer in 1u64..u64::MAX, kind in "[a-z]{1,20}", at in any::<usize>(), bit in 0u8..8) {
        use base64::Engine as _;
        let config = secret_config();
        let keys = config.keyring();
        let valid = token::unsubscribe(customer, &kind, now(), keys[0]).unwrap();
        let opened = token::open_unsubscribe(&valid, &keys).unwrap();
        prop_assert_eq!(opened.customer_id, customer);
        let mut bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&valid).unwrap();
        let i = at % bytes.len();
        bytes[i] ^= 1 << bit;
        let altered = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        prop_assert!(token::open_unsubscribe(&altered, &keys).is_err());
        prop_assert!(token::open_unsubscribe(&valid[..valid.len() - 1 - at % 10], &keys).is_err());
    }
}
