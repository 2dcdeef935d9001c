//! URIs: the generic `scheme:rest` check every URI passes, and SIP/SIPS
//! URIs (RFC 3261 §19.1) parsed into user, host, port, parameters and
//! headers. Escapes (`%41`) are kept as written; [`unescape`] decodes a
//! part for comparison.

use std::fmt;

use crate::message::syntax::{Param, Params};

/// `sip:` or `sips:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    Sip,
    Sips,
}

/// A parsed `sip:` / `sips:` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipUri {
    pub scheme: Scheme,
    /// The user part as written (escapes kept), if any.
    pub user: Option<String>,
    pub password: Option<String>,
    /// A host name, IPv4 address or `[IPv6]` reference.
    pub host: String,
    pub port: Option<u16>,
    pub params: Params,
    /// `?name=value&...` as written, without the `?`.
    pub headers: Option<String>,
}

/// The scheme of `uri` (lower-cased) if it starts like a URI:
/// `ALPHA *(ALPHA / DIGIT / "+" / "-" / ".") ":"` followed by at least one
/// character, with no white space, `<`, `>` or `"` anywhere.
pub fn scheme_of(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once(':')?;
    let first_alpha = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic());
    let scheme_ok = first_alpha
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    let rest_ok = !rest.is_empty()
        && !rest
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"".contains(c));
    (scheme_ok && rest_ok).then(|| scheme.to_ascii_lowercase())
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b)
}

/// Every byte is unreserved, in `extra`, or part of a valid `%HH` escape.
fn chars_ok(s: &str, extra: &[u8]) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = |j: usize| b.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else if is_unreserved(c) || extra.contains(&c) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// A host name (letters, digits, `-`, `_`, dots), IPv4 address, or an
/// IPv6 reference in brackets.
pub(crate) fn is_host(h: &str) -> bool {
    if let Some(inner) = h.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.contains(':')
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b":.".contains(&b));
    }
    !h.is_empty()
        && !h.starts_with(['.', '-'])
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
        && !h.contains("..")
}

/// Splits `host[:port]` (with `[v6]:port`); the port must be 0..=65535.
pub(crate) fn split_host_port(s: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if s.starts_with('[') {
        let end = s.find(']')? + 1;
        let (h, rest) = s.split_at_checked(end)?;
        match rest {
            "" => (h, None),
            _ => (h, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    if !is_host(host) {
        return None;
    }
    let port = match port {
        Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse().ok()?)
        }
        Some(_) => return None,
        None => None,
    };
    Some((host.to_owned(), port))
}

impl SipUri {
    /// Parses a `sip:` or `sips:` URI; `None` if it is not one or is
    /// malformed.
    pub fn parse(s: &str) -> Option<SipUri> {
        let (scheme, rest) = s.split_once(':')?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "sip" => Scheme::Sip,
            "sips" => Scheme::Sips,
            _ => return None,
        };
        // The user part may contain `;`, `?` and `/`, so it ends at the
        // first `@` (which it cannot contain unescaped).
        let (userinfo, hostpart) = match rest.split_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let (user, password) = match userinfo {
            Some(u) => {
                let (user, password) = match u.split_once(':') {
                    Some((a, b)) => (a, Some(b)),
                    None => (u, None),
                };
                if user.is_empty() || !chars_ok(user, b"&=+$,;?/") {
                    return None;
                }
                if password.is_some_and(|p| !chars_ok(p, b"&=+$,")) {
                    return None;
                }
                (Some(user.to_owned()), password.map(str::to_owned))
            }
            None => (None, None),
        };
        let (hostpart, headers) = match hostpart.split_once('?') {
            Some((h, q)) if !q.is_empty() && chars_ok(q, b"[]/?:+$&=") => (h, Some(q.to_owned())),
            Some(_) => return None,
            None => (hostpart, None),
        };
        let mut pieces = hostpart.split(';');
        let (host, port) = split_host_port(pieces.next()?)?;
        let mut params = Vec::new();
        for p in pieces {
            let (name, value) = match p.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (p, None),
            };
            let ok = |s: &str| !s.is_empty() && chars_ok(s, b"[]/:&+$");
            if !ok(name) || value.is_some_and(|v| !ok(v)) {
                return None;
            }
            params.push(Param {
                name: name.to_owned(),
                value: value.map(str::to_owned),
            });
        }
        Some(SipUri {
            scheme,
            user,
            password,
            host,
            port,
            params: Params(params),
            headers,
        })
    }

    /// A `sip:` URI for `user@host[:port]`.
    pub fn new(user: Option<&str>, host: &str, port: Option<u16>) -> SipUri {
        SipUri {
            scheme: Scheme::Sip,
            user: user.map(str::to_owned),
            password: None,
            host: host.to_owned(),
            port,
            params: Params::default(),
            headers: None,
        }
    }

    /// The user part with escapes decoded (`%38001` is `8001`).
    pub fn user_unescaped(&self) -> Option<String> {
        self.user.as_deref().map(unescape)
    }

    /// `host[:port]`.
    pub fn host_port(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }
}

impl fmt::Display for SipUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.scheme {
            Scheme::Sip => "sip:",
            Scheme::Sips => "sips:",
        })?;
        if let Some(u) = &self.user {
            f.write_str(u)?;
            if let Some(p) = &self.password {
                write!(f, ":{p}")?;
            }
            f.write_str("@")?;
        }
        write!(f, "{}{}", self.host_port(), self.params)?;
        if let Some(h) = &self.headers {
            write!(f, "?{h}")?;
        }
        Ok(())
    }
}

/// Decodes `%HH` escapes; invalid escapes and non-UTF-8 results are kept
/// as written (lossy), never a panic.
pub fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (c, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sip_uris() {
        let u = SipUri::parse("sip:8001@127.0.0.1:5080;transport=tcp;lr").unwrap();
        assert_eq!(
            (u.user.as_deref(), u.host.as_str(), u.port),
            (Some("8001"), "127.0.0.1", Some(5080))
        );
        assert!(u.params.has("lr") && u.params.get("transport").as_deref() == Some("tcp"));
        assert_eq!(u.to_string(), "sip:8001@127.0.0.1:5080;transport=tcp;lr");
        let odd = "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com";
        let u = SipUri::parse(odd).unwrap();
        assert_eq!(
            u.password.as_deref(),
            Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
        );
        assert_eq!(
            SipUri::parse("sip:user;par=u%40example.net@example.com")
                .unwrap()
                .host,
            "example.com"
        );
        assert_eq!(
            SipUri::parse("sips:[2001:db8::1]:5061").unwrap().host,
            "[2001:db8::1]"
        );
        assert_eq!(
            SipUri::parse("sip:%38001@h")
                .unwrap()
                .user_unescaped()
                .as_deref(),
            Some("8001")
        );
        assert_eq!(
            SipUri::parse("sip:h?Route=%3Csip:x%3E")
                .unwrap()
                .headers
                .as_deref(),
            Some("Route=%3Csip:x%3E")
        );
        for bad in [
            "sip:",
            "sip:@h",
            "sip:a@",
            "sip:a@h:99999",
            "sip:a@h:",
            "sip:a b@h",
            "sip:%zz@h",
            "sip:h;;lr",
            "tel:+1",
            "sip:h?",
        ] {
            assert!(SipUri::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(
            scheme_of("nobodyKnowsThisScheme:totallyopaquecontent").as_deref(),
            Some("nobodyknowsthisscheme")
        );
        assert!(
            scheme_of("<sip:a@b>").is_none()
                && scheme_of("sip:").is_none()
                && scheme_of("1x:a").is_none()
        );
        assert_eq!(unescape("null-%00-%zz"), "null-\0-%zz");
    }
}
