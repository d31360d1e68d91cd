//! `/v1/users` and `/v1/me`.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{PASSWORD, TestApp, expect_problem, problem_fields};

#[tokio::test]
async fn admins_add_list_update_and_disable_users() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let admin = &org.admin.access_token;
    let editor = app
        .add_user(&org.admin, "Jiho.Park@hanbit.example", "editor")
        .await;

    let fetched: Value = app
        .get_as(admin, &format!("/v1/users/{}", editor.id))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(fetched["email"], "Jiho.Park@hanbit.example");
    assert_eq!(fetched["role"], "editor");
    assert_eq!(fetched["disabled"], false);

    let updated = app
        .send_as(
            Method::PATCH,
            admin,
            &format!("/v1/users/{}", editor.id),
            Some(&json!({"role": "viewer", "display_name": "Park Jiho"})),
        )
        .await;
    assert_eq!(updated.status(), 200);
    let updated: Value = updated.json().await.expect("json");
    assert_eq!(
        (updated["role"].as_str(), updated["display_name"].as_str()),
        (Some("viewer"), Some("Park Jiho"))
    );

    let disabled = app
        .send_as(
            Method::PATCH,
            admin,
            &format!("/v1/users/{}", editor.id),
            Some(&json!({"disabled": true})),
        )
        .await;
    let disabled: Value = disabled.json().await.expect("json");
    assert_eq!(disabled["disabled"], true);
    assert!(disabled["disabled_at"].is_string());

    // The login for a disabled account fails like a wrong password.
    let login = app
        .post_json(
            "/v1/auth/login",
            &json!({"email": editor.email, "password": PASSWORD}),
        )
        .await;
    expect_problem(login, 401, "invalid_credentials").await;
}

#[tokio::test]
async fn users_are_listed_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let mut expected = vec![org.admin.id.clone()];
    for n in 0..4 {
        let user = app
            .add_user(&org.admin, &format!("user{n}@hanbit.example"), "viewer")
            .await;
        expected.push(user.id);
    }
    let mut seen = Vec::new();
    let mut next = Some(app.url("/v1/users?limit=2"));
    let mut pages = 0;
    while let Some(url) = next.take() {
        let response = app
            .client
            .get(&url)
            .bearer_auth(&org.admin.access_token)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 200);
        let link = response
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let page: Value = response.json().await.expect("json");
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|u| u["id"].as_str().expect("id").to_owned()),
        );
        assert_eq!(
            page["next_cursor"].is_string(),
            link.is_some(),
            "body and header agree"
        );
        if let Some(link) = link {
            assert!(
                link.ends_with("; rel=\"next\"") && link.contains("limit=2"),
                "{link}"
            );
            next = Some(
                link.trim_start_matches('<')
                    .split('>')
                    .next()
                    .expect("a URL")
                    .to_owned(),
            );
        }
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected, "every user once, oldest first");
}

#[tokio::test]
async fn bad_user_input_is_422_or_409_naming_the_field() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let admin = &org.admin.access_token;
    let response = app
        .send_as(
            Method::POST,
            admin,
            "/v1/users",
            Some(&json!({"email": "x", "display_name": "", "role": "viewer", "password": "short"})),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(
        problem_fields(&problem),
        ["email", "display_name", "password"]
    );

    let response = app
        .send_as(Method::POST, admin, "/v1/users", Some(&json!({"email": "a@b.kr", "display_name": "A", "role": "owner", "password": PASSWORD})))
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), ["role"]);

    let response = app
        .send_as(
            Method::POST,
            admin,
            "/v1/users",
            Some(&json!({"email": "ADMIN@hanbit.example", "display_name": "A", "role": "viewer", "password": PASSWORD})),
        )
        .await;
    let problem = expect_problem(response, 409, "duplicate").await;
    assert_eq!(problem_fields(&problem), ["email"]);
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_or_disabled() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let path = format!("/v1/users/{}", org.admin.id);
    for change in [json!({"disabled": true}), json!({"role": "editor"})] {
        let response = app
            .send_as(Method::PATCH, &org.admin.access_token, &path, Some(&change))
            .await;
        expect_problem(response, 409, "last_admin").await;
    }
    // With a second admin, the first may step down.
    app.add_user(&org.admin, "second@hanbit.example", "admin")
        .await;
    let response = app
        .send_as(
            Method::PATCH,
            &org.admin.access_token,
            &path,
            Some(&json!({"role": "editor"})),
        )
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn me_describes_users_and_clients() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let me: Value = app
        .get_as(&org.admin.access_token, "/v1/me")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["kind"], "user");
    assert_eq!(me["role"], "admin");
    assert_eq!(me["organisation_id"], org.id.as_str());

    let client = app
        .add_client(&org.admin, &["responses:write", "requirements:read"])
        .await;
    let me: Value = app
        .get_as(&client.access_token, "/v1/me")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["kind"], "client");
    assert_eq!(
        me["scopes"],
        json!(["requirements:read", "responses:write"])
    );
}

#[tokio::test]
async fn a_user_changes_their_password_and_is_signed_out_elsewhere() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let admin = &org.admin;
    let new_password = "a much longer new password";

    let wrong = app
        .send_as(
            Method::PUT,
            &admin.access_token,
            "/v1/me/password",
            Some(&json!({"current_password": "not it at all", "new_password": new_password})),
        )
        .await;
    let problem = expect_problem(wrong, 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), ["current_password"]);

    let changed = app
        .send_as(
            Method::PUT,
            &admin.access_token,
            "/v1/me/password",
            Some(&json!({"current_password": PASSWORD, "new_password": new_password})),
        )
        .await;
    assert_eq!(changed.status(), 204);

    expect_problem(
        app.post_json(
            "/v1/auth/login",
            &json!({"email": admin.email, "password": PASSWORD}),
        )
        .await,
        401,
        "invalid_credentials",
    )
    .await;
    app.login(&admin.email, new_password).await;
    let refresh = app
        .client
        .post(app.url("/v1/auth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", admin.refresh_token.as_str()),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(
        refresh.status(),
        400,
        "the old session's refresh token is revoked"
    );
}
