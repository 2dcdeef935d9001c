//! Out-of-dialog requests per source: a token bucket each, and the drops
//! it made within the window (for the flood ban).

use std::collections::{HashMap, VecDeque};

use super::GuardConfig;
use crate::{Source as Key, Time};

#[derive(Debug)]
struct Bucket {
    /// Tokens in thousandths.
    milli: u64,
    at: Time,
    drops: VecDeque<Time>,
}

#[derive(Debug)]
pub(super) struct RequestLimiter<K> {
    /// Thousandths of a token added per ms (= requests per second).
    per_ms: u64,
    capacity: u64,
    window_ms: u64,
    max_sources: usize,
    buckets: HashMap<K, Bucket>,
}

impl<K: Key> RequestLimiter<K> {
    pub fn new(cfg: &GuardConfig) -> RequestLimiter<K> {
        RequestLimiter {
            per_ms: u64::from(cfg.requests_per_sec),
            capacity: u64::from(cfg.request_burst.max(1)) * 1000,
            window_ms: cfg.window_ms,
            max_sources: cfg.max_sources,
            buckets: HashMap::new(),
        }
    }

    /// Takes a token for `ip`; `false` when it has none (the drop is noted).
    pub fn take(&mut self, ip: &K, now: Time) -> bool {
        if self.per_ms == 0 {
            return true;
        }
        if !self.buckets.contains_key(ip) && self.buckets.len() >= self.max_sources {
            return true;
        }
        let capacity = self.capacity;
        let b = self.buckets.entry(ip.clone()).or_insert(Bucket { milli: capacity, at: now, drops: VecDeque::new() });
        b.milli = (b.milli + now.since(b.at).saturating_mul(self.per_ms)).min(capacity);
        b.at = now;
        if b.milli >= 1000 {
            b.milli -= 1000;
            return true;
        }
        while b.drops.front().is_some_and(|t| now.since(*t) >= self.window_ms) {
            b.drops.pop_front();
        }
        b.drops.push_back(now);
        false
    }

    /// Requests of `ip` dropped within the window.
    pub fn drops_in_window(&self, ip: &K, _now: Time) -> usize {
        self.buckets.get(ip).map_or(0, |b| b.drops.len())
    }

    pub fn forget(&mut self, ip: &K) {
        self.buckets.remove(ip);
    }

    /// Forgets full buckets with no recent drops.
    pub fn purge(&mut self, now: Time) {
        let (per_ms, capacity, window) = (self.per_ms, self.capacity, self.window_ms);
        self.buckets.retain(|_, b| {
            b.drops.retain(|t| now.since(*t) < window);
            let refilled = b.milli + now.since(b.at).saturating_mul(per_ms) >= capacity;
            !(refilled && b.drops.is_empty())
        });
    }
}
