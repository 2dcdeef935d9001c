//! The registrar with real digest answers, on a virtual clock.

use hotline_sip::auth::{response, Algorithm, Digest};
use hotline_sip::registrar::{Registrar, RegistrarConfig};
use hotline_sip::Message;

const SRC: &str = "127.0.0.1:5080";

fn register(contact: &str, expires: Option<u32>, cseq: u32, auth: Option<String>) -> Message {
    let mut lines = vec![
        "REGISTER sip:127.0.0.1 SIP/2.0".to_string(),
        "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKr1;rport".into(),
        "To: <sip:8001@127.0.0.1>".into(),
        "From: <sip:8001@127.0.0.1>;tag=f1".into(),
        "Call-ID: reg-1".into(),
        format!("CSeq: {cseq} REGISTER"),
        format!("Contact: {contact}"),
        "Content-Length: 0".into(),
    ];
    if let Some(e) = expires {
        lines.push(format!("Expires: {e}"));
    }
    if let Some(a) = auth {
        lines.push(format!("Authorization: {a}"));
    }
    Message::parse(format!("{}\r\n\r\n", lines.join("\r\n")).as_bytes()).unwrap()
}

/// Answers a challenge as a phone with `password` would.
fn answer(challenge: &Message, password: &str, alg: Algorithm) -> String {
    let www = challenge.all("WWW-Authenticate").into_iter().find(|c| c.contains(alg.name())).unwrap();
    let nonce = www.split("nonce=\"").nth(1).unwrap().split('"').next().unwrap();
    let ha1 = alg.hash(&format!("8001:hotline:{password}"));
    let r = response(alg, &ha1, nonce, "REGISTER", "sip:127.0.0.1", Some(("00000001", "c0ffee", "auth")));
    format!("Digest username=\"8001\", realm=\"hotline\", nonce=\"{nonce}\", uri=\"sip:127.0.0.1\", response=\"{r}\", algorithm={}, cnonce=\"c0ffee\", qop=auth, nc=00000001", alg.name())
}

fn registrar() -> Registrar {
    let cfg = RegistrarConfig { max_failures: 3, ..RegistrarConfig::default() };
    Registrar::new(cfg, Digest::new("hotline", b"secret").sha256_first())
}

fn ha1(user: &str, alg: Algorithm) -> Option<String> {
    (user == "8001").then(|| alg.hash("8001:hotline:demo"))
}

#[test]
fn register_refresh_two_phones_expire_and_unregister() {
    let mut r = registrar();
    let src = SRC.parse().unwrap();
    let c1 = r.register(&register("<sip:8001@127.0.0.1:5080>", Some(120), 1, None), src, 0, ha1);
    assert_eq!(c1.response.status(), Some(401));
    assert_eq!(c1.response.all("WWW-Authenticate").len(), 2);
    for alg in [Algorithm::Sha256, Algorithm::Md5] {
        let ok = r.register(&register("<sip:8001@127.0.0.1:5080>", Some(120), 2, Some(answer(&c1.response, "demo", alg))), src, 10, ha1);
        assert_eq!(ok.response.status(), Some(200), "{alg:?}");
        assert_eq!(ok.response.header("Contact"), Some("<sip:8001@127.0.0.1:5080>;expires=120"));
    }
    assert_eq!(r.contacts("8001", 10).len(), 1, "a refresh replaces, not adds");
    // A second phone for the same extension.
    let second = r.register(&register("<sip:8001@10.0.0.9:5062>;expires=300", None, 3, Some(answer(&c1.response, "demo", Algorithm::Md5))), src, 20, ha1);
    assert_eq!(second.response.all("Contact").len(), 2);
    assert_eq!(second.changed, None, "still registered");
    // The first expires at 120 s; the second stays.
    assert_eq!(r.expire(130_000), Vec::<String>::new());
    assert_eq!(r.contacts("8001", 130_000).len(), 1);
    // Too short is refused with Min-Expires, and changes nothing.
    let short = r.register(&register("<sip:8001@h>", Some(10), 4, Some(answer(&c1.response, "demo", Algorithm::Md5))), src, 140_000, ha1);
    assert_eq!((short.response.status(), short.response.header("Min-Expires")), (Some(423), Some("60")));
    // Unregister all.
    let all = r.register(&register("*", Some(0), 5, Some(answer(&c1.response, "demo", Algorithm::Md5))), src, 150_000, ha1);
    assert_eq!(all.response.status(), Some(200));
    assert_eq!(all.changed, Some(("8001".into(), false)));
    assert!(r.contacts("8001", 150_000).is_empty());
    let bad_star = r.register(&register("*", Some(60), 6, Some(answer(&c1.response, "demo", Algorithm::Md5))), src, 150_000, ha1);
    assert_eq!(bad_star.response.status(), Some(400));
}

#[test]
fn wrong_passwords_are_refused_then_the_source_is_blocked() {
    let mut r = registrar();
    let src = SRC.parse().unwrap();
    let other = "127.0.0.2:5080".parse().unwrap();
    let ch = r.register(&register("<sip:8001@h>", None, 1, None), src, 0, ha1).response;
    for i in 0..3 {
        let bad = r.register(&register("<sip:8001@h>", None, 2 + i, Some(answer(&ch, "guess", Algorithm::Md5))), src, 1_000, ha1);
        assert_eq!(bad.response.status(), Some(403));
    }
    // Now even the right password is refused from that address ...
    let good = answer(&ch, "demo", Algorithm::Md5);
    let blocked = r.register(&register("<sip:8001@h>", None, 9, Some(good.clone())), src, 2_000, ha1);
    assert_eq!(blocked.response.status(), Some(403));
    assert!(r.contacts("8001", 2_000).is_empty());
    // ... but not from another, and not after the window.
    assert_eq!(r.register(&register("<sip:8001@h>", None, 10, Some(good.clone())), other, 2_000, ha1).response.status(), Some(200));
    assert_eq!(r.register(&register("<sip:8001@h>", None, 11, Some(good)), src, 301_001, ha1).response.status(), Some(401), "stale nonce after 5 min: a new challenge");
    // Unknown extensions and other users' credentials are refused too.
    let mut lines = register("<sip:8002@h>", None, 12, Some(answer(&ch, "demo", Algorithm::Md5)));
    lines.set("To", "<sip:8002@127.0.0.1>");
    assert_eq!(r.register(&lines, other, 3_000, ha1).response.status(), Some(403));
}
