//! What the records of sent mail may hold: send log meta, ratings, archived mails, tags.

use crate::core::error::{Error, Result};
use crate::core::input::{InputValue, KeyValues, printable};
use crate::core::rules::email;
use crate::core::rules::ident::{self, one_line, shown};
use crate::core::time::Timestamp;

pub const MAX_SUBJECT_CHARS: usize = 998;
pub const MAX_MESSAGE_ID_CHARS: usize = 255;
pub const MAX_COMMENT_CHARS: usize = 2000;
pub const MAX_BODY_BYTES: usize = 16 << 20;

/// Refuses the send of an `existing_customer` type that did not carry the objection notice: § 7 Abs. 3
/// Nr. 4 UWG wants it in every such mail.
pub fn require_notice(meta: &SendMeta, email_type: &str) -> Result<()> {
    if meta.notice {
        return Ok(());
    }
    Err(Error::invalid_input(format!(
        "type '{email_type}' is sent to existing customers (§ 7 Abs. 3 UWG): every such mail must carry the objection notice (objectionNotice()); log it with meta 'notice' => true"
    )))
}

/// Validated `logSend` meta.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendMeta {
    /// Normalised address the mail went to.
    pub email: Option<String>,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    pub order_id: Option<u64>,
    /// Only for imports; the extension's clock otherwise.
    pub sent_at: Option<Timestamp>,
    /// The mail carried the objection notice (`objectionNotice`); § 7(3) mail must.
    pub notice: bool,
    /// The same key again returns the first send's id and writes nothing.
    pub idempotency_key: Option<String>,
}

const SEND_KEYS: [&str; 7] = [
    "email",
    "subject",
    "message_id",
    "order_id",
    "sent_at",
    "notice",
    "idempotency_key",
];

pub fn send_meta(input: KeyValues, now: Timestamp) -> Result<SendMeta> {
    let mut meta = SendMeta::default();
    for (key, value) in input {
        if matches!(value, InputValue::Null) {
            if SEND_KEYS.contains(&key.as_str()) {
                continue;
            }
            return Err(unknown(&key));
        }
        match key.as_str() {
            "email" => meta.email = Some(email::validate(&string(&key, &value)?)?),
            "subject" => meta.subject = Some(subject(&string(&key, &value)?)?),
            "message_id" => {
                meta.message_id = Some(one_line(
                    &format!("meta '{key}'"),
                    &string(&key, &value)?,
                    MAX_MESSAGE_ID_CHARS,
                )?)
            }
            "idempotency_key" => {
                meta.idempotency_key = Some(crate::core::rules::ident::idempotency_key(
                    "meta 'idempotency_key'",
                    &string(&key, &value)?,
                )?)
            }
            "order_id" => match value {
                InputValue::Int(id) if id > 0 => meta.order_id = u64::try_from(id).ok(),
                other => {
                    return Err(Error::invalid_input(format!(
                        "meta 'order_id' must be a positive integer, got {}",
                        describe(&other)
                    )));
                }
            },
            "sent_at" => {
                let text = string(&key, &value)?;
                let at = Timestamp::parse_rfc3339(&text).ok_or_else(|| {
                    Error::invalid_input(format!(
                        "meta 'sent_at' must be an RFC 3339 time such as 2024-05-01T10:00:00Z, got {}",
                        shown(&text)
                    ))
                })?;
                if at > now {
                    return Err(Error::invalid_input(format!(
                        "meta 'sent_at' ({at}) is in the future"
                    )));
                }
                meta.sent_at = Some(at);
            }
            "notice" => match value {
                InputValue::Bool(b) => meta.notice = b,
                other => {
                    return Err(Error::invalid_input(format!(
                        "meta 'notice' must be a bool, got {}",
                        describe(&other)
                    )));
                }
            },
            _ => return Err(unknown(&key)),
        }
    }
    Ok(meta)
}

fn unknown(key: &str) -> Error {
    Error::invalid_input(format!(
        "unknown meta key '{}'; known keys: {}",
        printable(key, 64),
        SEND_KEYS.join(", ")
    ))
}

fn describe(value: &InputValue) -> String {
    match value {
        InputValue::Int(i) => i.to_string(),
        InputValue::Str(s) => shown(s),
        other => other.type_name().to_owned(),
    }
}

fn string(key: &str, value: &InputValue) -> Result<String> {
    match value {
        InputValue::Str(s) => Ok(s.clone()),
        other => Err(Error::invalid_input(format!(
            "meta '{key}' must be a string, got {}",
            other.type_name()
        ))),
    }
}

/// A mail subject: one line (RFC 5322 allows 998 characters), tabs allowed.
pub fn subject(value: &str) -> Result<String> {
    let chars = value.chars().count();
    if chars > MAX_SUBJECT_CHARS || value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(Error::invalid_input(format!(
            "subject must be one line of at most {MAX_SUBJECT_CHARS} characters, got {}",
            if chars > MAX_SUBJECT_CHARS {
                format!("{chars} characters")
            } else {
                shown(value)
            }
        )));
    }
    Ok(value.to_owned())
}

/// A rating of a mail: 1 (worst) to 5 (best).
pub fn rating(value: i64) -> Result<u8> {
    u8::try_from(value)
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or_else(|| Error::invalid_input(format!("rating must be 1 to 5, got {value}")))
}

/// A rating comment: at most 2,000 characters, no NUL.
pub fn comment(value: Option<&str>) -> Result<Option<String>> {
    match value {
        None => Ok(None),
        Some(c) if c.chars().count() > MAX_COMMENT_CHARS || c.contains('\0') => {
            Err(Error::invalid_input(format!(
                "comment must be at most {MAX_COMMENT_CHARS} characters without NUL bytes"
            )))
        }
        Some(c) => Ok(Some(c.to_owned())),
    }
}

/// A send id from PHP.
pub fn send_id(value: i64) -> Result<u64> {
    u64::try_from(value)
        .ok()
        .filter(|&id| id > 0)
        .ok_or_else(|| {
            Error::invalid_input(format!("send id must be a positive integer, got {value}"))
        })
}

/// A mail body to archive: bytes, at most 16 MiB.
pub fn body(value: &[u8]) -> Result<&[u8]> {
    if value.len() > MAX_BODY_BYTES {
        return Err(Error::invalid_input(format!(
            "body is {} bytes; at most {MAX_BODY_BYTES} (16 MiB) can be archived",
            value.len()
        )));
    }
    Ok(value)
}

/// A tag or rule name: an identifier like a purpose.
pub fn tag(kind: &str, value: &str) -> Result<String> {
    ident::purpose(value).map(str::to_owned).map_err(|_| {
        Error::invalid_input(format!(
            "{kind} must be 1 to {} characters of a-z, 0-9, _, . and -, got {}",
            ident::MAX_PURPOSE_LEN,
            shown(value)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::core::input::key_values as kv;

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-29T12:00:00Z").unwrap()
    }

    fn s(v: &str) -> InputValue {
        InputValue::Str(v.into())
    }

    #[test]
    fn accepts_full_meta() {
        let m = send_meta(
            kv(&[
                ("email", s(" Kim@Example.org")),
                ("subject", s("Wie war Ihre Bestellung?\tJetzt bewerten")),
                ("message_id", s("<1234@shop.example>")),
                ("order_id", InputValue::Int(77)),
                ("sent_at", s("2025-01-01T10:00:00+01:00")),
            ]),
            now(),
        )
        .unwrap();
        assert_eq!(m.email.as_deref(), Some("kim@example.org"));
        assert_eq!(m.order_id, Some(77));
        assert_eq!(
            m.sent_at.unwrap().to_string(),
            "2025-01-01T09:00:00.000000Z"
        );
    }

    #[test]
    fn refuses_bad_meta() {
        let err = |pairs: &[(&str, InputValue)]| {
            send_meta(kv(pairs), now())
                .unwrap_err()
                .message()
                .to_owned()
        };
        assert!(err(&[("email", s("nope"))]).contains("email address"));
        assert!(err(&[("subject", s(&"x".repeat(999)))]).contains("999 characters"));
        assert!(err(&[("subject", s("a\r\nBcc: x"))]).contains("subject"));
        assert!(err(&[("message_id", s(&"m".repeat(256)))]).contains("message_id"));
        assert!(err(&[("order_id", InputValue::Int(0))]).contains("order_id"));
        assert!(err(&[("order_id", s("12"))]).contains("order_id"));
        assert!(err(&[("sent_at", s("2999-01-01T00:00:00Z"))]).contains("future"));
        assert!(err(&[("sent_at", s("yesterday"))]).contains("RFC 3339"));
        assert!(err(&[("to", s("a@b.de"))]).contains("unknown meta key 'to'"));
        assert!(err(&[("to", InputValue::Null)]).contains("unknown meta key"));
    }

    #[test]
    fn ratings_comments_bodies_tags() {
        assert_eq!(rating(5).unwrap(), 5);
        assert!(rating(0).is_err() && rating(6).is_err() && rating(-1).is_err());
        assert!(comment(Some(&"c".repeat(2001))).is_err());
        assert_eq!(comment(Some("gut")).unwrap().as_deref(), Some("gut"));
        assert!(body(&vec![0; MAX_BODY_BYTES + 1]).is_err());
        assert!(body(&vec![0; MAX_BODY_BYTES]).is_ok());
        assert!(tag("tag", "VIP").is_err());
        assert_eq!(tag("tag", "vip.2026").unwrap(), "vip.2026");
        assert!(send_id(0).is_err());
    }
}
