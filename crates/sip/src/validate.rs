//! The checks a UAS makes on a well-formed request before acting on it
//! (RFC 3261 §8.2.1–§8.2.3), in the RFC's order: method (501 for one we
//! do not know, 405 for one we know and do not take),
//! Request-URI scheme (416), required extensions (420), body type and
//! encoding (415), and what the client accepts in return (406). These are
//! the application-layer reactions RFC 4475 §3.3 expects.

use crate::message::{scheme_of, Method, Request, Response};

/// What this UAS supports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UasPolicy {
    /// Methods answered (other known ones get 405 with `Allow`, unknown
    /// ones 501).
    pub methods: Vec<Method>,
    /// Request-URI schemes served (lower case).
    pub schemes: Vec<String>,
    /// Option tags understood in `Require` (others get 420).
    pub extensions: Vec<String>,
    /// Body types understood (others get 415 with `Accept`).
    pub content_types: Vec<String>,
    /// Body types this UAS answers an INVITE with (an `Accept` without any
    /// of them gets 406).
    pub answer_types: Vec<String>,
}

impl Default for UasPolicy {
    fn default() -> UasPolicy {
        UasPolicy {
            methods: vec![
                Method::Invite,
                Method::Ack,
                Method::Bye,
                Method::Cancel,
                Method::Options,
                Method::Register,
                Method::Info,
            ],
            schemes: vec!["sip".into(), "sips".into(), "tel".into()],
            extensions: vec![],
            content_types: vec!["application/sdp".into(), "application/dtmf-relay".into()],
            answer_types: vec!["application/sdp".into()],
        }
    }
}

/// Why a request is refused, and the response that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    /// Headers the answer must carry (`Allow`, `Unsupported`, `Accept`, ...).
    pub headers: Vec<(&'static str, String)>,
}

impl Rejection {
    fn new(status: u16) -> Rejection {
        Rejection {
            status,
            headers: Vec::new(),
        }
    }

    fn with(mut self, name: &'static str, value: String) -> Rejection {
        self.headers.push((name, value));
        self
    }

    /// The answer to `request` (add the To tag with
    /// [`Response::with_to_tag`]).
    pub fn response(&self, request: &Request) -> Response {
        let mut r = request.response(self.status);
        for (name, value) in &self.headers {
            r.headers.push(name, value.clone());
        }
        r
    }
}

/// `type/subtype` lower-cased, parameters dropped.
fn media(v: &str) -> String {
    v.split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether an `Accept` range (`*/*`, `application/*`, `application/sdp`)
/// covers `media`.
fn covers(range: &str, media: &str) -> bool {
    let range = self::media(range);
    range == media
        || range == "*/*"
        || range
            .strip_suffix("/*")
            .is_some_and(|t| media.split('/').next() == Some(t))
}

/// Checks `request` against `policy`. ACK is never refused (it gets no
/// response).
pub fn check_request(request: &Request, policy: &UasPolicy) -> Result<(), Rejection> {
    if request.method == Method::Ack {
        return Ok(());
    }
    if matches!(request.method, Method::Other(_)) {
        return Err(Rejection::new(501));
    }
    if !policy.methods.contains(&request.method) {
        let allow = policy
            .methods
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Rejection::new(405).with("Allow", allow));
    }
    let scheme = scheme_of(&request.uri).unwrap_or_default();
    if !policy.schemes.contains(&scheme) {
        return Err(Rejection::new(416));
    }
    if request.method != Method::Cancel {
        let unsupported: Vec<&str> = request
            .headers
            .option_tags("Require")
            .into_iter()
            .filter(|t| !policy.extensions.iter().any(|e| e.eq_ignore_ascii_case(t)))
            .collect();
        if !unsupported.is_empty() {
            return Err(Rejection::new(420).with("Unsupported", unsupported.join(", ")));
        }
    }
    if !request.body.is_empty() {
        let understood = request
            .headers
            .content_type()
            .is_some_and(|c| policy.content_types.contains(&media(c)));
        if !understood {
            return Err(Rejection::new(415).with("Accept", policy.content_types.join(", ")));
        }
        let encoded = request
            .headers
            .values("Content-Encoding")
            .into_iter()
            .any(|e| !e.eq_ignore_ascii_case("identity"));
        if encoded {
            return Err(Rejection::new(415).with("Accept-Encoding", "identity".into()));
        }
    }
    let accept = request.headers.values("Accept");
    if request.method == Method::Invite && !accept.is_empty() {
        let ok = accept
            .iter()
            .any(|range| policy.answer_types.iter().any(|t| covers(range, t)));
        if !ok {
            return Err(Rejection::new(406).with("Accept", policy.answer_types.join(", ")));
        }
    }
    Ok(())
}
