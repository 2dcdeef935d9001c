//! Real SIP phones for the end-to-end tests: headless baresip 1.0
//! (`apt-get install baresip-core sox`), one process per phone, each in its
//! own temporary folder with its `config`, `accounts`, a tone WAV it sends
//! as its microphone, its output (`out`) and the audio it sent and received
//! (`rec/dump-*-enc.wav`, `rec/dump-*-dec.wav`, written by the `sndfile`
//! module).
//!
//! Phones are driven through baresip's stdin, one command a line (the
//! `stdio` + `menu` modules): `/dial <uri>`, `/accept`, `/sndcode <key>`
//! (RFC 4733 telephone-event, payload type 101, offered in every SDP even
//! with `audio_codecs=PCMU/8000/1`), `/hangup`, `/quit`. What they say is
//! read back from `out`: `Call established`, `Incoming call from`,
//! `session closed`, `terminate call '<Call-ID>'`, `received event: '<key>'`.
//!
//! Every wait has a deadline and panics with the phone's output; a phone is
//! killed when dropped, and prints its output if the test is failing.
//!
//! A watcher thread notes when the output grows (every 5 ms), so a test can
//! tell when a line appeared (`seen_at`) and order events across phones.

#![allow(dead_code)]

pub mod audio;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[allow(unused_imports)]
pub use audio::{between, describe, dominant, last, rms, tone_power, tone_share, Wav, RATE};

/// baresip: a call of this phone was answered (by it or by the other side).
pub const ESTABLISHED: &str = "Call established";
/// baresip: a call is ringing this phone (printed when it does not auto-answer).
pub const INCOMING: &str = "Incoming call from";
/// baresip: the other side ended the dialog, by BYE or by CANCEL.
pub const SESSION_CLOSED: &str = "session closed";
/// baresip: a call of this phone ended (`Call with <uri> terminated (duration: …)`).
pub const TERMINATED: &str = "terminated";
/// baresip: this phone hung up or cancelled (`call: terminate call '<Call-ID>' with <uri>`).
pub const HUNG_UP: &str = "terminate call '";
/// baresip: this phone answers a call, by `/accept` or at once when it auto-answers
/// (`call: answering call on line 1 from <uri> with 200`).
pub const ANSWERING: &str = "answering call on line";

/// A port free for both UDP and TCP on 127.0.0.1, with the next one free
/// for TCP too (baresip listens on UDP and TCP at its port, and for TLS at
/// the next).
pub fn free_udp_port() -> u16 {
    loop {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind udp");
        let port = udp.local_addr().expect("addr").port();
        let tcp = std::net::TcpListener::bind(("127.0.0.1", port));
        let tls = port.checked_add(1).map(|next| std::net::TcpListener::bind(("127.0.0.1", next)));
        if tcp.is_ok() && matches!(tls, Some(Ok(_))) {
            return port;
        }
    }
}

/// The demo server with SIP on a free port, configured further by `tune`,
/// and that port.
pub async fn server_with_sip(tune: impl FnOnce(&mut hotline_config::Config)) -> (super::common::Server, u16) {
    let port = free_udp_port();
    let s = super::common::Server::start_tuned(tempfile::tempdir().unwrap(), String::new(), None, |c| {
        c.sip.listen = format!("127.0.0.1:{port}").parse().unwrap();
        tune(c);
    })
    .await;
    (s, port)
}

/// RTP ranges of 20 ports between 30000 and 32759: above the server's
/// default 20000–29999 and below Linux's ephemeral ports, distinct for every
/// phone of this test process (and spread by process id across processes).
fn rtp_range() -> (u16, u16) {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let slot = ((std::process::id() % 17) as u16 * 8 + n) % 138;
    let lo = 30000 + slot * 20;
    (lo, lo + 19)
}

/// Makes `seconds` of a sine at `hz`, half scale, 8 kHz mono 16-bit.
pub fn make_tone(path: &Path, hz: u32, seconds: u32) {
    let status = Command::new("sox")
        .args(["-n", "-r", "8000", "-c", "1", "-b", "16"])
        .arg(path)
        .args(["synth", &seconds.to_string(), "sine", &hz.to_string(), "vol", "0.5"])
        .status()
        .expect("sox is installed (apt-get install sox)");
    assert!(status.success(), "sox failed to make {}", path.display());
}

/// How to start a phone.
#[derive(Debug, Clone)]
pub struct PhoneBuilder {
    user: String,
    register: Option<(u16, String)>,
    auto_answer: bool,
    tone_hz: Option<u32>,
    /// SIP over TLS to this port, trusting this CA file, with SRTP required.
    secure: Option<(u16, PathBuf)>,
}

impl PhoneBuilder {
    /// Registers `<sip:user@127.0.0.1:server_port>` with this password
    /// (every 60 s). Without it the account is `<sip:user@127.0.0.1>` with
    /// `regint=0`: a caller that never registers.
    pub fn register(mut self, server_port: u16, password: &str) -> Self {
        self.register = Some((server_port, password.to_owned()));
        self
    }

    /// Answers incoming calls at once (`;answermode=auto`).
    pub fn auto_answer(mut self) -> Self {
        self.auto_answer = true;
        self
    }

    /// Talks SIP over TLS to the server's TLS port (trusting `ca`, the
    /// server's certificate) and requires SRTP (`mediaenc=srtp-mand`):
    /// registering goes there too, and `dial` should name the TLS port.
    pub fn secure(mut self, tls_port: u16, ca: &Path) -> Self {
        self.secure = Some((tls_port, ca.to_owned()));
        self
    }

    /// Sends a sine at `hz` as its microphone (`audio_source aufile,…`);
    /// without one the source is `alsa,null`.
    pub fn tone(mut self, hz: u32) -> Self {
        self.tone_hz = Some(hz);
        self
    }

    pub fn start(self) -> Phone {
        let dir = tempfile::Builder::new().prefix(&format!("phone-{}-", self.user)).tempdir().expect("tempdir");
        let rec = dir.path().join("rec");
        std::fs::create_dir(&rec).expect("rec dir");
        let source = match self.tone_hz {
            Some(hz) => {
                let wav = dir.path().join(format!("tone-{hz}.wav"));
                make_tone(&wav, hz, 60);
                format!("aufile,{}", wav.display())
            }
            None => "alsa,null".to_owned(),
        };
        let sip_port = free_udp_port();
        let rtp_ports = rtp_range();
        let config = format!(
            "sip_listen 127.0.0.1:{sip_port}\n\
             net_interface 127.0.0.1\n\
             audio_player alsa,null\n\
             audio_alert alsa,null\n\
             audio_source {source}\n\
             audio_srate 8000\n\
             audio_channels 1\n\
             rtp_ports {}-{}\n\
             module_path /usr/lib/baresip/modules\n\
             module stdio.so\n\
             module g711.so\n\
             module aufile.so\n\
             module alsa.so\n\
             module sndfile.so\n\
             module_app account.so\n\
             module_app menu.so\n\
             snd_path {}\n",
            rtp_ports.0,
            rtp_ports.1,
            rec.display()
        );
        let config = match &self.secure {
            Some((_, ca)) => format!("{config}module srtp.so\nsip_cafile {}\n", ca.display()),
            None => config,
        };
        std::fs::write(dir.path().join("config"), config).expect("write config");
        let mut account = match (&self.register, &self.secure) {
            (Some((_, password)), Some((tls, _))) => {
                format!("<sip:{}@127.0.0.1:{tls};transport=tls>;auth_pass={password};audio_codecs=PCMU/8000/1;regint=60;mediaenc=srtp-mand", self.user)
            }
            (Some((port, password)), None) => {
                format!("<sip:{}@127.0.0.1:{port}>;auth_pass={password};audio_codecs=PCMU/8000/1;regint=60", self.user)
            }
            (None, Some(_)) => format!("<sip:{}@127.0.0.1;transport=tls>;regint=0;audio_codecs=PCMU/8000/1;mediaenc=srtp-mand", self.user),
            (None, None) => format!("<sip:{}@127.0.0.1>;regint=0;audio_codecs=PCMU/8000/1", self.user),
        };
        if self.auto_answer {
            account.push_str(";answermode=auto");
        }
        account.push('\n');
        std::fs::write(dir.path().join("accounts"), account).expect("write accounts");
        let out = std::fs::File::create(dir.path().join("out")).expect("create out");
        let mut child = Command::new("baresip")
            .arg("-f")
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(out.try_clone().expect("dup"))
            .stderr(out)
            .spawn()
            .expect("baresip is installed (apt-get install baresip-core)");
        let stdin = child.stdin.take();
        let timeline = Arc::new(Mutex::new(Vec::new()));
        let watching = Arc::new(AtomicBool::new(true));
        watch_output(dir.path().join("out"), timeline.clone(), watching.clone());
        Phone {
            name: self.user.clone(),
            user: self.user,
            child: Mutex::new(child),
            stdin: Mutex::new(stdin),
            dir,
            sip_port,
            rtp_ports,
            timeline,
            watching,
        }
    }
}

/// Notes `(when, size)` each time the file at `out` grows, every 5 ms,
/// until `watching` turns false.
fn watch_output(out: PathBuf, timeline: Arc<Mutex<Vec<(Instant, u64)>>>, watching: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let mut last = 0;
        while watching.load(Ordering::Relaxed) {
            let len = std::fs::metadata(&out).map_or(0, |m| m.len());
            if len > last {
                last = len;
                timeline.lock().unwrap().push((Instant::now(), len));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    });
}

/// A headless baresip with one account.
pub struct Phone {
    name: String,
    user: String,
    child: Mutex<Child>,
    stdin: Mutex<Option<ChildStdin>>,
    dir: tempfile::TempDir,
    sip_port: u16,
    rtp_ports: (u16, u16),
    /// When the output grew: `(when, its size then)`, oldest first.
    timeline: Arc<Mutex<Vec<(Instant, u64)>>>,
    watching: Arc<AtomicBool>,
}

impl Phone {
    pub fn builder(user: &str) -> PhoneBuilder {
        PhoneBuilder { user: user.to_owned(), register: None, auto_answer: false, tone_hz: None, secure: None }
    }

    /// A phone registering `extension` with `password` to the server on
    /// `server_port`, no tone, answering by hand.
    pub fn start(extension: &str, password: &str, server_port: u16) -> Phone {
        Phone::builder(extension).register(server_port, password).start()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn sip_port(&self) -> u16 {
        self.sip_port
    }

    pub fn rtp_ports(&self) -> (u16, u16) {
        self.rtp_ports
    }

    /// Where to call this phone directly, without a server.
    pub fn uri(&self) -> String {
        format!("sip:{}@127.0.0.1:{}", self.user, self.sip_port)
    }

    /// Types one command line on baresip's stdin (e.g. `/dial sip:…`).
    pub fn command(&self, line: &str) {
        let mut stdin = self.stdin.lock().unwrap();
        let ok = stdin.as_mut().is_some_and(|s| s.write_all(format!("{line}\n").as_bytes()).and_then(|()| s.flush()).is_ok());
        assert!(ok, "{}: cannot send `{line}`, baresip has exited:\n{}", self.name, self.output());
    }

    pub fn dial(&self, uri: &str) {
        self.command(&format!("/dial {uri}"));
    }

    /// Answers a ringing call.
    pub fn accept(&self) {
        self.command("/accept");
    }

    /// Sends one DTMF key (0-9, *, #, A-D) in the current call as RFC 4733
    /// telephone-events: payload type 101, marker on the first packet, 9
    /// updates 20 ms apart up to a duration of 1440 (180 ms), then 3 end
    /// packets, volume 10. (Typing the bare key does the same; its end is
    /// only sent on the next key, so the command is the one to use.)
    pub fn send_dtmf(&self, key: char) {
        assert!(key.is_ascii_digit() || "*#ABCD".contains(key), "not a DTMF key: {key:?}");
        self.command(&format!("/sndcode {key}"));
    }

    /// Hangs up the current call (a CANCEL while it rings out, else a BYE).
    pub fn hangup(&self) {
        self.command("/hangup");
    }

    /// The raw output, status lines and all.
    pub fn raw_output(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(self.dir.path().join("out")).unwrap_or_default()).into_owned()
    }

    /// The output as a terminal would leave it: without the `[0:00:03]
    /// audio=…` status line and the echo of typed commands.
    pub fn output(&self) -> String {
        clean(&self.raw_output())
    }

    /// The Call-ID of the last call this phone hung up (from `terminate call '<id>'`).
    pub fn call_id(&self) -> Option<String> {
        let raw = self.raw_output();
        let at = raw.rfind(HUNG_UP)? + HUNG_UP.len();
        let end = raw[at..].find('\'')?;
        Some(raw[at..at + end].to_owned())
    }

    /// When `needle` first appeared in the output (to within the watcher's
    /// 5 ms), or `None` if it has not.
    pub fn seen_at(&self, needle: &str) -> Option<Instant> {
        self.seen_at_nth(needle, 1)
    }

    /// When the `n`-th (from 1) `needle` appeared in the output.
    pub fn seen_at_nth(&self, needle: &str, n: usize) -> Option<Instant> {
        assert!(n >= 1 && !needle.is_empty());
        let raw = std::fs::read(self.dir.path().join("out")).unwrap_or_default();
        let needle = needle.as_bytes();
        let end = raw.windows(needle.len()).enumerate().filter(|(_, w)| *w == needle).nth(n - 1).map(|(i, _)| (i + needle.len()) as u64)?;
        let timeline = self.timeline.lock().unwrap();
        // Not noted yet (within the last 5 ms): now, at the latest.
        Some(timeline.iter().find(|(_, len)| *len >= end).map_or_else(Instant::now, |(at, _)| *at))
    }

    fn exited(&self) -> Option<std::process::ExitStatus> {
        self.child.lock().unwrap().try_wait().ok().flatten()
    }

    /// Waits until the output contains `needle`; panics after `secs` seconds
    /// (or if baresip exits) with the phone's output.
    pub async fn wait_for(&self, needle: &str, secs: u64) -> String {
        self.wait_for_count(needle, 1, secs).await
    }

    /// Waits until `needle` appears `count` times in the output.
    pub async fn wait_for_count(&self, needle: &str, count: usize, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if self.raw_output().matches(needle).count() >= count {
                return self.output();
            }
            if let Some(status) = self.exited() {
                panic!("{}: baresip exited ({status}) before `{needle}` appeared; its output:\n{}", self.name, self.output());
            }
            if Instant::now() > deadline {
                panic!("{}: no `{needle}` (x{count}) within {secs} s; its output:\n{}", self.name, self.output());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The audio this phone received, decoded (`rec/dump-*-dec.wav` of its
    /// latest call): 8 kHz mono samples, in arrival order (gaps without
    /// packets leave no trace).
    pub fn received_audio(&self) -> Vec<i16> {
        self.dump("dec")
    }

    /// How many samples this phone has received in its current call so far
    /// (0 before its first call has audio).
    pub fn received(&self) -> usize {
        if self.dumps("dec").is_empty() {
            0
        } else {
            self.received_audio().len()
        }
    }

    /// The audio this phone sent (`rec/dump-*-enc.wav` of its latest call).
    pub fn sent_audio(&self) -> Vec<i16> {
        self.dump("enc")
    }

    /// The dumps baresip wrote, oldest first (names carry the time of the call).
    pub fn dumps(&self, kind: &str) -> Vec<PathBuf> {
        let suffix = format!("-{kind}.wav");
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("rec"))
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("dump-") && n.ends_with(&suffix)));
        files.sort();
        files
    }

    fn dump(&self, kind: &str) -> Vec<i16> {
        let Some(path) = self.dumps(kind).pop() else {
            panic!("{}: no rec/dump-*-{kind}.wav (did a call get audio?); its output:\n{}", self.name, self.output());
        };
        let wav = Wav::read(&path);
        assert!(wav.channels == 1 && wav.rate == RATE, "{}: {} is {} ch at {} Hz, want mono 8 kHz", self.name, path.display(), wav.channels, wav.rate);
        wav.samples
    }

    /// Quits the way a user does (baresip unregisters on the way out),
    /// waiting up to 5 s before killing it; returns the output.
    pub async fn quit(self) -> String {
        if let Some(stdin) = self.stdin.lock().unwrap().as_mut() {
            let _ = stdin.write_all(b"/quit\n");
            let _ = stdin.flush();
        }
        for _ in 0..50 {
            if self.exited().is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = self.child.lock().unwrap().kill();
        self.output()
    }
}

impl Drop for Phone {
    fn drop(&mut self) {
        self.watching.store(false, Ordering::Relaxed);
        if let Ok(child) = self.child.get_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!("----- output of phone {} ({}) -----\n{}\n----- end of {} -----", self.name, self.dir.path().display(), self.output(), self.name);
        }
    }
}

/// Waits until one of `phones` shows `needle`; returns its index.
pub async fn wait_for_any(phones: &[&Phone], needle: &str, secs: u64) -> usize {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(i) = phones.iter().position(|p| p.raw_output().contains(needle)) {
            return i;
        }
        if Instant::now() > deadline {
            let outputs: Vec<String> = phones.iter().map(|p| format!("----- {} -----\n{}", p.name, p.output())).collect();
            panic!("no phone showed `{needle}` within {secs} s; their output:\n{}", outputs.join("\n"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Strips a leading `[0:00:03] audio=64000/64000 (bit/s)` status line (repeatedly).
fn strip_status(mut s: &str) -> &str {
    loop {
        let t = s.trim_start();
        let is_status = t.starts_with('[') && t.find("] audio=").is_some_and(|i| i < 12);
        match t.find("(bit/s)") {
            Some(end) if is_status => s = &t[end + "(bit/s)".len()..],
            _ => return s,
        }
    }
}

/// The output as a terminal shows it: `\r` redraws (the status line, the
/// echo of each typed key) collapsed.
fn clean(raw: &str) -> String {
    let mut lines = Vec::new();
    for line in raw.split('\n') {
        let segs: Vec<&str> = line.split('\r').map(strip_status).filter(|s| !s.trim().is_empty()).collect();
        for (i, seg) in segs.iter().enumerate() {
            // The echo of a typed command redraws it one key longer each time.
            if segs.get(i + 1).is_some_and(|next| next.starts_with(seg)) {
                continue;
            }
            lines.push(seg.trim_end().to_owned());
        }
    }
    lines.join("\n")
}
