//! Digest authentication, server side (RFC 3261 §22, RFC 7616, RFC 8760):
//! challenges with nonces that carry their own time and a MAC (so no nonce
//! table is needed and a replayed old nonce is told apart as stale), parsing
//! of `Authorization`, and checking a response against the stored HA1.
//! Time and the secret are given by the caller.

use hmac::{Hmac, Mac};
use md5::Md5;
use sha2::{Digest as _, Sha256};

/// A digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Md5,
    Sha256,
}

impl Algorithm {
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Sha256 => "SHA-256",
        }
    }

    fn parse(s: &str) -> Option<Algorithm> {
        match s.to_ascii_uppercase().as_str() {
            "MD5" => Some(Algorithm::Md5),
            "SHA-256" => Some(Algorithm::Sha256),
            _ => None,
        }
    }

    /// Hex digest of `s`.
    pub fn hash(self, s: &str) -> String {
        match self {
            Algorithm::Md5 => hex::encode(Md5::digest(s.as_bytes())),
            Algorithm::Sha256 => hex::encode(Sha256::digest(s.as_bytes())),
        }
    }
}

/// The parameters of a `Digest` Authorization header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub realm: String,
    pub nonce: String,
    pub uri: String,
    pub response: String,
    pub algorithm: Algorithm,
    pub cnonce: Option<String>,
    pub qop: Option<String>,
    pub nc: Option<String>,
}

impl Credentials {
    /// Parses `Digest username="..", realm="..", ...`; `None` if it is not
    /// a well-formed Digest header with the required parameters.
    pub fn parse(header: &str) -> Option<Credentials> {
        let rest = header.trim();
        let (scheme, params) = rest.split_once(char::is_whitespace)?;
        if !scheme.eq_ignore_ascii_case("Digest") {
            return None;
        }
        let mut map = std::collections::BTreeMap::new();
        for part in crate::headers::split_list(params) {
            let (k, v) = part.split_once('=')?;
            let v = v.trim();
            let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v);
            map.insert(k.trim().to_ascii_lowercase(), v.to_owned());
        }
        let take = |k: &str| map.get(k).cloned();
        let algorithm = match map.get("algorithm") {
            Some(a) => Algorithm::parse(a)?,
            None => Algorithm::Md5,
        };
        Some(Credentials {
            username: take("username")?,
            realm: take("realm")?,
            nonce: take("nonce")?,
            uri: take("uri")?,
            response: take("response")?.to_ascii_lowercase(),
            algorithm,
            cnonce: take("cnonce"),
            qop: take("qop"),
            nc: take("nc"),
        })
    }
}

/// The response a client computes (RFC 7616 §3.4.1), from HA1.
pub fn response(alg: Algorithm, ha1: &str, nonce: &str, method: &str, uri: &str, qop: Option<(&str, &str, &str)>) -> String {
    let ha2 = alg.hash(&format!("{method}:{uri}"));
    match qop {
        Some((nc, cnonce, qop)) => alg.hash(&format!("{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")),
        None => alg.hash(&format!("{ha1}:{nonce}:{ha2}")),
    }
}

/// What a check of credentials found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// Our nonce, correctly answered, but too old: challenge again with `stale=true`.
    Stale,
    /// Not a nonce of ours (forged or from another server).
    BadNonce,
    WrongRealm,
    /// The response does not match: wrong password (or user).
    WrongPassword,
}

/// Issues and checks nonces; the secret is per server and never leaves it.
pub struct Digest {
    realm: String,
    secret: Vec<u8>,
    /// Nonces older than this (ms) are stale.
    pub max_age_ms: u64,
    /// Algorithms offered, in order. Only MD5 by default: common phones
    /// (baresip 1.0's libre among them) fail the whole authentication when
    /// any challenge names an algorithm they do not know.
    /// [`Digest::sha256_first`] offers SHA-256 first, then MD5 (RFC 8760),
    /// for fleets that support it.
    pub algorithms: Vec<Algorithm>,
}

type HmacSha256 = Hmac<Sha256>;

impl Digest {
    pub fn new(realm: &str, secret: &[u8]) -> Digest {
        Digest { realm: realm.to_owned(), secret: secret.to_vec(), max_age_ms: 5 * 60 * 1000, algorithms: vec![Algorithm::Md5] }
    }

    /// Offers SHA-256 before MD5 (RFC 8760 §2.4).
    pub fn sha256_first(mut self) -> Digest {
        self.algorithms = vec![Algorithm::Sha256, Algorithm::Md5];
        self
    }

    fn mac(&self, stamp: &str) -> String {
        let mut m = HmacSha256::new_from_slice(&self.secret).expect("HMAC takes keys of any length");
        m.update(stamp.as_bytes());
        hex::encode(&m.finalize().into_bytes()[..16])
    }

    /// A nonce for time `now_ms`: `<time hex>.<mac>`.
    pub fn nonce(&self, now_ms: u64) -> String {
        let stamp = format!("{now_ms:x}");
        format!("{stamp}.{}", self.mac(&stamp))
    }

    /// `WWW-Authenticate` values, one per algorithm, in [`Digest::algorithms`] order.
    pub fn challenges(&self, now_ms: u64, stale: bool) -> Vec<String> {
        let nonce = self.nonce(now_ms);
        let stale = if stale { ", stale=true" } else { "" };
        self.algorithms
            .iter()
            .map(|a| format!("Digest realm=\"{}\", nonce=\"{nonce}\", algorithm={}, qop=\"auth\"{stale}", self.realm, a.name()))
            .collect()
    }

    /// Checks `c` for `method` against the user's HA1 for `c.algorithm`.
    pub fn verify(&self, c: &Credentials, method: &str, ha1: &str, now_ms: u64) -> Verdict {
        if c.realm != self.realm {
            return Verdict::WrongRealm;
        }
        let Some((stamp, mac)) = c.nonce.split_once('.') else { return Verdict::BadNonce };
        let Ok(issued) = u64::from_str_radix(stamp, 16) else { return Verdict::BadNonce };
        if !constant_time_eq(mac.as_bytes(), self.mac(stamp).as_bytes()) || issued > now_ms {
            return Verdict::BadNonce;
        }
        let qop = match (&c.qop, &c.nc, &c.cnonce) {
            (Some(q), Some(nc), Some(cn)) => Some((nc.as_str(), cn.as_str(), q.as_str())),
            (None, _, _) => None,
            _ => return Verdict::WrongPassword,
        };
        let expected = response(c.algorithm, ha1, &c.nonce, method, &c.uri, qop);
        if !constant_time_eq(expected.as_bytes(), c.response.as_bytes()) {
            return Verdict::WrongPassword;
        }
        if now_ms - issued > self.max_age_ms {
            return Verdict::Stale;
        }
        Verdict::Ok
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_2617_example() {
        let ha1 = Algorithm::Md5.hash("Mufasa:testrealm@host.com:Circle Of Life");
        let r = response(Algorithm::Md5, &ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", "GET", "/dir/index.html", Some(("00000001", "0a4f113b", "auth")));
        assert_eq!(r, "6629fae49393a05397450978507c4ef1");
    }

    fn client(d: &Digest, alg: Algorithm, password: &str, now: u64) -> Credentials {
        let nonce = d.nonce(now);
        let ha1 = alg.hash(&format!("8001:hotline:{password}"));
        let r = response(alg, &ha1, &nonce, "REGISTER", "sip:127.0.0.1", Some(("00000001", "abc", "auth")));
        let header = format!(
            "Digest username=\"8001\", realm=\"hotline\", nonce=\"{nonce}\", uri=\"sip:127.0.0.1\", response=\"{r}\", algorithm={}, cnonce=\"abc\", qop=auth, nc=00000001",
            alg.name()
        );
        Credentials::parse(&header).unwrap()
    }

    #[test]
    fn good_wrong_stale_and_forged() {
        let d = Digest::new("hotline", b"server secret");
        for alg in [Algorithm::Md5, Algorithm::Sha256] {
            let ha1 = alg.hash("8001:hotline:demo");
            assert_eq!(d.verify(&client(&d, alg, "demo", 1_000), "REGISTER", &ha1, 2_000), Verdict::Ok);
            assert_eq!(d.verify(&client(&d, alg, "oops", 1_000), "REGISTER", &ha1, 2_000), Verdict::WrongPassword);
            assert_eq!(d.verify(&client(&d, alg, "demo", 1_000), "REGISTER", &ha1, 1_000 + 301_000), Verdict::Stale);
            assert_eq!(d.verify(&client(&d, alg, "demo", 1_000), "INVITE", &ha1, 2_000), Verdict::WrongPassword, "bound to the method");
            let other = Digest::new("hotline", b"another server");
            assert_eq!(other.verify(&client(&d, alg, "demo", 1_000), "REGISTER", &ha1, 2_000), Verdict::BadNonce);
        }
        let mut c = client(&d, Algorithm::Md5, "demo", 1_000);
        c.realm = "elsewhere".into();
        assert_eq!(d.verify(&c, "REGISTER", "x", 2_000), Verdict::WrongRealm);
        let challenges = d.challenges(5, true);
        assert_eq!(challenges.len(), 1, "MD5 only by default");
        assert!(challenges[0].contains("algorithm=MD5") && challenges[0].contains("stale=true"), "{challenges:?}");
        let modern = Digest::new("hotline", b"s").sha256_first().challenges(5, false);
        assert!(modern[0].contains("algorithm=SHA-256") && !modern[0].contains("stale"), "{modern:?}");
        assert!(modern[1].contains("algorithm=MD5"));
    }

    #[test]
    fn malformed_headers_are_none() {
        assert!(Credentials::parse("Basic dXNlcjpwYXNz").is_none());
        assert!(Credentials::parse("Digest username=\"a\"").is_none());
        assert!(Credentials::parse("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", algorithm=SHA-512").is_none());
        assert!(Credentials::parse("").is_none());
    }
}
