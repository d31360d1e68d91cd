//! People's credentials and profile fields: e-mail addresses, passwords and
//! display names, validated.

use std::fmt;

use crate::error::FieldError;

/// An e-mail address as given, with its case-folded form for uniqueness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    given: String,
    normalised: String,
}

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let given = input.trim();
        let invalid = || {
            FieldError::new(
                "email",
                "invalid_email",
                format!("`{given}` is not an e-mail address"),
            )
        };
        if given.len() > Self::MAX_LEN || given.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid());
        }
        let (local, domain) = given.rsplit_once('@').ok_or_else(invalid)?;
        if local.is_empty()
            || domain.is_empty()
            || local.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err(invalid());
        }
        Ok(Self {
            given: given.to_owned(),
            normalised: given.to_lowercase(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.given
    }

    /// The lower-cased form: two addresses differing only in case are one account.
    pub fn normalised(&self) -> &str {
        &self.normalised
    }
}

/// A password: 12 to 128 characters. Never printed, not even by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 128;

    /// Checks the length rule; `field` names the input (`password`, `new_password`).
    pub fn parse(field: &str, input: &str) -> Result<Self, FieldError> {
        let chars = input.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(FieldError::new(
                field,
                "too_short",
                format!("at least {} characters", Self::MIN_CHARS),
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(FieldError::new(
                field,
                "too_long",
                format!("at most {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// How a person is shown to colleagues: 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let name = input.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(FieldError::new(
                "display_name",
                "invalid_display_name",
                "a display name is 1 to 100 characters without control characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_unique_regardless_of_case() {
        let a = Email::parse("Kim.Minji@Hanbit.co.kr").ok();
        let b = Email::parse("kim.minji@hanbit.co.kr").ok();
        assert_eq!(
            a.as_ref().map(Email::normalised),
            b.as_ref().map(Email::normalised)
        );
        assert_eq!(
            a.map(|e| e.as_str().to_owned()),
            Some("Kim.Minji@Hanbit.co.kr".to_owned())
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for input in ["", "no-at", "@x.kr", "a@", "a@b", "a b@c.kr", "a@b.kr."] {
            assert!(Email::parse(input).is_err(), "{input}");
        }
    }

    #[test]
    fn passwords_are_12_to_128_characters_and_never_printed() {
        assert_eq!(
            Password::parse("password", "short").err().map(|e| e.code),
            Some("too_short")
        );
        assert_eq!(
            Password::parse("password", &"x".repeat(129))
                .err()
                .map(|e| e.code),
            Some("too_long")
        );
        let password = Password::parse("password", "correct horse battery");
        assert_eq!(format!("{password:?}"), "Ok(Password(***))");
    }
}
