//! A receive jitter buffer for 20 ms G.711 frames: packets go in as they
//! arrive (late, reordered or duplicated), frames come out at a steady
//! 20 ms pace, with the last frame faded in for a lost one and silence after
//! that. The depth is fixed (`depth` frames held back before playing).
//!
//! A sender that pauses (a phone holding the call, silence suppression)
//! does not lock its stream out: after [`IDLE_FRAMES`] without a packet the
//! buffer stops counting frames and fills again from the next packet, and a
//! packet far behind the play-out point (a sender that restarted its
//! sequence numbers) starts the stream afresh instead of being dropped as
//! late forever.

use std::collections::BTreeMap;

use crate::rtp::SeqExtender;

/// Samples in one 20 ms frame at 8 kHz.
pub const FRAME: usize = 160;

/// Frames without any packet after which the sender is taken as paused.
pub const IDLE_FRAMES: u32 = 10;

/// A packet this many frames behind the play-out point is a new stream.
const RESTART_FRAMES: u64 = 50;

/// Frames held beyond the depth before the oldest are dropped: a reader
/// that fell behind (a busy machine) catches up to the depth again instead
/// of playing ever later — or, once a hard cap drops the very frame it is
/// about to play, nothing at all.
pub const MAX_LAG_FRAMES: usize = 10;

/// One 20 ms frame. Fixed-size, so the per-packet path allocates nothing.
pub type Frame = [i16; FRAME];

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct JitterStats {
    pub received: u64,
    pub late: u64,
    pub duplicate: u64,
    pub lost: u64,
    /// Frames dropped to catch up with a reader that fell behind.
    pub trimmed: u64,
}

/// See the module docs.
#[derive(Debug)]
pub struct JitterBuffer {
    depth: usize,
    seq: SeqExtender,
    frames: BTreeMap<u64, Frame>,
    /// Next sequence number to play; `None` until playing starts.
    next: Option<u64>,
    last: Frame,
    concealed: u32,
    pub stats: JitterStats,
}

impl JitterBuffer {
    /// Holds `depth` frames (20 ms each) before playing; 3 = 60 ms.
    pub fn new(depth: usize) -> JitterBuffer {
        JitterBuffer { depth: depth.max(1), seq: SeqExtender::default(), frames: BTreeMap::new(), next: None, last: [0; FRAME], concealed: 0, stats: JitterStats::default() }
    }

    /// A packet's sequence number and decoded samples.
    /// Samples beyond one frame are dropped; a short frame is padded with silence.
    pub fn insert(&mut self, seq: u16, samples: &[i16]) {
        let mut frame = [0; FRAME];
        let n = samples.len().min(FRAME);
        frame[..n].copy_from_slice(&samples[..n]);
        let s = self.seq.extend(seq);
        self.stats.received += 1;
        if self.next.is_some_and(|n| s + RESTART_FRAMES < n) {
            // The sender started over (new sequence numbers): play from here.
            self.frames.clear();
            self.next = None;
        }
        if self.next.is_some_and(|n| s < n) {
            self.stats.late += 1;
            return;
        }
        if self.frames.insert(s, frame).is_some() {
            self.stats.duplicate += 1;
        }
        // Never hold more than a second: drop the oldest.
        while self.frames.len() > 50 {
            self.frames.pop_first();
        }
    }

    /// The next 20 ms of audio, called every 20 ms.
    pub fn pop(&mut self) -> Frame {
        if self.next.is_some() && self.frames.len() > self.depth + MAX_LAG_FRAMES {
            // Behind: keep the newest `depth` frames and play on from them.
            while self.frames.len() > self.depth {
                self.frames.pop_first();
                self.stats.trimmed += 1;
            }
            self.next = self.frames.keys().next().copied();
        }
        let next = match self.next {
            Some(n) => n,
            None if self.frames.len() >= self.depth => self.frames.keys().next().copied().unwrap_or(0),
            None => return [0; FRAME],
        };
        // Skip ahead if everything buffered is newer (a long gap).
        let next = match self.frames.keys().next() {
            Some(&first) if first > next + self.depth as u64 * 2 => first,
            _ => next,
        };
        self.next = Some(next + 1);
        match self.frames.remove(&next) {
            Some(f) => {
                self.last = f;
                self.concealed = 0;
                f
            }
            None if self.frames.is_empty() && self.concealed >= IDLE_FRAMES => {
                // The sender paused: wait for it to fill the buffer again
                // rather than run ahead of the packets it will send.
                self.next = None;
                [0; FRAME]
            }
            None => {
                self.stats.lost += 1;
                self.concealed += 1;
                // Repeat the last frame at half, then quarter volume, then silence.
                let shift = self.concealed.min(15);
                let mut f = [0; FRAME];
                if self.concealed <= 2 {
                    f.iter_mut().zip(&self.last).for_each(|(o, s)| *o = s >> shift);
                }
                f
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: i16) -> Frame {
        [v; FRAME]
    }

    #[test]
    fn reorders_conceals_and_counts() {
        let mut j = JitterBuffer::new(2);
        j.insert(10, &f(10));
        assert_eq!(j.pop(), f(0), "still filling");
        j.insert(12, &f(12));
        j.insert(11, &f(11));
        j.insert(11, &f(11));
        assert_eq!(j.pop()[0], 10);
        assert_eq!(j.pop()[0], 11);
        assert_eq!(j.pop()[0], 12);
        // 13 is missing when its turn comes: the last frame at half volume.
        j.insert(16, &f(16));
        assert_eq!(j.pop()[0], 6);
        j.insert(14, &f(14));
        assert_eq!(j.pop()[0], 14, "the next frame in order");
        assert_eq!(j.pop()[0], 7, "15 missing: 14 at half volume");
        // 13 arrives after its turn: dropped as late.
        j.insert(13, &f(13));
        assert_eq!(j.stats.late, 1);
        assert_eq!(j.stats.duplicate, 1);
        assert_eq!(j.pop()[0], 16);
        assert_eq!(j.stats.lost, 2);
        // A long silence from the sender: half, quarter, then nothing.
        assert_eq!([j.pop()[0], j.pop()[0], j.pop()[0]], [8, 4, 0]);
    }

    #[test]
    fn wraps_and_jumps_over_long_gaps() {
        let mut j = JitterBuffer::new(1);
        j.insert(65535, &f(1));
        assert_eq!(j.pop()[0], 1);
        j.insert(0, &f(2));
        assert_eq!(j.pop()[0], 2, "sequence numbers wrap");
        j.insert(100, &f(3));
        assert_eq!(j.pop()[0], 3, "a long gap is skipped, not concealed for seconds");
    }

    #[test]
    fn a_sender_that_pauses_is_heard_again_when_it_resumes() {
        let mut j = JitterBuffer::new(2);
        j.insert(1, &f(1));
        j.insert(2, &f(2));
        assert_eq!([j.pop()[0], j.pop()[0]], [1, 2]);
        // Two seconds without a packet (a phone holding the call).
        for _ in 0..100 {
            j.pop();
        }
        // It resumes where its numbers stopped: heard, not dropped as late.
        j.insert(3, &f(3));
        j.insert(4, &f(4));
        assert_eq!([j.pop()[0], j.pop()[0]], [3, 4]);
        assert_eq!(j.stats.late, 0);
        assert_eq!(j.stats.lost, u64::from(IDLE_FRAMES), "only the first frames of the pause count as lost");
    }

    #[test]
    fn a_reader_that_fell_behind_catches_up_and_keeps_playing() {
        let mut j = JitterBuffer::new(3);
        for seq in 0..3 {
            j.insert(seq, &f(seq as i16));
        }
        assert_eq!(j.pop()[0], 0);
        // The reader stalls while 60 packets arrive (a busy machine).
        for seq in 3..63 {
            j.insert(seq, &f(seq as i16));
        }
        // It plays on from the newest frames held to its depth, never silence.
        let played: Vec<i16> = (0..3).map(|_| j.pop()[0]).collect();
        assert_eq!(played, [60, 61, 62]);
        // The second held frames at most, the rest trimmed to the depth.
        assert_eq!(j.stats.trimmed, 47);
        for seq in 63..200 {
            j.insert(seq, &f(seq as i16));
            assert_eq!(j.pop()[0], seq as i16, "in step again: every frame played as it comes");
        }
    }

    #[test]
    fn a_sender_that_restarts_its_numbers_is_heard() {
        let mut j = JitterBuffer::new(1);
        for seq in 1000..1100 {
            j.insert(seq, &f(1));
            j.pop();
        }
        j.insert(7, &f(7));
        assert_eq!(j.pop()[0], 7);
    }
}
