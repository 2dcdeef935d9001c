//! Whole SIP messages: parsing with the checks RFC 3261 asks of a server,
//! accessors for the headers a server reads, printing, and responses built
//! from a request.

use std::fmt;

use crate::error::ParseError;
use crate::headers::{canonical_name, split_list, NameAddr, Via};

/// A request method; extension methods are kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    Invite,
    Ack,
    Bye,
    Cancel,
    Register,
    Options,
    Info,
    Update,
    Prack,
    Refer,
    Notify,
    Subscribe,
    Message,
    Other(String),
}

impl Method {
    fn parse(s: &str) -> Result<Method, ParseError> {
        if s.is_empty() || !s.bytes().all(is_token_byte) {
            return Err(ParseError::Method);
        }
        Ok(match s {
            "INVITE" => Method::Invite,
            "ACK" => Method::Ack,
            "BYE" => Method::Bye,
            "CANCEL" => Method::Cancel,
            "REGISTER" => Method::Register,
            "OPTIONS" => Method::Options,
            "INFO" => Method::Info,
            "UPDATE" => Method::Update,
            "PRACK" => Method::Prack,
            "REFER" => Method::Refer,
            "NOTIFY" => Method::Notify,
            "SUBSCRIBE" => Method::Subscribe,
            "MESSAGE" => Method::Message,
            other => Method::Other(other.to_owned()),
        })
    }

    pub fn as_str(&self) -> &str {
        match self {
            Method::Invite => "INVITE",
            Method::Ack => "ACK",
            Method::Bye => "BYE",
            Method::Cancel => "CANCEL",
            Method::Register => "REGISTER",
            Method::Options => "OPTIONS",
            Method::Info => "INFO",
            Method::Update => "UPDATE",
            Method::Prack => "PRACK",
            Method::Refer => "REFER",
            Method::Notify => "NOTIFY",
            Method::Subscribe => "SUBSCRIBE",
            Method::Message => "MESSAGE",
            Method::Other(s) => s,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// RFC 3261 `token` characters (methods, header names).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartLine {
    Request { method: Method, uri: String },
    Response { code: u16, reason: String },
}

/// A parsed message. Headers keep their order and values as received (names
/// in canonical spelling); the body is bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub start: StartLine,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Headers whose values may be comma-separated lists.
const LISTS: &[&str] = &["Via", "Contact", "Route", "Record-Route", "Allow", "Supported", "Require"];

impl Message {
    /// Parses one message (a datagram, or a frame from [`crate::frame`]).
    /// On a datagram, bytes beyond `Content-Length` are ignored
    /// (RFC 3261 §18.3); fewer bytes than it announces are an error.
    pub fn parse(bytes: &[u8]) -> Result<Message, ParseError> {
        if bytes.len() > crate::MAX_MESSAGE {
            return Err(ParseError::TooLarge);
        }
        // Keep-alive CRLFs before a message are allowed.
        let start = bytes.iter().position(|b| *b != b'\r' && *b != b'\n').ok_or(ParseError::Empty)?;
        let bytes = &bytes[start..];
        let (head, body) = match bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            Some(i) => (&bytes[..i], &bytes[i + 4..]),
            None => return Err(ParseError::Missing("Header Terminator")),
        };
        let head = std::str::from_utf8(head).map_err(|_| ParseError::NotUtf8)?;
        let mut lines = head.split("\r\n");
        let start = parse_start(lines.next().unwrap_or(""))?;
        let headers = parse_headers(lines)?;
        let mut m = Message { start, headers, body: Vec::new() };
        m.body = m.checked_body(body)?;
        m.check()?;
        Ok(m)
    }

    fn checked_body(&self, body: &[u8]) -> Result<Vec<u8>, ParseError> {
        let mut lengths = self.all("Content-Length").into_iter();
        let Some(first) = lengths.next() else { return Ok(body.to_vec()) };
        let n: usize = first.trim().parse().map_err(|_| ParseError::Invalid("Content-Length"))?;
        if lengths.any(|other| other.trim() != first.trim()) {
            return Err(ParseError::Duplicate("Content-Length"));
        }
        body.get(..n).map(<[u8]>::to_vec).ok_or(ParseError::BodyLength)
    }

    /// The mandatory headers and their syntax (RFC 3261 §8.1.1, §20).
    fn check(&self) -> Result<(), ParseError> {
        for name in ["To", "From", "Call-ID", "CSeq", "Via"] {
            if self.header(name).is_none() {
                return Err(ParseError::Missing(match name {
                    "To" => "To",
                    "From" => "From",
                    "Call-ID" => "Call-ID",
                    "CSeq" => "CSeq",
                    _ => "Via",
                }));
            }
        }
        for name in ["To", "From", "Call-ID", "CSeq", "Max-Forwards", "Content-Type"] {
            if self.all(name).len() > 1 {
                return Err(ParseError::Duplicate(match name {
                    "To" => "To",
                    "From" => "From",
                    "Call-ID" => "Call-ID",
                    "CSeq" => "CSeq",
                    "Max-Forwards" => "Max-Forwards",
                    _ => "Content-Type",
                }));
            }
        }
        if self.call_id().is_none_or(|c| c.is_empty() || c.contains(char::is_whitespace)) {
            return Err(ParseError::Invalid("Call-ID"));
        }
        let (_, cseq_method) = self.cseq().ok_or(ParseError::Invalid("CSeq"))?;
        if let StartLine::Request { method, .. } = &self.start {
            if *method != cseq_method {
                return Err(ParseError::CSeqMethod);
            }
        }
        if self.from().is_none() {
            return Err(ParseError::Invalid("From"));
        }
        if self.to().is_none() {
            return Err(ParseError::Invalid("To"));
        }
        if self.via().is_empty() {
            return Err(ParseError::Invalid("Via"));
        }
        if let Some(mf) = self.header("Max-Forwards") {
            mf.trim().parse::<u8>().map_err(|_| ParseError::Invalid("Max-Forwards"))?;
        }
        if let Some(e) = self.header("Expires") {
            e.trim().parse::<u32>().map_err(|_| ParseError::Invalid("Expires"))?;
        }
        Ok(())
    }

    /// The first value of a header (any case, canonical or compact name).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = canonical_name(name);
        self.headers.iter().find(|h| h.0.eq_ignore_ascii_case(&name)).map(|h| h.1.as_str())
    }

    /// Every value of a header; list headers are split on their commas.
    pub fn all(&self, name: &str) -> Vec<&str> {
        let name = canonical_name(name);
        let lines = self.headers.iter().filter(|h| h.0.eq_ignore_ascii_case(&name)).map(|h| h.1.as_str());
        if LISTS.contains(&name.as_str()) {
            lines.flat_map(split_list).collect()
        } else {
            lines.collect()
        }
    }

    pub fn method(&self) -> Option<&Method> {
        match &self.start {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match &self.start {
            StartLine::Response { code, .. } => Some(*code),
            StartLine::Request { .. } => None,
        }
    }

    pub fn call_id(&self) -> Option<&str> {
        self.header("Call-ID").map(str::trim)
    }

    /// `(sequence number, method)`; the number is below 2^31 (RFC 3261 §8.1.1.5).
    pub fn cseq(&self) -> Option<(u32, Method)> {
        let v = self.header("CSeq")?.trim();
        let (n, m) = v.split_once(char::is_whitespace)?;
        let n: u32 = n.parse().ok().filter(|n| *n < 1 << 31)?;
        Some((n, Method::parse(m.trim()).ok()?))
    }

    pub fn via(&self) -> Vec<Via> {
        self.all("Via").into_iter().map(Via::parse).collect::<Option<Vec<_>>>().unwrap_or_default()
    }

    pub fn from(&self) -> Option<NameAddr> {
        NameAddr::parse(self.header("From")?)
    }

    pub fn to(&self) -> Option<NameAddr> {
        NameAddr::parse(self.header("To")?)
    }

    /// Contacts; `None` inside means `Contact: *` (unregister all).
    pub fn contacts(&self) -> Vec<Option<NameAddr>> {
        self.all("Contact").into_iter().map(|c| if c == "*" { None } else { NameAddr::parse(c) }).collect()
    }

    /// Replaces a header's values with one, or adds it at the end.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let name = canonical_name(name);
        self.headers.retain(|h| !h.0.eq_ignore_ascii_case(&name));
        self.headers.push((name, value.into()));
    }

    /// The response to this request with `code` and `reason`: Via, From,
    /// Call-ID and CSeq copied, To copied with `to_tag` added unless it has
    /// one, no body.
    pub fn response(&self, code: u16, reason: &str, to_tag: Option<&str>) -> Message {
        let mut headers = Vec::new();
        for (name, value) in &self.headers {
            if matches!(name.as_str(), "Via" | "From" | "Call-ID" | "CSeq") {
                headers.push((name.clone(), value.clone()));
            } else if name == "To" {
                let tagged = NameAddr::parse(value).is_some_and(|t| t.tag().is_some());
                let v = match to_tag {
                    Some(tag) if !tagged => format!("{value};tag={tag}"),
                    _ => value.clone(),
                };
                headers.push((name.clone(), v));
            }
        }
        Message { start: StartLine::Response { code, reason: reason.to_owned() }, headers, body: Vec::new() }
    }

    /// The message as bytes, with a correct `Content-Length`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = match &self.start {
            StartLine::Request { method, uri } => format!("{method} {uri} SIP/2.0\r\n"),
            StartLine::Response { code, reason } => format!("SIP/2.0 {code} {reason}\r\n"),
        };
        for (name, value) in self.headers.iter().filter(|h| h.0 != "Content-Length") {
            s.push_str(name);
            s.push_str(": ");
            s.push_str(value);
            s.push_str("\r\n");
        }
        s.push_str(&format!("Content-Length: {}\r\n\r\n", self.body.len()));
        let mut out = s.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
}

fn parse_start(line: &str) -> Result<StartLine, ParseError> {
    if let Some(rest) = line.strip_prefix("SIP/") {
        let (version, rest) = rest.split_once(' ').ok_or(ParseError::StartLine)?;
        if version != "2.0" {
            return Err(ParseError::Version);
        }
        let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
        let code: u16 = code.parse().ok().filter(|c| (100..=699).contains(c)).ok_or(ParseError::StatusCode)?;
        return Ok(StartLine::Response { code, reason: reason.to_owned() });
    }
    // Exactly single spaces between the three parts (RFC 3261 §7.1).
    let mut parts = line.split(' ');
    let (method, uri, version) = (parts.next(), parts.next(), parts.next());
    let (Some(method), Some(uri), Some(version), None) = (method, uri, version, parts.next()) else {
        return Err(ParseError::StartLine);
    };
    let method = Method::parse(method)?;
    if !version.eq_ignore_ascii_case("SIP/2.0") {
        return Err(ParseError::Version);
    }
    let scheme_ok = uri.split_once(':').is_some_and(|(s, rest)| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) && !rest.is_empty()
    });
    if !scheme_ok || uri.contains(['<', '>', '"']) {
        return Err(ParseError::RequestUri);
    }
    Ok(StartLine::Request { method, uri: uri.to_owned() })
}

fn parse_headers<'a>(lines: impl Iterator<Item = &'a str>) -> Result<Vec<(String, String)>, ParseError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            // Folded continuation of the previous header (RFC 3261 §7.3.1).
            let last = out.last_mut().ok_or(ParseError::HeaderLine)?;
            last.1.push(' ');
            last.1.push_str(line.trim());
            continue;
        }
        let (name, value) = line.split_once(':').ok_or(ParseError::HeaderLine)?;
        let name = name.trim_end();
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(ParseError::HeaderLine);
        }
        out.push((canonical_name(name), value.trim().to_owned()));
    }
    Ok(out)
}

/// The `400 Bad Request` answer to a request that did not parse, built from
/// whatever Via, From, To, Call-ID and CSeq lines it has (RFC 3261 §8.2:
/// the reason phrase says what was wrong). `None` for a response, or when
/// the message is too broken to address an answer (no Via).
pub fn bad_request(bytes: &[u8], err: &ParseError) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(bytes.get(..bytes.len().min(crate::MAX_MESSAGE))?);
    let mut lines = text.split("\r\n");
    let start = lines.next()?;
    if start.starts_with("SIP/") || start.trim().is_empty() {
        return None;
    }
    let mut out = format!("SIP/2.0 400 {err}\r\n");
    let mut has_via = false;
    for line in lines.take_while(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else { continue };
        let name = canonical_name(name.trim());
        if matches!(name.as_str(), "Via" | "From" | "To" | "Call-ID" | "CSeq") {
            has_via |= name == "Via";
            out.push_str(&format!("{name}: {}\r\n", value.trim()));
        }
    }
    out.push_str("Content-Length: 0\r\n\r\n");
    has_via.then(|| out.into_bytes())
}
