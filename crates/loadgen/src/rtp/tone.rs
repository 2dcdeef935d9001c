//! What the simulated phones say: a steady G.711 tone (400 Hz from
//! callers, 500 Hz from agents, a whole number of periods per 20 ms frame
//! so one frame repeats), with a 7-byte tag at the start of each frame.
//!
//! The tag names the sending party and counts its audio frames. Hotline
//! decodes and re-encodes relayed audio; G.711 decode-then-encode gives
//! every code back except µ-law's negative zero 0x7f, which the tag never
//! uses, so the tag arrives intact at the far phone. It tells the caller
//! when the agent's audio (rather than the IVR or music on hold) reaches
//! it, and gives an end-to-end loss count that the server's renumbering of
//! RTP sequence numbers cannot hide.

use hotline_media::g711::{alaw_encode, ulaw_encode, PT_PCMA};

/// Samples (and G.711 bytes) in a 20 ms frame.
pub const FRAME: usize = 160;
/// Bytes of the tag at the start of a frame.
pub const TAG_LEN: usize = 7;
const MAGIC: [u8; 2] = [0xA5, 0x5A];

/// Who sent a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Caller,
    Agent,
}

impl Party {
    fn code(self) -> u8 {
        match self {
            Party::Caller => 0xC1,
            Party::Agent => 0xC2,
        }
    }

    /// Samples per period of this party's tone.
    fn period(self) -> usize {
        match self {
            Party::Caller => 20, // 400 Hz
            Party::Agent => 16,  // 500 Hz
        }
    }
}

/// One 20 ms frame of `party`'s tone in codec `payload_type` (PCMA for 8,
/// PCMU otherwise), at about -12 dBFS.
pub fn frame(party: Party, payload_type: u8) -> [u8; FRAME] {
    let mut out = [0u8; FRAME];
    let period = party.period() as f64;
    for (i, b) in out.iter_mut().enumerate() {
        let s = (8000.0 * (std::f64::consts::TAU * i as f64 / period).sin()) as i16;
        *b = if payload_type == PT_PCMA {
            alaw_encode(s)
        } else {
            ulaw_encode(s)
        };
    }
    out
}

/// Writes the tag of `party`'s frame number `counter` over the first
/// [`TAG_LEN`] bytes of `payload`.
pub fn write_tag(payload: &mut [u8], party: Party, counter: u16) {
    if payload.len() < TAG_LEN {
        return;
    }
    payload[..2].copy_from_slice(&MAGIC);
    payload[2] = party.code();
    for i in 0..4 {
        // One nibble per byte, as 0x80..=0x8f: never 0x7f.
        payload[3 + i] = 0x80 | ((counter >> (12 - 4 * i)) & 0x0f) as u8;
    }
}

/// The tag at the start of `payload`, if it carries one.
pub fn read_tag(payload: &[u8]) -> Option<(Party, u16)> {
    let t = payload.get(..TAG_LEN)?;
    if t[..2] != MAGIC {
        return None;
    }
    let party = match t[2] {
        0xC1 => Party::Caller,
        0xC2 => Party::Agent,
        _ => return None,
    };
    let mut counter = 0u16;
    for &b in &t[3..] {
        if b & 0xf0 != 0x80 {
            return None;
        }
        counter = (counter << 4) | u16::from(b & 0x0f);
    }
    Some((party, counter))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hotline_media::g711::{alaw_decode, ulaw_decode};

    #[test]
    fn tags_survive_a_g711_relay() {
        for (pt, dec, enc) in [
            (
                0u8,
                ulaw_decode as fn(u8) -> i16,
                ulaw_encode as fn(i16) -> u8,
            ),
            (8, alaw_decode, alaw_encode),
        ] {
            for counter in [0u16, 1, 0x7f7f, 0xfffe, 65535] {
                let mut f = frame(Party::Agent, pt);
                write_tag(&mut f, Party::Agent, counter);
                // What the server does to relayed audio.
                let relayed: Vec<u8> = f.iter().map(|b| enc(dec(*b))).collect();
                assert_eq!(
                    read_tag(&relayed),
                    Some((Party::Agent, counter)),
                    "pt {pt} counter {counter}"
                );
            }
        }
        assert_eq!(
            read_tag(&frame(Party::Caller, 0)),
            None,
            "an untagged tone has no tag"
        );
        assert_eq!(read_tag(&[0xA5, 0x5A, 0xC1]), None);
    }

    #[test]
    fn tones_repeat_every_frame_and_differ() {
        let c = frame(Party::Caller, 0);
        let a = frame(Party::Agent, 0);
        assert_ne!(c, a);
        // Whole periods: the frame starts where the previous one ended.
        assert_eq!(c[0], c[20]);
        assert_eq!(a[0], a[16]);
        assert!(!c.contains(&0x7f));
    }
}
