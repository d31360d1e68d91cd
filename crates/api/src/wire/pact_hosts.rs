//! Customers' PACT hosts on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tierlink_usecases::webhooks::PactHost;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /v1/pact-hosts`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"base_url": "https://pact.customer.example",
    "client_id": "tierlink", "client_secret": "s3cr3t-from-your-pact-host"}))]
pub struct CreatePactHost {
    /// Your PACT host's base URL (`https`): answers to your PACT requests
    /// go to `<base_url>/3/events`, and PACT events whose `source` is this
    /// URL are yours.
    #[schema(format = "uri", max_length = 2000)]
    pub base_url: String,
    /// Its token endpoint, if not `<base_url>/auth/token`.
    #[schema(format = "uri", max_length = 2000)]
    pub token_url: Option<String>,
    /// The OAuth client Tierlink authenticates as at your host.
    #[schema(max_length = 500)]
    pub client_id: String,
    /// Its secret; stored to authenticate, never shown again.
    #[schema(max_length = 500, format = Password)]
    pub client_secret: String,
}

impl std::fmt::Debug for CreatePactHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatePactHost")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// A PACT host, without its secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PactHost)]
pub struct PactHostBody {
    pub id: Uuid,
    #[schema(format = "uri")]
    pub events_url: String,
    #[schema(format = "uri")]
    pub token_url: String,
    pub client_id: String,
    /// Off after its deliveries failed for the whole retry period;
    /// registering it again switches it back on.
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<PactHost> for PactHostBody {
    fn from(host: PactHost) -> Self {
        Self {
            id: host.id.as_uuid(),
            events_url: host.events_url,
            token_url: host.token_url,
            client_id: host.client_id,
            enabled: host.enabled,
            disabled_reason: host.disabled_reason,
            created_at: host.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PactHostList {
    pub items: Vec<PactHostBody>,
}
