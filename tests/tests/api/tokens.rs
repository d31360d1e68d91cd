//! Every way a bearer token can be wrong gets 401 (or 403 where the caller
//! is known but not allowed) with problem+json and no data.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{Value, json};
use tierlink_api::auth::keys::KeyRing;
use tierlink_api::auth::tokens::{Claims, TokenIssuer};
use tierlink_tests::{TestApp, expect_problem};

fn claims_of(token: &str) -> Claims {
    let payload = token.split('.').nth(1).expect("a payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("claims")
}

fn header_of(token: &str) -> Value {
    let header = token.split('.').next().expect("a header");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).expect("base64url")).expect("a header")
}

/// Asserts the token is refused with 401 problem+json and no data.
async fn refused(app: &TestApp, token: &str, case: &str) {
    let response = app.get_as(token, "/v1/organisations").await;
    assert_eq!(response.status(), 401, "{case}");
    assert!(
        response
            .headers()
            .get("www-authenticate")
            .is_some_and(|v| v.to_str().is_ok_and(|v| v.starts_with("Bearer"))),
        "{case}: a Bearer challenge"
    );
    let problem = expect_problem(response, 401, "unauthorized").await;
    assert!(problem.get("items").is_none(), "{case}: no data");
}

#[tokio::test]
async fn a_valid_token_works_and_carries_the_expected_claims() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let claims = claims_of(&org.admin.access_token);
    assert_eq!(claims.iss, "tierlink");
    assert_eq!(claims.aud, "tierlink-api");
    assert_eq!(claims.sub, format!("user:{}", org.admin.id));
    assert_eq!(claims.org, org.id);
    assert_eq!(claims.role.as_deref(), Some("admin"));
    assert_eq!(claims.exp - claims.iat, 900);
    assert!(claims.nbf <= claims.iat + 1 && !claims.jti.is_empty());
    assert_eq!(header_of(&org.admin.access_token)["typ"], "at+jwt");
    assert_eq!(
        app.get_as(&org.admin.access_token, "/v1/organisations")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn missing_and_malformed_tokens_are_401() {
    let app = TestApp::spawn().await;
    expect_problem(app.get("/v1/organisations").await, 401, "unauthorized").await;
    refused(&app, "not-a-jwt", "garbage").await;
    let basic = app
        .client
        .get(app.url("/v1/organisations"))
        .basic_auth("a", Some("b"))
        .send()
        .await
        .expect("sent");
    expect_problem(basic, 401, "unauthorized").await;
}

#[tokio::test]
async fn forged_and_expired_tokens_are_401() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let valid = org.admin.access_token.clone();
    let claims = claims_of(&valid);
    let kid = header_of(&valid)["kid"].as_str().expect("kid").to_owned();

    let now = claims.iat;
    let expired = Claims {
        iat: now - 7200,
        nbf: now - 7200,
        exp: now - 3600,
        ..claims.clone()
    };
    refused(&app, &app.sign(&expired), "expired").await;
    let not_yet = Claims {
        nbf: now + 3600,
        ..claims.clone()
    };
    refused(&app, &app.sign(&not_yet), "not yet valid").await;
    refused(
        &app,
        &app.sign(&Claims {
            aud: "someone-else".to_owned(),
            ..claims.clone()
        }),
        "wrong aud",
    )
    .await;
    refused(
        &app,
        &app.sign(&Claims {
            iss: "https://evil.example".to_owned(),
            ..claims.clone()
        }),
        "wrong iss",
    )
    .await;

    // Signed by another key, under its own kid and under ours.
    let other_key = KeyRing::from_pem(&KeyRing::generate_pem().expect("key"), "").expect("ring");
    let other = TokenIssuer::new(
        other_key,
        claims.iss.clone(),
        claims.aud.clone(),
        std::time::Duration::from_secs(900),
    );
    refused(&app, &other.sign(&claims).expect("signed"), "another key").await;
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.clone());
    let other_pem = KeyRing::generate_pem().expect("key");
    let other_der = pem_body(&other_pem);
    let forged = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(&other_der))
        .expect("signed");
    refused(&app, &forged, "another key under our kid").await;

    // alg: none.
    let none_header =
        URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT", "kid": kid}).to_string());
    let payload = valid.split('.').nth(1).expect("payload");
    refused(&app, &format!("{none_header}.{payload}."), "alg none").await;

    // HS256 keyed with our public key (the classic algorithm confusion).
    let jwks: Value = app
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .expect("json");
    let x = jwks["keys"][0]["x"].as_str().expect("x").to_owned();
    // Signed by hand: the server's JWT library (and so this process's) has
    // no HMAC at all, which is part of the defence.
    let hs_header =
        URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "typ": "JWT", "kid": kid}).to_string());
    let hs_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("json"));
    let signing_input = format!("{hs_header}.{hs_payload}");
    for secret in [
        URL_SAFE_NO_PAD.decode(&x).expect("x"),
        x.clone().into_bytes(),
    ] {
        let mac = URL_SAFE_NO_PAD.encode(hmac_sha256(&secret, signing_input.as_bytes()));
        let confused = format!("{signing_input}.{mac}");
        refused(&app, &confused, "HS256 with the public key").await;
    }

    // A tampered payload under a valid signature.
    let mut parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
    let tampered = Claims {
        org: "019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e5f".to_owned(),
        ..claims.clone()
    };
    parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&tampered).expect("json"));
    refused(&app, &parts.join("."), "tampered payload").await;
}

/// HMAC-SHA256 (RFC 2104), for forging an HS256 token.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut block = [0_u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

#[test]
fn the_forging_hmac_is_hmac_sha256() {
    // RFC 4231, test case 2.
    let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

fn pem_body(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("PEM body")
}

#[tokio::test]
async fn a_disabled_users_token_stops_working_at_once() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let editor = app
        .add_user(&org.admin, "editor@hanbit.example", "editor")
        .await;
    assert_eq!(
        app.get_as(&editor.access_token, "/v1/me").await.status(),
        200
    );

    let disable = app
        .send_as(
            Method::PATCH,
            &org.admin.access_token,
            &format!("/v1/users/{}", editor.id),
            Some(&json!({"disabled": true})),
        )
        .await;
    assert_eq!(disable.status(), 200);

    app.await_account_change(&editor.access_token, "/v1/organisations", 401)
        .await;
    refused(&app, &editor.access_token, "disabled user").await;
    let refresh = app
        .client
        .post(app.url("/v1/auth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", editor.refresh_token.as_str()),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(
        refresh.status(),
        400,
        "refresh tokens are revoked on disable"
    );
}

#[tokio::test]
async fn known_callers_without_the_permission_get_403() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hanbit").await;
    let viewer = app
        .add_user(&org.admin, "viewer@hanbit.example", "viewer")
        .await;
    let editor = app
        .add_user(&org.admin, "editor@hanbit.example", "editor")
        .await;
    let client = app
        .add_client(
            &org.admin,
            &[
                "requirements:read",
                "requirements:write",
                "responses:read",
                "responses:write",
            ],
        )
        .await;
    let new_user = json!({"email": "x@hanbit.example", "display_name": "X", "role": "viewer", "password": "long enough password"});

    for (who, token) in [
        ("viewer", &viewer.access_token),
        ("editor", &editor.access_token),
        ("client", &client.access_token),
    ] {
        let response = app
            .send_as(Method::POST, token, "/v1/users", Some(&new_user))
            .await;
        let problem = expect_problem(response, 403, "forbidden").await;
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("manage-users")),
            "{who}: {problem}"
        );
        let response = app
            .send_as(
                Method::POST,
                token,
                "/v1/api-clients",
                Some(&json!({"name": "x", "scopes": ["responses:read"]})),
            )
            .await;
        expect_problem(response, 403, "forbidden").await;
        expect_problem(app.get_as(token, "/v1/users").await, 403, "forbidden").await;
    }
    // A change of role applies at once: the editor made admin may now manage users.
    let promote = app
        .send_as(
            Method::PATCH,
            &org.admin.access_token,
            &format!("/v1/users/{}", editor.id),
            Some(&json!({"role": "admin"})),
        )
        .await;
    assert_eq!(promote.status(), 200);
    app.await_account_change(&editor.access_token, "/v1/users", 200)
        .await;
    assert_eq!(
        app.get_as(&editor.access_token, "/v1/users").await.status(),
        200
    );
    // Machine clients have no password to change.
    let response = app
        .send_as(
            Method::PUT,
            &client.access_token,
            "/v1/me/password",
            Some(&json!({"current_password": "x", "new_password": "long enough password"})),
        )
        .await;
    expect_problem(response, 403, "users_only").await;
}
