//! `/v1/products`: a supplier's product catalogue — its codes, names, UN
//! CPC classes and the part numbers its customers know them by. Requests
//! for product footprints ask about these products.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use tierlink_domain::ids::{OrgId, ProductId};
use tierlink_domain::products::{ProductDetails, ProductInput as DomainInput};
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::Database;
use tierlink_usecases::products as usecase;
use utoipa_actix_web::service_config::ServiceConfig;

use super::support::page_response;
use crate::auth::caller::{Authorized, need};
use crate::db;
use crate::extract::{JsonBody, QueryParams};
use crate::idempotency::{Created, IdempotencyKey, create_once};
use crate::path::Id;
use crate::problem::{ApiError, Problem};
use crate::wire::pagination::PageParams;
use crate::wire::products::{ProductBody, ProductInput, ProductPage, ProductQuery};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_products)
        .service(create_product)
        .service(get_product)
        .service(replace_product)
        .service(delete_product);
}

fn details(body: &ProductInput) -> Result<ProductDetails, ApiError> {
    let input = DomainInput {
        code: &body.code,
        name: &body.name,
        description: &body.description,
        cpc_code: body.cpc_code.as_deref(),
        customer_parts: body
            .customer_parts
            .iter()
            .map(|p| (p.customer_org_id.as_str(), p.part_number.as_str()))
            .collect(),
    };
    ProductDetails::parse(&input).map_err(ApiError::Validation)
}

/// List your products
///
/// Your catalogue, oldest first; with `customer`, only the products that
/// customer has a part number for (what a footprint request of theirs asks
/// about).
#[utoipa::path(
    tag = "products",
    operation_id = "listProducts",
    params(ProductQuery),
    security(("bearer" = []), ("oauth2" = ["responses:read"])),
    responses(
        (status = 200, description = "A page of products", body = ProductPage),
        (status = 400, description = "`limit`, `cursor` or `customer` is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the responses:read scope", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("")]
#[tracing::instrument(skip_all)]
pub async fn list_products(
    req: HttpRequest,
    Authorized(caller, ..): Authorized<need::ReadResponses>,
    db: web::Data<Database>,
    QueryParams(query): QueryParams<ProductQuery>,
) -> Result<HttpResponse, ApiError> {
    let page_request = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    }
    .to_request()?;
    let customer = query
        .customer
        .as_deref()
        .map(|c| OrgId::parse("customer", c))
        .transpose()
        .map_err(|e: FieldError| ApiError::InvalidParameter(ValidationErrors::from(e)))?;
    let page = db::read(&db, move |conn| {
        usecase::list(conn, caller.org_id, customer, &page_request)
    })
    .await?;
    Ok(page_response(&req, page.next.as_ref()).json(ProductPage {
        next_cursor: page.next.as_ref().map(|next| next.encode()),
        items: page.items.into_iter().map(ProductBody::from).collect(),
    }))
}

/// Add a product
///
/// Adds a product to your catalogue. Part numbers are for your current
/// customers only.
#[utoipa::path(
    tag = "products",
    operation_id = "createProduct",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")),
    request_body = ProductInput,
    security(("bearer" = []), ("oauth2" = ["responses:write"])),
    responses(
        (status = 201, description = "Added", body = ProductBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the responses:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another product has this code, or this customer's part number", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid (a customer that is not yours)", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("")]
#[tracing::instrument(skip_all)]
pub async fn create_product(
    Authorized(caller, ..): Authorized<need::WriteResponses>,
    db: web::Data<Database>,
    JsonBody(body): JsonBody<ProductInput>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let details = details(&body)?;
    create_once(&db, caller.org_id, key, StatusCode::CREATED, move |tx| {
        let product = usecase::create(tx, caller.org_id, &details)?;
        Ok(Created {
            status: None,
            location: Some(format!("/v1/products/{}", product.id)),
            etag: None,
            body: ProductBody::from(product),
        })
    })
    .await
}

/// Show a product
///
/// One product of your catalogue, with its customers' part numbers.
#[utoipa::path(
    tag = "products",
    operation_id = "getProduct",
    params(("id" = uuid::Uuid, Path, description = "The product's id")),
    security(("bearer" = []), ("oauth2" = ["responses:read"])),
    responses(
        (status = 200, description = "The product", body = ProductBody),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the responses:read scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product in your catalogue", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}")]
#[tracing::instrument(skip(caller, db))]
pub async fn get_product(
    Authorized(caller, ..): Authorized<need::ReadResponses>,
    db: web::Data<Database>,
    Id(id): Id<ProductId>,
) -> Result<web::Json<ProductBody>, ApiError> {
    let product = db::read(&db, move |conn| usecase::get(conn, caller.org_id, id)).await?;
    Ok(web::Json(product.into()))
}

/// Replace a product
///
/// Its code, name, description, class and part numbers become those
/// given. Footprints already published keep what they said.
#[utoipa::path(
    tag = "products",
    operation_id = "replaceProduct",
    params(("id" = uuid::Uuid, Path, description = "The product's id")),
    request_body = ProductInput,
    security(("bearer" = []), ("oauth2" = ["responses:write"])),
    responses(
        (status = 200, description = "The product as changed", body = ProductBody),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the responses:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product in your catalogue", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another product has this code, or this customer's part number", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/{id}")]
#[tracing::instrument(skip_all)]
pub async fn replace_product(
    Authorized(caller, ..): Authorized<need::WriteResponses>,
    db: web::Data<Database>,
    Id(id): Id<ProductId>,
    JsonBody(body): JsonBody<ProductInput>,
) -> Result<web::Json<ProductBody>, ApiError> {
    let details = details(&body)?;
    let product = db::write(&db, move |tx| {
        usecase::update(tx, caller.org_id, id, &details)
    })
    .await?;
    Ok(web::Json(product.into()))
}

/// Remove a product
///
/// Only a product no answer has a footprint of (409 `product_in_use`
/// otherwise).
#[utoipa::path(
    tag = "products",
    operation_id = "deleteProduct",
    params(("id" = uuid::Uuid, Path, description = "The product's id")),
    security(("bearer" = []), ("oauth2" = ["responses:write"])),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the responses:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product in your catalogue", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Footprints of the product are in answers", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/{id}")]
#[tracing::instrument(skip(caller, db))]
pub async fn delete_product(
    Authorized(caller, ..): Authorized<need::WriteResponses>,
    db: web::Data<Database>,
    Id(id): Id<ProductId>,
) -> Result<HttpResponse, ApiError> {
    db::write(&db, move |tx| usecase::delete(tx, caller.org_id, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
