//! Machine clients (partners' ERP systems), managed by an organisation's admins.

use tierlink_domain::access::Scopes;
use tierlink_domain::ids::{ClientId, OrgId};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_persistence::DbConnection;
use tierlink_persistence::api_clients;
pub use tierlink_persistence::api_clients::ApiClient;

use crate::error::{Error, not_found};

/// `org`'s clients, a page at a time.
pub fn list(
    conn: &mut DbConnection,
    org: OrgId,
    page: &PageRequest,
) -> Result<Page<ApiClient>, Error> {
    Ok(api_clients::list(conn, org, page)?)
}

/// One of `org`'s clients.
pub fn show(conn: &mut DbConnection, org: OrgId, id: ClientId) -> Result<ApiClient, Error> {
    api_clients::find(conn, org, id).map_err(not_found("client"))
}

/// A new client whose secret hashes to `secret_hash`.
pub fn create(
    tx: &mut DbConnection,
    org: OrgId,
    name: &str,
    scopes: &Scopes,
    secret_hash: &str,
) -> Result<ApiClient, Error> {
    Ok(api_clients::insert(tx, org, name, scopes, secret_hash)?)
}

/// Replaces a client's secret (a revoked client's is refused).
pub fn rotate_secret(
    tx: &mut DbConnection,
    org: OrgId,
    id: ClientId,
    secret_hash: &str,
) -> Result<ApiClient, Error> {
    api_clients::rotate_secret(tx, org, id, secret_hash).map_err(not_found("client"))
}

/// Revokes a client: its tokens stop working on their next use.
pub fn revoke(tx: &mut DbConnection, org: OrgId, id: ClientId) -> Result<ApiClient, Error> {
    api_clients::revoke(tx, org, id).map_err(not_found("client"))
}
