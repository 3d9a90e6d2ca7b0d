//! Engine results to PHP values.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use crate::core::output::{OutputValue, Record};

fn zval(value: OutputValue) -> PhpResult<Zval> {
    let mut z = Zval::new();
    match value {
        OutputValue::Null => z.set_null(),
        OutputValue::Bool(b) => z.set_bool(b),
        OutputValue::Int(i) => z.set_long(i),
        OutputValue::Str(s) => z.set_string(&s, false)?,
    }
    Ok(z)
}

/// One record as an associative array, keys in the engine's order.
pub fn record(record: Record) -> PhpResult<ZBox<ZendHashTable>> {
    let mut array = ZendHashTable::with_capacity(u32::try_from(record.len()).unwrap_or(u32::MAX));
    for (key, value) in record {
        array.insert(key, zval(value)?)?;
    }
    Ok(array)
}

/// Records as a list of associative arrays.
pub fn records(records: Vec<Record>) -> PhpResult<ZBox<ZendHashTable>> {
    let mut list = ZendHashTable::with_capacity(u32::try_from(records.len()).unwrap_or(u32::MAX));
    for r in records {
        list.push(record(r)?)?;
    }
    Ok(list)
}
