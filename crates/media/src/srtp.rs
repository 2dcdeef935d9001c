//! SRTP and SRTCP (RFC 3711) with keys exchanged in SDP (SDES, RFC 4568),
//! sans-IO: `AES_CM_128_HMAC_SHA1_80` and `AES_CM_128_HMAC_SHA1_32`, the
//! suites every SIP phone that encrypts offers.
//!
//! A [`Context`] is one direction of one stream: ours protects what we
//! send with our key, the peer's unprotects what they send with theirs.
//! Session keys are derived once from the master key and salt (key
//! derivation rate 0). The receiver estimates the rollover counter from
//! the sequence number (Appendix A), checks the tag before it decrypts
//! (in constant time) and refuses replays within a 128-packet window.
//! Nothing here allocates per packet except the output buffer the caller
//! passes in.
//!
//! Written here rather than taken from a crate: `srtp`/`libsrtp` need the
//! C library, webrtc-rs' `webrtc-srtp` brings its runtime along, and
//! str0m's SRTP is internal to its WebRTC session. The primitives are the
//! RustCrypto `aes`, `ctr`, `hmac` and `sha1` crates; the tests use the
//! RFC 3711 appendix B vectors and libsrtp's reference packets.

use aes::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, Mac};
use sha1::Sha1;

type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;
type HmacSha1 = Hmac<Sha1>;

/// Master key and salt lengths of the AES-CM-128 suites.
pub const MASTER_KEY_LEN: usize = 16;
pub const MASTER_SALT_LEN: usize = 14;
/// SRTCP's tag is always 80 bits; its index word is 4 bytes.
const SRTCP_TAG_LEN: usize = 10;
const REPLAY_WINDOW: u64 = 128;

/// The crypto suites we take, by their SDP names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    AesCm128HmacSha1_80,
    AesCm128HmacSha1_32,
}

impl Suite {
    pub fn parse(name: &str) -> Option<Suite> {
        match name {
            "AES_CM_128_HMAC_SHA1_80" => Some(Suite::AesCm128HmacSha1_80),
            "AES_CM_128_HMAC_SHA1_32" => Some(Suite::AesCm128HmacSha1_32),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Suite::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            Suite::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        }
    }

    /// The SRTP authentication tag length in bytes.
    pub fn tag_len(self) -> usize {
        match self {
            Suite::AesCm128HmacSha1_80 => 10,
            Suite::AesCm128HmacSha1_32 => 4,
        }
    }
}

/// A master key and salt (30 bytes: what `inline:` carries, base64).
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey {
    pub key: [u8; MASTER_KEY_LEN],
    pub salt: [u8; MASTER_SALT_LEN],
}

/// Keys are never printed.
impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<secret>)")
    }
}

impl MasterKey {
    /// From 30 bytes of key then salt.
    pub fn from_bytes(b: &[u8]) -> Option<MasterKey> {
        if b.len() != MASTER_KEY_LEN + MASTER_SALT_LEN {
            return None;
        }
        let mut key = [0u8; MASTER_KEY_LEN];
        let mut salt = [0u8; MASTER_SALT_LEN];
        key.copy_from_slice(&b[..MASTER_KEY_LEN]);
        salt.copy_from_slice(&b[MASTER_KEY_LEN..]);
        Some(MasterKey { key, salt })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        [self.key.as_slice(), self.salt.as_slice()].concat()
    }
}

/// Why a packet was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SrtpError {
    #[error("packet too short")]
    TooShort,
    #[error("authentication failed")]
    Auth,
    #[error("replayed packet")]
    Replay,
    #[error("output buffer too small")]
    Buffer,
}

/// Session keys for one direction (RTP and RTCP).
#[derive(Clone)]
struct SessionKeys {
    rtp_cipher: [u8; 16],
    rtp_salt: [u8; 14],
    rtp_auth: HmacSha1,
    rtcp_cipher: [u8; 16],
    rtcp_salt: [u8; 14],
    rtcp_auth: HmacSha1,
}

/// RFC 3711 §4.3.1 with kdr 0: AES-CM keyed by the master key over the
/// master salt with the label at byte 7 (r = 0).
fn derive(master: &MasterKey, label: u8, out: &mut [u8]) {
    let mut iv = [0u8; 16];
    iv[..14].copy_from_slice(&master.salt);
    iv[7] ^= label;
    out.fill(0);
    Aes128Ctr::new(&master.key.into(), &iv.into()).apply_keystream(out);
}

impl SessionKeys {
    fn new(master: &MasterKey) -> SessionKeys {
        let mut k = SessionKeys {
            rtp_cipher: [0; 16],
            rtp_salt: [0; 14],
            rtp_auth: hmac_key(master, 0x01),
            rtcp_cipher: [0; 16],
            rtcp_salt: [0; 14],
            rtcp_auth: hmac_key(master, 0x04),
        };
        derive(master, 0x00, &mut k.rtp_cipher);
        derive(master, 0x02, &mut k.rtp_salt);
        derive(master, 0x03, &mut k.rtcp_cipher);
        derive(master, 0x05, &mut k.rtcp_salt);
        k
    }
}

fn hmac_key(master: &MasterKey, label: u8) -> HmacSha1 {
    let mut auth = [0u8; 20];
    derive(master, label, &mut auth);
    // HMAC takes keys of any length.
    HmacSha1::new_from_slice(&auth).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

/// IV = salt·2^16 ⊕ SSRC·2^64 ⊕ index·2^16 (§4.1.1).
fn iv(salt: &[u8; 14], ssrc: u32, index: u64) -> [u8; 16] {
    let mut iv = [0u8; 16];
    iv[..14].copy_from_slice(salt);
    for (d, s) in iv[4..8].iter_mut().zip(ssrc.to_be_bytes()) {
        *d ^= s;
    }
    for (d, s) in iv[8..14].iter_mut().zip(&index.to_be_bytes()[2..]) {
        *d ^= s;
    }
    iv
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Length of an RTP header with its CSRCs and extension.
fn rtp_header_len(p: &[u8]) -> Option<usize> {
    if p.len() < 12 || p[0] >> 6 != 2 {
        return None;
    }
    let mut len = 12 + 4 * usize::from(p[0] & 0x0f);
    if p[0] & 0x10 != 0 {
        let words = u16::from_be_bytes([*p.get(len + 2)?, *p.get(len + 3)?]);
        len += 4 + 4 * usize::from(words);
    }
    (len <= p.len()).then_some(len)
}

/// A sliding replay window over 48-bit (or 31-bit) indexes.
#[derive(Debug, Clone, Default)]
struct Replay {
    highest: Option<u64>,
    /// Bit i: `highest - i` was seen.
    seen: u128,
}

impl Replay {
    fn check(&self, index: u64) -> Result<(), SrtpError> {
        let Some(h) = self.highest else { return Ok(()) };
        if index > h {
            return Ok(());
        }
        let back = h - index;
        if back >= REPLAY_WINDOW || self.seen & (1 << back) != 0 {
            return Err(SrtpError::Replay);
        }
        Ok(())
    }

    fn accept(&mut self, index: u64) {
        match self.highest {
            Some(h) if index <= h => self.seen |= 1 << (h - index),
            Some(h) => {
                let shift = index - h;
                self.seen = if shift >= REPLAY_WINDOW { 0 } else { self.seen << shift };
                self.seen |= 1;
                self.highest = Some(index);
            }
            None => {
                self.seen = 1;
                self.highest = Some(index);
            }
        }
    }
}

/// One direction of one SRTP stream (and its SRTCP).
#[derive(Clone)]
pub struct Context {
    suite: Suite,
    keys: SessionKeys,
    /// Sender: the rollover counter and the last sequence number sent.
    roc: u32,
    last_seq: Option<u16>,
    /// Receiver: packets and reports seen.
    replay: Replay,
    rtcp_replay: Replay,
    /// Sender: the next SRTCP index.
    rtcp_index: u32,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").field("suite", &self.suite).field("roc", &self.roc).finish_non_exhaustive()
    }
}

impl Context {
    pub fn new(suite: Suite, master: &MasterKey) -> Context {
        Context { suite, keys: SessionKeys::new(master), roc: 0, last_seq: None, replay: Replay::default(), rtcp_replay: Replay::default(), rtcp_index: 0 }
    }

    pub fn suite(&self) -> Suite {
        self.suite
    }

    fn rtp_tag(&self, authenticated: &[u8], roc: u32) -> [u8; 20] {
        let mut m = self.keys.rtp_auth.clone();
        m.update(authenticated);
        m.update(&roc.to_be_bytes());
        m.finalize().into_bytes().into()
    }

    /// Protects an RTP packet into `out`; returns the SRTP length.
    pub fn protect(&mut self, rtp: &[u8], out: &mut [u8]) -> Result<usize, SrtpError> {
        let header = rtp_header_len(rtp).ok_or(SrtpError::TooShort)?;
        let tag_len = self.suite.tag_len();
        let total = rtp.len() + tag_len;
        let out = out.get_mut(..total).ok_or(SrtpError::Buffer)?;
        let seq = u16::from_be_bytes([rtp[2], rtp[3]]);
        let ssrc = u32::from_be_bytes([rtp[8], rtp[9], rtp[10], rtp[11]]);
        if self.last_seq.is_some_and(|last| seq < last && last - seq > 0x8000) {
            self.roc = self.roc.wrapping_add(1);
        }
        self.last_seq = Some(seq);
        let index = (u64::from(self.roc) << 16) | u64::from(seq);
        out[..rtp.len()].copy_from_slice(rtp);
        let iv = iv(&self.keys.rtp_salt, ssrc, index);
        Aes128Ctr::new(&self.keys.rtp_cipher.into(), &iv.into()).apply_keystream(&mut out[header..rtp.len()]);
        let tag = self.rtp_tag(&out[..rtp.len()], self.roc);
        out[rtp.len()..].copy_from_slice(&tag[..tag_len]);
        Ok(total)
    }

    /// The index of a received sequence number (RFC 3711 Appendix A).
    fn guess_index(&self, seq: u16) -> (u32, u64) {
        let Some(highest) = self.replay.highest else { return (0, u64::from(seq)) };
        let roc = (highest >> 16) as u32;
        let s_l = highest as u16;
        let v = if s_l < 0x8000 {
            if seq > s_l && seq - s_l > 0x8000 {
                roc.wrapping_sub(1)
            } else {
                roc
            }
        } else if s_l - 0x8000 > seq {
            roc.wrapping_add(1)
        } else {
            roc
        };
        (v, (u64::from(v) << 16) | u64::from(seq))
    }

    /// Checks and decrypts an SRTP packet into `out`; returns the RTP length.
    pub fn unprotect(&mut self, srtp: &[u8], out: &mut [u8]) -> Result<usize, SrtpError> {
        let tag_len = self.suite.tag_len();
        let len = srtp.len().checked_sub(tag_len).ok_or(SrtpError::TooShort)?;
        let header = rtp_header_len(&srtp[..len]).ok_or(SrtpError::TooShort)?;
        let out = out.get_mut(..len).ok_or(SrtpError::Buffer)?;
        let seq = u16::from_be_bytes([srtp[2], srtp[3]]);
        let ssrc = u32::from_be_bytes([srtp[8], srtp[9], srtp[10], srtp[11]]);
        let (roc, index) = self.guess_index(seq);
        self.replay.check(index)?;
        let tag = self.rtp_tag(&srtp[..len], roc);
        if !constant_time_eq(&tag[..tag_len], &srtp[len..]) {
            return Err(SrtpError::Auth);
        }
        self.replay.accept(index);
        out.copy_from_slice(&srtp[..len]);
        let iv = iv(&self.keys.rtp_salt, ssrc, index);
        Aes128Ctr::new(&self.keys.rtp_cipher.into(), &iv.into()).apply_keystream(&mut out[header..]);
        Ok(len)
    }

    fn rtcp_tag(&self, authenticated: &[u8]) -> [u8; 20] {
        let mut m = self.keys.rtcp_auth.clone();
        m.update(authenticated);
        m.finalize().into_bytes().into()
    }

    /// Protects an RTCP compound packet into `out` (encrypted, E flag and
    /// index, 80-bit tag); returns the SRTCP length.
    pub fn protect_rtcp(&mut self, rtcp: &[u8], out: &mut [u8]) -> Result<usize, SrtpError> {
        if rtcp.len() < 8 {
            return Err(SrtpError::TooShort);
        }
        let total = rtcp.len() + 4 + SRTCP_TAG_LEN;
        let out = out.get_mut(..total).ok_or(SrtpError::Buffer)?;
        self.rtcp_index = (self.rtcp_index + 1) & 0x7fff_ffff;
        let index = self.rtcp_index;
        let ssrc = u32::from_be_bytes([rtcp[4], rtcp[5], rtcp[6], rtcp[7]]);
        out[..rtcp.len()].copy_from_slice(rtcp);
        let iv = iv(&self.keys.rtcp_salt, ssrc, u64::from(index));
        Aes128Ctr::new(&self.keys.rtcp_cipher.into(), &iv.into()).apply_keystream(&mut out[8..rtcp.len()]);
        out[rtcp.len()..rtcp.len() + 4].copy_from_slice(&(index | 0x8000_0000).to_be_bytes());
        let tag = self.rtcp_tag(&out[..rtcp.len() + 4]);
        out[rtcp.len() + 4..].copy_from_slice(&tag[..SRTCP_TAG_LEN]);
        Ok(total)
    }

    /// Checks and decrypts an SRTCP packet into `out`; returns the RTCP length.
    pub fn unprotect_rtcp(&mut self, srtcp: &[u8], out: &mut [u8]) -> Result<usize, SrtpError> {
        let len = srtcp.len().checked_sub(4 + SRTCP_TAG_LEN).filter(|l| *l >= 8).ok_or(SrtpError::TooShort)?;
        let authenticated = &srtcp[..len + 4];
        let tag = self.rtcp_tag(authenticated);
        if !constant_time_eq(&tag[..SRTCP_TAG_LEN], &srtcp[len + 4..]) {
            return Err(SrtpError::Auth);
        }
        let word = u32::from_be_bytes([srtcp[len], srtcp[len + 1], srtcp[len + 2], srtcp[len + 3]]);
        let index = u64::from(word & 0x7fff_ffff);
        self.rtcp_replay.check(index)?;
        self.rtcp_replay.accept(index);
        let out = out.get_mut(..len).ok_or(SrtpError::Buffer)?;
        out.copy_from_slice(&srtcp[..len]);
        if word & 0x8000_0000 != 0 {
            let ssrc = u32::from_be_bytes([srtcp[4], srtcp[5], srtcp[6], srtcp[7]]);
            let iv = iv(&self.keys.rtcp_salt, ssrc, index);
            Aes128Ctr::new(&self.keys.rtcp_cipher.into(), &iv.into()).apply_keystream(&mut out[8..]);
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn rfc_master() -> MasterKey {
        MasterKey::from_bytes(&hex("e1f97a0d3e018be0d64fa32c06de41390ec675ad498afeebb6960b3aabe6")).unwrap()
    }

    /// RFC 3711 B.2: the AES-CM keystream.
    #[test]
    fn aes_cm_keystream() {
        let key: [u8; 16] = hex("2b7e151628aed2a6abf7158809cf4f3c").try_into().unwrap();
        let iv: [u8; 16] = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfd0000").try_into().unwrap();
        let mut ks = [0u8; 48];
        Aes128Ctr::new(&key.into(), &iv.into()).apply_keystream(&mut ks);
        assert_eq!(ks.to_vec(), hex("e03ead0935c95e80e166b16dd92b4eb4d23513162b02d0f72a43a2fe4a5f97ab41e95b3bb0a2e8dd477901e4fca894c0"));
    }

    /// RFC 3711 B.3, and the SRTCP labels.
    #[test]
    fn key_derivation() {
        let m = rfc_master();
        let mut k = [0u8; 16];
        derive(&m, 0x00, &mut k);
        assert_eq!(k.to_vec(), hex("c61e7a93744f39ee10734afe3ff7a087"));
        let mut s = [0u8; 14];
        derive(&m, 0x02, &mut s);
        assert_eq!(s.to_vec(), hex("30cbbc08863d8c85d49db34a9ae1"));
        let mut a = [0u8; 20];
        derive(&m, 0x01, &mut a);
        assert_eq!(a.to_vec(), hex("cebe321f6ff7716b6fd4ab49af256a156d38baa4"));
        derive(&m, 0x03, &mut k);
        assert_eq!(k.to_vec(), hex("4c1aa45a81f73d61c800bbb00fbb1eaa"));
        derive(&m, 0x04, &mut a);
        assert_eq!(a.to_vec(), hex("8d54534feb49ae8e7993a6bd0b844fc323a93dfd"));
        derive(&m, 0x05, &mut s);
        assert_eq!(s.to_vec(), hex("9581c7ad87b3e530bf3e4454a8b3"));
    }

    const RTP: &str = "800f1234decafbadcafebabeabababababababababababababababab";
    const SRTP: &str = "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb";
    const RTCP: &str = "81c8000bcafebabeabababababababababababababababab";
    const SRTCP: &str = "81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798";

    /// libsrtp's reference packets (srtp_driver.c).
    #[test]
    fn libsrtp_reference_packets() {
        let mut tx = Context::new(Suite::AesCm128HmacSha1_80, &rfc_master());
        let mut out = [0u8; 256];
        let n = tx.protect(&hex(RTP), &mut out).unwrap();
        assert_eq!(out[..n].to_vec(), hex(SRTP));
        let n = tx.protect_rtcp(&hex(RTCP), &mut out).unwrap();
        assert_eq!(out[..n].to_vec(), hex(SRTCP), "index 1, encrypted");

        let mut rx = Context::new(Suite::AesCm128HmacSha1_80, &rfc_master());
        let n = rx.unprotect(&hex(SRTP), &mut out).unwrap();
        assert_eq!(out[..n].to_vec(), hex(RTP));
        assert_eq!(rx.unprotect(&hex(SRTP), &mut out), Err(SrtpError::Replay));
        let n = rx.unprotect_rtcp(&hex(SRTCP), &mut out).unwrap();
        assert_eq!(out[..n].to_vec(), hex(RTCP));
        assert_eq!(rx.unprotect_rtcp(&hex(SRTCP), &mut out), Err(SrtpError::Replay));
    }

    #[test]
    fn truncated_or_altered_packets_are_refused() {
        let good = hex(SRTP);
        let mut out = [0u8; 256];
        for len in 0..good.len() {
            let mut rx = Context::new(Suite::AesCm128HmacSha1_80, &rfc_master());
            assert!(rx.unprotect(&good[..len], &mut out).is_err(), "accepted {len} bytes");
        }
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            let mut rx = Context::new(Suite::AesCm128HmacSha1_80, &rfc_master());
            assert!(rx.unprotect(&bad, &mut out).is_err(), "accepted a flipped bit in byte {i}");
        }
        let mut other = rfc_master();
        other.key[0] ^= 1;
        let mut rx = Context::new(Suite::AesCm128HmacSha1_80, &other);
        assert_eq!(rx.unprotect(&good, &mut out), Err(SrtpError::Auth), "another key");
        let srtcp = hex(SRTCP);
        for len in 0..srtcp.len() {
            let mut rx = Context::new(Suite::AesCm128HmacSha1_80, &rfc_master());
            assert!(rx.unprotect_rtcp(&srtcp[..len], &mut out).is_err());
        }
    }

    /// A stream across the sequence number's wrap, both suites, some
    /// packets out of order: every one comes back, none twice.
    #[test]
    fn a_stream_rolls_over_and_tolerates_reordering() {
        for suite in [Suite::AesCm128HmacSha1_80, Suite::AesCm128HmacSha1_32] {
            let master = MasterKey { key: [7; 16], salt: [9; 14] };
            let (mut tx, mut rx) = (Context::new(suite, &master), Context::new(suite, &master));
            let mut sent = Vec::new();
            for i in 0..300u32 {
                let seq = (65_400 + i) as u16;
                let mut p = vec![0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
                p[2..4].copy_from_slice(&seq.to_be_bytes());
                p.extend_from_slice(&i.to_be_bytes());
                let mut out = [0u8; 64];
                let n = tx.protect(&p, &mut out).unwrap();
                assert_eq!(n, p.len() + suite.tag_len());
                sent.push((p, out[..n].to_vec()));
            }
            // Swap neighbours now and then.
            for i in (10..290).step_by(37) {
                sent.swap(i, i + 1);
            }
            let mut buf = [0u8; 64];
            for (plain, srtp) in &sent {
                let n = rx.unprotect(srtp, &mut buf).unwrap_or_else(|e| panic!("{suite:?}: {e}"));
                assert_eq!(&buf[..n], plain.as_slice());
            }
            assert_eq!(rx.unprotect(&sent[5].1, &mut buf), Err(SrtpError::Replay), "too old or seen");
        }
    }
}
