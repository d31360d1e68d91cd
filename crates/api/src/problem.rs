//! Errors as RFC 9457 problem details (`application/problem+json`).
//!
//! [`ApiError`] is the one error type handlers return; each variant has a
//! status and a stable `code`. Internal causes are logged (inside the
//! request's span, so with its request id) and never sent to the client.
//! [`backstop`] converts error responses produced outside our handlers
//! (actix's own 404s, 405s, extractor failures) into the same shape.

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use tierlink_domain::access::Permission;
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::StoreError;
use tierlink_persistence::error::Contention;
use tierlink_persistence::log_throttle::LogThrottle;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// How often a warning about a 503's cause (the database unreachable or
/// locked, the hashing queue full) may be written: under a flood every
/// refused request has that cause, and one line per interval, with the
/// count left out, says as much.
pub const WARNING_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);

/// A problem detail (RFC 9457) with Tierlink's extensions `code` and `errors`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:tierlink:problem:validation_failed",
    "title": "The request is not valid",
    "status": 422,
    "detail": "2 fields are not valid",
    "code": "validation_failed",
    "errors": [
        {"field": "country", "code": "invalid_country", "message": "`XX` is not an ISO 3166-1 alpha-2 country code (such as KR or DE)"},
        {"field": "identifiers[0].value", "code": "invalid_check_digit", "message": "`124-81-00997` is not a valid business registration number (wrong check digit)"}
    ]
}))]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:tierlink:problem:{code}`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong in this occurrence, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A stable, machine-readable code; switch on this, not on `title`.
    pub code: String,
    /// For invalid input: every offending field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub errors: Vec<ProblemField>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// Where the field is: `name`, `identifiers[0].value`, or a parameter name.
    pub field: String,
    /// A stable code for what is wrong with it.
    pub code: String,
    /// What is wrong, for people.
    pub message: String,
}

impl From<FieldError> for ProblemField {
    fn from(error: FieldError) -> Self {
        Self {
            field: error.field,
            code: error.code.to_owned(),
            message: error.message,
        }
    }
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, title: &str, detail: Option<String>) -> Self {
        Self {
            problem_type: format!("urn:tierlink:problem:{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            errors: Vec::new(),
        }
    }

    /// A generic problem for a bare status, used when the status is all we know.
    pub fn for_status(status: StatusCode) -> Self {
        let code = match status {
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::NOT_ACCEPTABLE => "not_acceptable",
            StatusCode::REQUEST_TIMEOUT => "request_timeout",
            StatusCode::LENGTH_REQUIRED => "length_required",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::URI_TOO_LONG => "uri_too_long",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
            StatusCode::SERVICE_UNAVAILABLE => "service_unavailable",
            s if s.is_client_error() => "client_error",
            _ => "internal_error",
        };
        let title = status.canonical_reason().unwrap_or("Error");
        Self::new(status, code, title, None)
    }

    #[must_use]
    pub fn with_errors(mut self, errors: Vec<ProblemField>) -> Self {
        self.errors = errors;
        self
    }

    pub fn to_response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        HttpResponse::build(status)
            .content_type(PROBLEM_JSON)
            .json(self)
    }
}

/// Every error a handler can return.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is well-formed but its values are not valid.
    #[error("validation failed: {0}")]
    Validation(ValidationErrors),
    /// A path or query parameter is not valid.
    #[error("invalid parameter: {0}")]
    InvalidParameter(ValidationErrors),
    /// The body is not valid JSON.
    #[error("malformed JSON body: {0}")]
    MalformedJson(String),
    /// The body is not of the type the endpoint takes (`expected`, e.g.
    /// `application/json`, `text/csv`); `found` says what it was.
    #[error("unsupported media type: {found} (expected {expected})")]
    UnsupportedMediaType {
        expected: &'static str,
        found: String,
    },
    #[error("payload too large (limit {limit} bytes)")]
    PayloadTooLarge { limit: usize },
    /// No valid credentials: missing, expired or forged token, disabled account.
    #[error("unauthenticated: {0}")]
    Unauthenticated(&'static str),
    /// Wrong e-mail or password (the same answer for both), or a disabled account.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The caller is known but lacks the permission.
    #[error("forbidden: needs {0:?}")]
    Forbidden(Permission),
    /// The caller is known but the action is not open to them.
    #[error("denied: {message}")]
    Denied { code: &'static str, message: String },
    /// Too many attempts; retry after this many seconds.
    #[error("too many requests")]
    TooManyRequests { retry_after: u64 },
    /// An OAuth 2.0 token endpoint error (RFC 6749 §5.2), sent in that shape.
    #[error("oauth error {error}: {description}")]
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: String,
    },
    /// The resource does not exist or the caller may not know it does.
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// The request conflicts with the current state (a duplicate, say).
    #[error("conflict: {message}")]
    Conflict {
        code: &'static str,
        field: Option<String>,
        message: String,
    },
    /// `If-Match` names a revision that is no longer current.
    #[error("precondition failed")]
    PreconditionFailed { current_etag: String },
    /// The update needs `If-Match` and the request had none.
    #[error("precondition required")]
    PreconditionRequired,
    /// The database cannot be reached; retrying later may work.
    #[error("service unavailable")]
    Unavailable,
    /// The disk the database or the evidence store writes to is full:
    /// 503 `storage_full` with `Retry-After: 60`; nothing was written.
    #[error("storage full")]
    StorageFull,
    /// A lock another transaction held was not released in time (or the
    /// database broke a deadlock by failing this request): 503 with
    /// `Retry-After: 1`; nothing was written.
    #[error("database busy")]
    Busy,
    /// Too many password checks or hashes are already waiting for the
    /// hashing threads: 503 with `Retry-After: 1`; nothing was done.
    #[error("password hashing busy")]
    PasswordHashingBusy,
    /// A bug or an infrastructure failure. The cause was logged.
    #[error("internal error")]
    Internal,
}

impl ApiError {
    /// 415: the body's `Content-Type` (or its absence) is not `expected`.
    pub fn wrong_content_type(expected: &'static str, content_type: Option<&str>) -> Self {
        Self::UnsupportedMediaType {
            expected,
            found: content_type.map_or_else(
                || "no Content-Type".to_owned(),
                |found| format!("`{found}`"),
            ),
        }
    }

    /// Logs `cause` with the current request's span and returns [`ApiError::Internal`].
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::Internal
    }

    pub fn invalid_parameter(error: FieldError) -> Self {
        Self::InvalidParameter(error.into())
    }

    pub(crate) fn problem(&self) -> Problem {
        let status = self.status_code();
        match self {
            Self::Validation(errors) => Problem::new(
                status,
                "validation_failed",
                "The request is not valid",
                Some(count_detail(errors)),
            )
            .with_errors(fields(errors)),
            Self::InvalidParameter(errors) => Problem::new(
                status,
                "invalid_parameter",
                "A parameter is not valid",
                Some(count_detail(errors)),
            )
            .with_errors(fields(errors)),
            Self::MalformedJson(reason) => Problem::new(
                status,
                "malformed_json",
                "The request body is not valid JSON",
                Some(reason.clone()),
            ),
            Self::UnsupportedMediaType { expected, found } => Problem::new(
                status,
                "unsupported_media_type",
                "Unsupported media type",
                Some(format!("expected {expected}, got {found}")),
            ),
            Self::PayloadTooLarge { limit } => Problem::new(
                status,
                "payload_too_large",
                "The request body is too large",
                Some(format!("the limit is {limit} bytes")),
            ),
            Self::Unauthenticated(reason) => Problem::new(
                status,
                "unauthorized",
                "Authentication required",
                Some((*reason).to_owned()),
            ),
            Self::InvalidCredentials => Problem::new(
                status,
                "invalid_credentials",
                "Invalid credentials",
                Some("wrong e-mail or password".to_owned()),
            ),
            Self::Forbidden(permission) => Problem::new(
                status,
                "forbidden",
                "Not allowed",
                Some(format!(
                    "this needs the {} permission, which the caller does not have",
                    permission_name(*permission)
                )),
            ),
            Self::Denied { code, message } => {
                Problem::new(status, code, "Not allowed", Some(message.clone()))
            }
            Self::TooManyRequests { retry_after } => Problem::new(
                status,
                "too_many_requests",
                "Too many attempts",
                Some(format!("retry after {retry_after} seconds")),
            ),
            Self::OAuth {
                error, description, ..
            } => Problem::new(status, error, "OAuth error", Some(description.clone())),
            Self::NotFound(what) => Problem::new(
                status,
                "not_found",
                "Not found",
                Some(format!("no such {what}")),
            ),
            Self::Conflict {
                code,
                field,
                message,
            } => {
                let problem = Problem::new(status, code, "Conflict", Some(message.clone()));
                match field {
                    Some(field) => problem.with_errors(vec![ProblemField {
                        field: field.clone(),
                        code: (*code).to_owned(),
                        message: message.clone(),
                    }]),
                    None => problem,
                }
            }
            Self::PreconditionFailed { current_etag } => Problem::new(
                status,
                "stale_revision",
                "The resource has changed",
                Some(format!("If-Match does not match the current ETag {current_etag}; fetch it again and retry")),
            ),
            Self::PreconditionRequired => Problem::new(
                status,
                "if_match_required",
                "If-Match required",
                Some("send the ETag of the version you read in If-Match, so concurrent edits are not lost".to_owned()),
            ),
            Self::StorageFull => Problem::new(
                status,
                "storage_full",
                "The service cannot store anything now",
                Some(
                    "the server's storage is full; nothing was saved, send the same request \
                     again later"
                        .to_owned(),
                ),
            ),
            Self::Unavailable => Problem::new(
                status,
                "service_unavailable",
                "The service is temporarily unavailable",
                Some("the database cannot be reached; retry later".to_owned()),
            ),
            Self::PasswordHashingBusy => Problem::new(
                status,
                "password_hashing_busy",
                "Too many password checks at once",
                Some(
                    "the password checks and hashes waiting have reached their limit; nothing \
                     was done, send the same request again after the Retry-After seconds"
                        .to_owned(),
                ),
            ),
            Self::Busy => Problem::new(
                status,
                "database_busy",
                "The data is busy",
                Some(
                    "another change held the records this request needed; nothing was \
                     written, send the same request again (with the same Idempotency-Key \
                     for creates)"
                        .to_owned(),
                ),
            ),
            Self::Internal => Problem::new(
                status,
                "internal_error",
                "Internal server error",
                Some(
                    "something went wrong on our side; the request id identifies it in our logs"
                        .to_owned(),
                ),
            ),
        }
    }
}

fn permission_name(permission: Permission) -> &'static str {
    match permission {
        Permission::ReadOrganisation => "read-organisation",
        Permission::ManageUsers => "manage-users (admins only)",
        Permission::ManageClients => "manage-clients (admins only)",
        Permission::ReadAudit => "read-audit (admins only)",
        Permission::ManageNetwork => "manage-network (admins only)",
        Permission::ReadRequirements => "read-requirements (scope requirements:read)",
        Permission::WriteRequirements => {
            "write-requirements (role editor, or scope requirements:write)"
        }
        Permission::ReadResponses => "read-responses (scope responses:read)",
        Permission::WriteResponses => "write-responses (role editor, or scope responses:write)",
        Permission::ListFootprints => "list-footprints (scope footprint:list)",
        Permission::ReadFootprints => "read-footprints (scope footprint:read)",
    }
}

fn count_detail(errors: &ValidationErrors) -> String {
    match errors.errors() {
        [one] => one.to_string(),
        many => format!("{} fields are not valid", many.len()),
    }
}

fn fields(errors: &ValidationErrors) -> Vec<ProblemField> {
    errors
        .errors()
        .iter()
        .cloned()
        .map(ProblemField::from)
        .collect()
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::InvalidParameter(_) | Self::MalformedJson(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unauthenticated(_) | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::Denied { .. } => StatusCode::FORBIDDEN,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::OAuth { status, .. } => *status,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::Unavailable | Self::StorageFull | Self::Busy | Self::PasswordHashingBusy => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        if let Self::OAuth {
            status,
            error,
            description,
        } = self
        {
            return oauth_error_response(*status, error, description);
        }
        let mut response = self.problem().to_response();
        let headers = response.headers_mut();
        match self {
            Self::Unavailable => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            Self::StorageFull => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            }
            Self::Busy | Self::PasswordHashingBusy => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            Self::TooManyRequests { retry_after } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            Self::Unauthenticated(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"tierlink\", error=\"invalid_token\""),
                );
            }
            _ => {}
        }
        response
    }
}

/// The RFC 6749 §5.2 error shape: `{"error": ..., "error_description": ...}`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"error": "invalid_client", "error_description": "unknown client or wrong secret"}),
    as = OAuthError)]
pub struct OAuthErrorBody {
    #[schema(value_type = crate::wire::enums::OAuthErrorCode)]
    pub error: String,
    /// What went wrong, for people.
    pub error_description: String,
}

fn oauth_error_response(status: StatusCode, error: &str, description: &str) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"tierlink\""));
    }
    response.json(OAuthErrorBody {
        error: error.to_owned(),
        error_description: description.to_owned(),
    })
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Validation(errors)
    }
}

impl ApiError {
    /// An evidence store's failure: a full disk is a 503 `storage_full`
    /// (logged at most once per interval), anything else a 500.
    pub fn from_storage(error: String) -> Self {
        if tierlink_persistence::error::is_storage_full(&error) {
            static FULL: LogThrottle = LogThrottle::new(WARNING_INTERVAL);
            if let Some(left_out) = FULL.admit() {
                tracing::error!(%error, left_out, "the evidence store's storage is full");
            }
            return Self::StorageFull;
        }
        Self::internal(error)
    }
}

impl From<tierlink_usecases::Error> for ApiError {
    fn from(error: tierlink_usecases::Error) -> Self {
        use tierlink_usecases::Error;
        match error {
            Error::NotFound(what) => Self::NotFound(what),
            Error::Rejected(rejection) => Self::Conflict {
                code: rejection.code,
                field: rejection.field,
                message: rejection.message,
            },
            Error::Invalid(errors) => Self::Validation(errors),
            Error::Stale { current } => Self::PreconditionFailed {
                current_etag: crate::wire::etag::format(current),
            },
            Error::Duplicate { field, message } => Self::Conflict {
                code: "duplicate",
                field,
                message,
            },
            Error::Store(error) => error.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound("resource"),
            StoreError::Duplicate { field, message } => Self::Conflict {
                code: "duplicate",
                field,
                message,
            },
            StoreError::Rejected {
                code,
                field,
                message,
            } => Self::Conflict {
                code,
                field,
                message,
            },
            StoreError::Invalid(error) => Self::Validation(error.into()),
            StoreError::InvalidAll(errors) => {
                let mut all = ValidationErrors::new();
                for error in errors {
                    all.push(error);
                }
                Self::Validation(all)
            }
            StoreError::Stale { current } => Self::PreconditionFailed {
                current_etag: crate::wire::etag::format(current),
            },
            StoreError::Unavailable(reason) => {
                static UNAVAILABLE: LogThrottle = LogThrottle::new(WARNING_INTERVAL);
                if let Some(left_out) = UNAVAILABLE.admit() {
                    tracing::warn!(%reason, left_out, "database unavailable");
                }
                Self::Unavailable
            }
            StoreError::Busy { kind, reason } => {
                // One throttle per kind, so a storm of lock waits does not
                // hide a deadlock (which points at a lock-order bug).
                static LOCK_WAIT: LogThrottle = LogThrottle::new(WARNING_INTERVAL);
                static DEADLOCK: LogThrottle = LogThrottle::new(WARNING_INTERVAL);
                static SERIALIZATION: LogThrottle = LogThrottle::new(WARNING_INTERVAL);
                let (throttle, what) = match kind {
                    Contention::LockWait => (&LOCK_WAIT, "gave up waiting for a database lock"),
                    Contention::Deadlock => {
                        (&DEADLOCK, "a deadlock chose this request as its victim")
                    }
                    Contention::Serialization => (&SERIALIZATION, "a serialisation conflict"),
                };
                if let Some(left_out) = throttle.admit() {
                    tracing::warn!(%reason, left_out, "{what}");
                }
                Self::Busy
            }
            StoreError::StorageFull(reason) => {
                static FULL: LogThrottle = LogThrottle::new(WARNING_INTERVAL);
                if let Some(left_out) = FULL.admit() {
                    tracing::error!(%reason, left_out, "the database's storage is full");
                }
                Self::StorageFull
            }
            other @ (StoreError::Corrupt(_) | StoreError::Database(_)) => Self::internal(other),
        }
    }
}

/// Error-handler middleware callback: replaces the body of any error
/// response that is not problem+json already with a generic problem for its
/// status, keeping headers such as `Allow` and `Retry-After`.
pub fn backstop<B>(response: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // Problems pass through, and so do the JSON errors of the OAuth token
    // endpoint, which RFC 6749 gives their own shape.
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value.starts_with(PROBLEM_JSON) || value.starts_with("application/json")
        });
    if is_json {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let (request, old) = response.into_parts();
    let mut replacement = Problem::for_status(status).to_response();
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(value) = old.headers().get(&name) {
            replacement.headers_mut().insert(name, value.clone());
        }
    }
    let response =
        ServiceResponse::new(request, replacement).map_body(|_, body| EitherBody::right(body));
    Ok(ErrorHandlerResponse::Response(response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_a_503_with_a_stable_code_and_a_retry_after() {
        let response = ApiError::from(StoreError::StorageFull(
            "could not extend file: No space left on device".to_owned(),
        ))
        .error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers().get(header::RETRY_AFTER),
            Some(&HeaderValue::from_static("60"))
        );
        let problem = ApiError::StorageFull.problem();
        assert_eq!(problem.code, "storage_full");
        assert!(
            problem
                .detail
                .as_deref()
                .is_some_and(|d| !d.contains("extend file")),
            "no internals"
        );
        assert!(matches!(
            ApiError::from_storage("write: No space left on device (os error 28)".to_owned()),
            ApiError::StorageFull
        ));
    }
}
