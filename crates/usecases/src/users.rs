//! People's accounts in an organisation, managed by its admins.

use tierlink_domain::identity::Email;
use tierlink_domain::ids::{OrgId, UserId};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_persistence::users;
pub use tierlink_persistence::users::{NewUser, User, UserChanges};
use tierlink_persistence::{DbConnection, refresh_tokens};

use crate::error::{Error, not_found};

/// `org`'s users, a page at a time.
pub fn list(conn: &mut DbConnection, org: OrgId, page: &PageRequest) -> Result<Page<User>, Error> {
    Ok(users::list(conn, org, page)?)
}

/// One of `org`'s users.
pub fn show(conn: &mut DbConnection, org: OrgId, id: UserId) -> Result<User, Error> {
    users::find(conn, org, id).map_err(not_found("user"))
}

/// Whether `email` is free for a new account: a duplicate (`email`) if
/// not. A cheap check before the password is hashed; [`create`] checks again.
pub fn check_email_free(conn: &mut DbConnection, email: &Email) -> Result<(), Error> {
    Ok(users::check_email_free(conn, email)?)
}

/// A new account (the e-mail address must be free).
pub fn create(tx: &mut DbConnection, new: NewUser<'_>) -> Result<User, Error> {
    Ok(users::insert(tx, new)?)
}

/// Changes a user's name, role or standing. A disabled user's sessions end
/// with it; an organisation always keeps an active admin.
pub fn update(
    tx: &mut DbConnection,
    org: OrgId,
    id: UserId,
    changes: &UserChanges,
) -> Result<User, Error> {
    let user = users::update(tx, org, id, changes).map_err(not_found("user"))?;
    if !user.is_active() {
        refresh_tokens::revoke_all_of_user(tx, user.id)?;
    }
    Ok(user)
}
