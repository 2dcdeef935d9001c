//! # hotline-sip: SIP messages, sans-IO
//!
//! Parsing and printing of SIP requests and responses (RFC 3261 §7) with
//! precise errors — each [`ParseError`] reads as the reason phrase of the
//! `400 Bad Request` a server answers with — and message framing on stream
//! transports ([`frame`]), and server-side digest authentication ([`auth`]).
//! No sockets, no clocks; never a panic on input.
//!
//! Why our own parser: the crates looked at either parse header by header
//! and leave message splitting and framing to a larger, tokio-bound stack
//! (ezk-sip-types, rsipstack's `sip` module), or are unmaintained (rsip).
//! A server needs exactly the opposite shape: whole messages from bytes,
//! with the reason a message is refused, and a small set of headers it
//! understands by meaning ([`Message::via`], [`Message::cseq`], ...), the
//! rest kept verbatim and printed back in order.

pub mod auth;
pub mod dialog;
mod error;
mod framing;
mod headers;
mod message;
pub mod registrar;
pub mod transaction;

pub use error::ParseError;
pub use framing::{frame, Frame, MAX_MESSAGE};
pub use headers::{canonical_name, NameAddr, Via};
pub use message::{bad_request, Message, Method, StartLine};
