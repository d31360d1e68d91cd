//! Login, the OAuth 2.0 token endpoint, logout, the JWKS and throttling.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use tierlink_tests::{PASSWORD, TestApp, expect_problem};

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .post(app.url("/v1/auth/token"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", token)])
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn login_returns_rfc_6749_tokens() {
    let app = TestApp::spawn().await;
    app.signup("Hanbit").await;
    let response = app
        .post_json(
            "/v1/auth/login",
            &json!({"email": "ADMIN@hanbit.example", "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(
        body["refresh_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("tlr_") && t.len() >= 47)
    );
    let jwt = body["access_token"].as_str().expect("a token");
    assert_eq!(jwt.split('.').count(), 3, "a JWT");
}

#[tokio::test]
async fn an_unknown_email_and_a_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.signup("Hanbit").await;
    let unknown = app
        .post_json(
            "/v1/auth/login",
            &json!({"email": "nobody@hanbit.example", "password": PASSWORD}),
        )
        .await;
    let wrong = app
        .post_json(
            "/v1/auth/login",
            &json!({"email": "admin@hanbit.example", "password": "wrong password!"}),
        )
        .await;
    let unknown = expect_problem(unknown, 401, "invalid_credentials").await;
    let wrong = expect_problem(wrong, 401, "invalid_credentials").await;
    assert_eq!(unknown, wrong);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_kills_its_family() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let first = org.admin.refresh_token.clone();

    let rotated = refresh(&app, &first).await;
    assert_eq!(rotated.status(), 200);
    let rotated: Value = rotated.json().await.expect("json");
    let second = rotated["refresh_token"]
        .as_str()
        .expect("a successor")
        .to_owned();
    assert_ne!(second, first);
    assert_eq!(
        app.get_as(rotated["access_token"].as_str().expect("token"), "/v1/me")
            .await
            .status(),
        200
    );

    // Presenting the rotated token again: refused, and the family dies.
    let reused = refresh(&app, &first).await;
    assert_eq!(reused.status(), 400);
    let error: Value = reused.json().await.expect("json");
    assert_eq!(error["error"], "invalid_grant");
    assert_eq!(
        refresh(&app, &second).await.status(),
        400,
        "the successor is revoked too"
    );

    // Another login is a separate family and still works.
    let other = app.login("admin@hanbit.example", PASSWORD).await;
    assert_eq!(refresh(&app, &other.refresh_token).await.status(), 200);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let response = app
        .post_json(
            "/v1/auth/logout",
            &json!({"refresh_token": org.admin.refresh_token}),
        )
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(refresh(&app, &org.admin.refresh_token).await.status(), 400);
    // Unknown tokens are accepted silently (RFC 7009).
    assert_eq!(
        app.post_json("/v1/auth/logout", &json!({"refresh_token": "tlr_unknown"}))
            .await
            .status(),
        204
    );
}

#[tokio::test]
async fn clients_get_tokens_with_basic_or_body_credentials() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let client = app
        .add_client(&org.admin, &["requirements:read", "responses:write"])
        .await;

    let in_body = app
        .client
        .post(app.url("/v1/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client.id.as_str()),
            ("client_secret", client.secret.as_str()),
            ("scope", "requirements:read"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(in_body.status(), 200);
    let body: Value = in_body.json().await.expect("json");
    assert_eq!(body["scope"], "requirements:read");
    assert!(
        body.get("refresh_token").is_none(),
        "clients get no refresh token"
    );
    let me: Value = app
        .get_as(body["access_token"].as_str().expect("token"), "/v1/me")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        me["scopes"],
        json!(["requirements:read"]),
        "the narrowed scope"
    );
}

#[tokio::test]
async fn token_endpoint_errors_use_the_rfc_6749_shape() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let client = app.add_client(&org.admin, &["requirements:read"]).await;

    let cases: Vec<(reqwest::Response, u16, &str)> = vec![
        (
            app.client_token(&client.id, "tls_wrong").await,
            401,
            "invalid_client",
        ),
        (
            app.client_token("019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e5f", &client.secret)
                .await,
            401,
            "invalid_client",
        ),
        (
            app.client
                .post(app.url("/v1/auth/token"))
                .form(&[("grant_type", "password")])
                .send()
                .await
                .expect("sent"),
            400,
            "unsupported_grant_type",
        ),
        (
            app.client
                .post(app.url("/v1/auth/token"))
                .basic_auth(&client.id, Some(&client.secret))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", "responses:write"),
                ])
                .send()
                .await
                .expect("sent"),
            400,
            "invalid_scope",
        ),
        (
            app.client
                .post(app.url("/v1/auth/token"))
                .form(&[("grant_type", "refresh_token")])
                .send()
                .await
                .expect("sent"),
            400,
            "invalid_request",
        ),
        (
            app.client
                .post(app.url("/v1/auth/token"))
                .json(&json!({"grant_type": "client_credentials"}))
                .send()
                .await
                .expect("sent"),
            400,
            "invalid_request",
        ),
    ];
    for (response, status, error) in cases {
        assert_eq!(response.status().as_u16(), status, "{error}");
        assert_eq!(response.headers()["content-type"], "application/json");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"], error, "{body}");
        assert!(body["error_description"].is_string());
    }
}

#[tokio::test]
async fn a_revoked_client_fails_at_once() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let client = app.add_client(&org.admin, &["requirements:read"]).await;
    assert_eq!(
        app.get_as(&client.access_token, "/v1/me").await.status(),
        200
    );

    let revoke = app
        .send_as(
            reqwest::Method::DELETE,
            &org.admin.access_token,
            &format!("/v1/api-clients/{}", client.id),
            None,
        )
        .await;
    assert_eq!(revoke.status(), 204);

    app.await_account_change(&client.access_token, "/v1/me", 401)
        .await;
    expect_problem(
        app.get_as(&client.access_token, "/v1/me").await,
        401,
        "unauthorized",
    )
    .await;
    let token = app.client_token(&client.id, &client.secret).await;
    assert_eq!(token.status(), 401);
    let listed: Value = app
        .get_as(
            &org.admin.access_token,
            &format!("/v1/api-clients/{}", client.id),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["revoked"], true);
}

#[tokio::test]
async fn a_rotated_secret_replaces_the_old_one() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let client = app.add_client(&org.admin, &["requirements:read"]).await;
    let rotated = app
        .send_as(
            reqwest::Method::POST,
            &org.admin.access_token,
            &format!("/v1/api-clients/{}/secret", client.id),
            None,
        )
        .await;
    assert_eq!(rotated.status(), 200);
    let rotated: Value = rotated.json().await.expect("json");
    let new_secret = rotated["client_secret"].as_str().expect("a secret");
    assert_eq!(
        app.client_token(&client.id, &client.secret).await.status(),
        401
    );
    assert_eq!(app.client_token(&client.id, new_secret).await.status(), 200);
    let listed: Value = app
        .get_as(&org.admin.access_token, "/v1/api-clients")
        .await
        .json()
        .await
        .expect("json");
    assert!(
        !listed.to_string().contains("tls_"),
        "secrets are never listed"
    );
}

#[tokio::test]
async fn the_jwks_publishes_the_key_that_signs_tokens() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let jwks: Value = app
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .expect("json");
    let key = &jwks["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["crv"].as_str(),
            key["alg"].as_str()
        ),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );
    assert!(key.get("d").is_none(), "no private part");
    let header = org.admin.access_token.split('.').next().expect("a header");
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).expect("base64url"))
        .expect("a JSON header");
    assert_eq!(header["kid"], key["kid"]);
    assert_eq!(header["alg"], "EdDSA");
}

#[tokio::test]
async fn failed_logins_are_throttled_with_retry_after() {
    let app = TestApp::spawn_one_with(|settings| {
        settings.auth.throttle.per_account_per_minute = 3;
    })
    .await;
    app.signup("Hanbit").await;
    for _ in 0..2 {
        let response = app
            .post_json(
                "/v1/auth/login",
                &json!({"email": "admin@hanbit.example", "password": "wrong password!"}),
            )
            .await;
        assert_eq!(response.status(), 401);
    }
    let throttled = app
        .post_json(
            "/v1/auth/login",
            &json!({"email": "admin@hanbit.example", "password": PASSWORD}),
        )
        .await;
    let retry_after: u64 = throttled.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(retry_after >= 1);
    expect_problem(throttled, 429, "too_many_requests").await;
}

#[tokio::test]
async fn failed_client_authentications_are_throttled_per_address() {
    let app = TestApp::spawn_one_with(|settings| {
        settings.auth.throttle.per_address_per_minute = 2;
    })
    .await;
    for n in 0..2 {
        let response = app.client_token(&format!("client-{n}"), "tls_wrong").await;
        assert_eq!(response.status(), 401);
    }
    let throttled = app.client_token("client-3", "tls_wrong").await;
    assert!(throttled.headers().contains_key("retry-after"));
    expect_problem(throttled, 429, "too_many_requests").await;
}
