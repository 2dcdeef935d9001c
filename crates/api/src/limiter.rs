//! Sign-in attempts, guarded so that nobody can guess a password and
//! nobody can lock a user out by typing wrong passwords on purpose
//! (the same [`hotline_guard::Guard`] as the SIP side's):
//!
//! - per address *and* user name: after a few failures that pair must wait,
//!   1 s doubling with every further failure (attempts sent sooner are
//!   refused unchecked and count), and ten failures refuse it for the
//!   window — a colleague's typos behind the same office address do not
//!   slow anyone else down;
//! - per address, any user: `max_failures_per_ip` within the window refuse
//!   it for the window (password spraying);
//! - per user name: `max_failures_per_user` within the window, from any
//!   addresses, close the user to addresses it never signed in from — its
//!   own desks keep signing in, a spraying attacker does not;
//! - an admin opens a user again (audited).

use std::net::IpAddr;
use std::sync::Mutex;

use hotline_guard::{Guard, GuardConfig, Refusal, Time};

/// Failures after which an address and user must wait before trying again.
const THROTTLE_AFTER: usize = 3;
/// Failures that refuse an address and user for the window.
const PAIR_MAX_FAILURES: usize = 10;

/// The two guards: by (address, user name), and by address alone.
struct Guards {
    pairs: Guard<(IpAddr, String)>,
    addresses: Guard<IpAddr>,
}

pub struct LoginLimiter {
    guards: Mutex<Guards>,
}

/// Why a sign-in is refused before its password is checked, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// This address must wait (seconds).
    Wait(u64),
    /// The user is closed to new addresses after a guessing attack (seconds).
    UserClosed(u64),
}

impl LoginLimiter {
    pub fn new(per_user: u32, per_ip: u32, window_ms: i64) -> Self {
        let window_ms = window_ms.max(1) as u64;
        let base = GuardConfig { throttle_base_ms: 1_000, window_ms, ban_ms: window_ms, requests_per_sec: 0, ..GuardConfig::default() };
        let pairs = GuardConfig {
            max_failures: PAIR_MAX_FAILURES,
            throttle_after: THROTTLE_AFTER,
            extension_max_failures: per_user.max(1) as usize,
            ..base.clone()
        };
        // By address alone: no waits and no closing, only the ban.
        let addresses = GuardConfig { max_failures: per_ip.max(1) as usize, throttle_after: usize::MAX, extension_max_failures: usize::MAX, ..base };
        LoginLimiter { guards: Mutex::new(Guards { pairs: Guard::new(pairs), addresses: Guard::new(addresses) }) }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Guards) -> R) -> R {
        let mut g = self.guards.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut g)
    }

    /// Whether `user` may try a password from `ip` now; a refusal counts.
    pub fn check(&self, user: &str, ip: IpAddr, now_ms: i64) -> Result<(), Refused> {
        let now = Time(now_ms.max(0) as u64);
        self.with(|g| {
            let window_secs = g.pairs.config().window_ms.div_ceil(1000);
            if g.addresses.is_banned(ip, now) {
                return Err(Refused::Wait(window_secs));
            }
            match g.pairs.may_try((ip, user.to_owned()), user, now) {
                Ok(()) => Ok(()),
                Err(refusal) => {
                    g.addresses.failed(ip, "", now);
                    Err(match refusal {
                        Refusal::Throttled { retry_after_ms } => Refused::Wait(retry_after_ms.div_ceil(1000).max(1)),
                        Refusal::Banned => Refused::Wait(window_secs),
                        Refusal::ExtensionClosed => Refused::UserClosed(window_secs),
                    })
                }
            }
        })
    }

    pub fn failed(&self, user: &str, ip: IpAddr, now_ms: i64) {
        let now = Time(now_ms.max(0) as u64);
        self.with(|g| {
            g.pairs.failed((ip, user.to_owned()), user, now);
            g.addresses.failed(ip, "", now);
        });
    }

    pub fn succeeded(&self, user: &str, ip: IpAddr, now_ms: i64) {
        self.with(|g| g.pairs.succeeded((ip, user.to_owned()), user, Time(now_ms.max(0) as u64)));
    }

    /// An admin opens `user` again.
    pub fn unlock(&self, user: &str) {
        self.with(|g| g.pairs.unlock(user));
    }

    /// Drops what no longer matters.
    pub fn purge(&self, now_ms: i64) {
        let now = Time(now_ms.max(0) as u64);
        self.with(|g| {
            g.pairs.purge(now);
            g.addresses.purge(now);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_guesser_waits_longer_and_longer_then_is_refused_and_colleagues_are_not() {
        let l = LoginLimiter::new(100, 50, 60_000);
        let a = ip("192.0.2.1");
        for t in 0..3 {
            assert_eq!(l.check("agent1", a, t), Ok(()));
            l.failed("agent1", a, t);
        }
        assert_eq!(l.check("agent1", a, 10), Err(Refused::Wait(1)));
        assert_eq!(l.check("agent1", a, 20), Err(Refused::Wait(2)), "the refusal counted: the wait doubled");
        // A colleague behind the same address, and another address, are not affected.
        assert_eq!(l.check("agent2", a, 20), Ok(()));
        assert_eq!(l.check("agent1", ip("192.0.2.2"), 20), Ok(()));
        // Keep hammering: refused for the window.
        for t in 30..40 {
            let _ = l.check("agent1", a, t);
        }
        assert_eq!(l.check("agent1", a, 50), Err(Refused::Wait(60)));
        assert_eq!(l.check("agent1", a, 50 + 60_000), Ok(()));
    }

    #[test]
    fn an_address_spraying_many_users_is_refused() {
        let l = LoginLimiter::new(100, 5, 60_000);
        let a = ip("192.0.2.9");
        for (t, user) in ["u1", "u2", "u3", "u4", "u5"].iter().enumerate() {
            assert_eq!(l.check(user, a, t as i64), Ok(()));
            l.failed(user, a, t as i64);
        }
        assert_eq!(l.check("u6", a, 10), Err(Refused::Wait(60)));
        assert_eq!(l.check("u6", ip("192.0.2.10"), 10), Ok(()));
    }

    #[test]
    fn nobody_locks_a_user_out_of_their_own_desk() {
        let l = LoginLimiter::new(5, 100, 60_000);
        let desk = ip("10.0.0.7");
        l.succeeded("admin", desk, 0);
        // A spray from many addresses, one wrong password each.
        for i in 0..5u8 {
            let bot = IpAddr::from([198, 51, 100, i]);
            assert_eq!(l.check("admin", bot, 100), Ok(()));
            l.failed("admin", bot, 100);
        }
        assert_eq!(l.check("admin", ip("198.51.100.99"), 200), Err(Refused::UserClosed(60)));
        assert_eq!(l.check("admin", desk, 200), Ok(()), "the admin's own desk still signs in");
        assert_eq!(l.check("agent1", ip("198.51.100.99"), 200), Ok(()), "other users are open");
        // An admin opens the user again.
        l.unlock("admin");
        assert_eq!(l.check("admin", ip("198.51.100.99"), 300), Ok(()));
    }
}
