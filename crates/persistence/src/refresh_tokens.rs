//! Refresh tokens: stored as hashes, rotated on every use, and revoked as a
//! family when a rotated token is presented again (a sign it was stolen).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use tierlink_domain::ids::{TokenFamilyId, UserId};
use tierlink_domain::time::now;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::refresh_tokens;
use crate::time::{from_db, to_db};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
struct TokenRow {
    id: String,
    family_id: String,
    user_id: String,
    token_hash: String,
    expires_at: NaiveDateTime,
    created_at: NaiveDateTime,
    replaced_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

/// Stores a new token of `family` for `user_id`.
pub fn insert(
    conn: &mut DbConnection,
    family: TokenFamilyId,
    user_id: UserId,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let row = TokenRow {
        id: uuid::Uuid::now_v7().to_string(),
        family_id: family.to_string(),
        user_id: user_id.to_string(),
        token_hash: token_hash.to_owned(),
        expires_at: to_db(expires_at),
        created_at: to_db(now()),
        replaced_at: None,
        revoked_at: None,
    };
    diesel::insert_into(refresh_tokens::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

/// What presenting a refresh token led to.
#[derive(Debug, PartialEq, Eq)]
pub enum Redemption {
    /// Valid: it is now replaced by `new_hash`, in the same family.
    Rotated {
        user_id: UserId,
        family: TokenFamilyId,
    },
    /// It had been rotated already: the whole family is now revoked.
    Reused,
    /// Unknown, expired or revoked.
    Invalid,
}

/// Redeems the token with hash `presented`, replacing it with `new_hash`.
/// Run inside a write transaction; commit even for [`Redemption::Reused`],
/// so the family stays revoked.
pub fn redeem(
    conn: &mut DbConnection,
    presented: &str,
    new_hash: &str,
    new_expires_at: DateTime<Utc>,
) -> Result<Redemption, StoreError> {
    let row: Option<TokenRow> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(presented))
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row else {
        return Ok(Redemption::Invalid);
    };
    let at = now();
    if row.revoked_at.is_some() || from_db(row.expires_at) <= at {
        return Ok(Redemption::Invalid);
    }
    if row.replaced_at.is_some() {
        revoke_family(conn, &row.family_id)?;
        return Ok(Redemption::Reused);
    }
    let user_id: UserId = row
        .user_id
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("refresh token {}", row.id)))?;
    let family: TokenFamilyId = row
        .family_id
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("refresh token {}", row.id)))?;
    diesel::update(refresh_tokens::table.filter(refresh_tokens::id.eq(&row.id)))
        .set(refresh_tokens::replaced_at.eq(Some(to_db(at))))
        .execute(conn)?;
    insert(conn, family, user_id, new_hash, new_expires_at)?;
    Ok(Redemption::Rotated { user_id, family })
}

/// Revokes the family of the token with hash `presented`, if it exists.
pub fn revoke_family_of(conn: &mut DbConnection, presented: &str) -> Result<(), StoreError> {
    let family: Option<String> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(presented))
        .select(refresh_tokens::family_id)
        .first(conn)
        .optional()?;
    if let Some(family) = family {
        revoke_family(conn, &family)?;
    }
    Ok(())
}

/// Revokes every refresh token of a user (password change, disabling).
pub fn revoke_all_of_user(conn: &mut DbConnection, user_id: UserId) -> Result<(), StoreError> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id.to_string()))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(to_db(now()))))
    .execute(conn)?;
    Ok(())
}

fn revoke_family(conn: &mut DbConnection, family: &str) -> Result<(), StoreError> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(to_db(now()))))
    .execute(conn)?;
    Ok(())
}
