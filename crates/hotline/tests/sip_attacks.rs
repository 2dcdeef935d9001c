//! The phone side under attack, over real sockets. The attacker sends from
//! other loopback addresses (127.0.0.2 and up), so the legitimate phones on
//! 127.0.0.1 are judged on what they see while it happens:
//!
//! - password guessing on INVITE: throttled, then banned; the right
//!   password from the banned address gets nothing, not even to OPTIONS;
//! - an extension sweep (REGISTER, INVITE, OPTIONS over 300 extensions, as
//!   sipvicious' `svwar` does), password cracking over TCP (`svcrack`) and
//!   a scanner's User-Agent: each banned, while a registered phone keeps
//!   taking calls (setup times with and without the scan are printed);
//! - toll fraud: outside numbers beyond an extension's class, blocked
//!   prefixes and non-numbers refused with their reason;
//! - RTP injection into a recorded call, from another address and from
//!   another port, started before the caller's first packet: neither heard
//!   nor recorded, and the injector receives nothing back.
//!
//! Absences are proven by order: the server reads one socket in arrival
//! order, so once a legitimate request sent after the attacker's is
//! answered, the attacker's answer would already have come.

mod attack;
mod common;
mod phones;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use attack::{inject_rtp, Sip, SipTcp};
use common::Server;
use phones::{describe, dominant, free_udp_port, last, tone_share, Phone, Wav};
use serde_json::{json, Value};

const CALLER_HZ: u32 = 440;
const AGENT_HZ: u32 = 880;
const ATTACK_HZ: f64 = 1000.0;
const TONES: [f64; 3] = [CALLER_HZ as f64, AGENT_HZ as f64, ATTACK_HZ];

async fn start_server(tune: impl FnOnce(&mut hotline_config::Config)) -> (Server, std::net::SocketAddr) {
    let port = free_udp_port();
    let s = Server::start_tuned(tempfile::tempdir().unwrap(), String::new(), None, |c| {
        c.sip.listen = format!("127.0.0.1:{port}").parse().unwrap();
        tune(c);
    })
    .await;
    (s, format!("127.0.0.1:{port}").parse().unwrap())
}

/// 1001 answers with a greeting and hangs up: what the legitimate phone
/// times its call setups against, without ringing any agent.
async fn route_1001_to_a_greeting(s: &Server, admin: &str) {
    let flow = json!({ "id": "hello", "start": "hi", "nodes": {
        "hi": { "type": "play", "prompts": ["greeting"], "next": "bye" },
        "bye": { "type": "hangup" } } });
    let r = s.req(reqwest::Method::PUT, "/api/v1/ivr/flows/hello", Some(admin), Some(flow)).await;
    assert_eq!(r.status(), 201, "save flow: {}", r.text().await.unwrap_or_default());
    let version = r.json::<Value>().await.unwrap()["version"].as_i64().unwrap();
    let r = s.post_json(&format!("/api/v1/ivr/flows/hello/versions/{version}/publish"), Some(admin), json!({})).await;
    assert_eq!(r.status(), 200);
    let r = s.req(reqwest::Method::PUT, "/api/v1/ivr/numbers/1001", Some(admin), Some(json!({"flow_id": "hello"}))).await;
    assert_eq!(r.status(), 200);
}

async fn agent_ids(s: &Server, token: &str) -> HashMap<String, String> {
    let agents = s.get_json("/api/v1/agents", token).await;
    agents.as_array().unwrap().iter().map(|a| (a["extension"].as_str().unwrap().to_owned(), a["id"].as_str().unwrap().to_owned())).collect()
}

async fn wait_available(s: &Server, token: &str, agent: &str) {
    common::poll(s, token, &format!("/api/v1/agents/{agent}/state"), "agent available", 10, |st| st["status"] == "available").await;
}

async fn guard(s: &Server, admin: &str) -> Value {
    s.get_json("/api/v1/sip/guard", admin).await
}

fn banned(g: &Value, ip: &str) -> bool {
    g["banned"].as_array().is_some_and(|b| b.iter().any(|x| x["ip"] == ip))
}

/// Proves that nothing answered `attacker` so far: a legitimate OPTIONS
/// sent afterwards is answered first, then the attacker's socket is empty.
async fn nothing_answered(attacker: &Sip, legit: &mut Sip) {
    let ok = legit.ask("OPTIONS", &format!("sip:{}", legit.server), "100", "", 5.0).await;
    assert_eq!(ok.map(|a| a.status), Some(200), "the legitimate OPTIONS");
    let got = attacker.drain(0.2).await;
    assert!(got.is_empty(), "the banned address was answered: {got:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_password_guessing_is_throttled_then_banned_and_the_right_password_then_fails() {
    let (s, server) = start_server(|_| {}).await;
    let admin = s.login("admin", "demo").await;
    let mut attacker = Sip::bind("127.0.0.2", server).await;
    let mut legit = Sip::bind("127.0.0.1", server).await;
    let target = format!("sip:00442079460000@{server}");

    // Guess 8001's password as fast as answers come.
    let mut answers = Vec::new();
    for i in 0..40 {
        match attacker.invite_with_password(&target, "8001", &format!("guess{i}")).await {
            Some(a) => answers.push(format!("{} {}", a.status, a.reason())),
            None => break,
        }
    }
    eprintln!("answers before the ban: {answers:?}");
    let checked = answers.iter().filter(|a| *a == "403 Forbidden").count();
    let throttled = answers.iter().filter(|a| *a == "403 Too Many Failed Attempts").count();
    assert_eq!(checked, 3, "three guesses are checked, then the address must wait: {answers:?}");
    assert!(throttled >= 1 && answers.len() < 12, "throttled, then banned within ten failures: {answers:?}");
    let g = guard(&s, &admin).await;
    assert!(banned(&g, "127.0.0.2"), "{g}");
    assert_eq!(g["bans_for_failures"], 1, "{g}");

    // The right password from the banned address: not even challenged.
    let (invite, _) = attacker.request("INVITE", &target, "8001", "", None, "Desk Phone 1.0");
    attacker.send(&invite).await;
    let (options, _) = attacker.request("OPTIONS", &format!("sip:{server}"), "8001", "", None, "Desk Phone 1.0");
    attacker.send(&options).await;
    nothing_answered(&attacker, &mut legit).await;

    // The extension itself is not locked: its owner, from its own address,
    // authenticates (and is refused only by the calling permissions).
    let own = legit.invite_with_password(&target, "8001", "demo").await.expect("an answer");
    assert_eq!((own.status, own.reason()), (403, "International Calls Not Permitted"));

    // An admin lifts the ban (audited); the address is challenged again.
    let r = s.req(reqwest::Method::DELETE, "/api/v1/sip/guard/bans/127.0.0.2", Some(&admin), None).await;
    assert_eq!(r.status(), 204);
    let again = attacker.ask("INVITE", &target, "8001", "", 3.0).await.expect("challenged again");
    assert_eq!(again.status, 407);
    let audit = s.get_json("/api/v1/audit?limit=20", &admin).await;
    assert!(audit.to_string().contains("sip.unban"), "{audit}");
    // Agents may not see the guard.
    let agent = s.login("agent1", "demo").await;
    assert_eq!(s.get("/api/v1/sip/guard", Some(&agent)).await.status(), 403);
    s.stop().await;
}

/// Extension `ext` (password `demo`) dials `number`: the final answer.
async fn dial_out(phone: &mut Sip, number: &str, ext: &str) -> Option<(u16, String)> {
    let uri = format!("sip:{number}@{}", phone.server);
    phone.invite_with_password(&uri, ext, "demo").await.map(|a| (a.status, a.reason().to_owned()))
}

/// Five calls to 1001 from `legit`: the INVITE → 200 OK times, sorted.
async fn setups(legit: &mut Sip, label: &str) -> Vec<Duration> {
    let mut times = Vec::new();
    for _ in 0..5 {
        let d = legit.call(&format!("sip:1001@{}", legit.server), "5550100").await.unwrap_or_else(|| panic!("{label}: the call was not answered"));
        times.push(d.setup);
        assert!(legit.hang_up(&d).await, "{label}: BYE answered");
    }
    times.sort();
    eprintln!("{label}: INVITE → 200 OK, median {:?}, max {:?}", times[2], times[4]);
    times
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_calls_follow_the_calling_permissions() {
    let (s, server) = start_server(|c| {
        c.calling.default_class = "internal".into();
        c.calling.rules.push(hotline_config::CallingRule {
            extensions: vec!["8002".into()],
            class: "international".into(),
            block_prefixes: vec!["00881".into()],
            ..Default::default()
        });
    })
    .await;
    let mut phone = Sip::bind("127.0.0.1", server).await;
    let refused = |status: u16, reason: &str| Some((status, reason.to_owned()));
    assert_eq!(dial_out(&mut phone, "62345678", "8001").await, refused(403, "Outside Calls Not Permitted"), "internal only");
    assert_eq!(dial_out(&mut phone, "0088112345678", "8002").await, refused(403, "Number Blocked"), "a satellite range");
    assert_eq!(dial_out(&mut phone, "12", "8002").await, refused(484, "Address Incomplete"));
    // Without credentials nothing goes out at all.
    let mut stranger = Sip::bind("127.0.0.2", server).await;
    let challenged = stranger.ask("INVITE", &format!("sip:62345678@{server}"), "8001", "", 3.0).await.unwrap();
    assert_eq!(challenged.status, 407);
    let admin = s.login("admin", "demo").await;
    assert_eq!(guard(&s, &admin).await["outside_denied"], 3);
    let metrics = s.get("/metrics", None).await.text().await.unwrap();
    assert!(metrics.contains("hotline_outside_calls_denied_total 3"), "{metrics}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_and_a_crack_are_banned_while_a_registered_phone_keeps_taking_calls() {
    let (s, server) = start_server(|_| {}).await;
    let admin = s.login("admin", "demo").await;
    common::route_1000_straight_to_sales(&s, &admin).await;
    route_1001_to_a_greeting(&s, &admin).await;
    let sup = s.login("supervisor", "demo").await;
    let ids = agent_ids(&s, &sup).await;
    let agent = Phone::builder("8001").register(server.port(), "demo").auto_answer().tone(AGENT_HZ).start();
    wait_available(&s, &sup, &ids["8001"]).await;

    // Call setup from a legitimate phone on 127.0.0.1: INVITE → 200 OK.
    let mut legit = Sip::bind("127.0.0.1", server).await;
    setups(&mut legit, "without a scan").await;

    // The sweep, from 127.0.0.2, as fast as the socket takes it.
    let mut scanner = Sip::bind("127.0.0.2", server).await;
    let mut sweep = Vec::new();
    for ext in 100..400 {
        for method in ["REGISTER", "INVITE", "OPTIONS"] {
            sweep.push(scanner.request(method, &format!("sip:{ext}@{server}"), &ext.to_string(), "", None, "Desk Phone 1.0").0);
        }
    }
    // It keeps sweeping (about 5,000 requests a second) until the legitimate
    // calls below are done: first it is limited, then banned and dropped.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let scanning = stop.clone();
    let scan = tokio::spawn(async move {
        let mut sent = 0usize;
        let mut answered = 0usize;
        let mut buf = vec![0u8; 65536];
        'sweep: loop {
            for chunk in sweep.chunks(50) {
                if scanning.load(std::sync::atomic::Ordering::Relaxed) {
                    break 'sweep;
                }
                for text in chunk {
                    scanner.send(text).await;
                    sent += 1;
                }
                while let Ok((n, _)) = scanner.socket().try_recv_from(&mut buf) {
                    answered += usize::from(buf[..n].starts_with(b"SIP/2.0 2") || buf[..n].starts_with(b"SIP/2.0 4"));
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        answered += scanner.drain(0.5).await.iter().filter(|m| m.starts_with("SIP/2.0 4") || m.starts_with("SIP/2.0 2")).count();
        (answered, sent)
    });
    // Meanwhile: calls from the legitimate phone, and a caller the agent takes.
    let during = setups(&mut legit, "during the scan").await;
    let caller = Phone::builder("5550111").tone(CALLER_HZ).start();
    caller.wait_for("baresip is ready", 10).await;
    caller.dial(&format!("sip:1000@{server}"));
    agent.wait_for(phones::ESTABLISHED, 15).await;
    caller.wait_for(phones::ESTABLISHED, 10).await;
    caller.hangup();
    agent.wait_for(phones::SESSION_CLOSED, 10).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (answered, sent) = scan.await.unwrap();
    eprintln!("the scanner sent {sent} requests and got {answered} answers");
    assert!(answered < 200, "the sweep was limited: {answered} of {sent} answered");
    assert_eq!(during.len(), 5);

    // svcrack over TCP from 127.0.0.3 against 8003.
    let mut tcp = SipTcp::connect("127.0.0.3", server).await.expect("tcp");
    let mut cracker = Sip::bind("127.0.0.3", server).await;
    let mut statuses = Vec::new();
    for i in 0..30 {
        let (reg, _) = cracker.request("REGISTER", &format!("sip:{server}"), "8003", "", Some(&format!("crack{i}")), "Desk Phone 1.0");
        if tcp.send(&reg).await.is_err() {
            break;
        }
        let Some(challenge) = tcp.response(2.0).await else { break };
        statuses.push(challenge.status);
        let Some(www) = challenge.header("WWW-Authenticate") else { continue };
        let c = hotline_sip::auth::Challenge::parse(www).unwrap();
        let auth = hotline_sip::auth::authorization(&c, "8003", &format!("pw{i}"), "REGISTER", &format!("sip:{server}"), "cn", 1);
        let (guess, _) = cracker.request("REGISTER", &format!("sip:{server}"), "8003", &format!("Authorization: {auth}\r\n"), Some(&format!("crack{i}")), "Desk Phone 1.0");
        if tcp.send(&guess).await.is_err() {
            break;
        }
        match tcp.response(2.0).await {
            Some(a) => statuses.push(a.status),
            None => break,
        }
    }
    eprintln!("the cracker's answers: {statuses:?}");
    assert!(statuses.len() < 25, "the crack was stopped: {statuses:?}");

    // A scanner that says what it is.
    let mut named = Sip::bind("127.0.0.4", server).await;
    let (probe, _) = named.request("OPTIONS", &format!("sip:100@{server}"), "100", "", None, "friendly-scanner");
    named.send(&probe).await;
    nothing_answered(&named, &mut legit).await;

    let g = guard(&s, &admin).await;
    eprintln!("guard: {g}");
    for ip in ["127.0.0.2", "127.0.0.3", "127.0.0.4"] {
        assert!(banned(&g, ip), "{ip} banned: {g}");
    }
    assert!(!banned(&g, "127.0.0.1"), "{g}");
    assert_eq!((g["bans_for_floods"].as_u64(), g["bans_for_scanners"].as_u64()), (Some(1), Some(1)), "{g}");
    let metrics = s.get("/metrics", None).await.text().await.unwrap();
    assert!(metrics.contains("hotline_sip_banned_sources 3"), "{metrics}");
    caller.quit().await;
    agent.quit().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtp_injected_by_strangers_is_neither_heard_nor_recorded() {
    // A small RTP range, so the attacker can hit every port of the call.
    let (s, server) = start_server(|c| {
        c.media.rtp_port_min = 29100;
        c.media.rtp_port_max = 29119;
    })
    .await;
    let admin = s.login("admin", "demo").await;
    common::route_1000_straight_to_sales(&s, &admin).await;
    let sup = s.login("supervisor", "demo").await;
    let ids = agent_ids(&s, &sup).await;
    let agent = Phone::builder("8001").register(server.port(), "demo").auto_answer().tone(AGENT_HZ).start();
    wait_available(&s, &sup, &ids["8001"]).await;

    // Strangers on another address and on the phones' own address start
    // sending before the call exists, so their packets arrive first.
    let ports: Vec<u16> = (29100..29120).step_by(2).collect();
    let far = tokio::net::UdpSocket::bind("127.0.0.2:0").await.unwrap();
    let near = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let server_ip = server.ip();
    let (p1, p2) = (ports.clone(), ports.clone());
    let injection = tokio::spawn(async move {
        tokio::join!(inject_rtp(&far, server_ip, &p1, ATTACK_HZ, 450), inject_rtp(&near, server_ip, &p2, ATTACK_HZ, 450));
        (far, near)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let caller = Phone::builder("5550122").tone(CALLER_HZ).start();
    caller.wait_for("baresip is ready", 10).await;
    let dialled = Instant::now();
    caller.dial(&format!("sip:1000@{server}"));
    caller.wait_for(phones::ESTABLISHED, 10).await;
    agent.wait_for(phones::ESTABLISHED, 15).await;
    // Talk while the injection goes on (it lasts 9 s from before the dial).
    let bridged_for = Duration::from_secs(4);
    tokio::time::sleep(bridged_for).await;
    caller.hangup();
    caller.wait_for(phones::TERMINATED, 5).await;
    agent.wait_for(phones::TERMINATED, 10).await;
    eprintln!("call lasted {:?}", dialled.elapsed());
    let (far, near) = injection.await.unwrap();

    // Nothing of the call went to the strangers.
    let mut buf = [0u8; 2048];
    for (who, sock) in [("127.0.0.2", &far), ("127.0.0.1 (other port)", &near)] {
        let mut got = 0;
        while sock.try_recv_from(&mut buf).is_ok() {
            got += 1;
        }
        assert_eq!(got, 0, "{who} received {got} packets of the call");
    }
    // What the phones heard: each other only.
    let heard_by_caller = caller.received_audio();
    let heard_by_agent = agent.received_audio();
    let (c_end, a_end) = (last(&heard_by_caller, 2.5, 0.3), last(&heard_by_agent, 2.5, 0.3));
    eprintln!("caller heard: {}", describe(c_end, &TONES));
    eprintln!("agent heard: {}", describe(a_end, &TONES));
    assert_eq!(dominant(c_end, &TONES), Some(f64::from(AGENT_HZ)));
    assert_eq!(dominant(a_end, &TONES), Some(f64::from(CALLER_HZ)));
    assert!(tone_share(&heard_by_caller, 8000, ATTACK_HZ) < 0.01, "the caller heard the stranger: {}", describe(&heard_by_caller, &TONES));
    assert!(tone_share(&heard_by_agent, 8000, ATTACK_HZ) < 0.01, "the agent heard the stranger: {}", describe(&heard_by_agent, &TONES));

    // The recording: caller left, agent right, no stranger anywhere.
    let list = common::poll(&s, &sup, "/api/v1/interactions?limit=5", "a finished call", 10, |v| {
        v.as_array().is_some_and(|l| l.iter().any(|i| i["outcome"].is_string()))
    })
    .await;
    let id = list[0]["id"].as_str().unwrap().to_owned();
    let detail = common::poll(&s, &sup, &format!("/api/v1/interactions/{id}"), "a finished recording", 10, |d| {
        d["recordings"].as_array().is_some_and(|r| r.len() == 1 && r[0]["sha256"].is_string())
    })
    .await;
    let rec = detail["recordings"][0]["id"].as_str().unwrap();
    let bytes = s.get(&format!("/api/v1/recordings/{rec}/audio"), Some(&sup)).await.bytes().await.unwrap();
    let wav = Wav::parse(&bytes).unwrap();
    let (left, right) = (wav.channel(0), wav.channel(1));
    eprintln!("recording left: {}", describe(&left, &TONES));
    eprintln!("recording right: {}", describe(&right, &TONES));
    assert_eq!(dominant(last(&left, 2.5, 0.3), &TONES), Some(f64::from(CALLER_HZ)));
    assert_eq!(dominant(last(&right, 2.5, 0.3), &TONES), Some(f64::from(AGENT_HZ)));
    assert!(tone_share(&left, 8000, ATTACK_HZ) < 0.01 && tone_share(&right, 8000, ATTACK_HZ) < 0.01, "the stranger is in the recording");

    let g = guard(&s, &admin).await;
    assert!(g["rtp_strangers"].as_u64().is_some_and(|n| n > 100), "strangers counted: {g}");
    caller.quit().await;
    agent.quit().await;
    s.stop().await;
}
