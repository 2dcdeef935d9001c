//! Queue counters and the service level over a sliding window.
//!
//! **Service level.** Over the contacts that *left* the queue during the last
//! `service_level_window_ms` (a contact that left at `t` counts while
//! `now - t < service_level_window_ms`):
//!
//! ```text
//! SL% = answered within service_level_ms
//!       / (answered + abandoned after service_level_ms) * 100
//! ```
//!
//! "Answered" means an offer was accepted; the wait is measured from the
//! contact's original arrival (overflow does not restart it). Contacts that
//! abandoned or gave up within `service_level_ms` are left out of both terms;
//! give-ups after it count as abandoned. Contacts that overflowed away count in
//! the queue where they finally leave. `service_level` is `None` while the
//! denominator is 0.

use std::collections::VecDeque;

use crate::types::{QueueStats, Time};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Left {
    Answered { in_sl: bool },
    Abandoned { in_sl: bool },
}

#[derive(Debug, Clone, Default)]
pub struct QueueCounters {
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    window: VecDeque<(Time, Left)>,
    /// The last [`HANDLE_SAMPLES`] handle times (answer to finish), in ms.
    handle_times: VecDeque<u64>,
}

/// How many recent handle times the average handle time is taken over.
pub const HANDLE_SAMPLES: usize = 50;

impl QueueCounters {
    fn push(&mut self, now: Time, left: Left, window_ms: u64) {
        self.window.push_back((now, left));
        while let Some(&(t, _)) = self.window.front() {
            if now.since(t) >= window_ms {
                self.window.pop_front();
            } else {
                break;
            }
        }
    }

    /// A contact of this queue finished after `ms` of handling.
    pub fn handled(&mut self, ms: u64) {
        if self.handle_times.len() == HANDLE_SAMPLES {
            self.handle_times.pop_front();
        }
        self.handle_times.push_back(ms);
    }

    /// Average handle time over the recent samples; `None` before the first.
    pub fn aht_ms(&self) -> Option<u64> {
        let n = self.handle_times.len() as u64;
        (n > 0).then(|| self.handle_times.iter().sum::<u64>() / n)
    }

    pub fn answered(&mut self, now: Time, waited_ms: u64, sl_ms: u64, window_ms: u64) {
        self.answered += 1;
        self.push(now, Left::Answered { in_sl: waited_ms <= sl_ms }, window_ms);
    }

    /// An abandon (`counts_abandoned`) or a give-up.
    pub fn abandoned(&mut self, now: Time, waited_ms: u64, sl_ms: u64, window_ms: u64, counts_abandoned: bool) {
        if counts_abandoned {
            self.abandoned += 1;
        }
        self.push(now, Left::Abandoned { in_sl: waited_ms <= sl_ms }, window_ms);
    }

    /// Fills the counter part of `s` as of `now`.
    pub fn fill(&self, s: &mut QueueStats, now: Time, window_ms: u64) {
        s.offered = self.offered;
        s.answered = self.answered;
        s.abandoned = self.abandoned;
        let (mut good, mut answered, mut abandoned, mut late_abandoned) = (0u32, 0u32, 0u32, 0u32);
        for &(t, left) in self.window.iter().rev() {
            if now.since(t) >= window_ms {
                break;
            }
            match left {
                Left::Answered { in_sl } => {
                    answered += 1;
                    good += u32::from(in_sl);
                }
                Left::Abandoned { in_sl } => {
                    abandoned += 1;
                    late_abandoned += u32::from(!in_sl);
                }
            }
        }
        s.answered_in_window = answered;
        s.abandoned_in_window = abandoned;
        let denom = answered + late_abandoned;
        s.service_level = (denom > 0).then(|| f64::from(good) * 100.0 / f64::from(denom));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(c: &QueueCounters, now: u64) -> QueueStats {
        let mut s = QueueStats {
            waiting: 0,
            longest_wait_ms: 0,
            agents_logged_in: 0,
            agents_available: 0,
            agents_idle: 0,
            agents_reserved: 0,
            agents_busy: 0,
            agents_wrap_up: 0,
            agents_not_ready: 0,
            offered: 0,
            answered: 0,
            abandoned: 0,
            service_level: None,
            answered_in_window: 0,
            abandoned_in_window: 0,
        };
        c.fill(&mut s, Time(now), 60_000);
        s
    }

    #[test]
    fn service_level_known_values() {
        let mut c = QueueCounters::default();
        assert_eq!(stats(&c, 0).service_level, None);
        // 3 answered in time, 1 late, 1 abandoned late, 2 abandoned early (excluded).
        for w in [1_000, 5_000, 20_000] {
            c.answered(Time(10_000), w, 20_000, 60_000);
        }
        c.answered(Time(11_000), 25_000, 20_000, 60_000);
        c.abandoned(Time(12_000), 30_000, 20_000, 60_000, true);
        c.abandoned(Time(13_000), 3_000, 20_000, 60_000, true);
        c.abandoned(Time(13_000), 19_000, 20_000, 60_000, false);
        let s = stats(&c, 20_000);
        assert_eq!(s.service_level, Some(60.0));
        assert_eq!((s.answered_in_window, s.abandoned_in_window), (4, 3));
        assert_eq!((s.answered, s.abandoned), (4, 2));
        // At 70 s the first three answers (left at 10 s) slide out: 0 good of 1 + 1.
        let s = stats(&c, 70_000);
        assert_eq!(s.service_level, Some(0.0));
        assert_eq!(s.answered_in_window, 1);
        // Everything out of the window.
        let s = stats(&c, 80_000);
        assert_eq!(s.service_level, None);
        assert_eq!(s.answered, 4);
    }
}
