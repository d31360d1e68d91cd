//! Organisations: the large firms and suppliers that use Tierlink.

use chrono::{DateTime, Utc};

use crate::error::{FieldError, ValidationErrors};
use crate::identifiers::{IdentifierScheme, OrgIdentifier};
use crate::ids::OrgId;

/// An organisation's display name: 1 to 200 characters, trimmed, without
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationName(String);

impl OrganisationName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let name = input.trim();
        if name.is_empty() {
            return Err(FieldError::new(
                "name",
                "required",
                "the name must not be empty",
            ));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(
                "name",
                "too_long",
                format!("the name is at most {} characters", Self::MAX_CHARS),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(FieldError::new(
                "name",
                "invalid_characters",
                "the name must not contain control characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 3166-1 alpha-2 country code, upper case (`KR`, `DE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountryCode(isocountry::CountryCode);

impl CountryCode {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let upper = input.trim().to_ascii_uppercase();
        isocountry::CountryCode::for_alpha2(&upper)
            .map(Self)
            .map_err(|_| {
                FieldError::new(
                    "country",
                    "invalid_country",
                    format!(
                        "`{input}` is not an ISO 3166-1 alpha-2 country code (such as KR or DE)"
                    ),
                )
            })
    }

    pub fn as_str(&self) -> &'static str {
        self.0.alpha2()
    }
}

/// An identifier as a client sent it, before validation.
#[derive(Debug, Clone)]
pub struct IdentifierInput<'a> {
    pub scheme: &'a str,
    pub issuer: Option<&'a str>,
    pub value: &'a str,
}

/// A validated request to create an organisation.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: OrganisationName,
    pub country: CountryCode,
    pub identifiers: Vec<OrgIdentifier>,
}

impl NewOrganisation {
    pub const MAX_IDENTIFIERS: usize = 10;

    /// Validates every field and reports all problems at once.
    pub fn parse(
        name: &str,
        country: &str,
        identifiers: &[IdentifierInput<'_>],
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = errors.collect(OrganisationName::parse(name));
        let country = errors.collect(CountryCode::parse(country));
        if identifiers.len() > Self::MAX_IDENTIFIERS {
            errors.push(FieldError::new(
                "identifiers",
                "too_many",
                format!("at most {} identifiers", Self::MAX_IDENTIFIERS),
            ));
        }
        let mut parsed: Vec<OrgIdentifier> = Vec::with_capacity(identifiers.len());
        for (index, input) in identifiers.iter().enumerate() {
            let path = format!("identifiers[{index}]");
            let Some(scheme) = IdentifierScheme::parse(input.scheme) else {
                errors.push(FieldError::new(
                    format!("{path}.scheme"),
                    "invalid_scheme",
                    format!(
                        "unknown identifier scheme `{}` (use kr_brn, lei or custom)",
                        input.scheme
                    ),
                ));
                continue;
            };
            let Some(identifier) = errors.collect(
                OrgIdentifier::parse(scheme, input.issuer, input.value).map_err(|e| e.under(&path)),
            ) else {
                continue;
            };
            if parsed.contains(&identifier) {
                errors.push(FieldError::new(
                    format!("{path}.value"),
                    "duplicate",
                    format!("the {identifier} is listed twice"),
                ));
                continue;
            }
            parsed.push(identifier);
        }
        match (name, country) {
            (Some(name), Some(country)) if errors.is_empty() => Ok(Self {
                name,
                country,
                identifiers: parsed,
            }),
            _ => Err(errors),
        }
    }
}

/// An organisation as stored.
#[derive(Debug, Clone)]
pub struct Organisation {
    pub id: OrgId,
    pub name: String,
    pub country: String,
    pub identifiers: Vec<OrgIdentifier>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(scheme: &'a str, value: &'a str) -> IdentifierInput<'a> {
        IdentifierInput {
            scheme,
            issuer: None,
            value,
        }
    }

    #[test]
    fn a_valid_organisation_parses() {
        let parsed = NewOrganisation::parse(
            "  Hanbit Metals  ",
            "kr",
            &[input("kr_brn", "124-81-00998")],
        );
        let org = parsed.ok();
        assert_eq!(org.as_ref().map(|o| o.name.as_str()), Some("Hanbit Metals"));
        assert_eq!(org.as_ref().map(|o| o.country.as_str()), Some("KR"));
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let errors = NewOrganisation::parse(
            "",
            "XX",
            &[
                input("kr_brn", "124-81-00997"),
                input("duns", "1"),
                input("lei", "HWUPKR0MPOU8FGXBT394"),
                input("lei", "HWUPKR0MPOU8FGXBT394"),
            ],
        )
        .err()
        .map(ValidationErrors::into_errors)
        .unwrap_or_default();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "country",
                "identifiers[0].value",
                "identifiers[1].scheme",
                "identifiers[3].value"
            ]
        );
    }

    #[test]
    fn long_names_are_refused() {
        let long = "가".repeat(OrganisationName::MAX_CHARS + 1);
        assert_eq!(
            OrganisationName::parse(&long).err().map(|e| e.code),
            Some("too_long")
        );
        assert!(OrganisationName::parse(&"가".repeat(OrganisationName::MAX_CHARS)).is_ok());
    }
}
