//! # hotline-telephony
//!
//! The IO around Hotline's telephony cores: SIP over UDP and TCP (driving
//! `hotline-sip`'s transactions and registrar), RTP sockets and per-call
//! media tasks (built from `hotline-media`), and the task that runs the call
//! orchestrator (`hotline-calls`) against the routing engine.
//!
//! Here now: SIP transports ([`transport`]), the RTP port pool ([`ports`]),
//! the recording store ([`recordings`]), digest credentials
//! ([`credentials`]), prompts ([`prompts`], [`audio`], [`tts`]), IVR
//! lookups ([`lookups`]), the dial plan ([`dialplan`]) and the reconciler
//! pass ([`reconcile`]). Media tasks and the driver that joins them with
//! `hotline-sip`'s registrar and the orchestrator come next.

pub mod audio;
pub mod credentials;
pub mod dialplan;
pub mod lookups;
pub mod media;
pub mod ports;
pub mod prompt_library;
pub mod prompt_words;
pub mod prompts;
pub mod reconcile;
pub mod sip_server;
pub mod recordings;
pub mod tls;
pub mod transport;
pub mod tts;

/// Milliseconds since the Unix epoch (for rows and timestamps).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// `13812345678` → `138****5678`: at least four middle characters hidden
/// (what the UI shows roles that may not see numbers, and what logs show).
pub fn mask_phone(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let n = chars.len();
    let (head, tail) = if n >= 11 {
        (3, 4)
    } else {
        let shown = n.saturating_sub(4);
        (shown / 2, shown - shown / 2)
    };
    let hidden = n - head - tail;
    chars[..head].iter().chain(std::iter::repeat_n(&'*', hidden)).chain(&chars[n - tail..]).collect()
}
