//! Results that become PHP arrays: ordered key/value records of scalars, so the binding layer converts
//! them generically and the keys are decided (and tested) here.

/// A scalar of a result record.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputValue {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    /// Bytes that need not be UTF-8 (an archived mail body).
    Bytes(Vec<u8>),
    /// A nested structure (a summary, a manifest): becomes nested PHP arrays.
    Json(serde_json::Value),
}

impl From<bool> for OutputValue {
    fn from(v: bool) -> Self {
        OutputValue::Bool(v)
    }
}

impl From<u64> for OutputValue {
    fn from(v: u64) -> Self {
        OutputValue::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<String> for OutputValue {
    fn from(v: String) -> Self {
        OutputValue::Str(v)
    }
}

impl From<&str> for OutputValue {
    fn from(v: &str) -> Self {
        OutputValue::Str(v.to_owned())
    }
}

impl<T: Into<OutputValue>> From<Option<T>> for OutputValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(OutputValue::Null, Into::into)
    }
}

/// One record: keys in the order PHP will see them.
pub type Record = Vec<(&'static str, OutputValue)>;
