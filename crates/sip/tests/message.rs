//! Messages: responses built from requests, printing, header editing,
//! error codes; TCP framing.

mod common;

use common::{request, torture};
use expect_test::expect;
use hotline_sip::{
    frame, next_frame, reason_phrase, Frame, Framed, FramingError, Message, ParseError, Request,
    Response, MAX_MESSAGE,
};

const INVITE: &str = "INVITE sip:1000@10.0.0.1 SIP/2.0
v: SIP/2.0/UDP 10.0.0.2:5080;branch=z9hG4bK1;rport, SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK0
Record-Route: <sip:p1.example.com;lr>
t: <sip:1000@10.0.0.1>
f: \"张伟\" <sip:8001@10.0.0.2>;tag=caller
i: m-1
CSeq: 7 INVITE
Contact: <sip:8001@10.0.0.2:5080>;expires=60, <sip:8001@10.0.0.3>
Max-Forwards: 70
Timestamp: 54
Content-Type: application/sdp
l: 5

v=0
";

#[test]
fn responses_copy_what_rfc_3261_says_and_print_canonically() {
    let invite = request(INVITE);
    let ringing = invite.response(180).with_to_tag("t1");
    expect![[r#"
        SIP/2.0 180 Ringing
        Via: SIP/2.0/UDP 10.0.0.2:5080;branch=z9hG4bK1;rport, SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK0
        From: "张伟" <sip:8001@10.0.0.2>;tag=caller
        To: <sip:1000@10.0.0.1>;tag=t1
        Call-ID: m-1
        CSeq: 7 INVITE
        Record-Route: <sip:p1.example.com;lr>
        Content-Length: 0

    "#]]
    .assert_eq(
        &String::from_utf8(ringing.to_bytes())
            .unwrap()
            .replace("\r\n", "\n"),
    );
    // A To that has a tag keeps it; failures do not copy Record-Route.
    let busy = Response::parse(&ringing.to_bytes())
        .unwrap()
        .with_to_tag("other");
    assert_eq!(busy.to_tag().as_deref(), Some("t1"));
    assert_eq!(invite.response(486).headers.get("Record-Route"), None);
    assert_eq!(
        (
            invite.response(486).reason.as_str(),
            reason_phrase(499),
            reason_phrase(799)
        ),
        ("Busy Here", "Client Error", "Global Failure")
    );
    let ok = invite
        .response(200)
        .with_to_tag("t1")
        .with_body("application/sdp", b"v=0\r\n".to_vec());
    assert!(ok.is_success() && ok.is_final() && !ok.is_provisional());
    assert!(String::from_utf8(ok.to_bytes())
        .unwrap()
        .ends_with("Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n"));
}

#[test]
fn typed_values_and_header_editing() {
    let mut r = request(INVITE);
    let h = &r.headers;
    assert_eq!(h.call_id(), Some("m-1"));
    assert_eq!(h.from().unwrap().display.as_deref(), Some("张伟"));
    assert_eq!(h.contacts().len(), 2);
    assert_eq!(h.contacts()[0].params.get("expires").as_deref(), Some("60"));
    assert_eq!(h.top_via().unwrap().rport(), Some(None));
    assert_eq!(
        h.get("Content-Length"),
        None,
        "the body's length is the truth"
    );
    assert_eq!(r.body, b"v=0\r\n");
    r.headers.push("X-Hotline", "1");
    r.headers.set("Max-Forwards", "69");
    assert_eq!(r.headers.remove("Timestamp"), 1);
    let again = Request::parse(&r.to_bytes()).unwrap();
    assert_eq!(again, r);
    assert_eq!(again.headers.max_forwards(), Some(69));
    // A value with CR LF cannot smuggle a header in.
    r.headers.set("Subject", "hi\r\nVia: SIP/2.0/UDP evil");
    let printed = Request::parse(&r.to_bytes()).unwrap();
    assert_eq!(printed.headers.vias().len(), 2);
    assert_eq!(
        printed.headers.get("Subject"),
        Some("hi  Via: SIP/2.0/UDP evil")
    );
}

#[test]
fn errors_map_to_status_codes_and_kinds_are_checked() {
    assert_eq!(
        ParseError::Missing("Call-ID").to_string(),
        "Missing Call-ID"
    );
    assert_eq!(ParseError::Invalid("CSeq").to_string(), "Invalid CSeq");
    assert_eq!(
        (
            ParseError::Version.status(),
            ParseError::TooLarge.status(),
            ParseError::Empty.status()
        ),
        (505, 513, 400)
    );
    let ok = request(INVITE).response(200).to_bytes();
    assert_eq!(Request::parse(&ok), Err(ParseError::RequestLine));
    assert_eq!(
        Response::parse(&request(INVITE).to_bytes()),
        Err(ParseError::StatusLine)
    );
    assert_eq!(Message::parse(b"\r\n\r\n"), Err(ParseError::Empty));
    assert_eq!(
        Message::parse(b"OPTIONS sip:h SIP/2.0\r\nVia: x\r\n"),
        Err(ParseError::Incomplete)
    );
    assert_eq!(
        Message::parse(b"OPTIONS sip:h SIP/2.0\r\nTo: \xff\r\n\r\n"),
        Err(ParseError::NotUtf8)
    );
    assert_eq!(
        Message::parse(b"OPTIONS sip:h SIP/2.0\r\n folded: first\r\n\r\n"),
        Err(ParseError::HeaderLine)
    );
    assert_eq!(
        Message::parse(b"OPTIONS sip:h SIP/2.0\r\nno colon\r\n\r\n"),
        Err(ParseError::HeaderLine)
    );
    assert_eq!(
        Message::parse(b"INV(TE sip:h SIP/2.0\r\n\r\n"),
        Err(ParseError::Method)
    );
    assert_eq!(
        Message::parse(&vec![b'a'; MAX_MESSAGE + 1]),
        Err(ParseError::TooLarge)
    );
    let no_call_id = INVITE.replace("i: m-1\n", "");
    assert_eq!(
        Message::parse(no_call_id.replace('\n', "\r\n").as_bytes()),
        Err(ParseError::Missing("Call-ID"))
    );
}

#[test]
fn framing_splits_a_stream() {
    let m = request(INVITE).to_bytes();
    let mut stream = b"\r\n".to_vec();
    stream.extend_from_slice(&m);
    stream.extend_from_slice(&m);
    assert_eq!(
        next_frame(&stream),
        Framed::Message {
            skip: 2,
            len: m.len()
        }
    );
    assert_eq!(frame(&stream), Frame::Complete(2 + m.len()));
    for cut in [0, 1, 2, 10, m.len() - 1] {
        let partial = &m[..cut];
        assert!(matches!(next_frame(partial), Framed::NeedMore), "{cut}");
    }
    assert_eq!(
        next_frame(b"\r\n\r\n"),
        Framed::KeepAlive { len: 4, pong: true }
    );
    assert_eq!(
        next_frame(b"\r\n\r\nOPTIONS"),
        Framed::KeepAlive { len: 4, pong: true }
    );
    assert_eq!(next_frame(b"\r\n"), Framed::NeedMore);
    assert_eq!(
        next_frame(b"GARBAGE\r\n\r\n"),
        Framed::Close(FramingError::NotSip)
    );
    assert_eq!(frame(b"GARBAGE\r\n"), Frame::Invalid);
    assert_eq!(
        next_frame(b"OPTIONS sip:h SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nxx"),
        Framed::Close(FramingError::ContentLength)
    );
    assert_eq!(
        next_frame(b"OPTIONS sip:h SIP/2.0\r\nContent-Length: 99999999\r\n\r\n"),
        Framed::Close(FramingError::TooLarge)
    );
    assert_eq!(
        next_frame(&vec![b'a'; MAX_MESSAGE + 1]),
        Framed::Close(FramingError::TooLarge)
    );
    // Folded and compact Content-Length, and none at all (no body).
    let folded = b"OPTIONS sip:h SIP/2.0\r\nContent-Length:\r\n 2\r\n\r\nhiNEXT";
    assert_eq!(
        next_frame(folded),
        Framed::Message {
            skip: 0,
            len: folded.len() - 4
        }
    );
    let none = b"OPTIONS sip:h SIP/2.0\r\nVia: x\r\n\r\nNEXT";
    assert_eq!(
        next_frame(none),
        Framed::Message {
            skip: 0,
            len: none.len() - 4
        }
    );
    // The torture message with a negative length closes the stream.
    assert_eq!(
        next_frame(&torture("ncl")),
        Framed::Close(FramingError::ContentLength)
    );
}
