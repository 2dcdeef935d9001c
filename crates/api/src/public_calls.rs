//! The limits on calls from the public "call us" page, where nobody signs
//! in: a call needs a page token (issued with the page, valid ten minutes,
//! signed by this server), a browser's Origin that is this server's own
//! (or one the center allows), at most [`PER_MINUTE`] new calls a minute
//! and [`AT_ONCE`] calls at once from one address. Telephony caps web calls
//! in all at a share of the RTP port pool, and releases a call whose browser
//! does not connect within seconds. So a flood from one address neither
//! reaches agents nor keeps other visitors out.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// New calls one address may place per minute.
pub const PER_MINUTE: usize = 6;
/// Calls one address may have at once.
pub const AT_ONCE: usize = 2;
/// How long a page token stays good.
pub const TOKEN_TTL: Duration = Duration::from_secs(600);

/// Why a public call is refused before it reaches telephony.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    Origin,
    Token,
    /// Too many calls from this address: try again in this many seconds.
    TooMany(u64),
}

#[derive(Default)]
struct Source {
    started: VecDeque<Instant>,
    /// Hang-up tokens of this address's calls that may still be live.
    live: Vec<String>,
}

pub struct PublicCalls {
    secret: [u8; 32],
    started: Instant,
    sources: Mutex<HashMap<IpAddr, Source>>,
}

impl Default for PublicCalls {
    fn default() -> Self {
        PublicCalls { secret: rand::random(), started: Instant::now(), sources: Mutex::default() }
    }
}

impl PublicCalls {
    fn mac(&self, expires: u64) -> String {
        let Ok(mut m) = Hmac::<Sha256>::new_from_slice(&self.secret) else { return String::new() };
        m.update(b"public-call-page");
        m.update(&expires.to_be_bytes());
        hex::encode(&m.finalize().into_bytes()[..16])
    }

    /// A page token: its expiry (seconds since this server started) and MAC.
    pub fn page_token(&self) -> String {
        let expires = (self.started.elapsed() + TOKEN_TTL).as_secs();
        format!("{expires}.{}", self.mac(expires))
    }

    fn token_ok(&self, token: &str) -> bool {
        let Some((expires, mac)) = token.split_once('.') else { return false };
        let Ok(expires) = expires.parse::<u64>() else { return false };
        let good = self.mac(expires);
        let same = good.len() == mac.len() && good.bytes().zip(mac.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0;
        same && self.started.elapsed().as_secs() <= expires
    }

    /// Checks a new call from `ip` with the page's `token` and `origin`
    /// against `host` (this server, as the browser named it) and the
    /// `allowed` origins; `live` says which hang-up tokens are still calls.
    pub fn admit(&self, ip: IpAddr, token: Option<&str>, origin: Option<&str>, host: Option<&str>, allowed: &[String], live: impl Fn(&str) -> bool) -> Result<(), Refused> {
        let own = |o: &str| host.is_some_and(|h| o == format!("http://{h}") || o == format!("https://{h}"));
        match origin {
            Some(o) if own(o) || allowed.iter().any(|a| a == o) => {}
            _ => return Err(Refused::Origin),
        }
        if !token.is_some_and(|t| self.token_ok(t)) {
            return Err(Refused::Token);
        }
        let now = Instant::now();
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        if sources.len() > 100_000 {
            sources.retain(|_, s| !s.live.is_empty() || s.started.back().is_some_and(|t| now.duration_since(*t) < Duration::from_secs(60)));
        }
        let s = sources.entry(ip).or_default();
        while s.started.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60)) {
            s.started.pop_front();
        }
        s.live.retain(|t| live(t));
        if s.live.len() >= AT_ONCE {
            return Err(Refused::TooMany(5));
        }
        if s.started.len() >= PER_MINUTE {
            let wait = s.started.front().map_or(60, |t| 60u64.saturating_sub(now.duration_since(*t).as_secs()).max(1));
            return Err(Refused::TooMany(wait));
        }
        s.started.push_back(now);
        Ok(())
    }

    /// A call of `ip` started with this hang-up token.
    pub fn started(&self, ip: IpAddr, hangup_token: &str) {
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        sources.entry(ip).or_default().live.push(hangup_token.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_origins_and_per_address_limits() {
        let p = PublicCalls::default();
        let t = p.page_token();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let host = Some("cc.example");
        let ok = |ip| p.admit(ip, Some(&t), Some("https://cc.example"), host, &[], |_| true);
        assert_eq!(p.admit(ip, Some(&t), Some("https://evil.example"), host, &[], |_| true), Err(Refused::Origin));
        assert_eq!(p.admit(ip, Some(&t), None, host, &[], |_| true), Err(Refused::Origin));
        assert_eq!(p.admit(ip, Some(&t), Some("https://shop.example"), host, &["https://shop.example".into()], |_| true), Ok(()));
        assert_eq!(p.admit(ip, None, Some("https://cc.example"), host, &[], |_| true), Err(Refused::Token));
        let forged = format!("{}.{}", u64::MAX, "0".repeat(32));
        assert_eq!(p.admit(ip, Some(&forged), Some("https://cc.example"), host, &[], |_| true), Err(Refused::Token));
        // Two at once from one address.
        p.started(ip, "a");
        assert_eq!(ok(ip), Ok(()));
        p.started(ip, "b");
        assert_eq!(ok(ip), Err(Refused::TooMany(5)));
        // Another address is not affected; a call that ended frees its place.
        assert_eq!(ok("192.0.2.2".parse().unwrap()), Ok(()));
        assert_eq!(p.admit(ip, Some(&t), Some("https://cc.example"), host, &[], |tok| tok == "b"), Ok(()));
        // Six new calls a minute.
        let other: IpAddr = "192.0.2.3".parse().unwrap();
        for _ in 0..PER_MINUTE {
            assert_eq!(p.admit(other, Some(&t), Some("https://cc.example"), host, &[], |_| false), Ok(()));
        }
        assert!(matches!(p.admit(other, Some(&t), Some("https://cc.example"), host, &[], |_| false), Err(Refused::TooMany(_))));
    }
}
