//! Sign-up, login and token bodies.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::organisations::{CreateOrganisation, OrganisationBody};
use super::users::UserBody;

/// `POST /v1/auth/login`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "minji.kim@hanbit.example", "password": "correct horse battery staple"}))]
pub struct LoginRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// 12 to 128 characters.
    #[schema(format = Password, min_length = 1, max_length = 128)]
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// `POST /v1/auth/token`, form-encoded (RFC 6749).
#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    #[schema(value_type = super::enums::GrantType, example = "client_credentials")]
    pub grant_type: String,
    /// For `client_credentials`, unless sent with HTTP Basic.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub client_id: Option<String>,
    /// For `client_credentials`, unless sent with HTTP Basic.
    #[schema(format = Password)]
    pub client_secret: Option<String>,
    /// For `refresh_token`.
    pub refresh_token: Option<String>,
    /// Space-separated scopes to narrow a client's token to.
    #[schema(
        pattern = "^((requirements|responses):(read|write)|footprint:(list|read))( ((requirements|responses):(read|write)|footprint:(list|read)))*$",
        example = "requirements:read responses:write"
    )]
    pub scope: Option<String>,
}

impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRequest")
            .field("grant_type", &self.grant_type)
            .field("client_id", &self.client_id)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// An RFC 6749 access token response.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiIsInR5cCI6ImF0K2p3dCJ9...",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "tlr_9qV0m3Hn0pQ2bW1sX8yZ4cV6kL5jH3gF2dS1aQ0wE9r"
}))]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(value_type = String, pattern = "^Bearer$", example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// For people: exchange at `/v1/auth/token` with `grant_type=refresh_token`.
    /// Single use: each exchange returns a new one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// For machine clients: the scopes granted, space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        pattern = "^(requirements|responses):(read|write)( (requirements|responses):(read|write))*$"
    )]
    pub scope: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// `POST /v1/auth/logout`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// The refresh token to revoke, with every token issued from the same login.
    #[schema(min_length = 1)]
    pub refresh_token: String,
}

impl std::fmt::Debug for LogoutRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogoutRequest(***)")
    }
}

/// The first admin of a new organisation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupAdmin {
    #[schema(example = "minji.kim@hanbit.example", format = Email, max_length = 254)]
    pub email: String,
    /// 1 to 100 characters.
    #[schema(example = "Kim Minji", min_length = 1, max_length = 100)]
    pub display_name: String,
    /// 12 to 128 characters.
    #[schema(format = Password, example = "correct horse battery staple", min_length = 12, max_length = 128)]
    pub password: String,
}

impl std::fmt::Debug for SignupAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignupAdmin")
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// `POST /v1/signup`: an organisation and its first admin.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organisation": {"name": "Hanbit Precision Co., Ltd.", "country": "KR",
        "identifiers": [{"scheme": "kr_brn", "value": "124-81-00998"}]},
    "admin": {"email": "minji.kim@hanbit.example", "display_name": "Kim Minji", "password": "correct horse battery staple"}
}))]
pub struct SignupRequest {
    pub organisation: CreateOrganisation,
    pub admin: SignupAdmin,
    /// A supplier invitation's code: the inviting firm becomes your customer.
    #[serde(default)]
    pub invitation_code: Option<String>,
}

/// What sign-up created.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignupResponse {
    pub organisation: OrganisationBody,
    pub admin: UserBody,
}
