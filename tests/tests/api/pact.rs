//! The PACT v3 API, walked through the test cases of the PACT conformance
//! service (`wbcsd/pact-conformance-service`, v3 tests) against the real
//! server: authentication (TC1, 2, 18, 19), get and list with PACT's JSON
//! schema (TC3, 4), pagination (TC5), bad tokens (TC6, 7), an unknown id
//! (TC8), every filter, positive (TC20–29) and negative (TC30–39), with
//! filter values taken from the first listed footprint as the service
//! does. TC9–11 and 17 (plain HTTP refused) are the TLS terminator's job.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::pact::{PactChain, pact_schema_errors, pcf, save_footprint};
use tierlink_tests::{TestApp, TestClient};

/// GET with a bearer token; status, headers and JSON body.
async fn pact_get(
    app: &TestApp,
    token: &str,
    url: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let url = if url.starts_with("http") {
        url.to_owned()
    } else {
        app.url(url)
    };
    let response = app
        .client
        .get(url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "PACT answers application/json, got {content_type}"
    );
    (status, headers, response.json().await.expect("json"))
}

/// The conformance service's `parseLinkHeader`: `<url>; rel="next"`.
fn next_link(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let header = headers.get("link")?.to_str().ok()?;
    header.split(", ").find_map(|link| {
        let (url, rel) = link.split_once(';')?;
        (rel.trim() == "rel=\"next\"").then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        })
    })
}

fn ids(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .expect("a data array")
        .iter()
        .map(|pf| pf["id"].as_str().expect("an id").to_owned())
        .collect()
}

async fn chain_and_client() -> (PactChain, TestClient) {
    let chain = PactChain::build().await;
    let client = chain.pact_client("Hyundai").await;
    (chain, client)
}

#[tokio::test]
async fn tc1_2_18_19_tokens_from_the_discovered_endpoint_good_and_bad() {
    let (chain, _) = chain_and_client().await;
    let app = &chain.scenario;
    let discovery: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .expect("json");
    let token_url = discovery["token_endpoint"]
        .as_str()
        .expect("token_endpoint");
    assert_eq!(token_url, app.url("/auth/token"));
    assert_eq!(discovery["issuer"], app.url("").trim_end_matches('/'));
    assert!(
        discovery["scopes_supported"]
            .as_array()
            .is_some_and(|s| s.contains(&json!("footprint:list")))
    );
    let created = app
        .call(
            Method::POST,
            app.org("Hyundai").token(),
            "/v1/api-clients",
            Some(&json!({"name": "SAP SDX", "scopes": ["footprint:list", "footprint:read"]})),
            201,
        )
        .await;
    let (id, secret) = (
        created["client_id"].as_str().expect("id"),
        created["client_secret"].as_str().expect("secret"),
    );
    // TC1/TC18: valid credentials by HTTP Basic; PACT clients may add
    // `audience` or `resource`, which are ignored.
    let good = app
        .client
        .post(token_url)
        .basic_auth(id, Some(secret))
        .header("accept", "application/json")
        .body("grant_type=client_credentials&audience=https%3A%2F%2Fexample.com")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .expect("sent");
    assert_eq!(good.status(), 200);
    let token: Value = good.json().await.expect("json");
    assert!(token["access_token"].is_string(), "{token}");
    assert_eq!(token["token_type"], "Bearer");
    // TC2/TC19: random credentials.
    let bad = app
        .client
        .post(token_url)
        .basic_auth("a1B2c3D4e5F6g7H8", Some("h8G7f6E5d4C3b2A1"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("sent");
    assert!([400, 401].contains(&bad.status().as_u16()));
    let error: Value = bad.json().await.expect("json");
    assert_eq!(error["error"], "invalid_client");
}

#[tokio::test]
async fn tc3_4_get_and_list_conform_to_the_pact_schema() {
    let (chain, client) = chain_and_client().await;
    let app = &chain.scenario;
    let (status, _, list) = pact_get(app, &client.access_token, "/3/footprints").await;
    assert_eq!(status, 200);
    // The schema check can fail: a number where PACT wants a decimal string.
    let mut broken = list["data"][0].clone();
    broken["pcf"]["fossilGhgEmissions"] = json!(2.31);
    assert_eq!(pact_schema_errors("PactProductFootprint", &broken).len(), 1);
    let all = ids(&list);
    assert_eq!(all.len(), 2, "both products' footprints: {list}");
    for pf in list["data"].as_array().expect("data") {
        assert_eq!(
            pact_schema_errors("PactProductFootprint", pf),
            Vec::<String>::new()
        );
        assert_eq!(pf["status"], "Active");
        assert_eq!(pf["specVersion"], "3.0.3");
        assert_eq!(pf["companyName"], "Kim");
    }
    let first = &list["data"][0];
    let (status, _, one) = pact_get(
        app,
        &client.access_token,
        &format!("/3/footprints/{}", all[0]),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(one["data"], *first);
    // What the supplier sent is what the customer gets, digit for digit.
    assert_eq!(first["pcf"], pcf("2.31", ("geographyCountry", "KR")));
    assert!(
        first["productIds"]
            .as_array()
            .expect("productIds")
            .contains(&json!(format!(
                "urn:pact:tierlink.local:buyer-id:{}:HMC-STEEL-1",
                app.org("Hyundai").id
            ))),
        "the customer's part number is a product id: {first}"
    );
    assert_eq!(
        first["productClassifications"],
        json!(["urn:pact:productclassification:un-cpc:41231"])
    );
}

#[tokio::test]
async fn tc5_limit_one_links_to_the_next_page_with_an_absolute_url() {
    let (chain, client) = chain_and_client().await;
    let app = &chain.scenario;
    let token = &client.access_token;
    let (_, _, all) = pact_get(app, token, "/3/footprints").await;
    let (status, headers, first) = pact_get(app, token, "/3/footprints?limit=1").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&first).len(), 1);
    let next = next_link(&headers).expect("a Link header with rel=\"next\"");
    assert!(next.starts_with("http://127.0.0.1:"), "absolute: {next}");
    let (status, headers, second) = pact_get(app, token, &next).await;
    assert_eq!(status, 200);
    assert_eq!([ids(&first), ids(&second)].concat(), ids(&all));
    assert!(next_link(&headers).is_none(), "the last page has no next");
    // The link keeps the filters it was made with.
    let (_, headers, _) = pact_get(app, token, "/3/footprints?limit=1&status=Active").await;
    let next = next_link(&headers).expect("a link");
    assert!(
        next.contains("status=Active") && next.contains("limit=1"),
        "{next}"
    );
}

#[tokio::test]
async fn tc6_7_8_bad_tokens_and_unknown_ids_get_pact_errors() {
    let (chain, client) = chain_and_client().await;
    let app = &chain.scenario;
    let bad = "very-invalid-access-token-a1B2c3D4e5F6g7H8";
    let (_, _, list) = pact_get(app, &client.access_token, "/3/footprints").await;
    let id = ids(&list)[0].clone();
    for path in ["/3/footprints".to_owned(), format!("/3/footprints/{id}")] {
        let (status, headers, body) = pact_get(app, bad, &path).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(body["code"], "BadRequest", "{path}: {body}");
        assert!(body["message"].is_string());
        assert!(headers.get("www-authenticate").is_some());
    }
    for unknown in [
        "00000000-0000-0000-0000-000000000000",
        "random-string-as-id",
    ] {
        let (status, _, body) = pact_get(
            app,
            &client.access_token,
            &format!("/3/footprints/{unknown}"),
        )
        .await;
        assert_eq!(status, 404);
        assert_eq!(body["code"], "NotFound");
        assert_eq!(pact_schema_errors("PactError", &body), Vec::<String>::new());
    }
}

#[tokio::test]
async fn an_expired_token_is_token_expired_and_a_missing_scope_access_denied() {
    let (chain, client) = chain_and_client().await;
    let app = &chain.scenario;
    let hyundai = app.org("Hyundai");
    let mut claims = app
        .token_issuer()
        .claims_for(&tierlink_domain::access::Caller {
            org_id: hyundai.id.parse().expect("an org id"),
            actor: tierlink_domain::access::Actor::Client {
                id: client.id.parse().expect("a client id"),
                scopes: tierlink_domain::access::Scopes::parse_spaced("scope", "footprint:list")
                    .expect("scopes"),
            },
        });
    claims.exp = chrono::Utc::now().timestamp() - 3_600;
    claims.nbf = claims.exp - 900;
    claims.iat = claims.nbf;
    let expired = app.sign(&claims);
    let (status, _, body) = pact_get(app, &expired, "/3/footprints").await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "TokenExpired", "{body}");

    let reader = app.add_client(&hyundai.admin, &["responses:read"]).await;
    let (status, _, body) = pact_get(app, &reader.access_token, "/3/footprints").await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "AccessDenied");
    // People of the organisation may read its footprints too.
    let (status, _, body) = pact_get(app, hyundai.token(), "/3/footprints").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&body).len(), 2);
}

/// The conformance service's `getFilterParameters`: every value comes from
/// the first footprint of the unfiltered list.
fn filter_values(first: &Value) -> Vec<(&'static str, String)> {
    let start = first["validityPeriodStart"].as_str().expect("start");
    let end = first["validityPeriodEnd"].as_str().expect("end");
    let day = chrono::Duration::days(1);
    let shift = |at: &str, by: chrono::Duration| {
        (chrono::DateTime::parse_from_rfc3339(at).expect("a date") + by)
            .to_utc()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    };
    let pcf = &first["pcf"];
    let geography = [
        "geographyCountry",
        "geographyRegionOrSubregion",
        "geographyCountrySubdivision",
    ]
    .iter()
    .find_map(|name| pcf[name].as_str())
    .unwrap_or_default();
    vec![
        (
            "productId",
            first["productIds"][0]
                .as_str()
                .expect("a product id")
                .to_owned(),
        ),
        (
            "companyId",
            first["companyIds"][0]
                .as_str()
                .expect("a company id")
                .to_owned(),
        ),
        ("geography", geography.to_owned()),
        (
            "classification",
            first["productClassifications"][0]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        ),
        ("validOn", start.to_owned()),
        ("validAfter", shift(start, -day)),
        ("validBefore", shift(end, day)),
        (
            "status",
            first["status"].as_str().expect("status").to_owned(),
        ),
    ]
}

/// Whether `pf` meets one filter as the conformance service checks it.
fn meets(pf: &Value, name: &str, value: &str) -> bool {
    let has = |field: &str| {
        pf[field]
            .as_array()
            .is_some_and(|values| values.iter().any(|v| v == value))
    };
    let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text).expect("a date");
    let start = at(pf["validityPeriodStart"].as_str().expect("start"));
    let end = at(pf["validityPeriodEnd"].as_str().expect("end"));
    match name {
        "productId" => has("productIds"),
        "companyId" => has("companyIds"),
        "classification" => has("productClassifications"),
        "geography" => [
            "geographyCountry",
            "geographyRegionOrSubregion",
            "geographyCountrySubdivision",
        ]
        .iter()
        .any(|field| pf["pcf"][field] == value),
        "validOn" => start <= at(value) && at(value) <= end,
        "validAfter" => start > at(value),
        "validBefore" => end < at(value),
        "status" => pf["status"] == value,
        _ => false,
    }
}

fn query(pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        query.append_pair(name, value);
    }
    format!("/3/footprints?{}", query.finish())
}

#[tokio::test]
async fn tc20_to_29_each_filter_and_their_combinations_find_what_matches() {
    let (chain, client) = chain_and_client().await;
    let app = &chain.scenario;
    let token = &client.access_token;
    let (_, _, all) = pact_get(app, token, "/3/footprints").await;
    let everything = ids(&all);
    let first = &all["data"][0];
    let values = filter_values(first);
    for (name, value) in &values {
        let (status, _, found) = pact_get(app, token, &query(&[(name, value)])).await;
        assert_eq!(status, 200, "{name}={value}");
        let found_ids = ids(&found);
        assert!(
            found_ids.contains(&everything[0]),
            "{name}={value}: {found}"
        );
        for pf in found["data"].as_array().expect("data") {
            assert!(meets(pf, name, value), "{name}={value}: {pf}");
        }
        // The filter is exact: what it leaves out does not meet it.
        for pf in all["data"].as_array().expect("data") {
            let id = pf["id"].as_str().expect("id").to_owned();
            assert_eq!(
                found_ids.contains(&id),
                meets(pf, name, value),
                "{name}={value}"
            );
        }
    }
    // Names in any case; a repeated parameter is OR; empty values are no filter.
    let product = &values[0].1;
    let (_, _, found) = pact_get(
        app,
        token,
        &query(&[("productid", &product.to_uppercase())]),
    )
    .await;
    assert_eq!(ids(&found), vec![everything[0].clone()], "case-insensitive");
    let (_, _, found) = pact_get(
        app,
        token,
        &query(&[("geography", ""), ("classification", "")]),
    )
    .await;
    assert_eq!(ids(&found), everything, "empty values filter nothing");
    // TC28: status AND productId.
    let (_, _, found) = pact_get(
        app,
        token,
        &query(&[("status", "Active"), ("productId", product)]),
    )
    .await;
    assert_eq!(ids(&found), vec![everything[0].clone()]);
    // TC29: the right company among random strings, OR.
    let company = &values[1].1;
    let (_, _, found) = pact_get(
        app,
        token,
        &query(&[
            ("companyId", company),
            ("companyId", "xYz12345"),
            ("companyId", "AbC98765"),
        ]),
    )
    .await;
    assert_eq!(
        ids(&found),
        everything,
        "the supplier's company id is on both"
    );
    // OR across two products' ids finds both.
    let other = all["data"][1]["productIds"][0].as_str().expect("an id");
    let (_, _, found) = pact_get(
        app,
        token,
        &query(&[("productId", product), ("productId", other)]),
    )
    .await;
    assert_eq!(ids(&found), everything);
    let (_, _, found) = pact_get(app, token, &query(&[("geography", "eastern asia")])).await;
    assert_eq!(
        ids(&found),
        vec![everything[1].clone()],
        "regions match in any case"
    );
}

#[tokio::test]
async fn tc30_to_39_filters_that_match_nothing_answer_an_empty_list() {
    let (chain, client) = chain_and_client().await;
    let app = &chain.scenario;
    let token = &client.access_token;
    for pairs in [
        vec![("productId", "urn:bogus:product:a1B2c3D4e5F6g7H8")],
        vec![("companyId", "urn:bogus:company:a1B2c3D4e5F6g7H8")],
        vec![("geography", "XX")],
        vec![(
            "classification",
            "urn:bogus:classification:a1B2c3D4e5F6g7H8",
        )],
        vec![("validOn", "1900-01-01T00:00:00Z")],
        vec![("validAfter", "2099-12-31T23:59:59Z")],
        vec![("validBefore", "1900-01-01T00:00:00Z")],
        vec![("status", "BogusStatusa1B2c3D4")],
        vec![
            ("companyId", "urn:bogus:company:a1B2c3D4"),
            ("productId", "urn:bogus:product:a1B2c3D4e5F6g7H8"),
        ],
        vec![
            ("companyId", "urn:bogus:company:a1B2c3D4"),
            ("companyId", "urn:bogus:company:e5F6g7H8"),
            ("companyId", "urn:bogus:company:i9J0k1L2"),
        ],
    ] {
        let (status, headers, body) = pact_get(app, token, &query(&pairs)).await;
        assert_eq!(status, 200, "{pairs:?}");
        assert_eq!(body, json!({"data": []}), "{pairs:?}");
        assert!(headers.get("link").is_none());
    }
    // A malformed date or limit is a BadRequest naming it.
    for (pairs, named) in [
        (vec![("validOn", "yesterday")], "validOn"),
        (vec![("limit", "-1")], "limit"),
    ] {
        let (status, _, body) = pact_get(app, token, &query(&pairs)).await;
        assert_eq!(status, 400);
        assert_eq!(body["code"], "BadRequest");
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains(named)),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_revised_footprint_is_a_new_id_and_deprecates_the_old_one() {
    let (chain, client) = chain_and_client().await;
    let app = &chain.scenario;
    let (kim, hyundai) = (app.org("Kim"), app.org("Hyundai"));
    let request = &chain.request;
    let (_, _, before) = pact_get(app, &client.access_token, "/3/footprints").await;
    let [steel_v1, bracket_v1] = [ids(&before)[0].clone(), ids(&before)[1].clone()];
    // Hyundai sends the answer back; Kim corrects the steel footprint only.
    app.call(
        Method::POST,
        hyundai.token(),
        &format!("/v1/requests/{request}/answer/revisions/1/request-changes"),
        Some(&json!({"comment": "Use the 2025 grid factor"})),
        200,
    )
    .await;
    save_footprint(
        app,
        kim.token(),
        request,
        &chain.products[0],
        &json!({"pcf": pcf("2.45", ("geographyCountry", "KR"))}),
    )
    .await;
    app.call(
        Method::POST,
        kim.token(),
        &format!("/v1/requests/{request}/answer/submit"),
        None,
        201,
    )
    .await;
    let (_, _, after) = pact_get(app, &client.access_token, "/3/footprints").await;
    let after_ids = ids(&after);
    assert_eq!(after_ids.len(), 3, "{after}");
    let by_id = |id: &str| {
        after["data"]
            .as_array()
            .expect("data")
            .iter()
            .find(|pf| pf["id"] == id)
            .cloned()
            .expect("listed")
    };
    assert_eq!(by_id(&steel_v1)["status"], "Deprecated");
    assert_eq!(by_id(&bracket_v1)["status"], "Active", "unchanged: kept");
    let steel_v2 = by_id(&after_ids[2]);
    assert_eq!(steel_v2["precedingPfIds"], json!([steel_v1]));
    assert_eq!(steel_v2["pcf"]["fossilGhgEmissions"], "2.45");
    assert_eq!(steel_v2["status"], "Active");
    // Filters by status; revision 2 lists what it answered with.
    let (_, _, active) = pact_get(app, &client.access_token, "/3/footprints?status=active").await;
    assert_eq!(ids(&active), vec![bracket_v1.clone(), after_ids[2].clone()]);
    let revision = app
        .call(
            Method::GET,
            hyundai.token(),
            &format!("/v1/requests/{request}/answer/revisions/2/footprints"),
            None,
            200,
        )
        .await;
    let answered: Vec<&str> = revision["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|pf| pf["id"].as_str())
        .collect();
    assert_eq!(answered.len(), 2);
    assert!(answered.contains(&bracket_v1.as_str()) && answered.contains(&after_ids[2].as_str()));
    // The requirement's roll-up counts them.
    let summary = app
        .call(
            Method::GET,
            hyundai.token(),
            &format!("/v1/requirements/{}/summary", app.requirement().id),
            None,
            200,
        )
        .await;
    assert_eq!(
        summary["footprints"],
        json!({"active": 2, "deprecated": 1, "suppliers_answered": 1})
    );
}

#[tokio::test]
async fn another_organisation_sees_none_of_the_footprints() {
    let (chain, client) = chain_and_client().await;
    let app = &chain.scenario;
    let (_, _, ours) = pact_get(app, &client.access_token, "/3/footprints").await;
    let id = ids(&ours)[0].clone();
    let stranger = app.signup("Daehan").await;
    let theirs = app
        .add_client(&stranger.admin, &["footprint:list", "footprint:read"])
        .await;
    let (status, _, list) = pact_get(app, &theirs.access_token, "/3/footprints").await;
    assert_eq!(status, 200);
    assert_eq!(list, json!({"data": []}));
    let (status, _, body) =
        pact_get(app, &theirs.access_token, &format!("/3/footprints/{id}")).await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "NotFound");
    // Nor what a revision of the request published, through /v1.
    let revision = format!(
        "/v1/requests/{}/answer/revisions/1/footprints",
        chain.request
    );
    tierlink_tests::expect_problem(
        app.get_as(stranger.token(), &revision).await,
        404,
        "not_found",
    )
    .await;
    // The supplier publishes to its customer, not to itself.
    let kim = app.org("Kim");
    let (_, _, own) = pact_get(app, kim.token(), "/3/footprints").await;
    assert_eq!(own, json!({"data": []}));
}

#[tokio::test]
async fn unknown_paths_and_methods_under_3_answer_in_pacts_shape() {
    let app = TestApp::spawn().await;
    for (method, path, status, code) in [
        (Method::DELETE, "/3/footprints", 405, "BadRequest"),
        (
            Method::PUT,
            "/3/footprints/00000000-0000-0000-0000-000000000000",
            405,
            "BadRequest",
        ),
        (Method::GET, "/3/nothing-here", 404, "NotFound"),
    ] {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status().as_u16(), status, "{method} {path}");
        if status == 405 {
            assert!(response.headers().get("allow").is_some());
        }
        assert_eq!(
            response.headers()["content-type"].to_str().ok(),
            Some("application/json")
        );
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["code"], code, "{method} {path}: {body}");
    }
}

#[tokio::test]
async fn tier2_footprints_are_precursors_the_customer_sees_with_consent() {
    let s = TestApp::builder()
        .supplier("Hyundai", "Kim")
        .supplier("Kim", "Lee")
        .supplier("Kim", "Park")
        .publish(
            "Hyundai",
            tierlink_tests::Requirement::new("Footprints")
                .items(json!([{"metric": "pcf.product_footprints"}]))
                .cascade_depth(2),
        )
        .build()
        .await;
    let [hyundai, kim, lee, park] = s.orgs(["Hyundai", "Kim", "Lee", "Park"]);
    let request = s.request("Kim").to_owned();
    s.forward(kim, &request, &json!({"suppliers": [lee.id, park.id]}))
        .await;
    // Lee shares its answer up the chain; Park keeps it for Kim.
    let mut tier2 = Vec::new();
    for (org, share) in [(lee, true), (park, false)] {
        let product =
            tierlink_tests::pact::add_product(&s, org.token(), "ORE", "14100", &kim.id).await;
        let forwarded = s.first_request(org).await;
        save_footprint(
            &s,
            org.token(),
            &forwarded,
            &product,
            &json!({"pcf": pcf("0.5", ("geographyCountry", "KR"))}),
        )
        .await;
        s.call(
            Method::POST,
            org.token(),
            &format!("/v1/requests/{forwarded}/answer/submit"),
            Some(&json!({"share_upstream": share})),
            201,
        )
        .await;
        let (_, _, theirs) = pact_get(
            &s,
            kim.token(),
            &format!("/3/footprints?companyId=urn:uuid:{}", org.id),
        )
        .await;
        tier2.push(ids(&theirs)[0].clone());
    }
    let [lee_pf, park_pf] = [tier2[0].clone(), tier2[1].clone()];
    // Kim's own footprint names both as precursors.
    let coil =
        tierlink_tests::pact::add_product(&s, kim.token(), "COIL", "41231", &hyundai.id).await;
    let bad = s
        .send_as(
            Method::PUT,
            kim.token(),
            &format!("/v1/requests/{request}/footprints/{coil}"),
            Some(&json!({"pcf": pcf("2", ("geographyCountry", "KR")),
                "precursors": ["00000000-0000-0000-0000-000000000000"]})),
        )
        .await;
    let problem = tierlink_tests::expect_problem(bad, 422, "validation_failed").await;
    assert_eq!(tierlink_tests::problem_fields(&problem), ["precursors[0]"]);
    save_footprint(
        &s,
        kim.token(),
        &request,
        &coil,
        &json!({"pcf": pcf("2", ("geographyCountry", "KR")), "precursors": [lee_pf, park_pf]}),
    )
    .await;
    s.call(
        Method::POST,
        kim.token(),
        &format!("/v1/requests/{request}/answer/submit"),
        None,
        201,
    )
    .await;
    let (_, _, seen) = pact_get(&s, hyundai.token(), "/3/footprints").await;
    let kims: Vec<&Value> = seen["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|pf| pf["companyName"] == "Kim")
        .collect();
    assert_eq!(kims.len(), 1, "{seen}");
    assert_eq!(
        pact_schema_errors("PactProductFootprint", kims[0]),
        Vec::<String>::new()
    );
    assert_eq!(
        kims[0]["extensions"][0]["data"]["precursorPfIds"],
        json!([lee_pf]),
        "only the precursor shared up the chain"
    );
    // Lee's footprint is readable by Hyundai; Park's is not.
    let (status, _, one) = pact_get(&s, hyundai.token(), &format!("/3/footprints/{lee_pf}")).await;
    assert_eq!(status, 200);
    assert_eq!(one["data"]["companyName"], "Lee");
    let (status, _, _) = pact_get(&s, hyundai.token(), &format!("/3/footprints/{park_pf}")).await;
    assert_eq!(status, 404);
    assert!(!ids(&seen).contains(&park_pf));
    // A stranger sees neither.
    let stranger = s.signup("Daehan").await;
    let (_, _, none) = pact_get(&s, stranger.token(), "/3/footprints").await;
    assert_eq!(none, json!({"data": []}));
}
