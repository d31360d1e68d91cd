//! What a use case can answer instead of its result.

use tierlink_domain::requests::Stale;
use tierlink_domain::requirements::Refusal;
use tierlink_domain::{FieldError, Rejection, ValidationErrors};
use tierlink_persistence::{DieselError, StoreError};

/// A use case's error: a business outcome the caller can act on, or a
/// storage failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The resource does not exist, or the caller may not know it does.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// A rule refused the action in the current state of things.
    #[error("rejected: {0}")]
    Rejected(Rejection),
    /// Input that is not valid here (each problem names its field).
    #[error("invalid: {0}")]
    Invalid(ValidationErrors),
    /// The caller's `If-Match` revision is not the current one.
    #[error("stale: the current revision is {current}")]
    Stale { current: i32 },
    /// The thing to create exists already.
    #[error("duplicate: {message}")]
    Duplicate {
        field: Option<String>,
        message: String,
    },
    /// Storage failed (unavailable, busy, corrupt…).
    #[error(transparent)]
    Store(StoreError),
}

impl Error {
    /// One invalid field.
    pub fn invalid(error: FieldError) -> Self {
        Self::Invalid(error.into())
    }

    /// Puts the fields this error names under `prefix` (`answers[3]`).
    #[must_use]
    pub fn under(self, prefix: &str) -> Self {
        let nest = |field: Option<String>| {
            Some(field.map_or_else(|| prefix.to_owned(), |f| format!("{prefix}.{f}")))
        };
        match self {
            Self::Rejected(mut rejection) => {
                rejection.field = nest(rejection.field);
                Self::Rejected(rejection)
            }
            Self::Invalid(errors) => {
                let mut nested = ValidationErrors::new();
                for error in errors.into_errors() {
                    nested.push(error.under(prefix));
                }
                Self::Invalid(nested)
            }
            Self::Duplicate { field, message } => Self::Duplicate {
                field: nest(field),
                message,
            },
            other => other,
        }
    }
}

/// `map_err(not_found("request"))`: names what a repository did not find.
pub fn not_found(what: &'static str) -> impl Fn(StoreError) -> Error {
    move |error| match error {
        StoreError::NotFound => Error::NotFound(what),
        other => other.into(),
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound("resource"),
            StoreError::Duplicate { field, message } => Self::Duplicate { field, message },
            StoreError::Rejected {
                code,
                field,
                message,
            } => Self::Rejected(Rejection {
                code,
                field,
                message,
            }),
            StoreError::Invalid(error) => Self::invalid(error),
            StoreError::InvalidAll(errors) => {
                let mut all = ValidationErrors::new();
                for error in errors {
                    all.push(error);
                }
                Self::Invalid(all)
            }
            StoreError::Stale { current } => Self::Stale { current },
            other => Self::Store(other),
        }
    }
}

impl From<DieselError> for Error {
    fn from(error: DieselError) -> Self {
        StoreError::from(error).into()
    }
}

impl From<Rejection> for Error {
    fn from(rejection: Rejection) -> Self {
        Self::Rejected(rejection)
    }
}

impl From<ValidationErrors> for Error {
    fn from(errors: ValidationErrors) -> Self {
        Self::Invalid(errors)
    }
}

impl From<FieldError> for Error {
    fn from(error: FieldError) -> Self {
        Self::invalid(error)
    }
}

impl From<Stale> for Error {
    fn from(stale: Stale) -> Self {
        Self::Stale {
            current: stale.current,
        }
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Stale(stale) => stale.into(),
            Refusal::Illegal(rejection) => rejection.into(),
        }
    }
}
