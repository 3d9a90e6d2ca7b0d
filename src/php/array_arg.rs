//! Array arguments that are maps of scalars (`$options`, `$proof`, `$meta`), converted to engine values.

use ext_php_rs::convert::{FromZval, StubLiteral};
use ext_php_rs::flags::DataType;
use ext_php_rs::types::Zval;

use crate::core::input::{InputValue, KeyValues};

/// The pairs in the order given; declared to PHP as `array`, default `[]`.
#[derive(Debug, Default)]
pub struct ArrayArg(pub KeyValues);

impl<'a> FromZval<'a> for ArrayArg {
    const TYPE: DataType = DataType::Array;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        let array = zval.array()?;
        let pairs = array
            .iter()
            .map(|(key, value)| (key.to_string(), option_value(value)))
            .collect();
        Some(ArrayArg(pairs))
    }
}

impl StubLiteral for ArrayArg {
    fn stub_literal(&self) -> String {
        "[]".into()
    }
}

fn option_value(zval: &Zval) -> InputValue {
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
        InputValue::Array(
            array
                .iter()
                .map(|(k, v)| (k.to_string(), option_value(v)))
                .collect(),
        )
    } else if zval.is_object() {
        InputValue::Other("object")
    } else {
        InputValue::Other("resource")
    }
}
