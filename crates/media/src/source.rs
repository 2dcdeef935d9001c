//! Which packets a leg takes: strict RTP learning, sans-IO.
//!
//! A call's RTP ports can be guessed, so a stranger may send to them first
//! (RTP "bleed": take over where the call's audio goes, or write into it —
//! Asterisk CVE-2017-14099). The rules, after Asterisk's `strictrtp`:
//!
//! - Packets from the exact address and port the peer signalled in SDP are
//!   always taken, and from then on only they are.
//! - Another source is learned only where the peer may be behind NAT (the
//!   driver says so per leg), only while nothing has come from the
//!   signalled address, and only after `LEARN_PACKETS` consecutive packets
//!   from it with one SSRC and sequence numbers counting up by one. The
//!   packets of the learning itself are not taken.
//! - Once a source is taken, the leg never switches to another, except
//!   after new SDP (a re-INVITE) names another address.
//!
//! Everything refused is counted as a stranger's packet.

use std::net::{IpAddr, SocketAddr};

/// Consecutive packets that teach the leg a source other than the signalled one.
pub const LEARN_PACKETS: u8 = 4;

/// What to do with one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Take,
    Drop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Candidate {
    from: SocketAddr,
    ssrc: u32,
    seq: u16,
    count: u8,
}

/// One leg's source filter.
#[derive(Debug, Clone, Default)]
pub struct SourceFilter {
    signalled: Option<SocketAddr>,
    may_learn: bool,
    locked: Option<SocketAddr>,
    candidate: Option<Candidate>,
    /// Packets refused since the leg started.
    pub strangers: u64,
}

/// Whether a peer that signalled `sdp` from a SIP message sent by
/// `signalling` may be behind NAT: its SDP names a private, shared or
/// unspecified address, or another address than the one it signals from.
pub fn behind_nat(sdp: IpAddr, signalling: IpAddr) -> bool {
    let private = match sdp {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private() || v4.is_link_local() || v4.is_unspecified() || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => v6.is_unspecified() || (v6.segments()[0] & 0xfe00) == 0xfc00 || (v6.segments()[0] & 0xffc0) == 0xfe80,
    };
    (private && !signalling.is_loopback()) || sdp != signalling
}

impl SourceFilter {
    /// The peer's SDP named `addr`; `may_learn` says whether another
    /// source may be learned (see [`behind_nat`]). New SDP naming another
    /// address starts over.
    pub fn signal(&mut self, addr: SocketAddr, may_learn: bool) {
        if self.signalled != Some(addr) {
            self.locked = None;
            self.candidate = None;
        }
        self.signalled = Some(addr);
        self.may_learn = may_learn;
    }

    /// Where the peer's media comes from, once known.
    pub fn source(&self) -> Option<SocketAddr> {
        self.locked
    }

    /// Where to send: the learned source, else the signalled address.
    pub fn destination(&self) -> Option<SocketAddr> {
        self.locked.or(self.signalled)
    }

    /// Decides on one RTP packet from `from` with `ssrc` and `seq`.
    pub fn packet(&mut self, from: SocketAddr, ssrc: u32, seq: u16) -> Verdict {
        let verdict = self.decide(from, ssrc, seq);
        if verdict == Verdict::Drop {
            self.strangers += 1;
        }
        verdict
    }

    fn decide(&mut self, from: SocketAddr, ssrc: u32, seq: u16) -> Verdict {
        let Some(signalled) = self.signalled else { return Verdict::Drop };
        if from == signalled {
            self.locked = Some(from);
            self.candidate = None;
            return Verdict::Take;
        }
        match self.locked {
            Some(l) if l == from => return Verdict::Take,
            Some(_) => return Verdict::Drop,
            None => {}
        }
        if !self.may_learn {
            return Verdict::Drop;
        }
        let next = match self.candidate {
            Some(c) if c.from == from && c.ssrc == ssrc && seq == c.seq.wrapping_add(1) => Candidate { seq, count: c.count + 1, ..c },
            _ => Candidate { from, ssrc, seq, count: 1 },
        };
        if next.count >= LEARN_PACKETS {
            self.locked = Some(from);
            self.candidate = None;
            return Verdict::Take;
        }
        self.candidate = Some(next);
        Verdict::Drop
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_signalled_address_always_wins_and_strangers_never_do() {
        let mut f = SourceFilter::default();
        // Before any SDP nothing is taken.
        assert_eq!(f.packet(a("192.0.2.1:4000"), 1, 1), Verdict::Drop);
        f.signal(a("192.0.2.1:4000"), false);
        // A stranger first, even with a perfect sequence: never learned.
        for seq in 0..10 {
            assert_eq!(f.packet(a("192.0.2.66:5000"), 7, seq), Verdict::Drop);
        }
        assert_eq!(f.destination(), Some(a("192.0.2.1:4000")));
        assert_eq!(f.packet(a("192.0.2.1:4000"), 1, 1), Verdict::Take);
        // Same host, other port: a stranger too.
        assert_eq!(f.packet(a("192.0.2.1:4002"), 1, 2), Verdict::Drop);
        assert_eq!(f.strangers, 12);
    }

    #[test]
    fn a_caller_behind_nat_is_learned_after_a_clean_run_only() {
        let mut f = SourceFilter::default();
        f.signal(a("10.0.0.5:4000"), behind_nat("10.0.0.5".parse().unwrap(), "198.51.100.7".parse().unwrap()));
        let nat = a("198.51.100.7:61000");
        // A gap in the sequence starts the count again.
        assert_eq!(f.packet(nat, 9, 100), Verdict::Drop);
        assert_eq!(f.packet(nat, 9, 101), Verdict::Drop);
        assert_eq!(f.packet(nat, 9, 105), Verdict::Drop);
        // Another SSRC interleaved (a second stream from the same place) too.
        assert_eq!(f.packet(nat, 10, 106), Verdict::Drop);
        for seq in 107..109 {
            assert_eq!(f.packet(nat, 10, seq), Verdict::Drop, "{seq}");
        }
        assert_eq!(f.packet(nat, 10, 109), Verdict::Take, "the fourth in a row");
        assert_eq!(f.packet(nat, 10, 110), Verdict::Take);
        assert_eq!(f.destination(), Some(nat));
        // Learned: no one else now, however clean their stream.
        for seq in 0..10 {
            assert_eq!(f.packet(a("203.0.113.9:7000"), 3, seq), Verdict::Drop);
        }
        // The signalled address still wins if it ever speaks.
        assert_eq!(f.packet(a("10.0.0.5:4000"), 10, 111), Verdict::Take);
        assert_eq!(f.packet(nat, 10, 112), Verdict::Drop);
    }

    #[test]
    fn new_sdp_elsewhere_starts_over_and_the_same_sdp_does_not() {
        let mut f = SourceFilter::default();
        f.signal(a("192.0.2.1:4000"), false);
        assert_eq!(f.packet(a("192.0.2.1:4000"), 1, 1), Verdict::Take);
        f.signal(a("192.0.2.1:4000"), false);
        assert_eq!(f.source(), Some(a("192.0.2.1:4000")));
        f.signal(a("192.0.2.1:4100"), false);
        assert_eq!(f.source(), None);
        assert_eq!(f.packet(a("192.0.2.1:4000"), 1, 2), Verdict::Drop);
        assert_eq!(f.packet(a("192.0.2.1:4100"), 1, 3), Verdict::Take);
    }

    #[test]
    fn nat_is_presumed_only_where_the_addresses_say_so() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(!behind_nat(ip("127.0.0.1"), ip("127.0.0.1")));
        assert!(!behind_nat(ip("203.0.113.5"), ip("203.0.113.5")));
        assert!(behind_nat(ip("192.168.1.20"), ip("203.0.113.5")));
        assert!(behind_nat(ip("100.64.1.1"), ip("203.0.113.5")));
        assert!(behind_nat(ip("203.0.113.6"), ip("203.0.113.5")));
        assert!(behind_nat(ip("10.0.0.1"), ip("10.0.0.1")), "a private address signalled from itself, not loopback");
    }
}
