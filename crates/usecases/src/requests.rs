//! What suppliers receive: reading requests, declining them and
//! forwarding (part of) them down the chain.

use chrono::NaiveDate;
use tierlink_domain::FieldError;
use tierlink_domain::ids::{OrgId, RequestId};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::requests::{Party, Request};
use tierlink_domain::requirements::Version;
use tierlink_persistence::locks::lock_request;
use tierlink_persistence::requests::NewRequest;
pub use tierlink_persistence::requests::{IncomingFilter, RequestProgress};
use tierlink_persistence::{DbConnection, network, requests, requirements};

use crate::answers::request_answered_by;
use crate::error::Error;
use crate::events;
use serde_json::json;
use tierlink_domain::events::EventType;

/// The requests `supplier` received, filtered, a page at a time.
pub fn list_incoming(
    conn: &mut DbConnection,
    supplier: OrgId,
    filter: &IncomingFilter,
    page: &PageRequest,
) -> Result<Page<Request>, Error> {
    Ok(requests::list_incoming(conn, supplier, filter, page)?)
}

/// A request with the amendments of its requirement (those reach a
/// large firm's own requests; forwarded ones show their tier-1's terms).
pub fn show(
    conn: &mut DbConnection,
    viewer: OrgId,
    id: RequestId,
) -> Result<(Request, Vec<Version>), Error> {
    requests::find_with_versions(conn, viewer, id).map_err(crate::error::not_found("request"))
}

/// The supplier declines a pending request, saying why. Lock: the
/// request's row (its status is checked, then changed).
pub fn decline(
    tx: &mut DbConnection,
    supplier: OrgId,
    by: &str,
    id: RequestId,
    reason: &str,
    expected: Option<i32>,
) -> Result<Request, Error> {
    lock_request(tx, id)?;
    let request = request_answered_by(tx, supplier, id)?;
    request.check_revision(expected)?;
    request.check_declinable()?;
    requests::record_decline(tx, &request, reason)?;
    crate::pact::on_requests_ended(tx, request.requirement_id)?;
    let declined = request_answered_by(tx, supplier, id)?;
    events::record(
        tx,
        &[events::about_request(
            EventType::RequestDeclined,
            &declined,
            declined.requester_org_id,
            by,
            json!({"reason": reason}),
        )],
    )?;
    Ok(declined)
}

/// What a tier-1 forwards.
#[derive(Debug)]
pub struct Forward<'a> {
    pub suppliers: &'a [OrgId],
    /// The metrics to pass on; `None` for all of the request's items.
    pub metrics: Option<&'a [String]>,
    pub due_date: Option<NaiveDate>,
    pub message: &'a str,
}

/// A tier-1 forwards (part of) a request it received to its own
/// suppliers, within the requirement's cascade depth. Lock: the parent
/// request's row, so the same request is not forwarded to one supplier twice.
pub fn forward(
    tx: &mut DbConnection,
    tier1: OrgId,
    by: &str,
    parent_id: RequestId,
    forward: &Forward<'_>,
) -> Result<Vec<Request>, Error> {
    lock_request(tx, parent_id)?;
    let parent = request_answered_by(tx, tier1, parent_id)?;
    parent.check_forwardable_status()?;
    parent.check_forward_depth()?;
    let items = parent.items_to_forward(forward.metrics)?;
    let due_date = parent.forward_due_date(forward.due_date)?;
    let mut created = Vec::with_capacity(forward.suppliers.len());
    for (index, supplier) in forward.suppliers.iter().enumerate() {
        if !network::is_active_supplier(tx, tier1, *supplier)? {
            return Err(Error::invalid(FieldError::new(
                format!("suppliers[{index}]"),
                "not_a_supplier",
                format!("{supplier} is not one of your active suppliers"),
            )));
        }
        if requests::forwarded_to(tx, parent_id, *supplier)? {
            return Err(Error::Duplicate {
                field: Some(format!("suppliers[{index}]")),
                message: format!("this request was already forwarded to {supplier}"),
            });
        }
        created.push(requests::insert(
            tx,
            &NewRequest {
                requirement_id: parent.requirement_id,
                parent_request_id: Some(parent_id),
                requester: tier1,
                supplier: *supplier,
                depth: parent.depth + 1,
                title: &parent.title,
                message: forward.message,
                period: parent.period,
                due_date,
                requirement_version: parent.requirement_version,
                items: &items,
            },
        )?);
    }
    let next = parent.status.after_forwarded();
    if next != parent.status {
        requests::set_status(tx, parent_id, next)?;
    }
    let children = requests::find_many(tx, &created)?;
    let mut recorded: Vec<_> = children.iter().map(|child| received(child, by)).collect();
    let parent = Request {
        status: next,
        ..parent
    };
    let forwarded_ids: Vec<String> = created.iter().map(ToString::to_string).collect();
    recorded.push(events::about_request(
        EventType::RequestForwarded,
        &parent,
        tier1,
        by,
        json!({"forwarded": forwarded_ids}),
    ));
    events::record(tx, &recorded)?;
    Ok(children)
}

/// `request.received`, to the supplier a request was sent to.
pub(crate) fn received(request: &Request, by: &str) -> tierlink_domain::events::NewEvent {
    events::about_request(
        EventType::RequestReceived,
        request,
        request.supplier_org_id,
        by,
        json!({"items": request.items.iter().map(|i| &i.metric).collect::<Vec<_>>()}),
    )
}

/// The requests a tier-1 forwarded from `parent_id` (for that tier-1 only).
pub fn forwarded_from(
    conn: &mut DbConnection,
    tier1: OrgId,
    parent_id: RequestId,
) -> Result<Vec<Request>, Error> {
    let (party, _) =
        requests::standing(conn, tier1, parent_id).map_err(crate::error::not_found("request"))?;
    if party != Party::Supplier {
        return Err(Error::NotFound("request"));
    }
    Ok(requests::forwarded_from(conn, parent_id)?)
}

/// The requests a requirement sent directly, with their forwarded
/// progress, for its requester.
pub fn list_for_requirement(
    conn: &mut DbConnection,
    requester: OrgId,
    requirement: tierlink_domain::ids::RequirementId,
    page: &PageRequest,
) -> Result<Page<RequestProgress>, Error> {
    requirements::find(conn, requester, requirement)
        .map_err(crate::error::not_found("requirement"))?;
    Ok(requests::list_for_requirement(
        conn,
        requester,
        requirement,
        page,
    )?)
}
