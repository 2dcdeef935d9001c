//! The transaction layer: every transaction of one endpoint, the matching
//! of what arrives to them, and one timer queue.
//!
//! The contract, in the style of str0m:
//! - [`TransactionLayer::handle_input`] with the current time and one
//!   [`Input`];
//! - then drain [`TransactionLayer::poll_output`] until `None`, sending
//!   every [`Transmit`] and handing every [`Event`] to the TU;
//! - then sleep until [`TransactionLayer::poll_timeout`] (or the next
//!   message) and feed [`Input::Timeout`].
//!
//! Time only moves when the driver says so; nothing here sleeps or reads a
//! clock, so tests run every timer on a virtual clock.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};

use crate::message::{reject, stateless_tag, Message, MessageKind, Method, Request, Response};
use crate::time::Time;
use crate::timers::Timers;
use crate::transaction::client_invite::ClientInvite;
use crate::transaction::client_non_invite::ClientNonInvite;
use crate::transaction::server_invite::{AckKind, ServerInvite};
use crate::transaction::server_non_invite::ServerNonInvite;
use crate::transaction::{Event, Input, Out, Output, Role, Transmit, Transport, TxError, TxKey};

/// One transaction, by its RFC 3261 name.
#[derive(Debug)]
enum Tx {
    /// INVITE client transaction.
    Ict(ClientInvite),
    /// Non-INVITE client transaction.
    Nict(ClientNonInvite),
    /// INVITE server transaction.
    Ist(ServerInvite),
    /// Non-INVITE server transaction.
    Nist(ServerNonInvite),
}

impl Tx {
    fn is_terminated(&self) -> bool {
        match self {
            Tx::Ict(t) => t.is_terminated(),
            Tx::Nict(t) => t.is_terminated(),
            Tx::Ist(t) => t.is_terminated(),
            Tx::Nist(t) => t.is_terminated(),
        }
    }

    fn deadline(&self) -> Option<Time> {
        match self {
            Tx::Ict(t) => t.deadline(),
            Tx::Nict(t) => t.deadline(),
            Tx::Ist(t) => t.deadline(),
            Tx::Nist(t) => t.deadline(),
        }
    }

    fn on_timeout(&mut self, now: Time, out: &mut Out) {
        match self {
            Tx::Ict(t) => t.on_timeout(now, out),
            Tx::Nict(t) => t.on_timeout(now, out),
            Tx::Ist(t) => t.on_timeout(now, out),
            Tx::Nist(t) => t.on_timeout(now),
        }
    }

    fn terminate(&mut self) {
        match self {
            Tx::Ict(t) => t.terminate(),
            Tx::Nict(t) => t.terminate(),
            Tx::Ist(t) => t.terminate(),
            Tx::Nist(t) => t.terminate(),
        }
    }
}

/// What identifies the ACK for a 2xx (RFC 3261 §17.2.3 does not match it
/// to the INVITE's transaction; the dialog does): Call-ID, CSeq number and
/// both tags.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct AckId {
    call_id: String,
    seq: u32,
    from_tag: String,
    to_tag: String,
}

impl AckId {
    fn of(headers: &crate::message::Headers) -> Option<AckId> {
        Some(AckId {
            call_id: headers.call_id()?.to_owned(),
            seq: headers.cseq()?.seq,
            from_tag: headers.from()?.tag().unwrap_or_default(),
            to_tag: headers.to()?.tag().unwrap_or_default(),
        })
    }
}

#[derive(Debug)]
struct Entry {
    tx: Tx,
    dest: SocketAddr,
    transport: Transport,
    deadline: Option<Time>,
    ack_id: Option<AckId>,
}

/// Every transaction of one SIP endpoint. See the module documentation for
/// the input/output contract.
#[derive(Debug, Default)]
pub struct TransactionLayer {
    timers: Timers,
    txs: HashMap<TxKey, Entry>,
    deadlines: BTreeSet<(Time, TxKey)>,
    awaiting_ack: HashMap<AckId, TxKey>,
    out: VecDeque<Output>,
    /// Answer every request at the address it came from, as if it had
    /// asked for `rport` (RFC 3581): phones behind NAT often do not ask.
    force_rport: bool,
}

impl TransactionLayer {
    /// A layer with the given timer values (T1 and T2 of at least 1 ms).
    pub fn new(timers: Timers) -> TransactionLayer {
        let timers = Timers {
            t1: timers.t1.max(1),
            t2: timers.t2.max(1),
            ..timers
        };
        TransactionLayer {
            timers,
            ..TransactionLayer::default()
        }
    }

    /// Answers every request at its source address, `rport` or not (what
    /// a server on a public address facing phones behind NAT needs).
    pub fn force_rport(mut self, on: bool) -> TransactionLayer {
        self.force_rport = on;
        self
    }

    /// Feeds one input at time `now`. Errors are the TU's mistakes (a
    /// request without branch, a response for a transaction that is gone);
    /// received bytes never give an error.
    pub fn handle_input(&mut self, now: Time, input: Input) -> Result<(), TxError> {
        match input {
            Input::Receive {
                from,
                transport,
                bytes,
            } => {
                self.receive(now, from, transport, &bytes);
                Ok(())
            }
            Input::SendRequest {
                dest,
                transport,
                request,
            } => self.send_request(now, dest, transport, request),
            Input::SendResponse { key, response } => self.send_response(now, key, response),
            Input::TransportError { key } => {
                let found = self.run(&key, |tx, out| {
                    tx.terminate();
                    out.event(Event::TransportError {
                        key: out.key.clone(),
                    });
                });
                found.ok_or(TxError::NoTransaction(key))
            }
            Input::Timeout => {
                self.timeout(now);
                Ok(())
            }
        }
    }

    /// The next thing to send or to tell the TU.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// When [`Input::Timeout`] is due next, if any timer runs.
    pub fn poll_timeout(&self) -> Option<Time> {
        self.deadlines.first().map(|(t, _)| *t)
    }

    /// How many transactions are alive.
    pub fn len(&self) -> usize {
        self.txs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    /// Whether transaction `key` is alive.
    pub fn contains(&self, key: &TxKey) -> bool {
        self.txs.contains_key(key)
    }

    /// Runs `f` on transaction `key` with its output, then reschedules it
    /// or, if it ended, forgets it.
    fn run<R>(&mut self, key: &TxKey, f: impl FnOnce(&mut Tx, &mut Out) -> R) -> Option<R> {
        let entry = self.txs.get_mut(key)?;
        let mut out = Out {
            queue: &mut self.out,
            key,
            dest: entry.dest,
            transport: entry.transport,
        };
        let r = f(&mut entry.tx, &mut out);
        self.settle(key);
        Some(r)
    }

    fn settle(&mut self, key: &TxKey) {
        let Some(entry) = self.txs.get_mut(key) else {
            return;
        };
        if let Some(old) = entry.deadline.take() {
            self.deadlines.remove(&(old, key.clone()));
        }
        if entry.tx.is_terminated() {
            if let Some(id) = entry.ack_id.take() {
                if self.awaiting_ack.get(&id) == Some(key) {
                    self.awaiting_ack.remove(&id);
                }
            }
            self.txs.remove(key);
            self.out
                .push_back(Output::Event(Event::Terminated { key: key.clone() }));
        } else if let Some(d) = entry.tx.deadline() {
            entry.deadline = Some(d);
            self.deadlines.insert((d, key.clone()));
        }
    }

    fn insert(&mut self, key: TxKey, tx: Tx, dest: SocketAddr, transport: Transport) {
        self.txs.insert(
            key.clone(),
            Entry {
                tx,
                dest,
                transport,
                deadline: None,
                ack_id: None,
            },
        );
        self.settle(&key);
    }

    fn transmit(&mut self, dest: SocketAddr, transport: Transport, bytes: Vec<u8>) {
        self.out.push_back(Output::Transmit(Transmit {
            dest,
            transport,
            bytes,
            key: None,
        }));
    }

    fn event(&mut self, e: Event) {
        self.out.push_back(Output::Event(e));
    }

    /// Fires each transaction whose deadline has come, once.
    fn timeout(&mut self, now: Time) {
        let due: Vec<TxKey> = self
            .deadlines
            .iter()
            .take_while(|(t, _)| *t <= now)
            .map(|(_, k)| k.clone())
            .collect();
        for key in due {
            self.run(&key, |tx, out| tx.on_timeout(now, out));
        }
    }

    fn receive(&mut self, now: Time, from: SocketAddr, transport: Transport, bytes: &[u8]) {
        match Message::parse(bytes) {
            Err(error) => {
                if let Some(answer) = reject(bytes, &error) {
                    self.transmit(from, transport, answer);
                }
                self.event(Event::Malformed {
                    from,
                    transport,
                    error,
                });
            }
            Ok(m) => match m.into_kind() {
                MessageKind::Request(r) => self.request_in(now, r, from, transport),
                MessageKind::Response(r) => self.response_in(now, r, from),
            },
        }
    }

    fn request_in(
        &mut self,
        now: Time,
        mut request: Request,
        from: SocketAddr,
        transport: Transport,
    ) {
        stamp_via(&mut request, from, self.force_rport);
        let dest = response_dest(&request, from, transport);
        let Some(key) = TxKey::server(&request) else {
            if request.method == Method::Ack {
                let invite = self.ack_for_2xx(&request);
                return self.event(Event::Ack {
                    request,
                    invite,
                    from,
                    transport,
                });
            }
            let tag = stateless_tag(request.headers.call_id().unwrap_or_default());
            let answer = request
                .response(400)
                .with_reason("Invalid Via Branch")
                .with_to_tag(&tag);
            return self.transmit(dest, transport, answer.to_bytes());
        };
        if request.method == Method::Ack {
            let ours = self.run(&key, |tx, _| match tx {
                Tx::Ist(t) => t.on_ack(now),
                _ => None,
            });
            match ours {
                Some(Some(AckKind::NonSuccess)) => {}
                Some(Some(AckKind::Success)) => self.event(Event::Ack {
                    request,
                    invite: Some(key),
                    from,
                    transport,
                }),
                Some(None) => {}
                None => {
                    let invite = self.ack_for_2xx(&request);
                    self.event(Event::Ack {
                        request,
                        invite,
                        from,
                        transport,
                    });
                }
            }
            return;
        }
        let retransmission = self.run(&key, |tx, out| match tx {
            Tx::Ist(t) => t.on_retransmission(out),
            Tx::Nist(t) => t.on_retransmission(out),
            _ => {}
        });
        if retransmission.is_some() {
            return;
        }
        let reliable = transport.is_reliable();
        let tx = if request.method == Method::Invite {
            let mut out = Out {
                queue: &mut self.out,
                key: &key,
                dest,
                transport,
            };
            Tx::Ist(ServerInvite::start(
                now,
                &request,
                self.timers,
                reliable,
                &mut out,
            ))
        } else {
            Tx::Nist(ServerNonInvite::new(self.timers, reliable))
        };
        self.insert(key.clone(), tx, dest, transport);
        if request.method == Method::Cancel {
            let invite = Some(key.invite_of_cancel()).filter(|k| self.txs.contains_key(k));
            self.event(Event::Cancel {
                key,
                invite,
                request,
                from,
                transport,
            });
        } else {
            self.event(Event::Request {
                key,
                request,
                from,
                transport,
            });
        }
    }

    /// The Accepted INVITE server transaction an ACK acknowledges; tells it.
    fn ack_for_2xx(&mut self, ack: &Request) -> Option<TxKey> {
        let id = AckId::of(&ack.headers)?;
        let key = self.awaiting_ack.remove(&id)?;
        self.run(&key, |tx, _| {
            if let Tx::Ist(t) = tx {
                t.on_2xx_ack();
            }
        })?;
        Some(key)
    }

    fn response_in(&mut self, now: Time, response: Response, from: SocketAddr) {
        let key = TxKey::of_response(&response).filter(|k| self.txs.contains_key(k));
        let Some(key) = key else {
            return self.event(Event::StrayResponse { response, from });
        };
        self.run(&key, |tx, out| match tx {
            Tx::Ict(t) => t.on_response(now, response, out),
            Tx::Nict(t) => t.on_response(now, response, out),
            _ => {}
        });
    }

    fn send_request(
        &mut self,
        now: Time,
        dest: SocketAddr,
        transport: Transport,
        request: Request,
    ) -> Result<(), TxError> {
        if request.method == Method::Ack {
            self.transmit(dest, transport, request.to_bytes());
            return Ok(());
        }
        let key = TxKey::client(&request).ok_or(TxError::NoBranch)?;
        if self.txs.contains_key(&key) {
            return Err(TxError::Exists(key));
        }
        let reliable = transport.is_reliable();
        let mut out = Out {
            queue: &mut self.out,
            key: &key,
            dest,
            transport,
        };
        let tx = if request.method == Method::Invite {
            Tx::Ict(ClientInvite::start(
                now,
                request,
                self.timers,
                reliable,
                &mut out,
            ))
        } else {
            Tx::Nict(ClientNonInvite::start(
                now,
                request.to_bytes(),
                self.timers,
                reliable,
                &mut out,
            ))
        };
        self.insert(key, tx, dest, transport);
        Ok(())
    }

    fn send_response(&mut self, now: Time, key: TxKey, response: Response) -> Result<(), TxError> {
        if !(100..=699).contains(&response.status) {
            return Err(TxError::BadStatus(response.status));
        }
        if key.role != Role::Server {
            return Err(TxError::NoTransaction(key));
        }
        let ack_id = if response.is_success() && key.method == Method::Invite {
            AckId::of(&response.headers)
        } else {
            None
        };
        let sent = self.run(&key, |tx, out| match tx {
            Tx::Ist(t) => t.on_tu_response(now, &response, out),
            Tx::Nist(t) => t.on_tu_response(now, &response, out),
            _ => false,
        });
        match sent {
            None => return Err(TxError::NoTransaction(key)),
            Some(false) => return Err(TxError::InvalidState(key)),
            Some(true) => {}
        }
        if let (Some(id), Some(entry)) = (ack_id, self.txs.get_mut(&key)) {
            if matches!(&entry.tx, Tx::Ist(t) if t.awaits_2xx_ack()) {
                entry.ack_id = Some(id.clone());
                self.awaiting_ack.insert(id, key);
            }
        }
        Ok(())
    }
}

/// Adds `received` (and fills in `rport`) on the top Via of a received
/// request (RFC 3261 §18.2.1, RFC 3581 §4); `force_rport` fills it in as
/// if the client had asked.
fn stamp_via(request: &mut Request, from: SocketAddr, force_rport: bool) {
    let Some(mut via) = request.headers.top_via() else {
        return;
    };
    let ip = from.ip().to_string();
    let host = via.host.trim_start_matches('[').trim_end_matches(']');
    let rport = force_rport || via.rport().is_some();
    if rport {
        via.params.set("rport", Some(&from.port().to_string()));
    }
    if rport || host.parse::<IpAddr>().ok() != Some(from.ip()) {
        via.params.set("received", Some(&ip));
    }
    request.headers.set_top_via(&via);
}

/// Where responses to a request go (RFC 3261 §18.2.2, RFC 3581): back on
/// the connection for reliable transports; to the source address when the
/// client asked for `rport`; else to the source IP and the sent-by port.
fn response_dest(request: &Request, from: SocketAddr, transport: Transport) -> SocketAddr {
    let Some(via) = request.headers.top_via() else {
        return from;
    };
    if transport.is_reliable() || via.rport().is_some() {
        return from;
    }
    SocketAddr::new(from.ip(), via.port.unwrap_or(5060))
}
