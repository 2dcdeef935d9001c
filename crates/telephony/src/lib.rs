//! # hotline-telephony
//!
//! The IO around Hotline's telephony cores: SIP over UDP and TCP (driving
//! `hotline-sip`'s transactions and registrar), RTP sockets and per-call
//! media tasks (built from `hotline-media`), and the task that runs the call
//! orchestrator (`hotline-calls`) against the routing engine.

pub mod audio;
pub mod credentials;
pub mod lookups;
pub mod ports;
pub mod prompts;
pub mod reconcile;
pub mod recordings;
pub mod transport;
pub mod tts;
