//! Closed sets of values, as OpenAPI enumerations.
//!
//! Wire types carry these values as strings (the domain types own them);
//! these schema-only types give each set a name in the document, so that
//! generated SDKs get an enum instead of a bare string. Where the domain
//! lists its values (`RequestStatus::ALL`, `Scope::ALL`, …) the schema is
//! built from that list, so the two cannot drift apart. A field names one
//! with `#[schema(value_type = enums::RequestStatus)]`, a query parameter
//! with `#[param(value_type = Option<enums::RequestStatus>)]`.

use std::borrow::Cow;

use tierlink_domain::access::Scope as DomainScope;
use tierlink_domain::answers::Obtained as DomainObtained;
use tierlink_domain::events::EventType as DomainEventType;
use tierlink_domain::metrics::{Dimension as DomainDimension, Framework as DomainFramework};
use tierlink_domain::requests::RequestStatus as DomainRequestStatus;
use tierlink_domain::requirements::RequirementStatus as DomainRequirementStatus;
use tierlink_domain::revisions::RevisionStatus as DomainRevisionStatus;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// A string schema whose value is one of `values`.
pub fn string_enum(description: &str, values: &[&str]) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
            .enum_values(Some(values.iter().copied()))
            .build(),
    )
}

macro_rules! enum_schemas {
    ($($(#[$meta:meta])* $name:ident = $description:literal, $values:expr;)*) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, Copy)]
            pub struct $name;

            impl $name {
                /// The values, in the order the document lists them.
                pub fn values() -> Vec<&'static str> {
                    $values
                }
            }

            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    RefOr::T(string_enum($description, &Self::values()))
                }
            }

            impl utoipa::ToSchema for $name {
                fn name() -> Cow<'static, str> {
                    Cow::Borrowed(stringify!($name))
                }
            }
        )*
    };
}

enum_schemas! {
    /// A request's status.
    RequestStatus = "Where a request stands: `open` (not started), `in_progress` (a draft is saved), \
        `submitted` (awaiting review), `accepted`, `changes_requested`, `declined` (by the supplier), \
        `cancelled` or `closed` (by the requester).",
        DomainRequestStatus::ALL.iter().map(|s| s.as_str()).collect();
    /// A requirement's status.
    RequirementStatus = "Where a requirement stands: `draft`, `published`, `closed` or `cancelled`.",
        DomainRequirementStatus::ALL.iter().map(|s| s.as_str()).collect();
    /// A submitted revision's status.
    RevisionStatus = "Where a submitted revision stands: `submitted` (awaiting review), `accepted` \
        or `changes_requested`.",
        DomainRevisionStatus::ALL.iter().map(|s| s.as_str()).collect();
    /// How a value was obtained.
    Obtained = "How a value was obtained: `measured` (metered), `calculated` (activity data × \
        emission factor), `estimated` or `secondary` (a database, an industry average).",
        DomainObtained::ALL.iter().map(|o| o.as_str()).collect();
    /// A metric's kind of value.
    MetricKind = "How a metric is answered: `quantity` (a decimal with a unit), `percentage`, \
        `boolean`, `text`, `choice` (one of its `choices`), `date`, `document` (an evidence file) or \
        `product_footprints` (a PACT footprint per product, answered under `/footprints`).",
        vec!["quantity", "percentage", "boolean", "text", "choice", "date", "document", "product_footprints"];
    /// The kinds a custom metric may have.
    CustomMetricKind = "The kind of a custom metric: `quantity` (needs a `dimension`), \
        `percentage`, `boolean`, `text`, `date` or `document`.",
        vec!["quantity", "percentage", "boolean", "text", "date", "document"];
    /// A reporting framework.
    Framework = "A reporting framework: `ghg_protocol`, `esrs`, `cbam`, `k_esg`, `pact` or `csddd`.",
        DomainFramework::ALL.iter().map(|f| f.as_str()).collect();
    /// A physical dimension of quantity metrics.
    Dimension = "What a quantity measures; it decides the accepted and the canonical units.",
        DomainDimension::ALL.iter().map(|d| d.as_str()).collect();
    /// An OAuth 2.0 scope of a machine client.
    Scope = "An OAuth 2.0 scope of a machine client.",
        DomainScope::ALL.iter().map(|s| s.as_str()).collect();
    /// The grant types of the token endpoint.
    GrantType = "`client_credentials` for machine clients, `refresh_token` for people.",
        vec!["client_credentials", "refresh_token"];
    /// The RFC 6749 §5.2 error codes the token endpoint answers with.
    OAuthErrorCode = "An RFC 6749 §5.2 error code.",
        vec!["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
            "unsupported_grant_type", "invalid_scope"];
    /// What can be done to a requirement next.
    RequirementAction = "An action the requirement's status allows: `edit`, `publish`, `amend`, \
        `close` or `cancel`.",
        vec!["edit", "publish", "amend", "close", "cancel"];
    /// What an amendment may change.
    RequirementChange = "A field an amendment changed: `title`, `description`, `due_date` or `items`.",
        vec!["title", "description", "due_date", "items"];
    /// Who is calling.
    CallerKind = "`user` for a person, `client` for a machine client.",
        vec!["user", "client"];
    /// An event's type.
    EventType = "What happened: the type of an event in the feed, a webhook delivery or the audit trail.",
        DomainEventType::ALL.iter().map(|t| t.as_str()).collect();
    /// What an event is about.
    ResourceType = "The kind of resource an event is about: `request`, `requirement` or `link`.",
        vec!["request", "requirement", "link"];
    /// Where a webhook delivery stands.
    DeliveryStatus = "`pending` (waiting for its first or next attempt), `succeeded` (the endpoint \
        answered 2xx) or `failed` (retries ran out).",
        vec!["pending", "succeeded", "failed"];
    /// A health probe's answer.
    HealthState = "`ok` when alive; `ready` when the database answers too.",
        vec!["ok", "ready"];
}

#[cfg(test)]
mod tests {
    use super::*;
    use tierlink_domain::requirements::RequirementStatus as Status;

    #[test]
    fn hand_written_sets_match_the_domain() {
        // Every action any status allows is listed.
        for status in Status::ALL {
            for action in status.allowed_actions() {
                assert!(RequirementAction::values().contains(&action.as_str()));
            }
        }
        // Every metric of the catalogue has a listed kind.
        for metric in tierlink_domain::metrics::catalogue() {
            assert!(MetricKind::values().contains(&metric.kind.as_str()));
        }
        for kind in CustomMetricKind::values() {
            assert!(MetricKind::values().contains(&kind));
        }
    }
}
