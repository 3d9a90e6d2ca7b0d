//! dsgvo: GDPR/DSGVO consent, objection, send decisions and data-subject rights for osCommerce-family
//! shops, as a PHP extension. This file only registers the module.
//!
//! # Layout
//!
//! A call travels down one layer at a time and its result travels back up; no arrow points up, and
//! module visibility turns a wrong arrow into a compile error.
//!
//! ```text
//! php/        binding: the only code that names ext-php-rs. args (PHP → engine values), values
//!             (results → PHP arrays), one class file each (store, decision), exceptions, ini, info
//!   │
//!   ▼
//! core::engine   one `impl Engine`, one file per capability (consent, objection, decision,
//!   │            records, retention, export, erase, requests, recommend, customers); validates
//!   │            everything through `core::options` and `core::rules` before it writes
//!   ├──▶ core::rules    pure functions: validity, the consent state machine, the decision
//!   ├──▶ core::store    all SQL (private to core): db/ (connection, session, retry, schema,
//!   │                   migrate, values), tables, cache, walk (the data map), idempotency (keys
//!   │                   of repeatable writes), one module per capability
//!   └──▶ core::export   the export writers (JSON, CSV, HTML, ZIP), free of the driver
//!   ▲
//! core::output   typed results → records: the one place that spells the keys of PHP's arrays
//!
//! core::{config, shop, datamap, error, input, time, token, ledger}: leaves every layer may use
//! runtime     per-process tokio runtime and held connections, fork-safe; opens the sessions
//! ```

mod build_info;
pub mod core;
mod php;
pub mod runtime;

use ext_php_rs::prelude::*;

use crate::php::lifecycle::startup;

#[php_module]
#[php(startup = startup)]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    let module = module
        .class::<php::store::Store>()
        .class::<php::decision::Decision>();
    php::functions::register(module)
        .shutdown_function(php::lifecycle::shutdown)
        .info_function(php::info::module_info)
}
