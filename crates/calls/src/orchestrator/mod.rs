//! The call orchestrator: one state machine per call, driven by events from
//! SIP, media and the routing engine. This file holds the call's life from
//! the INVITE to the end; `waiting.rs` what a queued caller hears and the
//! callback, `survey.rs` the post-call survey.

mod hold;
mod outside;
mod survey;
mod transfer;
mod waiting;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use hotline_ivr::{Input as IvrInput, Output as IvrOutput, Session, Time as IvrTime};

use crate::types::*;

/// Where a call is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Answered; the number's emergency broadcast plays first.
    Broadcast { entry: usize, instead: bool },
    /// Answered; the caller is in an IVR flow (the session is kept with the
    /// call). `no_input_at`: when silence since the answer or the last key
    /// sends the caller to the entry's default queue.
    Ivr { entry: usize, no_input_at: Option<Time> },
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
    /// Callback: the agent is on the line, the customer is being called.
    CallingBack { agent: String },
    /// The agent hung up; the caller answers the satisfaction survey.
    Survey,
    /// A last prompt plays, then the caller is hung up with `cause`.
    Leaving { cause: Cause },
    /// Voicemail: the tone plays (`until` is `None`), then the message is
    /// recorded until `until`, `#` or the caller hanging up.
    Voicemail { mailbox: String, vars: BTreeMap<String, String>, until: Option<Time> },
    /// Transfer: the outside number rings; the caller hears music.
    Transferring { number: String },
    /// Transfer: the caller and the outside party talk.
    Transferred { number: String },
}

#[derive(Debug)]
struct Call {
    contact: String,
    from: String,
    phase: Phase,
    /// The IVR session while in `Phase::Ivr` or `Phase::Survey`.
    ivr: Option<Session>,
    /// What happens while the caller waits (see `waiting.rs`).
    wait: waiting::Waiting,
    /// An offer that came while the last one was being confirmed (routing
    /// moved on): (offer, agent, extension), rung if the confirmation fails.
    deferred: Option<(String, String, String)>,
    /// Holds while bridged (see `hold.rs`).
    hold: hold::HoldLog,
    /// What the caller was queued with (see `transfer.rs`).
    submitted: transfer::Submitted,
}

/// Where a caller asked to be called back stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Callback {
    #[default]
    No,
    /// The key was pressed; the confirmation plays, the line is still up.
    Confirming,
    /// The caller's line is gone; the contact keeps its place in the queue.
    Waiting,
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
    /// IVR deadlines (no-input and the session's own); stale entries are
    /// skipped when they fire.
    timers: BTreeSet<(Time, CallId)>,
    out: VecDeque<Output>,
    /// Emergency broadcasts by number.
    broadcasts: HashMap<String, Broadcast>,
    /// Entries of numbers no longer served (kept for calls in progress).
    retired: BTreeSet<usize>,
}

impl Orchestrator {
    pub fn new(cfg: Config) -> Orchestrator {
        Orchestrator { cfg, ..Orchestrator::default() }
    }

    /// Applies a changed dial plan: a number whose entry changed (a newly
    /// published flow, say) gets the new entry for calls from now on, while
    /// calls in progress keep the entry and flow they started with. Numbers
    /// missing from `entries` are no longer served.
    pub fn set_entries(&mut self, entries: Vec<Entry>) {
        let live: BTreeSet<&str> = entries.iter().map(|e| e.number.as_str()).collect();
        self.retired.extend(self.cfg.entries.iter().enumerate().filter(|(_, e)| !live.contains(e.number.as_str())).map(|(i, _)| i));
        for e in entries {
            let same = self.current_entry(&e.number).is_some_and(|i| {
                let c = &self.cfg.entries[i];
                *c.flow == *e.flow && c.no_input_to_agent_ms == e.no_input_to_agent_ms && c.default_queue == e.default_queue
            });
            if !same {
                self.retired.remove(&self.cfg.entries.len());
                self.cfg.entries.push(e);
            }
        }
    }

    /// Serves one more number besides the dial plan's (a draft flow's test
    /// call); [`Orchestrator::stop_serving`] ends it for new calls while the
    /// calls it took keep their entry.
    pub fn serve(&mut self, e: Entry) {
        self.retired.remove(&self.cfg.entries.len());
        self.cfg.entries.push(e);
    }

    /// New calls to `number` are no longer served.
    pub fn stop_serving(&mut self, number: &str) {
        if let Some(i) = self.current_entry(number) {
            self.retired.insert(i);
        }
    }

    /// Replaces every number's emergency broadcast (numbers not listed have
    /// none). Calls in progress are not affected.
    pub fn set_broadcasts(&mut self, broadcasts: HashMap<String, Broadcast>) {
        self.broadcasts = broadcasts;
    }

    /// Applies changed queue settings (announcements, callback, survey);
    /// callers already waiting get them from their next announcement on.
    pub fn set_queues(&mut self, queues: Vec<QueueExperience>) {
        self.cfg.queues = queues;
    }

    /// Whether calls to `number` reach an IVR flow (and need no caller
    /// authentication).
    pub fn serves(&self, number: &str) -> bool {
        self.current_entry(number).is_some()
    }

    /// The entry new calls to `number` get: the last one added, unless retired.
    fn current_entry(&self, number: &str) -> Option<usize> {
        self.cfg.entries.iter().rposition(|e| e.number == number).filter(|i| !self.retired.contains(i))
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
    /// IVR timers due by `now` fire first, each at its own time.
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
            Input::GaveUp { contact, action } => self.gave_up(&contact, action),
            Input::SubmitFailed { call } => self.submit_failed(call),
            Input::AgentRinging { .. } => {}
            Input::AgentAnswered { call } => self.agent_answered(call),
            Input::AgentFailed { call, why } => self.agent_failed(call, why),
            Input::AgentGone { call } => self.agent_gone(call),
            Input::AcceptResult { call, ok } => self.accept_result(call, ok),
            Input::LookupResult { call, fields } => self.ivr_input(call, IvrInput::LookupResult(fields)),
            Input::Place { call, position, ewt_ms } => self.place(call, position, ewt_ms),
            Input::SetBroadcast { number, broadcast } => match broadcast {
                Some(b) => {
                    self.broadcasts.insert(number, b);
                }
                None => {
                    self.broadcasts.remove(&number);
                }
            },
            Input::CustomerAnswered { call } => self.customer_answered(call),
            Input::CustomerFailed { call } => self.customer_failed(call),
            Input::Hold { call, on } => self.hold(call, on),
            Input::Transfer { call, to } => self.transfer(call, to),
            Input::TakeOver { call, by } => self.take_over(call, by),
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
        let Some(entry) = self.current_entry(to) else {
            if agent.is_some() && !to.is_empty() {
                // An agent calls a colleague's extension or an outside number.
                return self.start_agent_call(call, contact, to, from);
            }
            let cause = if agent.is_some() { Cause::UnallocatedNumber } else { Cause::CallRejected };
            self.emit(Output::Refuse { call, cause });
            self.emit(Output::Ended { call, cause });
            return;
        };
        self.by_contact.insert(contact.clone(), call);
        let wait = waiting::Waiting::default();
        let broadcast = self.broadcasts.get(to).cloned();
        let phase = match &broadcast {
            Some(b) => Phase::Broadcast { entry, instead: b.instead },
            None => Phase::Ivr { entry, no_input_at: None },
        };
        self.calls.insert(call, Call { contact, from, phase, ivr: None, wait, deferred: None, hold: hold::HoldLog::default(), submitted: Default::default() });
        self.emit(Output::Answer { call });
        match broadcast {
            Some(b) => self.emit(Output::Play { call, prompt: b.prompt }),
            None => self.start_ivr(call, entry),
        }
    }

    /// Starts the entry's flow for an answered call.
    fn start_ivr(&mut self, call: CallId, entry: usize) {
        let e = &self.cfg.entries[entry];
        let no_input_at = e.no_input_to_agent_ms.map(|ms| self.now.plus(ms));
        let Some(c) = self.calls.get(&call) else { return };
        let vars = BTreeMap::from([("caller".to_string(), c.from.clone()), ("dialled".to_string(), e.number.clone())]);
        let session = Session::start(e.flow.clone(), vars, IvrTime(self.now.0));
        if let Some(c) = self.calls.get_mut(&call) {
            c.ivr = Some(session);
            c.phase = Phase::Ivr { entry, no_input_at };
        }
        if let Some(at) = no_input_at {
            self.timers.insert((at, call));
        }
        self.drain_ivr(call);
    }

    fn digit(&mut self, call: CallId, digit: char) {
        if matches!(self.phase(call), Some(Phase::Queued | Phase::Ringing { .. })) {
            return self.waiting_digit(call, digit);
        }
        if matches!(self.phase(call), Some(Phase::Voicemail { .. })) {
            if digit == '#' {
                self.voicemail_done(call);
            }
            return;
        }
        let Some(Phase::Ivr { entry, no_input_at: Some(_) }) = self.phase(call).cloned() else {
            return self.ivr_input(call, IvrInput::Digit(digit));
        };
        // A key resets the no-input timer.
        let at = self.cfg.entries[entry].no_input_to_agent_ms.map(|ms| self.now.plus(ms));
        if let Some(at) = at {
            self.timers.insert((at, call));
        }
        self.set_phase(call, Phase::Ivr { entry, no_input_at: at });
        self.ivr_input(call, IvrInput::Digit(digit));
    }

    /// Feeds the caller's IVR session, if the call is in one.
    fn ivr_input(&mut self, call: CallId, input: IvrInput) {
        let now = IvrTime(self.now.0);
        let Some(session) = self.calls.get_mut(&call).and_then(|c| c.ivr.as_mut()) else { return };
        session.handle(now, input);
        self.drain_ivr(call);
    }

    /// Carries out what the IVR session asked for.
    fn drain_ivr(&mut self, call: CallId) {
        loop {
            let Some(c) = self.calls.get_mut(&call) else { return };
            let Some(session) = c.ivr.as_mut() else { return };
            let Some(out) = session.poll_output() else { break };
            if c.phase == Phase::Survey {
                if self.survey_output(call, out) {
                    return;
                }
                continue;
            }
            match out {
                IvrOutput::Play(prompt) => self.emit(Output::Play { call, prompt }),
                IvrOutput::StopPrompt => self.emit(Output::StopMedia { call }),
                IvrOutput::Lookup { backend, params } => self.emit(Output::Lookup { call, backend, params }),
                IvrOutput::Enqueue { queue, priority, vars } => return self.enqueue(call, queue, priority, vars),
                IvrOutput::Hangup => {
                    self.emit(Output::Hangup { call, side: Side::Caller, cause: Cause::NormalClearing });
                    return self.end(call, Cause::NormalClearing);
                }
                IvrOutput::Transfer { number } => return self.start_transfer(call, number),
                IvrOutput::Voicemail { mailbox, vars } => return self.start_voicemail(call, mailbox, vars),
                IvrOutput::Failed(why) => {
                    let _ = why;
                    return self.leave(call, Cause::ServerError);
                }
            }
        }
        let deadline = self.calls.get(&call).and_then(|c| c.ivr.as_ref()).and_then(Session::next_deadline);
        if let Some(d) = deadline {
            self.timers.insert((Time(d.0), call));
        }
    }

    fn enqueue(&mut self, call: CallId, queue: String, priority: u32, vars: BTreeMap<String, String>) {
        let contact = self.contact(call);
        if let Some(c) = self.calls.get_mut(&call) {
            c.ivr = None;
        }
        self.set_phase(call, Phase::Queued);
        if self.out.back() != Some(&Output::StopMedia { call }) {
            self.emit(Output::StopMedia { call });
        }
        let lang = vars.get("lang").cloned();
        if let Some(c) = self.calls.get_mut(&call) {
            c.submitted = transfer::Submitted { priority, vars: vars.clone() };
        }
        self.emit(Output::Submit { call, contact, queue: queue.clone(), priority, vars });
        self.emit(Output::Play { call, prompt: MUSIC_ON_HOLD.into() });
        self.start_waiting(call, queue, lang);
    }

    /// Plays the sorry prompt, then hangs up with `cause`.
    fn leave(&mut self, call: CallId, cause: Cause) {
        if let Some(c) = self.calls.get_mut(&call) {
            c.ivr = None;
        }
        self.set_phase(call, Phase::Leaving { cause });
        self.emit(Output::StopMedia { call });
        self.emit(Output::Play { call, prompt: SORRY.into() });
    }

    fn prompt_done(&mut self, call: CallId) {
        match self.phase(call).cloned() {
            Some(Phase::Ivr { .. } | Phase::Survey) => self.ivr_input(call, IvrInput::PromptDone),
            Some(Phase::Broadcast { instead: true, .. }) => {
                self.emit(Output::Hangup { call, side: Side::Caller, cause: Cause::NormalClearing });
                self.end(call, Cause::NormalClearing);
            }
            Some(Phase::Broadcast { entry, instead: false }) => self.start_ivr(call, entry),
            Some(Phase::Queued | Phase::Ringing { .. } | Phase::Accepting { .. }) => self.waiting_prompt_done(call),
            Some(Phase::Leaving { cause }) => {
                self.emit(Output::Hangup { call, side: Side::Caller, cause });
                self.end(call, cause);
            }
            Some(Phase::Voicemail { until: None, .. }) => self.voicemail_tone_done(call),
            _ => {}
        }
    }

    fn fire_timers(&mut self) {
        while let Some(&(at, call)) = self.timers.iter().next() {
            if at > self.now {
                break;
            }
            self.timers.remove(&(at, call));
            let Some(phase) = self.phase(call).cloned() else { continue };
            if matches!(phase, Phase::Queued | Phase::Ringing { .. }) {
                self.waiting_timer(call, at);
                continue;
            }
            if phase == Phase::Survey {
                self.session_timer(call, at);
                continue;
            }
            if matches!(phase, Phase::Voicemail { .. }) {
                self.voicemail_timer(call, at);
                continue;
            }
            let Phase::Ivr { entry, no_input_at } = phase else { continue };
            if no_input_at.is_some_and(|t| t <= at) {
                let queue = self.cfg.entries[entry].default_queue.clone();
                let vars = self.calls.get(&call).and_then(|c| c.ivr.as_ref()).map(|s| s.public_vars()).unwrap_or_default();
                self.enqueue(call, queue, 0, vars);
                continue;
            }
            self.session_timer(call, at);
        }
    }

    /// Fires the IVR session's own deadline if it is due at `at`.
    fn session_timer(&mut self, call: CallId, at: Time) {
        let due = self.calls.get(&call).and_then(|c| c.ivr.as_ref()).and_then(Session::next_deadline);
        if due.is_some_and(|d| d.0 <= at.0) {
            let now = self.now;
            self.now = at;
            self.ivr_input(call, IvrInput::Tick);
            self.now = now;
        }
    }

    fn caller_gone(&mut self, call: CallId) {
        let Some(phase) = self.phase(call).cloned() else { return };
        let contact = self.contact(call);
        match phase {
            Phase::Ivr { .. } | Phase::Broadcast { .. } => self.end(call, Cause::OriginatorCancel),
            Phase::Queued | Phase::Ringing { .. } if self.callback_state(call) != Callback::No => {
                // Hung up after asking for a callback: the contact keeps its place.
                self.callback_line_gone(call);
            }
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
                self.take_back(call);
                self.emit(Output::Hangup { call, side: Side::Agent, cause: Cause::NormalClearing });
                self.emit(Output::Finish { contact, cause: Cause::NormalClearing });
                self.end(call, Cause::NormalClearing);
            }
            Phase::Leaving { cause } => self.end(call, cause),
            // The survey is optional: leaving it is a normal end.
            Phase::Survey => self.end(call, Cause::NormalClearing),
            // The customer's callback leg failed before answering.
            Phase::CallingBack { .. } => self.customer_failed(call),
            // Hanging up is how most callers finish a message.
            Phase::Voicemail { .. } => self.end(call, Cause::NormalClearing),
            Phase::Transferring { .. } => {
                self.emit(Output::CancelDial { call });
                self.end(call, Cause::OriginatorCancel);
            }
            Phase::Transferred { .. } => {
                self.emit(Output::Hangup { call, side: Side::Agent, cause: Cause::NormalClearing });
                self.end(call, Cause::NormalClearing);
            }
        }
    }

    fn offered(&mut self, contact: &str, offer: String, agent: String, extension: String) {
        let Some(call) = self.call_of(contact) else { return };
        match self.phase(call) {
            Some(Phase::Queued) => {
                self.set_phase(call, Phase::Ringing { offer, agent });
                self.emit(Output::Dial { call, extension });
            }
            // Routing moved on while the last answer is confirmed: keep it
            // for when the confirmation fails (rejected if it succeeds).
            Some(Phase::Accepting { .. } | Phase::AgentLeft { .. }) => {
                if let Some(c) = self.calls.get_mut(&call) {
                    if let Some((stale, ..)) = c.deferred.replace((offer, agent, extension)) {
                        self.emit(Output::RejectOffer { offer: stale });
                    }
                }
            }
            // Not ours to ring now (leaving, or a stray offer): let it go at once.
            Some(Phase::Leaving { .. } | Phase::CallerLeft) => self.emit(Output::RejectOffer { offer }),
            _ => {}
        }
    }

    fn offer_ended(&mut self, contact: &str, offer: &str, end: OfferEnd) {
        let Some(call) = self.call_of(contact) else { return };
        if let Some(c) = self.calls.get_mut(&call) {
            if c.deferred.as_ref().is_some_and(|(o, ..)| o == offer) {
                c.deferred = None;
            }
        }
        let Some(Phase::Ringing { offer: ringing, .. }) = self.phase(call) else { return };
        if ringing != offer || matches!(end, OfferEnd::Accepted | OfferEnd::Rejected) {
            return;
        }
        // Timed out (nobody picked up in time) or rescinded (the agent logged out).
        self.emit(Output::CancelDial { call });
        self.set_phase(call, Phase::Queued);
    }

    fn gave_up(&mut self, contact: &str, action: GiveUpAction) {
        let Some(call) = self.call_of(contact) else { return };
        match self.phase(call) {
            Some(Phase::Queued) => {}
            Some(Phase::Ringing { .. }) => self.emit(Output::CancelDial { call }),
            _ => return,
        }
        match action {
            GiveUpAction::Hangup => self.leave(call, Cause::GaveUp),
            GiveUpAction::Voicemail => {
                let queue = self.calls.get(&call).and_then(|c| c.wait.queue.clone()).unwrap_or_default();
                let vars = BTreeMap::from([("reason".to_string(), "gave_up".to_string())]);
                self.start_voicemail(call, queue, vars);
            }
            GiveUpAction::Callback => {
                let en = self.calls.get(&call).is_some_and(|c| c.wait.lang.as_deref() == Some("en"));
                let prompt = if en { format!("en/{CALLBACK_CONFIRMED}") } else { CALLBACK_CONFIRMED.to_owned() };
                if let Some(c) = self.calls.get_mut(&call) {
                    c.ivr = None;
                }
                self.set_phase(call, Phase::Leaving { cause: Cause::GaveUp });
                self.emit(Output::StopMedia { call });
                self.emit(Output::Play { call, prompt });
            }
        }
    }

    fn submit_failed(&mut self, call: CallId) {
        if self.phase(call) == Some(&Phase::Queued) {
            self.leave(call, Cause::ServerError);
        }
    }

    fn agent_answered(&mut self, call: CallId) {
        match self.phase(call).cloned() {
            Some(Phase::Transferring { .. }) => self.transfer_answered(call),
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
        if matches!(self.phase(call), Some(Phase::Transferring { .. })) {
            return self.transfer_failed(call, why);
        }
        let Some(Phase::Ringing { offer, .. }) = self.phase(call).cloned() else { return };
        let _ = why;
        self.set_phase(call, Phase::Queued);
        self.emit(Output::RejectOffer { offer });
    }

    fn agent_gone(&mut self, call: CallId) {
        let contact = self.contact(call);
        if matches!(self.phase(call), Some(Phase::Bridged { .. })) {
            // The agent left a held caller: the hold ends with the conversation.
            if self.is_held(call) {
                self.take_back(call);
                self.emit(Output::StopMedia { call });
            }
        }
        match self.phase(call).cloned() {
            Some(Phase::Bridged { .. }) if self.survey_flow(call).is_some() => {
                self.emit(Output::Finish { contact, cause: Cause::NormalClearing });
                self.start_survey(call);
            }
            Some(Phase::Bridged { .. }) => {
                self.emit(Output::Hangup { call, side: Side::Caller, cause: Cause::NormalClearing });
                self.emit(Output::Finish { contact, cause: Cause::NormalClearing });
                self.end(call, Cause::NormalClearing);
            }
            Some(Phase::CallingBack { .. }) => {
                self.emit(Output::Hangup { call, side: Side::Caller, cause: Cause::NormalClearing });
                self.emit(Output::Finish { contact, cause: Cause::NormalClearing });
                self.end(call, Cause::NormalClearing);
            }
            Some(Phase::Accepting { offer, .. }) => self.set_phase(call, Phase::AgentLeft { offer }),
            Some(Phase::Transferred { .. }) => {
                self.emit(Output::Hangup { call, side: Side::Caller, cause: Cause::NormalClearing });
                self.end(call, Cause::NormalClearing);
            }
            _ => {}
        }
    }

    fn accept_result(&mut self, call: CallId, ok: bool) {
        let deferred = self.calls.get_mut(&call).and_then(|c| c.deferred.take());
        self.confirmed(call, ok);
        let Some((offer, agent, extension)) = deferred else { return };
        if !ok && self.phase(call) == Some(&Phase::Queued) {
            let contact = self.contact(call);
            self.offered(&contact, offer, agent, extension);
        } else {
            self.emit(Output::RejectOffer { offer });
        }
    }

    fn confirmed(&mut self, call: CallId, ok: bool) {
        let contact = self.contact(call);
        match (self.phase(call).cloned(), ok) {
            (Some(Phase::Accepting { agent, .. }), true) if self.callback_state(call) == Callback::Waiting => {
                let number = self.calls.get(&call).map(|c| c.from.clone()).unwrap_or_default();
                self.set_phase(call, Phase::CallingBack { agent });
                self.emit(Output::CallCustomer { call, number });
            }
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
