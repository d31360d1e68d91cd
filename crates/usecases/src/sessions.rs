//! Signing in and staying signed in: credentials, refresh-token sessions,
//! password changes, and the per-request re-check of an account.
//!
//! The writes here change sign-in sessions (refresh tokens, a password's
//! hash), never anyone's standing (role, disabled, scopes, revoked), which
//! is what the API's account cache keeps.

use chrono::{DateTime, Utc};
use tierlink_domain::access::{Role, Scopes};
use tierlink_domain::identity::Email;
use tierlink_domain::ids::{ClientId, OrgId, TokenFamilyId, UserId};
use tierlink_persistence::DbConnection;
use tierlink_persistence::api_clients::{self, ApiClient};
use tierlink_persistence::refresh_tokens;
pub use tierlink_persistence::refresh_tokens::Redemption;
use tierlink_persistence::users::{self, User};

use crate::error::Error;

/// A user and its password hash, by e-mail address.
pub fn user_credentials(
    conn: &mut DbConnection,
    email: &Email,
) -> Result<Option<(User, String)>, Error> {
    Ok(users::find_credentials(conn, email)?)
}

/// A user by e-mail address (an operator resetting a password).
pub fn user_by_email(conn: &mut DbConnection, email: &Email) -> Result<User, Error> {
    users::find_by_email(conn, email).map_err(crate::error::not_found("user"))
}

/// The signed-in user and its password hash.
pub fn own_credentials(
    conn: &mut DbConnection,
    org: OrgId,
    id: UserId,
) -> Result<(User, String), Error> {
    Ok(users::find_credentials_by_id(conn, org, id)?)
}

/// A client and its secret hash, by client id.
pub fn client_credentials(
    conn: &mut DbConnection,
    id: ClientId,
) -> Result<Option<(ApiClient, String)>, Error> {
    Ok(api_clients::find_credentials(conn, id)?)
}

/// Starts a session after a successful sign-in: its refresh token (by
/// digest) and, when the password's hash was upgraded, the new hash.
pub fn start(
    tx: &mut DbConnection,
    user: UserId,
    refresh_digest: &str,
    expires_at: DateTime<Utc>,
    rehashed: Option<&str>,
) -> Result<(), Error> {
    if let Some(hash) = rehashed {
        users::set_password_hash(tx, user, hash)?;
    }
    refresh_tokens::insert(
        tx,
        TokenFamilyId::generate(),
        user,
        refresh_digest,
        expires_at,
    )?;
    Ok(())
}

/// Redeems a refresh token for its successor (single use: a replay ends
/// the whole family); returns the redemption and, when rotated, the user.
pub fn refresh(
    tx: &mut DbConnection,
    presented_digest: &str,
    successor_digest: &str,
    expires_at: DateTime<Utc>,
) -> Result<(Redemption, Option<User>), Error> {
    let redemption = refresh_tokens::redeem(tx, presented_digest, successor_digest, expires_at)?;
    let user = match &redemption {
        Redemption::Rotated { user_id, .. } => users::find_any(tx, *user_id)?,
        _ => None,
    };
    Ok((redemption, user))
}

/// Ends the session a refresh token belongs to.
pub fn end(tx: &mut DbConnection, presented_digest: &str) -> Result<(), Error> {
    Ok(refresh_tokens::revoke_family_of(tx, presented_digest)?)
}

/// Sets a new password hash and ends every session of the user.
pub fn change_password(tx: &mut DbConnection, user: UserId, hash: &str) -> Result<(), Error> {
    users::set_password_hash(tx, user, hash)?;
    Ok(refresh_tokens::revoke_all_of_user(tx, user)?)
}

/// The current role of an active user (`None`: gone or disabled).
pub fn active_role(conn: &mut DbConnection, org: OrgId, id: UserId) -> Result<Option<Role>, Error> {
    Ok(users::active_role(conn, org, id)?)
}

/// The current scopes of an active client (`None`: gone or revoked).
pub fn active_scopes(
    conn: &mut DbConnection,
    org: OrgId,
    id: ClientId,
) -> Result<Option<Scopes>, Error> {
    Ok(api_clients::active_scopes(conn, org, id)?)
}
