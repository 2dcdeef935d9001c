//! Header names and the few header values a server reads by meaning: Via,
//! and name-addr forms (From, To, Contact).

/// The canonical spelling of a header name: compact forms expanded
/// (RFC 3261 §7.3.3), known names in their usual case, others as given.
pub fn canonical_name(name: &str) -> String {
    const KNOWN: &[&str] = &[
        "Accept", "Allow", "Authorization", "Call-ID", "Contact", "Content-Disposition", "Content-Encoding",
        "Content-Length", "Content-Type", "CSeq", "Event", "Expires", "From", "Max-Forwards", "Min-Expires",
        "Proxy-Authenticate", "Proxy-Authorization", "Record-Route", "Refer-To", "Require", "Route", "Server",
        "Subject", "Supported", "To", "Unsupported", "User-Agent", "Via", "Warning", "WWW-Authenticate",
    ];
    let compact = match name {
        "i" | "I" => Some("Call-ID"),
        "m" | "M" => Some("Contact"),
        "e" | "E" => Some("Content-Encoding"),
        "l" | "L" => Some("Content-Length"),
        "c" | "C" => Some("Content-Type"),
        "f" | "F" => Some("From"),
        "s" | "S" => Some("Subject"),
        "k" | "K" => Some("Supported"),
        "t" | "T" => Some("To"),
        "v" | "V" => Some("Via"),
        "o" | "O" => Some("Event"),
        "r" | "R" => Some("Refer-To"),
        _ => None,
    };
    if let Some(c) = compact {
        return c.to_owned();
    }
    KNOWN.iter().find(|k| k.eq_ignore_ascii_case(name)).map_or_else(|| name.to_owned(), |k| (*k).to_owned())
}

/// Splits a header value on commas that are outside quotes and `<...>`.
pub(crate) fn split_list(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut quoted, mut angle, mut escaped, mut start) = (false, false, false, 0);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                out.push(value[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(value[start..].trim());
    out.retain(|v| !v.is_empty());
    out
}

/// `;name=value` parameters, names lower-cased, values unquoted.
fn params(s: &str) -> Vec<(String, Option<String>)> {
    s.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v.trim().trim_matches('"').to_owned())),
            None => (p.to_ascii_lowercase(), None),
        })
        .collect()
}

/// One Via entry: `SIP/2.0/UDP host:port;branch=...;rport`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// `UDP`, `TCP`, `TLS`, `WS`, ... (upper-cased).
    pub transport: String,
    pub host: String,
    pub port: Option<u16>,
    pub params: Vec<(String, Option<String>)>,
}

impl Via {
    pub fn parse(s: &str) -> Option<Via> {
        let s = s.trim();
        let (proto, rest) = s.split_once(|c: char| c.is_whitespace())?;
        let mut parts = proto.split('/').map(str::trim);
        let (name, version, transport) = (parts.next()?, parts.next()?, parts.next()?);
        if !name.eq_ignore_ascii_case("SIP") || version != "2.0" || transport.is_empty() || parts.next().is_some() {
            return None;
        }
        let rest = rest.trim();
        let (sent_by, ps) = rest.split_once(';').unwrap_or((rest, ""));
        let (host, port) = split_host_port(sent_by.trim())?;
        Some(Via { transport: transport.to_ascii_uppercase(), host, port, params: params(ps) })
    }

    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        self.params.iter().find(|p| p.0 == name).map(|p| p.1.as_deref())
    }

    /// The branch, if it carries the RFC 3261 magic cookie.
    pub fn branch(&self) -> Option<&str> {
        self.param("branch").flatten().filter(|b| b.starts_with("z9hG4bK"))
    }
}

/// `host`, `host:port`, `[v6]:port`.
fn split_host_port(s: &str) -> Option<(String, Option<u16>)> {
    if s.is_empty() || s.contains(char::is_whitespace) {
        return None;
    }
    if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        return Some((format!("[{h}]"), port));
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() => Some((h.to_owned(), Some(p.parse().ok()?))),
        Some(_) => None,
        None => Some((s.to_owned(), None)),
    }
}

/// `"Display" <uri>;params`, `<uri>;params` or `uri;params` (From, To,
/// Contact). In the bare form parameters belong to the header, as RFC 3261
/// §20.10 says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    pub display: Option<String>,
    pub uri: String,
    pub params: Vec<(String, Option<String>)>,
}

impl NameAddr {
    pub fn parse(s: &str) -> Option<NameAddr> {
        let s = s.trim();
        let (display, uri, rest) = if let Some(lt) = find_unquoted(s, '<') {
            let after = &s[lt + 1..];
            let gt = after.find('>')?;
            let display = s[..lt].trim().trim_matches('"').trim();
            let display = (!display.is_empty()).then(|| display.to_owned());
            (display, after[..gt].trim().to_owned(), &after[gt + 1..])
        } else {
            if s.starts_with('"') {
                return None;
            }
            let cut = s.find(';').unwrap_or(s.len());
            (None, s[..cut].trim().to_owned(), &s[cut..])
        };
        if !uri.contains(':') || uri.contains(char::is_whitespace) {
            return None;
        }
        let rest = rest.trim();
        if !rest.is_empty() && !rest.starts_with(';') && !s.contains('<') {
            return None;
        }
        Some(NameAddr { display, uri, params: params(rest) })
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|p| p.0 == name).and_then(|p| p.1.as_deref())
    }

    pub fn tag(&self) -> Option<&str> {
        self.param("tag")
    }

    /// The user part of a `sip:`/`sips:` URI (`8001` in `sip:8001@host`).
    pub fn user(&self) -> Option<&str> {
        let rest = self.uri.split_once(':')?.1;
        let (user, _) = rest.split_once('@')?;
        Some(user.split(';').next().unwrap_or(user))
    }
}

fn find_unquoted(s: &str, needle: char) -> Option<usize> {
    let (mut quoted, mut escaped) = (false, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == needle && !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_values_and_lists() {
        assert_eq!(canonical_name("i"), "Call-ID");
        assert_eq!(canonical_name("call-id"), "Call-ID");
        assert_eq!(canonical_name("cseq"), "CSeq");
        assert_eq!(canonical_name("X-Custom"), "X-Custom");
        assert_eq!(split_list(r#""A, B" <sip:a@b>, <sip:c@d;x=1,2>,sip:e@f"#), vec![r#""A, B" <sip:a@b>"#, "<sip:c@d;x=1,2>", "sip:e@f"]);
        let v = Via::parse("SIP/2.0/udp 127.0.0.1:5080 ;branch=z9hG4bK77;rport").unwrap();
        assert_eq!((v.transport.as_str(), v.host.as_str(), v.port), ("UDP", "127.0.0.1", Some(5080)));
        assert_eq!((v.branch(), v.param("rport")), (Some("z9hG4bK77"), Some(None)));
        assert_eq!(Via::parse("SIP/2.0/TCP [2001:db8::1]:5061").unwrap().host, "[2001:db8::1]");
        assert!(Via::parse("SIP/3.0/UDP h").is_none());
        assert!(Via::parse("SIP/2.0/UDP h:port").is_none());
        let n = NameAddr::parse(r#""张伟" <sip:8001@127.0.0.1;transport=udp>;tag=abc;expires=60"#).unwrap();
        assert_eq!((n.display.as_deref(), n.user(), n.tag(), n.param("expires")), (Some("张伟"), Some("8001"), Some("abc"), Some("60")));
        let bare = NameAddr::parse("sip:8002@h;tag=x").unwrap();
        assert_eq!((bare.uri.as_str(), bare.tag()), ("sip:8002@h", Some("x")));
        assert!(NameAddr::parse(r#""unterminated <sip:a@b>"#).is_none());
        assert!(NameAddr::parse("<sip:a@b").is_none());
    }
}
