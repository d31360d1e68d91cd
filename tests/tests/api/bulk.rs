//! `POST /v1/answers/bulk`: many answers in one call, all or nothing.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{
    Requirement, Scenario, ScenarioBuilder, TestApp, expect_problem, problem_fields,
};

/// Hanbit supplies Hyundai Steel and received two of its requirements.
struct Setup {
    s: Scenario,
    /// Hanbit's requests, by requirement title: "Steel", "Energy".
    steel: String,
    energy: String,
}

async fn setup() -> Setup {
    setup_with(TestApp::builder()).await
}

async fn setup_with(builder: ScenarioBuilder) -> Setup {
    let s = builder
        .supplier("Hyundai Steel", "Hanbit")
        .publish(
            "Hyundai Steel",
            Requirement::new("Steel").items(
                json!([{"metric": "ghg.scope1"}, {"metric": "energy.total", "required": false}]),
            ),
        )
        .publish(
            "Hyundai Steel",
            Requirement::new("Energy").items(json!([{"metric": "energy.total"}])),
        )
        .build()
        .await;
    Setup {
        steel: s.published("Steel").request("Hanbit").to_owned(),
        energy: s.published("Energy").request("Hanbit").to_owned(),
        s,
    }
}

impl std::ops::Deref for Setup {
    type Target = Scenario;

    fn deref(&self) -> &Scenario {
        &self.s
    }
}

impl Setup {
    async fn bulk(&self, body: &Value, status: u16) -> reqwest::Response {
        let response = self
            .send_as(
                Method::POST,
                self.org("Hanbit").token(),
                "/v1/answers/bulk",
                Some(body),
            )
            .await;
        assert_eq!(response.status().as_u16(), status, "POST /v1/answers/bulk");
        response
    }

    /// Revision 1 of a request's answer, as the large firm reads it.
    async fn first_revision_as_requester(&self, request: &str) -> Value {
        self.call(
            Method::GET,
            self.org("Hyundai Steel").token(),
            &format!("/v1/requests/{request}/answer/revisions/1"),
            None,
            200,
        )
        .await
    }

    async fn answer(&self, request: &str) -> Value {
        self.call(
            Method::GET,
            self.org("Hanbit").token(),
            &format!("/v1/requests/{request}/answer"),
            None,
            200,
        )
        .await
    }
}

#[tokio::test]
async fn answers_to_several_requests_are_saved_and_submitted_in_one_call() {
    let s = setup().await;
    let body = json!({"answers": [
        {"request_id": s.steel, "submit": true, "share_upstream": true, "entries": [
            {"metric": "ghg.scope1", "value": "1234.5", "unit": "tCO2e", "obtained": "calculated"},
            {"metric": "energy.total", "value": "7.2", "unit": "GJ"}
        ]},
        {"request_id": s.energy, "entries": [
            {"metric": "energy.total", "value": "812", "unit": "MWh"}
        ]}
    ]});
    let result: Value = s.bulk(&body, 200).await.json().await.expect("json");
    assert_eq!(result["entries"], 3);
    assert_eq!(
        result["answers"],
        json!([
            {"request_id": s.steel, "status": "submitted", "entries": 2, "revision": 1},
            {"request_id": s.energy, "status": "in_progress", "entries": 1}
        ])
    );

    let steel = s.answer(&s.steel).await;
    assert_eq!(steel["status"], "submitted");
    assert_eq!(steel["revisions"][0]["revision"], 1);
    assert_eq!(steel["revisions"][0]["share_upstream"], true);
    let energy = s.answer(&s.energy).await;
    assert_eq!(energy["status"], "in_progress");
    assert_eq!(energy["draft"][0]["canonical_value"], "812");
    assert_eq!(energy["revisions"], json!([]));

    // The requester sees the submitted revision with its exact values.
    let revision = s.first_revision_as_requester(&s.steel).await;
    let entries = revision["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .any(|e| e["metric"] == "energy.total" && e["canonical_value"] == "2"),
        "{revision}"
    );

    // A second call replaces the drafts and makes the next revision.
    let again = json!({"answers": [{"request_id": s.steel, "submit": true, "entries": [
        {"metric": "ghg.scope1", "value": "1300", "unit": "tCO2e"}
    ]}]});
    let result: Value = s.bulk(&again, 200).await.json().await.expect("json");
    assert_eq!(result["answers"][0]["revision"], 2);
    let steel = s.answer(&s.steel).await;
    assert_eq!(steel["draft"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn one_bad_answer_saves_nothing_and_every_problem_is_named() {
    let s = setup().await;
    let body = json!({"answers": [
        {"request_id": s.steel, "submit": true, "entries": [
            {"metric": "ghg.scope1", "value": "10", "unit": "tCO2e"}
        ]},
        {"request_id": s.energy, "entries": [
            {"metric": "energy.total", "value": 812, "unit": "MWh"},
            {"metric": "water.withdrawal", "value": "1"}
        ]}
    ]});
    let problem = expect_problem(s.bulk(&body, 422).await, 422, "validation_failed").await;
    let fields = problem_fields(&problem);
    assert!(
        fields.contains(&"answers[1].entries[0].value".to_owned()),
        "{problem}"
    );
    assert!(
        fields.contains(&"answers[1].entries[1].metric".to_owned()),
        "{problem}"
    );
    assert_eq!(fields.len(), 2, "{problem}");
    for request in [&s.steel, &s.energy] {
        let answer = s.answer(request).await;
        assert_eq!(answer["status"], "open", "nothing saved: {answer}");
        assert_eq!(answer["draft"], json!([]));
    }

    // A missing required item fails the submission, and the whole call.
    let body = json!({"answers": [
        {"request_id": s.energy, "submit": true, "entries": [
            {"metric": "energy.total", "value": "812", "unit": "MWh"}
        ]},
        {"request_id": s.steel, "submit": true, "entries": [
            {"metric": "energy.total", "value": "812", "unit": "MWh"}
        ]}
    ]});
    let problem = expect_problem(s.bulk(&body, 422).await, 422, "validation_failed").await;
    assert_eq!(
        problem_fields(&problem),
        vec!["answers[1].entries.ghg.scope1".to_owned()],
        "{problem}"
    );
    let energy = s.answer(&s.energy).await;
    assert_eq!(energy["status"], "open", "the first answer was rolled back");
    assert_eq!(energy["revisions"], json!([]));
}

#[tokio::test]
async fn a_request_that_cannot_be_answered_fails_the_call_with_409() {
    let s = setup().await;
    s.app
        .call(
            Method::POST,
            s.org("Hanbit").token(),
            &format!("/v1/requests/{}/decline", s.energy),
            Some(&json!({"reason": "We do not use energy"})),
            200,
        )
        .await;
    let body = json!({"answers": [
        {"request_id": s.steel, "entries": [{"metric": "ghg.scope1", "value": "10", "unit": "tCO2e"}]},
        {"request_id": s.energy, "entries": [{"metric": "energy.total", "value": "1", "unit": "MWh"}]}
    ]});
    let problem = expect_problem(s.bulk(&body, 409).await, 409, "request_not_answerable").await;
    assert!(problem.to_string().contains("answers[1]"), "{problem}");
    assert_eq!(s.answer(&s.steel).await["draft"], json!([]));
}

#[tokio::test]
async fn the_shape_of_the_call_is_checked_before_anything_is_read() {
    let s = setup().await;
    let cases = [
        (json!({"answers": []}), "answers", "empty"),
        (
            json!({"answers": [{"request_id": "nope", "entries": []}]}),
            "answers[0].request_id",
            "invalid_id",
        ),
        (
            json!({"answers": [
                {"request_id": s.steel, "entries": []},
                {"request_id": s.steel.to_uppercase(), "entries": []}
            ]}),
            "answers[1].request_id",
            "duplicate",
        ),
        (
            json!({"answers": [{"request_id": "0190a1b2-0000-7000-8000-000000000001", "entries": []}]}),
            "answers[0].request_id",
            "not_found",
        ),
        (
            json!({"answers": [{"request_id": s.steel, "entries": [], "extra": 1}]}),
            "answers[0]",
            "invalid_type",
        ),
    ];
    for (body, field, code) in cases {
        let problem = expect_problem(s.bulk(&body, 422).await, 422, "validation_failed").await;
        let errors = problem["errors"].as_array().expect("errors");
        assert!(
            errors.iter().any(
                |e| e["field"].as_str().is_some_and(|f| f.starts_with(field)) && e["code"] == code
            ),
            "{body}: {problem}"
        );
    }

    let entry = json!({"metric": "energy.total", "value": "1", "unit": "MWh"});
    let many: Vec<Value> = (0..1_001)
        .map(|n| json!({"request_id": format!("0190a1b2-0000-7000-8000-{n:012x}"), "entries": [entry]}))
        .collect();
    let problem = expect_problem(
        s.bulk(&json!({ "answers": many }), 422).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["code"], "too_many", "{problem}");
    let entries: Vec<Value> = (0..20_001).map(|_| entry.clone()).collect();
    let problem = expect_problem(
        s.bulk(
            &json!({"answers": [{"request_id": s.energy, "entries": entries}]}),
            422,
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "answers", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "too_many", "{problem}");
}

#[tokio::test]
async fn bulk_bodies_have_their_own_limit_and_readers_may_not_write() {
    let s = setup_with(TestApp::builder().settings(|settings| settings.max_bulk_body_bytes = 2048))
        .await;
    let entries: Vec<Value> = (0..100)
        .map(|_| json!({"metric": "energy.total", "value": "1", "unit": "MWh"}))
        .collect();
    let body = json!({"answers": [{"request_id": s.energy, "entries": entries}]});
    expect_problem(s.bulk(&body, 413).await, 413, "payload_too_large").await;

    let viewer = s
        .app
        .add_user(&s.org("Hanbit").admin, "viewer@hanbit.example", "viewer")
        .await;
    let small = json!({"answers": [{"request_id": s.energy, "entries": [
        {"metric": "energy.total", "value": "1", "unit": "MWh"}]}]});
    let response = s
        .app
        .send_as(
            Method::POST,
            &viewer.access_token,
            "/v1/answers/bulk",
            Some(&small),
        )
        .await;
    expect_problem(response, 403, "forbidden").await;
    let reader = s
        .app
        .add_client(&s.org("Hanbit").admin, &["responses:read"])
        .await;
    let response = s
        .app
        .send_as(
            Method::POST,
            &reader.access_token,
            "/v1/answers/bulk",
            Some(&small),
        )
        .await;
    expect_problem(response, 403, "forbidden").await;
    assert_eq!(s.answer(&s.energy).await["draft"], json!([]));
}

#[tokio::test]
async fn saving_without_submitting_leaves_a_submitted_request_as_it_was() {
    let s = setup().await;
    let submit = json!({"answers": [{"request_id": s.energy, "submit": true, "entries": [
        {"metric": "energy.total", "value": "812", "unit": "MWh"}]}]});
    s.bulk(&submit, 200).await;
    let etag = |response: &reqwest::Response| {
        response
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let path = format!("/v1/requests/{}", s.energy);
    let token = s.org("Hanbit").token();
    let before = etag(&s.app.get_as(token, &path).await);
    assert!(before.is_some());

    // A draft change alone does not change the request (its ETag holds).
    let save = json!({"answers": [{"request_id": s.energy, "entries": [
        {"metric": "energy.total", "value": "900", "unit": "MWh"}]}]});
    let result: Value = s.bulk(&save, 200).await.json().await.expect("json");
    assert_eq!(result["answers"][0]["status"], "submitted");
    assert_eq!(etag(&s.app.get_as(token, &path).await), before);
    let answer = s.answer(&s.energy).await;
    assert_eq!(answer["draft"][0]["value"], "900");
    assert_eq!(answer["revisions"].as_array().map(Vec::len), Some(1));

    // Submitting again does: a new revision, a new ETag.
    let result: Value = s.bulk(&submit, 200).await.json().await.expect("json");
    assert_eq!(result["answers"][0]["revision"], 2);
    assert_ne!(etag(&s.app.get_as(token, &path).await), before);
}

#[tokio::test]
async fn a_bulk_submission_becomes_the_draft_the_next_edit_starts_from() {
    let s = setup().await;
    let token = s.org("Hanbit").token();
    let answer = format!("/v1/requests/{}/answer", s.steel);
    let values = |answer: &Value| -> Vec<(String, String)> {
        answer["draft"]
            .as_array()
            .expect("draft")
            .iter()
            .map(|e| {
                let text = |key: &str| e[key].as_str().expect(key).to_owned();
                (text("metric"), text("value"))
            })
            .collect()
    };
    // Saved as a draft, then submitted in one call with the energy answer
    // only saved: the submission replaces the saved draft whole.
    let save = json!({"answers": [{"request_id": s.steel, "entries": [
        {"metric": "ghg.scope1", "value": "1", "unit": "tCO2e"},
        {"metric": "energy.total", "value": "2", "unit": "MWh"}]}]});
    s.bulk(&save, 200).await;
    let mixed = json!({"answers": [
        {"request_id": s.steel, "submit": true, "entries": [
            {"metric": "ghg.scope1", "value": "10", "unit": "tCO2e", "comment": "metered"}]},
        {"request_id": s.energy, "entries": [{"metric": "energy.total", "value": "20", "unit": "MWh"}]}
    ]});
    let result: Value = s.bulk(&mixed, 200).await.json().await.expect("json");
    assert_eq!(result["answers"][0]["revision"], 1);
    let steel = s.answer(&s.steel).await;
    assert_eq!(values(&steel), [("ghg.scope1".to_owned(), "10".to_owned())]);
    assert_eq!(steel["draft"][0]["comment"], "metered");
    let energy = s.answer(&s.energy).await;
    assert_eq!(
        values(&energy),
        [("energy.total".to_owned(), "20".to_owned())]
    );

    // One entry added: the draft is the submitted entry plus the new one.
    let edited = s
        .app
        .call(
            Method::PUT,
            token,
            &format!("{answer}/entries/energy.total"),
            Some(&json!({"metric": "energy.total", "value": "3", "unit": "MWh"})),
            200,
        )
        .await;
    assert_eq!(
        values(&edited),
        [
            ("energy.total".to_owned(), "3".to_owned()),
            ("ghg.scope1".to_owned(), "10".to_owned())
        ]
    );
    // Submitted, then submitted again without a change between: the retry
    // is answered with the revision the first made, and makes none.
    let first = s
        .app
        .call(Method::POST, token, &format!("{answer}/submit"), None, 201)
        .await;
    let again = s
        .app
        .call(Method::POST, token, &format!("{answer}/submit"), None, 200)
        .await;
    assert_eq!(first["revision"], 2);
    assert_eq!(again, first);
    let second = s
        .app
        .call(
            Method::GET,
            token,
            &format!("{answer}/revisions/2"),
            None,
            200,
        )
        .await;
    assert_eq!(second["entries"].as_array().map(Vec::len), Some(2));
    s.app
        .call(
            Method::GET,
            token,
            &format!("{answer}/revisions/3"),
            None,
            404,
        )
        .await;
    assert_eq!(values(&s.answer(&s.steel).await), values(&edited));
}

#[tokio::test]
async fn the_requester_cannot_answer_the_requests_it_sent() {
    let s = setup().await;
    let body = json!({"answers": [{"request_id": s.steel, "entries": [
        {"metric": "ghg.scope1", "value": "1", "unit": "tCO2e"}]}]});
    let response = s
        .app
        .send_as(
            Method::POST,
            s.org("Hyundai Steel").token(),
            "/v1/answers/bulk",
            Some(&body),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "answers[0].request_id");
    assert_eq!(problem["errors"][0]["code"], "not_found");
    let answer = s.answer(&s.steel).await;
    assert_eq!(answer["status"], "open");
    assert_eq!(answer["draft"], json!([]));
}

#[tokio::test]
async fn evidence_references_are_checked_and_carried_into_the_revision() {
    let s = setup().await;
    let evidence = &s.upload_pdf(s.org("Hanbit"), &s.steel).await;

    // Evidence of another request cannot be cited: 422 naming the reference.
    let misplaced = json!({"answers": [{"request_id": s.energy, "entries": [
        {"metric": "energy.total", "value": "1", "unit": "MWh", "evidence": [evidence]}]}]});
    let problem = expect_problem(s.bulk(&misplaced, 422).await, 422, "validation_failed").await;
    assert_eq!(
        problem_fields(&problem),
        vec!["answers[0].entries[0].evidence[0]".to_owned()],
        "{problem}"
    );

    let body = json!({"answers": [{"request_id": s.steel, "submit": true, "entries": [
        {"metric": "ghg.scope1", "value": "10", "unit": "tCO2e", "method": "GHG Protocol",
         "obtained": "calculated", "comment": "Two sites", "evidence": [evidence]}]}]});
    s.bulk(&body, 200).await;
    let revision = s.first_revision_as_requester(&s.steel).await;
    let entry = &revision["entries"][0];
    assert_eq!(entry["evidence"], json!([evidence]), "{revision}");
    assert_eq!(entry["method"], "GHG Protocol");
    assert_eq!(entry["obtained"], "calculated");
    assert_eq!(entry["comment"], "Two sites");
    assert_eq!(entry["unit"], "tCO2e");
    assert_eq!(entry["value"], "10");
}

/// More entries than one multi-row statement holds (500): the full chunks
/// go through statements the connection keeps, so a second call with other
/// values must store those values, not the first call's.
#[tokio::test]
async fn a_call_of_more_than_five_hundred_entries_is_stored_whole_and_exactly() {
    // One connection, so the second call runs on the statement the first kept.
    let app = TestApp::builder()
        .settings(|settings| settings.database_pool_size = 1)
        .supplier("Hyundai Steel", "Hanbit")
        .build()
        .await;
    let large = app.org("Hyundai Steel");
    let token = app.org("Hanbit").token();
    let catalogue = app
        .call(Method::GET, token, "/v1/metrics?limit=200", None, 200)
        .await;
    let quantities: Vec<(String, String)> = catalogue["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["kind"] == "quantity")
        .map(|m| {
            let text = |key: &str| m[key].as_str().expect(key).to_owned();
            (text("code"), text("canonical_unit"))
        })
        .take(15)
        .collect();
    assert_eq!(quantities.len(), 15, "enough quantity metrics");
    let items: Vec<Value> = quantities
        .iter()
        .map(|(code, _)| json!({"metric": code}))
        .collect();
    for n in 0..35 {
        app.publish_requirement(
            large,
            &json!({
                "title": format!("Quantities {n}"), "period": {"start": "2026-01-01", "end": "2026-12-31"},
                "due_date": "2099-01-31", "items": items,
                "audience": {"all_active_suppliers": true}
            }),
        )
        .await;
    }
    let requests: Vec<String> = app
        .call(Method::GET, token, "/v1/requests?limit=50", None, 200)
        .await["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(requests.len(), 35);
    // 35 × 15 = 525 entries; each value names its request and metric.
    let value = |call: usize, r: usize, m: usize| format!("{call}{r:02}{m:02}.5");
    // Calls 1 and 2 submit (the entries go into revisions 1 and 2, which
    // are then the drafts); calls 3 and 4 only save (as draft rows).
    let submits = |call: usize| call <= 2;
    let body = |call: usize| {
        let answers: Vec<Value> = requests
            .iter()
            .enumerate()
            .map(|(r, id)| {
                let entries: Vec<Value> = quantities
                    .iter()
                    .enumerate()
                    .map(|(m, (code, unit))| json!({"metric": code, "value": value(call, r, m), "unit": unit}))
                    .collect();
                json!({"request_id": id, "submit": submits(call), "entries": entries})
            })
            .collect();
        json!({ "answers": answers })
    };
    for call in 1..=4 {
        let result = app
            .call(
                Method::POST,
                token,
                "/v1/answers/bulk",
                Some(&body(call)),
                200,
            )
            .await;
        assert_eq!(result["entries"], 525, "{result}");
        for (r, id) in requests.iter().enumerate() {
            let answer = app
                .call(
                    Method::GET,
                    token,
                    &format!("/v1/requests/{id}/answer"),
                    None,
                    200,
                )
                .await;
            let submitted = call.min(2);
            let revision = app
                .call(
                    Method::GET,
                    token,
                    &format!("/v1/requests/{id}/answer/revisions/{submitted}"),
                    None,
                    200,
                )
                .await;
            for (stored, call) in [(&answer["draft"], call), (&revision["entries"], submitted)] {
                let stored = stored.as_array().expect("entries");
                assert_eq!(stored.len(), 15, "{answer}");
                for (m, (code, _)) in quantities.iter().enumerate() {
                    let entry = stored
                        .iter()
                        .find(|e| e["metric"] == code.as_str())
                        .expect("every metric stored");
                    assert_eq!(entry["canonical_value"], value(call, r, m), "{entry}");
                }
            }
        }
    }
}
