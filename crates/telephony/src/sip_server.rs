//! The SIP server task: transports in, the transaction layer and the
//! registrar in the middle, the routing engine out.
//!
//! It serves REGISTER (digest-authenticated, several phones per extension,
//! expiry) and OPTIONS keep-alives, answers requests that do not parse with
//! `400 <reason>`, and — when `auto_ready` is on — makes an agent available
//! when their first phone registers and not ready ("unregistered") when the
//! last registration ends. Calls (INVITE) are answered `480` with a reason
//! until the call driver takes them over.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hotline_acd::{AcdHandle, StatusRequest};
use hotline_sip::auth::{Algorithm, Digest};
use hotline_sip::registrar::{Registrar, RegistrarConfig};
use hotline_sip::transaction::{Key, Output, Transactions};
use hotline_sip::{bad_request, Message, Method};
use hotline_store::TenantStore;
use tokio::sync::mpsc;

use crate::transport::{Inbound, Transport, Transports};

/// Reason code of an agent whose last phone unregistered.
pub const UNREGISTERED: &str = "unregistered";

#[derive(Debug, Clone)]
pub struct SipOptions {
    pub listen: SocketAddr,
    pub realm: String,
    pub registrar: RegistrarConfig,
    pub auto_ready: bool,
    /// Offer SHA-256 before MD5.
    pub sha256: bool,
}

/// Starts the server; returns the address it listens on (UDP and TCP).
pub async fn start(opts: SipOptions, store: TenantStore, acd: AcdHandle, secret: [u8; 32]) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let (transports, rx) = Transports::bind(opts.listen, hotline_sip::frame).await?;
    let addr = transports.local_addr();
    let digest = Digest::new(&opts.realm, &secret);
    let digest = if opts.sha256 { digest.sha256_first() } else { digest };
    let registrar = Registrar::new(opts.registrar.clone(), digest);
    let server = Server { opts, store, acd, transports, txs: Transactions::new(), registrar, started: Instant::now() };
    Ok((addr, tokio::spawn(server.run(rx))))
}

struct Server {
    opts: SipOptions,
    store: TenantStore,
    acd: AcdHandle,
    transports: Transports,
    txs: Transactions,
    registrar: Registrar,
    started: Instant,
}

impl Server {
    fn now(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    async fn run(mut self, mut rx: mpsc::Receiver<Inbound>) {
        let mut sweep = tokio::time::interval(Duration::from_secs(1));
        loop {
            let wait = self.txs.next_deadline().map_or(Duration::from_secs(1), |d| Duration::from_millis(d.saturating_sub(self.now())));
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(m) => self.inbound(m).await,
                    None => return,
                },
                _ = tokio::time::sleep(wait) => {
                    let now = self.now();
                    self.txs.timeout(now);
                }
                _ = sweep.tick() => {
                    let gone = self.registrar.expire(self.now());
                    for ext in gone {
                        self.registration_changed(&ext, false).await;
                    }
                }
            }
            self.drain().await;
        }
    }

    async fn inbound(&mut self, m: Inbound) {
        let reliable = m.transport == Transport::Tcp;
        match Message::parse(&m.bytes) {
            Ok(msg) => {
                let now = self.now();
                self.txs.received(now, msg, m.from, reliable);
            }
            Err(e) => {
                tracing::debug!(from = %m.from, error = %e, "SIP message refused");
                if let Some(reply) = bad_request(&m.bytes, &e) {
                    let _ = self.transports.send(m.from, m.transport, reply).await;
                }
            }
        }
    }

    async fn drain(&mut self) {
        while let Some(out) = self.txs.poll_output() {
            match out {
                Output::Transmit { to, reliable, bytes } => {
                    let t = if reliable { Transport::Tcp } else { Transport::Udp };
                    if let Err(e) = self.transports.send(to, t, bytes).await {
                        tracing::debug!(%to, error = %e, "SIP send failed");
                    }
                }
                Output::Request { key: Some(key), msg, from, .. } => self.request(key, msg, from).await,
                Output::Request { key: None, .. } | Output::Response { .. } | Output::Timeout { .. } | Output::Terminated { .. } => {}
            }
        }
    }

    async fn request(&mut self, key: Key, msg: Message, from: SocketAddr) {
        let now = self.now();
        let resp = match msg.method() {
            Some(Method::Register) => return self.register(key, msg, from).await,
            Some(Method::Options) => {
                let mut r = msg.response(200, "OK", Some("opt"));
                r.headers.push(("Allow".into(), "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER".into()));
                r
            }
            Some(Method::Invite) => msg.response(480, "Call Handling Not Available", Some("inv")),
            Some(Method::Bye | Method::Cancel) => msg.response(481, "Call/Transaction Does Not Exist", None),
            _ => msg.response(501, "Not Implemented", None),
        };
        self.txs.send_response(now, &key, resp);
    }

    async fn register(&mut self, key: Key, msg: Message, from: SocketAddr) {
        let ext = msg.to().and_then(|t| t.user().map(str::to_owned)).unwrap_or_default();
        let credential = match self.store.sip_credential(&ext).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read SIP credentials");
                let now = self.now();
                return self.txs.send_response(now, &key, msg.response(500, "Server Internal Error", None));
            }
        };
        let realm = self.opts.realm.clone();
        let ha1 = |user: &str, alg: Algorithm| {
            let c = credential.as_ref().filter(|c| c.extension == user && c.realm == realm)?;
            Some(match alg {
                Algorithm::Md5 => c.ha1_md5.clone(),
                Algorithm::Sha256 => c.ha1_sha256.clone(),
            })
        };
        let now = self.now();
        let done = self.registrar.register(&msg, from, now, ha1);
        if done.response.status() == Some(403) {
            tracing::warn!(extension = %ext, %from, "SIP registration refused");
        }
        self.txs.send_response(now, &key, done.response);
        if let Some((ext, registered)) = done.changed {
            tracing::info!(extension = %ext, registered, "SIP registration changed");
            self.registration_changed(&ext, registered).await;
        }
    }

    async fn registration_changed(&mut self, ext: &str, registered: bool) {
        if !self.opts.auto_ready {
            return;
        }
        let Ok(Some(agent)) = self.store.agent_by_extension(ext).await else { return };
        let status = if registered { StatusRequest::Available } else { StatusRequest::NotReady { reason: UNREGISTERED.into() } };
        if let Err(e) = self.acd.set_status(&agent.id, status).await {
            tracing::warn!(extension = %ext, error = %e, "could not change the agent's status");
        }
    }
}
