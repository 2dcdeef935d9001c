//! # hotline-routing: the ACD engine of Hotline
//!
//! A sans-IO state machine that decides which agent gets which contact (call,
//! chat, email). It does no I/O, keeps no clock, spawns nothing and draws no
//! random numbers: the driver passes the time in, and reads decisions out.
//!
//! ## Contract
//!
//! ```
//! use hotline_routing::*;
//! let mut engine = Engine::new();
//! engine.handle(Time(0), Input::UpsertQueue(QueueConfig::simple(QueueId(1))));
//! let profile = AgentProfile {
//!     skills: vec![],
//!     queues: vec![QueueId(1)],
//!     capacity: Capacity { voice: 1, chat: 0, email: 0 },
//! };
//! engine.handle(Time(0), Input::AgentLogin { agent: AgentId(7), profile, status: Status::Available });
//! let spec = ContactSpec {
//!     id: ContactId(1), queue: QueueId(1), channel: Channel::Voice,
//!     required: vec![], priority: 0, tier: 0, last_agent: None,
//! };
//! engine.handle(Time(1_000), Input::ContactArrived(spec));
//! let mut offer = None;
//! while let Some(out) = engine.poll_output() {
//!     if let Output::Offer { offer: id, agent, .. } = out {
//!         assert_eq!(agent, AgentId(7));
//!         offer = Some(id);
//!     }
//! }
//! engine.handle(Time(3_000), Input::OfferAccepted(offer.unwrap()));
//! // ... and when nothing happens, wake the engine at its deadline:
//! if let Some(at) = engine.next_deadline() {
//!     engine.handle(at, Input::Tick);
//! }
//! ```
//!
//! - [`Engine::handle`]`(now, input)` applies one [`Input`] at `now`
//!   (milliseconds since any epoch; time never goes backwards: an earlier `now`
//!   counts as the latest one seen). Timers due by `now` fire first, each at
//!   its own due time, so outputs do not depend on how often the driver ticks.
//! - [`Engine::poll_output`] drains the resulting [`Output`]s in order.
//! - [`Engine::next_deadline`] is when the driver must call
//!   `handle(deadline, Input::Tick)` at the latest.
//! - No input panics. An input that refers to unknown or stale things changes
//!   nothing and yields [`Output::Rejected`] with a [`RejectReason`]
//!   (e.g. an accept for an offer that timed out: `StaleOffer`).
//!
//! ## Agents: status and state
//!
//! An agent's **status** ([`Status`]) is their intent: `Available`,
//! `NotReady { reason }`, or `LoggedOut` (logged-out agents are forgotten:
//! [`Engine::agent`] returns `None`). Their **state** ([`AgentState`]) is
//! system-driven: `Reserved` while an offer rings, `Busy` while an accepted
//! contact is in progress, `WrapUp` after a contact until `wrap_up_ms` passes
//! or `EndWrapUp` (then "auto-ready": `Idle`, status unchanged), else `Idle`.
//! Every change of either is reported by [`Output::AgentChanged`]. Going
//! `NotReady` while busy or ringing changes nothing in progress (a ringing
//! offer can still be accepted); it only stops new offers. After
//! `max_missed_offers` consecutive missed offers (rejected or timed out) the
//! agent becomes `NotReady { reason: "missed" }`; an accept or becoming
//! `Available` again resets the count.
//!
//! Logging out rescinds a ringing offer (the contact goes back to its place)
//! and drops the agent's contacts in progress ([`Output::Finished`] for each).
//!
//! ## Offers
//!
//! An offer is a reservation of one agent for one contact until `expires_at`
//! (`offer_timeout_ms`, at least 1 ms). An agent holds at most one pending
//! offer and a contact rings at most one agent. Every offer ends exactly once
//! ([`Output::OfferEnded`]): `Accepted` (→ [`Output::Assigned`]), `Rejected`
//! or `TimedOut` (a missed offer; the contact keeps its place and may be
//! offered again at once, the agent moves to the back of the line), or
//! `Rescinded` (the caller abandoned, the contact gave up, or the agent logged
//! out; the agent is free at once). Accepting or rejecting an offer that is no
//! longer pending is refused with `StaleOffer`.
//!
//! ## Capacity and blending
//!
//! An agent may be offered a contact of channel `ch` only if it is
//! `Available`, has no pending offer, is not in wrap-up, `capacity.ch > 0`, and
//! - **voice**: it has no contact in progress at all (voice is exclusive);
//! - **chat**: no voice in progress and fewer than `capacity.chat` chats;
//! - **email**: no voice in progress and fewer than `capacity.email` emails.
//!
//! Capacity is checked when an offer is made: an `AgentUpdate` that lowers it
//! leaves ringing and in-progress contacts alone and only holds back new
//! offers until the agent is below the new capacity.
//!
//! Chats and emails may run concurrently. A wrap-up (after a contact of any
//! channel) blocks new offers until it ends; finishing another contact during
//! wrap-up extends it to the later end.
//!
//! ## Which contact, which agent
//!
//! Contacts wait in their queue ordered by **effective priority**
//! `priority + tier * vip_boost + aging_per_sec * seconds waited` (computed in
//! milli-units, integer only), ties by arrival. Waiting is measured from the
//! original arrival, also after an overflow. An agent is **eligible** for a
//! contact if it is a member of the contact's current queue, may take the
//! channel, and satisfies the requirement of the contact's current
//! [`RoutingStep`]: all of the contact's own [`SkillReq`]s (lowered by
//! `relax_contact_levels`, floor 1, or dropped entirely with
//! `drop_contact_skills`) and the step's [`SkillExpr`]. Skill levels above 10
//! count as 10; a missing skill is level 0.
//!
//! After every event the engine restores **work conservation**: no free agent
//! stays eligible for a waiting contact. It does so by repeatedly giving the
//! highest-priority contact that has an eligible free agent to the best such
//! agent by the queue's [`Strategy`]:
//! - `LongestIdle`: earliest "ready since" (the last login, return to
//!   `Available`, accept, missed offer, finished contact or wrap-up end);
//! - `LeastOccupied`: fewest contacts handled today (reset by
//!   `ResetDailyCounters`), then longest idle;
//! - `RoundRobin`: the agent offered a contact of this queue least recently
//!   (agents new to the queue first);
//! - `BestSkill`: highest sum of proficiencies in the skills named by the
//!   contact's current requirement, then longest idle.
//!
//! Remaining ties go to the lowest agent id.
//!
//! **Steps** are timed from entry into the current queue; when a step's
//! `timeout_ms` passes the next one applies ([`Output::StepChanged`]) and the
//! contact keeps its place. **Sticky**: if `last_agent` is logged in and a
//! member of the queue on entry, during the first `sticky_ms` after arrival
//! the contact is offered only to that agent (capacity permitting, skills not
//! required), unless the agent leaves the queue. **Overflow** moves a waiting
//! contact to `target` after `after_ms` in the queue (a ringing contact moves
//! if its offer ends unanswered), or on entry and whenever the last member
//! logs out if `when_no_agents` (never back to a queue the contact already
//! visited by that rule); a contact overflows at most 16 times. In the target
//! queue it starts at step 0 and keeps its arrival time. **Give up**: after
//! `max_wait_ms` in the queue the contact leaves with [`Output::GaveUp`] (a
//! ringing offer is rescinded).
//!
//! ## Statistics
//!
//! [`Engine::queue_stats`]: `waiting` counts contacts in the queue not yet
//! answered (ringing ones included), `longest_wait_ms` is the oldest one's
//! wait. Agent counts cover logged-in members of the queue: `available` and
//! `not_ready` by status; `idle` = available and idle; `reserved`, `busy`,
//! `wrap_up` by state. `offered` counts entries into the queue (arrivals and
//! overflows in), `answered` accepts, `abandoned` caller abandons.
//!
//! **Service level** (see `stats.rs`): over contacts that left the queue
//! within the last `service_level_window_ms`,
//! `SL% = answered within service_level_ms / (answered + abandoned after
//! service_level_ms) × 100`; abandons and give-ups within the threshold are
//! excluded, give-ups after it count as abandons, `None` if nothing counts.
//!
//! **Position and estimated wait** ([`Engine::place`], see `ewt.rs`): the
//! contact's rank by effective priority in its queue, and
//! `EWT(k) = k × AHT / n` with the mean handle time of the queue's last 50
//! contacts and the `Available` members staffing it; `None` when unknown.
//!
//! ## Cost
//!
//! Agents free for a channel are kept per queue in sets ordered by strategy
//! key; waiting contacts per queue in requirement classes ordered by a
//! time-invariant key, indexed by a skill every eligible agent needs (see
//! `index.rs`). A contact joining a non-empty class costs O(log n); a freed
//! agent inspects only the class heads filed under its skills; timers live in
//! one ordered map with lazy cancellation. [`NaiveRouter`] makes the same
//! decisions by linear scans and is the reference in tests and benchmarks.

mod check;
mod core;
mod engine;
mod ewt;
mod flow;
mod index;
mod matcher;
pub mod naive;
mod skills;
mod stats;
mod timers;
mod types;
mod world;

pub use engine::Engine;
pub use ewt::{estimate as estimated_wait_ms, Place};
pub use naive::NaiveRouter;
pub use skills::{MAX_EXPR_DEPTH, MAX_LEVEL};
pub use types::*;
