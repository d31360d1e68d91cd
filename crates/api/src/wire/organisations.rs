//! Organisations on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tierlink_domain::ValidationErrors;
use tierlink_domain::identifiers::{IdentifierScheme, OrgIdentifier};
use tierlink_domain::organisation::{IdentifierInput, NewOrganisation, Organisation};
use utoipa::ToSchema;
use uuid::Uuid;

/// The kinds of organisation identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = IdentifierScheme)]
pub enum SchemeBody {
    /// Korean business registration number (사업자등록번호), `123-45-67890` or `1234567890`.
    KrBrn,
    /// Legal Entity Identifier (ISO 17442), 20 characters.
    Lei,
    /// An identifier assigned by someone else (a buyer's vendor code); needs `issuer`.
    Custom,
}

impl From<SchemeBody> for IdentifierScheme {
    fn from(scheme: SchemeBody) -> Self {
        match scheme {
            SchemeBody::KrBrn => Self::KrBrn,
            SchemeBody::Lei => Self::Lei,
            SchemeBody::Custom => Self::Custom,
        }
    }
}

impl From<IdentifierScheme> for SchemeBody {
    fn from(scheme: IdentifierScheme) -> Self {
        match scheme {
            IdentifierScheme::KrBrn => Self::KrBrn,
            IdentifierScheme::Lei => Self::Lei,
            IdentifierScheme::Custom => Self::Custom,
        }
    }
}

/// An identifier of an organisation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"scheme": "kr_brn", "value": "124-81-00998"}), as = Identifier)]
pub struct IdentifierBody {
    pub scheme: SchemeBody,
    /// The identifier, 1 to 100 characters. Business registration numbers
    /// are returned as ten digits.
    #[schema(example = "1248100998", min_length = 1, max_length = 100)]
    pub value: String,
    /// Who assigned a `custom` identifier (e.g. `acme-vendor-code`), 1 to
    /// 100 characters; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 100)]
    pub issuer: Option<String>,
}

impl From<&OrgIdentifier> for IdentifierBody {
    fn from(identifier: &OrgIdentifier) -> Self {
        Self {
            scheme: identifier.scheme().into(),
            value: identifier.value().to_owned(),
            issuer: (!identifier.issuer().is_empty()).then(|| identifier.issuer().to_owned()),
        }
    }
}

/// A request to register an organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Hanbit Precision Co., Ltd.",
    "country": "KR",
    "identifiers": [{"scheme": "kr_brn", "value": "124-81-00998"}]
}))]
pub struct CreateOrganisation {
    /// Display name, 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// ISO 3166-1 alpha-2 country code.
    #[schema(example = "KR", pattern = "^[A-Za-z]{2}$")]
    pub country: String,
    /// Legal identifiers, at most 10. Each may belong to one organisation only.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub identifiers: Vec<IdentifierBody>,
}

impl CreateOrganisation {
    /// Validates the request into the domain's [`NewOrganisation`].
    pub fn parse(&self) -> Result<NewOrganisation, ValidationErrors> {
        let identifiers: Vec<IdentifierInput<'_>> = self
            .identifiers
            .iter()
            .map(|identifier| IdentifierInput {
                scheme: IdentifierScheme::from(identifier.scheme).as_str(),
                issuer: identifier.issuer.as_deref(),
                value: &identifier.value,
            })
            .collect();
        NewOrganisation::parse(&self.name, &self.country, &identifiers)
    }
}

/// An organisation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e5f",
    "name": "Hanbit Precision Co., Ltd.",
    "country": "KR",
    "identifiers": [{"scheme": "kr_brn", "value": "1248100998"}],
    "created_at": "2026-11-26T09:30:00.123456Z",
    "updated_at": "2026-11-26T09:30:00.123456Z"
}), as = Organisation)]
pub struct OrganisationBody {
    pub id: Uuid,
    pub name: String,
    /// ISO 3166-1 alpha-2 country code, upper case.
    #[schema(pattern = "^[A-Z]{2}$")]
    pub country: String,
    pub identifiers: Vec<IdentifierBody>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Organisation> for OrganisationBody {
    fn from(org: Organisation) -> Self {
        Self {
            id: org.id.as_uuid(),
            identifiers: org.identifiers.iter().map(IdentifierBody::from).collect(),
            name: org.name,
            country: org.country,
            created_at: org.created_at,
            updated_at: org.updated_at,
        }
    }
}

/// A page of organisations.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationPage {
    pub items: Vec<OrganisationBody>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
