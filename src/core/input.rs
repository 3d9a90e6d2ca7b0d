//! Values of PHP array arguments (constructor options, proof, meta), as the binding layer hands them
//! to the engine: scalars kept, everything else reduced to its type name for the message.

/// A value of an array argument (options, proof, meta), already converted from PHP.
#[derive(Debug, Clone, PartialEq)]
pub enum InputValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A nested array (e.g. the option `erase_strategies`).
    Array(Vec<(String, InputValue)>),
    /// Any other PHP type (object, resource, a string that is not UTF-8); its name for the message.
    Other(&'static str),
}

impl InputValue {
    pub fn type_name(&self) -> &'static str {
        match self {
            InputValue::Null => "null",
            InputValue::Bool(_) => "bool",
            InputValue::Int(_) => "int",
            InputValue::Float(_) => "float",
            InputValue::Str(_) => "string",
            InputValue::Array(_) => "array",
            InputValue::Other(name) => name,
        }
    }
}

/// An array argument: key/value pairs in the order given. Integer keys arrive as their decimal text.
pub type KeyValues = Vec<(String, InputValue)>;

/// A text as it may be shown in a message: control characters replaced, cut after `max` characters.
pub fn printable(text: &str, max: usize) -> String {
    let shown: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().count() > max {
        format!("{shown}...")
    } else {
        shown
    }
}

/// An array argument from literal pairs, for unit tests.
#[cfg(test)]
pub(crate) fn key_values(pairs: &[(&str, InputValue)]) -> KeyValues {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}
