//! The callers: INVITEs to the service number at a steady rate while fewer
//! than the limit are on the line; after the 200 OK an ACK, the tone both
//! ways, keys if the flow needs them; once the agent's tagged audio
//! arrives the caller talks for the hold time and hangs up (BYE). A
//! caller that hears no agent within the wait limit hangs up too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hotline_sip::dialog::{Dialog, DialogId};
use hotline_sip::{Event, Method, Request, Response, TxKey};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::core::{earliest, random, SipCore, SipCounters, Timers};
use super::InviteClock;
use crate::rtp::{Party, PortAllocator, Receiver, RecvStats, RtpSocket, Sender};
use crate::sdp;

pub struct CallerOptions {
    pub number: String,
    pub rate: f64,
    pub max_active: usize,
    pub duration: Duration,
    pub max_calls: Option<u64>,
    pub hold: Duration,
    pub max_wait: Duration,
    pub dtmf: Vec<char>,
    pub dtmf_delay: Duration,
}

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// Talked to an agent for the hold time, then hung up.
    Completed,
    /// A final error response to the INVITE.
    Refused(u16),
    /// No final response to the INVITE.
    Timeout,
    /// Answered, but no agent's audio within the wait limit.
    NoAgent,
    /// The server hung up (BYE) first; its Reason header, if any.
    ServerHangup(String),
    /// Still up when the run ended.
    Unfinished,
    /// Could not be placed or carried on here (ports, bad SDP).
    Local(String),
}

/// One call, measured.
#[derive(Debug, Clone)]
pub struct CallRecord {
    pub outcome: Outcome,
    /// Seconds after the run's start the INVITE went out.
    pub placed_at: f64,
    pub trying: Option<Duration>,
    pub ringing: Option<Duration>,
    /// INVITE → 200 OK.
    pub answered: Option<Duration>,
    /// INVITE → the first frame of the agent's audio.
    pub agent_audio: Option<Duration>,
    pub rx: Option<RecvStats>,
}

/// Calls on the line now, for sampling while the run goes on.
#[derive(Debug, Default)]
pub struct Live {
    /// INVITE sent, not yet over.
    pub active: AtomicU64,
    /// Answered (in the IVR, queued or talking).
    pub answered: AtomicU64,
    /// Hearing their agent.
    pub talking: AtomicU64,
}

/// What the callers did.
#[derive(Debug, Default)]
pub struct CallersSummary {
    pub records: Vec<CallRecord>,
    /// Placement slots passed over because --callers were on the line.
    pub skipped_full: u64,
    /// Seconds during which calls were placed.
    pub placing_secs: f64,
    pub bye_timeouts: u64,
    pub sip: SipCounters,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Inviting,
    Answered,
    Talking,
    Ending,
}

struct Call {
    user: String,
    invite: Request,
    invite_at: Instant,
    phase: Phase,
    trying: Option<Duration>,
    ringing: Option<Duration>,
    answered: Option<Duration>,
    agent_audio: Option<Duration>,
    /// The agent's audio arrived before the 200 OK was handled (the
    /// server relays as soon as it bridges): applied on the 200.
    heard_early: Option<Instant>,
    dialog: Option<Dialog>,
    ack: Option<Request>,
    socket: Arc<RtpSocket>,
    sdp: String,
    receiver: Option<Receiver>,
    /// The receiver's figures, once media stopped.
    rx: Option<JoinHandle<RecvStats>>,
    /// Decided when hanging up; completed by the BYE's answer.
    outcome: Option<Outcome>,
}

enum Timer {
    MaxWait(u64),
    Hangup(u64),
    Key(u64, char),
}

pub struct CallerUa {
    core: SipCore,
    opts: CallerOptions,
    ports: PortAllocator,
    sender: Sender,
    clock: InviteClock,
    live: Arc<Live>,
    started: Instant,
    calls: HashMap<u64, Call>,
    by_key: HashMap<TxKey, u64>,
    by_call_id: HashMap<String, u64>,
    timers: Timers<Timer>,
    placed: u64,
    finished: Vec<JoinHandle<CallRecord>>,
    summary: CallersSummary,
}

impl CallerUa {
    pub fn new(
        opts: CallerOptions,
        core: SipCore,
        ports: PortAllocator,
        sender: Sender,
        clock: InviteClock,
        live: Arc<Live>,
        started: Instant,
    ) -> CallerUa {
        CallerUa {
            core,
            opts,
            ports,
            sender,
            clock,
            live,
            started,
            calls: HashMap::new(),
            by_key: HashMap::new(),
            by_call_id: HashMap::new(),
            timers: Timers::default(),
            placed: 0,
            finished: Vec::new(),
            summary: CallersSummary::default(),
        }
    }

    /// Places calls for the duration, lets them finish (at most `grace`
    /// more), and gives what happened.
    pub async fn run(mut self, grace: Duration) -> CallersSummary {
        let interval = Duration::from_secs_f64(1.0 / self.opts.rate);
        let placing_until = self.started + self.opts.duration;
        let hard_stop = placing_until + grace;
        let mut next_place = self.started;
        let mut placing = true;
        let (heard_tx, mut heard_rx) = mpsc::unbounded_channel::<(u64, Instant)>();
        let mut buf = vec![0u8; 65536];
        loop {
            let now = Instant::now();
            if placing
                && (now >= placing_until || self.opts.max_calls.is_some_and(|m| self.placed >= m))
            {
                placing = false;
                self.summary.placing_secs = now
                    .duration_since(self.started)
                    .as_secs_f64()
                    .min(self.opts.duration.as_secs_f64());
            }
            // Placement slots due (a few at once if we fell behind).
            let mut burst = 0;
            while placing
                && now >= next_place
                && burst < 20
                && self.opts.max_calls.is_none_or(|m| self.placed < m)
            {
                if self.calls.len() < self.opts.max_active {
                    self.place(&heard_tx);
                } else {
                    self.summary.skipped_full += 1;
                }
                next_place += interval;
                burst += 1;
            }
            self.drain();
            if !placing && self.calls.is_empty() {
                break;
            }
            if now >= hard_stop {
                let open: Vec<u64> = self.calls.keys().copied().collect();
                for id in open {
                    self.stop_media(id);
                    self.finish(id, Outcome::Unfinished);
                }
                break;
            }
            let deadline = earliest(&[
                self.core.next_deadline(),
                self.timers.next(),
                placing.then_some(next_place),
                Some(hard_stop),
            ]);
            tokio::select! {
                r = self.core.socket.recv_from(&mut buf) => {
                    if let Ok((n, from)) = r {
                        self.core.receive(from, &buf[..n]);
                    }
                }
                Some((id, at)) = heard_rx.recv() => self.heard_agent(id, at),
                _ = tokio::time::sleep_until(deadline.into()) => {
                    self.core.timeout();
                    let now = Instant::now();
                    while let Some(t) = self.timers.pop_due(now) {
                        self.timer(t);
                    }
                }
            }
        }
        if self.summary.placing_secs == 0.0 {
            self.summary.placing_secs = self.opts.duration.as_secs_f64();
        }
        self.summary.sip = self.core.counters;
        let mut summary = std::mem::take(&mut self.summary);
        for j in self.finished.drain(..) {
            if let Ok(r) = j.await {
                summary.records.push(r);
            }
        }
        summary
    }

    fn drain(&mut self) {
        while let Some(e) = self.core.poll_event() {
            self.event(e);
        }
    }

    fn place(&mut self, heard: &mpsc::UnboundedSender<(u64, Instant)>) {
        self.placed += 1;
        let id = self.placed;
        let now = Instant::now();
        let socket = match self.ports.allocate() {
            Ok(s) => Arc::new(s),
            Err(e) => {
                let placed_at = now.duration_since(self.started).as_secs_f64();
                let record = CallRecord {
                    outcome: Outcome::Local(e.to_string()),
                    placed_at,
                    trying: None,
                    ringing: None,
                    answered: None,
                    agent_audio: None,
                    rx: None,
                };
                self.finished.push(tokio::spawn(async move { record }));
                return;
            }
        };
        let user = format!("7{id:06}");
        let local = self.core.local;
        let server = self.core.server;
        let call_id = hotline_sip::ids::call_id(&random(), &local.ip().to_string());
        let offer = sdp::offer(local.ip(), socket.port, u64::from(rand::random::<u32>()));
        let mut invite = Request::new(Method::Invite, format!("sip:{}@{server}", self.opts.number));
        invite.headers.push("Via", self.core.via().to_string());
        invite.headers.push("Max-Forwards", "70");
        invite.headers.push(
            "From",
            format!(
                "<sip:{user}@{}>;tag={}",
                local.ip(),
                hotline_sip::ids::tag(&random())
            ),
        );
        invite
            .headers
            .push("To", format!("<sip:{}@{}>", self.opts.number, server.ip()));
        invite.headers.push("Call-ID", call_id.clone());
        invite.headers.push("CSeq", "1 INVITE");
        invite
            .headers
            .push("Contact", format!("<sip:{user}@{local}>"));
        invite.headers.push("User-Agent", "hotline-loadgen");
        let invite = invite.with_body("application/sdp", offer.clone().into_bytes());
        if let Ok(mut m) = self.clock.lock() {
            m.insert(user.clone(), now);
        }
        let receiver = Receiver::spawn(socket.clone(), Party::Agent, Some((heard.clone(), id)));
        let Some(key) = self.core.send_request(invite.clone()) else {
            return;
        };
        self.by_key.insert(key, id);
        self.by_call_id.insert(call_id, id);
        self.live.active.fetch_add(1, Ordering::Relaxed);
        self.calls.insert(
            id,
            Call {
                user,
                invite,
                invite_at: now,
                phase: Phase::Inviting,
                trying: None,
                ringing: None,
                answered: None,
                agent_audio: None,
                heard_early: None,
                dialog: None,
                ack: None,
                socket,
                sdp: offer,
                receiver: Some(receiver),
                rx: None,
                outcome: None,
            },
        );
    }

    /// Moves a call to `phase`, keeping the live counts.
    fn set_phase(&mut self, id: u64, phase: Phase) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        let counts = |p: Phase| match p {
            Phase::Answered => (1u64, 0u64),
            Phase::Talking => (1, 1),
            Phase::Inviting | Phase::Ending => (0, 0),
        };
        let (a0, t0) = counts(c.phase);
        let (a1, t1) = counts(phase);
        c.phase = phase;
        adjust(&self.live.answered, a0, a1);
        adjust(&self.live.talking, t0, t1);
    }

    fn event(&mut self, e: Event) {
        match e {
            Event::Response { key, response } => {
                let Some(&id) = self.by_key.get(&key) else {
                    return;
                };
                let method = response.headers.cseq().map(|c| c.method);
                match method {
                    Some(Method::Invite) => self.invite_response(id, key, response),
                    Some(Method::Bye) if response.is_final() => {
                        self.by_key.remove(&key);
                        self.bye_done(id);
                    }
                    _ => {}
                }
            }
            Event::Timeout { key, .. } | Event::TransportError { key } => {
                let Some(id) = self.by_key.remove(&key) else {
                    return;
                };
                if key.method == Method::Bye {
                    self.summary.bye_timeouts += 1;
                    self.bye_done(id);
                } else if self
                    .calls
                    .get(&id)
                    .is_some_and(|c| c.phase == Phase::Inviting)
                {
                    self.stop_media(id);
                    self.finish(id, Outcome::Timeout);
                }
            }
            Event::Request { key, request, .. } => self.request(key, request),
            Event::Cancel { key, request, .. } => self.core.respond(key, request.response(481)),
            Event::Terminated { key } => {
                // An INVITE transaction over; BYEs are removed on their answer.
                if key.method == Method::Invite {
                    self.by_key.remove(&key);
                }
            }
            Event::Ack { .. } | Event::StrayResponse { .. } | Event::Malformed { .. } => {}
        }
    }

    fn invite_response(&mut self, id: u64, key: TxKey, response: Response) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        let since = c.invite_at.elapsed();
        match response.status {
            100 => {
                c.trying.get_or_insert(since);
            }
            101..=199 => {
                c.ringing.get_or_insert(since);
            }
            200..=299 => {
                if let Some(ack) = c.ack.clone() {
                    // A retransmitted 2xx: our ACK was lost.
                    self.core.send_request(ack);
                    return;
                }
                if c.phase != Phase::Inviting {
                    return;
                }
                c.answered = Some(since);
                let dialog = match Dialog::uac(&c.invite, &response) {
                    Ok(d) => d,
                    Err(e) => {
                        self.stop_media(id);
                        return self.finish(id, Outcome::Local(format!("unusable 200 OK: {e}")));
                    }
                };
                let ack = dialog.ack(dialog.local_cseq, &self.core.via());
                c.ack = Some(ack.clone());
                c.dialog = Some(dialog);
                self.core.send_request(ack);
                let Some(c) = self.calls.get_mut(&id) else {
                    return;
                };
                match sdp::remote(&response.body) {
                    Ok(remote) => self
                        .sender
                        .start(id, c.socket.clone(), remote, Party::Caller),
                    Err(e) => {
                        return self
                            .hang_up(id, Outcome::Local(format!("unusable SDP answer: {e}")));
                    }
                }
                self.set_phase(id, Phase::Answered);
                let now = Instant::now();
                self.timers.at(now + self.opts.max_wait, Timer::MaxWait(id));
                for (i, k) in self.opts.dtmf.iter().enumerate() {
                    self.timers.at(
                        now + self.opts.dtmf_delay * (i as u32 + 1),
                        Timer::Key(id, *k),
                    );
                }
                if let Some(at) = self.calls.get_mut(&id).and_then(|c| c.heard_early.take()) {
                    self.heard_agent(id, at);
                }
            }
            status => {
                self.by_key.remove(&key);
                if c.phase == Phase::Inviting {
                    self.stop_media(id);
                    self.finish(id, Outcome::Refused(status));
                }
            }
        }
    }

    fn heard_agent(&mut self, id: u64, at: Instant) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        if c.phase == Phase::Inviting {
            c.heard_early = Some(at);
            return;
        }
        if c.phase != Phase::Answered {
            return;
        }
        c.agent_audio = Some(at.duration_since(c.invite_at));
        self.set_phase(id, Phase::Talking);
        self.timers.at(at + self.opts.hold, Timer::Hangup(id));
    }

    fn timer(&mut self, t: Timer) {
        match t {
            Timer::MaxWait(id) => {
                if self
                    .calls
                    .get(&id)
                    .is_some_and(|c| c.phase == Phase::Answered)
                {
                    self.hang_up(id, Outcome::NoAgent);
                }
            }
            Timer::Hangup(id) => {
                if self
                    .calls
                    .get(&id)
                    .is_some_and(|c| c.phase == Phase::Talking)
                {
                    self.hang_up(id, Outcome::Completed);
                }
            }
            Timer::Key(id, key) => {
                if self
                    .calls
                    .get(&id)
                    .is_some_and(|c| matches!(c.phase, Phase::Answered | Phase::Talking))
                {
                    self.sender.key(id, key);
                }
            }
        }
    }

    fn request(&mut self, key: TxKey, request: Request) {
        let id =
            DialogId::of_request(&request).and_then(|d| self.by_call_id.get(&d.call_id).copied());
        match (request.method.clone(), id) {
            (Method::Bye, Some(id)) => {
                self.core.respond(key, request.response(200));
                let reason = request.headers.get("Reason").unwrap_or("").to_owned();
                if self
                    .calls
                    .get(&id)
                    .is_some_and(|c| c.phase != Phase::Ending)
                {
                    self.stop_media(id);
                    self.finish(id, Outcome::ServerHangup(reason));
                }
            }
            (Method::Invite, Some(id)) => {
                let contact = self
                    .calls
                    .get(&id)
                    .map(|c| format!("<sip:{}@{}>", c.user, self.core.local))
                    .unwrap_or_default();
                let body = self
                    .calls
                    .get(&id)
                    .map(|c| c.sdp.clone().into_bytes())
                    .unwrap_or_default();
                self.core.respond(
                    key,
                    request
                        .response(200)
                        .with_header("Contact", contact)
                        .with_body("application/sdp", body),
                );
            }
            (Method::Options | Method::Info | Method::Notify, _) => {
                self.core.respond(key, request.response(200))
            }
            (Method::Bye | Method::Invite, None) => self.core.respond(key, request.response(481)),
            _ => self.core.respond(key, request.response(501)),
        }
    }

    /// Sends BYE; the call ends with `outcome` when it is answered.
    fn hang_up(&mut self, id: u64, outcome: Outcome) {
        self.stop_media(id);
        let via = self.core.via();
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        c.outcome = Some(outcome.clone());
        let Some(bye) = c.dialog.as_mut().map(|d| d.request(Method::Bye, &via)) else {
            return self.finish(id, outcome);
        };
        self.set_phase(id, Phase::Ending);
        match self.core.send_request(bye) {
            Some(key) => {
                self.by_key.insert(key, id);
            }
            None => self.finish(id, outcome),
        }
    }

    fn bye_done(&mut self, id: u64) {
        let outcome = self
            .calls
            .get(&id)
            .and_then(|c| c.outcome.clone())
            .unwrap_or(Outcome::Completed);
        self.finish(id, outcome);
    }

    /// Stops sending and receiving; the receiver's figures are kept.
    fn stop_media(&mut self, id: u64) {
        self.sender.stop(id);
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        if let Some(r) = c.receiver.take() {
            c.rx = Some(tokio::spawn(r.finish()));
        }
    }

    /// The call is over: forget it, record it.
    fn finish(&mut self, id: u64, outcome: Outcome) {
        self.set_phase(id, Phase::Inviting);
        let Some(c) = self.calls.remove(&id) else {
            return;
        };
        self.live.active.fetch_sub(1, Ordering::Relaxed);
        if let Some(call_id) = c.invite.headers.call_id() {
            self.by_call_id.remove(call_id);
        }
        if let Ok(mut m) = self.clock.lock() {
            m.remove(&c.user);
        }
        let placed_at = c.invite_at.duration_since(self.started).as_secs_f64();
        let record = CallRecord {
            outcome,
            placed_at,
            trying: c.trying,
            ringing: c.ringing,
            answered: c.answered,
            agent_audio: c.agent_audio,
            rx: None,
        };
        self.sender.stop(id);
        let rx = match (c.rx, c.receiver) {
            (Some(j), _) => Some(j),
            (None, Some(r)) => Some(tokio::spawn(r.finish())),
            (None, None) => None,
        };
        let socket = c.socket;
        self.finished.push(tokio::spawn(async move {
            let rx = match rx {
                Some(j) => j.await.ok(),
                None => None,
            };
            drop(socket);
            CallRecord { rx, ..record }
        }));
    }
}

fn adjust(counter: &AtomicU64, from: u64, to: u64) {
    if to > from {
        counter.fetch_add(to - from, Ordering::Relaxed);
    } else if from > to {
        counter.fetch_sub(from - to, Ordering::Relaxed);
    }
}
