//! The guard on a virtual clock: password guessing throttled then banned,
//! a distributed guess closing the extension to strangers only, request
//! floods and scanners banned, memory given back.

use std::net::IpAddr;

use hotline_guard::{Guard, GuardConfig, Refusal, Time};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn cfg() -> GuardConfig {
    GuardConfig {
        max_failures: 6,
        throttle_after: 3,
        throttle_base_ms: 1_000,
        extension_max_failures: 10,
        window_ms: 60_000,
        ban_ms: 600_000,
        requests_per_sec: 10,
        request_burst: 20,
        flood_ban_after: 30,
        ..GuardConfig::default()
    }
}

#[test]
fn a_guesser_is_throttled_then_banned_and_a_neighbour_is_not() {
    let mut g = Guard::new(cfg());
    let attacker = ip("192.0.2.66");
    // Two failures: no wait yet.
    for t in [0, 10] {
        assert_eq!(g.may_try(attacker, "8001", Time(t)), Ok(()));
        assert!(!g.failed(attacker, "8001", Time(t)));
    }
    assert_eq!(g.may_try(attacker, "8001", Time(20)), Ok(()));
    g.failed(attacker, "8001", Time(20));
    // The third failure: wait a second before the next attempt is checked.
    assert_eq!(g.may_try(attacker, "8001", Time(500)), Err(Refusal::Throttled { retry_after_ms: 520 }));
    // That refusal counted (4 failures): the wait doubles from now.
    assert_eq!(g.may_try(attacker, "8001", Time(600)), Err(Refusal::Throttled { retry_after_ms: 1_900 }));
    // Guessing on regardless reaches the ban (6 failures).
    assert!(!g.is_banned(attacker, Time(600)));
    assert!(matches!(g.may_try(attacker, "8001", Time(700)), Err(Refusal::Throttled { .. })));
    assert!(g.is_banned(attacker, Time(700)));
    assert_eq!(g.may_try(attacker, "8001", Time(700)), Err(Refusal::Banned));
    assert!(!g.admit(attacker, Time(700)));
    assert!(!g.request(attacker, None, Time(700)));
    // The right password from the banned source does not get in either.
    assert_eq!(g.may_try(attacker, "8001", Time(1_000)), Err(Refusal::Banned));
    // Another address is untouched.
    let phone = ip("192.0.2.10");
    assert_eq!(g.may_try(phone, "8001", Time(1_000)), Ok(()));
    assert!(g.admit(phone, Time(1_000)));
    // The ban ends.
    assert!(g.is_banned(attacker, Time(700 + 599_999)));
    assert!(!g.is_banned(attacker, Time(700 + 600_000)));
    let s = g.stats(Time(1_000));
    assert_eq!((s.bans_failures, s.banned_now, s.refused_attempts), (1, 1, 3));
    // Three passwords were checked and wrong; the refusals were not checked.
    assert_eq!(s.failed_attempts, 3);
}

#[test]
fn a_distributed_guess_closes_the_extension_to_strangers_only() {
    let mut g = Guard::new(cfg());
    let phone = ip("192.0.2.10");
    g.succeeded(phone, "8001", Time(0));
    // Ten sources, one wrong guess each: none is banned or throttled...
    for i in 0..10 {
        let bot = ip(&format!("198.51.100.{i}"));
        assert_eq!(g.may_try(bot, "8001", Time(100 + i)), Ok(()));
        g.failed(bot, "8001", Time(100 + i));
    }
    // ...but the extension is now closed to sources it does not know.
    assert_eq!(g.may_try(ip("198.51.100.200"), "8001", Time(200)), Err(Refusal::ExtensionClosed));
    // Its own phone still gets in; other extensions are open.
    assert_eq!(g.may_try(phone, "8001", Time(200)), Ok(()));
    assert_eq!(g.may_try(ip("198.51.100.201"), "8002", Time(200)), Ok(()));
    // The window passes: open again.
    assert_eq!(g.may_try(ip("198.51.100.202"), "8001", Time(100 + 60_010)), Ok(()));
}

#[test]
fn success_forgets_the_failures_of_a_source() {
    let mut g = Guard::new(cfg());
    let phone = ip("192.0.2.10");
    g.failed(phone, "8001", Time(0));
    g.failed(phone, "8001", Time(1));
    g.succeeded(phone, "8001", Time(2));
    for t in 3..5 {
        g.failed(phone, "8001", Time(t));
    }
    // Two failures since the success: not throttled.
    assert_eq!(g.may_try(phone, "8001", Time(6)), Ok(()));
}

#[test]
fn a_request_flood_is_limited_then_banned() {
    let mut g = Guard::new(cfg());
    let scanner = ip("192.0.2.77");
    let passed = (0..20).filter(|i| g.request(scanner, Some("Desk Phone"), Time(*i))).count();
    assert_eq!(passed, 20, "the burst");
    assert!(!g.request(scanner, None, Time(21)), "over the burst");
    // 100 ms later one more token (10 per second).
    assert!(g.request(scanner, None, Time(121)));
    // Keep going: 30 drops in the window ban the source.
    let mut t = 122;
    while !g.is_banned(scanner, Time(t)) && t < 200 {
        g.request(scanner, None, Time(t));
        t += 1;
    }
    assert!(g.is_banned(scanner, Time(t)), "banned after the drops");
    assert_eq!(g.stats(Time(t)).bans_flood, 1);
    // A phone sending at its own pace is never limited.
    let phone = ip("192.0.2.10");
    assert!((0..50).all(|i| g.request(phone, None, Time(i * 200))));
}

#[test]
fn a_scanners_user_agent_is_banned_on_sight() {
    let mut g = Guard::new(cfg());
    let s = ip("192.0.2.88");
    assert!(!g.request(s, Some("friendly-scanner"), Time(0)));
    assert!(g.is_banned(s, Time(1)));
    assert!(!g.request(s, Some("Desk Phone"), Time(2)));
    assert_eq!(g.stats(Time(2)).bans_scanner, 1);
    // Unbanned by an admin.
    g.unban(s);
    assert!(g.request(s, Some("Desk Phone"), Time(3)));
}

#[test]
fn a_limit_of_zero_turns_the_request_limit_off_and_purge_frees_memory() {
    let mut g = Guard::new(GuardConfig { requests_per_sec: 0, ..cfg() });
    let s = ip("192.0.2.99");
    assert!((0..10_000).all(|i| g.request(s, None, Time(i / 100))));
    let mut g = Guard::new(cfg());
    for i in 0..200u32 {
        let bot = IpAddr::from([10, 0, (i / 256) as u8, (i % 256) as u8]);
        g.request(bot, None, Time(0));
        g.failed(bot, "8001", Time(0));
    }
    g.purge(Time(10 * 60_000));
    // Everything forgotten: a new failure starts from one.
    let bot = IpAddr::from([10, 0, 0, 1]);
    assert_eq!(g.may_try(bot, "8001", Time(10 * 60_000)), Ok(()));
    assert_eq!(g.banned(Time(10 * 60_000)), vec![]);
}
