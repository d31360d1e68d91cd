//! `tierlink-devtools seed`: the generated chain is coherent through the API.

use reqwest::Method;
use tierlink_devtools::seed::SeedPlan;
use tierlink_devtools::{SEED_PASSWORD, seed_database};
use tierlink_tests::TestApp;

#[tokio::test]
async fn a_small_seeded_chain_reads_back_through_the_api() {
    let app = TestApp::spawn().await;
    let plan = SeedPlan {
        tier1: 12,
        tier2: 30,
        requirements: 2,
        items_per_requirement: 30,
        supplier_users: 2,
        ..SeedPlan::benchmark(7)
    };
    let mut phases = Vec::new();
    let printed = seed_database(&app.settings, &plan, |phase, _, _| {
        phases.push(phase.to_owned())
    })
    .expect("seeding succeeds");
    assert!(printed.contains("seeded 43 organisations"), "{printed}");
    assert!(phases.iter().any(|p| p == "requests"));
    // A second run refuses a database that is not empty.
    assert!(seed_database(&app.settings, &plan, |_, _, _| {}).is_err());

    let large = app
        .login("bench-large@tierlink.example", SEED_PASSWORD)
        .await;
    let requirements = app
        .call(
            Method::GET,
            &large.access_token,
            "/v1/requirements",
            None,
            200,
        )
        .await;
    let items = requirements["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["items"].as_array().map(Vec::len), Some(30));
    let id = items[0]["id"].as_str().expect("id");
    let summary = app
        .call(
            Method::GET,
            &large.access_token,
            &format!("/v1/requirements/{id}/summary"),
            None,
            200,
        )
        .await;
    assert_eq!(summary["requests"]["total"], 12);
    let by_status = summary["requests"]["by_status"]
        .as_object()
        .expect("counts");
    let counted: u64 = by_status
        .values()
        .filter_map(serde_json::Value::as_u64)
        .sum();
    assert_eq!(counted, 12);
    assert!(
        summary["metrics"].as_array().is_some_and(|m| !m.is_empty()),
        "{summary}"
    );

    let supplier = app
        .login("bench-supplier-00001@tierlink.example", SEED_PASSWORD)
        .await;
    let incoming = app
        .call(
            Method::GET,
            &supplier.access_token,
            "/v1/requests",
            None,
            200,
        )
        .await;
    assert_eq!(
        incoming["items"].as_array().map(Vec::len),
        Some(2),
        "one request per requirement"
    );
    let chain = app
        .call(
            Method::GET,
            &large.access_token,
            "/v1/supply-chain",
            None,
            200,
        )
        .await;
    assert_eq!(chain["tier1"].as_array().map(Vec::len), Some(12));
    let tier2: u64 = chain["tier1"]
        .as_array()
        .expect("tier1")
        .iter()
        .filter_map(|t| t["tier2_count"].as_u64())
        .sum();
    assert_eq!(tier2, 30);
}
