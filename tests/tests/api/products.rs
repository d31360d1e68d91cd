//! `/v1/products` and footprints in answers: a supplier's catalogue with
//! its customers' part numbers, footprints drafted per product, what a
//! submission requires, and the errors that name their field.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::pact::{PRODUCT_FOOTPRINTS, add_product, pcf, save_footprint};
use tierlink_tests::{Requirement, Scenario, TestApp, expect_problem, problem_fields};

async fn hyundai_and_kim(items: Value) -> Scenario {
    TestApp::builder()
        .supplier("Hyundai", "Kim")
        .publish("Hyundai", Requirement::new("Footprints").items(items))
        .build()
        .await
}

#[tokio::test]
async fn a_product_is_added_read_listed_changed_and_removed() {
    let s = hyundai_and_kim(json!([{"metric": PRODUCT_FOOTPRINTS}])).await;
    let (kim, hyundai) = (s.org("Kim"), s.org("Hyundai"));
    let created = s
        .send_as(
            Method::POST,
            kim.token(),
            "/v1/products",
            Some(
                &json!({"code": "CRC-1.2", "name": "Cold-rolled coil", "cpc_code": "41231",
                "customer_parts": [{"customer_org_id": hyundai.id, "part_number": "HMC-778"}]}),
            ),
        )
        .await;
    assert_eq!(created.status(), 201);
    let location = created
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a Location")
        .to_owned();
    let product: Value = created.json().await.expect("json");
    assert_eq!(
        location,
        format!("/v1/products/{}", product["id"].as_str().expect("id"))
    );
    assert_eq!(product["customer_parts"][0]["part_number"], "HMC-778");
    assert_eq!(product["description"], "");
    let read = s.call(Method::GET, kim.token(), &location, None, 200).await;
    assert_eq!(read, product);
    let other = add_product(&s, kim.token(), "OTHER", "1", &hyundai.id).await;
    let unsold = s
        .call(
            Method::POST,
            kim.token(),
            "/v1/products",
            Some(&json!({"code": "UNSOLD", "name": "Kept in stock"})),
            201,
        )
        .await;
    let all = s
        .call(Method::GET, kim.token(), "/v1/products?limit=2", None, 200)
        .await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));
    let rest = s
        .call(
            Method::GET,
            kim.token(),
            &format!(
                "/v1/products?limit=2&cursor={}",
                all["next_cursor"].as_str().expect("more")
            ),
            None,
            200,
        )
        .await;
    assert_eq!(rest["items"][0]["id"], unsold["id"]);
    let sold = s
        .call(
            Method::GET,
            kim.token(),
            &format!("/v1/products?customer={}", hyundai.id),
            None,
            200,
        )
        .await;
    let sold: Vec<&Value> = sold["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert_eq!(sold, [&product["id"], &json!(other)]);

    let changed = s
        .call(
            Method::PUT,
            kim.token(),
            &location,
            Some(&json!({"code": "CRC-1.2", "name": "Cold-rolled coil 1.2 mm"})),
            200,
        )
        .await;
    assert_eq!(changed["name"], "Cold-rolled coil 1.2 mm");
    assert_eq!(changed["customer_parts"], json!([]));
    s.call(Method::DELETE, kim.token(), &location, None, 204)
        .await;
    expect_problem(s.get_as(kim.token(), &location).await, 404, "not_found").await;
}

#[tokio::test]
async fn bad_products_are_refused_naming_the_field() {
    let s = hyundai_and_kim(json!([{"metric": "ghg.scope1"}])).await;
    let (kim, hyundai) = (s.org("Kim"), s.org("Hyundai"));
    let stranger = s.signup("Daehan").await;
    let problem = expect_problem(
        s.send_as(
            Method::POST,
            kim.token(),
            "/v1/products",
            Some(&json!({"code": "has space", "name": "", "cpc_code": "12a",
                "customer_parts": [{"customer_org_id": "nope", "part_number": "P-1"}]})),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        problem_fields(&problem),
        [
            "code",
            "name",
            "cpc_code",
            "customer_parts[0].customer_org_id"
        ]
    );
    // A part number for an organisation Kim does not supply.
    let problem = expect_problem(
        s.send_as(
            Method::POST,
            kim.token(),
            "/v1/products",
            Some(&json!({"code": "A", "name": "A",
                "customer_parts": [{"customer_org_id": stranger.id, "part_number": "P-1"}]})),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        problem_fields(&problem),
        ["customer_parts[0].customer_org_id"]
    );
    add_product(&s, kim.token(), "A", "1", &hyundai.id).await;
    for body in [
        json!({"code": "A", "name": "Same code"}),
        json!({"code": "B", "name": "Same part number",
            "customer_parts": [{"customer_org_id": hyundai.id, "part_number": "HMC-A"}]}),
    ] {
        expect_problem(
            s.send_as(Method::POST, kim.token(), "/v1/products", Some(&body))
                .await,
            409,
            "duplicate",
        )
        .await;
    }
    let listed = s
        .call(Method::GET, kim.token(), "/v1/products", None, 200)
        .await;
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(1),
        "nothing else stored"
    );
}

#[tokio::test]
async fn another_organisation_cannot_see_or_touch_our_products_or_drafts() {
    let s = hyundai_and_kim(json!([{"metric": PRODUCT_FOOTPRINTS}])).await;
    let (kim, hyundai) = (s.org("Kim"), s.org("Hyundai"));
    let request = s.request("Kim").to_owned();
    let product = add_product(&s, kim.token(), "STEEL", "41231", &hyundai.id).await;
    save_footprint(
        &s,
        kim.token(),
        &request,
        &product,
        &json!({"pcf": pcf("1.5", ("geographyCountry", "KR"))}),
    )
    .await;
    let stranger = s.signup("Daehan").await;
    let client = s
        .add_client(&stranger.admin, &["responses:read", "responses:write"])
        .await;
    let body = json!({"pcf": pcf("9", ("geographyCountry", "KR"))});
    for token in [
        stranger.token(),
        client.access_token.as_str(),
        hyundai.token(),
    ] {
        for (method, path, body) in [
            (Method::GET, format!("/v1/products/{product}"), None),
            (
                Method::PUT,
                format!("/v1/products/{product}"),
                Some(json!({"code": "X", "name": "X"})),
            ),
            (Method::DELETE, format!("/v1/products/{product}"), None),
            (
                Method::GET,
                format!("/v1/requests/{request}/footprints"),
                None,
            ),
            (
                Method::PUT,
                format!("/v1/requests/{request}/footprints/{product}"),
                Some(body.clone()),
            ),
            (
                Method::DELETE,
                format!("/v1/requests/{request}/footprints/{product}"),
                None,
            ),
        ] {
            let response = s.send_as(method.clone(), token, &path, body.as_ref()).await;
            expect_problem(response, 404, "not_found").await;
        }
        let listed = s.call(Method::GET, token, "/v1/products", None, 200).await;
        assert_eq!(listed["items"], json!([]));
    }
    let drafts = s
        .call(
            Method::GET,
            kim.token(),
            &format!("/v1/requests/{request}/footprints"),
            None,
            200,
        )
        .await;
    assert_eq!(
        drafts["items"][0]["pcf"]["fossilGhgEmissions"], "1.5",
        "untouched"
    );
}

#[tokio::test]
async fn footprints_are_drafted_per_product_and_required_to_submit() {
    let s = hyundai_and_kim(
        json!([{"metric": PRODUCT_FOOTPRINTS}, {"metric": "ghg.scope1", "required": false}]),
    )
    .await;
    let (kim, hyundai) = (s.org("Kim"), s.org("Hyundai"));
    let request = s.request("Kim").to_owned();
    let submit = format!("/v1/requests/{request}/answer/submit");
    // No product sold to Hyundai yet: the submission says what to do.
    let problem = expect_problem(
        s.send_as(Method::POST, kim.token(), &submit, None).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["footprints"]);
    let steel = add_product(&s, kim.token(), "STEEL", "41231", &hyundai.id).await;
    let bracket = add_product(&s, kim.token(), "BRACKET", "42999", &hyundai.id).await;
    save_footprint(
        &s,
        kim.token(),
        &request,
        &steel,
        &json!({"pcf": pcf("2.31", ("geographyCountry", "KR"))}),
    )
    .await;
    let problem = expect_problem(
        s.send_as(Method::POST, kim.token(), &submit, None).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), [format!("footprints.{bracket}")]);
    // A footprint that breaks PACT's rules names each field.
    let mut bad = pcf("-1", ("geographyCountry", "ZZ"));
    bad["biogenicCO2Uptake"] = json!("5");
    bad["dqi"]["temporalDQR"] = json!("6");
    let problem = expect_problem(
        s.send_as(
            Method::PUT,
            kim.token(),
            &format!("/v1/requests/{request}/footprints/{bracket}"),
            Some(&json!({"pcf": bad, "validity_period_start": "2024-01-01T00:00:00Z"})),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    for field in [
        "pcf.fossilGhgEmissions",
        "pcf.biogenicCO2Uptake",
        "pcf.dqi.temporalDQR",
        "pcf.geographyCountry",
        "validity_period_start",
    ] {
        assert!(
            problem_fields(&problem).contains(&field.to_owned()),
            "{field}: {problem}"
        );
    }
    // A decimal sent as a number is a shape error naming its path.
    let mut number = pcf("1", ("geographyCountry", "KR"));
    number["fossilGhgEmissions"] = json!(1.5);
    let problem = expect_problem(
        s.send_as(
            Method::PUT,
            kim.token(),
            &format!("/v1/requests/{request}/footprints/{bracket}"),
            Some(&json!({"pcf": number})),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["pcf.fossilGhgEmissions"]);
    save_footprint(&s, kim.token(), &request, &bracket, &json!({"pcf": pcf("0.7", ("geographyCountry", "KR")),
        "validity_period_start": "2026-02-01T00:00:00Z", "validity_period_end": "2027-01-01T00:00:00Z"})).await;
    let drafts = s
        .call(
            Method::GET,
            kim.token(),
            &format!("/v1/requests/{request}/footprints"),
            None,
            200,
        )
        .await;
    let items = drafts["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    let bracket_draft = items
        .iter()
        .find(|d| d["product"]["id"] == bracket.as_str())
        .expect("drafted");
    assert_eq!(bracket_draft["validity_period_end"], "2027-01-01T00:00:00Z");
    let steel_draft = items
        .iter()
        .find(|d| d["product"]["id"] == steel.as_str())
        .expect("drafted");
    assert_eq!(
        steel_draft["validity_period_end"], "2029-01-01T00:00:00Z",
        "three years by default"
    );
    let revision = s.call(Method::POST, kim.token(), &submit, None, 201).await;
    assert_eq!(revision["revision"], 1);
    // Submitting again without a change makes no new revision.
    s.call(Method::POST, kim.token(), &submit, None, 200).await;
    // A product with footprints in answers stays in the catalogue.
    expect_problem(
        s.send_as(
            Method::DELETE,
            kim.token(),
            &format!("/v1/products/{steel}"),
            None,
        )
        .await,
        409,
        "product_in_use",
    )
    .await;
    // Values cannot be saved as a plain entry of the footprint metric.
    let problem = expect_problem(
        s.send_as(
            Method::PUT,
            kim.token(),
            &format!("/v1/requests/{request}/answer/entries/{PRODUCT_FOOTPRINTS}"),
            Some(&json!({"metric": PRODUCT_FOOTPRINTS, "value": "1", "obtained": "calculated"})),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(
        problem.to_string().contains("answered_per_product"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_request_without_the_footprint_metric_takes_no_footprints() {
    let s = hyundai_and_kim(json!([{"metric": "ghg.scope1"}])).await;
    let (kim, hyundai) = (s.org("Kim"), s.org("Hyundai"));
    let request = s.request("Kim").to_owned();
    let product = add_product(&s, kim.token(), "STEEL", "41231", &hyundai.id).await;
    expect_problem(
        s.send_as(
            Method::PUT,
            kim.token(),
            &format!("/v1/requests/{request}/footprints/{product}"),
            Some(&json!({"pcf": pcf("1", ("geographyCountry", "KR"))})),
        )
        .await,
        409,
        "footprints_not_requested",
    )
    .await;
}

#[tokio::test]
async fn a_footprint_item_may_list_the_part_numbers_it_asks_about() {
    let s = hyundai_and_kim(json!([{"metric": PRODUCT_FOOTPRINTS, "part_numbers": ["HMC-STEEL"]}]))
        .await;
    let (kim, hyundai) = (s.org("Kim"), s.org("Hyundai"));
    let request = s.request("Kim").to_owned();
    let shown = s
        .call(
            Method::GET,
            kim.token(),
            &format!("/v1/requests/{request}"),
            None,
            200,
        )
        .await;
    assert_eq!(
        shown["items"][0]["part_numbers"],
        json!(["HMC-STEEL"]),
        "{shown}"
    );
    let submit = format!("/v1/requests/{request}/answer/submit");
    // None of Kim's products carries the part number yet.
    let problem = expect_problem(
        s.send_as(Method::POST, kim.token(), &submit, None).await,
        422,
        "validation_failed",
    )
    .await;
    assert!(problem.to_string().contains("part numbers"), "{problem}");
    let steel = add_product(&s, kim.token(), "STEEL", "41231", &hyundai.id).await;
    add_product(&s, kim.token(), "OTHER", "42999", &hyundai.id).await;
    // Only the listed product needs a footprint.
    save_footprint(
        &s,
        kim.token(),
        &request,
        &steel,
        &json!({"pcf": pcf("2", ("geographyCountry", "KR"))}),
    )
    .await;
    s.call(Method::POST, kim.token(), &submit, None, 201).await;
    // Only a footprint item lists part numbers, each once and well formed.
    let problem = expect_problem(
        s.send_as(
            Method::POST,
            hyundai.token(),
            "/v1/requirements",
            Some(
                &json!({"title": "x", "period": {"start": "2026-01-01", "end": "2026-12-31"},
                "due_date": "2099-01-31", "audience": {"all_active_suppliers": true},
                "items": [{"metric": "ghg.scope1", "part_numbers": ["A"]},
                    {"metric": PRODUCT_FOOTPRINTS, "part_numbers": ["A", "A", "bad part"]}]}),
            ),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        problem_fields(&problem),
        [
            "items[0].part_numbers",
            "items[1].part_numbers[1]",
            "items[1].part_numbers[2]"
        ]
    );
}
