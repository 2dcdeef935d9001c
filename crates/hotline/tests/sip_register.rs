//! Real SIP phones (baresip, installed by `.ci/run`) registering to the
//! demo center: digest authentication, ready on register, not ready when
//! the phone unregisters, and a wrong password refused.

mod common;
mod phones;

use std::time::Duration;

use common::Server;
use phones::{free_udp_port, Phone};
use serde_json::Value;

async fn agent_state(s: &Server, token: &str, extension: &str) -> Value {
    let agents = s.get_json("/api/v1/agents", token).await;
    let id = agents.as_array().unwrap().iter().find(|a| a["extension"] == extension).unwrap()["id"].as_str().unwrap().to_owned();
    s.get_json(&format!("/api/v1/agents/{id}/state"), token).await
}

async fn wait_for(s: &Server, token: &str, extension: &str, status: &str) -> Value {
    for _ in 0..100 {
        let st = agent_state(s, token, extension).await;
        if st["status"] == status {
            return st;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{extension} never became {status}: {}", agent_state(s, token, extension).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_register_with_digest_and_agents_follow_their_phones() {
    let port = free_udp_port();
    let s = Server::start_tuned(tempfile::tempdir().unwrap(), String::new(), None, |c| {
        c.sip.listen = format!("127.0.0.1:{port}").parse().unwrap();
    })
    .await;
    let sup = s.login("supervisor", "demo").await;
    assert_eq!(agent_state(&s, &sup, "8001").await["status"], "logged_out");

    // 8001 registers with the demo password: ready at once (demo: ready on register).
    let phone = Phone::start("8001", "demo", port);
    wait_for(&s, &sup, "8001", "available").await;
    assert!(phone.output().contains("200 OK"), "{}", phone.output());

    // 8002 with a wrong password is refused and stays logged out.
    let intruder = Phone::start("8002", "guess", port);
    intruder.wait_for("403", 10).await;
    assert_eq!(agent_state(&s, &sup, "8002").await["status"], "logged_out");
    intruder.quit().await;

    // 8001's phone quits and unregisters: the agent is not ready, "unregistered".
    let out = phone.quit().await;
    let st = wait_for(&s, &sup, "8001", "not_ready").await;
    assert_eq!(st["reason"], "unregistered", "{out}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_a_phone_password_and_only_the_new_one_registers() {
    let port = free_udp_port();
    let s = Server::start_tuned(tempfile::tempdir().unwrap(), String::new(), None, |c| {
        c.sip.listen = format!("127.0.0.1:{port}").parse().unwrap();
    })
    .await;
    let admin = s.login("admin", "demo").await;
    let sup = s.login("supervisor", "demo").await;
    let agents = s.get_json("/api/v1/agents", &admin).await;
    let id = agents.as_array().unwrap().iter().find(|a| a["extension"] == "8003").unwrap()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/agents/{id}/sip-password");
    let r = s.req(reqwest::Method::PUT, &path, Some(&sup), Some(serde_json::json!({"password": "Phone-8003-new"}))).await;
    assert_eq!(r.status(), 403, "only admins set phone passwords");
    let r = s.req(reqwest::Method::PUT, &path, Some(&admin), Some(serde_json::json!({"password": "short"}))).await;
    common::assert_error(r, 422, "invalid_field", Some("password")).await;
    let r = s.req(reqwest::Method::PUT, &path, Some(&admin), Some(serde_json::json!({"password": "Phone-8003-new"}))).await;
    assert_eq!(r.status(), 204);

    let old = Phone::start("8003", "demo", port);
    old.wait_for("403", 10).await;
    assert_eq!(agent_state(&s, &sup, "8003").await["status"], "logged_out");
    old.quit().await;
    let new = Phone::start("8003", "Phone-8003-new", port);
    wait_for(&s, &sup, "8003", "available").await;
    new.quit().await;
    let audit = s.get_json("/api/v1/audit", &admin).await;
    let entry = audit.as_array().unwrap().iter().find(|e| e["action"] == "agent.sip_password").expect("audited");
    assert!(!entry.to_string().contains("Phone-8003-new"), "the password is never written down: {entry}");
    s.stop().await;
}
