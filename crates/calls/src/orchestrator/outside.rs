//! Where an IVR flow sends a caller outside the queues: voicemail (a tone,
//! then the caller's message is recorded until they hang up, press `#`, or
//! the time limit) and transfer to an outside number (rung through the
//! telephony layer's route, then bridged and recorded like an agent call,
//! with no routing involved).

use std::collections::BTreeMap;

use super::{Orchestrator, Phase};
use crate::types::*;

impl Orchestrator {
    /// The flow reached a voicemail node.
    pub(super) fn start_voicemail(&mut self, call: CallId, mailbox: String, vars: BTreeMap<String, String>) {
        if let Some(c) = self.calls.get_mut(&call) {
            c.ivr = None;
        }
        self.set_phase(call, Phase::Voicemail { mailbox, vars, until: None });
        self.emit(Output::StopMedia { call });
        self.emit(Output::Play { call, prompt: VOICEMAIL_TONE.into() });
    }

    /// The tone ended: record.
    pub(super) fn voicemail_tone_done(&mut self, call: CallId) {
        let Some(Phase::Voicemail { mailbox, vars, until: None }) = self.phase(call).cloned() else { return };
        let until = self.now.plus(VOICEMAIL_MAX_MS);
        self.timers.insert((until, call));
        let contact = self.contact(call);
        self.set_phase(call, Phase::Voicemail { mailbox: mailbox.clone(), vars: vars.clone(), until: Some(until) });
        self.emit(Output::RecordVoicemail { call, contact, mailbox, vars });
    }

    /// `#`, or the time limit: the message is complete.
    pub(super) fn voicemail_done(&mut self, call: CallId) {
        if !matches!(self.phase(call), Some(Phase::Voicemail { until: Some(_), .. })) {
            return;
        }
        self.emit(Output::Hangup { call, side: Side::Caller, cause: Cause::NormalClearing });
        self.end(call, Cause::NormalClearing);
    }

    /// The voicemail timer fired at `at`.
    pub(super) fn voicemail_timer(&mut self, call: CallId, at: Time) {
        if matches!(self.phase(call), Some(Phase::Voicemail { until: Some(t), .. }) if *t <= at) {
            self.voicemail_done(call);
        }
    }

    /// A call placed by an authenticated agent to `number` (another
    /// extension, or outside through a trunk): the caller hears ringback
    /// while it rings; then they are bridged like a transfer.
    pub(super) fn start_agent_call(&mut self, call: CallId, contact: String, number: &str, from: String) {
        self.by_contact.insert(contact.clone(), call);
        let phase = Phase::Transferring { number: number.to_owned() };
        self.calls.insert(call, super::Call { contact, from, phase, ivr: None, wait: Default::default(), deferred: None, hold: Default::default(), submitted: Default::default() });
        self.emit(Output::Answer { call });
        self.emit(Output::Play { call, prompt: RINGBACK.into() });
        self.emit(Output::DialOut { call, number: number.to_owned() });
    }

    /// The flow transfers the caller to `number`.
    pub(super) fn start_transfer(&mut self, call: CallId, number: String) {
        if let Some(c) = self.calls.get_mut(&call) {
            c.ivr = None;
        }
        self.set_phase(call, Phase::Transferring { number: number.clone() });
        self.emit(Output::StopMedia { call });
        self.emit(Output::Play { call, prompt: MUSIC_ON_HOLD.into() });
        self.emit(Output::DialOut { call, number });
    }

    /// The outside party answered: connect them.
    pub(super) fn transfer_answered(&mut self, call: CallId) {
        let Some(Phase::Transferring { number }) = self.phase(call).cloned() else { return };
        self.set_phase(call, Phase::Transferred { number });
        self.emit(Output::StopMedia { call });
        self.emit(Output::Bridge { call });
    }

    /// The outside number could not be reached.
    pub(super) fn transfer_failed(&mut self, call: CallId, why: DialFailure) {
        if !matches!(self.phase(call), Some(Phase::Transferring { .. })) {
            return;
        }
        let cause = match why {
            DialFailure::Busy => Cause::UserBusy,
            DialFailure::Unreachable => Cause::Unreachable,
        };
        self.leave(call, cause);
    }
}
