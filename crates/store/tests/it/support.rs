//! Runs each story on SQLite (a file in a temporary folder) and on
//! PostgreSQL (a fresh database per run, dropped afterwards).
//!
//! PostgreSQL is required: `postgres://postgres@127.0.0.1:5432/postgres`
//! unless `HOTLINE_TEST_POSTGRES_URL` names another server. A missing server
//! fails the test rather than skipping it.

use std::future::Future;

use hotline_store::Store;

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Runs `story` on each backend with a migrated, empty database.
pub async fn for_each_backend<F, Fut>(story: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    for_each_fresh_backend(move |store| {
        let fut = story(store.clone());
        async move {
            store.migrate().await.expect("migrate");
            fut.await;
        }
    })
    .await;
}

/// Runs `story` on each backend with a database that has never been migrated.
pub async fn for_each_fresh_backend<F, Fut>(story: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = Store::connect_sqlite_file(&dir.path().join("hotline.db"))
        .await
        .expect("open SQLite file");
    eprintln!("── on SQLite");
    let outcome = tokio::spawn(story(store)).await;
    rethrow(outcome, "SQLite");

    let db = PgDatabase::create().await;
    let store = Store::connect(&db.url)
        .await
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", db.url));
    eprintln!("── on PostgreSQL ({})", db.name);
    let outcome = tokio::spawn(story(store)).await;
    db.drop().await;
    rethrow(outcome, "PostgreSQL");
}

fn rethrow(outcome: Result<(), tokio::task::JoinError>, backend: &str) {
    match outcome {
        Ok(()) => {}
        Err(e) if e.is_panic() => {
            eprintln!("── the story failed on {backend}");
            std::panic::resume_unwind(e.into_panic())
        }
        Err(e) => panic!("the story on {backend} did not finish: {e}"),
    }
}

/// A uniquely named PostgreSQL database for one test.
struct PgDatabase {
    admin: Store,
    name: String,
    url: String,
}

impl PgDatabase {
    async fn create() -> PgDatabase {
        let admin_url = std::env::var("HOTLINE_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
        let admin = Store::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is required for the store tests but {admin_url} is not reachable: {e}\n\
                 Start PostgreSQL (user postgres, trust authentication) or set HOTLINE_TEST_POSTGRES_URL."
            )
        });
        let name = format!("hotline_test_{}", uuid::Uuid::now_v7().simple());
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(admin.pool())
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name} on {admin_url}: {e}"));
        let url = with_database(&admin_url, &name);
        PgDatabase { admin, name, url }
    }

    /// Best effort: a failure to drop is reported, not fatal.
    async fn drop(self) {
        if let Err(e) = sqlx::raw_sql(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(self.admin.pool())
        .await
        {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
        self.admin.close().await;
    }
}

/// The URL with its database name replaced.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    format!("{server}/{db}{query}")
}

#[test]
fn database_names_are_replaced() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "x"),
        "postgres://h:5432/x"
    );
}
