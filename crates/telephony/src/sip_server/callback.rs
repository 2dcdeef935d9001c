//! Calling a customer back (virtual hold): once an agent has taken the
//! contact, the customer is called on the call's own caller-leg ports, and
//! their answer becomes the caller leg of the call.
//!
//! Where the call goes: a phone registered under the number (an internal
//! caller), else the first trunk's gateway; with neither, the callback fails
//! at once and the agent is released.

use hotline_calls::{CallId, Input as CallInput, Side};
use hotline_media::sdp;
use hotline_sip::dialog::Dialog;
use hotline_sip::{Method, Request, Response, TxKey};

use super::outbound::{Fork, ForkState};
use super::{random, Server};
use crate::media::Command;

impl Server {
    /// Rings the customer of `call` at `number`.
    pub(super) fn call_customer(&mut self, call: CallId, number: String) {
        let route = self.route(&number);
        let Some(c) = self.calls.get(&call) else { return };
        let Some((uri, dest, transport)) = route else {
            tracing::warn!(%call, "no route to call the customer back (no trunk)");
            return self.call_input(CallInput::CustomerFailed { call });
        };
        let offer = sdp::offer(self.local.ip(), c.caller.rtp_port, rand::random::<u32>().into());
        let tag = hotline_sip::ids::tag(&random());
        let mut invite = Request::new(Method::Invite, uri);
        invite.headers.push("Via", self.via(transport).to_string());
        invite.headers.push("Max-Forwards", "70");
        // The customer sees the number they called.
        invite.headers.push("From", format!("<sip:{}@{}>;tag={tag}", c.to_number, self.local));
        invite.headers.push("To", format!("<sip:{number}@{}>", dest));
        invite.headers.push("Call-ID", hotline_sip::ids::call_id(&random(), &self.local.ip().to_string()));
        invite.headers.push("CSeq", "1 INVITE");
        invite.headers.push("Contact", self.contact(&c.to_number));
        invite.headers.push("Allow", super::ALLOW);
        let invite = invite.with_body("application/sdp", offer.into_bytes());
        tracing::info!(%call, "calling the customer back");
        match self.send_request(dest, transport, invite.clone()) {
            Some(key) => {
                self.client_invites.insert(key, Fork::new(call, Side::Caller, invite, dest, transport));
            }
            None => self.call_input(CallInput::CustomerFailed { call }),
        }
    }

    /// A final response to the callback INVITE.
    pub(super) fn customer_response(&mut self, key: &TxKey, response: &Response) {
        let Some(f) = self.client_invites.get_mut(key) else { return };
        let (call, dest, transport) = (f.call, f.dest, f.transport);
        if f.state == ForkState::Answered {
            // A retransmitted 2xx: our ACK was lost.
            if let Some(ack) = f.ack.clone() {
                self.send_request(dest, transport, ack);
            }
            return;
        }
        if !response.is_success() {
            if f.state.open() {
                f.state = ForkState::Failed(response.status);
                self.call_input(CallInput::CustomerFailed { call });
            }
            return;
        }
        let was_open = f.state.open();
        f.state = ForkState::Answered;
        let invite = f.invite.clone();
        let mut dialog = match Dialog::uac(&invite, response) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(%call, error = %e, "customer's answer unusable");
                return;
            }
        };
        let ack = dialog.ack(dialog.local_cseq, &self.via(transport));
        self.send_request(dest, transport, ack.clone());
        if let Some(f) = self.client_invites.get_mut(key) {
            f.ack = Some(ack);
        }
        let negotiated = sdp::read_answer(&String::from_utf8_lossy(&response.body));
        let wanted = was_open && self.calls.get(&call).is_some_and(|c| c.caller.dialog.is_none());
        let (true, Ok(n)) = (wanted, &negotiated) else {
            // The call ended while the customer's phone rang, or no usable media: hang up.
            if let Err(e) = &negotiated {
                tracing::warn!(%call, error = %e, "customer's SDP unusable");
            }
            let bye = dialog.request(Method::Bye, &self.via(transport));
            self.send_request(dest, transport, bye);
            if wanted {
                self.call_input(CallInput::CustomerFailed { call });
            }
            return;
        };
        let Some(c) = self.calls.get_mut(&call) else { return };
        c.media.send(Command::Remote { side: Side::Caller, sdp: n.clone() });
        c.caller.peer = dest;
        c.caller.transport = transport;
        self.dialogs.insert(dialog.id.clone(), (call, Side::Caller));
        c.caller.dialog = Some(dialog);
        tracing::info!(%call, "customer answered the callback");
        self.call_input(CallInput::CustomerAnswered { call });
    }
}
