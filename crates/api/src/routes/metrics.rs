//! `/v1/metrics`: the built-in catalogue and the caller's own metrics.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use tierlink_domain::metrics::{self, Dimension, Framework};
use tierlink_domain::pagination::{Cursor, Page, PageLimit};
use tierlink_domain::requirements::GUIDANCE_MAX_CHARS;
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::Database;
use tierlink_usecases::metrics::{self as usecase, CustomMetric};
use utoipa_actix_web::service_config::ServiceConfig;

use super::support::page_response;
use crate::auth::caller::{Authorized, need};
use crate::db;
use crate::extract::{JsonBody, QueryParams};
use crate::idempotency::{Created, IdempotencyKey, create_once};
use crate::problem::{ApiError, Problem};
use crate::wire::metrics::{CreateMetric, MetricBody, MetricPage, MetricQuery};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_metrics)
        .service(get_metric)
        .service(create_metric);
}

/// List metrics
///
/// The built-in catalogue (versioned; see `catalogue_version`) and your
/// organisation's custom metrics, by code. Filter by framework, search
/// labels in English or Korean.
#[utoipa::path(
    tag = "metrics",
    operation_id = "listMetrics",
    params(MetricQuery),
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "A page of metrics", body = MetricPage),
        (status = 400, description = "A parameter is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("")]
pub async fn list_metrics(
    req: HttpRequest,
    Authorized(caller, ..): Authorized<need::ReadOrganisation>,
    db: web::Data<Database>,
    QueryParams(query): QueryParams<MetricQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::new();
    let framework = query
        .framework
        .as_deref()
        .map(|f| {
            Framework::parse(f).ok_or_else(|| {
                FieldError::new(
                    "framework",
                    "invalid_value",
                    "use ghg_protocol, esrs, cbam, k_esg, pact or csddd",
                )
            })
        })
        .transpose();
    let framework = errors.collect(framework);
    let limit = errors.collect(PageLimit::parse(query.limit));
    let after = errors.collect(query.cursor.as_deref().map(Cursor::decode).transpose());
    let (Some(framework), Some(limit), Some(after)) = (framework, limit, after) else {
        return Err(ApiError::InvalidParameter(errors));
    };
    let custom = db::read(&db, move |conn| usecase::custom(conn, caller.org_id)).await?;
    let text = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_lowercase);
    let mut all: Vec<MetricBody> = metrics::catalogue()
        .iter()
        .filter(|m| framework.is_none_or(|f| m.has_framework(f)))
        .filter(|m| text.as_deref().is_none_or(|q| m.matches_text(q)))
        .map(MetricBody::from)
        .collect();
    if framework.is_none() {
        all.extend(
            custom
                .into_iter()
                .filter(|m| {
                    text.as_deref().is_none_or(|q| {
                        m.code.contains(q)
                            || m.label_en.to_lowercase().contains(q)
                            || m.label_ko.contains(q)
                    })
                })
                .map(MetricBody::from),
        );
    }
    all.sort_by(|a, b| a.code.cmp(&b.code));
    let rest: Vec<MetricBody> = all
        .into_iter()
        .filter(|m| after.as_ref().is_none_or(|c| m.code.as_str() > c.key()))
        .collect();
    let page = Page::from_overfetched(rest, limit, |m| m.code.clone());
    Ok(page_response(&req, page.next.as_ref()).json(MetricPage {
        next_cursor: page.next.as_ref().map(Cursor::encode),
        items: page.items,
    }))
}

/// Get a metric
///
/// A metric of the built-in catalogue or one of my organisation's custom
/// metrics: its labels, kind, units or choices and the frameworks it serves.
#[utoipa::path(
    tag = "metrics",
    operation_id = "getMetric",
    params(("code" = String, Path, description = "The metric's code, e.g. `ghg.scope1`")),
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "The metric", body = MetricBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such metric", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{code}")]
pub async fn get_metric(
    Authorized(caller, ..): Authorized<need::ReadOrganisation>,
    db: web::Data<Database>,
    code: web::Path<String>,
) -> Result<web::Json<MetricBody>, ApiError> {
    let code = code.into_inner();
    if let Some(metric) = metrics::find(&code) {
        return Ok(web::Json(MetricBody::from(metric)));
    }
    let custom = db::read(&db, move |conn| usecase::custom(conn, caller.org_id)).await?;
    custom
        .into_iter()
        .find(|m| m.code == code)
        .map(|m| web::Json(MetricBody::from(m)))
        .ok_or(ApiError::NotFound("metric"))
}

const CUSTOM_KINDS: [&str; 6] = [
    "quantity",
    "percentage",
    "boolean",
    "text",
    "date",
    "document",
];

/// Define a custom metric
///
/// A metric of your own, usable in your requirements. Codes start with `custom.`.
#[utoipa::path(
    tag = "metrics",
    operation_id = "createMetric",
    request_body = CreateMetric,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")),
    security(("bearer" = []), ("oauth2" = ["requirements:write"])),
    responses(
        (status = 201, description = "Created", body = MetricBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the requirements:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You already have a metric with this code", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("")]
pub async fn create_metric(
    Authorized(caller, ..): Authorized<need::WriteRequirements>,
    db: web::Data<Database>,
    JsonBody(body): JsonBody<CreateMetric>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::new();
    let code_ok = body.code.starts_with("custom.")
        && body.code.len() <= 64
        && body.code.len() > "custom.".len()
        && body.code.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        });
    if !code_ok {
        errors.push(FieldError::new(
            "code",
            "invalid_code",
            "a custom code starts with `custom.` and uses a-z, 0-9, `.`, `_`, `-` (at most 64)",
        ));
    }
    for (field, label) in [("label_en", &body.label_en), ("label_ko", &body.label_ko)] {
        if label.trim().is_empty() || label.chars().count() > 200 {
            errors.push(FieldError::new(
                field,
                "invalid_label",
                "a label is 1 to 200 characters",
            ));
        }
    }
    errors.collect(FieldError::check_max_chars(
        "guidance",
        body.guidance.trim(),
        GUIDANCE_MAX_CHARS,
    ));
    if !CUSTOM_KINDS.contains(&body.kind.as_str()) {
        errors.push(FieldError::new(
            "kind",
            "invalid_kind",
            format!("use one of {}", CUSTOM_KINDS.join(", ")),
        ));
    }
    let dimension = match (body.kind.as_str(), body.dimension.as_deref()) {
        ("quantity", Some(d)) => errors.collect(Dimension::parse(d).ok_or_else(|| {
            FieldError::new(
                "dimension",
                "invalid_dimension",
                format!("unknown dimension `{d}`"),
            )
        })),
        ("quantity", None) => {
            errors.push(FieldError::new(
                "dimension",
                "required",
                "a quantity needs a dimension (emissions, energy, mass, volume, …)",
            ));
            None
        }
        (_, Some(_)) => {
            errors.push(FieldError::new(
                "dimension",
                "not_applicable",
                "only quantities have a dimension",
            ));
            None
        }
        (_, None) => None,
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let metric = CustomMetric {
        org_id: caller.org_id,
        code: body.code.clone(),
        label_en: body.label_en.trim().to_owned(),
        label_ko: body.label_ko.trim().to_owned(),
        kind: body.kind.clone(),
        dimension: dimension.map(|d| d.as_str().to_owned()),
        guidance: body.guidance.trim().to_owned(),
        created_at: chrono::Utc::now(),
    };
    create_once(&db, caller.org_id, key, StatusCode::CREATED, move |conn| {
        let created = usecase::create(conn, &metric)?;
        let location = format!("/v1/metrics/{}", created.code);
        Ok(Created {
            status: None,
            body: MetricBody::from(created),
            location: Some(location),
            etag: None,
        })
    })
    .await
}
