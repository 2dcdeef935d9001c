//! Where one message ends on a stream transport (TCP, TLS): at the end of
//! its headers plus `Content-Length` bytes (RFC 3261 §18.3), after any
//! CRLF keep-alives (RFC 5626 §4.4.1).
//!
//! A stream that cannot be split any more (an unreadable or conflicting
//! Content-Length, a first line that is not SIP, more than
//! [`MAX_MESSAGE`] bytes without a whole message) must be closed: there is
//! no safe place to start reading again. A message without Content-Length
//! is taken to have no body, as most servers do, so a peer that forgets the
//! header on empty messages keeps working.

use crate::message::find_head_end;

/// Largest message accepted on any transport, in bytes.
pub const MAX_MESSAGE: usize = 64 * 1024;

/// What the start of a stream buffer holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framed {
    /// `skip` bytes of CRLF to drop, then one whole message of `len`
    /// bytes: parse `buf[skip..skip + len]` and drop `skip + len` bytes.
    Message { skip: usize, len: usize },
    /// `len` bytes of CRLF keep-alive to drop; when `pong` (the client sent
    /// the double-CRLF ping), answer with a single CRLF.
    KeepAlive { len: usize, pong: bool },
    /// Not enough bytes yet.
    NeedMore,
    /// The stream cannot be resynchronised: close the connection.
    Close(FramingError),
}

/// Why a stream must be closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FramingError {
    #[error("Message Too Large")]
    TooLarge,
    #[error("Not a SIP Stream")]
    NotSip,
    #[error("Invalid Content-Length")]
    ContentLength,
}

/// Frames the start of a stream buffer.
pub fn next_frame(buf: &[u8]) -> Framed {
    let skip = buf
        .iter()
        .take_while(|b| **b == b'\r' || **b == b'\n')
        .count();
    let crlfs = buf.get(..skip).unwrap_or_default();
    if crlfs.windows(4).any(|w| w == b"\r\n\r\n") {
        return Framed::KeepAlive {
            len: skip,
            pong: true,
        };
    }
    let Some(rest) = buf.get(skip..).filter(|r| !r.is_empty()) else {
        return Framed::NeedMore;
    };
    if let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        if !looks_like_sip(rest.get(..eol).unwrap_or_default()) {
            return Framed::Close(FramingError::NotSip);
        }
    }
    let Some(head_end) = find_head_end(rest) else {
        return if rest.len() > MAX_MESSAGE {
            Framed::Close(FramingError::TooLarge)
        } else {
            Framed::NeedMore
        };
    };
    let head = rest.get(..head_end).unwrap_or_default();
    let body = match content_length(head) {
        Ok(n) => n.unwrap_or(0),
        Err(e) => return Framed::Close(e),
    };
    let len = match (head_end + 4).checked_add(body) {
        Some(len) if len <= MAX_MESSAGE => len,
        _ => return Framed::Close(FramingError::TooLarge),
    };
    if rest.len() >= len {
        Framed::Message { skip, len }
    } else {
        Framed::NeedMore
    }
}

/// A request line ending in ` SIP/x` or a status line starting with `SIP/`.
fn looks_like_sip(line: &[u8]) -> bool {
    let line = line.trim_ascii_end();
    let starts = line
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"SIP/"));
    let last_word = line.rsplit(|b| *b == b' ').next().unwrap_or_default();
    let ends = line.contains(&b' ')
        && last_word
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"SIP/"));
    starts || ends
}

/// The Content-Length of a header section (bytes, folded lines allowed);
/// `Ok(None)` when absent.
fn content_length(head: &[u8]) -> Result<Option<usize>, FramingError> {
    let mut found: Option<usize> = None;
    let mut lines = head
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .skip(1)
        .peekable();
    while let Some(line) = lines.next() {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let name = line.get(..colon).unwrap_or_default().trim_ascii();
        if !(name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"l")) {
            continue;
        }
        let mut value = line.get(colon + 1..).unwrap_or_default().to_vec();
        while let Some(next) =
            lines.next_if(|l| l.first().is_some_and(|b| *b == b' ' || *b == b'\t'))
        {
            value.extend_from_slice(next);
        }
        let digits = value.trim_ascii();
        if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
            return Err(FramingError::ContentLength);
        }
        let n = digits
            .iter()
            .fold(0usize, |n, d| n * 10 + usize::from(d - b'0'));
        if found.is_some_and(|f| f != n) {
            return Err(FramingError::ContentLength);
        }
        found = Some(n);
    }
    Ok(found)
}

/// The simple form of [`next_frame`] for byte-moving transports that strip
/// leading CRLFs themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// The first `n` bytes are one whole message (or keep-alive CRLFs).
    Complete(usize),
    /// More bytes are needed.
    Incomplete,
    /// Not a SIP stream any more: close it.
    Invalid,
}

/// Frames the start of `buf`: [`next_frame`] with the skipped CRLFs
/// counted into the message.
pub fn frame(buf: &[u8]) -> Frame {
    match next_frame(buf) {
        Framed::Message { skip, len } => Frame::Complete(skip + len),
        Framed::KeepAlive { len, .. } => Frame::Complete(len),
        Framed::NeedMore => Frame::Incomplete,
        Framed::Close(_) => Frame::Invalid,
    }
}
