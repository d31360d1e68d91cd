//! Reading an answer: each read authorises once, with one statement
//! ([`requests::standing`]), then reads what it shows.

use tierlink_domain::ids::{OrgId, RequestId, RevisionNumber};
use tierlink_domain::requests::{Party, RequestStatus};
use tierlink_domain::revisions::{RecordedEntry, Revision, seen_by};
use tierlink_persistence::{DbConnection, drafts, requests, revisions};

use crate::error::{Error, not_found};

/// A supplier's answer to a request: where the request stands, the draft
/// (what the next submission will contain) and every submitted revision.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: RequestStatus,
    pub draft: Vec<RecordedEntry>,
    pub revisions: Vec<Revision>,
}

/// The answer `supplier` is giving to request `id`.
pub fn answer(conn: &mut DbConnection, supplier: OrgId, id: RequestId) -> Result<Answer, Error> {
    let (party, status) = requests::standing(conn, supplier, id).map_err(not_found("request"))?;
    if party != Party::Supplier {
        return Err(Error::NotFound("request"));
    }
    Ok(Answer {
        status,
        draft: drafts::load(conn, id)?,
        revisions: revisions::list(conn, id)?,
    })
}

/// Every revision of a request's answer, oldest first: for its supplier
/// and its sender.
pub fn revisions(
    conn: &mut DbConnection,
    viewer: OrgId,
    id: RequestId,
) -> Result<Vec<Revision>, Error> {
    requests::standing(conn, viewer, id).map_err(not_found("request"))?;
    Ok(revisions::list(conn, id)?)
}

/// One revision with its entries: for the request's supplier and its
/// sender (who does not see where reused entries came from).
pub fn revision(
    conn: &mut DbConnection,
    viewer: OrgId,
    id: RequestId,
    number: RevisionNumber,
) -> Result<(Revision, Vec<RecordedEntry>), Error> {
    let (party, _) = requests::standing(conn, viewer, id).map_err(not_found("request"))?;
    let revision = revisions::find(conn, id, number).map_err(not_found("revision"))?;
    let entries = revisions::entries(conn, id, number)?;
    Ok((revision, seen_by(entries, Some(party))))
}

/// The revision numbered `number`, or the latest when `None` (a CSV
/// export): for the request's supplier and its sender.
pub fn revision_or_latest(
    conn: &mut DbConnection,
    viewer: OrgId,
    id: RequestId,
    number: Option<RevisionNumber>,
) -> Result<(Revision, Vec<RecordedEntry>), Error> {
    let (party, _) = requests::standing(conn, viewer, id).map_err(not_found("request"))?;
    let number = match number {
        Some(number) => number,
        None => revisions::latest_number(conn, id)?.ok_or(Error::NotFound("revision"))?,
    };
    let revision = revisions::find(conn, id, number).map_err(not_found("revision"))?;
    let entries = revisions::entries(conn, id, number)?;
    Ok((revision, seen_by(entries, Some(party))))
}
