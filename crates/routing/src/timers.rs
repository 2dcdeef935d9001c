//! One ordered timer wheel for every deadline of the engine.
//!
//! Timers are never removed when what they guard changes; instead each timer
//! carries enough to tell whether it still applies (the offer is still
//! pending, the contact's epoch is unchanged, ...) and is dropped when it fires
//! otherwise ("lazy cancellation"). A stale entry can make
//! [`crate::Engine::next_deadline`] early, never late.

use std::collections::BTreeMap;

use crate::types::{AgentId, ContactId, OfferId, Time};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    OfferExpiry(OfferId),
    Step { contact: ContactId, epoch: u64 },
    Overflow { contact: ContactId, epoch: u64 },
    MaxWait { contact: ContactId, epoch: u64 },
    StickyEnd { contact: ContactId, epoch: u64 },
    WrapUpEnd { agent: AgentId, epoch: u64 },
}

#[derive(Debug, Default)]
pub struct Timers {
    map: BTreeMap<(Time, u64), Timer>,
    seq: u64,
}

impl Timers {
    pub fn add(&mut self, at: Time, t: Timer) {
        self.seq += 1;
        self.map.insert((at, self.seq), t);
    }

    pub fn next(&self) -> Option<Time> {
        self.map.keys().next().map(|k| k.0)
    }

    /// Removes and returns the earliest timer due at or before `now`.
    pub fn pop_due(&mut self, now: Time) -> Option<(Time, Timer)> {
        let entry = self.map.first_entry()?;
        if entry.key().0 > now {
            return None;
        }
        let (k, t) = entry.remove_entry();
        Some((k.0, t))
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}
