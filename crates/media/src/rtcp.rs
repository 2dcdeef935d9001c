//! RTCP (RFC 3550 §6): receive statistics of a stream (loss and
//! interarrival jitter, Appendix A.3 and A.8) and receiver/sender reports
//! built from them and parsed back.

use crate::rtp::SeqExtender;

/// Statistics of one incoming RTP stream.
#[derive(Debug, Default, Clone)]
pub struct ReceiveStats {
    seq: SeqExtender,
    base: Option<u64>,
    max: u64,
    pub received: u64,
    /// Interarrival jitter in timestamp units, scaled by 16 as in A.8.
    jitter16: u64,
    last_transit: Option<i64>,
    expected_prior: u64,
    received_prior: u64,
}

impl ReceiveStats {
    /// One packet: its sequence number, RTP timestamp, and arrival time in
    /// the same units as the timestamp (samples at 8 kHz).
    pub fn packet(&mut self, seq: u16, timestamp: u32, arrival: u64) {
        let s = self.seq.extend(seq);
        let base = *self.base.get_or_insert(s);
        self.max = self.max.max(s).max(base);
        self.received += 1;
        let transit = arrival as i64 - i64::from(timestamp);
        if let Some(last) = self.last_transit {
            let d = (transit - last).unsigned_abs();
            // J += (|D| - J) / 16, kept scaled by 16.
            self.jitter16 = self.jitter16 + d - ((self.jitter16 + 8) >> 4);
        }
        self.last_transit = Some(transit);
    }

    pub fn expected(&self) -> u64 {
        self.base.map_or(0, |b| self.max - b + 1)
    }

    /// Packets lost so far (never negative: duplicates do not make it up).
    pub fn lost(&self) -> u64 {
        self.expected().saturating_sub(self.received)
    }

    /// Jitter in milliseconds at 8 kHz.
    pub fn jitter_ms(&self) -> f64 {
        (self.jitter16 >> 4) as f64 / 8.0
    }

    /// A report block for this interval (fraction lost since the last one).
    pub fn report(&mut self, ssrc: u32) -> ReportBlock {
        let expected = self.expected();
        let exp_int = expected - self.expected_prior;
        let rec_int = self.received - self.received_prior;
        self.expected_prior = expected;
        self.received_prior = self.received;
        let lost_int = exp_int.saturating_sub(rec_int);
        let fraction = (lost_int << 8).checked_div(exp_int).map_or(0, |f| f.min(255) as u8);
        ReportBlock {
            ssrc,
            fraction_lost: fraction,
            cumulative_lost: self.lost().min(0x7f_ffff) as u32,
            highest_seq: self.max as u32,
            jitter: (self.jitter16 >> 4) as u32,
        }
    }
}

/// One reception report (RFC 3550 §6.4.1), LSR/DLSR left 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportBlock {
    pub ssrc: u32,
    pub fraction_lost: u8,
    pub cumulative_lost: u32,
    pub highest_seq: u32,
    pub jitter: u32,
}

/// What a sender says about its own stream in a sender report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderInfo {
    /// Wallclock as a 64-bit NTP timestamp (seconds since 1900, 32.32).
    pub ntp: u64,
    /// The RTP timestamp of the same instant.
    pub rtp_timestamp: u32,
    pub packets: u32,
    pub octets: u32,
}

/// A receiver report (PT 201) from `ssrc` with `blocks`.
pub fn receiver_report(ssrc: u32, blocks: &[ReportBlock]) -> Vec<u8> {
    report(ssrc, None, blocks)
}

/// A sender report (PT 200) from `ssrc`: its own stream, then `blocks`.
pub fn sender_report(ssrc: u32, info: SenderInfo, blocks: &[ReportBlock]) -> Vec<u8> {
    report(ssrc, Some(info), blocks)
}

fn report(ssrc: u32, info: Option<SenderInfo>, blocks: &[ReportBlock]) -> Vec<u8> {
    let blocks = &blocks[..blocks.len().min(31)];
    let words = 1 + if info.is_some() { 5 } else { 0 } + 6 * blocks.len();
    let mut v = vec![0x80 | blocks.len() as u8, if info.is_some() { 200 } else { 201 }];
    v.extend_from_slice(&(words as u16).to_be_bytes());
    v.extend_from_slice(&ssrc.to_be_bytes());
    if let Some(i) = info {
        v.extend_from_slice(&i.ntp.to_be_bytes());
        v.extend_from_slice(&i.rtp_timestamp.to_be_bytes());
        v.extend_from_slice(&i.packets.to_be_bytes());
        v.extend_from_slice(&i.octets.to_be_bytes());
    }
    for b in blocks {
        v.extend_from_slice(&b.ssrc.to_be_bytes());
        let lost = b.cumulative_lost.to_be_bytes();
        v.extend_from_slice(&[b.fraction_lost, lost[1], lost[2], lost[3]]);
        v.extend_from_slice(&b.highest_seq.to_be_bytes());
        v.extend_from_slice(&b.jitter.to_be_bytes());
        v.extend_from_slice(&[0; 8]);
    }
    v
}

/// The report blocks of a sender (200) or receiver (201) report; `None` if
/// the packet is not one or is cut short.
pub fn parse_report(p: &[u8]) -> Option<(u32, Vec<ReportBlock>)> {
    let (&first, &pt) = (p.first()?, p.get(1)?);
    if first >> 6 != 2 || !(pt == 200 || pt == 201) {
        return None;
    }
    let count = usize::from(first & 0x1f);
    let ssrc = u32::from_be_bytes(p.get(4..8)?.try_into().ok()?);
    let start = if pt == 200 { 28 } else { 8 };
    let mut blocks = Vec::new();
    for i in 0..count {
        let b = p.get(start + 24 * i..start + 24 * (i + 1))?;
        let word = |o: usize| u32::from_be_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        blocks.push(ReportBlock {
            ssrc: word(0),
            fraction_lost: b[4],
            cumulative_lost: u32::from_be_bytes([0, b[5], b[6], b[7]]),
            highest_seq: word(8),
            jitter: word(12),
        });
    }
    Some((ssrc, blocks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_and_jitter_known_values() {
        let mut s = ReceiveStats::default();
        // Ten packets 20 ms apart, all on time: no jitter, no loss.
        for i in 0..10u16 {
            s.packet(i, u32::from(i) * 160, u64::from(i) * 160);
        }
        assert_eq!((s.lost(), s.jitter_ms()), (0, 0.0));
        // Every packet now 80 samples (10 ms) late on alternate packets;
        // seq 12 never arrives.
        for i in 10..40u16 {
            if i == 12 {
                continue;
            }
            let late = if i % 2 == 0 { 80 } else { 0 };
            s.packet(i, u32::from(i) * 160, u64::from(i) * 160 + late);
        }
        assert_eq!(s.lost(), 1);
        // |D| alternates at 80 samples: J tends to 80 samples = 10 ms.
        assert!((5.0..=10.0).contains(&s.jitter_ms()), "{}", s.jitter_ms());
        let block = s.report(42);
        assert_eq!((block.cumulative_lost, block.highest_seq), (1, 39));
        assert_eq!(block.fraction_lost, (256 / 40) as u8);
        let rr = receiver_report(7, &[block]);
        assert_eq!(parse_report(&rr), Some((7, vec![block])));
        assert_eq!(s.report(42).fraction_lost, 0, "nothing lost since the last report");
    }

    #[test]
    fn sender_reports_carry_the_stream_and_the_blocks() {
        let block = ReportBlock { ssrc: 9, fraction_lost: 3, cumulative_lost: 70_000, highest_seq: 65_600, jitter: 12 };
        let info = SenderInfo { ntp: 0xE6A1_2345_8000_0000, rtp_timestamp: 160_000, packets: 1000, octets: 160_000 };
        let sr = sender_report(7, info, &[block]);
        assert_eq!(sr.len(), 4 * (1 + 1 + 5 + 6), "header, SSRC, sender info, one block");
        assert_eq!((sr[0], sr[1]), (0x81, 200));
        assert_eq!(u16::from_be_bytes([sr[2], sr[3]]), 12, "length in words minus one");
        assert_eq!(u64::from_be_bytes(sr[8..16].try_into().unwrap()), info.ntp);
        assert_eq!(u32::from_be_bytes(sr[20..24].try_into().unwrap()), 1000);
        assert_eq!(parse_report(&sr), Some((7, vec![block])));
        assert_eq!(sender_report(7, info, &[]).len(), 28, "no blocks before anything was received");
    }

    #[test]
    fn garbage_is_not_a_report() {
        assert_eq!(parse_report(&[]), None);
        assert_eq!(parse_report(&[0x81, 201, 0, 7, 0, 0, 0, 1]), None, "announces a block it does not carry");
        assert_eq!(parse_report(&[0x80, 202, 0, 1, 0, 0, 0, 1]), None);
    }
}
