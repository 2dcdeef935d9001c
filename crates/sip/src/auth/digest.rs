//! The digest computations of RFC 7616 §3.4.1–§3.4.3 (RFC 2617 for MD5).

use md5::Md5;
use sha2::{Digest as _, Sha256};

/// A digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Md5,
    Sha256,
}

impl Algorithm {
    /// The name in headers: `MD5`, `SHA-256`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Sha256 => "SHA-256",
        }
    }

    /// By header name, any case.
    pub fn parse(s: &str) -> Option<Algorithm> {
        match s.to_ascii_uppercase().as_str() {
            "MD5" => Some(Algorithm::Md5),
            "SHA-256" => Some(Algorithm::Sha256),
            _ => None,
        }
    }

    /// Lower-case hex digest of `s`.
    pub fn hash(self, s: &str) -> String {
        match self {
            Algorithm::Md5 => hex::encode(Md5::digest(s.as_bytes())),
            Algorithm::Sha256 => hex::encode(Sha256::digest(s.as_bytes())),
        }
    }
}

/// What the server knows about a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret<'a> {
    Password(&'a str),
    /// `H(username:realm:password)` in hex for the algorithm in use.
    Ha1(&'a str),
}

/// `H(username:realm:password)`.
pub fn ha1(alg: Algorithm, username: &str, realm: &str, password: &str) -> String {
    alg.hash(&format!("{username}:{realm}:{password}"))
}

/// The `response` value: `H(HA1:nonce:nc:cnonce:qop:HA2)` with
/// `qop = Some((nc, cnonce, "auth"))`, or `H(HA1:nonce:HA2)` without qop;
/// `HA2 = H(method:uri)`.
pub fn response(
    alg: Algorithm,
    ha1: &str,
    nonce: &str,
    method: &str,
    uri: &str,
    qop: Option<(&str, &str, &str)>,
) -> String {
    let ha2 = alg.hash(&format!("{method}:{uri}"));
    match qop {
        Some((nc, cnonce, qop)) => alg.hash(&format!("{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")),
        None => alg.hash(&format!("{ha1}:{nonce}:{ha2}")),
    }
}
