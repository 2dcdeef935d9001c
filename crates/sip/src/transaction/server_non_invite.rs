//! The non-INVITE server transaction (RFC 3261 §17.2.2).
//!
//! ```text
//! Trying ──TU 1xx──► Proceeding ──TU 200-699──► Completed ──Timer J──► Terminated
//!  (retransmissions absorbed)   (retransmissions get the last response again)
//! ```

use crate::message::Response;
use crate::time::Time;
use crate::timers::Timers;
use crate::transaction::{due, Out};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Trying,
    Proceeding,
    Completed,
    Terminated,
}

#[derive(Debug)]
pub(crate) struct ServerNonInvite {
    state: State,
    timers: Timers,
    reliable: bool,
    last: Option<Vec<u8>>,
    j: Option<Time>,
}

impl ServerNonInvite {
    pub fn new(timers: Timers, reliable: bool) -> ServerNonInvite {
        ServerNonInvite {
            state: State::Trying,
            timers,
            reliable,
            last: None,
            j: None,
        }
    }

    pub fn is_terminated(&self) -> bool {
        self.state == State::Terminated
    }

    pub fn deadline(&self) -> Option<Time> {
        self.j
    }

    /// The request came again.
    pub fn on_retransmission(&mut self, out: &mut Out) {
        if let (State::Proceeding | State::Completed, Some(last)) = (self.state, &self.last) {
            out.send(last.clone());
        }
    }

    /// The TU answers; `false` if a final response was sent already.
    pub fn on_tu_response(&mut self, now: Time, response: &Response, out: &mut Out) -> bool {
        if !matches!(self.state, State::Trying | State::Proceeding) {
            return false;
        }
        let bytes = response.to_bytes();
        out.send(bytes.clone());
        self.last = Some(bytes);
        if response.is_final() {
            self.state = State::Completed;
            self.j = Some(now.plus(self.timers.j(self.reliable)));
        } else {
            self.state = State::Proceeding;
        }
        true
    }

    pub fn on_timeout(&mut self, now: Time) {
        if due(self.j, now) {
            self.state = State::Terminated;
        }
    }

    pub fn terminate(&mut self) {
        self.state = State::Terminated;
    }
}
