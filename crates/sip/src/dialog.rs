//! Dialogs (RFC 3261 §12): the state one side keeps for a call leg —
//! Call-ID, both tags, both CSeq counters, the remote target and the route
//! set — to build requests inside the dialog (ACK for a 2xx, BYE,
//! re-INVITE) and to recognise the peer's.
//!
//! A B2BUA keeps two dialogs per call (one per leg) in a map keyed by
//! [`DialogId`]; [`DialogId::of_request`] gives the key of an incoming
//! in-dialog request.

use crate::message::{Method, NameAddr, Request, Response, SipUri, Via};

/// The identity of a dialog from our side.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DialogId {
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: String,
}

impl DialogId {
    /// The dialog a request from the peer is in: our tag is in To, theirs
    /// in From. `None` outside a dialog (no To tag).
    pub fn of_request(request: &Request) -> Option<DialogId> {
        Some(DialogId {
            call_id: request.headers.call_id()?.to_owned(),
            local_tag: request.headers.to()?.tag()?,
            remote_tag: request.headers.from()?.tag()?,
        })
    }

    /// The dialog a response to one of our requests is in: our tag is in
    /// From, theirs in To.
    pub fn of_response(response: &Response) -> Option<DialogId> {
        Some(DialogId {
            call_id: response.headers.call_id()?.to_owned(),
            local_tag: response.headers.from()?.tag()?,
            remote_tag: response.headers.to()?.tag()?,
        })
    }
}

/// Why a dialog cannot be made, or a request is refused in one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialogError {
    #[error("missing or malformed {0}")]
    Missing(&'static str),
    /// A request with a lower CSeq than the last one: answer 500
    /// (RFC 3261 §12.2.2).
    #[error("CSeq {got} is lower than {last}")]
    OutOfOrder { got: u32, last: u32 },
}

/// One side's view of a dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    pub id: DialogId,
    /// Our address without tag, as our From (as UAC) or To (as UAS).
    pub local_uri: String,
    /// The peer's address without tag.
    pub remote_uri: String,
    /// The CSeq of our last request in the dialog.
    pub local_cseq: u32,
    /// The CSeq of the peer's last request, once there is one.
    pub remote_cseq: Option<u32>,
    /// Where in-dialog requests go: the peer's Contact URI.
    pub remote_target: String,
    /// Route header values for our requests, in order.
    pub route_set: Vec<String>,
    /// Our Contact, sent on target-refresh requests (re-INVITE, UPDATE).
    pub local_contact: Option<String>,
}

/// `addr` with its tag removed, printed as a name-addr.
fn without_tag(addr: &NameAddr) -> String {
    let mut a = addr.clone();
    a.params.remove("tag");
    a.to_string()
}

fn contact_uri(headers: &crate::Headers) -> Option<String> {
    headers.contacts().into_iter().next().map(|c| c.uri)
}

impl Dialog {
    /// The dialog a UAS creates when it answers `invite` with `response`
    /// (a 101–299 carrying our To tag and Contact), §12.1.1.
    pub fn uas(invite: &Request, response: &Response) -> Result<Dialog, DialogError> {
        let from = invite.headers.from().ok_or(DialogError::Missing("From"))?;
        let to = response.headers.to().ok_or(DialogError::Missing("To"))?;
        Ok(Dialog {
            id: DialogId {
                call_id: invite
                    .headers
                    .call_id()
                    .ok_or(DialogError::Missing("Call-ID"))?
                    .to_owned(),
                local_tag: to.tag().ok_or(DialogError::Missing("To tag"))?,
                remote_tag: from.tag().ok_or(DialogError::Missing("From tag"))?,
            },
            local_uri: without_tag(&to),
            remote_uri: without_tag(&from),
            local_cseq: 0,
            remote_cseq: invite.headers.cseq().map(|c| c.seq),
            remote_target: contact_uri(&invite.headers).ok_or(DialogError::Missing("Contact"))?,
            route_set: invite
                .headers
                .values("Record-Route")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            local_contact: response.headers.get("Contact").map(str::to_owned),
        })
    }

    /// The dialog a UAC has once `response` (a 1xx with a To tag, or a 2xx)
    /// answers our `invite`, §12.1.2.
    pub fn uac(invite: &Request, response: &Response) -> Result<Dialog, DialogError> {
        let from = invite.headers.from().ok_or(DialogError::Missing("From"))?;
        let to = response.headers.to().ok_or(DialogError::Missing("To"))?;
        let mut route_set: Vec<String> = response
            .headers
            .values("Record-Route")
            .into_iter()
            .map(str::to_owned)
            .collect();
        route_set.reverse();
        Ok(Dialog {
            id: DialogId {
                call_id: invite
                    .headers
                    .call_id()
                    .ok_or(DialogError::Missing("Call-ID"))?
                    .to_owned(),
                local_tag: from.tag().ok_or(DialogError::Missing("From tag"))?,
                remote_tag: to.tag().ok_or(DialogError::Missing("To tag"))?,
            },
            local_uri: without_tag(&from),
            remote_uri: without_tag(&to),
            local_cseq: invite
                .headers
                .cseq()
                .ok_or(DialogError::Missing("CSeq"))?
                .seq,
            remote_cseq: None,
            remote_target: contact_uri(&response.headers).ok_or(DialogError::Missing("Contact"))?,
            route_set,
            local_contact: invite.headers.get("Contact").map(str::to_owned),
        })
    }

    /// Whether a request from the peer belongs to this dialog.
    pub fn matches(&self, request: &Request) -> bool {
        DialogId::of_request(request).as_ref() == Some(&self.id)
    }

    /// Accepts the CSeq of a request from the peer (§12.2.2); a lower one
    /// than before is out of order. ACK and CANCEL carry the INVITE's
    /// number and are not checked.
    pub fn check_remote_cseq(&mut self, request: &Request) -> Result<(), DialogError> {
        if matches!(request.method, Method::Ack | Method::Cancel) {
            return Ok(());
        }
        let got = request
            .headers
            .cseq()
            .ok_or(DialogError::Missing("CSeq"))?
            .seq;
        if let Some(last) = self.remote_cseq.filter(|last| got < *last) {
            return Err(DialogError::OutOfOrder { got, last });
        }
        self.remote_cseq = Some(got);
        Ok(())
    }

    /// A target refresh (re-INVITE, UPDATE, or their 2xx) moves the remote
    /// target to the new Contact.
    pub fn refresh_target(&mut self, headers: &crate::Headers) {
        if let Some(uri) = contact_uri(headers) {
            self.remote_target = uri;
        }
    }

    /// The next hop to resolve: the first route, or the remote target.
    pub fn next_hop(&self) -> String {
        self.route_set
            .first()
            .and_then(|r| NameAddr::parse(r))
            .map_or_else(|| self.remote_target.clone(), |r| r.uri)
    }

    /// A new request in the dialog (BYE, re-INVITE, INFO, ...) with the next
    /// local CSeq and `via` (with a fresh branch) as its only Via.
    pub fn request(&mut self, method: Method, via: &Via) -> Request {
        self.local_cseq = self.local_cseq.saturating_add(1);
        let seq = self.local_cseq;
        let mut r = self.build(method.clone(), seq, via);
        if matches!(method, Method::Invite | Method::Update) {
            if let Some(c) = &self.local_contact {
                r.headers.push("Contact", c.clone());
            }
        }
        r
    }

    /// The ACK for a 2xx to the INVITE with CSeq `invite_cseq` (§13.2.2.4):
    /// same CSeq number, its own branch in `via`.
    pub fn ack(&self, invite_cseq: u32, via: &Via) -> Request {
        self.build(Method::Ack, invite_cseq, via)
    }

    /// Request-URI and Route headers from the route set (§12.2.1.1): with a
    /// loose router first (`;lr`) the remote target is the Request-URI;
    /// with a strict one its URI is, and the remote target goes last.
    fn build(&self, method: Method, seq: u32, via: &Via) -> Request {
        let first = self.route_set.first().and_then(|r| NameAddr::parse(r));
        let strict = first
            .as_ref()
            .is_some_and(|f| f.sip_uri().is_some_and(|u| !u.params.has("lr")));
        let (uri, routes): (String, Vec<String>) = match first {
            Some(f) if strict => {
                let uri = f.sip_uri().map_or(f.uri.clone(), |mut u| {
                    u.params.remove("method");
                    u.headers = None;
                    u.to_string()
                });
                let mut rest: Vec<String> = self.route_set.iter().skip(1).cloned().collect();
                rest.push(format!("<{}>", self.remote_target));
                (uri, rest)
            }
            _ => (self.remote_target.clone(), self.route_set.clone()),
        };
        let mut r = Request::new(method.clone(), uri);
        r.headers.push("Via", via.to_string());
        r.headers.push("Max-Forwards", "70");
        r.headers.push(
            "From",
            format!("{};tag={}", self.local_uri, self.id.local_tag),
        );
        r.headers.push(
            "To",
            format!("{};tag={}", self.remote_uri, self.id.remote_tag),
        );
        r.headers.push("Call-ID", self.id.call_id.clone());
        r.headers.push("CSeq", format!("{seq} {method}"));
        for route in routes {
            r.headers.push("Route", route);
        }
        r
    }

    /// Whether the remote target is a SIPS URI.
    pub fn is_secure(&self) -> bool {
        SipUri::parse(&self.remote_target).is_some_and(|u| u.scheme == crate::message::Scheme::Sips)
    }
}
