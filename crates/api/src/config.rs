//! Configuration: defaults, then an optional TOML file, then `TIERLINK_*`
//! environment variables (and `DATABASE_URL`), each later source winning.
//! The README's configuration table lists every setting.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use tierlink_persistence::{DatabaseUrl, PoolOptions, StartupError};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Coloured, one line per event: for people at a terminal.
    Human,
    /// One JSON object per line: for log collectors.
    Json,
}

/// Everything the server can be configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `TIERLINK_BIND`: address and port to listen on.
    pub bind: String,
    /// `TIERLINK_DATABASE_URL` or `DATABASE_URL`.
    pub database_url: DatabaseUrl,
    /// `TIERLINK_DATABASE_POOL_SIZE`.
    pub database_pool_size: u32,
    /// `TIERLINK_DATABASE_TIMEOUT_SECS`: how long a request waits for a connection.
    pub database_timeout: Duration,
    /// `TIERLINK_LOG`: a tracing filter such as `info` or `tierlink_api=debug,info`.
    pub log_filter: String,
    /// `TIERLINK_LOG_FORMAT`: `human` or `json`.
    pub log_format: LogFormat,
    /// `TIERLINK_MAX_BODY_BYTES`: the largest JSON request body accepted.
    pub max_body_bytes: usize,
    /// `TIERLINK_WORKERS`: HTTP worker threads; the number of cores when unset.
    pub workers: Option<usize>,
    /// `TIERLINK_SHUTDOWN_TIMEOUT_SECS`: how long in-flight requests may
    /// finish after SIGTERM.
    pub shutdown_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".to_owned(),
            database_url: DatabaseUrl::default_sqlite(),
            database_pool_size: 10,
            database_timeout: Duration::from_secs(5),
            log_filter: "info".to_owned(),
            log_format: LogFormat::Human,
            max_body_bytes: 1024 * 1024,
            workers: None,
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

/// The optional configuration file: the same settings, snake_case keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bind: Option<String>,
    database_url: Option<String>,
    database_pool_size: Option<u32>,
    database_timeout_secs: Option<u64>,
    log: Option<String>,
    log_format: Option<LogFormat>,
    max_body_bytes: Option<usize>,
    workers: Option<usize>,
    shutdown_timeout_secs: Option<u64>,
}

/// Why the configuration could not be loaded. Names the setting at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("{name}: {reason}")]
    Invalid { name: String, reason: String },
    #[error(transparent)]
    Database(#[from] StartupError),
}

impl Settings {
    /// Loads the settings from `file` (if given) and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_from(file, |name| std::env::var(name).ok())
    }

    /// Like [`Settings::load`], reading variables through `env` (for tests).
    pub fn load_from(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let from_file = match file {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        let defaults = Self::default();
        let text = |var: &str, file_value: Option<String>| env(var).or(file_value);
        let number = |var: &str, file_value: Option<u64>| -> Result<Option<u64>, ConfigError> {
            match env(var) {
                Some(raw) => raw
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| ConfigError::Invalid {
                        name: var.to_owned(),
                        reason: format!("`{raw}` is not a whole number"),
                    }),
                None => Ok(file_value),
            }
        };
        let database_url = match env("TIERLINK_DATABASE_URL")
            .or_else(|| env("DATABASE_URL"))
            .or(from_file.database_url)
        {
            Some(url) => DatabaseUrl::parse(&url)?,
            None => defaults.database_url,
        };
        let log_format = match env("TIERLINK_LOG_FORMAT") {
            Some(raw) => match raw.trim().to_ascii_lowercase().as_str() {
                "human" => LogFormat::Human,
                "json" => LogFormat::Json,
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "TIERLINK_LOG_FORMAT".to_owned(),
                        reason: format!("`{raw}` is neither `human` nor `json`"),
                    });
                }
            },
            None => from_file.log_format.unwrap_or(defaults.log_format),
        };
        let positive = |name: &str, value: Option<u64>, default: u64| -> Result<u64, ConfigError> {
            match value {
                Some(0) => Err(ConfigError::Invalid {
                    name: name.to_owned(),
                    reason: "must be greater than zero".to_owned(),
                }),
                Some(n) => Ok(n),
                None => Ok(default),
            }
        };
        let pool_size = number(
            "TIERLINK_DATABASE_POOL_SIZE",
            from_file.database_pool_size.map(u64::from),
        )?;
        let max_body = number(
            "TIERLINK_MAX_BODY_BYTES",
            from_file.max_body_bytes.map(|n| n as u64),
        )?;
        let workers = number("TIERLINK_WORKERS", from_file.workers.map(|n| n as u64))?;
        Ok(Self {
            bind: text("TIERLINK_BIND", from_file.bind).unwrap_or(defaults.bind),
            database_url,
            database_pool_size: u32::try_from(positive(
                "TIERLINK_DATABASE_POOL_SIZE",
                pool_size,
                u64::from(defaults.database_pool_size),
            )?)
            .unwrap_or(u32::MAX),
            database_timeout: Duration::from_secs(positive(
                "TIERLINK_DATABASE_TIMEOUT_SECS",
                number(
                    "TIERLINK_DATABASE_TIMEOUT_SECS",
                    from_file.database_timeout_secs,
                )?,
                defaults.database_timeout.as_secs(),
            )?),
            log_filter: text("TIERLINK_LOG", from_file.log).unwrap_or(defaults.log_filter),
            log_format,
            max_body_bytes: usize::try_from(positive(
                "TIERLINK_MAX_BODY_BYTES",
                max_body,
                defaults.max_body_bytes as u64,
            )?)
            .unwrap_or(usize::MAX),
            workers: workers
                .map(|n| positive("TIERLINK_WORKERS", Some(n), 1))
                .transpose()?
                .map(|n| usize::try_from(n).unwrap_or(1)),
            shutdown_timeout: Duration::from_secs(
                number(
                    "TIERLINK_SHUTDOWN_TIMEOUT_SECS",
                    from_file.shutdown_timeout_secs,
                )?
                .unwrap_or(defaults.shutdown_timeout.as_secs()),
            ),
        })
    }

    pub fn pool_options(&self) -> PoolOptions {
        PoolOptions {
            max_size: self.database_pool_size,
            acquire_timeout: self.database_timeout,
        }
    }
}

fn read_file(path: &Path) -> Result<FileSettings, ConfigError> {
    let error = |reason: String| ConfigError::File {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    toml::from_str(&text).map_err(|e| error(e.to_string()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn load(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::load_from(None, |name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_need_no_configuration() {
        let settings = load(&[]).ok();
        assert_eq!(
            settings.as_ref().map(|s| s.bind.as_str()),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            settings.map(|s| s.database_url),
            Some(DatabaseUrl::default_sqlite())
        );
    }

    #[test]
    fn tierlink_database_url_wins_over_database_url() {
        let settings = load(&[
            ("DATABASE_URL", "postgres://a@h/one"),
            ("TIERLINK_DATABASE_URL", "sqlite://x.db"),
        ]);
        assert_eq!(
            settings.ok().map(|s| s.database_url.to_string()),
            Some("sqlite://x.db".to_owned())
        );
        let fallback = load(&[("DATABASE_URL", "postgres://a@h/one")]);
        assert_eq!(
            fallback.ok().map(|s| s.database_url.to_string()),
            Some("postgres://a@h/one".to_owned())
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (name, value) in [
            ("TIERLINK_DATABASE_URL", "mysql://h/db"),
            ("TIERLINK_WORKERS", "0"),
            ("TIERLINK_MAX_BODY_BYTES", "lots"),
            ("TIERLINK_LOG_FORMAT", "xml"),
        ] {
            let message = load(&[(name, value)])
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            let named = message.contains(name)
                || name == "TIERLINK_DATABASE_URL" && message.contains("mysql");
            assert!(named, "{name}: {message}");
        }
    }

    #[test]
    fn the_file_is_read_and_the_environment_overrides_it() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = std::env::temp_dir().join(format!("tierlink-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("tierlink.toml");
        std::fs::write(
            &path,
            "bind = \"0.0.0.0:9000\"\nworkers = 3\nlog_format = \"json\"\n",
        )?;
        let settings = Settings::load_from(Some(&path), |name| {
            (name == "TIERLINK_WORKERS").then(|| "5".to_owned())
        })?;
        assert_eq!(settings.bind, "0.0.0.0:9000");
        assert_eq!(settings.workers, Some(5));
        assert_eq!(settings.log_format, LogFormat::Json);
        std::fs::write(&path, "bnd = \"typo\"\n")?;
        assert!(Settings::load_from(Some(&path), |_| None).is_err());
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
