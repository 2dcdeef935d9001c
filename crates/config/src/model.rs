use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

pub use crate::telephony::*;

/// The whole configuration. Every section and field has a default, so an
/// empty file is a valid configuration.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub data: DataConfig,
    pub database: DatabaseConfig,
    pub log: LogConfig,
    pub auth: AuthConfig,
    pub routing: RoutingConfig,
    pub sip: SipConfig,
    pub media: MediaConfig,
    pub recording: RecordingConfig,
    /// Greeting menus by number; none by default (`--demo` adds `1000`).
    pub menus: Vec<MenuConfig>,
    /// Backends IVR flows may ask; none by default (`--demo` adds `orders`).
    pub lookups: Vec<LookupConfig>,
    /// Carriers and PBXs calls come from and go to; none by default.
    pub trunks: Vec<TrunkConfig>,
    /// What agents' phones may dial outside.
    pub calling: CallingConfig,
}

/// `[server]`: the HTTP listener.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address of the web UI, REST API, WebSocket stream and metrics.
    /// Default `127.0.0.1:8080`.
    pub http_listen: SocketAddr,
    /// Largest accepted request body, in bytes. Default 1 MiB.
    pub max_body_bytes: usize,
    /// Web origins (e.g. `https://shop.example`) besides this server's own
    /// whose pages may place calls through the public "call us" API.
    /// Default none.
    pub call_page_origins: Vec<String>,
    /// Reverse proxies (addresses or CIDR blocks) in front of the server:
    /// only from them is `X-Forwarded-For` believed for the client's
    /// address (limits, audit). Default none.
    pub trusted_proxies: Vec<String>,
    /// Serve HTTPS with this certificate chain (PEM) and `tls_key`; the
    /// session cookie is then `Secure`. Default: empty, plain HTTP (behind
    /// a TLS-terminating proxy, list it in `trusted_proxies`).
    pub tls_cert: PathBuf,
    /// The certificate's private key (PEM). Never logged.
    pub tls_key: PathBuf,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig { http_listen: SocketAddr::from(([127, 0, 0, 1], 8080)), max_body_bytes: 1 << 20, call_page_origins: Vec::new(), trusted_proxies: Vec::new(), tls_cert: PathBuf::new(), tls_key: PathBuf::new() }
    }
}

/// `[data]`: where Hotline keeps its files.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DataConfig {
    /// Folder for the embedded database and recordings. Default `./data`.
    pub dir: PathBuf,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig { dir: PathBuf::from("./data") }
    }
}

/// `[database]`: the system of record.
#[derive(Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `postgres://user:password@host/db` or `sqlite:///path/file.db`.
    /// Default: empty, meaning an SQLite file `hotline.db` inside `[data] dir`.
    pub url: String,
}

/// The URL may carry a password: it never reaches a log.
impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig").field("url", &redact_url(&self.url)).finish()
    }
}

/// Replaces the password of a URL with `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            let sep = if rest.contains('/') { "/" } else { "" };
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{sep}{path}")
            } else {
                format!("{scheme}://{user}@{host}{sep}{path}")
            }
        }
        None => url.to_owned(),
    }
}

/// `[log]`: what the server writes to standard error.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// Default `info`.
    pub level: LogLevel,
    /// `text` for people, `json` for log collectors. Default `text`.
    pub format: LogFormat,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig { level: LogLevel::Info, format: LogFormat::Text }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// `[auth]`: sessions and login protection.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// How long a login stays valid, in hours. Default 12 (one shift).
    pub session_ttl_hours: u32,
    /// A session not used for this long ends (an open desktop's event
    /// stream counts as use). Default 60.
    pub session_idle_minutes: u32,
    /// Roles that must sign in with a second factor (TOTP); a user of such
    /// a role without one may only set it up. Default none.
    pub totp_required_roles: Vec<String>,
    /// Failed sign-ins on one user name, from any addresses, within the
    /// window before the user is closed to addresses it never signed in
    /// from (its own desks keep working; an admin can open it again).
    /// One address and user wait 1 s, doubling, after three failures.
    /// Default 5.
    pub max_failures_per_user: u32,
    /// Failed sign-ins from one address, for any users, within the window
    /// before the address is refused for the window. Default 20.
    pub max_failures_per_ip: u32,
    /// Length of the failed-login window, in seconds. Default 900.
    pub failure_window_secs: u32,
    /// Mark the session cookie `Secure` (set when serving over HTTPS). Default false.
    pub secure_cookie: bool,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            session_ttl_hours: 12,
            session_idle_minutes: 60,
            totp_required_roles: Vec::new(),
            max_failures_per_user: 5,
            max_failures_per_ip: 20,
            failure_window_secs: 900,
            secure_cookie: false,
        }
    }
}

/// `[routing]`: the ACD engine's driver.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingConfig {
    /// Tenant served by this node. Default `default`.
    pub tenant: String,
    /// Largest batch of queue-log rows written in one transaction. Default 500.
    pub persist_batch: usize,
    /// Time zone offset from UTC, in minutes, that decides when "today"
    /// starts for per-agent daily counters. Default 480 (China Standard Time).
    pub utc_offset_minutes: i32,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        RoutingConfig { tenant: "default".into(), persist_batch: 500, utc_offset_minutes: 480 }
    }
}

impl Config {
    /// The recordings folder in effect.
    pub fn recordings_dir(&self) -> PathBuf {
        if self.recording.dir.as_os_str().is_empty() {
            self.data.dir.join("recordings")
        } else {
            self.recording.dir.clone()
        }
    }

    /// The database URL in effect: the configured one, or the embedded SQLite file.
    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!("sqlite://{}", self.data.dir.join("hotline.db").display())
        } else {
            self.database.url.clone()
        }
    }
}
