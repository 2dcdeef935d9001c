//! # hotline-sip: the SIP signaling core, sans-IO
//!
//! Messages (RFC 3261 §7), TCP framing, the four transaction kinds with
//! their timers (§17, RFC 6026), dialogs (§12), server- and client-side
//! digest authentication (RFC 7616, RFC 8760) and a registrar (§10.3).
//! Nothing here owns a socket, reads a clock, sleeps or draws random
//! numbers: time ([`Time`], milliseconds) and random bytes (for branches,
//! tags, nonces) are arguments. No input can make it panic: errors are
//! values, and the parser, the framer and the transaction layer are fuzzed
//! (`fuzz/`, outside the workspace) and property-tested.
//!
//! ## The input/output contract
//!
//! The [`TransactionLayer`] is driven like str0m's `Rtc`:
//!
//! 1. [`TransactionLayer::handle_input`]`(now, input)` with one [`Input`]:
//!    bytes received (a datagram, or one message framed with
//!    [`next_frame`]), a request or a response the application (the
//!    transaction user, TU) sends, a transport error, or `Timeout`.
//! 2. Drain [`TransactionLayer::poll_output`] until `None`: send each
//!    [`Output::Transmit`] to its `dest` over its `transport`; hand each
//!    [`Output::Event`] to the TU (a new request, a CANCEL with the INVITE it
//!    cancels, an ACK for a 2xx, a response, a timeout, ...).
//! 3. Sleep until [`TransactionLayer::poll_timeout`] (or the next message)
//!    and feed `Input::Timeout`.
//!
//! ```
//! use hotline_sip::{Event, Input, Output, Time, TransactionLayer, Transport};
//!
//! let mut layer = TransactionLayer::default();
//! let from = "192.0.2.10:5060".parse().unwrap();
//! let bytes = b"OPTIONS sip:hotline SIP/2.0\r\n\
//!     Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK74b\r\n\
//!     From: <sip:8001@hotline>;tag=a1\r\nTo: <sip:hotline>\r\n\
//!     Call-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
//! layer.handle_input(Time(0), Input::Receive { from, transport: Transport::Udp, bytes: bytes.to_vec() })?;
//! while let Some(out) = layer.poll_output() {
//!     if let Output::Event(Event::Request { key, request, .. }) = out {
//!         let response = request.response(200).with_to_tag("b2");
//!         layer.handle_input(Time(5), Input::SendResponse { key, response })?;
//!     }
//! }
//! // The 200 is now waiting in poll_output() as a Transmit to 192.0.2.10:5060,
//! // and Timer J runs: poll_timeout() says when to come back.
//! assert_eq!(layer.poll_timeout(), Some(Time(5 + 32_000)));
//! # Ok::<(), hotline_sip::TxError>(())
//! ```
//!
//! The other parts are plain values and functions: [`Message::parse`] and
//! [`Request::to_bytes`], [`Request::response`], [`dialog::Dialog`],
//! [`registrar::Registrar::handle`] (a REGISTER in, an outcome with the
//! response out), [`auth::Authenticator`], [`validate::check_request`].
//!
//! ## Why our own parser
//!
//! Two maintained crates were evaluated (crates.io, 2026):
//! - `rsipstack` 0.7 (its `sip` module is the maintained rsip fork). With
//!   default features off it does not build at all until a platform backend
//!   is chosen (tokio or embassy). Its `parse_message` reads an unparsable
//!   Content-Length as 0, cuts short bodies silently, skips header lines
//!   without a colon and checks neither mandatory nor duplicate headers:
//!   RFC 4475's `clerr`, `ncl`, `mcl01`, `badinv01` would be accepted, and a
//!   server could not say *why* it refuses a request.
//! - `ezk-sip-types` 0.6: a clean nom-based parser and printer, but header by
//!   header; whole messages, bodies and stream framing live in ezk's
//!   tokio-based `sip-core`, and its errors are nom errors, not reasons.
//!
//! A server needs the opposite shape: whole messages from bytes, refused
//! with a reason phrase (`400 Missing Call-ID`, see [`ParseError`]), stream
//! framing, and the few headers it acts on understood by meaning while the
//! rest is kept verbatim. That is about a thousand lines (`message/`),
//! checked against the RFC 4475 torture messages (`tests/torture/`).
//!
//! ## Modules
//! - [`message`]: [`Request`], [`Response`], [`Message`], [`Headers`] with
//!   typed accessors (Via, From/To, Contact, CSeq, ...), [`reject`] (the
//!   stateless 400 for a request that does not parse).
//! - [`framing`]: where a message ends on a stream.
//! - [`transaction`]: the layer and the four transaction kinds; [`timers`].
//! - [`dialog`]: in-dialog requests and matching.
//! - [`auth`]: digest challenges and verification, and the client side.
//! - [`registrar`]: bindings, expiry, the failed-login limit.
//! - [`validate`]: a UAS's checks before acting (405, 416, 420, 415, 406).
//! - [`ids`]: branches, tags and Call-IDs from caller-supplied random bytes.

pub mod auth;
pub mod dialog;
mod error;
pub mod framing;
/// The guard against guessing and flooding (shared with the web sign-in).
pub use hotline_guard as guard;
pub mod ids;
pub mod message;
pub mod registrar;
mod time;
pub mod timers;
pub mod transaction;
pub mod validate;

pub use error::ParseError;
pub use framing::{frame, next_frame, Frame, Framed, FramingError, MAX_MESSAGE};
pub use message::{
    canonical_name, reason_phrase, reject, CSeq, Header, Headers, Message, MessageKind, Method,
    NameAddr, Params, Request, Response, SipUri, StartLine, Via,
};
pub use time::Time;
pub use transaction::{
    Event, Input, Output, TransactionLayer, Transmit, Transport, TxError, TxKey,
};
