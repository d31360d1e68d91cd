//! Events: what each use case records in the outbox (in its own
//! transaction), and the change feed that reads them back.
//!
//! A payload carries what a receiver needs to act without another call
//! where that is cheap (ids, statuses, revision numbers), and never more
//! than its audience may see of the resource: a tier-1's suppliers are not
//! named to its customer, values are not copied into events at all.

use serde_json::json;
use tierlink_domain::events::{EventCursor, EventType, NewEvent};
use tierlink_domain::ids::OrgId;
use tierlink_domain::pagination::{Page, PageLimit};
use tierlink_domain::requests::Request;
use tierlink_domain::requirements::Requirement;
use tierlink_domain::revisions::Revision;
pub use tierlink_persistence::events::{AuditFilter, AuditRecord, StoredEvent};
use tierlink_persistence::{DbConnection, events};

use crate::error::Error;

/// Records `new` in the caller's transaction.
pub fn record(tx: &mut DbConnection, new: &[NewEvent]) -> Result<(), Error> {
    Ok(events::record(tx, new)?)
}

/// Up to `limit` of `org`'s events after `after`, in commit order.
pub fn feed(
    conn: &mut DbConnection,
    org: OrgId,
    after: EventCursor,
    types: &[EventType],
    limit: i64,
) -> Result<Vec<StoredEvent>, Error> {
    Ok(events::feed(conn, org, after, types, limit)?)
}

/// A page of `org`'s audit trail, newest first: every event addressed to
/// it and every event its own users and clients caused, with the request
/// id of the call that made each change. Read-only: nothing in the API
/// changes or removes a record (only the retention does). The next page's
/// cursor is the last record's number (`filter.before` of the next call).
pub fn audit(
    conn: &mut DbConnection,
    org: OrgId,
    filter: &AuditFilter,
    limit: PageLimit,
) -> Result<Page<AuditRecord>, Error> {
    let overfetch = i64::try_from(limit.get() + 1).unwrap_or(201);
    let rows = events::audit(conn, org, filter, overfetch)?;
    Ok(Page::from_overfetched(rows, limit, |record| {
        record.event.cursor.seq().to_string()
    }))
}

/// Removes events that occurred before `cutoff` (the retention).
pub fn purge_before(
    tx: &mut DbConnection,
    cutoff: chrono::DateTime<chrono::Utc>,
) -> Result<usize, Error> {
    Ok(events::purge_before(tx, cutoff)?)
}

/// The request as its parties know it, for payloads.
fn request_json(request: &Request) -> serde_json::Value {
    json!({
        "id": request.id.to_string(),
        "requirement_id": request.requirement_id.to_string(),
        "title": request.title,
        "due_date": request.due_date,
        "customer": {"id": request.requester_org_id.to_string(), "name": request.requester_name},
        "supplier": {"id": request.supplier_org_id.to_string(), "name": request.supplier_name},
    })
}

/// An event about a request, to one of its parties.
pub fn about_request(
    kind: EventType,
    request: &Request,
    audience: OrgId,
    actor: &str,
    extra: serde_json::Value,
) -> NewEvent {
    let mut payload = json!({"request": request_json(request), "status": request.status.as_str()});
    if let (Some(payload), serde_json::Value::Object(extra)) = (payload.as_object_mut(), extra) {
        payload.extend(extra);
    }
    NewEvent {
        kind,
        resource_id: request.id.to_string(),
        actor: actor.to_owned(),
        audience,
        payload,
    }
}

/// A revision's outcome, to the request's other party.
pub fn about_revision(
    kind: EventType,
    request: &Request,
    revision: &Revision,
    audience: OrgId,
    actor: &str,
) -> NewEvent {
    let mut shown = json!({
        "number": revision.number.get(),
        "status": revision.status.as_str(),
        "share_upstream": revision.share_upstream,
    });
    // Absent rather than null when there is none, as everywhere in the API.
    if let (Some(comment), Some(shown)) = (&revision.review_comment, shown.as_object_mut()) {
        shown.insert("review_comment".to_owned(), json!(comment));
    }
    about_request(kind, request, audience, actor, json!({ "revision": shown }))
}

/// An event about a requirement, to its owner.
pub fn about_requirement(kind: EventType, requirement: &Requirement, actor: &str) -> NewEvent {
    NewEvent {
        kind,
        resource_id: requirement.id.to_string(),
        actor: actor.to_owned(),
        audience: requirement.org_id,
        payload: json!({
            "requirement": {
                "id": requirement.id.to_string(),
                "title": requirement.content.title,
                "status": requirement.status.as_str(),
                "version": requirement.version,
                "due_date": requirement.content.due_date,
            }
        }),
    }
}

/// An event about the link between two firms, to `audience`; the
/// resource is the other firm.
pub fn about_link(
    kind: EventType,
    buyer: OrgId,
    supplier: OrgId,
    audience: OrgId,
    actor: &str,
) -> NewEvent {
    let other = if audience == buyer { supplier } else { buyer };
    NewEvent {
        kind,
        resource_id: other.to_string(),
        actor: actor.to_owned(),
        audience,
        payload: json!({"link": {"customer": buyer.to_string(), "supplier": supplier.to_string()}}),
    }
}
