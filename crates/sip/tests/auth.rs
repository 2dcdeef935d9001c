//! Digest authentication: the RFC test vectors, and the server's verdicts
//! on good, wrong, stale, forged and malformed credentials.

use hotline_sip::auth::{
    authorization, ha1, response, Algorithm, AuthError, Authenticator, Challenge, Credentials,
    Secret,
};
use hotline_sip::Time;

/// RFC 2617 §3.5.
#[test]
fn rfc_2617_md5_vector() {
    let h = ha1(
        Algorithm::Md5,
        "Mufasa",
        "testrealm@host.com",
        "Circle Of Life",
    );
    let r = response(
        Algorithm::Md5,
        &h,
        "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "GET",
        "/dir/index.html",
        Some(("00000001", "0a4f113b", "auth")),
    );
    assert_eq!(r, "6629fae49393a05397450978507c4ef1");
}

/// RFC 7616 §3.9.1, both algorithms.
#[test]
fn rfc_7616_vectors() {
    let nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    let expect = [
        (Algorithm::Md5, "8ca523f5e9506fed4657c9700eebdbec"),
        (
            Algorithm::Sha256,
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
        ),
    ];
    for (alg, want) in expect {
        let h = ha1(alg, "Mufasa", "http-auth@example.org", "Circle of Life");
        let r = response(
            alg,
            &h,
            nonce,
            "GET",
            "/dir/index.html",
            Some(("00000001", cnonce, "auth")),
        );
        assert_eq!(r, want, "{alg:?}");
    }
}

const RANDOM: [u8; 16] = *b"0123456789abcdef";

fn server() -> Authenticator {
    Authenticator::new("hotline", b"server secret")
}

/// What a phone sends back for `challenge`.
fn answer(challenge: &str, password: &str, method: &str) -> Credentials {
    answer_nc(challenge, password, method, 1)
}

/// The same, as the `nc`-th use of the challenge's nonce.
fn answer_nc(challenge: &str, password: &str, method: &str, nc: u32) -> Credentials {
    let c = Challenge::parse(challenge).unwrap();
    Credentials::parse(&authorization(
        &c,
        "8001",
        password,
        method,
        "sip:hotline.example",
        "c1",
        nc,
    ))
    .unwrap()
}

#[test]
fn good_wrong_stale_and_forged() {
    let mut s = server();
    for alg in [Algorithm::Md5, Algorithm::Sha256] {
        // Each algorithm with its own nonce (counts are kept per nonce).
        let random = [alg as u8; 16];
        let challenge = s.challenge(Time(1_000), &random, alg, false);
        let good = answer(&challenge, "demo", "REGISTER");
        assert_eq!(good.algorithm, alg);
        assert_eq!(
            s.verify(Time(2_000), &good, "REGISTER", Secret::Password("demo")),
            Ok(())
        );
        let stored = ha1(alg, "8001", "hotline", "demo");
        let second = answer_nc(&challenge, "demo", "REGISTER", 2);
        assert_eq!(
            s.verify(Time(2_000), &second, "REGISTER", Secret::Ha1(&stored)),
            Ok(())
        );
        assert_eq!(
            s.verify(
                Time(2_000),
                &answer(&challenge, "oops", "REGISTER"),
                "REGISTER",
                Secret::Password("demo")
            ),
            Err(AuthError::WrongPassword)
        );
        assert_eq!(
            s.verify(Time(2_000), &good, "INVITE", Secret::Password("demo")),
            Err(AuthError::WrongPassword),
            "bound to the method"
        );
        // Five minutes and a bit later: right password, stale nonce.
        assert_eq!(
            s.verify(
                Time(1_000 + 300_001),
                &good,
                "REGISTER",
                Secret::Password("demo")
            ),
            Err(AuthError::Stale)
        );
        // A wrong password with an old nonce is still a wrong password.
        assert_eq!(
            s.verify(
                Time(1_000 + 300_001),
                &answer(&challenge, "x", "REGISTER"),
                "REGISTER",
                Secret::Password("demo")
            ),
            Err(AuthError::WrongPassword)
        );
        // Another server's nonce, a nonce from the future, an edited nonce.
        let mut other = Authenticator::new("hotline", b"another secret");
        assert_eq!(
            other.verify(Time(2_000), &good, "REGISTER", Secret::Password("demo")),
            Err(AuthError::BadNonce)
        );
        assert_eq!(
            s.verify(Time(500), &good, "REGISTER", Secret::Password("demo")),
            Err(AuthError::BadNonce)
        );
        let mut edited = good.clone();
        edited.nonce.replace_range(0..1, "f");
        assert_eq!(
            s.verify(Time(2_000), &edited, "REGISTER", Secret::Password("demo")),
            Err(AuthError::BadNonce)
        );
        let mut realm = good.clone();
        realm.realm = "elsewhere".into();
        assert_eq!(
            s.verify(Time(2_000), &realm, "REGISTER", Secret::Password("demo")),
            Err(AuthError::WrongRealm)
        );
    }
}

#[test]
fn challenges_offer_sha256_first_and_say_stale() {
    // MD5 alone by default, for phones that fail on any SHA-256 challenge.
    let only = server().challenges(Time(5), &RANDOM, false);
    assert_eq!(only.len(), 1);
    assert!(only[0].contains("algorithm=MD5"), "{only:?}");
    let s = server().sha256_first();
    let c = s.challenges(Time(5), &RANDOM, true);
    assert_eq!(c.len(), 2);
    assert!(
        c[0].contains("algorithm=SHA-256")
            && c[0].contains("stale=true")
            && c[0].contains("qop=\"auth\""),
        "{c:?}"
    );
    assert!(c[1].contains("algorithm=MD5"));
    assert_eq!(
        Challenge::pick(c.iter().map(String::as_str))
            .unwrap()
            .algorithm,
        Algorithm::Sha256
    );
    assert!(Challenge::parse(&c[0]).unwrap().stale);
    // Same time and random bytes, same nonce; the nonce does not show the secret.
    assert_eq!(s.nonce(Time(5), &RANDOM), s.nonce(Time(5), &RANDOM));
    assert_ne!(s.nonce(Time(5), &RANDOM), s.nonce(Time(6), &RANDOM));
    assert_eq!(s.nonce(Time(5), &RANDOM).len(), 80);
    assert!(!format!("{s:?}").contains("secret"));
}

#[test]
fn a_replayed_request_is_refused_and_the_count_must_go_up() {
    let mut s = server();
    let challenge = s.challenge(Time(1_000), &RANDOM, Algorithm::Md5, false);
    let first = answer_nc(&challenge, "demo", "REGISTER", 1);
    assert_eq!(s.verify(Time(1_500), &first, "REGISTER", Secret::Password("demo")), Ok(()));
    // The same request again (captured and sent by someone else): refused.
    assert_eq!(
        s.verify(Time(1_600), &first, "REGISTER", Secret::Password("demo")),
        Err(AuthError::Replayed)
    );
    let third = answer_nc(&challenge, "demo", "REGISTER", 3);
    assert_eq!(s.verify(Time(1_700), &third, "REGISTER", Secret::Password("demo")), Ok(()));
    // Counting down is a replay too.
    let second = answer_nc(&challenge, "demo", "REGISTER", 2);
    assert_eq!(
        s.verify(Time(1_800), &second, "REGISTER", Secret::Password("demo")),
        Err(AuthError::Replayed)
    );
    // A wrong password never reaches the count: it stays a wrong password.
    let wrong = answer_nc(&challenge, "guess", "REGISTER", 9);
    assert_eq!(
        s.verify(Time(1_900), &wrong, "REGISTER", Secret::Password("demo")),
        Err(AuthError::WrongPassword)
    );
}

#[test]
fn the_digest_uri_must_name_the_request_uri() {
    let c = answer(
        &server().challenge(Time(0), &RANDOM, Algorithm::Md5, false),
        "demo",
        "INVITE",
    );
    assert_eq!(c.check_uri("sip:hotline.example"), Ok(()));
    // Same URI written differently: host case, no difference in meaning.
    assert_eq!(c.check_uri("sip:HOTLINE.example"), Ok(()));
    assert_eq!(
        c.check_uri("sip:00442079460000@hotline.example"),
        Err("uri Does Not Match Request-URI")
    );
    assert_eq!(
        c.check_uri("sip:hotline.example:5070"),
        Err("uri Does Not Match Request-URI")
    );
}

#[test]
fn rfc_2069_style_without_qop_is_challenged_again() {
    let mut s = server();
    let nonce = s.nonce(Time(0), &RANDOM);
    let r = response(
        Algorithm::Md5,
        &ha1(Algorithm::Md5, "8001", "hotline", "demo"),
        &nonce,
        "REGISTER",
        "sip:h",
        None,
    );
    let header = format!("Digest username=\"8001\", realm=\"hotline\", nonce=\"{nonce}\", uri=\"sip:h\", response=\"{r}\"");
    assert_eq!(
        s.verify(
            Time(1),
            &Credentials::parse(&header).unwrap(),
            "REGISTER",
            Secret::Password("demo")
        ),
        Err(AuthError::QopRequired)
    );
}

#[test]
fn malformed_credentials_say_what_is_wrong() {
    let ok = "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"0123456789abcdef0123456789abcdef\"";
    assert!(Credentials::parse(ok).is_ok());
    let cases = [
        ("Basic dXNlcjpwYXNz", AuthError::UnsupportedScheme),
        (
            "NoOneKnowsThisScheme opaque-data=here",
            AuthError::UnsupportedScheme,
        ),
        (
            "Digest username=\"a\"",
            AuthError::Malformed("Missing realm"),
        ),
        (
            &format!("{ok}, algorithm=SHA-512"),
            AuthError::UnsupportedAlgorithm,
        ),
        (
            &format!("{ok}, qop=auth"),
            AuthError::Malformed("Missing nc"),
        ),
        (
            &format!("{ok}, qop=auth-int, nc=00000001, cnonce=x"),
            AuthError::Malformed("Unsupported qop"),
        ),
        (
            &format!("{ok}, qop=auth, nc=1, cnonce=x"),
            AuthError::Malformed("Bad nc"),
        ),
        (
            &ok.replace("0123456789abcdef0123456789abcdef", "xyz"),
            AuthError::Malformed("Bad response"),
        ),
        (
            &format!("{ok}, realm=\"again\""),
            AuthError::Malformed("Repeated Parameter"),
        ),
        (
            "Digest username=\"open",
            AuthError::Malformed("Unbalanced Quotes"),
        ),
        (
            "Digest username",
            AuthError::Malformed("Parameter Without Value"),
        ),
        ("", AuthError::UnsupportedScheme),
    ];
    for (header, want) in cases {
        assert_eq!(Credentials::parse(header), Err(want.clone()), "{header}");
    }
    assert_eq!(
        AuthError::Malformed("Missing realm").to_string(),
        "Malformed Credentials: Missing realm"
    );
}

#[test]
fn the_client_answers_with_opaque_and_without_qop_when_not_offered() {
    let c = Challenge::parse("Digest realm=\"trunk\", nonce=\"abc\", opaque=\"xyz\"").unwrap();
    assert_eq!((c.algorithm, c.qop_auth), (Algorithm::Md5, false));
    let h = authorization(&c, "u", "p", "REGISTER", "sip:trunk", "cn", 1);
    assert!(h.contains("opaque=\"xyz\"") && !h.contains("qop"), "{h}");
    let creds = Credentials::parse(&h).unwrap();
    let want = response(
        Algorithm::Md5,
        &ha1(Algorithm::Md5, "u", "trunk", "p"),
        "abc",
        "REGISTER",
        "sip:trunk",
        None,
    );
    assert_eq!(creds.response, want);
}
