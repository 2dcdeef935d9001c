//! Request methods (RFC 3261 §7.1 and extensions). Methods are
//! case-sensitive: `invite` is an extension method, not INVITE.

use std::fmt;

use crate::message::syntax::is_token;

/// A request method; extension methods are kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Invite,
    Ack,
    Bye,
    Cancel,
    Register,
    Options,
    Info,
    Update,
    Prack,
    Refer,
    Notify,
    Subscribe,
    Message,
    Publish,
    /// Any other token.
    Other(String),
}

impl Method {
    /// The method named by `s`, if `s` is a token.
    pub fn parse(s: &str) -> Option<Method> {
        if !is_token(s) {
            return None;
        }
        Some(match s {
            "INVITE" => Method::Invite,
            "ACK" => Method::Ack,
            "BYE" => Method::Bye,
            "CANCEL" => Method::Cancel,
            "REGISTER" => Method::Register,
            "OPTIONS" => Method::Options,
            "INFO" => Method::Info,
            "UPDATE" => Method::Update,
            "PRACK" => Method::Prack,
            "REFER" => Method::Refer,
            "NOTIFY" => Method::Notify,
            "SUBSCRIBE" => Method::Subscribe,
            "MESSAGE" => Method::Message,
            "PUBLISH" => Method::Publish,
            other => Method::Other(other.to_owned()),
        })
    }

    pub fn as_str(&self) -> &str {
        match self {
            Method::Invite => "INVITE",
            Method::Ack => "ACK",
            Method::Bye => "BYE",
            Method::Cancel => "CANCEL",
            Method::Register => "REGISTER",
            Method::Options => "OPTIONS",
            Method::Info => "INFO",
            Method::Update => "UPDATE",
            Method::Prack => "PRACK",
            Method::Refer => "REFER",
            Method::Notify => "NOTIFY",
            Method::Subscribe => "SUBSCRIBE",
            Method::Message => "MESSAGE",
            Method::Publish => "PUBLISH",
            Method::Other(s) => s,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
