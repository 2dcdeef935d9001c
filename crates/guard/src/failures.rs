//! Failed authentications per source and per extension, throttling, and
//! the sources each extension trusts.

use std::collections::{HashMap, VecDeque};

use super::GuardConfig;
use crate::{Source as Key, Time};

/// Why an attempt was refused without checking it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The source is banned.
    Banned,
    /// The source failed recently and must wait this many ms more.
    Throttled { retry_after_ms: u64 },
    /// The extension is under a guessing attack and this source has never
    /// authenticated as it.
    ExtensionClosed,
}

#[derive(Debug, Default)]
struct Source {
    failures: VecDeque<Time>,
    /// No attempt is checked before this.
    next_try: Time,
}

#[derive(Debug)]
struct Extension<K> {
    failures: VecDeque<Time>,
    /// Sources that proved the password, with when they last did.
    trusted: HashMap<K, Time>,
}

impl<K> Default for Extension<K> {
    fn default() -> Self {
        Extension { failures: VecDeque::new(), trusted: HashMap::new() }
    }
}

/// How long a source stays trusted by an extension after its last success.
const TRUST_MS: u64 = 7 * 24 * 3600 * 1000;
/// Sources one extension trusts at most (phones of one extension).
const MAX_TRUSTED: usize = 32;

#[derive(Debug)]
pub(super) struct FailureCounter<K> {
    max_failures: usize,
    throttle_after: usize,
    throttle_base_ms: u64,
    extension_max_failures: usize,
    window_ms: u64,
    max_sources: usize,
    sources: HashMap<K, Source>,
    extensions: HashMap<String, Extension<K>>,
}

fn trim(q: &mut VecDeque<Time>, now: Time, window: u64) {
    while q.front().is_some_and(|t| now.since(*t) >= window) {
        q.pop_front();
    }
}

impl<K: Key> FailureCounter<K> {
    pub fn new(cfg: &GuardConfig) -> FailureCounter<K> {
        FailureCounter {
            max_failures: cfg.max_failures.max(1),
            throttle_after: cfg.throttle_after.max(1),
            throttle_base_ms: cfg.throttle_base_ms,
            extension_max_failures: cfg.extension_max_failures.max(1),
            window_ms: cfg.window_ms,
            max_sources: cfg.max_sources,
            sources: HashMap::new(),
            extensions: HashMap::new(),
        }
    }

    pub fn may_try(&mut self, ip: &K, extension: &str, now: Time) -> Result<(), Refusal> {
        if let Some(s) = self.sources.get(ip) {
            if now < s.next_try {
                return Err(Refusal::Throttled { retry_after_ms: s.next_try.since(now) });
            }
        }
        if let Some(e) = self.extensions.get_mut(extension) {
            trim(&mut e.failures, now, self.window_ms);
            let closed = e.failures.len() >= self.extension_max_failures;
            let trusted = e.trusted.get(ip).is_some_and(|t| now.since(*t) < TRUST_MS);
            if closed && !trusted {
                return Err(Refusal::ExtensionClosed);
            }
        }
        Ok(())
    }

    /// Counts a failure; returns whether the source has reached the ban.
    pub fn failed(&mut self, ip: &K, extension: &str, now: Time) -> bool {
        let window = self.window_ms;
        if self.extensions.len() < self.max_sources || self.extensions.contains_key(extension) {
            let e = self.extensions.entry(extension.to_owned()).or_default();
            trim(&mut e.failures, now, window);
            // Bounded: beyond the threshold only the count within the window matters.
            if e.failures.len() <= self.extension_max_failures.saturating_mul(4) {
                e.failures.push_back(now);
            }
        }
        if !self.sources.contains_key(ip) && self.sources.len() >= self.max_sources {
            return false;
        }
        let s = self.sources.entry(ip.clone()).or_default();
        trim(&mut s.failures, now, window);
        s.failures.push_back(now);
        let n = s.failures.len();
        if n >= self.throttle_after {
            let doublings = (n - self.throttle_after).min(16) as u32;
            s.next_try = now.plus(self.throttle_base_ms.saturating_mul(1 << doublings));
        }
        if n >= self.max_failures {
            s.failures.clear();
            s.next_try = now;
            return true;
        }
        false
    }

    pub fn succeeded(&mut self, ip: &K, extension: &str, now: Time) {
        self.sources.remove(ip);
        let e = self.extensions.entry(extension.to_owned()).or_default();
        if e.trusted.len() >= MAX_TRUSTED && !e.trusted.contains_key(ip) {
            if let Some(oldest) = e.trusted.iter().min_by_key(|(_, t)| **t).map(|(ip, _)| ip.clone()) {
                e.trusted.remove(&oldest);
            }
        }
        e.trusted.insert(ip.clone(), now);
    }

    pub fn forget(&mut self, ip: &K) {
        self.sources.remove(ip);
    }

    /// Forgets an account's failures and every wait of the sources that
    /// failed on it (what it trusts is kept).
    pub fn forget_account(&mut self, account: &str) {
        if let Some(e) = self.extensions.get_mut(account) {
            e.failures.clear();
        }
        // Sources are not tracked per account: the ones waiting are freed.
        for s in self.sources.values_mut() {
            s.next_try = Time(0);
            s.failures.clear();
        }
    }

    pub fn is_closed(&mut self, account: &str, now: Time) -> bool {
        let (window, max) = (self.window_ms, self.extension_max_failures);
        self.extensions.get_mut(account).is_some_and(|e| {
            trim(&mut e.failures, now, window);
            e.failures.len() >= max
        })
    }

    pub fn purge(&mut self, now: Time) {
        let window = self.window_ms;
        self.sources.retain(|_, s| {
            trim(&mut s.failures, now, window);
            !s.failures.is_empty() || now < s.next_try
        });
        self.extensions.retain(|_, e| {
            trim(&mut e.failures, now, window);
            e.trusted.retain(|_, t| now.since(*t) < TRUST_MS);
            !e.failures.is_empty() || !e.trusted.is_empty()
        });
    }
}
