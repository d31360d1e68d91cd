//! The database URL and the engine it names.
//!
//! The scheme decides: `sqlite://PATH` (relative, or absolute with a third
//! slash) or `postgres://…` / `postgresql://…`. Anything else is refused
//! here, before a connection is attempted, so a typo can never silently
//! create a SQLite file.

use std::fmt;
use std::path::PathBuf;

use crate::error::StartupError;

/// Which engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// A parsed database URL. Its `Display` hides any password.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite { path: PathBuf },
    Postgres { url: String },
}

impl DatabaseUrl {
    /// The default: a SQLite file under `./data/`.
    pub fn default_sqlite() -> Self {
        Self::Sqlite {
            path: PathBuf::from("data/tierlink.db"),
        }
    }

    pub fn parse(input: &str) -> Result<Self, StartupError> {
        let input = input.trim();
        let Some((scheme, rest)) = input.split_once("://") else {
            return Err(StartupError::InvalidUrl(
                "expected sqlite://PATH or postgres://USER@HOST/DATABASE".to_owned(),
            ));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => {
                let path = rest.split(['?', '#']).next().unwrap_or_default();
                if path.is_empty() || path == ":memory:" {
                    return Err(StartupError::InvalidUrl(
                        "sqlite:// needs a file path, such as sqlite://data/tierlink.db".to_owned(),
                    ));
                }
                Ok(Self::Sqlite {
                    path: PathBuf::from(path),
                })
            }
            "postgres" | "postgresql" => {
                if rest.is_empty() {
                    return Err(StartupError::InvalidUrl(
                        "postgres:// needs a host".to_owned(),
                    ));
                }
                Ok(Self::Postgres {
                    url: input.to_owned(),
                })
            }
            other => Err(StartupError::InvalidUrl(format!(
                "unsupported scheme `{other}`: use sqlite://PATH or postgres://…"
            ))),
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Self::Sqlite { .. } => Engine::Sqlite,
            Self::Postgres { .. } => Engine::Postgres,
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite { path } => write!(f, "sqlite://{}", path.display()),
            Self::Postgres { url } => f.write_str(&redact_password(url)),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`; the
/// `password=` query parameter is hidden as well.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority_end, _) = rest
        .char_indices()
        .find(|(_, c)| matches!(c, '/' | '?'))
        .unwrap_or((rest.len(), ' '));
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = tail
        .split('&')
        .map(|part| match part.find("password=") {
            Some(at) => format!("{}password=***", &part[..at]),
            None => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&");
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_pick_the_engine() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db")
                .ok()
                .map(|u| u.engine()),
            Some(Engine::Sqlite)
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/x.db").ok(),
            Some(DatabaseUrl::Sqlite {
                path: PathBuf::from("/var/lib/x.db")
            })
        );
        for url in [
            "postgres://u@h/db",
            "postgresql://u:p@h:5432/db?sslmode=require",
        ] {
            assert_eq!(
                DatabaseUrl::parse(url).ok().map(|u| u.engine()),
                Some(Engine::Postgres),
                "{url}"
            );
        }
    }

    #[test]
    fn unknown_or_missing_schemes_are_refused() {
        for url in [
            "mysql://h/db",
            "data/x.db",
            "sqlite://",
            "sqlite://:memory:",
            "postgres://",
        ] {
            assert!(DatabaseUrl::parse(url).is_err(), "{url}");
        }
    }

    #[test]
    fn passwords_never_show() {
        let url = DatabaseUrl::parse(
            "postgres://tierlink:s3cret@db:5432/tierlink?password=other&sslmode=require",
        );
        let shown = url.map(|u| format!("{u} {u:?}")).unwrap_or_default();
        assert!(
            !shown.contains("s3cret") && !shown.contains("other"),
            "{shown}"
        );
        assert!(shown.contains("tierlink:***@db:5432/tierlink"), "{shown}");
    }
}
