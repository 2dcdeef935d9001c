//! Responses: construction, printing, and the standard reason phrases.

use crate::error::ParseError;
use crate::message::headers::Headers;
use crate::message::name_addr::NameAddr;
use crate::message::{print, Message, MessageKind};

/// A SIP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// 100 to 699.
    pub status: u16,
    pub reason: String,
    pub headers: Headers,
    /// The body; `Content-Length` is derived from it when printing.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with no headers and no body.
    pub fn new(status: u16, reason: impl Into<String>) -> Response {
        Response {
            status,
            reason: reason.into(),
            headers: Headers::new(),
            body: Vec::new(),
        }
    }

    /// Parses one response (see [`Message::parse`]); a request is refused
    /// as a malformed status line.
    pub fn parse(bytes: &[u8]) -> Result<Response, ParseError> {
        match Message::parse(bytes)?.into_kind() {
            MessageKind::Response(r) => Ok(r),
            MessageKind::Request(_) => Err(ParseError::StatusLine),
        }
    }

    /// The response as bytes, with a correct `Content-Length`.
    pub fn to_bytes(&self) -> Vec<u8> {
        print::to_bytes(
            &format!("SIP/2.0 {} {}", self.status, self.reason),
            &self.headers,
            &self.body,
        )
    }

    /// 1xx.
    pub fn is_provisional(&self) -> bool {
        self.status < 200
    }

    /// 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// 200 to 699.
    pub fn is_final(&self) -> bool {
        self.status >= 200
    }

    /// Adds `;tag=<tag>` to To unless it already has a tag.
    pub fn with_to_tag(mut self, tag: &str) -> Response {
        if let Some(to) = self.headers.get("To") {
            if NameAddr::parse(to).is_some_and(|t| t.tag().is_none()) {
                let tagged = format!("{to};tag={tag}");
                self.headers.set("To", tagged);
            }
        }
        self
    }

    /// Replaces the reason phrase.
    pub fn with_reason(mut self, reason: impl Into<String>) -> Response {
        self.reason = reason.into();
        self
    }

    /// Adds a header line.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push(name, value);
        self
    }

    /// Sets the body and its Content-Type.
    pub fn with_body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        self.headers.set("Content-Type", content_type);
        self.body = body.into();
        self
    }

    /// The To tag.
    pub fn to_tag(&self) -> Option<String> {
        self.headers.to()?.tag()
    }
}

impl From<Response> for Message {
    fn from(r: Response) -> Message {
        Message {
            start: crate::StartLine::Response {
                status: r.status,
                reason: r.reason,
            },
            headers: r.headers,
            body: r.body,
        }
    }
}

/// The reason phrase RFC 3261 §21 (and later RFCs) give a status code;
/// a generic one for codes it does not list.
pub fn reason_phrase(status: u16) -> &'static str {
    known_reason(status).unwrap_or(match status {
        100..=199 => "Provisional",
        200..=299 => "Success",
        300..=399 => "Redirection",
        400..=499 => "Client Error",
        500..=599 => "Server Error",
        _ => "Global Failure",
    })
}

fn known_reason(status: u16) -> Option<&'static str> {
    Some(match status {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        182 => "Queued",
        183 => "Session Progress",
        200 => "OK",
        202 => "Accepted",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        305 => "Use Proxy",
        380 => "Alternative Service",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        410 => "Gone",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        421 => "Extension Required",
        423 => "Interval Too Brief",
        429 => "Too Many Requests",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        484 => "Address Incomplete",
        485 => "Ambiguous",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        491 => "Request Pending",
        493 => "Undecipherable",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        600 => "Busy Everywhere",
        603 => "Decline",
        604 => "Does Not Exist Anywhere",
        606 => "Not Acceptable",
        _ => return None,
    })
}
