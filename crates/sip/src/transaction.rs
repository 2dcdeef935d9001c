//! SIP transactions, sans-IO (RFC 3261 §17, with RFC 6026's Accepted state):
//! retransmissions and timeouts for the four transaction kinds, driven by
//! received messages, the transaction user's sends, and time.
//!
//! Timers (T1 = 500 ms, T2 = 4 s, T4 = 5 s; on reliable transports the
//! retransmission timers are not used and the wait timers are 0):
//! - INVITE client: A (retransmit, doubling), B (timeout, 64·T1), D (wait for
//!   retransmitted finals, 32 s).
//! - non-INVITE client: E (retransmit, doubling to T2), F (timeout, 64·T1),
//!   K (wait, T4).
//! - INVITE server: G (retransmit the final, doubling to T2), H (wait for the
//!   ACK, 64·T1), I (absorb ACKs, T4), L (Accepted: absorb INVITE
//!   retransmissions and resend the 2xx, 64·T1).
//! - non-INVITE server: J (absorb request retransmissions, 64·T1).
//!
//! An INVITE server transaction answers `100 Trying` at once. ACKs for 2xx
//! and CANCELs are not part of the INVITE's transaction: they come to the
//! transaction user as requests (`Output::Request`); [`Transactions::invite_of`]
//! finds the INVITE a CANCEL is about.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::SocketAddr;

use crate::message::{Message, Method, StartLine};

pub const T1: u64 = 500;
pub const T2: u64 = 4_000;
pub const T4: u64 = 5_000;

/// Identifies a transaction: top Via branch, and INVITE or the method.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub branch: String,
    /// `INVITE` for INVITE transactions (and their ACKs), else the method.
    pub method: String,
    pub server: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send these bytes.
    Transmit { to: SocketAddr, reliable: bool, bytes: Vec<u8> },
    /// A new request for the transaction user (also ACKs for 2xx, CANCELs,
    /// and requests with no usable branch).
    Request { key: Option<Key>, msg: Message, from: SocketAddr, reliable: bool },
    /// A response to one of the TU's requests (retransmissions filtered).
    Response { key: Key, msg: Message },
    /// No final response came (timer B or F), or no ACK (timer H).
    Timeout { key: Key },
    /// The transaction is over and forgotten.
    Terminated { key: Key },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Timer {
    Retransmit,
    Timeout,
    Wait,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Calling,
    Trying,
    Proceeding,
    Completed,
    Accepted,
    Confirmed,
}

#[derive(Debug)]
struct Tx {
    state: State,
    invite: bool,
    server: bool,
    peer: SocketAddr,
    reliable: bool,
    /// What is retransmitted: the request (client) or the last response (server).
    last: Vec<u8>,
    interval: u64,
    /// The request, for building the ACK of a non-2xx final (INVITE client).
    request: Option<Message>,
}

/// All transactions of one endpoint.
#[derive(Debug, Default)]
pub struct Transactions {
    txs: HashMap<Key, Tx>,
    timers: BTreeSet<(u64, Key, Timer)>,
    out: VecDeque<Output>,
}

fn key_of(msg: &Message, server: bool) -> Option<Key> {
    let branch = msg.via().first()?.branch()?.to_owned();
    let method = match &msg.start {
        StartLine::Request { method: Method::Ack, .. } => "INVITE".to_owned(),
        StartLine::Request { method, .. } => method.as_str().to_owned(),
        StartLine::Response { .. } => msg.cseq()?.1.as_str().to_owned(),
    };
    let method = if method == "ACK" { "INVITE".to_owned() } else { method };
    Some(Key { branch, method, server })
}

impl Transactions {
    pub fn new() -> Transactions {
        Transactions::default()
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// When `timeout(now)` must be called at the latest.
    pub fn next_deadline(&self) -> Option<u64> {
        self.timers.iter().next().map(|t| t.0)
    }

    pub fn len(&self) -> usize {
        self.txs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    /// The INVITE server transaction a CANCEL (same branch) is about.
    pub fn invite_of(&self, cancel: &Key) -> Option<Key> {
        let k = Key { branch: cancel.branch.clone(), method: "INVITE".into(), server: true };
        self.txs.contains_key(&k).then_some(k)
    }

    fn arm(&mut self, now: u64, key: &Key, timer: Timer, after: u64) {
        self.timers.retain(|t| !(t.1 == *key && t.2 == timer));
        self.timers.insert((now + after, key.clone(), timer));
    }

    fn send(&mut self, key: &Key) {
        if let Some(tx) = self.txs.get(key) {
            self.out.push_back(Output::Transmit { to: tx.peer, reliable: tx.reliable, bytes: tx.last.clone() });
        }
    }

    fn terminate(&mut self, key: &Key) {
        if self.txs.remove(key).is_some() {
            self.timers.retain(|t| t.1 != *key);
            self.out.push_back(Output::Terminated { key: key.clone() });
        }
    }

    /// A message arrived from `from`.
    pub fn received(&mut self, now: u64, msg: Message, from: SocketAddr, reliable: bool) {
        self.timeout(now);
        match msg.start {
            StartLine::Request { .. } => self.request_in(now, msg, from, reliable),
            StartLine::Response { .. } => self.response_in(now, msg),
        }
    }

    fn request_in(&mut self, now: u64, msg: Message, from: SocketAddr, reliable: bool) {
        let is_ack = msg.method() == Some(&Method::Ack);
        let Some(key) = key_of(&msg, true) else {
            return self.out.push_back(Output::Request { key: None, msg, from, reliable });
        };
        let Some(tx) = self.txs.get_mut(&key) else {
            if is_ack {
                // An ACK for a 2xx (its own branch): the dialog's business.
                return self.out.push_back(Output::Request { key: None, msg, from, reliable });
            }
            let invite = msg.method() == Some(&Method::Invite);
            let state = if invite { State::Proceeding } else { State::Trying };
            let tx = Tx { state, invite, server: true, peer: from, reliable, last: Vec::new(), interval: T1, request: None };
            self.txs.insert(key.clone(), tx);
            if invite {
                let trying = msg.response(100, "Trying", None).to_bytes();
                if let Some(tx) = self.txs.get_mut(&key) {
                    tx.last = trying;
                }
                self.send(&key);
            }
            return self.out.push_back(Output::Request { key: Some(key), msg, from, reliable });
        };
        match (tx.state, is_ack) {
            (State::Completed, true) if tx.invite => {
                tx.state = State::Confirmed;
                let wait = if tx.reliable { 0 } else { T4 };
                self.timers.retain(|t| !(t.1 == key && t.2 != Timer::Wait));
                self.arm(now, &key, Timer::Wait, wait);
            }
            // Retransmitted request: repeat the last response, if any.
            (State::Proceeding | State::Completed | State::Accepted, false) if !tx.last.is_empty() => self.send(&key),
            _ => {}
        }
    }

    fn response_in(&mut self, now: u64, msg: Message) {
        let Some(key) = key_of(&msg, false) else { return };
        let code = msg.status().unwrap_or(0);
        let Some(tx) = self.txs.get_mut(&key) else { return };
        let provisional = code < 200;
        match (tx.invite, tx.state) {
            (_, State::Calling | State::Trying | State::Proceeding) if provisional => {
                tx.state = State::Proceeding;
                if tx.invite {
                    self.timers.retain(|t| !(t.1 == key && t.2 == Timer::Retransmit));
                } else if !tx.reliable {
                    tx.interval = T2;
                }
                self.out.push_back(Output::Response { key, msg });
            }
            (true, State::Calling | State::Proceeding) if code < 300 => {
                self.out.push_back(Output::Response { key: key.clone(), msg });
                self.terminate(&key);
            }
            (true, State::Calling | State::Proceeding) => {
                tx.state = State::Completed;
                tx.last = tx.request.as_ref().map(|r| ack_for(r, &msg).to_bytes()).unwrap_or_default();
                let wait = if tx.reliable { 0 } else { 32_000 };
                self.timers.retain(|t| t.1 != key);
                self.send(&key);
                self.arm(now, &key, Timer::Wait, wait);
                self.out.push_back(Output::Response { key, msg });
            }
            // A retransmitted non-2xx final: ACK it again.
            (true, State::Completed) => self.send(&key),
            (false, State::Trying | State::Proceeding) => {
                tx.state = State::Completed;
                let wait = if tx.reliable { 0 } else { T4 };
                self.timers.retain(|t| t.1 != key);
                self.arm(now, &key, Timer::Wait, wait);
                self.out.push_back(Output::Response { key, msg });
            }
            _ => {}
        }
    }

    /// The TU sends a request to `to`; returns its transaction key.
    pub fn send_request(&mut self, now: u64, msg: Message, to: SocketAddr, reliable: bool) -> Option<Key> {
        let key = key_of(&msg, false)?;
        let invite = msg.method() == Some(&Method::Invite);
        if msg.method() == Some(&Method::Ack) {
            // ACK for a 2xx is sent outside any transaction.
            self.out.push_back(Output::Transmit { to, reliable, bytes: msg.to_bytes() });
            return None;
        }
        let state = if invite { State::Calling } else { State::Trying };
        let request = invite.then(|| msg.clone());
        let tx = Tx { state, invite, server: false, peer: to, reliable, last: msg.to_bytes(), interval: T1, request };
        self.txs.insert(key.clone(), tx);
        self.send(&key);
        if !reliable {
            self.arm(now, &key, Timer::Retransmit, T1);
        }
        self.arm(now, &key, Timer::Timeout, 64 * T1);
        Some(key)
    }

    /// The TU answers the request of server transaction `key`.
    pub fn send_response(&mut self, now: u64, key: &Key, msg: Message) {
        let code = msg.status().unwrap_or(0);
        let Some(tx) = self.txs.get_mut(key).filter(|t| t.server) else { return };
        if matches!(tx.state, State::Completed | State::Confirmed) {
            return;
        }
        tx.last = msg.to_bytes();
        let (invite, reliable) = (tx.invite, tx.reliable);
        match (invite, code) {
            (_, 100..=199) => tx.state = State::Proceeding,
            (true, 200..=299) => {
                tx.state = State::Accepted;
                if !reliable {
                    tx.interval = T1;
                    self.arm(now, key, Timer::Retransmit, T1);
                }
                self.arm(now, key, Timer::Timeout, 64 * T1);
            }
            (true, _) => {
                tx.state = State::Completed;
                if !reliable {
                    tx.interval = T1;
                    self.arm(now, key, Timer::Retransmit, T1);
                }
                self.arm(now, key, Timer::Wait, 64 * T1);
            }
            (false, _) => {
                tx.state = State::Completed;
                self.arm(now, key, Timer::Wait, if reliable { 0 } else { 64 * T1 });
            }
        }
        self.send(key);
    }

    /// The dialog saw the ACK for the 2xx of INVITE server transaction `key`:
    /// stop resending the 2xx.
    pub fn acked(&mut self, key: &Key) {
        if self.txs.get(key).is_some_and(|t| t.state == State::Accepted) {
            self.timers.retain(|t| !(t.1 == *key && t.2 == Timer::Retransmit));
        }
    }

    /// Fires every timer due by `now`, each at its own time.
    pub fn timeout(&mut self, now: u64) {
        while let Some((at, key, timer)) = self.timers.iter().next().cloned() {
            if at > now {
                break;
            }
            self.timers.remove(&(at, key.clone(), timer));
            let Some(tx) = self.txs.get_mut(&key) else { continue };
            match timer {
                Timer::Retransmit => {
                    let retransmitting = matches!(
                        (tx.server, tx.state),
                        (false, State::Calling | State::Trying | State::Proceeding) | (true, State::Completed | State::Accepted)
                    );
                    if retransmitting {
                        // A doubles without limit; E and G double up to T2.
                        tx.interval = if tx.state == State::Calling { tx.interval * 2 } else { (tx.interval * 2).min(T2) };
                        let next = tx.interval;
                        self.send(&key);
                        self.arm(at, &key, Timer::Retransmit, next);
                    }
                }
                Timer::Timeout => {
                    // B, F: no final response; L: Accepted ends normally.
                    let timed_out = !tx.server;
                    if timed_out {
                        self.out.push_back(Output::Timeout { key: key.clone() });
                    }
                    self.terminate(&key);
                }
                Timer::Wait => {
                    // H: no ACK for a non-2xx final; D, I, J, K: done waiting.
                    if tx.server && tx.invite && tx.state == State::Completed {
                        self.out.push_back(Output::Timeout { key: key.clone() });
                    }
                    self.terminate(&key);
                }
            }
        }
    }
}

/// The ACK an INVITE client transaction sends for a non-2xx final
/// (RFC 3261 §17.1.1.3): same Request-URI, Call-ID, From, top Via and CSeq
/// number as the INVITE, To from the response.
fn ack_for(invite: &Message, resp: &Message) -> Message {
    let uri = match &invite.start {
        StartLine::Request { uri, .. } => uri.clone(),
        StartLine::Response { .. } => String::new(),
    };
    let mut headers = Vec::new();
    if let Some(v) = invite.all("Via").first() {
        headers.push(("Via".into(), (*v).to_owned()));
    }
    for name in ["From", "Call-ID", "Route"] {
        for v in invite.all(name) {
            headers.push((name.into(), v.to_owned()));
        }
    }
    if let Some(to) = resp.header("To") {
        headers.push(("To".into(), to.to_owned()));
    }
    let n = invite.cseq().map_or(1, |c| c.0);
    headers.push(("CSeq".into(), format!("{n} ACK")));
    headers.push(("Max-Forwards".into(), "70".into()));
    Message { start: StartLine::Request { method: Method::Ack, uri }, headers, body: Vec::new() }
}
