//! Submitting the draft as the next immutable revision.

use tierlink_domain::ids::{OrgId, RequestId};
use tierlink_domain::metrics::PRODUCT_FOOTPRINTS;
use tierlink_domain::products::UrnIssuer;
use tierlink_domain::requests::{Request, RequestStatus};
use tierlink_domain::revisions::{
    RecordedEntry, Revision, Submission, check_complete, decide_submission,
};
use tierlink_persistence::locks::lock_request;
use tierlink_persistence::{DbConnection, drafts, requests, revisions};

use super::access::request_answered_by;
use crate::error::Error;
use crate::events;
use crate::footprints;
use tierlink_domain::events::EventType;

/// What a submission produced.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub revision: Revision,
    /// `false` when nothing had changed since the latest revision, which
    /// still awaits review: it is the answer, and no new revision was made.
    pub created: bool,
}

/// The supplier submits its draft. Every required item must be answered
/// (the missing ones are all listed). Lock: the request's row, so two
/// concurrent submissions number their revisions one after the other and
/// the second sees the first (and, unchanged, is answered with it).
/// Product footprints in the draft are published to the requester, their
/// URNs issued by `issuer`.
pub fn submit(
    tx: &mut DbConnection,
    supplier: OrgId,
    by: &str,
    id: RequestId,
    share_upstream: bool,
    issuer: &UrnIssuer,
) -> Result<Submitted, Error> {
    lock_request(tx, id)?;
    let request = request_answered_by(tx, supplier, id)?;
    submit_locked(tx, &request, share_upstream, by, issuer)
}

/// [`submit`] for a caller that holds the request's lock and read it since.
pub(super) fn submit_locked(
    tx: &mut DbConnection,
    request: &Request,
    share_upstream: bool,
    by: &str,
    issuer: &UrnIssuer,
) -> Result<Submitted, Error> {
    let id = request.id;
    let latest = revisions::latest(tx, id)?;
    let draft_is_latest = drafts::is_latest_revision(tx, id)?;
    match decide_submission(request, latest.as_ref(), draft_is_latest, share_upstream)? {
        Submission::AlreadySubmitted(_) => Ok(Submitted {
            revision: latest.ok_or(Error::NotFound("revision"))?,
            created: false,
        }),
        Submission::New(number) => {
            let draft = drafts::load(tx, id)?;
            let mut answered: Vec<&str> = draft.iter().map(|e| e.metric.as_str()).collect();
            let footprints_missing = footprints::missing(tx, request)?;
            if footprints_missing.is_empty() {
                answered.push(PRODUCT_FOOTPRINTS);
            }
            let footprints_required = request
                .items
                .iter()
                .any(|i| i.metric == PRODUCT_FOOTPRINTS && i.required);
            let mut errors = tierlink_domain::ValidationErrors::new();
            if let Err(missing) = check_complete(request, &answered) {
                for error in missing {
                    if error.field != format!("entries.{PRODUCT_FOOTPRINTS}") {
                        errors.push(error);
                    }
                }
            }
            if footprints_required {
                for error in footprints_missing {
                    errors.push(error);
                }
            }
            if !errors.is_empty() {
                return Err(Error::Invalid(errors));
            }
            let asked: Vec<&RecordedEntry> = draft
                .iter()
                .filter(|e| request.items.iter().any(|i| i.metric == e.metric))
                .collect();
            revisions::insert(tx, id, number, share_upstream, by, &asked)?;
            footprints::publish(
                tx,
                request,
                number,
                latest.as_ref().map(|r| r.number),
                issuer,
            )?;
            crate::pact::on_submitted(tx, request)?;
            drafts::became_revision(tx, id)?;
            requests::set_status(tx, id, RequestStatus::Submitted)?;
            let revision = revisions::find(tx, id, number)?;
            let submitted = Request {
                status: RequestStatus::Submitted,
                ..request.clone()
            };
            events::record(
                tx,
                &[events::about_revision(
                    EventType::AnswerSubmitted,
                    &submitted,
                    &revision,
                    request.requester_org_id,
                    by,
                )],
            )?;
            Ok(Submitted {
                revision,
                created: true,
            })
        }
    }
}
