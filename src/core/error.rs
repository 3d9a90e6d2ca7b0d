//! The one error type of the engine. The binding layer maps each variant to one `Dsgvo\*Exception`
//! class (`src/php/exceptions.rs`), so every failure a shop developer sees is typed.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A setting or constructor option is invalid or missing. Raised before any connection.
    Config(String),
    /// The database could not be reached, timed out, or refused a statement.
    Database(DatabaseError),
    /// An argument of a call is invalid; nothing was written.
    InvalidInput(String),
    /// A signed token is forged, altered, expired or already used; nothing was written.
    Token(String),
    /// A file the extension writes (an export) could not be written; nothing was left behind.
    File(String),
}

/// A database failure with a message safe to show (host and port, never credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseError {
    pub kind: DatabaseErrorKind,
    pub message: String,
    /// The server's error number (e.g. 1045), 0 when the failure is not a server error.
    pub code: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseErrorKind {
    /// No connection could be made (refused, unreachable, connect timeout, handshake failed).
    Connect,
    /// A statement did not finish within `query_timeout_ms`.
    Timeout,
    /// The server answered with an error.
    Server,
    /// The connection broke while in use.
    Io,
    /// The schema is not what this version of the extension expects.
    Schema,
    /// COMMIT was sent but its answer never came (timeout, lost connection): the write may or may
    /// not have been recorded. Retried safely only with the same idempotency key.
    OutcomeUnknown,
}

impl Error {
    pub fn config(message: impl Into<String>) -> Self {
        Error::Config(message.into())
    }
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }
    pub fn database(kind: DatabaseErrorKind, message: impl Into<String>, code: u16) -> Self {
        Error::Database(DatabaseError {
            kind,
            message: message.into(),
            code,
        })
    }
    pub fn message(&self) -> &str {
        match self {
            Error::Config(m) | Error::InvalidInput(m) | Error::Token(m) | Error::File(m) => m,
            Error::Database(e) => &e.message,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
