//! Digest authentication (RFC 3261 §22, RFC 7616, RFC 8760 for SHA-256).
//!
//! - [`server::Authenticator`] issues challenges whose nonces carry their
//!   own issue time and random bytes under an HMAC of a server secret, so no
//!   nonce table is kept and an old nonce is told apart from a forged one;
//!   it verifies `Authorization` headers against a password or a stored
//!   HA1, telling a wrong password from a stale nonce from a malformed
//!   header.
//! - [`client::Challenge`] and [`client::authorization`] answer a challenge
//!   (registering to a trunk, and in tests).
//!
//! Only `qop=auth` (or no qop, RFC 2069 style) is supported; `auth-int`,
//! `-sess` algorithms and `userhash` are refused as malformed.

pub mod client;
mod digest;
mod params;
pub mod server;

pub use client::{authorization, Challenge};
pub use digest::{ha1, response, Algorithm, Secret};
pub use params::Credentials;
pub use server::Authenticator;

/// Why credentials were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// Not a well-formed Digest header; the reason names what is wrong.
    #[error("Malformed Credentials: {0}")]
    Malformed(&'static str),
    /// A scheme other than Digest (`Basic`, or RFC 4475's
    /// `NoOneKnowsThisScheme`): challenge again.
    #[error("Unsupported Authorization Scheme")]
    UnsupportedScheme,
    #[error("Unsupported Digest Algorithm")]
    UnsupportedAlgorithm,
    #[error("Wrong Realm")]
    WrongRealm,
    /// Not a nonce of ours (forged, from another server, or from before the
    /// secret changed): challenge again.
    #[error("Unknown Nonce")]
    BadNonce,
    /// The response was right but the nonce is too old: challenge again
    /// with `stale=true`, and do not count a failure.
    #[error("Stale Nonce")]
    Stale,
    /// The client did not use `qop=auth`, which our challenges ask for
    /// (without it the nonce count cannot protect against replays):
    /// challenge again.
    #[error("Qop Required")]
    QopRequired,
    /// Right response, but this nonce count was used before (a replayed
    /// request): challenge again with a fresh nonce.
    #[error("Replayed Nonce Count")]
    Replayed,
    /// The response does not match: wrong password (or user).
    #[error("Wrong Password")]
    WrongPassword,
}
