//! The agents' phones: each extension registers (answering the digest
//! challenge), then every INVITE the server sends is answered — 180, then
//! 200 with SDP after the ring delay — and the phone sends its tone and
//! measures what the server sends until the server's BYE. One task and
//! one SIP socket serve every extension, as a multi-line phone would.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hotline_sip::auth::client::{authorization, Challenge};
use hotline_sip::dialog::{Dialog, DialogId};
use hotline_sip::{Event, Method, Request, Response, TxKey};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::core::{earliest, random, SipCore, SipCounters, Timers};
use super::InviteClock;
use crate::rtp::{Party, PortAllocator, Receiver, RecvStats, RtpSocket, Sender};
use crate::sdp::{self, Remote};

pub struct AgentOptions {
    pub extensions: Vec<String>,
    pub password: String,
    pub expires: u32,
    pub answer_delay: Duration,
}

/// One call an agent's phone took.
#[derive(Debug, Clone)]
pub struct AgentCallRecord {
    pub extension: String,
    /// The caller's number as the server presented it (From user).
    pub caller: String,
    /// From the caller's INVITE to this phone's INVITE (routing and dialling).
    pub rung_after_invite: Option<Duration>,
    pub answered: bool,
    /// Ended by the server's CANCEL before the answer.
    pub cancelled: bool,
    /// Still up when the run ended.
    pub unfinished: bool,
    pub rx: RecvStats,
}

/// What the agents did, at the end of the run.
#[derive(Debug, Default)]
pub struct AgentsSummary {
    pub calls: Vec<AgentCallRecord>,
    /// INVITEs refused: (status, count).
    pub refused: HashMap<u16, u64>,
    /// 200 OKs the server never acknowledged.
    pub ack_timeouts: u64,
    pub sip: SipCounters,
}

/// How registration went.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub registered: Vec<String>,
    /// (extension, why)
    pub failed: Vec<(String, String)>,
}

enum Command {
    Shutdown(oneshot::Sender<AgentsSummary>),
}

/// Talks to the running agents.
pub struct Agents {
    tx: mpsc::UnboundedSender<Command>,
    registered: Option<oneshot::Receiver<Registration>>,
}

impl Agents {
    /// Registers every extension and starts answering. `registration()`
    /// tells when all registered or failed.
    pub fn start(
        opts: AgentOptions,
        core: SipCore,
        ports: PortAllocator,
        sender: Sender,
        clock: InviteClock,
    ) -> Agents {
        let (tx, rx) = mpsc::unbounded_channel();
        let (reg_tx, reg_rx) = oneshot::channel();
        let lines = opts.extensions.iter().map(|e| Line::new(e)).collect();
        let ua = AgentUa {
            core,
            opts,
            ports,
            sender,
            clock,
            lines,
            reg_keys: HashMap::new(),
            reg_reply: Some(reg_tx),
            calls: HashMap::new(),
            timers: Timers::default(),
            next_stream: 1 << 40,
            finishing: Vec::new(),
            summary: AgentsSummary::default(),
        };
        tokio::spawn(ua.run(rx));
        Agents {
            tx,
            registered: Some(reg_rx),
        }
    }

    /// Waits until every extension registered or failed.
    pub async fn registration(&mut self) -> Registration {
        match self.registered.take() {
            Some(rx) => rx.await.unwrap_or_default(),
            None => Registration::default(),
        }
    }

    /// Unregisters, ends calls still up, and gives what happened.
    pub async fn shutdown(self) -> AgentsSummary {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Command::Shutdown(tx)).is_err() {
            return AgentsSummary::default();
        }
        rx.await.unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum RegState {
    Pending,
    Registered,
    Failed(String),
    Unregistering,
    Unregistered,
}

/// One extension's registration.
struct Line {
    extension: String,
    call_id: String,
    tag: String,
    cseq: u32,
    /// Challenges answered for the current request.
    auth_tries: u32,
    state: RegState,
}

impl Line {
    fn new(extension: &str) -> Line {
        Line {
            extension: extension.to_owned(),
            call_id: hotline_sip::ids::call_id(&random(), "loadgen"),
            tag: hotline_sip::ids::tag(&random()),
            cseq: 0,
            auth_tries: 0,
            state: RegState::Pending,
        }
    }
}

struct AgentCall {
    extension: String,
    caller: String,
    /// The INVITE's server transaction, until it has a final answer.
    key: Option<TxKey>,
    invite: Request,
    tag: String,
    dialog: Option<Dialog>,
    socket: Arc<RtpSocket>,
    remote: Remote,
    sdp: String,
    stream: u64,
    receiver: Option<Receiver>,
    rung_after_invite: Option<Duration>,
}

enum Timer {
    Answer(String),
    /// Register line `i` again before its registration runs out.
    Refresh(usize),
}

struct AgentUa {
    core: SipCore,
    opts: AgentOptions,
    ports: PortAllocator,
    sender: Sender,
    clock: InviteClock,
    lines: Vec<Line>,
    /// REGISTER transactions → line.
    reg_keys: HashMap<TxKey, usize>,
    reg_reply: Option<oneshot::Sender<Registration>>,
    /// By the server's Call-ID.
    calls: HashMap<String, AgentCall>,
    timers: Timers<Timer>,
    next_stream: u64,
    finishing: Vec<JoinHandle<AgentCallRecord>>,
    summary: AgentsSummary,
}

impl AgentUa {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Command>) {
        for i in 0..self.lines.len() {
            self.register(i, self.opts.expires);
        }
        let mut buf = vec![0u8; 65536];
        let mut shutdown: Option<(oneshot::Sender<AgentsSummary>, Instant)> = None;
        loop {
            self.drain();
            self.report_registration();
            if let Some((_, until)) = &shutdown {
                let busy = self
                    .lines
                    .iter()
                    .any(|l| l.state == RegState::Unregistering);
                if !busy || Instant::now() >= *until {
                    break;
                }
            }
            let deadline = earliest(&[
                self.core.next_deadline(),
                self.timers.next(),
                shutdown.as_ref().map(|s| s.1),
            ]);
            tokio::select! {
                r = self.core.socket.recv_from(&mut buf) => {
                    if let Ok((n, from)) = r {
                        self.core.receive(from, &buf[..n]);
                    }
                }
                cmd = rx.recv() => match cmd {
                    Some(Command::Shutdown(reply)) => {
                        for i in 0..self.lines.len() {
                            if self.lines[i].state == RegState::Registered {
                                self.register(i, 0);
                            }
                        }
                        shutdown = Some((reply, Instant::now() + Duration::from_secs(3)));
                    }
                    None => return,
                },
                _ = tokio::time::sleep_until(deadline.into()) => {
                    self.core.timeout();
                    let now = Instant::now();
                    while let Some(t) = self.timers.pop_due(now) {
                        match t {
                            Timer::Answer(call_id) => self.answer(&call_id),
                            Timer::Refresh(i) => {
                                if self.lines[i].state == RegState::Registered && shutdown.is_none() {
                                    self.refresh(i);
                                }
                            }
                        }
                    }
                }
            }
        }
        // Calls still up when the run ends.
        let open: Vec<String> = self.calls.keys().cloned().collect();
        for id in open {
            self.end_call(&id, false, true);
        }
        self.summary.sip = self.core.counters;
        let mut summary = std::mem::take(&mut self.summary);
        for j in self.finishing.drain(..) {
            if let Ok(r) = j.await {
                summary.calls.push(r);
            }
        }
        if let Some((reply, _)) = shutdown {
            let _ = reply.send(summary);
        }
    }

    fn drain(&mut self) {
        while let Some(e) = self.core.poll_event() {
            self.event(e);
        }
    }

    fn report_registration(&mut self) {
        if self.reg_reply.is_none() || self.lines.iter().any(|l| l.state == RegState::Pending) {
            return;
        }
        let mut r = Registration::default();
        for l in &self.lines {
            match &l.state {
                RegState::Registered => r.registered.push(l.extension.clone()),
                RegState::Failed(why) => r.failed.push((l.extension.clone(), why.clone())),
                _ => {}
            }
        }
        if let Some(tx) = self.reg_reply.take() {
            let _ = tx.send(r);
        }
    }

    fn contact(&self, ext: &str) -> String {
        format!("<sip:{ext}@{}>", self.core.local)
    }

    /// Sends REGISTER for line `i` (`expires` 0 unregisters), with
    /// credentials when `challenge` is given.
    fn register(&mut self, i: usize, expires: u32) {
        self.lines[i].auth_tries = 0;
        self.lines[i].state = if expires == 0 {
            RegState::Unregistering
        } else {
            RegState::Pending
        };
        self.send_register(i, expires, None);
    }

    /// Registers line `i` again (it stays registered meanwhile).
    fn refresh(&mut self, i: usize) {
        self.lines[i].auth_tries = 0;
        self.send_register(i, self.opts.expires, None);
    }

    fn send_register(&mut self, i: usize, expires: u32, challenge: Option<&Challenge>) {
        let server = self.core.server;
        let contact = self.contact(&self.lines[i].extension);
        let via = self.core.via();
        let line = &mut self.lines[i];
        line.cseq += 1;
        let uri = format!("sip:{server}");
        let aor = format!("<sip:{}@{}>", line.extension, server.ip());
        let mut r = Request::new(Method::Register, uri.clone());
        r.headers.push("Via", via.to_string());
        r.headers.push("Max-Forwards", "70");
        r.headers.push("From", format!("{aor};tag={}", line.tag));
        r.headers.push("To", aor);
        r.headers.push("Call-ID", line.call_id.clone());
        r.headers.push("CSeq", format!("{} REGISTER", line.cseq));
        r.headers.push("Contact", contact);
        r.headers.push("Expires", expires.to_string());
        r.headers.push("User-Agent", "hotline-loadgen");
        if let Some(c) = challenge {
            let cnonce = hotline_sip::ids::tag(&random());
            let auth = authorization(
                c,
                &line.extension,
                &self.opts.password,
                "REGISTER",
                &uri,
                &cnonce,
                1,
            );
            r.headers.push("Authorization", auth);
        }
        if let Some(key) = self.core.send_request(r) {
            self.reg_keys.insert(key, i);
        }
    }

    fn event(&mut self, e: Event) {
        match e {
            Event::Response { key, response } => {
                if let Some(&i) = self.reg_keys.get(&key) {
                    if response.is_final() {
                        self.reg_keys.remove(&key);
                    }
                    self.register_response(i, &response);
                }
            }
            Event::Timeout { key, timer } => {
                if let Some(i) = self.reg_keys.remove(&key) {
                    let line = &mut self.lines[i];
                    line.state = match line.state {
                        RegState::Unregistering => RegState::Unregistered,
                        _ => RegState::Failed("no answer to REGISTER".into()),
                    };
                } else if matches!(
                    timer,
                    hotline_sip::transaction::Timer::L | hotline_sip::transaction::Timer::H
                ) {
                    self.summary.ack_timeouts += 1;
                }
            }
            Event::Request { key, request, .. } => self.request(key, request),
            Event::Cancel {
                key,
                invite,
                request,
                ..
            } => self.cancel(key, invite, request),
            Event::TransportError { key } => {
                if let Some(i) = self.reg_keys.remove(&key) {
                    self.lines[i].state = RegState::Failed("send failed".into());
                }
            }
            Event::Ack { .. }
            | Event::StrayResponse { .. }
            | Event::Terminated { .. }
            | Event::Malformed { .. } => {}
        }
    }

    fn register_response(&mut self, i: usize, response: &Response) {
        let unregistering = self.lines[i].state == RegState::Unregistering;
        let expires = if unregistering { 0 } else { self.opts.expires };
        match response.status {
            // Still waiting.
            100..=199 => {}
            200..=299 if unregistering => self.lines[i].state = RegState::Unregistered,
            200..=299 => {
                self.lines[i].state = RegState::Registered;
                let half = Duration::from_secs(u64::from(self.opts.expires / 2));
                self.timers.at(Instant::now() + half, Timer::Refresh(i));
            }
            401 | 407 if self.lines[i].auth_tries < 2 => {
                let headers = if response.status == 401 {
                    response.headers.www_authenticate()
                } else {
                    response.headers.get_all("Proxy-Authenticate").collect()
                };
                match Challenge::pick(headers) {
                    Some(c) => {
                        self.lines[i].auth_tries += 1;
                        self.send_register(i, expires, Some(&c));
                    }
                    None => {
                        self.lines[i].state = RegState::Failed(format!(
                            "{} without a usable challenge",
                            response.status
                        ))
                    }
                }
            }
            s => {
                self.lines[i].state = if unregistering {
                    RegState::Unregistered
                } else {
                    RegState::Failed(format!("{s} {}", response.reason))
                };
            }
        }
    }

    fn request(&mut self, key: TxKey, request: Request) {
        match request.method {
            Method::Invite if request.headers.to().and_then(|t| t.tag()).is_some() => {
                self.reinvite(key, request)
            }
            Method::Invite => self.invite(key, request),
            Method::Bye => {
                let found = DialogId::of_request(&request)
                    .map(|d| d.call_id)
                    .filter(|id| self.calls.contains_key(id));
                match found {
                    Some(id) => {
                        self.core.respond(key, request.response(200));
                        self.end_call(&id, false, false);
                    }
                    None => self.core.respond(key, request.response(481)),
                }
            }
            Method::Options | Method::Info | Method::Notify => {
                self.core.respond(key, request.response(200))
            }
            _ => self.core.respond(key, request.response(501)),
        }
    }

    fn refuse(&mut self, key: TxKey, request: &Request, status: u16) {
        *self.summary.refused.entry(status).or_default() += 1;
        let tag = hotline_sip::ids::tag(&random());
        self.core
            .respond(key, request.response(status).with_to_tag(&tag));
    }

    fn invite(&mut self, key: TxKey, request: Request) {
        let ext = request
            .sip_uri()
            .and_then(|u| u.user_unescaped())
            .or_else(|| request.headers.to().and_then(|t| t.user()))
            .unwrap_or_default();
        if !self.lines.iter().any(|l| l.extension == ext) {
            return self.refuse(key, &request, 404);
        }
        let Some(call_id) = request.headers.call_id().map(str::to_owned) else {
            return;
        };
        if self.calls.contains_key(&call_id) {
            return self.refuse(key, &request, 482);
        }
        let socket = match self.ports.allocate() {
            Ok(s) => Arc::new(s),
            Err(_) => return self.refuse(key, &request, 503),
        };
        let ip = self.core.local.ip();
        let (answer, remote) = match sdp::answer(
            &request.body,
            ip,
            socket.port,
            u64::from(rand::random::<u32>()),
        ) {
            Ok(a) => a,
            Err(_) => return self.refuse(key, &request, 488),
        };
        let caller = request
            .headers
            .from()
            .and_then(|f| f.user())
            .unwrap_or_default();
        let rung_after_invite = self
            .clock
            .lock()
            .ok()
            .and_then(|m| m.get(&caller).map(Instant::elapsed));
        let tag = hotline_sip::ids::tag(&random());
        let ringing = request
            .response(180)
            .with_to_tag(&tag)
            .with_header("Contact", self.contact(&ext));
        self.core.respond(key.clone(), ringing);
        self.next_stream += 1;
        let receiver = Receiver::spawn(socket.clone(), Party::Caller, None);
        self.calls.insert(
            call_id.clone(),
            AgentCall {
                extension: ext,
                caller,
                key: Some(key),
                invite: request,
                tag,
                dialog: None,
                socket,
                remote,
                sdp: answer,
                stream: self.next_stream,
                receiver: Some(receiver),
                rung_after_invite,
            },
        );
        if self.opts.answer_delay.is_zero() {
            self.answer(&call_id);
        } else {
            self.timers.at(
                Instant::now() + self.opts.answer_delay,
                Timer::Answer(call_id),
            );
        }
    }

    fn answer(&mut self, call_id: &str) {
        let contact = match self.calls.get(call_id) {
            Some(c) => self.contact(&c.extension),
            None => return,
        };
        let Some(c) = self.calls.get_mut(call_id) else {
            return;
        };
        let Some(key) = c.key.take() else { return };
        let ok = c
            .invite
            .response(200)
            .with_to_tag(&c.tag)
            .with_header("Contact", contact)
            .with_body("application/sdp", c.sdp.clone().into_bytes());
        c.dialog = Dialog::uas(&c.invite, &ok).ok();
        self.sender
            .start(c.stream, c.socket.clone(), c.remote, Party::Agent);
        self.core.respond(key, ok);
    }

    fn reinvite(&mut self, key: TxKey, request: Request) {
        let contact = request
            .headers
            .to()
            .and_then(|t| t.user())
            .map(|u| self.contact(&u))
            .unwrap_or_default();
        let found = DialogId::of_request(&request).and_then(|d| self.calls.get(&d.call_id));
        let response = match found {
            Some(c) => request
                .response(200)
                .with_header("Contact", contact)
                .with_body("application/sdp", c.sdp.clone().into_bytes()),
            None => request.response(481),
        };
        self.core.respond(key, response);
    }

    fn cancel(&mut self, key: TxKey, invite: Option<TxKey>, request: Request) {
        self.core.respond(
            key,
            request.response(if invite.is_some() { 200 } else { 481 }),
        );
        let Some(invite) = invite else { return };
        let Some(id) = self
            .calls
            .iter()
            .find(|(_, c)| c.key.as_ref() == Some(&invite))
            .map(|(id, _)| id.clone())
        else {
            return;
        };
        if let Some(c) = self.calls.get_mut(&id) {
            c.key = None;
            let r = c.invite.response(487).with_to_tag(&c.tag);
            self.core.respond(invite, r);
        }
        self.end_call(&id, true, false);
    }

    /// The call is over: media stops, its figures are collected.
    fn end_call(&mut self, call_id: &str, cancelled: bool, unfinished: bool) {
        let Some(mut c) = self.calls.remove(call_id) else {
            return;
        };
        self.sender.stop(c.stream);
        let answered = c.dialog.is_some();
        let receiver = c.receiver.take();
        let record = AgentCallRecord {
            extension: c.extension,
            caller: c.caller,
            rung_after_invite: c.rung_after_invite,
            answered,
            cancelled,
            unfinished,
            rx: RecvStats::default(),
        };
        self.finishing.push(tokio::spawn(async move {
            let rx = match receiver {
                Some(r) => r.finish().await,
                None => RecvStats::default(),
            };
            // The socket (and its port) is released with the last reference.
            drop(c.socket);
            AgentCallRecord { rx, ..record }
        }));
    }
}
