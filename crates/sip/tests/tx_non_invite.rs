//! Non-INVITE transactions on a virtual clock: timers E, F and K on the
//! client side, J on the server side, retransmissions absorbed.

mod common;

use common::{addr, reply, req, Clock};
use expect_test::expect;
use hotline_sip::transaction::{Event, Input, TransactionLayer, Transport};
use hotline_sip::TxError;

const PEER: &str = "192.0.2.10:5070";

fn client(transport: Transport) -> Clock {
    let mut c = Clock::new(TransactionLayer::default());
    c.input(Input::SendRequest {
        dest: addr(PEER),
        transport,
        request: req("OPTIONS", "z9hG4bKcn1"),
    });
    c
}

#[test]
fn timer_e_doubles_to_t2_until_timer_f() {
    let mut c = client(Transport::Udp);
    c.run_until(40_000);
    assert_eq!(
        c.times("send OPTIONS"),
        [0, 500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]
    );
    assert_eq!(c.times("timeout F"), [32_000]);
    assert_eq!(c.times("terminated"), [32_000]);
}

#[test]
fn in_proceeding_e_fires_every_t2() {
    let mut c = client(Transport::Udp);
    c.run_until(600);
    c.receive(
        PEER,
        Transport::Udp,
        reply(&req("OPTIONS", "z9hG4bKcn1"), 100).to_bytes(),
    );
    c.run_until(20_000);
    assert_eq!(
        c.times("send OPTIONS"),
        [0, 500, 1_500, 5_500, 9_500, 13_500, 17_500]
    );
}

#[test]
fn a_final_response_completes_and_timer_k_absorbs_copies() {
    let mut c = client(Transport::Udp);
    c.run_until(1_000);
    let ok = reply(&req("OPTIONS", "z9hG4bKcn1"), 200);
    c.receive(PEER, Transport::Udp, ok.to_bytes());
    c.run_until(2_000);
    c.receive(PEER, Transport::Udp, ok.to_bytes());
    c.run_until(40_000);
    expect![[r#"
        0 send OPTIONS to 192.0.2.10:5070 UDP
        500 send OPTIONS to 192.0.2.10:5070 UDP
        1000 response 200
        6000 terminated
    "#]]
    .assert_eq(&c.trace());
}

#[test]
fn over_tcp_nothing_is_resent_and_k_is_zero() {
    let mut c = client(Transport::Tcp);
    c.run_until(10_000);
    c.receive(
        PEER,
        Transport::Tcp,
        reply(&req("OPTIONS", "z9hG4bKcn1"), 200).to_bytes(),
    );
    c.run_until(10_000);
    assert_eq!(c.times("send OPTIONS"), [0]);
    assert_eq!(c.times("terminated"), [10_000]);
    let mut c = client(Transport::Tcp);
    c.run_until(40_000);
    assert_eq!(c.times("timeout F"), [32_000]);
}

#[test]
fn requests_need_an_rfc_3261_branch_and_a_fresh_one() {
    let mut c = client(Transport::Udp);
    let again = c.layer.handle_input(
        c.now,
        Input::SendRequest {
            dest: addr(PEER),
            transport: Transport::Udp,
            request: req("OPTIONS", "z9hG4bKcn1"),
        },
    );
    assert!(matches!(again, Err(TxError::Exists(_))));
    let old = c.layer.handle_input(
        c.now,
        Input::SendRequest {
            dest: addr(PEER),
            transport: Transport::Udp,
            request: req("OPTIONS", "1234"),
        },
    );
    assert_eq!(old, Err(TxError::NoBranch));
}

fn server(transport: Transport) -> (Clock, hotline_sip::TxKey, hotline_sip::Request) {
    let mut c = Clock::new(TransactionLayer::default());
    c.receive(PEER, transport, req("BYE", "z9hG4bKsn1").to_bytes());
    let Some(Event::Request { key, request, .. }) = c.events.first().cloned() else {
        panic!()
    };
    (c, key, request)
}

#[test]
fn server_absorbs_in_trying_answers_again_later_and_ends_with_timer_j() {
    let (mut c, key, bye) = server(Transport::Udp);
    c.run_until(300);
    c.receive(PEER, Transport::Udp, req("BYE", "z9hG4bKsn1").to_bytes());
    c.input(Input::SendResponse {
        key: key.clone(),
        response: reply(&bye, 200),
    });
    c.run_until(1_000);
    c.receive(PEER, Transport::Udp, req("BYE", "z9hG4bKsn1").to_bytes());
    c.run_until(60_000);
    expect![[r#"
        0 request BYE
        300 send 200 to 192.0.2.10:5070 UDP
        1000 send 200 to 192.0.2.10:5070 UDP
        32300 terminated
    "#]]
    .assert_eq(&c.trace());
}

#[test]
fn server_provisional_then_final_and_zero_j_over_tcp() {
    let (mut c, key, bye) = server(Transport::Tcp);
    c.input(Input::SendResponse {
        key: key.clone(),
        response: reply(&bye, 100),
    });
    c.receive(PEER, Transport::Tcp, req("BYE", "z9hG4bKsn1").to_bytes());
    c.input(Input::SendResponse {
        key: key.clone(),
        response: reply(&bye, 200),
    });
    c.run_until(0);
    assert_eq!(
        c.log,
        [
            "0 request BYE",
            "0 send 100 to 192.0.2.10:5070 TCP",
            "0 send 100 to 192.0.2.10:5070 TCP",
            "0 send 200 to 192.0.2.10:5070 TCP",
            "0 terminated"
        ]
    );
}
