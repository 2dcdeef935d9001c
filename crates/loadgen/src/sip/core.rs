//! One SIP endpoint over UDP: a socket and `hotline-sip`'s transaction
//! layer (retransmissions, timeouts, ACKs for non-2xx finals), driven on
//! the tokio clock. The user agents (agents, callers) own one each and
//! act on its events.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hotline_sip::{
    Event, Input, Output, Request, Response, Time, TransactionLayer, Transport, TxKey, Via,
};
use tokio::net::UdpSocket;

use crate::error::LoadgenError;

/// Counts of one endpoint's traffic.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct SipCounters {
    pub sent: u64,
    pub received: u64,
    pub send_errors: u64,
    pub malformed: u64,
}

pub struct SipCore {
    pub socket: UdpSocket,
    /// The same socket for sending (see `RtpSocket::send`).
    send: std::net::UdpSocket,
    layer: TransactionLayer,
    started: Instant,
    pub local: SocketAddr,
    pub server: SocketAddr,
    pub counters: SipCounters,
}

/// Fresh random bytes for tags, branches and Call-IDs.
pub fn random() -> [u8; 8] {
    rand::random()
}

impl SipCore {
    pub fn bind(
        local_ip: std::net::IpAddr,
        server: SocketAddr,
        what: &'static str,
    ) -> Result<SipCore, LoadgenError> {
        let addr = SocketAddr::new(local_ip, 0);
        let bind = |source| LoadgenError::Bind { what, addr, source };
        let std_sock = std::net::UdpSocket::bind(addr).map_err(bind)?;
        std_sock.set_nonblocking(true)?;
        let send = std_sock.try_clone()?;
        let socket = UdpSocket::from_std(std_sock)?;
        let local = socket.local_addr()?;
        Ok(SipCore {
            socket,
            send,
            layer: TransactionLayer::default(),
            started: Instant::now(),
            local,
            server,
            counters: SipCounters::default(),
        })
    }

    fn now(&self) -> Time {
        Time(self.started.elapsed().as_millis() as u64)
    }

    /// When the layer's next timer is due.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.layer
            .poll_timeout()
            .map(|t| self.started + Duration::from_millis(t.0))
    }

    pub fn receive(&mut self, from: SocketAddr, bytes: &[u8]) {
        self.counters.received += 1;
        let now = self.now();
        let _ = self.layer.handle_input(
            now,
            Input::Receive {
                from,
                transport: Transport::Udp,
                bytes: bytes.to_vec(),
            },
        );
    }

    pub fn timeout(&mut self) {
        let now = self.now();
        let _ = self.layer.handle_input(now, Input::Timeout);
    }

    /// Sends a request to the server (ACK without a transaction); the key
    /// of the client transaction it starts.
    pub fn send_request(&mut self, request: Request) -> Option<TxKey> {
        let key = TxKey::client(&request);
        let now = self.now();
        let dest = self.server;
        match self.layer.handle_input(
            now,
            Input::SendRequest {
                dest,
                transport: Transport::Udp,
                request,
            },
        ) {
            Ok(()) => key,
            Err(_) => None,
        }
    }

    pub fn respond(&mut self, key: TxKey, response: Response) {
        let now = self.now();
        let _ = self
            .layer
            .handle_input(now, Input::SendResponse { key, response });
    }

    /// A Via for a new request of ours: fresh branch, rport.
    pub fn via(&self) -> Via {
        let branch = hotline_sip::ids::branch(&random());
        Via::new(
            "UDP",
            &self.local.ip().to_string(),
            Some(self.local.port()),
            &branch,
        )
    }

    /// Sends what the layer has to send; the next event for the user agent.
    pub fn poll_event(&mut self) -> Option<Event> {
        loop {
            match self.layer.poll_output()? {
                Output::Transmit(t) => match self.send.send_to(&t.bytes, t.dest) {
                    Ok(_) => self.counters.sent += 1,
                    // A full socket buffer: the layer's retransmission covers it.
                    Err(_) => self.counters.send_errors += 1,
                },
                Output::Event(Event::Malformed { .. }) => self.counters.malformed += 1,
                Output::Event(e) => return Some(e),
            }
        }
    }
}

/// Deadlines of a user agent's own (an answer delay, a hang-up), in order.
#[derive(Debug)]
pub struct Timers<T> {
    queue: BTreeMap<(Instant, u64), T>,
    seq: u64,
}

impl<T> Default for Timers<T> {
    fn default() -> Self {
        Timers {
            queue: BTreeMap::new(),
            seq: 0,
        }
    }
}

impl<T> Timers<T> {
    pub fn at(&mut self, when: Instant, what: T) {
        self.seq += 1;
        self.queue.insert((when, self.seq), what);
    }

    pub fn next(&self) -> Option<Instant> {
        self.queue.keys().next().map(|k| k.0)
    }

    /// The next timer due by `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<T> {
        let first = *self.queue.keys().next()?;
        (first.0 <= now)
            .then(|| self.queue.remove(&first))
            .flatten()
    }
}

/// The earliest of some deadlines, or a second from now.
pub fn earliest(deadlines: &[Option<Instant>]) -> Instant {
    deadlines
        .iter()
        .flatten()
        .min()
        .copied()
        .unwrap_or_else(|| Instant::now() + Duration::from_secs(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_pop_in_order() {
        let t0 = Instant::now();
        let mut t = Timers::default();
        t.at(t0 + Duration::from_millis(20), "b");
        t.at(t0 + Duration::from_millis(10), "a");
        t.at(t0 + Duration::from_millis(20), "c");
        assert_eq!(t.next(), Some(t0 + Duration::from_millis(10)));
        assert_eq!(t.pop_due(t0), None);
        let now = t0 + Duration::from_millis(25);
        assert_eq!(
            [
                t.pop_due(now),
                t.pop_due(now),
                t.pop_due(now),
                t.pop_due(now)
            ],
            [Some("a"), Some("b"), Some("c"), None]
        );
    }
}
