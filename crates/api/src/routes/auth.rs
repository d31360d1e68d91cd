//! Credentials in, tokens out: `/v1/auth/login`, the RFC 6749 token
//! endpoint `/v1/auth/token`, `/v1/auth/logout`, and the JWKS. Public by
//! intent: these are how a caller gets credentials.

use actix_web::http::{StatusCode, header};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use tierlink_domain::access::{Actor, Caller, Scopes};
use tierlink_domain::identity::{Email, Password};
use tierlink_domain::ids::ClientId;
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::Database;
use tierlink_usecases::sessions::{self, Redemption};
use tierlink_usecases::users::User;
use utoipa_actix_web::service_config::ServiceConfig;

use super::support::{peer_ip, too_many};
use crate::auth::keys::Jwks;
use crate::auth::password::Verification;
use crate::auth::tokens::{IssuedToken, TokenIssuer};
use crate::auth::{AuthState, secrets};
use crate::db;
use crate::extract::JsonBody;
use crate::problem::{ApiError, OAuthErrorBody, Problem};
use crate::wire::auth::{LoginRequest, LogoutRequest, TokenRequest, TokenResponse};

pub fn configure(config: &mut ServiceConfig) {
    config.service(login).service(token).service(logout);
}

/// Log in with e-mail and password
///
/// Returns a 15-minute access token and a refresh token. A wrong e-mail
/// and a wrong password get the same answer, in the same time. Attempts are
/// limited per address and per account from each address (429 with
/// `Retry-After`); an account that many addresses failed to sign in to
/// refuses, for a while, addresses it has not signed in from.
#[utoipa::path(
    tag = "auth",
    operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong e-mail or password, or a disabled account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/login")]
#[tracing::instrument(skip_all)]
pub async fn login(
    req: HttpRequest,
    db: web::Data<Database>,
    auth: web::Data<AuthState>,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.email).map_err(|error| ApiError::Validation(error.into()))?;
    if body.password.chars().count() > Password::MAX_CHARS {
        return Err(Password::parse("password", &body.password)
            .err()
            .map_or(ApiError::InvalidCredentials, |e| {
                ApiError::Validation(e.into())
            }));
    }
    // A place in the hashing queue first: a refused request is no attempt.
    let place = auth.hashing.reserve()?;
    let (account, address) = (email.normalised().to_owned(), peer_ip(&req));
    auth.throttle.attempt(&account, address).map_err(too_many)?;
    let found = db::read(&db, move |conn| sessions::user_credentials(conn, &email)).await?;
    let (user, hash) = found.map_or((None, None), |(user, hash)| (Some(user), Some(hash)));
    let hasher = auth.passwords.clone();
    let issuer = auth.tokens.clone();
    let candidate = body.password;
    let signed_in = auth
        .hashing
        .run_in(place, move || {
            match (hasher.verify(&candidate, hash.as_deref()), user) {
                (Verification::Valid { rehashed }, Some(user)) if user.is_active() => {
                    SignIn::sign(&issuer, user, rehashed).map(Some)
                }
                _ => Ok(None),
            }
        })
        .await?
        .map_err(ApiError::internal)?;
    match signed_in {
        Some(sign_in) => {
            let tokens = sign_in.store(&db, &auth).await?;
            auth.throttle.succeeded(&account, address);
            tracing::info!("login succeeded");
            Ok(no_store(HttpResponse::Ok()).json(tokens))
        }
        None => {
            auth.throttle.failed(&account);
            tracing::info!("login failed");
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// A sign-in's tokens, made on the hashing thread right after the password
/// checks out. Signing the access token is the rest of a sign-in's CPU
/// work; there it runs at the hashing threads' idle priority instead of
/// holding up an HTTP worker, whose event loop also answers reads.
struct SignIn {
    user: User,
    /// The password hash again, with today's parameters, if the stored one
    /// was made with older ones.
    rehashed: Option<String>,
    access: IssuedToken,
    refresh: String,
}

impl SignIn {
    /// An access token and a new refresh token for `user`.
    fn sign(issuer: &TokenIssuer, user: User, rehashed: Option<String>) -> Result<Self, String> {
        let caller = Caller {
            org_id: user.org_id,
            actor: Actor::User {
                id: user.id,
                role: user.role,
            },
        };
        Ok(Self {
            access: issuer.issue(&caller)?,
            refresh: secrets::generate(secrets::REFRESH_TOKEN_PREFIX),
            user,
            rehashed,
        })
    }

    /// Stores the refresh token (as a new token family) and any rehashed
    /// password, and gives the tokens out.
    async fn store(self, db: &Database, auth: &AuthState) -> Result<TokenResponse, ApiError> {
        let Self {
            user,
            rehashed,
            access,
            refresh,
        } = self;
        let digest = secrets::digest(&refresh);
        let expires_at = Utc::now() + auth.refresh_ttl;
        db::write(db, move |tx| {
            sessions::start(tx, user.id, &digest, expires_at, rehashed.as_deref())
        })
        .await?;
        Ok(TokenResponse {
            access_token: access.token,
            token_type: "Bearer",
            expires_in: access.expires_in,
            refresh_token: Some(refresh),
            scope: None,
        })
    }
}

/// OAuth 2.0 token endpoint
///
/// RFC 6749, form-encoded. `grant_type=client_credentials` for machine
/// clients (client id and secret by HTTP Basic or in the body; optional
/// `scope` to narrow the token) and `grant_type=refresh_token` for people.
/// A refresh token works once: the answer carries its successor, and
/// presenting a used one revokes every token of that login. Errors use the
/// RFC 6749 shape (`invalid_client`, `invalid_grant`, …).
#[utoipa::path(
    tag = "auth",
    operation_id = "requestToken",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    security(("basic" = []), ()),
    responses(
        (status = 200, description = "A token", body = TokenResponse),
        (status = 400, description = "`invalid_request`, `invalid_grant`, `unsupported_grant_type` or `invalid_scope`", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`: unknown or revoked client, or wrong secret", body = OAuthErrorBody),
        (status = 429, description = "Too many attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/token")]
#[tracing::instrument(skip_all)]
pub async fn token(
    req: HttpRequest,
    db: web::Data<Database>,
    auth: web::Data<AuthState>,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    exchange(&req, &db, &auth, &body).await
}

/// The token endpoint's work, shared with PACT's `/auth/token`.
pub(crate) async fn exchange(
    req: &HttpRequest,
    db: &Database,
    auth: &AuthState,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send the parameters form-encoded (application/x-www-form-urlencoded)",
        ));
    }
    let params: TokenRequest = serde_urlencoded::from_bytes(body).map_err(|error| {
        oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &error.to_string(),
        )
    })?;
    let response = match params.grant_type.as_str() {
        "client_credentials" => client_credentials(req, db, auth, params).await?,
        "refresh_token" => refresh(req, db, auth, params).await?,
        other => {
            return Err(oauth(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("`{other}` is not supported; use client_credentials or refresh_token"),
            ));
        }
    };
    Ok(no_store(HttpResponse::Ok()).json(response))
}

async fn client_credentials(
    req: &HttpRequest,
    db: &Database,
    auth: &AuthState,
    params: TokenRequest,
) -> Result<TokenResponse, ApiError> {
    let (client_id, secret) = match basic_credentials(req)? {
        Some(credentials) => credentials,
        None => match (params.client_id, params.client_secret) {
            (Some(id), Some(secret)) => (id, secret),
            _ => {
                return Err(oauth(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "client authentication is required",
                ));
            }
        },
    };
    auth.throttle
        .attempt(&format!("client:{client_id}"), peer_ip(req))
        .map_err(too_many)?;
    let bad_client = || {
        oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown or revoked client, or wrong secret",
        )
    };
    let id: ClientId = client_id.parse().map_err(|_| bad_client())?;
    let found = db::read(db, move |conn| sessions::client_credentials(conn, id)).await?;
    let Some((client, hash)) = found else {
        return Err(bad_client());
    };
    if client.revoked_at.is_some() || !secrets::matches(&secret, &hash) {
        tracing::info!(client_id = %client.id, "client authentication failed");
        return Err(bad_client());
    }
    let scopes = match params.scope.as_deref() {
        Some(requested) => Scopes::parse_spaced("scope", requested)
            .ok()
            .filter(|scopes| scopes.is_subset_of(&client.scopes) && !scopes.is_empty())
            .ok_or_else(|| {
                oauth(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    "request only scopes the client was granted",
                )
            })?,
        None => client.scopes.clone(),
    };
    let caller = Caller {
        org_id: client.org_id,
        actor: Actor::Client {
            id: client.id,
            scopes: scopes.clone(),
        },
    };
    let access = auth.tokens.issue(&caller).map_err(ApiError::internal)?;
    Ok(TokenResponse {
        access_token: access.token,
        token_type: "Bearer",
        expires_in: access.expires_in,
        refresh_token: None,
        scope: Some(scopes.to_string()),
    })
}

async fn refresh(
    req: &HttpRequest,
    db: &Database,
    auth: &AuthState,
    params: TokenRequest,
) -> Result<TokenResponse, ApiError> {
    let presented = params
        .refresh_token
        .filter(|presented| !presented.is_empty())
        .ok_or_else(|| {
            oauth(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "refresh_token is required",
            )
        })?;
    let presented_digest = secrets::digest(&presented);
    auth.throttle
        .attempt(&format!("refresh:{presented_digest}"), peer_ip(req))
        .map_err(too_many)?;
    let successor = secrets::generate(secrets::REFRESH_TOKEN_PREFIX);
    let successor_digest = secrets::digest(&successor);
    let expires_at = Utc::now() + auth.refresh_ttl;
    let outcome = db::write(db, move |tx| {
        sessions::refresh(tx, &presented_digest, &successor_digest, expires_at)
    })
    .await?;
    let invalid = || {
        oauth(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "the refresh token is invalid, expired or revoked",
        )
    };
    match outcome {
        (Redemption::Rotated { .. }, Some(user)) if user.is_active() => {
            let caller = Caller {
                org_id: user.org_id,
                actor: Actor::User {
                    id: user.id,
                    role: user.role,
                },
            };
            let access = auth.tokens.issue(&caller).map_err(ApiError::internal)?;
            Ok(TokenResponse {
                access_token: access.token,
                token_type: "Bearer",
                expires_in: access.expires_in,
                refresh_token: Some(successor),
                scope: None,
            })
        }
        (Redemption::Reused, _) => {
            tracing::warn!("a used refresh token was presented again; its family is revoked");
            Err(invalid())
        }
        _ => Err(invalid()),
    }
}

/// Log out
///
/// Revokes the refresh token and every token issued from the same login.
/// Answers 204 whether or not the token was known (RFC 7009).
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    request_body = LogoutRequest,
    responses(
        (status = 204, description = "Revoked"),
        (status = 422, description = "`refresh_token` is missing", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/logout")]
#[tracing::instrument(skip_all)]
pub async fn logout(
    db: web::Data<Database>,
    JsonBody(body): JsonBody<LogoutRequest>,
) -> Result<HttpResponse, ApiError> {
    if body.refresh_token.is_empty() {
        return Err(ApiError::Validation(ValidationErrors::from(
            FieldError::new("refresh_token", "required", "the refresh token to revoke"),
        )));
    }
    let digest = secrets::digest(&body.refresh_token);
    db::write(&db, move |tx| sessions::end(tx, &digest)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Public keys of access tokens (JWKS)
///
/// The Ed25519 keys that verify access tokens, as an RFC 7517 key set. During
/// a key rotation it lists the previous key too.
#[utoipa::path(
    tag = "auth",
    operation_id = "getJwks",
    responses((status = 200, description = "The key set", body = Jwks))
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(auth: web::Data<AuthState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(auth.tokens.keys().jwks())
}

fn oauth(status: StatusCode, error: &'static str, description: &str) -> ApiError {
    ApiError::OAuth {
        status,
        error,
        description: description.to_owned(),
    }
}

fn no_store(mut response: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    response
}

/// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
fn basic_credentials(req: &HttpRequest) -> Result<Option<(String, String)>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || {
        oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "malformed Basic credentials",
        )
    };
    let value = value.to_str().map_err(|_| malformed())?;
    let Some((scheme, encoded)) = value.split_once(' ') else {
        return Err(malformed());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let unescape = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Ok(Some((
        unescape(id).unwrap_or_default(),
        unescape(secret).unwrap_or_default(),
    )))
}
