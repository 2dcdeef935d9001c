//! A failed-login limit per source address: after `max_failures` failed
//! authentications within `window_ms`, the address is blocked for
//! `window_ms` (its requests get 403, or are dropped). Memory stays
//! bounded by [`FailureLimiter::purge`], which the registrar calls on
//! every expiry pass.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

use crate::time::Time;

/// Limiter settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimiterConfig {
    pub max_failures: usize,
    pub window_ms: u64,
}

impl Default for LimiterConfig {
    fn default() -> LimiterConfig {
        LimiterConfig {
            max_failures: 5,
            window_ms: 5 * 60 * 1000,
        }
    }
}

#[derive(Debug, Default)]
struct Entry {
    failures: VecDeque<Time>,
    blocked_until: Option<Time>,
}

/// Failed authentications per source IP.
#[derive(Debug, Default)]
pub struct FailureLimiter {
    cfg: LimiterConfig,
    entries: HashMap<IpAddr, Entry>,
}

impl FailureLimiter {
    pub fn new(cfg: LimiterConfig) -> FailureLimiter {
        FailureLimiter {
            cfg,
            entries: HashMap::new(),
        }
    }

    /// Whether `ip` is blocked at `now`.
    pub fn is_blocked(&self, ip: IpAddr, now: Time) -> bool {
        self.entries
            .get(&ip)
            .and_then(|e| e.blocked_until)
            .is_some_and(|t| now < t)
    }

    /// Counts a failure; returns whether `ip` is now blocked.
    pub fn record_failure(&mut self, ip: IpAddr, now: Time) -> bool {
        let window = self.cfg.window_ms;
        let e = self.entries.entry(ip).or_default();
        while e.failures.front().is_some_and(|t| now.since(*t) >= window) {
            e.failures.pop_front();
        }
        e.failures.push_back(now);
        if e.failures.len() >= self.cfg.max_failures.max(1) {
            e.failures.clear();
            e.blocked_until = Some(now.plus(window));
        }
        e.blocked_until.is_some_and(|t| now < t)
    }

    /// Forgets the failures of `ip` (after a successful login).
    pub fn reset(&mut self, ip: IpAddr) {
        self.entries.remove(&ip);
    }

    /// Drops what no longer matters at `now`.
    pub fn purge(&mut self, now: Time) {
        let window = self.cfg.window_ms;
        self.entries.retain(|_, e| {
            e.failures.retain(|t| now.since(*t) < window);
            e.blocked_until.is_some_and(|t| now < t) || !e.failures.is_empty()
        });
    }

    /// How many addresses are tracked.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
