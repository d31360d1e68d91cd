//! Invitations, supplier links and the supply-chain view.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{PASSWORD, TestApp, expect_problem, problem_fields};

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| {
            p["organisation"]["name"]
                .as_str()
                .expect("a name")
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn an_invitation_links_a_buyer_and_an_existing_supplier_once() {
    let app = TestApp::spawn().await;
    let hyundai = app.signup("Hyundai Steel").await;
    let hanbit = app.signup("Hanbit").await;

    let invitation = app
        .call(
            Method::POST,
            &hyundai.admin.access_token,
            "/v1/invitations",
            Some(&json!({"email": "admin@hanbit.example"})),
            201,
        )
        .await;
    assert_eq!(invitation["status"], "pending");
    let code = invitation["code"].as_str().expect("a code").to_owned();
    assert!(code.starts_with("tli_"));

    let partner = app
        .call(
            Method::POST,
            &hanbit.admin.access_token,
            "/v1/invitations/accept",
            Some(&json!({"code": code})),
            201,
        )
        .await;
    assert_eq!(partner["organisation"]["name"], "Hyundai Steel");

    let suppliers = app
        .call(
            Method::GET,
            &hyundai.admin.access_token,
            "/v1/suppliers",
            None,
            200,
        )
        .await;
    assert_eq!(names(&suppliers), ["Hanbit"]);
    let customers = app
        .call(
            Method::GET,
            &hanbit.admin.access_token,
            "/v1/customers",
            None,
            200,
        )
        .await;
    assert_eq!(names(&customers), ["Hyundai Steel"]);
    // Partners can read each other's organisation.
    app.call(
        Method::GET,
        &hyundai.admin.access_token,
        &format!("/v1/organisations/{}", hanbit.id),
        None,
        200,
    )
    .await;

    // Single use.
    let other = app.signup("Other").await;
    let reused = app
        .send_as(
            Method::POST,
            &other.admin.access_token,
            "/v1/invitations/accept",
            Some(&json!({"code": code})),
        )
        .await;
    let problem = expect_problem(reused, 409, "invitation_used").await;
    assert_eq!(problem_fields(&problem), ["code"]);
    let listed = app
        .call(
            Method::GET,
            &hyundai.admin.access_token,
            "/v1/invitations",
            None,
            200,
        )
        .await;
    assert_eq!(listed["items"][0]["status"], "accepted");
    assert!(
        !listed.to_string().contains("tli_"),
        "codes are never listed"
    );
}

#[tokio::test]
async fn with_open_sign_up_off_a_supplier_signs_up_with_the_code() {
    let app = TestApp::spawn_with(|settings| settings.auth.open_signup = false).await;
    // The buyer comes from the operator command, which prints a generated password.
    let printed = tierlink_api::admin::create_org(
        &app.settings,
        &tierlink_api::admin::CreateOrg {
            name: "Hyundai Steel".to_owned(),
            country: "KR".to_owned(),
            identifiers: vec!["kr_brn=124-81-00998".to_owned()],
            admin_email: "admin@hyundai.example".to_owned(),
            admin_name: "Admin".to_owned(),
            password_stdin: false,
        },
    )
    .expect("the operator command succeeds");
    let password = printed.rsplit(' ').next().expect("a password");
    let buyer = app.login("admin@hyundai.example", password).await;

    let invitation = app
        .call(
            Method::POST,
            &buyer.access_token,
            "/v1/invitations",
            Some(&json!({"email": "ceo@daehan.example"})),
            201,
        )
        .await;
    let mut signup = json!({
        "organisation": {"name": "Daehan Casting", "country": "KR"},
        "admin": {"email": "ceo@daehan.example", "display_name": "CEO", "password": PASSWORD}
    });
    expect_problem(
        app.post_json("/v1/signup", &signup).await,
        403,
        "signup_closed",
    )
    .await;
    signup["invitation_code"] = invitation["code"].clone();
    assert_eq!(app.post_json("/v1/signup", &signup).await.status(), 201);
    let suppliers = app
        .call(Method::GET, &buyer.access_token, "/v1/suppliers", None, 200)
        .await;
    assert_eq!(names(&suppliers), ["Daehan Casting"]);
}

#[tokio::test]
async fn sign_up_with_a_bad_code_creates_nothing() {
    let app = TestApp::spawn().await;
    let signup = json!({
        "organisation": {"name": "Daehan Casting", "country": "KR"},
        "admin": {"email": "ceo@daehan.example", "display_name": "CEO", "password": PASSWORD},
        "invitation_code": "tli_not-a-real-code"
    });
    let problem = expect_problem(
        app.post_json("/v1/signup", &signup).await,
        409,
        "invitation_invalid",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["invitation_code"]);
    let mut without = signup.clone();
    without
        .as_object_mut()
        .expect("an object")
        .remove("invitation_code");
    assert_eq!(
        app.post_json("/v1/signup", &without).await.status(),
        201,
        "nothing was left behind"
    );
}

#[tokio::test]
async fn expired_withdrawn_and_mismatched_invitations_are_refused() {
    let app = TestApp::spawn().await;
    let buyer = app.signup("Hyundai Steel").await;
    let supplier = app.signup("Hanbit").await;
    let invite = |body: Value| {
        let app = &app;
        let token = buyer.admin.access_token.clone();
        async move {
            app.call(Method::POST, &token, "/v1/invitations", Some(&body), 201)
                .await
        }
    };
    let accept = |code: Value| {
        let app = &app;
        let token = supplier.admin.access_token.clone();
        async move {
            app.send_as(
                Method::POST,
                &token,
                "/v1/invitations/accept",
                Some(&json!({"code": code})),
            )
            .await
        }
    };

    let expired = invite(json!({"email": "a@hanbit.example"})).await;
    app.execute_sql(&format!(
        "UPDATE invitations SET expires_at = created_at WHERE id = '{}'",
        expired["id"].as_str().expect("id")
    ));
    expect_problem(
        accept(expired["code"].clone()).await,
        409,
        "invitation_expired",
    )
    .await;

    let withdrawn = invite(json!({"email": "a@hanbit.example"})).await;
    app.call(
        Method::DELETE,
        &buyer.admin.access_token,
        &format!("/v1/invitations/{}", withdrawn["id"].as_str().expect("id")),
        None,
        200,
    )
    .await;
    expect_problem(
        accept(withdrawn["code"].clone()).await,
        409,
        "invitation_revoked",
    )
    .await;

    let for_someone_else = invite(
        json!({"email": "a@hanbit.example", "business_registration_number": "220-81-62517"}),
    )
    .await;
    expect_problem(
        accept(for_someone_else["code"].clone()).await,
        409,
        "business_number_mismatch",
    )
    .await;

    let bad = app
        .send_as(
            Method::POST,
            &buyer.admin.access_token,
            "/v1/invitations",
            Some(&json!({"email": "x", "business_registration_number": "123"})),
        )
        .await;
    let problem = expect_problem(bad, 422, "validation_failed").await;
    assert_eq!(
        problem_fields(&problem),
        ["email", "business_registration_number"]
    );
}

#[tokio::test]
async fn links_never_loop() {
    let app = TestApp::builder()
        .supplier("Alpha", "Bravo")
        .supplier("Bravo", "Charlie")
        .build()
        .await;
    let [a, c] = app.orgs(["Alpha", "Charlie"]);

    for (buyer, supplier) in [(c, a), (a, a)] {
        let invitation = app
            .call(
                Method::POST,
                &buyer.admin.access_token,
                "/v1/invitations",
                Some(&json!({"email": "x@y.example"})),
                201,
            )
            .await;
        let response = app
            .send_as(
                Method::POST,
                &supplier.admin.access_token,
                "/v1/invitations/accept",
                Some(&json!({"code": invitation["code"]})),
            )
            .await;
        expect_problem(response, 409, "supply_chain_cycle").await;
    }
}

#[tokio::test]
async fn either_side_can_end_a_link() {
    let app = TestApp::builder()
        .supplier("Hyundai Steel", "One")
        .supplier("Hyundai Steel", "Two")
        .build()
        .await;
    let [buyer, one, two] = app.orgs(["Hyundai Steel", "One", "Two"]);

    let ended = app
        .call(
            Method::DELETE,
            &buyer.admin.access_token,
            &format!("/v1/suppliers/{}", one.id),
            None,
            200,
        )
        .await;
    assert_eq!(ended["active"], false);
    app.call(
        Method::DELETE,
        &two.admin.access_token,
        &format!("/v1/customers/{}", buyer.id),
        None,
        200,
    )
    .await;

    let suppliers = app
        .call(
            Method::GET,
            &buyer.admin.access_token,
            "/v1/suppliers",
            None,
            200,
        )
        .await;
    assert!(names(&suppliers).is_empty());
    let all = app
        .call(
            Method::GET,
            &buyer.admin.access_token,
            "/v1/suppliers?include_ended=true",
            None,
            200,
        )
        .await;
    assert_eq!(names(&all), ["One", "Two"]);
    // An ended partner is no longer visible.
    app.call(
        Method::GET,
        &buyer.admin.access_token,
        &format!("/v1/organisations/{}", one.id),
        None,
        404,
    )
    .await;
    // A viewer cannot change the network.
    let viewer = app
        .add_user(&buyer.admin, "viewer@hyundaisteel.example", "viewer")
        .await;
    let response = app
        .send_as(
            Method::POST,
            &viewer.access_token,
            "/v1/invitations",
            Some(&json!({"email": "a@b.example"})),
        )
        .await;
    expect_problem(response, 403, "forbidden").await;
}

#[tokio::test]
async fn the_supply_chain_shows_tier_2_names_only_when_disclosed() {
    let app = TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .supplier("Hanbit", "Daehan Casting")
        .build()
        .await;
    let [large, tier1] = app.orgs(["Hyundai Steel", "Hanbit"]);

    let chain = app
        .call(
            Method::GET,
            &large.admin.access_token,
            "/v1/supply-chain",
            None,
            200,
        )
        .await;
    assert_eq!(chain["tier1"][0]["organisation"]["name"], "Hanbit");
    assert_eq!(chain["tier1"][0]["tier2_count"], 1);
    assert_eq!(chain["tier1"][0]["tier2_disclosed"], false);
    assert!(chain["tier1"][0].get("tier2").is_none());
    assert!(!chain.to_string().contains("Daehan"));

    app.call(
        Method::PUT,
        &tier1.admin.access_token,
        &format!("/v1/customers/{}/disclosure", large.id),
        Some(&json!({"disclose_suppliers": true})),
        200,
    )
    .await;
    let chain = app
        .call(
            Method::GET,
            &large.admin.access_token,
            "/v1/supply-chain",
            None,
            200,
        )
        .await;
    assert_eq!(chain["tier1"][0]["tier2"][0]["name"], "Daehan Casting");

    // Tier is relative: for the tier-1, Daehan is tier 1.
    let own = app
        .call(
            Method::GET,
            &tier1.admin.access_token,
            "/v1/supply-chain",
            None,
            200,
        )
        .await;
    assert_eq!(own["tier1"][0]["organisation"]["name"], "Daehan Casting");
    assert_eq!(own["tier1"][0]["tier2_count"], 0);
}
