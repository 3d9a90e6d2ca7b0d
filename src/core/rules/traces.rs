//! Whose is a row that names its customer only in its content: PHP session data, Zen Cart's admin
//! activity log (URL-encoded GET parameters, raw-deflated JSON of the POST data) and free-text logs.
//! A row is the customer's when it carries the customer's id where the format keeps one, or mentions
//! one of the customer's addresses (exactly: the address as a whole, compared lowercased).

use std::io::Read;

use base64::Engine as _;
use flate2::read::DeflateDecoder;

/// Decoded content is never read past this (a damaged or hostile row must not exhaust memory).
const MAX_DECODED: u64 = 16 * 1024 * 1024;

/// What a row's content is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub customer_id: u64,
    /// Normalised addresses (trimmed, lowercase).
    pub emails: &'a [String],
}

/// Whether `text` mentions `email` (both lowercase) as a whole address: not as the tail of a longer
/// one (`ba@x.de` does not mention `a@x.de`) nor the head of a longer domain.
pub fn mentions(text: &str, email: &str) -> bool {
    if email.is_empty() {
        return false;
    }
    let bytes = text.as_bytes();
    let local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-'".contains(&b) || b >= 0x80;
    let domain = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b >= 0x80;
    text.match_indices(email).any(|(at, _)| {
        let end = at + email.len();
        let before_ok = at == 0 || !local(bytes[at - 1]);
        let after_ok = match bytes.get(end) {
            None => true,
            // A full stop ends the sentence unless a domain label follows.
            Some(b'.') => !bytes.get(end + 1).is_some_and(|b| domain(*b)),
            Some(b) => !domain(*b),
        };
        before_ok && after_ok
    })
}

fn mentions_any(text: &str, owner: Owner<'_>) -> bool {
    let lower = text.to_lowercase();
    owner.emails.iter().any(|e| mentions(&lower, e))
}

/// The session data as PHP wrote it: Zen Cart and modified store it base64-encoded, osCommerce plain.
pub fn session_data(stored: &[u8]) -> Vec<u8> {
    let trimmed = stored.trim_ascii();
    match base64::engine::general_purpose::STANDARD.decode(trimmed) {
        // Plain session data is never valid base64 (it holds `|`, `:` and `;`).
        Ok(decoded) if !trimmed.is_empty() => decoded,
        _ => stored.to_vec(),
    }
}

/// The top-level `customer_id` of PHP session data (`customer_id|i:5;` or `customer_id|s:1:"5";`).
pub fn session_customer_id(data: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(data);
    const KEY: &str = "customer_id|";
    text.match_indices(KEY).find_map(|(at, _)| {
        // A top-level key starts the data or follows the end of the previous value.
        let top = at == 0 || matches!(text.as_bytes()[at - 1], b';' | b'}');
        if !top {
            return None;
        }
        let value = &text[at + KEY.len()..];
        let digits = if let Some(rest) = value.strip_prefix("i:") {
            rest.split(';').next()?
        } else if let Some(rest) = value.strip_prefix("s:") {
            let (_, quoted) = rest.split_once(":\"")?;
            quoted.split('"').next()?
        } else {
            return None;
        };
        digits.trim().parse().ok()
    })
}

/// Whether a stored session belongs to the customer: logged in as them, or a guest's session holding
/// one of their addresses (a guest checkout, a half-filled form). Another customer's session is never
/// theirs.
pub fn session_is_owners(stored: &[u8], owner: Owner<'_>) -> bool {
    let data = session_data(stored);
    match session_customer_id(&data) {
        Some(id) if id == owner.customer_id => true,
        Some(id) if id != 0 => false,
        _ => mentions_any(&String::from_utf8_lossy(&data), owner),
    }
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space); malformed escapes stay as they are.
pub fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (
                    bytes.get(i + 1).and_then(|b| hex(*b)),
                    bytes.get(i + 2).and_then(|b| hex(*b)),
                ) {
                    (Some(high), Some(low)) => {
                        out.push((high * 16 + low) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The POST data of an admin log row: Zen Cart stores `gzdeflate(json_encode($_POST))`. Returns the
/// JSON's strings and numbers joined by line feeds (JSON escapes `/` and non-ASCII letters), or the
/// inflated text as it is when it is not JSON; None when the bytes are not raw deflate.
pub fn admin_post_text(gzpost: &[u8]) -> Option<String> {
    let text = inflate(gzpost)?;
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(json) => {
            let mut parts = Vec::new();
            flatten(&json, &mut parts);
            Some(parts.join("\n"))
        }
        Err(_) => Some(text),
    }
}

/// Raw deflate (PHP's `gzdeflate`) undone, as text; None when the bytes are not raw deflate.
pub fn inflate(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return Some(String::new());
    }
    let mut out = Vec::new();
    DeflateDecoder::new(bytes)
        .take(MAX_DECODED)
        .read_to_end(&mut out)
        .ok()?;
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn flatten(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Number(n) => out.push(n.to_string()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| flatten(v, out)),
        serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            flatten(v, out)
        }),
        _ => {}
    }
}

/// One row of Zen Cart's `admin_activity_log`.
#[derive(Debug, Clone, Default)]
pub struct AdminLogRow<'a> {
    pub page_accessed: &'a str,
    pub page_parameters: &'a str,
    pub gzpost: &'a [u8],
    pub logmessage: &'a str,
    pub attention: &'a str,
}

/// The admin pages whose `cID` parameter is a customer id.
const CUSTOMER_PAGES: &[&str] = &["customers", "orders"];

/// Whether an admin log row is about the customer: the customer's id as `cID` of the customers or
/// orders page, or one of the customer's addresses in the GET parameters, the POST data or the
/// message. A row whose POST data cannot be inflated is judged by the rest.
pub fn admin_log_is_owners(row: &AdminLogRow<'_>, owner: Owner<'_>) -> bool {
    let parameters = url_decode(row.page_parameters);
    let page = row.page_accessed.trim().to_ascii_lowercase();
    let customer_page = CUSTOMER_PAGES.iter().any(|p| page.starts_with(p));
    let by_id = customer_page
        && parameters.split('&').any(|pair| {
            pair.split_once('=').is_some_and(|(k, v)| {
                k == "cID" && v.trim().parse::<u64>().ok() == Some(owner.customer_id)
            })
        });
    by_id
        || mentions_any(&parameters, owner)
        || admin_post_text(row.gzpost).is_some_and(|t| mentions_any(&t, owner))
        || mentions_any(row.logmessage, owner)
        || mentions_any(row.attention, owner)
}

/// Whether a free-text log row (MailBeez's event log) mentions one of the customer's addresses.
pub fn log_text_is_owners(texts: &[&str], owner: Owner<'_>) -> bool {
    texts.iter().any(|t| mentions_any(t, owner))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn owner(emails: &[String]) -> Owner<'_> {
        Owner {
            customer_id: 5,
            emails,
        }
    }

    #[test]
    fn an_address_is_mentioned_only_whole() {
        assert!(mentions("mail an erika@x.de.", "erika@x.de"));
        assert!(mentions("<erika@x.de>", "erika@x.de"));
        assert!(!mentions("berika@x.de", "erika@x.de"));
        assert!(!mentions("erika@x.dev", "erika@x.de"));
        assert!(!mentions("erika@x.de.com", "erika@x.de"));
        assert!(!mentions("anything", ""));
    }

    #[test]
    fn sessions_are_read_plain_and_base64() {
        let plain = b"language|s:7:\"english\";customer_id|i:5;customer_first_name|s:5:\"Erika\";";
        assert_eq!(session_customer_id(plain), Some(5));
        let encoded = base64::engine::general_purpose::STANDARD.encode(plain);
        assert_eq!(
            session_customer_id(&session_data(encoded.as_bytes())),
            Some(5)
        );
        assert_eq!(session_customer_id(b"customer_id|s:2:\"15\";"), Some(15));
        // A nested key or a longer key is not the session's customer.
        assert_eq!(
            session_customer_id(b"cart|a:1:{s:11:\"customer_id|\";i:5;}"),
            None
        );
        assert_eq!(session_customer_id(b"xcustomer_id|i:5;"), None);
        let emails = vec!["erika@x.de".to_owned()];
        assert!(session_is_owners(plain, owner(&emails)));
        let guest = b"customer_id|i:0;email|s:10:\"ERIKA@x.de\";";
        assert!(session_is_owners(guest, owner(&emails)));
        assert!(!session_is_owners(b"customer_id|i:55;", owner(&emails)));
        assert!(!session_is_owners(
            b"customer_id|i:55;email|s:10:\"erika@x.de\";",
            owner(&emails)
        ));
    }

    fn deflate(text: &str) -> Vec<u8> {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(7));
        e.write_all(text.as_bytes()).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn admin_log_rows_are_decoded_as_zen_cart_writes_them() {
        let emails = vec!["müller@x.de".to_owned()];
        let search = AdminLogRow {
            page_accessed: "customers.php",
            page_parameters: "search=M%C3%BCller%40x.de&page=1",
            ..Default::default()
        };
        assert!(admin_log_is_owners(&search, owner(&emails)));
        // json_encode escapes the ü and nothing in the raw bytes shows the address.
        let post = deflate(
            r#"{"customers_email_address":"m\u00fcller@x.de","street":"Teststra\u00dfe 1"}"#,
        );
        assert!(!String::from_utf8_lossy(&post).contains("x.de"));
        let edit = AdminLogRow {
            page_accessed: "customers.php",
            page_parameters: "action=update",
            gzpost: &post,
            ..Default::default()
        };
        assert!(admin_log_is_owners(&edit, owner(&emails)));
        let by_id = AdminLogRow {
            page_accessed: "customers.php",
            page_parameters: "cID=5&action=edit",
            ..Default::default()
        };
        assert!(admin_log_is_owners(&by_id, owner(&[])));
        let other_page = AdminLogRow {
            page_accessed: "coupon_admin.php",
            page_parameters: "cID=5",
            ..Default::default()
        };
        assert!(!admin_log_is_owners(&other_page, owner(&[])));
        let damaged = AdminLogRow {
            page_accessed: "customers.php",
            gzpost: b"not deflate",
            ..Default::default()
        };
        assert!(!admin_log_is_owners(&damaged, owner(&emails)));
    }

    #[test]
    fn url_decoding_keeps_malformed_escapes() {
        assert_eq!(url_decode("a+b%40c%2"), "a b@c%2");
        assert_eq!(url_decode("%zz%"), "%zz%");
    }
}
