//! PACT v3 in tests: a footprint body, a chain in which a supplier has
//! published footprints to its customer, a PACT client of that customer,
//! and validation against PACT's own JSON schema (the specification's
//! schemas as the committed OpenAPI document carries them).

use reqwest::Method;
use serde_json::{Value, json};

use crate::{Requirement, Scenario, TestApp, TestClient};

/// The metric asking for a footprint per product.
pub const PRODUCT_FOOTPRINTS: &str = "pcf.product_footprints";

/// A complete PACT `pcf` with the given emissions and geography field.
pub fn pcf(emissions: &str, geography: (&str, &str)) -> Value {
    let mut pcf = json!({
        "declaredUnitOfMeasurement": "kilogram",
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": "1",
        "referencePeriodStart": "2025-01-01T00:00:00Z",
        "referencePeriodEnd": "2026-01-01T00:00:00Z",
        "pcfExcludingBiogenicUptake": emissions,
        "pcfIncludingBiogenicUptake": emissions,
        "fossilGhgEmissions": emissions,
        "fossilCarbonContent": "0.01",
        "ipccCharacterizationFactors": ["AR6"],
        "crossSectoralStandards": ["ISO14067", "PACT-3.0"],
        "exemptedEmissionsPercent": "0.8",
        "primaryDataShare": "62.5",
        "dqi": {"technologicalDQR": "1.6", "geographicalDQR": "1.2", "temporalDQR": "1.0"}
    });
    pcf[geography.0] = json!(geography.1);
    pcf
}

/// Validates `instance` against the schema `name` of the committed
/// OpenAPI document (`PactProductFootprint`, …); the errors, if any.
pub fn pact_schema_errors(name: &str, instance: &Value) -> Vec<String> {
    let document: Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).expect("the document");
    let schema = json!({
        "$ref": format!("#/components/schemas/{name}"),
        "components": {"schemas": document["components"]["schemas"]},
    });
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("PACT's schema compiles");
    validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect()
}

/// A supplier's product with a part number of `customer`.
pub async fn add_product(
    app: &TestApp,
    token: &str,
    code: &str,
    cpc: &str,
    customer: &str,
) -> String {
    let product = app
        .call(
            Method::POST,
            token,
            "/v1/products",
            Some(&json!({
                "code": code,
                "name": format!("Product {code}"),
                "description": format!("What {code} is"),
                "cpc_code": cpc,
                "customer_parts": [{"customer_org_id": customer, "part_number": format!("HMC-{code}")}]
            })),
            201,
        )
        .await;
    product["id"].as_str().expect("a product id").to_owned()
}

/// Saves a product's footprint in the draft of `request`.
pub async fn save_footprint(
    app: &TestApp,
    token: &str,
    request: &str,
    product: &str,
    body: &Value,
) {
    app.call(
        Method::PUT,
        token,
        &format!("/v1/requests/{request}/footprints/{product}"),
        Some(body),
        200,
    )
    .await;
}

/// Hyundai asks Kim for product footprints; Kim has two products it sells
/// Hyundai (steel in KR, a bracket in Eastern Asia), answers both and
/// submits. `products` are Kim's product ids, in that order.
#[derive(Debug)]
pub struct PactChain {
    pub scenario: Scenario,
    pub request: String,
    pub products: [String; 2],
}

impl PactChain {
    pub async fn build() -> Self {
        let scenario = TestApp::builder()
            // Answers go to a PACT host on 127.0.0.1, promptly.
            .settings(crate::receiver::local_deliveries)
            .supplier("Hyundai", "Kim")
            .publish(
                "Hyundai",
                Requirement::new("Product footprints 2025")
                    .items(json!([{"metric": PRODUCT_FOOTPRINTS}])),
            )
            .build()
            .await;
        let request = scenario.request("Kim").to_owned();
        let (kim, hyundai) = (scenario.org("Kim"), scenario.org("Hyundai"));
        let steel = add_product(&scenario, kim.token(), "STEEL-1", "41231", &hyundai.id).await;
        let bracket = add_product(&scenario, kim.token(), "BRACKET-2", "42999", &hyundai.id).await;
        save_footprint(
            &scenario,
            kim.token(),
            &request,
            &steel,
            &json!({"pcf": pcf("2.31", ("geographyCountry", "KR"))}),
        )
        .await;
        save_footprint(
            &scenario,
            kim.token(),
            &request,
            &bracket,
            &json!({"pcf": pcf("0.75", ("geographyRegionOrSubregion", "Eastern Asia")),
                "comment": "Secondary data for the coating"}),
        )
        .await;
        scenario
            .call(
                Method::POST,
                kim.token(),
                &format!("/v1/requests/{request}/answer/submit"),
                None,
                201,
            )
            .await;
        Self {
            scenario,
            request,
            products: [steel, bracket],
        }
    }

    /// A PACT client of `org` with both footprint scopes and a token.
    pub async fn pact_client(&self, org: &str) -> TestClient {
        self.scenario
            .add_client(
                &self.scenario.org(org).admin,
                &["footprint:list", "footprint:read"],
            )
            .await
    }
}
