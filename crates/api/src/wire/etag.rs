//! Entity tags and conditional requests: every resource that can change
//! carries a revision; reads send it as a strong `ETag`, updates that need
//! it take `If-Match` (412 when stale, 428 when missing).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{Ready, ready};

use crate::problem::ApiError;

/// The `ETag` of revision `revision`: `"3"`.
pub fn format(revision: i32) -> String {
    format!("\"{revision}\"")
}

/// The request's `If-Match` header, if any.
#[derive(Debug, Clone, Copy)]
pub enum IfMatch {
    Absent,
    /// `If-Match: *`: any current version.
    Any,
    /// A revision (or none that we issued, which never matches).
    Revision(Option<i32>),
}

impl IfMatch {
    /// The revision to check, or 428 when the header is missing.
    pub fn required(self) -> Result<Option<i32>, ApiError> {
        match self {
            Self::Absent => Err(ApiError::PreconditionRequired),
            other => Ok(other.optional()),
        }
    }

    /// The revision to check, if the client sent one.
    pub fn optional(self) -> Option<i32> {
        match self {
            Self::Absent | Self::Any => None,
            // A tag we never issued cannot match any revision.
            Self::Revision(revision) => Some(revision.unwrap_or(-1)),
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        ready(Ok(match value {
            None => Self::Absent,
            Some("*") => Self::Any,
            Some(tag) => {
                Self::Revision(tag.trim_start_matches("W/").trim_matches('"').parse().ok())
            }
        }))
    }
}
