//! Hold and resume: the caller hears the queue's music while the agent
//! holds them; how often and how long lands on the interaction.

use super::{Orchestrator, Phase};
use crate::types::*;

/// A call's holds: the one running, how many, how long in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct HoldLog {
    since: Option<Time>,
    count: u32,
    total_ms: u64,
}

impl Orchestrator {
    /// Whether the caller of `call` is on hold now.
    pub fn is_held(&self, call: CallId) -> bool {
        self.calls.get(&call).is_some_and(|c| c.hold.since.is_some())
    }

    pub(super) fn hold(&mut self, call: CallId, on: bool) {
        if !matches!(self.phase(call), Some(Phase::Bridged { .. })) {
            return;
        }
        let now = self.now;
        let Some(c) = self.calls.get_mut(&call) else { return };
        match (on, c.hold.since) {
            (true, None) => {
                c.hold.since = Some(now);
                c.hold.count += 1;
                self.emit_held(call, true);
                self.emit(Output::Play { call, prompt: MUSIC_ON_HOLD.into() });
            }
            (false, Some(_)) => {
                self.take_back(call);
                self.emit(Output::StopMedia { call });
            }
            // Already so: holding twice is one hold.
            _ => {}
        }
    }

    /// Ends a running hold (the call goes on, or ends while held).
    pub(super) fn take_back(&mut self, call: CallId) {
        let now = self.now;
        let Some(c) = self.calls.get_mut(&call) else { return };
        let Some(since) = c.hold.since.take() else { return };
        c.hold.total_ms += now.0.saturating_sub(since.0);
        self.emit_held(call, false);
    }

    fn emit_held(&mut self, call: CallId, on: bool) {
        let Some(c) = self.calls.get(&call) else { return };
        let (contact, count, total_ms) = (c.contact.clone(), c.hold.count, c.hold.total_ms);
        self.emit(Output::Held { call, contact, on, count, total_ms });
    }
}
