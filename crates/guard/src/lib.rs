//! # hotline-guard: who may try again, sans-IO
//!
//! The defences of a service on a public address against guessing and
//! flooding, shared by the SIP server (scanners sweep extensions with
//! REGISTER, INVITE and OPTIONS as sipvicious' `svwar` does, then guess a
//! password with `svcrack`, then place calls through the trunk) and the web
//! sign-in (password spraying, and "locking the admin out" by typing wrong
//! passwords on purpose). An *account* is an extension or a user name. The
//! [`Guard`] answers three questions for the driver, with time passed in as
//! milliseconds since an epoch of the driver's choosing:
//!
//! - [`Guard::admit`]: is this source banned? Everything from a banned
//!   source is dropped before it is parsed — no answer, not even to OPTIONS.
//! - [`Guard::request`]: may this source start one more transaction? Each
//!   source has a token bucket of out-of-dialog requests; what exceeds it
//!   is dropped, and a source that keeps exceeding it is banned. A
//!   User-Agent of a known scanner is banned on sight.
//! - [`Guard::may_try`] / [`Guard::failed`] / [`Guard::succeeded`]:
//!   password attempts (digest on REGISTER and INVITE, web sign-in). After a few failures a source
//!   must wait, doubling each time, before its next attempt is even
//!   checked (attempts sent earlier are refused unchecked and count as
//!   failures); after `max_failures` within the window it is banned for
//!   `ban_ms`. An account that collects `extension_max_failures` failures
//!   from any sources (a distributed guess) is closed to every source
//!   except those it authenticated from before, so the real phone (or the
//!   admin's own desk) keeps working while nobody else may guess.
//!
//! Memory is bounded: [`Guard::purge`] drops what no longer matters, and at
//! most `max_sources` sources are tracked (beyond that new sources are let
//! through unlimited rather than refused, so a flood of spoofed addresses
//! cannot lock real phones out).

mod failures;
mod rate;

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;

pub use failures::Refusal;

/// What a source is keyed by: an address (`IpAddr`, the default), or a
/// pair such as (address, user name) where one address serves many people.
pub trait Source: Hash + Eq + Clone + std::fmt::Debug {}

impl<T: Hash + Eq + Clone + std::fmt::Debug> Source for T {}

pub use hotline_clock::Time;


/// Guard settings (time in ms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardConfig {
    /// Out-of-dialog requests a source may send per second, sustained;
    /// 0 turns the request limit off.
    pub requests_per_sec: u32,
    /// Requests a source may send at once above the sustained rate.
    pub request_burst: u32,
    /// Requests dropped by the limit, within `window_ms`, before the
    /// source is banned.
    pub flood_ban_after: u32,
    /// Failed authentications from one source within `window_ms` before
    /// it is banned.
    pub max_failures: usize,
    /// Failures after which a source must wait before its next attempt is
    /// checked: `throttle_base_ms`, doubling with each further failure.
    pub throttle_after: usize,
    pub throttle_base_ms: u64,
    /// Failures on one extension, from any sources, within `window_ms`
    /// before only its known sources may try it.
    pub extension_max_failures: usize,
    /// The window failures and drops are counted in.
    pub window_ms: u64,
    /// How long a ban lasts.
    pub ban_ms: u64,
    /// User-Agent substrings of scanners (case-insensitive): banned on sight.
    pub scanner_user_agents: Vec<String>,
    /// Sources tracked at most.
    pub max_sources: usize,
}

impl Default for GuardConfig {
    fn default() -> GuardConfig {
        GuardConfig {
            requests_per_sec: 20,
            request_burst: 100,
            flood_ban_after: 100,
            max_failures: 10,
            throttle_after: 3,
            throttle_base_ms: 1_000,
            extension_max_failures: 20,
            window_ms: 5 * 60 * 1000,
            ban_ms: 30 * 60 * 1000,
            scanner_user_agents: ["friendly-scanner", "sipvicious", "sipcli", "sip-scan", "sipsak", "iwar", "sundayddr", "vaxsipuseragent", "pplsip"]
                .map(String::from)
                .to_vec(),
            max_sources: 100_000,
        }
    }
}

/// Why a source was banned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BanReason {
    /// Too many failed authentications.
    Failures,
    /// Too many requests.
    Flood,
    /// A scanner's User-Agent.
    Scanner,
}

/// What the guard did so far (for metrics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GuardStats {
    /// Sources banned, by reason, since start.
    pub bans_failures: u64,
    pub bans_flood: u64,
    pub bans_scanner: u64,
    /// Messages dropped because their source was banned.
    pub dropped_banned: u64,
    /// Requests dropped by the request limit.
    pub dropped_flood: u64,
    /// Authentication attempts refused unchecked (throttled, or an
    /// extension closed to strangers).
    pub refused_attempts: u64,
    /// Authentication attempts checked and failed (a wrong password, an
    /// unknown account).
    pub failed_attempts: u64,
    /// Sources banned now.
    pub banned_now: usize,
}

#[derive(Debug)]
struct Ban {
    until: Time,
}

/// The guard. See the module documentation.
#[derive(Debug)]
pub struct Guard<K: Source = IpAddr> {
    cfg: GuardConfig,
    bans: HashMap<K, Ban>,
    rate: rate::RequestLimiter<K>,
    failures: failures::FailureCounter<K>,
    stats: GuardStats,
}

impl<K: Source> Guard<K> {
    pub fn new(cfg: GuardConfig) -> Guard<K> {
        Guard {
            rate: rate::RequestLimiter::new(&cfg),
            failures: failures::FailureCounter::new(&cfg),
            cfg,
            bans: HashMap::new(),
            stats: GuardStats::default(),
        }
    }

    pub fn config(&self) -> &GuardConfig {
        &self.cfg
    }

    /// Whether `ip` is banned at `now`.
    pub fn is_banned(&self, ip: K, now: Time) -> bool {
        self.bans.get(&ip).is_some_and(|b| now < b.until)
    }

    /// Whether anything from `ip` may be looked at; counts what is dropped.
    pub fn admit(&mut self, ip: K, now: Time) -> bool {
        if self.is_banned(ip, now) {
            self.stats.dropped_banned += 1;
            return false;
        }
        true
    }

    /// Whether a new (out-of-dialog) request from `ip` may be handled.
    /// Returns `false` to drop it silently.
    pub fn request(&mut self, ip: K, user_agent: Option<&str>, now: Time) -> bool {
        if !self.admit(ip.clone(), now) {
            return false;
        }
        if let Some(ua) = user_agent {
            let ua = ua.to_ascii_lowercase();
            if self.cfg.scanner_user_agents.iter().any(|s| !s.is_empty() && ua.contains(&s.to_ascii_lowercase())) {
                self.ban(ip, now, BanReason::Scanner);
                return false;
            }
        }
        if self.rate.take(&ip, now) {
            return true;
        }
        self.stats.dropped_flood += 1;
        if self.rate.drops_in_window(&ip, now) >= self.cfg.flood_ban_after as usize {
            self.ban(ip, now, BanReason::Flood);
        }
        false
    }

    /// Whether `ip` may try the password of `extension` now. A refusal
    /// counts as a failure of the source.
    pub fn may_try(&mut self, ip: K, extension: &str, now: Time) -> Result<(), Refusal> {
        if self.is_banned(ip.clone(), now) {
            return Err(Refusal::Banned);
        }
        let verdict = self.failures.may_try(&ip, extension, now);
        if verdict.is_err() {
            self.stats.refused_attempts += 1;
            self.note_failure(ip, extension, now);
        }
        verdict
    }

    /// A failed authentication of `ip` as `extension` (a wrong password,
    /// an unknown extension). Returns whether `ip` is banned now.
    pub fn failed(&mut self, ip: K, extension: &str, now: Time) -> bool {
        self.stats.failed_attempts += 1;
        self.note_failure(ip, extension, now)
    }

    fn note_failure(&mut self, ip: K, extension: &str, now: Time) -> bool {
        if self.failures.failed(&ip, extension, now) {
            self.ban(ip.clone(), now, BanReason::Failures);
        }
        self.is_banned(ip, now)
    }

    /// `ip` proved the password of `extension`: its failures are forgotten
    /// and it may try this extension even while strangers may not.
    pub fn succeeded(&mut self, ip: K, extension: &str, now: Time) {
        self.failures.succeeded(&ip, extension, now);
    }

    /// Lifts the ban of `ip` (an admin's decision) and forgets its failures.
    pub fn unban(&mut self, ip: K) {
        self.bans.remove(&ip);
        self.failures.forget(&ip);
        self.rate.forget(&ip);
    }

    /// Opens an account again (an admin's decision): its failures, and the
    /// waits of the sources that failed on it, are forgotten.
    pub fn unlock(&mut self, account: &str) {
        self.failures.forget_account(account);
    }

    /// Whether `account` is closed to sources it does not know at `now`.
    pub fn is_closed(&mut self, account: &str, now: Time) -> bool {
        self.failures.is_closed(account, now)
    }

    fn ban(&mut self, ip: K, now: Time, reason: BanReason) {
        let until = now.plus(self.cfg.ban_ms);
        self.bans.insert(ip, Ban { until });
        match reason {
            BanReason::Failures => self.stats.bans_failures += 1,
            BanReason::Flood => self.stats.bans_flood += 1,
            BanReason::Scanner => self.stats.bans_scanner += 1,
        }
    }

    /// The sources banned at `now`, with when each ban ends.
    pub fn banned(&self, now: Time) -> Vec<(K, Time)> {
        let mut v: Vec<(K, Time)> = self.bans.iter().filter(|(_, b)| now < b.until).map(|(ip, b)| (ip.clone(), b.until)).collect();
        v.sort_by_key(|(_, until)| *until);
        v
    }

    pub fn stats(&self, now: Time) -> GuardStats {
        GuardStats { banned_now: self.bans.values().filter(|b| now < b.until).count(), ..self.stats }
    }

    /// Drops what no longer matters at `now`.
    pub fn purge(&mut self, now: Time) {
        self.bans.retain(|_, b| now < b.until);
        self.rate.purge(now);
        self.failures.purge(now);
    }
}
