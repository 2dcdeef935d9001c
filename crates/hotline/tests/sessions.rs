//! Sessions and what ends with them: the event stream opens with a
//! single-use ticket (never a token in the URL) and closes the moment its
//! session ends; an agent who signs out of their last session leaves
//! routing instead of staying available for calls nobody will take.

mod common;

use std::time::Duration;

use common::Server;
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

async fn ticket(s: &Server, token: &str) -> String {
    let r = s.post_json("/api/v1/events/ticket", Some(token), json!({})).await;
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["ticket"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_are_single_use_and_a_signed_out_agent_leaves_routing_and_its_stream() {
    let s = Server::start(common::Db::Sqlite).await;
    let ws_base = s.base.replace("http", "ws");
    let agent = s.login("agent1", "demo").await;
    let me: Value = s.get_json("/api/v1/me", &agent).await;
    let id = me["agent_id"].as_str().unwrap().to_owned();

    // A ticket opens the stream once.
    let t = ticket(&s, &agent).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{ws_base}/api/v1/events?ticket={t}")).await.expect("the ticket opens the stream");
    let again = tokio_tungstenite::connect_async(format!("{ws_base}/api/v1/events?ticket={t}")).await;
    assert!(again.is_err(), "a used ticket is refused");
    assert!(tokio_tungstenite::connect_async(format!("{ws_base}/api/v1/events?ticket=forged")).await.is_err());
    assert!(tokio_tungstenite::connect_async(format!("{ws_base}/api/v1/events?access_token={agent}")).await.is_err(), "no tokens in URLs");
    let hello = tokio::time::timeout(Duration::from_secs(5), ws.next()).await.unwrap().unwrap().unwrap();
    assert!(hello.to_text().unwrap().contains("hello"), "{hello:?}");

    // Available, then signed out: out of routing, and the stream closes.
    let r = s.req(reqwest::Method::PUT, &format!("/api/v1/agents/{id}/state"), Some(&agent), Some(json!({"state": "available"}))).await;
    assert_eq!(r.status(), 200);
    let sup = s.login("supervisor", "demo").await;
    // A second session keeps the agent in routing until the last one ends.
    let second = s.login("agent1", "demo").await;
    assert_eq!(s.post_json("/api/v1/auth/logout", Some(&second), json!({})).await.status(), 204);
    let st = s.get_json(&format!("/api/v1/agents/{id}/state"), &sup).await;
    assert_eq!(st["status"], "available", "another session is still open: {st}");
    assert_eq!(s.post_json("/api/v1/auth/logout", Some(&agent), json!({})).await.status(), 204);
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await.expect("the stream closes at once") {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("the stream ended without a close frame: {other:?}"),
        }
    };
    assert_eq!(closed.map(|f| u16::from(f.code)), Some(4001), "closed for the session's end");
    let st = common::poll(&s, &sup, &format!("/api/v1/agents/{id}/state"), "agent1 out of routing", 5, |st| st["status"] == "logged_out").await;
    assert_eq!(st["status"], "logged_out");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_sessions_are_listed_and_revoked_and_passwords_follow_the_policy() {
    let s = Server::start(common::Db::Sqlite).await;
    let desk = s.login("agent2", "demo").await;
    let phone = s.login("agent2", "demo").await;
    let list = s.get_json("/api/v1/me/sessions", &desk).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list.iter().filter(|x| x["current"] == true).count(), 1);
    let other = list.iter().find(|x| x["current"] == false).unwrap()["id"].as_str().unwrap().to_owned();
    // Someone else's session cannot be ended from here.
    let admin = s.login("admin", "demo").await;
    assert_eq!(s.req(reqwest::Method::DELETE, &format!("/api/v1/me/sessions/{other}"), Some(&admin), None).await.status(), 404);
    assert_eq!(s.req(reqwest::Method::DELETE, &format!("/api/v1/me/sessions/{other}"), Some(&desk), None).await.status(), 204);
    assert_eq!(s.get("/api/v1/me", Some(&phone)).await.status(), 401, "the revoked session is over");
    assert_eq!(s.get("/api/v1/me", Some(&desk)).await.status(), 200);

    // The policy names what is wrong; the current password proves who asks.
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let r = s.post_json("/api/v1/me/password", Some(&desk), change("wrong", "Desk-2026-ok")).await;
    common::assert_error(r, 422, "invalid_field", Some("current_password")).await;
    let r = s.post_json("/api/v1/me/password", Some(&desk), change("demo", "agent2agent2")).await;
    common::assert_error(r, 422, "invalid_field", Some("new_password")).await;
    assert_eq!(s.post_json("/api/v1/me/password", Some(&desk), change("demo", "Desk-2026-ok")).await.status(), 204);
    let r = s.post_json("/api/v1/auth/login", None, json!({"username": "agent2", "password": "demo"})).await;
    assert_eq!(r.status(), 401, "the old password is gone");
    s.login("agent2", "Desk-2026-ok").await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_the_demo_a_default_password_must_be_changed_first() {
    // A center first started as the demo, then run for real on the same data.
    let demo = Server::start(common::Db::Sqlite).await;
    let (data, url, _) = demo.stop().await;
    let s = Server::start_as(data, url, None, false, |c| {
        c.sip.enabled = false;
    })
    .await;
    let r = s.post_json("/api/v1/auth/login", None, json!({"username": "admin", "password": "demo"})).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["password_change_required"], true);
    let admin = body["token"].as_str().unwrap().to_owned();
    // Nothing but the change (and who am I, and sign-out).
    let r = s.get("/api/v1/queues", Some(&admin)).await;
    common::assert_error(r, 403, "password_change_required", None).await;
    assert_eq!(s.get("/api/v1/me", Some(&admin)).await.status(), 200);
    let r = s.post_json("/api/v1/me/password", Some(&admin), json!({"current_password": "demo", "new_password": "Desk-key-2026!"})).await;
    assert_eq!(r.status(), 204);
    assert_eq!(s.get("/api/v1/queues", Some(&admin)).await.status(), 200, "the same session may work now");
    s.stop().await;
}

/// The next text message of `kind` on the stream; `seen` gathers the types
/// of every message before it.
async fn next_of(ws: &mut (impl StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin), kind: &str, seen: &mut Vec<String>) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next()).await.unwrap_or_else(|_| panic!("no {kind} message; saw {seen:?}"));
        if let Some(Ok(Message::Text(t))) = msg {
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["type"] == kind {
                return v;
            }
            seen.push(v["type"].as_str().unwrap_or("?").to_owned());
        } else {
            panic!("the stream ended waiting for {kind}: {msg:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admins_role_change_reaches_an_open_stream_and_disabling_ends_the_sessions() {
    let s = Server::start(common::Db::Sqlite).await;
    let ws_base = s.base.replace("http", "ws");
    let admin = s.login("admin", "demo").await;
    let sup = s.login("supervisor", "demo").await;
    let sup_id = s.get_json("/api/v1/me", &sup).await["id"].as_str().unwrap().to_owned();
    let admin_id = s.get_json("/api/v1/me", &admin).await["id"].as_str().unwrap().to_owned();
    let t = ticket(&s, &sup).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{ws_base}/api/v1/events?ticket={t}")).await.unwrap();
    let mut seen = Vec::new();
    next_of(&mut ws, "hello", &mut seen).await;

    // Only an admin changes roles, only to known ones, and never their own admin role away.
    let patch = async |id: &str, body: Value| s.req(reqwest::Method::PATCH, &format!("/api/v1/users/{id}"), Some(&admin), Some(body)).await;
    let r = s.req(reqwest::Method::PATCH, &format!("/api/v1/users/{sup_id}"), Some(&sup), Some(json!({"roles": ["admin"]}))).await;
    common::assert_error(r, 403, "forbidden", None).await;
    common::assert_error(patch(&sup_id, json!({"roles": ["qa", "boss"]})).await, 422, "invalid_field", Some("roles[1]")).await;
    common::assert_error(patch(&admin_id, json!({"roles": ["supervisor"]})).await, 409, "conflict", None).await;
    common::assert_error(patch(&admin_id, json!({"enabled": false})).await, 409, "conflict", None).await;
    let users = s.get_json("/api/v1/users", &admin).await;
    assert!(users.as_array().unwrap().iter().all(|u| u.get("password_hash").is_none()), "no hashes leave the server");

    // The supervisor becomes QA: the open stream says so and filters from then on.
    let r = patch(&sup_id, json!({"roles": ["qa"]})).await;
    assert_eq!(r.status(), 200);
    let changed = next_of(&mut ws, "roles_changed", &mut seen).await;
    assert_eq!(changed["roles"], json!(["qa"]));
    let r = s.post_json("/api/v1/contacts", Some(&sup), json!({"queue": "desk", "channel": "voice", "from": "13800138000"})).await;
    common::assert_error(r, 403, "forbidden", None).await;
    // An agent's state is no longer shown; the queue-level event after it is.
    let agent = s.login("agent1", "demo").await;
    let a1 = s.get_json("/api/v1/me", &agent).await["agent_id"].as_str().unwrap().to_owned();
    let r = s.req(reqwest::Method::PUT, &format!("/api/v1/agents/{a1}/state"), Some(&agent), Some(json!({"state": "not_ready", "reason": "break"}))).await;
    assert_eq!(r.status(), 200);
    let queue = s.get_json("/api/v1/queues", &admin).await[0]["id"].as_str().unwrap().to_owned();
    let r = s.post_json("/api/v1/contacts", Some(&admin), json!({"queue": queue, "channel": "voice", "from": "13800138000"})).await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    seen.clear();
    next_of(&mut ws, "contact_queued", &mut seen).await;
    assert!(!seen.iter().any(|k| k == "agent_state"), "a QA user's stream showed an agent's state: {seen:?}");

    // Disabled: the stream closes, the session is over, and signing in fails.
    assert_eq!(patch(&sup_id, json!({"enabled": false})).await.status(), 200);
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await.expect("the stream closes at once") {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("the stream ended without a close frame: {other:?}"),
        }
    };
    assert_eq!(closed.map(|f| u16::from(f.code)), Some(4001));
    assert_eq!(s.get("/api/v1/me", Some(&sup)).await.status(), 401);
    let r = s.post_json("/api/v1/auth/login", None, json!({"username": "supervisor", "password": "demo"})).await;
    assert_eq!(r.status(), 401);
    let audit = s.get_json("/api/v1/audit?action=user.update", &admin).await;
    assert!(audit.to_string().contains("enabled=false"), "the change is audited: {audit}");
    s.stop().await;
}
