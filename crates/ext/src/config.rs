//! PHP config array → core config pairs. Only type translation happens here; which keys
//! exist and what they may hold is the core's business.

use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ArrayKey, ZendHashTable, Zval};
use o365_core::{Config, ConfigValue, Error};

/// Converts a PHP array into a validated core config.
pub fn from_array(array: &ZendHashTable) -> Result<Config, Error> {
    let mut pairs = Vec::with_capacity(array.len());
    for (key, value) in array {
        let key = match key {
            ArrayKey::Long(i) => {
                return Err(Error::config(&i.to_string(), "the config array must have string keys like 'tenant_id'"));
            }
            other => other.to_string(),
        };
        pairs.push((key, value_of(value)));
    }
    Config::from_pairs(pairs)
}

fn value_of(z: &Zval) -> ConfigValue {
    match z.get_type() {
        DataType::Null | DataType::Undef => ConfigValue::Null,
        DataType::True => ConfigValue::Bool(true),
        DataType::False => ConfigValue::Bool(false),
        DataType::Bool => ConfigValue::Bool(z.bool().unwrap_or(false)),
        DataType::Long => z.long().map_or(ConfigValue::Null, ConfigValue::Int),
        DataType::Double => z.double().map_or(ConfigValue::Null, ConfigValue::Float),
        DataType::String => z.str().map_or(ConfigValue::Other("binary string".into()), |s| ConfigValue::Str(s.to_string())),
        DataType::Reference => z.reference().map_or(ConfigValue::Null, value_of),
        DataType::Array => ConfigValue::Other("array".into()),
        DataType::Object(_) => ConfigValue::Other("object".into()),
        other => ConfigValue::Other(format!("{other:?}").to_lowercase()),
    }
}
