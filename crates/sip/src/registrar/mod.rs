//! The registrar, sans-IO (RFC 3261 §10.3): bindings of an address of
//! record (an extension: the user part of the To URI) to the contacts of
//! its phones, with expiry and several phones per extension; every
//! REGISTER digest-authenticated; failed logins counted by the [`Guard`]
//! (throttling, then a ban, per source and per extension), which the
//! driver shares with its other authenticated requests (INVITE).
//!
//! [`Registrar::handle`] takes one REGISTER and returns an [`Outcome`]: the
//! response to send (or none, for a blocked source set to be dropped), what
//! happened (for logs and the audit trail), and whether the extension went
//! from no phone to some or back. Time and random bytes come from the
//! caller; the driver calls [`Registrar::expire`] at
//! [`Registrar::next_expiry`].

use std::collections::HashMap;
use std::net::SocketAddr;

use crate::auth::{Algorithm, AuthError, Authenticator, Credentials, Secret};
use crate::guard::{Guard, GuardConfig, Refusal};
use crate::message::parse_expires;
use crate::message::{Method, NameAddr, Request, Response};
use crate::time::Time;
use crate::transaction::Transport;

/// What to do with requests from a blocked source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenBlocked {
    /// Answer `403 Too Many Failed Attempts`.
    Forbid,
    /// Send nothing.
    Drop,
}

/// Registrar settings (seconds for expiry values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrarConfig {
    /// Shorter non-zero expiries get `423 Interval Too Brief`.
    pub min_expires: u32,
    /// Longer expiries are shortened to this.
    pub max_expires: u32,
    /// When neither the Contact nor the request says.
    pub default_expires: u32,
    /// Phones per extension; more get 403.
    pub max_contacts: usize,
    pub guard: GuardConfig,
    pub when_blocked: WhenBlocked,
}

impl Default for RegistrarConfig {
    fn default() -> RegistrarConfig {
        RegistrarConfig {
            min_expires: 60,
            max_expires: 3600,
            default_expires: 3600,
            max_contacts: 10,
            guard: GuardConfig::default(),
            when_blocked: WhenBlocked::Forbid,
        }
    }
}

/// One registered phone of an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The Contact URI, as the phone wrote it.
    pub uri: String,
    pub expires_at: Time,
    /// Where the REGISTER came from: how to reach a phone behind NAT.
    pub source: SocketAddr,
    pub transport: Transport,
    pub call_id: String,
    pub cseq: u32,
    pub user_agent: Option<String>,
}

/// An extension gained its first phone, or lost its last one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingChange {
    pub aor: String,
    pub registered: bool,
}

/// What handling a REGISTER amounted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterResult {
    /// Bindings added or refreshed; `contacts` is how many are live now.
    Registered { aor: String, contacts: usize },
    /// Bindings removed; `contacts` are left.
    Unregistered { aor: String, contacts: usize },
    /// No Contact: the bindings were listed.
    Queried { aor: String },
    /// No (usable) credentials: 401 sent.
    Challenged,
    /// Right password, old nonce: 401 with `stale=true` sent.
    Stale,
    /// A failed login (403 sent), counted against the source.
    Failed { aor: String, reason: AuthFailure },
    /// The source is banned, throttled, or may not try this extension now.
    Blocked,
    /// 423 sent.
    TooBrief,
    /// 400 (or 403 for too many contacts) sent, with this reason.
    Rejected(String),
}

/// Why a login failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    WrongPassword,
    UnknownUser,
    /// The credentials are for another extension than the To header.
    UserMismatch,
}

/// The result of [`Registrar::handle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// What to answer; `None` means drop the request.
    pub response: Option<Response>,
    pub result: RegisterResult,
    pub change: Option<BindingChange>,
}

/// Bindings, the authenticator and the guard.
#[derive(Debug)]
pub struct Registrar {
    cfg: RegistrarConfig,
    auth: Authenticator,
    bindings: HashMap<String, Vec<Binding>>,
    guard: Guard,
}

impl Registrar {
    pub fn new(cfg: RegistrarConfig, auth: Authenticator) -> Registrar {
        let guard = Guard::new(cfg.guard.clone());
        Registrar {
            cfg,
            auth,
            bindings: HashMap::new(),
            guard,
        }
    }

    /// The guard, shared with the driver's other authenticated requests.
    pub fn guard(&mut self) -> &mut Guard {
        &mut self.guard
    }

    /// The authenticator (and its nonce counts), shared likewise.
    pub fn authenticator(&mut self) -> &mut Authenticator {
        &mut self.auth
    }

    /// What a refusal of the guard is answered with (403, and when to
    /// try again for a throttled source).
    pub fn refusal(request: &Request, tag: &str, refusal: Refusal) -> Response {
        let r = request
            .response(403)
            .with_to_tag(tag)
            .with_reason("Too Many Failed Attempts");
        match refusal {
            Refusal::Throttled { retry_after_ms } => {
                r.with_header("Retry-After", retry_after_ms.div_ceil(1000).to_string())
            }
            _ => r,
        }
    }

    /// Handles one REGISTER from `source`. `random` (16 bytes or more) makes
    /// the nonce and the To tag; `ha1` gives a user's stored HA1 for an
    /// algorithm, `None` for an unknown user.
    pub fn handle(
        &mut self,
        now: Time,
        request: &Request,
        source: SocketAddr,
        transport: Transport,
        random: &[u8],
        ha1: impl FnOnce(&str, Algorithm) -> Option<String>,
    ) -> Outcome {
        let tag = crate::ids::tag(random.get(..8).unwrap_or(random));
        let answer = |status: u16| request.response(status).with_to_tag(&tag);
        let done = |response: Response, result| Outcome {
            response: Some(response),
            result,
            change: None,
        };
        if request.method != Method::Register {
            return done(
                answer(405).with_header("Allow", "REGISTER"),
                RegisterResult::Rejected("Method Not Allowed".into()),
            );
        }
        if self.guard.is_banned(source.ip(), now) {
            let response = match self.cfg.when_blocked {
                WhenBlocked::Forbid => Some(answer(403).with_reason("Too Many Failed Attempts")),
                WhenBlocked::Drop => None,
            };
            return Outcome {
                response,
                result: RegisterResult::Blocked,
                change: None,
            };
        }
        // RFC 3261 §10.3 step 3: an address of record that is not ours (not
        // even a SIP URI, as RFC 4475's `unksm2`) is not found here.
        let to = request.headers.to();
        if to.as_ref().is_some_and(|t| t.sip_uri().is_none()) {
            return done(
                answer(404).with_reason("Address Of Record Not Found"),
                RegisterResult::Rejected("Address Of Record Not Found".into()),
            );
        }
        let Some(aor) = to.and_then(|t| t.user()) else {
            let reason = "Missing User In To";
            return done(
                answer(400).with_reason(reason),
                RegisterResult::Rejected(reason.into()),
            );
        };
        let challenge = |auth: &Authenticator, stale: bool| {
            let mut r = answer(401);
            for c in auth.challenges(now, random, stale) {
                r.headers.push("WWW-Authenticate", c);
            }
            r
        };
        let Some(header) = request.headers.authorization() else {
            return done(challenge(&self.auth, false), RegisterResult::Challenged);
        };
        let credentials = match Credentials::parse(header) {
            Ok(c) => c,
            Err(AuthError::Malformed(why)) => {
                let reason = format!("Malformed Authorization: {why}");
                return done(
                    answer(400).with_reason(reason.clone()),
                    RegisterResult::Rejected(reason),
                );
            }
            Err(_) => return done(challenge(&self.auth, false), RegisterResult::Challenged),
        };
        if let Err(refusal) = self.guard.may_try(source.ip(), &credentials.username, now) {
            return done(
                Registrar::refusal(request, &tag, refusal),
                RegisterResult::Blocked,
            );
        }
        let failure = if credentials.username != aor {
            Some(AuthFailure::UserMismatch)
        } else if let Err(why) = credentials.check_uri(&request.uri) {
            let reason = format!("Malformed Authorization: {why}");
            return done(
                answer(400).with_reason(reason.clone()),
                RegisterResult::Rejected(reason),
            );
        } else {
            match ha1(&credentials.username, credentials.algorithm) {
                None => Some(AuthFailure::UnknownUser),
                Some(h) => match self.auth.verify(
                    now,
                    &credentials,
                    request.method.as_str(),
                    Secret::Ha1(&h),
                ) {
                    Ok(()) => None,
                    Err(AuthError::Stale | AuthError::Replayed) => {
                        return done(challenge(&self.auth, true), RegisterResult::Stale)
                    }
                    Err(AuthError::WrongPassword) => Some(AuthFailure::WrongPassword),
                    Err(_) => return done(challenge(&self.auth, false), RegisterResult::Challenged),
                },
            }
        };
        if let Some(reason) = failure {
            self.guard.failed(source.ip(), &credentials.username, now);
            return done(answer(403), RegisterResult::Failed { aor, reason });
        }
        self.guard.succeeded(source.ip(), &aor, now);
        self.update(now, request, &aor, source, transport, answer(200))
    }

    /// Applies the Contacts of an authenticated REGISTER (§10.3 steps 6–8).
    fn update(
        &mut self,
        now: Time,
        request: &Request,
        aor: &str,
        source: SocketAddr,
        transport: Transport,
        ok: Response,
    ) -> Outcome {
        let reject = |r: Response, result| Outcome {
            response: Some(r),
            result,
            change: None,
        };
        let bad = |reason: &str| {
            let r = ok.clone();
            reject(
                Response {
                    status: 400,
                    reason: reason.to_owned(),
                    ..r
                },
                RegisterResult::Rejected(reason.to_owned()),
            )
        };
        let had = !self.live(aor, now).is_empty();
        let h = &request.headers;
        let call_id = h.call_id().unwrap_or_default().to_owned();
        let cseq = h.cseq().map_or(0, |c| c.seq);
        let header_expires = h.expires();
        let result;
        if h.contact_star() {
            if h.values("Contact").len() != 1 || header_expires != Some(0) {
                return bad("Invalid Contact");
            }
            self.bindings.remove(aor);
            result = RegisterResult::Unregistered {
                aor: aor.to_owned(),
                contacts: 0,
            };
        } else if h.contacts().is_empty() {
            result = RegisterResult::Queried {
                aor: aor.to_owned(),
            };
        } else {
            let mut wanted: Vec<(NameAddr, u32)> = Vec::new();
            for c in h.contacts() {
                let asked = c
                    .params
                    .get("expires")
                    .and_then(|e| parse_expires(&e))
                    .or(header_expires);
                let secs = asked.unwrap_or(self.cfg.default_expires);
                if secs != 0 && secs < self.cfg.min_expires {
                    let r = Response {
                        status: 423,
                        reason: "Interval Too Brief".into(),
                        ..ok.clone()
                    };
                    return reject(
                        r.with_header("Min-Expires", self.cfg.min_expires.to_string()),
                        RegisterResult::TooBrief,
                    );
                }
                wanted.push((c, secs.min(self.cfg.max_expires)));
            }
            let existing = self
                .bindings
                .get(aor)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for (c, _) in &wanted {
                let out_of_order = existing
                    .iter()
                    .any(|b| b.uri == c.uri && b.call_id == call_id && cseq <= b.cseq);
                if out_of_order {
                    return bad("Out Of Order CSeq");
                }
            }
            let added = wanted
                .iter()
                .filter(|(c, s)| *s > 0 && !existing.iter().any(|b| b.uri == c.uri))
                .count();
            if existing.iter().filter(|b| b.expires_at > now).count() + added
                > self.cfg.max_contacts
            {
                let r = Response {
                    status: 403,
                    reason: "Too Many Contacts".into(),
                    ..ok.clone()
                };
                return reject(r, RegisterResult::Rejected("Too Many Contacts".into()));
            }
            let list = self.bindings.entry(aor.to_owned()).or_default();
            let mut removed = false;
            for (c, secs) in wanted {
                list.retain(|b| b.uri != c.uri);
                if secs == 0 {
                    removed = true;
                    continue;
                }
                list.push(Binding {
                    uri: c.uri,
                    expires_at: now.plus(u64::from(secs) * 1000),
                    source,
                    transport,
                    call_id: call_id.clone(),
                    cseq,
                    user_agent: h.user_agent().map(str::to_owned),
                });
            }
            let contacts = list.iter().filter(|b| b.expires_at > now).count();
            result = if removed && contacts == 0 {
                RegisterResult::Unregistered {
                    aor: aor.to_owned(),
                    contacts,
                }
            } else {
                RegisterResult::Registered {
                    aor: aor.to_owned(),
                    contacts,
                }
            };
        }
        if self.bindings.get(aor).is_some_and(Vec::is_empty) {
            self.bindings.remove(aor);
        }
        let mut response = ok;
        let live: Vec<String> = self
            .live(aor, now)
            .iter()
            .map(|b| {
                format!(
                    "<{}>;expires={}",
                    b.uri,
                    b.expires_at.since(now).div_ceil(1000)
                )
            })
            .collect();
        for c in live {
            response.headers.push("Contact", c);
        }
        let has = !self.live(aor, now).is_empty();
        let change = (had != has).then(|| BindingChange {
            aor: aor.to_owned(),
            registered: has,
        });
        Outcome {
            response: Some(response),
            result,
            change,
        }
    }

    fn live(&self, aor: &str, now: Time) -> Vec<&Binding> {
        self.bindings
            .get(aor)
            .into_iter()
            .flatten()
            .filter(|b| b.expires_at > now)
            .collect()
    }

    /// The live bindings of an extension, oldest first.
    pub fn lookup(&self, aor: &str, now: Time) -> Vec<&Binding> {
        self.live(aor, now)
    }

    /// Every extension with its bindings (expired ones included until the
    /// next [`Registrar::expire`]).
    pub fn bindings(&self) -> impl Iterator<Item = (&str, &[Binding])> {
        self.bindings
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Drops expired bindings and stale limiter entries; returns the
    /// extensions left without any phone, sorted.
    pub fn expire(&mut self, now: Time) -> Vec<BindingChange> {
        let mut gone = Vec::new();
        self.bindings.retain(|aor, list| {
            list.retain(|b| b.expires_at > now);
            if list.is_empty() {
                gone.push(BindingChange {
                    aor: aor.clone(),
                    registered: false,
                });
            }
            !list.is_empty()
        });
        self.guard.purge(now);
        gone.sort_by(|a, b| a.aor.cmp(&b.aor));
        gone
    }

    /// When the next binding expires.
    pub fn next_expiry(&self) -> Option<Time> {
        self.bindings.values().flatten().map(|b| b.expires_at).min()
    }

    /// Whether `source`'s IP is banned at `now`.
    pub fn is_blocked(&self, source: SocketAddr, now: Time) -> bool {
        self.guard.is_banned(source.ip(), now)
    }
}
