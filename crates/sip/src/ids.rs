//! Identifiers built from random bytes the caller supplies (this crate has
//! no randomness source): Via branches, tags and Call-IDs. Pass at least 8
//! bytes (RFC 3261 §19.3 asks for 32 bits of randomness in tags).

use crate::message::MAGIC_COOKIE;

/// An RFC 3261 branch: the magic cookie and the bytes in hex.
pub fn branch(random: &[u8]) -> String {
    format!("{MAGIC_COOKIE}{}", tag(random))
}

/// A From/To tag: the bytes in hex (`0` for no bytes).
pub fn tag(random: &[u8]) -> String {
    if random.is_empty() {
        "0".to_owned()
    } else {
        hex::encode(random)
    }
}

/// A Call-ID: the bytes in hex `@` host.
pub fn call_id(random: &[u8], host: &str) -> String {
    format!("{}@{host}", tag(random))
}
