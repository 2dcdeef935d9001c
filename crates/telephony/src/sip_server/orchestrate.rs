//! The orchestrator's outputs, carried out: SIP for the legs, commands for
//! the media tasks, jobs for routing and the store.

use hotline_acd::NewContact;
use hotline_calls::{CallId, Cause, Input as CallInput, Output, Side, Time as CallTime, MUSIC_ON_HOLD, RINGBACK};
use hotline_store::Recording;

use super::routing::Job;
use super::Server;
use crate::media::{Command, MediaEvent, RecordingTarget};

use crate::now_ms;

impl Server {
    /// Queues an input for the orchestrator (fed by the next `pump`).
    pub(super) fn call_input(&mut self, input: CallInput) {
        self.pending.push_back(input);
    }

    /// Feeds pending inputs and carries out outputs until both are empty;
    /// returns whether there was anything to do.
    pub(super) fn pump(&mut self) -> bool {
        let mut worked = false;
        loop {
            if let Some(out) = self.orch.poll_output() {
                worked = true;
                self.carry_out(out);
            } else if let Some(input) = self.pending.pop_front() {
                worked = true;
                let now = CallTime(self.now().0);
                self.orch.handle(now, input);
            } else {
                return worked;
            }
        }
    }

    fn media(&self, call: CallId, c: Command) {
        if let Some(call) = self.calls.get(&call) {
            call.media.send(c);
        }
    }

    fn carry_out(&mut self, out: Output) {
        match out {
            Output::Answer { call } => self.answer_caller(call),
            Output::Refuse { call, cause } => self.refuse_caller(call, cause),
            Output::Play { call, prompt } if prompt == MUSIC_ON_HOLD => {
                // The queue's own music, if it has one.
                let queue = self.calls.get(&call).and_then(|c| c.queue.as_deref());
                let prompt = queue.and_then(|q| self.music_on_hold.get(q)).cloned().unwrap_or(prompt);
                self.media(call, Command::Play { prompt, looped: true });
            }
            Output::Play { call, prompt } => {
                let looped = prompt == RINGBACK;
                self.media(call, Command::Play { prompt, looped });
            }
            Output::StopMedia { call } => self.media(call, Command::Stop),
            Output::Dial { call, extension } => self.dial(call, extension),
            Output::CancelDial { call } => self.cancel_dial(call),
            Output::Hangup { call, side: Side::Caller, cause } => self.hang_up_caller(call, cause),
            Output::Hangup { call, side: Side::Agent, cause } => self.hang_up_agent(call, cause),
            Output::Hangup { call, side: Side::Monitor, .. } => self.hang_up_monitor(call),
            Output::Held { call, contact, on, count, total_ms } => self.held(call, contact, on, count, total_ms),
            Output::Transferred { call, from, to, queue } => self.transferred(call, from, to, queue),
            Output::Bridge { call } => self.bridge(call),
            Output::Submit { call, contact, queue, priority, vars } => {
                let Some(c) = self.calls.get_mut(&call) else { return };
                c.queue = Some(queue.clone());
                // What the IVR collected goes with the interaction (for the
                // agent's screen); the caller's number is kept apart already.
                let ivr: std::collections::BTreeMap<String, String> = vars.into_iter().filter(|(k, _)| k != "caller").collect();
                c.vars = ivr.clone();
                let contact = NewContact {
                    id: Some(contact),
                    queue_id: queue,
                    channel: "voice".into(),
                    from_addr: Some(c.from_number.clone()),
                    to_addr: Some(c.to_number.clone()),
                    sip_call_id: c.caller.invite.headers.call_id().map(str::to_owned),
                    priority,
                    ivr,
                    ..NewContact::default()
                };
                self.routing.send(Job::Submit { call, contact });
            }
            Output::AcceptOffer { call, offer } => self.routing.send(Job::Accept { call, offer }),
            Output::RejectOffer { offer } => self.routing.send(Job::Reject { offer }),
            Output::Finish { contact, cause } => self.routing.send(Job::Finish { contact, cause: cause.code() }),
            Output::Abandon { contact } => self.routing.send(Job::Abandon { contact, cause: Cause::OriginatorCancel.code() }),
            Output::Lookup { call, backend, params } => {
                let lookups = self.services.lookups.clone();
                let back = self.routing.inputs();
                tokio::spawn(async move {
                    let fields = match lookups.call(&backend, &params).await {
                        Ok(f) => Some(f),
                        Err(e) => {
                            tracing::info!(%call, %backend, error = %e, "IVR lookup failed");
                            None
                        }
                    };
                    let _ = back.send(CallInput::LookupResult { call, fields });
                });
            }
            Output::QueryPlace { call, contact } => self.routing.send(Job::Place { call, contact }),
            Output::CallCustomer { call, number } => self.call_customer(call, number),
            Output::SurveyResult { contact, mut vars } => {
                // The caller's number is not an answer: it stays with the interaction.
                vars.remove("caller");
                self.routing.send(Job::Survey { contact, answers: vars });
            }
            Output::DialOut { call, number } => self.dial_out(call, number),
            Output::RecordVoicemail { call, contact, mailbox, vars } => self.record_voicemail(call, contact, mailbox, vars),
            Output::Ended { call, cause } => self.end_call(call, cause),
        }
    }

    /// A new recording of `call` (its index row is written now), if calls are recorded.
    fn new_recording(&self, call: CallId) -> Option<RecordingTarget> {
        let c = self.calls.get(&call)?;
        let storage = self.services.recordings.clone()?;
        let id = uuid::Uuid::now_v7().to_string();
        let started_at = now_ms();
        let path = crate::recordings::relative_path(&id, started_at);
        self.routing.send(Job::RecordingStarted(Recording {
            id: id.clone(),
            interaction_id: c.contact.clone(),
            customer_number: Some(c.from_number.clone()),
            agent_id: c.agent_id.clone(),
            started_at,
            ended_at: None,
            duration_ms: None,
            path: path.clone(),
            format: "wav/pcm_s16le/8000/stereo".into(),
            sha256: None,
        }));
        Some(RecordingTarget { id, path, storage })
    }

    /// Joins the legs' audio and starts the recording.
    fn bridge(&mut self, call: CallId) {
        let recording = self.new_recording(call);
        self.outside_answered(call);
        let Some(c) = self.calls.get(&call) else { return };
        tracing::info!(%call, contact = %c.contact, agent = c.agent_id.as_deref().unwrap_or(""), "call bridged");
        c.media.send(Command::Bridge { recording });
    }

    /// Records a voicemail: an interaction (outcome `voicemail`, the
    /// mailbox and what the IVR collected) that a supervisor's list shows
    /// for calling back, and the caller's message as its recording.
    fn record_voicemail(&mut self, call: CallId, contact: String, mailbox: String, mut vars: std::collections::BTreeMap<String, String>) {
        let Some(c) = self.calls.get_mut(&call) else { return };
        if c.queue.is_some() {
            // A caller who waited too long: routing has the interaction
            // (outcome gave_up); the message becomes its recording.
            match self.new_recording(call) {
                Some(t) => self.media(call, Command::Record(t)),
                None => tracing::warn!(%call, "voicemail not kept: recording is off"),
            }
            return;
        }
        c.voicemail = true;
        vars.remove("caller");
        vars.insert("mailbox".into(), mailbox.clone());
        let now = now_ms();
        self.routing.send(Job::Voicemail(hotline_store::Interaction {
            id: contact.clone(),
            channel: "voice".into(),
            direction: "inbound".into(),
            queue_id: None,
            agent_id: None,
            customer_id: None,
            from_addr: Some(c.from_number.clone()),
            to_addr: Some(c.to_number.clone()),
            sip_call_id: c.caller.invite.headers.call_id().map(str::to_owned),
            priority: 0,
            arrived_at: now,
            enqueued_at: None,
            offered_at: None,
            answered_at: None,
            ended_at: None,
            outcome: Some("voicemail".into()),
            hangup_cause: None,
            wrap_up_code: None,
            notes: None,
            ivr: vars,
        }));
        tracing::info!(%call, %contact, %mailbox, "recording a voicemail");
        match self.new_recording(call) {
            Some(t) => self.media(call, Command::Record(t)),
            None => tracing::warn!(%call, "voicemail not kept: recording is off"),
        }
    }

    /// The call is over: whatever is still open is closed.
    fn end_call(&mut self, call: CallId, cause: Cause) {
        self.cancel_forks_of(call);
        // Whatever is still open of the caller's leg: a final answer, or a BYE.
        self.hang_up_caller(call, cause);
        self.hang_up_monitor(call);
        self.hang_up_agent(call, cause);
        self.web_calls.retain(|_, c| *c != call);
        let Some(c) = self.calls.remove(&call) else { return };
        c.media.send(Command::Close);
        self.outside_ended(c.outside, c.trunk);
        if c.voicemail {
            self.routing.send(Job::VoicemailEnded { contact: c.contact.clone(), cause: cause.code() });
        }
        tracing::info!(%call, contact = %c.contact, cause = cause.code(), "call ended");
    }

    /// What a call's media task tells us.
    pub(super) fn media_event(&mut self, e: MediaEvent) {
        match e {
            MediaEvent::Digit { call, digit } => self.call_input(CallInput::Digit { call, digit }),
            MediaEvent::PromptDone { call } => self.call_input(CallInput::PromptDone { call }),
            MediaEvent::Recorded { call, id, duration_ms, sha256 } => match sha256 {
                Ok(sha256) => self.routing.send(Job::RecordingFinished { id, ended_at: now_ms(), duration_ms: duration_ms as i64, sha256 }),
                Err(why) => tracing::error!(%call, recording = %id, %why, "recording failed"),
            },
            MediaEvent::Silent { call } => {
                // Only a caller on the line can go quiet (not one waiting for a callback).
                if self.calls.get(&call).is_some_and(|c| c.caller.dialog.is_some() || c.caller.web) {
                    tracing::warn!(%call, "no RTP from the caller: taken as gone");
                    self.call_input(CallInput::CallerGone { call });
                }
            }
            MediaEvent::Closed { call, caller, agent } => {
                tracing::debug!(%call, ?caller, ?agent, "call media closed");
            }
        }
    }
}
