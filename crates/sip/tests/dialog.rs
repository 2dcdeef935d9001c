//! Dialogs on both sides of a call leg: in-dialog requests (ACK for 2xx,
//! BYE, re-INVITE), route sets (loose and strict), matching, CSeq order.

mod common;

use common::{request, response};
use expect_test::expect;
use hotline_sip::dialog::{Dialog, DialogError, DialogId};
use hotline_sip::{Method, Request, Via};

const INVITE: &str = "INVITE sip:1000@10.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 10.0.0.2:5080;branch=z9hG4bK1
Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>
To: <sip:1000@10.0.0.1>
From: \"Caller\" <sip:13800138000@10.0.0.2>;tag=caller
Call-ID: d-1
CSeq: 7 INVITE
Contact: <sip:13800138000@10.0.0.2:5080>
Content-Length: 0

";

fn text(r: &Request) -> String {
    String::from_utf8(r.to_bytes())
        .unwrap()
        .replace("\r\n", "\n")
}

fn via(branch: &str) -> Via {
    Via::new("UDP", "10.0.0.1", Some(5060), branch)
}

#[test]
fn uas_builds_bye_and_recognises_the_callers_requests() {
    let invite = request(INVITE);
    let ok = invite
        .response(200)
        .with_to_tag("srv")
        .with_header("Contact", "<sip:1000@10.0.0.1:5060>");
    let mut d = Dialog::uas(&invite, &ok).unwrap();
    assert_eq!(
        d.id,
        DialogId {
            call_id: "d-1".into(),
            local_tag: "srv".into(),
            remote_tag: "caller".into()
        }
    );
    let bye = d.request(Method::Bye, &via("z9hG4bKbye"));
    expect![[r#"
        BYE sip:13800138000@10.0.0.2:5080 SIP/2.0
        Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKbye;rport
        Max-Forwards: 70
        From: <sip:1000@10.0.0.1>;tag=srv
        To: "Caller" <sip:13800138000@10.0.0.2>;tag=caller
        Call-ID: d-1
        CSeq: 1 BYE
        Route: <sip:p1.example.com;lr>
        Route: <sip:p2.example.com;lr>
        Content-Length: 0

    "#]]
    .assert_eq(&text(&bye));
    assert_eq!(d.next_hop(), "sip:p1.example.com;lr");
    // The caller's BYE is in the dialog; another call's is not.
    let theirs = request(
        &INVITE
            .replace("INVITE sip", "BYE sip")
            .replace("7 INVITE", "8 BYE")
            .replace("To: <sip:1000@10.0.0.1>", "To: <sip:1000@10.0.0.1>;tag=srv"),
    );
    assert!(d.matches(&theirs));
    assert_eq!(DialogId::of_request(&theirs), Some(d.id.clone()));
    assert_eq!(d.check_remote_cseq(&theirs), Ok(()));
    assert!(!d.matches(&request(&INVITE.replace("d-1", "d-2"))));
    // An older CSeq is out of order (500).
    let old = request(&INVITE.replace("7 INVITE", "3 INVITE"));
    assert_eq!(
        d.check_remote_cseq(&old),
        Err(DialogError::OutOfOrder { got: 3, last: 8 })
    );
}

#[test]
fn uac_acks_with_the_invite_cseq_reinvites_with_the_next_and_reverses_the_route() {
    let invite = request(INVITE);
    let ok = response(
        "SIP/2.0 200 OK
Via: SIP/2.0/UDP 10.0.0.2:5080;branch=z9hG4bK1
Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>
To: <sip:1000@10.0.0.1>;tag=agent
From: \"Caller\" <sip:13800138000@10.0.0.2>;tag=caller
Call-ID: d-1
CSeq: 7 INVITE
Contact: <sip:8001@10.0.0.9:5062>
Content-Length: 0

",
    );
    let mut d = Dialog::uac(&invite, &ok).unwrap();
    assert_eq!(DialogId::of_response(&ok), Some(d.id.clone()));
    let ack = d.ack(7, &via("z9hG4bKack"));
    assert_eq!(ack.headers.cseq().unwrap().to_string(), "7 ACK");
    assert_eq!(
        ack.headers.values("Route"),
        ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"]
    );
    assert_eq!(ack.uri, "sip:8001@10.0.0.9:5062");
    let reinvite = d.request(Method::Invite, &via("z9hG4bKre"));
    assert_eq!(reinvite.headers.cseq().unwrap().to_string(), "8 INVITE");
    assert_eq!(
        reinvite.headers.get("Contact"),
        Some("<sip:13800138000@10.0.0.2:5080>"),
        "target refresh carries our Contact"
    );
    let bye = d.request(Method::Bye, &via("z9hG4bKb2"));
    assert_eq!(bye.headers.cseq().unwrap().to_string(), "9 BYE");
    assert_eq!(bye.headers.get("Contact"), None);
    // A re-INVITE from the agent moves the target.
    let moved = request(&INVITE.replace(
        "<sip:13800138000@10.0.0.2:5080>",
        "<sip:8001@10.0.0.99:5062>",
    ));
    d.refresh_target(&moved.headers);
    assert_eq!(d.remote_target, "sip:8001@10.0.0.99:5062");
    // No tag in the answer: no dialog.
    let untagged =
        response(&INVITE.replace("INVITE sip:1000@10.0.0.1 SIP/2.0", "SIP/2.0 180 Ringing"));
    assert_eq!(
        Dialog::uac(&invite, &untagged),
        Err(DialogError::Missing("To tag"))
    );
}

#[test]
fn a_strict_router_takes_the_request_uri() {
    let invite = request(&INVITE.replace(
        "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>",
        "<sip:strict.example.com>, <sip:p2.example.com;lr>",
    ));
    let ok = invite.response(200).with_to_tag("srv");
    let mut d = Dialog::uas(&invite, &ok).unwrap();
    let bye = d.request(Method::Bye, &via("z9hG4bKs"));
    assert_eq!(bye.uri, "sip:strict.example.com");
    assert_eq!(
        bye.headers.values("Route"),
        ["<sip:p2.example.com;lr>", "<sip:13800138000@10.0.0.2:5080>"]
    );
    assert_eq!(d.next_hop(), "sip:strict.example.com");
}

#[test]
fn cancel_copies_what_rfc_3261_says() {
    let invite = request(INVITE).with_header("Route", "<sip:p1.example.com;lr>");
    let cancel = invite.cancel();
    expect![[r#"
        CANCEL sip:1000@10.0.0.1 SIP/2.0
        Via: SIP/2.0/UDP 10.0.0.2:5080;branch=z9hG4bK1
        Max-Forwards: 70
        From: "Caller" <sip:13800138000@10.0.0.2>;tag=caller
        To: <sip:1000@10.0.0.1>
        Call-ID: d-1
        CSeq: 7 CANCEL
        Route: <sip:p1.example.com;lr>
        Content-Length: 0

    "#]]
    .assert_eq(&text(&cancel));
}
