//! Saving a supplier's draft: all of it (and optionally submitting), or
//! one entry.

use tierlink_domain::answers::Entry;
use tierlink_domain::ids::{OrgId, RequestId};
use tierlink_domain::products::UrnIssuer;
use tierlink_domain::revisions::replaces_nothing;
use tierlink_persistence::locks::lock_request;
use tierlink_persistence::{DbConnection, drafts, requests};

use super::access::request_answered_by;
use super::entries::check_evidence;
use super::submit::{Submitted, submit_locked};
use crate::error::Error;

/// Replaces the draft with `entries` (validated against the request by
/// [`super::check_entries`]) and, with `submit: Some(share_upstream)`,
/// submits it in the same transaction. The request becomes `in_progress`
/// if it was open or sent back. Saving exactly what the draft holds
/// changes nothing, so a retried save-and-submit is answered with the
/// revision the first one made. Lock: the request's row.
pub fn save_draft(
    tx: &mut DbConnection,
    supplier: OrgId,
    by: &str,
    id: RequestId,
    entries: &[Entry],
    submit: Option<(bool, &UrnIssuer)>,
) -> Result<Option<Submitted>, Error> {
    lock_request(tx, id)?;
    let mut request = request_answered_by(tx, supplier, id)?;
    request.check_answerable()?;
    check_evidence(tx, id, entries, &|_| String::new())?;
    let next = request.status.after_draft_saved();
    let unchanged = next == request.status
        && drafts::is_latest_revision(tx, id)?
        && replaces_nothing(&drafts::load(tx, id)?, entries);
    if !unchanged {
        drafts::save(tx, id, entries, true, by)?;
        if next != request.status {
            requests::set_status(tx, id, next)?;
            request.status = next;
        }
    }
    submit
        .map(|(share, issuer)| submit_locked(tx, &request, share, by, issuer))
        .transpose()
}

/// Saves entries into the draft, leaving those of other metrics (one
/// entry, or the rows of an imported spreadsheet). Lock: the request's row.
pub fn save_entries(
    tx: &mut DbConnection,
    supplier: OrgId,
    by: &str,
    id: RequestId,
    entries: &[Entry],
) -> Result<(), Error> {
    lock_request(tx, id)?;
    let request = request_answered_by(tx, supplier, id)?;
    request.check_answerable()?;
    check_evidence(tx, id, entries, &|_| String::new())?;
    drafts::save(tx, id, entries, false, by)?;
    let next = request.status.after_draft_saved();
    if next != request.status {
        requests::set_status(tx, id, next)?;
    }
    Ok(())
}
