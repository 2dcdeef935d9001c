//! Requests: construction, printing, and the responses a UAS builds from
//! a request (RFC 3261 §8.2.6).

use crate::error::ParseError;
use crate::message::headers::Headers;
use crate::message::method::Method;
use crate::message::response::{reason_phrase, Response};
use crate::message::uri::SipUri;
use crate::message::{print, Message, MessageKind};

/// A SIP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    /// The Request-URI as written.
    pub uri: String,
    pub headers: Headers,
    /// The body; `Content-Length` is derived from it when printing.
    pub body: Vec<u8>,
}

impl Request {
    /// A request with no headers and no body.
    pub fn new(method: Method, uri: impl Into<String>) -> Request {
        Request {
            method,
            uri: uri.into(),
            headers: Headers::new(),
            body: Vec::new(),
        }
    }

    /// Parses one request (see [`Message::parse`]); a response is refused
    /// as a malformed request line.
    pub fn parse(bytes: &[u8]) -> Result<Request, ParseError> {
        match Message::parse(bytes)?.into_kind() {
            MessageKind::Request(r) => Ok(r),
            MessageKind::Response(_) => Err(ParseError::RequestLine),
        }
    }

    /// The request as bytes, with a correct `Content-Length`.
    pub fn to_bytes(&self) -> Vec<u8> {
        print::to_bytes(
            &format!("{} {} SIP/2.0", self.method, self.uri),
            &self.headers,
            &self.body,
        )
    }

    /// Adds a header line.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Request {
        self.headers.push(name, value);
        self
    }

    /// Sets the body and its Content-Type.
    pub fn with_body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Request {
        self.headers.set("Content-Type", content_type);
        self.body = body.into();
        self
    }

    /// The Request-URI parsed, if it is a SIP or SIPS URI.
    pub fn sip_uri(&self) -> Option<SipUri> {
        SipUri::parse(&self.uri)
    }

    /// A response to this request with the usual reason phrase: every Via
    /// line, From, To, Call-ID and CSeq copied (RFC 3261 §8.2.6.2), and
    /// Record-Route too when the response can create a dialog (§12.1.1).
    /// Add the To tag with [`Response::with_to_tag`].
    pub fn response(&self, status: u16) -> Response {
        let mut r = Response::new(status, reason_phrase(status));
        for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
            r.headers.copy_from(&self.headers, name);
        }
        let dialog_creating = matches!(
            self.method,
            Method::Invite | Method::Subscribe | Method::Refer
        );
        if dialog_creating && (101..300).contains(&status) {
            r.headers.copy_from(&self.headers, "Record-Route");
        }
        r
    }
}

impl Request {
    /// The CANCEL for this (INVITE) request (RFC 3261 §9.1): same
    /// Request-URI, top Via (so the same branch), From, To, Call-ID, Route
    /// and CSeq number.
    pub fn cancel(&self) -> Request {
        let mut c = Request::new(Method::Cancel, self.uri.clone());
        if let Some(via) = self.headers.top_via() {
            c.headers.push("Via", via.to_string());
        }
        c.headers.push("Max-Forwards", "70");
        for name in ["From", "To", "Call-ID"] {
            c.headers.copy_from(&self.headers, name);
        }
        let seq = self.headers.cseq().map_or(1, |s| s.seq);
        c.headers.push("CSeq", format!("{seq} CANCEL"));
        c.headers.copy_from(&self.headers, "Route");
        c
    }
}

impl From<Request> for Message {
    fn from(r: Request) -> Message {
        Message {
            start: crate::StartLine::Request {
                method: r.method,
                uri: r.uri,
            },
            headers: r.headers,
            body: r.body,
        }
    }
}
