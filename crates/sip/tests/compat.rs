//! The API `hotline-telephony` already uses, exactly as it uses it (its
//! transport takes `frame` as a plain function and matches every `Frame`
//! variant; its credentials hash with `Algorithm`). Changing any of this
//! breaks that crate.

use hotline_sip::auth::Algorithm;
use hotline_sip::{Frame, Message, MAX_MESSAGE};

type Framer = fn(&[u8]) -> Frame;

#[test]
fn telephony_framing_and_parsing() {
    let framer: Framer = hotline_sip::frame;
    let m = b"OPTIONS sip:h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nTo: <sip:h>\r\nFrom: <sip:a@h>;tag=1\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 2\r\n\r\nhi";
    let len = match framer(m) {
        Frame::Complete(len) if len > 0 && len <= m.len() => len,
        Frame::Complete(_) | Frame::Invalid => panic!("not framed"),
        Frame::Incomplete if m.len() > MAX_MESSAGE => panic!("too large"),
        Frame::Incomplete => panic!("incomplete"),
    };
    assert_eq!(len, m.len());
    assert_eq!(Message::parse(&m[..len]).unwrap().body, b"hi");
}

#[test]
fn telephony_credentials() {
    let md5 = Algorithm::Md5.hash(&format!("{}:{}:{}", "8001", "hotline", "demo"));
    let sha = Algorithm::Sha256.hash(&format!("{}:{}:{}", "8001", "hotline", "demo"));
    assert_eq!((md5.len(), sha.len()), (32, 64));
}
