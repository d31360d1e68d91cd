//! Answers: exact values with units, drafts, revisions and review.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{Requirement, Scenario, TestApp, expect_problem, problem_fields};

/// Hyundai Steel asks its two suppliers, Hanbit and Seoul Bolts, for the
/// requirement below; the tests answer as Hanbit.
async fn setup() -> Scenario {
    TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .supplier("Hyundai Steel", "Seoul Bolts")
        .publish("Hyundai Steel", requirement())
        .build()
        .await
}

/// The requirement every test here answers: two required items, two optional.
fn requirement() -> Requirement {
    Requirement::new("FY2026").items(json!([
        {"metric": "ghg.scope1"},
        {"metric": "ghg.scope2.market", "estimates_accepted": true},
        {"metric": "energy.total", "required": false},
        {"metric": "cbam.production_route", "required": false}
    ]))
}

/// Submits the draft at `answer` (`/v1/requests/{id}/answer`) and reads
/// back revision `number`, as the supplier sees it.
async fn submit_and_read(app: &TestApp, token: &str, answer: &str, number: u32) -> Value {
    app.call(Method::POST, token, &format!("{answer}/submit"), None, 201)
        .await;
    app.call(
        Method::GET,
        token,
        &format!("{answer}/revisions/{number}"),
        None,
        200,
    )
    .await
}

fn entry<'a>(answer: &'a Value, metric: &str) -> &'a Value {
    answer["draft"]
        .as_array()
        .expect("draft")
        .iter()
        .find(|e| e["metric"] == metric)
        .expect("the entry")
}

#[tokio::test]
async fn values_read_back_exactly_and_convert_exactly() {
    let s = setup().await;
    let request = s.request("Hanbit");
    let path = format!("/v1/requests/{request}/answer/entries/ghg.scope1");
    let token = s.org("Hanbit").token();
    let saved = s
        .app
        .call(
            Method::PUT,
            token,
            &path,
            Some(&json!({"metric": "ghg.scope1", "value": "0.000123456789", "unit": "kgCO2e", "method": "GHG Protocol", "obtained": "calculated"})),
            200,
        )
        .await;
    let scope1 = entry(&saved, "ghg.scope1");
    assert_eq!(scope1["value"], "0.000123456789");
    assert_eq!(scope1["unit"], "kgCO2e");
    assert_eq!(scope1["canonical_value"], "0.000000123456789");
    assert_eq!(scope1["canonical_unit"], "tCO2e");
    assert_eq!(
        scope1["period"],
        json!({"start": "2026-01-01", "end": "2026-12-31"}),
        "the requirement's period by default"
    );
    assert_eq!(saved["status"], "in_progress");

    let energy = s
        .app
        .call(
            Method::PUT,
            token,
            &format!("/v1/requests/{request}/answer/entries/energy.total"),
            Some(&json!({"metric": "energy.total", "value": "7.2", "unit": "GJ", "period": {"start": "2026-01-01", "end": "2026-06-30"}})),
            200,
        )
        .await;
    assert_eq!(entry(&energy, "energy.total")["canonical_value"], "2");
    assert_eq!(entry(&energy, "energy.total")["canonical_unit"], "MWh");
    let reread = s
        .app
        .call(
            Method::GET,
            token,
            &format!("/v1/requests/{request}/answer"),
            None,
            200,
        )
        .await;
    assert_eq!(entry(&reread, "ghg.scope1")["value"], "0.000123456789");
}

#[tokio::test]
async fn invalid_entries_are_422_naming_the_item_and_save_nothing() {
    let s = setup().await;
    let token = s.org("Hanbit").token();
    let path = format!("/v1/requests/{}/answer", s.request("Hanbit"));
    let body = json!({"entries": [
        {"metric": "ghg.scope1", "value": "12", "unit": "kWh"},
        {"metric": "ghg.scope2.market", "value": 1.5, "unit": "tCO2e"},
        {"metric": "energy.total", "value": "-1", "unit": "MWh"},
        {"metric": "cbam.production_route", "value": "alchemy"},
        {"metric": "water.withdrawal", "value": "1", "unit": "m3"}
    ]});
    let problem = expect_problem(
        s.app.send_as(Method::PUT, token, &path, Some(&body)).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        problem_fields(&problem),
        [
            "entries[0].unit",
            "entries[1].value",
            "entries[2].value",
            "entries[3].value",
            "entries[4].metric"
        ]
    );
    let answer = s.app.call(Method::GET, token, &path, None, 200).await;
    assert_eq!(answer["draft"], json!([]), "nothing saved");
    assert_eq!(answer["status"], "open");

    let estimated = json!({"entries": [{"metric": "ghg.scope1", "value": "1", "unit": "tCO2e", "obtained": "estimated"}]});
    let problem = expect_problem(
        s.app
            .send_as(Method::PUT, token, &path, Some(&estimated))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["code"], "estimates_not_accepted");
}

#[tokio::test]
async fn submitting_lists_every_missing_required_item() {
    let s = setup().await;
    let token = s.org("Hanbit").token();
    let request = s.request("Hanbit");
    s.app
        .call(
            Method::PUT,
            token,
            &format!("/v1/requests/{request}/answer"),
            Some(&json!({"entries": [{"metric": "energy.total", "value": "10", "unit": "MWh"}]})),
            200,
        )
        .await;
    let response = s
        .app
        .send_as(
            Method::POST,
            token,
            &format!("/v1/requests/{request}/answer/submit"),
            None,
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(
        problem_fields(&problem),
        ["entries.ghg.scope1", "entries.ghg.scope2.market"]
    );
    let revisions = s
        .app
        .call(
            Method::GET,
            token,
            &format!("/v1/requests/{request}/answer/revisions"),
            None,
            200,
        )
        .await;
    assert_eq!(revisions, json!([]));
}

#[tokio::test]
async fn review_and_resubmission_keep_every_revision_intact() {
    let s = setup().await;
    let app = &s.app;
    let supplier = s.org("Hanbit").token();
    let large = s.org("Hyundai Steel").token();
    let request_id = s.request("Hanbit");
    let answer = format!("/v1/requests/{request_id}/answer");

    // An ERP sends everything at once and submits.
    let first = json!({"entries": [
        {"metric": "ghg.scope1", "value": "120.5", "unit": "tCO2e", "obtained": "measured"},
        {"metric": "ghg.scope2.market", "value": "80000", "unit": "kgCO2e", "obtained": "estimated"}
    ], "submit": true});
    let saved = app
        .call(Method::PUT, supplier, &answer, Some(&first), 200)
        .await;
    assert_eq!(saved["status"], "submitted");
    assert_eq!(saved["revisions"][0]["revision"], 1);

    // The requester reads it and sends it back with an item comment.
    let revision1 = app
        .call(
            Method::GET,
            large,
            &format!("{answer}/revisions/1"),
            None,
            200,
        )
        .await;
    assert_eq!(revision1["entries"][1]["canonical_value"], "80");
    // A remark on an item that has no entry (energy.total is optional and
    // unanswered) cannot be stored on an entry: 422, nothing changes.
    let unanswered = app
        .send_as(
            Method::POST,
            large,
            &format!("{answer}/revisions/1/request-changes"),
            Some(&json!({"comment": "More please", "items": [{"metric": "energy.total", "comment": "Add energy"}]})),
        )
        .await;
    let problem = expect_problem(unanswered, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "items[0].metric");
    assert_eq!(problem["errors"][0]["code"], "not_answered");
    let sent_back = app
        .call(
            Method::POST,
            large,
            &format!("{answer}/revisions/1/request-changes"),
            Some(&json!({"comment": "Scope 2 looks low", "items": [{"metric": "ghg.scope2.market", "comment": "Use your supplier-specific factor"}]})),
            200,
        )
        .await;
    assert_eq!(sent_back["status"], "changes_requested");
    let seen = app
        .call(
            Method::GET,
            supplier,
            &format!("{answer}/revisions/1"),
            None,
            200,
        )
        .await;
    assert_eq!(seen["review_comment"], "Scope 2 looks low");
    assert_eq!(
        seen["entries"][1]["review_comment"],
        "Use your supplier-specific factor"
    );
    let request = app
        .call(
            Method::GET,
            supplier,
            &format!("/v1/requests/{request_id}"),
            None,
            200,
        )
        .await;
    assert_eq!(request["status"], "changes_requested");

    // The supplier revises one entry and resubmits.
    app.call(
        Method::PUT,
        supplier,
        &format!("{answer}/entries/ghg.scope2.market"),
        Some(&json!({"metric": "ghg.scope2.market", "value": "95.25", "unit": "tCO2e", "obtained": "calculated"})),
        200,
    )
    .await;
    let revision2 = app
        .call(
            Method::POST,
            supplier,
            &format!("{answer}/submit"),
            None,
            201,
        )
        .await;
    assert_eq!(revision2["revision"], 2);

    // Revision 1 is untouched; revision 2 has the new value.
    let again1 = app
        .call(
            Method::GET,
            large,
            &format!("{answer}/revisions/1"),
            None,
            200,
        )
        .await;
    assert_eq!(
        again1["entries"],
        revision1["entries"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        let mut e = e.clone();
                        if e["metric"] == "ghg.scope2.market" {
                            e["review_comment"] = json!("Use your supplier-specific factor");
                        }
                        e
                    })
                    .collect::<Vec<_>>()
            })
            .map(Value::from)
            .expect("entries")
    );
    let again2 = app
        .call(
            Method::GET,
            large,
            &format!("{answer}/revisions/2"),
            None,
            200,
        )
        .await;
    assert_eq!(again2["entries"][1]["value"], "95.25");
    // Reviewing an older revision is refused; the latest is accepted.
    expect_problem(
        app.send_as(
            Method::POST,
            large,
            &format!("{answer}/revisions/1/accept"),
            None,
        )
        .await,
        409,
        "not_under_review",
    )
    .await;
    let accepted = app
        .call(
            Method::POST,
            large,
            &format!("{answer}/revisions/2/accept"),
            None,
            200,
        )
        .await;
    assert_eq!(accepted["status"], "accepted");
    let history = app
        .call(
            Method::GET,
            supplier,
            &format!("{answer}/revisions"),
            None,
            200,
        )
        .await;
    let statuses: Vec<&str> = history
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["status"].as_str())
        .collect();
    assert_eq!(statuses, ["changes_requested", "accepted"]);
    let requirements = app
        .call(Method::GET, large, "/v1/requirements", None, 200)
        .await;
    let requirement = requirements["items"][0]["id"].as_str().expect("id");
    let progress = app
        .call(
            Method::GET,
            large,
            &format!("/v1/requirements/{requirement}/requests"),
            None,
            200,
        )
        .await;
    let row = progress["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["id"] == request_id)
        .expect("the request");
    assert_eq!(row["status"], "accepted");
}

#[tokio::test]
async fn after_a_submission_the_draft_is_the_revision_until_it_changes() {
    let s = setup().await;
    let app = &s.app;
    let supplier = s.org("Hanbit").token();
    let answer = format!("/v1/requests/{}/answer", s.request("Hanbit"));
    let metrics = |answer: &Value| -> Vec<String> {
        answer["draft"]
            .as_array()
            .expect("draft")
            .iter()
            .map(|e| e["metric"].as_str().expect("metric").to_owned())
            .collect()
    };
    let first = json!({"entries": [
        {"metric": "ghg.scope1", "value": "120.5", "unit": "tCO2e", "obtained": "measured", "comment": "meter"},
        {"metric": "ghg.scope2.market", "value": "80000", "unit": "kgCO2e", "obtained": "estimated"}
    ], "submit": true});
    app.call(Method::PUT, supplier, &answer, Some(&first), 200)
        .await;
    let revision1 = app
        .call(
            Method::GET,
            supplier,
            &format!("{answer}/revisions/1"),
            None,
            200,
        )
        .await;
    let read = app.call(Method::GET, supplier, &answer, None, 200).await;
    assert_eq!(
        read["draft"], revision1["entries"],
        "the draft is revision 1"
    );

    // Sent back with a remark on one entry: the remark stays on the
    // revision, the draft carries none.
    app.call(
        Method::POST,
        s.org("Hyundai Steel").token(),
        &format!("{answer}/revisions/1/request-changes"),
        Some(&json!({"comment": "Check scope 2", "items": [{"metric": "ghg.scope2.market", "comment": "Too low"}]})),
        200,
    )
    .await;
    let read = app.call(Method::GET, supplier, &answer, None, 200).await;
    assert_eq!(
        read["draft"], revision1["entries"],
        "no remark in the draft"
    );

    // Changing one entry keeps the others the revision had.
    let changed = app
        .call(
            Method::PUT,
            supplier,
            &format!("{answer}/entries/energy.total"),
            Some(&json!({"metric": "energy.total", "value": "7.2", "unit": "GJ"})),
            200,
        )
        .await;
    assert_eq!(
        metrics(&changed),
        ["energy.total", "ghg.scope1", "ghg.scope2.market"]
    );
    assert_eq!(entry(&changed, "ghg.scope1")["comment"], "meter");
    assert_eq!(
        entry(&changed, "ghg.scope2.market")["canonical_value"],
        "80"
    );
    let revision2 = submit_and_read(app, supplier, &answer, 2).await;
    assert_eq!(revision2["entries"].as_array().map(Vec::len), Some(3));

    // Replacing the whole draft drops what the revision had; the revision
    // stays as submitted.
    let replaced = app
        .call(
            Method::PUT,
            supplier,
            &answer,
            Some(&json!({"entries": [{"metric": "ghg.scope1", "value": "130", "unit": "tCO2e"}]})),
            200,
        )
        .await;
    assert_eq!(metrics(&replaced), ["ghg.scope1"]);
    assert_eq!(entry(&replaced, "ghg.scope1")["value"], "130");
    let again2 = app
        .call(
            Method::GET,
            supplier,
            &format!("{answer}/revisions/2"),
            None,
            200,
        )
        .await;
    assert_eq!(again2["entries"], revision2["entries"]);
}

#[tokio::test]
async fn an_entry_for_an_item_an_amendment_dropped_leaves_the_draft_at_submission() {
    let s = setup().await;
    let app = &s.app;
    let supplier = s.org("Hanbit").token();
    let large = s.org("Hyundai Steel").token();
    let request = s.request("Hanbit");
    let answer = format!("/v1/requests/{request}/answer");
    app.call(
        Method::PUT,
        supplier,
        &answer,
        Some(&json!({"entries": [
            {"metric": "ghg.scope1", "value": "1", "unit": "tCO2e"},
            {"metric": "ghg.scope2.market", "value": "2", "unit": "tCO2e"},
            {"metric": "energy.total", "value": "3", "unit": "MWh"}
        ]})),
        200,
    )
    .await;
    // The requester drops energy.total.
    let path = format!("/v1/requirements/{}", s.requirement().id);
    let etag = app.etag(large, &path).await;
    let mut content = s.body(&requirement());
    content["items"]
        .as_array_mut()
        .expect("items")
        .retain(|item| item["metric"] != "energy.total");
    let amendment = json!({"note": "Energy next year", "content": content});
    let amended = app
        .send_if_match(
            Method::POST,
            large,
            &format!("{path}/amendments"),
            &etag,
            &amendment,
        )
        .await;
    assert_eq!(amended.status(), 200);
    // Until the submission the draft keeps what the supplier wrote; the
    // revision holds only what is still asked, and so does the draft after.
    let before = app.call(Method::GET, supplier, &answer, None, 200).await;
    assert_eq!(before["draft"].as_array().map(Vec::len), Some(3));
    let revision = submit_and_read(app, supplier, &answer, 1).await;
    let after = app.call(Method::GET, supplier, &answer, None, 200).await;
    assert_eq!(revision["entries"].as_array().map(Vec::len), Some(2));
    assert_eq!(after["draft"], revision["entries"]);
}

#[tokio::test]
async fn only_the_supplier_writes_and_only_the_parties_read() {
    let s = setup().await;
    let app = &s.app;
    let (supplier, request) = (s.org("Hanbit"), s.request("Hanbit"));
    let answer = format!("/v1/requests/{request}/answer");
    app.answer(
        supplier,
        request,
        &json!({"entries": [{"metric": "ghg.scope1", "value": "1", "unit": "tCO2e"}, {"metric": "ghg.scope2.market", "value": "1", "unit": "tCO2e"}], "submit": true}),
    )
    .await;
    let fellow = s.org("Seoul Bolts").token();
    for (method, path, body) in [
        (Method::GET, answer.clone(), None),
        (Method::PUT, answer.clone(), Some(json!({"entries": []}))),
        (
            Method::PUT,
            format!("{answer}/entries/ghg.scope1"),
            Some(json!({"metric": "ghg.scope1", "value": "2", "unit": "tCO2e"})),
        ),
        (Method::POST, format!("{answer}/submit"), None),
        (Method::GET, format!("{answer}/revisions"), None),
        (Method::GET, format!("{answer}/revisions/1"), None),
        (Method::POST, format!("{answer}/revisions/1/accept"), None),
        (
            Method::POST,
            format!("{answer}/revisions/1/request-changes"),
            Some(json!({"comment": "x"})),
        ),
    ] {
        let response = app
            .send_as(method.clone(), fellow, &path, body.as_ref())
            .await;
        expect_problem(response, 404, "not_found").await;
    }
    // The requester reads revisions but cannot write the supplier's answer.
    let large = s.org("Hyundai Steel").token();
    app.call(
        Method::GET,
        large,
        &format!("{answer}/revisions/1"),
        None,
        200,
    )
    .await;
    expect_problem(
        app.send_as(Method::GET, large, &answer, None).await,
        404,
        "not_found",
    )
    .await;
    let write = app
        .send_as(Method::PUT, large, &answer, Some(&json!({"entries": []})))
        .await;
    expect_problem(write, 404, "not_found").await;
    // A viewer of the supplier cannot write.
    let viewer = app
        .add_user(&supplier.admin, "viewer@hanbit.example", "viewer")
        .await;
    expect_problem(
        app.send_as(
            Method::POST,
            &viewer.access_token,
            &format!("{answer}/submit"),
            None,
        )
        .await,
        403,
        "forbidden",
    )
    .await;
}
