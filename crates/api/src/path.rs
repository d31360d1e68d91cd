//! Typed path parameters: a handler takes [`Id<RequestId>`] (the `{id}`
//! segment) or [`Revision`] (`{revision}`) instead of a string it must
//! parse; a malformed one is a 400 `invalid_parameter` naming it, before
//! the handler runs.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{Ready, ready};
use tierlink_domain::FieldError;
use tierlink_domain::ids::{
    ClientId, EvidenceId, InvitationId, OrgId, RequestId, RequirementId, RevisionNumber, UserId,
};

use crate::problem::ApiError;

/// A value a path segment parses into; `field` names the segment.
pub trait PathValue: Sized {
    fn parse_segment(field: &str, raw: &str) -> Result<Self, FieldError>;
}

macro_rules! typed_ids {
    ($($id:ty),*) => {
        $(impl PathValue for $id {
            fn parse_segment(field: &str, raw: &str) -> Result<Self, FieldError> {
                <$id>::parse(field, raw)
            }
        })*
    };
}

typed_ids!(
    OrgId,
    UserId,
    ClientId,
    RequestId,
    RequirementId,
    EvidenceId,
    InvitationId,
    RevisionNumber
);

fn segment<T: PathValue>(req: &HttpRequest, name: &str) -> Result<T, ApiError> {
    let raw = req.match_info().get(name).unwrap_or_default();
    T::parse_segment(name, raw).map_err(ApiError::invalid_parameter)
}

/// The `{id}` segment of the path, parsed.
#[derive(Debug, Clone, Copy)]
pub struct Id<T>(pub T);

impl<T: PathValue> FromRequest for Id<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(segment(req, "id").map(Id))
    }
}

/// The `{revision}` segment of the path: a revision number from 1.
#[derive(Debug, Clone, Copy)]
pub struct Revision(pub RevisionNumber);

impl FromRequest for Revision {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(segment(req, "revision").map(Revision))
    }
}
