//! The registrar on a virtual clock: challenge, register, refresh, several
//! phones, expiry, unregistration, 423, 400, and the failed-login limit.

mod common;

use std::net::SocketAddr;

use common::{addr, request, torture};
use expect_test::expect;
use hotline_sip::auth::{authorization, ha1, Algorithm, Authenticator, Challenge};
use hotline_sip::guard::GuardConfig;
use hotline_sip::registrar::{
    AuthFailure, BindingChange, RegisterResult, Registrar, RegistrarConfig,
    WhenBlocked,
};
use hotline_sip::transaction::Transport;
use hotline_sip::{Request, Response, Time};


fn registrar(cfg: RegistrarConfig) -> Registrar {
    Registrar::new(cfg, Authenticator::new("hotline", b"secret").sha256_first())
}

/// The stored HA1s: 8001 and 8002 with password "demo".
fn ha1s(user: &str, alg: Algorithm) -> Option<String> {
    ["8001", "8002"]
        .contains(&user)
        .then(|| ha1(alg, user, "hotline", "demo"))
}

fn register(user: &str, cseq: u32, contact: &str, extra: &str) -> Request {
    request(&format!(
        "REGISTER sip:hotline SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKr{cseq}
Max-Forwards: 70
From: <sip:{user}@hotline>;tag=ph{user}
To: <sip:{user}@hotline>
Call-ID: reg-{user}
CSeq: {cseq} REGISTER
{contact}{extra}User-Agent: Desk Phone 1.0
Content-Length: 0

"
    ))
}

/// `req` with credentials answering the challenge in `r401`.
fn authed(req: &Request, r401: &Response, user: &str, password: &str) -> Request {
    let c = Challenge::pick(r401.headers.www_authenticate()).unwrap();
    let value = authorization(&c, user, password, "REGISTER", &req.uri, "cn", 1);
    req.clone().with_header("Authorization", value)
}

struct Phone {
    reg: Registrar,
    now: Time,
    from: SocketAddr,
    /// Requests sent: each challenge gets fresh random bytes (a nonce is
    /// counted once per use, so reusing one would be a replay).
    sent: u8,
}

impl Phone {
    fn send(&mut self, req: &Request) -> hotline_sip::registrar::Outcome {
        self.sent = self.sent.wrapping_add(1);
        let random = [self.sent; 16];
        self.reg
            .handle(self.now, req, self.from, Transport::Udp, &random, ha1s)
    }

    /// Challenge, then answer it with `password`.
    fn login(
        &mut self,
        user: &str,
        password: &str,
        req: &Request,
    ) -> hotline_sip::registrar::Outcome {
        let first = self.send(req);
        assert_eq!(first.result, RegisterResult::Challenged);
        let r401 = first.response.unwrap();
        self.send(&authed(req, &r401, user, password))
    }
}

fn phone() -> Phone {
    Phone {
        reg: registrar(RegistrarConfig::default()),
        now: Time(0),
        from: addr("192.0.2.10:5070"),
        sent: 0,
    }
}

fn contacts(o: &hotline_sip::registrar::Outcome) -> Vec<String> {
    o.response
        .as_ref()
        .unwrap()
        .headers
        .values("Contact")
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[test]
fn challenge_then_register_then_expire() {
    let mut p = phone();
    let req = register(
        "8001",
        1,
        "Contact: <sip:8001@192.0.2.10:5070>\n",
        "Expires: 120\n",
    );
    let first = p.send(&req);
    let r401 = first.response.clone().unwrap();
    assert_eq!(r401.status, 401);
    assert_eq!(r401.headers.www_authenticate().len(), 2);
    assert!(r401.to_tag().is_some());
    let ok = p.send(&authed(&req, &r401, "8001", "demo"));
    assert_eq!(
        ok.result,
        RegisterResult::Registered {
            aor: "8001".into(),
            contacts: 1
        }
    );
    assert_eq!(
        ok.change,
        Some(BindingChange {
            aor: "8001".into(),
            registered: true
        })
    );
    assert_eq!(contacts(&ok), ["<sip:8001@192.0.2.10:5070>;expires=120"]);
    let b = &p.reg.lookup("8001", Time(0))[0];
    assert_eq!(
        (b.source, b.user_agent.as_deref(), b.cseq),
        (p.from, Some("Desk Phone 1.0"), 1)
    );
    assert_eq!(p.reg.next_expiry(), Some(Time(120_000)));
    assert!(p.reg.expire(Time(119_999)).is_empty());
    assert_eq!(
        p.reg.expire(Time(120_000)),
        [BindingChange {
            aor: "8001".into(),
            registered: false
        }]
    );
    assert!(p.reg.lookup("8001", Time(120_000)).is_empty());
}

#[test]
fn the_whole_response_reads_right() {
    let mut p = phone();
    let req = register(
        "8001",
        1,
        "Contact: <sip:8001@192.0.2.10:5070>;expires=7200\n",
        "",
    );
    let ok = p.login("8001", "demo", &req).response.unwrap();
    let text = String::from_utf8(ok.to_bytes())
        .unwrap()
        .replace("\r\n", "\n");
    expect![[r#"
        SIP/2.0 200 OK
        Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKr1
        From: <sip:8001@hotline>;tag=ph8001
        To: <sip:8001@hotline>;tag=0202020202020202
        Call-ID: reg-8001
        CSeq: 1 REGISTER
        Contact: <sip:8001@192.0.2.10:5070>;expires=3600
        Content-Length: 0

    "#]]
    .assert_eq(&text);
}

#[test]
fn two_phones_refresh_query_and_unregister() {
    let mut p = phone();
    p.login(
        "8001",
        "demo",
        &register(
            "8001",
            1,
            "Contact: <sip:8001@10.0.0.1>, <sip:8001@10.0.0.2>;expires=300\n",
            "",
        ),
    );
    assert_eq!(p.reg.lookup("8001", Time(0)).len(), 2);
    p.now = Time(100_000);
    // A query (no Contact) lists them with what is left.
    let q = p.login("8001", "demo", &register("8001", 2, "", ""));
    assert_eq!(q.result, RegisterResult::Queried { aor: "8001".into() });
    assert_eq!(
        contacts(&q),
        [
            "<sip:8001@10.0.0.1>;expires=3500",
            "<sip:8001@10.0.0.2>;expires=200"
        ]
    );
    // One phone leaves.
    let one = p.login(
        "8001",
        "demo",
        &register("8001", 3, "Contact: <sip:8001@10.0.0.2>;expires=0\n", ""),
    );
    assert_eq!(
        (one.result, one.change),
        (
            RegisterResult::Registered {
                aor: "8001".into(),
                contacts: 1
            },
            None
        )
    );
    // Contact: * with Expires: 0 removes the rest.
    let all = p.login(
        "8001",
        "demo",
        &register("8001", 4, "Contact: *\n", "Expires: 0\n"),
    );
    assert_eq!(
        all.result,
        RegisterResult::Unregistered {
            aor: "8001".into(),
            contacts: 0
        }
    );
    assert_eq!(
        all.change,
        Some(BindingChange {
            aor: "8001".into(),
            registered: false
        })
    );
    assert!(contacts(&all).is_empty());
}

#[test]
fn bad_expiries_and_contacts_are_refused_whole() {
    let mut p = phone();
    let brief = p.login(
        "8001",
        "demo",
        &register(
            "8001",
            1,
            "Contact: <sip:8001@10.0.0.1>, <sip:8001@10.0.0.2>;expires=30\n",
            "",
        ),
    );
    assert_eq!(brief.result, RegisterResult::TooBrief);
    let r = brief.response.unwrap();
    assert_eq!((r.status, r.headers.get("Min-Expires")), (423, Some("60")));
    assert!(p.reg.lookup("8001", Time(0)).is_empty(), "nothing applied");
    let star = p.login("8001", "demo", &register("8001", 2, "Contact: *\n", ""));
    assert_eq!(star.response.unwrap().reason, "Invalid Contact");
    // Same Call-ID, older CSeq for a known contact: out of order.
    p.login(
        "8001",
        "demo",
        &register("8001", 10, "Contact: <sip:8001@10.0.0.1>\n", ""),
    );
    let old = p.login(
        "8001",
        "demo",
        &register("8001", 9, "Contact: <sip:8001@10.0.0.1>\n", ""),
    );
    assert_eq!(
        old.result,
        RegisterResult::Rejected("Out Of Order CSeq".into())
    );
    // Too many phones.
    let mut small = Phone {
        reg: registrar(RegistrarConfig {
            max_contacts: 1,
            ..RegistrarConfig::default()
        }),
        ..phone()
    };
    let two = small.login(
        "8001",
        "demo",
        &register("8001", 1, "Contact: <sip:a@h>, <sip:b@h>\n", ""),
    );
    assert_eq!(two.response.unwrap().status, 403);
}

#[test]
fn wrong_password_other_user_and_unknown_user_are_403() {
    let mut p = phone();
    let wrong = p.login(
        "8001",
        "nope",
        &register("8001", 1, "Contact: <sip:8001@h>\n", ""),
    );
    assert_eq!(
        wrong.result,
        RegisterResult::Failed {
            aor: "8001".into(),
            reason: AuthFailure::WrongPassword
        }
    );
    assert_eq!(wrong.response.unwrap().status, 403);
    let other = p.login(
        "8002",
        "demo",
        &register("8001", 2, "Contact: <sip:8001@h>\n", ""),
    );
    assert_eq!(
        other.result,
        RegisterResult::Failed {
            aor: "8001".into(),
            reason: AuthFailure::UserMismatch
        }
    );
    let unknown = p.login(
        "9999",
        "demo",
        &register("9999", 3, "Contact: <sip:9999@h>\n", ""),
    );
    assert_eq!(
        unknown.result,
        RegisterResult::Failed {
            aor: "9999".into(),
            reason: AuthFailure::UnknownUser
        }
    );
}

#[test]
fn a_stale_nonce_gets_a_stale_challenge() {
    let mut p = phone();
    let req = register("8001", 1, "Contact: <sip:8001@h>\n", "");
    let r401 = p.send(&req).response.unwrap();
    p.now = Time(301_000);
    let stale = p.send(&authed(&req, &r401, "8001", "demo"));
    assert_eq!(stale.result, RegisterResult::Stale);
    let again = stale.response.unwrap();
    assert!(again.headers.www_authenticate()[0].contains("stale=true"));
    assert!(p
        .send(&authed(&req, &again, "8001", "demo"))
        .result
        .ne(&RegisterResult::Stale));
}

#[test]
fn failed_logins_block_the_source_for_a_window() {
    let cfg = RegistrarConfig {
        guard: GuardConfig {
            max_failures: 3,
            throttle_after: 3,
            window_ms: 60_000,
            ban_ms: 60_000,
            ..GuardConfig::default()
        },
        ..RegistrarConfig::default()
    };
    let mut p = Phone {
        reg: registrar(cfg),
        ..phone()
    };
    let req = register("8001", 1, "Contact: <sip:8001@h>\n", "");
    for i in 0..3 {
        p.now = Time(i * 1_000);
        assert_eq!(p.login("8001", "guess", &req).response.unwrap().status, 403);
    }
    p.now = Time(5_000);
    let blocked = p.send(&req);
    assert_eq!(blocked.result, RegisterResult::Blocked);
    assert_eq!(blocked.response.unwrap().reason, "Too Many Failed Attempts");
    // Another address is not affected.
    let mut neighbour = Phone {
        from: addr("192.0.2.11:5070"),
        ..p
    };
    assert_eq!(
        neighbour.login("8001", "demo", &req).result,
        RegisterResult::Registered {
            aor: "8001".into(),
            contacts: 1
        }
    );
    let mut p = Phone {
        from: addr("192.0.2.10:5070"),
        ..neighbour
    };
    // The block lasts one window from the last failure.
    p.now = Time(2_000 + 59_999);
    assert!(p.reg.is_blocked(p.from, p.now));
    p.now = Time(2_000 + 60_000);
    assert_eq!(p.send(&req).result, RegisterResult::Challenged);
    // Dropping instead of answering.
    let cfg = RegistrarConfig {
        when_blocked: WhenBlocked::Drop,
        guard: GuardConfig {
            max_failures: 1,
            ..GuardConfig::default()
        },
        ..RegistrarConfig::default()
    };
    let mut d = Phone {
        reg: registrar(cfg),
        ..phone()
    };
    d.login("8001", "guess", &req);
    let dropped = d.send(&req);
    assert_eq!(
        (dropped.result, dropped.response),
        (RegisterResult::Blocked, None)
    );
}

#[test]
fn odd_requests() {
    let mut p = phone();
    // RFC 4475 regaut01: an unknown scheme gets a challenge.
    let unknown_scheme = Request::parse(&torture("regaut01")).unwrap();
    let o = p.send(&unknown_scheme);
    assert_eq!(
        (o.result, o.response.unwrap().status),
        (RegisterResult::Challenged, 401)
    );
    // RFC 4475 unksm2: To is not a SIP URI, so not an address of record here.
    let isbn = Request::parse(&torture("unksm2")).unwrap();
    let r = p.send(&isbn).response.unwrap();
    assert_eq!((r.status, r.reason.as_str()), (404, "Address Of Record Not Found"));
    // A malformed Digest header is a 400 with the reason.
    let broken =
        register("8001", 1, "", "").with_header("Authorization", "Digest username=\"8001\"");
    assert_eq!(
        p.send(&broken).response.unwrap().reason,
        "Malformed Authorization: Missing realm"
    );
    let invite = common::req("INVITE", "z9hG4bKx");
    assert_eq!(p.send(&invite).response.unwrap().status, 405);
}
