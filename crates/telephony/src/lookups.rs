//! IVR lookups over HTTP: a `lookup` node names a configured backend and
//! passes parameters; the backend is asked with a GET (parameters fill the
//! URL's `{name}` placeholders, URL-encoded) and answers a JSON object whose
//! fields, flattened (`a.b`, `list.0`), become the flow's variables. Any
//! failure — unknown backend, timeout, HTTP error, a body that is not a JSON
//! object — is an error, and the flow takes its `on_error` branch.
//!
//! One backend is built in: `customer` finds the caller in Hotline's own
//! customer records by `phone` and answers `found`, `id`, `tier` and `tags`
//! (`tags.0`, ...) — no name or number, which the IVR has no use for. Flows
//! use it to treat VIPs or blacklisted callers differently.

use std::collections::BTreeMap;
use std::time::Duration;

use hotline_config::LookupConfig;
use serde_json::Value;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LookupError {
    #[error("no lookup backend called `{0}`")]
    UnknownBackend(String),
    #[error("`{0}` did not answer in time")]
    Timeout(String),
    #[error("`{backend}` answered HTTP {status}")]
    Status { backend: String, status: u16 },
    #[error("`{backend}` failed: {message}")]
    Failed { backend: String, message: String },
    #[error("`{0}` did not answer a JSON object")]
    BadBody(String),
}

/// The name of the built-in customer backend.
pub const CUSTOMER: &str = "customer";

/// The configured backends. Cheap to clone.
#[derive(Clone)]
pub struct Lookups {
    backends: Vec<LookupConfig>,
    client: reqwest::Client,
    customers: Option<hotline_store::TenantStore>,
}

impl Lookups {
    pub fn new(backends: Vec<LookupConfig>) -> Lookups {
        Lookups { backends, client: reqwest::Client::new(), customers: None }
    }

    /// Serves the built-in `customer` backend from `store` (unless a
    /// configured backend has that name).
    pub fn with_customers(mut self, store: hotline_store::TenantStore) -> Lookups {
        self.customers = Some(store);
        self
    }

    pub async fn call(&self, backend: &str, params: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, LookupError> {
        let configured = self.backends.iter().any(|b| b.name == backend);
        if let (CUSTOMER, false, Some(store)) = (backend, configured, &self.customers) {
            return customer(store, params).await;
        }
        let cfg = self.backends.iter().find(|b| b.name == backend).ok_or_else(|| LookupError::UnknownBackend(backend.into()))?;
        let url = fill(&cfg.url, params);
        let mut req = self.client.get(&url).timeout(Duration::from_millis(u64::from(cfg.timeout_ms)));
        for (k, v) in &cfg.headers {
            req = req.header(k, v);
        }
        let name = cfg.name.clone();
        let resp = req.send().await.map_err(|e| classify(&name, e))?;
        if !resp.status().is_success() {
            return Err(LookupError::Status { backend: name, status: resp.status().as_u16() });
        }
        let body: Value = resp.json().await.map_err(|e| match classify(&name, e) {
            LookupError::Timeout(n) => LookupError::Timeout(n),
            _ => LookupError::BadBody(name.clone()),
        })?;
        if !body.is_object() {
            return Err(LookupError::BadBody(name));
        }
        let mut out = BTreeMap::new();
        flatten("", &body, &mut out);
        Ok(out)
    }
}

async fn customer(store: &hotline_store::TenantStore, params: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, LookupError> {
    let phone = params.get("phone").map(|p| hotline_store::normalize_phone(p)).unwrap_or_default();
    let found = match phone.is_empty() {
        true => None,
        false => store
            .customer_by_phone(&phone)
            .await
            .map_err(|e| LookupError::Failed { backend: CUSTOMER.into(), message: e.to_string() })?,
    };
    let mut out = BTreeMap::from([("found".to_string(), found.is_some().to_string())]);
    if let Some(c) = found {
        out.insert("id".into(), c.id);
        out.insert("tier".into(), c.tier.to_string());
        for (i, tag) in c.tags.into_iter().enumerate() {
            out.insert(format!("tags.{i}"), tag);
        }
    }
    Ok(out)
}

fn classify(backend: &str, e: reqwest::Error) -> LookupError {
    if e.is_timeout() {
        LookupError::Timeout(backend.into())
    } else {
        // The URL may carry parameters (a caller's number): say what failed, not where.
        LookupError::Failed { backend: backend.into(), message: e.without_url().to_string() }
    }
}

/// Replaces `{name}` with the URL-encoded parameter (empty when missing).
fn fill(template: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        match rest[i..].find('}') {
            Some(j) => {
                let value = params.get(&rest[i + 1..i + j]).map_or("", String::as_str);
                out.push_str(&encode(value));
                rest = &rest[i + j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    let key = |k: &str| if prefix.is_empty() { k.to_owned() } else { format!("{prefix}.{k}") };
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                flatten(&key(k), v, out);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                flatten(&key(&i.to_string()), v, out);
            }
        }
        Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        Value::Null => {
            out.insert(prefix.to_owned(), String::new());
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_encoded_and_bodies_flattened() {
        let p = BTreeMap::from([("order".to_string(), "12 34/5".to_string()), ("phone".to_string(), "+86138".to_string())]);
        assert_eq!(fill("http://h/o/{order}?p={phone}&x={nope}", &p), "http://h/o/12%2034%2F5?p=%2B86138&x=");
        let mut out = BTreeMap::new();
        flatten("", &serde_json::json!({"status": "shipped", "n": 2, "eta": {"day": "2026-11-25"}, "items": ["a", null]}), &mut out);
        let got: Vec<String> = out.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(got, ["eta.day=2026-11-25", "items.0=a", "items.1=", "n=2", "status=shipped"]);
    }
}
