//! Just enough audio for the end-to-end tests: a PCM WAV reader (tolerant
//! of the stale sizes in the header of a file that was never closed) and a
//! Goertzel tone check that tells which of a few tones a signal carries.

use std::path::Path;

/// The telephone rate everything here runs at.
pub const RATE: u32 = 8000;

/// A 16-bit PCM WAV file.
#[derive(Debug, Clone)]
pub struct Wav {
    pub channels: u16,
    pub rate: u32,
    /// Interleaved frames.
    pub samples: Vec<i16>,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Wav {
    /// Reads a file, panicking with its path when it is not a 16-bit PCM WAV.
    pub fn read(path: &Path) -> Wav {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        Wav::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Parses a RIFF/WAVE file of 16-bit PCM (plain or WAVE_FORMAT_EXTENSIBLE).
    /// A `data` size of 0 or past the end of the file (a file still being
    /// written, or never closed) reads up to the end of the file.
    pub fn parse(b: &[u8]) -> Result<Wav, String> {
        if b.len() < 12 || &b[0..4] != b"RIFF" || &b[8..12] != b"WAVE" {
            return Err("not a RIFF/WAVE file".into());
        }
        let mut fmt: Option<(u16, u32)> = None;
        let mut at = 12;
        while at + 8 <= b.len() {
            let id = &b[at..at + 4];
            let size = u32_at(b, at + 4) as usize;
            let body = at + 8;
            if id == b"fmt " {
                if body + 16 > b.len() || size < 16 {
                    return Err("short fmt chunk".into());
                }
                let mut tag = u16_at(b, body);
                let channels = u16_at(b, body + 2);
                let rate = u32_at(b, body + 4);
                let bits = u16_at(b, body + 14);
                if tag == 0xFFFE && size >= 40 && body + 26 <= b.len() {
                    tag = u16_at(b, body + 24); // the sub-format GUID starts with the format tag
                }
                if tag != 1 || bits != 16 {
                    return Err(format!("format tag {tag} with {bits} bits, want 16-bit PCM"));
                }
                if channels == 0 {
                    return Err("no channels".into());
                }
                fmt = Some((channels, rate));
            } else if id == b"data" {
                let (channels, rate) = fmt.ok_or("data before fmt")?;
                let available = b.len() - body;
                let len = if size == 0 || size > available { available } else { size };
                let frame = 2 * channels as usize;
                let len = len - len % frame;
                let samples = b[body..body + len].chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect();
                return Ok(Wav { channels, rate, samples });
            }
            at = body + size + (size & 1);
        }
        Err("no data chunk".into())
    }

    /// One channel (0 = left) of the interleaved samples.
    pub fn channel(&self, i: usize) -> Vec<i16> {
        self.samples.iter().skip(i).step_by(self.channels as usize).copied().collect()
    }

    pub fn frames(&self) -> usize {
        self.samples.len() / self.channels as usize
    }

    pub fn duration_ms(&self) -> u64 {
        self.frames() as u64 * 1000 / u64::from(self.rate)
    }
}

/// Root mean square, in sample units (a full-scale sine is about 23 170).
pub fn rms(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    (samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() / samples.len() as f64).sqrt()
}

/// Goertzel block: 50 ms, a 20 Hz resolution. Powers are summed per block so
/// that phase jumps (lost packets, concealment, a tone file that restarts)
/// do not cancel out over a long window.
const BLOCK: usize = 400;

fn goertzel(block: &[i16], rate: u32, freq: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / f64::from(rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in block {
        let s = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let n = block.len() as f64;
    (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (n * n)
}

/// Mean power at `freq`: about A²/4 for a sine of amplitude A at `freq`,
/// near 0 for other tones and for silence.
pub fn tone_power(samples: &[i16], rate: u32, freq: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    if samples.len() < BLOCK {
        return goertzel(samples, rate, freq);
    }
    let blocks: Vec<&[i16]> = samples.chunks_exact(BLOCK).collect();
    blocks.iter().map(|b| goertzel(b, rate, freq)).sum::<f64>() / blocks.len() as f64
}

/// The share of the signal's energy that is a tone at `freq`: about 1 for a
/// pure tone, about 0 for another tone, noise or speech, 0 for silence.
pub fn tone_share(samples: &[i16], rate: u32, freq: f64) -> f64 {
    // The same samples tone_power looks at: whole blocks only.
    let samples = if samples.len() >= BLOCK { &samples[..samples.len() - samples.len() % BLOCK] } else { samples };
    let ms = rms(samples).powi(2);
    if ms < 1.0 {
        return 0.0;
    }
    2.0 * tone_power(samples, rate, freq) / ms
}

/// Which of `candidates` (Hz, at 8 kHz) the signal carries: the strongest,
/// provided it holds at least 30 % of the energy; `None` for silence, noise,
/// speech, or a signal no candidate dominates.
pub fn dominant(samples: &[i16], candidates: &[f64]) -> Option<f64> {
    let (best, share) = candidates
        .iter()
        .map(|&f| (f, tone_share(samples, RATE, f)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    (share >= 0.3).then_some(best)
}

/// A one-line account of a signal for failure messages: length, RMS and the
/// share of each candidate tone.
pub fn describe(samples: &[i16], candidates: &[f64]) -> String {
    let shares: Vec<String> = candidates.iter().map(|&f| format!("{f} Hz {:.3}", tone_share(samples, RATE, f))).collect();
    format!("{:.2} s, rms {:.0}, tone shares: {}", samples.len() as f64 / f64::from(RATE), rms(samples), shares.join(", "))
}

/// Samples from `from` to `to` seconds (clamped to the signal).
pub fn between(samples: &[i16], from: f64, to: f64) -> &[i16] {
    let at = |s: f64| ((s.max(0.0) * f64::from(RATE)) as usize).min(samples.len());
    let (a, b) = (at(from), at(to));
    &samples[a..b.max(a)]
}

/// The last `secs` seconds but the final `skip_end` (the moment of a hangup).
pub fn last(samples: &[i16], secs: f64, skip_end: f64) -> &[i16] {
    let total = samples.len() as f64 / f64::from(RATE);
    between(samples, total - skip_end - secs, total - skip_end)
}
