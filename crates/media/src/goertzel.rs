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
