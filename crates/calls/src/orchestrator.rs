//! The call orchestrator: one state machine per call, driven by events from
//! SIP, media and the routing engine.

use std::collections::{BTreeSet, HashMap, VecDeque};

use crate::types::*;

/// Where a call is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Answered; the greeting menu plays. `playing` is the prompt in progress.
    Menu { menu: usize, invalid: u32, playing: Option<Prompt>, no_input_at: Time, replay_at: Option<Time> },
    /// Submitted to the routing engine; music on hold.
    Queued,
    /// The agent's phone rings for `offer`.
    Ringing { offer: String, agent: String },
    /// The agent answered; waiting for the routing engine to confirm the offer.
    Accepting { offer: String, agent: String },
    /// The agent hung up while `Accepting`.
    AgentLeft { offer: String },
    /// The caller hung up while `Accepting`; the agent leg is being hung up.
    CallerLeft,
    /// Caller and agent talk.
    Bridged { agent: String },
    /// A last prompt plays, then the caller is hung up with `cause`.
    Leaving { cause: Cause },
}

#[derive(Debug, Clone)]
struct Call {
    contact: String,
    from: String,
    phase: Phase,
}

/// A read-only view of one call, for the reconciler and the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallView<'a> {
    pub call: CallId,
    pub contact: &'a str,
    pub from: &'a str,
    pub phase: &'a Phase,
}

/// See the crate docs.
#[derive(Debug, Default)]
pub struct Orchestrator {
    cfg: Config,
    now: Time,
    calls: HashMap<CallId, Call>,
    by_contact: HashMap<String, CallId>,
    /// Menu deadlines; stale entries are skipped when they fire.
    timers: BTreeSet<(Time, CallId)>,
    out: VecDeque<Output>,
}

impl Orchestrator {
    pub fn new(cfg: Config) -> Orchestrator {
        Orchestrator { cfg, ..Orchestrator::default() }
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// When `handle(deadline, Input::Tick)` is due at the latest.
    pub fn next_deadline(&self) -> Option<Time> {
        self.timers.iter().next().map(|t| t.0)
    }

    pub fn call_count(&self) -> usize {
        self.calls.len()
    }

    /// The call serving a routing contact.
    pub fn call_of(&self, contact: &str) -> Option<CallId> {
        self.by_contact.get(contact).copied()
    }

    pub fn view(&self, call: CallId) -> Option<CallView<'_>> {
        self.calls.get(&call).map(|c| CallView { call, contact: &c.contact, from: &c.from, phase: &c.phase })
    }

    /// Every live call, by id.
    pub fn views(&self) -> Vec<CallView<'_>> {
        let mut v: Vec<CallView<'_>> = self.calls.keys().filter_map(|&c| self.view(c)).collect();
        v.sort_by_key(|v| v.call);
        v
    }

    /// Applies one input at `now` (earlier times count as the latest seen).
    /// Menu timers due by `now` fire first.
    pub fn handle(&mut self, now: Time, input: Input) {
        self.now = self.now.max(now);
        self.fire_timers();
        match input {
            Input::Incoming { call, contact, to, from, agent } => self.incoming(call, contact, &to, from, agent),
            Input::Digit { call, digit } => self.digit(call, digit),
            Input::PromptDone { call } => self.prompt_done(call),
            Input::CallerGone { call } => self.caller_gone(call),
            Input::Offered { contact, offer, agent, extension } => self.offered(&contact, offer, agent, extension),
            Input::OfferEnded { contact, offer, end } => self.offer_ended(&contact, &offer, end),
            Input::GaveUp { contact } => self.gave_up(&contact),
            Input::SubmitFailed { call } => self.submit_failed(call),
            Input::AgentRinging { .. } => {}
            Input::AgentAnswered { call } => self.agent_answered(call),
            Input::AgentFailed { call, why } => self.agent_failed(call, why),
            Input::AgentGone { call } => self.agent_gone(call),
            Input::AcceptResult { call, ok } => self.accept_result(call, ok),
            Input::Tick => {}
        }
    }

    fn emit(&mut self, o: Output) {
        self.out.push_back(o);
    }

    fn phase(&self, call: CallId) -> Option<&Phase> {
        self.calls.get(&call).map(|c| &c.phase)
    }

    fn set_phase(&mut self, call: CallId, phase: Phase) {
        if let Some(c) = self.calls.get_mut(&call) {
            c.phase = phase;
        }
    }

    fn contact(&self, call: CallId) -> String {
        self.calls.get(&call).map(|c| c.contact.clone()).unwrap_or_default()
    }

    fn end(&mut self, call: CallId, cause: Cause) {
        if let Some(c) = self.calls.remove(&call) {
            self.by_contact.remove(&c.contact);
        }
        self.emit(Output::Ended { call, cause });
    }

    fn incoming(&mut self, call: CallId, contact: String, to: &str, from: String, agent: Option<String>) {
        if self.calls.contains_key(&call) || self.by_contact.contains_key(&contact) {
            return;
        }
        let Some(menu) = self.cfg.menus.iter().position(|m| m.number == to) else {
            let cause = if agent.is_some() { Cause::UnallocatedNumber } else { Cause::CallRejected };
            self.emit(Output::Refuse { call, cause });
            self.emit(Output::Ended { call, cause });
            return;
        };
        let no_input_at = self.now.plus(self.cfg.menus[menu].no_input_to_agent_ms);
        let phase = Phase::Menu { menu, invalid: 0, playing: Some(Prompt::Greeting), no_input_at, replay_at: None };
        self.by_contact.insert(contact.clone(), call);
        self.calls.insert(call, Call { contact, from, phase });
        self.timers.insert((no_input_at, call));
        self.emit(Output::Answer { call });
        self.emit(Output::Play { call, prompt: Prompt::Greeting });
    }

    fn digit(&mut self, call: CallId, digit: char) {
        let Some(Phase::Menu { menu, invalid, .. }) = self.phase(call).cloned() else { return };
        let m = &self.cfg.menus[menu];
        if let Some(queue) = m.queue_for(digit).map(str::to_owned) {
            return self.enqueue(call, queue);
        }
        if invalid + 1 > m.max_invalid {
            let queue = m.default_queue.clone();
            return self.enqueue(call, queue);
        }
        let no_input_at = self.now.plus(m.no_input_to_agent_ms);
        self.timers.insert((no_input_at, call));
        let phase = Phase::Menu { menu, invalid: invalid + 1, playing: Some(Prompt::Invalid), no_input_at, replay_at: None };
        self.set_phase(call, phase);
        self.emit(Output::StopMedia { call });
        self.emit(Output::Play { call, prompt: Prompt::Invalid });
    }

    fn enqueue(&mut self, call: CallId, queue: String) {
        let contact = self.contact(call);
        self.set_phase(call, Phase::Queued);
        self.emit(Output::StopMedia { call });
        self.emit(Output::Submit { call, contact, queue });
        self.emit(Output::Play { call, prompt: Prompt::MusicOnHold });
    }

    fn prompt_done(&mut self, call: CallId) {
        match self.phase(call).cloned() {
            Some(Phase::Menu { menu, invalid, playing: Some(Prompt::Invalid), no_input_at, .. }) => {
                let phase = Phase::Menu { menu, invalid, playing: Some(Prompt::Greeting), no_input_at, replay_at: None };
                self.set_phase(call, phase);
                self.emit(Output::Play { call, prompt: Prompt::Greeting });
            }
            Some(Phase::Menu { menu, invalid, playing: Some(_), no_input_at, .. }) => {
                let replay_at = self.now.plus(self.cfg.menus[menu].replay_after_ms);
                self.timers.insert((replay_at, call));
                let phase = Phase::Menu { menu, invalid, playing: None, no_input_at, replay_at: Some(replay_at) };
                self.set_phase(call, phase);
            }
            Some(Phase::Leaving { cause }) => {
                self.emit(Output::Hangup { call, side: Side::Caller, cause });
                self.end(call, cause);
            }
            _ => {}
        }
    }

    fn fire_timers(&mut self) {
        while let Some(&(at, call)) = self.timers.iter().next() {
            if at > self.now {
                break;
            }
            self.timers.remove(&(at, call));
            let Some(Phase::Menu { menu, invalid, playing, no_input_at, replay_at }) = self.phase(call).cloned() else {
                continue;
            };
            if at == no_input_at {
                let queue = self.cfg.menus[menu].default_queue.clone();
                self.enqueue(call, queue);
            } else if replay_at == Some(at) && playing.is_none() {
                let phase = Phase::Menu { menu, invalid, playing: Some(Prompt::Greeting), no_input_at, replay_at: None };
                self.set_phase(call, phase);
                self.emit(Output::Play { call, prompt: Prompt::Greeting });
            }
        }
    }

    fn caller_gone(&mut self, call: CallId) {
        let Some(phase) = self.phase(call).cloned() else { return };
        let contact = self.contact(call);
        match phase {
            Phase::Menu { .. } => self.end(call, Cause::OriginatorCancel),
            Phase::Queued => {
                self.emit(Output::Abandon { contact });
                self.end(call, Cause::OriginatorCancel);
            }
            Phase::Ringing { .. } => {
                self.emit(Output::CancelDial { call });
                self.emit(Output::Abandon { contact });
                self.end(call, Cause::OriginatorCancel);
            }
            Phase::Accepting { .. } => {
                self.emit(Output::Hangup { call, side: Side::Agent, cause: Cause::OriginatorCancel });
                self.set_phase(call, Phase::CallerLeft);
            }
            Phase::AgentLeft { .. } | Phase::CallerLeft => self.set_phase(call, Phase::CallerLeft),
            Phase::Bridged { .. } => {
                self.emit(Output::Hangup { call, side: Side::Agent, cause: Cause::NormalClearing });
                self.emit(Output::Finish { contact, cause: Cause::NormalClearing });
                self.end(call, Cause::NormalClearing);
            }
            Phase::Leaving { cause } => self.end(call, cause),
        }
    }

    fn offered(&mut self, contact: &str, offer: String, agent: String, extension: String) {
        let Some(call) = self.call_of(contact) else { return };
        match self.phase(call) {
            Some(Phase::Queued) => {
                self.set_phase(call, Phase::Ringing { offer, agent });
                self.emit(Output::Dial { call, extension });
            }
            // Not ours to ring now (leaving, or a stray offer): let it go at once.
            Some(Phase::Leaving { .. } | Phase::CallerLeft) => self.emit(Output::RejectOffer { offer }),
            _ => {}
        }
    }

    fn offer_ended(&mut self, contact: &str, offer: &str, end: OfferEnd) {
        let Some(call) = self.call_of(contact) else { return };
        let Some(Phase::Ringing { offer: ringing, .. }) = self.phase(call) else { return };
        if ringing != offer || matches!(end, OfferEnd::Accepted | OfferEnd::Rejected) {
            return;
        }
        // Timed out (nobody picked up in time) or rescinded (the agent logged out).
        self.emit(Output::CancelDial { call });
        self.set_phase(call, Phase::Queued);
    }

    fn gave_up(&mut self, contact: &str) {
        let Some(call) = self.call_of(contact) else { return };
        match self.phase(call) {
            Some(Phase::Queued) => {}
            Some(Phase::Ringing { .. }) => self.emit(Output::CancelDial { call }),
            _ => return,
        }
        self.set_phase(call, Phase::Leaving { cause: Cause::GaveUp });
        self.emit(Output::StopMedia { call });
        self.emit(Output::Play { call, prompt: Prompt::Sorry });
    }

    fn submit_failed(&mut self, call: CallId) {
        if self.phase(call) != Some(&Phase::Queued) {
            return;
        }
        self.set_phase(call, Phase::Leaving { cause: Cause::ServerError });
        self.emit(Output::StopMedia { call });
        self.emit(Output::Play { call, prompt: Prompt::Sorry });
    }

    fn agent_answered(&mut self, call: CallId) {
        match self.phase(call).cloned() {
            Some(Phase::Ringing { offer, agent }) => {
                self.set_phase(call, Phase::Accepting { offer: offer.clone(), agent });
                self.emit(Output::AcceptOffer { call, offer });
            }
            // The phone answered as we cancelled it: the 200 crossed the CANCEL.
            Some(_) => self.emit(Output::Hangup { call, side: Side::Agent, cause: Cause::LoseRace }),
            None => {}
        }
    }

    fn agent_failed(&mut self, call: CallId, why: DialFailure) {
        let Some(Phase::Ringing { offer, .. }) = self.phase(call).cloned() else { return };
        let _ = why;
        self.set_phase(call, Phase::Queued);
        self.emit(Output::RejectOffer { offer });
    }

    fn agent_gone(&mut self, call: CallId) {
        let contact = self.contact(call);
        match self.phase(call).cloned() {
            Some(Phase::Bridged { .. }) => {
                self.emit(Output::Hangup { call, side: Side::Caller, cause: Cause::NormalClearing });
                self.emit(Output::Finish { contact, cause: Cause::NormalClearing });
                self.end(call, Cause::NormalClearing);
            }
            Some(Phase::Accepting { offer, .. }) => self.set_phase(call, Phase::AgentLeft { offer }),
            _ => {}
        }
    }

    fn accept_result(&mut self, call: CallId, ok: bool) {
        let contact = self.contact(call);
        match (self.phase(call).cloned(), ok) {
            (Some(Phase::Accepting { agent, .. }), true) => {
                self.set_phase(call, Phase::Bridged { agent });
                self.emit(Output::StopMedia { call });
                self.emit(Output::Bridge { call });
            }
            (Some(Phase::Accepting { .. }), false) => {
                // The offer ended before the answer reached routing: the caller
                // keeps waiting (music on hold never stopped).
                self.emit(Output::Hangup { call, side: Side::Agent, cause: Cause::LoseRace });
                self.set_phase(call, Phase::Queued);
            }
            (Some(Phase::AgentLeft { .. }), true) => {
                self.emit(Output::Hangup { call, side: Side::Caller, cause: Cause::NormalClearing });
                self.emit(Output::Finish { contact, cause: Cause::NormalClearing });
                self.end(call, Cause::NormalClearing);
            }
            (Some(Phase::AgentLeft { .. }), false) => self.set_phase(call, Phase::Queued),
            (Some(Phase::CallerLeft), true) => {
                self.emit(Output::Finish { contact, cause: Cause::OriginatorCancel });
                self.end(call, Cause::OriginatorCancel);
            }
            (Some(Phase::CallerLeft), false) => {
                self.emit(Output::Abandon { contact });
                self.end(call, Cause::OriginatorCancel);
            }
            _ => {}
        }
    }
}
