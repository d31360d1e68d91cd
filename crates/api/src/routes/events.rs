//! `GET /v1/events`: each organisation's change feed, in commit order,
//! with optional long polling.

use std::time::{Duration, Instant};

use actix_web::{HttpResponse, get, web};
use tierlink_domain::events::{EventCursor, EventType};
use tierlink_domain::pagination::PageLimit;
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::Database;
use tierlink_usecases::events as usecase;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::caller::{Authorized, need};
use crate::db;
use crate::extract::QueryParams;
use crate::problem::{ApiError, Problem};
use crate::wire::events::{Event, EventPage, EventQuery};

/// The longest a feed request waits for news.
const MAX_WAIT_SECS: u32 = 30;
/// How often a waiting request looks again.
const POLL_EVERY: Duration = Duration::from_millis(250);

pub fn configure(config: &mut ServiceConfig) {
    config.service(list_events);
}

/// Follow changes
///
/// What happened to my organisation's requests, answers, requirements and
/// links, oldest first, in the order the changes committed: nothing is
/// skipped or repeated across pages, also while others write. Keep
/// `next_cursor` and ask again with `after`; with `wait`, an empty answer
/// comes only after that many seconds without news. Events are kept for
/// `TIERLINK_EVENT_RETENTION_DAYS` (30 by default).
#[utoipa::path(
    tag = "events",
    operation_id = "listEvents",
    params(EventQuery),
    security(("bearer" = []), ("oauth2" = ["requirements:read"])),
    responses(
        (status = 200, description = "A page of events (possibly empty)", body = EventPage),
        (status = 400, description = "`after`, `types`, `limit` or `wait` is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the requirements:read scope", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("")]
pub async fn list_events(
    Authorized(caller, ..): Authorized<need::ReadRequirements>,
    db: web::Data<Database>,
    QueryParams(query): QueryParams<EventQuery>,
) -> Result<HttpResponse, ApiError> {
    let (after, types, limit, wait) = parse(&query)?;
    let org = caller.org_id;
    let until = Instant::now() + Duration::from_secs(u64::from(wait));
    loop {
        let types = types.clone();
        let found = db::read(&db, move |conn| {
            usecase::feed(conn, org, after, &types, limit)
        })
        .await?;
        if !found.is_empty() || Instant::now() + POLL_EVERY > until {
            let next = found.last().map_or(after, |event| event.cursor);
            return Ok(HttpResponse::Ok()
                .insert_header(("Cache-Control", "no-store"))
                .json(EventPage {
                    items: found.into_iter().map(Event::from).collect(),
                    next_cursor: next.encode(),
                }));
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

fn parse(query: &EventQuery) -> Result<(EventCursor, Vec<EventType>, i64, u32), ApiError> {
    let mut errors = ValidationErrors::new();
    let after = query
        .after
        .as_deref()
        .map(|after| EventCursor::parse("after", after))
        .transpose();
    let after = errors.collect(after).map(Option::unwrap_or_default);
    let types = parse_types(query.types.as_deref(), &mut errors);
    let limit = errors.collect(PageLimit::parse(query.limit));
    let wait = query.wait.unwrap_or(0);
    if wait > MAX_WAIT_SECS {
        errors.push(FieldError::new(
            "wait",
            "invalid_value",
            format!("wait at most {MAX_WAIT_SECS} seconds"),
        ));
    }
    match (after, limit) {
        (Some(after), Some(limit)) if errors.is_empty() => Ok((
            after,
            types,
            i64::try_from(limit.get()).unwrap_or(200),
            wait,
        )),
        _ => Err(ApiError::InvalidParameter(errors)),
    }
}

/// The event types of a comma-separated `types` parameter (none: all).
pub(crate) fn parse_types(raw: Option<&str>, errors: &mut ValidationErrors) -> Vec<EventType> {
    let mut types = Vec::new();
    for name in raw.unwrap_or_default().split(',') {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        match EventType::parse(name) {
            Some(kind) => types.push(kind),
            None => errors.push(FieldError::new(
                "types",
                "invalid_value",
                format!("`{name}` is not an event type"),
            )),
        }
    }
    types
}
