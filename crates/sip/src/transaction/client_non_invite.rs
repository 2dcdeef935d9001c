//! The non-INVITE client transaction (RFC 3261 §17.1.2).
//!
//! ```text
//! Trying ──1xx──► Proceeding ──200-699──► Completed ──Timer K──► Terminated
//!   │ E: resend, doubling to T2   │ E: resend every T2
//!   └──────── F: timeout ─────────┴──► Terminated
//! ```

use crate::message::Response;
use crate::time::Time;
use crate::timers::Timers;
use crate::transaction::{due, earliest, Event, Out, Timer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Trying,
    Proceeding,
    Completed,
    Terminated,
}

#[derive(Debug)]
pub(crate) struct ClientNonInvite {
    state: State,
    timers: Timers,
    reliable: bool,
    bytes: Vec<u8>,
    e: Option<Time>,
    e_interval: u64,
    f: Option<Time>,
    k: Option<Time>,
}

impl ClientNonInvite {
    /// Sends the request and starts timers E (unreliable) and F.
    pub fn start(
        now: Time,
        bytes: Vec<u8>,
        timers: Timers,
        reliable: bool,
        out: &mut Out,
    ) -> ClientNonInvite {
        out.send(bytes.clone());
        ClientNonInvite {
            state: State::Trying,
            timers,
            reliable,
            bytes,
            e: (!reliable).then(|| now.plus(timers.t1)),
            e_interval: timers.t1,
            f: Some(now.plus(timers.timeout())),
            k: None,
        }
    }

    pub fn is_terminated(&self) -> bool {
        self.state == State::Terminated
    }

    pub fn deadline(&self) -> Option<Time> {
        earliest(&[self.e, self.f, self.k])
    }

    pub fn on_response(&mut self, now: Time, response: Response, out: &mut Out) {
        let key = out.key.clone();
        match (self.state, response.is_final()) {
            (State::Trying | State::Proceeding, false) => {
                self.state = State::Proceeding;
                out.event(Event::Response { key, response });
            }
            (State::Trying | State::Proceeding, true) => {
                self.state = State::Completed;
                (self.e, self.f) = (None, None);
                self.k = Some(now.plus(self.timers.t4_or_zero(self.reliable)));
                out.event(Event::Response { key, response });
            }
            // Retransmitted responses are absorbed.
            _ => {}
        }
    }

    pub fn on_timeout(&mut self, now: Time, out: &mut Out) {
        if due(self.f, now) {
            self.state = State::Terminated;
            out.event(Event::Timeout {
                key: out.key.clone(),
                timer: Timer::F,
            });
            return;
        }
        if due(self.e, now) {
            out.send(self.bytes.clone());
            self.e_interval = match self.state {
                State::Trying => self.e_interval.saturating_mul(2).min(self.timers.t2),
                _ => self.timers.t2,
            };
            self.e = Some(now.plus(self.e_interval));
        }
        if due(self.k, now) {
            self.state = State::Terminated;
        }
    }

    pub fn terminate(&mut self) {
        self.state = State::Terminated;
    }
}
