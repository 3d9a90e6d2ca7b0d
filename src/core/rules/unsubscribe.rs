//! RFC 8058 one-click unsubscribe headers and what their URLs may be.

use crate::core::error::{Error, Result};
use crate::core::rules::email;
use crate::core::rules::ident::shown;

/// The endpoint URL: https, a host, nothing that would break the header (`<`, `>`, `,`, white space).
pub fn endpoint(url: &str) -> Result<String> {
    let fail = |why: &str| Error::invalid_input(format!("endpoint URL {}: {why}", shown(url)));
    let Some(rest) = url.strip_prefix("https://") else {
        return Err(fail(
            "must be an https:// URL (RFC 8058 one-click needs HTTPS)",
        ));
    };
    if url.chars().any(|c| {
        c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | '"' | '\'' | '\\')
    }) {
        return Err(fail("must not contain white space, quotes, <, > or commas"));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains('@') {
        return Err(fail("must name a host (and no user)"));
    }
    if url.contains('#') {
        return Err(fail("must not contain a fragment"));
    }
    if url.len() > 1024 {
        return Err(fail("is too long"));
    }
    Ok(url.to_owned())
}

/// The mailto address, given bare or as `mailto:address`.
pub fn mailto(value: &str) -> Result<String> {
    let address = value.strip_prefix("mailto:").unwrap_or(value);
    email::validate(address).map_err(|_| {
        Error::invalid_input(format!(
            "mailto must be an email address, got {}",
            shown(value)
        ))
    })
}

/// The one-click URL: the endpoint with the token as parameter `t`.
pub fn url(endpoint: &str, token: &str) -> String {
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    format!("{endpoint}{separator}t={token}")
}

/// `List-Unsubscribe` and `List-Unsubscribe-Post`, in that order.
pub fn headers(endpoint: &str, mailto: Option<&str>, token: &str) -> Vec<(&'static str, String)> {
    let mut value = format!("<{}>", url(endpoint, token));
    if let Some(address) = mailto {
        value.push_str(&format!(
            ", <mailto:{address}?subject=unsubscribe%20{token}>"
        ));
    }
    vec![
        ("List-Unsubscribe", value),
        (
            "List-Unsubscribe-Post",
            "List-Unsubscribe=One-Click".to_owned(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_rfc_8058_pair() {
        let h = headers(
            "https://shop.example/u.php",
            Some("unsub@shop.example"),
            "TOK",
        );
        assert_eq!(h[0], ("List-Unsubscribe", "<https://shop.example/u.php?t=TOK>, <mailto:unsub@shop.example?subject=unsubscribe%20TOK>".into()));
        assert_eq!(
            h[1],
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into())
        );
        let q = headers("https://shop.example/u.php?lang=de", None, "TOK");
        assert_eq!(q[0].1, "<https://shop.example/u.php?lang=de&t=TOK>");
    }

    #[test]
    fn refuses_endpoints_that_are_not_plain_https() {
        for bad in [
            "http://shop.example/u",
            "https://",
            "https:///path",
            "https://user@shop.example/",
            "https://shop.example/u>, <https://evil.example",
            "https://shop.example/u x",
            "https://shop.example/u#frag",
            "javascript:alert(1)",
        ] {
            assert!(endpoint(bad).is_err(), "{bad}");
        }
        assert!(endpoint("https://shop.example:8443/u.php?x=1").is_ok());
        assert_eq!(mailto("mailto:A@Shop.example").unwrap(), "a@shop.example");
        assert!(mailto("not an address").is_err());
    }
}
