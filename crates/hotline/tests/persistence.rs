//! Nothing is lost while the database is away: a private PostgreSQL
//! (initdb in a temporary folder, a free port) serves a running server; it
//! is stopped in the middle of a recorded call, a second call comes and
//! goes while it is down (signalling never needs the database), and it is
//! started again. Afterwards every interaction, queue-log row and recording
//! index row of both calls is in the database, and the journal the writer
//! kept meanwhile is gone.

mod common;
mod phones;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::Server;
use phones::{free_udp_port, Phone};
use sqlx::Row;

/// A PostgreSQL of the test's own.
struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

fn as_postgres(cmd: &Path) -> Command {
    // initdb and pg_ctl refuse to run as root.
    if unsafe_is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(cmd);
        c
    } else {
        Command::new(cmd)
    }
}

fn unsafe_is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Postgres {
    fn new() -> Postgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's programs under /usr/lib/postgresql (apt-get install postgresql)")
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("bin"))
            .max()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        if unsafe_is_root() {
            assert!(Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()).status().unwrap().success());
        }
        let data = dir.path().join("data");
        let out = as_postgres(&bin.join("initdb")).args(["-A", "trust", "-U", "postgres", "-D"]).arg(&data).output().unwrap();
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let pg = Postgres { dir, bin, port };
        pg.start();
        pg
    }

    fn ctl(&self, what: &str) {
        let data = self.dir.path().join("data");
        let opts = format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", self.port, self.dir.path().display());
        let log = self.dir.path().join("log");
        let out = as_postgres(&self.bin.join("pg_ctl")).args(["-D"]).arg(&data).args(["-l"]).arg(&log).args(["-o", &opts, "-w", "-m", "fast", what]).output().unwrap();
        assert!(out.status.success(), "pg_ctl {what}: {}\n{}", String::from_utf8_lossy(&out.stderr), std::fs::read_to_string(&log).unwrap_or_default());
    }

    fn start(&self) {
        self.ctl("start");
    }

    fn stop(&self) {
        self.ctl("stop");
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl")).args(["-D"]).arg(self.dir.path().join("data")).args(["-m", "immediate", "stop"]).output();
    }
}

/// Waits until `sql` (a count) reaches `want`, or fails with the last count.
async fn wait_count(url: &str, sql: &str, want: i64, what: &str) {
    use sqlx::Connection;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = String::from("no answer yet");
    while Instant::now() < deadline {
        if let Ok(mut c) = sqlx::PgConnection::connect(url).await {
            match sqlx::query(sql).fetch_one(&mut c).await {
                Ok(row) => {
                    let n: i64 = row.get(0);
                    if n >= want {
                        assert_eq!(n, want, "{what}: more rows than written");
                        return;
                    }
                    last = format!("{n} rows");
                }
                Err(e) => last = e.to_string(),
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what}: want {want}, last seen {last}");
}

/// Dials 1000, waits for the agent to answer, lets them talk `secs`.
async fn call(agent: &Phone, sip: u16, caller: &str, nth: usize) -> Phone {
    let phone = Phone::builder(caller).tone(440).start();
    phone.wait_for("baresip is ready", 10).await;
    phone.dial(&format!("sip:1000@127.0.0.1:{sip}"));
    phone.wait_for(phones::ESTABLISHED, 10).await;
    agent.wait_for_count(phones::ESTABLISHED, nth, 15).await;
    phone
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_lost_while_postgresql_is_away() {
    let pg = Postgres::new();
    let sip = free_udp_port();
    let s = Server::start_tuned(tempfile::tempdir().unwrap(), pg.url(), None, |c| {
        c.sip.listen = format!("127.0.0.1:{sip}").parse().unwrap();
    })
    .await;
    let admin = s.login("admin", "demo").await;
    common::route_1000_straight_to_sales(&s, &admin).await;
    let sup = s.login("supervisor", "demo").await;
    let agents = s.get_json("/api/v1/agents", &sup).await;
    let id = agents.as_array().unwrap().iter().find(|a| a["extension"] == "8001").unwrap()["id"].as_str().unwrap().to_owned();
    let agent = Phone::builder("8001").register(sip, "demo").auto_answer().tone(880).start();
    common::poll(&s, &sup, &format!("/api/v1/agents/{id}/state"), "8001 available", 10, |st| st["status"] == "available").await;

    // A call is up and recorded; then the database goes away.
    let first = call(&agent, sip, "5550101", 1).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    pg.stop();
    first.hangup();
    agent.wait_for(phones::SESSION_CLOSED, 10).await;
    // The writer keeps the rows in its journal meanwhile.
    let journal = s.data.path().join("journal/persist.jsonl");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !journal.exists() {
        assert!(Instant::now() < deadline, "no journal at {} while the database is away", journal.display());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A whole second call while it is down: signalling and media never need it.
    let second = call(&agent, sip, "5550102", 2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    second.hangup();
    agent.wait_for_count(phones::SESSION_CLOSED, 2, 10).await;
    // Wrap-up ends (routing); then the database comes back.
    pg.start();

    let url = pg.url();
    wait_count(&url, "SELECT COUNT(*) FROM interactions WHERE outcome = 'answered' AND ended_at IS NOT NULL", 2, "answered, ended interactions").await;
    wait_count(&url, "SELECT COUNT(*) FROM queue_events WHERE event = 'ENTERQUEUE'", 2, "ENTERQUEUE rows").await;
    wait_count(&url, "SELECT COUNT(*) FROM queue_events WHERE event = 'CONNECT'", 2, "CONNECT rows").await;
    wait_count(&url, "SELECT COUNT(*) FROM queue_events WHERE event = 'COMPLETEAGENT'", 2, "COMPLETEAGENT rows").await;
    wait_count(&url, "SELECT COUNT(*) FROM recordings WHERE sha256 IS NOT NULL AND ended_at IS NOT NULL", 2, "finished recording rows").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while journal.exists() {
        assert!(Instant::now() < deadline, "the journal is still there after the replay");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    first.quit().await;
    second.quit().await;
    agent.quit().await;
    s.stop().await;
}
