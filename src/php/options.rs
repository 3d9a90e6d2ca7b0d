//! The `array $options` argument of `Dsgvo\Store::__construct`, converted to engine values.

use ext_php_rs::convert::{FromZval, StubLiteral};
use ext_php_rs::flags::DataType;
use ext_php_rs::types::Zval;

use crate::core::config::OptionValue;

/// The options as key/value pairs, in the order given. Defaults to `[]`.
#[derive(Debug, Default)]
pub struct Options(pub Vec<(String, OptionValue)>);

impl<'a> FromZval<'a> for Options {
    const TYPE: DataType = DataType::Array;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        let array = zval.array()?;
        let pairs = array
            .iter()
            .map(|(key, value)| (key.to_string(), option_value(value)))
            .collect();
        Some(Options(pairs))
    }
}

impl StubLiteral for Options {
    fn stub_literal(&self) -> String {
        "[]".into()
    }
}

fn option_value(zval: &Zval) -> OptionValue {
    let zval = zval.dereference();
    if zval.is_null() {
        OptionValue::Null
    } else if let Some(b) = zval.bool().filter(|_| zval.is_bool()) {
        OptionValue::Bool(b)
    } else if let Some(i) = zval.long().filter(|_| zval.is_long()) {
        OptionValue::Int(i)
    } else if let Some(f) = zval.double().filter(|_| zval.is_double()) {
        OptionValue::Float(f)
    } else if zval.is_string() {
        match zval.str() {
            Some(s) => OptionValue::Str(s.to_owned()),
            None => OptionValue::Other("string that is not UTF-8"),
        }
    } else if zval.is_array() {
        OptionValue::Other("array")
    } else if zval.is_object() {
        OptionValue::Other("object")
    } else {
        OptionValue::Other("resource")
    }
}
