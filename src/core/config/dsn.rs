//! The `dsn` setting: [`DbTarget`], where the database is, with the credentials kept out of every message.

use std::fmt;

use mysql_async::{Opts, UrlError};

use crate::core::error::{self, Error};

#[derive(Clone)]
pub struct DbTarget {
    opts: Opts,
    /// Identity of the connection in the per-process cache: the URL as given.
    key: String,
    /// Host and port (or socket) as shown in messages.
    pub address: String,
    pub database: String,
    /// Kept only to scrub it out of driver messages, should one ever echo it.
    password: Option<String>,
}

impl fmt::Debug for DbTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbTarget({}/{})", self.address, self.database)
    }
}

impl DbTarget {
    /// Parses a `mysql://` URL. The error says what is wrong without repeating the URL.
    pub fn parse(url: &str) -> Result<DbTarget, String> {
        if url.is_empty() {
            return Err("it is empty".into());
        }
        let opts = Opts::from_url(url).map_err(|e| match e {
            UrlError::UnsupportedScheme { .. } => "the scheme is not mysql://".to_string(),
            UrlError::UnknownParameter { param } => {
                format!(
                    "unknown parameter '{}'",
                    param.chars().take(40).collect::<String>()
                )
            }
            UrlError::InvalidParamValue { param, .. } => {
                format!(
                    "invalid value for parameter '{}'",
                    param.chars().take(40).collect::<String>()
                )
            }
            UrlError::FeatureRequired { param, .. } => {
                format!("parameter '{param}' needs TLS support, which this build does not include")
            }
            _ => "it cannot be parsed as a URL".to_string(),
        })?;
        let database = match opts.db_name() {
            Some(db) if !db.is_empty() => db.to_owned(),
            _ => return Err("it names no database (add /database after host:port)".into()),
        };
        let address = match opts.socket() {
            Some(socket) => format!("socket {socket}"),
            None => format!("{}:{}", opts.ip_or_hostname(), opts.tcp_port()),
        };
        Ok(DbTarget {
            password: opts.pass().filter(|p| !p.is_empty()).map(str::to_owned),
            opts,
            key: url.to_owned(),
            address,
            database,
        })
    }

    pub fn opts(&self) -> &Opts {
        &self.opts
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// Removes the password from a text that came from the driver or the server.
    pub fn scrub(&self, text: &str) -> String {
        // Very short passwords are not scrubbed: replacing every "ab" would garble the message.
        match &self.password {
            Some(password) if password.len() >= 3 => text.replace(password.as_str(), "***"),
            _ => text.to_owned(),
        }
    }

    /// The URL with its password replaced by `***`, for `php --ri` and phpinfo().
    ///
    /// Whatever the password holds: the user info is taken to end at the *last* `@` of the URL, not
    /// at the first `/`, `?` or `#`, so an unencoded `/`, `?`, `#` or `@` in the password is masked
    /// too. An `@` in the query of a URL without a password then masks a little more than needed,
    /// which shows less, never more.
    pub fn mask_url(url: &str) -> String {
        let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
            return "(not a mysql:// URL)".into();
        };
        let rest = &url[scheme_end..];
        let Some(at) = rest.rfind('@') else {
            return url.to_owned();
        };
        let userinfo = &rest[..at];
        match userinfo.split_once(':') {
            Some((user, _password)) => format!("{}{user}:***{}", &url[..scheme_end], &rest[at..]),
            None => url.to_owned(),
        }
    }
}

/// The `dsn` setting as a [`DbTarget`]; `origin` names the option or ini directive in the message.
/// Takes plain strings rather than the settings reader, which itself uses [`DbTarget::mask_url`].
pub(super) fn dsn(url: &str, origin: &str) -> error::Result<DbTarget> {
    DbTarget::parse(url).map_err(|why| {
        Error::config(format!(
            "{origin} is not a usable mysql URL: {why} (expected mysql://user:password@host:3306/database)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::testing::{config_error, s};

    #[test]
    fn parses_host_port_and_database() {
        let t = DbTarget::parse("mysql://shop:s3cr3t@db.example:3307/shop_db").unwrap();
        assert_eq!(t.address, "db.example:3307");
        assert_eq!(t.database, "shop_db");
        assert_eq!(t.scrub("denied (password s3cr3t)"), "denied (password ***)");
        assert!(!format!("{t:?}").contains("s3cr3t"));
    }

    #[test]
    fn masks_passwords() {
        assert_eq!(
            DbTarget::mask_url("mysql://u:p%40ss@h:1/db?x=1"),
            "mysql://u:***@h:1/db?x=1"
        );
        assert_eq!(DbTarget::mask_url("mysql://u@h/db"), "mysql://u@h/db");
        assert_eq!(DbTarget::mask_url("mysql://h/db"), "mysql://h/db");
    }

    #[test]
    fn masks_passwords_with_unencoded_delimiters() {
        for (url, shown) in [
            ("mysql://u:pa/ss@h:1/db", "mysql://u:***@h:1/db"),
            ("mysql://u:pa?ss@h:1/db", "mysql://u:***@h:1/db"),
            ("mysql://u:pa#ss@h:1/db", "mysql://u:***@h:1/db"),
            ("mysql://u:p@ss@h:1/db", "mysql://u:***@h:1/db"),
            ("mysql://u:12/pass@h/db?x=1", "mysql://u:***@h/db?x=1"),
            ("mysql://u:a/b?c#d:e@h/db", "mysql://u:***@h/db"),
        ] {
            let masked = DbTarget::mask_url(url);
            assert_eq!(masked, shown, "{url}");
        }
        // An '@' after a URL without a password: masks more, shows nothing secret.
        assert!(!DbTarget::mask_url("mysql://h:3306/db?x=a@b").contains("3306/db?x=a"));
    }

    #[test]
    fn refuses_what_is_not_a_mysql_url_with_a_database() {
        assert!(
            DbTarget::parse("mysql://u@h")
                .unwrap_err()
                .contains("no database")
        );
        assert!(
            DbTarget::parse("postgres://u@h/db")
                .unwrap_err()
                .contains("scheme")
        );
        assert!(
            DbTarget::parse("mysql://u@h/db?nope=1")
                .unwrap_err()
                .contains("'nope'")
        );
        assert!(DbTarget::parse("").unwrap_err().contains("empty"));
    }

    #[test]
    fn bad_dsns_are_refused_without_the_password() {
        for bad in [
            "",
            "pgsql://u:hunter2secret@h/db",
            "mysql://u:hunter2secret@h",
            "mysql://u:hunter2secret@h/db?bogus=1",
            "hunter2secret",
        ] {
            let message = config_error(&[("dsn", s(bad))]);
            assert!(message.contains("option 'dsn'"), "{message}");
            assert!(!message.contains("hunter2secret"), "{message}");
        }
    }
}
