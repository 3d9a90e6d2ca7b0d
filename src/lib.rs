//! dsgvo: GDPR/DSGVO consent, objection, send decisions and data-subject rights for osCommerce-family
//! shops, as a PHP extension. This file only registers the module; see `php/` for the binding layer
//! and `core/` for the engine.

pub mod build_info;
pub mod core;
pub mod php;
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
