//! What a queued caller hears, and the callback that keeps their place.
//!
//! While a caller waits (queued, or while an agent's phone rings), music on
//! hold plays. If the queue announces, every `announce_every_ms` the
//! orchestrator asks routing for the caller's place (`Output::QueryPlace`)
//! and, on `Input::Place`, plays "you are number N in the queue, your
//! expected wait is about M minutes" (the wait only when routing has an
//! estimate; minutes rounded up), then music on hold again. After
//! `callback_after_ms` in the queue the announcement adds "press K to be
//! called back"; pressing K plays a confirmation and hangs up the line, and
//! the contact keeps its place. When an agent takes it, the agent's phone
//! rings first; once they answer, the customer is called
//! (`Output::CallCustomer`) and bridged when they pick up.

use std::collections::VecDeque;

use hotline_ivr::{say, Lang, SayAs};

use super::{Callback, Orchestrator, Phase};
use crate::types::*;

/// A caller's waiting state, kept with the call.
#[derive(Debug, Default)]
pub(super) struct Waiting {
    pub(super) queue: Option<String>,
    since: Time,
    pub(super) lang: Option<String>,
    /// Prompts of the announcement still to play.
    announcing: VecDeque<String>,
    next_announce: Option<Time>,
    pub(super) callback: Callback,
}

impl Orchestrator {
    fn experience(&self, queue: &str) -> Option<&QueueExperience> {
        self.cfg.queues.iter().find(|q| q.queue == queue)
    }

    pub(super) fn callback_state(&self, call: CallId) -> Callback {
        self.calls.get(&call).map_or(Callback::No, |c| c.wait.callback)
    }

    pub(super) fn start_waiting(&mut self, call: CallId, queue: String, lang: Option<String>) {
        let every = self.experience(&queue).and_then(|q| q.announce_every_ms);
        let now = self.now;
        let Some(c) = self.calls.get_mut(&call) else { return };
        c.wait = Waiting { queue: Some(queue), since: now, lang, next_announce: every.map(|ms| now.plus(ms)), ..Waiting::default() };
        if let Some(at) = c.wait.next_announce {
            self.timers.insert((at, call));
        }
    }

    /// A waiting timer fired at `at`: time to ask routing for the place.
    pub(super) fn waiting_timer(&mut self, call: CallId, at: Time) {
        let Some(c) = self.calls.get(&call) else { return };
        if c.wait.next_announce.is_none_or(|t| t > at) || c.wait.callback != Callback::No {
            return;
        }
        let every = c.wait.queue.as_deref().and_then(|q| self.experience(q)).and_then(|q| q.announce_every_ms);
        let contact = c.contact.clone();
        if let Some(c) = self.calls.get_mut(&call) {
            c.wait.next_announce = every.map(|ms| at.plus(ms));
            if let Some(next) = c.wait.next_announce {
                self.timers.insert((next, call));
            }
        }
        self.emit(Output::QueryPlace { call, contact });
    }

    /// Routing's answer: build and start the announcement.
    pub(super) fn place(&mut self, call: CallId, position: u32, ewt_ms: Option<u64>) {
        if !matches!(self.phase(call), Some(Phase::Queued | Phase::Ringing { .. })) {
            return;
        }
        let now = self.now;
        let Some(c) = self.calls.get(&call) else { return };
        if c.wait.callback != Callback::No || !c.wait.announcing.is_empty() {
            return;
        }
        let lang = if c.wait.lang.as_deref() == Some("en") { Lang::En } else { Lang::Zh };
        let exp = c.wait.queue.as_deref().and_then(|q| self.experience(q));
        let callback_key = exp
            .filter(|e| e.callback_after_ms.is_some_and(|ms| now.0.saturating_sub(c.wait.since.0) >= ms))
            .map(|e| e.callback_key);
        let num = |n: u64| say(&n.to_string(), SayAs::Number, lang).unwrap_or_default();
        // Announcement fragments in the caller's language: `en/position_is`.
        let words = |name: &str| if lang == Lang::En { format!("en/{name}") } else { name.to_owned() };
        let mut prompts: VecDeque<String> = VecDeque::new();
        prompts.push_back(words(POSITION_IS));
        prompts.extend(num(u64::from(position)));
        prompts.push_back(words(IN_QUEUE));
        if let Some(ms) = ewt_ms {
            prompts.push_back(words(WAIT_IS));
            prompts.extend(num(ms.div_ceil(60_000).max(1)));
            prompts.push_back(words(MINUTES));
        }
        if let Some(key) = callback_key {
            prompts.push_back(words(PRESS));
            prompts.extend(say(&key.to_string(), SayAs::Digits, lang).unwrap_or_else(|| vec![key.to_string()]));
            prompts.push_back(words(FOR_CALLBACK));
        }
        if let Some(comfort) = exp.and_then(|e| e.comfort.clone()) {
            prompts.push_back(comfort);
        }
        let first = prompts.pop_front();
        if let Some(c) = self.calls.get_mut(&call) {
            c.wait.announcing = prompts;
        }
        if let Some(first) = first {
            self.emit(Output::StopMedia { call });
            self.emit(Output::Play { call, prompt: first });
        }
    }

    /// A prompt ended while the caller waits.
    pub(super) fn waiting_prompt_done(&mut self, call: CallId) {
        let Some(c) = self.calls.get_mut(&call) else { return };
        if c.wait.callback == Callback::Confirming {
            return self.callback_line_gone_with_hangup(call);
        }
        // After the last fragment, music on hold again. (Music on hold
        // itself loops in the media layer and never reports its end.)
        match c.wait.announcing.pop_front() {
            Some(next) => self.emit(Output::Play { call, prompt: next }),
            None => self.emit(Output::Play { call, prompt: MUSIC_ON_HOLD.into() }),
        }
    }

    pub(super) fn waiting_digit(&mut self, call: CallId, digit: char) {
        let now = self.now;
        let Some(c) = self.calls.get(&call) else { return };
        let Some(exp) = c.wait.queue.as_deref().and_then(|q| self.experience(q)) else { return };
        let eligible = exp.callback_after_ms.is_some_and(|ms| now.0.saturating_sub(c.wait.since.0) >= ms);
        if !eligible || digit != exp.callback_key || c.wait.callback != Callback::No {
            return;
        }
        let prompt = if c.wait.lang.as_deref() == Some("en") { format!("en/{CALLBACK_CONFIRMED}") } else { CALLBACK_CONFIRMED.to_owned() };
        if let Some(c) = self.calls.get_mut(&call) {
            c.wait.callback = Callback::Confirming;
            c.wait.announcing.clear();
        }
        self.emit(Output::StopMedia { call });
        self.emit(Output::Play { call, prompt });
    }

    fn callback_line_gone_with_hangup(&mut self, call: CallId) {
        self.emit(Output::Hangup { call, side: Side::Caller, cause: Cause::NormalClearing });
        self.callback_line_gone(call);
    }

    /// The caller's line is gone; the contact waits on in routing.
    pub(super) fn callback_line_gone(&mut self, call: CallId) {
        if let Some(c) = self.calls.get_mut(&call) {
            c.wait.callback = Callback::Waiting;
            c.wait.announcing.clear();
        }
    }

    pub(super) fn customer_answered(&mut self, call: CallId) {
        let Some(Phase::CallingBack { agent }) = self.phase(call).cloned() else { return };
        self.set_phase(call, Phase::Bridged { agent });
        self.emit(Output::Bridge { call });
    }

    pub(super) fn customer_failed(&mut self, call: CallId) {
        if !matches!(self.phase(call), Some(Phase::CallingBack { .. })) {
            return;
        }
        let contact = self.contact(call);
        self.emit(Output::Hangup { call, side: Side::Agent, cause: Cause::NoAnswer });
        self.emit(Output::Finish { contact, cause: Cause::NoAnswer });
        self.end(call, Cause::NoAnswer);
    }
}
