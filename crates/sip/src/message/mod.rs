//! SIP messages (RFC 3261 §7): [`Request`], [`Response`], and [`Message`]
//! for bytes that may be either. Header values are kept as received and
//! printed back in order; the headers a server reads by meaning have typed
//! accessors on [`Headers`].

mod headers;
mod method;
mod name_addr;
mod names;
mod parse;
mod print;
mod reject;
mod request;
mod response;
pub(crate) mod syntax;
mod uri;
mod via;

pub(crate) use headers::parse_expires;
pub use headers::{CSeq, Header, Headers};
pub use method::Method;
pub use name_addr::NameAddr;
pub use names::canonical_name;
pub(crate) use parse::find_head_end;
pub use reject::reject;
pub(crate) use reject::stateless_tag;
pub use request::Request;
pub use response::{reason_phrase, Response};
pub use syntax::{Param, Params};
pub use uri::{scheme_of, unescape, Scheme, SipUri};
pub use via::{Via, MAGIC_COOKIE};

use crate::error::ParseError;

/// The first line of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartLine {
    Request { method: Method, uri: String },
    Response { status: u16, reason: String },
}

/// A message of either kind, as parsed from bytes. Convert it with
/// [`Message::into_kind`] to work with a typed [`Request`] or [`Response`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub start: StartLine,
    /// Header lines without `Content-Length` (the body's length is the truth).
    pub headers: Headers,
    pub body: Vec<u8>,
}

/// A message split by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageKind {
    Request(Request),
    Response(Response),
}

impl Message {
    /// Parses one message: a UDP datagram, or a frame from
    /// [`crate::framing::next_frame`]. CRLFs before the start line are
    /// skipped. With a Content-Length, extra bytes after the body are
    /// ignored (RFC 3261 §18.3) and fewer bytes are an error; without one,
    /// the body is the rest of the bytes. Never panics.
    pub fn parse(bytes: &[u8]) -> Result<Message, ParseError> {
        parse::parse(bytes)
    }

    /// The message as bytes, with a correct `Content-Length`.
    pub fn to_bytes(&self) -> Vec<u8> {
        match &self.start {
            StartLine::Request { method, uri } => print::to_bytes(
                &format!("{method} {uri} SIP/2.0"),
                &self.headers,
                &self.body,
            ),
            StartLine::Response { status, reason } => print::to_bytes(
                &format!("SIP/2.0 {status} {reason}"),
                &self.headers,
                &self.body,
            ),
        }
    }

    /// The typed request or response.
    pub fn into_kind(self) -> MessageKind {
        let Message {
            start,
            headers,
            body,
        } = self;
        match start {
            StartLine::Request { method, uri } => MessageKind::Request(Request {
                method,
                uri,
                headers,
                body,
            }),
            StartLine::Response { status, reason } => MessageKind::Response(Response {
                status,
                reason,
                headers,
                body,
            }),
        }
    }

    /// The request method, if it is a request.
    pub fn method(&self) -> Option<&Method> {
        match &self.start {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        }
    }

    /// The status code, if it is a response.
    pub fn status(&self) -> Option<u16> {
        match &self.start {
            StartLine::Response { status, .. } => Some(*status),
            StartLine::Request { .. } => None,
        }
    }
}

impl From<MessageKind> for Message {
    fn from(k: MessageKind) -> Message {
        match k {
            MessageKind::Request(r) => r.into(),
            MessageKind::Response(r) => r.into(),
        }
    }
}
