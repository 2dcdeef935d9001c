//! Prompts by name, as the media tasks play them: 8 kHz mono samples,
//! loaded once and shared by every call.
//!
//! A name is resolved in this order:
//! - `tts:<voice>:<text>` — spoken by the text-to-speech engine (cached on
//!   disk by voice and text, see [`crate::tts`]);
//! - `<prompts dir>/<name>.wav` — a prompt uploaded through the API, with
//!   an optional language folder (`en/greeting`);
//! - a built-in prompt with the name's last part (`greeting`, `moh`, ...);
//! - words the speech engine says for number fragments and queue
//!   announcements ([`crate::prompt_words`]).
//!
//! Loading may run a speech engine, so it happens on the blocking pool; the
//! result is kept in memory (prompts are small: a minute is 940 KiB).

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::tts::{CachedTts, Tts};

/// A prompt ready to play: 8 kHz mono 16-bit samples.
pub type Samples = Arc<[i16]>;

#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("no prompt called `{0}`")]
    NotFound(String),
    #[error("prompt `{name}`: {why}")]
    Unusable { name: String, why: String },
}

/// Resolves and caches prompts. Cheap to clone.
#[derive(Clone)]
pub struct PromptLibrary {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    tts: Option<CachedTts<Box<dyn Tts>>>,
    /// Loaded prompts, with the modification time of the uploaded file each
    /// came from (`None`: spoken or built in), so an upload takes effect on
    /// the next play.
    cache: Mutex<HashMap<String, (Samples, Option<SystemTime>)>>,
}

impl PromptLibrary {
    /// Prompts from `dir` (may be empty: built-ins only), spoken text by `tts`.
    pub fn new(dir: impl Into<PathBuf>, tts: Option<CachedTts<Box<dyn Tts>>>) -> PromptLibrary {
        PromptLibrary { inner: Arc::new(Inner { dir: dir.into(), tts, cache: Mutex::new(HashMap::new()) }) }
    }

    /// The prompt called `name`, loading it on first use.
    pub async fn get(&self, name: &str) -> Result<Samples, PromptError> {
        let version = self.upload_time(name);
        if let Some(s) = self.cached(name, version) {
            return Ok(s);
        }
        let me = self.clone();
        let owned = name.to_owned();
        let loaded = tokio::task::spawn_blocking(move || me.load(&owned))
            .await
            .map_err(|e| PromptError::Unusable { name: name.to_owned(), why: e.to_string() })??;
        let mut cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(name.to_owned(), (loaded.clone(), version));
        Ok(loaded)
    }

    fn cached(&self, name: &str, version: Option<SystemTime>) -> Option<Samples> {
        let cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(name).filter(|(_, v)| *v == version).map(|(s, _)| s.clone())
    }

    /// When the uploaded file for `name` was last written, if there is one.
    fn upload_time(&self, name: &str) -> Option<SystemTime> {
        self.upload_path(name)?.metadata().and_then(|m| m.modified()).ok()
    }

    /// Where an upload called `name` lives; `None` for spoken text and
    /// names that would leave the folder.
    fn upload_path(&self, name: &str) -> Option<PathBuf> {
        let rel = Path::new(name);
        let safe = !name.is_empty() && !name.starts_with("tts:") && rel.components().all(|c| matches!(c, Component::Normal(_)));
        (safe && !self.inner.dir.as_os_str().is_empty()).then(|| self.inner.dir.join(format!("{name}.wav")))
    }

    fn load(&self, name: &str) -> Result<Samples, PromptError> {
        let unusable = |why: String| PromptError::Unusable { name: name.to_owned(), why };
        let speak = |voice: &str, text: &str| {
            let tts = self.inner.tts.as_ref().ok_or_else(|| unusable("no text-to-speech engine".into()))?;
            let path = tts.prompt(text, voice).map_err(|e| unusable(e.to_string()))?;
            std::fs::read(path).map_err(|e| unusable(e.to_string()))
        };
        let wav = if let Some(spoken) = name.strip_prefix("tts:") {
            let (voice, text) = spoken.split_once(':').ok_or_else(|| unusable("expected tts:<voice>:<text>".into()))?;
            speak(voice, text)?
        } else {
            match (self.file(name), crate::prompt_words::spoken(name)) {
                // The voicemail tone, unless someone uploaded their own.
                (Err(PromptError::NotFound(_)), _) if name == hotline_calls::VOICEMAIL_TONE => return Ok(tone(1000.0, 400).into()),
                // Ringback as Chinese exchanges play it: 450 Hz, one second on, four off.
                (Err(PromptError::NotFound(_)), _) if name == hotline_calls::RINGBACK => {
                    let mut s = tone(450.0, 1000);
                    s.resize(5 * 8000, 0);
                    return Ok(s.into());
                }
                // Number fragments and announcements nobody recorded: spoken.
                (Err(PromptError::NotFound(_)), Some((voice, text))) => speak(voice, &text)?,
                (file, _) => file?,
            }
        };
        let samples = crate::audio::samples_8k(&wav).map_err(|e| unusable(e.to_string()))?;
        Ok(samples.into())
    }

    /// An uploaded file, else the built-in prompt of the same last name part.
    fn file(&self, name: &str) -> Result<Vec<u8>, PromptError> {
        let rel = Path::new(name);
        if name.is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(PromptError::NotFound(name.to_owned()));
        }
        if let Some(bytes) = self.upload_path(name).and_then(|p| std::fs::read(p).ok()) {
            return Ok(bytes);
        }
        let base = rel.file_name().and_then(|f| f.to_str()).unwrap_or(name);
        crate::prompts::builtin(&format!("{base}.wav"))
            .map(<[u8]>::to_vec)
            .ok_or_else(|| PromptError::NotFound(name.to_owned()))
    }
}

/// `ms` milliseconds of a sine at `freq` Hz, 8 kHz, with 5 ms fades.
fn tone(freq: f64, ms: usize) -> Vec<i16> {
    let n = ms * 8;
    (0..n)
        .map(|i| {
            let fade = (i.min(n - 1 - i) as f64 / 40.0).min(1.0);
            ((2.0 * std::f64::consts::PI * freq * i as f64 / 8000.0).sin() * 12_000.0 * fade) as i16
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn uploads_win_builtins_fill_in_and_paths_cannot_escape() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("en")).unwrap();
        let tone: Vec<i16> = (0..800).map(|i| if i % 2 == 0 { 1000 } else { -1000 }).collect();
        std::fs::write(dir.path().join("en/greeting.wav"), crate::audio::wav_bytes(&tone, 8000)).unwrap();
        let lib = PromptLibrary::new(dir.path(), None);
        assert_eq!(lib.get("en/greeting").await.unwrap().len(), 800, "the uploaded English greeting");
        let builtin = lib.get("greeting").await.unwrap();
        assert!(builtin.len() > 8000, "the built-in greeting is seconds long");
        assert_eq!(lib.get("fr/moh").await.unwrap().len(), lib.get("moh").await.unwrap().len(), "falls back by last part");
        assert!(matches!(lib.get("../secret").await, Err(PromptError::NotFound(_))));
        assert!(matches!(lib.get("nope").await, Err(PromptError::NotFound(_))));
        assert_eq!(lib.get("beep").await.unwrap().len(), 3200, "the voicemail tone is built in");
        assert_eq!(lib.get("ringback").await.unwrap().len(), 40_000, "so is ringback");
        // A new upload replaces what was cached, from the next play on.
        let path = dir.path().join("en/greeting.wav");
        std::fs::write(&path, crate::audio::wav_bytes(&tone[..400], 8000)).unwrap();
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(later).unwrap();
        assert_eq!(lib.get("en/greeting").await.unwrap().len(), 400, "the new upload plays");
        // An upload under a built-in's name replaces the built-in too.
        std::fs::write(dir.path().join("greeting.wav"), crate::audio::wav_bytes(&tone, 8000)).unwrap();
        assert_eq!(lib.get("greeting").await.unwrap().len(), 800);
        assert!(matches!(lib.get("tts:cmn:你好").await, Err(PromptError::Unusable { .. })), "no engine configured");
    }
}
