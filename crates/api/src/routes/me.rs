//! `/v1/me`: the caller itself.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use tierlink_domain::access::Actor;
use tierlink_domain::identity::{Email, Password};
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::Database;
use tierlink_usecases::sessions;
use utoipa_actix_web::service_config::ServiceConfig;

use super::support::{hash_password, peer_ip, too_many};
use crate::auth::password::Verification;
use crate::auth::{AuthState, Authenticated};
use crate::db;
use crate::extract::JsonBody;
use crate::problem::{ApiError, Problem};
use crate::wire::users::{ChangePassword, MeBody};

pub fn configure(config: &mut ServiceConfig) {
    config.service(get_me).service(change_password);
}

/// Who am I
///
/// The caller as the server sees it: a user with a role, or a machine
/// client with scopes, acting for an organisation.
#[utoipa::path(
    tag = "users",
    operation_id = "getMe",
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "The caller", body = MeBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me")]
pub async fn get_me(Authenticated(caller): Authenticated) -> web::Json<MeBody> {
    let organisation_id = caller.org_id.as_uuid();
    web::Json(match caller.actor {
        Actor::User { id, role } => MeBody {
            kind: "user",
            organisation_id,
            user_id: Some(id.as_uuid()),
            role: Some(role.into()),
            client_id: None,
            scopes: None,
        },
        Actor::Client { id, scopes } => MeBody {
            kind: "client",
            organisation_id,
            user_id: None,
            role: None,
            client_id: Some(id.as_uuid()),
            scopes: Some(
                scopes
                    .iter()
                    .map(|scope| scope.as_str().to_owned())
                    .collect(),
            ),
        },
    })
}

/// Change my password
///
/// Needs the current password. Signs the user out everywhere else: every
/// refresh token of the user is revoked.
#[utoipa::path(
    tag = "users",
    operation_id = "changeMyPassword",
    request_body = ChangePassword,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Machine clients have no password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The current password is wrong, or the new one is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/me/password")]
#[tracing::instrument(skip_all)]
pub async fn change_password(
    req: HttpRequest,
    Authenticated(caller): Authenticated,
    db: web::Data<Database>,
    auth: web::Data<AuthState>,
    JsonBody(body): JsonBody<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let Some(user_id) = caller.user_id() else {
        return Err(ApiError::Denied {
            code: "users_only",
            message: "machine clients have no password; rotate the client secret instead"
                .to_owned(),
        });
    };
    Password::parse("new_password", &body.new_password)
        .map_err(|e| ApiError::Validation(e.into()))?;
    // A place in the hashing queue first: a refused request is no attempt.
    let place = auth.hashing.reserve()?;
    auth.throttle
        .attempt(&format!("user:{user_id}"), peer_ip(&req))
        .map_err(too_many)?;
    let org_id = caller.org_id;
    let (user, stored) = db::read(&db, move |conn| {
        sessions::own_credentials(conn, org_id, user_id)
    })
    .await?;
    let email = Email::parse(&user.email).map_err(ApiError::internal)?;
    let new_password = Password::choose("new_password", &body.new_password, Some(&email))
        .map_err(|e| ApiError::Validation(e.into()))?;
    let hasher = auth.passwords.clone();
    let current = body.current_password;
    let verification = auth
        .hashing
        .run_in(place, move || hasher.verify(&current, Some(&stored)))
        .await?;
    if verification == Verification::Invalid {
        return Err(ApiError::Validation(ValidationErrors::from(
            FieldError::new(
                "current_password",
                "wrong_password",
                "the current password is wrong",
            ),
        )));
    }
    let hash = hash_password(&auth, new_password).await?;
    db::write(&db, move |tx| sessions::change_password(tx, user_id, &hash)).await?;
    Ok(HttpResponse::NoContent().finish())
}
