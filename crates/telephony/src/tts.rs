//! Text-to-speech for prompts: espeak-ng out of the box (Mandarin `cmn`,
//! Cantonese `yue`, English `en`), behind the [`Tts`] trait so an HTTP TTS
//! service can replace it, and a cache keyed by voice and text so each
//! prompt is synthesized once. Output is what the media layer plays best:
//! 8 kHz, 16-bit, mono PCM WAV.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

pub use crate::audio::to_8k_wav;

#[derive(Debug, thiserror::Error)]
pub enum TtsError {
    #[error("text to speak is empty or longer than 2000 characters")]
    BadText,
    #[error("unknown voice `{0}`")]
    BadVoice(String),
    #[error("speech engine failed: {0}")]
    Engine(String),
    #[error("speech engine gave no usable audio: {0}")]
    BadAudio(#[from] crate::audio::AudioError),
    #[error("prompt cache: {0}")]
    Io(#[from] std::io::Error),
}

/// A speech engine. Returns a WAV file (any PCM rate; see [`to_8k_wav`]).
pub trait Tts: Send + Sync {
    fn synthesize(&self, text: &str, voice: &str) -> Result<Vec<u8>, TtsError>;
}

impl<T: Tts + ?Sized> Tts for Box<T> {
    fn synthesize(&self, text: &str, voice: &str) -> Result<Vec<u8>, TtsError> {
        (**self).synthesize(text, voice)
    }
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

impl EspeakNg {
    /// Whether the espeak-ng program can be run.
    pub fn available(&self) -> bool {
        std::process::Command::new(&self.binary)
            .arg("--version")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{tests::tone, wav_info};

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
        assert_eq!(wav_info(&std::fs::read(a).unwrap()), Some((8000, 1, 1600)));
        assert!(matches!(tts.prompt("  ", "cmn"), Err(TtsError::BadText)));
    }
}
