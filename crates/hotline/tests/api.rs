//! The HTTP API against a real server with the demo center, on SQLite and
//! on PostgreSQL.

mod common;

use std::time::Duration;

use common::{assert_error, drop_pg_database, Db, Server};
use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_openapi() {
    let s = Server::start(Db::Sqlite).await;
    assert_eq!(s.get("/healthz", None).await.status(), 200);
    // Every response carries the security headers, the app's page and the API's errors alike.
    for path in ["/", "/call", "/api/v1/me"] {
        let r = s.get(path, None).await;
        let h = r.headers();
        assert_eq!(h.get("content-security-policy").and_then(|v| v.to_str().ok()), Some(hotline_api::CONTENT_SECURITY_POLICY), "{path}");
        assert_eq!(h.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"), "{path}");
        assert_eq!(h.get("referrer-policy").and_then(|v| v.to_str().ok()), Some("no-referrer"), "{path}");
        assert_eq!(h.get("x-frame-options").and_then(|v| v.to_str().ok()), Some("DENY"), "{path}");
        assert!(hotline_api::CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
    }
    let ready: Value = s.get("/readyz", None).await.json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    let metrics = s.get("/metrics", None).await.text().await.unwrap();
    for needle in [
        "hotline_contacts_waiting{queue=\"sales\"} 0",
        "hotline_contacts_waiting{queue=\"vip\"} 0",
        "hotline_answers_total{queue=\"support\"} 0",
        "hotline_agents{status=\"logged_out\",state=\"idle\"} 6",
    ] {
        assert!(metrics.contains(needle), "missing {needle} in\n{metrics}");
    }
    // The document is for signed-in users.
    assert_eq!(s.get("/api/v1/openapi.json", None).await.status(), 401);
    let admin = s.login("admin", "demo").await;
    let doc: Value = s.get_json("/api/v1/openapi.json", &admin).await;
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/auth/login",
        "/api/v1/queues",
        "/api/v1/queues/{id}",
        "/api/v1/queues/{id}/stats",
        "/api/v1/agents",
        "/api/v1/agents/{id}",
        "/api/v1/agents/{id}/state",
        "/api/v1/skills",
        "/api/v1/events",
        "/api/v1/contacts",
        "/metrics",
    ] {
        assert!(paths.contains_key(p), "openapi lacks {p}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_needs_a_session() {
    let s = Server::start(Db::Sqlite).await;
    for path in ["/api/v1/queues", "/api/v1/agents", "/api/v1/skills", "/api/v1/me", "/api/v1/queues/sales/stats", "/api/v1/audit"] {
        assert_error(s.get(path, None).await, 401, "unauthorized", None).await;
        assert_error(s.get(path, Some("not-a-token")).await, 401, "unauthorized", None).await;
    }
    assert_error(s.get("/api/v1/nope", None).await, 404, "not_found", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_logout_and_rate_limit() {
    let s = Server::start(Db::Sqlite).await;
    // Wrong password and unknown user look the same.
    let a = assert_error(s.post_json("/api/v1/auth/login", None, json!({"username":"agent1","password":"nope"})).await, 401, "bad_credentials", None).await;
    let b = assert_error(s.post_json("/api/v1/auth/login", None, json!({"username":"ghost","password":"nope"})).await, 401, "bad_credentials", None).await;
    assert_eq!(a["error"]["message"], b["error"]["message"]);
    // Malformed bodies name the problem.
    assert_error(s.post_json("/api/v1/auth/login", None, json!({"username":"agent1"})).await, 422, "invalid_field", None).await;
    let r = s.http.post(format!("{}/api/v1/auth/login", s.base)).header("content-type", "application/json").body("{\"username\":").send().await.unwrap();
    assert_error(r, 400, "bad_request", None).await;
    let r = s.http.post(format!("{}/api/v1/auth/login", s.base)).body("username=agent1").send().await.unwrap();
    assert_error(r, 415, "unsupported_media_type", None).await;

    // A good login: token, cookie, roles.
    let r = s.post_json("/api/v1/auth/login", None, json!({"username":"agent1","password":"demo"})).await;
    assert_eq!(r.status(), 200);
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with("hotline_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let body: Value = r.json().await.unwrap();
    let token = body["token"].as_str().unwrap().to_owned();
    assert_eq!(body["user"]["roles"], json!(["agent"]));
    let me = s.get_json("/api/v1/me", &token).await;
    assert_eq!(me["username"], "agent1");
    // The cookie alone also works.
    let cookie_pair = cookie.split(';').next().unwrap().to_owned();
    let r = s.http.get(format!("{}/api/v1/me", s.base)).header("cookie", cookie_pair).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // Logout ends the session.
    assert_eq!(s.req(Method::POST, "/api/v1/auth/logout", Some(&token), None).await.status(), 204);
    assert_error(s.get("/api/v1/me", Some(&token)).await, 401, "unauthorized", None).await;

    // Three failures for one user from here make even the right password wait.
    for _ in 0..3 {
        s.post_json("/api/v1/auth/login", None, json!({"username":"agent2","password":"x"})).await;
    }
    let r = s.post_json("/api/v1/auth/login", None, json!({"username":"agent2","password":"demo"})).await;
    assert!(r.headers().get("retry-after").is_some());
    assert_error(r, 429, "rate_limited", None).await;
    // Other users at the same address are not affected.
    s.login("agent3", "demo").await;
    // An admin opens agent2 again (audited), and the right password works.
    let admin = s.login("admin", "demo").await;
    assert_eq!(s.req(Method::DELETE, "/api/v1/auth/lockouts/agent2", Some(&admin), None).await.status(), 204);
    s.login("agent2", "demo").await;

    // The auditor sees the failed logins; an agent may not read the audit log.
    let auditor = s.login("auditor", "demo").await;
    let audit = s.get_json("/api/v1/audit", &auditor).await;
    let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"login.failed") && actions.contains(&"login.rate_limited") && actions.contains(&"login") && actions.contains(&"login.unlock"), "{actions:?}");
    let agent = s.login("agent4", "demo").await;
    assert_error(s.get("/api/v1/audit", Some(&agent)).await, 403, "forbidden", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_crud_with_roles_and_precise_errors() {
    both(async |s: &Server| {
        let admin = s.login("admin", "demo").await;
        let agent = s.login("agent1", "demo").await;
        let sup = s.login("supervisor", "demo").await;

        let queues = s.get_json("/api/v1/queues", &agent).await;
        let ids: Vec<&str> = queues.as_array().unwrap().iter().map(|q| q["id"].as_str().unwrap()).collect();
        assert!(ids.contains(&"sales") && ids.contains(&"support") && ids.contains(&"vip"), "{ids:?}");
        let agents = s.get_json("/api/v1/agents", &agent).await;
        assert_eq!(agents.as_array().unwrap().len(), 6);
        let skills = s.get_json("/api/v1/skills", &agent).await;
        assert!(skills.as_array().unwrap().iter().any(|k| k["id"] == "yue" && k["kind"] == "language"));

        let new_queue = json!({"id":"billing_q","name":"账务查询","strategy":"round_robin",
            "steps":[{"skills":[{"skill":"billing","min_level":5}],"timeout_secs":30},{"skills":[]}]});
        // Agents may not configure queues.
        assert_error(s.post_json("/api/v1/queues", Some(&agent), new_queue.clone()).await, 403, "forbidden", None).await;
        // Wrong values are refused with the field path, and change nothing.
        let mut bad = new_queue.clone();
        bad["steps"][0]["timeout_secs"] = json!("soon");
        assert_error(s.post_json("/api/v1/queues", Some(&admin), bad).await, 422, "invalid_field", Some("steps[0].timeout_secs")).await;
        let mut bad = new_queue.clone();
        bad["strategy"] = json!("random");
        let e = assert_error(s.post_json("/api/v1/queues", Some(&admin), bad).await, 422, "invalid_field", Some("strategy")).await;
        assert!(e["error"]["message"].as_str().unwrap().contains("longest_idle"), "{e}");
        let mut bad = new_queue.clone();
        bad["steps"][0]["skills"][0]["skill"] = json!("astrology");
        assert_error(s.post_json("/api/v1/queues", Some(&admin), bad).await, 422, "invalid_field", Some("steps[0].skills[0].skill")).await;
        let mut bad = new_queue.clone();
        bad["steps"][0]["skills"][0]["min_level"] = json!(11);
        assert_error(s.post_json("/api/v1/queues", Some(&admin), bad).await, 422, "invalid_field", Some("steps[0].skills[0].min_level")).await;
        let mut bad = new_queue.clone();
        bad["overflow_queue"] = json!("nowhere");
        bad["overflow_after_secs"] = json!(60);
        assert_error(s.post_json("/api/v1/queues", Some(&admin), bad).await, 422, "invalid_field", Some("overflow_queue")).await;
        assert_eq!(s.get_json("/api/v1/queues", &admin).await.as_array().unwrap().len(), 3, "nothing was created");

        // A good one.
        let r = s.post_json("/api/v1/queues", Some(&admin), new_queue.clone()).await;
        assert_eq!(r.status(), 201);
        let q: Value = r.json().await.unwrap();
        assert_eq!(q["strategy"], "round_robin");
        assert_eq!(q["service_level_secs"], 20, "default applied");
        assert_error(s.post_json("/api/v1/queues", Some(&admin), new_queue).await, 409, "conflict", None).await;
        // PATCH: change one field, clear another.
        let r = s.req(Method::PATCH, "/api/v1/queues/billing_q", Some(&admin), Some(json!({"max_wait_secs": 120, "name": "账务"}))).await;
        assert_eq!(r.status(), 200);
        let r = s.req(Method::PATCH, "/api/v1/queues/billing_q", Some(&admin), Some(json!({"max_wait_secs": null}))).await;
        let q: Value = r.json().await.unwrap();
        assert_eq!(q["max_wait_secs"], Value::Null);
        assert_eq!(q["name"], "账务");
        let stats = s.get_json("/api/v1/queues/billing_q/stats", &agent).await;
        assert_eq!(stats["waiting"], 0);
        assert_error(s.get("/api/v1/queues/nope/stats", Some(&agent)).await, 404, "not_found", None).await;

        // Skills and agents.
        let r = s.post_json("/api/v1/skills", Some(&admin), json!({"id":"insurance","name":"保险"})).await;
        assert_eq!(r.status(), 201);
        assert_error(s.post_json("/api/v1/skills", Some(&admin), json!({"id":"Bad Id","name":"x"})).await, 422, "invalid_field", Some("id")).await;
        let r = s.post_json("/api/v1/agents", Some(&admin), json!({"extension":"8007","name":"新人","skills":[{"skill":"insurance","level":3}],"languages":["zh"],"queues":["billing_q"]})).await;
        assert_eq!(r.status(), 201);
        let created: Value = r.json().await.unwrap();
        assert_eq!(created["capacity"], json!({"voice":1,"chat":3,"email":5}));
        assert_error(s.post_json("/api/v1/agents", Some(&admin), json!({"extension":"8007","name":"重复"})).await, 409, "conflict", Some("extension")).await;
        assert_error(s.post_json("/api/v1/agents", Some(&admin), json!({"extension":"8008","name":"x","languages":["klingon"]})).await, 422, "invalid_field", Some("languages[0]")).await;
        // Supervisors move agents between queues but may not rename them.
        let id = created["id"].as_str().unwrap();
        let r = s.req(Method::PATCH, &format!("/api/v1/agents/{id}"), Some(&sup), Some(json!({"queues":["billing_q","sales"]}))).await;
        assert_eq!(r.status(), 200);
        assert_error(s.req(Method::PATCH, &format!("/api/v1/agents/{id}"), Some(&sup), Some(json!({"name":"x"}))).await, 403, "forbidden", None).await;
        let audit = s.get_json("/api/v1/audit", &admin).await;
        let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for a in ["queue.create", "queue.update", "skill.create", "agent.create", "agent.update"] {
            assert!(actions.contains(&a), "{a} missing from {actions:?}");
        }
    })
    .await;
}

async fn next_event(ws: &mut (impl StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin), kind: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next()).await.unwrap_or_else(|_| panic!("no {kind} event")).unwrap().unwrap();
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["type"] == kind {
                return v;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_is_offered_accepted_handled_and_logged() {
    both(async |s: &Server| {
        let admin = s.login("admin", "demo").await;
        let sup = s.login("supervisor", "demo").await;
        let agent1 = s.login("agent1", "demo").await;
        let me = s.get_json("/api/v1/me", &agent1).await;
        let a1 = me["agent_id"].as_str().unwrap().to_owned();
        let agents = s.get_json("/api/v1/agents", &admin).await;
        let a2 = agents.as_array().unwrap().iter().find(|a| a["extension"] == "8002").unwrap()["id"].as_str().unwrap().to_owned();

        // A queue only agent1 serves, with no skill requirements.
        let r = s.post_json("/api/v1/queues", Some(&admin), json!({"id":"desk","name":"测试","wrap_up_secs":60})).await;
        assert_eq!(r.status(), 201);
        let r = s.req(Method::PATCH, &format!("/api/v1/agents/{a1}"), Some(&admin), Some(json!({"queues":["desk"]}))).await;
        assert_eq!(r.status(), 200);

        let (mut ws, _) = tokio_tungstenite::connect_async(events_url(s, &agent1, None).await).await.unwrap();
        next_event(&mut ws, "hello").await;

        // An agent may not change another agent's state; a supervisor may.
        let r = s.req(Method::PUT, &format!("/api/v1/agents/{a2}/state"), Some(&agent1), Some(json!({"state":"available"}))).await;
        assert_error(r, 403, "forbidden", None).await;
        let r = s.req(Method::PUT, &format!("/api/v1/agents/{a1}/state"), Some(&agent1), Some(json!({"state":"not_ready"}))).await;
        assert_error(r, 422, "invalid_field", Some("reason")).await;
        let r = s.req(Method::PUT, &format!("/api/v1/agents/{a1}/state"), Some(&agent1), Some(json!({"state":"not_ready","reason":"nap"}))).await;
        assert_error(r, 422, "invalid_field", Some("reason")).await;
        let r = s.req(Method::PUT, &format!("/api/v1/agents/{a1}/state"), Some(&agent1), Some(json!({"state":"not_ready","reason":"break"}))).await;
        let st: Value = r.json().await.unwrap();
        assert_eq!((st["status"].as_str(), st["reason"].as_str()), (Some("not_ready"), Some("break")));
        let ev = next_event(&mut ws, "agent_state").await;
        assert_eq!(ev["agent_id"], a1.as_str());

        // A contact arrives while agent1 is on a break: it waits.
        let r = s.post_json("/api/v1/contacts", Some(&sup), json!({"queue":"desk","channel":"voice","from":"13800138000"})).await;
        assert_eq!(r.status(), 201);
        let contact = r.json::<Value>().await.unwrap()["contact_id"].as_str().unwrap().to_owned();
        assert_eq!(next_event(&mut ws, "contact_queued").await["contact_id"], contact.as_str());
        let stats = s.get_json("/api/v1/queues/desk/stats", &sup).await;
        assert_eq!(stats["waiting"], 1);

        // Agent goes ready: the contact is offered at once.
        let r = s.req(Method::PUT, &format!("/api/v1/agents/{a1}/state"), Some(&agent1), Some(json!({"state":"available"}))).await;
        assert_eq!(r.status(), 200);
        let offer = next_event(&mut ws, "contact_offered").await;
        assert_eq!(offer["agent_id"], a1.as_str());
        let offer_id = offer["offer_id"].as_str().unwrap().to_owned();
        let st = s.get_json(&format!("/api/v1/agents/{a1}/state"), &agent1).await;
        assert_eq!(st["state"], "reserved");
        assert_eq!(st["offer"]["contact_id"], contact.as_str());

        // Another agent cannot accept agent1's offer.
        let agent2 = s.login("agent2", "demo").await;
        assert_error(s.req(Method::POST, &format!("/api/v1/offers/{offer_id}/accept"), Some(&agent2), None).await, 404, "not_found", None).await;
        let r = s.req(Method::POST, &format!("/api/v1/offers/{offer_id}/accept"), Some(&agent1), None).await;
        assert_eq!(r.status(), 200);
        let st: Value = r.json().await.unwrap();
        assert_eq!(st["state"], "busy");
        assert_eq!(st["active"], json!([contact]));
        // Accepting twice is refused and changes nothing.
        assert_error(s.req(Method::POST, &format!("/api/v1/offers/{offer_id}/accept"), Some(&agent1), None).await, 409, "stale", None).await;
        assert_eq!(next_event(&mut ws, "contact_answered").await["contact_id"], contact.as_str());

        // Finish with a wrap-up code; the agent goes to wrap-up, then ends it early.
        let r = s.post_json(&format!("/api/v1/contacts/{contact}/finish"), Some(&agent1), json!({"wrap_up_code":"nonsense"})).await;
        assert_error(r, 422, "invalid_field", Some("wrap_up_code")).await;
        let r = s.post_json(&format!("/api/v1/contacts/{contact}/finish"), Some(&agent1), json!({"wrap_up_code":"resolved"})).await;
        assert_eq!(r.status(), 204);
        let st = s.get_json(&format!("/api/v1/agents/{a1}/state"), &agent1).await;
        assert_eq!(st["state"], "wrap_up");
        assert!(st["wrap_up_until"].as_i64().is_some());
        let r = s.req(Method::POST, &format!("/api/v1/agents/{a1}/wrap-up/end"), Some(&agent1), None).await;
        assert_eq!(r.json::<Value>().await.unwrap()["state"], "idle");

        let stats = s.get_json("/api/v1/queues/desk/stats", &sup).await;
        assert_eq!((stats["waiting"].as_u64(), stats["offered"].as_u64(), stats["answered"].as_u64()), (Some(0), Some(1), Some(1)));
        assert_eq!(stats["service_level_pct"], 100.0);
        let metrics = s.get("/metrics", None).await.text().await.unwrap();
        assert!(metrics.contains("hotline_answers_total{queue=\"desk\"} 1"), "{metrics}");

        // A second contact that nobody takes is abandoned by the caller.
        s.req(Method::PUT, &format!("/api/v1/agents/{a1}/state"), Some(&agent1), Some(json!({"state":"not_ready","reason":"lunch"}))).await;
        let r = s.post_json("/api/v1/contacts", Some(&sup), json!({"queue":"desk","channel":"voice"})).await;
        let c2 = r.json::<Value>().await.unwrap()["contact_id"].as_str().unwrap().to_owned();
        assert_eq!(s.req(Method::POST, &format!("/api/v1/contacts/{c2}/abandon"), Some(&sup), None).await.status(), 204);
        assert_eq!(next_event(&mut ws, "contact_abandoned").await["contact_id"], c2.as_str());

        // A supervisor who reconnects after the first contact was queued gets
        // what followed, in order, then live events.
        let queued_seq = {
            let (mut again, _) = tokio_tungstenite::connect_async(events_url(s, &sup, Some(0)).await).await.unwrap();
            next_event(&mut again, "hello").await;
            let q = next_event(&mut again, "contact_queued").await;
            assert_eq!(q["contact_id"], contact.as_str());
            q["seq"].as_u64().unwrap()
        };
        let (mut again, _) = tokio_tungstenite::connect_async(events_url(s, &sup, Some(queued_seq)).await).await.unwrap();
        next_event(&mut again, "hello").await;
        let offered = next_event(&mut again, "contact_offered").await;
        assert!(offered["seq"].as_u64().unwrap() > queued_seq);
        assert_eq!(offered["contact_id"], contact.as_str());
        assert_eq!(next_event(&mut again, "contact_answered").await["contact_id"], contact.as_str());
        assert_eq!(next_event(&mut again, "contact_abandoned").await["contact_id"], c2.as_str());
        assert_error(s.get("/api/v1/events?since=soon", Some(&sup)).await, 422, "invalid_field", Some("since")).await;
        assert_error(s.get("/api/v1/events", Some(&sup)).await, 400, "websocket_required", None).await;

        // What was written: the interaction row and the queue log (written
        // asynchronously: wait for the row's end, then read the rest).
        let store = hotline_store::Store::connect(&database_url(s)).await.unwrap();
        let t = store.tenant("default");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let row = loop {
            let row = t.interaction(&contact).await.unwrap();
            if row.as_ref().is_some_and(|r| r.outcome.is_some()) {
                break row.unwrap();
            }
            assert!(std::time::Instant::now() < deadline, "the interaction row never got its outcome: {row:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(row.agent_id.as_deref(), Some(a1.as_str()));
        assert_eq!(row.outcome.as_deref(), Some("answered"));
        assert_eq!(row.wrap_up_code.as_deref(), Some("resolved"));
        assert!(row.enqueued_at.is_some() && row.offered_at.is_some() && row.answered_at.is_some() && row.ended_at.is_some());
        let row2 = t.interaction(&c2).await.unwrap().expect("abandoned row");
        assert_eq!(row2.outcome.as_deref(), Some("abandoned"));
        let log = t.list_queue_events(0, 1000).await.unwrap();
        let verbs: Vec<(&str, Option<&str>)> = log.iter().filter(|e| e.interaction_id.as_deref() == Some(contact.as_str())).map(|e| (e.event.as_str(), e.queue_id.as_deref())).collect();
        assert_eq!(verbs, vec![("ENTERQUEUE", Some("desk")), ("CONNECT", Some("desk")), ("COMPLETEAGENT", Some("desk"))]);
        assert!(log.iter().any(|e| e.event == "ABANDON" && e.interaction_id.as_deref() == Some(c2.as_str())));
        let agent_log: Vec<(&str, Vec<String>)> = log.iter().filter(|e| e.agent_id.as_deref() == Some(a1.as_str()) && e.interaction_id.is_none()).map(|e| (e.event.as_str(), e.data.clone())).collect();
        let s = |v: &str| vec![v.to_owned()];
        assert_eq!(agent_log, vec![("AGENTLOGIN", vec![]), ("PAUSE", s("break")), ("UNPAUSE", vec![]), ("PAUSE", s("lunch"))]);
    })
    .await;
}

fn database_url(s: &Server) -> String {
    if s.database_url.is_empty() {
        format!("sqlite://{}", s.data.path().join("hotline.db").display())
    } else {
        s.database_url.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_keeps_data_and_agent_presence_without_duplicating_the_demo() {
    let s = Server::start(Db::Sqlite).await;
    let agent1 = s.login("agent1", "demo").await;
    let a1 = s.get_json("/api/v1/me", &agent1).await["agent_id"].as_str().unwrap().to_owned();
    let r = s.req(Method::PUT, &format!("/api/v1/agents/{a1}/state"), Some(&agent1), Some(json!({"state":"not_ready","reason":"training"}))).await;
    assert_eq!(r.status(), 200);
    let (data, url, _) = s.stop().await;

    // Same folder, --demo again.
    let s = Server::start_with(data, url, None).await;
    let admin = s.login("admin", "demo").await;
    assert_eq!(s.get_json("/api/v1/agents", &admin).await.as_array().unwrap().len(), 6);
    assert_eq!(s.get_json("/api/v1/queues", &admin).await.as_array().unwrap().len(), 3);
    let st = s.get_json(&format!("/api/v1/agents/{a1}/state"), &admin).await;
    assert_eq!((st["status"].as_str(), st["reason"].as_str()), (Some("not_ready"), Some("training")));
}

#[tokio::test]
async fn the_screen_pop_wrap_up_and_customer_search_respect_roles_and_mask_numbers() {
    let s = Server::start(Db::Sqlite).await;
    let sup = s.login("supervisor", "demo").await;
    let agent1 = s.login("agent1", "demo").await;
    let agent2 = s.login("agent2", "demo").await;
    let found = s.get_json("/api/v1/customers?q=138", &sup).await;
    let customer = found.as_array().unwrap().iter().find(|c| c["tier"] == 3).expect("a VIP with a 138 number").clone();
    let phone = customer["phones"][0].as_str().unwrap().to_owned();
    assert!(!phone.contains('*'), "supervisors see numbers");
    let masked = s.get_json("/api/v1/customers?q=138", &agent1).await;
    assert!(masked[0]["phones"][0].as_str().unwrap().contains("****"), "agents see them masked: {masked}");
    let r = s.get("/api/v1/customers?q=1", Some(&agent1)).await;
    assert_error(r, 422, "invalid_field", Some("q")).await;

    let me = s.get_json("/api/v1/me", &agent1).await;
    let agent_id = me["agent_id"].as_str().unwrap().to_owned();
    let r = s.req(Method::PUT, &format!("/api/v1/agents/{agent_id}/state"), Some(&agent1), Some(json!({"state": "available"}))).await;
    assert_eq!(r.status(), 200);
    let r = s.post_json("/api/v1/contacts", Some(&sup), json!({"queue": "sales", "channel": "voice", "from": phone})).await;
    assert_eq!(r.status(), 201);
    let contact = r.json::<Value>().await.unwrap()["contact_id"].as_str().unwrap().to_owned();

    // The agent it is offered to sees who calls; another agent does not.
    let pop = s.get_json(&format!("/api/v1/interactions/{contact}/screen-pop"), &agent1).await;
    assert_eq!(pop["customer"]["name"], customer["name"]);
    assert!(pop["interaction"]["from"].as_str().unwrap().contains("****"), "{pop}");
    let r = s.get(&format!("/api/v1/interactions/{contact}/screen-pop"), Some(&agent2)).await;
    assert_eq!(r.status(), 403, "not agent2's contact");

    let offer = s.get_json(&format!("/api/v1/agents/{agent_id}/state"), &agent1).await["offer"]["offer_id"].as_str().unwrap().to_owned();
    assert_eq!(s.post_json(&format!("/api/v1/offers/{offer}/accept"), Some(&agent1), json!({})).await.status(), 200);
    let r = s.req(Method::POST, &format!("/api/v1/contacts/{contact}/finish"), Some(&agent1), None).await;
    assert_eq!(r.status(), 204);
    // Wrap-up: the agent who handled it, a known code only (once the row shows the answer).
    let path = format!("/api/v1/interactions/{contact}");
    common::poll(&s, &agent1, &path, "the interaction answered by agent1", 10, |i| i["outcome"] == "answered").await;
    let r = s.req(Method::PATCH, &path, Some(&agent2), Some(json!({"wrap_up_code": "resolved"}))).await;
    assert_eq!(r.status(), 403);
    let r = s.req(Method::PATCH, &path, Some(&agent1), Some(json!({"wrap_up_code": "no-such-code"}))).await;
    assert_error(r, 422, "invalid_field", Some("wrap_up_code")).await;
    let codes = s.get_json("/api/v1/wrap-up-codes", &agent1).await;
    let code = codes[0]["id"].as_str().unwrap();
    let r = s.req(Method::PATCH, &path, Some(&agent1), Some(json!({"wrap_up_code": code, "notes": "已解答"}))).await;
    assert_eq!(r.status(), 200);
    let i = s.get_json(&path, &sup).await;
    assert_eq!((i["wrap_up_code"].as_str(), i["notes"].as_str()), (Some(code), Some("已解答")));
    // The customer's page: their history holds the call, phones masked for the agent.
    let page = s.get_json(&format!("/api/v1/customers/{}", customer["id"].as_str().unwrap()), &agent1).await;
    assert!(page["customer"]["phones"][0].as_str().unwrap().contains("****"), "{page}");
    let listed = page["interactions"].as_array().unwrap().iter().any(|h| h["id"] == contact.as_str() && h["wrap_up_code"] == code);
    assert!(listed, "the call is in the customer's history: {page}");
    let admin = s.login("admin", "demo").await;
    let audit = s.get_json("/api/v1/audit", &admin).await;
    let actions: Vec<&str> = audit.as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for a in ["customer.search", "customer.screen_pop", "interaction.wrap_up", "customer.view"] {
        assert!(actions.contains(&a), "{a} audited: {actions:?}");
    }
    s.stop().await;
}

#[tokio::test]
async fn the_browser_softphone_api_is_for_the_agent_whose_call_rings() {
    let s = Server::start(Db::Sqlite).await;
    let sup = s.login("supervisor", "demo").await;
    let agent = s.login("agent1", "demo").await;
    let r = s.req(Method::PUT, "/api/v1/softphone", Some(&sup), Some(json!({"online": true}))).await;
    assert_eq!(r.status(), 403, "only agents have a softphone");
    let r = s.req(Method::PUT, "/api/v1/softphone", Some(&agent), Some(json!({"online": true}))).await;
    assert_eq!(r.status(), 204);
    let offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    let answer = |contact: &str, body: &str, kind: &str| {
        s.http.post(format!("{}/api/v1/calls/{contact}/answer", s.base)).bearer_auth(&agent).header("content-type", kind).body(body.to_owned()).send()
    };
    assert_error(answer("no-such-contact", offer, "application/sdp").await.unwrap(), 404, "not_found", None).await;
    assert_error(answer("x", "hello", "application/sdp").await.unwrap(), 422, "invalid_field", Some("sdp")).await;
    assert_error(answer("x", offer, "text/plain").await.unwrap(), 415, "unsupported_media_type", Some("content-type")).await;
    let r = s.req(Method::POST, "/api/v1/calls/no-such-contact/hangup", Some(&agent), None).await;
    assert_eq!(r.status(), 404);
    // Available with only the browser softphone; the browser goes away:
    // out of routing, not offered calls nobody will answer.
    let me = s.get_json("/api/v1/me", &agent).await;
    let id = me["agent_id"].as_str().unwrap().to_owned();
    let r = s.req(Method::PUT, &format!("/api/v1/agents/{id}/state"), Some(&agent), Some(json!({"state": "available"}))).await;
    assert_eq!(r.status(), 200);
    let r = s.req(Method::PUT, "/api/v1/softphone", Some(&agent), Some(json!({"online": false}))).await;
    assert_eq!(r.status(), 204);
    let st = common::poll(&s, &sup, &format!("/api/v1/agents/{id}/state"), "agent1 out of routing", 10, |st| st["status"] != "available").await;
    assert_eq!((&st["status"], &st["reason"]), (&json!("not_ready"), &json!("unregistered")), "{st}");
    s.stop().await;
}

#[tokio::test]
async fn click_to_call_is_public_but_only_reaches_ivr_numbers() {
    let s = Server::start(Db::Sqlite).await;
    let offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    let page = reqwest::Client::new();
    let call = |number: &'static str, body: &str| public_call(&s, &page, number, body.to_owned());
    assert_error(call("8002", offer).await, 404, "not_found", None).await;
    assert_error(call("1000", "not sdp").await, 422, "invalid_field", Some("sdp")).await;
    assert_error(call("10x0", offer).await, 422, "invalid_field", Some("number")).await;
    // An offer without audio cannot be answered: refused with the reason.
    let r = call("1000", offer).await;
    assert_eq!(r.status(), 422, "{}", r.text().await.unwrap());
    let r = s.http.post(format!("{}/api/v1/public/calls/no-such-token/hangup", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    // Without the page's token, or from another site's page: refused.
    let r = s.http.post(format!("{}/api/v1/public/calls/1000", s.base)).header("origin", &s.base).header("content-type", "application/sdp").body(offer).send().await.unwrap();
    assert_error(r, 403, "call_token_required", None).await;
    let token = page_token(&s).await;
    let r = s.http.post(format!("{}/api/v1/public/calls/1000", s.base)).header("origin", "https://evil.example").header("x-call-token", token).header("content-type", "application/sdp").body(offer).send().await.unwrap();
    assert_error(r, 403, "origin_not_allowed", None).await;
    // What a form on another site could send (text/plain, no preflight): refused.
    let token = page_token(&s).await;
    let r = s.http.post(format!("{}/api/v1/public/calls/1000", s.base)).header("origin", &s.base).header("x-call-token", token)
        .header("content-type", "text/plain").body(offer).send().await.unwrap();
    assert_error(r, 415, "unsupported_media_type", Some("content-type")).await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_to_call_flood_from_one_address_is_limited_and_others_still_call() {
    let s = Server::start(Db::Sqlite).await;
    let offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    let from = |ip: [u8; 4]| reqwest::Client::builder().local_address(std::net::IpAddr::from(ip)).build().unwrap();
    // A different X-Forwarded-For on every request does not help: the
    // server trusts no proxy here, so the header is ignored.
    let flood = |i: u8| {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("x-forwarded-for", format!("198.51.100.{i}").parse().unwrap());
        reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, 2])).default_headers(h).build().unwrap()
    };
    let mut statuses = Vec::new();
    for i in 0..20 {
        statuses.push(public_call(&s, &flood(i), "1000", offer.to_owned()).await.status().as_u16());
    }
    // Six a minute get through to telephony (refused there: no audio); the rest wait.
    assert_eq!(statuses.iter().filter(|st| **st == 422).count(), 6, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|st| **st == 429).count(), 14, "{statuses:?}");
    let r = public_call(&s, &flood(99), "1000", offer.to_owned()).await;
    assert!(r.headers().get("retry-after").is_some());
    assert_error(r, 429, "rate_limited", None).await;
    // A visitor elsewhere still gets through.
    let visitor = from([127, 0, 0, 3]);
    assert_eq!(public_call(&s, &visitor, "1000", offer.to_owned()).await.status(), 422);
    s.stop().await;
}

/// The call page's token.
async fn page_token(s: &Server) -> String {
    let t: Value = s.http.get(format!("{}/api/v1/public/call-token", s.base)).send().await.unwrap().json().await.unwrap();
    t["token"].as_str().unwrap().to_owned()
}

/// A public call as the call page places it: its token, its origin, the SDP.
async fn public_call(s: &Server, client: &reqwest::Client, number: &str, offer: String) -> reqwest::Response {
    let t: Value = client.get(format!("{}/api/v1/public/call-token", s.base)).send().await.unwrap().json().await.unwrap();
    let token = t["token"].as_str().unwrap().to_owned();
    client
        .post(format!("{}/api/v1/public/calls/{number}", s.base))
        .header("origin", &s.base)
        .header("x-call-token", token)
        .header("content-type", "application/sdp")
        .body(offer)
        .send()
        .await
        .unwrap()
}

/// The event stream's address with a fresh single-use ticket of `token`'s session.
async fn events_url(s: &Server, token: &str, since: Option<u64>) -> String {
    let r = s.post_json("/api/v1/events/ticket", Some(token), json!({})).await;
    assert_eq!(r.status(), 200, "ticket");
    let ticket = r.json::<Value>().await.unwrap()["ticket"].as_str().unwrap().to_owned();
    let since = since.map(|n| format!("&since={n}")).unwrap_or_default();
    format!("{}/api/v1/events?ticket={ticket}{since}", s.base.replace("http", "ws"))
}
