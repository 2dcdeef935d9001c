//! SIP transactions, sans-IO (RFC 3261 §17, RFC 6026, RFC 3581): the four
//! kinds of transaction with their timers, driven through one
//! [`TransactionLayer`].
//!
//! ```text
//!            Input::Receive / SendRequest / SendResponse / TransportError / Timeout
//!   driver ───────────────────────────────────────────────────────────────► layer
//!          ◄───────────────────────────────────────────────────────────────
//!            poll_output(): Output::Transmit | Output::Event;  poll_timeout()
//! ```
//!
//! Matching (§17.1.3, §17.2.3): a request belongs to the server
//! transaction with the same top-Via branch, sent-by and method (ACK
//! counting as INVITE); a response to the client transaction with the
//! same top-Via branch and CSeq method. Requests without an RFC 3261
//! branch (none, one without the `z9hG4bK` cookie, or the bare cookie —
//! RFC 4475's `inv2543`, `wsinv`, `badbranch`) are matched the RFC 2543
//! way (§17.2.3): by Request-URI, From tag, Call-ID, CSeq number and top
//! Via, folded into a key of their own.

mod client_invite;
mod client_non_invite;
mod layer;
mod server_invite;
mod server_non_invite;

use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;

pub use layer::TransactionLayer;

use crate::error::ParseError;
use crate::message::{Method, Request, Response};

/// The transport a message came over or goes out on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
    Ws,
    Wss,
}

impl Transport {
    /// Reliable transports get no retransmissions and zero wait timers.
    pub fn is_reliable(self) -> bool {
        self != Transport::Udp
    }

    /// The Via spelling: `UDP`, `TCP`, `TLS`, `WS`, `WSS`.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
            Transport::Ws => "WS",
            Transport::Wss => "WSS",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which side of a transaction we are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Client,
    Server,
}

/// Identifies a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TxKey {
    pub role: Role,
    /// The top Via branch (with the magic cookie).
    pub branch: String,
    /// The request method; ACK is filed under INVITE.
    pub method: Method,
    /// The top Via sent-by, lower-cased (server transactions only; empty
    /// for client ones, whose branches we chose).
    pub sent_by: String,
}

impl TxKey {
    /// The client transaction a request we send creates.
    pub fn client(request: &Request) -> Option<TxKey> {
        let branch = request.headers.top_via()?.rfc3261_branch()?;
        Some(TxKey {
            role: Role::Client,
            branch,
            method: filed_under(&request.method),
            sent_by: String::new(),
        })
    }

    /// The server transaction a received request belongs to.
    pub fn server(request: &Request) -> Option<TxKey> {
        let via = request.headers.top_via()?;
        let branch = match via.rfc3261_branch() {
            Some(b) => b,
            None => rfc2543_key(request, &via.to_string())?,
        };
        Some(TxKey {
            role: Role::Server,
            branch,
            method: filed_under(&request.method),
            sent_by: via.sent_by().to_ascii_lowercase(),
        })
    }

    /// The client transaction a received response belongs to.
    pub fn of_response(response: &Response) -> Option<TxKey> {
        let branch = response.headers.top_via()?.rfc3261_branch()?;
        let method = response.headers.cseq()?.method;
        Some(TxKey {
            role: Role::Client,
            branch,
            method: filed_under(&method),
            sent_by: String::new(),
        })
    }

    /// The INVITE server transaction a CANCEL server transaction cancels.
    pub fn invite_of_cancel(&self) -> TxKey {
        TxKey {
            method: Method::Invite,
            ..self.clone()
        }
    }
}

/// The RFC 2543 matching fields of a request (§17.2.3) folded into one
/// value: Request-URI, From tag, Call-ID, CSeq number and the top Via.
/// The To tag is left out so that the ACK of a non-2xx answer (which
/// carries our tag) and a CANCEL (with its own method) find the INVITE.
fn rfc2543_key(request: &Request, top_via: &str) -> Option<String> {
    use sha2::{Digest, Sha256};
    let h = &request.headers;
    let from_tag = h.from()?.tag().unwrap_or_default();
    let call_id = h.call_id()?;
    let cseq = h.cseq()?.seq;
    let mut d = Sha256::new();
    for part in [request.uri.as_str(), &from_tag, call_id, &cseq.to_string(), top_via] {
        d.update(part.as_bytes());
        d.update([0]);
    }
    Some(format!("rfc2543-{}", hex::encode(&d.finalize()[..12])))
}

fn filed_under(m: &Method) -> Method {
    if *m == Method::Ack {
        Method::Invite
    } else {
        m.clone()
    }
}

impl fmt::Display for TxKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let role = match self.role {
            Role::Client => "client",
            Role::Server => "server",
        };
        write!(f, "{role} {} {}", self.method, self.branch)
    }
}

/// What the driver feeds the layer.
#[derive(Debug, Clone)]
pub enum Input {
    /// Bytes received: a UDP datagram, or one framed stream message.
    Receive {
        from: SocketAddr,
        transport: Transport,
        bytes: Vec<u8>,
    },
    /// The TU sends a request to `dest`. ACK goes out without a
    /// transaction; other methods start a client transaction (the top Via
    /// must carry a fresh RFC 3261 branch).
    SendRequest {
        dest: SocketAddr,
        transport: Transport,
        request: Request,
    },
    /// The TU answers the request of server transaction `key`.
    SendResponse { key: TxKey, response: Response },
    /// Sending a [`Transmit`] of transaction `key` failed.
    TransportError { key: TxKey },
    /// Time passed: fire every timer due by `now`.
    Timeout,
}

/// Bytes to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    pub dest: SocketAddr,
    pub transport: Transport,
    pub bytes: Vec<u8>,
    /// The transaction sending, for [`Input::TransportError`]; `None` for
    /// stateless sends (ACK for 2xx, 400 for a malformed request).
    pub key: Option<TxKey>,
}

/// The timers that end a transaction with [`Event::Timeout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// INVITE client: no final response.
    B,
    /// Non-INVITE client: no final response.
    F,
    /// INVITE server: no ACK for a non-2xx final response.
    H,
    /// INVITE server, Accepted state: no ACK for the 2xx.
    L,
}

/// What the layer tells the transaction user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A new request; a server transaction `key` exists for it. Answer with
    /// [`Input::SendResponse`]. Retransmissions are absorbed.
    Request {
        key: TxKey,
        request: Request,
        from: SocketAddr,
        transport: Transport,
    },
    /// A new CANCEL, in its own server transaction `key` (answer it 200, or
    /// 481 when `invite` is `None`), for the INVITE server transaction
    /// `invite` (answer that one 487 if it has no final response yet).
    Cancel {
        key: TxKey,
        invite: Option<TxKey>,
        request: Request,
        from: SocketAddr,
        transport: Transport,
    },
    /// An ACK that is not part of a non-2xx INVITE transaction: the ACK for
    /// a 2xx. `invite` is the Accepted INVITE server transaction it
    /// acknowledges (matched on Call-ID, CSeq, From tag and To tag), which
    /// stops resending its 2xx.
    Ack {
        request: Request,
        invite: Option<TxKey>,
        from: SocketAddr,
        transport: Transport,
    },
    /// A response for client transaction `key`. Retransmitted non-2xx finals
    /// are absorbed (and ACKed); every 2xx to an INVITE is passed on, so the
    /// TU can send its ACK again (RFC 6026).
    Response { key: TxKey, response: Response },
    /// A response that matches no client transaction.
    StrayResponse {
        response: Response,
        from: SocketAddr,
    },
    /// The transaction timed out; it is terminated.
    Timeout { key: TxKey, timer: Timer },
    /// A send failed; the transaction is terminated.
    TransportError { key: TxKey },
    /// Bytes that did not parse. A request was answered already (400, 505
    /// or 513 with the error's reason phrase) when it could be.
    Malformed {
        from: SocketAddr,
        transport: Transport,
        error: ParseError,
    },
    /// The transaction is over and forgotten.
    Terminated { key: TxKey },
}

/// What [`TransactionLayer::poll_output`] gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Transmit(Transmit),
    Event(Event),
}

/// Why the layer refused an input from the TU.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    #[error("the request's top Via has no RFC 3261 branch")]
    NoBranch,
    #[error("a transaction with this key exists: {0}")]
    Exists(TxKey),
    #[error("no such transaction: {0}")]
    NoTransaction(TxKey),
    #[error("transaction {0} cannot send this response now")]
    InvalidState(TxKey),
    #[error("status code {0} is not 100 to 699")]
    BadStatus(u16),
}

/// Where a transaction writes what it sends and tells.
pub(crate) struct Out<'a> {
    pub queue: &'a mut VecDeque<Output>,
    pub key: &'a TxKey,
    pub dest: SocketAddr,
    pub transport: Transport,
}

impl Out<'_> {
    pub fn send(&mut self, bytes: Vec<u8>) {
        self.queue.push_back(Output::Transmit(Transmit {
            dest: self.dest,
            transport: self.transport,
            bytes,
            key: Some(self.key.clone()),
        }));
    }

    pub fn event(&mut self, e: Event) {
        self.queue.push_back(Output::Event(e));
    }
}

/// The earliest of some optional deadlines.
pub(crate) fn earliest(times: &[Option<crate::Time>]) -> Option<crate::Time> {
    times.iter().flatten().min().copied()
}

/// Whether an optional deadline is due.
pub(crate) fn due(t: Option<crate::Time>, now: crate::Time) -> bool {
    t.is_some_and(|t| t <= now)
}
