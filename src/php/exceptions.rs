//! The `Dsgvo\*Exception` tree and the one mapping from engine errors to it.
//!
//! The classes are registered with `ClassBuilder` and no object handlers of their own, so they are plain
//! PHP exceptions: `getFile()`, `getLine()`, `getTrace()` work, PHP code can extend, construct and
//! serialise them, and `catch (\RuntimeException $e)` catches them. (`#[php_class]` exceptions have
//! none of that in ext-php-rs 0.16.)

use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

use ext_php_rs::args::ArgInfoTables;
use ext_php_rs::builders::ClassBuilder;
use ext_php_rs::exception::PhpException;
use ext_php_rs::ffi::zend_class_entry;
use ext_php_rs::zend::{ClassEntry, ce};

use crate::core::error::{DatabaseErrorKind, Error};

unsafe extern "C" {
    // SPL's class entry, exported by PHP itself, as C extensions use it.
    static spl_ce_RuntimeException: *mut zend_class_entry;
}

/// One exception class: its PHP name and where its registered class entry is kept. The entries are
/// set at each MINIT (an embedding SAPI may restart the module) and cleared at MSHUTDOWN.
struct ExceptionClass {
    name: &'static str,
    entry: AtomicPtr<ClassEntry>,
}

static BASE: ExceptionClass = ExceptionClass::new("Dsgvo\\Exception");
static CONFIG: ExceptionClass = ExceptionClass::new("Dsgvo\\ConfigException");
static DATABASE: ExceptionClass = ExceptionClass::new("Dsgvo\\DatabaseException");
static INVALID_INPUT: ExceptionClass = ExceptionClass::new("Dsgvo\\InvalidInputException");
static TOKEN: ExceptionClass = ExceptionClass::new("Dsgvo\\TokenException");
static OUTCOME_UNKNOWN: ExceptionClass = ExceptionClass::new("Dsgvo\\OutcomeUnknownException");

fn database_entry() -> &'static ClassEntry {
    DATABASE.entry()
}

impl ExceptionClass {
    const fn new(name: &'static str) -> Self {
        ExceptionClass {
            name,
            entry: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// The registered class entry; `\Exception` if called outside MINIT..MSHUTDOWN (never expected).
    fn entry(&self) -> &'static ClassEntry {
        // SAFETY: the pointer is null or was handed to us by the engine at registration and stays
        // valid until MSHUTDOWN, which clears it.
        unsafe { self.entry.load(Ordering::Acquire).as_ref() }.unwrap_or_else(ce::exception)
    }
}

fn runtime_exception() -> &'static ClassEntry {
    // SAFETY: SPL is compiled into every PHP and starts before any shared extension; the pointer is
    // set by then. A null pointer falls back to \Exception instead of crashing.
    unsafe { spl_ce_RuntimeException.cast::<ClassEntry>().as_ref() }.unwrap_or_else(ce::exception)
}

fn base_entry() -> &'static ClassEntry {
    BASE.entry()
}

type Keep = fn(&'static mut ClassEntry, ArgInfoTables);

fn keep(class: &ExceptionClass, entry: &'static mut ClassEntry, tables: ArgInfoTables) {
    // The tables belong to the engine from now on.
    std::mem::forget(tables);
    class.entry.store(entry, Ordering::Release);
}

/// Registers the tree. MINIT only; returns false (and MINIT fails) if the engine refuses a class.
pub fn register() -> bool {
    // `registration` takes a plain fn, so each class gets its own non-capturing closure.
    let base = ClassBuilder::new(BASE.name)
        .extends((runtime_exception, "\\RuntimeException"))
        .registration(|entry, tables| keep(&BASE, entry, tables))
        .register();
    let children: [(&ExceptionClass, Keep); 4] = [
        (&CONFIG, |entry, tables| keep(&CONFIG, entry, tables)),
        (&DATABASE, |entry, tables| keep(&DATABASE, entry, tables)),
        (&INVALID_INPUT, |entry, tables| {
            keep(&INVALID_INPUT, entry, tables)
        }),
        (&TOKEN, |entry, tables| keep(&TOKEN, entry, tables)),
    ];
    base.is_ok()
        && children.into_iter().all(|(class, keep)| {
            ClassBuilder::new(class.name)
                .extends((base_entry, "\\Dsgvo\\Exception"))
                .registration(keep)
                .register()
                .is_ok()
        })
        // A DatabaseException whose commit may or may not have happened: `catch (DatabaseException)`
        // still catches it.
        && ClassBuilder::new(OUTCOME_UNKNOWN.name)
            .extends((database_entry, "\\Dsgvo\\DatabaseException"))
            .registration(|entry, tables| keep(&OUTCOME_UNKNOWN, entry, tables))
            .register()
            .is_ok()
}

/// Forgets the class entries; MSHUTDOWN.
pub fn unregister() {
    for class in [
        &BASE,
        &CONFIG,
        &DATABASE,
        &INVALID_INPUT,
        &TOKEN,
        &OUTCOME_UNKNOWN,
    ] {
        class.entry.store(ptr::null_mut(), Ordering::Release);
    }
}

impl From<Error> for PhpException {
    fn from(error: Error) -> Self {
        let (class, code) = match &error {
            Error::Config(_) => (&CONFIG, 0),
            Error::Database(e) if e.kind == DatabaseErrorKind::OutcomeUnknown => {
                (&OUTCOME_UNKNOWN, i32::from(e.code))
            }
            Error::Database(e) => (&DATABASE, i32::from(e.code)),
            Error::InvalidInput(_) => (&INVALID_INPUT, 0),
            Error::Token(_) => (&TOKEN, 0),
            // Disk full, no permission: none of the specific classes; the base class says "dsgvo".
            Error::File(_) => (&BASE, 0),
        };
        // Zend messages are C strings: a NUL from quoted input would make the exception unthrowable.
        let message = error.message().replace('\0', "\\0");
        PhpException::new(message, code, class.entry())
    }
}
