//! The media of one call: a tokio task that owns the caller's leg and, once
//! an agent is rung, the agent's leg; plays prompts and music on hold to the
//! caller, hears keys (RFC 4733, or in-band tones from phones that send
//! none), relays audio between the legs once bridged, and records both
//! sides into one stereo file.
//!
//! The call driver talks to it with [`Command`]s and hears back
//! [`MediaEvent`]s. A task that fails (a socket error, a bad recording
//! disk) ends only its own call's media: every call has its own task.
//!
//! Timing: a 20 ms tick paces prompts and the recorder (which takes one
//! frame per side per tick from the legs' jitter buffers, so both channels
//! stay aligned, and hands them to its writer task: see `recording.rs`);
//! ticks missed while the machine is busy are caught up (burst), so the
//! buffers never fall behind the audio arriving;
//! relayed audio between two parties is forwarded as it arrives, without
//! waiting for a tick, so the bridge adds no delay.
//!
//! A supervisor's leg (listen, whisper, barge) makes three parties: then
//! the tick mixes instead ([`hotline_media::mix`]): one frame per leg from
//! the jitter buffers, each leg sent the mix of those it hears by the plan
//! the roles give (a held caller hears music and is heard by nobody).

mod leg;
mod recording;
mod webrtc;

use std::sync::Arc;
use std::time::{Duration, Instant};

use hotline_calls::{CallId, Side};
use hotline_media::mix::{Mixer, Monitor, Plan, Role};
use hotline_media::player::Player;
use hotline_media::sdp::Negotiated;
use tokio::sync::mpsc;

pub use leg::{Heard, Leg, MAX_SAMPLES};
pub use webrtc::{WebRtcError, WebRtcLeg};

use crate::prompt_library::{PromptLibrary, Samples};
use crate::recordings::RecordingStorage;
use recording::RecordingWriter;

/// What the driver asks of a call's media.
pub enum Command {
    /// Play a prompt to the caller; a looped one (music on hold) plays until `Stop`.
    Play { prompt: String, looped: bool },
    /// Stop what plays to the caller.
    Stop,
    /// The agent leg (a phone is rung, a browser answered), or none (it ended).
    AgentLeg(Option<Box<Endpoint>>),
    /// A leg's peer described its media (SDP answer, or a re-INVITE) in a
    /// SIP message sent from `signalling` (to tell whether it may be behind NAT).
    Remote { side: Side, sdp: Negotiated, signalling: std::net::IpAddr },
    /// Relay audio between caller and agent, and record it if asked.
    Bridge { recording: Option<RecordingTarget> },
    /// The agent holds the caller (`true`): their audio is no longer
    /// relayed either way (the caller hears music, played with `Play`).
    Hold(bool),
    /// A supervisor's leg joins in `Monitor` mode, or (`None`) leaves.
    MonitorLeg(Option<(Box<Endpoint>, Monitor)>),
    /// The supervisor switches mode without dialling again.
    MonitorMode(Monitor),
    /// The supervisor takes the call over: their leg becomes the agent's
    /// (the agent's is closed) and the call is two-party again.
    TakeOver,
    /// Secure pause (`true`): the recording takes silence instead of the
    /// call, and the caller's keys are not passed on to the agent, until
    /// resumed (`false`).
    PauseRecording(bool),
    /// Record the caller alone (a voicemail): caller left, right silent.
    Record(RecordingTarget),
    /// Send a key to a leg as RFC 4733 events.
    SendKey { side: Side, key: char },
    /// End the media: finish the recording, release the ports.
    Close,
}

/// One side of a call's media: a SIP phone's RTP, or a browser's WebRTC.
// The legs differ in size, but an `AgentLeg` always lives boxed (one per call).
#[allow(clippy::large_enum_variant)]
pub enum Endpoint {
    Rtp(Leg),
    WebRtc(WebRtcLeg),
}

impl Endpoint {
    /// The RTCP socket of an RTP leg (WebRTC multiplexes RTCP).
    fn rtcp(&self) -> Option<&tokio::net::UdpSocket> {
        match self {
            Endpoint::Rtp(l) => Some(&l.rtcp),
            Endpoint::WebRtc(_) => None,
        }
    }


    /// Whether the peer sends media (an RTP peer on hold does not).
    fn peer_sends(&self) -> bool {
        match self {
            Endpoint::Rtp(l) => l.peer_sends(),
            Endpoint::WebRtc(w) => !w.gone(),
        }
    }

    fn is_closed(&self) -> bool {
        matches!(self, Endpoint::WebRtc(w) if w.gone())
    }

    fn socket(&self) -> &tokio::net::UdpSocket {
        match self {
            Endpoint::Rtp(l) => &l.rtp,
            Endpoint::WebRtc(w) => &w.socket,
        }
    }

    fn receive(&mut self, datagram: &[u8], from: std::net::SocketAddr, now_samples: u64, inband: bool, pcm: &mut [i16; MAX_SAMPLES]) -> Heard {
        match self {
            Endpoint::Rtp(l) => l.receive(datagram, from, now_samples, inband, pcm),
            Endpoint::WebRtc(w) => w.receive(datagram, from, pcm),
        }
    }

    fn send_audio(&mut self, samples: &[i16]) {
        match self {
            Endpoint::Rtp(l) => l.send_audio(samples),
            Endpoint::WebRtc(w) => w.send_audio(samples),
        }
    }

    fn send_key(&mut self, key: char) {
        if let Endpoint::Rtp(l) = self {
            l.send_key(key);
        }
    }

    fn set_jitter_depth(&mut self, frames: usize) {
        match self {
            Endpoint::Rtp(l) => l.set_jitter_depth(frames),
            Endpoint::WebRtc(w) => w.set_jitter_depth(frames),
        }
    }

    fn pop_frame(&mut self) -> hotline_media::jitter::Frame {
        match self {
            Endpoint::Rtp(l) => l.jitter.pop(),
            Endpoint::WebRtc(w) => w.jitter.pop(),
        }
    }

    /// RTP legs report by RTCP from the media tick; WebRTC reports itself.
    fn send_report(&mut self) {
        if let Endpoint::Rtp(l) = self {
            l.send_report();
        }
    }

    fn deadline(&self) -> Option<Instant> {
        match self {
            Endpoint::WebRtc(w) if !w.closed => Some(w.deadline()),
            _ => None,
        }
    }

    fn on_timeout(&mut self) {
        if let Endpoint::WebRtc(w) = self {
            w.on_timeout(Instant::now());
        }
    }

    fn close(&mut self) {
        if let Endpoint::WebRtc(w) = self {
            w.close();
        }
    }

    fn report(&self) -> LegReport {
        match self {
            Endpoint::Rtp(l) => LegReport::of(l),
            Endpoint::WebRtc(w) => LegReport { received: w.received, lost: w.jitter.stats.lost, jitter_ms: 0.0, sent: w.sent },
        }
    }
}

/// Where to record a bridged call.
pub struct RecordingTarget {
    pub id: String,
    /// Path inside the storage, e.g. `2026/11/30/<id>.wav`.
    pub path: String,
    pub storage: Arc<dyn RecordingStorage>,
}

/// What a call's media tells the driver.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaEvent {
    /// The caller pressed a key.
    Digit { call: CallId, digit: char },
    /// A prompt started by `Play` (not looped) finished, or could
    /// not be played at all.
    PromptDone { call: CallId },
    /// The recording is finished: its length and SHA-256, or why it failed.
    Recorded { call: CallId, id: String, duration_ms: u64, sha256: Result<String, String> },
    /// The caller's phone sent no RTP for the configured time.
    Silent { call: CallId },
    /// The media ended; what each leg received.
    Closed { call: CallId, caller: LegReport, agent: Option<LegReport> },
}

/// Receive statistics of one leg, for logs and load figures.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LegReport {
    pub received: u64,
    pub lost: u64,
    pub jitter_ms: f64,
    pub sent: u64,
}

impl LegReport {
    fn of(leg: &Leg) -> LegReport {
        LegReport { received: leg.stats.received, lost: leg.stats.lost(), jitter_ms: leg.stats.jitter_ms(), sent: leg.sent }
    }
}

/// Sends commands to one call's media task. Dropping it ends the task.
#[derive(Clone)]
pub struct MediaHandle {
    tx: mpsc::UnboundedSender<Command>,
}

impl MediaHandle {
    pub fn send(&self, c: Command) {
        // A task that ended has nothing left to do with commands.
        let _ = self.tx.send(c);
    }
}

/// Settings every call's media shares.
#[derive(Debug, Clone, Copy)]
pub struct MediaSettings {
    /// Receive jitter buffer depth, in 20 ms frames.
    pub jitter_frames: usize,
    /// Report a caller silent after this long without RTP (`None`: never).
    pub rtp_timeout: Option<Duration>,
}

impl Default for MediaSettings {
    fn default() -> Self {
        MediaSettings { jitter_frames: 3, rtp_timeout: Some(Duration::from_secs(60)) }
    }
}

/// Starts the media task of `call` with the caller's leg.
pub fn spawn(call: CallId, mut caller: Endpoint, settings: MediaSettings, prompts: PromptLibrary, events: mpsc::UnboundedSender<MediaEvent>) -> MediaHandle {
    caller.set_jitter_depth(settings.jitter_frames);
    let (tx, rx) = mpsc::unbounded_channel();
    let task = CallMedia {
        call,
        caller,
        agent: None,
        prompts,
        events,
        player: None,
        playing: 0,
        loop_next: false,
        bridged: false,
        held: false,
        paused: false,
        monitor: None,
        mixer: Mixer::default(),
        recording: None,
        writing: Vec::new(),
        started: Instant::now(),
        settings,
        heard_at: Instant::now(),
        silent: false,
    };
    tokio::spawn(task.run(rx));
    MediaHandle { tx }
}

struct CallMedia {
    call: CallId,
    caller: Endpoint,
    agent: Option<Box<Endpoint>>,
    prompts: PromptLibrary,
    events: mpsc::UnboundedSender<MediaEvent>,
    player: Option<(Player, bool)>,
    /// Numbers `Play` commands, so a prompt that finishes loading after a
    /// newer `Play` or `Stop` is not played.
    playing: u64,
    /// Whether the prompt being loaded loops (music on hold).
    loop_next: bool,
    bridged: bool,
    /// The agent holds the caller.
    held: bool,
    /// Secure pause: silence recorded, keys kept from the agent.
    paused: bool,
    /// A supervisor's leg and mode; while there is one the tick mixes.
    monitor: Option<(Box<Endpoint>, Monitor)>,
    mixer: Mixer,
    recording: Option<RecordingWriter>,
    /// Recordings ended but still being completed on disk.
    writing: Vec<tokio::task::JoinHandle<()>>,
    started: Instant,
    settings: MediaSettings,
    /// When the caller's phone last sent RTP (or the call started).
    heard_at: Instant,
    /// `Silent` was reported.
    silent: bool,
}

/// Waits for a datagram on an optional leg, or forever when there is none.
async fn recv_on(leg: Option<&Endpoint>, buf: &mut [u8]) -> std::io::Result<(usize, std::net::SocketAddr)> {
    match leg {
        Some(a) => a.socket().recv_from(buf).await,
        None => std::future::pending().await,
    }
}

/// Sleeps until the agent leg's own timer (WebRTC), or forever.
async fn agent_timer(agent: &Option<Box<Endpoint>>) {
    timer(agent.as_ref().and_then(|a| a.deadline())).await
}

/// Sleeps until `at`, or forever.
async fn timer(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

/// Reads RTCP from an RTP leg (so the socket never fills), or waits forever.
async fn recv_rtcp(leg: &Endpoint, buf: &mut [u8]) -> std::io::Result<(usize, std::net::SocketAddr)> {
    match leg.rtcp() {
        Some(s) => s.recv_from(buf).await,
        None => std::future::pending().await,
    }
}

impl CallMedia {
    fn emit(&self, e: MediaEvent) {
        let _ = self.events.send(e);
    }

    fn now_samples(&self) -> u64 {
        self.started.elapsed().as_micros() as u64 * 8 / 1000
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Command>) {
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        // A tick missed on a busy machine is caught up at once: the jitter
        // buffers are drained at the rate audio arrives, and the recording
        // keeps the call's real length.
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let (loaded_tx, mut loaded) = mpsc::unbounded_channel::<(u64, Option<Samples>)>();
        let mut buf = [0u8; 2048];
        let mut abuf = [0u8; 2048];
        let mut mbuf = [0u8; 2048];
        let mut rtcp = [0u8; 1500];
        let mut pcm = [0i16; MAX_SAMPLES];
        let mut ticks: u64 = 0;
        loop {
            tokio::select! {
                cmd = rx.recv() => match cmd {
                    None | Some(Command::Close) => break,
                    Some(Command::Play { prompt, looped }) => self.play(prompt, looped, &loaded_tx),
                    Some(c) => self.command(c),
                },
                Some((n, samples)) = loaded.recv() => self.loaded(n, samples),
                r = self.caller.socket().recv_from(&mut buf) => {
                    let Ok((len, from)) = r else { continue };
                    self.heard_from_caller(&buf[..len], from, &mut pcm);
                    // Whatever else is queued on the socket, without another wake-up.
                    while let Ok((len, from)) = self.caller.socket().try_recv_from(&mut buf) {
                        self.heard_from_caller(&buf[..len], from, &mut pcm);
                    }
                }
                r = recv_on(self.agent.as_deref(), &mut abuf) => {
                    let Ok((len, from)) = r else { continue };
                    self.heard_from_agent(&abuf[..len], from, &mut pcm);
                    while let Some(Ok((len, from))) = self.agent.as_ref().map(|a| a.socket().try_recv_from(&mut abuf)) {
                        self.heard_from_agent(&abuf[..len], from, &mut pcm);
                    }
                }
                () = agent_timer(&self.agent) => {
                    if let Some(a) = self.agent.as_mut() {
                        a.on_timeout();
                    }
                }
                r = recv_on(self.monitor.as_ref().map(|m| &*m.0), &mut mbuf) => {
                    let Ok((len, from)) = r else { continue };
                    self.heard_from_monitor(&mbuf[..len], from, &mut pcm);
                    while let Some(Ok((len, from))) = self.monitor.as_ref().map(|m| m.0.socket().try_recv_from(&mut mbuf)) {
                        self.heard_from_monitor(&mbuf[..len], from, &mut pcm);
                    }
                }
                () = timer(self.monitor.as_ref().and_then(|m| m.0.deadline())) => {
                    if let Some((m, _)) = self.monitor.as_mut() {
                        m.on_timeout();
                    }
                }

                // RTCP from the caller: read so the socket never fills.
                _ = recv_rtcp(&self.caller, &mut rtcp) => {}
                () = timer(self.caller.deadline()) => self.caller.on_timeout(),
                _ = tick.tick() => {
                    ticks += 1;
                    self.tick(ticks);
                }
            }
        }
        self.close().await;
    }

    /// A datagram on the caller's leg: keys to the driver, audio relayed when bridged.
    fn heard_from_caller(&mut self, datagram: &[u8], from: std::net::SocketAddr, pcm: &mut [i16; MAX_SAMPLES]) {
        let now = self.now_samples();
        let heard = self.caller.receive(datagram, from, now, !self.bridged, pcm);
        if heard != Heard::Refused {
            // A stranger's packets do not keep a silent caller's call alive.
            self.heard_at = Instant::now();
        }
        match heard {
            Heard::Audio(n) if self.relaying() => {
                if let Some(a) = self.agent.as_mut() {
                    a.send_audio(&pcm[..n]);
                }
            }
            Heard::Key(digit) => {
                if self.bridged && !self.paused {
                    if let Some(a) = self.agent.as_mut() {
                        a.send_key(digit);
                    }
                }
                self.emit(MediaEvent::Digit { call: self.call, digit });
            }
            _ => {}
        }
    }

    /// A datagram on the agent's leg: relayed to the caller when bridged.
    fn heard_from_agent(&mut self, datagram: &[u8], from: std::net::SocketAddr, pcm: &mut [i16; MAX_SAMPLES]) {
        let now = self.now_samples();
        let relay = self.relaying();
        let Some(a) = self.agent.as_mut() else { return };
        match a.receive(datagram, from, now, false, pcm) {
            Heard::Audio(n) if relay => self.caller.send_audio(&pcm[..n]),
            // The agent keys for the customer (an extension, a PIN for a bank's IVR).
            Heard::Key(k) if self.bridged => self.caller.send_key(k),
            _ => {}
        }
    }

    /// Whether audio goes from leg to leg as it arrives (two parties, not
    /// on hold); otherwise the tick mixes, or nothing is relayed.
    fn relaying(&self) -> bool {
        self.bridged && !self.held && self.monitor.is_none()
    }

    /// A datagram on the supervisor's leg: into its jitter buffer, for the tick's mix.
    fn heard_from_monitor(&mut self, datagram: &[u8], from: std::net::SocketAddr, pcm: &mut [i16; MAX_SAMPLES]) {
        let now = self.now_samples();
        if let Some((m, _)) = self.monitor.as_mut() {
            m.receive(datagram, from, now, false, pcm);
        }
    }

    /// The plan for the legs there are now: caller, agent, supervisor.
    fn replan(&mut self) {
        let mode = self.monitor.as_ref().map(|m| m.1);
        let mut roles = vec![Role::Customer { held: self.held }, Role::Agent];
        roles.extend(mode.map(Role::Supervisor));
        let plan = if self.bridged { Plan::from_roles(&roles) } else { Plan::silent(roles.len()) };
        self.mixer.set_plan(plan);
    }

    fn play(&mut self, prompt: String, looped: bool, loaded: &mpsc::UnboundedSender<(u64, Option<Samples>)>) {
        self.playing += 1;
        self.player = None;
        let n = self.playing;
        let prompts = self.prompts.clone();
        let loaded = loaded.clone();
        let call = self.call;
        tokio::spawn(async move {
            let samples = match prompts.get(&prompt).await {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::warn!(%call, error = %e, "prompt not played");
                    None
                }
            };
            let _ = loaded.send((n, samples));
        });
        self.loop_next = looped;
    }

    fn loaded(&mut self, n: u64, samples: Option<Samples>) {
        if n != self.playing {
            return;
        }
        match samples {
            Some(s) => self.player = Some((Player::new(s, self.loop_next), self.loop_next)),
            None if self.loop_next => {}
            None => self.emit(MediaEvent::PromptDone { call: self.call }),
        }
    }

    fn command(&mut self, c: Command) {
        match c {
            Command::Stop => {
                self.playing += 1;
                self.player = None;
            }
            Command::AgentLeg(mut leg) => {
                if let Some(old) = self.agent.as_mut() {
                    old.close();
                }
                if leg.is_none() && self.bridged {
                    // The agent left: the conversation, and its recording, are over
                    // (what follows, a survey say, is not recorded).
                    self.finish_recording();
                }
                self.bridged = self.bridged && leg.is_some();
                self.replan();
                if let Some(l) = leg.as_mut() {
                    l.set_jitter_depth(self.settings.jitter_frames);
                }
                self.agent = leg;
            }
            Command::Remote { side: Side::Caller, sdp, signalling } => {
                // A new caller (a customer called back) or a moved stream: watch it afresh.
                self.heard_at = Instant::now();
                self.silent = false;
                if let Endpoint::Rtp(l) = &mut self.caller {
                    l.set_remote(sdp, signalling);
                }
            }
            Command::Remote { side: Side::Agent, sdp, signalling } => {
                if let Some(Endpoint::Rtp(l)) = self.agent.as_deref_mut() {
                    l.set_remote(sdp, signalling);
                }
            }
            Command::Remote { side: Side::Monitor, sdp, signalling } => {
                if let Some(Endpoint::Rtp(l)) = self.monitor.as_mut().map(|m| &mut *m.0) {
                    l.set_remote(sdp, signalling);
                }
            }
            Command::Bridge { recording } => {
                self.playing += 1;
                self.player = None;
                self.bridged = true;
                self.replan();
                if let Some(t) = recording {
                    self.start_recording(t);
                }
            }
            Command::Record(t) => self.start_recording(t),
            Command::Hold(on) => {
                self.held = on;
                self.replan();
            }
            Command::MonitorLeg(leg) => {
                if let Some((old, _)) = self.monitor.as_mut() {
                    old.close();
                }
                self.monitor = leg.map(|(mut l, mode)| {
                    l.set_jitter_depth(self.settings.jitter_frames);
                    (l, mode)
                });
                self.replan();
            }
            Command::PauseRecording(on) => self.paused = on,
            Command::TakeOver => {
                if let Some((leg, _)) = self.monitor.take() {
                    if let Some(old) = self.agent.as_mut() {
                        old.close();
                    }
                    self.agent = Some(leg);
                }
                self.replan();
            }
            Command::MonitorMode(mode) => {
                if let Some(m) = self.monitor.as_mut() {
                    m.1 = mode;
                }
                self.replan();
            }
            Command::SendKey { side, key } => match side {
                Side::Caller => self.caller.send_key(key),
                Side::Agent => {
                    if let Some(a) = self.agent.as_mut() {
                        a.send_key(key);
                    }
                }
                Side::Monitor => {}
            },
            Command::Play { .. } | Command::Close => {}
        }
    }

    fn start_recording(&mut self, t: RecordingTarget) {
        self.finish_recording();
        self.recording = Some(RecordingWriter::start(self.call, t, self.events.clone()));
    }

    fn tick(&mut self, ticks: u64) {
        if let Some((player, looped)) = self.player.as_mut() {
            match player.next_frame() {
                Some(frame) => self.caller.send_audio(&frame),
                None => {
                    let looped = *looped;
                    self.player = None;
                    if !looped {
                        self.emit(MediaEvent::PromptDone { call: self.call });
                    }
                }
            }
        }
        // One frame per side per tick keeps the jitter buffers draining at
        // the rate audio arrives; the recorder takes them when recording.
        let caller = self.caller.pop_frame();
        let mut agent = self.agent.as_mut().map(|a| a.pop_frame()).unwrap_or([0; hotline_media::jitter::FRAME]);
        if let Some((m, mode)) = self.monitor.as_mut() {
            let supervisor = m.pop_frame();
            self.mixer.mix(&[caller, agent, supervisor]);
            if let Some(f) = self.mixer.heard_by(0) {
                self.caller.send_audio(f);
            }
            if let (Some(f), Some(a)) = (self.mixer.heard_by(1), self.agent.as_mut()) {
                a.send_audio(f);
            }
            if let Some(f) = self.mixer.heard_by(2) {
                m.send_audio(f);
            }
            // A supervisor the agent hears is part of the agent's side of the conversation.
            if *mode != Monitor::Listen {
                for (a, s) in agent.iter_mut().zip(supervisor) {
                    *a = a.saturating_add(s);
                }
            }
        }
        if let Some(r) = self.recording.as_ref() {
            // Paused: the span is kept, silent, so the file's times stay the call's.
            let silence = [0; hotline_media::jitter::FRAME];
            if self.paused {
                r.push(silence, silence);
            } else {
                r.push(caller, agent);
            }
        }
        let quiet = self.settings.rtp_timeout.is_some_and(|t| self.heard_at.elapsed() > t);
        let gone = self.caller.is_closed();
        if (quiet || gone) && !self.silent && (self.caller.peer_sends() || gone) {
            self.silent = true;
            self.emit(MediaEvent::Silent { call: self.call });
        }
        if ticks.is_multiple_of(250) {
            self.caller.send_report();
            if let Some(a) = self.agent.as_mut() {
                a.send_report();
            }
            if let Some((m, _)) = self.monitor.as_mut() {
                m.send_report();
            }
        }
    }

    /// Ends the media; recordings are reported before the media's close.
    async fn close(mut self) {
        self.finish_recording();
        for w in std::mem::take(&mut self.writing) {
            let _ = w.await;
        }
        let caller = self.caller.report();
        self.caller.close();
        let agent = self.agent.as_deref().map(Endpoint::report);
        if let Some(a) = self.agent.as_mut() {
            a.close();
        }
        if let Some((m, _)) = self.monitor.as_mut() {
            m.close();
        }
        self.emit(MediaEvent::Closed { call: self.call, caller, agent });
    }

    /// Closes the recording, if one runs; its writer reports it when the
    /// file is complete.
    fn finish_recording(&mut self) {
        if let Some(r) = self.recording.take() {
            self.writing.retain(|w| !w.is_finished());
            self.writing.push(r.finish());
        }
    }
}
