//! The agent's leg: ringing every registered phone of the extension the
//! routing engine chose (parallel forks, one media leg shared by them), the
//! first to answer wins and the others are cancelled; a phone that answers
//! too late is acknowledged and hung up at once.

use std::net::SocketAddr;

use hotline_calls::{CallId, Cause, DialFailure, Input as CallInput, Side};
use hotline_media::sdp;
use hotline_sip::dialog::Dialog;
use hotline_sip::{Request, Response, Transport as SipTransport, TxKey};

use super::Server;
use crate::media::{self, Command, Leg};

/// A 2xx of ours acknowledged (see `ack_2xx`).
pub(super) struct Acked {
    pub call: CallId,
    pub dialog: Dialog,
    pub dest: SocketAddr,
    pub transport: SipTransport,
    /// The INVITE had no final answer before this one (it was not cancelled).
    pub was_open: bool,
}

/// A phone to ring: its URI, where to send, over what.
pub(super) type Phone = (String, SocketAddr, SipTransport);

/// The agent's side of a call: the phones rung, then the one that answered.
pub(super) struct AgentLeg {
    pub extension: String,
    /// Our INVITEs, one per registered phone.
    pub forks: Vec<TxKey>,
    /// Once a phone answered.
    pub dialog: Option<Dialog>,
    pub peer: Option<(SocketAddr, SipTransport)>,
    pub rtp_port: u16,
    /// Our SDP offer.
    pub sdp: String,
    /// The agent's browser rings (no SIP forks).
    pub browser: bool,
    /// SRTP mode and our key.
    pub crypto: super::secure::LegCrypto,
    /// The orchestrator was told the phone rings.
    ringing: bool,
    /// The orchestrator was told the outcome (answered, failed), or the
    /// ring was cancelled: later responses change nothing.
    settled: bool,
}

impl AgentLeg {
    /// An agent rung in the browser: no SIP, no ports until they answer.
    pub fn browser(extension: &str) -> AgentLeg {
        let crypto = super::secure::LegCrypto::new(hotline_media::sdp::SrtpMode::Off);
        AgentLeg { extension: extension.into(), forks: Vec::new(), dialog: None, peer: None, rtp_port: 0, sdp: String::new(), browser: true, crypto, ringing: true, settled: false }
    }

    /// A supervisor's monitoring leg, up, taking the agent's place.
    pub fn taken_over(extension: String, dialog: Option<Dialog>, peer: Option<(SocketAddr, SipTransport)>, rtp_port: u16, sdp: String, crypto: super::secure::LegCrypto) -> AgentLeg {
        let browser = dialog.is_none();
        AgentLeg { extension, forks: Vec::new(), dialog, peer, rtp_port, sdp, browser, crypto, ringing: true, settled: true }
    }

    /// Marks a browser leg answered; `false` if it was already.
    pub fn take_browser_answer(&mut self) -> bool {
        let first = !self.settled;
        self.settled = true;
        first
    }

    pub fn is_settled(&self) -> bool {
        self.settled
    }
}

/// One INVITE of ours: to an agent's phone, or to a customer called back.
pub(super) struct Fork {
    pub call: CallId,
    /// Which leg of the call it makes.
    pub side: Side,
    pub invite: Request,
    pub dest: SocketAddr,
    pub transport: SipTransport,
    pub state: ForkState,
    /// The ACK sent for its 2xx, resent if the 2xx is.
    pub ack: Option<Request>,
}

impl Fork {
    pub fn new(call: CallId, side: Side, invite: Request, dest: SocketAddr, transport: SipTransport) -> Fork {
        Fork { call, side, invite, dest, transport, state: ForkState::Trying, ack: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ForkState {
    Trying,
    Ringing,
    Answered,
    Failed(u16),
    Cancelled,
}

impl ForkState {
    pub fn open(self) -> bool {
        matches!(self, ForkState::Trying | ForkState::Ringing)
    }
}

impl Server {
    /// Rings every registered phone of `extension` for `call`.
    pub(super) fn dial(&mut self, call: CallId, extension: String) {
        let now = self.now();
        let phones: Vec<Phone> = self.registrar.lookup(&extension, now).into_iter().map(|b| (b.uri.clone(), b.source, b.transport)).collect();
        if phones.is_empty() && self.ring_browser(call, &extension) {
            return;
        }
        let mode = self.opts.srtp.for_extension(&extension);
        self.ring(call, extension, phones, mode);
    }

    /// Rings an outside number for a transfer: a phone registered under it,
    /// else through a trunk.
    pub(super) fn dial_out(&mut self, call: CallId, number: String) {
        let (phones, mode) = match self.route(call, &number) {
            Some((phone, mode)) => (vec![phone], mode),
            None => (Vec::new(), hotline_media::sdp::SrtpMode::Off),
        };
        self.ring(call, number, phones, mode);
    }

    /// Where `call` reaches a number, and with which SRTP mode: a phone
    /// registered under it, else the gateway of the first trunk with room,
    /// whose place the call then holds until it ends.
    pub(super) fn route(&mut self, call: CallId, number: &str) -> Option<(Phone, hotline_media::sdp::SrtpMode)> {
        if let Some(b) = self.registrar.lookup(number, self.now()).first() {
            return Some(((b.uri.clone(), b.source, b.transport), self.opts.srtp.for_extension(number)));
        }
        let held = self.calls.get(&call).and_then(|c| c.trunk);
        let trunk = match held {
            Some(t) => t,
            None => {
                let Some(t) = self.trunk_with_room() else {
                    tracing::warn!(%call, "every trunk is at its cap of calls at once");
                    return None;
                };
                self.trunk_calls[t] += 1;
                if let Some(c) = self.calls.get_mut(&call) {
                    c.trunk = Some(t);
                }
                t
            }
        };
        let mode = self.trunk_srtp(trunk);
        self.trunks.get(trunk).map(|t| ((format!("sip:{number}@{}", t.gateway()), t.gateway(), t.transport()), mode))
    }

    /// Rings `phones` in parallel as the agent leg of `call`; the answers
    /// come back to the orchestrator as the agent's.
    fn ring(&mut self, call: CallId, extension: String, phones: Vec<Phone>, mode: hotline_media::sdp::SrtpMode) {
        let fail = |s: &mut Server, why: &str| {
            tracing::info!(%call, %extension, why, "phone not rung");
            s.pending.push_back(CallInput::AgentFailed { call, why: DialFailure::Unreachable });
        };
        if phones.is_empty() {
            return fail(self, "no registered phone or route");
        }
        let ports = match self.services.ports.allocate() {
            Ok(p) => p,
            Err(e) => return fail(self, &e.to_string()),
        };
        let port = ports.port;
        let leg = match Leg::new(ports) {
            Ok(l) => l,
            Err(e) => return fail(self, &e.to_string()),
        };
        let Some(c) = self.calls.get(&call) else { return };
        c.media.send(Command::AgentLeg(Some(Box::new(media::Endpoint::Rtp(leg)))));
        let crypto = super::secure::LegCrypto::new(mode);
        let offer = sdp::offer_with(self.local.ip(), port, rand::random::<u32>().into(), crypto.mode, &crypto.key);
        let caller = c.from_number.clone();
        let mut forks = Vec::new();
        for (uri, dest, transport) in phones {
            let invite = self.new_invite(uri, &caller, format!("<sip:{extension}@{}>", self.local), "hotline", transport, &offer);
            if let Some(key) = self.send_request(dest, transport, invite.clone()) {
                self.client_invites.insert(key.clone(), Fork::new(call, Side::Agent, invite, dest, transport));
                forks.push(key);
            }
        }
        if forks.is_empty() {
            if let Some(c) = self.calls.get(&call) {
                c.media.send(Command::AgentLeg(None));
            }
            return fail(self, "no INVITE could be sent");
        }
        if let Some(c) = self.calls.get_mut(&call) {
            c.agent = Some(AgentLeg { extension, forks, dialog: None, peer: None, rtp_port: port, sdp: offer, browser: false, crypto, ringing: false, settled: false });
        }
    }

    /// The agent leg of `call`, if `key` is one of its current forks.
    fn leg_of(&mut self, call: CallId, key: &TxKey) -> Option<&mut AgentLeg> {
        self.calls.get_mut(&call)?.agent.as_mut().filter(|a| a.forks.contains(key))
    }

    /// A response to one of our requests.
    pub(super) fn response(&mut self, key: TxKey, response: Response) {
        let Some(fork) = self.client_invites.get(&key) else { return };
        let call = fork.call;
        if fork.side == Side::Monitor {
            return self.monitor_response(key, response);
        }
        if fork.side == Side::Caller {
            if response.status >= 200 {
                self.customer_response(&key, &response);
            }
            return;
        }
        match response.status {
            100 => {}
            101..=199 => {
                if let Some(f) = self.client_invites.get_mut(&key).filter(|f| f.state == ForkState::Trying) {
                    f.state = ForkState::Ringing;
                }
                let tell = self.leg_of(call, &key).filter(|a| !a.ringing && !a.settled).map(|a| a.ringing = true).is_some();
                if tell {
                    self.pending.push_back(CallInput::AgentRinging { call });
                }
            }
            200..=299 => self.answered(key, response),
            status => {
                if let Some(f) = self.client_invites.get_mut(&key).filter(|f| f.state.open()) {
                    f.state = ForkState::Failed(status);
                }
                self.fork_ended(call, &key);
            }
        }
    }

    /// A client transaction timed out or could not be sent.
    pub(super) fn client_failed(&mut self, key: &TxKey) {
        let Some(f) = self.client_invites.get_mut(key) else { return };
        let (call, was_open) = (f.call, f.state.open());
        if was_open {
            f.state = ForkState::Failed(408);
        }
        if f.side == Side::Monitor {
            return self.monitor_failed(key);
        }
        if f.side == Side::Caller {
            if was_open {
                self.call_input(CallInput::CustomerFailed { call });
            }
            return;
        }
        self.fork_ended(call, key);
    }

    /// After a fork failed: when no phone is left ringing, the dial failed.
    fn fork_ended(&mut self, call: CallId, key: &TxKey) {
        let Some(leg) = self.calls.get(&call).and_then(|c| c.agent.as_ref()).filter(|a| a.forks.contains(key)) else { return };
        if leg.settled {
            return;
        }
        let states: Vec<ForkState> = leg.forks.iter().filter_map(|k| self.client_invites.get(k)).map(|f| f.state).collect();
        if states.iter().any(|s| s.open() || *s == ForkState::Answered) {
            return;
        }
        let busy = states.iter().any(|s| matches!(s, ForkState::Failed(486 | 600 | 603)));
        self.drop_agent_leg(call);
        let why = if busy { DialFailure::Busy } else { DialFailure::Unreachable };
        self.pending.push_back(CallInput::AgentFailed { call, why });
    }

    /// The 2xx of one of our INVITEs, acknowledged: the dialog it made.
    /// A retransmitted 2xx (our ACK was lost) gets the same ACK again, and
    /// `None`, as does one that makes no dialog.
    pub(super) fn ack_2xx(&mut self, key: &TxKey, response: &Response) -> Option<Acked> {
        let f = self.client_invites.get(key)?;
        let (call, dest, transport, was_open) = (f.call, f.dest, f.transport, f.state.open());
        if f.state == ForkState::Answered {
            if let Some(ack) = f.ack.clone() {
                self.send_request(dest, transport, ack);
            }
            return None;
        }
        let dialog = match Dialog::uac(&f.invite, response) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(%call, error = %e, "answer to our INVITE unusable");
                return None;
            }
        };
        let ack = dialog.ack(dialog.local_cseq, &self.via(transport));
        self.send_request(dest, transport, ack.clone());
        if let Some(f) = self.client_invites.get_mut(key) {
            f.state = ForkState::Answered;
            f.ack = Some(ack);
        }
        Some(Acked { call, dialog, dest, transport, was_open })
    }

    /// A 2xx to one of our INVITEs: the first answer wins the call; any
    /// other is acknowledged and hung up.
    fn answered(&mut self, key: TxKey, response: Response) {
        let Some(Acked { call, mut dialog, dest, transport, .. }) = self.ack_2xx(&key, &response) else { return };
        let leg = self.leg_of(call, &key);
        let wanted = leg.as_ref().is_some_and(|a| !a.settled && a.dialog.is_none());
        let crypto = leg.map(|a| a.crypto.clone()).unwrap_or_else(|| super::secure::LegCrypto::new(hotline_media::sdp::SrtpMode::Off));
        let negotiated = sdp::read_answer_with(&String::from_utf8_lossy(&response.body), crypto.mode, &crypto.key);
        let negotiated = match (wanted, negotiated) {
            (true, Ok(n)) => n,
            (wanted, result) => {
                // Too late (another phone answered, or the ring was
                // cancelled), or no usable media: hang this phone up.
                if let Err(e) = result {
                    tracing::warn!(%call, error = %e, "agent's SDP answer unusable");
                }
                self.send_bye(&mut dialog, dest, transport, None);
                if wanted {
                    if let Some(f) = self.client_invites.get_mut(&key) {
                        f.state = ForkState::Failed(488);
                    }
                    self.fork_ended(call, &key);
                }
                return;
            }
        };
        self.dialogs.insert(dialog.id.clone(), (call, Side::Agent));
        let others: Vec<TxKey> = self.leg_of(call, &key).map(|a| a.forks.iter().filter(|k| **k != key).cloned().collect()).unwrap_or_default();
        for other in others {
            self.cancel_fork(&other);
        }
        let Some(c) = self.calls.get_mut(&call) else { return };
        c.media.send(Command::Remote { side: Side::Agent, sdp: negotiated, signalling: dest.ip() });
        if let Some(a) = c.agent.as_mut() {
            tracing::info!(%call, extension = %a.extension, phone = %dest, "agent answered");
            a.dialog = Some(dialog);
            a.peer = Some((dest, transport));
            a.settled = true;
        }
        self.pending.push_back(CallInput::AgentAnswered { call });
    }

    /// Cancels every INVITE of `call` still without a final answer.
    pub(super) fn cancel_forks_of(&mut self, call: CallId) {
        let open: Vec<TxKey> = self.client_invites.iter().filter(|(_, f)| f.call == call && f.state.open()).map(|(k, _)| k.clone()).collect();
        for k in open {
            self.cancel_fork(&k);
        }
    }

    /// Cancels one INVITE if it has no final answer yet.
    pub(super) fn cancel_fork(&mut self, key: &TxKey) {
        let Some(f) = self.client_invites.get_mut(key).filter(|f| f.state.open()) else { return };
        f.state = ForkState::Cancelled;
        let (cancel, dest, transport) = (f.invite.cancel(), f.dest, f.transport);
        self.send_request(dest, transport, cancel);
    }

    /// Stops ringing the agent (CANCEL to every phone still ringing).
    pub(super) fn cancel_dial(&mut self, call: CallId) {
        let forks = self.calls.get(&call).and_then(|c| c.agent.as_ref()).map(|a| a.forks.clone()).unwrap_or_default();
        for k in &forks {
            self.cancel_fork(k);
        }
        self.hang_up_agent(call, Cause::OriginatorCancel);
    }

    /// Ends the agent's leg: BYE if a phone answered, CANCEL otherwise.
    pub(super) fn hang_up_agent(&mut self, call: CallId, cause: Cause) {
        let Some(leg) = self.calls.get_mut(&call).and_then(|c| c.agent.as_mut()) else { return };
        let forks = leg.forks.clone();
        if let (Some(mut dialog), Some((dest, transport))) = (leg.dialog.take(), leg.peer) {
            self.dialogs.remove(&dialog.id);
            self.send_bye(&mut dialog, dest, transport, Some(cause));
        }
        for k in &forks {
            self.cancel_fork(k);
        }
        self.drop_agent_leg(call);
    }

    /// Forgets the agent leg; its media sockets are released.
    pub(super) fn drop_agent_leg(&mut self, call: CallId) {
        // Without an agent there is nothing left to monitor.
        self.hang_up_monitor(call);
        if let Some(c) = self.calls.get_mut(&call) {
            if let Some(a) = c.agent.take() {
                if let Some(d) = a.dialog {
                    self.dialogs.remove(&d.id);
                }
                c.media.send(Command::AgentLeg(None));
            }
        }
    }
}
