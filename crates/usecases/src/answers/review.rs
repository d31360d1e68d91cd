//! The requester's review of a submitted revision.

use tierlink_domain::events::EventType;
use tierlink_domain::ids::{OrgId, RequestId, RevisionNumber};
use tierlink_domain::requests::{Party, Request};
use tierlink_domain::revisions::{Decision, Revision, check_reviewable};
use tierlink_persistence::locks::lock_request;
use tierlink_persistence::{DbConnection, requests, revisions};

use super::access::request_visible_to;
use crate::error::{Error, not_found};
use crate::events;

/// The requester accepts the latest submitted revision or sends it back
/// with comments (overall and per entry). Lock: the request's row, so a
/// submission cannot slip in between the check that this revision is the
/// latest and the decision.
pub fn review(
    tx: &mut DbConnection,
    requester: OrgId,
    by: &str,
    id: RequestId,
    number: RevisionNumber,
    decision: &Decision,
) -> Result<Revision, Error> {
    lock_request(tx, id)?;
    let request = request_visible_to(tx, requester, id)?;
    if request.party(requester) != Some(Party::Requester) {
        return Err(Error::NotFound("request"));
    }
    let revision = revisions::find(tx, id, number).map_err(not_found("revision"))?;
    check_reviewable(&request, &revision, revisions::latest_number(tx, id)?)?;
    if let Decision::RequestChanges { items, .. } = decision {
        let entries = revisions::entries(tx, id, number)?;
        let answered: Vec<&str> = entries.iter().map(|e| e.metric.as_str()).collect();
        decision.check_items(&request, &answered)?;
        for (metric, note) in items {
            revisions::note_entry(tx, id, number, metric, note)?;
        }
    }
    let (revision_status, request_status) = decision.outcome();
    revisions::record_review(tx, id, number, revision_status, by, decision.comment())?;
    requests::set_status(tx, id, request_status)?;
    let reviewed = revisions::find(tx, id, number)?;
    let kind = match decision {
        Decision::Accept { .. } => EventType::AnswerAccepted,
        Decision::RequestChanges { .. } => EventType::AnswerChangesRequested,
    };
    let request = Request {
        status: request_status,
        ..request
    };
    events::record(
        tx,
        &[events::about_revision(
            kind,
            &request,
            &reviewed,
            request.supplier_org_id,
            by,
        )],
    )?;
    Ok(reviewed)
}
