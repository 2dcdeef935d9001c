//! Transaction timers on a virtual clock: every send, timeout and
//! termination at the time RFC 3261 §17 says.

use std::net::SocketAddr;

use hotline_sip::transaction::{Key, Output, Transactions};
use hotline_sip::Message;

fn peer() -> SocketAddr {
    "127.0.0.1:5080".parse().unwrap()
}

fn req(method: &str, branch: &str) -> Message {
    let text = format!(
        "{method} sip:8001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch={branch}\r\nTo: <sip:8001@127.0.0.1>\r\n\
         From: <sip:1000@127.0.0.1>;tag=a\r\nCall-ID: tx-1\r\nCSeq: 1 {method}\r\nContent-Length: 0\r\n\r\n"
    );
    Message::parse(text.as_bytes()).unwrap()
}

/// Runs the clock to `until`, firing timers at their own times; returns
/// `(time, what)` for every output.
fn run(t: &mut Transactions, until: u64, log: &mut Vec<(u64, String)>) {
    while let Some(d) = t.next_deadline().filter(|d| *d <= until) {
        t.timeout(d);
        drain(t, d, log);
    }
}

fn drain(t: &mut Transactions, now: u64, log: &mut Vec<(u64, String)>) {
    while let Some(o) = t.poll_output() {
        let what = match o {
            Output::Transmit { bytes, .. } => {
                let m = Message::parse(&bytes).unwrap();
                match m.status() {
                    Some(code) => format!("send {code}"),
                    None => format!("send {}", m.method().unwrap()),
                }
            }
            Output::Request { key, msg, .. } => format!("request {} {}", msg.method().unwrap(), if key.is_some() { "in tx" } else { "no tx" }),
            Output::Response { msg, .. } => format!("response {}", msg.status().unwrap()),
            Output::Timeout { .. } => "timeout".into(),
            Output::Terminated { .. } => "terminated".into(),
        };
        log.push((now, what));
    }
}

fn times(log: &[(u64, String)], what: &str) -> Vec<u64> {
    log.iter().filter(|e| e.1 == what).map(|e| e.0).collect()
}

#[test]
fn invite_client_timers_a_and_b_over_udp() {
    let mut t = Transactions::new();
    let mut log = Vec::new();
    t.send_request(0, req("INVITE", "z9hG4bKa"), peer(), false).unwrap();
    drain(&mut t, 0, &mut log);
    run(&mut t, 40_000, &mut log);
    assert_eq!(times(&log, "send INVITE"), [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert_eq!(times(&log, "timeout"), [32000]);
    assert_eq!(times(&log, "terminated"), [32000]);
    assert!(t.is_empty());
}

#[test]
fn invite_client_over_tcp_does_not_retransmit() {
    let mut t = Transactions::new();
    let mut log = Vec::new();
    t.send_request(0, req("INVITE", "z9hG4bKt"), peer(), true).unwrap();
    drain(&mut t, 0, &mut log);
    run(&mut t, 40_000, &mut log);
    assert_eq!(times(&log, "send INVITE"), [0]);
    assert_eq!(times(&log, "timeout"), [32000]);
}

#[test]
fn invite_client_busy_is_acked_and_retransmissions_absorbed_until_timer_d() {
    let mut t = Transactions::new();
    let mut log = Vec::new();
    let invite = req("INVITE", "z9hG4bKb");
    t.send_request(0, invite.clone(), peer(), false).unwrap();
    drain(&mut t, 0, &mut log);
    t.received(200, invite.response(180, "Ringing", Some("x")), peer(), false);
    drain(&mut t, 200, &mut log);
    run(&mut t, 5_000, &mut log);
    let busy = invite.response(486, "Busy Here", Some("x"));
    t.received(5_000, busy.clone(), peer(), false);
    drain(&mut t, 5_000, &mut log);
    t.received(5_600, busy, peer(), false);
    drain(&mut t, 5_600, &mut log);
    run(&mut t, 60_000, &mut log);
    assert_eq!(times(&log, "send INVITE"), [0], "a provisional stops timer A");
    assert_eq!(times(&log, "response 180"), [200]);
    assert_eq!(times(&log, "response 486"), [5000], "the retransmitted final is absorbed");
    assert_eq!(times(&log, "send ACK"), [5000, 5600]);
    assert_eq!(times(&log, "terminated"), [37000], "timer D: 32 s");
    assert!(times(&log, "timeout").is_empty());
}

#[test]
fn non_invite_client_timers_e_and_f_then_k() {
    let mut t = Transactions::new();
    let mut log = Vec::new();
    t.send_request(0, req("OPTIONS", "z9hG4bKo"), peer(), false).unwrap();
    drain(&mut t, 0, &mut log);
    run(&mut t, 40_000, &mut log);
    assert_eq!(times(&log, "send OPTIONS"), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    assert_eq!(times(&log, "timeout"), [32000]);

    let mut t = Transactions::new();
    let mut log = Vec::new();
    let bye = req("BYE", "z9hG4bKy");
    t.send_request(0, bye.clone(), peer(), false).unwrap();
    drain(&mut t, 0, &mut log);
    run(&mut t, 700, &mut log);
    t.received(700, bye.response(200, "OK", None), peer(), false);
    t.received(900, bye.response(200, "OK", None), peer(), false);
    drain(&mut t, 900, &mut log);
    run(&mut t, 20_000, &mut log);
    assert_eq!(times(&log, "send BYE"), [0, 500]);
    assert_eq!(times(&log, "response 200"), [900], "the retransmitted final is absorbed");
    assert_eq!(times(&log, "terminated"), [5700], "timer K: T4 after the final");
}

#[test]
fn invite_server_trying_retransmissions_timer_g_h_and_ack() {
    let mut t = Transactions::new();
    let mut log = Vec::new();
    let invite = req("INVITE", "z9hG4bKs");
    t.received(0, invite.clone(), peer(), false);
    drain(&mut t, 0, &mut log);
    t.received(400, invite.clone(), peer(), false);
    drain(&mut t, 400, &mut log);
    assert_eq!(log, vec![(0, "send 100".to_string()), (0, "request INVITE in tx".into()), (400, "send 100".into())]);
    let key = Key { branch: "z9hG4bKs".into(), method: "INVITE".into(), server: true };
    t.send_response(1_000, &key, invite.response(486, "Busy Here", Some("s")));
    drain(&mut t, 1_000, &mut log);
    run(&mut t, 40_000, &mut log);
    assert_eq!(times(&log, "send 486"), [1000, 1500, 2500, 4500, 8500, 12500, 16500, 20500, 24500, 28500, 32500]);
    assert_eq!(times(&log, "timeout"), [33000], "timer H: no ACK within 64*T1");

    // With the ACK: confirmed, retransmissions stop, timer I ends it.
    let mut t = Transactions::new();
    let mut log = Vec::new();
    t.received(0, invite.clone(), peer(), false);
    t.send_response(1_000, &key, invite.response(486, "Busy Here", Some("s")));
    drain(&mut t, 1_000, &mut log);
    run(&mut t, 2_000, &mut log);
    t.received(2_000, req("ACK", "z9hG4bKs"), peer(), false);
    drain(&mut t, 2_000, &mut log);
    run(&mut t, 40_000, &mut log);
    assert_eq!(times(&log, "send 486"), [1000, 1500]);
    assert_eq!(times(&log, "terminated"), [7000], "timer I: T4 after the ACK");
    assert!(!log.iter().any(|e| e.1 == "request ACK in tx" || e.1 == "request ACK no tx"), "the ACK stays in the transaction");
}

#[test]
fn invite_server_2xx_is_resent_until_acked_and_timer_l_ends_it() {
    let mut t = Transactions::new();
    let mut log = Vec::new();
    let invite = req("INVITE", "z9hG4bK2");
    t.received(0, invite.clone(), peer(), false);
    let key = Key { branch: "z9hG4bK2".into(), method: "INVITE".into(), server: true };
    t.send_response(100, &key, invite.response(200, "OK", Some("s")));
    drain(&mut t, 100, &mut log);
    run(&mut t, 1_700, &mut log);
    // The ACK for a 2xx has its own branch: it goes to the dialog.
    t.received(1_700, req("ACK", "z9hG4bKack"), peer(), false);
    drain(&mut t, 1_700, &mut log);
    t.acked(&key);
    run(&mut t, 40_000, &mut log);
    assert_eq!(times(&log, "send 200"), [100, 600, 1600]);
    assert_eq!(times(&log, "request ACK no tx"), [1700]);
    assert_eq!(times(&log, "terminated"), [32100], "timer L");
    assert!(times(&log, "timeout").is_empty());
}

#[test]
fn non_invite_server_absorbs_then_repeats_its_answer_until_timer_j() {
    let mut t = Transactions::new();
    let mut log = Vec::new();
    let register = req("REGISTER", "z9hG4bKr");
    t.received(0, register.clone(), peer(), false);
    t.received(300, register.clone(), peer(), false);
    drain(&mut t, 300, &mut log);
    let key = Key { branch: "z9hG4bKr".into(), method: "REGISTER".into(), server: true };
    t.send_response(400, &key, register.response(200, "OK", Some("r")));
    t.received(900, register, peer(), false);
    drain(&mut t, 900, &mut log);
    run(&mut t, 40_000, &mut log);
    assert_eq!(times(&log, "request REGISTER in tx"), [300], "the retransmission while trying is absorbed");
    assert_eq!(times(&log, "send 200"), [900, 900]);
    assert_eq!(times(&log, "terminated"), [32400], "timer J");
    // A CANCEL is its own transaction, tied to the INVITE by branch.
    let mut t = Transactions::new();
    t.received(0, req("INVITE", "z9hG4bKc"), peer(), false);
    t.received(10, req("CANCEL", "z9hG4bKc"), peer(), false);
    let cancel = Key { branch: "z9hG4bKc".into(), method: "CANCEL".into(), server: true };
    assert_eq!(t.invite_of(&cancel).map(|k| k.method), Some("INVITE".into()));
    assert_eq!(t.len(), 2);
}
