//! A large firm's reporting requirements: drafting, publishing (one
//! request per targeted supplier), amending, closing and cancelling, and
//! reading them with their roll-up inputs.
//!
//! Locks (PostgreSQL): every lifecycle change takes the requirement's row
//! lock before it checks the status and `If-Match`; closing, cancelling
//! and amending then lock the requirement's requests in id order.

use tierlink_domain::FieldError;
use tierlink_domain::ids::{OrgId, RequirementId};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::requests::RequestStatus;
use tierlink_domain::requirements::{
    Audience, Requirement, RequirementAction, RequirementContent, Version, check_audience_reached,
};
use tierlink_persistence::locks::lock_requirement;
use tierlink_persistence::requests::NewRequest;
pub use tierlink_persistence::requirements::RequirementFilter;
use tierlink_persistence::rollup_inputs;
pub use tierlink_persistence::rollup_inputs::{CountedAnswer, CountedEntry, SummaryInputs};
use tierlink_persistence::{DbConnection, network, requests, requirements};

use crate::error::{Error, not_found};
use crate::events;
use serde_json::json;
use tierlink_domain::events::{EventType, NewEvent};

/// Every chosen supplier must be an active direct supplier of `org`.
fn check_audience(tx: &mut DbConnection, org: OrgId, audience: &Audience) -> Result<(), Error> {
    if let Audience::Chosen(suppliers) = audience {
        for (index, supplier) in suppliers.iter().enumerate() {
            if !network::is_active_supplier(tx, org, *supplier)? {
                return Err(Error::invalid(FieldError::new(
                    format!("audience.suppliers[{index}]"),
                    "not_a_supplier",
                    format!("{supplier} is not one of your active suppliers"),
                )));
            }
        }
    }
    Ok(())
}

/// The codes of `org`'s own metrics, which its requirements may ask for.
pub fn custom_metric_codes(conn: &mut DbConnection, org: OrgId) -> Result<Vec<String>, Error> {
    Ok(tierlink_persistence::custom_metrics::list(conn, org)?
        .into_iter()
        .map(|m| m.code)
        .collect())
}

/// A new draft requirement.
pub fn create(
    tx: &mut DbConnection,
    org: OrgId,
    by: &str,
    content: &RequirementContent,
) -> Result<Requirement, Error> {
    check_audience(tx, org, &content.audience)?;
    Ok(requirements::insert(tx, org, by, content)?)
}

/// One of `org`'s requirements.
pub fn show(conn: &mut DbConnection, org: OrgId, id: RequirementId) -> Result<Requirement, Error> {
    requirements::find(conn, org, id).map_err(not_found("requirement"))
}

/// `org`'s requirements, a page at a time.
pub fn list(
    conn: &mut DbConnection,
    org: OrgId,
    filter: &RequirementFilter,
    page: &PageRequest,
) -> Result<Page<Requirement>, Error> {
    Ok(requirements::list(conn, org, filter, page)?)
}

/// Loads `org`'s requirement under its row lock and checks that `action`
/// is allowed now with the caller's `If-Match` revision.
fn load_for(
    tx: &mut DbConnection,
    org: OrgId,
    id: RequirementId,
    expected: Option<i32>,
    action: RequirementAction,
) -> Result<Requirement, Error> {
    lock_requirement(tx, id)?;
    let requirement = show(tx, org, id)?;
    requirement.check_action(action, expected)?;
    Ok(requirement)
}

/// Replaces a draft's content.
pub fn update_draft(
    tx: &mut DbConnection,
    org: OrgId,
    id: RequirementId,
    expected: Option<i32>,
    content: &RequirementContent,
) -> Result<Requirement, Error> {
    let current = load_for(tx, org, id, expected, RequirementAction::Edit)?;
    check_audience(tx, org, &content.audience)?;
    requirements::update_content(tx, &current, content)?;
    show(tx, org, id)
}

/// Publishes, closes or cancels. Publishing sends one request to each
/// targeted supplier; closing and cancelling settle the requests still
/// awaiting an answer.
pub fn transition(
    tx: &mut DbConnection,
    org: OrgId,
    by: &str,
    id: RequirementId,
    expected: Option<i32>,
    action: RequirementAction,
) -> Result<Requirement, Error> {
    let current = load_for(tx, org, id, expected, action)?;
    let next = current.check_action(action, expected)?;
    let mut recorded = Vec::new();
    let kind = match action {
        RequirementAction::Publish => {
            recorded = publish(tx, &current, by)?;
            EventType::RequirementPublished
        }
        RequirementAction::Close => {
            requests::settle_pending(tx, id, RequestStatus::Closed)?;
            crate::pact::on_requests_ended(tx, id)?;
            EventType::RequirementClosed
        }
        RequirementAction::Cancel => {
            requests::settle_pending(tx, id, RequestStatus::Cancelled)?;
            crate::pact::on_requests_ended(tx, id)?;
            EventType::RequirementCancelled
        }
        RequirementAction::Edit | RequirementAction::Amend => {
            return Err(tierlink_persistence::StoreError::Corrupt(format!(
                "{} is not a transition",
                action.as_str()
            ))
            .into());
        }
    };
    requirements::set_status(tx, &current, next)?;
    let requirement = show(tx, org, id)?;
    recorded.push(events::about_requirement(kind, &requirement, by));
    events::record(tx, &recorded)?;
    Ok(requirement)
}

/// Sends one request to each supplier the requirement targets; returns
/// their `request.received` events.
fn publish(
    tx: &mut DbConnection,
    requirement: &Requirement,
    by: &str,
) -> Result<Vec<NewEvent>, Error> {
    let org = requirement.org_id;
    let suppliers = match &requirement.content.audience {
        Audience::AllActiveSuppliers => network::active_suppliers_of(tx, org)?,
        Audience::Chosen(chosen) => {
            check_audience(tx, org, &requirement.content.audience)?;
            chosen.clone()
        }
    };
    check_audience_reached(suppliers.len())?;
    let mut sent = Vec::with_capacity(suppliers.len());
    for supplier in suppliers {
        sent.push(requests::insert(
            tx,
            &NewRequest {
                requirement_id: requirement.id,
                parent_request_id: None,
                requester: org,
                supplier,
                depth: 1,
                title: &requirement.content.title,
                message: &requirement.content.description,
                period: requirement.content.period,
                due_date: requirement.content.due_date,
                requirement_version: requirement.version,
                items: &requirement.content.items,
            },
        )?);
    }
    Ok(requests::find_many(tx, &sent)?
        .iter()
        .map(|request| crate::requests::received(request, by))
        .collect())
}

/// Amends a published requirement: a new version, recorded with what
/// changed; the requests it created that are still open follow.
pub fn amend(
    tx: &mut DbConnection,
    org: OrgId,
    id: RequirementId,
    expected: Option<i32>,
    content: &RequirementContent,
    note: &str,
    by: &str,
) -> Result<Requirement, Error> {
    let current = load_for(tx, org, id, expected, RequirementAction::Amend)?;
    let changes = current.amendment_changes(content)?;
    let version = requirements::record_amendment(tx, &current, content, &changes, note, by)?;
    let followed = requests::follow_amendment(tx, id, version, content)?;
    let amended: Vec<NewEvent> = requests::find_many(tx, &followed)?
        .iter()
        .map(|request| {
            events::about_request(
                EventType::RequestAmended,
                request,
                request.supplier_org_id,
                by,
                json!({"version": version, "changes": changes, "note": note}),
            )
        })
        .collect();
    events::record(tx, &amended)?;
    show(tx, org, id)
}

/// The amendments of `org`'s requirement, oldest first.
pub fn versions(
    conn: &mut DbConnection,
    org: OrgId,
    id: RequirementId,
) -> Result<Vec<Version>, Error> {
    show(conn, org, id)?;
    Ok(requirements::versions_of(conn, id)?)
}

/// What `requester`'s requirement rolls up: streamed to `counted_entry`.
pub fn summary_inputs(
    conn: &mut DbConnection,
    requester: OrgId,
    id: RequirementId,
    counted_entry: impl FnMut(CountedAnswer, CountedEntry),
) -> Result<SummaryInputs, Error> {
    show(conn, requester, id)?;
    Ok(rollup_inputs::summary_inputs(
        conn,
        requester,
        id,
        counted_entry,
    )?)
}

/// The product footprints requirement `id`'s requests published to its
/// requester.
pub fn footprint_coverage(
    conn: &mut DbConnection,
    requester: OrgId,
    id: RequirementId,
) -> Result<tierlink_persistence::footprints::Coverage, Error> {
    show(conn, requester, id)?;
    Ok(tierlink_persistence::footprints::coverage(
        conn,
        requester,
        &id.to_string(),
    )?)
}
