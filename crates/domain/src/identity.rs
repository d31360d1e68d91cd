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

    /// Checks the length rule; `field` names the input (`password`,
    /// `new_password`). For a password as given (to sign in, to rehash); a
    /// new one is [`Password::choose`]n.
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

    /// A new password for the account of `email`: the length rule, and
    /// NIST SP 800-63B's check against passwords easy to guess (§5.1.1.2):
    /// not the account's e-mail address or the name in it
    /// (`contains_email`), not a common password, a common word with digits
    /// or symbols around it, a repeated or a sequential run of characters
    /// (`too_common`). No other composition rule. Without an address (the
    /// one given was not valid), the other checks are made.
    pub fn choose(field: &str, input: &str, email: Option<&Email>) -> Result<Self, FieldError> {
        let password = Self::parse(field, input)?;
        let lower = input.to_lowercase();
        if let Some(email) = email {
            Self::check_not_email(field, &lower, email)?;
        }
        if is_easy_to_guess(&lower) {
            return Err(FieldError::new(
                field,
                "too_common",
                "this password is common or easy to guess; a few unrelated words make a good one",
            ));
        }
        Ok(password)
    }

    fn check_not_email(field: &str, lower: &str, email: &Email) -> Result<(), FieldError> {
        let (local, domain) = email
            .normalised()
            .rsplit_once('@')
            .unwrap_or((email.normalised(), ""));
        let organisation = domain.split('.').next().unwrap_or_default();
        let names = [local, organisation]
            .into_iter()
            .filter(|name| name.chars().count() >= Self::MIN_NAME_CHARS);
        if lower.contains(email.normalised()) || names.into_iter().any(|n| lower.contains(n)) {
            return Err(FieldError::new(
                field,
                "contains_email",
                "a password must not contain the account's e-mail address or the names in it",
            ));
        }
        Ok(())
    }

    /// Parts of the e-mail address shorter than this are not looked for in
    /// a new password (a short name would refuse too much).
    const MIN_NAME_CHARS: usize = 4;

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Passwords (lower case) at least 12 characters long that lists of leaked
/// passwords hold most often, and ones made from this service's name.
const COMMON_PASSWORDS: &[&str] = &[
    "1q2w3e4r5t6y",
    "1q2w3e4r5t6y7u",
    "1qaz2wsx3edc",
    "1qaz2wsx3edc4rfv",
    "q1w2e3r4t5y6",
    "qazwsxedcrfv",
    "qwertyuiopasdf",
    "qwertyuiopasdfghjkl",
    "asdfghjklqwerty",
    "zaq12wsxcde3",
    "1234qwerasdf",
    "qwer1234qwer",
    "asdf1234asdf",
    "1qaz@wsx3edc",
    "!qaz2wsx#edc",
    "1q2w3e4r!@#$",
    "trustno1trustno1",
    "abc123abc123",
    "iloveyouiloveyou",
];

/// Words that common passwords are built on: one of them with only digits,
/// symbols or spaces around it is refused (`Password2026!`).
const COMMON_WORDS: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssword",
    "p@ssw0rd",
    "qwerty",
    "qwertyuiop",
    "asdfgh",
    "asdfghjkl",
    "zxcvbnm",
    "letmein",
    "welcome",
    "changeme",
    "admin",
    "administrator",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "monkey",
    "dragon",
    "master",
    "superman",
    "starwars",
    "secret",
    "abc",
    "abcd",
    "abcdef",
    "tierlink",
];

fn is_easy_to_guess(lower: &str) -> bool {
    let chars: Vec<char> = lower.chars().collect();
    let distinct: std::collections::BTreeSet<char> = chars.iter().copied().collect();
    let sequential = chars.windows(2).all(|pair| {
        let step = i64::from(u32::from(pair[1])) - i64::from(u32::from(pair[0]));
        step == 1 || (pair[0] == '9' && pair[1] == '0')
    }) || chars.windows(2).all(|pair| {
        let step = i64::from(u32::from(pair[0])) - i64::from(u32::from(pair[1]));
        step == 1 || (pair[0] == '0' && pair[1] == '9')
    });
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    distinct.len() <= 2
        || sequential
        || COMMON_PASSWORDS.contains(&lower)
        || COMMON_WORDS.contains(&core)
        || COMMON_WORDS.contains(&core.replace(char::is_whitespace, "").as_str())
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
    fn new_passwords_are_not_the_e_mail_address_or_easy_to_guess() {
        let email = Email::parse("Minji.Kim@Hanbit.example").expect("an address");
        let code = |password: &str| {
            Password::choose("password", password, Some(&email))
                .err()
                .map(|e| e.code)
        };
        assert_eq!(code("correct horse battery staple"), None);
        assert_eq!(code("오늘은 날씨가 맑습니다"), None);
        for own in [
            "minji.kim@hanbit.example",
            "MINJI.KIM-2026!",
            "hanbit rocks 42",
        ] {
            assert_eq!(code(own), Some("contains_email"), "{own}");
        }
        for common in [
            "123456789012",
            "098765432109",
            "abcdefghijklm",
            "aaaaaaaaaaaa",
            "abababababab",
            "Password2026!",
            "!!Welcome!!123",
            "qwertyuiop12",
            "1q2w3e4r5t6y",
            "P@ssw0rd 2026",
            "tierlink1234",
        ] {
            assert_eq!(code(common), Some("too_common"), "{common}");
        }
        assert_eq!(code("short"), Some("too_short"));
        let short_names = Email::parse("kim@ab.example").expect("an address");
        assert!(Password::choose("password", "kimchi stew at noon", Some(&short_names)).is_ok());
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
