//! Request extractors whose failures are problem+json naming the field.
//!
//! [`JsonBody`] replaces `web::Json`: it checks the content type (415),
//! enforces the body limit (413), tells malformed JSON (400) from JSON of
//! the wrong shape (422, with the path of the offending field).
//! [`QueryParams`] does the same for query strings (400).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use futures_util::future::{LocalBoxFuture, Ready, ready};
use serde::de::DeserializeOwned;
use tierlink_domain::{FieldError, ValidationErrors};

use crate::idempotency::{BodyDigest, digest};
use crate::problem::ApiError;

/// The largest JSON body accepted, in bytes (from `TIERLINK_MAX_BODY_BYTES`).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<BodyLimit>()
            .map_or(1024 * 1024, |limit| limit.0);
        let body = read_json(req, payload, limit);
        Box::pin(async move { body.await.map(JsonBody) })
    }
}

/// The largest body of a bulk call, in bytes (from
/// `TIERLINK_MAX_BULK_BODY_BYTES`).
#[derive(Debug, Clone, Copy)]
pub struct BulkBodyLimit(pub usize);

/// A JSON body of a bulk call: [`JsonBody`] with the bulk limit.
#[derive(Debug)]
pub struct BulkJsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for BulkJsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<BulkBodyLimit>()
            .map_or(16 * 1024 * 1024, |limit| limit.0);
        let body = read_json(req, payload, limit);
        Box::pin(async move { body.await.map(BulkJsonBody) })
    }
}

/// Reads and parses a JSON body of at most `limit` bytes.
fn read_json<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    limit: usize,
) -> LocalBoxFuture<'static, Result<T, ApiError>> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|value| value.to_str().unwrap_or("(not text)").to_owned());
    let declared_length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    let mut payload = payload.take();
    let req = req.clone();
    Box::pin(async move {
        check_content_type(content_type.as_deref())?;
        if declared_length.is_some_and(|length| length > limit) {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|error| {
                ApiError::MalformedJson(format!("the body could not be read: {error}"))
            })?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        req.extensions_mut().insert(BodyDigest(digest(&body)));
        parse_json(&body)
    })
}

fn check_content_type(content_type: Option<&str>) -> Result<(), ApiError> {
    let wrong = || ApiError::wrong_content_type("`application/json`", content_type);
    let Some(content_type) = content_type else {
        return Err(wrong());
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
    {
        Ok(())
    } else {
        Err(wrong())
    }
}

/// Parses JSON, telling syntax errors (400) from shape errors (422).
fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // PostgreSQL cannot store NUL in text: refuse it here, as a client mistake.
    if body.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return Err(ApiError::Validation(ValidationErrors::from(
            FieldError::new(
                "",
                "invalid_characters",
                "text must not contain NUL characters (\\u0000)",
            ),
        )));
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut *deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let field = if path == "." { String::new() } else { path };
                let message = strip_position(&inner.to_string());
                ApiError::Validation(ValidationErrors::from(FieldError::new(
                    field,
                    "invalid_type",
                    message,
                )))
            }
            _ => ApiError::MalformedJson(inner.to_string()),
        }
    })?;
    // One JSON value and nothing after it (but white space): trailing
    // bytes are a malformed body, not something to ignore.
    deserializer
        .end()
        .map_err(|error| ApiError::MalformedJson(error.to_string()))?;
    Ok(value)
}

/// serde_json appends " at line 1 column 20"; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// An optional JSON body: absent when the request has no body at all;
/// otherwise it must be valid like [`JsonBody`] (a bad one is not ignored).
#[derive(Debug)]
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<usize>().ok());
        let chunked = req.headers().contains_key(header::TRANSFER_ENCODING);
        if length.unwrap_or(0) == 0 && !chunked {
            return Box::pin(async { Ok(Self(None)) });
        }
        let body = JsonBody::<T>::from_request(req, payload);
        Box::pin(async move { body.await.map(|JsonBody(value)| Self(Some(value))) })
    }
}

/// Query parameters of type `T`.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pairs = form_urlencoded::parse(req.query_string().as_bytes());
        // Parameters may reach SQL, and PostgreSQL's text refuses NUL:
        // control characters are refused here, naming the parameter.
        if let Some((name, _)) = pairs.clone().find(|(name, value)| {
            name.contains(char::is_control) || value.contains(char::is_control)
        }) {
            return ready(Err(ApiError::invalid_parameter(FieldError::new(
                name.chars().filter(|c| !c.is_control()).collect::<String>(),
                "invalid_characters",
                "parameters must not contain control characters (such as NUL)",
            ))));
        }
        let deserializer = serde_urlencoded::Deserializer::new(pairs);
        let result = serde_path_to_error::deserialize(deserializer)
            .map(QueryParams)
            .map_err(|error| {
                let field = error.path().to_string();
                ApiError::invalid_parameter(FieldError::new(
                    field,
                    "invalid_value",
                    error.into_inner().to_string(),
                ))
            });
        ready(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[expect(dead_code, reason = "only the parse result matters")]
    struct Sample {
        name: String,
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[expect(dead_code, reason = "only the parse result matters")]
    struct Item {
        count: u32,
    }

    #[test]
    fn shape_errors_name_the_field() {
        let error =
            parse_json::<Sample>(br#"{"name": "x", "items": [{"count": 1}, {"count": "two"}]}"#)
                .err();
        let Some(ApiError::Validation(errors)) = error else {
            panic!("expected a validation error, got {error:?}");
        };
        assert_eq!(errors.errors()[0].field, "items[1].count");
    }

    #[test]
    fn syntax_errors_are_malformed_json() {
        assert!(matches!(
            parse_json::<Sample>(b"{\"name\": "),
            Err(ApiError::MalformedJson(_))
        ));
    }

    #[test]
    fn nothing_may_follow_the_json_value() {
        let one = br#"{"name": "x", "items": []}"#;
        assert!(parse_json::<Sample>(one).is_ok());
        assert!(parse_json::<Sample>(&[&one[..], b" \n"].concat()).is_ok());
        for trailing in [&b" x"[..], b"{}", b",", b"\0"] {
            let body = [&one[..], trailing].concat();
            assert!(
                matches!(parse_json::<Sample>(&body), Err(ApiError::MalformedJson(_))),
                "{trailing:?}"
            );
        }
    }

    #[test]
    fn json_content_types_are_recognised() {
        assert!(check_content_type(Some("application/json; charset=utf-8")).is_ok());
        assert!(check_content_type(Some("application/merge-patch+json")).is_ok());
        assert!(check_content_type(Some("text/plain")).is_err());
        assert!(check_content_type(None).is_err());
    }
}
