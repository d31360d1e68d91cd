//! Typed path parameters: a handler takes [`Id<RequestId>`] (the `{id}`
//! segment) or [`Revision`] (`{revision}`) instead of a string it must
//! parse; a malformed one is a 400 `invalid_parameter` naming it, before
//! the handler runs (or a 405 where the segment is a fixed path of another
//! method, such as `DELETE /v1/invitations/accept`).

use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::{Ready, ready};
use tierlink_domain::FieldError;
use tierlink_domain::ids::{
    ClientId, DeliveryId, EvidenceId, InvitationId, OrgId, ProductId, RequestId, RequirementId,
    RevisionNumber, UserId, WebhookId,
};

use crate::fallback::{RouteTable, method_not_allowed};
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
    WebhookId,
    DeliveryId,
    ProductId,
    RevisionNumber
);

fn segment<T: PathValue>(req: &HttpRequest, name: &str) -> Result<T, actix_web::Error> {
    let raw = req.match_info().get(name).unwrap_or_default();
    T::parse_segment(name, raw).map_err(|error| {
        // `/v1/invitations/accept` matches `/v1/invitations/{id}` too: a
        // request that got here only because `accept` takes another
        // method is a 405, not a bad id.
        let literal = req
            .app_data::<web::Data<RouteTable>>()
            .and_then(|table| table.literal_methods(req.path()))
            .filter(|methods| !methods.contains(req.method()));
        match literal {
            Some(methods) => {
                InternalError::from_response(error, method_not_allowed(req, &methods)).into()
            }
            None => ApiError::invalid_parameter(error).into(),
        }
    })
}

/// The `{id}` segment of the path, parsed.
#[derive(Debug, Clone, Copy)]
pub struct Id<T>(pub T);

impl<T: PathValue> FromRequest for Id<T> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(segment(req, "id").map(Id))
    }
}

/// The `{delivery_id}` segment of the path, parsed.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryPath(pub DeliveryId);

impl FromRequest for DeliveryPath {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(segment(req, "delivery_id").map(DeliveryPath))
    }
}

/// The `{product_id}` segment of the path.
#[derive(Debug, Clone, Copy)]
pub struct ProductPath(pub ProductId);

impl FromRequest for ProductPath {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(segment(req, "product_id").map(ProductPath))
    }
}

/// The `{revision}` segment of the path: a revision number from 1.
#[derive(Debug, Clone, Copy)]
pub struct Revision(pub RevisionNumber);

impl FromRequest for Revision {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(segment(req, "revision").map(Revision))
    }
}
