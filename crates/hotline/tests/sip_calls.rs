//! Calls end to end with real SIP phones (baresip, see `phones`): a caller
//! dials the IVR, presses a key, is queued and bridged to an agent's phone;
//! both hear each other (each phone sends its own tone), the call is
//! recorded in stereo and indexed; a caller who hangs up while the agent's
//! phone rings is an abandon and the agent stays available.
//!
//! The first tests check the harness itself, without the server: the tone
//! check on files made by sox, and two phones calling each other directly
//! (audio both ways in the dumps, RFC 4733 DTMF received).

mod common;
mod phones;

use std::collections::HashMap;
use std::time::Duration;

use common::Server;
use phones::{between, describe, dominant, last, rms, tone_power, tone_share, wait_for_any, Phone, Wav};
use serde_json::{json, Value};

/// What callers send.
const CALLER_HZ: u32 = 440;
/// What agents send.
const AGENT_HZ: u32 = 880;
const TONES: [f64; 2] = [CALLER_HZ as f64, AGENT_HZ as f64];

fn sox(args: &[&str]) {
    let status = std::process::Command::new("sox").args(args).status().expect("sox is installed (apt-get install sox)");
    assert!(status.success(), "sox {args:?} failed");
}

/// Asserts that `samples` carry `want` Hz, not the other tone.
fn assert_tone(what: &str, samples: &[i16], want: u32) {
    let got = dominant(samples, &TONES);
    assert_eq!(got, Some(f64::from(want)), "{what}: want {want} Hz dominant; {}", describe(samples, &TONES));
}

// ---------------------------------------------------------------- harness

#[test]
fn the_tone_check_tells_sox_made_tones_apart() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let n = ["-n", "-r", "8000", "-b", "16"];
    sox(&[&n[..], &["-c", "1", &p("440.wav"), "synth", "2", "sine", "440", "vol", "0.5"]].concat());
    sox(&[&n[..], &["-c", "1", &p("880.wav"), "synth", "2", "sine", "880", "vol", "0.5"]].concat());
    sox(&[&n[..], &["-c", "1", &p("noise.wav"), "synth", "2", "whitenoise", "vol", "0.5"]].concat());
    sox(&[&["-D"], &n[..], &["-c", "1", &p("silence.wav"), "trim", "0", "2"]].concat()); // -D: no dither
    // Left 440 Hz, right 880 Hz, like a recording.
    sox(&[&n[..], &["-c", "2", &p("stereo.wav"), "synth", "2", "sine", "440", "sine", "880", "vol", "0.5"]].concat());
    // 440 Hz loud with 880 Hz 20 dB below.
    sox(&["-m", "-v", "1", &p("440.wav"), "-v", "0.1", &p("880.wav"), &p("mix.wav")]);
    // A tone that restarts every 0.33 s (phase jumps, as after lost packets).
    sox(&[&n[..], &["-c", "1", &p("short.wav"), "synth", "0.33", "sine", "880", "vol", "0.5"]].concat());
    sox(&[&p("short.wav"), &p("short.wav"), &p("short.wav"), &p("short.wav"), &p("jumps.wav")]);

    let read = |name: &str| Wav::read(&dir.path().join(name));
    let a = read("440.wav");
    assert_eq!((a.channels, a.rate, a.frames()), (1, 8000, 16000));
    assert_eq!(a.duration_ms(), 2000);
    assert_tone("440.wav", &a.samples, 440);
    assert_tone("880.wav", &read("880.wav").samples, 880);
    assert_tone("mix.wav", &read("mix.wav").samples, 440);
    assert_tone("jumps.wav", &read("jumps.wav").samples, 880);
    assert!(tone_share(&a.samples, 8000, 440.0) > 0.9, "{}", describe(&a.samples, &TONES));
    assert!(tone_share(&a.samples, 8000, 880.0) < 0.01, "{}", describe(&a.samples, &TONES));
    // Half scale: amplitude 16384, power A²/4.
    let p440 = tone_power(&a.samples, 8000, 440.0);
    assert!((p440 / (16384.0f64 * 16384.0 / 4.0) - 1.0).abs() < 0.05, "power {p440}");
    assert!((rms(&a.samples) - 16384.0 / 2f64.sqrt()).abs() < 300.0, "rms {}", rms(&a.samples));

    // Noise and silence carry neither tone.
    let noise = read("noise.wav");
    assert!(rms(&noise.samples) > 1000.0);
    assert_eq!(dominant(&noise.samples, &TONES), None, "{}", describe(&noise.samples, &TONES));
    let silence = read("silence.wav");
    assert_eq!(silence.samples.len(), 16000);
    assert_eq!(dominant(&silence.samples, &TONES), None);
    assert_eq!(rms(&silence.samples), 0.0);

    // Stereo: each channel its own tone.
    let st = read("stereo.wav");
    assert_eq!((st.channels, st.frames()), (2, 16000));
    assert_tone("stereo left", &st.channel(0), 440);
    assert_tone("stereo right", &st.channel(1), 880);

    // Windows.
    let both: Vec<i16> = a.samples.iter().chain(read("880.wav").samples.iter()).copied().collect();
    assert_tone("first seconds", between(&both, 0.0, 1.9), 440);
    assert_tone("last seconds", last(&both, 1.5, 0.2), 880);
    assert!(between(&both, 3.5, 9.0).len() == 4000 && between(&both, 5.0, 9.0).is_empty());

    // A file never closed: data size 0 in the header, read to the end.
    let mut bytes = std::fs::read(dir.path().join("880.wav")).unwrap();
    let data = bytes.windows(4).position(|w| w == b"data").unwrap();
    bytes[data + 4..data + 8].copy_from_slice(&0u32.to_le_bytes());
    let open = Wav::parse(&bytes).unwrap();
    assert_eq!(open.samples.len(), 16000);
    assert_tone("unclosed", &open.samples, 880);
    assert!(Wav::parse(b"RIFF\0\0\0\0WAVEjunk").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_two_phones_call_each_other_hear_each_other_and_send_dtmf() {
    let alice = Phone::builder("alice").auto_answer().tone(CALLER_HZ).start();
    let bob = Phone::builder("bob").tone(AGENT_HZ).start();
    alice.wait_for("baresip is ready", 10).await;
    bob.wait_for("baresip is ready", 10).await;

    bob.dial(&alice.uri());
    alice.wait_for(phones::ESTABLISHED, 10).await;
    bob.wait_for(phones::ESTABLISHED, 10).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    for key in ['1', '#'] {
        bob.send_dtmf(key);
        alice.wait_for(&format!("received event: '{key}' (end=1)"), 5).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    bob.hangup();
    bob.wait_for(phones::TERMINATED, 5).await;
    alice.wait_for(phones::SESSION_CLOSED, 5).await;
    let call_id = bob.call_id().unwrap_or_else(|| panic!("no Call-ID in bob's output:\n{}", bob.output()));
    assert!(call_id.len() >= 8, "{call_id}");

    let heard_by_alice = alice.received_audio();
    let heard_by_bob = bob.received_audio();
    assert!(heard_by_alice.len() > 2 * 8000, "alice heard {}", describe(&heard_by_alice, &TONES));
    assert_tone("alice heard", last(&heard_by_alice, 2.0, 0.2), AGENT_HZ);
    assert_tone("bob heard", last(&heard_by_bob, 2.0, 0.2), CALLER_HZ);
    assert_tone("alice sent", last(&alice.sent_audio(), 2.0, 0.2), CALLER_HZ);
    let out = alice.quit().await;
    assert!(out.contains("Call established") && !out.contains("(bit/s)"), "{out}");
    bob.quit().await;
}

// ---------------------------------------------------------------- server

/// The server on a free SIP port; returns it and the port.
/// Routes 1000 to a one-key menu (1 → sales; nothing → sales too), instead
/// of the seeded flow that depends on the time of day.
async fn route_1000_to_sales(s: &Server, admin: &str) {
    let flow = json!({
        "id": "e2e",
        "start": "menu",
        "nodes": {
            "menu": { "type": "menu", "prompt": "greeting", "choices": { "1": "sales" }, "timeout_secs": 5, "retries": 2, "on_failure": "sales" },
            "sales": { "type": "enqueue", "queue": "sales" }
        }
    });
    let r = s.req(reqwest::Method::PUT, "/api/v1/ivr/flows/e2e", Some(admin), Some(flow)).await;
    assert_eq!(r.status(), 201, "save flow: {}", r.text().await.unwrap_or_default());
    let saved: Value = r.json().await.unwrap();
    let version = saved["version"].as_i64().unwrap_or_else(|| panic!("no version in {saved}"));
    let r = s.post_json(&format!("/api/v1/ivr/flows/e2e/versions/{version}/publish"), Some(admin), json!({})).await;
    assert_eq!(r.status(), 200, "publish: {}", r.text().await.unwrap_or_default());
    let r = s.req(reqwest::Method::PUT, "/api/v1/ivr/numbers/1000", Some(admin), Some(json!({"flow_id": "e2e"}))).await;
    assert_eq!(r.status(), 200, "map 1000: {}", r.text().await.unwrap_or_default());
    // The dial plan is live when the mapping's answer arrives.
}

/// Extension → agent id.
async fn agent_ids(s: &Server, token: &str) -> HashMap<String, String> {
    let agents = s.get_json("/api/v1/agents", token).await;
    agents.as_array().unwrap().iter().map(|a| (a["extension"].as_str().unwrap().to_owned(), a["id"].as_str().unwrap().to_owned())).collect()
}

/// Polls `GET path` until `ok` holds (10 s at most).
async fn poll(s: &Server, token: &str, path: &str, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    common::poll(s, token, path, what, 10, ok).await
}

async fn wait_available(s: &Server, token: &str, agent_id: &str) -> Value {
    poll(s, token, &format!("/api/v1/agents/{agent_id}/state"), "agent available", |st| st["status"] == "available").await
}

/// The items of `GET /api/v1/interactions` (a bare array, newest first).
fn items(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}

/// The one voice interaction once it has ended (an `outcome`).
async fn finished_voice_interaction(s: &Server, token: &str) -> Value {
    let list = poll(s, token, "/api/v1/interactions?limit=20", "a finished voice interaction", |v| {
        items(v).iter().any(|i| i["channel"] == "voice" && i["outcome"].is_string())
    })
    .await;
    let voice: Vec<Value> = items(&list).into_iter().filter(|i| i["channel"] == "voice").collect();
    assert_eq!(voice.len(), 1, "one call, one voice interaction: {list}");
    eprintln!("interaction: {}", voice[0]);
    voice.into_iter().next().unwrap()
}

/// Dials 1000 from a fresh caller, waits for the IVR to answer, lets the
/// greeting play 2 s and presses 1.
async fn call_1000_and_press_1(sip_port: u16) -> Phone {
    let caller = Phone::builder("5550100").tone(CALLER_HZ).start();
    caller.wait_for("baresip is ready", 10).await;
    caller.dial(&format!("sip:1000@127.0.0.1:{sip_port}"));
    caller.wait_for(phones::ESTABLISHED, 10).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    caller.send_dtmf('1');
    caller
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_reaches_an_agent_and_both_hear_each_other_and_the_call_is_recorded() {
    let (s, sip_port) = phones::server_with_sip(|_| {}).await;
    let admin = s.login("admin", "demo").await;
    route_1000_to_sales(&s, &admin).await;
    let sup = s.login("supervisor", "demo").await;
    let ids = agent_ids(&s, &sup).await;

    // Two agents of `sales` register; their phones answer by themselves.
    let agents = [
        Phone::builder("8001").register(sip_port, "demo").auto_answer().tone(AGENT_HZ).start(),
        Phone::builder("8002").register(sip_port, "demo").auto_answer().tone(AGENT_HZ).start(),
    ];
    for ext in ["8001", "8002"] {
        wait_available(&s, &sup, &ids[ext]).await;
    }

    // The caller hears the greeting, presses 1, is queued and put through.
    let caller = call_1000_and_press_1(sip_port).await;
    let which = wait_for_any(&[&agents[0], &agents[1]], phones::ESTABLISHED, 15).await;
    let (agent, other) = (&agents[which], &agents[1 - which]);
    let agent_ext = ["8001", "8002"][which];
    tokio::time::sleep(Duration::from_secs(4)).await;
    caller.hangup();
    caller.wait_for(phones::TERMINATED, 5).await;
    agent.wait_for(phones::TERMINATED, 10).await;
    let call_id = caller.call_id().unwrap_or_else(|| panic!("no Call-ID in the caller's output:\n{}", caller.output()));
    assert!(!other.raw_output().contains(phones::ESTABLISHED), "only one agent answers; the other's output:\n{}", other.output());

    // What the phones heard: the greeting, then the agent; the agent, the caller.
    let heard_by_caller = caller.received_audio();
    let heard_by_agent = agent.received_audio();
    let greeting = between(&heard_by_caller, 0.0, 2.0);
    eprintln!("caller heard, first 2 s: {}", describe(greeting, &TONES));
    eprintln!("caller heard, last 2 s: {}", describe(last(&heard_by_caller, 2.0, 0.3), &TONES));
    eprintln!("agent heard, last 2 s: {}", describe(last(&heard_by_agent, 2.0, 0.3), &TONES));
    assert!(rms(greeting) > 300.0, "the caller heard no greeting before the agent: {}", describe(greeting, &TONES));
    assert_ne!(dominant(greeting, &TONES), Some(f64::from(AGENT_HZ)), "the agent before the IVR? {}", describe(greeting, &TONES));
    assert_tone("the caller heard, bridged", last(&heard_by_caller, 2.0, 0.3), AGENT_HZ);
    assert_tone("the agent heard", last(&heard_by_agent, 2.0, 0.3), CALLER_HZ);

    // The interaction, as a supervisor sees it.
    let it = finished_voice_interaction(&s, &sup).await;
    assert_eq!((&it["direction"], &it["from"], &it["to"]), (&json!("inbound"), &json!("5550100"), &json!("1000")), "{it}");
    assert_eq!(it["queue_id"], "sales", "{it}");
    assert_eq!(it["agent_id"].as_str(), Some(ids[agent_ext].as_str()), "answered by {agent_ext}: {it}");
    assert!(it["answered_at"].is_i64() && it["ended_at"].is_i64(), "{it}");
    assert_eq!(it["outcome"], "answered", "{it}");
    assert_eq!(it["hangup_cause"], "normal_clearing", "{it}");
    assert_eq!(it["sip_call_id"].as_str(), Some(call_id.as_str()), "the caller's Call-ID: {it}");
    let id = it["id"].as_str().unwrap_or_else(|| panic!("no id: {it}")).to_owned();

    // Its recording: indexed with a duration and a SHA-256 once finished.
    let detail = poll(&s, &sup, &format!("/api/v1/interactions/{id}"), "a finished recording", |d| {
        d["recordings"].as_array().is_some_and(|r| r.len() == 1 && r[0]["sha256"].is_string())
    })
    .await;
    eprintln!("interaction with its recording: {detail}");
    assert_eq!(detail["id"], id.as_str(), "{detail}");
    let rec = &detail["recordings"][0];
    assert_eq!(rec["format"], "wav/pcm_s16le/8000/stereo", "{detail}");
    assert_eq!(rec["agent_id"], it["agent_id"], "{detail}");
    let rec_id = rec["id"].as_str().unwrap_or_else(|| panic!("no recording id: {detail}"));
    let duration_ms = rec["duration_ms"].as_i64().unwrap_or_else(|| panic!("no duration_ms: {detail}"));
    assert!((3000..=15000).contains(&duration_ms), "about 4 s bridged: {detail}");

    let r = s.get(&format!("/api/v1/recordings/{rec_id}/audio"), Some(&sup)).await;
    assert_eq!(r.status(), 200, "recording audio");
    let content_type = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(content_type.starts_with("audio/"), "content-type {content_type:?}");
    let bytes = r.bytes().await.unwrap();
    assert_eq!(sha256_hex(&bytes), rec["sha256"].as_str().unwrap().to_ascii_lowercase(), "the file is the one indexed");
    // Players seek: one range at a time, streamed.
    let audio = format!("{}/api/v1/recordings/{rec_id}/audio", s.base);
    let head = s.http.get(&audio).bearer_auth(&sup).header("range", "bytes=0-43").send().await.unwrap();
    assert_eq!(head.status(), 206);
    assert_eq!(head.headers().get("content-range").and_then(|v| v.to_str().ok()), Some(format!("bytes 0-43/{}", bytes.len()).as_str()));
    let head = head.bytes().await.unwrap();
    assert_eq!((head.len(), &head[..4]), (44, &b"RIFF"[..]));
    let tail = s.http.get(&audio).bearer_auth(&sup).header("range", "bytes=-100").send().await.unwrap().bytes().await.unwrap();
    assert_eq!(&tail[..], &bytes[bytes.len() - 100..]);
    let past = s.http.get(&audio).bearer_auth(&sup).header("range", format!("bytes={}-", bytes.len())).send().await.unwrap();
    assert_eq!(past.status(), 416);
    let wav = Wav::parse(&bytes).unwrap_or_else(|e| panic!("recording: {e}"));
    assert_eq!((wav.channels, wav.rate), (2, 8000), "stereo 8 kHz 16-bit");
    assert!(wav.duration_ms().abs_diff(duration_ms as u64) <= 1000, "file {} ms, index {duration_ms} ms", wav.duration_ms());
    let (left, right) = (wav.channel(0), wav.channel(1));
    eprintln!("recording left, last 2 s: {}", describe(last(&left, 2.0, 0.3), &TONES));
    eprintln!("recording right, last 2 s: {}", describe(last(&right, 2.0, 0.3), &TONES));
    assert_tone("recording left (caller)", last(&left, 2.0, 0.3), CALLER_HZ);
    assert_tone("recording right (agent)", last(&right, 2.0, 0.3), AGENT_HZ);

    caller.quit().await;
    for p in agents {
        p.quit().await;
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_who_hangs_up_while_the_agent_rings_is_an_abandon_and_the_agent_stays_available() {
    let (s, sip_port) = phones::server_with_sip(|_| {}).await;
    let admin = s.login("admin", "demo").await;
    route_1000_to_sales(&s, &admin).await;
    let sup = s.login("supervisor", "demo").await;
    let ids = agent_ids(&s, &sup).await;
    let agent_id = ids["8001"].clone();
    let state_path = format!("/api/v1/agents/{agent_id}/state");

    // One agent, whose phone rings until answered by hand.
    let agent = Phone::builder("8001").register(sip_port, "demo").tone(AGENT_HZ).start();
    wait_available(&s, &sup, &agent_id).await;

    let caller = call_1000_and_press_1(sip_port).await;
    agent.wait_for(phones::INCOMING, 15).await;
    let ringing = poll(&s, &sup, &state_path, "an offer while the phone rings", |st| st["offer"].is_object()).await;
    assert_eq!(ringing["offer"]["queue_id"], "sales", "{ringing}");
    tokio::time::sleep(Duration::from_secs(1)).await;

    // The caller gives up: the agent's phone stops ringing.
    caller.hangup();
    caller.wait_for(phones::TERMINATED, 5).await;
    let call_id = caller.call_id().unwrap_or_else(|| panic!("no Call-ID in the caller's output:\n{}", caller.output()));
    let out = agent.wait_for(phones::SESSION_CLOSED, 10).await;
    assert!(!agent.raw_output().contains(phones::ESTABLISHED), "the agent's phone was cancelled, not answered:\n{out}");

    let it = finished_voice_interaction(&s, &sup).await;
    assert_eq!(it["outcome"], "abandoned", "{it}");
    assert_eq!(it["hangup_cause"], "originator_cancel", "{it}");
    assert_eq!(it["queue_id"], "sales", "{it}");
    assert_eq!(it["from"], "5550100", "{it}");
    assert!(it["answered_at"].is_null() && it["ended_at"].is_i64(), "{it}");
    assert_eq!(it["sip_call_id"].as_str(), Some(call_id.as_str()), "the caller's Call-ID: {it}");
    let id = it["id"].as_str().unwrap().to_owned();
    let detail = s.get_json(&format!("/api/v1/interactions/{id}"), &sup).await;
    let recordings = detail["recordings"].as_array().map_or(0, Vec::len);
    assert_eq!(recordings, 0, "nothing was bridged, nothing recorded: {detail}");

    // The agent is available again, with no offer, idle.
    let st = poll(&s, &sup, &state_path, "the agent back to available", |st| {
        st["status"] == "available" && st["offer"].is_null() && st["state"] == "idle"
    })
    .await;
    assert!(st["active"].as_array().is_some_and(Vec::is_empty), "{st}");

    caller.quit().await;
    agent.quit().await;
    s.stop().await;
}

/// Hex SHA-256 (by coreutils' `sha256sum`, to add no dependency).
fn sha256_hex(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("sha256sum").arg(&path).output().expect("sha256sum (coreutils)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_calls_a_colleague_after_proving_the_password_and_strangers_are_refused() {
    let (s, sip_port) = phones::server_with_sip(|_| {}).await;
    let sup = s.login("supervisor", "demo").await;
    let ids = agent_ids(&s, &sup).await;
    let callee = Phone::builder("8002").register(sip_port, "demo").auto_answer().tone(AGENT_HZ).start();
    wait_available(&s, &sup, &ids["8002"]).await;
    let colleague = Phone::builder("8001").register(sip_port, "demo").tone(CALLER_HZ).start();
    wait_available(&s, &sup, &ids["8001"]).await;

    // 8001 dials 8002: challenged (407), answers with its password, rings 8002.
    colleague.dial(&format!("sip:8002@127.0.0.1:{sip_port}"));
    colleague.wait_for(phones::ESTABLISHED, 15).await;
    callee.wait_for(phones::ESTABLISHED, 15).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    colleague.hangup();
    callee.wait_for(phones::SESSION_CLOSED, 10).await;
    let heard = colleague.received_audio();
    assert_eq!(dominant(last(&heard, 2.0, 0.3), &[440.0, 880.0]), Some(880.0), "8001 hears 8002:\n{}", colleague.output());
    let heard = callee.received_audio();
    assert_eq!(dominant(last(&heard, 2.0, 0.3), &[440.0, 880.0]), Some(440.0), "8002 hears 8001:\n{}", callee.output());

    // A phone without credentials is challenged (407), and what it answers
    // with is refused: it cannot call an extension.
    let stranger = Phone::builder("5550199").tone(CALLER_HZ).start();
    stranger.dial(&format!("sip:8002@127.0.0.1:{sip_port}"));
    let out = stranger.wait_for("403 Forbidden", 10).await;
    // A later call from 8001 reaches 8002 after anything the stranger's
    // INVITE could have caused (one signalling task handles both in order):
    // once 8002 has answered it, 8002 has seen everything the stranger did.
    colleague.dial(&format!("sip:8002@127.0.0.1:{sip_port}"));
    callee.wait_for_count(phones::ESTABLISHED, 2, 15).await;
    assert!(!stranger.raw_output().contains(phones::ESTABLISHED), "no call without credentials:\n{out}");
    assert!(!callee.raw_output().contains("5550199"), "8002 was never rung by the stranger:\n{}", callee.output());
    colleague.hangup();
    callee.wait_for_count(phones::SESSION_CLOSED, 2, 10).await;
    s.stop().await;
}
