//! Call control from the API and the phones: hold and resume by the agent
//! whose call it is (or the agent's phone re-INVITing `sendonly` /
//! `inactive`); a supervisor's monitoring leg — listen, whisper, barge —
//! rung on the supervisor's SIP phone or answered by their browser,
//! switched between modes without dialling again, ended by the API or by
//! hanging up; and the live calls, for the wallboard.
//!
//! Every refusal is a [`CallError`] with a stable code and leaves the call
//! as it was.

use std::net::SocketAddr;

use hotline_calls::{CallId, Input as CallInput, Phase, Side};
use hotline_events::Event;
use hotline_media::mix::Monitor;
use hotline_media::sdp;
use hotline_sip::dialog::Dialog;
use hotline_sip::{Response, Transport as SipTransport, TxKey};
use hotline_store::CallEvent;
use tokio::sync::oneshot;

use super::outbound::{Acked, Fork};
use super::routing::Job;
use super::Server;
use crate::media::{self, Command, Leg, WebRtcLeg};
use crate::now_ms;

/// What the API asks of a live call.
pub enum CallRequest {
    /// The agent with `extension` holds (`on`) or resumes the call of `contact`.
    Hold { contact: String, extension: String, on: bool, reply: oneshot::Sender<Result<(), CallError>> },
    /// Supervisor `supervisor` monitors the call of `contact` in `mode`, on
    /// the phone registered as `extension` (rung now); a supervisor who
    /// already monitors it switches mode instead. `indicator`: whether the
    /// agent is shown the call is monitored in this mode.
    Monitor { contact: String, supervisor: String, via: MonitorVia, mode: Monitor, indicator: bool, reply: oneshot::Sender<Result<Option<String>, CallError>> },
    /// The supervisor's monitoring of the call of `contact` ends.
    MonitorEnd { contact: String, supervisor: String, reply: oneshot::Sender<Result<(), CallError>> },
    /// The agent with `extension` pauses (`on`) or resumes the recording of
    /// the call of `contact` (secure pause, for card numbers and the like).
    PauseRecording { contact: String, extension: String, on: bool, reply: oneshot::Sender<Result<(), CallError>> },
    /// The agent with `extension` hands the caller of `contact` on.
    Transfer { contact: String, extension: String, to: TransferTarget, reply: oneshot::Sender<Result<Option<String>, CallError>> },
    /// The supervisor monitoring the call of `contact` takes it over.
    TakeOver { contact: String, supervisor: String, reply: oneshot::Sender<Result<(), CallError>> },
    /// Every call in progress.
    Live { reply: oneshot::Sender<Vec<LiveCall>> },
}

/// Where an agent transfers a caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferTarget {
    /// Into a queue, with a note for the next agent.
    Queue { queue: String, note: String },
    /// A number: a colleague's extension, or outside through a trunk.
    Number(String),
}

/// Where the supervisor hears the call.
pub enum MonitorVia {
    /// The SIP phone registered under this extension is rung.
    Phone(String),
    /// The supervisor's browser, with its WebRTC offer; the reply carries
    /// the SDP answer.
    Browser(String),
}

/// Why a call-control request was refused. The call is left as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("no call in progress for that contact")]
    NoCall,
    #[error("this call is not yours")]
    NotYours,
    #[error("{0}")]
    NotNow(&'static str),
    #[error("no phone is registered for extension {0}")]
    NoPhone(String),
    #[error("another supervisor is monitoring this call")]
    Busy,
    #[error("no such transfer target: {0}")]
    NoTarget(String),
    #[error("{0}")]
    Media(String),
    #[error("telephony is not running")]
    Stopped,
}

impl CallError {
    /// The stable code the API answers with.
    pub fn code(&self) -> &'static str {
        match self {
            CallError::NoCall => "no_call",
            CallError::NotYours => "not_your_call",
            CallError::NotNow(_) => "not_allowed_now",
            CallError::NoPhone(_) => "no_phone",
            CallError::Busy => "target_busy",
            CallError::NoTarget(_) => "no_such_target",
            CallError::Media(_) => "media",
            CallError::Stopped => "telephony_off",
        }
    }
}

/// One call in progress, as the wallboard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveCall {
    pub contact: String,
    pub from: String,
    pub to: String,
    pub queue: Option<String>,
    pub agent_id: Option<String>,
    pub extension: Option<String>,
    /// `ivr`, `queued`, `ringing`, `talking`, `survey`, `voicemail`, `other`.
    pub phase: &'static str,
    /// When the call came in (ms since the Unix epoch).
    pub started_at: i64,
    pub held: bool,
    /// The supervisor monitoring it, and how.
    pub monitor: Option<(String, &'static str)>,
    /// What the IVR collected and lookups answered (for supervisors' rules).
    pub vars: std::collections::BTreeMap<String, String>,
}

/// A supervisor's leg of a call.
pub(super) struct MonitorLeg {
    pub supervisor: String,
    /// The phone rung (its extension), or `browser`.
    pub extension: String,
    pub mode: Monitor,
    pub indicator: bool,
    /// Our INVITE to the supervisor's phone (none for a browser).
    pub fork: Option<TxKey>,
    pub dialog: Option<Dialog>,
    pub peer: Option<(SocketAddr, SipTransport)>,
    pub rtp_port: u16,
    pub sdp: String,
    pub crypto: super::secure::LegCrypto,
    /// The supervisor is on the line (the phone answered, or the browser).
    pub up: bool,
}

fn phase_name(p: &Phase) -> &'static str {
    match p {
        Phase::Broadcast { .. } | Phase::Ivr { .. } => "ivr",
        Phase::Queued => "queued",
        Phase::Ringing { .. } | Phase::Accepting { .. } => "ringing",
        Phase::Bridged { .. } | Phase::CallingBack { .. } | Phase::Transferred { .. } => "talking",
        Phase::Survey => "survey",
        Phase::Voicemail { .. } => "voicemail",
        _ => "other",
    }
}

impl Server {
    pub(super) fn call_request(&mut self, r: CallRequest) {
        match r {
            CallRequest::Hold { contact, extension, on, reply } => {
                let _ = reply.send(self.api_hold(&contact, &extension, on));
            }
            CallRequest::Monitor { contact, supervisor, via, mode, indicator, reply } => {
                let _ = reply.send(self.monitor(&contact, supervisor, via, mode, indicator));
            }
            CallRequest::MonitorEnd { contact, supervisor, reply } => {
                let r = self.bridged_call(&contact).and_then(|call| {
                    let mine = self.calls.get(&call).and_then(|c| c.monitor.as_ref()).is_some_and(|m| m.supervisor == supervisor);
                    if !mine {
                        return Err(CallError::NotNow("you are not monitoring this call"));
                    }
                    self.hang_up_monitor(call);
                    Ok(())
                });
                let _ = reply.send(r);
            }
            CallRequest::PauseRecording { contact, extension, on, reply } => {
                let _ = reply.send(self.pause_recording(&contact, &extension, on));
            }
            CallRequest::Transfer { contact, extension, to, reply } => {
                let _ = reply.send(self.api_transfer(&contact, &extension, to));
            }
            CallRequest::TakeOver { contact, supervisor, reply } => {
                let _ = reply.send(self.take_over(&contact, &supervisor));
            }
            CallRequest::Live { reply } => {
                let _ = reply.send(self.live_calls());
            }
        }
    }

    fn live_calls(&self) -> Vec<LiveCall> {
        self.orch
            .views()
            .into_iter()
            .filter_map(|v| {
                let c = self.calls.get(&v.call)?;
                Some(LiveCall {
                    contact: c.contact.clone(),
                    from: c.from_number.clone(),
                    to: c.to_number.clone(),
                    queue: c.queue.clone(),
                    agent_id: c.agent_id.clone().filter(|_| c.agent.is_some()),
                    extension: c.agent.as_ref().map(|a| a.extension.clone()),
                    phase: phase_name(v.phase),
                    started_at: c.started_at,
                    held: self.orch.is_held(v.call),
                    monitor: c.monitor.as_ref().map(|m| (m.supervisor.clone(), m.mode.as_str())),
                    vars: c.vars.clone(),
                })
            })
            .collect()
    }

    /// The call of `contact` if caller and agent are talking.
    fn bridged_call(&self, contact: &str) -> Result<CallId, CallError> {
        let call = self.orch.call_of(contact).filter(|c| self.calls.contains_key(c)).ok_or(CallError::NoCall)?;
        match self.orch.view(call).map(|v| v.phase) {
            Some(Phase::Bridged { .. }) => Ok(call),
            _ => Err(CallError::NotNow("the caller and the agent are not connected")),
        }
    }

    fn api_hold(&mut self, contact: &str, extension: &str, on: bool) -> Result<(), CallError> {
        let call = self.own_bridged_call(contact, extension)?;
        if let Some(c) = self.calls.get_mut(&call) {
            c.phone_hold = false;
        }
        self.call_input(CallInput::Hold { call, on });
        Ok(())
    }

    /// The call of `contact` if it is the agent's with `extension` and connected.
    fn own_bridged_call(&self, contact: &str, extension: &str) -> Result<CallId, CallError> {
        let call = self.orch.call_of(contact).ok_or(CallError::NoCall)?;
        let ours = self.calls.get(&call).and_then(|c| c.agent.as_ref()).is_some_and(|a| a.extension == extension);
        if !ours {
            return Err(CallError::NotYours);
        }
        self.bridged_call(contact)
    }

    /// Secure pause: the recording takes silence and the caller's keys stay
    /// away from the agent until resumed; each change is on the timeline
    /// (the interaction lists the paused spans). Pausing twice is one pause.
    fn pause_recording(&mut self, contact: &str, extension: &str, on: bool) -> Result<(), CallError> {
        let call = self.own_bridged_call(contact, extension)?;
        let Some(c) = self.calls.get_mut(&call) else { return Err(CallError::NoCall) };
        if c.recording_paused == on {
            return Ok(());
        }
        c.recording_paused = on;
        c.media.send(Command::PauseRecording(on));
        let (contact, actor) = (c.contact.clone(), c.agent_id.clone());
        tracing::info!(%call, %contact, paused = on, "secure pause");
        self.call_event(&contact, if on { "recording_paused" } else { "recording_resumed" }, actor, None);
        Ok(())
    }

    /// The supervisor monitoring a call takes it over: the agent's leg is
    /// hung up (the agent goes to wrap-up), the supervisor's leg becomes the
    /// caller's party, and the call goes on, recorded, two-party again.
    fn take_over(&mut self, contact: &str, supervisor: &str) -> Result<(), CallError> {
        let call = self.bridged_call(contact)?;
        let c = self.calls.get_mut(&call).ok_or(CallError::NoCall)?;
        let mine = c.monitor.as_ref().is_some_and(|m| m.supervisor == supervisor && m.up);
        if !mine {
            return Err(CallError::NotNow("listen in first: only the supervisor on the call takes it over"));
        }
        let Some(m) = c.monitor.take() else { return Err(CallError::NoCall) };
        let old = c.agent.take();
        let actor = c.agent_id.clone();
        c.media.send(Command::TakeOver);
        if let Some(d) = &m.dialog {
            self.dialogs.insert(d.id.clone(), (call, Side::Agent));
        }
        let leg = super::outbound::AgentLeg::taken_over(m.extension.clone(), m.dialog, m.peer, m.rtp_port, m.sdp, m.crypto);
        if let Some(c) = self.calls.get_mut(&call) {
            c.agent = Some(leg);
        }
        // The agent's phone is hung up; its media already gave way.
        if let Some(mut a) = old {
            if let (Some(mut dialog), Some((dest, transport))) = (a.dialog.take(), a.peer) {
                self.dialogs.remove(&dialog.id);
                self.send_bye(&mut dialog, dest, transport, Some(hotline_calls::Cause::TakenOver));
            }
        }
        let contact = contact.to_owned();
        tracing::info!(%call, %contact, supervisor, "supervisor took the call over");
        self.call_event(&contact, "take_over", Some(supervisor.to_owned()), actor.map(|a| format!("from={a}")));
        let e = Event::CallMonitored { contact_id: contact, agent_id: String::new(), supervisor_id: supervisor.to_owned(), mode: Some("take_over".into()), indicator: true };
        self.services.bus.publish(now_ms(), e);
        self.call_input(CallInput::TakeOver { call, by: supervisor.to_owned() });
        Ok(())
    }

    /// Hands the caller on; for a queue, the reply is the new contact's id.
    fn api_transfer(&mut self, contact: &str, extension: &str, to: TransferTarget) -> Result<Option<String>, CallError> {
        let call = self.own_bridged_call(contact, extension)?;
        self.transfer(call, to)
    }

    /// Starts a blind transfer of a connected call (from the API or a REFER).
    pub(super) fn transfer(&mut self, call: CallId, to: TransferTarget) -> Result<Option<String>, CallError> {
        let contact = self.calls.get(&call).map(|c| c.contact.clone()).ok_or(CallError::NoCall)?;
        self.bridged_call(&contact)?;
        let by = self.calls.get(&call).and_then(|c| c.agent_id.clone()).unwrap_or_default();
        let (to, new) = match to {
            TransferTarget::Queue { queue, note } => {
                if !self.orch.has_queue(&queue) {
                    return Err(CallError::NoTarget(queue));
                }
                let contact = uuid::Uuid::now_v7().to_string();
                (hotline_calls::TransferTo::Queue { queue, contact: contact.clone(), note, by }, Some(contact))
            }
            TransferTarget::Number(number) => {
                if number.is_empty() || number.len() > 32 || !number.bytes().all(|b| b.is_ascii_digit() || b == b'+') {
                    return Err(CallError::NoTarget(number));
                }
                (hotline_calls::TransferTo::Number { number }, None)
            }
        };
        tracing::info!(%call, ?to, "blind transfer");
        self.call_input(CallInput::Transfer { call, to });
        Ok(new)
    }

    /// A blind transfer made `to` the call's contact: the driver follows,
    /// and both interactions say how they are linked.
    pub(super) fn transferred(&mut self, call: CallId, from: String, to: String, queue: String) {
        let Some(c) = self.calls.get_mut(&call) else { return };
        let by = c.agent_id.take();
        c.contact = to.clone();
        c.queue = Some(queue.clone());
        c.phone_hold = false;
        if c.recording_paused {
            // The next agent's conversation is recorded from its start.
            c.recording_paused = false;
            c.media.send(Command::PauseRecording(false));
        }
        self.call_event(&from, "transfer", by.clone(), Some(format!("to={to};queue={queue}")));
        self.call_event(&to, "transferred_from", by, Some(format!("from={from}")));
    }

    /// A row of the call's history (its timeline), written off the signalling path.
    fn call_event(&self, interaction: &str, kind: &str, actor: Option<String>, detail: Option<String>) {
        self.routing.send(Job::CallEvent(CallEvent {
            id: uuid::Uuid::now_v7().to_string(),
            interaction_id: interaction.to_owned(),
            at: now_ms(),
            kind: kind.into(),
            actor,
            detail,
        }));
    }

    /// The agent's phone re-INVITEd: `sendonly`/`inactive` (or the old
    /// `c=0.0.0.0`) holds, `sendrecv` again resumes a hold the phone made.
    pub(super) fn phone_hold(&mut self, call: CallId, held: bool) {
        let Some(c) = self.calls.get_mut(&call) else { return };
        if held && !self.orch.is_held(call) {
            c.phone_hold = true;
            self.call_input(CallInput::Hold { call, on: true });
        } else if !held && c.phone_hold {
            c.phone_hold = false;
            self.call_input(CallInput::Hold { call, on: false });
        }
    }

    /// The orchestrator held or resumed the caller: media, history, event.
    pub(super) fn held(&mut self, call: CallId, contact: String, on: bool, count: u32, total_ms: u64) {
        let Some(c) = self.calls.get(&call) else { return };
        c.media.send(Command::Hold(on));
        let agent_id = c.agent_id.clone().unwrap_or_default();
        tracing::info!(%call, %contact, on, count, total_ms, "hold");
        self.call_event(&contact, if on { "hold" } else { "resume" }, c.agent_id.clone(), Some(format!("count={count};total_ms={total_ms}")));
        self.services.bus.publish(now_ms(), Event::CallHeld { contact_id: contact, agent_id, held: on, count, total_ms });
    }

    fn monitor(&mut self, contact: &str, supervisor: String, via: MonitorVia, mode: Monitor, indicator: bool) -> Result<Option<String>, CallError> {
        let call = self.bridged_call(contact)?;
        let c = self.calls.get_mut(&call).ok_or(CallError::NoCall)?;
        if let Some(m) = c.monitor.as_mut() {
            if m.supervisor != supervisor {
                return Err(CallError::Busy);
            }
            if matches!(via, MonitorVia::Browser(_)) && m.fork.is_some() {
                return Err(CallError::NotNow("you are monitoring this call on your phone"));
            }
            // Switching mode on the leg already there: nothing is dialled again.
            m.mode = mode;
            m.indicator = indicator;
            c.media.send(Command::MonitorMode(mode));
            let up = m.up;
            if up {
                self.monitor_changed(call, Some(mode));
            }
            return Ok(None);
        }
        match via {
            MonitorVia::Phone(extension) => self.ring_monitor(call, supervisor, &extension, mode, indicator).map(|()| None),
            MonitorVia::Browser(offer) => self.browser_monitor(call, supervisor, &offer, mode, indicator).map(Some),
        }
    }

    fn ring_monitor(&mut self, call: CallId, supervisor: String, extension: &str, mode: Monitor, indicator: bool) -> Result<(), CallError> {
        let now = self.now();
        let Some((uri, dest, transport)) = self.registrar.lookup(extension, now).first().map(|b| (b.uri.clone(), b.source, b.transport)) else {
            return Err(CallError::NoPhone(extension.into()));
        };
        let ports = self.services.ports.allocate().map_err(|e| CallError::Media(e.to_string()))?;
        let port = ports.port;
        let leg = Leg::new(ports).map_err(|e| CallError::Media(e.to_string()))?;
        let crypto = super::secure::LegCrypto::new(self.opts.srtp.for_extension(extension));
        let offer = sdp::offer_with(self.local.ip(), port, rand::random::<u32>().into(), crypto.mode, &crypto.key);
        let agent = self.calls.get(&call).and_then(|c| c.agent.as_ref()).map(|a| a.extension.clone()).unwrap_or_default();
        // The supervisor's phone shows whose call it is.
        let invite = self.new_invite(uri, &format!("monitor-{agent}"), format!("<sip:{extension}@{}>", self.local), "hotline", transport, &offer);
        let key = self.send_request(dest, transport, invite.clone()).ok_or(CallError::Media("the INVITE could not be sent".into()))?;
        self.client_invites.insert(key.clone(), Fork::new(call, Side::Monitor, invite, dest, transport));
        let c = self.calls.get_mut(&call).ok_or(CallError::NoCall)?;
        c.media.send(Command::MonitorLeg(Some((Box::new(media::Endpoint::Rtp(leg)), mode))));
        c.monitor = Some(MonitorLeg { supervisor, extension: extension.to_owned(), mode, indicator, fork: Some(key), dialog: None, peer: None, rtp_port: port, sdp: offer, crypto, up: false });
        tracing::info!(%call, %extension, mode = mode.as_str(), "supervisor's phone rung to monitor");
        Ok(())
    }

    fn browser_monitor(&mut self, call: CallId, supervisor: String, offer: &str, mode: Monitor, indicator: bool) -> Result<String, CallError> {
        let ports = self.services.ports.allocate().map_err(|e| CallError::Media(e.to_string()))?;
        let port = ports.port;
        let (rtc, answer) = WebRtcLeg::answer(offer, ports, self.local.ip()).map_err(|e| CallError::Media(e.to_string()))?;
        let c = self.calls.get_mut(&call).ok_or(CallError::NoCall)?;
        c.media.send(Command::MonitorLeg(Some((Box::new(media::Endpoint::WebRtc(rtc)), mode))));
        let crypto = super::secure::LegCrypto::new(hotline_media::sdp::SrtpMode::Off);
        c.monitor = Some(MonitorLeg { supervisor, extension: "browser".into(), mode, indicator, fork: None, dialog: None, peer: None, rtp_port: port, sdp: String::new(), crypto, up: true });
        tracing::info!(%call, mode = mode.as_str(), "supervisor monitors from the browser");
        self.monitor_changed(call, Some(mode));
        Ok(answer)
    }

    /// A response to our INVITE to a supervisor's phone.
    pub(super) fn monitor_response(&mut self, key: TxKey, response: Response) {
        let Some(call) = self.client_invites.get(&key).map(|f| f.call) else { return };
        let wanted = |s: &Server| s.calls.get(&call).and_then(|c| c.monitor.as_ref()).filter(|m| m.fork.as_ref() == Some(&key) && m.dialog.is_none()).map(|m| m.crypto.clone());
        match response.status {
            100..=199 => {}
            200..=299 => {
                let Some(Acked { mut dialog, dest, transport, .. }) = self.ack_2xx(&key, &response) else { return };
                let answer = wanted(self).map(|crypto| sdp::read_answer_with(&String::from_utf8_lossy(&response.body), crypto.mode, &crypto.key));
                let Some(Ok(negotiated)) = answer else {
                    // Too late (the monitoring ended while it rang), or no usable media.
                    self.send_bye(&mut dialog, dest, transport, None);
                    self.forget_monitor(call);
                    return;
                };
                self.dialogs.insert(dialog.id.clone(), (call, Side::Monitor));
                let Some(c) = self.calls.get_mut(&call) else { return };
                c.media.send(Command::Remote { side: Side::Monitor, sdp: negotiated, signalling: dest.ip() });
                let mode = c.monitor.as_ref().map(|m| m.mode);
                if let Some(m) = c.monitor.as_mut() {
                    m.dialog = Some(dialog);
                    m.peer = Some((dest, transport));
                    m.up = true;
                }
                tracing::info!(%call, "supervisor's phone answered: monitoring");
                self.monitor_changed(call, mode);
            }
            status => {
                if wanted(self).is_some() {
                    tracing::info!(%call, status, "supervisor's phone did not answer");
                    self.forget_monitor(call);
                }
            }
        }
    }

    /// Our INVITE to a supervisor's phone timed out or could not be sent.
    pub(super) fn monitor_failed(&mut self, key: &TxKey) {
        let Some(call) = self.client_invites.get(key).map(|f| f.call) else { return };
        if self.calls.get(&call).and_then(|c| c.monitor.as_ref()).is_some_and(|m| m.fork.as_ref() == Some(key) && !m.up) {
            self.forget_monitor(call);
        }
    }

    /// Ends the supervisor's leg: BYE if it is up, CANCEL while it rings.
    pub(super) fn hang_up_monitor(&mut self, call: CallId) {
        let Some(m) = self.calls.get_mut(&call).and_then(|c| c.monitor.as_mut()) else { return };
        let fork = m.fork.clone();
        if let (Some(mut dialog), Some((dest, transport))) = (m.dialog.take(), m.peer) {
            self.dialogs.remove(&dialog.id);
            self.send_bye(&mut dialog, dest, transport, None);
        }
        if let Some(k) = fork {
            self.cancel_fork(&k);
        }
        self.forget_monitor(call);
    }

    /// The supervisor's leg is gone (hung up, refused, ended): its media too.
    pub(super) fn forget_monitor(&mut self, call: CallId) {
        let Some(c) = self.calls.get_mut(&call) else { return };
        let Some(m) = c.monitor.take() else { return };
        if let Some(d) = m.dialog {
            self.dialogs.remove(&d.id);
        }
        c.media.send(Command::MonitorLeg(None));
        if m.up {
            let (contact, agent_id) = (c.contact.clone(), c.agent_id.clone().unwrap_or_default());
            self.call_event(&contact, "monitor_end", Some(m.supervisor.clone()), None);
            let e = Event::CallMonitored { contact_id: contact, agent_id, supervisor_id: m.supervisor, mode: None, indicator: m.indicator };
            self.services.bus.publish(now_ms(), e);
        }
    }

    /// The supervisor's leg is up in `mode`, or switched to it: history, event.
    fn monitor_changed(&mut self, call: CallId, mode: Option<Monitor>) {
        let Some(c) = self.calls.get(&call) else { return };
        let Some(m) = c.monitor.as_ref() else { return };
        let mode = mode.map(|m| m.as_str().to_owned());
        self.call_event(&c.contact, "monitor", Some(m.supervisor.clone()), mode.clone());
        let e = Event::CallMonitored {
            contact_id: c.contact.clone(),
            agent_id: c.agent_id.clone().unwrap_or_default(),
            supervisor_id: m.supervisor.clone(),
            mode,
            indicator: m.indicator,
        };
        self.services.bus.publish(now_ms(), e);
    }
}
