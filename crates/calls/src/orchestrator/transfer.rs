//! Blind transfer: the agent hands a connected caller on — back into
//! routing in another queue (a new contact linked to the first, with what
//! the IVR collected, a priority boost and the agent's note), or to a
//! number rung as the IVR's transfer node does. The first agent's contact
//! is finished (cause `transferred`), so they go to wrap-up.

use std::collections::BTreeMap;

use super::{Orchestrator, Phase};
use crate::types::*;

/// What the caller was queued with, kept for a later transfer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Submitted {
    pub priority: u32,
    pub vars: BTreeMap<String, String>,
}

impl Orchestrator {
    /// Whether `queue` is one routing knows (a transfer target).
    pub fn has_queue(&self, queue: &str) -> bool {
        self.cfg.queues.iter().any(|q| q.queue == queue)
    }

    /// A supervisor took over (the driver swapped the legs): the agent's
    /// contact ends (wrap-up), and the call goes on between the caller and
    /// the supervisor as a transferred call does (either hanging up ends it).
    pub(super) fn take_over(&mut self, call: CallId, by: String) {
        if !matches!(self.phase(call), Some(Phase::Bridged { .. })) {
            return;
        }
        if self.is_held(call) {
            self.take_back(call);
            self.emit(Output::StopMedia { call });
        }
        let contact = self.contact(call);
        self.emit(Output::Finish { contact, cause: Cause::TakenOver });
        self.set_phase(call, Phase::Transferred { number: by });
    }

    pub(super) fn transfer(&mut self, call: CallId, to: TransferTo) {
        if !matches!(self.phase(call), Some(Phase::Bridged { .. })) {
            return;
        }
        if self.is_held(call) {
            self.take_back(call);
        }
        let old = self.contact(call);
        // What plays next (music while the transfer target is found) stops the hold music first.
        self.emit(Output::Hangup { call, side: Side::Agent, cause: Cause::Transferred });
        self.emit(Output::Finish { contact: old.clone(), cause: Cause::Transferred });
        match to {
            TransferTo::Number { number } => self.start_transfer(call, number),
            TransferTo::Queue { queue, contact, note, by } => {
                let Some(c) = self.calls.get_mut(&call) else { return };
                let mut vars = c.submitted.vars.clone();
                let priority = c.submitted.priority.saturating_add(TRANSFER_PRIORITY_BOOST);
                vars.insert("transferred_from".into(), old.clone());
                vars.insert("transferred_by".into(), by);
                if !note.trim().is_empty() {
                    vars.insert("transfer_note".into(), note);
                }
                c.contact = contact.clone();
                c.hold = Default::default();
                self.by_contact.remove(&old);
                self.by_contact.insert(contact.clone(), call);
                self.emit(Output::Transferred { call, from: old, to: contact.clone(), queue: queue.clone() });
                self.enqueue(call, queue, priority, vars);
            }
        }
    }
}
