//! A small structural check of a JSON value against a schema of the
//! OpenAPI document: objects (required and known properties only), arrays,
//! strings (with enumerations and `uuid`/`date` formats), numbers,
//! booleans, `$ref` and `allOf`. Enough to catch a payload and its schema
//! drifting apart, in either direction.

use serde_json::{Map, Value};

/// Where `value` departs from `schema` (empty when it conforms); `schemas`
/// is the document's `components.schemas`.
pub fn departures(value: &Value, schema: &Value, schemas: &Map<String, Value>) -> Vec<String> {
    let mut found = Vec::new();
    check(value, schema, schemas, "$", &mut found);
    found
}

fn resolve<'a>(schema: &'a Value, schemas: &'a Map<String, Value>) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            schemas
                .get(name)
                .map_or(&Value::Null, |found| resolve(found, schemas))
        }
        None => schema,
    }
}

/// The properties and required names of a schema, merged over `allOf`.
fn object_parts(
    schema: &Value,
    schemas: &Map<String, Value>,
    properties: &mut Map<String, Value>,
    required: &mut Vec<String>,
) {
    let schema = resolve(schema, schemas);
    if let Some(parts) = schema["allOf"].as_array() {
        for part in parts {
            object_parts(part, schemas, properties, required);
        }
    }
    if let Some(own) = schema["properties"].as_object() {
        for (name, property) in own {
            properties.insert(name.clone(), property.clone());
        }
    }
    if let Some(names) = schema["required"].as_array() {
        required.extend(names.iter().filter_map(Value::as_str).map(str::to_owned));
    }
}

fn check(
    value: &Value,
    schema: &Value,
    schemas: &Map<String, Value>,
    at: &str,
    found: &mut Vec<String>,
) {
    let schema = resolve(schema, schemas);
    if schema.is_null() {
        found.push(format!("{at}: no schema"));
        return;
    }
    if schema.get("allOf").is_some() || schema["type"] == "object" {
        let Some(object) = value.as_object() else {
            found.push(format!("{at}: not an object: {value}"));
            return;
        };
        let mut properties = Map::new();
        let mut required = Vec::new();
        object_parts(schema, schemas, &mut properties, &mut required);
        for name in &required {
            if !object.contains_key(name) {
                found.push(format!("{at}.{name}: required, absent"));
            }
        }
        for (name, field) in object {
            match properties.get(name) {
                Some(property) => check(field, property, schemas, &format!("{at}.{name}"), found),
                None if schema.get("additionalProperties").is_some() => {}
                None => found.push(format!("{at}.{name}: not in the schema")),
            }
        }
        return;
    }
    if let Some(values) = schema["enum"].as_array()
        && !values.contains(value)
    {
        found.push(format!("{at}: {value} is not one of {values:?}"));
    }
    let fits = match schema["type"].as_str() {
        Some("array") => match value.as_array() {
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    check(
                        item,
                        &schema["items"],
                        schemas,
                        &format!("{at}[{index}]"),
                        found,
                    );
                }
                true
            }
            None => false,
        },
        Some("string") => value
            .as_str()
            .is_some_and(|text| match schema["format"].as_str() {
                Some("uuid") => uuid::Uuid::try_parse(text).is_ok(),
                Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
                Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
                _ => true,
            }),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        _ => true,
    };
    if !fits {
        found.push(format!("{at}: {value} does not fit {schema}"));
    }
}
