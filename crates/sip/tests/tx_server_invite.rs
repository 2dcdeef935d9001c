//! INVITE server transactions on a virtual clock: 100 Trying, timers G,
//! H, I and L, ACK for non-2xx absorbed, ACK for 2xx matched and passed
//! on, retransmissions absorbed, CANCEL matched to its INVITE.

mod common;

use common::{reply, req, Clock};
use expect_test::expect;
use hotline_sip::timers::Timers;
use hotline_sip::transaction::{Event, Input, TransactionLayer, Transport, TxError};
use hotline_sip::{Request, TxKey};

const PEER: &str = "192.0.2.10:5070";

fn arrive(c: &mut Clock, r: &Request, transport: Transport) {
    c.receive(PEER, transport, r.to_bytes());
}

/// The INVITE as the layer saw it (Via stamped), and its key.
fn invited(transport: Transport) -> (Clock, Request, TxKey) {
    let mut c = Clock::new(TransactionLayer::default());
    arrive(&mut c, &req("INVITE", "z9hG4bKsi1"), transport);
    let Some(Event::Request { key, request, .. }) = c.events.first().cloned() else {
        panic!("no request event")
    };
    (c, request, key)
}

fn answer(c: &mut Clock, key: &TxKey, r: hotline_sip::Response) {
    c.input(Input::SendResponse {
        key: key.clone(),
        response: r,
    });
}

#[test]
fn trying_goes_out_after_200_ms_of_silence() {
    let (mut c, invite, key) = invited(Transport::Udp);
    c.run_until(1_000);
    answer(&mut c, &key, reply(&invite, 180));
    assert_eq!(c.times("send 100"), [200]);
    assert_eq!(c.times("send 180"), [1_000]);
}

#[test]
fn a_quick_answer_needs_no_trying_and_trying_can_be_immediate() {
    let (mut c, invite, key) = invited(Transport::Udp);
    c.run_until(100);
    answer(&mut c, &key, reply(&invite, 180));
    c.run_until(1_000);
    assert!(c.times("send 100").is_empty());
    let mut c = Clock::new(TransactionLayer::new(Timers {
        trying_delay: 0,
        ..Timers::default()
    }));
    arrive(&mut c, &req("INVITE", "z9hG4bKsi0"), Transport::Udp);
    assert_eq!(
        c.log,
        ["0 send 100 to 192.0.2.10:5070 UDP", "0 request INVITE"]
    );
}

#[test]
fn retransmitted_invites_get_the_last_provisional() {
    let (mut c, invite, key) = invited(Transport::Udp);
    c.run_until(50);
    arrive(&mut c, &req("INVITE", "z9hG4bKsi1"), Transport::Udp);
    answer(&mut c, &key, reply(&invite, 180));
    c.run_until(600);
    arrive(&mut c, &req("INVITE", "z9hG4bKsi1"), Transport::Udp);
    expect![[r#"
        0 request INVITE
        50 send 100 to 192.0.2.10:5070 UDP
        50 send 180 to 192.0.2.10:5070 UDP
        600 send 180 to 192.0.2.10:5070 UDP
    "#]]
    .assert_eq(&c.trace());
}

#[test]
fn timer_g_resends_the_failure_until_timer_h() {
    let (mut c, invite, key) = invited(Transport::Udp);
    c.run_until(1_000);
    answer(&mut c, &key, reply(&invite, 486));
    c.run_until(40_000);
    expect![[r#"
        0 request INVITE
        200 send 100 to 192.0.2.10:5070 UDP
        1000 send 486 to 192.0.2.10:5070 UDP
        1500 send 486 to 192.0.2.10:5070 UDP
        2500 send 486 to 192.0.2.10:5070 UDP
        4500 send 486 to 192.0.2.10:5070 UDP
        8500 send 486 to 192.0.2.10:5070 UDP
        12500 send 486 to 192.0.2.10:5070 UDP
        16500 send 486 to 192.0.2.10:5070 UDP
        20500 send 486 to 192.0.2.10:5070 UDP
        24500 send 486 to 192.0.2.10:5070 UDP
        28500 send 486 to 192.0.2.10:5070 UDP
        32500 send 486 to 192.0.2.10:5070 UDP
        33000 timeout H
        33000 terminated
    "#]]
    .assert_eq(&c.trace());
}

#[test]
fn the_ack_stops_g_and_timer_i_absorbs_the_rest() {
    let (mut c, invite, key) = invited(Transport::Udp);
    answer(&mut c, &key, reply(&invite, 486));
    c.run_until(1_000);
    arrive(&mut c, &req("INVITE", "z9hG4bKsi1"), Transport::Udp);
    let ack = req("ACK", "z9hG4bKsi1");
    arrive(&mut c, &ack, Transport::Udp);
    c.run_until(3_000);
    arrive(&mut c, &ack, Transport::Udp);
    c.run_until(10_000);
    expect![[r#"
        0 request INVITE
        0 send 486 to 192.0.2.10:5070 UDP
        500 send 486 to 192.0.2.10:5070 UDP
        1000 send 486 to 192.0.2.10:5070 UDP
        6000 terminated
    "#]]
    .assert_eq(&c.trace());
}

#[test]
fn over_tcp_no_g_and_timer_i_is_zero() {
    let (mut c, invite, key) = invited(Transport::Tcp);
    answer(&mut c, &key, reply(&invite, 486));
    c.run_until(2_000);
    arrive(&mut c, &req("ACK", "z9hG4bKsi1"), Transport::Tcp);
    c.run_until(2_000);
    assert_eq!(c.times("send 486"), [0]);
    assert_eq!(c.times("terminated"), [2_000]);
}

#[test]
fn over_tcp_timer_h_still_runs() {
    let (mut c, invite, key) = invited(Transport::Tcp);
    answer(&mut c, &key, reply(&invite, 486));
    c.run_until(40_000);
    assert_eq!(c.times("timeout H"), [32_000]);
}

#[test]
fn the_2xx_is_resent_until_its_ack_and_the_ack_goes_to_the_tu() {
    let (mut c, invite, key) = invited(Transport::Udp);
    c.run_until(1_000);
    answer(&mut c, &key, reply(&invite, 200));
    c.run_until(3_000);
    // A retransmitted INVITE is absorbed in Accepted.
    arrive(&mut c, &req("INVITE", "z9hG4bKsi1"), Transport::Udp);
    c.run_until(5_000);
    arrive(&mut c, &req("ACK", "z9hG4bKack2xx"), Transport::Udp);
    c.run_until(60_000);
    expect![[r#"
        0 request INVITE
        200 send 100 to 192.0.2.10:5070 UDP
        1000 send 200 to 192.0.2.10:5070 UDP
        1500 send 200 to 192.0.2.10:5070 UDP
        2500 send 200 to 192.0.2.10:5070 UDP
        4500 send 200 to 192.0.2.10:5070 UDP
        5000 ack for 2xx (matched)
        33000 terminated
    "#]]
    .assert_eq(&c.trace());
    assert!(
        matches!(c.events.iter().find(|e| matches!(e, Event::Ack { .. })), Some(Event::Ack { invite: Some(k), .. }) if *k == key)
    );
}

#[test]
fn no_ack_for_the_2xx_times_out_with_timer_l() {
    let (mut c, invite, key) = invited(Transport::Tcp);
    answer(&mut c, &key, reply(&invite, 200));
    c.run_until(40_000);
    assert_eq!(c.times("send 200"), [0], "reliable: no resending");
    assert_eq!(c.times("timeout L"), [32_000]);
}

#[test]
fn an_ack_with_no_invite_is_the_tus_business() {
    let mut c = Clock::new(TransactionLayer::default());
    arrive(&mut c, &req("ACK", "z9hG4bKlost"), Transport::Udp);
    assert_eq!(c.log, ["0 ack for 2xx (unmatched)"]);
}

#[test]
fn cancel_finds_its_invite() {
    let (mut c, invite, key) = invited(Transport::Udp);
    c.run_until(1_000);
    arrive(&mut c, &req("CANCEL", "z9hG4bKsi1"), Transport::Udp);
    let Some(Event::Cancel {
        key: cancel_key,
        invite: Some(invite_key),
        request,
        ..
    }) = c.events.last().cloned()
    else {
        panic!("no cancel event: {:?}", c.events)
    };
    assert_eq!(invite_key, key);
    answer(&mut c, &cancel_key, reply(&request, 200));
    answer(&mut c, &key, reply(&invite, 487));
    arrive(&mut c, &req("ACK", "z9hG4bKsi1"), Transport::Udp);
    c.run_until(40_000);
    expect![[r#"
        0 request INVITE
        200 send 100 to 192.0.2.10:5070 UDP
        1000 cancel (invite found)
        1000 send 200 to 192.0.2.10:5070 UDP
        1000 send 487 to 192.0.2.10:5070 UDP
        6000 terminated
        33000 terminated
    "#]]
    .assert_eq(&c.trace());
    // A CANCEL for nothing says so.
    arrive(&mut c, &req("CANCEL", "z9hG4bKnothing"), Transport::Udp);
    assert!(matches!(
        c.events.last(),
        Some(Event::Cancel { invite: None, .. })
    ));
}

#[test]
fn responses_after_the_final_are_refused() {
    let (mut c, invite, key) = invited(Transport::Udp);
    answer(&mut c, &key, reply(&invite, 486));
    let again = c.layer.handle_input(
        c.now,
        Input::SendResponse {
            key: key.clone(),
            response: reply(&invite, 200),
        },
    );
    assert_eq!(again, Err(TxError::InvalidState(key.clone())));
    let bad = c.layer.handle_input(
        c.now,
        Input::SendResponse {
            key: key.clone(),
            response: reply(&invite, 99),
        },
    );
    assert_eq!(bad, Err(TxError::BadStatus(99)));
    let mut gone = key.clone();
    gone.branch.push('x');
    assert_eq!(
        c.layer.handle_input(
            c.now,
            Input::SendResponse {
                key: gone.clone(),
                response: reply(&invite, 200)
            }
        ),
        Err(TxError::NoTransaction(gone))
    );
}

#[test]
fn responses_follow_via_received_and_rport() {
    // rport asked: back to the source port, and the Via says where it came from.
    let mut c = Clock::new(TransactionLayer::default());
    let with_rport = req("OPTIONS", "z9hG4bKr1").to_bytes();
    let with_rport = String::from_utf8(with_rport)
        .unwrap()
        .replace("5070;branch=z9hG4bKr1", "5070;rport;branch=z9hG4bKr1");
    c.receive("203.0.113.7:40000", Transport::Udp, with_rport.into_bytes());
    let Some(Event::Request { key, request, .. }) = c.events.first().cloned() else {
        panic!()
    };
    let via = request.headers.top_via().unwrap();
    assert_eq!(
        (via.received().as_deref(), via.rport()),
        (Some("203.0.113.7"), Some(Some(40000)))
    );
    answer(&mut c, &key, request.response(200));
    assert_eq!(c.log.last().unwrap(), "0 send 200 to 203.0.113.7:40000 UDP");
    // No rport: to the source address and the port in the Via.
    let mut c = Clock::new(TransactionLayer::default());
    c.receive(
        "203.0.113.7:40000",
        Transport::Udp,
        req("OPTIONS", "z9hG4bKr2").to_bytes(),
    );
    let Some(Event::Request { key, request, .. }) = c.events.first().cloned() else {
        panic!()
    };
    answer(&mut c, &key, request.response(200));
    assert_eq!(c.log.last().unwrap(), "0 send 200 to 203.0.113.7:5070 UDP");
}
