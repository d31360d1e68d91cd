//! Wire types: what requests and responses look like on the wire (serde +
//! OpenAPI schemas), one module per resource. Conversions from domain types
//! are explicit `From` impls here.

pub mod answers;
pub mod api_clients;
pub mod audit;
pub mod auth;
pub mod enums;
pub mod etag;
pub mod event_data;
pub mod events;
pub mod evidence;
pub mod files;
pub mod footprints;
pub mod health;
pub mod metrics;
pub mod network;
pub mod organisations;
pub mod pact_hosts;
pub mod pagination;
pub mod products;
pub mod requests;
pub mod requirements;
pub mod summary;
pub mod users;
pub mod webhooks;
