//! Where one message ends on a stream transport (TCP): at the end of its
//! headers plus `Content-Length` bytes. On TCP the header is mandatory
//! (RFC 3261 §18.3); without it the stream cannot be resynchronised.

use crate::headers::canonical_name;

/// Largest message accepted on any transport, in bytes.
pub const MAX_MESSAGE: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// The first `n` bytes are one whole message.
    Complete(usize),
    /// More bytes are needed.
    Incomplete,
    /// Not a SIP stream (no Content-Length, a bad one, or too large): close it.
    Invalid,
}

/// Frames the start of `buf` (leading CRLF keep-alives already removed).
pub fn frame(buf: &[u8]) -> Frame {
    let Some(head_end) = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4) else {
        return if buf.len() > MAX_MESSAGE { Frame::Invalid } else { Frame::Incomplete };
    };
    let Ok(head) = std::str::from_utf8(&buf[..head_end]) else { return Frame::Invalid };
    let mut length = None;
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else { continue };
        if canonical_name(name.trim()) == "Content-Length" {
            match value.trim().parse::<usize>() {
                Ok(n) if length.is_none_or(|l| l == n) => length = Some(n),
                _ => return Frame::Invalid,
            }
        }
    }
    match length {
        Some(n) if head_end + n > MAX_MESSAGE => Frame::Invalid,
        Some(n) if buf.len() >= head_end + n => Frame::Complete(head_end + n),
        Some(_) => Frame::Incomplete,
        None => Frame::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_split_by_content_length() {
        let m = b"OPTIONS sip:a@b SIP/2.0\r\nl: 4\r\n\r\nbodyNEXT";
        assert_eq!(frame(m), Frame::Complete(m.len() - 4));
        assert_eq!(frame(&m[..20]), Frame::Incomplete);
        assert_eq!(frame(&m[..m.len() - 6]), Frame::Incomplete);
        assert_eq!(frame(b"OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n"), Frame::Invalid, "no Content-Length on a stream");
        assert_eq!(frame(b"X sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n"), Frame::Invalid);
        assert_eq!(frame(b"X sip:a@b SIP/2.0\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), Frame::Invalid);
        assert_eq!(frame(&vec![b'a'; MAX_MESSAGE + 1]), Frame::Invalid);
    }
}
