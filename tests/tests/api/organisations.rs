//! `/v1/signup` and `/v1/organisations`.

use serde_json::{Value, json};
use tierlink_tests::{PASSWORD, TestApp, expect_problem, problem_fields};

fn hanbit(email: &str) -> Value {
    json!({
        "organisation": {
            "name": "Hanbit Precision",
            "country": "kr",
            "identifiers": [
                {"scheme": "kr_brn", "value": "124-81-00998"},
                {"scheme": "lei", "value": "hwupkr0mpou8fgxbt394"},
                {"scheme": "custom", "issuer": "acme-vendor-code", "value": "V-0042"}
            ]
        },
        "admin": {"email": email, "display_name": "Kim Minji", "password": PASSWORD}
    })
}

#[tokio::test]
async fn sign_up_creates_an_organisation_that_its_admin_can_read() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json("/v1/signup", &hanbit("minji@hanbit.example"))
        .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let created: Value = response.json().await.expect("json");
    let organisation = &created["organisation"];
    assert_eq!(organisation["name"], "Hanbit Precision");
    assert_eq!(organisation["country"], "KR");
    assert_eq!(
        organisation["identifiers"],
        json!([
            {"scheme": "kr_brn", "value": "1248100998"},
            {"scheme": "lei", "value": "HWUPKR0MPOU8FGXBT394"},
            {"scheme": "custom", "issuer": "acme-vendor-code", "value": "V-0042"}
        ])
    );
    assert!(
        organisation["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "UTC with a zone"
    );
    assert_eq!(created["admin"]["role"], "admin");
    assert!(
        created["admin"].get("password_hash").is_none() && !created.to_string().contains("argon2")
    );
    assert_eq!(
        location,
        format!(
            "/v1/organisations/{}",
            organisation["id"].as_str().expect("id")
        )
    );

    let admin = app.login("minji@hanbit.example", PASSWORD).await;
    let fetched = app.get_as(&admin.access_token, &location).await;
    assert_eq!(fetched.status(), 200);
    let fetched: Value = fetched.json().await.expect("json");
    assert_eq!(&fetched, organisation);

    let list: Value = app
        .get_as(&admin.access_token, "/v1/organisations")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"], json!([organisation]));
}

#[tokio::test]
async fn organisations_need_a_token() {
    let app = TestApp::spawn().await;
    expect_problem(app.get("/v1/organisations").await, 401, "unauthorized").await;
}

#[tokio::test]
async fn invalid_fields_are_all_listed() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json(
            "/v1/signup",
            &json!({
                "organisation": {
                    "name": "  ",
                    "country": "XX",
                    "identifiers": [
                        {"scheme": "kr_brn", "value": "124-81-00997"},
                        {"scheme": "lei", "value": "HWUPKR0MPOU8FGXBT395"},
                        {"scheme": "custom", "value": "V-1"}
                    ]
                },
                "admin": {"email": "not-an-email", "display_name": "", "password": "short"}
            }),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(
        problem_fields(&problem),
        [
            "organisation.name",
            "organisation.country",
            "organisation.identifiers[0].value",
            "organisation.identifiers[1].value",
            "organisation.identifiers[2].issuer",
            "admin.email",
            "admin.display_name",
            "admin.password"
        ]
    );
}

#[tokio::test]
async fn an_overlong_password_is_422_not_a_slow_hash() {
    let app = TestApp::spawn().await;
    let mut body = hanbit("minji@hanbit.example");
    body["admin"]["password"] = json!("x".repeat(129));
    let problem = expect_problem(
        app.post_json("/v1/signup", &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["admin.password"]);
}

#[tokio::test]
async fn unknown_schemes_and_fields_are_refused() {
    let app = TestApp::spawn().await;
    let mut body = hanbit("minji@hanbit.example");
    body["organisation"]["identifiers"] = json!([{"scheme": "duns", "value": "1"}]);
    let problem = expect_problem(
        app.post_json("/v1/signup", &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        problem_fields(&problem),
        ["organisation.identifiers[0].scheme"]
    );

    let mut body = hanbit("minji@hanbit.example");
    body["organisation"]["colour"] = json!("red");
    let problem = expect_problem(
        app.post_json("/v1/signup", &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("colour")),
        "{problem}"
    );
}

#[tokio::test]
async fn a_duplicate_identifier_is_409_and_stores_nothing() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.post_json("/v1/signup", &hanbit("minji@hanbit.example"))
            .await
            .status(),
        201
    );
    let duplicate = json!({
        "organisation": {
            "name": "Someone Else",
            "country": "KR",
            "identifiers": [{"scheme": "kr_brn", "value": "220-81-62517"}, {"scheme": "kr_brn", "value": "1248100998"}]
        },
        "admin": {"email": "other@else.example", "display_name": "Other", "password": PASSWORD}
    });
    let problem = expect_problem(
        app.post_json("/v1/signup", &duplicate).await,
        409,
        "duplicate",
    )
    .await;
    assert_eq!(
        problem_fields(&problem),
        ["organisation.identifiers[1].value"]
    );

    // The failed request left nothing behind: its e-mail address and its
    // other identifier are still free.
    let retry = json!({
        "organisation": {"name": "Naver", "country": "KR", "identifiers": [{"scheme": "kr_brn", "value": "2208162517"}]},
        "admin": {"email": "other@else.example", "display_name": "Other", "password": PASSWORD}
    });
    assert_eq!(app.post_json("/v1/signup", &retry).await.status(), 201);
}

#[tokio::test]
async fn e_mail_addresses_are_unique_ignoring_case() {
    let app = TestApp::spawn().await;
    app.signup("Hanbit").await;
    let body = json!({
        "organisation": {"name": "Copycat", "country": "KR"},
        "admin": {"email": "ADMIN@Hanbit.Example", "display_name": "Copycat", "password": PASSWORD}
    });
    let problem = expect_problem(app.post_json("/v1/signup", &body).await, 409, "duplicate").await;
    assert_eq!(problem_fields(&problem), ["admin.email"]);
}

#[tokio::test]
async fn sign_up_can_be_switched_off() {
    let app = TestApp::spawn_with(|settings| settings.auth.open_signup = false).await;
    let problem = expect_problem(
        app.post_json("/v1/signup", &hanbit("minji@hanbit.example"))
            .await,
        403,
        "signup_closed",
    )
    .await;
    assert!(problem["detail"].is_string());
}

#[tokio::test]
async fn a_missing_organisation_is_404() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let problem = expect_problem(
        app.get_as(
            &org.admin.access_token,
            "/v1/organisations/019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e5f",
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(problem["detail"], "no such organisation");
}
