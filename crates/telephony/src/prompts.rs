//! The prompts the call orchestrator asks for, as bytes of WAV files: the
//! built-in ones (see `prompts/README.md`), or files of the same names in a
//! configured folder.

use std::path::Path;

/// File names of the prompts, without the folder.
pub const GREETING: &str = "greeting.wav";
pub const INVALID: &str = "invalid.wav";
pub const SORRY: &str = "sorry.wav";
pub const MUSIC_ON_HOLD: &str = "moh.wav";

/// The built-in prompt called `name`.
pub fn builtin(name: &str) -> Option<&'static [u8]> {
    match name {
        GREETING => Some(include_bytes!("../prompts/greeting.wav")),
        INVALID => Some(include_bytes!("../prompts/invalid.wav")),
        SORRY => Some(include_bytes!("../prompts/sorry.wav")),
        MUSIC_ON_HOLD => Some(include_bytes!("../prompts/moh.wav")),
        _ => None,
    }
}

/// The prompt `name` from `dir` when it has one, else the built-in one.
pub fn load(dir: &Path, name: &str) -> std::io::Result<Vec<u8>> {
    if !dir.as_os_str().is_empty() {
        let path = dir.join(name);
        if path.exists() {
            return std::fs::read(path);
        }
    }
    builtin(name)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, format!("no prompt called {name}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_prompts_are_wav_files() {
        for name in [GREETING, INVALID, SORRY, MUSIC_ON_HOLD] {
            let bytes = builtin(name).unwrap();
            assert_eq!(&bytes[..4], b"RIFF", "{name}");
            assert_eq!(&bytes[8..12], b"WAVE", "{name}");
        }
        assert!(builtin("nope.wav").is_none());
    }

    #[test]
    fn a_folder_overrides_one_prompt() {
        let dir = std::env::temp_dir().join(format!("hotline-prompts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(SORRY), b"RIFFmine").unwrap();
        assert_eq!(load(&dir, SORRY).unwrap(), b"RIFFmine");
        assert_eq!(load(&dir, GREETING).unwrap(), builtin(GREETING).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
