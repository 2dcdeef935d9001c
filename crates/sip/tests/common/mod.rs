//! Helpers shared by the integration tests: the RFC 4475 file loader and a
//! virtual-clock driver for the transaction layer.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;

use hotline_sip::transaction::{Event, Input, Output, TransactionLayer, Transport};
use hotline_sip::{Message, Request, Response, Time};

/// The torture messages, by name (file stem), sorted.
/// The folder of the torture messages, found from this file, so that the
/// server's own tests (another crate) can read them too.
fn torture_dir() -> std::path::PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let here = workspace.join(file!());
    here.parent().expect("common/").join("../torture")
}

pub fn torture_names() -> Vec<String> {
    let dir = torture_dir();
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/torture exists")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".txt")
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

/// A torture message as wire bytes. The files use RFC 4475 §2's notation:
/// `<allOneLine>` joins lines, `<hex>..</hex>` are raw bytes,
/// `<repeat count=N>..</repeat>` repeats; line ends become CRLF.
pub fn torture(name: &str) -> Vec<u8> {
    let path = torture_dir().join(format!("{name}.txt"));
    expand(&std::fs::read_to_string(path).expect("torture file"))
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<(&'a str, &'a str, &'a str)> {
    let (before, rest) = s.split_once(open)?;
    let (inner, after) = rest.split_once(close)?;
    Some((before, inner, after))
}

pub fn expand(text: &str) -> Vec<u8> {
    let mut text = text.replace("\r\n", "\n");
    while let Some((before, inner, after)) = between(&text, "<allOneLine>\n", "\n</allOneLine>") {
        text = format!("{before}{}{after}", inner.replace('\n', ""));
    }
    while let Some((before, inner, after)) = between(&text, "<repeat count=", "</repeat>") {
        let (count, what) = inner.split_once('>').expect("repeat count");
        text = format!(
            "{before}{}{after}",
            what.repeat(count.parse().expect("count"))
        );
    }
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some((before, hex, after)) = between(rest, "<hex>", "</hex>") {
        out.extend_from_slice(before.replace('\n', "\r\n").as_bytes());
        out.extend(
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")),
        );
        rest = after;
    }
    out.extend_from_slice(rest.replace('\n', "\r\n").as_bytes());
    out
}

/// Parses a message written with `\n` line ends.
pub fn parse(text: &str) -> Message {
    Message::parse(text.replace('\n', "\r\n").as_bytes()).expect("test message parses")
}

pub fn request(text: &str) -> Request {
    Request::parse(text.replace('\n', "\r\n").as_bytes()).expect("test request parses")
}

pub fn response(text: &str) -> Response {
    Response::parse(text.replace('\n', "\r\n").as_bytes()).expect("test response parses")
}

pub fn addr(s: &str) -> SocketAddr {
    s.parse().expect("address")
}

/// A transaction layer on a virtual clock, with a log of everything it
/// did: `"<ms> <what>"` lines.
pub struct Clock {
    pub layer: TransactionLayer,
    pub now: Time,
    pub log: Vec<String>,
    pub events: Vec<Event>,
}

impl Clock {
    pub fn new(layer: TransactionLayer) -> Clock {
        Clock {
            layer,
            now: Time(0),
            log: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Feeds an input at the current time and drains the outputs.
    pub fn input(&mut self, input: Input) {
        self.layer
            .handle_input(self.now, input)
            .expect("input accepted");
        self.drain();
    }

    /// A datagram or stream message arrives.
    pub fn receive(&mut self, from: &str, transport: Transport, bytes: Vec<u8>) {
        self.input(Input::Receive {
            from: addr(from),
            transport,
            bytes,
        });
    }

    /// Runs timers up to `until`, each at its own time.
    pub fn run_until(&mut self, until: u64) {
        while let Some(t) = self.layer.poll_timeout().filter(|t| t.0 <= until) {
            self.now = t;
            self.layer.handle_input(t, Input::Timeout).expect("timeout");
            self.drain();
        }
        self.now = Time(until);
    }

    pub fn drain(&mut self) {
        while let Some(o) = self.layer.poll_output() {
            let what = match &o {
                Output::Transmit(t) => format!(
                    "send {} to {} {}",
                    first_word(&t.bytes),
                    t.dest,
                    t.transport
                ),
                Output::Event(e) => describe(e),
            };
            self.log.push(format!("{} {what}", self.now.0));
            if let Output::Event(e) = o {
                self.events.push(e);
            }
        }
    }

    /// The log, one line each.
    pub fn trace(&self) -> String {
        self.log.iter().map(|l| format!("{l}\n")).collect()
    }

    /// Times at which a log line ends with `what`.
    pub fn times(&self, what: &str) -> Vec<u64> {
        self.log
            .iter()
            .filter_map(|l| {
                l.split_once(' ')
                    .filter(|(_, w)| w.starts_with(what))
                    .and_then(|(t, _)| t.parse().ok())
            })
            .collect()
    }
}

/// The method of a request or the status of a response, from raw bytes
/// (a stateless 400 echoes headers that may not parse).
pub fn first_word(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().next().unwrap_or_default();
    match line.strip_prefix("SIP/2.0 ") {
        Some(rest) => rest.split(' ').next().unwrap_or_default().to_owned(),
        None => line.split(' ').next().unwrap_or_default().to_owned(),
    }
}

pub fn describe(e: &Event) -> String {
    match e {
        Event::Request { request, .. } => format!("request {}", request.method),
        Event::Cancel { invite, .. } => format!(
            "cancel (invite {})",
            if invite.is_some() { "found" } else { "unknown" }
        ),
        Event::Ack { invite, .. } => format!(
            "ack for 2xx ({})",
            if invite.is_some() {
                "matched"
            } else {
                "unmatched"
            }
        ),
        Event::Response { response, .. } => format!("response {}", response.status),
        Event::StrayResponse { response, .. } => format!("stray response {}", response.status),
        Event::Timeout { timer, .. } => format!("timeout {timer:?}"),
        Event::TransportError { .. } => "transport error".into(),
        Event::Malformed { error, .. } => format!("malformed: {error}"),
        Event::Terminated { .. } => "terminated".into(),
    }
}

/// A request from the peer at 192.0.2.10:5070 (or ours, towards it).
pub fn req(method: &str, branch: &str) -> Request {
    let ack_or_cancel = method == "ACK" || method == "CANCEL";
    let cseq_method = method;
    let to_tag = if ack_or_cancel && method == "ACK" {
        ";tag=uas1"
    } else {
        ""
    };
    request(&format!(
        "{method} sip:8001@192.0.2.20 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5070;branch={branch}
Max-Forwards: 70
From: <sip:1000@192.0.2.10>;tag=uac1
To: <sip:8001@192.0.2.20>{to_tag}
Call-ID: tx-test-1
CSeq: 1 {cseq_method}
Contact: <sip:1000@192.0.2.10:5070>
Content-Length: 0

"
    ))
}

/// The response the peer (or we) would send to `request`.
pub fn reply(request: &Request, status: u16) -> Response {
    let r = request.response(status);
    if status > 100 {
        r.with_to_tag("uas1")
            .with_header("Contact", "<sip:8001@192.0.2.20>")
    } else {
        r
    }
}
