//! The caller's leg: a new INVITE becomes a call (media task, orchestrator
//! input); the caller's CANCEL, BYE and re-INVITE; answering, refusing and
//! hanging up the caller when the orchestrator says so.

use std::net::SocketAddr;

use hotline_calls::{CallId, Cause, Input as CallInput, Side};
use hotline_media::sdp;
use hotline_sip::dialog::{Dialog, DialogId};
use hotline_sip::{Method, Request, Transport as SipTransport, TxKey};

use super::outbound::AgentLeg;
use super::{random, Server};
use crate::media::{self, Command, Leg, MediaHandle};

/// Everything the driver keeps about one call.
pub(super) struct Call {
    /// The routing contact and interaction id.
    pub contact: String,
    pub from_number: String,
    pub to_number: String,
    pub caller: CallerLeg,
    pub agent: Option<AgentLeg>,
    pub media: MediaHandle,
    /// The agent routing offered the call to (for the recording row).
    pub agent_id: Option<String>,
    /// The queue the caller waits in, once queued.
    pub queue: Option<String>,
    /// The caller left a voicemail (its interaction row is ours to close).
    pub voicemail: bool,
    /// An agent's call out through a trunk.
    pub outside: Option<super::outside::OutsideCall>,
    /// The trunk this call holds a place on.
    pub trunk: Option<usize>,
    /// A supervisor listening, coaching or barged in.
    pub monitor: Option<super::call_control::MonitorLeg>,
    /// The agent's phone put the caller on hold (its `sendrecv` resumes).
    pub phone_hold: bool,
    /// Secure pause: the recording takes silence.
    pub recording_paused: bool,
    /// What the IVR collected and lookups answered, as queued (for the
    /// supervisor's rules; secure input never gets here).
    pub vars: std::collections::BTreeMap<String, String>,
    /// When the call came in (ms since the Unix epoch).
    pub started_at: i64,
}

impl Call {
    pub fn new(contact: String, from_number: String, to_number: String, caller: CallerLeg, media: MediaHandle) -> Call {
        Call {
            contact,
            from_number,
            to_number,
            caller,
            agent: None,
            media,
            agent_id: None,
            queue: None,
            voicemail: false,
            outside: None,
            trunk: None,
            monitor: None,
            phone_hold: false,
            recording_paused: false,
            vars: Default::default(),
            started_at: crate::now_ms(),
        }
    }
}

/// The caller's side of the call.
pub(super) struct CallerLeg {
    /// The caller's INVITE server transaction, until it has a final answer.
    pub key: Option<TxKey>,
    pub invite: Request,
    pub peer: SocketAddr,
    pub transport: SipTransport,
    pub tag: String,
    pub dialog: Option<Dialog>,
    /// Our RTP port and SDP answer (sent again on re-INVITEs).
    pub rtp_port: u16,
    pub sdp: String,
    pub sdp_version: u64,
    /// A browser calling from the website (WebRTC, no SIP dialog).
    pub web: bool,
    /// SRTP mode and our key (re-INVITEs are answered with the same).
    pub crypto: super::secure::LegCrypto,
}

/// The user part of a From or To header, or an empty string.
fn user(addr: Option<hotline_sip::NameAddr>) -> String {
    addr.and_then(|a| a.user()).unwrap_or_default()
}

impl Server {
    pub(super) fn invite(&mut self, key: TxKey, mut request: Request, from: SocketAddr, transport: SipTransport) {
        if request.headers.to().and_then(|t| t.tag()).is_some() {
            return self.reinvite(key, request, from, transport);
        }
        if request.headers.get("Contact").is_none() {
            // RFC 2543 made Contact optional (RFC 4475's `inv2543`): such a
            // client is reached at its From URI. RFC 3261 requires it.
            let rfc2543 = request.headers.top_via().is_some_and(|v| v.rfc3261_branch().is_none());
            match request.headers.from().filter(|_| rfc2543) {
                Some(f) => request.headers.push("Contact", format!("<{}>", f.uri)),
                None => {
                    let r = request.response(400).with_to_tag(&hotline_sip::ids::tag(&random())).with_reason("Missing Contact");
                    return self.respond(key, r);
                }
            }
        }
        let refuse = |status: u16, reason: &str| request.response(status).with_to_tag(&hotline_sip::ids::tag(&random())).with_reason(reason);
        let to_number = user(request.uri_user());
        let agent = if self.orch.serves(&to_number) {
            None
        } else {
            match self.authenticate_caller(&request, from) {
                super::caller_auth::CallerAuth::Agent(ext) => Some(ext),
                super::caller_auth::CallerAuth::Refuse(r) => return self.respond(key, r),
            }
        };
        // An agent's phone calling out through a trunk: permitted first.
        let outside = match &agent {
            Some(ext) if !to_number.is_empty() && !self.is_internal(&to_number) => match self.permit_outside(ext, &to_number) {
                Ok(_) => Some(ext.clone()),
                Err((status, reason)) => {
                    let r = refuse(status, reason);
                    return self.respond(key, r);
                }
            },
            _ => None,
        };
        let offer = String::from_utf8_lossy(&request.body).into_owned();
        if offer.trim().is_empty() {
            let r = refuse(488, "SDP Offer Required");
            return self.respond(key, r);
        }
        let ports = match self.services.ports.allocate() {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "call refused");
                let r = refuse(503, "No Media Ports");
                return self.respond(key, r);
            }
        };
        let port = ports.port;
        let session: u64 = rand::random::<u32>().into();
        let crypto = super::secure::LegCrypto::new(self.caller_srtp(agent.as_deref(), from.ip()));
        let (answer, negotiated) = match sdp::answer_with(&offer, self.local.ip(), port, session, crypto.mode, &crypto.key) {
            Ok(a) => a,
            Err(e) => {
                tracing::info!(%from, error = %e, "call refused: SDP");
                let r = refuse(488, &format!("SDP: {e}"));
                return self.respond(key, r);
            }
        };
        let leg = match Leg::new(ports) {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "call refused: RTP socket");
                let r = refuse(503, "Media Unavailable");
                return self.respond(key, r);
            }
        };
        let call = self.new_call_id();
        let media = media::spawn(call, media::Endpoint::Rtp(leg), self.services.media, self.services.prompts.clone(), self.media_tx.clone());
        media.send(Command::Remote { side: Side::Caller, sdp: negotiated, signalling: from.ip() });
        let contact = uuid::Uuid::now_v7().to_string();
        let from_number = user(request.headers.from());
        let trunk = self.trunk_of(from.ip()).unwrap_or("");
        tracing::info!(%call, %contact, to = %to_number, trunk, sip_call_id = request.headers.call_id().unwrap_or(""), "incoming call");
        let caller = CallerLeg {
            key: Some(key.clone()),
            invite: request,
            peer: from,
            transport,
            tag: hotline_sip::ids::tag(&random()),
            dialog: None,
            rtp_port: port,
            sdp: answer,
            sdp_version: session,
            web: false,
            crypto,
        };
        self.calls.insert(call, Call::new(contact.clone(), from_number.clone(), to_number.clone(), caller, media));
        if let Some(ext) = outside {
            self.outside_started(call, &ext);
        }
        self.server_invites.insert(key, call);
        self.call_input(CallInput::Incoming { call, contact, to: to_number, from: from_number, agent });
    }

    pub(super) fn new_call_id(&mut self) -> CallId {
        let call = CallId(self.next_call);
        self.next_call += 1;
        call
    }

    /// Registers a browser caller's call (already answered by WebRTC).
    pub(super) fn new_web_call(&mut self, call: CallId, number: &str, port: u16, media: MediaHandle) -> String {
        let contact = uuid::Uuid::now_v7().to_string();
        let caller = CallerLeg {
            key: None,
            invite: Request::new(Method::Invite, format!("sip:{number}@web")),
            peer: SocketAddr::from(([0, 0, 0, 0], 0)),
            transport: SipTransport::Udp,
            tag: hotline_sip::ids::tag(&random()),
            dialog: None,
            rtp_port: port,
            sdp: String::new(),
            sdp_version: 0,
            web: true,
            crypto: super::secure::LegCrypto::new(hotline_media::sdp::SrtpMode::Off),
        };
        let from_number = super::browser::WEB_CALLER.to_owned();
        self.calls.insert(call, Call::new(contact.clone(), from_number, number.to_owned(), caller, media));
        contact
    }

    /// Answers the caller: 200 OK with our SDP; the dialog starts.
    pub(super) fn answer_caller(&mut self, call: CallId) {
        let contact = self.calls.get(&call).map(|c| self.contact(&c.to_number, c.caller.transport));
        let allow = self.allow();
        let Some(c) = self.calls.get_mut(&call) else { return };
        let Some(key) = c.caller.key.take() else { return };
        let response = c
            .caller
            .invite
            .response(200)
            .with_to_tag(&c.caller.tag)
            .with_header("Contact", contact.unwrap_or_default())
            .with_header("Allow", allow)
            .with_body("application/sdp", c.caller.sdp.clone().into_bytes());
        match Dialog::uas(&c.caller.invite, &response) {
            Ok(d) => {
                self.dialogs.insert(d.id.clone(), (call, Side::Caller));
                c.caller.dialog = Some(d);
            }
            Err(e) => tracing::warn!(%call, error = %e, "caller dialog not created"),
        }
        self.server_invites.remove(&key);
        self.respond(key, response);
    }

    /// Refuses the caller's INVITE (if it has no final answer yet).
    pub(super) fn refuse_caller(&mut self, call: CallId, cause: Cause) {
        let Some(c) = self.calls.get_mut(&call) else { return };
        let Some(key) = c.caller.key.take() else { return };
        let (status, reason) = cause.sip_status();
        let response = c.caller.invite.response(status).with_to_tag(&c.caller.tag).with_reason(reason).with_header("Reason", format!("Q.850;text=\"{}\"", cause.code()));
        self.server_invites.remove(&key);
        self.respond(key, response);
    }

    /// Ends the caller's leg: BYE once answered, a final response before.
    pub(super) fn hang_up_caller(&mut self, call: CallId, cause: Cause) {
        let Some(c) = self.calls.get_mut(&call) else { return };
        if c.caller.key.is_some() {
            return self.refuse_caller(call, cause);
        }
        let Some(mut dialog) = c.caller.dialog.take() else { return };
        let (peer, transport) = (c.caller.peer, c.caller.transport);
        self.dialogs.remove(&dialog.id);
        self.send_bye(&mut dialog, peer, transport, Some(cause));
    }

    /// A CANCEL: answered 200 (481 without an INVITE); an INVITE without a
    /// final answer yet gets 487 and the caller is gone.
    pub(super) fn cancel(&mut self, key: TxKey, invite: Option<TxKey>, request: Request) {
        self.respond(key, request.response(if invite.is_some() { 200 } else { 481 }));
        let Some(invite) = invite else { return };
        let Some(call) = self.server_invites.remove(&invite) else { return };
        if let Some(c) = self.calls.get_mut(&call) {
            c.caller.key = None;
            let r = c.caller.invite.response(487).with_to_tag(&c.caller.tag);
            self.respond(invite, r);
        }
        self.call_input(CallInput::CallerGone { call });
    }

    /// A BYE from either side of a call.
    pub(super) fn bye(&mut self, key: TxKey, request: Request) {
        let found = DialogId::of_request(&request).and_then(|id| self.dialogs.remove(&id));
        let Some((call, side)) = found else {
            return self.respond(key, request.response(481));
        };
        self.respond(key, request.response(200));
        match side {
            Side::Caller => {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.caller.dialog = None;
                }
            }
            // The agent's leg is over whatever happens next (a survey, say):
            // its media stops and its ports are freed now.
            Side::Agent => self.drop_agent_leg(call),
            // The supervisor hung up: the call goes on without them.
            Side::Monitor => return self.forget_monitor(call),
        }
        let input = match side {
            Side::Caller => CallInput::CallerGone { call },
            Side::Agent | Side::Monitor => CallInput::AgentGone { call },
        };
        self.call_input(input);
    }

    /// A re-INVITE on either leg (hold, a moved stream, a session refresh):
    /// the new offer is applied and answered with our unchanged media.
    fn reinvite(&mut self, key: TxKey, request: Request, from: SocketAddr, transport: SipTransport) {
        let Some((call, side)) = DialogId::of_request(&request).and_then(|id| self.dialogs.get(&id).copied()) else {
            return self.respond(key, request.response(481));
        };
        let ip = self.local.ip();
        let contact = self.calls.get(&call).map(|c| self.contact(&c.to_number, transport)).unwrap_or_default();
        let Some(c) = self.calls.get_mut(&call) else { return };
        let ours = match side {
            Side::Caller => Some((c.caller.rtp_port, c.caller.sdp.clone(), c.caller.crypto.clone())),
            Side::Agent => c.agent.as_ref().map(|a| (a.rtp_port, a.sdp.clone(), a.crypto.clone())),
            Side::Monitor => c.monitor.as_ref().map(|m| (m.rtp_port, m.sdp.clone(), m.crypto.clone())),
        };
        let Some((port, our_sdp, crypto)) = ours else { return self.respond(key, request.response(481)) };
        c.caller.sdp_version += 1;
        let offer = String::from_utf8_lossy(&request.body).into_owned();
        let mut holds = None;
        let response = if offer.trim().is_empty() {
            // No offer: ours goes in the 200; the ACK carries their answer.
            request.response(200).with_body("application/sdp", our_sdp.into_bytes())
        } else {
            match sdp::answer_with(&offer, ip, port, c.caller.sdp_version, crypto.mode, &crypto.key) {
                Ok((sdp, negotiated)) => {
                    let quiet = matches!(negotiated.direction, sdp::Direction::SendOnly | sdp::Direction::Inactive) || negotiated.remote_ip.is_unspecified();
                    holds = (side == Side::Agent).then_some(quiet);
                    c.media.send(Command::Remote { side, sdp: negotiated, signalling: from.ip() });
                    request.response(200).with_body("application/sdp", sdp.into_bytes())
                }
                Err(e) => request.response(488).with_reason(format!("SDP: {e}")),
            }
        };
        let found = DialogId::of_request(&request);
        let dialog = match side {
            Side::Caller => c.caller.dialog.as_mut(),
            Side::Agent => c.agent.as_mut().and_then(|a| a.dialog.as_mut()),
            Side::Monitor => c.monitor.as_mut().and_then(|m| m.dialog.as_mut()),
        };
        if let Some(d) = dialog.filter(|d| Some(&d.id) == found.as_ref()) {
            if d.check_remote_cseq(&request).is_err() {
                return self.respond(key, request.response(500).with_reason("CSeq Out Of Order"));
            }
            d.refresh_target(&request.headers);
        }
        self.respond(key, response.with_header("Contact", contact));
        if let Some(held) = holds {
            self.phone_hold(call, held);
        }
    }
}

/// The request's target user (the number dialled), as a name-addr.
trait UriUser {
    fn uri_user(&self) -> Option<hotline_sip::NameAddr>;
}

impl UriUser for Request {
    fn uri_user(&self) -> Option<hotline_sip::NameAddr> {
        // The Request-URI names the number; To may be rewritten by proxies.
        hotline_sip::NameAddr::parse(&format!("<{}>", self.uri)).or_else(|| self.headers.to())
    }
}
