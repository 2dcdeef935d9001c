//! Parsing one whole message from bytes (RFC 3261 §7), with the checks a
//! server makes before it touches a request (§8.2, §18.3): the start line
//! with single spaces, header lines unfolded, Content-Length against the
//! body, the mandatory headers present once and well-formed. The first
//! problem found is the error.

use crate::error::ParseError;
use crate::message::headers::{parse_decimal, CSeq, Header, Headers};
use crate::message::method::Method;
use crate::message::name_addr::NameAddr;
use crate::message::names::{canonical_name, known};
use crate::message::syntax::{is_token, parse_params, split_list, trim_ws};
use crate::message::uri::{scheme_of, SipUri};
use crate::message::via::Via;
use crate::message::{Message, StartLine};
use crate::MAX_MESSAGE;

/// Where the header section ends: the index of the empty line's CRLFCRLF.
pub(crate) fn find_head_end(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n")
}

/// Parses a datagram or a framed stream message.
pub(crate) fn parse(bytes: &[u8]) -> Result<Message, ParseError> {
    if bytes.len() > MAX_MESSAGE {
        return Err(ParseError::TooLarge);
    }
    // CRLFs before the start line are keep-alives (RFC 3261 §7.5).
    let skip = bytes
        .iter()
        .position(|b| *b != b'\r' && *b != b'\n')
        .ok_or(ParseError::Empty)?;
    let bytes = bytes.get(skip..).unwrap_or_default();
    let head_end = find_head_end(bytes).ok_or(ParseError::Incomplete)?;
    let (head, rest) = bytes
        .split_at_checked(head_end)
        .ok_or(ParseError::Incomplete)?;
    let rest = rest.get(4..).unwrap_or_default();
    let head = std::str::from_utf8(head).map_err(|_| ParseError::NotUtf8)?;
    let mut lines = head.split("\r\n");
    let start = parse_start(lines.next().unwrap_or_default())?;
    let mut headers = parse_headers(lines)?;
    let body = take_body(&headers, rest)?;
    headers.remove("Content-Length");
    check(&start, &headers)?;
    Ok(Message {
        start,
        headers,
        body,
    })
}

fn parse_start(line: &str) -> Result<StartLine, ParseError> {
    if line.contains(['\r', '\n']) {
        return Err(ParseError::RequestLine);
    }
    if line.len() >= 4
        && line
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("SIP/"))
    {
        return parse_status_line(line);
    }
    // Method SP Request-URI SP SIP-Version, single spaces (RFC 3261 §7.1).
    let mut parts = line.split(' ');
    let (Some(method), Some(uri), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ParseError::RequestLine);
    };
    let method = Method::parse(method).ok_or(ParseError::Method)?;
    check_version(version, ParseError::RequestLine)?;
    let scheme = scheme_of(uri).ok_or(ParseError::RequestUri)?;
    if scheme == "sip" || scheme == "sips" {
        // Headers (`?...`) are not allowed in a Request-URI (§19.1.5).
        let u = SipUri::parse(uri).ok_or(ParseError::RequestUri)?;
        if u.headers.is_some() {
            return Err(ParseError::RequestUri);
        }
    }
    Ok(StartLine::Request {
        method,
        uri: uri.to_owned(),
    })
}

/// `SIP/2.0`; another well-formed version is `Version` (505), anything
/// else `malformed`.
fn check_version(v: &str, malformed: ParseError) -> Result<(), ParseError> {
    if v.eq_ignore_ascii_case("SIP/2.0") {
        return Ok(());
    }
    let numbers = v
        .get(4..)
        .filter(|_| v.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("SIP/")));
    let well_formed = numbers
        .and_then(|n| n.split_once('.'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        });
    Err(if well_formed {
        ParseError::Version
    } else {
        malformed
    })
}

fn parse_status_line(line: &str) -> Result<StartLine, ParseError> {
    let (version, rest) = line.split_once(' ').ok_or(ParseError::StatusLine)?;
    check_version(version, ParseError::StatusLine)?;
    // A missing reason phrase is tolerated (`SIP/2.0 100` without the SP).
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::StatusCode);
    }
    let status: u16 = code.parse().map_err(|_| ParseError::StatusCode)?;
    if !(100..=699).contains(&status) {
        return Err(ParseError::StatusCode);
    }
    Ok(StartLine::Response {
        status,
        reason: reason.to_owned(),
    })
}

fn parse_headers<'a>(lines: impl Iterator<Item = &'a str>) -> Result<Headers, ParseError> {
    let mut out: Vec<Header> = Vec::new();
    for line in lines {
        if line.contains(['\r', '\n']) {
            return Err(ParseError::HeaderLine);
        }
        if line.starts_with([' ', '\t']) {
            // A folded continuation of the previous header (§7.3.1).
            let last = out.last_mut().ok_or(ParseError::HeaderLine)?;
            let more = trim_ws(line);
            if !more.is_empty() {
                if !last.value.is_empty() {
                    last.value.push(' ');
                }
                last.value.push_str(more);
            }
            continue;
        }
        let (name, value) = line.split_once(':').ok_or(ParseError::HeaderLine)?;
        let name = trim_ws(name);
        if !is_token(name) {
            return Err(ParseError::HeaderLine);
        }
        out.push(Header {
            name: canonical_name(name),
            value: trim_ws(value).to_owned(),
        });
    }
    let mut headers = Headers::new();
    for h in out {
        headers.push(&h.name, h.value);
    }
    Ok(headers)
}

/// The body: `Content-Length` bytes (extra datagram bytes are dropped,
/// §18.3), or everything after the headers when there is no Content-Length.
fn take_body(headers: &Headers, rest: &[u8]) -> Result<Vec<u8>, ParseError> {
    let mut length = None;
    for v in headers.get_all("Content-Length") {
        let n = parse_decimal(v, u64::MAX).ok_or(ParseError::Invalid("Content-Length"))?;
        if length.is_some_and(|l| l != n) {
            return Err(ParseError::Duplicate("Content-Length"));
        }
        length = Some(n);
    }
    match length {
        None => Ok(rest.to_vec()),
        Some(n) => {
            let n = usize::try_from(n).map_err(|_| ParseError::BodyTooShort)?;
            rest.get(..n)
                .map(<[u8]>::to_vec)
                .ok_or(ParseError::BodyTooShort)
        }
    }
}

/// The static name for error messages.
fn name(n: &str) -> &'static str {
    known(n).unwrap_or("Header")
}

fn check(start: &StartLine, h: &Headers) -> Result<(), ParseError> {
    for n in ["Via", "From", "To", "Call-ID", "CSeq"] {
        if h.get(n).is_none() {
            return Err(ParseError::Missing(name(n)));
        }
    }
    for n in [
        "From",
        "To",
        "Call-ID",
        "CSeq",
        "Max-Forwards",
        "Content-Type",
    ] {
        if h.get_all(n).nth(1).is_some() {
            return Err(ParseError::Duplicate(name(n)));
        }
    }
    if !h.get_all("Via").all(|v| Via::parse_list(v).is_some()) {
        return Err(ParseError::Invalid("Via"));
    }
    for n in ["From", "To"] {
        if h.get(n).and_then(NameAddr::parse).is_none() {
            return Err(ParseError::Invalid(name(n)));
        }
    }
    if !h.call_id().is_some_and(is_call_id) {
        return Err(ParseError::Invalid("Call-ID"));
    }
    let cseq = h
        .get("CSeq")
        .and_then(CSeq::parse)
        .ok_or(ParseError::Invalid("CSeq"))?;
    if let StartLine::Request { method, .. } = start {
        if *method != cseq.method {
            return Err(ParseError::CSeqMethod);
        }
    }
    if let Some(mf) = h.get("Max-Forwards") {
        parse_decimal(mf, 255).ok_or(ParseError::Invalid("Max-Forwards"))?;
    }
    check_contacts(h)?;
    for n in ["Route", "Record-Route"] {
        if !h.get_all(n).all(|v| {
            split_list(v).is_some_and(|l| l.into_iter().all(|e| NameAddr::parse(e).is_some()))
        }) {
            return Err(ParseError::Invalid(name(n)));
        }
    }
    if h.get("Content-Type").is_some_and(|c| !is_media_type(c)) {
        return Err(ParseError::Invalid("Content-Type"));
    }
    Ok(())
}

/// Contact: name-addrs, or `*` alone.
fn check_contacts(h: &Headers) -> Result<(), ParseError> {
    let mut elements = Vec::new();
    for v in h.get_all("Contact") {
        elements.extend(split_list(v).ok_or(ParseError::Invalid("Contact"))?);
    }
    let star = elements.contains(&"*");
    let ok = if star {
        elements.len() == 1
    } else {
        elements.iter().all(|e| NameAddr::parse(e).is_some())
    };
    if ok {
        Ok(())
    } else {
        Err(ParseError::Invalid("Contact"))
    }
}

/// `word ["@" word]`: visible ASCII without white space (RFC 3261 `word`
/// is nearly every visible character).
fn is_call_id(c: &str) -> bool {
    let visible = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_graphic() && b != b'@');
    match c.split_once('@') {
        Some((a, b)) => visible(a) && visible(b),
        None => visible(c),
    }
}

/// `type/subtype *(;param)`.
fn is_media_type(c: &str) -> bool {
    let semi = c.find(';').unwrap_or(c.len());
    let (mime, params) = c.split_at_checked(semi).unwrap_or((c, ""));
    let mime_ok = mime
        .split_once('/')
        .is_some_and(|(t, s)| is_token(trim_ws(t)) && is_token(trim_ws(s)));
    mime_ok && parse_params(params).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_ids_and_media_types() {
        assert!(is_call_id("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"));
        assert!(!is_call_id("a b") && !is_call_id("") && !is_call_id("a@") && !is_call_id("a@b@c"));
        assert!(is_media_type("multipart/mixed;boundary=7a9cbec02ceef655"));
        assert!(is_media_type("application/sdp ; charset=\"utf-8\""));
        assert!(!is_media_type("sdp") && !is_media_type("application/sdp;;"));
    }
}
