//! Dialogs (RFC 3261 §12): the state a B2BUA keeps for each call leg —
//! Call-ID, both tags, both CSeq counters, the remote target and the route
//! set — to build requests inside the dialog (ACK for 2xx, BYE, re-INVITE)
//! and to recognise the peer's.

use crate::headers::NameAddr;
use crate::message::{Message, Method, StartLine};

/// One side's view of a dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: String,
    /// Our From/To header values (with tags) as they appear in our requests.
    pub local: String,
    pub remote: String,
    pub local_cseq: u32,
    pub remote_cseq: Option<u32>,
    /// Where in-dialog requests go: the peer's Contact URI.
    pub remote_target: String,
    /// Record-Route, in the order our requests must carry it as Route.
    pub route: Vec<String>,
}

impl Dialog {
    /// The dialog a UAS creates when it answers `invite` with a tag of its own
    /// (`local_contact` is what our 2xx carries as Contact).
    pub fn as_uas(invite: &Message, local_tag: &str) -> Option<Dialog> {
        let from = invite.from()?;
        let remote_target = invite.contacts().into_iter().flatten().next()?.uri;
        Some(Dialog {
            call_id: invite.call_id()?.to_owned(),
            local_tag: local_tag.to_owned(),
            remote_tag: from.tag()?.to_owned(),
            local: format!("{};tag={local_tag}", invite.header("To")?),
            remote: invite.header("From")?.to_owned(),
            local_cseq: 0,
            remote_cseq: invite.cseq().map(|c| c.0),
            remote_target,
            route: invite.all("Record-Route").into_iter().map(str::to_owned).collect(),
        })
    }

    /// The dialog a UAC has once `response` (1xx with a tag, or 2xx) answers
    /// our `invite`.
    pub fn as_uac(invite: &Message, response: &Message) -> Option<Dialog> {
        let to = response.to()?;
        let remote_target = response.contacts().into_iter().flatten().next()?.uri;
        let mut route: Vec<String> = response.all("Record-Route").into_iter().map(str::to_owned).collect();
        route.reverse();
        Some(Dialog {
            call_id: invite.call_id()?.to_owned(),
            local_tag: invite.from()?.tag()?.to_owned(),
            remote_tag: to.tag()?.to_owned(),
            local: invite.header("From")?.to_owned(),
            remote: response.header("To")?.to_owned(),
            local_cseq: invite.cseq()?.0,
            remote_cseq: None,
            remote_target,
            route,
        })
    }

    /// Whether `msg` (a request from the peer) belongs to this dialog.
    pub fn matches(&self, msg: &Message) -> bool {
        let tag = |h: Option<NameAddr>| h.and_then(|n| n.tag().map(str::to_owned));
        msg.call_id() == Some(self.call_id.as_str())
            && tag(msg.from()).as_deref() == Some(self.remote_tag.as_str())
            && tag(msg.to()).as_deref() == Some(self.local_tag.as_str())
    }

    /// Accepts the CSeq of a request from the peer: lower than the last one
    /// is out of order (answer 500), RFC 3261 §12.2.2.
    pub fn accept_remote_cseq(&mut self, msg: &Message) -> bool {
        let Some((n, _)) = msg.cseq() else { return false };
        if self.remote_cseq.is_some_and(|last| n < last) {
            return false;
        }
        self.remote_cseq = Some(n);
        true
    }

    /// A request inside the dialog. `branch` is a fresh Via branch (ACK for
    /// a 2xx and every other request get their own); `via_host` our address.
    /// ACK reuses the INVITE's CSeq number, other methods take the next one.
    pub fn request(&mut self, method: Method, via_host: &str, branch: &str, invite_cseq: Option<u32>) -> Message {
        let n = match (&method, invite_cseq) {
            (Method::Ack, Some(n)) => n,
            _ => {
                self.local_cseq += 1;
                self.local_cseq
            }
        };
        let mut headers = vec![
            ("Via".to_owned(), format!("SIP/2.0/UDP {via_host};branch={branch};rport")),
            ("Max-Forwards".to_owned(), "70".to_owned()),
            ("From".to_owned(), self.local.clone()),
            ("To".to_owned(), self.remote.clone()),
            ("Call-ID".to_owned(), self.call_id.clone()),
            ("CSeq".to_owned(), format!("{n} {method}")),
        ];
        for r in &self.route {
            headers.push(("Route".to_owned(), r.clone()));
        }
        Message { start: StartLine::Request { method, uri: self.remote_target.clone() }, headers, body: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Message {
        Message::parse(s.replace('\n', "\r\n").as_bytes()).unwrap()
    }

    const INVITE: &str = "INVITE sip:1000@10.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 10.0.0.2:5080;branch=z9hG4bK1
Record-Route: <sip:p1;lr>, <sip:p2;lr>
To: <sip:1000@10.0.0.1>
From: \"Caller\" <sip:13800138000@10.0.0.2>;tag=caller
Call-ID: d-1
CSeq: 7 INVITE
Contact: <sip:13800138000@10.0.0.2:5080>
Content-Length: 0

";

    #[test]
    fn uas_dialog_builds_bye_and_matches_the_peer() {
        let invite = parse(INVITE);
        let mut d = Dialog::as_uas(&invite, "srv").unwrap();
        assert_eq!((d.remote_target.as_str(), d.route.len()), ("sip:13800138000@10.0.0.2:5080", 2));
        let bye = d.request(Method::Bye, "10.0.0.1:5060", "z9hG4bKbye", None);
        let back = Message::parse(&bye.to_bytes()).unwrap();
        assert_eq!(back.cseq(), Some((1, Method::Bye)));
        assert_eq!(back.from().unwrap().tag(), Some("srv"));
        assert_eq!(back.to().unwrap().tag(), Some("caller"));
        assert_eq!(back.all("Route"), ["<sip:p1;lr>", "<sip:p2;lr>"]);
        assert!(matches!(&back.start, StartLine::Request { uri, .. } if uri == "sip:13800138000@10.0.0.2:5080"));
        // The caller's BYE matches; another call's does not.
        let theirs = parse(&INVITE.replace("INVITE sip", "BYE sip").replace("7 INVITE", "8 BYE").replace("To: <sip:1000@10.0.0.1>", "To: <sip:1000@10.0.0.1>;tag=srv"));
        assert!(d.matches(&theirs));
        assert!(d.accept_remote_cseq(&theirs));
        assert!(!d.matches(&parse(&INVITE.replace("d-1", "d-2"))));
        // An older CSeq is out of order.
        let old = parse(&INVITE.replace("7 INVITE", "3 INVITE"));
        assert!(!d.accept_remote_cseq(&old));
    }

    #[test]
    fn uac_dialog_acks_with_the_invite_cseq_and_reverses_the_route() {
        let invite = parse(INVITE);
        let ok = parse(
            "SIP/2.0 200 OK
Via: SIP/2.0/UDP 10.0.0.2:5080;branch=z9hG4bK1
Record-Route: <sip:p1;lr>, <sip:p2;lr>
To: <sip:1000@10.0.0.1>;tag=agent
From: \"Caller\" <sip:13800138000@10.0.0.2>;tag=caller
Call-ID: d-1
CSeq: 7 INVITE
Contact: <sip:8001@10.0.0.9:5062>
Content-Length: 0

",
        );
        let mut d = Dialog::as_uac(&invite, &ok).unwrap();
        let ack = d.request(Method::Ack, "10.0.0.2:5080", "z9hG4bKack", Some(7));
        assert_eq!(ack.cseq(), Some((7, Method::Ack)));
        assert_eq!(ack.all("Route"), ["<sip:p2;lr>", "<sip:p1;lr>"]);
        let bye = d.request(Method::Bye, "10.0.0.2:5080", "z9hG4bKb2", None);
        assert_eq!(bye.cseq(), Some((8, Method::Bye)));
        assert!(matches!(&bye.start, StartLine::Request { uri, .. } if uri == "sip:8001@10.0.0.9:5062"));
        // No tag in the answer: no dialog.
        assert!(Dialog::as_uac(&invite, &parse(&INVITE.replace("INVITE sip:1000@10.0.0.1 SIP/2.0", "SIP/2.0 180 Ringing"))).is_none());
    }
}
