//! Parsing `Digest name=value, ...` (Authorization, WWW-Authenticate).

use std::collections::BTreeMap;

use crate::auth::{Algorithm, AuthError};
use crate::message::syntax::{is_token, split_list, trim_ws, unquote};
use crate::message::SipUri;

/// The parameters after `Digest`, names lower-cased, values unquoted.
pub(crate) fn digest_params(header: &str) -> Result<BTreeMap<String, String>, AuthError> {
    let header = trim_ws(header);
    let (scheme, rest) = header.split_once([' ', '\t']).unwrap_or((header, ""));
    if !scheme.eq_ignore_ascii_case("Digest") {
        return Err(AuthError::UnsupportedScheme);
    }
    let mut map = BTreeMap::new();
    for part in split_list(rest).ok_or(AuthError::Malformed("Unbalanced Quotes"))? {
        if part.is_empty() {
            continue;
        }
        let (k, v) = part
            .split_once('=')
            .ok_or(AuthError::Malformed("Parameter Without Value"))?;
        let (k, v) = (trim_ws(k).to_ascii_lowercase(), trim_ws(v));
        if !is_token(&k) {
            return Err(AuthError::Malformed("Bad Parameter Name"));
        }
        if map.insert(k, unquote(v)).is_some() {
            return Err(AuthError::Malformed("Repeated Parameter"));
        }
    }
    Ok(map)
}

/// The parameters of a Digest `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub realm: String,
    pub nonce: String,
    pub uri: String,
    /// Lower-case hex.
    pub response: String,
    pub algorithm: Algorithm,
    /// `(nc, cnonce)` when `qop=auth`.
    pub qop: Option<(String, String)>,
    pub opaque: Option<String>,
}

impl Credentials {
    /// Checks that the digest `uri` names the Request-URI (RFC 7616 §3.4.6:
    /// credentials computed for another URI are not accepted). Equal text
    /// passes; otherwise both must be SIP URIs with the same scheme, user,
    /// host and port.
    pub fn check_uri(&self, request_uri: &str) -> Result<(), &'static str> {
        if self.uri == request_uri {
            return Ok(());
        }
        let same = match (SipUri::parse(&self.uri), SipUri::parse(request_uri)) {
            (Some(a), Some(b)) => {
                a.scheme == b.scheme
                    && a.user == b.user
                    && a.host.eq_ignore_ascii_case(&b.host)
                    && a.port == b.port
            }
            _ => false,
        };
        if same {
            Ok(())
        } else {
            Err("uri Does Not Match Request-URI")
        }
    }

    /// Parses an Authorization (or Proxy-Authorization) value.
    pub fn parse(header: &str) -> Result<Credentials, AuthError> {
        let mut p = digest_params(header)?;
        let mut take =
            |k: &'static str, why: &'static str| p.remove(k).ok_or(AuthError::Malformed(why));
        let username = take("username", "Missing username")?;
        let realm = take("realm", "Missing realm")?;
        let nonce = take("nonce", "Missing nonce")?;
        let uri = take("uri", "Missing uri")?;
        let response = take("response", "Missing response")?.to_ascii_lowercase();
        let algorithm = match p.remove("algorithm") {
            Some(a) => Algorithm::parse(&a).ok_or(AuthError::UnsupportedAlgorithm)?,
            None => Algorithm::Md5,
        };
        let qop = match p.remove("qop") {
            None => None,
            Some(q) if q.eq_ignore_ascii_case("auth") => {
                let nc = p.remove("nc").ok_or(AuthError::Malformed("Missing nc"))?;
                let cnonce = p
                    .remove("cnonce")
                    .ok_or(AuthError::Malformed("Missing cnonce"))?;
                if nc.len() != 8 || !nc.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(AuthError::Malformed("Bad nc"));
                }
                Some((nc, cnonce))
            }
            Some(_) => return Err(AuthError::Malformed("Unsupported qop")),
        };
        if p.contains_key("userhash")
            && p.get("userhash")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            return Err(AuthError::Malformed("Unsupported userhash"));
        }
        let hex_len = match algorithm {
            Algorithm::Md5 => 32,
            Algorithm::Sha256 => 64,
        };
        if response.len() != hex_len || !response.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AuthError::Malformed("Bad response"));
        }
        Ok(Credentials {
            username,
            realm,
            nonce,
            uri,
            response,
            algorithm,
            qop,
            opaque: p.remove("opaque"),
        })
    }
}
