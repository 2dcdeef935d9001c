//! One task sends every stream's RTP, instead of a timer per stream: it
//! wakes every 2 ms and sends each stream the frames due by then (so a late
//! wake-up catches up rather than drifting). A stream's frames are due every
//! 20 ms from its own start, so streams keep the phases their calls started
//! with, as independent phones do, rather than all sending in one burst
//! every 20 ms. Per packet nothing is allocated: frames are built in a stack
//! buffer from a precomputed tone.
//!
//! Keys (RFC 4733) replace audio frames while they are sent: one event
//! packet per 20 ms with the key's start timestamp, the first with the
//! marker bit, the last three with the end bit.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hotline_media::rtp::RtpPacket;
use tokio::sync::mpsc;

use super::ports::RtpSocket;
use super::tone::{self, Party, FRAME};
use crate::sdp::Remote;

/// Frames a stream may send at once to catch up; beyond that the missed
/// frames are skipped (their time passes, their sequence numbers do not).
const MAX_CATCH_UP: u64 = 3;
const PTIME: Duration = Duration::from_millis(20);
/// How often the sender wakes up (a divisor of PTIME, so a stream's send
/// times keep a fixed offset from its due times: no added jitter).
const TICK: Duration = Duration::from_millis(2);

/// Totals over every stream, readable while the sender runs.
#[derive(Debug, Default)]
pub struct SenderCounters {
    pub packets: AtomicU64,
    /// Frames skipped because the sender woke up too late (loadgen overload).
    pub skipped: AtomicU64,
    /// Packets the socket refused (full buffer).
    pub send_errors: AtomicU64,
    pub streams: AtomicU64,
}

enum Command {
    Start(Box<Stream>),
    Stop(u64),
    Key(u64, char),
}

/// Handle to the sender task. Cheap to clone.
#[derive(Clone)]
pub struct Sender {
    tx: mpsc::UnboundedSender<Command>,
    pub counters: Arc<SenderCounters>,
}

struct Stream {
    id: u64,
    socket: Arc<RtpSocket>,
    dest: SocketAddr,
    payload_type: u8,
    dtmf_payload_type: Option<u8>,
    party: Party,
    tone: [u8; FRAME],
    ssrc: u32,
    seq: u16,
    timestamp: u32,
    started: Instant,
    /// Frame slots used (sent or skipped) since `started`.
    slots: u64,
    /// Audio frames sent (the tag's counter).
    frames: u16,
    marker: bool,
    keys: VecDeque<char>,
    /// The key being sent: its event payloads, the next one, its timestamp.
    dtmf: Option<(Vec<[u8; 4]>, usize, u32)>,
}

impl Sender {
    /// Starts the sender task.
    pub fn spawn() -> Sender {
        let (tx, rx) = mpsc::unbounded_channel();
        let counters = Arc::new(SenderCounters::default());
        tokio::spawn(run(rx, counters.clone()));
        Sender { tx, counters }
    }

    /// Starts sending `party`'s audio from `socket` to `remote`, as stream `id`.
    pub fn start(&self, id: u64, socket: Arc<RtpSocket>, remote: Remote, party: Party) {
        let stream = Stream {
            id,
            socket,
            dest: remote.addr,
            payload_type: remote.payload_type,
            dtmf_payload_type: remote.dtmf_payload_type,
            party,
            tone: tone::frame(party, remote.payload_type),
            ssrc: rand::random(),
            seq: rand::random(),
            timestamp: rand::random(),
            started: Instant::now(),
            slots: 0,
            frames: 0,
            marker: true,
            keys: VecDeque::new(),
            dtmf: None,
        };
        let _ = self.tx.send(Command::Start(Box::new(stream)));
    }

    pub fn stop(&self, id: u64) {
        let _ = self.tx.send(Command::Stop(id));
    }

    /// Presses `key` on stream `id` (after any key still being sent).
    pub fn key(&self, id: u64, key: char) {
        let _ = self.tx.send(Command::Key(id, key));
    }
}

async fn run(mut rx: mpsc::UnboundedReceiver<Command>, counters: Arc<SenderCounters>) {
    let mut streams: Vec<Box<Stream>> = Vec::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            cmd = rx.recv() => match cmd {
                None => return,
                Some(Command::Start(mut s)) => {
                    counters.streams.fetch_add(1, Ordering::Relaxed);
                    // The first frame goes out at once.
                    s.send_due(Instant::now(), &counters);
                    streams.push(s);
                }
                Some(Command::Stop(id)) => {
                    if let Some(i) = streams.iter().position(|s| s.id == id) {
                        streams.swap_remove(i);
                    }
                }
                Some(Command::Key(id, key)) => {
                    if let Some(s) = streams.iter_mut().find(|s| s.id == id) {
                        s.keys.push_back(key);
                    }
                }
            },
            _ = tick.tick() => {
                let now = Instant::now();
                for s in &mut streams {
                    s.send_due(now, &counters);
                }
            }
        }
    }
}

impl Stream {
    /// Sends the frames due by `now`.
    fn send_due(&mut self, now: Instant, counters: &SenderCounters) {
        let due_slots =
            (now.duration_since(self.started).as_micros() / PTIME.as_micros()) as u64 + 1;
        let mut due = due_slots.saturating_sub(self.slots);
        if due > MAX_CATCH_UP {
            let skip = due - MAX_CATCH_UP;
            self.slots += skip;
            self.timestamp = self.timestamp.wrapping_add((skip * FRAME as u64) as u32);
            counters.skipped.fetch_add(skip, Ordering::Relaxed);
            due = MAX_CATCH_UP;
        }
        for _ in 0..due {
            self.send_one(counters);
            self.slots += 1;
        }
    }

    fn send_one(&mut self, counters: &SenderCounters) {
        let mut buf = [0u8; 12 + FRAME];
        if self.dtmf.is_none() {
            if let (Some(key), Some(_)) = (self.keys.front().copied(), self.dtmf_payload_type) {
                self.keys.pop_front();
                self.dtmf = hotline_media::dtmf::packets(key, 100).map(|p| (p, 0, self.timestamp));
            }
        }
        let len = match self.dtmf.as_mut() {
            Some((events, next, ts)) => {
                let p = RtpPacket {
                    marker: *next == 0,
                    payload_type: self.dtmf_payload_type.unwrap_or(crate::sdp::DTMF_PT),
                    sequence: self.seq,
                    timestamp: *ts,
                    ssrc: self.ssrc,
                    payload: &events[*next],
                };
                *next += 1;
                let done = *next == events.len();
                let len = p.write(&mut buf);
                if done {
                    self.dtmf = None;
                }
                len
            }
            None => {
                let mut payload = self.tone;
                tone::write_tag(&mut payload, self.party, self.frames);
                self.frames = self.frames.wrapping_add(1);
                let p = RtpPacket {
                    marker: self.marker,
                    payload_type: self.payload_type,
                    sequence: self.seq,
                    timestamp: self.timestamp,
                    ssrc: self.ssrc,
                    payload: &payload,
                };
                self.marker = false;
                p.write(&mut buf)
            }
        };
        self.seq = self.seq.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(FRAME as u32);
        let Ok(len) = len else { return };
        match self.socket.send.send_to(&buf[..len], self.dest) {
            Ok(_) => counters.packets.fetch_add(1, Ordering::Relaxed),
            Err(_) => counters.send_errors.fetch_add(1, Ordering::Relaxed),
        };
    }
}
