//! The header section: header lines in order, names in canonical spelling,
//! values as received (unfolded, trimmed), and typed accessors for the
//! headers a server reads by meaning. Accessors parse on each call and
//! return `None` for a missing or malformed value; [`crate::Message::parse`]
//! has already refused messages whose mandatory headers are malformed.

use std::fmt;

use crate::message::method::Method;
use crate::message::name_addr::NameAddr;
use crate::message::names::{canonical_name, is_list, same};
use crate::message::syntax::{split_list, trim_ws};
use crate::message::via::Via;

/// One header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Canonical spelling (`Call-ID` for `i` or `call-id`).
    pub name: String,
    pub value: String,
}

/// `CSeq: <seq> <method>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CSeq {
    /// Below 2^31 (RFC 3261 §8.1.1.5).
    pub seq: u32,
    pub method: Method,
}

impl CSeq {
    pub fn parse(s: &str) -> Option<CSeq> {
        let s = trim_ws(s);
        let (n, m) = s.split_once([' ', '\t'])?;
        if n.is_empty() || n.len() > 10 || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let seq: u32 = n.parse().ok().filter(|n| *n < 1 << 31)?;
        Some(CSeq {
            seq,
            method: Method::parse(trim_ws(m))?,
        })
    }
}

impl fmt::Display for CSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

/// A decimal number of at most `max` (leading zeros allowed).
pub(crate) fn parse_decimal(s: &str, max: u64) -> Option<u64> {
    let s = trim_ws(s);
    let digits = s.trim_start_matches('0');
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 19 {
        return None;
    }
    let n: u64 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    (n <= max).then_some(n)
}

/// The header lines of a message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Headers(Vec<Header>);

impl Headers {
    pub fn new() -> Headers {
        Headers::default()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every header line, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.0.iter()
    }

    /// The first line's value of a header (any case, long or compact name).
    pub fn get<'a>(&'a self, name: &str) -> Option<&'a str> {
        self.0
            .iter()
            .find(|h| same(&h.name, name))
            .map(|h| h.value.as_str())
    }

    /// Every line's value of a header.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |h| same(&h.name, name))
            .map(|h| h.value.as_str())
    }

    /// Every element of a header: list headers (Via, Contact, Route, ...)
    /// are split on their commas; other headers give one element per line.
    /// Empty elements are skipped.
    pub fn values<'a>(&'a self, name: &str) -> Vec<&'a str> {
        let split = is_list(&canonical_name(name));
        let mut out = Vec::new();
        for v in self
            .0
            .iter()
            .filter(|h| same(&h.name, name))
            .map(|h| h.value.as_str())
        {
            match split.then(|| split_list(v)).flatten() {
                Some(parts) => out.extend(parts.into_iter().filter(|p| !p.is_empty())),
                None => out.push(v),
            }
        }
        out
    }

    /// Adds a line at the end.
    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        self.0.push(Header {
            name: canonical_name(name),
            value: value.into(),
        });
    }

    /// Adds a line before every other (a new top Via).
    pub fn push_front(&mut self, name: &str, value: impl Into<String>) {
        self.0.insert(
            0,
            Header {
                name: canonical_name(name),
                value: value.into(),
            },
        );
    }

    /// Replaces every line of a header with one, where the first was (or
    /// at the end).
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let Some(first) = self.0.iter().position(|h| same(&h.name, name)) else {
            return self.push(name, value);
        };
        // Lines before `first` are other headers, so it keeps its index.
        let mut i = 0;
        self.0.retain(|h| {
            let keep = i == first || !same(&h.name, name);
            i += 1;
            keep
        });
        if let Some(h) = self.0.get_mut(first) {
            h.value = value.into();
        }
    }

    /// Removes every line of a header; returns how many there were.
    pub fn remove(&mut self, name: &str) -> usize {
        let before = self.0.len();
        self.0.retain(|h| !same(&h.name, name));
        before - self.0.len()
    }

    /// Copies every line of `name` from `other`, in order.
    pub(crate) fn copy_from(&mut self, other: &Headers, name: &str) {
        for v in other.get_all(name) {
            self.push(name, v);
        }
    }

    pub fn call_id(&self) -> Option<&str> {
        self.get("Call-ID").map(trim_ws)
    }

    pub fn cseq(&self) -> Option<CSeq> {
        CSeq::parse(self.get("CSeq")?)
    }

    pub fn from(&self) -> Option<NameAddr> {
        NameAddr::parse(self.get("From")?)
    }

    pub fn to(&self) -> Option<NameAddr> {
        NameAddr::parse(self.get("To")?)
    }

    /// Every Via element, top first; empty if any is malformed.
    pub fn vias(&self) -> Vec<Via> {
        self.get_all("Via")
            .map(Via::parse_list)
            .collect::<Option<Vec<_>>>()
            .map(|v| v.concat())
            .unwrap_or_default()
    }

    /// The first Via element.
    pub fn top_via(&self) -> Option<Via> {
        Via::parse_list(self.get("Via")?)?.into_iter().next()
    }

    /// Replaces the top Via element, keeping the others as written.
    pub fn set_top_via(&mut self, via: &Via) {
        let Some(first) = self.0.iter_mut().find(|h| same(&h.name, "Via")) else {
            return self.push_front("Via", via.to_string());
        };
        let rest = split_list(&first.value)
            .map(|parts| parts.into_iter().skip(1).collect::<Vec<_>>().join(", "));
        first.value = match rest {
            Some(r) if !r.is_empty() => format!("{via}, {r}"),
            _ => via.to_string(),
        };
    }

    /// Removes the top Via element (a response going back one hop).
    pub fn pop_via(&mut self) -> Option<Via> {
        let i = self.0.iter().position(|h| same(&h.name, "Via"))?;
        let value = self.0.get(i)?.value.clone();
        let parts = split_list(&value)?;
        let top = Via::parse(parts.first()?);
        let rest: Vec<&str> = parts.into_iter().skip(1).collect();
        if rest.is_empty() {
            self.0.remove(i);
        } else if let Some(h) = self.0.get_mut(i) {
            h.value = rest.join(", ");
        }
        top
    }

    /// Contact addresses (`Contact: *` is not one: see [`Headers::contact_star`]).
    pub fn contacts(&self) -> Vec<NameAddr> {
        self.values("Contact")
            .into_iter()
            .filter(|c| *c != "*")
            .filter_map(NameAddr::parse)
            .collect()
    }

    /// Whether the Contact header is `*` (remove every binding).
    pub fn contact_star(&self) -> bool {
        self.values("Contact").contains(&"*")
    }

    /// Route values, in order.
    pub fn routes(&self) -> Vec<NameAddr> {
        self.values("Route")
            .into_iter()
            .filter_map(NameAddr::parse)
            .collect()
    }

    /// Record-Route values, in order.
    pub fn record_routes(&self) -> Vec<NameAddr> {
        self.values("Record-Route")
            .into_iter()
            .filter_map(NameAddr::parse)
            .collect()
    }

    /// Max-Forwards, 0 to 255.
    pub fn max_forwards(&self) -> Option<u8> {
        parse_decimal(self.get("Max-Forwards")?, 255).and_then(|n| u8::try_from(n).ok())
    }

    /// The Expires header in seconds; values beyond 2^32-1 count as
    /// 2^32-1, malformed ones (an RFC 2543 date) as absent.
    pub fn expires(&self) -> Option<u32> {
        parse_expires(self.get("Expires")?)
    }

    /// Content-Type, as written (`application/sdp`).
    pub fn content_type(&self) -> Option<&str> {
        self.get("Content-Type").map(trim_ws)
    }

    pub fn user_agent(&self) -> Option<&str> {
        self.get("User-Agent")
    }

    pub fn authorization(&self) -> Option<&str> {
        self.get("Authorization")
    }

    pub fn www_authenticate(&self) -> Vec<&str> {
        self.get_all("WWW-Authenticate").collect()
    }

    /// Option tags of `Require` (or another option-tag list header).
    pub fn option_tags(&self, name: &str) -> Vec<&str> {
        self.values(name).into_iter().map(trim_ws).collect()
    }
}

/// `delta-seconds`, saturated at 2^32-1.
pub(crate) fn parse_expires(s: &str) -> Option<u32> {
    let s = trim_ws(s);
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = s.trim_start_matches('0');
    if digits.len() > 10 {
        return Some(u32::MAX);
    }
    Some(
        digits
            .parse::<u64>()
            .map_or(0, |n| n.min(u64::from(u32::MAX))) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_lists_and_typed_values() {
        let mut h = Headers::new();
        h.push(
            "v",
            "SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2",
        );
        h.push("Via", "SIP/2.0/TCP c");
        h.push("m", r#""A, B" <sip:a@b>;expires=30, <sip:c@d>"#);
        h.push("CSEQ", "0009 INVITE");
        h.push("Max-Forwards", "0068");
        h.push("Expires", "1000000000000000000000000");
        assert_eq!(h.vias().len(), 3);
        assert_eq!(h.top_via().unwrap().host, "a");
        assert_eq!(h.contacts().len(), 2);
        assert_eq!(
            h.cseq(),
            Some(CSeq {
                seq: 9,
                method: Method::Invite
            })
        );
        assert_eq!(h.max_forwards(), Some(68));
        assert_eq!(h.expires(), Some(u32::MAX));
        let top = h.pop_via().unwrap();
        assert_eq!(top.host, "a");
        assert_eq!(h.get("Via"), Some("SIP/2.0/UDP b;branch=z9hG4bK2"));
        let mut v = h.top_via().unwrap();
        v.params.set("received", Some("10.0.0.1"));
        h.set_top_via(&v);
        assert_eq!(
            h.get("via"),
            Some("SIP/2.0/UDP b;branch=z9hG4bK2;received=10.0.0.1")
        );
        h.set("Via", "SIP/2.0/UDP z");
        assert_eq!(h.get_all("Via").collect::<Vec<_>>(), ["SIP/2.0/UDP z"]);
        assert_eq!(h.remove("contact"), 1);
        assert_eq!(CSeq::parse("36893488147419103232 REGISTER"), None);
        assert_eq!(CSeq::parse("2147483648 INVITE"), None);
        assert_eq!(parse_decimal("300", 255), None);
        assert_eq!(parse_expires("Thu, 01 Dec 1994 16:00:00 GMT"), None);
    }
}
