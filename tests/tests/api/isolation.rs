//! Tenant isolation: a user and a machine client of another organisation
//! get no data from any organisation-scoped resource that exists. One table
//! lists every such endpoint; each new resource adds its rows here.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{Requirement, TestApp, expect_problem};

/// One probe of a resource that belongs to organisation A.
struct Case {
    method: Method,
    path: String,
    body: Option<Value>,
    /// What another organisation's user gets: 404, or 422 naming the field
    /// where the id travels in the body of a bulk call.
    user_status: u16,
    /// What another organisation's client gets: 404 where clients may use
    /// the endpoint at all, 403 where no client ever may (the refusal does
    /// not depend on the resource, so it reveals nothing).
    client_status: u16,
}

fn case(method: Method, path: String, body: Option<Value>, client_status: u16) -> Case {
    Case {
        method,
        path,
        body,
        user_status: 404,
        client_status,
    }
}

#[tokio::test]
async fn another_organisation_sees_nothing_of_ours() {
    let app = TestApp::spawn().await;
    let ours = app.signup("Hanbit").await;
    let our_editor = app
        .add_user(&ours.admin, "editor@hanbit.example", "editor")
        .await;
    let our_client = app.add_client(&ours.admin, &["requirements:read"]).await;
    let hook = app
        .call(
            Method::POST,
            ours.token(),
            "/v1/webhooks",
            Some(&json!({"url": "https://erp.hanbit.example/hooks"})),
            201,
        )
        .await;
    let hook = hook["id"].as_str().expect("a webhook id").to_owned();
    let ping = app
        .call(
            Method::POST,
            ours.token(),
            &format!("/v1/webhooks/{hook}/ping"),
            None,
            202,
        )
        .await;
    let delivery = ping["id"].as_str().expect("a delivery id").to_owned();

    let product = app
        .call(
            Method::POST,
            ours.token(),
            "/v1/products",
            Some(&json!({"code": "HB-1", "name": "Hanbit bracket"})),
            201,
        )
        .await;
    let product = product["id"].as_str().expect("a product id").to_owned();
    let pact_host = app
        .call(
            Method::POST,
            ours.token(),
            "/v1/pact-hosts",
            Some(
                &json!({"base_url": "https://pact.hanbit.example", "client_id": "tierlink",
                "client_secret": "hanbit-secret"}),
            ),
            201,
        )
        .await;
    let pact_host = pact_host["id"].as_str().expect("a host id").to_owned();

    let theirs = app.signup("Daehan").await;
    let their_client = app
        .add_client(
            &theirs.admin,
            &[
                "requirements:read",
                "requirements:write",
                "responses:read",
                "responses:write",
            ],
        )
        .await;

    let table = vec![
        case(
            Method::GET,
            format!("/v1/organisations/{}", ours.id),
            None,
            404,
        ),
        case(
            Method::GET,
            format!("/v1/users/{}", our_editor.id),
            None,
            403,
        ),
        case(
            Method::PATCH,
            format!("/v1/users/{}", our_editor.id),
            Some(json!({"disabled": true})),
            403,
        ),
        case(
            Method::GET,
            format!("/v1/api-clients/{}", our_client.id),
            None,
            403,
        ),
        case(
            Method::POST,
            format!("/v1/api-clients/{}/secret", our_client.id),
            None,
            403,
        ),
        case(
            Method::DELETE,
            format!("/v1/api-clients/{}", our_client.id),
            None,
            403,
        ),
        case(Method::GET, format!("/v1/webhooks/{hook}"), None, 403),
        case(
            Method::PATCH,
            format!("/v1/webhooks/{hook}"),
            Some(json!({"enabled": false})),
            403,
        ),
        case(Method::DELETE, format!("/v1/webhooks/{hook}"), None, 403),
        case(
            Method::POST,
            format!("/v1/webhooks/{hook}/rotate-secret"),
            None,
            403,
        ),
        case(Method::POST, format!("/v1/webhooks/{hook}/ping"), None, 403),
        case(
            Method::GET,
            format!("/v1/webhooks/{hook}/deliveries"),
            None,
            403,
        ),
        case(
            Method::POST,
            format!("/v1/webhooks/{hook}/deliveries/{delivery}/redeliver"),
            None,
            403,
        ),
        case(Method::GET, format!("/v1/products/{product}"), None, 404),
        case(
            Method::PUT,
            format!("/v1/products/{product}"),
            Some(json!({"code": "X", "name": "X"})),
            404,
        ),
        case(Method::DELETE, format!("/v1/products/{product}"), None, 404),
        case(
            Method::DELETE,
            format!("/v1/pact-hosts/{pact_host}"),
            None,
            403,
        ),
    ];

    for probe in &table {
        for (who, token, expected) in [
            ("their admin", &theirs.admin.access_token, probe.user_status),
            (
                "their client",
                &their_client.access_token,
                probe.client_status,
            ),
        ] {
            let response = app
                .send_as(
                    probe.method.clone(),
                    token,
                    &probe.path,
                    probe.body.as_ref(),
                )
                .await;
            let code = match expected {
                404 => "not_found",
                422 => "validation_failed",
                _ => "forbidden",
            };
            let problem = expect_problem(response, expected, code).await;
            let text = problem.to_string();
            assert!(
                !text.contains("editor@hanbit.example") && !text.contains("Hanbit"),
                "{who} {} {}: {text}",
                probe.method,
                probe.path
            );
        }
    }

    // Lists show only the caller's own organisation's resources.
    for path in [
        "/v1/organisations",
        "/v1/users",
        "/v1/api-clients",
        "/v1/webhooks",
        "/v1/products",
        "/v1/pact-hosts",
        "/3/footprints",
        "/v1/events?limit=200",
        "/v1/audit-events?limit=200",
    ] {
        let list: Value = app
            .get_as(&theirs.admin.access_token, path)
            .await
            .json()
            .await
            .expect("json");
        assert!(
            !list.to_string().contains(&ours.id) && !list.to_string().contains("hanbit"),
            "{path}: {list}"
        );
    }

    // Nothing of ours changed: the editor is still enabled, the client still works.
    let editor: Value = app
        .get_as(
            &ours.admin.access_token,
            &format!("/v1/users/{}", our_editor.id),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(editor["disabled"], false);
    assert_eq!(
        app.client_token(&our_client.id, &our_client.secret)
            .await
            .status(),
        200
    );
}

/// The supply-chain resources: requirements, requests, invitations, links.
/// A stranger (user and client) gets nothing; neither does a fellow
/// supplier, nor a tier-2 beyond what was forwarded to it.
#[tokio::test]
async fn supply_chain_resources_are_visible_only_to_their_parties() {
    let app = TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .supplier("Hyundai Steel", "Seoul Bolts")
        .supplier("Hanbit", "Daehan Casting")
        .org("Stranger")
        .publish(
            "Hyundai Steel",
            Requirement::new("Confidential programme")
                .items(json!([{"metric": "ghg.scope1"}, {"metric": "ghg.scope2.market"}]))
                .to(&["Hanbit", "Seoul Bolts"])
                .cascade_depth(2),
        )
        .build()
        .await;
    let [large, tier1, fellow, tier2, stranger] = app.orgs([
        "Hyundai Steel",
        "Hanbit",
        "Seoul Bolts",
        "Daehan Casting",
        "Stranger",
    ]);
    let r = &app.requirement().id;
    let q1 = app.request("Hanbit");
    let stranger_client = app
        .add_client(
            &stranger.admin,
            &[
                "requirements:read",
                "requirements:write",
                "responses:read",
                "responses:write",
            ],
        )
        .await;
    app.forward(
        tier1,
        q1,
        &json!({"suppliers": [tier2.id], "metrics": ["ghg.scope1"]}),
    )
    .await;
    let invitation = app
        .call(
            Method::POST,
            &large.admin.access_token,
            "/v1/invitations",
            Some(&json!({"email": "x@y.example"})),
            201,
        )
        .await;
    // The tier-1 answers with evidence and submits, so every answer endpoint has something to find.
    let evidence = app.upload_pdf(tier1, q1).await;
    app.answer(
        tier1,
        q1,
        &json!({"entries": [
            {"metric": "ghg.scope1", "value": "1", "unit": "tCO2e", "evidence": [evidence]},
            {"metric": "ghg.scope2.market", "value": "2", "unit": "tCO2e"}
        ], "submit": true}),
    )
    .await;
    let i = invitation["id"].as_str().expect("id").to_owned();

    let draft = json!({"title": "x", "period": {"start": "2026-01-01", "end": "2026-12-31"}, "due_date": "2099-01-31",
        "items": [{"metric": "ghg.scope1"}], "audience": {"all_active_suppliers": true}});
    let stranger_table = vec![
        case(Method::GET, format!("/v1/requirements/{r}"), None, 404),
        case(
            Method::PUT,
            format!("/v1/requirements/{r}"),
            Some(draft.clone()),
            404,
        ),
        case(
            Method::POST,
            format!("/v1/requirements/{r}/publish"),
            None,
            404,
        ),
        case(
            Method::POST,
            format!("/v1/requirements/{r}/close"),
            None,
            404,
        ),
        case(
            Method::POST,
            format!("/v1/requirements/{r}/cancel"),
            None,
            404,
        ),
        case(
            Method::POST,
            format!("/v1/requirements/{r}/amendments"),
            Some(json!({"note": "", "content": draft})),
            404,
        ),
        case(
            Method::GET,
            format!("/v1/requirements/{r}/versions"),
            None,
            404,
        ),
        case(
            Method::GET,
            format!("/v1/requirements/{r}/requests"),
            None,
            404,
        ),
        case(Method::GET, format!("/v1/requests/{q1}"), None, 404),
        case(
            Method::POST,
            format!("/v1/requests/{q1}/decline"),
            Some(json!({"reason": "no"})),
            404,
        ),
        case(
            Method::POST,
            format!("/v1/requests/{q1}/forward"),
            Some(json!({"suppliers": [stranger.id]})),
            404,
        ),
        case(
            Method::GET,
            format!("/v1/requests/{q1}/forwarded"),
            None,
            404,
        ),
        case(Method::GET, format!("/v1/requests/{q1}/answer"), None, 404),
        case(
            Method::PUT,
            format!("/v1/requests/{q1}/answer"),
            Some(json!({"entries": []})),
            404,
        ),
        case(
            Method::PUT,
            format!("/v1/requests/{q1}/answer/entries/ghg.scope1"),
            Some(json!({"metric": "ghg.scope1", "value": "1", "unit": "tCO2e"})),
            404,
        ),
        case(
            Method::POST,
            format!("/v1/requests/{q1}/answer/submit"),
            None,
            404,
        ),
        // A bulk call names the request it cannot find, as a field of the body.
        Case {
            method: Method::POST,
            path: "/v1/answers/bulk".to_owned(),
            body: Some(json!({"answers": [{"request_id": q1, "entries": [
                {"metric": "ghg.scope1", "value": "1", "unit": "tCO2e"}]}]})),
            user_status: 422,
            client_status: 422,
        },
        case(
            Method::GET,
            format!("/v1/requests/{q1}/answer/revisions"),
            None,
            404,
        ),
        case(
            Method::GET,
            format!("/v1/requests/{q1}/answer/revisions/1"),
            None,
            404,
        ),
        case(
            Method::POST,
            format!("/v1/requests/{q1}/answer/revisions/1/accept"),
            None,
            404,
        ),
        case(
            Method::POST,
            format!("/v1/requests/{q1}/answer/revisions/1/request-changes"),
            Some(json!({"comment": "x"})),
            404,
        ),
        case(
            Method::GET,
            format!("/v1/requests/{q1}/answer/attachments"),
            None,
            404,
        ),
        case(
            Method::POST,
            format!("/v1/requests/{q1}/answer/attachments"),
            Some(json!({"child_request_id": q1})),
            404,
        ),
        case(
            Method::POST,
            format!("/v1/requests/{q1}/answer/reuse"),
            Some(json!({"source_request_id": q1})),
            404,
        ),
        case(
            Method::GET,
            format!("/v1/requests/{q1}/answer/template.csv"),
            None,
            404,
        ),
        case(
            Method::GET,
            format!("/v1/requests/{q1}/answer/export.csv"),
            None,
            404,
        ),
        case(
            Method::GET,
            format!("/v1/requests/{q1}/evidence"),
            None,
            404,
        ),
        case(Method::GET, format!("/v1/evidence/{evidence}"), None, 404),
        case(
            Method::GET,
            format!("/v1/requirements/{r}/summary"),
            None,
            404,
        ),
        case(Method::DELETE, format!("/v1/invitations/{i}"), None, 403),
        case(
            Method::DELETE,
            format!("/v1/suppliers/{}", tier1.id),
            None,
            403,
        ),
        case(
            Method::DELETE,
            format!("/v1/customers/{}", large.id),
            None,
            403,
        ),
        case(
            Method::PUT,
            format!("/v1/customers/{}/disclosure", large.id),
            Some(json!({"disclose_suppliers": true})),
            403,
        ),
        case(
            Method::GET,
            format!("/v1/organisations/{}", large.id),
            None,
            404,
        ),
    ];
    for probe in &stranger_table {
        for (who, token, expected) in [
            (
                "stranger admin",
                &stranger.admin.access_token,
                probe.user_status,
            ),
            (
                "stranger client",
                &stranger_client.access_token,
                probe.client_status,
            ),
        ] {
            // With If-Match, so updates get as far as looking the resource up.
            let mut request = app
                .client
                .request(probe.method.clone(), app.url(&probe.path))
                .bearer_auth(token)
                .header("if-match", "\"1\"");
            if let Some(body) = &probe.body {
                request = request.json(body);
            }
            let response = request.send().await.expect("sent");
            let code = match expected {
                404 => "not_found",
                422 => "validation_failed",
                _ => "forbidden",
            };
            let problem = expect_problem(response, expected, code).await;
            assert!(
                !problem.to_string().contains("Confidential"),
                "{who} {} {}: {problem}",
                probe.method,
                probe.path
            );
        }
    }

    // Parties to the chain see only their part.
    let parties: Vec<(&str, &str, String)> = vec![
        (
            "the tier-1 cannot read the requirement (its audience)",
            &tier1.admin.access_token,
            format!("/v1/requirements/{r}"),
        ),
        (
            "a fellow supplier cannot read the requirement",
            &fellow.admin.access_token,
            format!("/v1/requirements/{r}"),
        ),
        (
            "a fellow supplier cannot read another supplier's request",
            &fellow.admin.access_token,
            format!("/v1/requests/{q1}"),
        ),
        (
            "a fellow supplier cannot see what was forwarded",
            &fellow.admin.access_token,
            format!("/v1/requests/{q1}/forwarded"),
        ),
        (
            "the tier-2 cannot read the requirement",
            &tier2.admin.access_token,
            format!("/v1/requirements/{r}"),
        ),
        (
            "the tier-2 cannot read the tier-1's request",
            &tier2.admin.access_token,
            format!("/v1/requests/{q1}"),
        ),
        (
            "the tier-2 cannot read the large firm",
            &tier2.admin.access_token,
            format!("/v1/organisations/{}", large.id),
        ),
        (
            "a fellow supplier cannot read another's answer",
            &fellow.admin.access_token,
            format!("/v1/requests/{q1}/answer/revisions/1"),
        ),
        (
            "a fellow supplier cannot download another's evidence",
            &fellow.admin.access_token,
            format!("/v1/evidence/{evidence}"),
        ),
        (
            "the tier-2 cannot read the tier-1's answer",
            &tier2.admin.access_token,
            format!("/v1/requests/{q1}/answer/revisions/1"),
        ),
        (
            "the tier-2 cannot download the tier-1's evidence",
            &tier2.admin.access_token,
            format!("/v1/evidence/{evidence}"),
        ),
        (
            "a supplier cannot read the requirement's summary",
            &tier1.admin.access_token,
            format!("/v1/requirements/{r}/summary"),
        ),
    ];
    for (what, token, path) in parties {
        let response = app.get_as(token, &path).await;
        assert_eq!(response.status(), 404, "{what}");
    }
    let fellow_requests = app
        .call(
            Method::GET,
            &fellow.admin.access_token,
            "/v1/requests",
            None,
            200,
        )
        .await;
    assert_eq!(
        fellow_requests["items"].as_array().map(Vec::len),
        Some(1),
        "only its own request"
    );
    assert!(
        !fellow_requests.to_string().contains("Hanbit"),
        "no trace of the other supplier"
    );
    let tier2_requests = app
        .call(
            Method::GET,
            &tier2.admin.access_token,
            "/v1/requests",
            None,
            200,
        )
        .await;
    assert!(
        !tier2_requests.to_string().contains("Hyundai")
            && !tier2_requests.to_string().contains("scope2")
    );

    // Nothing changed for the owner.
    let still = app
        .call(
            Method::GET,
            &large.admin.access_token,
            &format!("/v1/requirements/{r}"),
            None,
            200,
        )
        .await;
    assert_eq!(still["status"], "published");
    let invitations = app
        .call(
            Method::GET,
            &large.admin.access_token,
            "/v1/invitations",
            None,
            200,
        )
        .await;
    assert_eq!(
        invitations["items"]
            .as_array()
            .and_then(|items| items.last())
            .map(|i| i["status"].clone()),
        Some(json!("pending"))
    );
}
