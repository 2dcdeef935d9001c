//! Call recording as a stereo WAV file — caller on the left, agent on the
//! right, 8 kHz 16-bit PCM — written incrementally: after every
//! [`Recorder::flush`] the RIFF and data sizes in the header are right, so a
//! crash leaves a playable file of everything flushed so far. The SHA-256 of
//! the finished file is returned by [`Recorder::finish`] for the index and
//! for tamper evidence.

use std::io::{Seek, SeekFrom, Write};

use sha2::{Digest, Sha256};

const RATE: u32 = 8000;
const HEADER: u64 = 44;

/// Writes one recording into `W` (a file, or anything seekable).
pub struct Recorder<W: Write + Seek> {
    out: W,
    /// Interleaved frames not yet written.
    pending: Vec<u8>,
    /// Samples per side buffered, not yet paired with the other side.
    left: Vec<i16>,
    right: Vec<i16>,
    /// Stereo frames written so far.
    frames: u64,
}

impl<W: Write + Seek> Recorder<W> {
    /// Starts a recording: writes a header for an empty file.
    pub fn new(mut out: W) -> std::io::Result<Recorder<W>> {
        out.write_all(&header(0))?;
        Ok(Recorder { out, pending: Vec::new(), left: Vec::new(), right: Vec::new(), frames: 0 })
    }

    /// Adds audio of the caller (left) or the agent (right). Each side may
    /// lag the other; a side that stays silent is padded with silence when
    /// the other runs `max_skew` samples ahead (sent audio is never dropped).
    pub fn push(&mut self, caller: bool, samples: &[i16]) {
        const MAX_SKEW: usize = RATE as usize; // one second
        let (mine, other) = if caller { (&mut self.left, &mut self.right) } else { (&mut self.right, &mut self.left) };
        mine.extend_from_slice(samples);
        if mine.len() > other.len() + MAX_SKEW {
            let pad = mine.len() - other.len() - MAX_SKEW;
            other.extend(std::iter::repeat_n(0, pad));
        }
        let n = self.left.len().min(self.right.len());
        for i in 0..n {
            self.pending.extend_from_slice(&self.left[i].to_le_bytes());
            self.pending.extend_from_slice(&self.right[i].to_le_bytes());
        }
        self.left.drain(..n);
        self.right.drain(..n);
    }

    /// Seconds recorded so far (written or pending).
    pub fn duration_ms(&self) -> u64 {
        (self.frames + self.pending.len() as u64 / 4) * 1000 / u64::from(RATE)
    }

    /// Writes what is pending and makes the header match it.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.seek(SeekFrom::Start(HEADER + self.frames * 4))?;
        self.out.write_all(&self.pending)?;
        self.frames += self.pending.len() as u64 / 4;
        self.pending.clear();
        self.out.seek(SeekFrom::Start(0))?;
        self.out.write_all(&header(self.frames))?;
        self.out.flush()
    }

    /// Pairs what is left with silence, flushes, and returns the writer, the
    /// duration in ms and the file's SHA-256 (hex), computed by reading it
    /// back through `read`.
    pub fn finish(mut self, read: impl FnOnce(&mut W) -> std::io::Result<Vec<u8>>) -> std::io::Result<(W, u64, String)> {
        let (l, r) = (self.left.len(), self.right.len());
        self.push(l < r, &vec![0; l.abs_diff(r)]);
        self.flush()?;
        let ms = self.duration_ms();
        let bytes = read(&mut self.out)?;
        let digest = hex::encode(Sha256::digest(&bytes));
        Ok((self.out, ms, digest))
    }
}

fn header(frames: u64) -> [u8; 44] {
    let data = (frames * 4).min(u64::from(u32::MAX) - 36) as u32;
    let mut h = [0u8; 44];
    h[..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&(36 + data).to_le_bytes());
    h[8..16].copy_from_slice(b"WAVEfmt ");
    h[16..20].copy_from_slice(&16u32.to_le_bytes());
    h[20..22].copy_from_slice(&1u16.to_le_bytes());
    h[22..24].copy_from_slice(&2u16.to_le_bytes());
    h[24..28].copy_from_slice(&RATE.to_le_bytes());
    h[28..32].copy_from_slice(&(RATE * 4).to_le_bytes());
    h[32..34].copy_from_slice(&4u16.to_le_bytes());
    h[34..36].copy_from_slice(&16u16.to_le_bytes());
    h[36..40].copy_from_slice(b"data");
    h[40..44].copy_from_slice(&data.to_le_bytes());
    h
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;
    use crate::goertzel::dominant;

    fn tone(freq: f64, n: usize) -> Vec<i16> {
        (0..n).map(|i| ((2.0 * std::f64::consts::PI * freq * i as f64 / 8000.0).sin() * 8000.0) as i16).collect()
    }

    /// Splits a stereo WAV into (left, right), checking the header sizes.
    fn channels(wav: &[u8]) -> (Vec<i16>, Vec<i16>) {
        let data = u32::from_le_bytes([wav[40], wav[41], wav[42], wav[43]]) as usize;
        assert_eq!(u32::from_le_bytes([wav[4], wav[5], wav[6], wav[7]]) as usize, 36 + data);
        assert_eq!(wav.len(), 44 + data, "the header covers exactly what is on disk");
        let s: Vec<i16> = wav[44..].chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
        (s.iter().step_by(2).copied().collect(), s.iter().skip(1).step_by(2).copied().collect())
    }

    #[test]
    fn caller_left_agent_right_and_playable_after_every_flush() {
        let mut r = Recorder::new(Cursor::new(Vec::new())).unwrap();
        for _ in 0..50 {
            r.push(true, &tone(440.0, 160));
            r.push(false, &tone(880.0, 160));
        }
        r.flush().unwrap();
        // "Crash" here: what is in the buffer is a valid file of one second.
        let (l, right) = channels(r.out.get_ref());
        assert_eq!(l.len(), 8000);
        assert_eq!(dominant(&l, 8000, &[440.0, 880.0], 10.0), Some(440.0));
        assert_eq!(dominant(&right, 8000, &[440.0, 880.0], 10.0), Some(880.0));
        // The agent goes quiet (on hold); the caller keeps talking.
        r.push(true, &tone(440.0, 12_000));
        r.flush().unwrap();
        let (l, right) = channels(r.out.get_ref());
        assert_eq!(l.len(), 8000 + 4000, "the silent side is padded once it lags a second");
        assert!(right[8000..].iter().all(|s| *s == 0));
        let (out, ms, sha) = r
            .finish(|w| {
                let mut v = Vec::new();
                w.seek(SeekFrom::Start(0))?;
                w.read_to_end(&mut v)?;
                Ok(v)
            })
            .unwrap();
        assert_eq!(ms, 2500);
        let (l, _) = channels(out.get_ref());
        assert_eq!(l.len(), 20_000, "nothing sent is dropped");
        assert_eq!(sha.len(), 64);
        assert_eq!(sha, hex::encode(Sha256::digest(out.get_ref())));
    }
}
