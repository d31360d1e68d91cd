//! `/v1/requests/{id}/footprints`: a supplier's product footprints in its
//! answer to a request that asks for them (`pcf.product_footprints`), and
//! the PACT footprints each submitted revision published.

use actix_web::{HttpResponse, delete, get, put, web};
use tierlink_domain::ids::RequestId;
use tierlink_persistence::Database;
use tierlink_usecases::actor;
use tierlink_usecases::footprints::{self as usecase, FootprintInput};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::caller::{Authorized, need};
use crate::db;
use crate::extract::JsonBody;
use crate::path::{Id, ProductPath, Revision};
use crate::problem::{ApiError, Problem};
use crate::wire::footprints::{
    FootprintDraftBody, FootprintDraftList, PublishedFootprintList, SaveFootprint,
};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_footprint_drafts)
        .service(save_footprint)
        .service(delete_footprint)
        .service(list_revision_footprints);
}

/// List the footprints in your draft
///
/// The product footprints drafted for this request, by product. Only the
/// supplier answering the request sees its draft.
#[utoipa::path(
    tag = "footprints",
    operation_id = "listFootprintDrafts",
    params(("id" = uuid::Uuid, Path, description = "The request's id")),
    security(("bearer" = []), ("oauth2" = ["responses:read"])),
    responses(
        (status = 200, description = "The drafted footprints", body = FootprintDraftList),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the responses:read scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you to answer", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/footprints")]
#[tracing::instrument(skip(caller, db))]
pub async fn list_footprint_drafts(
    Authorized(caller, ..): Authorized<need::ReadResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
) -> Result<web::Json<FootprintDraftList>, ApiError> {
    let drafts = db::read(&db, move |conn| usecase::drafts(conn, caller.org_id, id)).await?;
    Ok(web::Json(FootprintDraftList {
        items: drafts.into_iter().map(FootprintDraftBody::from).collect(),
    }))
}

/// Save a product's footprint
///
/// Puts the PACT footprint of one of your products into your draft answer
/// (replacing any earlier one). The `pcf` object is PACT v3's
/// `CarbonFootprint`; every problem names its field (`pcf.fossilGhgEmissions`).
/// Submitting the answer publishes the footprints to the requester, who
/// can then fetch them through the PACT API (`/3/footprints`).
#[utoipa::path(
    tag = "footprints",
    operation_id = "saveFootprint",
    params(("id" = uuid::Uuid, Path, description = "The request's id"),
        ("product_id" = uuid::Uuid, Path, description = "One of your products")),
    request_body = SaveFootprint,
    security(("bearer" = []), ("oauth2" = ["responses:write"])),
    responses(
        (status = 200, description = "Saved in the draft", body = FootprintDraftBody),
        (status = 400, description = "An id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the responses:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you to answer, or no such product of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request does not ask for footprints (`footprints_not_requested`), or can no longer be answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field of the footprint is not valid", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/{id}/footprints/{product_id}")]
#[tracing::instrument(skip_all)]
pub async fn save_footprint(
    Authorized(caller, ..): Authorized<need::WriteResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
    ProductPath(product): ProductPath,
    JsonBody(body): JsonBody<SaveFootprint>,
) -> Result<web::Json<FootprintDraftBody>, ApiError> {
    let (org, by) = (caller.org_id, actor(&caller));
    let input = FootprintInput {
        pcf: body.pcf,
        comment: body.comment,
        validity_period_start: body.validity_period_start,
        validity_period_end: body.validity_period_end,
        precursors: body
            .precursors
            .into_iter()
            .map(tierlink_domain::ids::FootprintId::from_uuid)
            .collect(),
    };
    let saved = db::write(&db, move |tx| {
        usecase::save_draft(tx, org, &by, id, product, input)
    })
    .await?;
    Ok(web::Json(saved.into()))
}

/// Remove a product's footprint from your draft
///
/// The next submission no longer answers for this product; a footprint
/// an earlier revision published for it becomes `Deprecated` then.
#[utoipa::path(
    tag = "footprints",
    operation_id = "deleteFootprint",
    params(("id" = uuid::Uuid, Path, description = "The request's id"),
        ("product_id" = uuid::Uuid, Path, description = "One of your products")),
    security(("bearer" = []), ("oauth2" = ["responses:write"])),
    responses(
        (status = 204, description = "Removed from the draft"),
        (status = 400, description = "An id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the responses:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you to answer, or no footprint of this product in the draft", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request does not ask for footprints, or can no longer be answered", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/{id}/footprints/{product_id}")]
#[tracing::instrument(skip(caller, db))]
pub async fn delete_footprint(
    Authorized(caller, ..): Authorized<need::WriteResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
    ProductPath(product): ProductPath,
) -> Result<HttpResponse, ApiError> {
    let (org, by) = (caller.org_id, actor(&caller));
    db::write(&db, move |tx| {
        usecase::delete_draft(tx, org, &by, id, product)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// List the footprints a revision published
///
/// The PACT ProductFootprints revision `revision` answered with, one per
/// product, with their current status (`Deprecated` once a later revision
/// replaced them). Both the supplier and the requester may read them.
#[utoipa::path(
    tag = "footprints",
    operation_id = "listRevisionFootprints",
    params(("id" = uuid::Uuid, Path, description = "The request's id"),
        ("revision" = i32, Path, description = "1, 2, …")),
    security(("bearer" = []), ("oauth2" = ["responses:read"])),
    responses(
        (status = 200, description = "The footprints", body = PublishedFootprintList),
        (status = 400, description = "The id or revision is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the responses:read scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/answer/revisions/{revision}/footprints")]
#[tracing::instrument(skip(caller, db))]
pub async fn list_revision_footprints(
    Authorized(caller, ..): Authorized<need::ReadResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
    Revision(number): Revision,
) -> Result<web::Json<PublishedFootprintList>, ApiError> {
    let items = db::read(&db, move |conn| {
        usecase::of_revision(conn, caller.org_id, id, number)
    })
    .await?;
    Ok(web::Json(PublishedFootprintList { items }))
}
