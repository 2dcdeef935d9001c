//! Calling a customer back (virtual hold): once an agent has taken the
//! contact, the customer is called on the call's own caller-leg ports, and
//! their answer becomes the caller leg of the call.
//!
//! Where the call goes: a phone registered under the number (an internal
//! caller), else the first trunk's gateway; with neither, the callback fails
//! at once and the agent is released.

use hotline_calls::{CallId, Input as CallInput, Side};
use hotline_media::sdp;
use hotline_sip::{Response, TxKey};

use super::outbound::{Acked, Fork, ForkState};
use super::Server;
use crate::media::Command;

impl Server {
    /// Rings the customer of `call` at `number`.
    pub(super) fn call_customer(&mut self, call: CallId, number: String) {
        let route = self.route(call, &number);
        let ip = self.local.ip();
        let Some(c) = self.calls.get_mut(&call) else { return };
        let Some(((uri, dest, transport), mode)) = route else {
            tracing::warn!(%call, "no route to call the customer back (no trunk)");
            return self.call_input(CallInput::CustomerFailed { call });
        };
        // The customer's phone is a new peer on the caller leg: a new key.
        c.caller.crypto = super::secure::LegCrypto::new(mode);
        let offer = sdp::offer_with(ip, c.caller.rtp_port, rand::random::<u32>().into(), c.caller.crypto.mode, &c.caller.crypto.key);
        let to_number = c.to_number.clone();
        // The customer sees the number they called.
        let invite = self.new_invite(uri, &to_number, format!("<sip:{number}@{dest}>"), &to_number, transport, &offer);
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
        if !response.is_success() {
            let Some(f) = self.client_invites.get_mut(key).filter(|f| f.state.open()) else { return };
            f.state = ForkState::Failed(response.status);
            let call = f.call;
            self.call_input(CallInput::CustomerFailed { call });
            return;
        }
        let Some(Acked { call, mut dialog, dest, transport, was_open }) = self.ack_2xx(key, response) else { return };
        let crypto = self.calls.get(&call).map(|c| c.caller.crypto.clone());
        let negotiated = match crypto {
            Some(k) => sdp::read_answer_with(&String::from_utf8_lossy(&response.body), k.mode, &k.key),
            None => sdp::read_answer(&String::from_utf8_lossy(&response.body)),
        };
        let wanted = was_open && self.calls.get(&call).is_some_and(|c| c.caller.dialog.is_none());
        let (true, Ok(n)) = (wanted, &negotiated) else {
            // The call ended while the customer's phone rang, or no usable media: hang up.
            if let Err(e) = &negotiated {
                tracing::warn!(%call, error = %e, "customer's SDP unusable");
            }
            self.send_bye(&mut dialog, dest, transport, None);
            if wanted {
                self.call_input(CallInput::CustomerFailed { call });
            }
            return;
        };
        let Some(c) = self.calls.get_mut(&call) else { return };
        c.media.send(Command::Remote { side: Side::Caller, sdp: n.clone(), signalling: dest.ip() });
        c.caller.peer = dest;
        c.caller.transport = transport;
        self.dialogs.insert(dialog.id.clone(), (call, Side::Caller));
        c.caller.dialog = Some(dialog);
        tracing::info!(%call, "customer answered the callback");
        self.call_input(CallInput::CustomerAnswered { call });
    }
}
