//! Tenant isolation: a user and a machine client of another organisation
//! get no data from any organisation-scoped resource that exists. One table
//! lists every such endpoint; each new resource adds its rows here.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{TestApp, expect_problem};

/// One probe of a resource that belongs to organisation A.
struct Case {
    method: Method,
    path: String,
    body: Option<Value>,
    /// What another organisation's user gets: always 404.
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
            let code = if expected == 404 {
                "not_found"
            } else {
                "forbidden"
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
    for path in ["/v1/organisations", "/v1/users", "/v1/api-clients"] {
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
