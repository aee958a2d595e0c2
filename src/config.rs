//! Settings, from the environment and an optional `linli.toml`.
//!
//! Precedence: environment variable, then the file, then the default. The
//! file is `linli.toml` in the working directory, or the path in
//! `LINLI_CONFIG`. Every failure names the setting it is about.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The cookie key: at least 64 bytes. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub const MIN_LEN: usize = 64;

    pub fn new(bytes: Vec<u8>) -> Result<Secret, String> {
        if bytes.len() < Self::MIN_LEN {
            return Err(format!(
                "must be at least {} bytes long (got {})",
                Self::MIN_LEN,
                bytes.len()
            ));
        }
        Ok(Secret(bytes))
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub bind: String,
    /// `sqlite://path` or `postgres://…`.
    pub database_url: DatabaseUrl,
    /// Cookie key; when `None` one is generated once and kept in the database.
    pub secret: Option<Secret>,
    /// Public address for absolute links (QR codes, feeds), without a trailing slash.
    pub base_url: String,
    /// HTTP worker threads; `None` means one per core.
    pub workers: Option<usize>,
    /// Largest number of database connections per instance.
    pub db_max_connections: u32,
    /// Load the demo content into an empty database at start.
    pub seed_on_start: bool,
    /// Failed sign-ins allowed per account and per address in one window.
    pub login_max_failures: u32,
    /// Length of the sign-in throttling window, in seconds.
    pub login_window_secs: u64,
    /// Registrations allowed per address per hour.
    pub registrations_per_hour: u32,
    /// Proxies whose `X-Forwarded-For` is believed; otherwise the socket
    /// peer is the client address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Sign-ups allowed per address per hour.
    pub signups_per_hour: u32,
    /// Workshop sign-ups per phone number per hour.
    pub signups_per_phone_per_hour: u32,
    /// Days after a sign-up when the villager's phone number is erased.
    pub signup_phone_days: u32,
    /// Unfulfilled claims a volunteer may hold at once.
    pub claim_limit: u32,
    /// Days after which an unfulfilled claim goes back to open.
    pub claim_lapse_days: u32,
    /// Days an open wish waits before it expires (from when it last opened).
    pub wish_expiry_days: u32,
    /// Days after a wish closes when the worker's phone is erased.
    pub wish_phone_days: u32,
    /// Wishes posted per address per hour: generous, since workers share
    /// a station's Wi-Fi or a carrier's network.
    pub wishes_per_hour: u32,
    /// Wishes posted per phone number per hour.
    pub wishes_per_phone_per_hour: u32,
    /// Wishes posted at one station per hour.
    pub wishes_per_station_per_hour: u32,
    /// Tracking-code look-ups per address per hour.
    pub track_lookups_per_hour: u32,
    /// Memory for rendered anonymous pages, in MiB; 0 turns the cache off.
    pub page_cache_mb: u32,
    /// How often an instance asks the database whether public content
    /// changed, in milliseconds (its own writes count at once); 0 asks on
    /// every cached request.
    pub cache_recheck_ms: u64,
    /// How long a request waits for a database connection before the
    /// reader gets "service unavailable", in milliseconds.
    pub db_timeout_ms: u64,
    /// The largest the SQLite file may grow, in MiB (`None`: the disk is the limit).
    pub sqlite_max_mb: Option<u32>,
    /// How long a client has to send a request's head (line and headers),
    /// in milliseconds; a slower one gets 408 and the connection closes.
    pub head_timeout_ms: u64,
    /// How long a client has to send a request's body, in milliseconds.
    pub body_timeout_ms: u64,
    /// How long an idle kept-alive connection stays open, in seconds.
    pub keep_alive_secs: u64,
    /// Open connections each worker takes at once; more wait in the
    /// kernel's queue.
    pub max_connections: usize,
}

impl Settings {
    /// Cookies are marked Secure when the public address is https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// The database URL, which Debug prints without its password.
#[derive(Clone)]
pub struct DatabaseUrl(pub String);

impl DatabaseUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced, safe for logs and messages.
    pub fn redacted(&self) -> String {
        let s = &self.0;
        if let Some((scheme, rest)) = s.split_once("://")
            && let Some((userinfo, host)) = rest.split_once('@')
            && let Some((user, _password)) = userinfo.split_once(':')
        {
            return format!("{scheme}://{user}:***@{host}");
        }
        s.clone()
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

/// A setting that could not be read, named as the user would write it.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(setting: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError { setting: setting.into(), message: message.into() }
    }
}

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/linli.db";

/// What `linli.toml` may hold. Keys are the variable names without the
/// `LINLI_` prefix, in lower case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bind: Option<String>,
    database_url: Option<String>,
    secret: Option<String>,
    base_url: Option<String>,
    workers: Option<usize>,
    db_max_connections: Option<u32>,
    seed_on_start: Option<bool>,
    login_max_failures: Option<u32>,
    login_window_secs: Option<u64>,
    registrations_per_hour: Option<u32>,
    trusted_proxies: Option<Vec<String>>,
    signups_per_hour: Option<u32>,
    signups_per_phone_per_hour: Option<u32>,
    signup_phone_days: Option<u32>,
    claim_limit: Option<u32>,
    claim_lapse_days: Option<u32>,
    wish_expiry_days: Option<u32>,
    wish_phone_days: Option<u32>,
    wishes_per_hour: Option<u32>,
    wishes_per_phone_per_hour: Option<u32>,
    wishes_per_station_per_hour: Option<u32>,
    track_lookups_per_hour: Option<u32>,
    page_cache_mb: Option<u32>,
    cache_recheck_ms: Option<u64>,
    db_timeout_ms: Option<u64>,
    sqlite_max_mb: Option<u32>,
    head_timeout_ms: Option<u64>,
    body_timeout_ms: Option<u64>,
    keep_alive_secs: Option<u64>,
    max_connections: Option<usize>,
}

impl Settings {
    /// Reads the process environment and the optional file.
    pub fn load() -> Result<Settings, ConfigError> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let path = env("LINLI_CONFIG").map(PathBuf::from);
        Settings::from_sources(&env, path.as_deref())
    }

    /// Builds settings from a lookup function (the environment in
    /// production, a map in tests) and an optional file path.
    pub fn from_sources(
        env: &dyn Fn(&str) -> Option<String>,
        file: Option<&Path>,
    ) -> Result<Settings, ConfigError> {
        let file = read_file(file)?;

        let bind = env("LINLI_BIND").or(file.bind).unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let port_ok = bind.rsplit_once(':').and_then(|(_, p)| p.parse::<u16>().ok()).is_some();
        if !port_ok {
            return Err(ConfigError::new(
                "LINLI_BIND",
                format!("'{bind}' is not an address with a port, e.g. 127.0.0.1:8080"),
            ));
        }

        let database_url = env("DATABASE_URL")
            .or(file.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());

        let secret = match env("LINLI_SECRET").or(file.secret) {
            None => None,
            Some(s) => {
                Some(Secret::new(s.into_bytes()).map_err(|m| ConfigError::new("LINLI_SECRET", m))?)
            }
        };

        let base_url = match env("LINLI_BASE_URL").or(file.base_url) {
            Some(url) => {
                let url = url.trim_end_matches('/').to_owned();
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(ConfigError::new(
                        "LINLI_BASE_URL",
                        format!("'{url}' must start with http:// or https://"),
                    ));
                }
                url
            }
            None => base_url_from_bind(&bind),
        };

        let workers = optional(env, "LINLI_WORKERS", Least::One, file.workers)?;
        let db_max_connections =
            number(env, "LINLI_DB_MAX_CONNECTIONS", Least::One, file.db_max_connections, 10)?;
        let seed_on_start = match env("LINLI_SEED_ON_START") {
            Some(v) => parse_bool("LINLI_SEED_ON_START", &v)?,
            None => file.seed_on_start.unwrap_or(true),
        };

        let login_max_failures =
            number(env, "LINLI_LOGIN_MAX_FAILURES", Least::One, file.login_max_failures, 10)?;
        let login_window_secs =
            number(env, "LINLI_LOGIN_WINDOW_SECS", Least::One, file.login_window_secs, 15 * 60)?;
        let registrations_per_hour = number(
            env,
            "LINLI_REGISTRATIONS_PER_HOUR",
            Least::One,
            file.registrations_per_hour,
            5,
        )?;
        let proxies: Vec<String> = match env("LINLI_TRUSTED_PROXIES") {
            Some(v) => {
                v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
            }
            None => file.trusted_proxies.unwrap_or_default(),
        };
        let trusted_proxies = proxies
            .iter()
            .map(|p| {
                p.parse().map_err(|_| {
                    ConfigError::new("LINLI_TRUSTED_PROXIES", format!("'{p}' is not an IP address"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;

        let signups_per_hour =
            number(env, "LINLI_SIGNUPS_PER_HOUR", Least::One, file.signups_per_hour, 30)?;
        let signups_per_phone_per_hour = number(
            env,
            "LINLI_SIGNUPS_PER_PHONE_PER_HOUR",
            Least::One,
            file.signups_per_phone_per_hour,
            5,
        )?;
        let signup_phone_days =
            number(env, "LINLI_SIGNUP_PHONE_DAYS", Least::One, file.signup_phone_days, 180)?;

        let claim_limit = number(env, "LINLI_CLAIM_LIMIT", Least::One, file.claim_limit, 3)?;
        let claim_lapse_days =
            number(env, "LINLI_CLAIM_LAPSE_DAYS", Least::One, file.claim_lapse_days, 7)?;
        let wish_expiry_days =
            number(env, "LINLI_WISH_EXPIRY_DAYS", Least::One, file.wish_expiry_days, 60)?;
        let wish_phone_days =
            number(env, "LINLI_WISH_PHONE_DAYS", Least::One, file.wish_phone_days, 30)?;
        let wishes_per_hour =
            number(env, "LINLI_WISHES_PER_HOUR", Least::One, file.wishes_per_hour, 30)?;
        let wishes_per_phone_per_hour = number(
            env,
            "LINLI_WISHES_PER_PHONE_PER_HOUR",
            Least::One,
            file.wishes_per_phone_per_hour,
            3,
        )?;
        let wishes_per_station_per_hour = number(
            env,
            "LINLI_WISHES_PER_STATION_PER_HOUR",
            Least::One,
            file.wishes_per_station_per_hour,
            60,
        )?;
        let track_lookups_per_hour = number(
            env,
            "LINLI_TRACK_LOOKUPS_PER_HOUR",
            Least::One,
            file.track_lookups_per_hour,
            120,
        )?;
        let page_cache_mb =
            number(env, "LINLI_PAGE_CACHE_MB", Least::Zero, file.page_cache_mb, 16)?;
        let cache_recheck_ms =
            number(env, "LINLI_CACHE_RECHECK_MS", Least::Zero, file.cache_recheck_ms, 1000)?;
        let db_timeout_ms =
            number(env, "LINLI_DB_TIMEOUT_MS", Least::One, file.db_timeout_ms, 1500)?;
        let sqlite_max_mb = optional(env, "LINLI_SQLITE_MAX_MB", Least::One, file.sqlite_max_mb)?;
        let head_timeout_ms =
            number(env, "LINLI_HEAD_TIMEOUT_MS", Least::One, file.head_timeout_ms, 5_000)?;
        let body_timeout_ms =
            number(env, "LINLI_BODY_TIMEOUT_MS", Least::One, file.body_timeout_ms, 10_000)?;
        let keep_alive_secs =
            number(env, "LINLI_KEEP_ALIVE_SECS", Least::Zero, file.keep_alive_secs, 5)?;
        let max_connections =
            number(env, "LINLI_MAX_CONNECTIONS", Least::One, file.max_connections, 10_000)?;

        Ok(Settings {
            bind,
            database_url: DatabaseUrl(database_url),
            secret,
            base_url,
            workers,
            db_max_connections,
            seed_on_start,
            login_max_failures,
            login_window_secs,
            registrations_per_hour,
            trusted_proxies,
            signups_per_hour,
            signups_per_phone_per_hour,
            signup_phone_days,
            claim_limit,
            claim_lapse_days,
            wish_expiry_days,
            wish_phone_days,
            wishes_per_hour,
            wishes_per_phone_per_hour,
            wishes_per_station_per_hour,
            track_lookups_per_hour,
            page_cache_mb,
            cache_recheck_ms,
            db_timeout_ms,
            sqlite_max_mb,
            head_timeout_ms,
            body_timeout_ms,
            keep_alive_secs,
            max_connections,
        })
    }
}

fn read_file(path: Option<&Path>) -> Result<FileSettings, ConfigError> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from("linli.toml"), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok(FileSettings::default());
        }
        Err(e) => {
            return Err(ConfigError::new(
                "LINLI_CONFIG",
                format!("cannot read {}: {e}", path.display()),
            ));
        }
    };
    toml::from_str(&text).map_err(|e| {
        ConfigError::new("LINLI_CONFIG", format!("{}: {}", path.display(), e.message()))
    })
}

/// How small a number setting may be.
#[derive(Debug, Clone, Copy)]
enum Least {
    One,
    Zero,
}

/// A number setting that may be unset: the environment's `name`, else the
/// file's. A value too large for its type is refused like any bad one.
fn optional<T: TryFrom<usize>>(
    env: &dyn Fn(&str) -> Option<String>,
    name: &str,
    least: Least,
    from_file: Option<T>,
) -> Result<Option<T>, ConfigError> {
    let Some(v) = env(name) else { return Ok(from_file) };
    let n = match least {
        Least::One => parse_positive(name, &v)?,
        Least::Zero => parse_whole(name, &v)?,
    };
    T::try_from(n).map(Some).map_err(|_| ConfigError::new(name, format!("'{v}' is too large")))
}

/// A number setting: the environment's `name`, else the file's, else
/// `default`.
fn number<T: TryFrom<usize>>(
    env: &dyn Fn(&str) -> Option<String>,
    name: &str,
    least: Least,
    from_file: Option<T>,
    default: T,
) -> Result<T, ConfigError> {
    Ok(optional(env, name, least, from_file)?.unwrap_or(default))
}

fn parse_positive(setting: &str, value: &str) -> Result<usize, ConfigError> {
    match value.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(ConfigError::new(setting, format!("'{value}' is not a whole number above 0"))),
    }
}

fn parse_whole(setting: &str, value: &str) -> Result<usize, ConfigError> {
    value.trim().parse::<usize>().map_err(|_| {
        ConfigError::new(setting, format!("'{value}' is not a whole number (0 or more)"))
    })
}

fn parse_bool(setting: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::new(setting, format!("'{value}' is not true or false"))),
    }
}

/// `0.0.0.0:8080` is reachable as localhost from this machine; any other
/// host is used as written.
fn base_url_from_bind(bind: &str) -> String {
    let (host, port) = bind.rsplit_once(':').unwrap_or((bind, "80"));
    let host = match host {
        "0.0.0.0" | "[::]" | "" => "localhost",
        h => h,
    };
    format!("http://{host}:{port}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_sources(&|k| map.get(k).cloned(), None)
    }

    #[test]
    fn defaults() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.database_url.as_str(), "sqlite://data/linli.db");
        assert_eq!(s.base_url, "http://127.0.0.1:8080");
        assert!(s.secret.is_none());
        assert!(s.seed_on_start);
        assert_eq!(
            (s.login_max_failures, s.login_window_secs, s.registrations_per_hour),
            (10, 900, 5)
        );
        assert!(s.trusted_proxies.is_empty() && !s.secure_cookies());
    }

    #[test]
    fn trusted_proxies_are_addresses() {
        let s = settings(&[("LINLI_TRUSTED_PROXIES", "10.0.0.1, ::1")]).unwrap();
        assert_eq!(s.trusted_proxies.len(), 2);
        let e = settings(&[("LINLI_TRUSTED_PROXIES", "proxy.local")]).unwrap_err();
        assert_eq!(e.setting, "LINLI_TRUSTED_PROXIES");
    }

    #[test]
    fn base_url_follows_bind_unless_set() {
        let s = settings(&[("LINLI_BIND", "0.0.0.0:9000")]).unwrap();
        assert_eq!(s.base_url, "http://localhost:9000");
        let s = settings(&[("LINLI_BASE_URL", "https://linli.example.org/")]).unwrap();
        assert_eq!(s.base_url, "https://linli.example.org");
        assert!(s.secure_cookies(), "https: cookies are marked Secure");
        let e = settings(&[("LINLI_BASE_URL", "linli.example.org")]).unwrap_err();
        assert_eq!(e.setting, "LINLI_BASE_URL");
    }

    #[test]
    fn short_secret_is_refused_and_never_printed() {
        let e = settings(&[("LINLI_SECRET", "short")]).unwrap_err();
        assert_eq!(e.setting, "LINLI_SECRET");
        let long = "k".repeat(64);
        let s = settings(&[("LINLI_SECRET", &long)]).unwrap();
        assert!(!format!("{s:?}").contains(&long));
    }

    #[test]
    fn bad_values_name_their_setting() {
        assert_eq!(settings(&[("LINLI_BIND", "nowhere")]).unwrap_err().setting, "LINLI_BIND");
        assert_eq!(settings(&[("LINLI_WORKERS", "0")]).unwrap_err().setting, "LINLI_WORKERS");
        let e = settings(&[("LINLI_SEED_ON_START", "maybe")]).unwrap_err();
        assert_eq!(e.setting, "LINLI_SEED_ON_START");
        // Too large for its type is refused, not cut down to something else.
        let e = settings(&[("LINLI_CLAIM_LIMIT", "4294967296")]).unwrap_err();
        assert_eq!(e.setting, "LINLI_CLAIM_LIMIT");
        assert!(e.to_string().contains("too large"), "{e}");
        assert_eq!(settings(&[("LINLI_CLAIM_LIMIT", "4294967295")]).unwrap().claim_limit, u32::MAX);
        assert_eq!(settings(&[("LINLI_PAGE_CACHE_MB", "0")]).unwrap().page_cache_mb, 0);
        let e = settings(&[("LINLI_CLAIM_LIMIT", "0")]).unwrap_err();
        assert_eq!(e.setting, "LINLI_CLAIM_LIMIT");
    }

    #[test]
    fn database_password_is_redacted() {
        let url = DatabaseUrl("postgres://app:hunter2@db:5432/linli".into());
        assert_eq!(url.redacted(), "postgres://app:***@db:5432/linli");
        assert!(!format!("{url:?}").contains("hunter2"));
    }

    #[test]
    fn file_settings_are_read_and_env_wins() {
        let dir = std::env::temp_dir().join(format!("linli-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("linli.toml");
        std::fs::write(&path, "bind = \"127.0.0.1:7000\"\nworkers = 3\n").unwrap();
        let s = Settings::from_sources(&|_| None, Some(&path)).unwrap();
        assert_eq!(s.bind, "127.0.0.1:7000");
        assert_eq!(s.workers, Some(3));
        let env = |k: &str| (k == "LINLI_BIND").then(|| "127.0.0.1:7001".to_owned());
        let s = Settings::from_sources(&env, Some(&path)).unwrap();
        assert_eq!(s.bind, "127.0.0.1:7001");
        std::fs::write(&path, "colour = \"blue\"\n").unwrap();
        let e = Settings::from_sources(&|_| None, Some(&path)).unwrap_err();
        assert_eq!(e.setting, "LINLI_CONFIG");
        std::fs::remove_dir_all(&dir).ok();
    }
}
