//! Small helpers shared by handlers.

use std::net::IpAddr;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use tierlink_domain::identity::Password;
use tierlink_domain::pagination::Cursor;

use crate::auth::AuthState;
use crate::auth::hashing::Place;
use crate::auth::throttle::RetryAfter;
use crate::problem::ApiError;
use crate::wire::pagination::next_link;

/// The address the request came from (the TCP peer).
pub fn peer_ip(req: &HttpRequest) -> Option<IpAddr> {
    req.peer_addr().map(|address| address.ip())
}

/// Hashes a password on the hashing threads.
pub async fn hash_password(auth: &AuthState, password: Password) -> Result<String, ApiError> {
    let place = auth.hashing.reserve()?;
    hash_password_in(auth, place, password).await
}

/// Hashes a password in a place of the hashing queue taken earlier.
pub async fn hash_password_in(
    auth: &AuthState,
    place: Place,
    password: Password,
) -> Result<String, ApiError> {
    let hasher = auth.passwords.clone();
    auth.hashing
        .run_in(place, move || hasher.hash(&password))
        .await?
        .map_err(ApiError::internal)
}

/// 429 with `Retry-After` for a throttled attempt.
pub fn too_many(retry: RetryAfter) -> ApiError {
    ApiError::TooManyRequests {
        retry_after: retry.0,
    }
}

/// A 200 response builder for a page, with the `Link` header when there is a next page.
pub fn page_response(req: &HttpRequest, next: Option<&Cursor>) -> HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    if let Some(link) = next.and_then(|next| next_link(req, next)) {
        response.insert_header((header::LINK, link));
    }
    response
}

/// Today's date in UTC: due dates and overdue flags are judged against it.
pub fn today() -> chrono::NaiveDate {
    tierlink_domain::time::now().date_naive()
}
