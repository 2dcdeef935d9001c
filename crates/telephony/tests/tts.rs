//! Prompts spoken by the real espeak-ng (installed by `.ci/run`).

use hotline_telephony::tts::{to_8k_wav, CachedTts, EspeakNg, Tts, TtsError};

#[test]
fn espeak_speaks_mandarin_and_english_at_8_khz() {
    let dir = tempfile::tempdir().unwrap();
    let tts = CachedTts::new(EspeakNg::default(), dir.path());
    for (text, voice) in [("您好，欢迎致电热线服务中心。", "cmn"), ("Welcome to the hotline.", "en")] {
        let path = tts.prompt(text, voice).unwrap();
        let wav = std::fs::read(&path).unwrap();
        assert_eq!(&wav[24..28], &8000u32.to_le_bytes(), "8 kHz");
        let samples: Vec<i16> = wav[44..].chunks_exact(2).map(|s| i16::from_le_bytes([s[0], s[1]])).collect();
        assert!(samples.len() > 8000, "{text}: at least a second of speech, got {} samples", samples.len());
        let loud = samples.iter().filter(|s| s.unsigned_abs() > 1000).count();
        assert!(loud > samples.len() / 20, "{text}: mostly silence");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "one cached file per prompt");
}

#[test]
fn a_bad_voice_or_text_is_an_error_not_a_crash() {
    let e = EspeakNg::default();
    assert!(matches!(e.synthesize("hello", "no voice; rm -rf /"), Err(TtsError::BadVoice(_))));
    let err = e.synthesize("hello", "zz-nonexistent").unwrap_err();
    assert!(err.to_string().contains("voice does not exist"), "{err}");
    assert!(matches!(e.synthesize("", "en"), Err(TtsError::BadText)));
    let raw = e.synthesize("--version", "en").unwrap();
    assert!(to_8k_wav(&raw).is_ok(), "text that looks like an option is spoken, not obeyed");
}
