//! Starts a real Hotline server in-process on a free port, with the demo
//! center, on SQLite (a temporary folder) or on a fresh PostgreSQL database.

#![allow(dead_code)]

use std::time::Duration;

use reqwest::{Client, Method, Response};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub struct Server {
    pub base: String,
    pub http: Client,
    pub data: tempfile::TempDir,
    pub database_url: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    pg_db: Option<String>,
}

pub const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn pg_admin_url() -> String {
    std::env::var("HOTLINE_TEST_POSTGRES_URL").unwrap_or_else(|_| PG_ADMIN.to_owned())
}

/// A new, empty PostgreSQL database; returns its URL and name.
pub async fn fresh_pg_database() -> (String, String) {
    use sqlx::Connection;
    let admin = pg_admin_url();
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL must run at {admin} for these tests: {e}"));
    let name = format!("hotline_it_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create database");
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
    (format!("{base}/{name}"), name)
}

pub enum Db {
    Sqlite,
    Postgres,
}

impl Server {
    pub async fn start(db: Db) -> Server {
        let data = tempfile::tempdir().expect("tempdir");
        let (url, pg_db) = match db {
            Db::Sqlite => (String::new(), None),
            Db::Postgres => {
                let (u, n) = fresh_pg_database().await;
                (u, Some(n))
            }
        };
        Self::start_with(data, url, pg_db).await
    }

    /// Starts on an existing data folder / database (to test restarts).
    pub async fn start_with(data: tempfile::TempDir, database_url: String, pg_db: Option<String>) -> Server {
        Self::start_tuned(data, database_url, pg_db, |_| {}).await
    }

    /// Starts with the configuration changed by `tune` (SIP listens on a
    /// free port unless `tune` says otherwise).
    pub async fn start_tuned(
        data: tempfile::TempDir,
        database_url: String,
        pg_db: Option<String>,
        tune: impl FnOnce(&mut hotline_config::Config),
    ) -> Server {
        Self::start_as(data, database_url, pg_db, true, tune).await
    }

    /// Starts with or without `--demo` (outside the demo, default passwords
    /// must be changed before anything else).
    pub async fn start_as(
        data: tempfile::TempDir,
        database_url: String,
        pg_db: Option<String>,
        demo: bool,
        tune: impl FnOnce(&mut hotline_config::Config),
    ) -> Server {
        let mut config = hotline_config::Config::default();
        config.sip.listen = "127.0.0.1:0".parse().expect("addr");
        config.data.dir = data.path().to_owned();
        config.database.url = database_url.clone();
        config.auth.max_failures_per_user = 3;
        tune(&mut config);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(hotline::run(config, demo, listener, async move {
            let _ = stopped.await;
        }));
        let http = Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
        let base = format!("http://{addr}");
        for _ in 0..200 {
            if http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Server { base, http, data, database_url, stop: Some(stop), task: Some(task), pg_db }
    }

    /// Stops the server and hands back its data folder and database.
    pub async fn stop(mut self) -> (tempfile::TempDir, String, Option<String>) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
        }
        // Give the asynchronous writer a moment to drain.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let data = std::mem::replace(&mut self.data, tempfile::tempdir().expect("tempdir"));
        (data, self.database_url.clone(), self.pg_db.take())
    }

    pub async fn login(&self, user: &str, password: &str) -> String {
        let r = self.post_json("/api/v1/auth/login", None, json!({"username": user, "password": password})).await;
        assert_eq!(r.status(), 200, "login {user}");
        let v: Value = r.json().await.expect("json");
        v["token"].as_str().expect("token").to_owned()
    }

    pub async fn req(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Response {
        let mut b = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            b = b.bearer_auth(t);
        }
        if let Some(body) = body {
            b = b.json(&body);
        }
        b.send().await.expect("request")
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.req(Method::GET, path, token, None).await
    }

    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let r = self.get(path, Some(token)).await;
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.expect("json")
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.req(Method::POST, path, token, Some(body)).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Drops a test database (best effort).
pub async fn drop_pg_database(name: &str) {
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::PgConnection::connect(&pg_admin_url()).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
    }
}

/// Asserts an error response: status, `error.code`, and `error.field` if given.
pub async fn assert_error(r: Response, status: u16, code: &str, field: Option<&str>) -> Value {
    assert_eq!(r.status(), status, "status");
    let v: Value = r.json().await.expect("error body is JSON");
    assert_eq!(v["error"]["code"], code, "{v}");
    if let Some(f) = field {
        assert_eq!(v["error"]["field"], f, "{v}");
    }
    assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    v
}

/// Polls `GET path` until `ok` holds (`secs` at most), panicking with `what`
/// and the last answer.
pub async fn poll(s: &Server, token: &str, path: &str, what: &str, secs: u64, ok: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let r = s.get(path, Some(token)).await;
        let status = r.status();
        let body = r.text().await.unwrap_or_default();
        let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        if status.is_success() && ok(&v) {
            return v;
        }
        if std::time::Instant::now() > deadline {
            panic!("{what}: GET {path} answered {status}: {body}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Maps 1000 to a flow that puts callers straight into `sales`; the dial
/// plan is live when this returns.
pub async fn route_1000_straight_to_sales(s: &Server, admin: &str) {
    let flow = json!({ "id": "straight", "start": "q", "nodes": { "q": { "type": "enqueue", "queue": "sales" } } });
    let r = s.req(Method::PUT, "/api/v1/ivr/flows/straight", Some(admin), Some(flow)).await;
    assert_eq!(r.status(), 201, "save flow: {}", r.text().await.unwrap_or_default());
    let version = r.json::<Value>().await.unwrap()["version"].as_i64().unwrap();
    let r = s.post_json(&format!("/api/v1/ivr/flows/straight/versions/{version}/publish"), Some(admin), json!({})).await;
    assert_eq!(r.status(), 200);
    let r = s.req(Method::PUT, "/api/v1/ivr/numbers/1000", Some(admin), Some(json!({"flow_id": "straight"}))).await;
    assert_eq!(r.status(), 200);
}
