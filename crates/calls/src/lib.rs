//! # hotline-calls: call orchestration, sans-IO
//!
//! Decides what happens to each phone call between the SIP/media layer and
//! the routing engine. It owns no socket, timer or clock: the telephony
//! driver feeds it [`Input`]s with the time, and carries out the
//! [`Output`]s it returns, in order.
//!
//! ```text
//!  caller ──INVITE──► Incoming ─► Answer, Play("greeting")          (Ivr)
//!         ──DTMF 1──► Digit    ─► StopMedia, Submit(sales), Play("moh")  (Queued)
//!  routing ─offer──► Offered  ─► Dial(8001)                        (Ringing)
//!  agent  ──200 OK─► AgentAnswered ─► AcceptOffer                  (Accepting)
//!  routing ─ok─────► AcceptResult  ─► StopMedia, Bridge            (Bridged)
//!  either ──BYE────► CallerGone / AgentGone ─► Hangup(other side), Finish, Ended
//! ```
//!
//! ## Contract
//! - [`Orchestrator::handle`]`(now, input)`, then drain
//!   [`Orchestrator::poll_output`]; call `handle(deadline, Input::Tick)` by
//!   [`Orchestrator::next_deadline`].
//! - Every call ends with exactly one [`Output::Ended`] carrying a [`Cause`].
//!   A call that reached routing ends there exactly once too: with
//!   [`Output::Abandon`] if no agent took it, [`Output::Finish`] if one did,
//!   or by routing itself ([`Input::GaveUp`]).
//! - Offers are reservations in the routing engine; this crate only rings
//!   phones for them. The phone is cancelled when the offer ends unanswered
//!   (timed out, rescinded) and the offer is rejected when the phone fails,
//!   so an agent is never rung for a caller who left, and a phone that
//!   answers after its offer ended is hung up ([`Cause::LoseRace`]) while
//!   the caller keeps waiting.
//! - Unknown calls, contacts and offers are ignored: inputs race with each
//!   other across tasks, and a late one must do nothing.
//!
//! ## IVR
//! A number reaches an IVR flow ([`Entry`]); the caller walks it in a
//! `hotline_ivr::Session` until it queues them, hangs up, or fails. On top of
//! the flow, no key at all for `no_input_to_agent_ms` after the answer (or
//! the last key) queues the caller in the entry's default queue (30 s in the
//! demo, as the seeds require). [`Greeting`] builds the built-in one-key
//! menu as such a flow. Calls to numbers without a flow are refused: `403`
//! without an authenticated agent, `404` otherwise. A voicemail node plays
//! a tone and records the caller (`Output::RecordVoicemail`) until they hang
//! up, press `#` or reach the limit; a transfer node rings an outside number
//! (`Output::DialOut`) and bridges the caller to it.
//!
//! [`reconcile`] compares routing's view of agents with the live calls.

mod greeting;
mod orchestrator;
pub mod outside;
mod reconcile;
mod types;

pub use greeting::Greeting;
pub use orchestrator::{CallView, Orchestrator, Phase};
pub use reconcile::{reconcile, AgentFacts, Repair};
pub use types::*;
