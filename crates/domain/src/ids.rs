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
    fn parse_names_the_field() {
        let error = OrgId::parse("id", "nope").err();
        assert_eq!(error.map(|e| e.field), Some("id".to_owned()));
    }
}
