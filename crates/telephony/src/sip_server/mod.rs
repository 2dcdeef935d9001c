//! The SIP server task: transports in, the transaction layer, the registrar
//! and the call orchestrator in the middle, media tasks and the routing
//! engine out.
//!
//! One task owns every piece of signaling state (transactions, bindings,
//! dialogs, the orchestrator), so nothing in it is shared or locked; the
//! slow parts run elsewhere and answer through channels: each call's media
//! in its own task ([`crate::media`]), routing commands in order on one
//! worker ([`routing`]), IVR lookups on spawned tasks.
//!
//! - `register.rs`: REGISTER and agents following their phones.
//! - `inbound.rs`: the caller's leg (INVITE, ACK, CANCEL, BYE, re-INVITE).
//! - `outbound.rs`: the agent's leg (ringing the phones, forks, CANCEL).
//! - `orchestrate.rs`: the orchestrator's outputs carried out.
//! - `routing.rs`: routing commands and events.
//! - `front_door.rs`: what is looked at at all (bans, request rates).
//! - `directory.rs`: credentials, extensions and the dial plan, loaded
//!   off the signalling path.
//! - `outside.rs`: calls out through a trunk (permissions, caps).
//! - `control.rs`: the API's requests (password changes, reloads, bans).
//! - `call_control.rs`: hold and resume, blind transfers, supervisors'
//!   monitoring legs, the live calls.
//! - `refer.rs`: REFER from an agent's phone (a blind transfer).

mod browser;
mod call_control;
mod callback;
mod caller_auth;
mod control;
mod directory;
mod front_door;
mod inbound;
mod outside;
mod orchestrate;
mod outbound;
mod refer;
mod register;
mod routing;
mod secure;
mod trunks;

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hotline_acd::AcdHandle;
use hotline_calls::{CallId, Orchestrator};
use hotline_config::MenuConfig;
use hotline_events::EventBus;
use hotline_sip::dialog::DialogId;
use hotline_sip::registrar::{Registrar, RegistrarConfig};
use hotline_sip::{Event, Input, Method, Output, Request, Time, TransactionLayer, Transport as SipTransport, TxKey, Via};
use hotline_store::TenantStore;
use tokio::sync::mpsc;

use crate::lookups::Lookups;
use crate::media::MediaEvent;
use crate::ports::PortPool;
use crate::prompt_library::PromptLibrary;
use crate::recordings::RecordingStorage;
use crate::transport::{Inbound, Transport, Transports};

pub use browser::{BrowserError, TelephonyHandle};
pub use call_control::{CallError, CallRequest, LiveCall, MonitorVia, TransferTarget};
pub use hotline_media::mix::Monitor;
pub use control::{Control, SecurityView};
pub use trunks::TrunkView;
pub use secure::SrtpPolicy;
pub use register::UNREGISTERED;

#[derive(Debug, Clone)]
pub struct SipOptions {
    pub listen: SocketAddr,
    pub realm: String,
    pub registrar: RegistrarConfig,
    pub auto_ready: bool,
    /// Offer SHA-256 before MD5.
    pub sha256: bool,
    /// The address written into Contact and SDP (the listen address when
    /// that is not a wildcard).
    pub public_ip: Option<IpAddr>,
    /// Compare routing's agent states with live calls this often.
    pub reconcile_every: Duration,
    /// Addresses or CIDR blocks exempt from the request limit (trunks are too).
    pub trusted_sources: Vec<String>,
    /// Bounds on TCP connections.
    pub tcp: crate::transport::TcpLimits,
    /// Header lines a message may have (more: `400 Too Many Header Lines`).
    pub max_header_lines: usize,
    /// Answer requests at their source address, `rport` or not.
    pub force_rport: bool,
    /// SRTP for phones and callers (trunks have their own setting).
    pub srtp: SrtpPolicy,
    /// SIP over TLS, when it is served.
    pub tls: Option<TlsListen>,
    /// What agents' phones may dial outside.
    pub calling: hotline_calls::outside::Policy,
    /// The center's offset from UTC (days for the outside-minutes budget).
    pub utc_offset_minutes: i32,
}

/// Where SIP over TLS listens, with which certificate.
#[derive(Clone)]
pub struct TlsListen {
    pub addr: SocketAddr,
    pub acceptor: tokio_rustls::TlsAcceptor,
}

impl std::fmt::Debug for TlsListen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsListen").field("addr", &self.addr).finish_non_exhaustive()
    }
}

/// What calls need besides SIP.
#[derive(Clone)]
pub struct CallServices {
    pub ports: PortPool,
    pub prompts: PromptLibrary,
    /// `None`: calls are not recorded.
    pub recordings: Option<Arc<dyn RecordingStorage>>,
    pub lookups: Lookups,
    pub menus: Vec<MenuConfig>,
    pub media: crate::media::MediaSettings,
    pub trunks: Vec<hotline_config::TrunkConfig>,
    pub bus: EventBus,
}

/// The running server.
pub struct SipServer {
    pub addr: SocketAddr,
    /// SIP over TLS, when configured.
    pub tls_addr: Option<SocketAddr>,
    pub task: tokio::task::JoinHandle<()>,
    /// For the API: browser agents' softphones.
    pub handle: TelephonyHandle,
    /// For the API: password changes, reloads, the guard.
    pub control: Control,
}

/// Everything the SIP task listens to.
struct Receivers {
    sip: mpsc::Receiver<Inbound>,
    media: mpsc::UnboundedReceiver<MediaEvent>,
    routed: mpsc::UnboundedReceiver<hotline_calls::Input>,
    bus: tokio::sync::broadcast::Receiver<Arc<hotline_events::Envelope>>,
    browser: mpsc::Receiver<browser::BrowserRequest>,
    control: mpsc::Receiver<control::ControlRequest>,
    loaded: mpsc::UnboundedReceiver<directory::Loaded>,
}

/// Starts the server; returns the address it listens on (UDP and TCP).
pub async fn start(opts: SipOptions, services: CallServices, store: TenantStore, acd: AcdHandle, secret: [u8; 32]) -> std::io::Result<SipServer> {
    let (transports, rx) = Transports::bind_with(opts.listen, hotline_sip::frame, opts.tcp).await?;
    let addr = transports.local_addr();
    let tls_local = match &opts.tls {
        Some(t) => Some(transports.listen_tls(t.addr, t.acceptor.clone()).await?),
        None => None,
    };
    let auth = hotline_sip::auth::Authenticator::new(&opts.realm, &secret);
    let auth = if opts.sha256 { auth.sha256_first() } else { auth };
    let registrar = Registrar::new(opts.registrar.clone(), auth);
    let txs = TransactionLayer::new(hotline_sip::timers::Timers::default()).force_rport(opts.force_rport);
    let ip = opts.public_ip.unwrap_or(if addr.ip().is_unspecified() { IpAddr::from([127, 0, 0, 1]) } else { addr.ip() });
    let (media_tx, media_rx) = mpsc::unbounded_channel();
    let (routing, routed) = routing::Worker::start(acd.clone(), store.clone());
    let bus = services.bus.subscribe();
    let plan = crate::dialplan::load(&store, &services.menus).await.map_err(std::io::Error::other)?;
    let mut credentials = crate::credentials::CredentialCache::new(&opts.realm);
    credentials.replace_all(store.sip_credentials().await.map_err(std::io::Error::other)?);
    let extensions = store.list_agents().await.map_err(std::io::Error::other)?.into_iter().map(|a| (a.id, a.extension)).collect();
    let (directory, loaded) = directory::start(store.clone(), services.menus.clone());
    let outside = hotline_calls::outside::OutsideCalls::new(opts.calling.clone());
    let trunks = services.trunks.iter().cloned().filter_map(|t| trunks::Trunk::new(t, ip)).collect();
    let trunk_calls = vec![0; services.trunks.len()];
    let media_counters = services.ports.counters();
    let server = Server {
        opts,
        acd,
        transports,
        txs,
        registrar,
        credentials,
        directory,
        outside,
        outside_denied: 0,
        trunk_calls,
        uas: {
            // REFER: an agent's phone transfers its call (see `refer.rs`).
            let mut uas = hotline_sip::validate::UasPolicy::default();
            uas.methods.push(Method::Refer);
            uas
        },
        started: Instant::now(),
        local: SocketAddr::new(ip, addr.port()),
        tls_local,
        services,
        music_on_hold: plan.music_on_hold,
        orch: {
            let mut o = Orchestrator::new(plan.config);
            o.set_broadcasts(plan.broadcasts);
            o
        },
        next_call: 1,
        calls: HashMap::new(),
        dialogs: HashMap::new(),
        client_invites: HashMap::new(),
        server_invites: HashMap::new(),
        pending: VecDeque::new(),
        media_tx,
        routing,
        extensions,
        trunks,
        trunk_registers: HashMap::new(),
        browsers: std::collections::HashSet::new(),
        web_calls: HashMap::new(),
    };
    let (browser_tx, browser_rx) = mpsc::channel(256);
    let (control_tx, control_rx) = mpsc::channel(256);
    let task = tokio::spawn(server.run(Receivers { sip: rx, media: media_rx, routed, bus, browser: browser_rx, control: control_rx, loaded }));
    let control = Control { tx: control_tx, media: media_counters };
    Ok(SipServer { addr, tls_addr: tls_local, task, handle: TelephonyHandle { tx: browser_tx }, control })
}

pub(crate) struct Server {
    opts: SipOptions,
    acd: AcdHandle,
    transports: Transports,
    txs: TransactionLayer,
    /// Bindings, and the authenticator and guard shared by REGISTER and INVITE.
    registrar: Registrar,
    /// Extensions' digest credentials, in memory.
    credentials: crate::credentials::CredentialCache,
    /// Asks the directory loader for a reload.
    directory: directory::Trigger,
    /// What agents' phones may dial outside, and what they use.
    outside: hotline_calls::outside::OutsideCalls,
    outside_denied: u64,
    /// Outside calls live per trunk (index of `trunks`).
    trunk_calls: Vec<u32>,
    /// What requests we take (methods, schemes, extensions, bodies).
    uas: hotline_sip::validate::UasPolicy,
    started: Instant,
    /// Our address as peers should see it (Contact, Via, SDP).
    local: SocketAddr,
    /// Where SIP over TLS listens, if it does.
    tls_local: Option<SocketAddr>,
    services: CallServices,
    orch: Orchestrator,
    /// Queue → its music on hold prompt.
    music_on_hold: HashMap<String, String>,
    next_call: u64,
    calls: HashMap<CallId, inbound::Call>,
    /// In-dialog requests find their call and side here.
    dialogs: HashMap<DialogId, (CallId, hotline_calls::Side)>,
    /// Our INVITEs to agents' phones, by client transaction.
    client_invites: HashMap<TxKey, outbound::Fork>,
    /// Callers' INVITEs not yet answered with a final response.
    server_invites: HashMap<TxKey, CallId>,
    /// Inputs for the orchestrator produced while carrying out its outputs.
    pending: VecDeque<hotline_calls::Input>,
    media_tx: mpsc::UnboundedSender<MediaEvent>,
    routing: routing::Worker,
    /// Agent id → extension, for offers (from the directory loader).
    extensions: HashMap<String, String>,
    trunks: Vec<trunks::Trunk>,
    /// Trunks' REGISTERs in flight.
    trunk_registers: HashMap<TxKey, usize>,
    /// Extensions whose browser softphone is online.
    browsers: std::collections::HashSet<String>,
    /// Calls from the website, by the token their page holds.
    web_calls: HashMap<String, CallId>,
}

fn sip_transport(t: Transport) -> SipTransport {
    match t {
        Transport::Udp => SipTransport::Udp,
        Transport::Tcp => SipTransport::Tcp,
        Transport::Tls => SipTransport::Tls,
    }
}

/// Where a message of the transaction layer goes out (WebSocket transports
/// are not served; TCP stands in for them).
fn io_transport(t: SipTransport) -> Transport {
    match t {
        SipTransport::Udp => Transport::Udp,
        SipTransport::Tls | SipTransport::Wss => Transport::Tls,
        SipTransport::Tcp | SipTransport::Ws => Transport::Tcp,
    }
}

/// Fresh random bytes for nonces, tags, branches and Call-IDs.
fn random() -> [u8; 16] {
    rand::random()
}

impl Server {
    fn now(&self) -> Time {
        Time(self.started.elapsed().as_millis() as u64)
    }

    fn wait(&self) -> Duration {
        let now = self.now().0;
        let sip = self.txs.poll_timeout().map(|d| d.0);
        let calls = self.orch.next_deadline().map(|d| d.0);
        let next = [sip, calls].into_iter().flatten().min();
        next.map_or(Duration::from_secs(1), |d| Duration::from_millis(d.saturating_sub(now)))
    }

    async fn run(mut self, r: Receivers) {
        let Receivers { sip: mut rx, mut media, mut routed, mut bus, mut browser, mut control, mut loaded } = r;
        let mut sweep = tokio::time::interval(Duration::from_secs(1));
        let mut reconcile = tokio::time::interval(self.opts.reconcile_every.max(Duration::from_millis(100)));
        let mut reconciler = crate::reconcile::Reconciler::default();
        loop {
            let wait = self.wait();
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(m) if !self.front_door(&m).await => {}
                    Some(m) => {
                        let input = Input::Receive { from: m.from, transport: sip_transport(m.transport), bytes: m.bytes };
                        let now = self.now();
                        let _ = self.txs.handle_input(now, input);
                    }
                    None => return,
                },
                Some(e) = media.recv() => self.media_event(e),
                Some(input) = routed.recv() => self.call_input(input),
                Some(r) = browser.recv() => self.browser_request(r).await,
                Some(r) = control.recv() => self.control(r),
                Some(l) = loaded.recv() => self.directory_loaded(l),
                e = bus.recv() => self.routing_event(e),
                _ = tokio::time::sleep(wait) => {
                    let now = self.now();
                    let _ = self.txs.handle_input(now, Input::Timeout);
                    self.call_input(hotline_calls::Input::Tick);
                }
                _ = sweep.tick() => {
                    self.register_trunks();
                    let now = self.now();
                    for change in self.registrar.expire(now) {
                        self.registration_changed(&change.aor, change.registered);
                    }
                }
                _ = reconcile.tick() => {
                    reconciler.pass(&self.acd, &self.orch).await;
                }
            }
            self.drain().await;
        }
    }

    /// Sends what the transaction layer has to send, hands its events over,
    /// and carries out the orchestrator's outputs, until nothing is left.
    async fn drain(&mut self) {
        loop {
            if let Some(out) = self.txs.poll_output() {
                self.sip_output(out).await;
                continue;
            }
            if !self.pump() {
                break;
            }
        }
    }

    async fn sip_output(&mut self, out: Output) {
        match out {
            Output::Transmit(t) => {
                let transport = io_transport(t.transport);
                if let Err(e) = self.transports.send(t.dest, transport, t.bytes).await {
                    tracing::debug!(to = %t.dest, error = %e, "SIP send failed");
                    if let Some(key) = t.key {
                        let now = self.now();
                        let _ = self.txs.handle_input(now, Input::TransportError { key });
                    }
                }
            }
            Output::Event(Event::Request { key, request, from, transport }) => self.request(key, request, from, transport).await,
            Output::Event(Event::Cancel { key, invite, request, .. }) => self.cancel(key, invite, request),
            Output::Event(Event::Response { key, response }) => {
                if !self.trunk_response(&key, &response) {
                    self.response(key, response);
                }
            }
            Output::Event(Event::Timeout { key, .. } | Event::TransportError { key }) => {
                if !self.trunk_timeout(&key) {
                    self.client_failed(&key);
                }
            }
            Output::Event(Event::Malformed { from, error, .. }) => {
                tracing::debug!(%from, %error, "SIP message refused");
            }
            Output::Event(Event::Terminated { key }) => {
                self.client_invites.remove(&key);
            }
            Output::Event(Event::Ack { .. } | Event::StrayResponse { .. }) => {}
        }
    }

    fn respond(&mut self, key: TxKey, response: hotline_sip::Response) {
        let now = self.now();
        if let Err(e) = self.txs.handle_input(now, Input::SendResponse { key, response }) {
            tracing::debug!(error = %e, "SIP response not sent");
        }
    }

    /// Sends a request of ours (a new INVITE, CANCEL, BYE or ACK).
    fn send_request(&mut self, dest: SocketAddr, transport: SipTransport, request: Request) -> Option<TxKey> {
        let key = TxKey::client(&request);
        let now = self.now();
        match self.txs.handle_input(now, Input::SendRequest { dest, transport, request }) {
            Ok(()) => key,
            Err(e) => {
                tracing::warn!(error = %e, "SIP request not sent");
                None
            }
        }
    }

    /// A Via for a request of ours, with a fresh branch and rport.
    fn via(&self, transport: SipTransport) -> Via {
        let branch = hotline_sip::ids::branch(&random());
        let at = self.local_for(transport);
        let mut via = Via::new(transport.as_str(), &at.ip().to_string(), Some(at.port()), &branch);
        via.params.set("rport", None);
        via
    }

    /// Ends a dialog of ours with a BYE (with the hang-up cause, when there is one).
    fn send_bye(&mut self, dialog: &mut hotline_sip::dialog::Dialog, dest: SocketAddr, transport: SipTransport, cause: Option<hotline_calls::Cause>) {
        let mut bye = dialog.request(Method::Bye, &self.via(transport));
        if let Some(cause) = cause {
            bye = bye.with_header("Reason", format!("Q.850;text=\"{}\"", cause.code()));
        }
        self.send_request(dest, transport, bye);
    }

    /// A new INVITE of ours (a fresh dialog): to `uri`, from `from_user`
    /// (shown on the phone), to `to` (a name-addr), with our SDP `offer`.
    fn new_invite(&self, uri: String, from_user: &str, to: String, contact_user: &str, transport: SipTransport, offer: &str) -> Request {
        let tag = hotline_sip::ids::tag(&random());
        let mut invite = Request::new(Method::Invite, uri);
        invite.headers.push("Via", self.via(transport).to_string());
        invite.headers.push("Max-Forwards", "70");
        invite.headers.push("From", format!("<sip:{from_user}@{}>;tag={tag}", self.local));
        invite.headers.push("To", to);
        invite.headers.push("Call-ID", hotline_sip::ids::call_id(&random(), &self.local.ip().to_string()));
        invite.headers.push("CSeq", "1 INVITE");
        invite.headers.push("Contact", self.contact(contact_user, transport));
        invite.headers.push("Allow", self.allow());
        invite.with_body("application/sdp", offer.as_bytes().to_vec())
    }

    /// Our address for a transport (TLS has a port of its own).
    fn local_for(&self, transport: SipTransport) -> SocketAddr {
        match (transport, self.tls_local) {
            (SipTransport::Tls, Some(tls)) => SocketAddr::new(self.local.ip(), tls.port()),
            _ => self.local,
        }
    }

    /// Our Contact for `user` on `transport`.
    fn contact(&self, user: &str, transport: SipTransport) -> String {
        match transport {
            SipTransport::Tls => format!("<sip:{user}@{};transport=tls>", self.local_for(transport)),
            _ => format!("<sip:{user}@{}>", self.local),
        }
    }

    async fn request(&mut self, key: TxKey, request: Request, from: SocketAddr, transport: SipTransport) {
        let tag = hotline_sip::ids::tag(&random());
        // What a UAS checks before acting (RFC 3261 §8.2): the method (501,
        // 405), the Request-URI scheme (416), required extensions (420),
        // the body's type (415), what the client accepts (406).
        if let Err(rejection) = hotline_sip::validate::check_request(&request, &self.uas) {
            let r = rejection.response(&request).with_to_tag(&tag);
            return self.respond(key, r);
        }
        let resp = match request.method {
            Method::Register => return self.register(key, request, from, transport),
            Method::Invite => return self.invite(key, request, from, transport),
            Method::Bye => return self.bye(key, request),
            Method::Refer => return self.refer(key, request),
            Method::Options => request.response(200).with_to_tag(&tag).with_header("Allow", self.allow()),
            _ => request.response(200),
        };
        self.respond(key, resp);
    }

    /// The methods we take, for `Allow`.
    fn allow(&self) -> String {
        self.uas.methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", ")
    }
}
