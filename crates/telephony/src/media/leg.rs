//! One leg's RTP: its sockets, where to send, what it sends, what it hears.
//!
//! Which packets a leg takes is strict RTP learning
//! ([`hotline_media::source`]): the address and port the peer signalled in
//! SDP always; another source only for a peer that may be behind NAT,
//! only while the signalled address is silent, and only after a clean run
//! of packets from it — then we send there too (symmetric RTP). Everything
//! else is dropped and counted, so a stranger who guesses a call's port can
//! neither take its audio nor write into it. Per-packet work borrows the
//! datagram and writes into fixed buffers.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use hotline_media::dtmf;
use hotline_media::g711::{alaw_decode, alaw_encode, ulaw_decode, ulaw_encode, PT_PCMA};
use hotline_media::goertzel::DtmfDetector;
use hotline_media::jitter::{JitterBuffer, FRAME};
use hotline_media::rtcp::{receiver_report, sender_report, ReceiveStats, SenderInfo};
use hotline_media::rtp::RtpPacket;
use hotline_media::sdp::{Negotiated, Srtp};
use hotline_media::source::{behind_nat, SourceFilter, Verdict};
use hotline_media::srtp;
use tokio::net::UdpSocket;

use crate::ports::{MediaCounters, RtpPorts};

/// Largest number of samples taken from one packet (60 ms).
pub const MAX_SAMPLES: usize = 480;

/// What a received datagram amounted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// Audio: `n` samples decoded into the caller's buffer.
    Audio(usize),
    /// A new RFC 4733 key press.
    Key(char),
    /// Nothing to act on (a retransmitted event, a packet of a codec we
    /// do not play).
    Nothing,
    /// Refused: not RTP, a stranger's, or failing SRTP authentication.
    Refused,
}

/// The SRTP contexts of a leg: ours for what we send, the peer's for what
/// it sends, and the keys they were made from.
struct Crypto {
    keys: Srtp,
    tx: srtp::Context,
    rx: srtp::Context,
}

pub struct Leg {
    pub rtp: UdpSocket,
    pub rtcp: UdpSocket,
    /// Keeps the port pair reserved in the pool while the leg lives.
    _ports: RtpPorts,
    /// The peer's SDP.
    remote: Option<Negotiated>,
    /// Which source the leg takes packets from, and sends to.
    source: SourceFilter,
    /// SRTP, when the SDP exchanged keys.
    crypto: Option<Box<Crypto>>,
    counters: Arc<MediaCounters>,
    ssrc: u32,
    /// The SSRC the peer sends with (for RTCP report blocks).
    peer_ssrc: u32,
    seq: u16,
    timestamp: u32,
    /// Marker on the next audio packet (the start of a talk spurt).
    marker: bool,
    dtmf_rx: dtmf::Receiver,
    inband: DtmfDetector,
    /// Set once the peer sent an RFC 4733 event: in-band detection stops.
    rfc4733_seen: bool,
    pub jitter: JitterBuffer,
    jitter_depth: usize,
    pub stats: ReceiveStats,
    /// Packets refused as not RTP, or from a stranger.
    pub refused: u64,
    pub sent: u64,
    /// Payload octets sent (for sender reports).
    octets: u64,
}

impl Leg {
    pub fn new(ports: RtpPorts) -> std::io::Result<Leg> {
        ports.rtp.set_nonblocking(true)?;
        ports.rtcp.set_nonblocking(true)?;
        let rtp = UdpSocket::from_std(ports.rtp.try_clone()?)?;
        let rtcp = UdpSocket::from_std(ports.rtcp.try_clone()?)?;
        Ok(Leg {
            rtp,
            rtcp,
            counters: ports.counters.clone(),
            _ports: ports,
            remote: None,
            source: SourceFilter::default(),
            crypto: None,
            ssrc: rand::random(),
            peer_ssrc: 0,
            seq: rand::random(),
            timestamp: rand::random(),
            marker: true,
            dtmf_rx: dtmf::Receiver::default(),
            inband: DtmfDetector::default(),
            rfc4733_seen: false,
            jitter: JitterBuffer::new(3),
            jitter_depth: 3,
            stats: ReceiveStats::default(),
            refused: 0,
            sent: 0,
            octets: 0,
        })
    }

    /// The peer's SDP (an answer, or a re-INVITE's new offer), from a SIP
    /// message sent by `signalling`. A stream moved elsewhere is learned
    /// afresh; a held one (no address) may not be learned at all.
    pub fn set_remote(&mut self, n: Negotiated, signalling: IpAddr) {
        let held = n.remote_port == 0 || n.remote_ip.is_unspecified();
        let may_learn = !held && behind_nat(n.remote_ip, signalling);
        self.source.signal(SocketAddr::new(n.remote_ip, n.remote_port), may_learn);
        // New keys start new contexts; the same keys again (a re-INVITE) keep their counters.
        match &n.srtp {
            Some(keys) if self.crypto.as_ref().is_none_or(|c| c.keys != *keys) => {
                let tx = srtp::Context::new(keys.suite, &keys.local);
                let rx = srtp::Context::new(keys.suite, &keys.remote);
                self.crypto = Some(Box::new(Crypto { keys: keys.clone(), tx, rx }));
            }
            Some(_) => {}
            None => self.crypto = None,
        }
        self.remote = Some(n);
    }

    /// Whether the leg's media is encrypted (SRTP).
    pub fn is_secure(&self) -> bool {
        self.crypto.is_some()
    }

    /// Packets refused from strangers so far.
    pub fn strangers(&self) -> u64 {
        self.source.strangers
    }

    /// Whether the peer said it sends media (not on hold, not inactive).
    pub fn peer_sends(&self) -> bool {
        use hotline_media::sdp::Direction;
        self.remote.as_ref().is_some_and(|r| matches!(r.direction, Direction::SendRecv | Direction::SendOnly))
    }

    pub fn set_jitter_depth(&mut self, frames: usize) {
        self.jitter_depth = frames;
        self.jitter = JitterBuffer::new(frames);
    }

    fn dest(&self) -> Option<SocketAddr> {
        let r = self.remote.as_ref()?;
        if r.remote_port == 0 || r.remote_ip.is_unspecified() {
            // Held with c=0.0.0.0 or a rejected stream: send nothing.
            return None;
        }
        self.source.destination()
    }

    fn payload_type(&self) -> u8 {
        self.remote.as_ref().map_or(0, |r| r.payload_type)
    }

    /// Reads a datagram from the peer: latches, decodes audio into `out`,
    /// turns telephone events and in-band tones into keys.
    /// `now_samples` is the arrival time in 8 kHz units (for jitter).
    pub fn receive(&mut self, datagram: &[u8], from: SocketAddr, now_samples: u64, inband: bool, out: &mut [i16; MAX_SAMPLES]) -> Heard {
        let mut clear = [0u8; 12 + 2 * MAX_SAMPLES];
        let datagram = match self.crypto.as_mut() {
            Some(c) => match c.rx.unprotect(datagram, &mut clear) {
                Ok(n) => &clear[..n],
                Err(_) => {
                    self.refused += 1;
                    self.counters.srtp_refused.fetch_add(1, Ordering::Relaxed);
                    return Heard::Refused;
                }
            },
            None => datagram,
        };
        let Ok(p) = RtpPacket::parse(datagram) else {
            self.refused += 1;
            return Heard::Refused;
        };
        if self.source.packet(from, p.ssrc, p.sequence) == Verdict::Drop {
            self.refused += 1;
            self.counters.rtp_strangers.fetch_add(1, Ordering::Relaxed);
            return Heard::Refused;
        }
        if p.ssrc != self.peer_ssrc {
            if self.stats.received > 0 {
                // A new stream (a customer called back on this leg, a phone
                // that restarted): its numbering starts afresh.
                self.jitter = JitterBuffer::new(self.jitter_depth);
                self.stats = ReceiveStats::default();
                self.dtmf_rx = dtmf::Receiver::default();
            }
            self.peer_ssrc = p.ssrc;
        }
        self.stats.packet(p.sequence, p.timestamp, now_samples);
        let dtmf_pt = self.remote.as_ref().and_then(|r| r.dtmf_payload_type).unwrap_or(101);
        if p.payload_type == dtmf_pt {
            self.rfc4733_seen = true;
            return match self.dtmf_rx.receive(p.timestamp, p.payload) {
                Ok(Some(k)) => Heard::Key(k),
                _ => Heard::Nothing,
            };
        }
        let n = p.payload.len().min(MAX_SAMPLES);
        match p.payload_type {
            0 => p.payload[..n].iter().zip(out.iter_mut()).for_each(|(b, s)| *s = ulaw_decode(*b)),
            PT_PCMA => p.payload[..n].iter().zip(out.iter_mut()).for_each(|(b, s)| *s = alaw_decode(*b)),
            // Comfort noise and codecs we did not offer: ignored.
            _ => return Heard::Nothing,
        }
        self.jitter.insert(p.sequence, &out[..n]);
        if inband && !self.rfc4733_seen {
            for frame in out[..n].chunks(FRAME) {
                if let Some(k) = self.inband.frame(frame) {
                    return Heard::Key(k);
                }
            }
        }
        Heard::Audio(n)
    }

    /// Sends 8 kHz samples as one packet in the negotiated codec.
    pub fn send_audio(&mut self, samples: &[i16]) {
        let Some(dest) = self.dest() else { return };
        let pt = self.payload_type();
        let mut payload = [0u8; MAX_SAMPLES];
        let n = samples.len().min(MAX_SAMPLES);
        for (b, s) in payload.iter_mut().zip(&samples[..n]) {
            *b = if pt == PT_PCMA { alaw_encode(*s) } else { ulaw_encode(*s) };
        }
        let packet = RtpPacket { marker: self.marker, payload_type: pt, sequence: self.seq, timestamp: self.timestamp, ssrc: self.ssrc, payload: &payload[..n] };
        self.marker = false;
        self.seq = self.seq.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(n as u32);
        self.transmit(&packet, dest);
    }

    /// Sends a key as RFC 4733 events (when the peer takes them).
    pub fn send_key(&mut self, key: char) {
        let Some(dest) = self.dest() else { return };
        let Some(pt) = self.remote.as_ref().and_then(|r| r.dtmf_payload_type) else { return };
        let Some(events) = dtmf::packets(key, 100) else { return };
        for (i, e) in events.iter().enumerate() {
            let packet = RtpPacket { marker: i == 0, payload_type: pt, sequence: self.seq, timestamp: self.timestamp, ssrc: self.ssrc, payload: e };
            self.seq = self.seq.wrapping_add(1);
            self.transmit(&packet, dest);
        }
        self.timestamp = self.timestamp.wrapping_add(800);
    }

    fn transmit(&mut self, packet: &RtpPacket<'_>, dest: SocketAddr) {
        let mut buf = [0u8; 12 + MAX_SAMPLES];
        let mut sealed = [0u8; 12 + MAX_SAMPLES + 16];
        let Ok(len) = packet.write(&mut buf) else { return };
        let bytes = match self.crypto.as_mut() {
            Some(c) => match c.tx.protect(&buf[..len], &mut sealed) {
                Ok(n) => &sealed[..n],
                Err(_) => return,
            },
            None => &buf[..len],
        };
        // A full socket buffer drops this packet, as the network would.
        if self.rtp.try_send_to(bytes, dest).is_ok() {
            self.sent += 1;
            self.octets += packet.payload.len() as u64;
        }
    }

    /// Sends an RTCP report: a sender report once we have sent media
    /// (with a block about the peer's stream once it has sent any), else a
    /// receiver report.
    pub fn send_report(&mut self) {
        let Some(rtp) = self.dest() else { return };
        let dest = SocketAddr::new(rtp.ip(), rtp.port().wrapping_add(1));
        let blocks = if self.stats.received > 0 { vec![self.stats.report(self.peer_ssrc)] } else { Vec::new() };
        let packet = if self.sent > 0 {
            let info = SenderInfo { ntp: ntp_now(), rtp_timestamp: self.timestamp, packets: self.sent as u32, octets: self.octets as u32 };
            sender_report(self.ssrc, info, &blocks)
        } else {
            receiver_report(self.ssrc, &blocks)
        };
        match self.crypto.as_mut() {
            Some(c) => {
                let mut sealed = [0u8; 1500];
                if let Ok(n) = c.tx.protect_rtcp(&packet, &mut sealed) {
                    let _ = self.rtcp.try_send_to(&sealed[..n], dest);
                }
            }
            None => {
                let _ = self.rtcp.try_send_to(&packet, dest);
            }
        }
    }
}

/// The wallclock as an NTP timestamp (seconds since 1900 in the high word).
fn ntp_now() -> u64 {
    const UNIX_TO_NTP: u64 = 2_208_988_800;
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let fraction = (u64::from(d.subsec_nanos()) << 32) / 1_000_000_000;
    ((d.as_secs() + UNIX_TO_NTP) << 32) | fraction
}
