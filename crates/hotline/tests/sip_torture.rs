//! RFC 4475's torture messages sent to the running server over UDP, one
//! socket each: what the whole server answers (not only the parser), next
//! to what the RFC says a server should do. Valid messages are processed
//! (an OPTIONS is answered 200, a REGISTER challenged, an INVITE to a
//! number that is not an IVR challenged for the caller's password, a
//! request inside an unknown dialog 481); invalid ones are refused with the
//! code and reason the RFC suggests; responses are never answered.
//!
//! "(no answer)" is proven by order: an OPTIONS from the same socket sent
//! afterwards is answered, so an answer to the torture message would have
//! come first. The RFC's messages share Via branches (`z9hG4bKkdjuw` in a
//! dozen of them), which to one server would be retransmissions of each
//! other; each message's RFC 3261 branches get its name added, and the
//! RFC 2543-style ones (none, or the bare cookie) are left as they are.

mod common;
#[path = "../../sip/tests/common/mod.rs"]
mod sip_common;

use std::time::Duration;

use common::Server;
use expect_test::expect;
use tokio::net::UdpSocket;

/// What RFC 4475 says a server should answer, where it names a reaction
/// ("none": not answered, as for every response). Valid requests are
/// processed normally: an OPTIONS is answered 200, a REGISTER challenged,
/// an INVITE to a number that is not an IVR challenged (407), an INVITE in
/// a dialog we do not have 481.
const RFC: &[(&str, &str)] = &[
    // 3.1.1 valid messages, processed
    ("wsinv", "481"),
    ("intmeth", "501"),
    ("esc01", "407"),
    ("escnull", "401"),
    ("esc02", "501"),
    ("lwsdisp", "200"),
    ("longreq", "407"),
    ("dblreq", "401"),
    ("semiuri", "200"),
    ("transports", "200"),
    ("mpart01", "405"),
    ("unreason", "none"),
    ("noreason", "none"),
    // 3.1.2 invalid messages, refused
    ("badinv01", "400"),
    ("clerr", "400"),
    ("scalar02", "400"),
    ("scalarlg", "none"),
    ("quotbal", "400"),
    ("ltgtruri", "400"),
    ("lwsruri", "400"),
    ("lwsstart", "400"),
    ("trws", "400"),
    ("escruri", "400"),
    ("regbadct", "400"),
    ("badaspec", "400"),
    ("baddn", "400"),
    ("badvers", "505"),
    ("mismatch01", "400"),
    ("mismatch02", "400"),
    ("multi01", "400"),
    ("mcl01", "400"),
    ("bcast", "none"),
    ("bigcode", "none"),
    // 3.2 transaction layer: RFC 2543 requests processed
    ("badbranch", "200"),
    // 3.3 application layer
    ("insuf", "400"),
    ("unkscm", "416"),
    ("novelsc", "416"),
    ("unksm2", "404"),
    ("bext01", "420"),
    ("invut", "415"),
    ("regaut01", "401"),
    ("sdp01", "406"),
    // 3.4 backward compatibility
    ("inv2543", "407"),
];

/// The status line of the first final answer to `bytes`, or "(no answer)".
async fn answer(server: std::net::SocketAddr, name: &str, bytes: &[u8]) -> String {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    sock.send_to(bytes, server).await.unwrap();
    let l = sock.local_addr().unwrap();
    let probe = format!(
        "OPTIONS sip:{server} SIP/2.0\r\nVia: SIP/2.0/UDP {l};branch=z9hG4bKprobe{name}\r\nMax-Forwards: 70\r\nFrom: <sip:probe@{l}>;tag=p\r\nTo: <sip:{server}>\r\nCall-ID: probe-{name}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    );
    sock.send_to(probe.as_bytes(), server).await.unwrap();
    let mut buf = vec![0u8; 65536];
    let mut first = None;
    loop {
        let Ok(Ok((n, _))) = tokio::time::timeout(Duration::from_secs(5), sock.recv_from(&mut buf)).await else {
            panic!("{name}: the probe was never answered");
        };
        let text = String::from_utf8_lossy(&buf[..n]).into_owned();
        let status_line = text.lines().next().unwrap_or_default().to_owned();
        if text.contains(&format!("probe-{name}")) {
            return first.unwrap_or_else(|| "(no answer)".into());
        }
        let provisional = status_line.starts_with("SIP/2.0 1");
        if first.is_none() && !provisional {
            first = Some(status_line);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_torture_message_gets_the_answer_the_rfc_suggests() {
    let port = phones_free_port();
    let s = Server::start_tuned(tempfile::tempdir().unwrap(), String::new(), None, |c| {
        c.sip.listen = format!("127.0.0.1:{port}").parse().unwrap();
    })
    .await;
    let server = format!("127.0.0.1:{port}").parse().unwrap();
    let mut table = String::new();
    let mut differ = Vec::new();
    for name in sip_common::torture_names() {
        let got = answer(server, &name, &own_branches(&sip_common::torture(&name), &name)).await;
        table.push_str(&format!("{name:<11} {got}\n"));
        if let Some((_, want)) = RFC.iter().find(|(n, _)| *n == name) {
            let code = if got.starts_with('(') { "none" } else { got.split(' ').nth(1).unwrap_or("none") };
            if code != *want {
                differ.push(format!("{name}: the RFC suggests {want}, the server answered {got}"));
            }
        }
    }
    assert!(differ.is_empty(), "{differ:#?}");
    expect![[r#"
        badaspec    SIP/2.0 400 Invalid To
        badbranch   SIP/2.0 200 OK
        baddate     SIP/2.0 407 Proxy Authentication Required
        baddn       SIP/2.0 400 Invalid From
        badinv01    SIP/2.0 400 Invalid Via
        badvers     SIP/2.0 505 Version Not Supported
        bcast       (no answer)
        bext01      SIP/2.0 420 Bad Extension
        bigcode     (no answer)
        clerr       SIP/2.0 400 Body Shorter Than Content-Length
        cparam01    SIP/2.0 401 Unauthorized
        cparam02    SIP/2.0 401 Unauthorized
        dblreq      SIP/2.0 401 Unauthorized
        esc01       SIP/2.0 407 Proxy Authentication Required
        esc02       SIP/2.0 501 Not Implemented
        escnull     SIP/2.0 401 Unauthorized
        escruri     SIP/2.0 400 Invalid Request-URI
        insuf       SIP/2.0 400 Missing From
        intmeth     SIP/2.0 501 Not Implemented
        inv2543     SIP/2.0 407 Proxy Authentication Required
        invut       SIP/2.0 415 Unsupported Media Type
        longreq     SIP/2.0 407 Proxy Authentication Required
        ltgtruri    SIP/2.0 400 Invalid Request-URI
        lwsdisp     SIP/2.0 200 OK
        lwsruri     SIP/2.0 400 Malformed Request-Line
        lwsstart    SIP/2.0 400 Malformed Request-Line
        mcl01       SIP/2.0 400 Duplicate Content-Length
        mismatch01  SIP/2.0 400 CSeq Method Mismatch
        mismatch02  SIP/2.0 400 CSeq Method Mismatch
        mpart01     SIP/2.0 405 Method Not Allowed
        multi01     SIP/2.0 400 Duplicate From
        ncl         SIP/2.0 400 Invalid Content-Length
        noreason    (no answer)
        novelsc     SIP/2.0 416 Unsupported URI Scheme
        quotbal     SIP/2.0 400 Invalid To
        regaut01    SIP/2.0 401 Unauthorized
        regbadct    SIP/2.0 400 Invalid Contact
        regescrt    SIP/2.0 401 Unauthorized
        scalar02    SIP/2.0 400 Invalid CSeq
        scalarlg    (no answer)
        sdp01       SIP/2.0 406 Not Acceptable
        semiuri     SIP/2.0 200 OK
        transports  SIP/2.0 200 OK
        trws        SIP/2.0 400 Malformed Request-Line
        unkscm      SIP/2.0 416 Unsupported URI Scheme
        unksm2      SIP/2.0 404 Address Of Record Not Found
        unreason    (no answer)
        wsinv       SIP/2.0 481 Call/Transaction Does Not Exist
        zeromf      SIP/2.0 200 OK
    "#]].assert_eq(&table);
    s.stop().await;
}

/// `branch=z9hG4bK<x>` becomes `branch=z9hG4bK<name>.<x>` where `<x>` is
/// not empty.
fn own_branches(bytes: &[u8], name: &str) -> Vec<u8> {
    const COOKIE: &[u8] = b"branch=z9hG4bK";
    let mut out = Vec::with_capacity(bytes.len() + 64);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(COOKIE) {
            out.extend_from_slice(COOKIE);
            i += COOKIE.len();
            if bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric()) {
                out.extend_from_slice(name.as_bytes());
                out.push(b'.');
            }
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn phones_free_port() -> u16 {
    loop {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}
