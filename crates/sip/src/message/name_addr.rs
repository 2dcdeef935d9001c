//! `name-addr` and `addr-spec` values (RFC 3261 §20.10, §25.1): From, To,
//! Contact, Route, Record-Route.
//!
//! `"Display" <uri>;params`, `Display Words <uri>;params`, or a bare
//! `uri;params` where the parameters belong to the header. A bare URI may
//! not contain `?` or `,` (those need the angle brackets), and no URI may
//! contain white space.

use std::fmt;

use crate::message::syntax::{is_token, is_ws, parse_params, quoted_len, trim_ws, unquote, Params};
use crate::message::uri::{scheme_of, SipUri};

/// A parsed name-addr or addr-spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    /// The display name, unquoted and unescaped.
    pub display: Option<String>,
    /// The URI as written.
    pub uri: String,
    /// Header parameters (`tag`, `expires`, `q`, ...).
    pub params: Params,
}

impl NameAddr {
    /// `<uri>` with no display name and no parameters.
    pub fn new(uri: &str) -> NameAddr {
        NameAddr {
            display: None,
            uri: uri.to_owned(),
            params: Params::default(),
        }
    }

    /// Parses a From/To/Contact/Route element; `None` if malformed.
    pub fn parse(s: &str) -> Option<NameAddr> {
        let s = trim_ws(s);
        let (display, uri, rest) = if s.starts_with('"') {
            let q = quoted_len(s)?;
            let (quoted, after) = s.split_at_checked(q)?;
            let after = trim_ws(after).strip_prefix('<')?;
            let (uri, rest) = after.split_once('>')?;
            (Some(unquote(quoted)), uri, rest)
        } else if let Some((before, after)) = s.split_once('<') {
            let before = trim_ws(before);
            if !before.split(is_ws).filter(|w| !w.is_empty()).all(is_token) {
                return None;
            }
            let (uri, rest) = after.split_once('>')?;
            let display = (!before.is_empty()).then(|| {
                before
                    .split(is_ws)
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            });
            (display, uri, rest)
        } else {
            let cut = s.find(';').unwrap_or(s.len());
            let (uri, rest) = s.split_at_checked(cut)?;
            let uri = trim_ws(uri);
            if uri.contains(['?', ',', '"']) {
                return None;
            }
            (None, uri, rest)
        };
        let scheme = scheme_of(uri)?;
        if scheme == "sip" || scheme == "sips" {
            SipUri::parse(uri)?;
        }
        let params = parse_params(rest)?;
        Some(NameAddr {
            display,
            uri: uri.to_owned(),
            params,
        })
    }

    /// The `tag` parameter.
    pub fn tag(&self) -> Option<String> {
        self.params.get("tag")
    }

    /// The URI parsed, if it is a SIP or SIPS one.
    pub fn sip_uri(&self) -> Option<SipUri> {
        SipUri::parse(&self.uri)
    }

    /// The user part of a SIP URI, escapes decoded (`8001` in
    /// `sip:8001@host`).
    pub fn user(&self) -> Option<String> {
        self.sip_uri()?.user_unescaped()
    }
}

impl fmt::Display for NameAddr {
    /// Always the name-addr form: `"Display" <uri>;params`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = &self.display {
            write!(f, "\"{}\" ", d.replace('\\', "\\\\").replace('"', "\\\""))?;
        }
        write!(f, "<{}>{}", self.uri, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let n = NameAddr::parse(r#""张伟" <sip:8001@127.0.0.1;transport=udp>;tag=abc;expires=60"#)
            .unwrap();
        assert_eq!(
            (n.display.as_deref(), n.user().as_deref()),
            (Some("张伟"), Some("8001"))
        );
        assert_eq!(
            (n.tag().as_deref(), n.params.get("expires").as_deref()),
            (Some("abc"), Some("60"))
        );
        assert_eq!(
            n.to_string(),
            r#""张伟" <sip:8001@127.0.0.1;transport=udp>;tag=abc;expires=60"#
        );
        let bare = NameAddr::parse("sip:8002@h;tag=x").unwrap();
        assert_eq!(
            (bare.uri.as_str(), bare.tag().as_deref()),
            ("sip:8002@h", Some("x"))
        );
        let words = NameAddr::parse("caller<sip:caller@example.com>;tag=323").unwrap();
        assert_eq!(words.display.as_deref(), Some("caller"));
        let esc = NameAddr::parse(
            r#""J Rosenberg \\\""       <sip:jdrosen@example.com> ; tag = 98asjd8"#,
        )
        .unwrap();
        assert_eq!(
            (esc.display.as_deref(), esc.tag().as_deref()),
            (Some(r#"J Rosenberg \""#), Some("98asjd8"))
        );
        assert_eq!(
            NameAddr::parse("isbn:2983792873").unwrap().uri,
            "isbn:2983792873"
        );
        assert!(NameAddr::parse("<sip:h?Route=%3Csip:x%3E>").is_some());
        for bad in [
            r#""Mr. J. User <sip:j.user@example.com>"#,
            "<sip:a@b",
            "< sip:t.watson@example.org >",
            "Watson, Thomas <sip:t.watson@example.org>",
            "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
            r#""Joe" <sip:joe@example.org>;;;;"#,
            "<sip:a@b>, <sip:c@d>",
            "<sip:a@b:port>",
            "nothing",
        ] {
            assert!(NameAddr::parse(bad).is_none(), "{bad}");
        }
    }
}
