//! `/v1/users`: an organisation's people, managed by its admins.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use tierlink_domain::ValidationErrors;
use tierlink_domain::identity::{DisplayName, Email, Password};
use tierlink_domain::ids::UserId;
use tierlink_persistence::Database;
use tierlink_usecases::users::{self as usecase, NewUser, UserChanges};
use utoipa_actix_web::service_config::ServiceConfig;

use super::support::{hash_password, page_response, too_many};
use crate::auth::AuthState;
use crate::auth::caller::{Authorized, need};
use crate::db;
use crate::extract::{JsonBody, QueryParams};
use crate::idempotency::{Created, IdempotencyKey, create_once, replay_stored};
use crate::path::Id;
use crate::problem::{ApiError, Problem};
use crate::wire::pagination::PageParams;
use crate::wire::users::{CreateUser, UpdateUser, UserBody, UserPage};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user);
}

/// List the organisation's users
///
/// Every account of the caller's organisation, disabled ones included,
/// oldest first, a page at a time. For admins.
#[utoipa::path(
    tag = "users",
    operation_id = "listUsers",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of users", body = UserPage),
        (status = 400, description = "`limit` or `cursor` is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage users", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("")]
#[tracing::instrument(skip_all)]
pub async fn list_users(
    req: HttpRequest,
    Authorized(caller, ..): Authorized<need::ManageUsers>,
    db: web::Data<Database>,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page_request = params.to_request()?;
    let page = db::read(&db, move |conn| {
        usecase::list(conn, caller.org_id, &page_request)
    })
    .await?;
    Ok(page_response(&req, page.next.as_ref()).json(UserPage {
        next_cursor: page.next.as_ref().map(|next| next.encode()),
        items: page.items.into_iter().map(UserBody::from).collect(),
    }))
}

/// Add a user
///
/// Creates an account in the caller's organisation with an initial
/// password. E-mail addresses are unique across Tierlink, ignoring case.
#[utoipa::path(
    tag = "users",
    operation_id = "createUser",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")),
    request_body = CreateUser,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = UserBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage users", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail address is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many users added at once; see `Retry-After`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("")]
#[tracing::instrument(skip_all)]
pub async fn create_user(
    Authorized(caller, ..): Authorized<need::ManageUsers>,
    db: web::Data<Database>,
    auth: web::Data<AuthState>,
    JsonBody(body): JsonBody<CreateUser>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::new();
    let email = errors.collect(Email::parse(&body.email));
    let name = errors.collect(DisplayName::parse(&body.display_name));
    let password = errors.collect(Password::choose("password", &body.password, email.as_ref()));
    let (Some(email), Some(name), Some(password)) = (email, name, password) else {
        return Err(ApiError::Validation(errors));
    };
    if let Some(replayed) = replay_stored(&db, caller.org_id, &key).await? {
        return Ok(replayed);
    }
    // Each answer tells whether an address has an account somewhere:
    // attempts are limited per organisation, and counted before looking.
    auth.throttle
        .new_user(&caller.org_id.to_string())
        .map_err(too_many)?;
    let checked = email.clone();
    db::read(&db, move |conn| usecase::check_email_free(conn, &checked)).await?;
    let password_hash = hash_password(&auth, password).await?;
    let role = body.role.into();
    create_once(&db, caller.org_id, key, StatusCode::CREATED, move |tx| {
        let user = usecase::create(
            tx,
            NewUser {
                org_id: caller.org_id,
                email: &email,
                display_name: &name,
                role,
                password_hash,
            },
        )?;
        Ok(Created {
            status: None,
            location: Some(format!("/v1/users/{}", user.id)),
            etag: None,
            body: UserBody::from(user),
        })
    })
    .await
}

/// Get a user
///
/// An account of the caller's organisation. For admins.
#[utoipa::path(
    tag = "users",
    operation_id = "getUser",
    params(("id" = uuid::Uuid, Path, description = "The user's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user", body = UserBody),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage users", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in the caller's organisation", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}")]
#[tracing::instrument(skip(caller, db))]
pub async fn get_user(
    Authorized(caller, ..): Authorized<need::ManageUsers>,
    db: web::Data<Database>,
    Id(id): Id<UserId>,
) -> Result<web::Json<UserBody>, ApiError> {
    let user = db::read(&db, move |conn| usecase::show(conn, caller.org_id, id)).await?;
    Ok(web::Json(user.into()))
}

/// Change or disable a user
///
/// Changes the fields present. Disabling takes effect at once: the user's
/// access tokens stop working on their next request and their refresh
/// tokens are revoked. The last active admin cannot be demoted or disabled.
#[utoipa::path(
    tag = "users",
    operation_id = "updateUser",
    params(("id" = uuid::Uuid, Path, description = "The user's id")),
    request_body = UpdateUser,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated user", body = UserBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage users", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in the caller's organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The change would leave no active admin (`last_admin`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/{id}")]
#[tracing::instrument(skip(caller, db, body))]
pub async fn update_user(
    Authorized(caller, ..): Authorized<need::ManageUsers>,
    db: web::Data<Database>,
    Id(id): Id<UserId>,
    JsonBody(body): JsonBody<UpdateUser>,
) -> Result<web::Json<UserBody>, ApiError> {
    let changes = UserChanges {
        display_name: body
            .display_name
            .as_deref()
            .map(DisplayName::parse)
            .transpose()
            .map_err(|error| ApiError::Validation(error.into()))?,
        role: body.role.map(Into::into),
        disabled: body.disabled,
    };
    let user = db::write_accounts(&db, move |tx| {
        usecase::update(tx, caller.org_id, id, &changes)
    })
    .await?;
    Ok(web::Json(user.into()))
}
