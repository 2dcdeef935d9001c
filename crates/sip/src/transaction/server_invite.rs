//! The INVITE server transaction (RFC 3261 §17.2.1, with RFC 6026's
//! Accepted state).
//!
//! ```text
//! Proceeding ──TU 2xx──► Accepted ──Timer L──► Terminated
//!   │ 100 Trying after 200 ms      (2xx resent on its own timer until the
//!   │ (or at once)                  ACK for it is seen; INVITE
//!   │                               retransmissions absorbed)
//!   └──TU 300-699──► Completed ──ACK──► Confirmed ──Timer I──► Terminated
//!                     │ G: resend final, doubling to T2
//!                     └ H: no ACK ──► Terminated
//! ```
//!
//! Resending the 2xx until its ACK arrives is the UAS core's job in RFC
//! 3261 (§13.3.1.4); doing it here, on the same timer discipline as G,
//! spares every TU the same code. The layer tells the transaction when the
//! ACK for its 2xx arrived ([`ServerInvite::on_2xx_ack`]).

use crate::message::{Request, Response};
use crate::time::Time;
use crate::timers::Timers;
use crate::transaction::{due, earliest, Event, Out, Timer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Proceeding,
    Completed,
    Confirmed,
    Accepted,
    Terminated,
}

#[derive(Debug)]
pub(crate) struct ServerInvite {
    state: State,
    timers: Timers,
    reliable: bool,
    /// `100 Trying`, prepared for when it is due.
    trying: Vec<u8>,
    trying_at: Option<Time>,
    /// The last response sent.
    last: Option<Vec<u8>>,
    g: Option<Time>,
    g_interval: u64,
    h: Option<Time>,
    i: Option<Time>,
    l: Option<Time>,
    resend_2xx: Option<Time>,
    resend_interval: u64,
    acked: bool,
}

/// What an ACK with this transaction's branch was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AckKind {
    /// The ACK of a non-2xx final: absorbed.
    NonSuccess,
    /// An ACK for the 2xx that reused the INVITE's branch: the TU's.
    Success,
}

impl ServerInvite {
    /// A new transaction for `invite`; sends `100 Trying` now when the
    /// configured delay is 0.
    pub fn start(
        now: Time,
        invite: &Request,
        timers: Timers,
        reliable: bool,
        out: &mut Out,
    ) -> ServerInvite {
        let mut trying = invite.response(100);
        trying.headers.copy_from(&invite.headers, "Timestamp");
        let mut tx = ServerInvite {
            state: State::Proceeding,
            timers,
            reliable,
            trying: trying.to_bytes(),
            trying_at: Some(now.plus(timers.trying_delay)),
            last: None,
            g: None,
            g_interval: timers.t1,
            h: None,
            i: None,
            l: None,
            resend_2xx: None,
            resend_interval: timers.t1,
            acked: false,
        };
        if timers.trying_delay == 0 {
            tx.send_trying(out);
        }
        tx
    }

    fn send_trying(&mut self, out: &mut Out) {
        self.trying_at = None;
        out.send(self.trying.clone());
        self.last = Some(self.trying.clone());
    }

    pub fn is_terminated(&self) -> bool {
        self.state == State::Terminated
    }

    /// Whether a 2xx was sent and its ACK not yet seen.
    pub fn awaits_2xx_ack(&self) -> bool {
        self.state == State::Accepted && !self.acked
    }

    pub fn deadline(&self) -> Option<Time> {
        earliest(&[
            self.trying_at,
            self.g,
            self.h,
            self.i,
            self.l,
            self.resend_2xx,
        ])
    }

    /// The INVITE came again.
    pub fn on_retransmission(&mut self, out: &mut Out) {
        match (self.state, &self.last) {
            (State::Proceeding, None) => self.send_trying(out),
            (State::Proceeding | State::Completed, Some(last)) => out.send(last.clone()),
            // Accepted: absorbed (RFC 6026 §8.5); the 2xx is resent on its timer.
            _ => {}
        }
    }

    /// An ACK with this transaction's branch.
    pub fn on_ack(&mut self, now: Time) -> Option<AckKind> {
        match self.state {
            State::Completed => {
                self.state = State::Confirmed;
                (self.g, self.h) = (None, None);
                self.i = Some(now.plus(self.timers.t4_or_zero(self.reliable)));
                Some(AckKind::NonSuccess)
            }
            State::Confirmed => Some(AckKind::NonSuccess),
            State::Accepted => {
                self.on_2xx_ack();
                Some(AckKind::Success)
            }
            State::Proceeding | State::Terminated => None,
        }
    }

    /// The ACK for our 2xx arrived: stop resending it.
    pub fn on_2xx_ack(&mut self) {
        self.acked = true;
        self.resend_2xx = None;
    }

    /// The TU answers; `false` if this response cannot be sent now (a
    /// final one was sent already; only 2xx may follow a 2xx).
    pub fn on_tu_response(&mut self, now: Time, response: &Response, out: &mut Out) -> bool {
        let bytes = response.to_bytes();
        match (self.state, response.status) {
            (State::Proceeding, 100..=199) => {
                self.trying_at = None;
                out.send(bytes.clone());
                self.last = Some(bytes);
            }
            (State::Proceeding, 200..=299) => {
                self.state = State::Accepted;
                self.trying_at = None;
                out.send(bytes.clone());
                self.last = Some(bytes);
                self.l = Some(now.plus(self.timers.timeout()));
                self.resend_2xx = (!self.reliable).then(|| now.plus(self.timers.t1));
            }
            (State::Proceeding, _) => {
                self.state = State::Completed;
                self.trying_at = None;
                out.send(bytes.clone());
                self.last = Some(bytes);
                self.g = (!self.reliable).then(|| now.plus(self.timers.t1));
                self.h = Some(now.plus(self.timers.timeout()));
            }
            (State::Accepted, 200..=299) => {
                out.send(bytes.clone());
                self.last = Some(bytes);
            }
            _ => return false,
        }
        true
    }

    pub fn on_timeout(&mut self, now: Time, out: &mut Out) {
        let key = out.key.clone();
        if due(self.h, now) {
            self.state = State::Terminated;
            return out.event(Event::Timeout {
                key,
                timer: Timer::H,
            });
        }
        if due(self.l, now) {
            self.state = State::Terminated;
            if !self.acked {
                out.event(Event::Timeout {
                    key,
                    timer: Timer::L,
                });
            }
            return;
        }
        if due(self.i, now) {
            self.state = State::Terminated;
            return;
        }
        if due(self.trying_at, now) {
            self.send_trying(out);
        }
        if due(self.g, now) {
            if let Some(last) = &self.last {
                out.send(last.clone());
            }
            self.g_interval = self.g_interval.saturating_mul(2).min(self.timers.t2);
            self.g = Some(now.plus(self.g_interval));
        }
        if due(self.resend_2xx, now) {
            if let Some(last) = &self.last {
                out.send(last.clone());
            }
            self.resend_interval = self.resend_interval.saturating_mul(2).min(self.timers.t2);
            self.resend_2xx = Some(now.plus(self.resend_interval));
        }
    }

    pub fn terminate(&mut self) {
        self.state = State::Terminated;
    }
}
