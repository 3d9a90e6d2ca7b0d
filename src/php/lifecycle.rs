//! Module start and shutdown. These are called by the engine outside any PHP function, where a panic
//! aborts the process, so each body runs under `catch_unwind`. Nothing here starts threads or connects:
//! PHP-FPM forks its workers after MINIT (see `runtime.rs`).

use std::panic::catch_unwind;

use crate::php::{exceptions, ini};
use crate::runtime;

const SUCCESS: i32 = 0;
const FAILURE: i32 = -1;

/// MINIT: php.ini directives and the exception tree.
pub fn startup(_type: i32, module_number: i32) -> i32 {
    catch_unwind(|| {
        ini::register(module_number);
        if exceptions::register() {
            SUCCESS
        } else {
            FAILURE
        }
    })
    .unwrap_or(FAILURE)
}

/// MSHUTDOWN: close this process's connections (bounded) and stop its runtime.
pub extern "C" fn shutdown(_type: i32, _module_number: i32) -> i32 {
    let _ = catch_unwind(|| {
        runtime::shutdown();
        exceptions::unregister();
    });
    SUCCESS
}
