//! The database itself: opening a connection, the session every statement runs in, the own schema
//! and its migrations, and the conversion of driver values.

pub(crate) mod connect;
pub(crate) mod migrate;
pub(crate) mod parallel;
pub(crate) mod retry;
pub(crate) mod schema;
pub(crate) mod session;
pub(crate) mod values;

pub(crate) use session::Session;
