//! Supervisors' alerts through the API: a queue's thresholds set (and kept
//! across a restart), a caller waiting past them raises one alert, a
//! supervisor acknowledges it (audited, once), it clears when the caller
//! is gone; agents see none of it.

mod common;

use common::{assert_error, Db, Server};
use reqwest::Method;
use serde_json::{json, Value};

fn alerts_of(v: &Value, kind: &str) -> Vec<Value> {
    v.as_array().map(|a| a.iter().filter(|x| x["kind"] == kind).cloned().collect()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_waiting_past_the_threshold_raises_an_alert_that_a_supervisor_acknowledges() {
    let s = Server::start(Db::Sqlite).await;
    let sup = s.login("supervisor", "demo").await;
    let agent1 = s.login("agent1", "demo").await;

    // The defaults: five minutes of waiting, service level under target.
    let rules = s.get_json("/api/v1/queues/sales/alert-rules", &sup).await;
    assert_eq!(rules, json!({"waiting_secs": 300, "service_level": true, "not_ready_secs": null, "call_secs": null, "flag": null, "auto_listen": null}));
    let r = s.req(Method::GET, "/api/v1/queues/nowhere/alert-rules", Some(&sup), None).await;
    assert_error(r, 404, "not_found", None).await;
    let r = s.req(Method::PUT, "/api/v1/queues/sales/alert-rules", Some(&sup), Some(json!({"waiting_secs": 0, "service_level": true, "not_ready_secs": null, "call_secs": null}))).await;
    assert_error(r, 422, "invalid_field", Some("waiting_secs")).await;
    for (body, field) in [
        (json!({"waiting_secs": 60, "service_level": true, "not_ready_secs": null, "call_secs": null, "flag": "risk"}), "flag"),
        (json!({"waiting_secs": 60, "service_level": true, "not_ready_secs": null, "call_secs": null, "flag": "risk=high", "auto_listen": "80 03"}), "auto_listen"),
        (json!({"waiting_secs": 60, "service_level": true, "not_ready_secs": null, "call_secs": null, "auto_listen": "8003"}), "auto_listen"),
    ] {
        let r = s.req(Method::PUT, "/api/v1/queues/sales/alert-rules", Some(&sup), Some(body)).await;
        assert_error(r, 422, "invalid_field", Some(field)).await;
    }
    let r = s.req(Method::PUT, "/api/v1/queues/sales/alert-rules", Some(&agent1), Some(json!({"waiting_secs": 1, "service_level": false, "not_ready_secs": null, "call_secs": null}))).await;
    assert_eq!(r.status(), 403, "agents set no thresholds");
    // A short threshold instead of a five-minute wait.
    let r = s.req(Method::PUT, "/api/v1/queues/sales/alert-rules", Some(&sup), Some(json!({"waiting_secs": 1, "service_level": false, "not_ready_secs": null, "call_secs": 600}))).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());

    // Nobody is ready in sales: the caller waits.
    let r = s.post_json("/api/v1/contacts", Some(&sup), json!({"queue": "sales", "channel": "voice", "from": "13800138000"})).await;
    assert_eq!(r.status(), 201);
    let contact = r.json::<Value>().await.unwrap()["contact_id"].as_str().unwrap().to_owned();
    let board = common::poll(&s, &sup, "/api/v1/alerts", "a long-wait alert", 10, |v| !alerts_of(v, "long_wait").is_empty()).await;
    let alert = alerts_of(&board, "long_wait").remove(0);
    assert_eq!((alert["queue_id"].as_str(), alert["subject"].as_str(), alert["threshold"].as_f64()), (Some("sales"), Some("sales"), Some(1000.0)), "{alert}");
    assert!(alert["value"].as_f64().unwrap() > 1000.0 && alert["acked_by"].is_null(), "{alert}");
    let r = s.req(Method::GET, "/api/v1/alerts", Some(&agent1), None).await;
    assert_eq!(r.status(), 403, "agents do not see the board");

    // Acknowledged once, by the first supervisor; it stays raised.
    let id = alert["id"].as_u64().unwrap();
    let r = s.req(Method::POST, &format!("/api/v1/alerts/{id}/ack"), Some(&agent1), None).await;
    assert_eq!(r.status(), 403);
    let r = s.req(Method::POST, "/api/v1/alerts/999999/ack", Some(&sup), None).await;
    assert_error(r, 404, "not_found", None).await;
    let r = s.req(Method::POST, &format!("/api/v1/alerts/{id}/ack"), Some(&sup), None).await;
    assert_eq!(r.status(), 200);
    let acked: Value = r.json().await.unwrap();
    assert_eq!(acked["acked_by"], "supervisor", "{acked}");
    let admin = s.login("admin", "demo").await;
    let r = s.req(Method::POST, &format!("/api/v1/alerts/{id}/ack"), Some(&admin), None).await;
    assert_eq!(r.json::<Value>().await.unwrap()["acked_by"], "supervisor", "the first acknowledgement stands");
    let board = s.get_json("/api/v1/alerts", &sup).await;
    assert_eq!(alerts_of(&board, "long_wait")[0]["acked_by"], "supervisor", "{board}");
    let audit = s.get_json("/api/v1/audit?action=alert.ack", &admin).await;
    assert!(audit.as_array().unwrap().iter().any(|e| e["target"] == id.to_string().as_str()), "{audit}");
    let audit = s.get_json("/api/v1/audit?action=queue.alert_rules", &admin).await;
    assert_eq!(audit.as_array().unwrap().len(), 1, "one change of thresholds audited: {audit}");

    // A wall display sees the board, alerts included, and can do nothing with it.
    let r = s.post_json("/api/v1/displays", Some(&sup), json!({"name": "3F wallboard"})).await;
    assert_eq!(r.status(), 201);
    let made: Value = r.json().await.unwrap();
    let tv = made["token"].as_str().unwrap().to_owned();
    assert_eq!(made["path"], format!("/tv#{tv}"), "{made}");
    let board = s.get_json("/api/v1/alerts", &tv).await;
    assert_eq!(alerts_of(&board, "long_wait").len(), 1, "{board}");
    assert_eq!(s.get("/api/v1/queues/sales/stats", Some(&tv)).await.status(), 200);
    for (method, path) in [(Method::POST, format!("/api/v1/alerts/{id}/ack")), (Method::GET, "/api/v1/interactions".into()), (Method::GET, "/api/v1/customers".into()), (Method::GET, "/api/v1/me/sessions".into())] {
        let r = s.req(method.clone(), &path, Some(&tv), None).await;
        assert_eq!(r.status(), 403, "a display may not {method} {path}");
    }
    let display_id = made["display"]["id"].as_str().unwrap().to_owned();
    assert_eq!(s.req(Method::DELETE, &format!("/api/v1/displays/{display_id}"), Some(&sup), None).await.status(), 204);
    assert_eq!(s.get("/api/v1/alerts", Some(&tv)).await.status(), 401, "revoked");
    let displays = s.get_json("/api/v1/displays", &sup).await;
    assert_eq!(displays[0]["enabled"], false, "{displays}");
    let r = s.req(Method::POST, "/api/v1/users", Some(&admin), Some(json!({"username": "tv2", "display_name": "TV", "roles": ["display"]}))).await;
    assert_error(r, 422, "invalid_field", Some("roles[0]")).await;

    // The caller is gone: the alert clears.
    let r = s.post_json(&format!("/api/v1/contacts/{contact}/abandon"), Some(&sup), json!({})).await;
    assert!(r.status().is_success(), "abandon: {}", r.status());
    common::poll(&s, &sup, "/api/v1/alerts", "the alert cleared", 10, |v| alerts_of(v, "long_wait").is_empty()).await;

    // The thresholds outlive a restart.
    let (data, url, pg) = s.stop().await;
    let s = Server::start_with(data, url, pg).await;
    let sup = s.login("supervisor", "demo").await;
    let rules = s.get_json("/api/v1/queues/sales/alert-rules", &sup).await;
    assert_eq!(rules, json!({"waiting_secs": 1, "service_level": false, "not_ready_secs": null, "call_secs": 600, "flag": null, "auto_listen": null}));
    s.stop().await;
}
