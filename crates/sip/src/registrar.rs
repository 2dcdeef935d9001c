//! The registrar, sans-IO (RFC 3261 §10.3): bindings of an extension to the
//! contacts of its phones, with expiry, several phones per extension and
//! unregistration; digest authentication of every REGISTER; and a limit on
//! failed authentications per source address. Time is given by the caller.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};

use crate::auth::{Algorithm, Credentials, Digest, Verdict};
use crate::message::Message;

/// One registered contact of an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub uri: String,
    pub expires_at_ms: u64,
    /// Where the REGISTER came from (used to reach phones behind NAT).
    pub source: SocketAddr,
}

#[derive(Debug, Clone)]
pub struct RegistrarConfig {
    pub min_expires: u32,
    pub max_expires: u32,
    pub default_expires: u32,
    pub max_failures: u32,
    pub failure_window_ms: u64,
}

impl Default for RegistrarConfig {
    fn default() -> Self {
        RegistrarConfig { min_expires: 60, max_expires: 3600, default_expires: 600, max_failures: 10, failure_window_ms: 300_000 }
    }
}

/// What handling a REGISTER produced.
#[derive(Debug)]
pub struct Registered {
    pub response: Message,
    /// `(extension, has contacts now)` when its registration state changed.
    pub changed: Option<(String, bool)>,
}

pub struct Registrar {
    cfg: RegistrarConfig,
    digest: Digest,
    bindings: HashMap<String, Vec<Binding>>,
    failures: HashMap<IpAddr, VecDeque<u64>>,
}

impl Registrar {
    pub fn new(cfg: RegistrarConfig, digest: Digest) -> Registrar {
        Registrar { cfg, digest, bindings: HashMap::new(), failures: HashMap::new() }
    }

    /// The live contacts of `extension`.
    pub fn contacts(&self, extension: &str, now_ms: u64) -> Vec<&Binding> {
        self.bindings.get(extension).into_iter().flatten().filter(|b| b.expires_at_ms > now_ms).collect()
    }

    /// Drops expired bindings; returns the extensions left with none.
    pub fn expire(&mut self, now_ms: u64) -> Vec<String> {
        let mut gone = Vec::new();
        self.bindings.retain(|ext, list| {
            list.retain(|b| b.expires_at_ms > now_ms);
            if list.is_empty() {
                gone.push(ext.clone());
            }
            !list.is_empty()
        });
        gone.sort();
        gone
    }

    fn blocked(&mut self, ip: IpAddr, now_ms: u64) -> bool {
        let window = self.cfg.failure_window_ms;
        let Some(q) = self.failures.get_mut(&ip) else { return false };
        while q.front().is_some_and(|t| now_ms.saturating_sub(*t) >= window) {
            q.pop_front();
        }
        q.len() as u32 >= self.cfg.max_failures
    }

    fn fail(&mut self, ip: IpAddr, now_ms: u64) {
        self.failures.entry(ip).or_default().push_back(now_ms);
    }

    /// Handles one REGISTER from `source`; `ha1` gives an extension's stored
    /// HA1 for an algorithm (`None`: no such extension).
    pub fn register(&mut self, req: &Message, source: SocketAddr, now_ms: u64, ha1: impl Fn(&str, Algorithm) -> Option<String>) -> Registered {
        let none = |response| Registered { response, changed: None };
        if self.blocked(source.ip(), now_ms) {
            return none(req.response(403, "Too Many Failed Attempts", Some("reg")));
        }
        let Some(ext) = req.to().and_then(|t| t.user().map(str::to_owned)) else {
            return none(req.response(400, "Invalid To", Some("reg")));
        };
        let Some(auth) = req.header("Authorization") else { return none(self.challenge(req, now_ms, false)) };
        let Some(cred) = Credentials::parse(auth) else {
            return none(req.response(400, "Malformed Authorization", Some("reg")));
        };
        let verdict = match (cred.username == ext, ha1(&cred.username, cred.algorithm)) {
            (true, Some(h)) => self.digest.verify(&cred, "REGISTER", &h, now_ms),
            _ => Verdict::WrongPassword,
        };
        match verdict {
            Verdict::Ok => {}
            Verdict::Stale | Verdict::BadNonce => return none(self.challenge(req, now_ms, verdict == Verdict::Stale)),
            Verdict::WrongPassword | Verdict::WrongRealm => {
                self.fail(source.ip(), now_ms);
                return none(req.response(403, "Forbidden", Some("reg")));
            }
        }
        self.update(req, &ext, source, now_ms)
    }

    fn challenge(&self, req: &Message, now_ms: u64, stale: bool) -> Message {
        let mut r = req.response(401, "Unauthorized", Some("reg"));
        for c in self.digest.challenges(now_ms, stale) {
            r.headers.push(("WWW-Authenticate".into(), c));
        }
        r
    }

    fn update(&mut self, req: &Message, ext: &str, source: SocketAddr, now_ms: u64) -> Registered {
        let had = !self.contacts(ext, now_ms).is_empty();
        let header_expires = req.header("Expires").and_then(|e| e.trim().parse::<u32>().ok());
        let contacts = req.contacts();
        if contacts.iter().any(Option::is_none) {
            // `Contact: *` removes everything, and only with Expires: 0, alone.
            if contacts.len() != 1 || header_expires != Some(0) {
                return Registered { response: req.response(400, "Invalid Contact", Some("reg")), changed: None };
            }
            self.bindings.remove(ext);
        }
        let wanted: Vec<(String, u32)> = contacts
            .iter()
            .flatten()
            .map(|c| {
                let asked = c.param("expires").and_then(|e| e.parse::<u32>().ok()).or(header_expires);
                (c.uri.clone(), asked.unwrap_or(self.cfg.default_expires))
            })
            .collect();
        // The request succeeds or fails as a whole (RFC 3261 §10.3 step 6).
        if wanted.iter().any(|(_, e)| *e != 0 && *e < self.cfg.min_expires) {
            let mut r = req.response(423, "Interval Too Brief", Some("reg"));
            r.headers.push(("Min-Expires".into(), self.cfg.min_expires.to_string()));
            return Registered { response: r, changed: None };
        }
        for (uri, asked) in wanted {
            let list = self.bindings.entry(ext.to_owned()).or_default();
            list.retain(|b| b.uri != uri);
            if asked > 0 {
                let secs = asked.min(self.cfg.max_expires);
                list.push(Binding { uri, expires_at_ms: now_ms + u64::from(secs) * 1000, source });
            }
        }
        if self.bindings.get(ext).is_some_and(Vec::is_empty) {
            self.bindings.remove(ext);
        }
        let mut r = req.response(200, "OK", Some("reg"));
        for b in self.contacts(ext, now_ms) {
            let left = b.expires_at_ms.saturating_sub(now_ms).div_ceil(1000);
            r.headers.push(("Contact".into(), format!("<{}>;expires={left}", b.uri)));
        }
        let has = !self.contacts(ext, now_ms).is_empty();
        Registered { response: r, changed: (had != has).then(|| (ext.to_owned(), has)) }
    }
}
