//! A trunk that registers: one Hotline registers to another as a PBX does
//! at its carrier, answering the digest challenge; the other sees a phone
//! registered for that account (in the demo, its agent becomes available).
//! A wrong password is refused and retried later, never accepted.

mod common;

use std::time::Duration;

use common::Server;
use serde_json::Value;

async fn status_of(s: &Server, token: &str, extension: &str) -> Value {
    let agents = s.get_json("/api/v1/agents", token).await;
    let id = agents.as_array().unwrap().iter().find(|a| a["extension"] == extension).unwrap()["id"].as_str().unwrap().to_owned();
    s.get_json(&format!("/api/v1/agents/{id}/state"), token).await["status"].clone()
}

fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The first trunk as `s`'s admin sees it.
async fn trunk_of(s: &Server) -> Value {
    let admin = s.login("admin", "demo").await;
    s.get_json("/api/v1/trunks", &admin).await[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registering_trunk_answers_the_challenge_and_a_wrong_password_does_not_get_in() {
    let carrier_port = free_port();
    let carrier = Server::start_tuned(tempfile::tempdir().unwrap(), String::new(), None, |c| {
        c.sip.listen = format!("127.0.0.1:{carrier_port}").parse().unwrap();
    })
    .await;
    let sup = carrier.login("supervisor", "demo").await;
    assert_eq!(status_of(&carrier, &sup, "8005").await, "logged_out");

    let trunk = |user: &str, password: &str| hotline_config::TrunkConfig {
        name: "carrier".into(),
        gateway: format!("127.0.0.1:{carrier_port}"),
        register: true,
        username: user.into(),
        password: password.into(),
        register_expires_secs: 120,
        ..Default::default()
    };
    let good = trunk("8005", "demo");
    let pbx = Server::start_tuned(tempfile::tempdir().unwrap(), String::new(), None, move |c| c.trunks = vec![good]).await;
    let bad = trunk("8006", "wrong");
    let intruder = Server::start_tuned(tempfile::tempdir().unwrap(), String::new(), None, move |c| c.trunks = vec![bad]).await;

    let mut status = Value::Null;
    for _ in 0..100 {
        status = status_of(&carrier, &sup, "8005").await;
        if status == "available" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "available", "the trunk's registration reached the carrier");
    // The carrier checked the intruder's password and refused it; had it
    // been taken, 8006 would have been registered by then.
    let admin = carrier.login("admin", "demo").await;
    let mut guard = Value::Null;
    for _ in 0..100 {
        guard = carrier.get_json("/api/v1/sip/guard", &admin).await;
        if guard["failed_attempts"].as_u64() >= Some(1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(guard["failed_attempts"].as_u64() >= Some(1), "the carrier never checked the wrong password; guard: {guard}");
    assert_eq!(status_of(&carrier, &sup, "8006").await, "logged_out", "a wrong password never registers");
    // Each side's admin sees its trunk: registered, or refused and why.
    let good = trunk_of(&pbx).await;
    assert_eq!((good["name"].as_str(), good["registered"].as_bool(), good["username"].as_str()), (Some("carrier"), Some(true), Some("8005")), "{good}");
    assert!(good.get("password").is_none(), "a trunk's password is never shown");
    let mut refused = Value::Null;
    for _ in 0..100 {
        refused = trunk_of(&intruder).await;
        if !refused["last_error"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(refused["registered"], false);
    assert!(refused["last_error"].as_str().is_some_and(|e| e.starts_with("403")), "{refused}");

    intruder.stop().await;
    pbx.stop().await;
    carrier.stop().await;
}
