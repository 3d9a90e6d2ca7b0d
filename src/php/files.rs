//! Files the extension writes on PHP's behalf obey PHP's own limits: `open_basedir`.

use std::ffi::{CString, c_char, c_int};

use ext_php_rs::prelude::*;

use crate::core::error::Error;

unsafe extern "C" {
    // PHPAPI int php_check_open_basedir_ex(const char *path, int warn): 0 if allowed (or no
    // open_basedir is set), -1 if not.
    fn php_check_open_basedir_ex(path: *const c_char, warn: c_int) -> c_int;
}

/// Refuses a path outside `open_basedir`, like PHP's own file functions (without the warning: the
/// exception says it).
pub fn check_open_basedir(path: &str) -> PhpResult<()> {
    let Ok(c_path) = CString::new(path) else {
        return Err(Error::invalid_input("export path must not contain NUL bytes").into());
    };
    // SAFETY: a valid NUL-terminated string, read by PHP during the call only.
    let allowed = unsafe { php_check_open_basedir_ex(c_path.as_ptr(), 0) } == 0;
    if allowed {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "export path is outside open_basedir ({}); choose a directory PHP may write to",
            ini_open_basedir()
        ))
        .into())
    }
}

fn ini_open_basedir() -> String {
    ext_php_rs::zend::ExecutorGlobals::get()
        .ini_values()
        .get("open_basedir")
        .cloned()
        .flatten()
        .unwrap_or_default()
}
