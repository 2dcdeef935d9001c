//! Trunks: the carriers and PBXs Hotline exchanges calls with.
//!
//! A trunk with `register = true` keeps a registration at its gateway, as a
//! PBX does at its carrier so that calls to its numbers reach it: REGISTER,
//! answer the digest challenge (401 or 407) once per attempt, refresh at
//! half the granted lifetime, retry every 30 s after a failure. Calls from a
//! trunk's addresses are recognised (`trunk_of`) and logged with its name.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hotline_config::TrunkConfig;
use hotline_sip::auth::client::{authorization, Challenge};
use hotline_sip::{Method, Request, Response, Transport as SipTransport, TxKey};

use super::{random, Server};

/// Wait this long after a failed registration before trying again.
const RETRY: Duration = Duration::from_secs(30);

/// A trunk as configured (no password) and its registration now.
#[derive(Debug, Clone)]
pub struct TrunkView {
    pub name: String,
    pub gateway: String,
    pub transport: &'static str,
    pub register: bool,
    pub username: String,
    pub registered: bool,
    /// Why the last registration attempt failed, if it did.
    pub last_error: Option<String>,
    /// Calls at once allowed through it (0: no cap).
    pub max_concurrent: u32,
}

/// One trunk and its registration.
pub(super) struct Trunk {
    pub cfg: TrunkConfig,
    gateway: SocketAddr,
    transport: SipTransport,
    call_id: String,
    tag: String,
    cseq: u32,
    /// When to register (again); `None` for trunks that do not register.
    due: Option<Instant>,
    /// Challenges answered in the current attempt.
    answered: u32,
    pub registered: bool,
    /// Why the last attempt failed (cleared when one succeeds).
    last_error: Option<String>,
}

impl Trunk {
    pub fn new(cfg: TrunkConfig, local_ip: IpAddr) -> Option<Trunk> {
        let gateway = cfg.gateway_addr()?;
        let transport = if cfg.transport == "tcp" { SipTransport::Tcp } else { SipTransport::Udp };
        let due = cfg.register.then(Instant::now);
        Some(Trunk {
            gateway,
            transport,
            call_id: hotline_sip::ids::call_id(&random(), &local_ip.to_string()),
            tag: hotline_sip::ids::tag(&random()),
            cseq: 0,
            due,
            answered: 0,
            registered: false,
            last_error: None,
            cfg,
        })
    }

    /// What the admin sees of it.
    pub fn view(&self) -> TrunkView {
        TrunkView {
            name: self.cfg.name.clone(),
            gateway: self.gateway.to_string(),
            transport: if self.transport == SipTransport::Tcp { "tcp" } else { "udp" },
            register: self.cfg.register,
            username: self.cfg.username.clone(),
            registered: self.registered,
            last_error: self.last_error.clone(),
            max_concurrent: self.cfg.max_concurrent,
        }
    }

    pub fn gateway(&self) -> SocketAddr {
        self.gateway
    }

    pub fn transport(&self) -> SipTransport {
        self.transport
    }

    fn uri(&self) -> String {
        format!("sip:{}", self.gateway)
    }
}

impl Server {
    /// The trunk a call from `ip` comes over, if any.
    pub(super) fn trunk_of(&self, ip: IpAddr) -> Option<&str> {
        self.trunks.iter().find(|t| t.cfg.is_from(ip)).map(|t| t.cfg.name.as_str())
    }

    /// Registers every trunk whose registration is due.
    pub(super) fn register_trunks(&mut self) {
        let now = Instant::now();
        for i in 0..self.trunks.len() {
            if self.trunks[i].due.is_some_and(|d| d <= now) {
                self.trunks[i].due = None;
                self.trunks[i].answered = 0;
                self.send_register(i, None);
            }
        }
    }

    fn send_register(&mut self, i: usize, auth: Option<(&str, String)>) {
        let contact = self.contact(&self.trunks[i].cfg.username, self.trunks[i].transport);
        let via = self.via(self.trunks[i].transport);
        let t = &mut self.trunks[i];
        t.cseq += 1;
        let aor = format!("<sip:{}@{}>", t.cfg.username, t.gateway);
        let mut r = Request::new(Method::Register, t.uri());
        r.headers.push("Via", via.to_string());
        r.headers.push("Max-Forwards", "70");
        r.headers.push("From", format!("{aor};tag={}", t.tag));
        r.headers.push("To", aor);
        r.headers.push("Call-ID", t.call_id.clone());
        r.headers.push("CSeq", format!("{} REGISTER", t.cseq));
        r.headers.push("Contact", contact);
        r.headers.push("Expires", t.cfg.register_expires_secs.to_string());
        r.headers.push("User-Agent", "Hotline");
        if let Some((name, value)) = auth {
            r.headers.push(name, value);
        }
        r.headers.push("Content-Length", "0");
        let (gateway, transport) = (t.gateway, t.transport);
        match self.send_request(gateway, transport, r) {
            Some(key) => {
                self.trunk_registers.insert(key, i);
            }
            None => self.trunks[i].due = Some(Instant::now() + RETRY),
        }
    }

    /// A response to a trunk's REGISTER; `false` if `key` is not one.
    pub(super) fn trunk_response(&mut self, key: &TxKey, response: &Response) -> bool {
        if response.status < 200 {
            return self.trunk_registers.contains_key(key);
        }
        let Some(i) = self.trunk_registers.remove(key) else { return false };
        let t = &self.trunks[i];
        let name = t.cfg.name.clone();
        match response.status {
            200..=299 => {
                let granted = response
                    .headers
                    .contacts()
                    .iter()
                    .find_map(|c| c.params.get("expires").and_then(|e| e.parse::<u32>().ok()))
                    .or_else(|| response.headers.expires())
                    .unwrap_or(t.cfg.register_expires_secs);
                let refresh = Duration::from_secs(u64::from(granted / 2).max(30));
                let t = &mut self.trunks[i];
                if !t.registered {
                    tracing::info!(trunk = %name, gateway = %t.gateway, expires = granted, "trunk registered");
                }
                t.registered = true;
                t.last_error = None;
                t.due = Some(Instant::now() + refresh);
            }
            401 | 407 if t.answered < 2 => {
                let (challenges, header) = if response.status == 401 {
                    (response.headers.www_authenticate(), "Authorization")
                } else {
                    (response.headers.values("Proxy-Authenticate"), "Proxy-Authorization")
                };
                let Some(challenge) = Challenge::pick(challenges) else {
                    return self.trunk_failed(i, "challenge not understood");
                };
                let cnonce = hex::encode(&random()[..8]);
                let value = authorization(&challenge, &t.cfg.username, &t.cfg.password, "REGISTER", &t.uri(), &cnonce, 1);
                self.trunks[i].answered += 1;
                self.send_register(i, Some((header, value)));
            }
            status => return self.trunk_failed(i, &format!("{status} {}", response.reason)),
        }
        true
    }

    /// A trunk's REGISTER timed out or could not be sent; `false` if not one.
    pub(super) fn trunk_timeout(&mut self, key: &TxKey) -> bool {
        match self.trunk_registers.remove(key) {
            Some(i) => self.trunk_failed(i, "no answer"),
            None => false,
        }
    }

    fn trunk_failed(&mut self, i: usize, why: &str) -> bool {
        let t = &mut self.trunks[i];
        tracing::warn!(trunk = %t.cfg.name, gateway = %t.gateway, why, "trunk registration failed; retrying in 30 s");
        t.registered = false;
        t.last_error = Some(why.to_owned());
        t.due = Some(Instant::now() + RETRY);
        true
    }
}
