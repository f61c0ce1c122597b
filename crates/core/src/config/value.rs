//! A config value as PHP hands it over, and the typed readers every config key goes
//! through (string, number, bool). Shared by the sender's keys (`config`) and the
//! credential's keys (`credential::keys`), so both reject a wrong type with the same
//! message naming the key.

use crate::error::{Error, Result};

/// A config value as it arrives from PHP.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigValue {
    /// `null`: the key counts as absent (Laravel's `env()` yields null when unset).
    Null,
    /// A bool.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// Any other PHP type, by its type name (arrays, objects): always an error.
    Other(String),
}

impl ConfigValue {
    pub(crate) fn type_name(&self) -> &str {
        match self {
            ConfigValue::Null => "null",
            ConfigValue::Bool(_) => "bool",
            ConfigValue::Int(_) => "int",
            ConfigValue::Float(_) => "float",
            ConfigValue::Str(_) => "string",
            ConfigValue::Other(t) => t,
        }
    }
}

/// A string, trimmed; null or blank: absent.
pub(crate) fn expect_str(key: &str, v: ConfigValue) -> Result<Option<String>> {
    match v {
        ConfigValue::Null => Ok(None),
        ConfigValue::Str(s) if s.trim().is_empty() => Ok(None),
        ConfigValue::Str(s) => Ok(Some(s.trim().to_string())),
        other => Err(Error::config(key, format!("config key `{key}` must be a string, got {}", other.type_name()))),
    }
}

/// A finite, non-negative number. Laravel's env() yields strings, so numeric strings are
/// accepted; Rust's float parser also takes "NaN" and "inf", which are refused here like
/// NAN, INF and negative numbers from PHP (a NaN cast to an integer would become 0).
pub(crate) fn expect_number(key: &str, v: ConfigValue) -> Result<Option<f64>> {
    let (n, shown) = match v {
        ConfigValue::Null => return Ok(None),
        ConfigValue::Str(s) if s.trim().is_empty() => return Ok(None),
        ConfigValue::Int(i) => (i as f64, i.to_string()),
        ConfigValue::Float(f) => (f, f.to_string()),
        ConfigValue::Str(s) => (s.trim().parse::<f64>().unwrap_or(f64::NAN), format!("'{}'", s.escape_debug())),
        other => return Err(Error::config(key, format!("config key `{key}` must be a number, got {}", other.type_name()))),
    };
    if !n.is_finite() || n < 0.0 {
        return Err(Error::config(key, format!("config key `{key}` must be a finite number >= 0, got {shown}")));
    }
    Ok(Some(n))
}

/// A bool, or its usual spellings in env files (1/0, true/false, yes/no, on/off).
pub(crate) fn expect_bool(key: &str, v: ConfigValue) -> Result<Option<bool>> {
    match v {
        ConfigValue::Null => Ok(None),
        ConfigValue::Bool(b) => Ok(Some(b)),
        ConfigValue::Int(0) => Ok(Some(false)),
        ConfigValue::Int(1) => Ok(Some(true)),
        ConfigValue::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(Some(true)),
            "false" | "0" | "no" | "off" | "" => Ok(Some(false)),
            _ => Err(Error::config(key, format!("config key `{key}` must be a bool, got the string `{s}`"))),
        },
        other => Err(Error::config(key, format!("config key `{key}` must be a bool, got {}", other.type_name()))),
    }
}
