//! Server side: challenges and verification with self-verifying nonces.
//!
//! A nonce is 80 hex characters: the issue time (8 bytes, ms), 16 random
//! bytes from the caller, and the first 16 bytes of
//! HMAC-SHA-256(secret, time ‖ random). A nonce whose MAC does not verify
//! is not ours; one older than [`Authenticator::nonce_ttl_ms`] is stale.
//! Nothing is stored for a nonce until it is answered correctly; from then
//! on its highest nonce count (`nc`) is kept until it goes stale, and a
//! request that does not count up is refused as a replay. `qop=auth` is
//! required, since without it there is no count.

use std::collections::HashMap;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::digest::{ha1, response, Algorithm, Secret};
use crate::auth::params::Credentials;
use crate::auth::AuthError;
use crate::time::Time;

type HmacSha256 = Hmac<Sha256>;

/// Issues and checks digest challenges for one realm.
#[derive(Clone)]
pub struct Authenticator {
    realm: String,
    secret: Vec<u8>,
    /// How long a nonce stays fresh, in ms (default 5 minutes).
    pub nonce_ttl_ms: u64,
    /// Algorithms challenged with, in order. Only MD5 by default: common
    /// phones (baresip 1.0's libre among them) fail the whole authentication
    /// when any challenge names an algorithm they do not know.
    /// [`Authenticator::sha256_first`] offers SHA-256, then MD5 (RFC 8760).
    pub algorithms: Vec<Algorithm>,
    /// Nonce → (issued, highest nonce count seen) for nonces answered
    /// correctly and not yet stale.
    counts: HashMap<String, (Time, u32)>,
}

impl std::fmt::Debug for Authenticator {
    /// The secret is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("realm", &self.realm)
            .field("nonce_ttl_ms", &self.nonce_ttl_ms)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// `secret` keys the nonce MAC; keep it across restarts to keep
    /// outstanding nonces valid.
    pub fn new(realm: &str, secret: &[u8]) -> Authenticator {
        Authenticator {
            realm: realm.to_owned(),
            secret: secret.to_vec(),
            nonce_ttl_ms: 5 * 60 * 1000,
            algorithms: vec![Algorithm::Md5],
            counts: HashMap::new(),
        }
    }

    /// Challenges with SHA-256 first, then MD5 (RFC 8760 §2.4).
    pub fn sha256_first(mut self) -> Authenticator {
        self.algorithms = vec![Algorithm::Sha256, Algorithm::Md5];
        self
    }

    pub fn realm(&self) -> &str {
        &self.realm
    }

    fn mac(&self, stamp: &[u8]) -> Vec<u8> {
        // HMAC accepts keys of any length, so this cannot fail; an empty
        // MAC would only make every nonce "not ours".
        let Ok(mut m) = HmacSha256::new_from_slice(&self.secret) else {
            return Vec::new();
        };
        m.update(stamp);
        m.finalize()
            .into_bytes()
            .get(..16)
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }

    /// A nonce for `now` from up to 16 caller-supplied random bytes.
    pub fn nonce(&self, now: Time, random: &[u8]) -> String {
        let mut stamp = now.0.to_be_bytes().to_vec();
        let mut r = [0u8; 16];
        for (d, s) in r.iter_mut().zip(random) {
            *d = *s;
        }
        stamp.extend_from_slice(&r);
        format!("{}{}", hex::encode(&stamp), hex::encode(self.mac(&stamp)))
    }

    /// When a nonce of ours was issued; `None` if it is not ours.
    fn issued(&self, nonce: &str) -> Option<Time> {
        if nonce.len() != 80 {
            return None;
        }
        let bytes = hex::decode(nonce).ok()?;
        let (stamp, mac) = bytes.split_at_checked(24)?;
        let expected = self.mac(stamp);
        if !constant_time_eq(mac, &expected) {
            return None;
        }
        let time: [u8; 8] = stamp.get(..8)?.try_into().ok()?;
        Some(Time(u64::from_be_bytes(time)))
    }

    /// One `WWW-Authenticate` value.
    pub fn challenge(&self, now: Time, random: &[u8], algorithm: Algorithm, stale: bool) -> String {
        self.challenge_with_nonce(&self.nonce(now, random), algorithm, stale)
    }

    fn challenge_with_nonce(&self, nonce: &str, algorithm: Algorithm, stale: bool) -> String {
        let stale = if stale { ", stale=true" } else { "" };
        format!(
            "Digest realm=\"{}\", nonce=\"{nonce}\", algorithm={}, qop=\"auth\"{stale}",
            self.realm,
            algorithm.name()
        )
    }

    /// `WWW-Authenticate` values, one per algorithm of
    /// [`Authenticator::algorithms`], with one nonce.
    pub fn challenges(&self, now: Time, random: &[u8], stale: bool) -> Vec<String> {
        let nonce = self.nonce(now, random);
        self.algorithms
            .iter()
            .map(|a| self.challenge_with_nonce(&nonce, *a, stale))
            .collect()
    }

    /// Checks credentials for a request with `method` against the user's
    /// secret (a password, or the HA1 for `credentials.algorithm`).
    pub fn verify(
        &mut self,
        now: Time,
        credentials: &Credentials,
        method: &str,
        secret: Secret,
    ) -> Result<(), AuthError> {
        let c = credentials;
        if c.realm != self.realm {
            return Err(AuthError::WrongRealm);
        }
        let issued = self.issued(&c.nonce).ok_or(AuthError::BadNonce)?;
        if issued > now {
            return Err(AuthError::BadNonce);
        }
        let ha1 = match secret {
            Secret::Password(p) => ha1(c.algorithm, &c.username, &c.realm, p),
            Secret::Ha1(h) => h.to_ascii_lowercase(),
        };
        let Some((nc, cnonce)) = c.qop.as_ref() else {
            return Err(AuthError::QopRequired);
        };
        let qop = Some((nc.as_str(), cnonce.as_str(), "auth"));
        let expected = response(c.algorithm, &ha1, &c.nonce, method, &c.uri, qop);
        if !constant_time_eq(expected.as_bytes(), c.response.as_bytes()) {
            return Err(AuthError::WrongPassword);
        }
        if now.since(issued) > self.nonce_ttl_ms {
            return Err(AuthError::Stale);
        }
        // `Credentials::parse` checked that nc is 8 hex digits.
        let count = u32::from_str_radix(nc, 16).map_err(|_| AuthError::Malformed("Bad nc"))?;
        self.forget_stale(now);
        let seen = self.counts.entry(c.nonce.clone()).or_insert((issued, 0));
        if count <= seen.1 {
            return Err(AuthError::Replayed);
        }
        seen.1 = count;
        Ok(())
    }

    /// Drops the counts of nonces gone stale (they are refused as stale
    /// before their count is looked at).
    fn forget_stale(&mut self, now: Time) {
        if self.counts.len() >= 1024 {
            let ttl = self.nonce_ttl_ms;
            self.counts.retain(|_, (issued, _)| now.since(*issued) <= ttl);
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
