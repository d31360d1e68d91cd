//! `Idempotency-Key` on every POST that creates something (README: "same
//! key and body: the first answer again, with `Idempotent-Replayed: true`;
//! another body: 409"). Each test sends one create twice with one key and
//! expects the second to replay the first (status, body, `Location`),
//! then sends another body with the same key and expects
//! `idempotency_key_reused`, and finally checks one resource was made.
//!
//! Secrets shown once (an API client's secret) are replayed as they were
//! first shown: the stored answer is sent again whole, as Stripe does. The
//! key is scoped to the caller's organisation, so only the client that
//! made the request can have it replayed, and a retry after a lost answer
//! is exactly when the secret is needed. Sign-up shows no secret (no
//! tokens: its admin logs in afterwards), so its replay is harmless.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{
    PASSWORD, PDF, Reply, Requirement, Scenario, TestApp, TestOrg, expect_key_reused, expect_replay,
};

const KEY: &str = "erp-retry-0001";

/// The contract for one endpoint: `request(false)` sent twice with [`KEY`]
/// answers the same, the second time as a replay; `request(true)` (another
/// body, or another path) with the same key is refused. The first answer.
async fn replayed(request: impl Fn(bool) -> reqwest::RequestBuilder) -> Reply {
    let send = async |other: bool| {
        request(other)
            .header("idempotency-key", KEY)
            .send()
            .await
            .expect("the request is sent")
    };
    let first = Reply::read(send(false).await).await;
    assert!(
        (200..300).contains(&first.status),
        "the first call succeeds: {first:?}"
    );
    let replay = Reply::read(send(false).await).await;
    expect_replay(&first, &replay);
    expect_key_reused(send(true).await).await;
    first
}

/// A JSON `POST` as `org`, not yet sent.
fn post(s: &TestApp, org: &TestOrg, path: &str, body: &Value) -> reqwest::RequestBuilder {
    s.client
        .post(s.url(path))
        .bearer_auth(org.token())
        .json(body)
}

/// [`replayed`] for a JSON `POST` as `org`: `body` twice, then `other`.
async fn replayed_post(
    s: &TestApp,
    org: &TestOrg,
    path: &str,
    body: &Value,
    other: &Value,
) -> Reply {
    replayed(|o| post(s, org, path, if o { other } else { body })).await
}

/// How many items `org` finds at `path` (a list or a page of one).
async fn count(s: &TestApp, org: &TestOrg, path: &str) -> usize {
    let found = s.call(Method::GET, org.token(), path, None, 200).await;
    found
        .as_array()
        .or_else(|| found["items"].as_array())
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn requirements() {
    let s = TestApp::builder().org("Hyundai Steel").build().await;
    let large = s.org("Hyundai Steel");
    let (body, other) = (
        s.body(&Requirement::new("FY2026")),
        s.body(&Requirement::new("FY2027")),
    );
    let first = replayed_post(&s, large, "/v1/requirements", &body, &other).await;
    assert_eq!(first.status, 201);
    assert_eq!(count(&s, large, "/v1/requirements").await, 1);
}

#[tokio::test]
async fn publishing() {
    let s = TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .build()
        .await;
    let large = s.org("Hyundai Steel");
    let mut drafts = Vec::new();
    for title in ["FY2026", "FY2027"] {
        let body = s.body(&Requirement::new(title));
        let draft = s
            .call(
                Method::POST,
                large.token(),
                "/v1/requirements",
                Some(&body),
                201,
            )
            .await;
        drafts.push(format!(
            "/v1/requirements/{}/publish",
            draft["id"].as_str().expect("id")
        ));
    }
    // The same key on another requirement's publish is another request.
    let first = replayed(|o| {
        s.client
            .post(s.url(&drafts[usize::from(o)]))
            .bearer_auth(large.token())
    })
    .await;
    assert_eq!(first.status, 200);
    assert_eq!(s.requests_of(s.org("Hanbit")).await.len(), 1);
}

#[tokio::test]
async fn custom_metrics() {
    let s = TestApp::builder().org("Hyundai Steel").build().await;
    let org = s.org("Hyundai Steel");
    let metric = |code: &str| {
        json!({"code": code, "label_en": "VOC content of paint", "label_ko": "도료 VOC 함량",
            "kind": "quantity", "dimension": "mass"})
    };
    let (body, other) = (metric("custom.paint_voc"), metric("custom.paint_lead"));
    let first = replayed_post(&s, org, "/v1/metrics", &body, &other).await;
    assert_eq!(first.status, 201);
    assert_eq!(count(&s, org, "/v1/metrics?q=voc").await, 1);
}

#[tokio::test]
async fn invitations() {
    let s = TestApp::builder().org("Hyundai Steel").build().await;
    let buyer = s.org("Hyundai Steel");
    let (body, other) = (
        json!({"email": "ceo@hanbit.example"}),
        json!({"email": "ceo@daehan.example"}),
    );
    let first = replayed_post(&s, buyer, "/v1/invitations", &body, &other).await;
    assert_eq!(first.status, 201);
    assert_eq!(count(&s, buyer, "/v1/invitations").await, 1);
}

#[tokio::test]
async fn accepting_an_invitation() {
    let s = TestApp::builder()
        .org("Hyundai Steel")
        .org("Hanbit")
        .build()
        .await;
    let [buyer, supplier] = s.orgs(["Hyundai Steel", "Hanbit"]);
    let mut codes = Vec::new();
    for _ in 0..2 {
        let invitation = s.invite(buyer, "admin@hanbit.example").await;
        codes.push(json!({"code": invitation["code"]}));
    }
    let accept = "/v1/invitations/accept";
    let first = replayed_post(&s, supplier, accept, &codes[0], &codes[1]).await;
    assert_eq!(first.status, 201);
    assert_eq!(count(&s, buyer, "/v1/suppliers").await, 1);
}

#[tokio::test]
async fn forwarding() {
    let s = two_tiers().await;
    let [tier1, daehan, busan] = s.orgs(["Hanbit", "Daehan Casting", "Busan Forge"]);
    let path = format!("/v1/requests/{}/forward", s.request("Hanbit"));
    let (body, other) = (
        json!({"suppliers": [daehan.id]}),
        json!({"suppliers": [busan.id]}),
    );
    let first = replayed_post(&s, tier1, &path, &body, &other).await;
    assert_eq!(first.status, 201);
    assert_eq!(s.requests_of(daehan).await.len(), 1);
    assert_eq!(s.requests_of(busan).await.len(), 0);
}

#[tokio::test]
async fn users() {
    let s = TestApp::builder().org("Hanbit").build().await;
    let admin = s.org("Hanbit");
    let user = |email: &str| json!({"email": email, "display_name": "Park Jiho", "role": "editor", "password": PASSWORD});
    let (body, other) = (user("jiho@hanbit.example"), user("minji@hanbit.example"));
    let first = replayed_post(&s, admin, "/v1/users", &body, &other).await;
    assert_eq!(first.status, 201);
    assert_eq!(
        count(&s, admin, "/v1/users").await,
        2,
        "the admin and one more"
    );
}

/// The replay carries the secret the first answer showed (see the top of
/// this file), and it is the client's real secret.
#[tokio::test]
async fn api_clients() {
    let s = TestApp::builder().org("Hanbit").build().await;
    let admin = s.org("Hanbit");
    let client = |name: &str| json!({"name": name, "scopes": ["requirements:read"]});
    let (body, other) = (client("SAP production"), client("SAP test"));
    let first = replayed_post(&s, admin, "/v1/api-clients", &body, &other).await;
    assert_eq!(first.status, 201);
    assert_eq!(count(&s, admin, "/v1/api-clients").await, 1);
    let created = first.json();
    let (id, secret) = (
        created["client_id"].as_str().expect("client_id"),
        created["client_secret"].as_str().expect("client_secret"),
    );
    assert_eq!(s.client_token(id, secret).await.status(), 200);
}

/// Each multipart body has a boundary of its own: the same file (name,
/// type and bytes) is the same request.
#[tokio::test]
async fn evidence_uploads() {
    let s = answering().await;
    let (supplier, request) = (s.org("Hanbit"), s.request("Hanbit"));
    let mut other_file = PDF.to_vec();
    other_file.extend_from_slice(b"% another statement\n");
    let first = replayed(|o| {
        let bytes = if o { other_file.clone() } else { PDF.to_vec() };
        s.upload_request(
            supplier.token(),
            request,
            "statement.pdf",
            "application/pdf",
            bytes,
        )
    })
    .await;
    assert_eq!(first.status, 201);
    let path = format!("/v1/requests/{request}/evidence");
    assert_eq!(count(&s, supplier, &path).await, 1);
}

#[tokio::test]
async fn attaching_a_tier_2_answer() {
    let s = two_tiers().await;
    let [tier1, daehan, busan] = s.orgs(["Hanbit", "Daehan Casting", "Busan Forge"]);
    let request = s.request("Hanbit");
    s.forward(tier1, request, &json!({"suppliers": [daehan.id, busan.id]}))
        .await;
    let mut children = Vec::new();
    for org in [daehan, busan] {
        let child = s.first_request(org).await;
        s.answer(org, &child, &scope1(true)).await;
        s.accept_revision(tier1, &child, 1).await;
        children.push(json!({ "child_request_id": child }));
    }
    let path = format!("/v1/requests/{request}/answer/attachments");
    let first = replayed_post(&s, tier1, &path, &children[0], &children[1]).await;
    assert_eq!(first.status, 201);
    assert_eq!(count(&s, tier1, &path).await, 1);
}

#[tokio::test]
async fn reusing_an_answer() {
    let s = TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .supplier("Kia Parts", "Hanbit")
        .build()
        .await;
    let supplier = s.org("Hanbit");
    let mut requests = Vec::new();
    for customer in ["Hyundai Steel", "Kia Parts"] {
        let published = s.publish(customer, &Requirement::new("FY2026")).await;
        requests.push(published.request("Hanbit").to_owned());
    }
    s.answer(supplier, &requests[0], &scope1(true)).await;
    let path = format!("/v1/requests/{}/answer/reuse", requests[1]);
    let (body, other) = (
        json!({"source_request_id": requests[0]}),
        json!({"source_request_id": requests[0], "metrics": ["ghg.scope1"]}),
    );
    let first = replayed_post(&s, supplier, &path, &body, &other).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.json()["draft"].as_array().map(Vec::len), Some(1));
}

/// A replayed submit is the first answer again (201 and revision 1), not
/// "answered with the existing revision" (200), and makes no revision.
#[tokio::test]
async fn submitting_an_answer() {
    let s = answering().await;
    let (supplier, request) = (s.org("Hanbit"), s.request("Hanbit"));
    let mut draft = scope1(false);
    draft["submit"] = json!(false);
    s.answer(supplier, request, &draft).await;
    let path = s.url(&format!("/v1/requests/{request}/answer/submit"));
    let first = replayed(|o| {
        let submit = s.client.post(&path).bearer_auth(supplier.token());
        if o {
            submit.json(&json!({"share_upstream": true}))
        } else {
            submit
        }
    })
    .await;
    assert_eq!(first.status, 201);
    assert_eq!(first.json()["revision"], 1);
    let revisions = format!("/v1/requests/{request}/answer/revisions");
    assert_eq!(count(&s, supplier, &revisions).await, 1);
}

/// Sign-up has no caller yet: the key belongs to whoever sends it.
#[tokio::test]
async fn signing_up() {
    let app = TestApp::spawn().await;
    let signup = |name: &str, email: &str| {
        json!({
            "organisation": {"name": name, "country": "KR"},
            "admin": {"email": email, "display_name": "CEO", "password": PASSWORD}
        })
    };
    let (body, other) = (
        signup("Daehan Casting", "ceo@daehan.example"),
        signup("Busan Forge", "ceo@busan.example"),
    );
    let first = replayed(|o| {
        app.client
            .post(app.url("/v1/signup"))
            .json(if o { &other } else { &body })
    })
    .await;
    assert_eq!(first.status, 201);
    let admin = app.login("ceo@daehan.example", PASSWORD).await;
    let organisations = app
        .call(
            Method::GET,
            &admin.access_token,
            "/v1/organisations",
            None,
            200,
        )
        .await;
    assert_eq!(
        organisations["items"].as_array().map(Vec::len),
        Some(1),
        "{organisations}"
    );
    let refused = app
        .post_json(
            "/v1/auth/login",
            &json!({"email": "ceo@busan.example", "password": PASSWORD}),
        )
        .await;
    assert_eq!(refused.status(), 401, "the other body signed nobody up");
}

/// Hanbit received Hyundai Steel's Scope 1 requirement, which it may
/// forward to its own suppliers, Daehan Casting and Busan Forge.
async fn two_tiers() -> Scenario {
    TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .supplier("Hanbit", "Daehan Casting")
        .supplier("Hanbit", "Busan Forge")
        .publish("Hyundai Steel", Requirement::new("FY2026").cascade_depth(2))
        .build()
        .await
}

/// Hanbit received Hyundai Steel's Scope 1 requirement.
async fn answering() -> Scenario {
    TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .publish("Hyundai Steel", Requirement::new("FY2026"))
        .build()
        .await
}

/// A Scope 1 answer, submitted with or without consent to share upstream.
fn scope1(share_upstream: bool) -> Value {
    json!({"entries": [{"metric": "ghg.scope1", "value": "1", "unit": "tCO2e"}],
        "submit": true, "share_upstream": share_upstream})
}
