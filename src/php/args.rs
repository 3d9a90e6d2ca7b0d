//! Array arguments that are maps of scalars (`$options`, `$proof`, `$meta`), converted to engine values.

use ext_php_rs::convert::{FromZval, StubLiteral};
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ZendHashTable, Zval};

use crate::core::input::{InputValue, KeyValues};

/// The pairs in the order given; declared to PHP as `array`, default `[]`.
#[derive(Debug, Default)]
pub struct ArrayArg(pub KeyValues);

impl<'a> FromZval<'a> for ArrayArg {
    const TYPE: DataType = DataType::Array;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        let array = zval.array()?;
        let pairs = entries(array)
            .into_iter()
            .map(|(key, value)| (key, option_value(value, 0)))
            .collect();
        Some(ArrayArg(pairs))
    }
}

impl StubLiteral for ArrayArg {
    fn stub_literal(&self) -> String {
        "[]".into()
    }
}

/// Options nest one level (`erase_strategies`); deeper arrays, and arrays that contain themselves by
/// reference, are refused by type instead of followed.
const MAX_DEPTH: usize = 2;

/// The pairs of a PHP array with their keys as text. ext-php-rs's own iterator panics on a key that is not
/// UTF-8; here such a key is read lossily, so it reaches the validation and its message.
pub fn entries(array: &ZendHashTable) -> Vec<(String, &Zval)> {
    let mut out = Vec::with_capacity(array.len());
    let mut it = array.iter();
    while let Some((key, value)) = it.next_zval() {
        let key = match key.long() {
            Some(n) if key.is_long() => n.to_string(),
            _ => key
                .zend_str()
                .map(|s| String::from_utf8_lossy(s.as_bytes()).into_owned())
                .unwrap_or_default(),
        };
        out.push((key, value));
    }
    out
}

/// A scalar argument declared `mixed` (e.g. a request's subject: an id or an address), as an engine
/// value; the engine says which types it takes.
pub fn value(zval: &Zval) -> InputValue {
    option_value(zval, MAX_DEPTH)
}

fn option_value(zval: &Zval, depth: usize) -> InputValue {
    let zval = zval.dereference();
    if zval.is_null() {
        InputValue::Null
    } else if let Some(b) = zval.bool().filter(|_| zval.is_bool()) {
        InputValue::Bool(b)
    } else if let Some(i) = zval.long().filter(|_| zval.is_long()) {
        InputValue::Int(i)
    } else if let Some(f) = zval.double().filter(|_| zval.is_double()) {
        InputValue::Float(f)
    } else if zval.is_string() {
        match zval.str() {
            Some(s) => InputValue::Str(s.to_owned()),
            None => InputValue::Other("string that is not UTF-8"),
        }
    } else if let Some(array) = zval.array() {
        if depth >= MAX_DEPTH {
            return InputValue::Other("array nested too deeply");
        }
        InputValue::Array(
            entries(array)
                .into_iter()
                .map(|(k, v)| (k, option_value(v, depth + 1)))
                .collect(),
        )
    } else if zval.is_object() {
        InputValue::Other("object")
    } else {
        InputValue::Other("resource")
    }
}
