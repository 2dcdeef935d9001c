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
use hotline_sip::auth::{Algorithm, Authenticator};
use hotline_sip::registrar::{Registrar, RegistrarConfig};
use hotline_sip::{Event, Input, Method, Output, Request, Time, TransactionLayer, Transport as SipTransport, TxKey};
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
    let auth = Authenticator::new(&opts.realm, &secret);
    let auth = if opts.sha256 { auth.sha256_first() } else { auth };
    let registrar = Registrar::new(opts.registrar.clone(), auth);
    let txs = TransactionLayer::new(hotline_sip::timers::Timers::default());
    let server = Server { opts, store, acd, transports, txs, registrar, started: Instant::now() };
    Ok((addr, tokio::spawn(server.run(rx))))
}

struct Server {
    opts: SipOptions,
    store: TenantStore,
    acd: AcdHandle,
    transports: Transports,
    txs: TransactionLayer,
    registrar: Registrar,
    started: Instant,
}

fn sip_transport(t: Transport) -> SipTransport {
    match t {
        Transport::Udp => SipTransport::Udp,
        Transport::Tcp => SipTransport::Tcp,
    }
}

/// Fresh random bytes for nonces and tags.
fn random() -> [u8; 16] {
    rand::random()
}

impl Server {
    fn now(&self) -> Time {
        Time(self.started.elapsed().as_millis() as u64)
    }

    async fn run(mut self, mut rx: mpsc::Receiver<Inbound>) {
        let mut sweep = tokio::time::interval(Duration::from_secs(1));
        loop {
            let wait = self.txs.poll_timeout().map_or(Duration::from_secs(1), |d| Duration::from_millis(d.0.saturating_sub(self.now().0)));
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(m) => {
                        let input = Input::Receive { from: m.from, transport: sip_transport(m.transport), bytes: m.bytes };
                        let now = self.now();
                        let _ = self.txs.handle_input(now, input);
                    }
                    None => return,
                },
                _ = tokio::time::sleep(wait) => {
                    let now = self.now();
                    let _ = self.txs.handle_input(now, Input::Timeout);
                }
                _ = sweep.tick() => {
                    let now = self.now();
                    for change in self.registrar.expire(now) {
                        self.registration_changed(&change.aor, change.registered).await;
                    }
                }
            }
            self.drain().await;
        }
    }

    async fn drain(&mut self) {
        while let Some(out) = self.txs.poll_output() {
            match out {
                Output::Transmit(t) => {
                    let transport = if t.transport == SipTransport::Udp { Transport::Udp } else { Transport::Tcp };
                    if let Err(e) = self.transports.send(t.dest, transport, t.bytes).await {
                        tracing::debug!(to = %t.dest, error = %e, "SIP send failed");
                        if let Some(key) = t.key {
                            let now = self.now();
                            let _ = self.txs.handle_input(now, Input::TransportError { key });
                        }
                    }
                }
                Output::Event(Event::Request { key, request, from, transport }) => self.request(key, request, from, transport).await,
                Output::Event(Event::Cancel { key, invite, request, .. }) => {
                    // Calls are answered at once, so there is never an INVITE left to cancel.
                    let status = if invite.is_some() { 200 } else { 481 };
                    self.respond(key, request.response(status));
                }
                Output::Event(Event::Malformed { from, error, .. }) => {
                    tracing::debug!(%from, %error, "SIP message refused");
                }
                Output::Event(_) => {}
            }
        }
    }

    fn respond(&mut self, key: TxKey, response: hotline_sip::Response) {
        let now = self.now();
        if let Err(e) = self.txs.handle_input(now, Input::SendResponse { key, response }) {
            tracing::debug!(error = %e, "SIP response not sent");
        }
    }

    async fn request(&mut self, key: TxKey, request: Request, from: SocketAddr, transport: SipTransport) {
        let tag = hotline_sip::ids::tag(&random());
        let resp = match request.method {
            Method::Register => return self.register(key, request, from, transport).await,
            Method::Options => request.response(200).with_to_tag(&tag).with_header("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER"),
            Method::Invite => request.response(480).with_to_tag(&tag).with_reason("Call Handling Not Available"),
            Method::Bye => request.response(481),
            _ => request.response(501),
        };
        self.respond(key, resp);
    }

    async fn register(&mut self, key: TxKey, request: Request, from: SocketAddr, transport: SipTransport) {
        let ext = request.headers.to().and_then(|t| t.user()).unwrap_or_default();
        let credential = match self.store.sip_credential(&ext).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read SIP credentials");
                return self.respond(key, request.response(500));
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
        let done = self.registrar.handle(now, &request, from, transport, &random(), ha1);
        match done.response {
            Some(r) => {
                if r.status == 403 {
                    tracing::warn!(extension = %ext, %from, "SIP registration refused");
                }
                self.respond(key, r);
            }
            None => tracing::warn!(extension = %ext, %from, "SIP registration dropped (source blocked)"),
        }
        if let Some(change) = done.change {
            tracing::info!(extension = %change.aor, registered = change.registered, "SIP registration changed");
            self.registration_changed(&change.aor, change.registered).await;
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
