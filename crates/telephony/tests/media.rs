//! A call's media task against peers on real UDP sockets: prompts reach the
//! caller and end, keys come from RFC 4733 events and from in-band tones,
//! a bridge relays both ways and records caller left / agent right, and
//! garbage or a stranger's packets change nothing.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hotline_calls::{CallId, Side};
use hotline_media::g711::{ulaw_decode, ulaw_encode};
use hotline_media::goertzel::{dominant, power};
use hotline_media::rtp::RtpPacket;
use hotline_media::sdp::{Direction, Negotiated};
use hotline_telephony::media::{self, Command, Endpoint, Leg, MediaEvent, MediaHandle, MediaSettings, RecordingTarget};
use hotline_telephony::ports::PortPool;
use hotline_telephony::prompt_library::PromptLibrary;
use hotline_telephony::recordings::{FileStorage, RecordingStorage};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

const CALL: CallId = CallId(7);

fn tone(freq: f64, n: usize, from: usize) -> Vec<i16> {
    (from..from + n).map(|i| ((2.0 * std::f64::consts::PI * freq * i as f64 / 8000.0).sin() * 8000.0) as i16).collect()
}

fn sdp_to(peer: SocketAddr) -> Negotiated {
    Negotiated { remote_ip: peer.ip(), remote_port: peer.port(), payload_type: 0, dtmf_payload_type: Some(101), direction: Direction::SendRecv, ptime_ms: 20, srtp: None }
}

/// A phone: a socket that sends PCMU frames and RFC 4733 events to a leg.
struct Peer {
    sock: UdpSocket,
    to: SocketAddr,
    seq: u16,
    ts: u32,
}

impl Peer {
    async fn new(to: SocketAddr) -> Peer {
        Peer { sock: UdpSocket::bind("127.0.0.1:0").await.unwrap(), to, seq: 1, ts: 0 }
    }

    fn addr(&self) -> SocketAddr {
        self.sock.local_addr().unwrap()
    }

    async fn send(&mut self, pt: u8, payload: &[u8], advance: u32) {
        let mut buf = [0u8; 1500];
        let p = RtpPacket { marker: false, payload_type: pt, sequence: self.seq, timestamp: self.ts, ssrc: 0x1234, payload };
        let n = p.write(&mut buf).unwrap();
        self.sock.send_to(&buf[..n], self.to).await.unwrap();
        self.seq = self.seq.wrapping_add(1);
        self.ts = self.ts.wrapping_add(advance);
    }

    /// Sends `samples` as 20 ms PCMU frames, in real time.
    async fn talk(&mut self, samples: &[i16]) {
        for frame in samples.chunks(160) {
            let payload: Vec<u8> = frame.iter().map(|s| ulaw_encode(*s)).collect();
            self.send(0, &payload, 160).await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn press(&mut self, key: char) {
        for e in hotline_media::dtmf::packets(key, 100).unwrap() {
            self.send(101, &e, 0).await;
        }
        self.ts = self.ts.wrapping_add(800);
    }

    /// Decoded audio received within `wait`.
    async fn hear(&self, wait: Duration) -> Vec<i16> {
        let mut out = Vec::new();
        let mut buf = [0u8; 1500];
        let end = tokio::time::Instant::now() + wait;
        while let Ok(Ok((n, _))) = tokio::time::timeout_at(end, self.sock.recv_from(&mut buf)).await {
            if let Ok(p) = RtpPacket::parse(&buf[..n]) {
                if p.payload_type == 0 {
                    out.extend(p.payload.iter().map(|b| ulaw_decode(*b)));
                }
            }
        }
        out
    }
}

struct Rig {
    media: MediaHandle,
    events: mpsc::UnboundedReceiver<MediaEvent>,
    caller: Peer,
    pool: PortPool,
    _prompts: tempfile::TempDir,
}

async fn rig(first_port: u16) -> Rig {
    let pool = PortPool::new([127, 0, 0, 1].into(), first_port, first_port + 40);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("beep.wav"), hotline_telephony::audio::wav_bytes(&tone(1000.0, 4000, 0), 8000)).unwrap();
    let ports = pool.allocate().unwrap();
    let leg_addr = SocketAddr::from(([127, 0, 0, 1], ports.port));
    let leg = Leg::new(ports).unwrap();
    let (tx, events) = mpsc::unbounded_channel();
    let settings = MediaSettings { jitter_frames: 2, rtp_timeout: Some(Duration::from_millis(1500)) };
    let media = media::spawn(CALL, Endpoint::Rtp(leg), settings, PromptLibrary::new(dir.path(), None), tx);
    let caller = Peer::new(leg_addr).await;
    media.send(Command::Remote { side: Side::Caller, sdp: sdp_to(caller.addr()), signalling: caller.addr().ip() });
    Rig { media, events, caller, pool, _prompts: dir }
}

async fn next_event(events: &mut mpsc::UnboundedReceiver<MediaEvent>) -> MediaEvent {
    tokio::time::timeout(Duration::from_secs(5), events.recv()).await.expect("a media event in time").expect("the task is alive")
}

#[tokio::test]
async fn prompts_play_to_the_caller_and_keys_arrive_both_ways() {
    let mut r = rig(46000).await;
    r.media.send(Command::Play { prompt: "beep".into(), looped: false });
    let heard = r.caller.hear(Duration::from_millis(800)).await;
    assert!(heard.len() >= 3000, "the half-second prompt arrived: {} samples", heard.len());
    assert!(power(&heard, 8000, 1000.0) > 100.0 * power(&heard, 8000, 440.0), "it is the 1 kHz prompt");
    assert_eq!(next_event(&mut r.events).await, MediaEvent::PromptDone { call: CALL });

    // A missing prompt is done at once, so a flow never hangs on it.
    r.media.send(Command::Play { prompt: "no-such-prompt".into(), looped: false });
    assert_eq!(next_event(&mut r.events).await, MediaEvent::PromptDone { call: CALL });

    r.caller.press('5').await;
    assert_eq!(next_event(&mut r.events).await, MediaEvent::Digit { call: CALL, digit: '5' });

    // A phone that sends keys as tones only: detected in-band.
    let mut inband = rig(46100).await;
    let two: Vec<i16> = tone(697.0, 800, 0).iter().zip(tone(1336.0, 800, 0)).map(|(a, b)| a / 2 + b / 2).collect();
    inband.caller.talk(&two).await;
    assert_eq!(next_event(&mut inband.events).await, MediaEvent::Digit { call: CALL, digit: '2' });
}

#[tokio::test]
async fn a_bridge_relays_both_ways_and_records_caller_left_agent_right() {
    let mut r = rig(46200).await;
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn RecordingStorage> = Arc::new(FileStorage::new(dir.path()));
    let ports = r.pool.allocate().unwrap();
    let agent_leg = SocketAddr::from(([127, 0, 0, 1], ports.port));
    r.media.send(Command::AgentLeg(Some(Box::new(Endpoint::Rtp(Leg::new(ports).unwrap())))));
    let mut agent = Peer::new(agent_leg).await;
    r.media.send(Command::Remote { side: Side::Agent, sdp: sdp_to(agent.addr()), signalling: agent.addr().ip() });
    r.media.send(Command::Bridge { recording: Some(RecordingTarget { id: "r1".into(), path: "x/r1.wav".into(), storage: storage.clone() }) });

    // Garbage and a stranger's RTP on the caller's port change nothing.
    let stranger = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    stranger.send_to(b"\x00\x01not rtp", r.caller.to).await.unwrap();
    let caller_tone = tone(440.0, 16_000, 0);
    let agent_tone = tone(880.0, 16_000, 0);
    // The caller talks; the agent hears it.
    let (agent_heard, ()) = tokio::join!(agent.hear(Duration::from_millis(2200)), r.caller.talk(&caller_tone));
    assert!(agent_heard.len() > 8000, "the agent hears the caller: {} samples", agent_heard.len());
    assert_eq!(dominant(&agent_heard, 8000, &[440.0, 880.0], 10.0), Some(440.0));

    // Now the agent talks; the caller hears it.
    let listen = r.caller.hear(Duration::from_millis(2200));
    let (heard, ()) = tokio::join!(listen, agent.talk(&agent_tone));
    assert!(heard.len() > 8000, "the caller hears the agent: {} samples", heard.len());
    assert_eq!(dominant(&heard, 8000, &[440.0, 880.0], 10.0), Some(880.0));
    stranger.send_to(&[0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0xff, 0xff], r.caller.to).await.unwrap();

    r.media.send(Command::Close);
    let mut recorded = None;
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_secs(5), r.events.recv()).await {
        match e {
            MediaEvent::Recorded { id, duration_ms, sha256, .. } => recorded = Some((id, duration_ms, sha256.unwrap())),
            MediaEvent::Closed { caller, agent, .. } => {
                assert!(caller.received >= 90, "{caller:?}");
                assert!(agent.unwrap().received >= 90);
                break;
            }
            _ => {}
        }
    }
    let (id, duration_ms, sha) = recorded.expect("the recording is finished");
    assert_eq!(id, "r1");
    assert!((3500..6000).contains(&duration_ms), "{duration_ms} ms recorded");
    let wav = std::fs::read(dir.path().join("x/r1.wav")).unwrap();
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(&wav)), sha, "the index hash is the file's");
    let samples: Vec<i16> = wav[44..].chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
    let left: Vec<i16> = samples.iter().step_by(2).copied().collect();
    let right: Vec<i16> = samples.iter().skip(1).step_by(2).copied().collect();
    let half = left.len() / 2;
    assert_eq!(dominant(&left[..half], 8000, &[440.0, 880.0], 10.0), Some(440.0), "caller on the left");
    assert_eq!(dominant(&right[half..], 8000, &[440.0, 880.0], 10.0), Some(880.0), "agent on the right");
}

#[tokio::test]
async fn a_caller_whose_phone_goes_quiet_is_reported_once() {
    let mut r = rig(46300).await;
    r.caller.talk(&tone(440.0, 800, 0)).await;
    assert_eq!(next_event(&mut r.events).await, MediaEvent::Silent { call: CALL });
    assert!(tokio::time::timeout(Duration::from_millis(2000), r.events.recv()).await.is_err(), "reported once");
}

/// Recording storage whose disk stalls: every write waits until the gate
/// opens (or ten seconds pass, so a failing test cannot hang).
struct StalledDisk {
    inner: FileStorage,
    gate: Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>,
    stalled: Arc<std::sync::atomic::AtomicUsize>,
}

struct StalledFile {
    file: Box<dyn hotline_telephony::recordings::Sink>,
    gate: Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>,
    stalled: Arc<std::sync::atomic::AtomicUsize>,
}

impl std::io::Write for StalledFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let (open, changed) = &*self.gate;
        let mut g = open.lock().unwrap();
        if !*g {
            self.stalled.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            g = changed.wait_timeout_while(g, Duration::from_secs(10), |open| !*open).unwrap().0;
        }
        drop(g);
        self.file.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl std::io::Seek for StalledFile {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.file.seek(to)
    }
}

impl hotline_telephony::recordings::Sink for StalledFile {
    fn sync(&mut self) -> std::io::Result<()> {
        self.file.sync()
    }
}

impl RecordingStorage for StalledDisk {
    fn create(&self, rel: &str) -> std::io::Result<Box<dyn hotline_telephony::recordings::Sink>> {
        Ok(Box::new(StalledFile { file: self.inner.create(rel)?, gate: self.gate.clone(), stalled: self.stalled.clone() }))
    }
    fn open(&self, rel: &str) -> std::io::Result<Box<dyn hotline_telephony::recordings::ReadSeek>> {
        self.inner.open(rel)
    }
}

#[tokio::test]
async fn a_stalled_recording_disk_delays_the_recording_not_the_call() {
    let mut r = rig(46400).await;
    let dir = tempfile::tempdir().unwrap();
    let gate = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
    let stalled = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let storage: Arc<dyn RecordingStorage> = Arc::new(StalledDisk { inner: FileStorage::new(dir.path()), gate: gate.clone(), stalled: stalled.clone() });
    let ports = r.pool.allocate().unwrap();
    let agent_leg = SocketAddr::from(([127, 0, 0, 1], ports.port));
    r.media.send(Command::AgentLeg(Some(Box::new(Endpoint::Rtp(Leg::new(ports).unwrap())))));
    let agent = Peer::new(agent_leg).await;
    r.media.send(Command::Remote { side: Side::Agent, sdp: sdp_to(agent.addr()), signalling: agent.addr().ip() });
    r.media.send(Command::Bridge { recording: Some(RecordingTarget { id: "r2".into(), path: "x/r2.wav".into(), storage }) });

    // The recording's first write (its header) is stuck on the disk.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while stalled.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(tokio::time::Instant::now() < deadline, "the recording never reached the disk");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The call goes on regardless: the caller talks for two seconds and the agent hears it.
    let words = tone(440.0, 16_000, 0);
    let (agent_heard, ()) = tokio::join!(agent.hear(Duration::from_millis(2200)), r.caller.talk(&words));
    assert!(agent_heard.len() > 8000, "the agent hears the caller while the disk stalls: {} samples", agent_heard.len());
    assert_eq!(dominant(&agent_heard, 8000, &[440.0, 880.0], 10.0), Some(440.0));

    // The disk comes back: the recording holds everything, stalled time included.
    {
        let (open, changed) = &*gate;
        *open.lock().unwrap() = true;
        changed.notify_all();
    }
    r.media.send(Command::Close);
    let mut recorded = None;
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_secs(5), r.events.recv()).await {
        match e {
            MediaEvent::Recorded { id, duration_ms, sha256, .. } => recorded = Some((id, duration_ms, sha256.unwrap())),
            MediaEvent::Closed { .. } => break,
            _ => {}
        }
    }
    let (id, duration_ms, sha) = recorded.expect("the recording is reported before the media closes");
    assert_eq!(id, "r2");
    assert!(duration_ms >= 2000, "{duration_ms} ms recorded: frames queued while the disk stalled were kept");
    let wav = std::fs::read(dir.path().join("x/r2.wav")).unwrap();
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(&wav)), sha);
    let left: Vec<i16> = wav[44..].chunks_exact(4).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
    assert_eq!(dominant(&left, 8000, &[440.0, 880.0], 10.0), Some(440.0), "the caller's words are in the file");
}
