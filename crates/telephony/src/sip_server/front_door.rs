//! What the SIP task looks at at all. Before a message reaches the
//! transaction layer: nothing from a banned source is parsed or answered
//! (not even OPTIONS, so a banned scanner learns nothing); a request that
//! starts a new transaction counts against its source's rate, and what
//! exceeds it is dropped (a source that keeps exceeding it is banned).
//! Trunks and `trusted_sources` are exempt from the rate, not from bans.
//! In-dialog requests, ACK and CANCEL, responses and keep-alives do not
//! count. A request with more header lines than `max_header_lines` is
//! answered `400 Too Many Header Lines` without being parsed.

use std::net::IpAddr;

use hotline_sip::{Method, ParseError, Request};

use super::Server;
use crate::transport::Inbound;

/// The header lines of a message (after its start line, up to its blank
/// line), counted up to `limit + 1`.
fn header_lines(bytes: &[u8], limit: usize) -> usize {
    bytes.split(|b| *b == b'\n').skip(1).take_while(|line| *line != b"\r" && !line.is_empty()).take(limit + 1).count()
}

impl Server {
    /// Whether `m` goes on to the transaction layer.
    pub(super) async fn front_door(&mut self, m: &Inbound) -> bool {
        let ip = m.from.ip();
        let now = self.now();
        if !self.registrar.guard().admit(ip, now) {
            return false;
        }
        if m.bytes.starts_with(b"SIP/2.0") || m.bytes.iter().all(u8::is_ascii_whitespace) {
            return true;
        }
        let limit = self.opts.max_header_lines;
        if header_lines(m.bytes.trim_ascii_start(), limit) > limit {
            if let Some(answer) = hotline_sip::reject(&m.bytes, &ParseError::TooManyHeaders) {
                let _ = self.transports.send(m.from, m.transport, answer).await;
            }
            // Counted like any new request: a flood of them is a flood.
            self.registrar.guard().request(ip, None, now);
            return false;
        }
        if self.exempt_from_rate(ip) {
            return true;
        }
        let (new, user_agent) = match Request::parse(&m.bytes) {
            Ok(r) => {
                let in_dialog = r.headers.to().and_then(|t| t.tag()).is_some();
                let new = !in_dialog && !matches!(r.method, Method::Ack | Method::Cancel);
                (new, r.headers.user_agent().map(str::to_owned))
            }
            // Malformed: answered with a 400 by the layer, and counted.
            Err(_) => (true, None),
        };
        if !new {
            return true;
        }
        let admitted = self.registrar.guard().request(ip, user_agent.as_deref(), now);
        if !admitted && self.registrar.guard().is_banned(ip, now) {
            tracing::warn!(%ip, user_agent = user_agent.as_deref().unwrap_or(""), "SIP source banned");
        }
        admitted
    }

    fn exempt_from_rate(&self, ip: IpAddr) -> bool {
        self.trunk_of(ip).is_some() || self.opts.trusted_sources.iter().any(|net| hotline_config::cidr_contains(net, ip).unwrap_or(false))
    }
}
