//! People's accounts: rows and queries. Every query that a caller can reach
//! takes the caller's organisation and filters on it.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use tierlink_domain::access::Role;
use tierlink_domain::identity::{DisplayName, Email};
use tierlink_domain::ids::{OrgId, UserId};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::time::now;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::users;
use crate::time::{from_db, to_db};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    org_id: String,
    email: String,
    email_normalised: String,
    display_name: String,
    role: String,
    password_hash: String,
    disabled_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A person's account, without credentials.
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub org_id: OrgId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }
}

impl UserRow {
    fn into_user(self) -> Result<(User, String), StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("user {}: {what}", self.id));
        let user = User {
            id: self.id.parse().map_err(|_| corrupt("id"))?,
            org_id: self.org_id.parse().map_err(|_| corrupt("org_id"))?,
            role: Role::parse(&self.role).map_err(|_| corrupt("role"))?,
            email: self.email,
            display_name: self.display_name,
            disabled_at: self.disabled_at.map(from_db),
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
        };
        Ok((user, self.password_hash))
    }
}

/// A new account.
#[derive(Debug)]
pub struct NewUser<'a> {
    pub org_id: OrgId,
    pub email: &'a Email,
    pub display_name: &'a DisplayName,
    pub role: Role,
    pub password_hash: String,
}

/// A duplicate error (`email`) when an account has `email` (in any case).
pub fn check_email_free(conn: &mut DbConnection, email: &Email) -> Result<(), StoreError> {
    let taken: i64 = users::table
        .filter(users::email_normalised.eq(email.normalised()))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(StoreError::Duplicate {
            field: Some("email".to_owned()),
            message: format!(
                "an account with the e-mail address {} already exists",
                email.as_str()
            ),
        });
    }
    Ok(())
}

pub fn insert(conn: &mut DbConnection, new: NewUser<'_>) -> Result<User, StoreError> {
    check_email_free(conn, new.email)?;
    let at = to_db(now());
    let row = UserRow {
        id: UserId::generate().to_string(),
        org_id: new.org_id.to_string(),
        email: new.email.as_str().to_owned(),
        email_normalised: new.email.normalised().to_owned(),
        display_name: new.display_name.as_str().to_owned(),
        role: new.role.as_str().to_owned(),
        password_hash: new.password_hash,
        disabled_at: None,
        created_at: at,
        updated_at: at,
    };
    diesel::insert_into(users::table)
        .values(&row)
        .execute(conn)?;
    row.into_user().map(|(user, _)| user)
}

/// The account and its password hash, by e-mail (any case), for logging in.
pub fn find_credentials(
    conn: &mut DbConnection,
    email: &Email,
) -> Result<Option<(User, String)>, StoreError> {
    let row: Option<UserRow> = users::table
        .filter(users::email_normalised.eq(email.normalised()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    row.map(UserRow::into_user).transpose()
}

/// The account and its password hash, by id within an organisation.
pub fn find_credentials_by_id(
    conn: &mut DbConnection,
    org_id: OrgId,
    id: UserId,
) -> Result<(User, String), StoreError> {
    users::table
        .filter(users::id.eq(id.to_string()))
        .filter(users::org_id.eq(org_id.to_string()))
        .select(UserRow::as_select())
        .first(conn)?
        .into_user()
}

/// One account of `org_id`; another organisation's account is `NotFound`.
pub fn find(conn: &mut DbConnection, org_id: OrgId, id: UserId) -> Result<User, StoreError> {
    find_credentials_by_id(conn, org_id, id).map(|(user, _)| user)
}

/// An organisation's accounts, oldest first.
pub fn list(
    conn: &mut DbConnection,
    org_id: OrgId,
    page: &PageRequest,
) -> Result<Page<User>, StoreError> {
    let mut query = users::table
        .filter(users::org_id.eq(org_id.to_string()))
        .select(UserRow::as_select())
        .order(users::id.asc())
        .limit(i64::try_from(page.limit.get() + 1).unwrap_or(i64::MAX))
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(users::id.gt(after.key().to_owned()));
    }
    let rows: Vec<UserRow> = query.load(conn)?;
    let users = rows
        .into_iter()
        .map(|row| row.into_user().map(|(user, _)| user))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetched(users, page.limit, |user| {
        user.id.to_string()
    }))
}

/// What an admin may change about an account.
#[derive(Debug, Default)]
pub struct UserChanges {
    pub display_name: Option<DisplayName>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// Applies `changes`. An organisation always keeps at least one active
/// admin: a change that would leave none is rejected.
pub fn update(
    conn: &mut DbConnection,
    org_id: OrgId,
    id: UserId,
    changes: &UserChanges,
) -> Result<User, StoreError> {
    let current = find(conn, org_id, id)?;
    let stays_admin = changes.role.unwrap_or(current.role) == Role::Admin
        && !changes.disabled.unwrap_or(!current.is_active());
    if current.role == Role::Admin && current.is_active() && !stays_admin {
        let other_admins: i64 = users::table
            .filter(users::org_id.eq(org_id.to_string()))
            .filter(users::role.eq(Role::Admin.as_str()))
            .filter(users::disabled_at.is_null())
            .filter(users::id.ne(id.to_string()))
            .count()
            .get_result(conn)?;
        if other_admins == 0 {
            return Err(StoreError::Rejected {
                code: "last_admin",
                field: Some(
                    if changes.disabled == Some(true) {
                        "disabled"
                    } else {
                        "role"
                    }
                    .to_owned(),
                ),
                message:
                    "this is the organisation's last active admin; make someone else admin first"
                        .to_owned(),
            });
        }
    }
    let at = now();
    let disabled_at = match changes.disabled {
        Some(true) => Some(current.disabled_at.unwrap_or(at)),
        Some(false) => None,
        None => current.disabled_at,
    };
    let display_name = changes
        .display_name
        .as_ref()
        .map_or(current.display_name.clone(), |n| n.as_str().to_owned());
    let role = changes.role.unwrap_or(current.role);
    diesel::update(users::table.filter(users::id.eq(id.to_string())))
        .set((
            users::display_name.eq(&display_name),
            users::role.eq(role.as_str()),
            users::disabled_at.eq(disabled_at.map(to_db)),
            users::updated_at.eq(to_db(at)),
        ))
        .execute(conn)?;
    Ok(User {
        display_name,
        role,
        disabled_at,
        updated_at: at,
        ..current
    })
}

pub fn set_password_hash(
    conn: &mut DbConnection,
    id: UserId,
    hash: &str,
) -> Result<(), StoreError> {
    let updated = diesel::update(users::table.filter(users::id.eq(id.to_string())))
        .set((
            users::password_hash.eq(hash),
            users::updated_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    if updated == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// The current role of an active account, or `None` when it is disabled or
/// gone. Checked on every authenticated request, so disabling an account or
/// changing its role takes effect at once.
pub fn active_role(
    conn: &mut DbConnection,
    org_id: OrgId,
    id: UserId,
) -> Result<Option<Role>, StoreError> {
    let row: Option<(String, Option<NaiveDateTime>)> = users::table
        .filter(users::id.eq(id.to_string()))
        .filter(users::org_id.eq(org_id.to_string()))
        .select((users::role, users::disabled_at))
        .first(conn)
        .optional()?;
    match row {
        Some((role, None)) => Role::parse(&role)
            .map(Some)
            .map_err(|_| StoreError::Corrupt(format!("user {id}: role"))),
        _ => Ok(None),
    }
}

/// An account by id alone, for flows that start from a credential rather
/// than from a caller (refreshing a token). Never reachable with a
/// caller-supplied id.
pub fn find_any(conn: &mut DbConnection, id: UserId) -> Result<Option<User>, StoreError> {
    let row: Option<UserRow> = users::table
        .find(id.to_string())
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|row| row.into_user().map(|(user, _)| user))
        .transpose()
}

/// An account by e-mail alone, for operator commands.
pub fn find_by_email(conn: &mut DbConnection, email: &Email) -> Result<User, StoreError> {
    find_credentials(conn, email)?
        .map(|(user, _)| user)
        .ok_or(StoreError::NotFound)
}
