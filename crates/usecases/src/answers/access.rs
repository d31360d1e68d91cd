//! Who may touch a request's answer: its supplier, to write it; its
//! supplier or its sender, to read it. Each use case authorises once.

use tierlink_domain::ids::{OrgId, RequestId};
use tierlink_domain::requests::{Party, Request};
use tierlink_persistence::{DbConnection, requests};

use crate::error::{Error, not_found};

/// The request, if `supplier` is the one who answers it.
pub fn request_answered_by(
    conn: &mut DbConnection,
    supplier: OrgId,
    id: RequestId,
) -> Result<Request, Error> {
    let request = request_visible_to(conn, supplier, id)?;
    match request.party(supplier) {
        Some(Party::Supplier) => Ok(request),
        _ => Err(Error::NotFound("request")),
    }
}

/// The request, if `viewer` answers it or sent it.
pub fn request_visible_to(
    conn: &mut DbConnection,
    viewer: OrgId,
    id: RequestId,
) -> Result<Request, Error> {
    requests::find_for(conn, viewer, id).map_err(not_found("request"))
}
