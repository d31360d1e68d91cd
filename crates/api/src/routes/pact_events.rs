//! PACT Action Events, `POST /3/events`: CloudEvents in structured mode
//! from customers' PACT clients. A `RequestCreatedEvent` is answered
//! asynchronously with a `RequestFulfilledEvent` or `RequestRejectedEvent`
//! sent to the customer's PACT host; a `PublishedEvent` is acknowledged.
//! An event that is not valid is a 400 `BadRequest` naming what is wrong.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use tierlink_domain::footprints::FootprintStatus;
use tierlink_domain::products::UrnIssuer;
use tierlink_persistence::Database;
use tierlink_persistence::footprints::Criteria;
use tierlink_usecases::pact::{
    self as usecase, PUBLISHED, REQUEST_CREATED, REQUEST_FULFILLED, REQUEST_REJECTED,
    RequestCreated,
};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::pact::{PactCaller, PactError};
use crate::auth::caller::need;
use crate::db;
use crate::openapi::pact::PactError as PactErrorSchema;

pub fn configure(config: &mut ServiceConfig) {
    config.service(receive_event);
}

/// A PACT CloudEvent (structured mode): `specversion` `1.0`, `id`,
/// `source`, `time`, `type` (one of PACT's four) and `data`.
#[derive(Debug, ToSchema)]
#[schema(example = json!({
    "specversion": "1.0", "id": "6f1c2d3e-0000-4000-8000-000000000013",
    "source": "https://pact.customer.example", "time": "2026-12-06T09:00:00Z",
    "type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
    "data": {"productId": ["urn:pact:tierlink.example:buyer-id:019aee0c-4a7e-7c3e-9d0b-2f1a3c4d5e6f:HMC-778"],
        "comment": "Please send the 2025 footprint."}}))]
pub struct PactEvent {
    pub specversion: String,
    pub id: String,
    pub source: String,
    pub time: DateTime<Utc>,
    #[schema(rename = "type")]
    pub event_type: String,
    pub data: Value,
}

fn bad(message: impl Into<String>) -> PactError {
    PactError::bad_request(message)
}

fn text<'a>(event: &'a Map<String, Value>, name: &str) -> Result<&'a str, PactError> {
    event
        .get(name)
        .and_then(Value::as_str)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| bad(format!("`{name}` is required: a non-empty string")))
}

/// A criterion given as a list of strings (or one string).
fn strings(data: &Map<String, Value>, name: &str) -> Result<Vec<String>, PactError> {
    match data.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(one)) => Ok(vec![one.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(format!("`data.{name}` lists strings")))
            })
            .collect(),
        Some(_) => Err(bad(format!("`data.{name}` is a list of strings"))),
    }
}

fn instant(data: &Map<String, Value>, name: &str) -> Result<Option<DateTime<Utc>>, PactError> {
    match data.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(at)) => DateTime::parse_from_rfc3339(at)
            .map(|at| Some(at.with_timezone(&Utc)))
            .map_err(|_| bad(format!("`data.{name}` is not an RFC 3339 date-time"))),
        Some(_) => Err(bad(format!(
            "`data.{name}` is an RFC 3339 date-time string"
        ))),
    }
}

/// The criteria of a `RequestCreatedEvent`, read as ListFootprints reads
/// its query: OR within one, AND across; an unknown status matches nothing.
fn criteria(data: &Map<String, Value>) -> Result<Criteria, PactError> {
    let keep = |values: Vec<String>| -> Vec<String> {
        values
            .into_iter()
            .filter(|v| !v.trim().is_empty())
            .collect()
    };
    let statuses = match data.get("status") {
        None | Some(Value::Null) => None,
        Some(_) => Some(
            strings(data, "status")?
                .iter()
                .filter_map(|s| FootprintStatus::parse(s))
                .collect(),
        ),
    };
    Ok(Criteria {
        product_ids: keep(strings(data, "productId")?),
        company_ids: keep(strings(data, "companyId")?),
        classifications: keep(strings(data, "classification")?),
        geographies: keep(strings(data, "geography")?),
        statuses,
        valid_on: instant(data, "validOn")?,
        valid_after: instant(data, "validAfter")?,
        valid_before: instant(data, "validBefore")?,
    })
}

/// PACT Action Events
///
/// Takes a PACT CloudEvent in structured mode (`application/cloudevents+json`).
/// A `RequestCreatedEvent` asks for the footprints your suppliers published
/// to you that meet its criteria (as ListFootprints filters): it is
/// answered at once with 200, then with a `RequestFulfilledEvent` carrying
/// them. When none does but it names products your suppliers sell you
/// (`productId`: their buyer, supplier or Tierlink ids), those suppliers
/// get a request for footprints in their inbox, and the first answer that
/// meets the criteria fulfils it. Otherwise a `RequestRejectedEvent`
/// (`NotFound`) says so. Answers are POSTed
/// to `<source>/3/events` of your PACT host (registered under
/// `/v1/pact-hosts`; an unknown `source` is a 400) with retries for 72
/// hours. A `PublishedEvent` needs UUIDs in `pfIds`. The answers to
/// requests Tierlink never sent are acknowledged and ignored.
#[utoipa::path(
    tag = "pact",
    operation_id = "pactSendEvent",
    request_body(content = PactEvent, content_type = "application/cloudevents+json"),
    security(("bearer" = []), ("oauth2" = ["footprint:read"])),
    responses(
        (status = 200, description = "Accepted; an answer to a request follows asynchronously"),
        (status = 400, description = "`BadRequest`: the event is not valid, or its `source` is not a PACT host of yours", body = PactErrorSchema),
        (status = 401, description = "No valid access token (`BadRequest`, or `TokenExpired`)", body = PactErrorSchema),
        (status = 403, description = "`AccessDenied`: the token lacks `footprint:read`", body = PactErrorSchema)
    )
)]
#[post("/3/events")]
#[tracing::instrument(skip_all)]
pub async fn receive_event(
    req: HttpRequest,
    PactCaller(caller, ..): PactCaller<need::ReadFootprints>,
    db: web::Data<Database>,
    issuer: web::Data<UrnIssuer>,
    body: Bytes,
) -> Result<HttpResponse, PactError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !(content_type.starts_with("application/cloudevents+json")
        || content_type.starts_with("application/json"))
    {
        return Err(bad(
            "send the event as application/cloudevents+json (CloudEvents structured mode)",
        ));
    }
    let event: Value =
        serde_json::from_slice(&body).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
    let event = event
        .as_object()
        .ok_or_else(|| bad("the event is a JSON object"))?;
    if text(event, "specversion")? != "1.0" {
        return Err(bad("`specversion` is \"1.0\""));
    }
    let id = text(event, "id")?.to_owned();
    let source = text(event, "source")?.to_owned();
    DateTime::parse_from_rfc3339(text(event, "time")?)
        .map_err(|_| bad("`time` is an RFC 3339 date-time"))?;
    let data = event
        .get("data")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("`data` is required: an object"))?;
    match text(event, "type")? {
        PUBLISHED => {
            let ids = data
                .get("pfIds")
                .and_then(Value::as_array)
                .filter(|ids| !ids.is_empty())
                .ok_or_else(|| bad("`data.pfIds` lists the published footprints' ids"))?;
            for (index, id) in ids.iter().enumerate() {
                id.as_str()
                    .and_then(|id| uuid::Uuid::parse_str(id).ok())
                    .ok_or_else(|| bad(format!("`data.pfIds[{index}]` is not a UUID")))?;
            }
            tracing::info!(
                count = ids.len(),
                "PACT footprints published to us acknowledged"
            );
        }
        REQUEST_CREATED => {
            let request = RequestCreated {
                id,
                source,
                criteria: criteria(data)?,
                comment: data
                    .get("comment")
                    .and_then(Value::as_str)
                    .map(|c| c.chars().take(2_000).collect()),
            };
            let ours = format!("//{}/3/events", req.connection_info().host());
            let (org, by) = (caller.org_id, tierlink_usecases::actor(&caller));
            let may_ask = caller.may(tierlink_domain::access::Permission::WriteRequirements);
            let answered = db::write(&db, move |tx| {
                usecase::answer_request(tx, org, &by, may_ask, &request, &ours, &issuer)
            })
            .await?;
            tracing::info!(?answered, "PACT request answered");
        }
        REQUEST_FULFILLED | REQUEST_REJECTED => {
            text(data, "requestEventId")?;
            tracing::info!("a PACT answer to a request we did not send acknowledged");
        }
        other => return Err(bad(format!("`{other}` is not a PACT v3 event type"))),
    }
    Ok(HttpResponse::Ok().finish())
}
