//! Who may place a call that is not to an IVR number: only an agent whose
//! phone proves its extension's password (digest, `407 Proxy-Authenticate`,
//! the same credentials and the same guard as REGISTER: failures counted
//! per source and per extension, throttled, then banned). IVR numbers need
//! no authentication, as calls from a trunk do not. Credentials are read
//! from memory ([`super::Credentials`]), never from the database here.

use std::net::SocketAddr;

use hotline_sip::auth::{AuthError, Credentials, Secret};
use hotline_sip::registrar::Registrar;
use hotline_sip::{Request, Response};

use super::{random, Server};

/// What an INVITE's credentials amount to.
pub(super) enum CallerAuth {
    /// The caller is the agent with this extension.
    Agent(String),
    /// Not (yet) authenticated: send this response.
    Refuse(Response),
}

impl Server {
    /// Checks the `Proxy-Authorization` of an INVITE to a number the IVR
    /// does not serve.
    pub(super) fn authenticate_caller(&mut self, request: &Request, from: SocketAddr) -> CallerAuth {
        let now = self.now();
        let tag = hotline_sip::ids::tag(&random());
        let challenge = |s: &mut Server, stale: bool| {
            let mut r = request.response(407).with_to_tag(&tag);
            for c in s.registrar.authenticator().challenges(now, &random(), stale) {
                r.headers.push("Proxy-Authenticate", c);
            }
            CallerAuth::Refuse(r)
        };
        let Some(header) = request.headers.get("Proxy-Authorization") else { return challenge(self, false) };
        let credentials = match Credentials::parse(header) {
            Ok(c) => c,
            Err(AuthError::Malformed(why)) => {
                return CallerAuth::Refuse(request.response(400).with_to_tag(&tag).with_reason(format!("Malformed Proxy-Authorization: {why}")));
            }
            Err(_) => return challenge(self, false),
        };
        let user = credentials.username.clone();
        if let Err(refusal) = self.registrar.guard().may_try(from.ip(), &user, now) {
            tracing::warn!(%from, %user, ?refusal, "call refused: too many failed attempts");
            return CallerAuth::Refuse(Registrar::refusal(request, &tag, refusal));
        }
        if let Err(why) = credentials.check_uri(&request.uri) {
            return CallerAuth::Refuse(request.response(400).with_to_tag(&tag).with_reason(format!("Malformed Proxy-Authorization: {why}")));
        }
        let Some(ha1) = self.credentials.ha1(&user, credentials.algorithm) else {
            tracing::warn!(%from, %user, "call refused: unknown extension");
            self.registrar.guard().failed(from.ip(), &user, now);
            return CallerAuth::Refuse(request.response(403).with_to_tag(&tag));
        };
        match self.registrar.authenticator().verify(now, &credentials, request.method.as_str(), Secret::Ha1(&ha1)) {
            Ok(()) => {
                self.registrar.guard().succeeded(from.ip(), &user, now);
                CallerAuth::Agent(user)
            }
            Err(AuthError::Stale | AuthError::Replayed) => challenge(self, true),
            Err(AuthError::WrongPassword) => {
                tracing::warn!(%from, %user, "call refused: wrong password");
                self.registrar.guard().failed(from.ip(), &user, now);
                CallerAuth::Refuse(request.response(403).with_to_tag(&tag))
            }
            Err(_) => challenge(self, false),
        }
    }
}
