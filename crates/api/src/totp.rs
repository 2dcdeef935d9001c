//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP,
//! HMAC-SHA-1, 6 digits, 30 s steps — what authenticator apps speak), the
//! `otpauth://` URI they enrol from (shown as a QR code), and single-use
//! recovery codes. A code is accepted in the step before, at, or after
//! now (clock drift), and never twice: the last step used is kept.
//! Written here (a few lines over `hmac`/`sha1`) rather than pulling a
//! crate with image dependencies for its QR feature.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

pub const STEP_SECS: u64 = 30;
pub const DIGITS: u32 = 6;

/// A new random secret (20 bytes, as RFC 4226 recommends), base32.
pub fn new_secret() -> String {
    let bytes: [u8; 20] = rand::random();
    data_encoding::BASE32_NOPAD.encode(&bytes)
}

/// HOTP (RFC 4226) of `counter` under `key`, `digits` long.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    let Ok(mut m) = Hmac::<Sha1>::new_from_slice(key) else { return 0 };
    m.update(&counter.to_be_bytes());
    let h = m.finalize().into_bytes();
    let offset = usize::from(h[19] & 0x0f);
    let bin = (u32::from(h[offset] & 0x7f) << 24) | (u32::from(h[offset + 1]) << 16) | (u32::from(h[offset + 2]) << 8) | u32::from(h[offset + 3]);
    bin % 10u32.pow(digits)
}

/// The code an authenticator shows for `secret_b32` at `unix_secs` (what
/// the app computes; the tests act as the app with it).
pub fn code_at(secret_b32: &str, unix_secs: u64) -> Option<String> {
    let key = data_encoding::BASE32_NOPAD.decode(secret_b32.as_bytes()).ok()?;
    Some(format!("{:0width$}", hotp(&key, unix_secs / STEP_SECS, DIGITS), width = DIGITS as usize))
}

/// The step a code of `code` matches at `unix_secs` (one step of drift
/// either way), if it does and is later than `last_step`.
pub fn verify(secret_b32: &str, code: &str, unix_secs: u64, last_step: Option<u64>) -> Option<u64> {
    let key = data_encoding::BASE32_NOPAD.decode(secret_b32.as_bytes()).ok()?;
    let code: u32 = code.trim().parse().ok().filter(|_| code.trim().len() == DIGITS as usize)?;
    let now = unix_secs / STEP_SECS;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .filter(|step| last_step.is_none_or(|l| *step > l))
        .find(|step| hotp(&key, *step, DIGITS) == code)
}

/// The URI authenticator apps enrol from.
pub fn otpauth_uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    let enc = |s: &str| s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect::<String>();
    format!("otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}", enc(issuer), enc(account), enc(issuer))
}

/// The URI as an SVG QR code.
pub fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build(),
        Err(_) => String::new(),
    }
}

/// Ten recovery codes (`xxxx-xxxx`) and their hashes to keep.
pub fn recovery_codes() -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..10)
        .map(|_| {
            let b: [u8; 5] = rand::random();
            let s = data_encoding::BASE32_NOPAD.encode(&b).to_lowercase();
            format!("{}-{}", &s[..4], &s[4..8])
        })
        .collect();
    let hashes = codes.iter().map(|c| recovery_hash(c)).collect();
    (codes, hashes)
}

pub fn recovery_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.trim().to_lowercase().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 (8 digits, key "12345678901234567890").
    #[test]
    fn rfc_6238_vectors() {
        let key = b"12345678901234567890";
        for (t, want) in [(59u64, 94287082u32), (1111111109, 7081804), (1111111111, 14050471), (1234567890, 89005924), (2000000000, 69279037), (20000000000, 65353130)] {
            assert_eq!(hotp(key, t / 30, 8), want, "T = {t}");
        }
    }

    /// RFC 4226 appendix D.
    #[test]
    fn rfc_4226_vectors() {
        let key = b"12345678901234567890";
        let want = [755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489];
        for (counter, w) in want.iter().enumerate() {
            assert_eq!(hotp(key, counter as u64, 6), *w);
        }
    }

    #[test]
    fn codes_verify_once_within_a_step_of_drift() {
        let secret = data_encoding::BASE32_NOPAD.encode(b"12345678901234567890");
        let at = 1_111_111_111u64;
        let code = format!("{:06}", hotp(b"12345678901234567890", at / 30, 6));
        let step = verify(&secret, &code, at, None).expect("now");
        assert_eq!(verify(&secret, &code, at + 30, None), Some(step), "a step late");
        assert_eq!(verify(&secret, &code, at + 90, None), None, "too late");
        assert_eq!(verify(&secret, &code, at, Some(step)), None, "used already");
        assert_eq!(verify(&secret, "12345", at, None), None);
        assert_eq!(verify(&secret, "abcdef", at, None), None);
        assert!(otpauth_uri("Hotline 呼叫中心", "agent1", &secret).starts_with("otpauth://totp/Hotline%20%E5"));
        assert!(qr_svg("otpauth://totp/x").starts_with("<?xml"));
        let (codes, hashes) = recovery_codes();
        assert_eq!((codes.len(), hashes.len()), (10, 10));
        assert_eq!(recovery_hash(&codes[0].to_uppercase()), hashes[0]);
    }
}
