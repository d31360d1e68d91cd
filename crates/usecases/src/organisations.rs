//! Organisations as a caller may see them: its own, and its direct
//! partners (active suppliers or customers).

use tierlink_domain::ids::OrgId;
use tierlink_domain::organisation::Organisation;
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_persistence::organisations;
use tierlink_persistence::{DbConnection, network};

use crate::error::{Error, not_found};

/// One organisation as `viewer` may see it; anything else is "no such organisation".
pub fn show(conn: &mut DbConnection, viewer: OrgId, id: OrgId) -> Result<Organisation, Error> {
    if id != viewer && !network::are_partners(conn, viewer, id)? {
        return Err(Error::NotFound("organisation"));
    }
    organisations::find(conn, id).map_err(not_found("organisation"))
}

/// The organisations `viewer` may see, oldest first, a page at a time.
pub fn list(
    conn: &mut DbConnection,
    viewer: OrgId,
    page: &PageRequest,
) -> Result<Page<Organisation>, Error> {
    Ok(organisations::list_visible(conn, viewer, page)?)
}
