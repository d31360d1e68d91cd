//! Middleware every request passes through.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Instrument;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request, in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

tokio::task_local! {
    /// The id of the request whose handler this task is running, so the
    /// events a write records name the call that made them (see
    /// [`current_request_id`]).
    static CURRENT_REQUEST_ID: String;
}

/// The id of the request being handled by this task, if any (none in
/// background work such as webhook deliveries and reminders).
pub fn current_request_id() -> Option<String> {
    CURRENT_REQUEST_ID.try_with(Clone::clone).ok()
}

/// Takes the request id from `X-Request-Id` (when it is a sane token) or
/// makes one, runs the request inside a span carrying it (so every log line
/// of the request has it), echoes it in the response, adds the security
/// headers ([`secure`]) and logs the outcome.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| is_acceptable_id(value))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId(id.clone()));
    let tenant_data = req.path().starts_with("/v1/") || req.path().starts_with("/3/");
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.path());
    let started = Instant::now();
    let mut response = CURRENT_REQUEST_ID
        .scope(id.clone(), next.call(req).instrument(span.clone()))
        .await?;
    let status = response.status();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        // A 503 is load shed on purpose or a database outage: its cause is
        // logged where it is found, at most once per interval, rather than
        // once per refused request here.
        if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!(status = status.as_u16(), elapsed_ms, "request failed");
        } else {
            tracing::info!(status = status.as_u16(), elapsed_ms, "request finished");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    secure(response.headers_mut(), tenant_data);
    Ok(response)
}

/// The headers every response carries: no content sniffing, no framing
/// (clickjacking), no referrer, and, for the API under `/v1` (tenant
/// data, error answers included), `Cache-Control: no-store` unless the
/// handler chose otherwise. A `Content-Security-Policy` a handler set is
/// kept; otherwise only framing is restricted (Swagger UI still runs).
fn secure(headers: &mut HeaderMap, tenant_data: bool) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
    }
    if tenant_data && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// Client-supplied ids are echoed into logs and headers: accept only short
/// tokens of safe characters, so they cannot forge log lines.
fn is_acceptable_id(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_ids_are_taken_from_clients() {
        assert!(is_acceptable_id("erp-7f3a:42"));
        assert!(!is_acceptable_id(""));
        assert!(!is_acceptable_id("a b"));
        assert!(!is_acceptable_id("line\nbreak"));
        assert!(!is_acceptable_id(&"x".repeat(129)));
    }
}
