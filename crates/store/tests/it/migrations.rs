use hotline_store::{Backend, Store, StoreError};
use sqlx::Row;

use crate::support::{for_each_backend, for_each_fresh_backend};

#[tokio::test]
async fn migrations_apply_once_and_record_history() {
    for_each_fresh_backend(|store| async move {
        let applied = store.migrate().await.expect("first migrate");
        assert_eq!(
            applied
                .iter()
                .map(|m| (m.version, m.name.as_str()))
                .collect::<Vec<_>>(),
            vec![
                (1, "init"),
                (2, "telephony"),
                (3, "ivr"),
                (4, "surveys"),
                (5, "caller_experience"),
                (6, "interaction_ivr"),
                (7, "ivr_broadcasts"),
                (8, "session_security"),
                (9, "totp"),
                (10, "labels"),
                (11, "must_change_password"),
                (12, "calendars"),
                (13, "settings"),
                (14, "teams"),
                (15, "call_events")
            ]
        );
        assert!(
            store.migrate().await.expect("second migrate").is_empty(),
            "nothing left to apply"
        );

        let rows = sqlx::query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert_eq!(rows.len(), 15);
        assert_eq!(rows[0].get::<i64, _>("version"), 1);
        assert_eq!(rows[0].get::<String, _>("name"), "init");
        assert_eq!(rows[0].get::<String, _>("checksum").len(), 16);
        assert!(rows[0].get::<i64, _>("applied_at") > 1_600_000_000_000);
        store.ping().await.expect("ping");
    })
    .await;
}

#[tokio::test]
async fn an_edited_migration_is_refused() {
    for_each_backend(|store| async move {
        sqlx::query("UPDATE schema_migrations SET checksum = $1 WHERE version = $2")
            .bind("0000000000000000")
            .bind(1_i64)
            .execute(store.pool())
            .await
            .unwrap();
        match store.migrate().await {
            Err(StoreError::Migration(m)) => {
                assert!(m.contains("0001_init") && m.contains("changed"), "{m}")
            }
            other => panic!("expected a checksum mismatch, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn a_database_from_a_newer_build_is_refused() {
    for_each_backend(|store| async move {
        sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
            .bind(999_i64)
            .bind("future")
            .bind("ffffffffffffffff")
            .bind(0_i64)
            .execute(store.pool())
            .await
            .unwrap();
        match store.migrate().await {
            Err(StoreError::Migration(m)) => assert!(m.contains("999") && m.contains("newer"), "{m}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    })
    .await;
}

/// `$n` placeholders, written once, bind by number on both backends,
/// including a number used twice.
#[tokio::test]
async fn numbered_placeholders_work_on_both_backends() {
    for_each_backend(|store| async move {
        for (id, name) in [("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")] {
            sqlx::query("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(name)
                .bind(7_i64)
                .execute(store.pool())
                .await
                .unwrap();
        }
        let rows = sqlx::query("SELECT id FROM tenants WHERE (id = $1 OR name = $2) AND created_at = $3 AND id <> $4 OR id = $1 ORDER BY id")
            .bind("a")
            .bind("Gamma")
            .bind(7_i64)
            .bind("zzz")
            .fetch_all(store.pool())
            .await
            .unwrap();
        let ids: Vec<String> = rows.iter().map(|r| r.get("id")).collect();
        assert_eq!(ids, ["a", "c"]);
    })
    .await;
}

#[tokio::test]
async fn sqlite_files_use_wal_and_enforce_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub dir?#%").join("hotline.db");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let store = Store::connect_sqlite_file(&path)
        .await
        .expect("odd characters in the path are kept");
    assert_eq!(store.backend(), Backend::Sqlite);
    assert!(path.exists());
    store.migrate().await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(fk, 1);
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(busy, 5000);
    store.close().await;

    // The same file through a URL, as the server opens it.
    let url = format!("sqlite://{}", dir.path().join("other.db").display());
    let store = Store::connect(&url).await.expect("sqlite:// URL");
    assert!(store.migrate().await.unwrap().len() == 15);
    assert!(matches!(
        Store::connect("mysql://root@localhost/x").await,
        Err(StoreError::InvalidUrl(_))
    ));
    let started = std::time::Instant::now();
    let missing = format!(
        "sqlite://{}",
        dir.path().join("no such folder").join("x.db").display()
    );
    assert!(matches!(
        Store::connect(&missing).await,
        Err(StoreError::Database(_))
    ));
    assert!(started.elapsed().as_secs() < 5, "fails fast");
}

/// A server starting while `hotline migrate` runs: one of them applies the
/// migration, the other waits and finds nothing to do.
#[tokio::test]
async fn concurrent_migrators_apply_each_migration_once() {
    for_each_fresh_backend(|store| async move {
        let other = store.clone();
        let (a, b) = tokio::join!(store.migrate(), other.migrate());
        let (a, b) = (a.expect("first migrator"), b.expect("second migrator"));
        assert_eq!(a.len() + b.len(), 15, "{a:?} {b:?}");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schema_migrations")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(n, 15);
    })
    .await;
}
