//! The stateless answer to a request that does not parse (RFC 3261
//! §8.2, §16.3): `400 <reason>` (or 505, 513) built from the raw Via, From,
//! To, Call-ID and CSeq lines, so the client can match it to its
//! transaction. Responses that do not parse are never answered.

use sha2::{Digest as _, Sha256};

use crate::error::ParseError;
use crate::message::headers::Headers;
use crate::message::names::{canonical_name, same};
use crate::message::response::Response;
use crate::message::syntax::trim_ws;

/// The response to send back for `bytes`, a request that failed to parse
/// with `error`; `None` when it cannot be answered (a response, or the
/// headers needed to address the answer are missing).
pub fn reject(bytes: &[u8], error: &ParseError) -> Option<Vec<u8>> {
    let start = bytes.iter().position(|b| *b != b'\r' && *b != b'\n')?;
    let bytes = bytes.get(start..)?;
    let head = match crate::message::find_head_end(bytes) {
        Some(end) => bytes.get(..end)?,
        None => bytes.get(..bytes.len().min(crate::MAX_MESSAGE))?,
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split("\r\n");
    let first = lines.next()?;
    if first
        .as_bytes()
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"SIP/"))
    {
        return None;
    }
    let mut raw = Headers::new();
    let mut last: Option<String> = None;
    for line in lines {
        if line.starts_with([' ', '\t']) {
            if let Some(l) = last.as_mut() {
                l.push(' ');
                l.push_str(trim_ws(line));
            }
            continue;
        }
        if let Some(prev) = last.take() {
            keep(&mut raw, &prev);
        }
        last = Some(line.to_owned());
    }
    if let Some(prev) = last {
        keep(&mut raw, &prev);
    }
    // The client matches the answer by the Via branch and the CSeq method
    // (§17.1.3): those two are needed, the others are copied when present.
    raw.get("Via")?;
    raw.get("CSeq")?;
    let mut r = Response::new(error.status(), error.to_string());
    for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
        r.headers.copy_from(&raw, name);
    }
    let tag = stateless_tag(raw.get("Call-ID").unwrap_or_default());
    if let Some(to) = raw
        .get("To")
        .filter(|t| !t.contains(";tag=") && !t.contains("; tag"))
    {
        r.headers.set("To", format!("{to};tag={tag}"));
    }
    Some(r.to_bytes())
}

/// The To tag of a stateless answer: the same for every retransmission of
/// a request (derived from its Call-ID), so the client sees one answer.
pub(crate) fn stateless_tag(call_id: &str) -> String {
    hex::encode(
        Sha256::digest(format!("hotline-stateless:{call_id}").as_bytes())
            .get(..6)
            .unwrap_or_default(),
    )
}

/// Keeps a raw `name: value` line if it is one of the addressing headers.
fn keep(raw: &mut Headers, line: &str) {
    let Some((name, value)) = line.split_once(':') else {
        return;
    };
    let name = trim_ws(name);
    if ["Via", "From", "To", "Call-ID", "CSeq"]
        .iter()
        .any(|n| same(n, name))
    {
        raw.push(&canonical_name(name), trim_ws(value));
    }
}
