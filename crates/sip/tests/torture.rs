//! RFC 4475 torture messages (files in `tests/torture/`, in the RFC's own
//! notation): every one is handled without a panic, as a datagram, as a
//! stream and through the transaction layer, and the reaction is the one
//! the RFC recommends. The table below is the summary; the tests after it
//! look inside the valid messages.

mod common;

use common::{torture, torture_names, Clock};
use expect_test::expect;
use hotline_sip::transaction::{Event, TransactionLayer, Transport};
use hotline_sip::validate::{check_request, UasPolicy};
use hotline_sip::{next_frame, Framed, Message, MessageKind, Method, Request, Response, Time};

/// One line per message: the datagram parse, the stream framing, and what
/// the transaction layer sends or tells (as a UDP server).
fn outcome(name: &str) -> String {
    let bytes = torture(name);
    let parsed = match Message::parse(&bytes) {
        Ok(m) => match m.into_kind() {
            MessageKind::Request(r) => format!("request {}", r.method),
            MessageKind::Response(r) => format!("response {}", r.status),
        },
        Err(e) => format!("error {} {e}", e.status()),
    };
    let framed = match next_frame(&bytes) {
        Framed::Message { skip, len } if skip + len == bytes.len() => "whole".to_owned(),
        Framed::Message { len, .. } => format!("first {len} of {} bytes", bytes.len()),
        Framed::KeepAlive { .. } => "keep-alive".to_owned(),
        Framed::NeedMore => "needs more".to_owned(),
        Framed::Close(e) => format!("close: {e}"),
    };
    let mut clock = Clock::new(TransactionLayer::default());
    clock.receive("192.0.2.99:5060", Transport::Udp, bytes);
    // "0 send 400 to 192.0.2.99:5060 UDP" reads "send 400".
    let layer: Vec<&str> = clock
        .log
        .iter()
        .map(|l| l.split_once(' ').map_or(l.as_str(), |(_, w)| w))
        .map(|w| w.split(" to ").next().unwrap_or(w))
        .collect();
    format!(
        "{name:<11} {parsed:<45} | stream: {framed:<22} | layer: {}",
        layer.join("; ")
    )
}

#[test]
fn every_message_has_its_rfc_reaction() {
    let table: String = torture_names().iter().map(|n| outcome(n) + "\n").collect();
    expect![[r#"
        badaspec    error 400 Invalid To                          | stream: whole                  | layer: send 400; malformed: Invalid To
        badbranch   request OPTIONS                               | stream: whole                  | layer: request OPTIONS
        baddate     request INVITE                                | stream: whole                  | layer: request INVITE
        baddn       error 400 Invalid From                        | stream: whole                  | layer: send 400; malformed: Invalid From
        badinv01    error 400 Invalid Via                         | stream: whole                  | layer: send 400; malformed: Invalid Via
        badvers     error 505 Version Not Supported               | stream: whole                  | layer: send 505; malformed: Version Not Supported
        bcast       response 200                                  | stream: whole                  | layer: stray response 200
        bext01      request OPTIONS                               | stream: whole                  | layer: request OPTIONS
        bigcode     error 400 Invalid Status Code                 | stream: whole                  | layer: malformed: Invalid Status Code
        clerr       error 400 Body Shorter Than Content-Length    | stream: needs more             | layer: send 400; malformed: Body Shorter Than Content-Length
        cparam01    request REGISTER                              | stream: whole                  | layer: request REGISTER
        cparam02    request REGISTER                              | stream: whole                  | layer: request REGISTER
        dblreq      request REGISTER                              | stream: first 300 of 743 bytes | layer: request REGISTER
        esc01       request INVITE                                | stream: whole                  | layer: request INVITE
        esc02       request RE%47IST%45R                          | stream: whole                  | layer: request RE%47IST%45R
        escnull     request REGISTER                              | stream: whole                  | layer: request REGISTER
        escruri     error 400 Invalid Request-URI                 | stream: whole                  | layer: send 400; malformed: Invalid Request-URI
        insuf       error 400 Missing From                        | stream: whole                  | layer: send 400; malformed: Missing From
        intmeth     request !interesting-Method0123456789_*+`.%indeed'~ | stream: whole                  | layer: request !interesting-Method0123456789_*+`.%indeed'~
        inv2543     request INVITE                                | stream: first 340 of 490 bytes | layer: request INVITE
        invut       request INVITE                                | stream: whole                  | layer: request INVITE
        longreq     request INVITE                                | stream: whole                  | layer: request INVITE
        ltgtruri    error 400 Invalid Request-URI                 | stream: whole                  | layer: send 400; malformed: Invalid Request-URI
        lwsdisp     request OPTIONS                               | stream: whole                  | layer: request OPTIONS
        lwsruri     error 400 Malformed Request-Line              | stream: whole                  | layer: send 400; malformed: Malformed Request-Line
        lwsstart    error 400 Malformed Request-Line              | stream: whole                  | layer: send 400; malformed: Malformed Request-Line
        mcl01       error 400 Duplicate Content-Length            | stream: close: Invalid Content-Length | layer: send 400; malformed: Duplicate Content-Length
        mismatch01  error 400 CSeq Method Mismatch                | stream: whole                  | layer: send 400; malformed: CSeq Method Mismatch
        mismatch02  error 400 CSeq Method Mismatch                | stream: whole                  | layer: send 400; malformed: CSeq Method Mismatch
        mpart01     request MESSAGE                               | stream: whole                  | layer: request MESSAGE
        multi01     error 400 Duplicate From                      | stream: whole                  | layer: send 400; malformed: Duplicate From
        ncl         error 400 Invalid Content-Length              | stream: close: Invalid Content-Length | layer: send 400; malformed: Invalid Content-Length
        noreason    response 100                                  | stream: whole                  | layer: stray response 100
        novelsc     request OPTIONS                               | stream: whole                  | layer: request OPTIONS
        quotbal     error 400 Invalid To                          | stream: whole                  | layer: send 400; malformed: Invalid To
        regaut01    request REGISTER                              | stream: whole                  | layer: request REGISTER
        regbadct    error 400 Invalid Contact                     | stream: whole                  | layer: send 400; malformed: Invalid Contact
        regescrt    request REGISTER                              | stream: whole                  | layer: request REGISTER
        scalar02    error 400 Invalid CSeq                        | stream: whole                  | layer: send 400; malformed: Invalid CSeq
        scalarlg    error 400 Invalid CSeq                        | stream: whole                  | layer: malformed: Invalid CSeq
        sdp01       request INVITE                                | stream: whole                  | layer: request INVITE
        semiuri     request OPTIONS                               | stream: whole                  | layer: request OPTIONS
        transports  request OPTIONS                               | stream: whole                  | layer: request OPTIONS
        trws        error 400 Malformed Request-Line              | stream: whole                  | layer: send 400; malformed: Malformed Request-Line
        unkscm      request OPTIONS                               | stream: whole                  | layer: request OPTIONS
        unksm2      request REGISTER                              | stream: whole                  | layer: request REGISTER
        unreason    response 200                                  | stream: whole                  | layer: stray response 200
        wsinv       request INVITE                                | stream: whole                  | layer: request INVITE
        zeromf      request OPTIONS                               | stream: whole                  | layer: request OPTIONS
    "#]]
    .assert_eq(&table);
}

/// The reason phrases of the 400s sent for invalid requests.
#[test]
fn refusals_name_the_problem() {
    let mut lines = String::new();
    for name in torture_names() {
        let bytes = torture(&name);
        if let Err(e) = Message::parse(&bytes) {
            let answer = hotline_sip::reject(&bytes, &e).map(|b| {
                let text = String::from_utf8_lossy(&b).into_owned();
                text.lines().next().unwrap_or_default().to_owned()
            });
            lines.push_str(&format!(
                "{name:<11} {}\n",
                answer.as_deref().unwrap_or("(not answered)")
            ));
        }
    }
    expect![[r#"
        badaspec    SIP/2.0 400 Invalid To
        baddn       SIP/2.0 400 Invalid From
        badinv01    SIP/2.0 400 Invalid Via
        badvers     SIP/2.0 505 Version Not Supported
        bigcode     (not answered)
        clerr       SIP/2.0 400 Body Shorter Than Content-Length
        escruri     SIP/2.0 400 Invalid Request-URI
        insuf       SIP/2.0 400 Missing From
        ltgtruri    SIP/2.0 400 Invalid Request-URI
        lwsruri     SIP/2.0 400 Malformed Request-Line
        lwsstart    SIP/2.0 400 Malformed Request-Line
        mcl01       SIP/2.0 400 Duplicate Content-Length
        mismatch01  SIP/2.0 400 CSeq Method Mismatch
        mismatch02  SIP/2.0 400 CSeq Method Mismatch
        multi01     SIP/2.0 400 Duplicate From
        ncl         SIP/2.0 400 Invalid Content-Length
        quotbal     SIP/2.0 400 Invalid To
        regbadct    SIP/2.0 400 Invalid Contact
        scalar02    SIP/2.0 400 Invalid CSeq
        scalarlg    (not answered)
        trws        SIP/2.0 400 Malformed Request-Line
    "#]]
    .assert_eq(&lines);
}

fn req(name: &str) -> Request {
    Request::parse(&torture(name)).expect("valid torture request")
}

fn resp(name: &str) -> Response {
    Response::parse(&torture(name)).expect("valid torture response")
}

/// What we print parses back to the same message.
fn round_trips(name: &str) {
    let m = Message::parse(&torture(name)).unwrap();
    assert_eq!(Message::parse(&m.to_bytes()).unwrap(), m, "{name}");
}

#[test]
fn valid_messages_print_and_parse_back() {
    for name in torture_names() {
        if Message::parse(&torture(&name)).is_ok() {
            round_trips(&name);
        }
    }
}

/// 3.1.1.1: folding, odd white space and case, escaped quotes, unknown
/// headers, a Via whose protocol is spread over three lines.
#[test]
fn wsinv() {
    let r = req("wsinv");
    let h = &r.headers;
    assert_eq!(r.uri, "sip:vivekg@chair-dnrc.example.com;unknownparam");
    assert_eq!(h.to().unwrap().tag().as_deref(), Some("1918181833n"));
    let from = h.from().unwrap();
    assert_eq!(
        (from.display.as_deref(), from.tag().as_deref()),
        (Some(r#"J Rosenberg \""#), Some("98asjd8"))
    );
    assert_eq!(h.max_forwards(), Some(68));
    assert_eq!(
        h.cseq().map(|c| (c.seq, c.method)),
        Some((9, Method::Invite))
    );
    let vias = h.vias();
    assert_eq!(vias.len(), 3);
    assert_eq!(
        (
            vias[0].host.as_str(),
            vias[0].branch().as_deref(),
            vias[0].rfc3261_branch()
        ),
        ("192.0.2.2", Some("390skdjuw"), None)
    );
    assert_eq!(
        (vias[1].transport.as_str(), vias[1].host.as_str()),
        ("TCP", "spindle.example.com")
    );
    assert_eq!(vias[2].branch().as_deref(), Some("z9hG4bK30239"));
    assert_eq!(h.get("Subject"), Some(""));
    assert_eq!(
        h.get("NewFangledHeader"),
        Some("newfangled value continued newfangled value")
    );
    assert_eq!(h.get("UnknownHeaderWithUnusualValue"), Some(";;,,;;,;"));
    let contact = &h.contacts()[0];
    assert_eq!(contact.display.as_deref(), Some(r#"Quoted string """#));
    assert_eq!(
        (
            contact.params.get("newparam").as_deref(),
            contact.params.get("q").as_deref()
        ),
        (Some("newvalue"), Some("0.33"))
    );
    assert_eq!(r.body.len(), 150);
}

/// 3.1.1.2: every token character in a method, odd URIs, raw control
/// bytes in a quoted display name, UTF-8 in values.
#[test]
fn intmeth() {
    let r = req("intmeth");
    assert_eq!(
        r.method,
        Method::Other("!interesting-Method0123456789_*+`.%indeed'~".into())
    );
    let uri = r.sip_uri().unwrap();
    assert_eq!(
        uri.user.as_deref(),
        Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    );
    assert_eq!(
        r.headers.to().unwrap().display.as_deref(),
        Some("BEL:\x07 NUL:\0 DEL:\x7f")
    );
    assert_eq!(
        r.headers
            .from()
            .unwrap()
            .params
            .get("fromParam''~+*_!.-%")
            .as_deref(),
        Some("работающий")
    );
    assert_eq!(
        r.headers.from().unwrap().display.as_deref(),
        Some("token1~` token2'+_ token3*%!.-")
    );
    assert_eq!(
        r.headers.call_id(),
        Some("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
    );
    assert_eq!(
        r.headers.get("extensionHeader-!.%*+_`'~"),
        Some("\u{feff}大停電")
    );
}

/// 3.1.1.3 and 3.1.1.4: escapes are kept as written and decoded on request.
#[test]
fn escapes() {
    let r = req("esc01");
    assert_eq!(
        r.sip_uri().unwrap().user_unescaped().as_deref(),
        Some("sips:user@example.com")
    );
    assert_eq!(r.headers.to().unwrap().user().as_deref(), Some("user"));
    assert_eq!(
        r.headers.from().unwrap().user().as_deref(),
        Some("I have spaces")
    );
    assert_eq!(r.headers.content_type(), Some("application/sdp"));
    let n = req("escnull");
    assert_eq!(
        n.headers.to().unwrap().user().as_deref(),
        Some("null-\0-null")
    );
    assert_eq!(n.headers.contacts().len(), 2);
}

/// 3.1.1.5: `%` in a method or header name is not an escape.
#[test]
fn esc02() {
    let r = req("esc02");
    assert_eq!(r.method, Method::Other("RE%47IST%45R".into()));
    let contacts: Vec<String> = r.headers.contacts().into_iter().map(|c| c.uri).collect();
    assert_eq!(
        contacts,
        [
            "sip:alias1@host1.example.com",
            "sip:alias3@host3.example.com"
        ]
    );
    assert_eq!(
        r.headers.get("C%6Fntact"),
        Some("<sip:alias2@host2.example.com>")
    );
    assert_eq!(r.headers.to().unwrap().display.as_deref(), Some("%Z%45"));
}

/// 3.1.1.6 to 3.1.1.10.
#[test]
fn lwsdisp_longreq_dblreq_semiuri_transports() {
    assert_eq!(
        req("lwsdisp").headers.from().unwrap().display.as_deref(),
        Some("caller")
    );
    let long = req("longreq");
    assert_eq!(long.headers.vias().len(), 33);
    assert_eq!(
        long.headers.from().unwrap().tag().unwrap().len(),
        2 + 150 + 3
    );
    assert_eq!(long.body.len(), 150);
    // Only the REGISTER counts; the INVITE after it in the datagram is dropped.
    let dbl = req("dblreq");
    assert_eq!((dbl.method, dbl.body.len()), (Method::Register, 0));
    let semi = req("semiuri");
    let uri = semi.sip_uri().unwrap();
    assert_eq!(
        (uri.user.as_deref(), uri.host.as_str(), uri.params.0.len()),
        (Some("user;par=u%40example.net"), "example.com", 0)
    );
    assert_eq!(semi.headers.values("Accept").len(), 6);
    let transports: Vec<String> = req("transports")
        .headers
        .vias()
        .into_iter()
        .map(|v| v.transport)
        .collect();
    assert_eq!(transports, ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]);
}

/// 3.1.1.11: a body with binary parts is bytes, untouched.
#[test]
fn mpart01() {
    let r = req("mpart01");
    assert!(std::str::from_utf8(&r.body).is_err());
    assert!(r.body.windows(4).any(|w| w == [0xff, 0x00, 0xfe, 0x80]));
    assert!(r.body.ends_with(b"--7a9cbec02ceef655--\r\n"));
}

/// 3.1.1.12 and 3.1.1.13: reason phrases are free text, even empty.
#[test]
fn reasons() {
    assert_eq!(
        resp("unreason").reason,
        "= 2**3 * 5**2 но сто девяносто девять - простое"
    );
    let r = resp("noreason");
    assert_eq!((r.status, r.reason.as_str()), (100, ""));
}

/// 3.1.2.2: a body shorter than Content-Length: an error on a datagram, a
/// wait for more on a stream.
#[test]
fn clerr_waits_on_a_stream() {
    assert_eq!(next_frame(&torture("clerr")), Framed::NeedMore);
}

/// §3.3: the application-level reactions, by [`check_request`].
#[test]
fn application_layer_semantics() {
    let policy = UasPolicy::default();
    let status = |name: &str| check_request(&req(name), &policy).map_err(|r| r.status);
    assert_eq!(status("unkscm"), Err(416));
    assert_eq!(status("novelsc"), Err(416));
    assert_eq!(status("invut"), Err(415));
    assert_eq!(status("sdp01"), Err(406));
    assert_eq!(status("zeromf"), Ok(()));
    assert_eq!(status("cparam01"), Ok(()));
    let bext = check_request(&req("bext01"), &policy).unwrap_err();
    let answer = bext.response(&req("bext01"));
    assert_eq!(answer.status, 420);
    assert_eq!(
        answer.headers.get("Unsupported"),
        Some("nothingSupportsThis, nothingSupportsThisEither")
    );
    // Unknown schemes in To, From and Contact are fine where they are not used.
    let unksm2 = req("unksm2");
    assert_eq!(unksm2.headers.to().unwrap().uri, "isbn:2983792873");
    assert_eq!(unksm2.headers.contacts()[0].uri, "name:John_Smith");
    // An escaped header in a Contact URI is kept for the registrar.
    assert_eq!(
        req("regescrt").headers.contacts()[0]
            .sip_uri()
            .unwrap()
            .headers
            .as_deref(),
        Some("Route=%3Csip:sip.example.com%3E")
    );
    assert_eq!(req("zeromf").headers.max_forwards(), Some(0));
}

/// 3.1.1.1, 3.1.2.x, 3.3.x (`wsinv`, `inv2543`, `badbranch`): requests
/// without an RFC 3261 branch come from RFC 2543 clients and are matched
/// by RFC 2543's fields: a retransmission is absorbed, a CANCEL finds its
/// INVITE, the ACK of the refusal stops its retransmissions.
#[test]
fn rfc2543_requests_are_matched_by_their_fields() {
    for name in ["badbranch", "inv2543", "wsinv"] {
        let mut clock = Clock::new(TransactionLayer::default());
        clock.receive("192.0.2.1:5060", Transport::Udp, torture(name));
        assert!(matches!(clock.events.as_slice(), [Event::Request { .. }]), "{name}: {}", clock.trace());
    }
    let message = |method: &str, to_tag: &str| {
        common::request(&format!(
            "{method} sip:8001@192.0.2.20 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5070
Max-Forwards: 70
From: <sip:1000@192.0.2.10>;tag=old1
To: <sip:8001@192.0.2.20>{to_tag}
Call-ID: rfc2543-1
CSeq: 7 {method}
Contact: <sip:1000@192.0.2.10:5070>
Content-Length: 0

"
        ))
    };
    let invite = message("INVITE", "");
    let mut clock = Clock::new(TransactionLayer::default());
    let from = "192.0.2.10:5070";
    clock.receive(from, Transport::Udp, invite.to_bytes());
    clock.now = Time(100);
    clock.receive(from, Transport::Udp, invite.to_bytes());
    let Some(Event::Request { key, .. }) = clock.events.first().cloned() else { panic!("{}", clock.trace()) };
    clock.now = Time(200);
    clock.receive(from, Transport::Udp, message("CANCEL", "").to_bytes());
    clock.input(hotline_sip::transaction::Input::SendResponse { key, response: common::reply(&invite, 487) });
    clock.now = Time(300);
    clock.receive(from, Transport::Udp, message("ACK", ";tag=uas1").to_bytes());
    clock.run_until(40_000);
    expect![[r#"
        0 request INVITE
        100 send 100 to 192.0.2.10:5070 UDP
        200 cancel (invite found)
        200 send 487 to 192.0.2.10:5070 UDP
        5300 terminated
    "#]]
    .assert_eq(&clock.trace());
}

/// 3.3.10: a response whose Via names a broadcast address is a stray for
/// us, never sent anywhere.
#[test]
fn bcast_is_not_forwarded() {
    let mut clock = Clock::new(TransactionLayer::default());
    clock.receive("192.0.2.1:5060", Transport::Udp, torture("bcast"));
    assert!(matches!(
        clock.events.as_slice(),
        [Event::StrayResponse { .. }]
    ));
}
