//! SRTP per leg (SDES keys in SDP, RFC 4568): which mode a leg gets —
//! an extension's rule, else a trunk's setting, else the default — and
//! the key we send with, fresh for every leg.

use std::net::IpAddr;

use hotline_media::sdp::SrtpMode;
use hotline_media::srtp::{MasterKey, MASTER_KEY_LEN, MASTER_SALT_LEN};

use super::Server;

/// SRTP for SIP phones and callers: a default and rules per extension.
#[derive(Debug, Clone, Default)]
pub struct SrtpPolicy {
    pub default: SrtpMode,
    /// (extensions, mode): the first naming an extension applies.
    pub rules: Vec<(Vec<String>, SrtpMode)>,
}

impl SrtpPolicy {
    pub fn for_extension(&self, extension: &str) -> SrtpMode {
        self.rules.iter().find(|(names, _)| hotline_calls::outside::names(names, extension)).map_or(self.default, |(_, m)| *m)
    }
}

/// A leg's SRTP mode and our key for it.
#[derive(Debug, Clone)]
pub(super) struct LegCrypto {
    pub mode: SrtpMode,
    pub key: MasterKey,
}

impl LegCrypto {
    pub fn new(mode: SrtpMode) -> LegCrypto {
        let bytes: [u8; MASTER_KEY_LEN + MASTER_SALT_LEN] = rand::random();
        let key = MasterKey::from_bytes(&bytes).unwrap_or_else(|| unreachable!("30 random bytes are a master key"));
        LegCrypto { mode, key }
    }
}

impl Server {
    /// The SRTP mode of a trunk's calls.
    pub(super) fn trunk_srtp(&self, trunk: usize) -> SrtpMode {
        self.trunks.get(trunk).and_then(|t| SrtpMode::parse(&t.cfg.srtp)).unwrap_or(SrtpMode::Off)
    }

    /// The SRTP mode of a caller: the extension of an authenticated agent,
    /// else the trunk it calls from, else the default.
    pub(super) fn caller_srtp(&self, agent: Option<&str>, from: IpAddr) -> SrtpMode {
        if let Some(ext) = agent {
            return self.opts.srtp.for_extension(ext);
        }
        match self.trunks.iter().position(|t| t.cfg.is_from(from)) {
            Some(t) => self.trunk_srtp(t),
            None => self.opts.srtp.default,
        }
    }
}
