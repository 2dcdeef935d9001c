//! The public state machine.

use crate::core::Core;
use crate::index::Indexed;
use crate::types::*;
use crate::world::World;

/// The ACD engine: `handle(now, input)` queues outputs, `poll_output()`
/// drains them, `next_deadline()` says when to call `handle(now, Input::Tick)`.
/// See the crate docs for the rules.
#[derive(Debug, Default)]
pub struct Engine {
    pub(crate) core: Core<Indexed>,
}

/// The public API shared by [`Engine`] and [`crate::NaiveRouter`].
macro_rules! router_api {
    ($ty:ident) => {
        impl $ty {
            pub fn new() -> Self {
                Self::default()
            }

            /// Feeds one input at time `now` (milliseconds; a `now` earlier than
            /// a previous one counts as the previous one). Timers due at or
            /// before `now` fire first, each at its own time, then the input
            /// is applied, then timers it made due fire.
            pub fn handle(&mut self, now: $crate::Time, input: $crate::Input) {
                self.core.handle(now, input)
            }

            pub fn poll_output(&mut self) -> Option<$crate::Output> {
                self.core.out.pop_front()
            }

            /// When the next timer is due (possibly one that turns out to be
            /// stale, never later than a live one).
            pub fn next_deadline(&self) -> Option<$crate::Time> {
                self.core.timers.next()
            }

            /// `None` if the queue was never configured.
            pub fn queue_stats(&self, queue: $crate::QueueId, now: $crate::Time) -> Option<$crate::QueueStats> {
                $crate::engine::queue_stats(&self.core.w, queue, now)
            }

            /// A waiting or ringing contact's place in its queue and its
            /// estimated wait (see the crate docs); `None` for unknown or
            /// answered contacts. Costs a scan of the contact's queue.
            pub fn place(&self, contact: $crate::ContactId) -> Option<$crate::Place> {
                $crate::ewt::place(&self.core.w, contact, self.core.w.now)
            }

            /// A logged-in agent; `None` once logged out.
            pub fn agent(&self, agent: $crate::AgentId) -> Option<$crate::AgentView> {
                self.core.w.agents.get(&agent).map(|a| a.view())
            }

            /// All logged-in agents, by id.
            pub fn agents(&self) -> impl Iterator<Item = $crate::AgentView> + '_ {
                let mut ids: Vec<$crate::AgentId> = self.core.w.agents.keys().copied().collect();
                ids.sort();
                ids.into_iter().filter_map(move |a| self.agent(a))
            }

            /// Contacts the engine knows: waiting, ringing or being handled.
            pub fn contact_count(&self) -> usize {
                self.core.w.contacts.len()
            }

            /// Number of entries in the timer wheel, stale ones included.
            pub fn timer_count(&self) -> usize {
                self.core.timers.len()
            }

            /// Test support: check every offer against the FIFO and capacity rules
            /// (costs a scan of the queue per offer).
            #[doc(hidden)]
            pub fn set_checking(&mut self, on: bool) {
                self.core.checking = on;
            }

            /// Test support: brute-force check of all invariants.
            #[doc(hidden)]
            pub fn check_invariants(&self) -> Result<(), String> {
                self.core.check_invariants()
            }
        }
    };
}
pub(crate) use router_api;

router_api!(Engine);

pub(crate) fn queue_stats(w: &World, q: QueueId, now: Time) -> Option<QueueStats> {
    let queue = w.queues.get(&q)?;
    let longest = queue.contacts.first().and_then(|&(_, c)| w.contacts.get(&c)).map_or(0, |x| now.since(x.arrived));
    let mut s = QueueStats {
        waiting: queue.contacts.len() as u32,
        longest_wait_ms: longest,
        agents_logged_in: 0,
        agents_available: 0,
        agents_idle: 0,
        agents_reserved: 0,
        agents_busy: 0,
        agents_wrap_up: 0,
        agents_not_ready: 0,
        offered: 0,
        answered: 0,
        abandoned: 0,
        service_level: None,
        answered_in_window: 0,
        abandoned_in_window: 0,
    };
    for a in w.members.get(&q).into_iter().flatten().filter_map(|a| w.agents.get(a)) {
        s.agents_logged_in += 1;
        let available = a.status == Status::Available;
        s.agents_available += u32::from(available);
        s.agents_not_ready += u32::from(matches!(a.status, Status::NotReady { .. }));
        match a.state() {
            AgentState::Idle => s.agents_idle += u32::from(available),
            AgentState::Reserved => s.agents_reserved += 1,
            AgentState::Busy => s.agents_busy += 1,
            AgentState::WrapUp => s.agents_wrap_up += 1,
        }
    }
    queue.counters.fill(&mut s, now, queue.cfg.service_level_window_ms);
    Some(s)
}
