//! Audio files for prompts: reading WAV (16-bit PCM or G.711 µ-law/A-law,
//! mono or stereo, any rate from 8 kHz) and turning it into what the media
//! layer plays best, 8 kHz mono 16-bit PCM WAV, with a windowed-sinc
//! low-pass so nothing above 4 kHz aliases.

/// Why a file is not usable audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AudioError(pub &'static str);

use hotline_media::g711::{alaw_decode, ulaw_decode};

/// Reads a WAV file — 16-bit PCM or G.711 (µ-law, A-law), mono or stereo,
/// 8 kHz or more; streaming headers with unknown sizes accepted — and returns
/// it as 8 kHz mono 16-bit PCM WAV.
pub fn to_8k_wav(wav: &[u8]) -> Result<Vec<u8>, AudioError> {
    Ok(wav_bytes(&samples_8k(wav)?, 8000))
}

/// The same conversion, as samples: what the media layer plays.
pub fn samples_8k(wav: &[u8]) -> Result<Vec<i16>, AudioError> {
    let (format, rate, channels, data) = pcm(wav)?;
    let decoded: Vec<i16> = match format {
        Format::Pcm16 => data.chunks_exact(2).map(|s| i16::from_le_bytes([s[0], s[1]])).collect(),
        Format::Ulaw => data.iter().map(|&b| ulaw_decode(b)).collect(),
        Format::Alaw => data.iter().map(|&b| alaw_decode(b)).collect(),
    };
    let mono: Vec<f32> = decoded
        .chunks_exact(usize::from(channels))
        .map(|frame| frame.iter().map(|&s| i32::from(s)).sum::<i32>() as f32 / f32::from(channels))
        .collect();
    Ok(resample(&mono, rate, 8000))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Pcm16,
    Ulaw,
    Alaw,
}

/// Test support: the PCM rate, channels and bytes of a 16-bit WAV.
#[cfg(test)]
fn pcm16(wav: &[u8]) -> Result<(u32, u16, &[u8]), AudioError> {
    match pcm(wav)? {
        (Format::Pcm16, rate, channels, data) => Ok((rate, channels, data)),
        _ => Err(AudioError("not 16-bit PCM")),
    }
}

fn pcm(wav: &[u8]) -> Result<(Format, u32, u16, &[u8]), AudioError> {
    if wav.len() < 12 || &wav[..4] != b"RIFF" || &wav[8..12] != b"WAVE" {
        return Err(AudioError("not a WAV file"));
    }
    let mut at = 12;
    let mut fmt: Option<(u16, u16, u32, u16)> = None;
    while at + 8 <= wav.len() {
        let id = &wav[at..at + 4];
        let size = u32::from_le_bytes([wav[at + 4], wav[at + 5], wav[at + 6], wav[at + 7]]) as usize;
        let body = at + 8;
        if id == b"fmt " {
            let f = wav.get(body..body + 16).ok_or(AudioError("short fmt chunk"))?;
            let u16_at = |i: usize| u16::from_le_bytes([f[i], f[i + 1]]);
            fmt = Some((u16_at(0), u16_at(2), u32::from_le_bytes([f[4], f[5], f[6], f[7]]), u16_at(14)));
        } else if id == b"data" {
            let (tag, channels, rate, bits) = fmt.ok_or(AudioError("data before fmt"))?;
            let format = match (tag, bits) {
                (1, 16) => Format::Pcm16,
                (7, 8) => Format::Ulaw,
                (6, 8) => Format::Alaw,
                _ => return Err(AudioError("only 16-bit PCM or 8-bit G.711 (µ-law, A-law)")),
            };
            if !(1..=2).contains(&channels) || !(8000..=192_000).contains(&rate) {
                return Err(AudioError("mono or stereo, 8 to 192 kHz"));
            }
            // Streamed WAVs carry a placeholder size: take what is there.
            let end = body.saturating_add(size).min(wav.len());
            return Ok((format, rate, channels, &wav[body..end]));
        }
        at = body.saturating_add(size + size % 2);
    }
    Err(AudioError("no data chunk"))
}

/// Windowed-sinc resampling with the cut-off below the lower Nyquist rate.
fn resample(x: &[f32], from: u32, to: u32) -> Vec<i16> {
    if from == to {
        return x.iter().map(|&v| v.clamp(-32768.0, 32767.0) as i16).collect();
    }
    const HALF: i64 = 24;
    let ratio = f64::from(from) / f64::from(to);
    let cutoff = 0.45 * f64::from(from.min(to)) / f64::from(from);
    let n_out = (x.len() as f64 / ratio) as usize;
    let mut out = Vec::with_capacity(n_out);
    for n in 0..n_out {
        let t = n as f64 * ratio;
        let centre = t.floor() as i64;
        let mut acc = 0.0f64;
        for k in (centre - HALF + 1)..=(centre + HALF) {
            let Some(&s) = usize::try_from(k).ok().and_then(|i| x.get(i)) else { continue };
            let d = t - k as f64;
            let sinc = if d.abs() < 1e-9 { 2.0 * cutoff } else { (2.0 * std::f64::consts::PI * cutoff * d).sin() / (std::f64::consts::PI * d) };
            let w = 0.5 + 0.5 * (std::f64::consts::PI * d / HALF as f64).cos();
            acc += f64::from(s) * sinc * w;
        }
        out.push(acc.clamp(-32768.0, 32767.0) as i16);
    }
    out
}

/// A mono 16-bit PCM WAV file of `samples` at `rate` Hz.
pub fn wav_bytes(samples: &[i16], rate: u32) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut v = Vec::with_capacity(44 + samples.len() * 2);
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36 + data_len).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&(rate * 2).to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&16u16.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        v.extend_from_slice(&s.to_le_bytes());
    }
    v
}


/// (rate, channels, samples) of a 16-bit PCM WAV; `None` for anything else.
pub fn wav_info(wav: &[u8]) -> Option<(u32, u16, usize)> {
    match pcm(wav).ok()? {
        (Format::Pcm16, rate, channels, data) => Some((rate, channels, data.len() / 2 / usize::from(channels))),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn tone(rate: u32, freqs: &[f64], secs: f64) -> Vec<u8> {
        let n = (f64::from(rate) * secs) as usize;
        let samples: Vec<i16> = (0..n)
            .map(|i| {
                let t = i as f64 / f64::from(rate);
                let v: f64 = freqs.iter().map(|f| (2.0 * std::f64::consts::PI * f * t).sin()).sum();
                (v * 8000.0) as i16
            })
            .collect();
        wav_bytes(&samples, rate)
    }

    fn decode(wav: &[u8]) -> Vec<i16> {
        let (rate, channels, data) = pcm16(wav).unwrap();
        assert_eq!((rate, channels), (8000, 1));
        data.chunks_exact(2).map(|s| i16::from_le_bytes([s[0], s[1]])).collect()
    }

    #[test]
    fn resampling_keeps_speech_band_and_removes_what_8k_cannot_carry() {
        // 1 kHz (kept) plus 6 kHz (above 4 kHz: must not alias to 2 kHz).
        let out = decode(&to_8k_wav(&tone(22050, &[1000.0, 6000.0], 1.0)).unwrap());
        assert!((7990..=8000).contains(&out.len()), "{}", out.len());
        let kept = hotline_media::goertzel::power(&out, 8000, 1000.0);
        let alias = hotline_media::goertzel::power(&out, 8000, 2000.0);
        assert!(kept > 1000.0 * alias, "1 kHz {kept:e} vs alias {alias:e}");
    }

    #[test]
    fn g711_prompt_files_convert() {
        // The built-in prompts are µ-law WAV files: they convert.
        let out = to_8k_wav(crate::prompts::builtin(crate::prompts::INVALID).unwrap()).unwrap();
        assert!(decode(&out).iter().any(|s| s.unsigned_abs() > 2000));
    }

    #[test]
    fn bad_audio_is_an_error() {
        assert!(matches!(to_8k_wav(b"RIFF"), Err(AudioError(_))));
        let mut w = tone(8000, &[440.0], 0.1);
        w[20] = 3; // format tag 3: float
        assert!(matches!(to_8k_wav(&w), Err(AudioError(_))));
    }

}
