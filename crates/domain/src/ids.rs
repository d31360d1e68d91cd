//! Typed identifiers, so an organisation id can never be passed where a
//! requirement id is expected.
//!
//! Ids are UUIDv7: time-ordered, so sorting by id sorts by creation time and
//! cursor pagination needs no second key.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use crate::error::FieldError;

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered id.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }

            /// Parses an id given by a client; `field` names where it came from.
            pub fn parse(field: &str, input: &str) -> Result<Self, FieldError> {
                input.parse().map_err(|_| {
                    FieldError::new(field, "invalid_id", format!("`{input}` is not a valid id (a UUID is expected)"))
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

typed_id!(
    /// Identifies an organisation (a large firm or a supplier).
    OrgId
);
typed_id!(
    /// Identifies a person's account.
    UserId
);
typed_id!(
    /// Identifies a machine client (a partner's ERP system); also its OAuth2 `client_id`.
    ClientId
);
typed_id!(
    /// Identifies a chain of refresh tokens issued from one login.
    TokenFamilyId
);
typed_id!(
    /// Identifies a requirement: what a large firm asks of its suppliers.
    RequirementId
);
typed_id!(
    /// Identifies a request: one requirement sent to one supplier, or a
    /// part of one forwarded down the chain.
    RequestId
);
typed_id!(
    /// Identifies an uploaded evidence file.
    EvidenceId
);
typed_id!(
    /// Identifies an invitation to become a supplier.
    InvitationId
);
typed_id!(
    /// Identifies a webhook endpoint an organisation registered.
    WebhookId
);
typed_id!(
    /// Identifies one delivery of one event to one webhook endpoint.
    DeliveryId
);

typed_id!(
    /// Identifies a product in a supplier's catalogue.
    ProductId
);

typed_id!(
    /// Identifies a published PACT product footprint (its PACT `id`).
    FootprintId
);

/// The number of a submitted revision of an answer: 1, 2, … per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RevisionNumber(i32);

impl RevisionNumber {
    pub const FIRST: Self = Self(1);

    /// A revision number read from storage or a path; `None` below 1.
    pub fn new(number: i32) -> Option<Self> {
        (number >= 1).then_some(Self(number))
    }

    /// Parses a revision number given by a client; `field` names where it came from.
    pub fn parse(field: &str, input: &str) -> Result<Self, FieldError> {
        input
            .parse::<i32>()
            .ok()
            .and_then(Self::new)
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "invalid_revision",
                    format!("`{input}` is not a revision number (1, 2, …)"),
                )
            })
    }

    pub fn get(self) -> i32 {
        self.0
    }

    /// The number after this one.
    #[must_use]
    pub fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }

    /// The number of the first revision after `latest` (none yet: 1).
    pub fn after(latest: Option<Self>) -> Self {
        latest.map_or(Self::FIRST, Self::next)
    }
}

impl fmt::Display for RevisionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_creation_and_round_trip_through_text() {
        let first = OrgId::generate();
        let second = OrgId::generate();
        assert!(first.to_string() < second.to_string());
        assert_eq!(first.to_string().parse::<OrgId>().ok(), Some(first));
    }

    #[test]
    fn revision_numbers_start_at_one() {
        assert_eq!(RevisionNumber::new(0), None);
        assert_eq!(RevisionNumber::after(None), RevisionNumber::FIRST);
        assert_eq!(RevisionNumber::after(Some(RevisionNumber::FIRST)).get(), 2);
        assert!(RevisionNumber::parse("revision", "-1").is_err());
        assert_eq!(
            RevisionNumber::parse("revision", "3").map(RevisionNumber::get),
            Ok(3)
        );
    }

    #[test]
    fn parse_names_the_field() {
        let error = OrgId::parse("id", "nope").err();
        assert_eq!(error.map(|e| e.field), Some("id".to_owned()));
    }
}
