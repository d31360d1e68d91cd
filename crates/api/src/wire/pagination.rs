//! Cursor pagination on the wire: `limit` and `cursor` query parameters in,
//! `next_cursor` in the body and an RFC 8288 `Link: <…>; rel="next"` header out.

use actix_web::HttpRequest;
use actix_web::http::header::HeaderValue;
use serde::Deserialize;
use tierlink_domain::ValidationErrors;
use tierlink_domain::pagination::{Cursor, PageLimit, PageRequest};
use utoipa::IntoParams;

use crate::problem::ApiError;

/// Which page of a list to return.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, default = 50, example = 50)]
    pub limit: Option<u32>,
    /// Where to continue: the `next_cursor` of the previous page. Opaque.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn to_request(&self) -> Result<PageRequest, ApiError> {
        let mut errors = ValidationErrors::new();
        let limit = errors.collect(PageLimit::parse(self.limit));
        let after = self.cursor.as_deref().map(Cursor::decode).transpose();
        let after = errors.collect(after);
        match (limit, after) {
            (Some(limit), Some(after)) => Ok(PageRequest { limit, after }),
            _ => Err(ApiError::InvalidParameter(errors)),
        }
    }
}

/// The `Link` header pointing at the next page: an absolute URL built from
/// the request, keeping its other query parameters.
pub fn next_link(req: &HttpRequest, next: &Cursor) -> Option<HeaderValue> {
    let info = req.connection_info();
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if key != "cursor" {
            query.append_pair(&key, &value);
        }
    }
    query.append_pair("cursor", &next.encode());
    let url = format!(
        "{}://{}{}?{}",
        info.scheme(),
        info.host(),
        req.path(),
        query.finish()
    );
    HeaderValue::from_str(&format!("<{url}>; rel=\"next\"")).ok()
}
