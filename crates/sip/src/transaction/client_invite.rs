//! The INVITE client transaction (RFC 3261 §17.1.1, with RFC 6026's
//! Accepted state).
//!
//! ```text
//! Calling ──1xx──► Proceeding ──2xx──► Accepted ──Timer M──► Terminated
//!    │  A: resend, doubling   │                 (2xx passed on again)
//!    │  B: timeout ───────────┼──► Terminated
//!    └──300-699──► Completed ◄┘ (ACK sent, resent per retransmitted final)
//!                     └──Timer D──► Terminated
//! ```
//!
//! Timer B runs in Calling only: once a provisional arrives, the TU ends
//! the wait (CANCEL), as RFC 3261 has it.

use crate::message::{Method, Request, Response};
use crate::time::Time;
use crate::timers::Timers;
use crate::transaction::{due, earliest, Event, Out, Timer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Calling,
    Proceeding,
    Completed,
    Accepted,
    Terminated,
}

#[derive(Debug)]
pub(crate) struct ClientInvite {
    state: State,
    timers: Timers,
    reliable: bool,
    request: Request,
    bytes: Vec<u8>,
    ack: Option<Vec<u8>>,
    a: Option<Time>,
    a_interval: u64,
    b: Option<Time>,
    d: Option<Time>,
    m: Option<Time>,
}

impl ClientInvite {
    /// Sends the INVITE and starts timers A (unreliable) and B.
    pub fn start(
        now: Time,
        request: Request,
        timers: Timers,
        reliable: bool,
        out: &mut Out,
    ) -> ClientInvite {
        let bytes = request.to_bytes();
        out.send(bytes.clone());
        ClientInvite {
            state: State::Calling,
            timers,
            reliable,
            request,
            bytes,
            ack: None,
            a: (!reliable).then(|| now.plus(timers.t1)),
            a_interval: timers.t1,
            b: Some(now.plus(timers.timeout())),
            d: None,
            m: None,
        }
    }

    pub fn is_terminated(&self) -> bool {
        self.state == State::Terminated
    }

    pub fn deadline(&self) -> Option<Time> {
        earliest(&[self.a, self.b, self.d, self.m])
    }

    pub fn on_response(&mut self, now: Time, response: Response, out: &mut Out) {
        let key = out.key.clone();
        match (self.state, response.status) {
            (State::Calling | State::Proceeding, 100..=199) => {
                self.state = State::Proceeding;
                self.a = None;
                self.b = None;
                out.event(Event::Response { key, response });
            }
            (State::Calling | State::Proceeding, 200..=299) => {
                self.state = State::Accepted;
                (self.a, self.b) = (None, None);
                self.m = Some(now.plus(self.timers.timeout()));
                out.event(Event::Response { key, response });
            }
            (State::Calling | State::Proceeding, _) => {
                self.state = State::Completed;
                (self.a, self.b) = (None, None);
                let ack = ack_for(&self.request, &response).to_bytes();
                out.send(ack.clone());
                self.ack = Some(ack);
                self.d = Some(now.plus(self.timers.d(self.reliable)));
                out.event(Event::Response { key, response });
            }
            (State::Completed, 300..=699) => {
                if let Some(ack) = &self.ack {
                    out.send(ack.clone());
                }
            }
            (State::Accepted, 200..=299) => out.event(Event::Response { key, response }),
            _ => {}
        }
    }

    pub fn on_timeout(&mut self, now: Time, out: &mut Out) {
        if due(self.b, now) {
            self.state = State::Terminated;
            out.event(Event::Timeout {
                key: out.key.clone(),
                timer: Timer::B,
            });
            return;
        }
        if due(self.a, now) {
            out.send(self.bytes.clone());
            self.a_interval = self.a_interval.saturating_mul(2);
            self.a = Some(now.plus(self.a_interval));
        }
        if due(self.d, now) || due(self.m, now) {
            self.state = State::Terminated;
        }
    }

    pub fn terminate(&mut self) {
        self.state = State::Terminated;
    }
}

/// The ACK for a non-2xx final response (RFC 3261 §17.1.1.3): the INVITE's
/// Request-URI, top Via, From, Call-ID, Route and CSeq number; To from the
/// response (with its tag).
pub(crate) fn ack_for(invite: &Request, response: &Response) -> Request {
    let mut ack = Request::new(Method::Ack, invite.uri.clone());
    if let Some(via) = invite.headers.top_via() {
        ack.headers.push("Via", via.to_string());
    }
    ack.headers.push("Max-Forwards", "70");
    ack.headers.copy_from(&invite.headers, "From");
    ack.headers.copy_from(&response.headers, "To");
    ack.headers.copy_from(&invite.headers, "Call-ID");
    let seq = invite.headers.cseq().map_or(1, |c| c.seq);
    ack.headers.push("CSeq", format!("{seq} ACK"));
    ack.headers.copy_from(&invite.headers, "Route");
    ack
}
