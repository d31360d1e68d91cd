//! Legal identifiers of organisations: the Korean business registration
//! number (사업자등록번호), the Legal Entity Identifier (ISO 17442) and
//! identifiers issued by someone else (a buyer's vendor code, a DUNS number).

use std::fmt;

use crate::error::FieldError;

/// A Korean business registration number: ten digits, the last a check digit.
///
/// Accepted as `1234567890` or `123-45-67890`; stored as ten digits and shown
/// in the usual `123-45-67890` form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BusinessRegistrationNumber(String);

impl BusinessRegistrationNumber {
    const WEIGHTS: [u32; 9] = [1, 3, 7, 1, 3, 7, 1, 3, 5];

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let trimmed = input.trim();
        let grouped = trimmed.len() == 12
            && trimmed.as_bytes().get(3) == Some(&b'-')
            && trimmed.as_bytes().get(6) == Some(&b'-');
        let digits: String = if grouped {
            trimmed.chars().filter(|c| *c != '-').collect()
        } else {
            trimmed.to_owned()
        };
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(
                "value",
                "invalid_format",
                "a business registration number is 10 digits, written 1234567890 or 123-45-67890",
            ));
        }
        let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        let mut sum: u32 = d
            .iter()
            .zip(Self::WEIGHTS)
            .map(|(digit, weight)| digit * weight)
            .sum();
        sum += (d[8] * 5) / 10;
        let check = (10 - sum % 10) % 10;
        if check != d[9] {
            return Err(FieldError::new(
                "value",
                "invalid_check_digit",
                format!(
                    "`{trimmed}` is not a valid business registration number (wrong check digit)"
                ),
            ));
        }
        Ok(Self(digits))
    }

    /// The ten digits, without separators.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BusinessRegistrationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", &self.0[..3], &self.0[3..5], &self.0[5..])
    }
}

/// A Legal Entity Identifier: 20 characters checked with ISO 7064 MOD 97-10.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lei(String);

impl Lei {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let lei = input.trim().to_ascii_uppercase();
        if lei.len() != 20 || !lei.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(FieldError::new(
                "value",
                "invalid_format",
                "an LEI is 20 letters and digits",
            ));
        }
        // Letters count as 10..=35; the whole number modulo 97 must be 1.
        let remainder = lei.bytes().fold(0u32, |acc, b| {
            let value = if b.is_ascii_digit() {
                u32::from(b - b'0')
            } else {
                u32::from(b - b'A') + 10
            };
            let shifted = if value >= 10 { acc * 100 } else { acc * 10 };
            (shifted + value) % 97
        });
        if remainder != 1 {
            return Err(FieldError::new(
                "value",
                "invalid_check_digit",
                format!("`{lei}` is not a valid LEI (ISO 7064 MOD 97-10 check failed)"),
            ));
        }
        Ok(Self(lei))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Lei {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An identifier issued by someone other than a registry: a buyer's vendor
/// code, a DUNS number. `issuer` says who issued it, so two buyers' codes
/// never collide.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomIdentifier {
    issuer: String,
    value: String,
}

impl CustomIdentifier {
    const MAX_LEN: usize = 100;

    pub fn parse(issuer: Option<&str>, value: &str) -> Result<Self, FieldError> {
        let issuer = issuer.map(str::trim).unwrap_or_default();
        let value = value.trim();
        let valid = |s: &str| {
            !s.is_empty() && s.chars().count() <= Self::MAX_LEN && !s.chars().any(char::is_control)
        };
        if !valid(issuer) {
            return Err(FieldError::new(
                "issuer",
                "required",
                "a custom identifier needs an issuer of 1 to 100 characters (who assigned the code)",
            ));
        }
        if !valid(value) {
            return Err(FieldError::new(
                "value",
                "invalid_format",
                "a custom identifier is 1 to 100 characters without control characters",
            ));
        }
        Ok(Self {
            issuer: issuer.to_owned(),
            value: value.to_owned(),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn value(&self) -> &str {
        &self.value
    }
}

/// Any identifier an organisation may be known by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrgIdentifier {
    BusinessRegistrationNumber(BusinessRegistrationNumber),
    Lei(Lei),
    Custom(CustomIdentifier),
}

/// The kinds of [`OrgIdentifier`], with their stable wire and storage names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentifierScheme {
    KrBrn,
    Lei,
    Custom,
}

impl IdentifierScheme {
    pub const ALL: [Self; 3] = [Self::KrBrn, Self::Lei, Self::Custom];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::KrBrn => "kr_brn",
            Self::Lei => "lei",
            Self::Custom => "custom",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|scheme| scheme.as_str() == input)
    }
}

impl OrgIdentifier {
    /// Parses an identifier of the given scheme. Errors name `value` or
    /// `issuer`; callers put them under the identifier's own path.
    pub fn parse(
        scheme: IdentifierScheme,
        issuer: Option<&str>,
        value: &str,
    ) -> Result<Self, FieldError> {
        match scheme {
            IdentifierScheme::KrBrn => {
                BusinessRegistrationNumber::parse(value).map(Self::BusinessRegistrationNumber)
            }
            IdentifierScheme::Lei => Lei::parse(value).map(Self::Lei),
            IdentifierScheme::Custom => CustomIdentifier::parse(issuer, value).map(Self::Custom),
        }
    }

    pub fn scheme(&self) -> IdentifierScheme {
        match self {
            Self::BusinessRegistrationNumber(_) => IdentifierScheme::KrBrn,
            Self::Lei(_) => IdentifierScheme::Lei,
            Self::Custom(_) => IdentifierScheme::Custom,
        }
    }

    /// Who issued a custom identifier; empty for registry identifiers.
    pub fn issuer(&self) -> &str {
        match self {
            Self::Custom(custom) => custom.issuer(),
            _ => "",
        }
    }

    /// The canonical value: what uniqueness is checked on.
    pub fn value(&self) -> &str {
        match self {
            Self::BusinessRegistrationNumber(brn) => brn.digits(),
            Self::Lei(lei) => lei.as_str(),
            Self::Custom(custom) => custom.value(),
        }
    }
}

impl fmt::Display for OrgIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BusinessRegistrationNumber(brn) => {
                write!(f, "business registration number {brn}")
            }
            Self::Lei(lei) => write!(f, "LEI {lei}"),
            Self::Custom(custom) => write!(f, "{} identifier {}", custom.issuer(), custom.value()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_business_registration_numbers_are_valid_in_both_notations() {
        // Samsung Electronics and Naver, as published.
        for input in ["124-81-00998", "1248100998", "220-81-62517", "2208162517"] {
            assert!(BusinessRegistrationNumber::parse(input).is_ok(), "{input}");
        }
        let brn = BusinessRegistrationNumber::parse("1248100998").ok();
        assert_eq!(brn.map(|b| b.to_string()), Some("124-81-00998".to_owned()));
    }

    #[test]
    fn business_registration_numbers_with_a_wrong_check_digit_or_shape_are_refused() {
        let wrong_check = BusinessRegistrationNumber::parse("124-81-00997");
        assert_eq!(
            wrong_check.err().map(|e| e.code),
            Some("invalid_check_digit")
        );
        for input in ["", "12481009", "12-481-00998", "124810099a", "12481009981"] {
            let error = BusinessRegistrationNumber::parse(input).err();
            assert_eq!(error.map(|e| e.code), Some("invalid_format"), "{input}");
        }
    }

    #[test]
    fn known_leis_are_valid() {
        // GLEIF's own LEI, Apple Inc. and a lowercase variant.
        for input in [
            "506700GE1G29325QX363",
            "HWUPKR0MPOU8FGXBT394",
            "hwupkr0mpou8fgxbt394",
        ] {
            assert!(Lei::parse(input).is_ok(), "{input}");
        }
    }

    #[test]
    fn leis_with_a_wrong_check_or_shape_are_refused() {
        assert_eq!(
            Lei::parse("HWUPKR0MPOU8FGXBT395").err().map(|e| e.code),
            Some("invalid_check_digit")
        );
        assert_eq!(
            Lei::parse("HWUPKR0MPOU8FGXBT39").err().map(|e| e.code),
            Some("invalid_format")
        );
        assert_eq!(
            Lei::parse("HWUPKR0MPOU8FGXBT39-").err().map(|e| e.code),
            Some("invalid_format")
        );
    }

    #[test]
    fn custom_identifiers_need_an_issuer() {
        assert!(
            OrgIdentifier::parse(IdentifierScheme::Custom, Some("acme-vendor"), "V-001").is_ok()
        );
        let error = OrgIdentifier::parse(IdentifierScheme::Custom, None, "V-001").err();
        assert_eq!(error.map(|e| e.field), Some("issuer".to_owned()));
    }

    #[test]
    fn schemes_round_trip_through_their_names() {
        for scheme in IdentifierScheme::ALL {
            assert_eq!(IdentifierScheme::parse(scheme.as_str()), Some(scheme));
        }
        assert_eq!(IdentifierScheme::parse("duns"), None);
    }
}
