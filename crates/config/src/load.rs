use std::path::Path;

use serde::Deserialize;

use crate::error::{ConfigError, Located};
use crate::model::Config;

/// Environment variables starting with this prefix override file values.
pub const ENV_PREFIX: &str = "HOTLINE_";

/// Reads a configuration file (or only defaults when `path` is `None`) and
/// applies the given environment variables on top.
pub fn load<I>(path: Option<&Path>, env: I) -> Result<Config, ConfigError>
where
    I: IntoIterator<Item = (String, String)>,
{
    let (name, text) = match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|source| ConfigError::Io { path: p.to_owned(), source })?;
            (p.display().to_string(), text)
        }
        None => ("<defaults>".to_owned(), String::new()),
    };
    load_str(&name, &text, env)
}

/// Like [`load`], from text already in memory; `name` is used in messages.
pub fn load_str<I>(name: &str, text: &str, env: I) -> Result<Config, ConfigError>
where
    I: IntoIterator<Item = (String, String)>,
{
    // First pass straight from the text, so that errors carry line and column.
    let config: Config = toml::from_str(text).map_err(|e| located(name, text, &e))?;
    let overrides: Vec<(String, Vec<String>, toml::Value)> = env
        .into_iter()
        .filter_map(|(var, value)| {
            let rest = var.strip_prefix(ENV_PREFIX)?;
            let path: Vec<String> = rest.split("__").map(|s| s.to_ascii_lowercase()).collect();
            (path.len() == 2 && path.iter().all(|p| !p.is_empty()))
                .then(|| (var.clone(), path, parse_env_value(&value)))
        })
        .collect();
    if overrides.is_empty() {
        return validate(config);
    }
    let mut table: toml::Table = toml::from_str(text).map_err(|e| located(name, text, &e))?;
    for (var, path, value) in overrides {
        let section = table
            .entry(path[0].clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let Some(section) = section.as_table_mut() else {
            return Err(ConfigError::Env { var, message: format!("`{}` is not a section", path[0]) });
        };
        section.insert(path[1].clone(), value);
        // Check each override on its own so the message names the variable.
        Config::deserialize(toml::Value::Table(table.clone()))
            .map_err(|e| ConfigError::Env { var, message: e.message().to_owned() })?;
    }
    let config = Config::deserialize(toml::Value::Table(table))
        .map_err(|e| ConfigError::Env { var: "HOTLINE_*".into(), message: e.message().to_owned() })?;
    validate(config)
}

fn parse_env_value(raw: &str) -> toml::Value {
    // `key = <raw>` parses for numbers, booleans and arrays; anything else is a string.
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .filter(|v| !v.is_table())
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()))
}

fn located(name: &str, text: &str, e: &toml::de::Error) -> ConfigError {
    let offset = e.span().map_or(0, |s| s.start);
    ConfigError::File(Located::at(name, text, offset, e.message().trim().to_owned()))
}

fn validate(config: Config) -> Result<Config, ConfigError> {
    let url = &config.database.url;
    if !(url.is_empty() || url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(ConfigError::Invalid {
            field: "database.url",
            message: "must start with `sqlite:`, `postgres://` or `postgresql://`".into(),
        });
    }
    if config.auth.session_ttl_hours == 0 {
        return Err(ConfigError::Invalid { field: "auth.session_ttl_hours", message: "must be at least 1".into() });
    }
    if config.routing.tenant.is_empty() {
        return Err(ConfigError::Invalid { field: "routing.tenant", message: "must not be empty".into() });
    }
    if config.routing.utc_offset_minutes.abs() > 14 * 60 {
        return Err(ConfigError::Invalid {
            field: "routing.utc_offset_minutes",
            message: "must be between -840 and 840".into(),
        });
    }
    validate_telephony(&config)?;
    Ok(config)
}

fn validate_calling(c: &crate::telephony::CallingConfig) -> Result<(), ConfigError> {
    use crate::telephony::CALLING_CLASSES;
    if !CALLING_CLASSES.contains(&c.default_class.as_str()) {
        return Err(ConfigError::Invalid {
            field: "calling.default_class",
            message: format!("must be one of {}, not `{}`", CALLING_CLASSES.join(", "), c.default_class),
        });
    }
    for (i, r) in c.rules.iter().enumerate() {
        let bad = |message: String| ConfigError::Invalid { field: "calling.rules", message: format!("entry {i}: {message}") };
        if r.extensions.is_empty() || r.extensions.iter().any(|e| e.is_empty()) {
            return Err(bad("`extensions` must name at least one extension (a trailing * matches a prefix)".into()));
        }
        if !r.class.is_empty() && !CALLING_CLASSES.contains(&r.class.as_str()) {
            return Err(bad(format!("`class` must be one of {}, not `{}`", CALLING_CLASSES.join(", "), r.class)));
        }
        let digits = |p: &String| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit() || b == b'+');
        if let Some(p) = r.allow_prefixes.iter().chain(&r.block_prefixes).find(|p| !digits(p)) {
            return Err(bad(format!("prefix `{p}` must be digits")));
        }
    }
    Ok(())
}

fn validate_telephony(config: &Config) -> Result<(), ConfigError> {
    if config.server.tls_cert.as_os_str().is_empty() != config.server.tls_key.as_os_str().is_empty() {
        return Err(ConfigError::Invalid { field: "server.tls_cert", message: "tls_cert and tls_key go together".into() });
    }
    if let Some(net) = config.server.trusted_proxies.iter().find(|n| crate::telephony::cidr_contains(n, std::net::IpAddr::from([0, 0, 0, 0])).is_none()) {
        return Err(ConfigError::Invalid { field: "server.trusted_proxies", message: format!("`{net}` is not an address or a CIDR block") });
    }
    let sip = &config.sip;
    if sip.realm.is_empty() {
        return Err(ConfigError::Invalid { field: "sip.realm", message: "must not be empty".into() });
    }
    if !(sip.min_expires_secs <= sip.default_expires_secs && sip.default_expires_secs <= sip.max_expires_secs) {
        return Err(ConfigError::Invalid {
            field: "sip.default_expires_secs",
            message: "must be between sip.min_expires_secs and sip.max_expires_secs".into(),
        });
    }
    if !sip.public_ip.is_empty() && sip.public_ip.parse::<std::net::IpAddr>().is_err() {
        return Err(ConfigError::Invalid { field: "sip.public_ip", message: "must be an IPv4 or IPv6 address".into() });
    }
    if let Some(net) = sip.trusted_sources.iter().find(|n| crate::telephony::cidr_contains(n, std::net::IpAddr::from([0, 0, 0, 0])).is_none()) {
        return Err(ConfigError::Invalid { field: "sip.trusted_sources", message: format!("`{net}` is not an address or a CIDR block") });
    }
    if !sip.tls_listen.is_empty() && sip.tls_listen.parse::<std::net::SocketAddr>().is_err() {
        return Err(ConfigError::Invalid { field: "sip.tls_listen", message: "must be ip:port".into() });
    }
    if sip.tls_cert.as_os_str().is_empty() != sip.tls_key.as_os_str().is_empty() {
        return Err(ConfigError::Invalid { field: "sip.tls_cert", message: "tls_cert and tls_key go together".into() });
    }
    if sip.max_header_lines < 16 {
        return Err(ConfigError::Invalid { field: "sip.max_header_lines", message: "must be at least 16".into() });
    }
    validate_calling(&config.calling)?;
    let srtp_mode = |field: &'static str, v: &str| {
        if crate::telephony::SRTP_MODES.contains(&v) {
            Ok(())
        } else {
            Err(ConfigError::Invalid { field, message: format!("must be off, optional or required, not `{v}`") })
        }
    };
    srtp_mode("media.srtp", &config.media.srtp)?;
    for r in &config.media.srtp_rules {
        srtp_mode("media.srtp_rules", &r.srtp)?;
        if r.extensions.is_empty() {
            return Err(ConfigError::Invalid { field: "media.srtp_rules", message: "`extensions` must name at least one extension".into() });
        }
    }
    for t in &config.trunks {
        srtp_mode("trunks", &t.srtp)?;
    }
    let m = &config.media;
    if !m.rtp_port_min.is_multiple_of(2) || m.rtp_port_min < 1024 || m.rtp_port_max <= m.rtp_port_min {
        return Err(ConfigError::Invalid {
            field: "media.rtp_port_min",
            message: "must be even, at least 1024 and below media.rtp_port_max".into(),
        });
    }
    let mut names = std::collections::BTreeSet::new();
    for (i, l) in config.lookups.iter().enumerate() {
        let bad = |message: String| ConfigError::Invalid { field: "lookups", message: format!("entry {i} (`{}`): {message}", l.name) };
        if l.name.is_empty() || !names.insert(&l.name) {
            return Err(bad("`name` is required and must be unique".into()));
        }
        if !l.url.starts_with("http://") {
            return Err(bad("`url` must start with http://".into()));
        }
        if l.timeout_ms == 0 || l.timeout_ms > 30_000 {
            return Err(bad("`timeout_ms` must be 1 to 30000".into()));
        }
    }
    let mut trunks = std::collections::BTreeSet::new();
    for (i, t) in config.trunks.iter().enumerate() {
        let bad = |message: String| ConfigError::Invalid { field: "trunks", message: format!("entry {i} (`{}`): {message}", t.name) };
        if t.name.is_empty() || !trunks.insert(&t.name) {
            return Err(bad("`name` is required and must be unique".into()));
        }
        if t.gateway_addr().is_none() {
            return Err(bad(format!("`gateway` must be ip:port, not `{}`", t.gateway)));
        }
        if t.transport != "udp" && t.transport != "tcp" {
            return Err(bad(format!("`transport` must be udp or tcp, not `{}`", t.transport)));
        }
        if let Some(net) = t.inbound_from.iter().find(|n| crate::telephony::cidr_contains(n, std::net::IpAddr::from([0, 0, 0, 0])).is_none()) {
            return Err(bad(format!("`inbound_from` entry `{net}` is not an address or a CIDR block")));
        }
        if t.register && (t.username.is_empty() || t.register_expires_secs < 60) {
            return Err(bad("`register` needs a `username` and `register_expires_secs` of at least 60".into()));
        }
    }
    let mut numbers = std::collections::BTreeSet::new();
    for (i, menu) in config.menus.iter().enumerate() {
        let bad = |message: String| ConfigError::Invalid { field: "menus", message: format!("entry {i} (number `{}`): {message}", menu.number) };
        if menu.number.is_empty() || !menu.number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("`number` must be digits".into()));
        }
        if !numbers.insert(&menu.number) {
            return Err(bad(format!("number {} is used by another menu", menu.number)));
        }
        if menu.default_queue.is_empty() {
            return Err(bad("`default_queue` is required".into()));
        }
        if let Some(key) = menu.choices.keys().find(|k| !matches!(k.as_bytes(), [b'0'..=b'9' | b'*' | b'#'])) {
            return Err(bad(format!("choice `{key}` must be one key: 0-9, * or #")));
        }
    }
    Ok(())
}
