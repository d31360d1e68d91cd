//! PACT's own schemas in our OpenAPI document. `pact_schemas.json` holds
//! the component schemas of the PACT Technical Specifications v3 OpenAPI
//! (`wbcsd/pact-conformance-service`, `src/schemas/openapi_v3.yaml`), each
//! name prefixed `Pact` so none collides with ours, references rewritten to
//! match, descriptions cut to their first paragraph. The PACT endpoints'
//! responses refer to them through the marker types here, so clients are
//! generated from the specification's schema, not a copy of it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

static SCHEMAS: LazyLock<BTreeMap<String, RefOr<Schema>>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("pact_schemas.json"))
        .unwrap_or_else(|error| panic!("pact_schemas.json does not parse: {error}"))
});

fn schema(name: &str) -> RefOr<Schema> {
    SCHEMAS
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("pact_schemas.json has no {name}"))
}

/// Every PACT schema, for the document's components.
pub fn all() -> Vec<(String, RefOr<Schema>)> {
    SCHEMAS
        .iter()
        .map(|(name, schema)| (name.clone(), schema.clone()))
        .collect()
}

macro_rules! pact_schema {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug)]
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                schema(stringify!($name))
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                schemas.extend(all());
            }
        }
    )*};
}

pact_schema!(
    /// PACT's `ProductFootprint`.
    PactProductFootprint,
    /// PACT's `CarbonFootprint` (the `pcf` of a footprint).
    PactCarbonFootprint,
    /// PACT's `Error`: `{code, message}`.
    PactError,
);
