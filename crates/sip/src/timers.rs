//! Transaction timer values (RFC 3261 §17, Table 4; RFC 6026 for L and M).
//! On reliable transports the retransmission timers (A, E, G) are not used
//! and the wait timers D, I, J, K are zero; B, F, H, L and M stay 64·T1.

/// Timer values in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// RTT estimate, 500 ms.
    pub t1: u64,
    /// Longest retransmit interval for non-INVITE requests and INVITE
    /// responses, 4 s.
    pub t2: u64,
    /// Longest time a message stays in the network, 5 s.
    pub t4: u64,
    /// How long an INVITE server transaction waits for the TU's first
    /// response before it sends `100 Trying` itself (§17.2.1); 0 sends it
    /// at once.
    pub trying_delay: u64,
}

impl Default for Timers {
    fn default() -> Timers {
        Timers {
            t1: 500,
            t2: 4_000,
            t4: 5_000,
            trying_delay: 200,
        }
    }
}

impl Timers {
    /// 64·T1: timers B, F, H, J (unreliable), L and M.
    pub fn timeout(&self) -> u64 {
        self.t1.saturating_mul(64)
    }

    /// Timer D: at least 32 s on unreliable transports, 0 on reliable ones.
    pub fn d(&self, reliable: bool) -> u64 {
        if reliable {
            0
        } else {
            self.timeout().max(32_000)
        }
    }

    /// Timers I and K: T4, or 0 on reliable transports.
    pub fn t4_or_zero(&self, reliable: bool) -> u64 {
        if reliable {
            0
        } else {
            self.t4
        }
    }

    /// Timer J: 64·T1, or 0 on reliable transports.
    pub fn j(&self, reliable: bool) -> u64 {
        if reliable {
            0
        } else {
            self.timeout()
        }
    }
}
