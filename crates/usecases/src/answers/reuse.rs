//! Answer once, share with many: copying entries of an answer already
//! given into the draft of another request.

use tierlink_domain::FieldError;
use tierlink_domain::Rejection;
use tierlink_domain::ids::{OrgId, RequestId};
use tierlink_domain::revisions::{reusable_into, reuse_source};
use tierlink_persistence::locks::lock_request;
use tierlink_persistence::{DbConnection, drafts, evidence, requests, revisions};

use super::access::request_answered_by;
use crate::error::Error;

fn nothing_to_reuse(message: &str) -> Error {
    Rejection::new("nothing_to_reuse", message)
        .on("source_request_id")
        .into()
}

/// Copies the entries `supplier` gave in its latest submitted (or
/// accepted) answer to `source` into its draft for `id`: the metrics both
/// requests ask for, over the same period. Each copy records where it
/// came from; its evidence is linked to the new request. Returns the
/// metrics copied. Lock: request `id`'s row.
pub fn reuse(
    tx: &mut DbConnection,
    supplier: OrgId,
    by: &str,
    id: RequestId,
    source: RequestId,
    metrics: Option<&[String]>,
) -> Result<Vec<String>, Error> {
    lock_request(tx, id)?;
    let target = request_answered_by(tx, supplier, id)?;
    target.check_answerable()?;
    request_answered_by(tx, supplier, source).map_err(|_| {
        Error::invalid(FieldError::new(
            "source_request_id",
            "not_yours",
            "reuse only answers your organisation gave",
        ))
    })?;
    let Some(revision) = revisions::latest(tx, source)?.filter(|r| r.status.reusable()) else {
        return Err(nothing_to_reuse(
            "that request has no submitted answer to reuse",
        ));
    };
    let origin = reuse_source(source, revision.number);
    let mut copied = Vec::new();
    for entry in revisions::entries(tx, source, revision.number)? {
        if !reusable_into(&entry, &target, metrics) {
            continue;
        }
        let evidence = evidence::link_copies(tx, &entry.evidence, id)?;
        drafts::save_copy(tx, id, &entry, &evidence, &origin, by)?;
        copied.push(entry.metric);
    }
    if copied.is_empty() {
        return Err(nothing_to_reuse(
            "no entry of that answer matches an item of this request over the same period",
        ));
    }
    let next = target.status.after_draft_saved();
    if next != target.status {
        requests::set_status(tx, id, next)?;
    }
    Ok(copied)
}
