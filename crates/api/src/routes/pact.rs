//! The PACT v3 API (WBCSD Partnership for Carbon Transparency, Technical
//! Specifications 3.0.x), as a host system: `POST /auth/token`,
//! `/.well-known/openid-configuration`, `GET /3/footprints` with PACT's
//! filters and `Link` pagination, and `GET /3/footprints/{id}`. A caller
//! sees the footprints its suppliers published to its organisation.
//!
//! Errors here are PACT's `{code, message}` as `application/json`, not
//! problem details: PACT clients switch on `code`.

use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use chrono::{DateTime, Utc};
use futures_util::future::LocalBoxFuture;
use serde::Serialize;
use tierlink_domain::access::Caller;
use tierlink_domain::footprints::{FootprintStatus, ProductFootprint};
use tierlink_domain::ids::FootprintId;
use tierlink_domain::pagination::Cursor;
use tierlink_persistence::Database;
use tierlink_persistence::footprints::Criteria;
use tierlink_usecases::footprints as usecase;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthState;
use crate::auth::caller::{Authorized, EXPIRED_TOKEN, Requirement, need};
use crate::db;
use crate::openapi::pact::{PactError as PactErrorSchema, PactProductFootprint};
use crate::problem::{ApiError, OAuthErrorBody};
use crate::wire::auth::{TokenRequest, TokenResponse};
use crate::wire::pagination::next_link;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(pact_token)
        .service(openid_configuration)
        .service(list_footprints)
        .service(get_footprint);
}

/// The largest page `GET /3/footprints` returns, and its default.
const MAX_LIMIT: usize = 1_000;
const DEFAULT_LIMIT: usize = 100;

/// A PACT error: `{code, message}` with its status.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct PactError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl PactError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "BadRequest",
            message: message.into(),
        }
    }

    fn not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "NotFound",
            message: "The requested footprint could not be found.".into(),
        }
    }
}

#[derive(Serialize)]
struct PactErrorBody<'a> {
    code: &'a str,
    message: &'a str,
}

impl ResponseError for PactError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let mut response = HttpResponse::build(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tierlink\", error=\"invalid_token\""),
            ));
        }
        response.json(PactErrorBody {
            code: self.code,
            message: &self.message,
        })
    }
}

/// Tierlink's errors in PACT's terms: an expired token is `TokenExpired`,
/// any other bad token `BadRequest` (as PACT's conformance tests expect)
/// with 401; a missing permission `AccessDenied`; server trouble
/// `InternalError`, its cause kept to the log.
impl From<ApiError> for PactError {
    fn from(error: ApiError) -> Self {
        let status = match error.status_code() {
            // PACT knows no 422: input it cannot take is a BadRequest.
            StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
            status => status,
        };
        let (code, message) = match &error {
            ApiError::Unauthenticated(reason) if *reason == EXPIRED_TOKEN => {
                ("TokenExpired", (*reason).to_owned())
            }
            ApiError::Unauthenticated(_) => ("BadRequest", "Invalid token provided".to_owned()),
            ApiError::Forbidden(_) | ApiError::Denied { .. } => {
                ("AccessDenied", "Access Denied".to_owned())
            }
            ApiError::NotFound(_) => return Self::not_found(),
            _ if status.is_client_error() => (
                "BadRequest",
                error.problem().detail.unwrap_or_else(|| error.to_string()),
            ),
            _ => (
                "InternalError",
                "The server could not answer; try again".to_owned(),
            ),
        };
        Self {
            status,
            code,
            message,
        }
    }
}

/// A caller holding permission `P`, or a PACT error.
#[derive(Debug)]
pub struct PactCaller<P>(pub Caller, pub std::marker::PhantomData<P>);

impl<P: Requirement + 'static> actix_web::FromRequest for PactCaller<P> {
    type Error = PactError;
    type Future = LocalBoxFuture<'static, Result<Self, PactError>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let authorized = Authorized::<P>::from_request(req, payload);
        Box::pin(async move {
            authorized
                .await
                .map(|Authorized(caller, ..)| Self(caller, std::marker::PhantomData))
                .map_err(PactError::from)
        })
    }
}

/// PACT Action Authenticate
///
/// OAuth 2.0 client credentials (RFC 6749 §4.4): the client id and secret
/// of a Tierlink API client by HTTP Basic (or in the body), form body
/// `grant_type=client_credentials`. Give the client the scopes
/// `footprint:list` and `footprint:read`. Parameters PACT clients may add
/// (`audience`, `resource`) are ignored. The same endpoint as
/// `/v1/auth/token`, at the path PACT clients look for.
#[utoipa::path(
    tag = "pact",
    operation_id = "pactAuthenticate",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    security(("basic" = []), ()),
    responses(
        (status = 200, description = "A token", body = TokenResponse),
        (status = 400, description = "`invalid_request`, `unsupported_grant_type` or `invalid_scope`", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`: unknown or revoked client, or wrong secret", body = OAuthErrorBody)
    )
)]
#[post("/auth/token")]
#[tracing::instrument(skip_all)]
pub async fn pact_token(
    req: HttpRequest,
    db: web::Data<Database>,
    auth: web::Data<AuthState>,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    crate::routes::auth::exchange(&req, &db, &auth, &body).await
}

/// The OpenID Provider configuration PACT clients read.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenIdConfiguration {
    /// This server's origin.
    #[schema(example = "https://tierlink.example.com")]
    pub issuer: String,
    /// Where PACT clients get tokens.
    #[schema(example = "https://tierlink.example.com/auth/token")]
    pub token_endpoint: String,
    #[schema(example = "https://tierlink.example.com/.well-known/jwks.json")]
    pub jwks_uri: String,
    pub grant_types_supported: Vec<&'static str>,
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    pub response_types_supported: Vec<&'static str>,
    pub subject_types_supported: Vec<&'static str>,
    pub id_token_signing_alg_values_supported: Vec<&'static str>,
    pub scopes_supported: Vec<&'static str>,
}

/// The origin the client reached us at (behind a TLS terminator, what its
/// `Forwarded` / `X-Forwarded-*` headers say).
fn origin(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// OpenID Provider configuration
///
/// OpenID Connect Discovery 1.0, for PACT clients that look the token
/// endpoint up (PACT Action Authenticate).
#[utoipa::path(
    tag = "pact",
    operation_id = "pactOpenIdConfiguration",
    responses((status = 200, description = "The configuration", body = OpenIdConfiguration))
)]
#[get("/.well-known/openid-configuration")]
pub async fn openid_configuration(req: HttpRequest) -> web::Json<OpenIdConfiguration> {
    let origin = origin(&req);
    web::Json(OpenIdConfiguration {
        token_endpoint: format!("{origin}/auth/token"),
        jwks_uri: format!("{origin}/.well-known/jwks.json"),
        issuer: origin,
        grant_types_supported: vec!["client_credentials"],
        token_endpoint_auth_methods_supported: vec!["client_secret_basic", "client_secret_post"],
        response_types_supported: vec!["token"],
        subject_types_supported: vec!["public"],
        id_token_signing_alg_values_supported: vec!["EdDSA"],
        scopes_supported: tierlink_domain::access::Scope::ALL
            .iter()
            .map(|s| s.as_str())
            .collect(),
    })
}

/// `{"data": [...]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PactFootprintList {
    #[schema(value_type = Vec<PactProductFootprint>)]
    pub data: Vec<ProductFootprint>,
}

/// `{"data": {...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PactFootprintOne {
    #[schema(value_type = PactProductFootprint)]
    pub data: ProductFootprint,
}

/// A list call's parameters: PACT's filters, `limit`, and our cursor.
struct ListQuery {
    criteria: Criteria,
    limit: usize,
    cursor: Option<String>,
}

/// A date-time filter value. Clients that do not encode the query send
/// the `+` of an offset as a space; it is read back as `+`.
fn date_time(name: &str, value: &str) -> Result<DateTime<Utc>, PactError> {
    DateTime::parse_from_rfc3339(&value.replace(' ', "+"))
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| {
            PactError::bad_request(format!("{name} is not an RFC 3339 date-time: `{value}`"))
        })
}

/// Reads the query as PACT defines it: parameter names in any case, a
/// repeated parameter ORs its values, an empty value is no filter, an
/// unknown `status` matches nothing, unknown parameters are ignored.
fn parse_query(query: &str) -> Result<ListQuery, PactError> {
    let mut criteria = Criteria::default();
    let (mut limit, mut cursor) = (DEFAULT_LIMIT, None);
    let mut statuses: Option<Vec<FootprintStatus>> = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let value = value.to_owned();
        match key.to_ascii_lowercase().as_str() {
            "productid" => criteria.product_ids.push(value),
            "companyid" => criteria.company_ids.push(value),
            "classification" => criteria.classifications.push(value),
            "geography" => criteria.geographies.push(value),
            "status" => {
                let known = statuses.get_or_insert_with(Vec::new);
                known.extend(FootprintStatus::parse(&value));
            }
            "validon" => criteria.valid_on = Some(date_time("validOn", &value)?),
            "validafter" => criteria.valid_after = Some(date_time("validAfter", &value)?),
            "validbefore" => criteria.valid_before = Some(date_time("validBefore", &value)?),
            "limit" => {
                limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n <= MAX_LIMIT)
                    .ok_or_else(|| {
                        PactError::bad_request(format!(
                            "limit is a whole number from 0 to {MAX_LIMIT}"
                        ))
                    })?;
            }
            "cursor" => {
                let id = Cursor::decode(&value)
                    .ok()
                    .and_then(|cursor| FootprintId::parse("cursor", cursor.key()).ok())
                    .ok_or_else(|| PactError::bad_request("cursor is not one this server gave"))?;
                cursor = Some(id.to_string());
            }
            _ => {}
        }
    }
    criteria.statuses = statuses;
    Ok(ListQuery {
        criteria,
        limit,
        cursor,
    })
}

/// PACT Action ListFootprints
///
/// The footprints your suppliers published to you, oldest first,
/// Deprecated ones included unless `status` says otherwise. Filters: a
/// repeated parameter matches any of its values, different parameters
/// must all match; names match in any case, empty values are ignored.
/// URNs and geographies compare case-insensitively; `validOn` (start <=
/// validOn <= end), `validAfter` (start > validAfter) and `validBefore`
/// (end < validBefore) use the validity period. More than `limit`: a
/// `Link: <…>; rel="next"` header with an absolute URL.
#[utoipa::path(
    tag = "pact",
    operation_id = "pactListFootprints",
    params(
        ("limit" = Option<u32>, Query, description = "At most this many footprints (0 to 1000, default 100)", minimum = 0, maximum = 1000),
        ("productId" = Option<Vec<String>>, Query, description = "A URN among the footprint's `productIds`; repeat for any of several", explode = true),
        ("companyId" = Option<Vec<String>>, Query, description = "A URN among the footprint's `companyIds`", explode = true),
        ("geography" = Option<Vec<String>>, Query, description = "The footprint's `geographyCountry`, `geographyRegionOrSubregion` or `geographyCountrySubdivision`", explode = true),
        ("classification" = Option<Vec<String>>, Query, description = "A URN among the footprint's `productClassifications`", explode = true),
        ("validOn" = Option<String>, Query, description = "Valid at this instant (RFC 3339)", format = DateTime),
        ("validAfter" = Option<String>, Query, description = "Validity starting after this instant", format = DateTime),
        ("validBefore" = Option<String>, Query, description = "Validity ending before this instant", format = DateTime),
        ("status" = Option<String>, Query, description = "`Active` or `Deprecated`; any other value matches nothing"),
        ("cursor" = Option<String>, Query, description = "Where the next page starts; use the `Link` header rather than setting it")
    ),
    security(("bearer" = []), ("oauth2" = ["footprint:list"])),
    responses(
        (status = 200, description = "The footprints; a `Link` header names the next page", body = PactFootprintList),
        (status = 400, description = "`BadRequest`: `limit` or a date is not valid", body = PactErrorSchema),
        (status = 401, description = "No valid access token (`BadRequest`, or `TokenExpired`)", body = PactErrorSchema),
        (status = 403, description = "`AccessDenied`: the token lacks `footprint:list`", body = PactErrorSchema)
    )
)]
#[get("/3/footprints")]
#[tracing::instrument(skip_all)]
pub async fn list_footprints(
    req: HttpRequest,
    PactCaller(caller, ..): PactCaller<need::ListFootprints>,
    db: web::Data<Database>,
) -> Result<HttpResponse, PactError> {
    let query = parse_query(req.query_string())?;
    let recipient = caller.org_id;
    let (data, more) = db::read(&db, move |conn| {
        usecase::list_published(
            conn,
            recipient,
            &query.criteria,
            query.cursor.as_deref(),
            query.limit,
        )
    })
    .await?;
    let mut response = HttpResponse::Ok();
    if more {
        // After the last footprint of the page (`limit=0`: from the start).
        let after = data
            .last()
            .map_or_else(|| uuid::Uuid::nil().to_string(), |last| last.id.clone());
        if let Some(link) = next_link(&req, &Cursor::after(after)) {
            response.insert_header((header::LINK, link));
        }
    }
    Ok(response.json(PactFootprintList { data }))
}

/// PACT Action GetFootprint
///
/// One footprint published to you, by its PACT `id`, with its current
/// status (Deprecated ones too).
#[utoipa::path(
    tag = "pact",
    operation_id = "pactGetFootprint",
    params(("id" = uuid::Uuid, Path, description = "The footprint's PACT `id`")),
    security(("bearer" = []), ("oauth2" = ["footprint:read"])),
    responses(
        (status = 200, description = "The footprint", body = PactFootprintOne),
        (status = 401, description = "No valid access token (`BadRequest`, or `TokenExpired`)", body = PactErrorSchema),
        (status = 403, description = "`AccessDenied`: the token lacks `footprint:read`", body = PactErrorSchema),
        (status = 404, description = "`NotFound`: no such footprint published to you", body = PactErrorSchema)
    )
)]
#[get("/3/footprints/{id}")]
#[tracing::instrument(skip(req, caller, db))]
pub async fn get_footprint(
    req: HttpRequest,
    PactCaller(caller, ..): PactCaller<need::ReadFootprints>,
    db: web::Data<Database>,
) -> Result<web::Json<PactFootprintOne>, PactError> {
    let raw = req.match_info().get("id").unwrap_or_default();
    let id = FootprintId::parse("id", raw).map_err(|_| PactError::not_found())?;
    let recipient = caller.org_id;
    let data = db::read(&db, move |conn| usecase::get_published(conn, recipient, id)).await?;
    Ok(web::Json(PactFootprintOne { data }))
}
