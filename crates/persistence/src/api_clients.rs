//! Machine clients (partner ERP systems): rows and queries, scoped to the
//! owning organisation.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use tierlink_domain::access::Scopes;
use tierlink_domain::ids::{ClientId, OrgId};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::time::now;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::api_clients;
use crate::time::{from_db, to_db};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_clients)]
struct ClientRow {
    id: String,
    org_id: String,
    name: String,
    scopes: String,
    secret_hash: String,
    secret_rotated_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

/// A machine client, without its secret.
#[derive(Debug, Clone)]
pub struct ApiClient {
    pub id: ClientId,
    pub org_id: OrgId,
    pub name: String,
    pub scopes: Scopes,
    pub secret_rotated_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl ClientRow {
    fn into_client(self) -> Result<(ApiClient, String), StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("api client {}: {what}", self.id));
        let client = ApiClient {
            id: self.id.parse().map_err(|_| corrupt("id"))?,
            org_id: self.org_id.parse().map_err(|_| corrupt("org_id"))?,
            scopes: Scopes::parse_spaced("scopes", &self.scopes).map_err(|_| corrupt("scopes"))?,
            name: self.name,
            secret_rotated_at: from_db(self.secret_rotated_at),
            revoked_at: self.revoked_at.map(from_db),
            created_at: from_db(self.created_at),
        };
        Ok((client, self.secret_hash))
    }
}

pub fn insert(
    conn: &mut DbConnection,
    org_id: OrgId,
    name: &str,
    scopes: &Scopes,
    secret_hash: &str,
) -> Result<ApiClient, StoreError> {
    let at = to_db(now());
    let row = ClientRow {
        id: ClientId::generate().to_string(),
        org_id: org_id.to_string(),
        name: name.to_owned(),
        scopes: scopes.to_string(),
        secret_hash: secret_hash.to_owned(),
        secret_rotated_at: at,
        revoked_at: None,
        created_at: at,
    };
    diesel::insert_into(api_clients::table)
        .values(&row)
        .execute(conn)?;
    row.into_client().map(|(client, _)| client)
}

/// The client and its secret hash, for authenticating a token request.
pub fn find_credentials(
    conn: &mut DbConnection,
    id: ClientId,
) -> Result<Option<(ApiClient, String)>, StoreError> {
    let row: Option<ClientRow> = api_clients::table
        .find(id.to_string())
        .select(ClientRow::as_select())
        .first(conn)
        .optional()?;
    row.map(ClientRow::into_client).transpose()
}

pub fn find(conn: &mut DbConnection, org_id: OrgId, id: ClientId) -> Result<ApiClient, StoreError> {
    api_clients::table
        .filter(api_clients::id.eq(id.to_string()))
        .filter(api_clients::org_id.eq(org_id.to_string()))
        .select(ClientRow::as_select())
        .first(conn)?
        .into_client()
        .map(|(client, _)| client)
}

pub fn list(
    conn: &mut DbConnection,
    org_id: OrgId,
    page: &PageRequest,
) -> Result<Page<ApiClient>, StoreError> {
    let mut query = api_clients::table
        .filter(api_clients::org_id.eq(org_id.to_string()))
        .select(ClientRow::as_select())
        .order(api_clients::id.asc())
        .limit(i64::try_from(page.limit.get() + 1).unwrap_or(i64::MAX))
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(api_clients::id.gt(after.key().to_owned()));
    }
    let rows: Vec<ClientRow> = query.load(conn)?;
    let clients = rows
        .into_iter()
        .map(|row| row.into_client().map(|(client, _)| client))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetched(clients, page.limit, |client| {
        client.id.to_string()
    }))
}

/// Replaces the secret of an active client; the old secret stops working at once.
pub fn rotate_secret(
    conn: &mut DbConnection,
    org_id: OrgId,
    id: ClientId,
    secret_hash: &str,
) -> Result<ApiClient, StoreError> {
    let client = find(conn, org_id, id)?;
    if client.revoked_at.is_some() {
        return Err(StoreError::Rejected {
            code: "client_revoked",
            field: None,
            message: "a revoked client cannot get a new secret; create a new client".to_owned(),
        });
    }
    let at = now();
    diesel::update(api_clients::table.filter(api_clients::id.eq(id.to_string())))
        .set((
            api_clients::secret_hash.eq(secret_hash),
            api_clients::secret_rotated_at.eq(to_db(at)),
        ))
        .execute(conn)?;
    Ok(ApiClient {
        secret_rotated_at: at,
        ..client
    })
}

/// Revokes a client; revoking twice keeps the first time.
pub fn revoke(
    conn: &mut DbConnection,
    org_id: OrgId,
    id: ClientId,
) -> Result<ApiClient, StoreError> {
    let client = find(conn, org_id, id)?;
    if client.revoked_at.is_some() {
        return Ok(client);
    }
    let at = now();
    diesel::update(api_clients::table.filter(api_clients::id.eq(id.to_string())))
        .set(api_clients::revoked_at.eq(Some(to_db(at))))
        .execute(conn)?;
    Ok(ApiClient {
        revoked_at: Some(at),
        ..client
    })
}

/// The scopes of an active client, or `None` when revoked or gone. Checked
/// on every authenticated request, so revocation takes effect at once.
pub fn active_scopes(
    conn: &mut DbConnection,
    org_id: OrgId,
    id: ClientId,
) -> Result<Option<Scopes>, StoreError> {
    let row: Option<(String, Option<NaiveDateTime>)> = api_clients::table
        .filter(api_clients::id.eq(id.to_string()))
        .filter(api_clients::org_id.eq(org_id.to_string()))
        .select((api_clients::scopes, api_clients::revoked_at))
        .first(conn)
        .optional()?;
    match row {
        Some((scopes, None)) => Scopes::parse_spaced("scopes", &scopes)
            .map(Some)
            .map_err(|_| StoreError::Corrupt(format!("api client {id}: scopes"))),
        _ => Ok(None),
    }
}
