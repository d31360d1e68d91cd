//! The supplier network on the wire: invitations, partners, the chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tierlink_domain::network::Invitation;
use tierlink_usecases::network::{ChainEntry, Partner};
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /v1/invitations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ceo@daehan-casting.example", "business_registration_number": "220-81-62517"}))]
pub struct CreateInvitation {
    /// Who to send the code to (delivery is up to you: e-mail, the portal…).
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// If given, only an organisation holding this number can accept:
    /// `123-45-67890` or `1234567890`.
    #[schema(pattern = r"^[0-9]{3}-?[0-9]{2}-?[0-9]{5}$")]
    pub business_registration_number: Option<String>,
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

/// An invitation to become a supplier.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Invitation)]
pub struct InvitationBody {
    pub id: Uuid,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_registration_number: Option<String>,
    pub status: InvitationStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<DateTime<Utc>>,
}

impl From<Invitation> for InvitationBody {
    fn from(invitation: Invitation) -> Self {
        let status = if invitation.accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if invitation.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if invitation.expires_at <= Utc::now() {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        };
        Self {
            id: invitation.id.as_uuid(),
            email: invitation.email,
            business_registration_number: invitation.business_number,
            status,
            created_at: invitation.created_at,
            expires_at: invitation.expires_at,
            accepted_at: invitation.accepted_at,
        }
    }
}

/// A page of invitations.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationPage {
    pub items: Vec<InvitationBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A new invitation with its code, shown only now.
#[derive(Serialize, ToSchema)]
pub struct InvitationCreated {
    #[serde(flatten)]
    pub invitation: InvitationBody,
    /// The single-use code the supplier enters (at sign-up, or
    /// `POST /v1/invitations/accept`). Valid 14 days.
    #[schema(example = "tli_hR3b9Q0mXv2Lk8sT1cN5pW7yZ4aF6dG0jE2uI9oK3qM")]
    pub code: String,
}

impl std::fmt::Debug for InvitationCreated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InvitationCreated")
            .field("invitation", &self.invitation)
            .finish_non_exhaustive()
    }
}

/// `POST /v1/invitations/accept`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "tli_hR3b9Q0mXv2Lk8sT1cN5pW7yZ4aF6dG0jE2uI9oK3qM"}))]
pub struct AcceptInvitation {
    /// The invitation's code, as the inviting firm gave it.
    #[schema(min_length = 1)]
    pub code: String,
}

impl std::fmt::Debug for AcceptInvitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AcceptInvitation(***)")
    }
}

/// An organisation, briefly.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationRef {
    pub id: Uuid,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A direct partner: a supplier or a customer, with the link to it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Partner)]
pub struct PartnerBody {
    pub organisation: OrganisationRef,
    pub active: bool,
    pub linked_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// Whether the supplier discloses the names of its own suppliers to the customer.
    pub discloses_suppliers: bool,
}

impl From<Partner> for PartnerBody {
    fn from(partner: Partner) -> Self {
        Self {
            organisation: OrganisationRef {
                id: partner.org_id.as_uuid(),
                name: partner.name,
                country: Some(partner.country),
            },
            active: partner.link.active,
            linked_at: partner.link.created_at,
            ended_at: partner.link.ended_at,
            discloses_suppliers: partner.link.disclose_suppliers,
        }
    }
}

/// A page of partners.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerPage {
    pub items: Vec<PartnerBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `PUT /v1/customers/{id}/disclosure`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"disclose_suppliers": true}))]
pub struct Disclosure {
    /// Whether this customer may see the names of your suppliers.
    pub disclose_suppliers: bool,
}

/// The requester's supply chain.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SupplyChain)]
pub struct SupplyChainBody {
    pub tier1: Vec<ChainTier1>,
}

/// One tier-1 supplier and what it lets the requester see of tier 2.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainTier1 {
    pub organisation: OrganisationRef,
    /// How many active suppliers this tier-1 has (always shown).
    #[schema(value_type = i64, minimum = 0)]
    pub tier2_count: usize,
    /// Whether the tier-1 discloses their names to you.
    pub tier2_disclosed: bool,
    /// The tier-2 suppliers, when disclosed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier2: Option<Vec<OrganisationRef>>,
}

impl From<ChainEntry> for ChainTier1 {
    fn from(entry: ChainEntry) -> Self {
        Self {
            organisation: OrganisationRef {
                id: entry.tier1.org_id.as_uuid(),
                name: entry.tier1.name,
                country: Some(entry.tier1.country),
            },
            tier2_count: entry.tier2_count,
            tier2_disclosed: entry.tier2.is_some(),
            tier2: entry.tier2.map(|tier2| {
                tier2
                    .into_iter()
                    .map(|(id, name, country)| OrganisationRef {
                        id: id.as_uuid(),
                        name,
                        country: Some(country),
                    })
                    .collect()
            }),
        }
    }
}
