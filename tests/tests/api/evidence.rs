//! Evidence files: recognised by content, hashed, stored, downloadable only
//! by the parties, nothing left behind by a failed upload.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{PDF, Requirement, Scenario, TestApp, expect_problem, problem_fields};

/// Hyundai Steel asks Hanbit (not its other supplier, Seoul Bolts) for a
/// policy document; uploads are limited to 4 KiB.
async fn setup() -> (Scenario, String) {
    let s = TestApp::builder()
        .settings(|settings| settings.max_upload_bytes = 4096)
        .supplier("Hyundai Steel", "Hanbit")
        .supplier("Hyundai Steel", "Seoul Bolts")
        .publish(
            "Hyundai Steel",
            Requirement::new("Due diligence")
                .items(json!([{"metric": "dd.policy_document"}]))
                .to(&["Hanbit"]),
        )
        .build()
        .await;
    let request = s.request("Hanbit").to_owned();
    (s, request)
}

fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| {
                        if e.path().is_dir() {
                            count(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    count(app.files.path())
}

#[tokio::test]
async fn a_pdf_is_stored_hashed_and_downloadable_by_the_parties_only() {
    let (app, request) = setup().await;
    let (large, supplier, fellow) = (
        app.org("Hyundai Steel"),
        app.org("Hanbit"),
        app.org("Seoul Bolts"),
    );
    let response = app
        .upload(
            supplier.token(),
            &request,
            "policy.pdf",
            "application/pdf",
            PDF.to_vec(),
        )
        .await;
    assert_eq!(response.status(), 201);
    let file: Value = response.json().await.expect("json");
    assert_eq!(file["media_type"], "application/pdf");
    assert_eq!(file["size_bytes"], PDF.len());
    let expected_sha = {
        use std::fmt::Write as _;
        let digest = <sha2::Sha256 as sha2::Digest>::digest(PDF);
        digest.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    };
    assert_eq!(file["sha256"], expected_sha);
    let id = file["id"].as_str().expect("id");

    for token in [&supplier.admin.access_token, &large.admin.access_token] {
        let download = app.get_as(token, &format!("/v1/evidence/{id}")).await;
        assert_eq!(download.status(), 200);
        assert_eq!(download.headers()["content-type"], "application/pdf");
        assert_eq!(download.bytes().await.expect("bytes").as_ref(), PDF);
    }
    let stranger = app.signup("Stranger").await;
    for token in [&fellow.admin.access_token, &stranger.admin.access_token] {
        expect_problem(
            app.get_as(token, &format!("/v1/evidence/{id}")).await,
            404,
            "not_found",
        )
        .await;
        expect_problem(
            app.get_as(token, &format!("/v1/requests/{request}/evidence"))
                .await,
            404,
            "not_found",
        )
        .await;
        let response = app
            .upload(token, &request, "x.pdf", "application/pdf", PDF.to_vec())
            .await;
        expect_problem(response, 404, "not_found").await;
    }

    // The entry answering the document item references the file.
    let answer = format!("/v1/requests/{request}/answer");
    let unknown = json!({"entries": [{"metric": "dd.policy_document", "evidence": ["019abf4e-0000-7000-8000-000000000000"]}]});
    let problem = expect_problem(
        app.send_as(
            Method::PUT,
            &supplier.admin.access_token,
            &answer,
            Some(&unknown),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["evidence[0]"]);
    let good =
        json!({"entries": [{"metric": "dd.policy_document", "evidence": [id]}], "submit": true});
    let saved = app
        .call(
            Method::PUT,
            &supplier.admin.access_token,
            &answer,
            Some(&good),
            200,
        )
        .await;
    assert_eq!(saved["status"], "submitted");
}

#[tokio::test]
async fn files_are_judged_by_content_not_by_name() {
    let (app, request) = setup().await;
    let token = app.org("Hanbit").token();
    let fake = app
        .upload(
            token,
            &request,
            "report.pdf",
            "application/pdf",
            b"This is not a PDF".to_vec(),
        )
        .await;
    expect_problem(fake, 415, "unsupported_media_type").await;
    let csv_named_pdf = app
        .upload(
            token,
            &request,
            "report.pdf",
            "application/pdf",
            b"metric,value\nghg.scope1,1\n".to_vec(),
        )
        .await;
    let problem = expect_problem(csv_named_pdf, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "content_mismatch");
    let exe = app
        .upload(
            token,
            &request,
            "tool.png",
            "image/png",
            b"MZ\x90\x00\x03\x00\x00\x00".to_vec(),
        )
        .await;
    expect_problem(exe, 415, "unsupported_media_type").await;
    let csv = app
        .upload(
            token,
            &request,
            "data.csv",
            "text/csv",
            b"metric,value\nghg.scope1,1\n".to_vec(),
        )
        .await;
    assert_eq!(csv.status(), 201);
    assert_eq!(stored_files(&app), 1, "only the accepted file was kept");
}

#[tokio::test]
async fn an_upload_that_fails_midway_leaves_nothing_behind() {
    let (app, request) = setup().await;
    let token = app.org("Hanbit").token();
    let mut big = PDF.to_vec();
    big.extend(std::iter::repeat_n(b' ', 8192));
    let response = app
        .upload(token, &request, "big.pdf", "application/pdf", big)
        .await;
    expect_problem(response, 413, "payload_too_large").await;
    let listed = app
        .call(
            Method::GET,
            token,
            &format!("/v1/requests/{request}/evidence"),
            None,
            200,
        )
        .await;
    assert_eq!(listed, json!([]), "no metadata row");
    assert_eq!(stored_files(&app), 0, "no orphan file");
    let not_multipart = app
        .send_as(
            Method::POST,
            token,
            &format!("/v1/requests/{request}/evidence"),
            Some(&json!({"file": "x"})),
        )
        .await;
    assert_eq!(not_multipart.status().as_u16() / 100, 4);
    assert_eq!(stored_files(&app), 0);
}
