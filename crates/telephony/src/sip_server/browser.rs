//! Browser agents: an agent whose desktop's softphone is online is rung in
//! the browser when they have no SIP phone registered; the desktop answers
//! with its WebRTC offer (over the authenticated API), and the call's agent
//! leg becomes a WebRTC leg. Hanging up from the browser ends that leg.

use hotline_calls::{CallId, DialFailure, Input as CallInput};
use tokio::sync::{mpsc, oneshot};

use super::call_control::{CallError, CallRequest, LiveCall, MonitorVia, TransferTarget};
use super::outbound::AgentLeg;
use hotline_media::mix::Monitor;
use super::Server;
use crate::media::{self, Command, WebRtcLeg};

/// What the API asks of telephony for browser agents.
pub enum BrowserRequest {
    /// The agent's browser softphone came online or went away.
    Softphone { extension: String, online: bool },
    /// The agent answers the call ringing for `contact` with a WebRTC offer;
    /// the reply is the SDP answer.
    Answer { contact: String, extension: String, offer: String, reply: oneshot::Sender<Result<String, BrowserError>> },
    /// The agent hangs up (or declines) the call of `contact`.
    Hangup { contact: String, extension: String, reply: oneshot::Sender<Result<(), BrowserError>> },
    /// A website visitor calls IVR `number` from the browser (click to call);
    /// the reply is the SDP answer and the token that hangs the call up.
    CallIn { number: String, offer: String, reply: oneshot::Sender<Result<(String, String), BrowserError>> },
    /// The visitor hangs up the call with this token.
    CallInHangup { token: String, reply: oneshot::Sender<Result<(), BrowserError>> },
    /// The tokens of the web calls still going.
    WebCalls { reply: oneshot::Sender<std::collections::HashSet<String>> },
    /// An admin calls a draft flow from the designer: the call runs `flow`
    /// as if it were published on a number of its own; the reply as for
    /// `CallIn`.
    TestCall { flow: std::sync::Arc<hotline_ivr::Flow>, offer: String, reply: oneshot::Sender<Result<(String, String), BrowserError>> },
    /// Hold, monitoring, the live calls (see `call_control.rs`).
    Call(super::call_control::CallRequest),
}

/// Most browser callers at once (each holds a port and a media task), and
/// at most this share of the RTP port pool: a flood of web calls cannot take
/// the ports phones and trunks need.
const MAX_WEB_CALLS: usize = 100;
const WEB_CALLS_SHARE_OF_PORTS: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrowserError {
    #[error("no call of this agent is ringing or up for that contact")]
    NoCall,
    #[error("the call was already answered")]
    Taken,
    #[error("{0}")]
    Media(String),
    #[error("telephony is not running")]
    Stopped,
    #[error("number `{0}` is not served")]
    NotServed(String),
    #[error("too many web calls; try again later")]
    Busy,
}

/// Sends browser requests to the SIP task. Cheap to clone.
#[derive(Clone)]
pub struct TelephonyHandle {
    pub(super) tx: mpsc::Sender<BrowserRequest>,
}

impl TelephonyHandle {
    pub async fn softphone(&self, extension: &str, online: bool) -> Result<(), BrowserError> {
        self.tx.send(BrowserRequest::Softphone { extension: extension.into(), online }).await.map_err(|_| BrowserError::Stopped)
    }

    pub async fn answer(&self, contact: &str, extension: &str, offer: String) -> Result<String, BrowserError> {
        let (reply, rx) = oneshot::channel();
        let req = BrowserRequest::Answer { contact: contact.into(), extension: extension.into(), offer, reply };
        self.tx.send(req).await.map_err(|_| BrowserError::Stopped)?;
        rx.await.map_err(|_| BrowserError::Stopped)?
    }

    /// A browser calls IVR `number`: returns the SDP answer and the call's token.
    pub async fn call_in(&self, number: &str, offer: String) -> Result<(String, String), BrowserError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(BrowserRequest::CallIn { number: number.into(), offer, reply }).await.map_err(|_| BrowserError::Stopped)?;
        rx.await.map_err(|_| BrowserError::Stopped)?
    }

    pub async fn call_in_hangup(&self, token: &str) -> Result<(), BrowserError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(BrowserRequest::CallInHangup { token: token.into(), reply }).await.map_err(|_| BrowserError::Stopped)?;
        rx.await.map_err(|_| BrowserError::Stopped)?
    }

    /// Calls a draft flow from the browser (the designer's test call).
    pub async fn test_call(&self, flow: hotline_ivr::Flow, offer: String) -> Result<(String, String), BrowserError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(BrowserRequest::TestCall { flow: std::sync::Arc::new(flow), offer, reply }).await.map_err(|_| BrowserError::Stopped)?;
        rx.await.map_err(|_| BrowserError::Stopped)?
    }

    /// The hang-up tokens of the web calls still going.
    pub async fn web_calls(&self) -> Result<std::collections::HashSet<String>, BrowserError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(BrowserRequest::WebCalls { reply }).await.map_err(|_| BrowserError::Stopped)?;
        rx.await.map_err(|_| BrowserError::Stopped)
    }

    /// Sends a call-control request and waits for its answer.
    async fn call<T>(&self, make: impl FnOnce(oneshot::Sender<Result<T, CallError>>) -> CallRequest) -> Result<T, CallError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(BrowserRequest::Call(make(reply))).await.map_err(|_| CallError::Stopped)?;
        rx.await.map_err(|_| CallError::Stopped)?
    }

    /// The agent with `extension` holds (`on`) or resumes the call of `contact`.
    pub async fn hold(&self, contact: &str, extension: &str, on: bool) -> Result<(), CallError> {
        self.call(|reply| CallRequest::Hold { contact: contact.into(), extension: extension.into(), on, reply }).await
    }

    /// A supervisor monitors a call (or switches mode); for a browser, the
    /// reply is the SDP answer.
    pub async fn monitor(&self, contact: &str, supervisor: &str, via: MonitorVia, mode: Monitor, indicator: bool) -> Result<Option<String>, CallError> {
        self.call(|reply| CallRequest::Monitor { contact: contact.into(), supervisor: supervisor.into(), via, mode, indicator, reply }).await
    }

    pub async fn monitor_end(&self, contact: &str, supervisor: &str) -> Result<(), CallError> {
        self.call(|reply| CallRequest::MonitorEnd { contact: contact.into(), supervisor: supervisor.into(), reply }).await
    }

    /// The agent with `extension` pauses (`on`) or resumes the call's recording.
    pub async fn pause_recording(&self, contact: &str, extension: &str, on: bool) -> Result<(), CallError> {
        self.call(|reply| CallRequest::PauseRecording { contact: contact.into(), extension: extension.into(), on, reply }).await
    }

    /// The agent with `extension` transfers the call of `contact`; for a
    /// queue, the new contact's id.
    pub async fn transfer(&self, contact: &str, extension: &str, to: TransferTarget) -> Result<Option<String>, CallError> {
        self.call(|reply| CallRequest::Transfer { contact: contact.into(), extension: extension.into(), to, reply }).await
    }

    /// The supervisor monitoring the call of `contact` takes it over.
    pub async fn take_over(&self, contact: &str, supervisor: &str) -> Result<(), CallError> {
        self.call(|reply| CallRequest::TakeOver { contact: contact.into(), supervisor: supervisor.into(), reply }).await
    }

    /// Every call in progress.
    pub async fn live_calls(&self) -> Result<Vec<LiveCall>, CallError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(BrowserRequest::Call(CallRequest::Live { reply })).await.map_err(|_| CallError::Stopped)?;
        rx.await.map_err(|_| CallError::Stopped)
    }

    pub async fn hangup(&self, contact: &str, extension: &str) -> Result<(), BrowserError> {
        let (reply, rx) = oneshot::channel();
        let req = BrowserRequest::Hangup { contact: contact.into(), extension: extension.into(), reply };
        self.tx.send(req).await.map_err(|_| BrowserError::Stopped)?;
        rx.await.map_err(|_| BrowserError::Stopped)?
    }
}

impl Server {
    pub(super) async fn browser_request(&mut self, r: BrowserRequest) {
        match r {
            BrowserRequest::Softphone { extension, online } => {
                tracing::info!(%extension, online, "browser softphone");
                if online {
                    self.browsers.insert(extension);
                } else {
                    self.browsers.remove(&extension);
                    // The agent's last way to take calls is gone: out of routing
                    // (rather than offered calls nobody answers).
                    let now = self.now();
                    if self.registrar.lookup(&extension, now).is_empty() {
                        if let Some(agent) = self.extensions.iter().find(|(_, e)| **e == extension).map(|(a, _)| a.clone()) {
                            self.routing.send(super::routing::Job::Registration { agent, registered: false });
                        }
                    }
                }
            }
            BrowserRequest::Answer { contact, extension, offer, reply } => {
                let _ = reply.send(self.browser_answer(&contact, &extension, &offer));
            }
            BrowserRequest::Hangup { contact, extension, reply } => {
                let _ = reply.send(self.browser_hangup(&contact, &extension));
            }
            BrowserRequest::CallIn { number, offer, reply } => {
                let r = self.call_in(&number, &offer).await;
                let _ = reply.send(r);
            }
            BrowserRequest::TestCall { flow, offer, reply } => {
                // A number of its own, unguessable and never dialable (not
                // digits), served only until this call has come in.
                let number = format!("test-{}", hex::encode(super::random()));
                self.orch.serve(hotline_calls::Entry { number: number.clone(), flow, no_input_to_agent_ms: None, default_queue: String::new() });
                let r = self.call_in(&number, &offer).await;
                self.pump();
                self.orch.stop_serving(&number);
                let _ = reply.send(r);
            }
            BrowserRequest::Call(r) => self.call_request(r),
            BrowserRequest::WebCalls { reply } => {
                let _ = reply.send(self.web_calls.keys().cloned().collect());
            }
            BrowserRequest::CallInHangup { token, reply } => {
                let r = match self.web_calls.get(&token) {
                    Some(&call) => {
                        self.call_input(CallInput::CallerGone { call });
                        Ok(())
                    }
                    None => Err(BrowserError::NoCall),
                };
                let _ = reply.send(r);
            }
        }
    }

    /// The call whose agent leg rings or talks in `extension`'s browser.
    fn browser_call(&self, contact: &str, extension: &str) -> Option<CallId> {
        let call = self.orch.call_of(contact)?;
        let leg = self.calls.get(&call)?.agent.as_ref()?;
        (leg.browser && leg.extension == extension).then_some(call)
    }

    /// Rings `extension` in the browser if its softphone is online.
    pub(super) fn ring_browser(&mut self, call: CallId, extension: &str) -> bool {
        if !self.browsers.contains(extension) {
            return false;
        }
        let Some(c) = self.calls.get_mut(&call) else { return false };
        c.agent = Some(AgentLeg::browser(extension));
        self.pending.push_back(CallInput::AgentRinging { call });
        true
    }

    fn browser_answer(&mut self, contact: &str, extension: &str, offer: &str) -> Result<String, BrowserError> {
        let call = self.browser_call(contact, extension).ok_or(BrowserError::NoCall)?;
        let ports = self.services.ports.allocate().map_err(|e| BrowserError::Media(e.to_string()))?;
        let c = self.calls.get_mut(&call).ok_or(BrowserError::NoCall)?;
        let leg = c.agent.as_mut().ok_or(BrowserError::NoCall)?;
        if !leg.take_browser_answer() {
            return Err(BrowserError::Taken);
        }
        let (mut rtc, answer) = WebRtcLeg::answer(offer, ports, self.local.ip()).map_err(|e| BrowserError::Media(e.to_string()))?;
        rtc.set_jitter_depth(self.services.media.jitter_frames);
        c.media.send(Command::AgentLeg(Some(Box::new(media::Endpoint::WebRtc(rtc)))));
        tracing::info!(%call, %extension, "agent answered in the browser");
        self.pending.push_back(CallInput::AgentAnswered { call });
        Ok(answer)
    }

    fn browser_hangup(&mut self, contact: &str, extension: &str) -> Result<(), BrowserError> {
        let call = self.browser_call(contact, extension).ok_or(BrowserError::NoCall)?;
        let answered = self.calls.get(&call).and_then(|c| c.agent.as_ref()).is_some_and(AgentLeg::is_settled);
        self.drop_agent_leg(call);
        let input = if answered { CallInput::AgentGone { call } } else { CallInput::AgentFailed { call, why: DialFailure::Busy } };
        self.pending.push_back(input);
        Ok(())
    }
}

impl Server {
    /// A call from a browser to an IVR number: its caller leg is WebRTC.
    async fn call_in(&mut self, number: &str, offer: &str) -> Result<(String, String), BrowserError> {
        if !self.orch.serves(number) {
            return Err(BrowserError::NotServed(number.into()));
        }
        let cap = MAX_WEB_CALLS.min(self.services.ports.capacity() / WEB_CALLS_SHARE_OF_PORTS).max(1);
        if self.web_calls.len() >= cap {
            return Err(BrowserError::Busy);
        }
        let ports = self.services.ports.allocate().map_err(|e| BrowserError::Media(e.to_string()))?;
        let port = ports.port;
        let (leg, answer) = WebRtcLeg::answer(offer, ports, self.local.ip()).map_err(|e| BrowserError::Media(e.to_string()))?;
        let call = self.new_call_id();
        let media = media::spawn(call, media::Endpoint::WebRtc(leg), self.services.media, self.services.prompts.clone(), self.media_tx.clone());
        let token = hex::encode(super::random());
        self.web_calls.insert(token.clone(), call);
        let contact = self.new_web_call(call, number, port, media);
        tracing::info!(%call, %contact, to = %number, "incoming web call");
        self.call_input(CallInput::Incoming { call, contact, to: number.into(), from: WEB_CALLER.into(), agent: None });
        Ok((answer, token))
    }
}

/// The caller "number" of calls placed from the website.
pub const WEB_CALLER: &str = "web";
