//! Configuration: defaults, then an optional TOML file, then `TIERLINK_*`
//! environment variables (and `DATABASE_URL`), each later source winning.
//!
//! Every setting has one name: `TIERLINK_FOO_BAR` in the environment is
//! `foo_bar` in the file. The README's configuration table lists them all.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use tierlink_persistence::{DatabaseUrl, PoolOptions, StartupError};

use crate::auth::keys::KeySource;
use crate::auth::password::Argon2Settings;
use crate::auth::throttle::ThrottleSettings;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One line per event, for people at a terminal.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "human" => Ok(Self::Human),
            "json" => Ok(Self::Json),
            _ => Err(format!("`{s}` is neither `human` nor `json`")),
        }
    }
}

/// Everything the server can be configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: String,
    pub database_url: DatabaseUrl,
    pub database_pool_size: u32,
    pub database_timeout: Duration,
    /// `TIERLINK_DATABASE_LOCK_TIMEOUT_MS`: how long a statement waits for a
    /// lock another transaction holds before the request answers 503
    /// `database_busy` (SQLite's busy timeout, PostgreSQL's `lock_timeout`).
    pub database_lock_timeout: Duration,
    pub data_dir: PathBuf,
    pub log_filter: String,
    pub log_format: LogFormat,
    pub max_body_bytes: usize,
    /// `TIERLINK_MAX_BULK_BODY_BYTES`: the largest body of a bulk call (`POST /v1/answers/bulk`).
    pub max_bulk_body_bytes: usize,
    pub workers: Option<usize>,
    /// `TIERLINK_ACCOUNT_CACHE_ENTRIES`: how many accounts' standing is
    /// kept between requests (0 turns the cache off). See
    /// [`crate::account_cache`].
    pub account_cache_entries: usize,
    /// `TIERLINK_ACCOUNT_CACHE_RECHECK_MS`: on SQLite, how long the account
    /// cache trusts that no *other process* wrote the file (changes through
    /// this server are seen at once). 0 asks on every request.
    pub account_cache_recheck: Duration,
    /// `TIERLINK_ACCOUNT_WATCH_MS`: how often a replica on PostgreSQL looks
    /// for notifications that an account changed (see
    /// `tierlink_persistence::account_watch`); 0 re-reads accounts on every
    /// request.
    pub account_watch_poll: Duration,
    pub shutdown_timeout: Duration,
    /// `TIERLINK_EVIDENCE_STORE`: where evidence files go: `file://DIR` or `s3://BUCKET/PREFIX`.
    pub evidence_store: String,
    /// `TIERLINK_MAX_UPLOAD_BYTES`: the largest evidence file accepted.
    pub max_upload_bytes: usize,
    /// `TIERLINK_EVENT_RETENTION_DAYS`: how long the change feed keeps events.
    pub event_retention: Duration,
    pub webhooks: WebhookSettings,
    pub reminders: ReminderSettings,
    /// `TIERLINK_PACT_URN_DOMAIN`: the domain in the PACT URNs Tierlink
    /// issues for products (`urn:pact:<domain>:supplier-id:…`): the
    /// deployment's own domain name.
    pub pact_urn_domain: String,
    pub auth: AuthSettings,
}

/// Deadline reminders (`request.due_soon`, `request.overdue`).
#[derive(Debug, Clone)]
pub struct ReminderSettings {
    /// `TIERLINK_REMINDER_LEAD_DAYS`: comma-separated days before a due date
    /// on which the supplier is reminded (default `7,1`; empty for none).
    pub policy: tierlink_domain::reminders::ReminderPolicy,
    /// `TIERLINK_REMINDER_POLL_SECS`: how often a scheduler looks for
    /// reminders owed.
    pub poll_interval: Duration,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        Self {
            policy: tierlink_domain::reminders::ReminderPolicy::default(),
            poll_interval: Duration::from_secs(60),
        }
    }
}

/// Webhook deliveries.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// `TIERLINK_WEBHOOK_ALLOW_PRIVATE`: let endpoints resolve to private,
    /// loopback and link-local addresses, and use plain `http` (development
    /// and closed networks only: it opens the server to request forgery).
    pub allow_private: bool,
    /// `TIERLINK_WEBHOOK_TIMEOUT_SECS`: the longest one attempt may take.
    pub timeout: Duration,
    /// `TIERLINK_WEBHOOK_FIRST_RETRY_SECS` and `TIERLINK_WEBHOOK_RETRY_HOURS`:
    /// the first wait after a failure (doubling up to 6 hours), and how long
    /// a delivery is retried before it fails and its endpoint is disabled.
    pub retry: tierlink_domain::webhooks::RetryPolicy,
    /// `TIERLINK_WEBHOOK_POLL_MS`: how often a worker looks for due deliveries.
    pub poll_interval: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(10),
            retry: tierlink_domain::webhooks::RetryPolicy::default(),
            poll_interval: Duration::from_millis(250),
        }
    }
}

/// Identity and access settings.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Whether anyone may create an organisation with `POST /v1/signup`.
    pub open_signup: bool,
    pub jwt_key: KeySource,
    /// Older public keys (PEM) that still verify tokens, for rotation.
    pub jwt_previous_public_keys: Option<String>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub argon2: Argon2Settings,
    pub throttle: ThrottleSettings,
}

impl Default for Settings {
    fn default() -> Self {
        let data_dir = PathBuf::from("data");
        Self {
            bind: "127.0.0.1:8080".to_owned(),
            database_url: DatabaseUrl::default_sqlite(),
            database_pool_size: 10,
            database_timeout: Duration::from_secs(5),
            database_lock_timeout: Duration::from_secs(5),
            log_filter: "info".to_owned(),
            log_format: LogFormat::Human,
            max_body_bytes: 1024 * 1024,
            max_bulk_body_bytes: 16 * 1024 * 1024,
            account_cache_entries: 10_000,
            account_cache_recheck: Duration::from_millis(1),
            account_watch_poll: Duration::from_millis(10),
            workers: None,
            shutdown_timeout: Duration::from_secs(30),
            evidence_store: "file://data/evidence".to_owned(),
            max_upload_bytes: 25 * 1024 * 1024,
            event_retention: Duration::from_secs(30 * 86_400),
            webhooks: WebhookSettings::default(),
            reminders: ReminderSettings::default(),
            pact_urn_domain: "tierlink.local".to_owned(),
            auth: AuthSettings {
                open_signup: true,
                jwt_key: KeySource::Generated {
                    dir: data_dir.clone(),
                },
                jwt_previous_public_keys: None,
                jwt_issuer: "tierlink".to_owned(),
                jwt_audience: "tierlink-api".to_owned(),
                access_token_ttl: Duration::from_secs(15 * 60),
                refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
                argon2: Argon2Settings::default(),
                throttle: ThrottleSettings::default(),
            },
            data_dir,
        }
    }
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

/// Every setting's name (file key; the variable is `TIERLINK_` + upper case).
const KEYS: &[&str] = &[
    "bind",
    "database_url",
    "database_pool_size",
    "database_timeout_secs",
    "database_lock_timeout_ms",
    "data_dir",
    "log",
    "log_format",
    "max_body_bytes",
    "max_bulk_body_bytes",
    "workers",
    "account_cache_entries",
    "account_cache_recheck_ms",
    "account_watch_ms",
    "shutdown_timeout_secs",
    "evidence_store",
    "max_upload_bytes",
    "event_retention_days",
    "webhook_allow_private",
    "webhook_timeout_secs",
    "webhook_first_retry_secs",
    "webhook_retry_hours",
    "webhook_poll_ms",
    "reminder_lead_days",
    "reminder_poll_secs",
    "pact_urn_domain",
    "open_signup",
    "jwt_private_key",
    "jwt_private_key_file",
    "jwt_previous_public_keys",
    "jwt_previous_public_keys_file",
    "jwt_issuer",
    "jwt_audience",
    "access_token_ttl_secs",
    "refresh_token_ttl_secs",
    "argon2_memory_kib",
    "argon2_iterations",
    "argon2_parallelism",
    "login_attempts_per_account_per_minute",
    "login_attempts_per_address_per_minute",
    "login_failures_per_account_per_hour",
    "signups_per_address_per_hour",
    "new_users_per_organisation_per_hour",
];

/// Looks a setting up in the environment, then in the file.
struct Sources<'a, E> {
    env: E,
    file: &'a toml::Table,
}

impl<E: Fn(&str) -> Option<String>> Sources<'_, E> {
    fn raw(&self, key: &str) -> Option<(String, String)> {
        let var = format!("TIERLINK_{}", key.to_ascii_uppercase());
        if let Some(value) = (self.env)(&var) {
            return Some((var, value));
        }
        self.file.get(key).map(|value| {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::Float(n) => n.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => format!("{other:?}"),
            };
            (key.to_owned(), text)
        })
    }

    fn get<T: FromStr>(&self, key: &str) -> Result<Option<T>, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.raw(key) {
            Some((name, value)) => {
                value
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|error| ConfigError::Invalid {
                        name,
                        reason: format!("`{value}` is not valid: {error}"),
                    })
            }
            None => Ok(None),
        }
    }

    fn positive(&self, key: &str) -> Result<Option<u64>, ConfigError> {
        match self.get::<u64>(key)? {
            Some(0) => Err(ConfigError::Invalid {
                name: self.raw(key).map(|(name, _)| name).unwrap_or_default(),
                reason: "must be greater than zero".to_owned(),
            }),
            other => Ok(other),
        }
    }

    /// A comma-separated list of whole days (`7,1`), at most a year each.
    fn lead_days(
        &self,
        key: &str,
    ) -> Result<Option<tierlink_domain::reminders::ReminderPolicy>, ConfigError> {
        let Some((name, value)) = self.raw(key) else {
            return Ok(None);
        };
        let days = value
            .split(',')
            .map(str::trim)
            .filter(|day| !day.is_empty())
            .map(|day| day.parse::<u32>().ok().filter(|day| *day <= 366))
            .collect::<Option<Vec<u32>>>()
            .ok_or_else(|| ConfigError::Invalid {
                name,
                reason: format!(
                    "`{value}` is not valid: give whole days from 0 to 366, separated by commas (7,1)"
                ),
            })?;
        Ok(Some(tierlink_domain::reminders::ReminderPolicy::new(days)))
    }

    /// A domain name (`tierlink.example.com`): lowercase letters, digits,
    /// `-` and dots.
    fn domain(&self, key: &str) -> Result<Option<String>, ConfigError> {
        let Some((name, value)) = self.raw(key) else {
            return Ok(None);
        };
        let value = value.trim().to_ascii_lowercase();
        let valid = !value.is_empty()
            && value.len() <= 253
            && value.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if valid {
            Ok(Some(value))
        } else {
            Err(ConfigError::Invalid {
                name,
                reason: format!("`{value}` is not a domain name such as tierlink.example.com"),
            })
        }
    }

    fn secs(&self, key: &str, default: Duration) -> Result<Duration, ConfigError> {
        Ok(self.positive(key)?.map_or(default, Duration::from_secs))
    }
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
        let table = match file {
            Some(path) => read_file(path)?,
            None => toml::Table::new(),
        };
        let src = Sources { env, file: &table };
        let d = Self::default();
        let database_url = match (src.env)("TIERLINK_DATABASE_URL")
            .or_else(|| (src.env)("DATABASE_URL"))
            .or_else(|| src.raw("database_url").map(|(_, v)| v))
        {
            Some(url) => DatabaseUrl::parse(&url)?,
            None => d.database_url,
        };
        let data_dir: PathBuf = src.get("data_dir")?.unwrap_or(d.data_dir);
        let jwt_key = if let Some((_, pem)) = src.raw("jwt_private_key") {
            KeySource::Pem(pem)
        } else if let Some(path) = src.get::<PathBuf>("jwt_private_key_file")? {
            KeySource::File(path)
        } else {
            KeySource::Generated {
                dir: data_dir.clone(),
            }
        };
        let jwt_previous_public_keys =
            match src.raw("jwt_previous_public_keys") {
                Some((_, pem)) => Some(pem),
                None => match src.get::<PathBuf>("jwt_previous_public_keys_file")? {
                    Some(path) => Some(std::fs::read_to_string(&path).map_err(|error| {
                        ConfigError::Invalid {
                            name: "TIERLINK_JWT_PREVIOUS_PUBLIC_KEYS_FILE".to_owned(),
                            reason: format!("cannot read {}: {error}", path.display()),
                        }
                    })?),
                    None => None,
                },
            };
        let argon2 = Argon2Settings {
            memory_kib: src
                .get("argon2_memory_kib")?
                .unwrap_or(d.auth.argon2.memory_kib),
            iterations: src
                .get("argon2_iterations")?
                .unwrap_or(d.auth.argon2.iterations),
            parallelism: src
                .get("argon2_parallelism")?
                .unwrap_or(d.auth.argon2.parallelism),
        }
        .validate()
        .map_err(|reason| ConfigError::Invalid {
            name: "TIERLINK_ARGON2_*".to_owned(),
            reason,
        })?;
        let allowance = |key: &str, default: u32| -> Result<u32, ConfigError> {
            Ok(src
                .positive(key)?
                .map_or(default, |n| u32::try_from(n).unwrap_or(u32::MAX)))
        };
        let throttle = ThrottleSettings {
            per_account_per_minute: allowance(
                "login_attempts_per_account_per_minute",
                d.auth.throttle.per_account_per_minute,
            )?,
            per_address_per_minute: allowance(
                "login_attempts_per_address_per_minute",
                d.auth.throttle.per_address_per_minute,
            )?,
            failures_per_account_per_hour: allowance(
                "login_failures_per_account_per_hour",
                d.auth.throttle.failures_per_account_per_hour,
            )?,
            signups_per_address_per_hour: allowance(
                "signups_per_address_per_hour",
                d.auth.throttle.signups_per_address_per_hour,
            )?,
            new_users_per_organisation_per_hour: allowance(
                "new_users_per_organisation_per_hour",
                d.auth.throttle.new_users_per_organisation_per_hour,
            )?,
        };
        Ok(Self {
            bind: src.get("bind")?.unwrap_or(d.bind),
            database_url,
            database_pool_size: src
                .positive("database_pool_size")?
                .map_or(d.database_pool_size, |n| {
                    u32::try_from(n).unwrap_or(u32::MAX)
                }),
            database_timeout: src.secs("database_timeout_secs", d.database_timeout)?,
            database_lock_timeout: src
                .positive("database_lock_timeout_ms")?
                .map_or(d.database_lock_timeout, Duration::from_millis),
            log_filter: src.get("log")?.unwrap_or(d.log_filter),
            log_format: src.get("log_format")?.unwrap_or(d.log_format),
            max_body_bytes: src
                .positive("max_body_bytes")?
                .map_or(d.max_body_bytes, |n| {
                    usize::try_from(n).unwrap_or(usize::MAX)
                }),
            max_bulk_body_bytes: src
                .positive("max_bulk_body_bytes")?
                .map_or(d.max_bulk_body_bytes, |n| {
                    usize::try_from(n).unwrap_or(usize::MAX)
                }),
            workers: src
                .positive("workers")?
                .map(|n| usize::try_from(n).unwrap_or(1)),
            account_cache_entries: src
                .get::<usize>("account_cache_entries")?
                .unwrap_or(d.account_cache_entries),
            account_cache_recheck: src
                .get::<u64>("account_cache_recheck_ms")?
                .map_or(d.account_cache_recheck, Duration::from_millis),
            account_watch_poll: src
                .get::<u64>("account_watch_ms")?
                .map_or(d.account_watch_poll, Duration::from_millis),
            shutdown_timeout: src.secs("shutdown_timeout_secs", d.shutdown_timeout)?,
            evidence_store: src.get("evidence_store")?.unwrap_or(d.evidence_store),
            max_upload_bytes: src
                .positive("max_upload_bytes")?
                .map_or(d.max_upload_bytes, |n| {
                    usize::try_from(n).unwrap_or(usize::MAX)
                }),
            event_retention: src
                .positive("event_retention_days")?
                .map_or(d.event_retention, |days| {
                    Duration::from_secs(days.saturating_mul(86_400))
                }),
            webhooks: WebhookSettings {
                allow_private: src
                    .get("webhook_allow_private")?
                    .unwrap_or(d.webhooks.allow_private),
                timeout: src.secs("webhook_timeout_secs", d.webhooks.timeout)?,
                retry: tierlink_domain::webhooks::RetryPolicy {
                    first_retry: src
                        .secs("webhook_first_retry_secs", d.webhooks.retry.first_retry)?,
                    give_up_after: src
                        .positive("webhook_retry_hours")?
                        .map_or(d.webhooks.retry.give_up_after, |hours| {
                            Duration::from_secs(hours.saturating_mul(3600))
                        }),
                    ..d.webhooks.retry
                },
                poll_interval: src
                    .positive("webhook_poll_ms")?
                    .map_or(d.webhooks.poll_interval, Duration::from_millis),
            },
            reminders: ReminderSettings {
                policy: src
                    .lead_days("reminder_lead_days")?
                    .unwrap_or(d.reminders.policy),
                poll_interval: src.secs("reminder_poll_secs", d.reminders.poll_interval)?,
            },
            pact_urn_domain: src.domain("pact_urn_domain")?.unwrap_or(d.pact_urn_domain),
            auth: AuthSettings {
                open_signup: src.get("open_signup")?.unwrap_or(d.auth.open_signup),
                jwt_key,
                jwt_previous_public_keys,
                jwt_issuer: src.get("jwt_issuer")?.unwrap_or(d.auth.jwt_issuer),
                jwt_audience: src.get("jwt_audience")?.unwrap_or(d.auth.jwt_audience),
                access_token_ttl: src.secs("access_token_ttl_secs", d.auth.access_token_ttl)?,
                refresh_token_ttl: src.secs("refresh_token_ttl_secs", d.auth.refresh_token_ttl)?,
                argon2,
                throttle,
            },
            data_dir,
        })
    }

    pub fn pool_options(&self) -> PoolOptions {
        PoolOptions {
            max_size: self.database_pool_size,
            acquire_timeout: self.database_timeout,
            lock_timeout: self.database_lock_timeout,
            change_recheck: self.account_cache_recheck,
            account_watch_poll: self.account_watch_poll,
        }
    }

    /// [`Settings::pool_options`] for a command that serves no requests
    /// (migrate, admin, seed): no account watch, as nothing keeps accounts.
    pub fn command_pool_options(&self) -> PoolOptions {
        PoolOptions {
            account_watch_poll: Duration::ZERO,
            ..self.pool_options()
        }
    }

    /// HTTP workers: as configured, or one per core (actix's default).
    pub fn worker_count(&self) -> usize {
        self.workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
    }
}

fn read_file(path: &Path) -> Result<toml::Table, ConfigError> {
    let error = |reason: String| ConfigError::File {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| error(e.to_string()))?;
    if let Some(unknown) = table.keys().find(|key| !KEYS.contains(&key.as_str())) {
        return Err(error(format!("unknown setting `{unknown}`")));
    }
    Ok(table)
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
        let settings = load(&[]).expect("defaults load");
        assert_eq!(settings.bind, "127.0.0.1:8080");
        assert_eq!(settings.database_url, DatabaseUrl::default_sqlite());
        assert!(settings.auth.open_signup);
        assert_eq!(settings.auth.access_token_ttl, Duration::from_secs(900));
    }

    #[test]
    fn reminder_lead_days_are_a_list_and_may_be_empty() {
        let leads = |value: &str| {
            load(&[("TIERLINK_REMINDER_LEAD_DAYS", value)])
                .map(|s| s.reminders.policy.leads().to_vec())
                .ok()
        };
        assert_eq!(leads("1, 14,7"), Some(vec![14, 7, 1]));
        assert_eq!(leads(""), Some(vec![]));
        assert_eq!(
            load(&[]).map(|s| s.reminders.policy.leads().to_vec()).ok(),
            Some(vec![7, 1])
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
            ("TIERLINK_WORKERS", "0"),
            ("TIERLINK_MAX_BODY_BYTES", "lots"),
            ("TIERLINK_LOG_FORMAT", "xml"),
            ("TIERLINK_OPEN_SIGNUP", "maybe"),
            ("TIERLINK_ARGON2_MEMORY_KIB", "1024"),
            ("TIERLINK_REMINDER_LEAD_DAYS", "7,one"),
            ("TIERLINK_REMINDER_LEAD_DAYS", "-1"),
            ("TIERLINK_REMINDER_POLL_SECS", "0"),
        ] {
            let message = load(&[(name, value)])
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            let stem = name.trim_end_matches("_MEMORY_KIB");
            assert!(message.contains(stem), "{name}: {message}");
        }
        let message = load(&[("TIERLINK_DATABASE_URL", "mysql://h/db")])
            .err()
            .map(|e| e.to_string());
        assert!(message.is_some_and(|m| m.contains("mysql")));
    }

    #[test]
    fn the_file_is_read_and_the_environment_overrides_it() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = std::env::temp_dir().join(format!("tierlink-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("tierlink.toml");
        std::fs::write(
            &path,
            "bind = \"0.0.0.0:9000\"\nworkers = 3\nlog_format = \"json\"\nopen_signup = false\n",
        )?;
        let settings = Settings::load_from(Some(&path), |name| {
            (name == "TIERLINK_WORKERS").then(|| "5".to_owned())
        })?;
        assert_eq!(settings.bind, "0.0.0.0:9000");
        assert_eq!(settings.workers, Some(5));
        assert_eq!(settings.log_format, LogFormat::Json);
        assert!(!settings.auth.open_signup);
        std::fs::write(&path, "bnd = \"typo\"\n")?;
        assert!(Settings::load_from(Some(&path), |_| None).is_err());
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
