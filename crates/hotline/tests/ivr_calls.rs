//! IVR flows and the caller's wait, end to end with real SIP phones
//! (baresip, see `phones`) against the real server with the demo center:
//!
//! - a caller walks two menus, types an order number, hears its status as
//!   the demo shop reports it, and reaches the support queue with what they
//!   told the IVR;
//! - a caller who presses nothing reaches an agent after the 30 s
//!   no-input rule of the number, although the flow itself would keep asking;
//! - a queued caller asks for a callback, is hung up, and is called back
//!   once an agent has answered (through the trunk's gateway); the call is
//!   recorded like any other;
//! - a caller rates the call after the agent hangs up, and the score lands
//!   with the interaction; the agent who hung up gets nothing more of the
//!   call (no RTP, no keys) and the recording ends with the conversation.
//!
//! Each test publishes its own flow through the API and maps 1000 to it.
//! What the caller heard is checked against what the server said: the
//! server's speech cache (`<data>/tts`, keyed by voice and text) holds every
//! spoken prompt, so a test can ask "was this exact text spoken?" and find
//! that prompt's waveform in the caller's received audio.
//!
//! `HOTLINE_LOG=debug cargo test -p hotline --test ivr_calls` prints the
//! server's log with a failing test's output.

mod common;
mod phones;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::{poll, Server};
use hotline_telephony::tts::{CachedTts, Tts, TtsError};
use phones::{describe, dominant, last, rms, Phone, Wav, RATE};
use serde_json::{json, Value};

/// What callers send.
const CALLER_HZ: u32 = 440;
/// What agents send.
const AGENT_HZ: u32 = 880;
const TONES: [f64; 2] = [CALLER_HZ as f64, AGENT_HZ as f64];
/// How alike a stretch of received audio and a prompt must be (normalised
/// correlation) to count as that prompt having been heard. G.711 over the
/// loopback keeps it above 0.95; another prompt or music stays far below.
const HEARD: f64 = 0.8;

// ---------------------------------------------------------------- helpers

/// Sends the server's log to the test's output when `HOTLINE_LOG` is set.
fn server_logs() {
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("HOTLINE_LOG") {
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
    }
}

/// Asserts that `samples` carry `want` Hz, not the other tone.
#[track_caller]
fn assert_tone(what: &str, samples: &[i16], want: u32) {
    let got = dominant(samples, &TONES);
    assert_eq!(got, Some(f64::from(want)), "{what}: want {want} Hz dominant; {}", describe(samples, &TONES));
}

fn secs(samples: usize) -> f64 {
    samples as f64 / f64::from(RATE)
}

/// The server (demo center) with SIP on a free port, configured by `tune`.
async fn start_server(tune: impl FnOnce(&mut hotline_config::Config)) -> (Server, u16) {
    server_logs();
    phones::server_with_sip(tune).await
}

/// Saves `flow` as a draft, publishes it and maps 1000 to it.
async fn publish_on_1000(s: &Server, admin: &str, flow: Value) {
    let id = flow["id"].as_str().expect("the flow has an id").to_owned();
    let r = s.req(reqwest::Method::PUT, &format!("/api/v1/ivr/flows/{id}"), Some(admin), Some(flow)).await;
    assert_eq!(r.status(), 201, "save flow {id}: {}", r.text().await.unwrap_or_default());
    let saved: Value = r.json().await.unwrap();
    let version = saved["version"].as_i64().unwrap_or_else(|| panic!("no version in {saved}"));
    let r = s.post_json(&format!("/api/v1/ivr/flows/{id}/versions/{version}/publish"), Some(admin), json!({})).await;
    assert_eq!(r.status(), 200, "publish {id}: {}", r.text().await.unwrap_or_default());
    let r = s.req(reqwest::Method::PUT, "/api/v1/ivr/numbers/1000", Some(admin), Some(json!({"flow_id": id}))).await;
    assert_eq!(r.status(), 200, "map 1000 to {id}: {}", r.text().await.unwrap_or_default());
    // The dial plan is live when the mapping's answer arrives.
}

/// `PATCH /api/v1/queues/{queue}` with this caller experience; checks the
/// answer echoes it.
async fn set_caller_experience(s: &Server, admin: &str, queue: &str, experience: Value) {
    let r = s.req(reqwest::Method::PATCH, &format!("/api/v1/queues/{queue}"), Some(admin), Some(json!({ "caller_experience": experience.clone() }))).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 200, "PATCH queue {queue}: {body}");
    for (k, v) in experience.as_object().unwrap() {
        assert_eq!(&body["caller_experience"][k], v, "queue {queue}'s caller_experience.{k}: {body}");
    }
}

/// Extension → agent id.
async fn agent_ids(s: &Server, token: &str) -> HashMap<String, String> {
    let agents = s.get_json("/api/v1/agents", token).await;
    agents.as_array().unwrap().iter().map(|a| (a["extension"].as_str().unwrap().to_owned(), a["id"].as_str().unwrap().to_owned())).collect()
}

async fn agent_status(s: &Server, token: &str, agent_id: &str) -> Value {
    s.get_json(&format!("/api/v1/agents/{agent_id}/state"), token).await
}

async fn wait_available(s: &Server, token: &str, agent_id: &str) {
    poll(s, token, &format!("/api/v1/agents/{agent_id}/state"), "agent available", 10, |st| st["status"] == "available").await;
}

/// The voice interactions of `GET /api/v1/interactions` (newest first).
async fn voice_interactions(s: &Server, token: &str) -> Vec<Value> {
    let list = s.get_json("/api/v1/interactions?limit=20", token).await;
    list.as_array().cloned().unwrap_or_default().into_iter().filter(|i| i["channel"] == "voice").collect()
}

/// The one voice interaction once it has ended (an `outcome`).
async fn finished_voice_interaction(s: &Server, token: &str) -> Value {
    let list = poll(s, token, "/api/v1/interactions?limit=20", "a finished voice interaction", 10, |v| {
        v.as_array().is_some_and(|a| a.iter().any(|i| i["channel"] == "voice" && i["outcome"].is_string()))
    })
    .await;
    let voice: Vec<Value> = list.as_array().unwrap().iter().filter(|i| i["channel"] == "voice").cloned().collect();
    assert_eq!(voice.len(), 1, "one call, one voice interaction: {list}");
    eprintln!("interaction: {}", voice[0]);
    voice.into_iter().next().unwrap()
}

/// A speech engine that never speaks: with it, the server's speech cache
/// answers only for what the server has already said.
struct NotSpoken;

impl Tts for NotSpoken {
    fn synthesize(&self, text: &str, voice: &str) -> Result<Vec<u8>, TtsError> {
        Err(TtsError::Engine(format!("the server has not said {voice}:{text}")))
    }
}

/// The voice and text of a prompt name: `tts:<voice>:<text>`, or a word
/// the server speaks for a queue announcement (`position_is`, ...).
fn words(prompt: &str) -> (String, String) {
    if let Some(spoken) = prompt.strip_prefix("tts:") {
        let (voice, text) = spoken.split_once(':').unwrap_or_else(|| panic!("not tts:<voice>:<text>: {prompt}"));
        return (voice.to_owned(), text.to_owned());
    }
    let (voice, text) = hotline_telephony::prompt_words::spoken(prompt).unwrap_or_else(|| panic!("no words for the prompt `{prompt}`"));
    (voice.to_owned(), text)
}

/// The samples of `prompt` as the server plays them, if it has spoken it.
fn said(s: &Server, prompt: &str) -> Option<Vec<i16>> {
    let (voice, text) = words(prompt);
    let cache = CachedTts::new(NotSpoken, s.data.path().join("tts"));
    let path = cache.prompt(&text, &voice).ok()?;
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(hotline_telephony::audio::samples_8k(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Waits until the server has spoken `prompt` (it speaks a prompt when it
/// is first played); panics after `secs` with `why`.
async fn wait_said(s: &Server, prompt: &str, secs: u64, why: &str) -> Vec<i16> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(samples) = said(s, prompt) {
            return samples;
        }
        assert!(Instant::now() < deadline, "{why}: the server never said `{prompt}` within {secs} s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Where `prompt` starts in `heard`, searching the first `search` samples,
/// and how alike they are there: the normalised correlation of the
/// prompt's first half second (or all of it, if shorter) with the audio.
fn find_prompt(heard: &[i16], prompt: &[i16], search: usize) -> (usize, f64) {
    let n = prompt.len().min(RATE as usize / 2).min(heard.len());
    if n == 0 {
        return (0, 0.0);
    }
    let p: Vec<f64> = prompt[..n].iter().map(|&x| f64::from(x)).collect();
    let pp: f64 = p.iter().map(|x| x * x).sum();
    let mut best = (0, 0.0);
    for at in 0..=search.min(heard.len() - n) {
        let (mut hp, mut hh) = (0.0, 0.0);
        for (h, p) in heard[at..at + n].iter().zip(&p) {
            let h = f64::from(*h);
            hp += h * p;
            hh += h * h;
        }
        let c = if hh > 0.0 && pp > 0.0 { hp / (hh * pp).sqrt() } else { 0.0 };
        if c > best.1 {
            best = (at, c);
        }
    }
    best
}

/// Asserts that `heard` starts (within its first half second) with the
/// prompt `name`, whose samples are `prompt`; returns where it starts.
#[track_caller]
fn assert_heard(what: &str, heard: &[i16], name: &str, prompt: &[i16]) -> usize {
    let (at, likeness) = find_prompt(heard, prompt, RATE as usize / 2);
    assert!(
        likeness > HEARD,
        "{what}: the prompt `{name}` ({:.2} s) is not at the start of the audio received ({}); best match {likeness:.2} at {:.2} s",
        secs(prompt.len()),
        describe(heard, &TONES),
        secs(at)
    );
    eprintln!("{what}: heard `{name}` at +{:.2} s (likeness {likeness:.3})", secs(at));
    at
}

/// Waits until `phone` has received `secs` more seconds of audio than
/// `since` samples (prompts arrive as fast as they play; silence does not
/// count); returns the samples received by then.
async fn wait_heard(phone: &Phone, since: usize, secs: f64, timeout: u64, what: &str) -> usize {
    let want = since + (secs * f64::from(RATE)) as usize;
    let deadline = Instant::now() + Duration::from_secs(timeout);
    loop {
        let n = phone.received();
        if n >= want {
            return n;
        }
        assert!(Instant::now() < deadline, "{what}: under {secs} s of audio within {timeout} s: {}", describe(&phone.received_audio()[since.min(n)..], &TONES));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The one finished recording of an interaction: its left (caller) and
/// right (agent) channels.
async fn recording_of(s: &Server, token: &str, interaction: &str) -> (Vec<i16>, Vec<i16>) {
    let detail = poll(s, token, &format!("/api/v1/interactions/{interaction}"), "a finished recording", 10, |d| {
        d["recordings"].as_array().is_some_and(|r| r.len() == 1 && r[0]["sha256"].is_string())
    })
    .await;
    let id = detail["recordings"][0]["id"].as_str().unwrap();
    let r = s.get(&format!("/api/v1/recordings/{id}/audio"), Some(token)).await;
    assert_eq!(r.status(), 200, "recording {id}'s audio");
    let wav = Wav::parse(&r.bytes().await.unwrap()).unwrap_or_else(|e| panic!("recording {id}: {e}"));
    assert_eq!((wav.channels, wav.rate), (2, RATE), "recording {id}: stereo 8 kHz");
    (wav.channel(0), wav.channel(1))
}

/// Dials 1000 from `caller` and waits for the server to answer.
async fn call_1000(caller: &Phone, sip_port: u16) {
    caller.wait_for("baresip is ready", 10).await;
    caller.dial(&format!("sip:1000@127.0.0.1:{sip_port}"));
    caller.wait_for(phones::ESTABLISHED, 10).await;
}

/// Hangs up `hanging_up` and waits until both phones see the call end.
async fn hang_up(hanging_up: &Phone, other: &Phone) {
    hanging_up.hangup();
    hanging_up.wait_for(phones::TERMINATED, 5).await;
    other.wait_for(phones::SESSION_CLOSED, 10).await;
}

/// The demo shop's answer for an order, as `GET /demo/orders/{order}` gives it.
async fn shop_order(s: &Server, order: &str) -> Value {
    let r = s.get(&format!("/demo/orders/{order}"), None).await;
    assert_eq!(r.status(), 200, "GET /demo/orders/{order}");
    r.json().await.unwrap()
}

// ---------------------------------------------------------------- tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_walks_two_menus_hears_the_order_status_and_reaches_the_queue() {
    const ORDER: &str = "20250611";
    const MENU: &str = "tts:en:For after-sales service, press 1.";
    const AFTER_SALES: &str = "tts:en:For your order status, press 1. To change a delivery address, press 2.";
    const ASK_ORDER: &str = "tts:en:Please enter your order number, followed by the hash key.";
    let (s, sip_port) = start_server(|_| {}).await;
    let admin = s.login("admin", "demo").await;
    publish_on_1000(
        &s,
        &admin,
        json!({
            "id": "orders-e2e",
            "start": "main",
            "nodes": {
                "main": { "type": "menu", "prompt": MENU, "choices": { "1": "after_sales" },
                    "timeout_secs": 8, "retries": 2, "on_failure": "bye" },
                "after_sales": { "type": "menu", "prompt": AFTER_SALES, "choices": { "1": "ask_order", "2": "support" },
                    "timeout_secs": 8, "retries": 2, "on_failure": "bye" },
                "ask_order": { "type": "collect", "prompt": ASK_ORDER, "var": "order",
                    "min_digits": 6, "max_digits": 12, "terminator": "#", "timeout_secs": 8, "retries": 1,
                    "next": "find", "on_failure": "bye" },
                "find": { "type": "lookup", "backend": "orders", "params": { "order": "{order}" }, "prefix": "o",
                    "timeout_secs": 3, "next": "status", "on_error": "not_found" },
                "status": { "type": "play", "prompts": ["tts:en:Your order is {o.status}. It should arrive within {o.eta_days} days."],
                    "next": "support" },
                "not_found": { "type": "set", "var": "lookup", "value": "failed", "next": "support" },
                "support": { "type": "enqueue", "queue": "support" },
                "bye": { "type": "hangup" }
            }
        }),
    )
    .await;

    // What the shop says of this order: its status comes from the digits' sum.
    let shop = shop_order(&s, ORDER).await;
    let sum: u32 = ORDER.bytes().map(|b| u32::from(b - b'0')).sum();
    let status = ["processing", "shipped", "in_transit", "delivered"][(sum % 4) as usize];
    assert_eq!(shop["status"], status, "the demo shop's status of {ORDER}: {shop}");
    let eta_days = shop["eta_days"].as_i64().unwrap_or_else(|| panic!("no eta_days: {shop}"));
    let status_prompt = format!("tts:en:Your order is {status}. It should arrive within {eta_days} days.");

    // An agent of `support` (8003: support 9, past the queue's first step).
    let sup = s.login("supervisor", "demo").await;
    let ids = agent_ids(&s, &sup).await;
    let agent = Phone::builder("8003").register(sip_port, "demo").auto_answer().tone(AGENT_HZ).start();
    wait_available(&s, &sup, &ids["8003"]).await;

    // The caller: 1 a second into the first menu, 1 a second into the
    // second, then the order number (a second into its prompt) and #.
    let caller = Phone::builder("5550100").tone(CALLER_HZ).start();
    call_1000(&caller, sip_port).await;
    let at_first_key = wait_heard(&caller, 0, 1.0, 10, "the first menu").await;
    caller.send_dtmf('1');
    let at_second_key = wait_heard(&caller, at_first_key, 1.0, 10, "after the first 1").await;
    caller.send_dtmf('1');
    let at_digits = wait_heard(&caller, at_second_key, 1.0, 10, "after the second 1").await;
    for digit in ORDER.chars() {
        caller.send_dtmf(digit);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    caller.send_dtmf('#');
    let at_hash = caller.received();
    let hash_sent = Instant::now();
    assert!(!agent.raw_output().contains(phones::ANSWERING), "the agent's phone rang before the caller finished with the IVR:\n{}", agent.output());

    // The status is spoken, the caller queued in support and put through.
    agent.wait_for(phones::ESTABLISHED, 20).await;
    eprintln!("agent answered {:.2} s after #", agent.seen_at(phones::ESTABLISHED).unwrap().duration_since(hash_sent).as_secs_f64());
    tokio::time::sleep(Duration::from_secs(3)).await;
    hang_up(&caller, &agent).await;

    // What the caller heard, in order: each prompt cut short by a key, the
    // status (with the shop's answer in it), then the agent.
    let heard = caller.received_audio();
    let menu = said(&s, MENU).expect("the first menu was spoken");
    let after_sales = said(&s, AFTER_SALES).expect("the second menu was spoken (the first 1 was taken)");
    let ask_order = said(&s, ASK_ORDER).expect("the order number was asked for (the second 1 was taken)");
    let spoken_status = said(&s, &status_prompt).unwrap_or_else(|| {
        panic!("the server never said `{status_prompt}`: the lookup's answer did not reach the prompt; what the caller heard: {}", describe(&heard, &TONES))
    });
    assert_heard("at first", &heard[..at_first_key], MENU, &menu);
    assert!(secs(at_first_key) < secs(menu.len()) - 0.2, "the first menu was cut short by 1: heard {:.2} s of its {:.2} s", secs(at_first_key), secs(menu.len()));
    assert_heard("after the first 1", &heard[at_first_key..at_second_key], AFTER_SALES, &after_sales);
    assert_heard("after the second 1", &heard[at_second_key..at_digits], ASK_ORDER, &ask_order);
    let after_hash = &heard[at_hash..];
    let status_at = assert_heard("after #", after_hash, &status_prompt, &spoken_status);
    // Then (after a moment of music on hold, perhaps) the agent: find where the 880 Hz starts.
    let bridged_at = (status_at..after_hash.len().saturating_sub(800))
        .step_by(160)
        .find(|&i| dominant(&after_hash[i..i + 800], &TONES) == Some(f64::from(AGENT_HZ)))
        .unwrap_or_else(|| panic!("the caller never heard the agent after #: {}", describe(after_hash, &TONES)));
    let before_bridge = &after_hash[..bridged_at];
    eprintln!("after #, before the agent: {}", describe(before_bridge, &TONES));
    assert!(
        secs(bridged_at - status_at) > secs(spoken_status.len()) - 0.3,
        "the status ({:.2} s) was played to its end before the agent came on ({:.2} s after it started)",
        secs(spoken_status.len()),
        secs(bridged_at - status_at)
    );
    assert!(rms(before_bridge) > 300.0, "speech after the digits, not silence: {}", describe(before_bridge, &TONES));
    assert_tone("the caller heard, bridged", last(&heard, 2.0, 0.3), AGENT_HZ);
    assert_tone("the agent heard", last(&agent.received_audio(), 2.0, 0.3), CALLER_HZ);

    // The interaction carries what the caller told the IVR and what the shop said.
    let it = finished_voice_interaction(&s, &sup).await;
    let ivr = &it["ivr"];
    assert_eq!(ivr["order"], ORDER, "the order number typed: {it}");
    assert_eq!(ivr["o.status"], status, "the lookup's status: {it}");
    assert_eq!(ivr["o.eta_days"], eta_days.to_string(), "the lookup's delivery estimate: {it}");
    assert!(ivr.get("lookup").is_none(), "the lookup did not fail: {it}");
    assert_eq!(it["queue_id"], "support", "{it}");
    assert_eq!(it["agent_id"].as_str(), Some(ids["8003"].as_str()), "answered by 8003: {it}");
    assert_eq!(it["outcome"], "answered", "{it}");

    caller.quit().await;
    agent.quit().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_for_thirty_seconds_reaches_an_agent() {
    const ASK: &str = "tts:en:For sales, press 1. For support, press 2.";
    let (s, sip_port) = start_server(|c| {
        c.menus = vec![hotline_config::MenuConfig {
            number: "1000".into(),
            default_queue: "sales".into(),
            no_input_to_agent_secs: 30,
            ..hotline_config::MenuConfig::demo()
        }];
    })
    .await;
    let admin = s.login("admin", "demo").await;
    // Left to itself, this flow asks for minutes and then hangs up: only
    // the number's 30 s rule brings a silent caller to an agent.
    publish_on_1000(
        &s,
        &admin,
        json!({
            "id": "patient",
            "start": "ask",
            "nodes": {
                "ask": { "type": "menu", "prompt": ASK, "choices": { "1": "sales", "2": "support" },
                    "timeout_secs": 10, "retries": 20, "on_failure": "bye" },
                "sales": { "type": "enqueue", "queue": "sales" },
                "support": { "type": "enqueue", "queue": "support" },
                "bye": { "type": "hangup" }
            }
        }),
    )
    .await;
    let sup = s.login("supervisor", "demo").await;
    let ids = agent_ids(&s, &sup).await;
    let agent = Phone::builder("8001").register(sip_port, "demo").auto_answer().tone(AGENT_HZ).start();
    wait_available(&s, &sup, &ids["8001"]).await;

    let caller = Phone::builder("5550100").tone(CALLER_HZ).start();
    call_1000(&caller, sip_port).await;
    let answered = caller.seen_at(phones::ESTABLISHED).unwrap();
    // 27 s without a key: the agent's phone has not rung.
    tokio::time::sleep_until((answered + Duration::from_secs(27)).into()).await;
    assert!(!agent.raw_output().contains(phones::ANSWERING), "the agent's phone rang within 27 s of the answer:\n{}", agent.output());
    let at_27s = caller.received();

    agent.wait_for(phones::ESTABLISHED, 15).await;
    let rang = agent.seen_at(phones::ANSWERING).unwrap().duration_since(answered).as_secs_f64();
    let put_through = agent.seen_at(phones::ESTABLISHED).unwrap().duration_since(answered).as_secs_f64();
    eprintln!("the agent's phone rang {rang:.2} s after the IVR answered, and answered at {put_through:.2} s");
    assert!((28.0..40.0).contains(&rang), "the agent's phone rang {rang:.2} s after the answer, want about 30 s");
    assert!(put_through < 40.0, "put through {put_through:.2} s after the answer, want about 30 s");
    tokio::time::sleep(Duration::from_secs(2)).await;
    hang_up(&caller, &agent).await;

    // The flow kept asking: its prompt, again and again, then the agent.
    let heard = caller.received_audio();
    let ask = said(&s, ASK).expect("the menu was spoken");
    assert_heard("the greeting", &heard, ASK, &ask);
    // Played whole, then again after its 10 s timeout (gaps leave no trace in the audio).
    assert!(at_27s > ask.len() + RATE as usize, "the menu was asked again within 27 s: heard {:.2} s of audio, the menu is {:.2} s", secs(at_27s), secs(ask.len()));
    assert_heard("after the first time", &heard[ask.len() - 800..at_27s], ASK, &ask);
    assert_ne!(dominant(&heard[..at_27s], &TONES), Some(f64::from(AGENT_HZ)), "no agent within 27 s");
    assert_tone("the caller heard, bridged", last(&heard, 1.5, 0.3), AGENT_HZ);
    assert_tone("the agent heard", last(&agent.received_audio(), 1.5, 0.3), CALLER_HZ);

    let it = finished_voice_interaction(&s, &sup).await;
    assert_eq!(it["queue_id"], "sales", "the number's default queue: {it}");
    assert_eq!(it["agent_id"].as_str(), Some(ids["8001"].as_str()), "answered by 8001: {it}");
    assert_eq!(it["outcome"], "answered", "{it}");
    assert_eq!(it["from"], "5550100", "{it}");

    caller.quit().await;
    agent.quit().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_who_asks_for_a_callback_is_called_back_when_an_agent_is_free() {
    // The customer's phone answers by itself: the callback reaches it
    // through the trunk, whose gateway is this phone.
    let caller = Phone::builder("5550100").auto_answer().tone(CALLER_HZ).start();
    let gateway = format!("127.0.0.1:{}", caller.sip_port());
    let (s, sip_port) = start_server(move |c| {
        c.trunks = vec![hotline_config::TrunkConfig { name: "carrier".into(), gateway, ..Default::default() }];
    })
    .await;
    let admin = s.login("admin", "demo").await;
    set_caller_experience(&s, &admin, "sales", json!({ "announce_every_secs": 10, "callback_after_secs": 10, "callback_key": "1" })).await;
    publish_on_1000(&s, &admin, json!({ "id": "straight-to-sales", "start": "sales", "nodes": { "sales": { "type": "enqueue", "queue": "sales" } } })).await;
    let sup = s.login("supervisor", "demo").await;
    let ids = agent_ids(&s, &sup).await;
    for ext in ["8001", "8002", "8003", "8004", "8005", "8006"] {
        let st = agent_status(&s, &sup, &ids[ext]).await;
        assert_ne!(st["status"], "available", "no agent is available before the test registers one: {ext} {st}");
    }

    // Queued at once; 10 s later the announcement offers the callback.
    call_1000(&caller, sip_port).await;
    let answered = caller.seen_at(phones::ESTABLISHED).unwrap();
    let position_is = wait_said(&s, "position_is", 20, "the announcement of the caller's place").await;
    let at_announcement = caller.received();
    let announced = answered.elapsed().as_secs_f64();
    eprintln!("announcement {announced:.2} s after the answer");
    assert!((9.0..15.0).contains(&announced), "the first announcement came {announced:.2} s after the answer, want about 10 s");
    // The server says "press" when the offer plays: the caller presses 1 then.
    wait_said(&s, "press", 15, "the announcement offering the callback").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let at_key = caller.received();
    caller.send_dtmf('1');

    // The confirmation, then the server hangs up.
    caller.wait_for(phones::SESSION_CLOSED, 20).await;
    assert!(!caller.raw_output().contains(phones::HUNG_UP), "the server hung up, not the caller:\n{}", caller.output());
    let first_call = Wav::read(caller.dumps("dec").first().expect("the first call's audio")).samples;
    assert_heard("10 s after the answer", &first_call[at_announcement..], "position_is", &position_is);
    let confirmed = said(&s, "callback_confirmed").expect("the callback was confirmed");
    let after_key = &first_call[at_key..];
    let confirmed_at = assert_heard("after 1", after_key, "callback_confirmed", &confirmed);
    assert!(
        secs(after_key.len() - confirmed_at) > secs(confirmed.len()) - 0.3,
        "the confirmation ({:.2} s) was played to its end before the hang-up; heard {:.2} s",
        secs(confirmed.len()),
        secs(after_key.len() - confirmed_at)
    );

    // The contact waits on in the queue, unanswered (its row is written
    // asynchronously: wait for it; that it still waits is proven below, when
    // an agent who logs on is rung for it).
    let deadline = Instant::now() + Duration::from_secs(10);
    let waiting = loop {
        let waiting = voice_interactions(&s, &sup).await;
        if waiting.len() == 1 && waiting[0]["queue_id"] == "sales" {
            break waiting;
        }
        assert!(Instant::now() < deadline, "no interaction waiting in sales: {waiting:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(waiting[0]["outcome"].is_null(), "still waiting after the caller's line is gone: {waiting:?}");

    // An agent logs on: their phone rings; the customer is called only once
    // the agent has answered. (The agent answers by hand, a second after the
    // ring: with an auto-answering phone the server calls the customer
    // 0.3 ms after the agent's 200 OK, closer than phone outputs can order.)
    let agent = Phone::builder("8001").register(sip_port, "demo").tone(AGENT_HZ).start();
    agent.wait_for(phones::INCOMING, 20).await;
    let agent_rang = agent.seen_at(phones::INCOMING).unwrap();
    // The agent lets it ring a second; the order of what follows proves the
    // customer was not called meanwhile.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let accepted = Instant::now();
    agent.accept();
    agent.wait_for(phones::ESTABLISHED, 5).await;
    caller.wait_for_count(phones::ESTABLISHED, 2, 20).await;
    let agent_answered = agent.seen_at(phones::ESTABLISHED).unwrap();
    let customer_rang = caller.seen_at(phones::ANSWERING).unwrap();
    let customer_answered = caller.seen_at_nth(phones::ESTABLISHED, 2).unwrap();
    let ms = |t: Instant| t.saturating_duration_since(agent_rang).as_secs_f64() * 1000.0;
    let order = format!(
        "agent's phone rang at 0 ms, answered at {:.0} ms (accepted at {:.0} ms); customer's phone rang at {:.0} ms, answered at {:.0} ms",
        ms(agent_answered),
        ms(accepted),
        ms(customer_rang),
        ms(customer_answered)
    );
    eprintln!("{order}");
    assert!(customer_rang > accepted && customer_answered >= customer_rang, "the customer is called after the agent answered: {order}");
    let incoming = caller.output().lines().find(|l| l.contains(phones::ANSWERING)).unwrap_or_default().to_owned();
    assert!(incoming.contains("from sip:1000@"), "the customer sees the number they called: {incoming}");

    tokio::time::sleep(Duration::from_secs(3)).await;
    let customer_heard = caller.received_audio();
    let agent_heard = agent.received_audio();
    assert_tone("the customer heard", last(&customer_heard, 2.0, 0.2), AGENT_HZ);
    assert_tone("the agent heard", last(&agent_heard, 2.0, 0.2), CALLER_HZ);
    hang_up(&agent, &caller).await;

    let it = finished_voice_interaction(&s, &sup).await;
    assert_eq!(it["queue_id"], "sales", "{it}");
    assert_eq!(it["agent_id"].as_str(), Some(ids["8001"].as_str()), "answered by 8001: {it}");
    assert_eq!(it["outcome"], "answered", "{it}");
    assert_eq!(it["from"], "5550100", "{it}");

    // Recorded like any answered call: the customer left, the agent right.
    // (The agent heard the customer live, above: a silent left channel
    // means the recorder dropped the called-back customer's RTP.)
    let (left, right) = recording_of(&s, &sup, it["id"].as_str().unwrap()).await;
    assert_tone("recording left (the customer called back)", last(&left, 2.0, 0.3), CALLER_HZ);
    assert_tone("recording right (the agent)", last(&right, 2.0, 0.3), AGENT_HZ);

    caller.quit().await;
    agent.quit().await;
    s.stop().await;
}

/// A call to support that the agent ends and the caller rates, and what
/// was seen and heard on the way.
struct RatedCall {
    s: Server,
    sup: String,
    ids: HashMap<String, String>,
    caller: Phone,
    agent: Phone,
    /// The survey's question and thanks, as published.
    ask: String,
    thanks: String,
    /// Samples the caller had received when the agent hung up, and when they pressed the key.
    at_agent_gone: usize,
    at_key: usize,
    /// What reached the agent's phone's RTP ports after it hung up:
    /// (port, datagrams, RFC 4733 telephone-events among them).
    after_hang_up: Vec<(u16, usize, usize)>,
}

/// Support with the seeded survey; 1000 straight to support; 8003 answers
/// (auto), talks 2 s and hangs up; the caller hears 2 s of the survey's
/// question and presses `key`; the server thanks and hangs up. Meanwhile
/// the RTP ports the agent's phone freed are watched.
async fn rate_a_call(key: char) -> RatedCall {
    let (s, sip_port) = start_server(|_| {}).await;
    let admin = s.login("admin", "demo").await;
    set_caller_experience(&s, &admin, "support", json!({ "survey_flow": "survey" })).await;
    publish_on_1000(&s, &admin, json!({ "id": "straight-to-support", "start": "support", "nodes": { "support": { "type": "enqueue", "queue": "support" } } })).await;
    // The seeded survey's prompts, as published.
    let survey = s.get_json("/api/v1/ivr/flows/survey", &admin).await;
    let published = survey["published_version"].as_i64().unwrap_or_else(|| panic!("the survey is published: {survey}"));
    let document = &survey["versions"].as_array().unwrap().iter().find(|v| v["version"] == published).unwrap()["document"];
    let ask = document["nodes"]["ask"]["prompt"].as_str().unwrap_or_else(|| panic!("the survey asks: {document}")).to_owned();
    let thanks = document["nodes"]["thanks"]["prompts"][0].as_str().unwrap_or_else(|| panic!("the survey thanks: {document}")).to_owned();
    let choice = document["nodes"]["ask"]["choices"][key.to_string()].as_str().unwrap_or_else(|| panic!("the survey takes {key}: {document}")).to_owned();
    assert_eq!(document["nodes"][&choice]["value"], key.to_string(), "{key} sets the score {key}: {document}");

    let sup = s.login("supervisor", "demo").await;
    let ids = agent_ids(&s, &sup).await;
    let agent = Phone::builder("8003").register(sip_port, "demo").auto_answer().tone(AGENT_HZ).start();
    wait_available(&s, &sup, &ids["8003"]).await;

    let caller = Phone::builder("5550100").tone(CALLER_HZ).start();
    call_1000(&caller, sip_port).await;
    agent.wait_for(phones::ESTABLISHED, 15).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    // The agent hangs up; the caller stays on for the survey.
    agent.hangup();
    agent.wait_for(phones::TERMINATED, 5).await;
    let at_agent_gone = caller.received();
    let sniffers = sniff(agent.rtp_ports()).await;
    wait_said(&s, &ask, 15, "the survey's question").await;
    // Two seconds into the question, the caller presses the key.
    let at_key = wait_heard(&caller, at_agent_gone, 2.0, 15, "after the agent hung up").await;
    caller.send_dtmf(key);
    caller.wait_for(phones::SESSION_CLOSED, 20).await;
    assert!(!caller.raw_output().contains(phones::HUNG_UP), "the server hung up, not the caller:\n{}", caller.output());
    let after_hang_up = sniffed(&sniffers);
    RatedCall { s, sup, ids, caller, agent, ask, thanks, at_agent_gone, at_key, after_hang_up }
}

/// Binds every port of an RTP range a phone has let go of (waiting up to a
/// second for it to close them), to see what still arrives there.
async fn sniff((lo, hi): (u16, u16)) -> Vec<std::net::UdpSocket> {
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut sockets: Vec<std::net::UdpSocket> = Vec::new();
    loop {
        for port in lo..=hi {
            if sockets.iter().all(|s| s.local_addr().unwrap().port() != port) {
                if let Ok(s) = std::net::UdpSocket::bind(("127.0.0.1", port)) {
                    s.set_nonblocking(true).unwrap();
                    sockets.push(s);
                }
            }
        }
        if sockets.len() == usize::from(hi - lo + 1) {
            return sockets;
        }
        assert!(Instant::now() < deadline, "the phone kept some of its RTP ports {lo}-{hi} after hanging up: bound {} of them", sockets.len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// (port, datagrams, RFC 4733 telephone-events) received on each socket that got any.
fn sniffed(sockets: &[std::net::UdpSocket]) -> Vec<(u16, usize, usize)> {
    let mut buf = [0u8; 2048];
    let mut out = Vec::new();
    for s in sockets {
        let (mut n, mut events) = (0, 0);
        while let Ok((len, _)) = s.recv_from(&mut buf) {
            n += 1;
            // RTP version 2, payload type 101 (what the SDP offered for telephone-event).
            if len >= 12 && buf[0] >> 6 == 2 && buf[1] & 0x7f == 101 {
                events += 1;
            }
        }
        if n > 0 {
            out.push((s.local_addr().unwrap().port(), n, events));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_survey_answer_lands_with_the_interaction() {
    let RatedCall { s, sup, ids, caller, agent, ask, thanks, at_agent_gone, at_key, .. } = rate_a_call('4').await;

    // The agent, then the question (cut short by 4), then the thanks to its end.
    let heard = caller.received_audio();
    assert_tone("the caller heard, bridged", last(&heard[..at_agent_gone], 1.0, 0.1), AGENT_HZ);
    assert_tone("the agent heard", last(&agent.received_audio(), 1.0, 0.1), CALLER_HZ);
    let asked = said(&s, &ask).expect("the survey asked");
    assert_heard("after the agent hung up", &heard[at_agent_gone..at_key], &ask, &asked);
    let thanked = said(&s, &thanks).expect("the survey thanked the caller (4 was taken)");
    let after_key = &heard[at_key..];
    let thanks_at = assert_heard("after 4", after_key, &thanks, &thanked);
    assert!(
        secs(after_key.len() - thanks_at) > secs(thanked.len()) - 0.3,
        "the thanks ({:.2} s) was played to its end before the hang-up; heard {:.2} s",
        secs(thanked.len()),
        secs(after_key.len() - thanks_at)
    );

    let it = finished_voice_interaction(&s, &sup).await;
    assert_eq!(it["outcome"], "answered", "{it}");
    assert_eq!(it["queue_id"], "support", "{it}");
    assert_eq!(it["agent_id"].as_str(), Some(ids["8003"].as_str()), "answered by 8003: {it}");
    let id = it["id"].as_str().unwrap().to_owned();
    let detail = poll(&s, &sup, &format!("/api/v1/interactions/{id}"), "the survey with the interaction", 10, |d| d["survey"].is_object()).await;
    eprintln!("interaction with its survey: {detail}");
    assert_eq!(detail["survey"]["score"], 4, "{detail}");
    assert_eq!(detail["survey"]["answers"]["score"], "4", "{detail}");
    assert_eq!(detail["outcome"], "answered", "{detail}");

    caller.quit().await;
    agent.quit().await;
    s.stop().await;
}

/// Once the agent has hung up, the call is between the caller and the
/// survey: nothing more goes to the agent's phone, and the recording of the
/// conversation ends with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_who_hangs_up_before_the_survey_gets_nothing_more_of_the_call() {
    let RatedCall { s, sup, caller, agent, after_hang_up, .. } = rate_a_call('5').await;
    let it = finished_voice_interaction(&s, &sup).await;
    let id = it["id"].as_str().unwrap().to_owned();
    let detail = poll(&s, &sup, &format!("/api/v1/interactions/{id}"), "a finished recording and the survey", 10, |d| {
        d["survey"].is_object() && d["recordings"].as_array().is_some_and(|r| r.len() == 1 && r[0]["sha256"].is_string())
    })
    .await;
    eprintln!("interaction: {detail}");
    assert_eq!(detail["survey"]["score"], 5, "{detail}");

    let mut wrong = Vec::new();
    if !after_hang_up.is_empty() {
        wrong.push(format!(
            "after the agent's phone hung up, the server still sent to its RTP ports (port, datagrams, telephone-events): {after_hang_up:?} \
             — the caller's audio and survey key went to the agent who had left"
        ));
    }
    // The conversation lasted from the answer to the agent's hang-up (the interaction's end).
    let (answered, ended) = (detail["answered_at"].as_i64().unwrap(), detail["ended_at"].as_i64().unwrap());
    let rec = &detail["recordings"][0];
    let (recorded, rec_ended) = (rec["duration_ms"].as_i64().unwrap(), rec["ended_at"].as_i64().unwrap());
    if recorded > ended - answered + 1000 || rec_ended > ended + 1000 {
        wrong.push(format!(
            "the recording runs on after the agent left: {recorded} ms recorded for {} ms of conversation, ended {} ms after the interaction did",
            ended - answered,
            rec_ended - ended
        ));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    caller.quit().await;
    agent.quit().await;
    s.stop().await;
}
