//! Evidence files: the supplier of a request uploads them; they are read
//! by the uploader, by the request's sender and, where the tier-2
//! consented, by the customer above a tier-1 that attached its answer.

use tierlink_domain::evidence::EvidenceFile;
use tierlink_domain::ids::{EvidenceId, OrgId, RequestId};
use tierlink_domain::requests::Party;
use tierlink_domain::revisions::shared_upstream;
use tierlink_persistence::locks::lock_request;
use tierlink_persistence::{DbConnection, attachments, evidence, requests, revisions};

use crate::answers::request_answered_by;
use crate::error::{Error, not_found};

/// `uploader` may attach evidence to request `id` now: it answers it and
/// the request still takes answers. Checked before the bytes are stored.
pub fn check_uploader(
    conn: &mut DbConnection,
    uploader: OrgId,
    id: RequestId,
) -> Result<(), Error> {
    request_answered_by(conn, uploader, id)?.check_answerable()?;
    Ok(())
}

/// Records a stored file's metadata, checking again under the request's
/// row lock that the request still takes evidence.
pub fn record(tx: &mut DbConnection, file: &EvidenceFile) -> Result<EvidenceFile, Error> {
    lock_request(tx, file.request_id)?;
    check_uploader(tx, file.org_id, file.request_id)?;
    Ok(evidence::insert(tx, file)?)
}

/// The evidence files of a request, for its supplier and its sender.
pub fn list_for_request(
    conn: &mut DbConnection,
    viewer: OrgId,
    id: RequestId,
) -> Result<Vec<EvidenceFile>, Error> {
    requests::standing(conn, viewer, id).map_err(not_found("request"))?;
    Ok(evidence::list_for_request(conn, id)?)
}

/// A file `viewer` may download: its own upload, evidence for a request
/// `viewer` sent, or, further up the chain, evidence of a tier-2 answer
/// attached for `viewer` with the tier-2's consent.
pub fn find_for(
    conn: &mut DbConnection,
    viewer: OrgId,
    id: EvidenceId,
) -> Result<EvidenceFile, Error> {
    let file = evidence::find(conn, id).map_err(not_found("evidence file"))?;
    if file.org_id == viewer {
        return Ok(file);
    }
    match requests::standing(conn, viewer, file.request_id) {
        Ok((Party::Requester, _)) => return Ok(file),
        Ok(_) | Err(tierlink_persistence::StoreError::NotFound) => {}
        Err(other) => return Err(other.into()),
    }
    if shared_upstream_with(conn, viewer, file.request_id)? {
        return Ok(file);
    }
    Err(Error::NotFound("evidence file"))
}

/// Whether `viewer` may see the values of `child`'s answer through a
/// tier-1 that attached it: the tier-2 consented, and `viewer` sent the
/// request it was attached to.
fn shared_upstream_with(
    conn: &mut DbConnection,
    viewer: OrgId,
    child: RequestId,
) -> Result<bool, Error> {
    if !shared_upstream(revisions::latest(conn, child)?.as_ref()) {
        return Ok(false);
    }
    for parent in attachments::parents_of(conn, child)? {
        if requests::is_sent_by(conn, parent, viewer)? {
            return Ok(true);
        }
    }
    Ok(false)
}
