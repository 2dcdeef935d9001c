//! Call control and live supervision with real SIP phones (baresip): each
//! party sends its own tone, so what each one hears proves the path.
//!
//! - Hold from the desktop API and from the agent's phone (a re-INVITE
//!   `sendonly`): the caller hears the queue's music while held and the
//!   agent again after resume; hold count and time land on the interaction.
//! - A supervisor's phone rung to monitor the call: in `listen` the
//!   supervisor hears caller and agent and nobody hears the supervisor; in
//!   `whisper` only the agent does; in `barge` everyone does — switched
//!   without dialling again, audited, on the interaction's timeline.
//! - Refusals: someone else's call, a call that is not connected, a call
//!   that no longer exists.

mod common;
mod phones;

use std::time::{Duration, Instant};

use common::Server;
use phones::{between, describe, tone_share, Phone, RATE};
use reqwest::Method;
use serde_json::{json, Value};

const CALLER_HZ: u32 = 440;
const AGENT_HZ: u32 = 880;
const MUSIC_HZ: u32 = 660;
const SUPERVISOR_HZ: u32 = 1320;
const TONES: [f64; 4] = [CALLER_HZ as f64, AGENT_HZ as f64, MUSIC_HZ as f64, SUPERVISOR_HZ as f64];

/// Uploads `moh` as a steady tone, so music on hold can be told apart.
async fn music_on_hold_is_a_tone(s: &Server, admin: &str) {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("moh.wav");
    phones::make_tone(&wav, MUSIC_HZ, 30);
    let r = s.http.put(format!("{}/api/v1/prompts/moh", s.base)).bearer_auth(admin).header("content-type", "audio/wav").body(std::fs::read(&wav).unwrap()).send().await.unwrap();
    assert_eq!(r.status(), 200, "upload moh: {}", r.text().await.unwrap_or_default());
}

/// Waits until `phone` has received `secs` more seconds of audio than it
/// had at `since`, and returns what it received after the first `settle`
/// seconds of that (the mix changing hands).
async fn heard_next(phone: &Phone, since: usize, secs: f64, what: &str) -> Vec<i16> {
    let settle = 0.6;
    let want = since + ((secs + settle) * f64::from(RATE)) as usize;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = phone.received();
        if n >= want {
            let all = phone.received_audio();
            let window = between(&all[since..], settle, settle + secs).to_vec();
            eprintln!("{what}: {}", describe(&window, &TONES));
            return window;
        }
        assert!(Instant::now() < deadline, "{what}: under {secs} s of audio within 20 s ({} samples; dumps {:?})", n.saturating_sub(since), phone.dumps("dec"));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn assert_hears(what: &str, samples: &[i16], hears: &[u32], not: &[u32]) {
    for hz in hears {
        let share = tone_share(samples, RATE, f64::from(*hz));
        assert!(share > 0.12, "{what}: should hear {hz} Hz (share {share:.3}); {}", describe(samples, &TONES));
    }
    for hz in not {
        let share = tone_share(samples, RATE, f64::from(*hz));
        assert!(share < 0.03, "{what}: should not hear {hz} Hz (share {share:.3}); {}", describe(samples, &TONES));
    }
}

/// Waits for the agent with `extension` to be available (their phone registered).
async fn wait_available(s: &Server, sup: &str, extension: &str) {
    let agents = s.get_json("/api/v1/agents", sup).await;
    let id = agents.as_array().unwrap().iter().find(|a| a["extension"] == extension).and_then(|a| a["id"].as_str()).unwrap().to_owned();
    common::poll(s, sup, &format!("/api/v1/agents/{id}/state"), &format!("{extension} available"), 10, |st| st["status"] == "available").await;
}

/// The one call in progress that is `talking`.
async fn talking_call(s: &Server, sup: &str) -> Value {
    let calls = common::poll(s, sup, "/api/v1/calls", "a call talking", 15, |v| v.as_array().is_some_and(|a| a.iter().any(|c| c["phase"] == "talking"))).await;
    calls.as_array().unwrap().iter().find(|c| c["phase"] == "talking").cloned().unwrap()
}

async fn call_state(s: &Server, sup: &str, contact: &str, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let v = common::poll(s, sup, "/api/v1/calls", what, 15, |v| v.as_array().is_some_and(|a| a.iter().any(|c| c["contact_id"] == contact && ok(c)))).await;
    v.as_array().unwrap().iter().find(|c| c["contact_id"] == contact).cloned().unwrap()
}

/// A server where 1000 goes straight to sales, and a caller (440 Hz) put
/// through to 8001 (880 Hz, answering by itself).
struct Connected {
    s: Server,
    sip_port: u16,
    admin: String,
    sup: String,
    agent: Phone,
    caller: Phone,
    contact: String,
}

async fn connected_call() -> Connected {
    let (s, sip_port) = phones::server_with_sip(|_| {}).await;
    let admin = s.login("admin", "demo").await;
    common::route_1000_straight_to_sales(&s, &admin).await;
    let sup = s.login("supervisor", "demo").await;
    let agent = Phone::builder("8001").register(sip_port, "demo").auto_answer().tone(AGENT_HZ).start();
    wait_available(&s, &sup, "8001").await;
    let caller = Phone::builder("13800138000").tone(CALLER_HZ).start();
    caller.wait_for("baresip is ready", 10).await;
    caller.dial(&format!("sip:1000@127.0.0.1:{sip_port}"));
    agent.wait_for(phones::ESTABLISHED, 20).await;
    let contact = talking_call(&s, &sup).await["contact_id"].as_str().unwrap().to_owned();
    Connected { s, sip_port, admin, sup, agent, caller, contact }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hold_plays_music_and_a_supervisor_listens_whispers_and_barges_in() {
    let Connected { s, sip_port, admin, sup, agent, caller, contact } = connected_call().await;
    music_on_hold_is_a_tone(&s, &admin).await;
    let agent1 = s.login("agent1", "demo").await;
    let agent2 = s.login("agent2", "demo").await;
    let call = talking_call(&s, &sup).await;
    assert_eq!((call["extension"].as_str(), call["held"].as_bool()), (Some("8001"), Some(false)), "{call}");
    assert_eq!(call["from"], "13800138000", "supervisors see numbers in full by default: {call}");
    let hear_agent = heard_next(&caller, caller.received(), 1.5, "caller, bridged").await;
    assert_hears("caller, bridged", &hear_agent, &[AGENT_HZ], &[MUSIC_HZ]);

    // Someone else's call, and a hold without a call, are refused.
    let r = s.req(Method::POST, &format!("/api/v1/calls/{contact}/hold"), Some(&agent2), None).await;
    common::assert_error(r, 403, "not_your_call", None).await;
    let r = s.req(Method::POST, "/api/v1/calls/no-such-call/hold", Some(&agent1), None).await;
    common::assert_error(r, 404, "no_call", None).await;

    // Hold from the desktop: music for the caller; resume: the agent again.
    let at = caller.received();
    let r = s.req(Method::POST, &format!("/api/v1/calls/{contact}/hold"), Some(&agent1), None).await;
    assert_eq!(r.status(), 204, "hold: {}", r.text().await.unwrap_or_default());
    call_state(&s, &sup, &contact, "held", |c| c["held"] == true).await;
    let held = heard_next(&caller, at, 2.0, "caller, held").await;
    assert_hears("caller, held", &held, &[MUSIC_HZ], &[AGENT_HZ]);
    let at = caller.received();
    let r = s.req(Method::POST, &format!("/api/v1/calls/{contact}/resume"), Some(&agent1), None).await;
    assert_eq!(r.status(), 204);
    let back = heard_next(&caller, at, 1.5, "caller, resumed").await;
    assert_hears("caller, resumed", &back, &[AGENT_HZ], &[MUSIC_HZ]);

    // The supervisor's phone is rung to listen.
    let supervisor = Phone::builder("8003").register(sip_port, "demo").auto_answer().tone(SUPERVISOR_HZ).start();
    wait_available(&s, &sup, "8003").await;
    let r = s.req(Method::PUT, &format!("/api/v1/calls/{contact}/monitor"), Some(&agent1), Some(json!({"mode": "listen", "extension": "8003"}))).await;
    assert_eq!(r.status(), 403, "agents do not monitor");
    let r = s.req(Method::PUT, &format!("/api/v1/calls/{contact}/monitor"), Some(&sup), Some(json!({"mode": "spy", "extension": "8003"}))).await;
    common::assert_error(r, 422, "invalid_field", Some("mode")).await;
    let r = s.req(Method::PUT, &format!("/api/v1/calls/{contact}/monitor"), Some(&sup), Some(json!({"mode": "listen", "extension": "8999"}))).await;
    common::assert_error(r, 409, "no_phone", None).await;
    let (c0, a0) = (caller.received(), agent.received());
    let r = s.req(Method::PUT, &format!("/api/v1/calls/{contact}/monitor"), Some(&sup), Some(json!({"mode": "listen", "extension": "8003"}))).await;
    assert_eq!(r.status(), 204, "monitor: {}", r.text().await.unwrap_or_default());
    supervisor.wait_for(phones::ESTABLISHED, 10).await;
    call_state(&s, &sup, &contact, "listened to", |c| c["monitor_mode"] == "listen").await;
    let heard = heard_next(&supervisor, 0, 2.0, "supervisor, listen").await;
    assert_hears("supervisor, listen", &heard, &[CALLER_HZ, AGENT_HZ], &[SUPERVISOR_HZ]);
    assert_hears("caller, listen", &heard_next(&caller, c0, 2.0, "caller, listen").await, &[AGENT_HZ], &[SUPERVISOR_HZ, CALLER_HZ]);
    assert_hears("agent, listen", &heard_next(&agent, a0, 2.0, "agent, listen").await, &[CALLER_HZ], &[SUPERVISOR_HZ, AGENT_HZ]);

    // Whisper: only the agent hears the supervisor; no new call.
    let (c0, a0, s0) = (caller.received(), agent.received(), supervisor.received());
    let r = s.req(Method::PUT, &format!("/api/v1/calls/{contact}/monitor"), Some(&sup), Some(json!({"mode": "whisper"}))).await;
    assert_eq!(r.status(), 204);
    assert_hears("agent, whisper", &heard_next(&agent, a0, 2.0, "agent, whisper").await, &[CALLER_HZ, SUPERVISOR_HZ], &[]);
    assert_hears("caller, whisper", &heard_next(&caller, c0, 2.0, "caller, whisper").await, &[AGENT_HZ], &[SUPERVISOR_HZ]);
    assert_hears("supervisor, whisper", &heard_next(&supervisor, s0, 2.0, "supervisor, whisper").await, &[CALLER_HZ, AGENT_HZ], &[]);

    // Barge: everyone hears everyone.
    let (c0, a0) = (caller.received(), agent.received());
    let r = s.req(Method::PUT, &format!("/api/v1/calls/{contact}/monitor"), Some(&sup), Some(json!({"mode": "barge"}))).await;
    assert_eq!(r.status(), 204);
    assert_hears("caller, barge", &heard_next(&caller, c0, 2.0, "caller, barge").await, &[AGENT_HZ, SUPERVISOR_HZ], &[]);
    assert_hears("agent, barge", &heard_next(&agent, a0, 2.0, "agent, barge").await, &[CALLER_HZ, SUPERVISOR_HZ], &[]);
    assert_eq!(supervisor.raw_output().matches(phones::ESTABLISHED).count(), 1, "one call for the supervisor across the modes");

    // The supervisor leaves; the call goes on between caller and agent.
    let r = s.req(Method::DELETE, &format!("/api/v1/calls/{contact}/monitor"), Some(&sup), None).await;
    assert_eq!(r.status(), 204);
    supervisor.wait_for(phones::TERMINATED, 10).await;
    call_state(&s, &sup, &contact, "no longer monitored", |c| c["monitor_mode"].is_null()).await;
    let c0 = caller.received();
    assert_hears("caller, after the supervisor left", &heard_next(&caller, c0, 1.5, "caller, after").await, &[AGENT_HZ], &[SUPERVISOR_HZ]);

    // Hold from the agent's phone: a re-INVITE with sendonly.
    let at = caller.received();
    agent.command("/hold");
    call_state(&s, &sup, &contact, "held from the phone", |c| c["held"] == true).await;
    let held = heard_next(&caller, at, 1.5, "caller, held by the phone").await;
    assert_hears("caller, held by the phone", &held, &[MUSIC_HZ], &[AGENT_HZ]);
    agent.command("/resume");
    call_state(&s, &sup, &contact, "resumed from the phone", |c| c["held"] == false).await;
    let at = caller.received();
    let back = heard_next(&caller, at, 1.5, "caller, resumed by the phone").await;
    assert_hears("caller, resumed by the phone", &back, &[AGENT_HZ], &[MUSIC_HZ]);

    caller.hangup();
    agent.wait_for(phones::TERMINATED, 10).await;
    // The call is gone: every action on it is refused as such.
    common::poll(&s, &sup, "/api/v1/calls", "no call left", 10, |v| v.as_array().is_some_and(|a| a.is_empty())).await;
    let r = s.req(Method::POST, &format!("/api/v1/calls/{contact}/resume"), Some(&agent1), None).await;
    common::assert_error(r, 404, "no_call", None).await;
    let r = s.req(Method::PUT, &format!("/api/v1/calls/{contact}/monitor"), Some(&sup), Some(json!({"mode": "listen", "extension": "8003"}))).await;
    common::assert_error(r, 404, "no_call", None).await;

    // The interaction: two holds, their time, and the supervisor's modes in order.
    let detail = common::poll(&s, &sup, &format!("/api/v1/interactions/{contact}"), "the timeline", 10, |d| {
        d["timeline"].as_array().is_some_and(|t| t.iter().any(|e| e["kind"] == "monitor_end"))
    })
    .await;
    eprintln!("interaction: {detail}");
    assert_eq!(detail["hold_count"], 2, "{detail}");
    let hold_ms = detail["hold_ms"].as_u64().unwrap();
    assert!(hold_ms >= 3000, "two holds of about 2 s each: {detail}");
    let kinds: Vec<String> = detail["timeline"].as_array().unwrap().iter().map(|e| format!("{}{}", e["kind"].as_str().unwrap(), e["detail"].as_str().filter(|d| !d.contains('=')).map(|d| format!(":{d}")).unwrap_or_default())).collect();
    assert_eq!(kinds, ["hold", "resume", "monitor:listen", "monitor:whisper", "monitor:barge", "monitor_end", "hold", "resume"], "{detail}");

    // Audited: who monitored which call, how.
    let audit = s.get_json("/api/v1/audit?action=call.monitor", &admin).await;
    let details: Vec<&str> = audit.as_array().unwrap().iter().filter(|e| e["target"] == contact.as_str()).filter_map(|e| e["detail"].as_str()).collect();
    assert!(details.iter().any(|d| d.starts_with("mode=barge")) && details.iter().any(|d| d.starts_with("mode=listen via=phone:8003 ok=true")), "{audit}");

    for p in [caller, agent, supervisor] {
        p.quit().await;
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blind_transfers_from_the_desktop_and_by_refer_hand_the_caller_on() {
    const SUPPORT_HZ: u32 = 1320;
    // 8001 took the call in sales; 8003 is only in support (each phone its own tone).
    let Connected { s, sip_port, admin, sup, agent: first, caller, contact } = connected_call().await;
    let second = Phone::builder("8003").register(sip_port, "demo").auto_answer().tone(SUPPORT_HZ).start();
    wait_available(&s, &sup, "8003").await;
    let agent1 = s.login("agent1", "demo").await;
    let agent3 = s.login("agent3", "demo").await;
    let agents = s.get_json("/api/v1/agents", &sup).await;
    let id_of = |ext: &str| agents.as_array().unwrap().iter().find(|a| a["extension"] == ext).and_then(|a| a["id"].as_str()).unwrap().to_owned();
    let (a1, a3) = (id_of("8001"), id_of("8003"));

    // Refused: not a target, not the agent's call, neither or both targets.
    let path = format!("/api/v1/calls/{contact}/transfer");
    let transfer = |token: &str, body: Value| {
        let (token, path) = (token.to_owned(), path.clone());
        let s = &s;
        async move { s.req(Method::POST, &path, Some(&token), Some(body)).await }
    };
    common::assert_error(transfer(&agent1, json!({"queue": "nowhere"})).await, 404, "no_such_target", None).await;
    common::assert_error(transfer(&agent3, json!({"queue": "support"})).await, 403, "not_your_call", None).await;
    common::assert_error(transfer(&agent1, json!({"queue": "support", "number": "8004"})).await, 422, "invalid_field", Some("queue")).await;
    common::assert_error(transfer(&sup, json!({"queue": "support"})).await, 403, "forbidden", None).await;

    // From the desktop to support, with a note: 8003 answers, 8001 wraps up.
    let at = caller.received();
    let r = transfer(&agent1, json!({"queue": "support", "note": "账单问题，已核实身份"})).await;
    assert_eq!(r.status(), 200, "transfer: {}", r.text().await.unwrap_or_default());
    let second_contact = r.json::<Value>().await.unwrap()["contact_id"].as_str().unwrap().to_owned();
    first.wait_for(phones::SESSION_CLOSED, 10).await;
    second.wait_for(phones::ESTABLISHED, 20).await;
    common::poll(&s, &sup, &format!("/api/v1/agents/{a1}/state"), "8001 in wrap-up", 10, |st| st["state"] == "wrap_up").await;
    let heard = heard_next(&caller, at, 6.0, "caller, through the transfer").await;
    // Music while support is found, then 8003's tone.
    let tail = &heard[heard.len() - RATE as usize..];
    assert_hears("caller, after the transfer", tail, &[SUPPORT_HZ], &[AGENT_HZ]);
    let pop = s.get_json(&format!("/api/v1/interactions/{second_contact}/screen-pop"), &agent3).await;
    let ivr = &pop["interaction"]["ivr"];
    assert_eq!((ivr["transfer_note"].as_str(), ivr["transferred_by"].as_str(), ivr["transferred_from"].as_str()), (Some("账单问题，已核实身份"), Some(a1.as_str()), Some(contact.as_str())), "{pop}");
    assert_eq!(pop["interaction"]["queue_id"], "support", "{pop}");
    assert!(pop["interaction"]["priority"].as_i64().unwrap() >= 50, "a boost for having waited once: {pop}");

    // 8001 is back; 8003's phone transfers to sales by REFER.
    let r = s.post_json(&format!("/api/v1/agents/{a1}/wrap-up/end"), Some(&sup), json!({})).await;
    assert_eq!(r.status(), 200);
    wait_available(&s, &sup, "8001").await;
    let at = caller.received();
    second.command(&format!("/transfer sip:sales@127.0.0.1:{sip_port}"));
    // The phone is told the transfer worked (NOTIFY 200) and its call ends.
    second.wait_for(phones::TERMINATED, 10).await;
    first.wait_for_count(phones::ESTABLISHED, 2, 20).await;
    let heard = heard_next(&caller, at, 4.0, "caller, through the REFER").await;
    assert_hears("caller, after the REFER", &heard[heard.len() - RATE as usize..], &[AGENT_HZ], &[SUPPORT_HZ]);
    common::poll(&s, &sup, &format!("/api/v1/agents/{a3}/state"), "8003 in wrap-up", 10, |st| st["state"] == "wrap_up").await;

    caller.hangup();
    first.wait_for_count(phones::SESSION_CLOSED, 2, 10).await;
    // Three interactions, one conversation: each transfer linked both ways.
    let detail = common::poll(&s, &sup, &format!("/api/v1/interactions/{second_contact}"), "the second leg's links", 10, |d| {
        d["timeline"].as_array().is_some_and(|t| t.iter().any(|e| e["kind"] == "transfer"))
    })
    .await;
    let kinds: Vec<&str> = detail["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["transferred_from", "transfer"], "{detail}");
    assert_eq!(detail["hangup_cause"], "transferred", "{detail}");
    let first_leg = s.get_json(&format!("/api/v1/interactions/{contact}"), &sup).await;
    assert_eq!((first_leg["hangup_cause"].as_str(), first_leg["timeline"][0]["kind"].as_str()), (Some("transferred"), Some("transfer")), "{first_leg}");
    let audit = s.get_json("/api/v1/audit?action=call.transfer", &admin).await;
    assert!(audit.as_array().unwrap().iter().any(|e| e["target"] == contact.as_str() && e["detail"] == "queue:support"), "{audit}");

    for p in [caller, first, second] {
        p.quit().await;
    }
    s.stop().await;
}

/// The longest run of silence (|sample| < 64) in `samples`, in seconds.
fn longest_silence(samples: &[i16]) -> f64 {
    let (mut best, mut run) = (0usize, 0usize);
    for s in samples {
        run = if s.unsigned_abs() < 64 { run + 1 } else { 0 };
        best = best.max(run);
    }
    best as f64 / f64::from(RATE)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secure_pause_records_silence_and_keeps_the_callers_keys_from_the_agent() {
    let Connected { s, admin, sup, agent, caller, contact, .. } = connected_call().await;
    let agent1 = s.login("agent1", "demo").await;
    let agent2 = s.login("agent2", "demo").await;
    heard_next(&agent, agent.received(), 1.5, "agent, before the pause").await;

    let pause = |token: &str, what: &str| {
        let (token, path) = (token.to_owned(), format!("/api/v1/calls/{contact}/recording/{what}"));
        let s = &s;
        async move { s.req(Method::POST, &path, Some(&token), None).await }
    };
    common::assert_error(pause(&agent2, "pause").await, 403, "not_your_call", None).await;
    assert_eq!(pause(&agent1, "pause").await.status(), 204);
    assert_eq!(pause(&agent1, "pause").await.status(), 204, "pausing twice is one pause");
    // A key pressed while paused (a card number) does not reach the agent's phone.
    caller.send_dtmf('7');
    heard_next(&agent, agent.received(), 2.0, "agent, paused").await;
    assert_eq!(pause(&agent1, "resume").await.status(), 204);
    caller.send_dtmf('8');
    agent.wait_for("received event: '8'", 10).await;
    assert!(!agent.output().contains("received event: '7'"), "the key pressed during the pause reached the agent:\n{}", agent.output());
    heard_next(&agent, agent.received(), 1.5, "agent, after the pause").await;
    caller.hangup();
    agent.wait_for(phones::TERMINATED, 10).await;

    // The recording: the caller before and after, silence for the paused span.
    let detail = common::poll(&s, &sup, &format!("/api/v1/interactions/{contact}"), "a finished recording", 10, |d| {
        d["recordings"].as_array().is_some_and(|r| r.len() == 1 && r[0]["sha256"].is_string())
    })
    .await;
    let spans = detail["paused_spans"].as_array().unwrap_or_else(|| panic!("{detail}")).clone();
    assert_eq!(spans.len(), 1, "one pause: {detail}");
    let paused_ms = spans[0][1].as_i64().unwrap() - spans[0][0].as_i64().unwrap();
    assert!((1500..8000).contains(&paused_ms), "about 2 s paused: {detail}");
    let kinds: Vec<&str> = detail["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["recording_paused", "recording_resumed"], "{detail}");
    let rec = detail["recordings"][0]["id"].as_str().unwrap();
    let wav = phones::Wav::parse(&s.get(&format!("/api/v1/recordings/{rec}/audio"), Some(&sup)).await.bytes().await.unwrap()).unwrap();
    let left = wav.channel(0);
    let silent = longest_silence(&left);
    eprintln!("recording {} ms; longest silence on the caller's side {silent:.2} s; paused {paused_ms} ms", wav.duration_ms());
    assert!(silent >= paused_ms as f64 / 1000.0 - 0.5, "the paused span is silent: {silent:.2} s of {paused_ms} ms");
    assert!(tone_share(&left[..RATE as usize], RATE, f64::from(CALLER_HZ)) > 0.5, "the caller before the pause is recorded");
    assert!(tone_share(phones::last(&left, 1.0, 0.3), RATE, f64::from(CALLER_HZ)) > 0.5, "and after it");
    assert!(!detail.to_string().contains("\"7\""), "no key of the pause is kept: {detail}");
    let audit = s.get_json("/api/v1/audit?action=call.recording_pause", &admin).await;
    assert!(audit.as_array().unwrap().iter().filter(|e| e["target"] == contact.as_str()).count() >= 2, "{audit}");

    for p in [caller, agent] {
        p.quit().await;
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flagged_caller_raises_an_alert_and_rings_a_supervisor_to_listen_in() {
    let (s, sip_port) = phones::server_with_sip(|_| {}).await;
    let admin = s.login("admin", "demo").await;
    let sup = s.login("supervisor", "demo").await;
    // The IVR marks the caller high-risk (as a CRM lookup would), then queues them in sales.
    let flow = json!({ "id": "risky", "start": "mark", "nodes": {
        "mark": { "type": "set", "var": "risk", "value": "high", "next": "q" },
        "q": { "type": "enqueue", "queue": "sales" } } });
    let r = s.req(Method::PUT, "/api/v1/ivr/flows/risky", Some(&admin), Some(flow)).await;
    assert_eq!(r.status(), 201);
    let version = r.json::<Value>().await.unwrap()["version"].as_i64().unwrap();
    assert_eq!(s.post_json(&format!("/api/v1/ivr/flows/risky/versions/{version}/publish"), Some(&admin), json!({})).await.status(), 200);
    assert_eq!(s.req(Method::PUT, "/api/v1/ivr/numbers/1000", Some(&admin), Some(json!({"flow_id": "risky"}))).await.status(), 200);
    let rules = json!({"waiting_secs": 300, "service_level": false, "not_ready_secs": null, "call_secs": null, "flag": "risk=high", "auto_listen": "8003"});
    assert_eq!(s.req(Method::PUT, "/api/v1/queues/sales/alert-rules", Some(&sup), Some(rules)).await.status(), 200);

    let agent = Phone::builder("8001").register(sip_port, "demo").auto_answer().tone(AGENT_HZ).start();
    let supervisor = Phone::builder("8003").register(sip_port, "demo").auto_answer().tone(SUPERVISOR_HZ).start();
    wait_available(&s, &sup, "8001").await;
    wait_available(&s, &sup, "8003").await;
    let caller = Phone::builder("13800138000").tone(CALLER_HZ).start();
    caller.wait_for("baresip is ready", 10).await;
    caller.dial(&format!("sip:1000@127.0.0.1:{sip_port}"));
    agent.wait_for(phones::ESTABLISHED, 20).await;
    // The rule rings the supervisor's phone by itself ("双人监听").
    supervisor.wait_for(phones::ESTABLISHED, 15).await;
    let contact = talking_call(&s, &sup).await["contact_id"].as_str().unwrap().to_owned();
    let board = s.get_json("/api/v1/alerts", &sup).await;
    assert!(board.as_array().unwrap().iter().any(|a| a["kind"] == "flagged" && a["subject"] == contact.as_str()), "{board}");
    call_state(&s, &sup, &contact, "listened to by the rule", |c| c["monitor_mode"] == "listen").await;
    let heard = heard_next(&supervisor, 0, 2.0, "supervisor, listening by rule").await;
    assert_hears("supervisor, listening by rule", &heard, &[CALLER_HZ, AGENT_HZ], &[]);
    let c0 = caller.received();
    assert_hears("caller, listened to", &heard_next(&caller, c0, 1.5, "caller, listened to").await, &[AGENT_HZ], &[SUPERVISOR_HZ]);
    let audit = s.get_json("/api/v1/audit?action=call.monitor", &admin).await;
    assert!(audit.as_array().unwrap().iter().any(|e| e["target"] == contact.as_str() && e["detail"].as_str().is_some_and(|d| d.contains("rule=flag ok=true"))), "{audit}");

    caller.hangup();
    supervisor.wait_for(phones::SESSION_CLOSED, 10).await;
    for p in [caller, agent, supervisor] {
        p.quit().await;
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_listening_in_takes_the_call_over_and_the_agent_wraps_up() {
    let Connected { s, sip_port, sup, agent, caller, contact, .. } = connected_call().await;
    let agent1 = s.login("agent1", "demo").await;
    let take_over = format!("/api/v1/calls/{contact}/take-over");
    common::assert_error(s.req(Method::POST, &take_over, Some(&sup), None).await, 409, "not_allowed_now", None).await;
    assert_eq!(s.req(Method::POST, &take_over, Some(&agent1), None).await.status(), 403, "agents do not take over");

    let supervisor = Phone::builder("8003").register(sip_port, "demo").auto_answer().tone(SUPERVISOR_HZ).start();
    wait_available(&s, &sup, "8003").await;
    let r = s.req(Method::PUT, &format!("/api/v1/calls/{contact}/monitor"), Some(&sup), Some(json!({"mode": "listen", "extension": "8003"}))).await;
    assert_eq!(r.status(), 204);
    supervisor.wait_for(phones::ESTABLISHED, 10).await;
    call_state(&s, &sup, &contact, "listened to", |c| c["monitor_mode"] == "listen").await;

    assert_eq!(s.req(Method::POST, &take_over, Some(&sup), None).await.status(), 204);
    agent.wait_for(phones::SESSION_CLOSED, 10).await;
    let agents = s.get_json("/api/v1/agents", &sup).await;
    let a1 = agents.as_array().unwrap().iter().find(|a| a["extension"] == "8001").and_then(|a| a["id"].as_str()).unwrap().to_owned();
    common::poll(&s, &sup, &format!("/api/v1/agents/{a1}/state"), "8001 in wrap-up", 10, |st| st["state"] == "wrap_up").await;
    // The caller and the supervisor now talk, two-party.
    let c0 = caller.received();
    assert_hears("caller, taken over", &heard_next(&caller, c0, 1.5, "caller, taken over").await, &[SUPERVISOR_HZ], &[AGENT_HZ]);
    let s0 = supervisor.received();
    assert_hears("supervisor, taken over", &heard_next(&supervisor, s0, 1.5, "supervisor, taken over").await, &[CALLER_HZ], &[AGENT_HZ]);

    // The supervisor hangs up: the call ends.
    supervisor.hangup();
    caller.wait_for(phones::SESSION_CLOSED, 10).await;
    let detail = common::poll(&s, &sup, &format!("/api/v1/interactions/{contact}"), "the take-over on the timeline", 10, |d| {
        d["timeline"].as_array().is_some_and(|t| t.iter().any(|e| e["kind"] == "take_over"))
    })
    .await;
    assert_eq!(detail["hangup_cause"], "taken_over", "{detail}");
    for p in [caller, agent, supervisor] {
        p.quit().await;
    }
    s.stop().await;
}
