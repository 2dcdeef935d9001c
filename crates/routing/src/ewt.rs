//! A waiting contact's place in its queue and its estimated wait time.
//!
//! **Position** `k` (1 = next): 1 + the number of contacts in the same queue,
//! not yet answered, with a higher effective priority (ringing ones
//! included). Contacts needing other skills are counted too: the caller is
//! told a place in the queue they called, not in a skill class.
//!
//! **Estimated wait time** for position `k`:
//!
//! ```text
//! EWT(k) = k × AHT / n
//! ```
//!
//! where `AHT` is the mean handle time (answer to finish) of the queue's last
//! 50 contacts and `n` the agents staffing the queue now (logged-in members
//! whose status is `Available`, whatever their state: idle, ringing, busy or
//! in wrap-up). With handle times exponentially distributed, the first of `n`
//! busy agents frees up after `AHT / n` on average, and each place ahead
//! costs one such interval. The estimate is `None` when nobody staffs the
//! queue or no contact of it has finished yet: no number is better than a
//! made-up one.

use crate::types::{ContactId, Time};
use crate::world::{CState, World};

/// Where a waiting contact stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// 1 = next.
    pub position: u32,
    /// Contacts not yet answered in the queue.
    pub of: u32,
    pub ewt_ms: Option<u64>,
    /// The inputs of the estimate.
    pub aht_ms: Option<u64>,
    pub staffed: u32,
}

/// `EWT(k) = k × AHT / n`, rounded to the millisecond; `None` if `n` is 0.
pub fn estimate(position: u32, aht_ms: u64, staffed: u32) -> Option<u64> {
    (staffed > 0).then(|| (u64::from(position) * aht_ms) / u64::from(staffed))
}

pub(crate) fn place(w: &World, c: ContactId, _now: Time) -> Option<Place> {
    let contact = w.contacts.get(&c)?;
    if matches!(contact.state, CState::Assigned { .. }) {
        return None;
    }
    let queue = w.queues.get(&contact.queue)?;
    let mine = w.prio(contact);
    let mut ahead = 0u32;
    let mut of = 0u32;
    for &(_, other) in &queue.contacts {
        let Some(x) = w.contacts.get(&other) else { continue };
        of += 1;
        if other != c && w.prio(x) > mine {
            ahead += 1;
        }
    }
    let staffed = w
        .members
        .get(&contact.queue)
        .into_iter()
        .flatten()
        .filter_map(|a| w.agents.get(a))
        .filter(|a| a.status == crate::types::Status::Available)
        .count() as u32;
    let aht = queue.counters.aht_ms();
    let position = ahead + 1;
    Some(Place { position, of, ewt_ms: aht.and_then(|aht| estimate(position, aht, staffed)), aht_ms: aht, staffed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // 3rd in line, 4-minute calls, 6 agents: 3 × 240 s / 6 = 120 s.
        assert_eq!(estimate(3, 240_000, 6), Some(120_000));
        // Next in line with one agent: one whole handle time.
        assert_eq!(estimate(1, 180_000, 1), Some(180_000));
        // 10th with 4 agents on 5-minute calls: 12.5 minutes.
        assert_eq!(estimate(10, 300_000, 4), Some(750_000));
        assert_eq!(estimate(1, 300_000, 0), None);
    }
}
