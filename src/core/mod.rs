//! The engine: rules, data and SQL, with no PHP types. `cargo test` runs it without PHP.
//! The layer map is in the crate docs (`lib.rs`). `store`, `export` and the other internals are private
//! to `core`: the binding layer reaches them only through `engine`, `output` and `results`.

pub mod config;
pub mod engine;
pub mod error;
pub mod input;
pub mod output;
pub mod rules;
pub mod time;
pub mod token;

pub(crate) mod options;

mod address;
mod compress;
mod datamap;
mod export;
mod ledger;
mod shop;
mod store;

/// The typed results the engine returns; `output` turns each into the array PHP receives.
pub mod results {
    pub use super::engine::ExportManifest;
    pub use super::output::{
        ImportReport, OptOutImportReport, RefreshReport, TableCounts, Unsubscribed,
    };
    pub use super::rules::notice::Notice;
    pub use super::store::consent::HistoryEvent;
    pub use super::store::customers::Account;
    pub use super::store::email_types::DefinedType;
    pub use super::store::erase::Report as EraseReport;
    pub use super::store::export::Outcome as ExportOutcome;
    pub use super::store::import::Imported;
    pub use super::store::opt_out_import::Imported as OptOutsImported;
    pub use super::store::recommend::Refresh;
    pub use super::store::recommend::{AlsoBought, Recommendation};
    pub use super::store::records::{ArchivedEmail, Objection, Send, Tag};
    pub use super::store::request_log::LoggedRequest;
    pub use super::store::restriction::Event as RestrictionEvent;
    pub use super::store::tag_rules::{RuleRun, TagRule};
    pub use super::store::verification::Verification;
    pub use super::token::Unsubscribe;
}

/// What the runtime needs to open a session, and nothing more of the store.
pub(crate) mod session {
    pub(crate) use super::store::db::connect::{self, Connection};
    pub(crate) use super::store::db::session::{Reach, Session};
    pub(crate) use super::store::tables::Tables;
}

/// Facts about the extension's own schema, for `php --ri` and the migration tests.
pub mod schema {
    pub use super::store::db::schema::{latest_version, own_tables};
}
