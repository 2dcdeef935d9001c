//! Tone measurement with the Goertzel algorithm: the power of one frequency
//! in a block of samples, and which of two frequencies dominates (how tests
//! tell the caller's 440 Hz from the agent's 880 Hz in a recording).

/// Power of `freq` (Hz) in `samples` taken at `rate` (Hz).
pub fn power(samples: &[i16], rate: u32, freq: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / f64::from(rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    s1 * s1 + s2 * s2 - coeff * s1 * s2
}

/// Which of `freqs` is strongest in `samples`, if any is `ratio` times
/// stronger than each of the others.
pub fn dominant(samples: &[i16], rate: u32, freqs: &[f64], ratio: f64) -> Option<f64> {
    let p: Vec<f64> = freqs.iter().map(|f| power(samples, rate, *f)).collect();
    let (best, &bp) = p.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
    p.iter().enumerate().all(|(i, &x)| i == best || bp > ratio * x).then(|| freqs[best])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f64, n: usize) -> Vec<i16> {
        (0..n).map(|i| ((2.0 * std::f64::consts::PI * freq * i as f64 / 8000.0).sin() * 10_000.0) as i16).collect()
    }

    #[test]
    fn finds_the_tone_that_is_there() {
        let a = tone(440.0, 1600);
        assert_eq!(dominant(&a, 8000, &[440.0, 880.0], 10.0), Some(440.0));
        assert_eq!(dominant(&tone(880.0, 1600), 8000, &[440.0, 880.0], 10.0), Some(880.0));
        assert_eq!(dominant(&[0; 1600], 8000, &[440.0, 880.0], 10.0), None, "silence has no tone");
        let mixed: Vec<i16> = a.iter().zip(tone(880.0, 1600)).map(|(x, y)| x / 2 + y / 2).collect();
        assert_eq!(dominant(&mixed, 8000, &[440.0, 880.0], 10.0), None, "both present: neither dominates");
    }
}

/// In-band DTMF detection for callers whose phones send keys as sound:
/// one 20 ms frame of 8 kHz samples at a time. A key is reported once, when
/// its tone pair has been present for two frames in a row (40 ms); it can be
/// reported again only after a frame without it.
#[derive(Debug, Default)]
pub struct DtmfDetector {
    candidate: Option<char>,
    frames: u32,
    reported: bool,
}

const ROWS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
const COLS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
const KEYPAD: [[char; 4]; 4] = [['1', '2', '3', 'A'], ['4', '5', '6', 'B'], ['7', '8', '9', 'C'], ['*', '0', '#', 'D']];

impl DtmfDetector {
    /// Feeds one frame; returns a key when one is recognised.
    pub fn frame(&mut self, samples: &[i16]) -> Option<char> {
        let key = classify(samples);
        if key.is_some() && key == self.candidate {
            self.frames += 1;
        } else {
            self.candidate = key;
            self.frames = u32::from(key.is_some());
            self.reported = false;
        }
        if self.frames >= 2 && !self.reported {
            self.reported = true;
            return self.candidate;
        }
        None
    }
}

/// The key whose two tones dominate `samples`, if any (ITU-T Q.24 style:
/// enough energy, each tone well above the others of its group, limited
/// twist, and most of the energy in the pair).
fn classify(samples: &[i16]) -> Option<char> {
    let n = samples.len() as f64;
    let energy: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    if n == 0.0 || energy / n < 10_000.0 {
        return None;
    }
    let best = |freqs: &[f64; 4]| {
        let p: Vec<f64> = freqs.iter().map(|f| power(samples, 8000, *f)).collect();
        let (i, &top) = p.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
        p.iter().enumerate().all(|(j, &x)| j == i || top > 4.0 * x).then_some((i, top))
    };
    let ((r, rp), (c, cp)) = (best(&ROWS)?, best(&COLS)?);
    let twist_ok = cp <= rp * 6.3 && rp <= cp * 6.3;
    // A pure pair puts (rp + cp) at about energy × n / 2.
    let in_pair = (rp + cp) / (energy * n / 2.0);
    (twist_ok && in_pair > 0.4).then_some(KEYPAD[r][c])
}

#[cfg(test)]
mod dtmf_tests {
    use super::*;

    fn pair(key: char, ms: usize) -> Vec<i16> {
        let (r, c) = (0..16).map(|i| (i / 4, i % 4)).find(|&(r, c)| KEYPAD[r][c] == key).unwrap();
        (0..ms * 8)
            .map(|i| {
                let t = i as f64 / 8000.0;
                let v = (2.0 * std::f64::consts::PI * ROWS[r] * t).sin() + (2.0 * std::f64::consts::PI * COLS[c] * t).sin();
                (v * 6000.0) as i16
            })
            .collect()
    }

    fn detect(audio: &[i16]) -> String {
        let mut d = DtmfDetector::default();
        audio.chunks(160).filter_map(|f| d.frame(f)).collect()
    }

    #[test]
    fn all_sixteen_keys_once_each() {
        let keys = "123A456B789C*0#D";
        let mut audio = Vec::new();
        for k in keys.chars() {
            audio.extend(pair(k, 100));
            audio.extend(vec![0i16; 400]);
        }
        assert_eq!(detect(&audio), keys);
    }

    #[test]
    fn short_blips_tones_and_noise_are_not_keys() {
        assert_eq!(detect(&pair('5', 20)), "", "20 ms is too short");
        let a440: Vec<i16> = (0..8000).map(|i| ((2.0 * std::f64::consts::PI * 440.0 * i as f64 / 8000.0).sin() * 8000.0) as i16).collect();
        assert_eq!(detect(&a440), "");
        let mut x: u32 = 12345;
        let noise: Vec<i16> = (0..8000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                ((x >> 16) as i16) / 2
            })
            .collect();
        assert_eq!(detect(&noise), "");
        // A key under loud music is not reported by mistake as another key.
        let under: Vec<i16> = pair('7', 100).iter().zip(&a440).map(|(k, m)| k / 4 + m).collect();
        assert!(detect(&under).chars().all(|c| c == '7'));
    }
}
