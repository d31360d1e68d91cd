//! Machine clients on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tierlink_usecases::api_clients::ApiClient;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /v1/api-clients`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "SAP S/4HANA production", "scopes": ["requirements:read", "responses:write"]}))]
pub struct CreateApiClient {
    /// What the client is, for people: 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// At least one scope.
    #[schema(value_type = Vec<super::enums::Scope>, min_items = 1)]
    pub scopes: Vec<String>,
}

/// A machine client.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e61", "client_id": "019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e61",
    "name": "SAP S/4HANA production", "scopes": ["requirements:read", "responses:write"], "revoked": false,
    "created_at": "2026-11-26T09:30:00.123456Z", "secret_rotated_at": "2026-11-26T09:30:00.123456Z"}),
    as = MachineClient)]
pub struct ApiClientBody {
    pub id: Uuid,
    /// The OAuth2 `client_id` (the same as `id`).
    #[schema(value_type = Uuid)]
    pub client_id: String,
    pub name: String,
    #[schema(value_type = Vec<super::enums::Scope>)]
    pub scopes: Vec<String>,
    pub revoked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub secret_rotated_at: DateTime<Utc>,
}

impl From<ApiClient> for ApiClientBody {
    fn from(client: ApiClient) -> Self {
        Self {
            id: client.id.as_uuid(),
            client_id: client.id.to_string(),
            name: client.name,
            scopes: client
                .scopes
                .iter()
                .map(|scope| scope.as_str().to_owned())
                .collect(),
            revoked: client.revoked_at.is_some(),
            revoked_at: client.revoked_at,
            created_at: client.created_at,
            secret_rotated_at: client.secret_rotated_at,
        }
    }
}

/// A client with its secret: returned once, at creation and rotation.
#[derive(Serialize, ToSchema)]
#[schema(as = MachineClientWithSecret)]
pub struct ApiClientWithSecret {
    #[serde(flatten)]
    pub client: ApiClientBody,
    /// Shown only now; store it in the ERP system's secret store.
    #[schema(example = "tls_Yf0ZpV8w1Qk3n5b7M9x2C4v6B8n0M2q4W6e8R0t2Y4u")]
    pub client_secret: String,
}

impl std::fmt::Debug for ApiClientWithSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClientWithSecret")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

/// A page of machine clients.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MachineClientPage)]
pub struct ApiClientPage {
    pub items: Vec<ApiClientBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
