//! The binding layer: the only code that names ext-php-rs. It converts arguments, calls the engine and
//! maps errors to exceptions.

pub mod args;
pub mod decision;
pub mod exceptions;
pub mod files;
pub mod functions;
pub mod info;
pub mod ini;
pub mod lifecycle;
pub mod store;
pub mod values;
