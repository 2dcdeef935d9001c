//! Lookups against a real HTTP server on loopback.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Json;
use hotline_config::LookupConfig;
use hotline_telephony::lookups::{LookupError, Lookups};
use serde_json::json;

async fn backend() -> String {
    let app = axum::Router::new()
        .route("/orders/{no}", get(|Path(no): Path<String>| async move { Json(json!({"order": no, "status": "shipped"})) }))
        .route("/slow", get(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Json(json!({}))
        }))
        .route("/broken", get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "no") }))
        .route("/list", get(|| async { Json(json!([1, 2])) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn cfg(name: &str, url: String, timeout_ms: u32) -> LookupConfig {
    LookupConfig { name: name.into(), url, timeout_ms, headers: BTreeMap::new() }
}

#[tokio::test]
async fn answers_timeouts_and_errors() {
    let base = backend().await;
    let l = Lookups::new(vec![
        cfg("orders", format!("{base}/orders/{{order}}"), 2000),
        cfg("slow", format!("{base}/slow"), 200),
        cfg("broken", format!("{base}/broken"), 2000),
        cfg("list", format!("{base}/list"), 2000),
        cfg("down", "http://127.0.0.1:9/x".into(), 2000),
    ]);
    let p = BTreeMap::from([("order".to_string(), "123456".to_string())]);
    let got = l.call("orders", &p).await.unwrap();
    assert_eq!(got.get("status").map(String::as_str), Some("shipped"));
    assert_eq!(got.get("order").map(String::as_str), Some("123456"));
    assert_eq!(l.call("slow", &p).await, Err(LookupError::Timeout("slow".into())));
    assert_eq!(l.call("broken", &p).await, Err(LookupError::Status { backend: "broken".into(), status: 500 }));
    assert_eq!(l.call("list", &p).await, Err(LookupError::BadBody("list".into())));
    assert!(matches!(l.call("down", &p).await, Err(LookupError::Failed { .. })));
    assert_eq!(l.call("nope", &p).await, Err(LookupError::UnknownBackend("nope".into())));
}

#[tokio::test]
async fn the_customer_backend_finds_callers_by_number() {
    let dir = tempfile::tempdir().unwrap();
    let store = hotline_store::Store::connect_sqlite_file(&dir.path().join("hotline.db")).await.unwrap();
    store.migrate().await.unwrap();
    store.seed_demo("not-a-real-hash").await.unwrap();
    let l = Lookups::new(vec![]).with_customers(store.tenant("default"));
    let ask = |phone: &str| BTreeMap::from([("phone".to_string(), phone.to_string())]);
    // The first demo customer is a VIP.
    let vip = l.call("customer", &ask("138-0013-8000")).await.unwrap();
    assert_eq!((vip["found"].as_str(), vip["tier"].as_str()), ("true", "3"));
    assert!(!vip.values().any(|v| v.contains("13800138000")), "no phone number in the answer: {vip:?}");
    let nobody = l.call("customer", &ask("19900000000")).await.unwrap();
    assert_eq!(nobody, BTreeMap::from([("found".to_string(), "false".to_string())]));
    assert_eq!(l.call("customer", &BTreeMap::new()).await.unwrap()["found"], "false");
}
