//! The `dsgvo.*` php.ini directives, registered from the settings table of `core::config`.

use std::ffi::{CStr, c_char, c_int, c_void};

use ext_php_rs::ffi::{zend_ini_entry, zend_string};

use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};

use crate::core::config::{SETTINGS, Setting};

/// PHP keeps a pointer to this table for the life of the process, so it is a `static`.
static INI: IniEntryDefs<{ SETTINGS.len() + 1 }> = IniEntryDefs::new(table());

const fn table() -> [IniEntryDef; SETTINGS.len() + 1] {
    let mut table = [IniEntryDef::end(); SETTINGS.len() + 1];
    let mut i = 0;
    while i < SETTINGS.len() {
        // All: a shop may set them per directory (.user.ini, php_value) or with ini_set().
        table[i] = IniEntryDef::new(
            SETTINGS[i].ini,
            SETTINGS[i].default,
            IniEntryPermission::All,
        );
        table[i].on_modify = Some(accept_change);
        i += 1;
    }
    table
}

/// Accepts every new value: they are validated where they are used (`Config::resolve`), with a message
/// that names the directive. Without a handler at all, PHP's `ini_restore()` refuses to restore.
unsafe extern "C" fn accept_change(
    _entry: *mut zend_ini_entry,
    _new_value: *mut zend_string,
    _arg1: *mut c_void,
    _arg2: *mut c_void,
    _arg3: *mut c_void,
    _stage: c_int,
) -> c_int {
    0 // SUCCESS
}

/// Registers the directives; MINIT only.
pub fn register(module_number: i32) {
    IniEntryDef::register(INI.as_slice(), module_number);
}

unsafe extern "C" {
    // Zend's own lookup of one directive (what INI_STR() expands to); cheaper than
    // `ExecutorGlobals::ini_values()`, which copies every directive of the process into a map.
    fn zend_ini_string_ex(
        name: *const c_char,
        name_length: usize,
        orig: c_int,
        exists: *mut bool,
    ) -> *mut c_char;
}

/// The current value of a directive (`original`: the php.ini value before any ini_set()).
/// None if it is not registered; values that are not UTF-8 are decoded lossily.
pub fn value(setting: &Setting, original: bool) -> Option<String> {
    let name = setting.ini;
    let mut exists = false;
    // SAFETY: `name` is a NUL-terminated static string and its length excludes the NUL; the engine
    // returns a pointer into its own ini entry (or null), valid until the entry changes, and we copy
    // it at once.
    let value = unsafe {
        zend_ini_string_ex(
            name.as_ptr(),
            name.count_bytes(),
            c_int::from(original),
            &mut exists,
        )
    };
    if !exists || value.is_null() {
        return None;
    }
    // SAFETY: non-null values of string directives are NUL-terminated C strings.
    let value = unsafe { CStr::from_ptr(value) };
    Some(value.to_string_lossy().into_owned())
}
