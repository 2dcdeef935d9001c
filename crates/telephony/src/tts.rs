//! Text-to-speech for prompts: espeak-ng out of the box (Mandarin `cmn`,
//! Cantonese `yue`, English `en`), behind the [`Tts`] trait so an HTTP TTS
//! service can replace it, and a cache keyed by voice and text so each
//! prompt is synthesized once. Output is what the media layer plays best:
//! 8 kHz, 16-bit, mono PCM WAV.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum TtsError {
    #[error("text to speak is empty or longer than 2000 characters")]
    BadText,
    #[error("unknown voice `{0}`")]
    BadVoice(String),
    #[error("speech engine failed: {0}")]
    Engine(String),
    #[error("speech engine gave no usable audio: {0}")]
    BadAudio(&'static str),
    #[error("prompt cache: {0}")]
    Io(#[from] std::io::Error),
}

/// A speech engine. Returns a WAV file (any PCM rate; see [`to_8k_wav`]).
pub trait Tts: Send + Sync {
    fn synthesize(&self, text: &str, voice: &str) -> Result<Vec<u8>, TtsError>;
}

/// espeak-ng, run as a process per prompt.
#[derive(Debug, Clone)]
pub struct EspeakNg {
    pub binary: PathBuf,
    /// Words per minute. Default 175 (Mandarin at the default 150 drags).
    pub speed: u32,
}

impl Default for EspeakNg {
    fn default() -> Self {
        EspeakNg { binary: PathBuf::from("espeak-ng"), speed: 175 }
    }
}

impl Tts for EspeakNg {
    fn synthesize(&self, text: &str, voice: &str) -> Result<Vec<u8>, TtsError> {
        check_text(text)?;
        if voice.is_empty() || !voice.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(TtsError::BadVoice(voice.into()));
        }
        // The text goes as one argument, never through a shell.
        let out = Command::new(&self.binary)
            .args(["-v", voice, "-s", &self.speed.to_string(), "--stdout", "--", text])
            .output()
            .map_err(|e| TtsError::Engine(format!("{}: {e}", self.binary.display())))?;
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr);
            return Err(TtsError::Engine(why.trim().chars().take(200).collect()));
        }
        Ok(out.stdout)
    }
}

fn check_text(text: &str) -> Result<(), TtsError> {
    let n = text.chars().count();
    if text.trim().is_empty() || n > 2000 {
        return Err(TtsError::BadText);
    }
    Ok(())
}

/// A [`Tts`] with a folder of finished prompts: `<sha256(voice, text)>.wav`.
pub struct CachedTts<T> {
    inner: T,
    dir: PathBuf,
}

impl<T: Tts> CachedTts<T> {
    pub fn new(inner: T, dir: impl Into<PathBuf>) -> Self {
        CachedTts { inner, dir: dir.into() }
    }

    /// The 8 kHz prompt for `text` in `voice`, made on first use.
    pub fn prompt(&self, text: &str, voice: &str) -> Result<PathBuf, TtsError> {
        check_text(text)?;
        let mut h = Sha256::new();
        h.update(voice.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        let path = self.dir.join(format!("{}.wav", hex::encode(h.finalize())));
        if path.exists() {
            return Ok(path);
        }
        let wav = to_8k_wav(&self.inner.synthesize(text, voice)?)?;
        std::fs::create_dir_all(&self.dir)?;
        // Write then rename, so a half-written file is never served.
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, wav)?;
        std::fs::rename(&tmp, &path)?;
        Ok(path)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Reads a 16-bit PCM WAV (mono or stereo, any rate; streaming headers with
/// unknown sizes accepted) and returns it as 8 kHz mono 16-bit PCM WAV.
pub fn to_8k_wav(wav: &[u8]) -> Result<Vec<u8>, TtsError> {
    let (rate, channels, data) = pcm16(wav)?;
    let mono: Vec<f32> = data
        .chunks_exact(2 * usize::from(channels))
        .map(|frame| {
            let sum: i32 = frame.chunks_exact(2).map(|s| i32::from(i16::from_le_bytes([s[0], s[1]]))).sum();
            sum as f32 / f32::from(channels)
        })
        .collect();
    let samples = resample(&mono, rate, 8000);
    Ok(wav_bytes(&samples, 8000))
}

fn pcm16(wav: &[u8]) -> Result<(u32, u16, &[u8]), TtsError> {
    if wav.len() < 12 || &wav[..4] != b"RIFF" || &wav[8..12] != b"WAVE" {
        return Err(TtsError::BadAudio("not a WAV file"));
    }
    let mut at = 12;
    let mut fmt: Option<(u16, u16, u32, u16)> = None;
    while at + 8 <= wav.len() {
        let id = &wav[at..at + 4];
        let size = u32::from_le_bytes([wav[at + 4], wav[at + 5], wav[at + 6], wav[at + 7]]) as usize;
        let body = at + 8;
        if id == b"fmt " {
            let f = wav.get(body..body + 16).ok_or(TtsError::BadAudio("short fmt chunk"))?;
            let u16_at = |i: usize| u16::from_le_bytes([f[i], f[i + 1]]);
            fmt = Some((u16_at(0), u16_at(2), u32::from_le_bytes([f[4], f[5], f[6], f[7]]), u16_at(14)));
        } else if id == b"data" {
            let (format, channels, rate, bits) = fmt.ok_or(TtsError::BadAudio("data before fmt"))?;
            if format != 1 || bits != 16 || channels == 0 || channels > 2 || rate < 8000 {
                return Err(TtsError::BadAudio("only 16-bit PCM, mono or stereo, at 8 kHz or more"));
            }
            // Streamed WAVs carry a placeholder size: take what is there.
            let end = body.saturating_add(size).min(wav.len());
            return Ok((rate, channels, &wav[body..end]));
        }
        at = body.saturating_add(size + size % 2);
    }
    Err(TtsError::BadAudio("no data chunk"))
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

fn wav_bytes(samples: &[i16], rate: u32) -> Vec<u8> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Power of `freq` in `x` at `rate` (Goertzel).
    fn power(x: &[i16], rate: f64, freq: f64) -> f64 {
        let w = 2.0 * std::f64::consts::PI * freq / rate;
        let (mut s1, mut s2) = (0.0, 0.0);
        for &v in x {
            let s = f64::from(v) + 2.0 * w.cos() * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2
    }

    fn tone(rate: u32, freqs: &[f64], secs: f64) -> Vec<u8> {
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
        let kept = power(&out, 8000.0, 1000.0);
        let alias = power(&out, 8000.0, 2000.0);
        assert!(kept > 1000.0 * alias, "1 kHz {kept:e} vs alias {alias:e}");
    }

    #[test]
    fn bad_audio_is_an_error() {
        assert!(matches!(to_8k_wav(b"RIFF"), Err(TtsError::BadAudio(_))));
        let mut w = tone(8000, &[440.0], 0.1);
        w[20] = 3; // format tag 3: float
        assert!(matches!(to_8k_wav(&w), Err(TtsError::BadAudio(_))));
    }

    /// A stand-in engine that counts its calls.
    struct Counting(std::sync::atomic::AtomicUsize);

    impl Tts for Counting {
        fn synthesize(&self, _: &str, _: &str) -> Result<Vec<u8>, TtsError> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(tone(16000, &[440.0], 0.2))
        }
    }

    #[test]
    fn the_cache_synthesizes_each_prompt_once() {
        let dir = tempfile::tempdir().unwrap();
        let tts = CachedTts::new(Counting(0.into()), dir.path());
        let a = tts.prompt("您好", "cmn").unwrap();
        assert_eq!(tts.prompt("您好", "cmn").unwrap(), a);
        let b = tts.prompt("您好", "yue").unwrap();
        assert_ne!(a, b, "voice is part of the key");
        assert_eq!(tts.inner.0.load(std::sync::atomic::Ordering::SeqCst), 2);
        assert_eq!(decode(&std::fs::read(a).unwrap()).len(), 1600);
        assert!(matches!(tts.prompt("  ", "cmn"), Err(TtsError::BadText)));
    }
}
