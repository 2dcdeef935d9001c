//! INVITE client transactions on a virtual clock: timers A, B, D and M,
//! the ACK for non-2xx finals, and RFC 6026's Accepted state.

mod common;

use common::{addr, reply, req, Clock};
use expect_test::expect;
use hotline_sip::transaction::{Event, Input, TransactionLayer, Transport};
use hotline_sip::{Message, Request};

const PEER: &str = "192.0.2.10:5070";

fn start(transport: Transport) -> (Clock, Request) {
    let mut c = Clock::new(TransactionLayer::default());
    let invite = req("INVITE", "z9hG4bKci1");
    c.input(Input::SendRequest {
        dest: addr(PEER),
        transport,
        request: invite.clone(),
    });
    (c, invite)
}

#[test]
fn timer_a_doubles_until_timer_b_gives_up() {
    let (mut c, _) = start(Transport::Udp);
    c.run_until(40_000);
    expect![[r#"
        0 send INVITE to 192.0.2.10:5070 UDP
        500 send INVITE to 192.0.2.10:5070 UDP
        1500 send INVITE to 192.0.2.10:5070 UDP
        3500 send INVITE to 192.0.2.10:5070 UDP
        7500 send INVITE to 192.0.2.10:5070 UDP
        15500 send INVITE to 192.0.2.10:5070 UDP
        31500 send INVITE to 192.0.2.10:5070 UDP
        32000 timeout B
        32000 terminated
    "#]]
    .assert_eq(&c.trace());
    assert!(c.layer.is_empty());
}

#[test]
fn reliable_transports_do_not_retransmit_but_still_time_out() {
    let (mut c, _) = start(Transport::Tcp);
    c.run_until(40_000);
    assert_eq!(c.times("send INVITE"), [0]);
    assert_eq!(c.times("timeout B"), [32_000]);
}

#[test]
fn a_provisional_stops_a_and_b() {
    let (mut c, invite) = start(Transport::Udp);
    c.run_until(1_000);
    c.receive(PEER, Transport::Udp, reply(&invite, 180).to_bytes());
    assert_eq!(c.layer.poll_timeout(), None, "no timer runs in Proceeding");
    c.run_until(100_000);
    assert_eq!(c.times("send INVITE"), [0, 500]);
    assert_eq!(c.times("response 180"), [1_000]);
    assert!(c.times("timeout").is_empty());
}

#[test]
fn busy_is_acked_once_per_copy_and_absorbed_until_timer_d() {
    let (mut c, invite) = start(Transport::Udp);
    c.run_until(1_000);
    let busy = reply(&invite, 486);
    c.receive(PEER, Transport::Udp, busy.to_bytes());
    c.run_until(2_000);
    c.receive(PEER, Transport::Udp, busy.to_bytes());
    c.run_until(60_000);
    expect![[r#"
        0 send INVITE to 192.0.2.10:5070 UDP
        500 send INVITE to 192.0.2.10:5070 UDP
        1000 send ACK to 192.0.2.10:5070 UDP
        1000 response 486
        2000 send ACK to 192.0.2.10:5070 UDP
        33000 terminated
    "#]]
    .assert_eq(&c.trace());
}

#[test]
fn the_ack_for_a_failure_reuses_the_branch_and_takes_the_to_tag() {
    let mut c = Clock::new(TransactionLayer::default());
    let invite = req("INVITE", "z9hG4bKci2").with_header("Route", "<sip:proxy.example.com;lr>");
    c.input(Input::SendRequest {
        dest: addr(PEER),
        transport: Transport::Udp,
        request: invite.clone(),
    });
    let mut acks = Vec::new();
    c.layer
        .handle_input(
            c.now,
            Input::Receive {
                from: addr(PEER),
                transport: Transport::Udp,
                bytes: reply(&invite, 603).to_bytes(),
            },
        )
        .unwrap();
    while let Some(o) = c.layer.poll_output() {
        if let hotline_sip::Output::Transmit(t) = o {
            acks.push(Message::parse(&t.bytes).unwrap());
        }
    }
    let ack = Request::parse(&acks[0].to_bytes()).unwrap();
    expect![[r#"
        ACK sip:8001@192.0.2.20 SIP/2.0
        Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKci2
        Max-Forwards: 70
        From: <sip:1000@192.0.2.10>;tag=uac1
        To: <sip:8001@192.0.2.20>;tag=uas1
        Call-ID: tx-test-1
        CSeq: 1 ACK
        Route: <sip:proxy.example.com;lr>
        Content-Length: 0

    "#]]
    .assert_eq(
        &String::from_utf8(ack.to_bytes())
            .unwrap()
            .replace("\r\n", "\n"),
    );
}

#[test]
fn over_tcp_timer_d_is_zero() {
    let (mut c, invite) = start(Transport::Tcp);
    c.receive(PEER, Transport::Tcp, reply(&invite, 486).to_bytes());
    c.run_until(0);
    assert_eq!(c.times("terminated"), [0]);
}

#[test]
fn every_2xx_reaches_the_tu_until_timer_m() {
    let (mut c, invite) = start(Transport::Udp);
    let ok = reply(&invite, 200);
    c.receive(PEER, Transport::Udp, ok.to_bytes());
    c.run_until(4_000);
    c.receive(PEER, Transport::Udp, ok.to_bytes());
    c.run_until(100_000);
    assert_eq!(c.times("response 200"), [0, 4_000]);
    assert_eq!(
        c.times("send"),
        [0],
        "the TU ACKs a 2xx, not the transaction"
    );
    assert_eq!(c.times("terminated"), [32_000]);
    // After Timer M, a late 2xx is a stray for the TU (which ACKs and BYEs).
    c.receive(PEER, Transport::Udp, ok.to_bytes());
    assert!(matches!(c.events.last(), Some(Event::StrayResponse { .. })));
}

#[test]
fn acks_for_2xx_go_out_without_a_transaction() {
    let mut c = Clock::new(TransactionLayer::default());
    c.input(Input::SendRequest {
        dest: addr(PEER),
        transport: Transport::Udp,
        request: req("ACK", "z9hG4bKack"),
    });
    assert_eq!(c.log, ["0 send ACK to 192.0.2.10:5070 UDP"]);
    assert!(c.layer.is_empty());
}

#[test]
fn a_transport_error_ends_the_transaction() {
    let (mut c, invite) = start(Transport::Tcp);
    let key = hotline_sip::TxKey::client(&invite).unwrap();
    c.input(Input::TransportError { key: key.clone() });
    assert!(
        matches!(c.events.as_slice(), [Event::TransportError { key: k }, Event::Terminated { .. }] if *k == key)
    );
    assert!(c.layer.is_empty());
}
