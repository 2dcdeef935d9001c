//! # hotline-media: the media plane's building blocks, sans-IO
//!
//! Hotline anchors every call's audio: each leg's RTP comes to the server,
//! which plays prompts, detects keys, bridges and records. This crate holds
//! the parts that need no socket or clock: RTP packets ([`rtp`]), G.711
//! ([`g711`]), RFC 4733 telephone events ([`dtmf`]), tone measurement
//! ([`goertzel`]), SDP offer/answer for G.711 calls ([`sdp`]) and the
//! incremental stereo call recorder ([`recorder`]), a receive jitter buffer
//! ([`jitter`]), a prompt player ([`player`]) and RTCP receive statistics
//! and reports ([`rtcp`]), strict RTP learning ([`source`]: which
//! source a leg takes its packets from), SRTP with SDES keys ([`srtp`]) and the
//! mixing of calls with more than two parties ([`mix`]: who hears whom, from
//! the call's roles). Per-packet code borrows its input and writes into the
//! caller's buffer; malformed packets are errors, never panics.

pub mod dtmf;
pub mod g711;
pub mod goertzel;
pub mod jitter;
pub mod mix;
pub mod player;
pub mod recorder;
pub mod rtcp;
pub mod rtp;
pub mod sdp;
pub mod source;
pub mod srtp;
