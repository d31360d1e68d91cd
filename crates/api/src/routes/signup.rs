//! `POST /v1/signup`: a new organisation with its first admin. Public by
//! intent; can be switched off (`TIERLINK_OPEN_SIGNUP=false`), leaving
//! organisations to invitations and the operator CLI.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use tierlink_domain::ValidationErrors;
use tierlink_domain::identity::{DisplayName, Email, Password};
use tierlink_domain::ids::OrgId;
use tierlink_persistence::Database;
use tierlink_usecases::accounts::{self, FirstAdmin};
use utoipa_actix_web::service_config::ServiceConfig;

use super::support::{hash_password_in, peer_ip, too_many};
use crate::auth::{AuthState, secrets};
use crate::db;
use crate::extract::JsonBody;
use crate::idempotency::{Created, IdempotencyKey, create_once, replay_stored};
use crate::problem::{ApiError, Problem};
use crate::wire::auth::{SignupRequest, SignupResponse};
use crate::wire::organisations::OrganisationBody;
use crate::wire::users::UserBody;

pub fn configure(config: &mut ServiceConfig) {
    config.service(signup);
}

/// Sign up an organisation
///
/// Registers an organisation (a large firm or a supplier) and its first
/// admin, who then logs in at `/v1/auth/login`. An identifier or e-mail
/// address already registered is a 409. With an `invitation_code`, the
/// inviting firm becomes the new organisation's customer in the same step.
/// Attempts are limited per address (429 with `Retry-After`).
#[utoipa::path(
    tag = "auth",
    operation_id = "signUp",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")),
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Signed up", body = SignupResponse,
            headers(("Location" = String, description = "URL of the new organisation"))),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Open sign-up is switched off (`signup_closed`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An identifier or the e-mail address is already registered", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid; `errors` lists each", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many sign-ups from this address; see `Retry-After`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/signup")]
#[tracing::instrument(skip_all)]
pub async fn signup(
    req: HttpRequest,
    db: web::Data<Database>,
    auth: web::Data<AuthState>,
    JsonBody(body): JsonBody<SignupRequest>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    if !auth.open_signup && body.invitation_code.is_none() {
        return Err(ApiError::Denied {
            code: "signup_closed",
            message: "open sign-up is switched off; sign up with an invitation code".to_owned(),
        });
    }
    let mut errors = ValidationErrors::new();
    let organisation = match body.organisation.parse() {
        Ok(organisation) => Some(organisation),
        Err(found) => {
            for error in found.into_errors() {
                errors.push(error.under("organisation"));
            }
            None
        }
    };
    let email = errors.collect(Email::parse(&body.admin.email).map_err(|e| e.under("admin")));
    let name =
        errors.collect(DisplayName::parse(&body.admin.display_name).map_err(|e| e.under("admin")));
    let password = errors.collect(
        Password::choose("password", &body.admin.password, email.as_ref())
            .map_err(|e| e.under("admin")),
    );
    let (Some(organisation), Some(email), Some(name), Some(password)) =
        (organisation, email, name, password)
    else {
        return Err(ApiError::Validation(errors));
    };
    // No organisation exists yet: sign-up keys share one scope. A replay
    // needs the same key and the same body, password included.
    let scope = OrgId::from_uuid(uuid::Uuid::nil());
    if let Some(replayed) = replay_stored(&db, scope, &key).await? {
        return Ok(replayed);
    }
    // The attempt is counted before anything is looked up (each answer
    // says whether an address or number is taken); a taken one is refused
    // before any hash; the hash waits in the sign-ups' share of the
    // hashing queue, so a flood of sign-ups never takes the places
    // sign-ins need.
    auth.throttle.sign_up(peer_ip(&req)).map_err(too_many)?;
    let (checked_org, checked_email) = (organisation.clone(), email.clone());
    db::read(&db, move |conn| {
        accounts::check_free(conn, &checked_org, &checked_email)
    })
    .await?;
    let place = auth.hashing.reserve_sign_up()?;
    let password_hash = hash_password_in(&auth, place, password).await?;
    let invitation_code = body.invitation_code;
    let code_hash = invitation_code.map(|code| secrets::digest(code.trim()));
    create_once(&db, scope, key, StatusCode::CREATED, move |tx| {
        let (organisation, admin) = accounts::sign_up(
            tx,
            &organisation,
            code_hash.as_deref(),
            FirstAdmin {
                email: &email,
                display_name: &name,
                password_hash,
            },
        )?;
        tracing::info!(org_id = %organisation.id, "organisation signed up");
        Ok(Created {
            status: None,
            location: Some(format!("/v1/organisations/{}", organisation.id)),
            etag: None,
            body: SignupResponse {
                organisation: OrganisationBody::from(organisation),
                admin: UserBody::from(admin),
            },
        })
    })
    .await
}
