//! REFER (RFC 3515) from an agent's phone: a blind transfer of the call
//! it is on. `Refer-To` names a queue (`sip:support@…`: the caller goes
//! back into routing there) or a number (an extension or an outside
//! number). The REFER is accepted with 202 and its implicit subscription
//! told the outcome with NOTIFYs carrying `message/sipfrag` (`100 Trying`,
//! then `200 OK` once the caller is handed on); the agent's leg is then
//! hung up. Attended transfer (`Replaces`, RFC 3891) is refused with 501
//! for now, so a phone falls back or says so.

use hotline_calls::Side;
use hotline_sip::dialog::DialogId;
use hotline_sip::{Method, Request, TxKey};

use super::call_control::{CallError, TransferTarget};
use super::Server;

impl Server {
    pub(super) fn refer(&mut self, key: TxKey, request: Request) {
        let Some((call, side)) = DialogId::of_request(&request).and_then(|id| self.dialogs.get(&id).copied()) else {
            return self.respond(key, request.response(481));
        };
        if side != Side::Agent {
            return self.respond(key, request.response(403).with_reason("Only The Agent Transfers"));
        }
        let refer_to = request.headers.get("Refer-To").and_then(|v| hotline_sip::NameAddr::parse(v).or_else(|| hotline_sip::NameAddr::parse(&format!("<{v}>"))));
        let Some(target) = refer_to else {
            return self.respond(key, request.response(400).with_reason("Bad Refer-To"));
        };
        if target.uri.to_ascii_lowercase().contains("replaces=") {
            return self.respond(key, request.response(501).with_reason("Attended Transfer Not Supported"));
        }
        let Some(user) = target.user().filter(|u| !u.is_empty()) else {
            return self.respond(key, request.response(400).with_reason("Refer-To Names No User"));
        };
        let to = if self.orch.has_queue(&user) { TransferTarget::Queue { queue: user.clone(), note: String::new() } } else { TransferTarget::Number(user.clone()) };
        if let Some(d) = self.calls.get_mut(&call).and_then(|c| c.agent.as_mut()).and_then(|a| a.dialog.as_mut()) {
            if d.check_remote_cseq(&request).is_err() {
                return self.respond(key, request.response(500).with_reason("CSeq Out Of Order"));
            }
        }
        let started = self.transfer(call, to);
        match started {
            Ok(_) => {
                self.respond(key, request.response(202));
                tracing::info!(%call, target = %user, "REFER: blind transfer");
                self.notify_refer(call, "SIP/2.0 100 Trying", "active;expires=60");
                self.notify_refer(call, "SIP/2.0 200 OK", "terminated;reason=noresource");
            }
            Err(e) => {
                let (status, reason) = match e {
                    CallError::NoTarget(_) => (404, "No Such Transfer Target"),
                    _ => (403, "Call Not Connected"),
                };
                self.respond(key, request.response(status).with_reason(reason));
            }
        }
    }

    /// A NOTIFY of the REFER's subscription on the agent's dialog.
    fn notify_refer(&mut self, call: hotline_calls::CallId, sipfrag: &str, state: &str) {
        let Some((dest, transport)) = self.calls.get(&call).and_then(|c| c.agent.as_ref()).and_then(|a| a.peer) else { return };
        let via = self.via(transport);
        let Some(dialog) = self.calls.get_mut(&call).and_then(|c| c.agent.as_mut()).and_then(|a| a.dialog.as_mut()) else { return };
        let notify = dialog
            .request(Method::Notify, &via)
            .with_header("Event", "refer")
            .with_header("Subscription-State", state)
            .with_body("message/sipfrag;version=2.0", format!("{sipfrag}\r\n").into_bytes());
        self.send_request(dest, transport, notify);
    }
}
