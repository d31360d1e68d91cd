//! The supplier network: invitations (`/v1/invitations`), my suppliers and
//! customers, disclosure of my suppliers to a customer, and the chain as a
//! requester sees it (`/v1/supply-chain`).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use tierlink_domain::identifiers::BusinessRegistrationNumber;
use tierlink_domain::identity::Email;
use tierlink_domain::ids::{InvitationId, OrgId};
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::Database;
use tierlink_usecases::actor;
use tierlink_usecases::network::{self as usecase, Side};
use utoipa_actix_web::service_config::ServiceConfig;

use super::support::page_response;
use crate::auth::caller::{Authorized, need};
use crate::auth::secrets;
use crate::db;
use crate::extract::{JsonBody, QueryParams};
use crate::idempotency::{Created, IdempotencyKey, create_once};
use crate::path::Id;
use crate::problem::{ApiError, Problem};
use crate::wire::network::{
    AcceptInvitation, ChainTier1, CreateInvitation, Disclosure, InvitationBody, InvitationCreated,
    InvitationPage, PartnerBody, PartnerPage, SupplyChainBody,
};
use crate::wire::pagination::PageParams;

pub const INVITATION_CODE_PREFIX: &str = "tli_";

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_invitation)
        .service(list_invitations)
        .service(revoke_invitation)
        .service(accept_invitation)
        .service(list_suppliers)
        .service(list_customers)
        .service(end_supplier)
        .service(end_customer)
        .service(set_disclosure)
        .service(supply_chain);
}

/// Invite a supplier
///
/// Creates a single-use code, valid 14 days, that the supplier enters at
/// sign-up or, if it already uses Tierlink, at `POST /v1/invitations/accept`.
/// Send it `Idempotency-Key` to retry safely.
#[utoipa::path(
    tag = "network",
    operation_id = "createInvitation",
    request_body = CreateInvitation,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `code` is shown only now", body = InvitationCreated),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage the network", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The idempotency key was used for another request", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/invitations")]
#[tracing::instrument(skip_all)]
pub async fn create_invitation(
    Authorized(caller, ..): Authorized<need::ManageNetwork>,
    db: web::Data<Database>,
    JsonBody(body): JsonBody<CreateInvitation>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::new();
    let email = errors.collect(Email::parse(&body.email));
    let brn = body
        .business_registration_number
        .as_deref()
        .map(|b| {
            BusinessRegistrationNumber::parse(b)
                .map_err(|e| FieldError::new("business_registration_number", e.code, e.message))
        })
        .transpose();
    let brn = errors.collect(brn);
    let (Some(email), Some(brn)) = (email, brn) else {
        return Err(ApiError::Validation(errors));
    };
    let code = secrets::generate(INVITATION_CODE_PREFIX);
    let digest = secrets::digest(&code);
    let created_by = caller
        .user_id()
        .map(|id| id.to_string())
        .unwrap_or_default();
    create_once(&db, caller.org_id, key, StatusCode::CREATED, move |tx| {
        let invitation = usecase::invite(
            tx,
            caller.org_id,
            &created_by,
            email.as_str(),
            brn.as_ref(),
            &digest,
        )?;
        let location = format!("/v1/invitations/{}", invitation.id);
        Ok(Created {
            status: None,
            body: InvitationCreated {
                invitation: invitation.into(),
                code,
            },
            location: Some(location),
            etag: None,
        })
    })
    .await
}

/// List my invitations
///
/// The invitations my organisation sent, with their status (the codes are
/// never shown again), oldest first, a page at a time. For admins.
#[utoipa::path(
    tag = "network",
    operation_id = "listInvitations",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of invitations", body = InvitationPage),
        (status = 400, description = "`limit` or `cursor` is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage the network", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/invitations")]
pub async fn list_invitations(
    req: HttpRequest,
    Authorized(caller, ..): Authorized<need::ManageNetwork>,
    db: web::Data<Database>,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page_request = params.to_request()?;
    let page = db::read(&db, move |conn| {
        usecase::invitations(conn, caller.org_id, &page_request)
    })
    .await?;
    Ok(
        page_response(&req, page.next.as_ref()).json(InvitationPage {
            next_cursor: page.next.as_ref().map(|n| n.encode()),
            items: page.items.into_iter().map(InvitationBody::from).collect(),
        }),
    )
}

/// Withdraw an invitation
///
/// Its code stops working at once. An accepted invitation cannot be
/// withdrawn; end the supplier link instead. For admins.
#[utoipa::path(
    tag = "network",
    operation_id = "revokeInvitation",
    params(("id" = uuid::Uuid, Path, description = "The invitation's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Withdrawn", body = InvitationBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage the network", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invitation of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already accepted", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/invitations/{id}")]
pub async fn revoke_invitation(
    Authorized(caller, ..): Authorized<need::ManageNetwork>,
    db: web::Data<Database>,
    Id(id): Id<InvitationId>,
) -> Result<web::Json<InvitationBody>, ApiError> {
    let invitation = db::write(&db, move |tx| {
        usecase::revoke_invitation(tx, caller.org_id, id)
    })
    .await?;
    Ok(web::Json(invitation.into()))
}

/// Accept an invitation
///
/// Makes the inviting organisation a customer of yours. Single use: an
/// expired, withdrawn or already used code is refused naming `code`.
#[utoipa::path(
    tag = "network",
    operation_id = "acceptInvitation",
    request_body = AcceptInvitation,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Linked: the new customer", body = PartnerBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage the network", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is unknown, expired, withdrawn or used, or the link would loop", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/invitations/accept")]
#[tracing::instrument(skip_all)]
pub async fn accept_invitation(
    Authorized(caller, ..): Authorized<need::ManageNetwork>,
    db: web::Data<Database>,
    JsonBody(body): JsonBody<AcceptInvitation>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let digest = secrets::digest(body.code.trim());
    let by = actor(&caller);
    create_once(&db, caller.org_id, key, StatusCode::CREATED, move |tx| {
        let customer = usecase::accept_invitation(tx, caller.org_id, &by, &digest)?;
        let location = format!("/v1/organisations/{}", customer.org_id);
        Ok(Created {
            status: None,
            body: PartnerBody::from(customer),
            location: Some(location),
            etag: None,
        })
    })
    .await
}

/// Query parameters of partner lists.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PartnerQuery {
    /// Include links that have ended (default `false`).
    #[serde(default)]
    pub include_ended: bool,
    /// How many items to return, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Where to continue: the `next_cursor` of the previous page. Opaque.
    pub cursor: Option<String>,
}

async fn partners(
    req: HttpRequest,
    org: OrgId,
    db: &Database,
    side: Side,
    query: PartnerQuery,
) -> Result<HttpResponse, ApiError> {
    let page_request = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    }
    .to_request()?;
    let include_ended = query.include_ended;
    let page = db::read(db, move |conn| {
        usecase::partners(conn, org, side, include_ended, &page_request)
    })
    .await?;
    Ok(page_response(&req, page.next.as_ref()).json(PartnerPage {
        next_cursor: page.next.as_ref().map(|n| n.encode()),
        items: page.items.into_iter().map(PartnerBody::from).collect(),
    }))
}

/// List my suppliers
///
/// The organisations I buy from directly (tier-1 from my point of view).
#[utoipa::path(
    tag = "network",
    operation_id = "listSuppliers",
    params(PartnerQuery),
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "A page of suppliers", body = PartnerPage),
        (status = 400, description = "A parameter is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/suppliers")]
pub async fn list_suppliers(
    req: HttpRequest,
    Authorized(caller, ..): Authorized<need::ReadOrganisation>,
    db: web::Data<Database>,
    QueryParams(query): QueryParams<PartnerQuery>,
) -> Result<HttpResponse, ApiError> {
    partners(req, caller.org_id, &db, Side::Suppliers, query).await
}

/// List my customers
///
/// The organisations I supply directly.
#[utoipa::path(
    tag = "network",
    operation_id = "listCustomers",
    params(PartnerQuery),
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "A page of customers", body = PartnerPage),
        (status = 400, description = "A parameter is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/customers")]
pub async fn list_customers(
    req: HttpRequest,
    Authorized(caller, ..): Authorized<need::ReadOrganisation>,
    db: web::Data<Database>,
    QueryParams(query): QueryParams<PartnerQuery>,
) -> Result<HttpResponse, ApiError> {
    partners(req, caller.org_id, &db, Side::Customers, query).await
}

/// Stop buying from a supplier
///
/// Ends the link: the supplier no longer receives new requests from me;
/// requests already sent keep their history. For admins.
#[utoipa::path(
    tag = "network",
    operation_id = "endSupplierLink",
    params(("id" = uuid::Uuid, Path, description = "The supplier's organisation id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The link, ended", body = PartnerBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage the network", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not one of your suppliers", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/suppliers/{id}")]
pub async fn end_supplier(
    Authorized(caller, ..): Authorized<need::ManageNetwork>,
    db: web::Data<Database>,
    Id(supplier): Id<OrgId>,
) -> Result<web::Json<PartnerBody>, ApiError> {
    end(&db, &caller, caller.org_id, supplier, supplier).await
}

/// Stop supplying a customer
///
/// Ends the link from the supplier's side: the customer can no longer send
/// me requests. For admins.
#[utoipa::path(
    tag = "network",
    operation_id = "endCustomerLink",
    params(("id" = uuid::Uuid, Path, description = "The customer's organisation id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The link, ended", body = PartnerBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage the network", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not one of your customers", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/customers/{id}")]
pub async fn end_customer(
    Authorized(caller, ..): Authorized<need::ManageNetwork>,
    db: web::Data<Database>,
    Id(customer): Id<OrgId>,
) -> Result<web::Json<PartnerBody>, ApiError> {
    end(&db, &caller, customer, caller.org_id, customer).await
}

async fn end(
    db: &Database,
    caller: &tierlink_domain::access::Caller,
    buyer: OrgId,
    supplier: OrgId,
    partner: OrgId,
) -> Result<web::Json<PartnerBody>, ApiError> {
    let by = actor(caller);
    let partner = db::write(db, move |tx| {
        usecase::end_link(tx, &by, buyer, supplier, partner)
    })
    .await?;
    Ok(web::Json(partner.into()))
}

/// Disclose my suppliers to a customer, or stop
///
/// Decides whether this customer sees the names of your own suppliers in
/// its supply-chain view; it always sees how many there are.
#[utoipa::path(
    tag = "network",
    operation_id = "setSupplierDisclosure",
    params(("id" = uuid::Uuid, Path, description = "The customer's organisation id")),
    request_body = Disclosure,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The link with the new setting", body = PartnerBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage the network", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not one of your customers", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/customers/{id}/disclosure")]
pub async fn set_disclosure(
    Authorized(caller, ..): Authorized<need::ManageNetwork>,
    db: web::Data<Database>,
    Id(customer): Id<OrgId>,
    JsonBody(body): JsonBody<Disclosure>,
) -> Result<web::Json<PartnerBody>, ApiError> {
    let supplier = caller.org_id;
    let partner = db::write(&db, move |tx| {
        usecase::set_disclosure(tx, supplier, customer, body.disclose_suppliers)
    })
    .await?;
    Ok(web::Json(partner.into()))
}

/// My supply chain
///
/// My tier-1 suppliers and, through each, its tier-2 suppliers: by name
/// where the tier-1 discloses them to me, as a count otherwise.
#[utoipa::path(
    tag = "network",
    operation_id = "getSupplyChain",
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "The chain", body = SupplyChainBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/supply-chain")]
pub async fn supply_chain(
    Authorized(caller, ..): Authorized<need::ReadOrganisation>,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let chain = db::read(&db, move |conn| usecase::supply_chain(conn, caller.org_id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(SupplyChainBody {
            tier1: chain.into_iter().map(ChainTier1::from).collect(),
        }))
}
