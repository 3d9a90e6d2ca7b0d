//! Procedural aliases for legacy shop code, on a Store built from php.ini.

// Parameter names are PHP API (named arguments); ext-php-rs takes them from the Rust identifiers.
#![allow(non_snake_case)]

use ext_php_rs::prelude::*;

use crate::core::config::Config;
use crate::core::engine::Engine;
use crate::php::ini;

fn engine_from_ini() -> PhpResult<Engine> {
    Ok(Engine::new(Config::resolve(
        |setting| ini::value(setting, false),
        Vec::new(),
    )?))
}

/// `dsgvo_may_send($customerId, $type)`: `Dsgvo\Store::maySend(...)->allowed` with the php.ini settings.
#[php_function]
pub fn dsgvo_may_send(customerId: i64, r#type: &str) -> PhpResult<bool> {
    Ok(engine_from_ini()?.may_send(customerId, r#type)?.allowed)
}

/// `dsgvo_opt_out($customerId, $type = '*')`: `Dsgvo\Store::optOut(...)` with the php.ini settings.
#[php_function]
#[php(defaults(r#type = "\"*\""))]
pub fn dsgvo_opt_out(customerId: i64, r#type: &str) -> PhpResult<bool> {
    Ok(engine_from_ini()?.opt_out(customerId, r#type, Vec::new())?)
}

/// `dsgvo_export($customerId)`: `Dsgvo\Store::export(...)` with the php.ini settings.
#[php_function]
pub fn dsgvo_export(customerId: i64) -> PhpResult<String> {
    Ok(engine_from_ini()?.export(customerId)?)
}

/// Adds the functions to the module (the generated registration types are private to this module).
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(dsgvo_may_send))
        .function(wrap_function!(dsgvo_opt_out))
        .function(wrap_function!(dsgvo_export))
}
