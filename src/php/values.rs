//! Engine results to PHP values.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use crate::core::error::Error;
use crate::core::output::{IntoFields, OutputValue};

fn zval(value: OutputValue) -> PhpResult<Zval> {
    let mut z = Zval::new();
    match value {
        OutputValue::Null => z.set_null(),
        OutputValue::Bool(b) => z.set_bool(b),
        OutputValue::Int(i) => z.set_long(i),
        OutputValue::Str(s) => z.set_string(&s, false)?,
        OutputValue::Bytes(b) => z.set_binary(b),
        OutputValue::Json(v) => return json(v),
    }
    Ok(z)
}

/// A JSON value as PHP values: objects become associative arrays, arrays lists.
fn json(value: serde_json::Value) -> PhpResult<Zval> {
    let mut z = Zval::new();
    match value {
        serde_json::Value::Null => z.set_null(),
        serde_json::Value::Bool(b) => z.set_bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => z.set_long(i),
            None => z.set_double(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => z.set_string(&s, false)?,
        serde_json::Value::Array(items) => {
            let mut list =
                ZendHashTable::with_capacity(u32::try_from(items.len()).unwrap_or(u32::MAX));
            for item in items {
                list.push(json(item)?)?;
            }
            z.set_hashtable(list);
        }
        serde_json::Value::Object(map) => {
            let mut array =
                ZendHashTable::with_capacity(u32::try_from(map.len()).unwrap_or(u32::MAX));
            for (key, item) in map {
                array.insert(key.as_str(), json(item)?)?;
            }
            z.set_hashtable(array);
        }
    }
    Ok(z)
}

/// One record as an associative array, keys in the engine's order.
pub fn record(record: impl IntoFields) -> PhpResult<ZBox<ZendHashTable>> {
    let record = record.into_fields();
    let mut array = ZendHashTable::with_capacity(u32::try_from(record.len()).unwrap_or(u32::MAX));
    for (key, value) in record {
        array.insert(key, zval(value)?)?;
    }
    Ok(array)
}

/// Records as a list of associative arrays.
pub fn records(records: Vec<impl IntoFields>) -> PhpResult<ZBox<ZendHashTable>> {
    let mut list = ZendHashTable::with_capacity(u32::try_from(records.len()).unwrap_or(u32::MAX));
    for r in records {
        list.push(record(r)?)?;
    }
    Ok(list)
}

/// Records keyed by name, in the order given.
pub fn keyed(records: Vec<(String, impl IntoFields)>) -> PhpResult<ZBox<ZendHashTable>> {
    let mut array = ZendHashTable::with_capacity(u32::try_from(records.len()).unwrap_or(u32::MAX));
    for (key, r) in records {
        array.insert(key.as_str(), record(r)?)?;
    }
    Ok(array)
}

/// A PHP list of integers (keys ignored, order kept); anything else in it is refused by name.
pub fn int_list(array: &ZendHashTable, what: &str) -> Result<Vec<i64>, Error> {
    crate::php::args::entries(array)
        .into_iter()
        .map(|(key, value)| {
            let value = value.dereference();
            if value.is_long() {
                value
                    .long()
                    .ok_or_else(|| Error::invalid_input(format!("{what} must be integers")))
            } else {
                Err(Error::invalid_input(format!(
                    "{what} must be integers; the element at key {key} is {}",
                    type_name(value)
                )))
            }
        })
        .collect()
}

fn type_name(value: &Zval) -> &'static str {
    if value.is_null() {
        "null"
    } else if value.is_bool() {
        "bool"
    } else if value.is_double() {
        "float"
    } else if value.is_string() {
        "string"
    } else if value.is_array() {
        "array"
    } else if value.is_object() {
        "object"
    } else {
        "of another type"
    }
}

/// JSON values as a PHP list.
pub fn list(values: Vec<serde_json::Value>) -> PhpResult<ZBox<ZendHashTable>> {
    let mut list = ZendHashTable::with_capacity(u32::try_from(values.len()).unwrap_or(u32::MAX));
    for v in values {
        list.push(json(v)?)?;
    }
    Ok(list)
}
