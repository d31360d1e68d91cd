//! Tier-2 answers attached to a tier-1's answer, and who sees what of them.

use tierlink_domain::FieldError;
use tierlink_domain::ids::{OrgId, RequestId};
use tierlink_domain::requests::Party;
use tierlink_domain::revisions::{
    RecordedEntry, Revision, RevisionStatus, check_attachable, seen_by,
};
use tierlink_persistence::locks::lock_request;
use tierlink_persistence::{DbConnection, attachments as attached, requests, revisions};

use super::access::{request_answered_by, request_visible_to};
use crate::error::Error;

/// A tier-2 answer attached to a tier-1's answer, as one viewer may see it.
#[derive(Debug, Clone)]
pub struct Attached {
    pub child_request_id: RequestId,
    /// The tier-2's name: shown to the tier-1 only.
    pub supplier_name: Option<String>,
    pub revision: Revision,
    /// The values: for the tier-1 always; for its customer only with the tier-2's consent.
    pub entries: Option<Vec<RecordedEntry>>,
}

/// A tier-1 attaches the accepted answer of a request it forwarded from
/// `id` to its own answer, so its customer can count (and, with consent,
/// see) it. Lock: request `id`'s row, so one answer is attached once.
pub fn attach(
    tx: &mut DbConnection,
    tier1: OrgId,
    by: &str,
    id: RequestId,
    child: RequestId,
) -> Result<(), Error> {
    lock_request(tx, id)?;
    request_answered_by(tx, tier1, id)?;
    if !requests::is_forwarded_from(tx, child, id)? {
        return Err(Error::invalid(FieldError::new(
            "child_request_id",
            "not_forwarded_from_here",
            "attach only answers to requests you forwarded from this one",
        )));
    }
    check_attachable(revisions::latest(tx, child)?.as_ref())?;
    if attached::exists(tx, id, child)? {
        return Err(Error::Duplicate {
            field: Some("child_request_id".to_owned()),
            message: "this answer is attached already".to_owned(),
        });
    }
    attached::insert(tx, id, child, by)?;
    Ok(())
}

/// The answers attached to request `id`, as `viewer` (the tier-1 that
/// answers it, or the customer that sent it) may see them.
pub fn attachments(
    conn: &mut DbConnection,
    viewer: OrgId,
    id: RequestId,
) -> Result<Vec<Attached>, Error> {
    let request = request_visible_to(conn, viewer, id)?;
    let is_tier1 = request.party(viewer) == Some(Party::Supplier);
    let mut found = Vec::new();
    for child in attached::children_of(conn, id)? {
        let Some(revision) =
            revisions::latest(conn, child)?.filter(|r| r.status == RevisionStatus::Accepted)
        else {
            continue;
        };
        // Neither the tier-1 nor its customer answers the child request:
        // where its reused entries came from is the tier-2's own business.
        let entries = if is_tier1 || revision.share_upstream {
            Some(seen_by(
                revisions::entries(conn, child, revision.number)?,
                None,
            ))
        } else {
            None
        };
        let supplier_name = if is_tier1 {
            Some(requests::find_for(conn, viewer, child)?.supplier_name)
        } else {
            None
        };
        found.push(Attached {
            child_request_id: child,
            supplier_name,
            revision,
            entries,
        });
    }
    Ok(found)
}
