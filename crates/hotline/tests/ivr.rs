//! IVR flows through the API: drafts, validation on publish, versions and
//! numbers, on SQLite and on PostgreSQL.

mod common;

use common::{assert_error, drop_pg_database, Db, Server};
use reqwest::Method;
use serde_json::{json, Value};

async fn both(test: impl AsyncFn(&Server)) {
    let s = Server::start(Db::Sqlite).await;
    test(&s).await;
    s.stop().await;
    let p = Server::start(Db::Postgres).await;
    test(&p).await;
    let (_, _, db) = p.stop().await;
    if let Some(db) = db {
        drop_pg_database(&db).await;
    }
}

fn flow(prompt: &str) -> Value {
    json!({
        "id": "hotline",
        "start": "main",
        "nodes": {
            "main": { "type": "menu", "prompt": prompt, "choices": { "1": "sales", "2": "support" }, "on_failure": "sales" },
            "sales": { "type": "enqueue", "queue": "sales" },
            "support": { "type": "enqueue", "queue": "support" }
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flows_are_drafted_validated_published_and_versioned() {
    both(async |s: &Server| {
        let admin = s.login("admin", "demo").await;
        let sup = s.login("supervisor", "demo").await;
        let agent = s.login("agent1", "demo").await;
        let put = |token: &str, body: Value| {
            let token = token.to_owned();
            async move { s.req(Method::PUT, "/api/v1/ivr/flows/hotline", Some(&token), Some(body)).await }
        };

        // Only admins edit; the shape is checked with field paths.
        assert_error(put(&agent, flow("welcome")).await, 403, "forbidden", None).await;
        let mut bad = flow("welcome");
        bad["nodes"]["main"]["type"] = json!("dance");
        assert_error(put(&admin, bad).await, 422, "invalid_field", Some("nodes.main.type")).await;
        let mut bad = flow("welcome");
        bad["id"] = json!("other");
        assert_error(put(&admin, bad).await, 422, "invalid_field", Some("id")).await;

        // A draft with a missing prompt saves, but cannot be published.
        let r = put(&admin, flow("")).await;
        assert_eq!(r.status(), 201);
        let v1: Value = r.json().await.unwrap();
        assert_eq!(v1["version"], 1);
        let r = s.post_json("/api/v1/ivr/flows/hotline/versions/1/publish", Some(&admin), json!({})).await;
        let e = assert_error(r, 422, "invalid_flow", Some("nodes.main.prompt")).await;
        assert!(e["error"]["message"].as_str().unwrap().contains("missing prompt"), "{e}");

        // The fixed version publishes; a version publishes once.
        let r = put(&admin, flow("welcome")).await;
        assert_eq!(r.status(), 201);
        let r = s.post_json("/api/v1/ivr/flows/hotline/versions/2/publish", Some(&admin), json!({})).await;
        assert_eq!(r.status(), 200);
        assert_error(s.post_json("/api/v1/ivr/flows/hotline/versions/2/publish", Some(&admin), json!({})).await, 409, "conflict", None).await;
        assert_error(s.post_json("/api/v1/ivr/flows/hotline/versions/7/publish", Some(&admin), json!({})).await, 404, "not_found", None).await;

        // Supervisors read; versions come newest first.
        let f = s.get_json("/api/v1/ivr/flows/hotline", &sup).await;
        assert_eq!(f["published_version"], 2);
        let versions: Vec<i64> = f["versions"].as_array().unwrap().iter().map(|v| v["version"].as_i64().unwrap()).collect();
        assert_eq!(versions, vec![2, 1]);
        assert_eq!(f["versions"][0]["document"]["nodes"]["main"]["prompt"], "welcome");
        assert_eq!(f["versions"][0]["created_by"], "admin");
        let list = s.get_json("/api/v1/ivr/flows", &sup).await;
        assert_eq!(
            list,
            json!([
                {"id": "demo", "published_version": 1, "latest_version": 1},
                {"id": "hotline", "published_version": 2, "latest_version": 2},
                {"id": "survey", "published_version": 1, "latest_version": 1}
            ]),
            "the demo center's flows and ours"
        );
        assert_error(s.get("/api/v1/ivr/flows/hotline", Some(&agent)).await, 403, "forbidden", None).await;
        assert_error(s.get("/api/v1/ivr/flows/nope", Some(&sup)).await, 404, "not_found", None).await;

        // Numbers point at flows that exist; the demo maps 1000 to its flow.
        assert_eq!(s.get_json("/api/v1/ivr/numbers", &sup).await, json!([{"number": "1000", "flow_id": "demo"}]));
        let r = s.req(Method::PUT, "/api/v1/ivr/numbers/1000", Some(&admin), Some(json!({"flow_id": "hotline"}))).await;
        assert_eq!(r.status(), 200);
        let r = s.req(Method::PUT, "/api/v1/ivr/numbers/1001", Some(&admin), Some(json!({"flow_id": "nope"}))).await;
        assert_error(r, 422, "invalid_field", Some("flow_id")).await;
        let r = s.req(Method::PUT, "/api/v1/ivr/numbers/12a", Some(&admin), Some(json!({"flow_id": "hotline"}))).await;
        assert_error(r, 422, "invalid_field", Some("number")).await;
        assert_eq!(s.get_json("/api/v1/ivr/numbers", &sup).await, json!([{"number": "1000", "flow_id": "hotline"}]));

        // Every change is in the audit log.
        let audit = s.get_json("/api/v1/audit", &admin).await;
        let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for a in ["ivr.flow.save", "ivr.flow.publish", "ivr.number.set"] {
            assert!(actions.contains(&a), "{a} missing from {actions:?}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_shop_answers_order_lookups() {
    let s = Server::start(Db::Sqlite).await;
    let lookups = hotline_telephony::lookups::Lookups::new(vec![hotline_config::LookupConfig {
        name: "orders".into(),
        url: format!("{}/demo/orders/{{order}}", s.base),
        ..Default::default()
    }]);
    let params = std::collections::BTreeMap::from([("order".to_string(), "20261123".to_string())]);
    let got = lookups.call("orders", &params).await.unwrap();
    // 2+0+2+6+1+1+2+3 = 17: status 17 % 4 = 1, shipped; 17 % 5 + 1 = 3 days.
    assert_eq!(got.get("status").map(String::as_str), Some("shipped"));
    assert_eq!(got.get("status_zh").map(String::as_str), Some("已发货"));
    assert_eq!(got.get("eta_days").map(String::as_str), Some("3"));
    let again = lookups.call("orders", &params).await.unwrap();
    assert_eq!(got, again, "the same order always has the same status");
    let short = std::collections::BTreeMap::from([("order".to_string(), "12".to_string())]);
    assert!(lookups.call("orders", &short).await.is_err(), "unknown orders are errors, so flows fall back");
    assert_error(s.get("/demo/orders/abc", None).await, 404, "not_found", None).await;
    s.stop().await;
}

/// The demo flow as seeded: valid, and walkable in Chinese and English.
#[test]
fn the_demo_flow_is_valid_and_walks_in_both_languages() {
    use hotline_ivr::{Input, Output, Session, Time};
    use std::collections::BTreeMap;
    use std::sync::Arc;

    let flow: Arc<hotline_ivr::Flow> = Arc::new(serde_json::from_str(hotline_store::DEMO_FLOW).unwrap());
    assert_eq!(hotline_ivr::validate(&flow), vec![]);
    // Monday 2026-11-23, 10:00 and 23:00 China Standard Time.
    const DAY: u64 = 1_795_399_200_000;
    const NIGHT: u64 = DAY + 13 * 3_600_000;

    let walk = |at: u64, tier: &str, inputs: Vec<Input>| -> Vec<Output> {
        let vars = BTreeMap::from([("caller".to_string(), "13800138000".to_string())]);
        let mut s = Session::start(flow.clone(), vars, Time(at));
        let mut outs = Vec::new();
        let mut inputs = inputs.into_iter();
        loop {
            while let Some(o) = s.poll_output() {
                outs.push(o);
            }
            if s.is_done() {
                return outs;
            }
            let next = match outs.last() {
                Some(Output::Lookup { backend, .. }) if backend == "customer" => {
                    Input::LookupResult(Some(BTreeMap::from([("tier".to_string(), tier.to_string())])))
                }
                Some(Output::Lookup { backend, .. }) if backend == "orders" => Input::LookupResult(Some(BTreeMap::from([
                    ("status".to_string(), "shipped".to_string()),
                    ("status_zh".to_string(), "已发货".to_string()),
                    ("eta_days".to_string(), "3".to_string()),
                ]))),
                _ => match inputs.next() {
                    Some(i) => i,
                    None => return outs,
                },
            };
            s.handle(Time(at), next);
        }
    };
    let digits = |s: &str| s.chars().map(Input::Digit).collect::<Vec<_>>();

    // Chinese: 2 售后, 1 order status, the order number, then goodbye.
    let mut keys = digits("1");
    keys.extend(digits("21"));
    keys.extend(digits("20261123#"));
    keys.push(Input::PromptDone);
    let outs = walk(DAY, "0", keys);
    assert!(outs.contains(&Output::Play("tts:cmn:您的订单状态是：已发货，预计3天内送达。".into())), "{outs:#?}");

    // English, VIP line: a VIP customer reaches the vip queue with priority ...
    let mut keys = digits("2");
    keys.extend(digits("3"));
    let outs = walk(DAY, "3", keys.clone());
    assert!(matches!(outs.last(), Some(Output::Enqueue { queue, priority: 10, vars }) if queue == "vip" && vars["lang"] == "en"), "{outs:#?}");
    // ... and anyone else an agent in sales.
    let outs = walk(DAY, "0", keys);
    assert!(matches!(outs.last(), Some(Output::Enqueue { queue, .. }) if queue == "sales"), "{outs:#?}");

    // After hours: a message, then voicemail.
    let outs = walk(NIGHT, "0", vec![Input::PromptDone]);
    assert!(matches!(outs.last(), Some(Output::Voicemail { mailbox, .. }) if mailbox == "after_hours"), "{outs:#?}");
}

/// A 16-bit PCM WAV of a 440 Hz tone.
fn tone_wav(rate: u32, secs: f64) -> Vec<u8> {
    let n = (f64::from(rate) * secs) as usize;
    let mut v = Vec::new();
    let data = (n * 2) as u32;
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36 + data).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&(rate * 2).to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&16u16.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&data.to_le_bytes());
    for i in 0..n {
        let s = ((2.0 * std::f64::consts::PI * 440.0 * i as f64 / f64::from(rate)).sin() * 8000.0) as i16;
        v.extend_from_slice(&s.to_le_bytes());
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prompts_are_uploaded_converted_and_listed() {
    let s = Server::start(Db::Sqlite).await;
    let admin = s.login("admin", "demo").await;
    let sup = s.login("supervisor", "demo").await;
    let agent = s.login("agent1", "demo").await;
    let put = |name: &str, token: &str, kind: &str, body: Vec<u8>| {
        let req = s.http.put(format!("{}/api/v1/prompts/{name}", s.base)).bearer_auth(token).header("content-type", kind).body(body);
        async move { req.send().await.unwrap() }
    };
    let r = put("welcome_zh", &admin, "audio/wav", tone_wav(16_000, 1.5)).await;
    assert_eq!(r.status(), 200);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p, json!({"name": "welcome_zh", "duration_ms": 1500}));
    // Played at 8 kHz.
    let wav = s.get("/api/v1/prompts/welcome_zh", Some(&sup)).await.bytes().await.unwrap();
    assert_eq!(&wav[24..28], &8000u32.to_le_bytes());
    assert_eq!(s.get_json("/api/v1/prompts", &sup).await, json!([{"name": "welcome_zh", "duration_ms": 1500}]));

    // Wrong role, type, name or audio: refused, nothing written.
    assert_error(put("x", &agent, "audio/wav", tone_wav(8000, 0.5)).await, 403, "forbidden", None).await;
    assert_error(put("x", &admin, "text/plain", b"hello".to_vec()).await, 415, "unsupported_media_type", None).await;
    assert_error(put("Bad Name", &admin, "audio/wav", tone_wav(8000, 0.5)).await, 422, "invalid_field", Some("name")).await;
    assert_error(put("x", &admin, "audio/wav", b"RIFF....WAVEjunk".to_vec()).await, 422, "invalid_field", Some("body")).await;
    assert_eq!(s.get_json("/api/v1/prompts", &admin).await.as_array().unwrap().len(), 1);
    assert_error(s.get("/api/v1/prompts/x", Some(&admin)).await, 404, "not_found", None).await;
    let audit = s.get_json("/api/v1/audit", &admin).await;
    assert!(audit.as_array().unwrap().iter().any(|e| e["action"] == "prompt.upload" && e["target"] == "welcome_zh"));
    s.stop().await;
}

#[tokio::test]
async fn broadcasts_are_switched_by_supervisors_checked_and_audited() {
    let s = Server::start(Db::Sqlite).await;
    let sup = s.login("supervisor", "demo").await;
    let agent = s.login("agent1", "demo").await;
    let body = json!({"prompt": "tts:cmn:因系统升级，今晚十点至十二点暂停办理业务。", "instead": false});
    let r = s.req(Method::PUT, "/api/v1/ivr/numbers/1000/broadcast", Some(&agent), Some(body.clone())).await;
    assert_eq!(r.status(), 403, "agents cannot switch broadcasts");
    let r = s.req(Method::PUT, "/api/v1/ivr/numbers/1000/broadcast", Some(&sup), Some(json!({"prompt": "../etc/passwd"}))).await;
    assert_error(r, 422, "invalid_field", Some("prompt")).await;
    let r = s.req(Method::PUT, "/api/v1/ivr/numbers/10x/broadcast", Some(&sup), Some(body.clone())).await;
    assert_error(r, 422, "invalid_field", Some("number")).await;
    let r = s.req(Method::PUT, "/api/v1/ivr/numbers/1000/broadcast", Some(&sup), Some(body)).await;
    assert_eq!(r.status(), 200);
    let list = s.get_json("/api/v1/ivr/broadcasts", &sup).await;
    assert_eq!(list[0]["number"], "1000");
    assert_eq!(list[0]["updated_by"], "supervisor");
    let r = s.req(Method::DELETE, "/api/v1/ivr/numbers/1000/broadcast", Some(&sup), None).await;
    assert_eq!(r.status(), 204);
    let r = s.req(Method::DELETE, "/api/v1/ivr/numbers/1000/broadcast", Some(&sup), None).await;
    assert_eq!(r.status(), 404, "already off");
    let admin = s.login("admin", "demo").await;
    let audit = s.get_json("/api/v1/audit", &admin).await;
    let actions: Vec<&str> = audit.as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).filter(|a| a.starts_with("ivr.broadcast")).collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
    s.stop().await;
}
