//! Printing messages to bytes: start line, header lines in order with
//! their canonical names, a `Content-Length` that always matches the body,
//! the empty line, the body. CR and LF inside a value (which could smuggle
//! a header in) are printed as spaces.

use crate::message::headers::Headers;
use crate::message::names::same;

fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['\r', '\n']) {
        s.replace(['\r', '\n'], " ").into()
    } else {
        s.into()
    }
}

pub(crate) fn to_bytes(start_line: &str, headers: &Headers, body: &[u8]) -> Vec<u8> {
    let mut s = String::with_capacity(256 + headers.len() * 48);
    s.push_str(&clean(start_line));
    s.push_str("\r\n");
    for h in headers.iter().filter(|h| !same(&h.name, "Content-Length")) {
        s.push_str(&clean(&h.name));
        s.push_str(": ");
        s.push_str(&clean(&h.value));
        s.push_str("\r\n");
    }
    s.push_str("Content-Length: ");
    s.push_str(&body.len().to_string());
    s.push_str("\r\n\r\n");
    let mut out = s.into_bytes();
    out.extend_from_slice(body);
    out
}
