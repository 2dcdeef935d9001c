//! The ACD driver: runs the sans-IO routing engine ([`hotline_routing`]) in
//! one tokio task and connects it to the world.
//!
//! - **Commands in.** Everything that changes routing (an agent going ready,
//!   a contact arriving, an offer accepted) is a [`Command`](handle) sent over
//!   a channel to the task that owns the engine, through the cheap, cloneable
//!   [`AcdHandle`]. One owner, no locks: decisions happen in memory, in the
//!   order the commands arrive.
//! - **Time in.** The task sleeps until the engine's next deadline and feeds
//!   it `Tick`; the engine never reads a clock.
//! - **Decisions out.** Engine outputs become [`hotline_events::Event`]s on
//!   the bus (WebSocket, metrics), interaction rows and queue-log rows in the
//!   store. Persistence is asynchronous and batched ([`persist`]): a slow
//!   database delays the log, never a routing decision.
//! - **Identity.** The engine speaks small integer handles; the store and the
//!   API speak string ids. [`ids::Interner`] maps between them, and only this
//!   crate knows both.

mod convert;
mod driver;
mod error;
mod handle;
mod ids;
mod persist;
mod queue_log;

pub use driver::{start, AcdOptions};
pub use error::AcdError;
pub use handle::{AcdHandle, AgentSnapshot, NewContact, OfferSnapshot, QueueSnapshot, StatusRequest};

/// Milliseconds since the Unix epoch: the one clock of the driver.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
