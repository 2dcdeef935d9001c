//! Failed-login limits per user name and per client address.
//!
//! A sliding window of failure times per key; a key with too many failures
//! in the window is refused until the oldest one ages out. Successful logins
//! clear the user's failures. Memory is bounded: keys whose failures all
//! aged out are dropped when the map grows.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

pub struct LoginLimiter {
    per_user: u32,
    per_ip: u32,
    window_ms: i64,
    users: Mutex<HashMap<String, VecDeque<i64>>>,
    ips: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl LoginLimiter {
    pub fn new(per_user: u32, per_ip: u32, window_ms: i64) -> Self {
        LoginLimiter { per_user, per_ip, window_ms, users: Mutex::default(), ips: Mutex::default() }
    }

    /// `Some(seconds to wait)` if this user or address must wait before trying again.
    pub fn blocked(&self, user: &str, ip: &str, now: i64) -> Option<u64> {
        let u = wait(&self.users, user, self.per_user, self.window_ms, now);
        let i = wait(&self.ips, ip, self.per_ip, self.window_ms, now);
        u.max(i)
    }

    pub fn failed(&self, user: &str, ip: &str, now: i64) {
        record(&self.users, user, now, self.window_ms);
        record(&self.ips, ip, now, self.window_ms);
    }

    pub fn succeeded(&self, user: &str) {
        if let Ok(mut m) = self.users.lock() {
            m.remove(user);
        }
    }
}

fn wait(map: &Mutex<HashMap<String, VecDeque<i64>>>, key: &str, limit: u32, window: i64, now: i64) -> Option<u64> {
    let mut m = map.lock().ok()?;
    let q = m.get_mut(key)?;
    while q.front().is_some_and(|t| now - t >= window) {
        q.pop_front();
    }
    if q.len() < limit as usize {
        return None;
    }
    let oldest = *q.front()?;
    Some(((oldest + window - now).max(1000) / 1000) as u64)
}

fn record(map: &Mutex<HashMap<String, VecDeque<i64>>>, key: &str, now: i64, window: i64) {
    let Ok(mut m) = map.lock() else { return };
    if m.len() > 100_000 {
        m.retain(|_, q| q.back().is_some_and(|t| now - t < window));
    }
    m.entry(key.to_owned()).or_default().push_back(now);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_limit_and_releases_after_window() {
        let l = LoginLimiter::new(3, 100, 60_000);
        for t in 0..3 {
            assert_eq!(l.blocked("agent1", "1.2.3.4", t), None);
            l.failed("agent1", "1.2.3.4", t);
        }
        assert_eq!(l.blocked("agent1", "1.2.3.4", 10), Some(59));
        assert_eq!(l.blocked("agent2", "1.2.3.4", 10), None, "other users are not affected");
        assert_eq!(l.blocked("agent1", "1.2.3.4", 60_001), None, "oldest failure aged out");
    }

    #[test]
    fn per_address_limit_covers_many_users() {
        let l = LoginLimiter::new(100, 2, 60_000);
        l.failed("a", "9.9.9.9", 0);
        l.failed("b", "9.9.9.9", 0);
        assert!(l.blocked("c", "9.9.9.9", 1).is_some());
        assert!(l.blocked("c", "8.8.8.8", 1).is_none());
    }

    #[test]
    fn success_clears_user_failures() {
        let l = LoginLimiter::new(2, 100, 60_000);
        l.failed("a", "ip", 0);
        l.failed("a", "ip", 0);
        l.succeeded("a");
        assert_eq!(l.blocked("a", "ip", 1), None);
    }
}
