//! Validating a supplier's entries against the request they answer: each
//! must be an item of it, once, and valid for its metric's kind.

use tierlink_domain::answers::{Entry, EntryInput, parse_entry};
use tierlink_domain::ids::{OrgId, RequestId};
use tierlink_domain::metrics::{self, ValueKind};
use tierlink_domain::requests::Request;
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::custom_metrics::{self, CustomMetric};
use tierlink_persistence::{DbConnection, StoreError, requirements};

use super::access::request_answered_by;
use crate::error::Error;

/// A request its supplier is answering, with the requester's custom
/// metrics among its items (to validate entries and describe items).
#[derive(Debug, Clone)]
pub struct RequestToAnswer {
    pub request: Request,
    pub custom: Vec<CustomMetric>,
}

/// Reads the request `supplier` answers, for validating entries.
pub fn request_to_answer(
    conn: &mut DbConnection,
    supplier: OrgId,
    id: RequestId,
) -> Result<RequestToAnswer, Error> {
    let request = request_answered_by(conn, supplier, id)?;
    let owner = requirements::owner_of(conn, request.requirement_id)?;
    let codes: Vec<String> = request.items.iter().map(|i| i.metric.clone()).collect();
    let custom = custom_metrics::find_many(conn, &[owner], &codes)?;
    Ok(RequestToAnswer { request, custom })
}

/// Checks entries against a request's items, pushing each problem under
/// `{prefix}entries[i]`; returns the entries that parsed.
pub fn check_entries(
    to_answer: &RequestToAnswer,
    inputs: &[EntryInput<'_>],
    prefix: &str,
    errors: &mut ValidationErrors,
) -> Result<Vec<Entry>, Error> {
    let request = &to_answer.request;
    let mut entries: Vec<Entry> = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        let path = format!("{prefix}entries[{index}]");
        let Some(item) = request
            .items
            .iter()
            .find(|item| item.metric == input.metric)
        else {
            errors.push(FieldError::new(
                format!("{path}.metric"),
                "not_in_request",
                format!("`{}` is not an item of this request", input.metric),
            ));
            continue;
        };
        if inputs[..index]
            .iter()
            .any(|earlier| earlier.metric == input.metric)
        {
            errors.push(FieldError::new(
                format!("{path}.metric"),
                "duplicate",
                "answered twice",
            ));
            continue;
        }
        let kind: Option<ValueKind> = metrics::find(input.metric).map(|m| m.kind).or_else(|| {
            to_answer
                .custom
                .iter()
                .find(|m| m.code == input.metric)
                .and_then(CustomMetric::value_kind)
        });
        let Some(kind) = kind else {
            return Err(StoreError::Corrupt(format!(
                "metric {} of request {} has no kind",
                input.metric, request.id
            ))
            .into());
        };
        match parse_entry(input, item, &kind, request.period) {
            Ok(entry) => entries.push(entry),
            Err(found) => {
                for error in found.into_errors() {
                    errors.push(error.under(&path));
                }
            }
        }
    }
    Ok(entries)
}

/// Every evidence id of every entry names evidence uploaded for `request`;
/// otherwise a 422 under `{metric}: …` naming the first unknown one.
pub(super) fn check_evidence(
    tx: &mut DbConnection,
    request: RequestId,
    entries: &[Entry],
    under: &dyn Fn(usize) -> String,
) -> Result<(), Error> {
    for (position, entry) in entries.iter().enumerate() {
        if entry.evidence.is_empty() {
            continue;
        }
        let unknown = tierlink_persistence::evidence::unknown_among(tx, request, &entry.evidence)?;
        if let Some((index, id)) = unknown.into_iter().next() {
            let mut error = tierlink_domain::evidence::unknown_evidence(index, &id.to_string());
            error.message = format!("{}: {}", entry.metric, error.message);
            let prefix = under(position);
            return Err(Error::invalid(if prefix.is_empty() {
                error
            } else {
                error.under(&prefix)
            }));
        }
    }
    Ok(())
}
