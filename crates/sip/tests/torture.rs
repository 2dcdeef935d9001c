//! Messages in the spirit of RFC 4475 (SIP torture tests): unusual but valid
//! ones must parse; invalid ones must be refused with the right reason, never
//! a panic. Plus: arbitrary bytes never panic, and what we print we parse.

use hotline_sip::*;
use proptest::prelude::*;

fn msg(lines: &[&str], body: &str) -> Vec<u8> {
    let mut s = lines.join("\r\n");
    s.push_str("\r\n\r\n");
    s.push_str(body);
    s.into_bytes()
}

const BASE: &[&str] = &[
    "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK776asdhds;rport",
    "Max-Forwards: 70",
    "To: <sip:1000@127.0.0.1>",
    "From: \"Alice\" <sip:8001@127.0.0.1>;tag=1928301774",
    "Call-ID: a84b4c76e66710@pc33",
    "CSeq: 314159 INVITE",
    "Contact: <sip:8001@127.0.0.1:5080>",
];

fn invite(extra: &[&str], body: &str) -> Vec<u8> {
    let mut lines = vec!["INVITE sip:1000@127.0.0.1 SIP/2.0"];
    lines.extend_from_slice(BASE);
    lines.extend_from_slice(extra);
    msg(&lines, body)
}

fn err(bytes: &[u8]) -> String {
    Message::parse(bytes).expect_err("must be refused").to_string()
}

#[test]
fn a_plain_invite_with_a_body() {
    let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n";
    let m = Message::parse(&invite(&["Content-Type: application/sdp", &format!("Content-Length: {}", sdp.len())], sdp)).unwrap();
    assert_eq!(m.method(), Some(&Method::Invite));
    assert_eq!(m.cseq(), Some((314159, Method::Invite)));
    assert_eq!(m.call_id(), Some("a84b4c76e66710@pc33"));
    assert_eq!(m.via()[0].branch(), Some("z9hG4bK776asdhds"));
    assert_eq!(m.from().unwrap().tag(), Some("1928301774"));
    assert_eq!(m.contacts()[0].as_ref().unwrap().user(), Some("8001"));
    assert_eq!(m.body, sdp.as_bytes());
}

/// 3.1.1.1 (wsinv): folding, compact names, odd spacing and case.
#[test]
fn whitespace_folding_and_compact_forms() {
    let m = Message::parse(&msg(
        &[
            "INVITE sip:1000@127.0.0.1 SIP/2.0",
            "v:  SIP/2.0/UDP 127.0.0.1:5080",
            "   ;branch=z9hG4bKkdjuw",
            "TO :",
            " <sip:1000@127.0.0.1>",
            "f: \"Alice\" <sip:8001@127.0.0.1>;tag=1",
            "i: wsinv.1@example",
            "cseq:   8   INVITE",
            "max-forwards: 68",
            "l: 0",
            "X-Unknown-Header: keeps; its = value",
        ],
        "",
    ))
    .unwrap();
    assert_eq!(m.via()[0].branch(), Some("z9hG4bKkdjuw"));
    assert_eq!(m.to().unwrap().uri, "sip:1000@127.0.0.1");
    assert_eq!(m.cseq(), Some((8, Method::Invite)));
    assert_eq!(m.header("x-unknown-header"), Some("keeps; its = value"));
}

/// 3.1.1.4 (intmeth): an extension method made of token characters.
#[test]
fn extension_methods_are_kept() {
    let m = Message::parse(&msg(
        &[
            "!interesting-Method0123456789_*+`.%indeed'~ sip:1000@127.0.0.1 SIP/2.0",
            "Via: SIP/2.0/TCP h;branch=z9hG4bK1",
            "To: <sip:1000@127.0.0.1>",
            "From: <sip:a@b>;tag=2",
            "Call-ID: intmeth",
            "CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~",
            "Content-Length: 0",
        ],
        "",
    ))
    .unwrap();
    assert!(matches!(m.method(), Some(Method::Other(s)) if s.starts_with("!interesting")));
}

/// Several Via and Contact values in one header and across headers.
#[test]
fn list_headers_split_on_commas_outside_quotes() {
    let m = Message::parse(&msg(
        &[
            "REGISTER sip:127.0.0.1 SIP/2.0",
            "Via: SIP/2.0/UDP a:5060;branch=z9hG4bKa, SIP/2.0/UDP b;branch=z9hG4bKb",
            "Via: SIP/2.0/TCP c;branch=z9hG4bKc",
            "To: <sip:8001@127.0.0.1>",
            "From: <sip:8001@127.0.0.1>;tag=r",
            "Call-ID: reg1",
            "CSeq: 1 REGISTER",
            "Contact: \"Desk, left\" <sip:8001@10.0.0.1>;expires=60, <sip:8001@10.0.0.2>",
            "Expires: 3600",
            "Content-Length: 0",
        ],
        "",
    ))
    .unwrap();
    let hosts: Vec<String> = m.via().into_iter().map(|v| v.host).collect();
    assert_eq!(hosts, ["a", "b", "c"]);
    let c = m.contacts();
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].as_ref().unwrap().display.as_deref(), Some("Desk, left"));
    assert_eq!(c[0].as_ref().unwrap().param("expires"), Some("60"));
}

#[test]
fn responses_parse_with_odd_or_empty_reasons() {
    let lines = |start: &'static str| {
        let mut l = vec![start];
        l.extend_from_slice(BASE);
        l.push("Content-Length: 0");
        l
    };
    let m = Message::parse(&msg(&lines("SIP/2.0 200 = 2**3 * 5**2 но сто девяносто девять - простое"), "")).unwrap();
    assert_eq!(m.status(), Some(200));
    let m = Message::parse(&msg(&lines("SIP/2.0 100 "), "")).unwrap();
    assert_eq!(m.status(), Some(100));
    assert_eq!(err(&msg(&lines("SIP/2.0 2000 Nope"), "")), "Bad Status Code");
    assert_eq!(err(&msg(&lines("SIP/7.0 200 OK"), "")), "Unsupported SIP Version");
}

/// 3.1.2.x: each invalid message gets its reason.
#[test]
fn invalid_messages_get_a_reason() {
    // clerr: Content-Length larger than the body.
    assert_eq!(err(&invite(&["Content-Length: 9999"], "short")), "Body Length Mismatch");
    // scalar02: out-of-range numbers.
    assert_eq!(err(&invite(&["Max-Forwards: 300", "Content-Length: 0"], "")), "Duplicate Max-Forwards");
    let big = |h: &'static str| {
        let mut lines = vec!["INVITE sip:1000@127.0.0.1 SIP/2.0"];
        lines.extend(BASE.iter().filter(|l| !l.starts_with(h.split(':').next().unwrap())));
        lines.push(h);
        msg(&lines, "")
    };
    assert_eq!(err(&big("Max-Forwards: 300")), "Invalid Max-Forwards");
    assert_eq!(err(&big("CSeq: 36893488147419103232 INVITE")), "Invalid CSeq");
    assert_eq!(err(&invite(&["Expires: 1073741824000"], "")), "Invalid Expires");
    // mismatch01: CSeq method differs from the request method.
    assert_eq!(err(&big("CSeq: 1 OPTIONS")), "CSeq Method Mismatch");
    // Missing mandatory headers.
    for (name, reason) in [("Call-ID", "Missing Call-ID"), ("CSeq", "Missing CSeq"), ("Via", "Missing Via"), ("From", "Missing From"), ("To", "Missing To")] {
        let mut lines = vec!["INVITE sip:1000@127.0.0.1 SIP/2.0"];
        lines.extend(BASE.iter().filter(|l| !l.starts_with(&format!("{name}:"))));
        assert_eq!(err(&msg(&lines, "")), reason, "{name}");
    }
    // quotbal: an unterminated quoted display name.
    assert_eq!(err(&big("From: \"Alice <sip:8001@127.0.0.1>;tag=1")), "Invalid From");
    // Request line: spaces in the URI, a URI without a scheme, a bad version, a bad method.
    let start = |l: &'static str| {
        let mut lines = vec![l];
        lines.extend_from_slice(BASE);
        msg(&lines, "")
    };
    assert_eq!(err(&start("INVITE sip:1000 @127.0.0.1 SIP/2.0")), "Bad Start Line");
    assert_eq!(err(&start("INVITE 1000 SIP/2.0")), "Bad Request-URI");
    assert_eq!(err(&start("INVITE <sip:1000@h> SIP/2.0")), "Bad Request-URI");
    assert_eq!(err(&start("INVITE sip:1000@h SIP/7.0")), "Unsupported SIP Version");
    assert_eq!(err(&start("INV(TE sip:1000@h SIP/2.0")), "Bad Method");
    // A header line with no colon; a continuation before any header.
    assert_eq!(err(&invite(&["Garbage without colon"], "")), "Malformed Header Line");
    assert_eq!(err(&msg(&["OPTIONS sip:h SIP/2.0", " folded-first: x"], "")), "Malformed Header Line");
    // No end of headers; nothing at all; not UTF-8.
    assert_eq!(err(b"OPTIONS sip:h SIP/2.0\r\nVia: x\r\n"), "Missing Header Terminator");
    assert_eq!(err(b"\r\n\r\n"), "Empty Message");
    assert_eq!(err(b"OPTIONS sip:h SIP/2.0\r\nTo: \xff\r\n\r\n"), "Not UTF-8 Headers");
    // Two different Content-Lengths.
    assert_eq!(err(&invite(&["Content-Length: 0", "l: 1"], "x")), "Duplicate Content-Length");
}

#[test]
fn extra_datagram_bytes_after_the_body_are_ignored() {
    let m = Message::parse(&invite(&["Content-Length: 3"], "abcEXTRA")).unwrap();
    assert_eq!(m.body, b"abc");
}

#[test]
fn responses_are_built_from_requests() {
    let req = Message::parse(&invite(&["Content-Length: 0"], "")).unwrap();
    let resp = req.response(180, "Ringing", Some("srv1"));
    let back = Message::parse(&resp.to_bytes()).unwrap();
    assert_eq!(back.status(), Some(180));
    assert_eq!(back.to().unwrap().tag(), Some("srv1"));
    assert_eq!(back.call_id(), req.call_id());
    assert_eq!(back.via(), req.via());
    assert_eq!(back.header("Contact"), None, "a response carries only what it should");
    // A To that already has a tag keeps it.
    let again = back.response(200, "OK", Some("other"));
    assert_eq!(Message::parse(&again.to_bytes()).unwrap().to().unwrap().tag(), Some("srv1"));
}

proptest! {
    /// No input crashes the parser or the framer.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = Message::parse(&bytes);
        let _ = frame(&bytes);
    }

    /// Mutations of a valid message never panic either (closer to real damage).
    #[test]
    fn damaged_messages_never_panic(at in 0usize..400, byte in any::<u8>(), cut in 0usize..400) {
        let mut m = invite(&["Content-Type: application/sdp", "Content-Length: 5"], "v=0\r\n");
        let i = at % m.len();
        m[i] = byte;
        m.truncate(m.len() - cut % m.len());
        let _ = Message::parse(&m);
        let _ = frame(&m);
    }

    /// What we print we parse back to the same message.
    #[test]
    fn printing_round_trips(cseq in 0u32..(1 << 31), tag in "[a-z0-9]{1,12}", body in "[ -~]{0,40}") {
        let seq = format!("CSeq: {cseq} INVITE");
        let from = format!("From: <sip:8001@h>;tag={tag}");
        let mut lines = vec!["INVITE sip:1000@h SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bKx", "To: <sip:1000@h>", "Call-ID: c1"];
        lines.push(&seq);
        lines.push(&from);
        let m = Message::parse(&msg(&lines, &body)).unwrap();
        let again = Message::parse(&m.to_bytes()).unwrap();
        prop_assert_eq!(&again.body, &m.body);
        prop_assert_eq!(again.cseq(), m.cseq());
        prop_assert_eq!(again.from(), m.from());
        prop_assert_eq!(frame(&m.to_bytes()), Frame::Complete(m.to_bytes().len()));
    }
}

#[test]
fn a_broken_request_gets_a_400_with_its_reason() {
    let broken = invite(&["CSeq: 2 INVITE"], "");
    let e = Message::parse(&broken).unwrap_err();
    let reply = bad_request(&broken, &e).unwrap();
    let text = String::from_utf8(reply).unwrap();
    assert!(text.starts_with("SIP/2.0 400 Duplicate CSeq\r\n"), "{text}");
    assert!(text.contains("Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK776asdhds;rport\r\n"));
    assert!(text.contains("Call-ID: a84b4c76e66710@pc33\r\n"));
    assert_eq!(bad_request(b"SIP/2.0 200 OK\r\n\r\n", &e), None, "responses are not answered");
    assert_eq!(bad_request(b"INVITE sip:a@b SIP/2.0\r\nTo: x\r\n\r\n", &e), None, "no Via: nowhere to answer");
}
