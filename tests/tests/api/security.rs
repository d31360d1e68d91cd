//! Security review findings (issue 17, items 11–17): floods, lock-outs,
//! enumeration, hostile values, files and headers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tierlink_api::auth::password::Argon2Settings;
use tierlink_tests::{PASSWORD, TestApp, expect_problem, problem_fields};

fn sign_up_body(name: &str, email: &str) -> Value {
    json!({
        "organisation": {"name": name, "country": "KR"},
        "admin": {"email": email, "display_name": name, "password": PASSWORD}
    })
}

async fn post_json(client: &reqwest::Client, url: String, body: &Value) -> reqwest::Response {
    client
        .post(url)
        .json(body)
        .send()
        .await
        .expect("the request is sent")
}

async fn login_from(app: &TestApp, client: &reqwest::Client, password: &str) -> reqwest::Response {
    post_json(
        client,
        app.url("/v1/auth/login"),
        &json!({"email": "admin@hanbit.example", "password": password}),
    )
    .await
}

// Item 11: a sign-up flood must not starve sign-ins.

/// Sign-ups (anyone may send them) hold at most their share of the
/// hashing queue: while a flood of them keeps it busy, every sign-in of a
/// real user still gets its place. Before, the flood filled the whole queue
/// and sign-ins were answered 503.
#[tokio::test]
async fn a_sign_up_flood_does_not_starve_sign_ins() {
    let app = TestApp::spawn().await;
    app.signup("Hanbit").await;
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let flood: Vec<_> = (0..48)
        .map(|n| {
            let (client, url) = (app.client.clone(), app.url("/v1/signup"));
            let (stop, sent) = (Arc::clone(&stop), Arc::clone(&sent));
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let body = sign_up_body(
                        &format!("Flood {n} {i}"),
                        &format!("f{n}-{i}@flood.example"),
                    );
                    let status = post_json(&client, url.clone(), &body).await.status();
                    sent.fetch_add(1, Ordering::Relaxed);
                    if status == 503 {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            })
        })
        .collect();
    while sent.load(Ordering::Relaxed) < 48 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut statuses = Vec::new();
    for _ in 0..16 {
        statuses.push(
            login_from(&app, &app.client, PASSWORD)
                .await
                .status()
                .as_u16(),
        );
    }
    stop.store(true, Ordering::Relaxed);
    for task in flood {
        task.await.expect("a flood task ends");
    }
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
}

/// A sign-up with an address that is taken is answered before any hash:
/// with every hashing thread busy with slow hashes, the 409 comes back
/// while they are still running. Before, it hashed first and waited.
#[tokio::test]
async fn a_taken_address_is_refused_before_hashing() {
    let app = TestApp::spawn_with(|settings| {
        // About a second per hash, so the threads stay busy.
        settings.auth.argon2 = Argon2Settings {
            iterations: 60,
            ..Argon2Settings::default()
        };
    })
    .await;
    app.signup("Hanbit").await;
    let threads = std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1));
    let slow: Vec<_> = (0..threads)
        .map(|n| {
            let (client, url) = (app.client.clone(), app.url("/v1/signup"));
            tokio::spawn(async move {
                let body = sign_up_body(&format!("Slow {n}"), &format!("slow{n}@slow.example"));
                post_json(&client, url, &body).await.status().as_u16()
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let taken = post_json(
        &app.client,
        app.url("/v1/signup"),
        &sign_up_body("Copycat", "ADMIN@hanbit.example"),
    )
    .await;
    let still_hashing = slow.iter().filter(|task| !task.is_finished()).count();
    let problem = expect_problem(taken, 409, "duplicate").await;
    assert_eq!(problem_fields(&problem), ["admin.email"]);
    assert_eq!(
        still_hashing, threads,
        "the duplicate was answered while every hashing thread was busy"
    );
    for task in slow {
        assert_eq!(task.await.expect("a sign-up ends"), 201);
    }
}

// Item 15: lock-out and enumeration.

/// Wrong passwords sent from one address throttle that address for the
/// account, not the account's owner signing in from elsewhere. Before,
/// the allowance was the account's: the owner got 429.
#[tokio::test]
async fn wrong_passwords_from_one_address_do_not_lock_the_owner_out() {
    let app = TestApp::spawn_one_with(|settings| {
        settings.auth.throttle.per_account_per_minute = 3;
    })
    .await;
    app.signup("Hanbit").await;
    let guesser = app.client_from([127, 0, 0, 2]);
    for _ in 0..3 {
        let wrong = login_from(&app, &guesser, "wrong password!").await;
        expect_problem(wrong, 401, "invalid_credentials").await;
    }
    let throttled = login_from(&app, &guesser, PASSWORD).await;
    assert!(throttled.headers().contains_key("retry-after"));
    expect_problem(throttled, 429, "too_many_requests").await;

    let owner = login_from(&app, &app.client, PASSWORD).await;
    assert_eq!(
        owner.status(),
        200,
        "the owner signs in from its own address"
    );
}

/// Guesses spread over many addresses are still counted per account: past
/// the allowance the account refuses addresses it has not signed in from,
/// and keeps serving the owner's.
#[tokio::test]
async fn an_account_under_a_spread_attack_refuses_only_unknown_addresses() {
    let app = TestApp::spawn_one_with(|settings| {
        settings.auth.throttle.failures_per_account_per_hour = 3;
    })
    .await;
    // Signing up logs the owner in from 127.0.0.1: a known address.
    app.signup("Hanbit").await;
    for last in 2..=5 {
        let wrong = login_from(&app, &app.client_from([127, 0, 0, last]), "wrong password!").await;
        expect_problem(wrong, 401, "invalid_credentials").await;
    }
    let stranger = login_from(&app, &app.client_from([127, 0, 0, 6]), PASSWORD).await;
    assert!(stranger.headers().contains_key("retry-after"));
    expect_problem(stranger, 429, "too_many_requests").await;
    assert_eq!(login_from(&app, &app.client, PASSWORD).await.status(), 200);
}

/// Each sign-up answer tells whether an address or a business number is
/// registered: sign-ups are limited per address, counted before anything
/// is looked up, so they cannot list who is registered.
#[tokio::test]
async fn sign_ups_are_limited_per_address() {
    let app = TestApp::spawn_one_with(|settings| {
        settings.auth.throttle.signups_per_address_per_hour = 2;
    })
    .await;
    let url = app.url("/v1/signup");
    let first = post_json(
        &app.client,
        url.clone(),
        &sign_up_body("Hanbit", "minji@hanbit.example"),
    )
    .await;
    assert_eq!(first.status(), 201);
    let taken = post_json(
        &app.client,
        url.clone(),
        &sign_up_body("Copycat", "minji@hanbit.example"),
    )
    .await;
    expect_problem(taken, 409, "duplicate").await;
    for email in ["minji@hanbit.example", "new@daehan.example"] {
        let probe = post_json(&app.client, url.clone(), &sign_up_body("Probe", email)).await;
        assert!(probe.headers().contains_key("retry-after"));
        expect_problem(probe, 429, "too_many_requests").await;
    }
    let elsewhere = post_json(
        &app.client_from([127, 0, 0, 2]),
        url,
        &sign_up_body("Daehan", "new@daehan.example"),
    )
    .await;
    assert_eq!(
        elsewhere.status(),
        201,
        "another address has its own allowance"
    );
}

/// `POST /v1/users` tells whether an address has an account anywhere:
/// attempts are limited per organisation, counted before looking.
#[tokio::test]
async fn new_users_are_limited_per_organisation() {
    let app = TestApp::spawn_one_with(|settings| {
        settings.auth.throttle.new_users_per_organisation_per_hour = 2;
    })
    .await;
    let hanbit = app.signup("Hanbit").await;
    let daehan = app.signup("Daehan").await;
    let add = |org: &tierlink_tests::TestOrg, email: &str| {
        let body =
            json!({"email": email, "display_name": "X", "role": "viewer", "password": PASSWORD});
        let token = org.token().to_owned();
        let url = app.url("/v1/users");
        let client = app.client.clone();
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .expect("sent")
        }
    };
    assert_eq!(add(&hanbit, "kim@hanbit.example").await.status(), 201);
    expect_problem(add(&hanbit, "admin@daehan.example").await, 409, "duplicate").await;
    for email in ["admin@daehan.example", "lee@hanbit.example"] {
        expect_problem(add(&hanbit, email).await, 429, "too_many_requests").await;
    }
    assert_eq!(add(&daehan, "park@daehan.example").await.status(), 201);
}

// Item 17: the password rule.

/// New passwords are checked as NIST SP 800-63B asks: not the account's
/// e-mail address or the names in it, not a common or easily guessed one.
/// Before, any 12 characters passed.
#[tokio::test]
async fn new_passwords_are_not_the_e_mail_address_or_a_common_one() {
    let app = TestApp::spawn().await;
    let cases = [
        ("minji@hanbit.example", "contains_email"),
        ("Minji2026 is great", "contains_email"),
        ("hanbit hanbit hanbit", "contains_email"),
        ("Password2026!", "too_common"),
        ("123456789012", "too_common"),
        ("qwertyuiop12", "too_common"),
    ];
    for (password, code) in cases {
        let mut body = sign_up_body("Hanbit", "minji@hanbit.example");
        body["admin"]["password"] = json!(password);
        let problem = expect_problem(
            app.post_json("/v1/signup", &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(
            problem["errors"][0]["field"], "admin.password",
            "{password}"
        );
        assert_eq!(problem["errors"][0]["code"], code, "{password}");
    }

    let org = app.signup("Hanbit").await;
    let user = json!({"email": "kim.jisoo@hanbit.example", "display_name": "Kim", "role": "viewer", "password": "kim.jisoo 2026!!"});
    let problem = expect_problem(
        app.send_as(reqwest::Method::POST, org.token(), "/v1/users", Some(&user))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["code"], "contains_email");
    let change = json!({"current_password": PASSWORD, "new_password": "Welcome!2026"});
    let problem = expect_problem(
        app.send_as(
            reqwest::Method::PUT,
            org.token(),
            "/v1/me/password",
            Some(&change),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "new_password");
    assert_eq!(problem["errors"][0]["code"], "too_common");
}

// Item 12: hostile quantities.

/// Hyundai Steel asked Hanbit for FY2026; Hanbit's request.
async fn one_request() -> (tierlink_tests::Scenario, String) {
    let s = TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .publish("Hyundai Steel", tierlink_tests::Requirement::new("FY2026"))
        .build()
        .await;
    let request = s.request("Hanbit").to_owned();
    (s, request)
}

/// A value past the bound of its canonical unit, or with more digits than
/// are kept, is a 422 when it arrives. Before, `793000000000000000000000000`
/// tCO2e was accepted (and then broke the requirement's summary), and 29
/// decimal places were silently rounded.
#[tokio::test]
async fn a_quantity_past_its_bound_or_precision_is_422_at_input() {
    let (app, request) = one_request().await;
    let supplier = app.org("Hanbit");
    let entry = format!("/v1/requests/{request}/answer/entries/ghg.scope1");
    let cases = [
        ("793000000000000000000000000", "tCO2e", "out_of_range"),
        ("1000000000000001", "tCO2e", "out_of_range"),
        ("1000000000000000000001", "gCO2e", "out_of_range"),
        (
            "0.12345678901234567890123456789",
            "tCO2e",
            "too_many_digits",
        ),
    ];
    for (value, unit, code) in cases {
        let body = json!({"metric": "ghg.scope1", "value": value, "unit": unit});
        let response = app
            .send_as(reqwest::Method::PUT, supplier.token(), &entry, Some(&body))
            .await;
        let problem = expect_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "value", "{value}");
        assert_eq!(problem["errors"][0]["code"], code, "{value}");
    }
    let whole = json!({"entries": [{"metric": "ghg.scope1", "value": "793000000000000000000000000", "unit": "tCO2e"}]});
    let response = app
        .send_as(
            reqwest::Method::PUT,
            supplier.token(),
            &format!("/v1/requests/{request}/answer"),
            Some(&whole),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), ["entries[0].value"]);
    // The bound itself is a value like any other.
    let largest = json!({"metric": "ghg.scope1", "value": "1000000000000000", "unit": "tCO2e"});
    let saved = app
        .send_as(
            reqwest::Method::PUT,
            supplier.token(),
            &entry,
            Some(&largest),
        )
        .await;
    assert_eq!(saved.status(), 200);
}

/// A value stored before the bound (or written around the API) cannot
/// break the summary: every sum is checked. Before, the primary-data share
/// of an accepted `793000000000000000000000000` overflowed and the
/// connection was dropped.
#[tokio::test]
async fn a_huge_stored_value_does_not_break_the_summary() {
    let (app, request) = one_request().await;
    let [large, supplier] = app.orgs(["Hyundai Steel", "Hanbit"]);
    app.answer(
        supplier,
        &request,
        &json!({"entries": [{"metric": "ghg.scope1", "value": "1", "unit": "tCO2e"}], "submit": true}),
    )
    .await;
    app.accept_revision(large, &request, 1).await;
    app.execute_sql(
        "UPDATE answer_revision_entries SET canonical_value = '793000000000000000000000000'",
    );
    let summary = app
        .call(
            reqwest::Method::GET,
            large.token(),
            &format!("/v1/requirements/{}/summary", app.requirement().id),
            None,
            200,
        )
        .await;
    let accepted = &summary["metrics"][0]["accepted"];
    assert_eq!(
        accepted["total"], "793000000000000000000000000",
        "{summary}"
    );
    assert_eq!(accepted["primary_share"], "100.00", "{summary}");
}

// Item 13: CSV formula injection.

/// Text a spreadsheet would run as a formula is written with a leading
/// `'`, both ways: a requester's custom metric label in the supplier's
/// template, a supplier's comment, method and text value in the
/// requester's export; importing the file takes the quote off again.
/// Before, `=…`, `+…`, `-…` and `@…` cells were written as they came.
#[tokio::test]
async fn csv_cells_that_look_like_formulas_are_neutralised_both_ways() {
    let app = TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .build()
        .await;
    let [large, supplier] = app.orgs(["Hyundai Steel", "Hanbit"]);
    app.call(
        reqwest::Method::POST,
        large.token(),
        "/v1/metrics",
        Some(&json!({"code": "custom.site", "label_en": "=1+2", "label_ko": "@SUM(A1)", "kind": "text"})),
        201,
    )
    .await;
    let published = app
        .publish(
            "Hyundai Steel",
            &tierlink_tests::Requirement::new("FY2026").items(json!([
                {"metric": "ghg.scope1"}, {"metric": "custom.site"}
            ])),
        )
        .await;
    let request = published.request("Hanbit").to_owned();
    let csv = |token: String, path: String| {
        let (client, url) = (app.client.clone(), app.url(&path));
        async move {
            let response = client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("sent");
            assert_eq!(response.status(), 200);
            response.text().await.expect("text")
        }
    };
    let template = csv(
        supplier.token().to_owned(),
        format!("/v1/requests/{request}/answer/template.csv"),
    )
    .await;
    assert!(
        template.contains("\ncustom.site,'=1+2,'@SUM(A1),"),
        "{template}"
    );

    let hostile = json!({"entries": [
        {"metric": "ghg.scope1", "value": "1", "unit": "tCO2e", "method": "@cmd", "comment": "=2+5"},
        {"metric": "custom.site", "value": "-2+3+cmd|' /C calc'!A0", "comment": "\tplain"}
    ], "submit": true});
    app.answer(supplier, &request, &hostile).await;
    let export_path = format!("/v1/requests/{request}/answer/export.csv");
    let export = csv(large.token().to_owned(), export_path.clone()).await;
    let rows: Vec<&str> = export.lines().collect();
    assert!(
        rows[1].starts_with("custom.site,'-2+3+cmd|' /C calc'!A0,"),
        "{export}"
    );
    assert!(
        rows[2].starts_with("ghg.scope1,1,tCO2e,1,tCO2e,measured,'@cmd,"),
        "{export}"
    );
    assert!(rows[2].ends_with(",'=2+5"), "{export}");

    // The supplier's own export imports back as what was written.
    let mine = csv(supplier.token().to_owned(), export_path).await;
    let imported = app
        .client
        .post(app.url(&format!("/v1/requests/{request}/answer/import")))
        .bearer_auth(supplier.token())
        .header("content-type", "text/csv")
        .body(mine)
        .send()
        .await
        .expect("sent");
    assert_eq!(imported.status(), 200);
    let answer: Value = imported.json().await.expect("an answer");
    let draft = answer["draft"].to_string();
    assert!(draft.contains(r#""comment":"=2+5""#), "{draft}");
    assert!(draft.contains(r#""method":"@cmd""#), "{draft}");
    assert!(
        draft.contains(r#""value":"-2+3+cmd|' /C calc'!A0""#),
        "{draft}"
    );
}

// Item 14: evidence file names.

/// A download is always an attachment named after the type its content was
/// recognised as, with `nosniff` and a sandboxing policy: an `.hta` or
/// `.exe` name, or a right-to-left override hiding the real extension,
/// never reaches the requester's disk. Before, the uploaded name was
/// served as it came (`statement.hta`).
#[tokio::test]
async fn evidence_downloads_get_a_safe_name_from_their_content() {
    let (app, request) = one_request().await;
    let [large, supplier] = app.orgs(["Hyundai Steel", "Hanbit"]);
    let csv = b"site,scope1\nUlsan,12.5\n".to_vec();
    let upload = |name: &str| {
        let part = reqwest::multipart::Part::bytes(csv.clone())
            .file_name(name.to_owned())
            .mime_str("text/csv")
            .expect("a type");
        // Raw UTF-8 in the part's header, as browsers send it.
        let form = reqwest::multipart::Form::new()
            .percent_encode_noop()
            .part("file", part);
        app.client
            .post(app.url(&format!("/v1/requests/{request}/evidence")))
            .bearer_auth(supplier.token())
            .multipart(form)
            .send()
    };
    let named = |ascii: &str, utf8: &str| {
        format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{utf8}")
    };
    for (uploaded, listed, disposition) in [
        (
            "statement.hta",
            "statement.hta",
            named("statement.csv", "statement.csv"),
        ),
        (
            "invoice\u{202E}vsc.exe",
            "invoicevsc.exe",
            named("invoicevsc.csv", "invoicevsc.csv"),
        ),
        (
            "배출량.hta",
            "배출량.hta",
            named("___.csv", "%EB%B0%B0%EC%B6%9C%EB%9F%89.csv"),
        ),
    ] {
        let response = upload(uploaded).await.expect("sent");
        assert_eq!(response.status(), 201, "{uploaded}");
        let body: Value = response.json().await.expect("an evidence body");
        assert_eq!(body["file_name"], listed);
        let id = body["id"].as_str().expect("an id");
        let download = app
            .get_as(large.token(), &format!("/v1/evidence/{id}"))
            .await;
        assert_eq!(download.status(), 200, "{uploaded}");
        let headers = download.headers();
        assert_eq!(headers["content-disposition"], disposition.as_str());
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(
            headers["content-security-policy"],
            "default-src 'none'; sandbox; frame-ancestors 'none'"
        );
        assert_eq!(headers["content-type"], "text/csv");
    }
}

// Item 16: NUL characters never reach the database.

/// PostgreSQL's text cannot hold NUL: a NUL anywhere a client's text
/// could reach SQL is a 4xx at the edge. Before, a cursor holding one gave
/// a 500 on PostgreSQL.
#[tokio::test]
async fn nul_characters_are_refused_before_the_database() {
    use base64::Engine as _;
    let (app, request) = one_request().await;
    let supplier = app.org("Hanbit");
    let nul_cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("v1:\0");
    for path in [
        "/v1/users",
        "/v1/requests",
        "/v1/requirements",
        "/v1/organisations",
        "/v1/invitations",
        "/v1/api-clients",
    ] {
        let response = app
            .get_as(supplier.token(), &format!("{path}?cursor={nul_cursor}"))
            .await;
        let problem = expect_problem(response, 400, "invalid_parameter").await;
        assert_eq!(problem_fields(&problem), ["cursor"], "{path}");
    }
    let response = app
        .get_as(supplier.token(), "/v1/requests?status=open%00")
        .await;
    expect_problem(response, 400, "invalid_parameter").await;
    let response = app.get_as(supplier.token(), "/v1/metrics?q=scope%00").await;
    expect_problem(response, 400, "invalid_parameter").await;

    for (path, body) in [
        (
            "/v1/auth/login",
            json!({"email": "a\u{0}@hanbit.example", "password": PASSWORD}),
        ),
        ("/v1/signup", sign_up_body("Nul\u{0}Co", "nul@nul.example")),
    ] {
        let response = app.post_json(path, &body).await;
        let problem = expect_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["code"], "invalid_characters", "{path}");
    }
    let comment =
        json!({"metric": "ghg.scope1", "value": "1", "unit": "tCO2e", "comment": "nul\u{0}"});
    let response = app
        .send_as(
            reqwest::Method::PUT,
            supplier.token(),
            &format!("/v1/requests/{request}/answer/entries/ghg.scope1"),
            Some(&comment),
        )
        .await;
    expect_problem(response, 422, "validation_failed").await;
    let token = app
        .client
        .post(app.url("/v1/auth/token"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "tlr_\0")])
        .send()
        .await
        .expect("sent");
    assert_eq!(token.status(), 400);
}

// Item 17: the rest of the review.

/// Review comments, custom metric guidance and amendment notes have
/// bounds like every other free text. Before, 900 kB of each was stored.
#[tokio::test]
async fn review_comments_guidance_and_notes_are_bounded() {
    let (app, request) = one_request().await;
    let [large, supplier] = app.orgs(["Hyundai Steel", "Hanbit"]);
    let huge = "x".repeat(900_000);
    app.answer(
        supplier,
        &request,
        &json!({"entries": [{"metric": "ghg.scope1", "value": "1", "unit": "tCO2e"}], "submit": true}),
    )
    .await;
    let revision = format!("/v1/requests/{request}/answer/revisions/1");
    let cases = [
        (
            format!("{revision}/accept"),
            json!({"comment": huge}),
            "comment",
        ),
        (
            format!("{revision}/request-changes"),
            json!({"items": [{"metric": "ghg.scope1", "comment": huge}]}),
            "items[0].comment",
        ),
        (
            "/v1/metrics".to_owned(),
            json!({"code": "custom.long", "label_en": "Long", "label_ko": "길다", "kind": "text", "guidance": huge}),
            "guidance",
        ),
    ];
    for (path, body, field) in cases {
        let response = app
            .send_as(reqwest::Method::POST, large.token(), &path, Some(&body))
            .await;
        let problem = expect_problem(response, 422, "validation_failed").await;
        assert_eq!(problem_fields(&problem), [field], "{path}");
        assert_eq!(problem["errors"][0]["code"], "too_long", "{path}");
    }
    let requirement = format!("/v1/requirements/{}", app.requirement().id);
    let etag = app.etag(large.token(), &requirement).await;
    let content = app.body(&tierlink_tests::Requirement::new("FY2026"));
    let response = app
        .send_if_match(
            reqwest::Method::POST,
            large.token(),
            &format!("{requirement}/amendments"),
            &etag,
            &json!({"note": huge, "content": content}),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), ["note"]);
    // The bound leaves room for real comments.
    let accepted = app
        .send_as(
            reqwest::Method::POST,
            large.token(),
            &format!("{revision}/accept"),
            Some(&json!({"comment": "x".repeat(4_000)})),
        )
        .await;
    assert_eq!(accepted.status(), 200);
}

/// A JSON body is one value: bytes after it are a 400, not ignored.
#[tokio::test]
async fn bytes_after_a_json_body_are_refused() {
    let app = TestApp::spawn().await;
    app.signup("Hanbit").await;
    let login = r#"{"email": "admin@hanbit.example", "password": "correct horse battery staple"}"#;
    for trailing in ["{}", " x", r#"{"role": "admin"}"#] {
        let response = app
            .client
            .post(app.url("/v1/auth/login"))
            .header("content-type", "application/json")
            .body(format!("{login}{trailing}"))
            .send()
            .await
            .expect("sent");
        expect_problem(response, 400, "malformed_json").await;
    }
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("content-type", "application/json")
        .body(format!("{login}\n"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200, "white space after it is fine");
}

/// Every response says not to sniff or frame it; the API's (tenant data,
/// errors included) are never stored by caches. Before, none of these
/// headers were sent (bar a few `Cache-Control`s).
#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let responses = [
        (app.get_as(org.token(), "/v1/me").await, true),
        (app.get_as(org.token(), "/v1/organisations").await, true),
        (app.get_as(org.token(), "/v1/supply-chain").await, true),
        (app.get("/v1/me").await, true),
        (app.get("/v1/nowhere").await, true),
        (app.get("/healthz").await, false),
        (app.get("/swagger-ui/").await, false),
    ];
    for (response, tenant) in responses {
        let url = response.url().path().to_owned();
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{url}");
        assert_eq!(headers["x-frame-options"], "DENY", "{url}");
        assert_eq!(
            headers["content-security-policy"], "frame-ancestors 'none'",
            "{url}"
        );
        assert_eq!(headers["referrer-policy"], "no-referrer", "{url}");
        if tenant {
            assert_eq!(headers["cache-control"], "no-store", "{url}");
        }
    }
}

/// A 415 names the type the endpoint takes: `text/csv` for the import,
/// `multipart/form-data` for evidence. Before, every 415 asked for
/// `application/json` (even to a CSV import sent as JSON).
#[tokio::test]
async fn a_415_names_the_type_the_endpoint_takes() {
    let (app, request) = one_request().await;
    let supplier = app.org("Hanbit");
    for (path, expected) in [
        (
            format!("/v1/requests/{request}/answer/import"),
            "`text/csv`",
        ),
        (
            format!("/v1/requests/{request}/evidence"),
            "`multipart/form-data`",
        ),
        (
            format!("/v1/requests/{request}/decline"),
            "`application/json`",
        ),
    ] {
        let response = app
            .client
            .post(app.url(&path))
            .bearer_auth(supplier.token())
            .header("content-type", "application/xml")
            .body("<answer/>")
            .send()
            .await
            .expect("sent");
        let problem = expect_problem(response, 415, "unsupported_media_type").await;
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(
            detail.starts_with(&format!("expected {expected}")),
            "{path}: {detail}"
        );
        assert!(
            detail.ends_with("got `application/xml`"),
            "{path}: {detail}"
        );
    }
}

/// `DELETE /v1/invitations/accept` is a known path with the wrong method:
/// 405 with `Allow: POST`. Before, `accept` was read as an invitation id
/// (400).
#[tokio::test]
async fn the_wrong_method_on_the_accept_path_is_405() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    for method in [reqwest::Method::DELETE, reqwest::Method::GET] {
        let response = app
            .send_as(method.clone(), org.token(), "/v1/invitations/accept", None)
            .await;
        assert_eq!(response.headers()["allow"], "POST", "{method}");
        expect_problem(response, 405, "method_not_allowed").await;
    }
    let bad_id = app
        .send_as(
            reqwest::Method::DELETE,
            org.token(),
            "/v1/invitations/accepted",
            None,
        )
        .await;
    expect_problem(bad_id, 400, "invalid_parameter").await;
}

/// Sends `bytes` on a fresh connection and reads until the server closes
/// it: what a client that speaks HTTP by hand gets back.
async fn raw_exchange(app: &TestApp, bytes: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A server itself, not the proxy in front of replicas (which answers
    // heads it refuses on its own).
    let address = app.servers[0].trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connected");
    stream.write_all(bytes).await.expect("sent");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

/// A head actix-http's parser refuses (a control byte in a header value, a
/// header name that is not a token, an oversized head) is answered as a
/// problem with a request id and the security headers, after the answers
/// to earlier requests on the same connection. Before, the dispatcher sent
/// a bare 400 with neither.
#[tokio::test]
async fn a_head_the_parser_refuses_gets_a_problem_with_a_request_id() {
    let app = TestApp::spawn().await;
    let cases: [(&[u8], &str, &str); 3] = [
        (
            b"GET /v1/me HTTP/1.1\r\nhost: a\r\nx-note: a\x01b\r\n\r\n",
            "400 Bad Request",
            "malformed_request",
        ),
        (
            b"GET /v1/me HTTP/1.1\r\nhost: a\r\nbad header: 1\r\n\r\n",
            "400 Bad Request",
            "malformed_request",
        ),
        (
            &[
                b"GET /v1/me HTTP/1.1\r\nhost: a\r\nx-big: ".as_slice(),
                &[b'a'; 140 * 1024],
                b"\r\n\r\n",
            ]
            .concat(),
            "431 Request Header Fields Too Large",
            "headers_too_large",
        ),
    ];
    for (bytes, status, code) in cases {
        let answer = raw_exchange(&app, bytes).await;
        let (head, body) = answer.split_once("\r\n\r\n").expect("a response head");
        let head = head.to_ascii_lowercase();
        assert!(
            head.starts_with(&format!("http/1.1 {}", status.to_ascii_lowercase())),
            "{head}"
        );
        assert!(
            head.contains("content-type: application/problem+json"),
            "{head}"
        );
        assert!(head.contains("x-request-id: "), "{head}");
        assert!(head.contains("x-content-type-options: nosniff"), "{head}");
        let problem: Value = serde_json::from_str(body).expect("a problem body");
        assert_eq!(problem["code"], code, "{problem}");
        assert_eq!(
            problem["status"],
            status[..3].parse::<u16>().expect("a status")
        );
    }

    // A well-formed request first on the same connection keeps its answer.
    let answer = raw_exchange(
        &app,
        b"GET /healthz HTTP/1.1\r\nhost: a\r\n\r\nGET /healthz HTTP/1.1\r\nhost: a\r\nx-note: \x7f\r\n\r\n",
    )
    .await;
    let first = answer.find("HTTP/1.1 200 OK").expect("the first answer");
    let second = answer
        .find("HTTP/1.1 400 Bad Request")
        .expect("the second answer");
    assert!(first < second, "{answer}");
    assert!(answer.contains("\"malformed_request\""), "{answer}");
}
