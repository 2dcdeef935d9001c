//! Client side: answering a `WWW-Authenticate` (or `Proxy-Authenticate`)
//! challenge, as Hotline does when it registers to a trunk.

use crate::auth::digest::{ha1, response, Algorithm};
use crate::auth::params::digest_params;
use crate::auth::AuthError;

/// A parsed Digest challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub algorithm: Algorithm,
    /// Whether the server offered `qop=auth`.
    pub qop_auth: bool,
    pub opaque: Option<String>,
    pub stale: bool,
}

impl Challenge {
    pub fn parse(header: &str) -> Result<Challenge, AuthError> {
        let mut p = digest_params(header)?;
        let realm = p
            .remove("realm")
            .ok_or(AuthError::Malformed("Missing realm"))?;
        let nonce = p
            .remove("nonce")
            .ok_or(AuthError::Malformed("Missing nonce"))?;
        let algorithm = match p.remove("algorithm") {
            Some(a) => Algorithm::parse(&a).ok_or(AuthError::UnsupportedAlgorithm)?,
            None => Algorithm::Md5,
        };
        let qop = p.remove("qop");
        let qop_auth = qop
            .as_deref()
            .is_some_and(|q| q.split(',').any(|o| o.trim().eq_ignore_ascii_case("auth")));
        if qop.is_some() && !qop_auth {
            return Err(AuthError::Malformed("Unsupported qop"));
        }
        let stale = p
            .remove("stale")
            .is_some_and(|s| s.eq_ignore_ascii_case("true"));
        Ok(Challenge {
            realm,
            nonce,
            algorithm,
            qop_auth,
            opaque: p.remove("opaque"),
            stale,
        })
    }

    /// The best challenge among several headers: SHA-256 before MD5;
    /// unusable ones are skipped.
    pub fn pick<'a>(headers: impl IntoIterator<Item = &'a str>) -> Option<Challenge> {
        let all: Vec<Challenge> = headers
            .into_iter()
            .filter_map(|h| Challenge::parse(h).ok())
            .collect();
        let best = all
            .iter()
            .position(|c| c.algorithm == Algorithm::Sha256)
            .unwrap_or(0);
        all.into_iter().nth(best)
    }
}

/// The `Authorization` value answering `challenge` for a request with
/// `method` and Request-URI `uri`. `cnonce` comes from the caller's random
/// bytes; `nc` counts the uses of this nonce, from 1.
pub fn authorization(
    challenge: &Challenge,
    username: &str,
    password: &str,
    method: &str,
    uri: &str,
    cnonce: &str,
    nc: u32,
) -> String {
    let c = challenge;
    let ha1 = ha1(c.algorithm, username, &c.realm, password);
    let nc = format!("{nc:08x}");
    let qop = c.qop_auth.then_some((nc.as_str(), cnonce, "auth"));
    let r = response(c.algorithm, &ha1, &c.nonce, method, uri, qop);
    let mut h = format!(
        "Digest username=\"{username}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\", response=\"{r}\", algorithm={}",
        c.realm,
        c.nonce,
        c.algorithm.name()
    );
    if c.qop_auth {
        h.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
    }
    if let Some(o) = &c.opaque {
        h.push_str(&format!(", opaque=\"{o}\""));
    }
    h
}
