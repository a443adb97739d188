//! ABCI-style events: a type and ordered key/value attributes.

use serde::{Deserialize, Serialize};

/// One attribute of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    /// Attribute key, e.g. `recipient`.
    pub key: String,
    /// Attribute value.
    pub value: String,
}

/// An event emitted by a state transition, e.g. `transfer{sender, recipient, amount}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Event type, e.g. `transfer`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Attributes in emission order.
    pub attributes: Vec<Attribute>,
}

impl Event {
    /// A new event with no attributes.
    pub fn new(kind: impl Into<String>) -> Self {
        Self { kind: kind.into(), attributes: Vec::new() }
    }

    /// Adds an attribute (builder style).
    pub fn attr(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.attributes.push(Attribute { key: key.into(), value: value.to_string() });
        self
    }

    /// The first value of `key`, if any.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find(|a| a.key == key).map(|a| a.value.as_str())
    }
}
