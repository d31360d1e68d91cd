//! People's accounts on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tierlink_domain::access::Role;
use tierlink_usecases::users::User;
use utoipa::ToSchema;
use uuid::Uuid;

/// A person's role in their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Role)]
pub enum RoleBody {
    /// Everything, including users and machine clients.
    Admin,
    /// Reads; writes requirements and answers.
    Editor,
    /// Reads only.
    Viewer,
}

impl From<RoleBody> for Role {
    fn from(role: RoleBody) -> Self {
        match role {
            RoleBody::Admin => Self::Admin,
            RoleBody::Editor => Self::Editor,
            RoleBody::Viewer => Self::Viewer,
        }
    }
}

impl From<Role> for RoleBody {
    fn from(role: Role) -> Self {
        match role {
            Role::Admin => Self::Admin,
            Role::Editor => Self::Editor,
            Role::Viewer => Self::Viewer,
        }
    }
}

/// A person's account.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e60", "organisation_id": "019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e5f",
    "email": "minji.kim@hanbit.example", "display_name": "Kim Minji", "role": "admin", "disabled": false,
    "created_at": "2026-11-26T09:30:00.123456Z", "updated_at": "2026-11-26T09:30:00.123456Z"
}), as = User)]
pub struct UserBody {
    pub id: Uuid,
    pub organisation_id: Uuid,
    #[schema(format = Email)]
    pub email: String,
    pub display_name: String,
    pub role: RoleBody,
    /// A disabled account cannot log in, and its tokens stop working at once.
    pub disabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserBody {
    fn from(user: User) -> Self {
        Self {
            id: user.id.as_uuid(),
            organisation_id: user.org_id.as_uuid(),
            disabled: user.disabled_at.is_some(),
            disabled_at: user.disabled_at,
            email: user.email,
            display_name: user.display_name,
            role: user.role.into(),
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

/// `POST /v1/users`: an admin adds a colleague.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "jiho.park@hanbit.example", "display_name": "Park Jiho", "role": "editor",
    "password": "initial password 4 jiho"}))]
pub struct CreateUser {
    /// Unique across Tierlink, ignoring case.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
    pub role: RoleBody,
    /// The initial password, 12 to 128 characters; the person should change it.
    #[schema(format = Password, min_length = 12, max_length = 128)]
    pub password: String,
}

impl std::fmt::Debug for CreateUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateUser")
            .field("email", &self.email)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// `PATCH /v1/users/{id}`: only the fields present change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Park Jiho (Procurement)"}))]
pub struct UpdateUser {
    /// 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
    pub role: Option<RoleBody>,
    /// `true` disables the account (its tokens stop working at once); `false` enables it.
    pub disabled: Option<bool>,
}

/// A page of accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `PUT /v1/me/password`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "correct horse battery staple",
    "new_password": "a longer passphrase for 2027"}))]
pub struct ChangePassword {
    #[schema(format = Password, min_length = 1, max_length = 128)]
    pub current_password: String,
    /// 12 to 128 characters.
    #[schema(format = Password, min_length = 12, max_length = 128)]
    pub new_password: String,
}

impl std::fmt::Debug for ChangePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangePassword(***)")
    }
}

/// Who the caller is.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"kind": "user", "organisation_id": "019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e5f",
    "user_id": "019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e60", "role": "admin"}), as = Caller)]
pub struct MeBody {
    #[schema(value_type = super::enums::CallerKind)]
    pub kind: &'static str,
    pub organisation_id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<Uuid>,
    /// A machine client's scopes.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<super::enums::Scope>>)]
    pub scopes: Option<Vec<String>>,
}
