//! The matching interface between the event logic (`core`) and the data
//! structures that answer "which agent for this contact" and "which contact for
//! this agent". [`crate::index::Indexed`] answers in O(log n) in the common
//! case; [`crate::naive::Naive`] scans everything and serves as the reference.
//!
//! Both answer the same questions with the same total orders, so for the same
//! inputs they make the same decisions:
//! - an agent for a contact: among free eligible agents, the smallest
//!   strategy key `(k1, k2, agent id)` (see `Agent::key`); for `BestSkill`, the
//!   highest summed proficiency first, then the smallest key;
//! - a contact for an agent: among waiting, non-sticky contacts the agent may
//!   take, the highest effective priority, then the earliest arrival sequence.

use crate::types::{AgentId, ContactId};
use crate::world::World;

pub trait Matcher: Default {
    /// Re-file agent `a` after any change to it (it may have logged out).
    fn sync_agent(&mut self, w: &World, a: AgentId);
    /// Waiting contact `c`, not in a sticky window, joins the waiting sets.
    fn insert_waiting(&mut self, w: &World, c: ContactId);
    /// Inverse of `insert_waiting`; call before changing the contact's queue, step or order key.
    fn remove_waiting(&mut self, w: &World, c: ContactId);
    /// Best free eligible agent for waiting, non-sticky contact `c`.
    fn best_agent(&self, w: &World, c: ContactId) -> Option<AgentId>;
    /// Highest-priority waiting, non-sticky contact that agent `a` may take now.
    fn best_contact(&self, w: &World, a: AgentId) -> Option<ContactId>;
}
