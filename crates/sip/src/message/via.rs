//! One Via element (RFC 3261 §20.42, RFC 3581 `rport`):
//! `SIP/2.0/UDP host:port;branch=z9hG4bK...;received=...;rport=...`.

use std::fmt;

use crate::message::syntax::{is_token, is_ws, parse_params, split_outside, trim_ws, Params};
use crate::message::uri::split_host_port;

/// The RFC 3261 branch prefix (§8.1.1.7).
pub const MAGIC_COOKIE: &str = "z9hG4bK";

/// A parsed Via element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// `UDP`, `TCP`, `TLS`, `SCTP`, `WS`, ... upper-cased.
    pub transport: String,
    pub host: String,
    pub port: Option<u16>,
    pub params: Params,
}

impl Via {
    /// A Via for a request we send: `SIP/2.0/<transport> <sent_by>;branch=..;rport`.
    pub fn new(transport: &str, host: &str, port: Option<u16>, branch: &str) -> Via {
        let mut params = Params::default();
        params.set("branch", Some(branch));
        params.set("rport", None);
        Via {
            transport: transport.to_ascii_uppercase(),
            host: host.to_owned(),
            port,
            params,
        }
    }

    /// Parses one Via element. White space is allowed around the slashes
    /// of `SIP/2.0/UDP`, around `:` in sent-by, and around `;` and `=`.
    pub fn parse(s: &str) -> Option<Via> {
        let s = trim_ws(s);
        let mut parts = s.splitn(3, '/');
        let (name, version, rest) = (
            trim_ws(parts.next()?),
            trim_ws(parts.next()?),
            trim_ws(parts.next()?),
        );
        if !name.eq_ignore_ascii_case("SIP") || version != "2.0" {
            return None;
        }
        // transport LWS sent-by *(SEMI param)
        let end = rest.find(is_ws)?;
        let (transport, rest) = rest.split_at_checked(end)?;
        if !is_token(transport) {
            return None;
        }
        let rest = trim_ws(rest);
        let semi = rest.find(';').unwrap_or(rest.len());
        let (sent_by, params) = rest.split_at_checked(semi)?;
        // COLON = SWS ":" SWS; the host itself has no white space.
        let sent_by: String = match sent_by.rsplit_once(':') {
            Some((h, p)) if !sent_by.trim_start().starts_with('[') || h.ends_with(']') => {
                format!("{}:{}", trim_ws(h), trim_ws(p))
            }
            _ => trim_ws(sent_by).to_owned(),
        };
        let (host, port) = split_host_port(&sent_by)?;
        let params = parse_params(params)?;
        let via = Via {
            transport: transport.to_ascii_uppercase(),
            host,
            port,
            params,
        };
        via.params_ok().then_some(via)
    }

    /// Well-formed values for the parameters a server relies on.
    fn params_ok(&self) -> bool {
        let branch_ok = match self.params.get("branch") {
            Some(b) => is_token(&b),
            None => !self.params.has("branch"),
        };
        let rport_ok = match self.params.get_raw("rport") {
            Some(p) => p.parse::<u16>().is_ok(),
            None => true,
        };
        branch_ok && rport_ok
    }

    /// Parses every element of a Via header value (`a, b`); `None` if any
    /// is malformed or empty.
    pub fn parse_list(value: &str) -> Option<Vec<Via>> {
        split_outside(value, ',')?
            .into_iter()
            .map(Via::parse)
            .collect()
    }

    /// The branch parameter.
    pub fn branch(&self) -> Option<String> {
        self.params.get("branch")
    }

    /// The branch, if it is an RFC 3261 one: the magic cookie followed by
    /// at least one more character.
    pub fn rfc3261_branch(&self) -> Option<String> {
        self.branch()
            .filter(|b| b.len() > MAGIC_COOKIE.len() && b.starts_with(MAGIC_COOKIE))
    }

    /// `received=` (RFC 3261 §18.2.1).
    pub fn received(&self) -> Option<String> {
        self.params.get("received")
    }

    /// `rport` (RFC 3581): `None` when absent, `Some(None)` when asked for,
    /// `Some(Some(port))` once filled in.
    pub fn rport(&self) -> Option<Option<u16>> {
        self.params
            .has("rport")
            .then(|| self.params.get("rport").and_then(|p| p.parse().ok()))
    }

    /// `host[:port]` as sent.
    pub fn sent_by(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }

    /// Whether the transport is a reliable one (TCP, TLS, SCTP, WS, WSS).
    pub fn is_reliable(&self) -> bool {
        self.transport != "UDP"
    }
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SIP/2.0/{} {}{}",
            self.transport,
            self.sent_by(),
            self.params
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vias() {
        let v = Via::parse("SIP/2.0/udp 127.0.0.1:5080 ;branch=z9hG4bK77;rport").unwrap();
        assert_eq!(
            (v.transport.as_str(), v.host.as_str(), v.port),
            ("UDP", "127.0.0.1", Some(5080))
        );
        assert_eq!(
            (v.branch().as_deref(), v.rport()),
            (Some("z9hG4bK77"), Some(None))
        );
        assert_eq!(
            v.to_string(),
            "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK77;rport"
        );
        let odd = Via::parse("SIP  /   2.0 /UDP    192.0.2.2;branch=390skdjuw").unwrap();
        assert_eq!(
            (odd.host.as_str(), odd.rfc3261_branch()),
            ("192.0.2.2", None)
        );
        let list = Via::parse_list("SIP  / 2.0  / TCP     spindle.example.com   ; branch  =   z9hG4bK9ikj8  , SIP  /    2.0   / UDP  192.168.255.111   ; branch= z9hG4bK30239").unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].branch().as_deref(), Some("z9hG4bK30239"));
        assert_eq!(
            Via::parse("SIP/2.0/TCP [2001:db8::1]:5061").unwrap().host,
            "[2001:db8::1]"
        );
        assert_eq!(Via::parse("SIP/2.0/TCP h : 5062").unwrap().port, Some(5062));
        assert_eq!(
            Via::parse("SIP/2.0/UDP h;rport=4000").unwrap().rport(),
            Some(Some(4000))
        );
        assert_eq!(
            Via::parse("SIP/2.0/UDP h;branch=z9hG4bK")
                .unwrap()
                .rfc3261_branch(),
            None
        );
        for bad in [
            "SIP/3.0/UDP h",
            "SIP/2.0/UDP h:port",
            "SIP/2.0/UDP",
            "SIP/2.0/UDP 192.0.2.15;;",
            "SIP/2.0 h",
            "SIP/2.0/UDP h;rport=x",
            "SIP/2.0/UDP h;branch",
        ] {
            assert!(Via::parse(bad).is_none(), "{bad}");
        }
        assert!(Via::parse_list("SIP/2.0/UDP 192.0.2.15;;,;,,").is_none());
        assert!(Via::parse_list("SIP/2.0/UDP a, ").is_none());
    }
}
