//! Versioned schema migrations, embedded in the binary.
//!
//! Why not `sqlx::migrate!`: its migrator runs one SQL text on every backend,
//! but the auto-increment key of the log tables differs (`INTEGER PRIMARY KEY
//! AUTOINCREMENT` on SQLite, `BIGSERIAL PRIMARY KEY` on PostgreSQL). Our
//! runner is small: each migration is one SQL file in which the runner
//! replaces the token `{{AUTO_ID}}` per backend; it is applied in its own
//! transaction and recorded in `schema_migrations(version, name, checksum,
//! applied_at)`. The checksum covers the file as written (before the token is
//! replaced), so it is the same on both backends; a changed file that was
//! already applied is an error, as is a database migrated by a newer build.

use sqlx::{Any, Executor, Row};

use crate::error::{Result, StoreError};
use crate::{now_ms, AppliedMigration, Backend, Store};

/// One embedded migration.
struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

/// Every migration, in version order. Add new files at the end; never edit
/// one that has been released.
const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "init", sql: include_str!("../migrations/0001_init.sql") },
    Migration { version: 2, name: "telephony", sql: include_str!("../migrations/0002_telephony.sql") },
    Migration { version: 3, name: "ivr", sql: include_str!("../migrations/0003_ivr.sql") },
    Migration { version: 4, name: "surveys", sql: include_str!("../migrations/0004_surveys.sql") },
    Migration { version: 5, name: "caller_experience", sql: include_str!("../migrations/0005_caller_experience.sql") },
    Migration { version: 6, name: "interaction_ivr", sql: include_str!("../migrations/0006_interaction_ivr.sql") },
    Migration { version: 7, name: "ivr_broadcasts", sql: include_str!("../migrations/0007_ivr_broadcasts.sql") },
    Migration { version: 8, name: "session_security", sql: include_str!("../migrations/0008_session_security.sql") },
    Migration { version: 9, name: "totp", sql: include_str!("../migrations/0009_totp.sql") },
    Migration { version: 10, name: "labels", sql: include_str!("../migrations/0010_labels.sql") },
    Migration { version: 11, name: "must_change_password", sql: include_str!("../migrations/0011_must_change_password.sql") },
    Migration { version: 12, name: "calendars", sql: include_str!("../migrations/0012_calendars.sql") },
    Migration { version: 13, name: "settings", sql: include_str!("../migrations/0013_settings.sql") },
    Migration { version: 14, name: "teams", sql: include_str!("../migrations/0014_teams.sql") },
    Migration { version: 15, name: "call_events", sql: include_str!("../migrations/0015_call_events.sql") },
];

const AUTO_ID: &str = "{{AUTO_ID}}";

const CREATE_HISTORY: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
    version BIGINT PRIMARY KEY, \
    name TEXT NOT NULL, \
    checksum TEXT NOT NULL, \
    applied_at BIGINT NOT NULL)";

/// PostgreSQL advisory-lock key that serializes concurrent migrators
/// (a server starting while `hotline migrate` runs).
const PG_LOCK_KEY: i64 = 0x0068_6f74_6c69_6e65;

impl Store {
    /// Brings the schema up to date and returns the migrations applied by
    /// this call (none when it already was). Safe to call at every start.
    pub async fn migrate(&self) -> Result<Vec<AppliedMigration>> {
        let mut tx = self.pool.begin().await?;
        lock(&mut tx, self.backend, false).await?;
        sqlx::query(CREATE_HISTORY).execute(&mut *tx).await?;
        tx.commit().await?;

        let mut applied = Vec::new();
        for m in MIGRATIONS {
            let mut tx = self.pool.begin().await?;
            lock(&mut tx, self.backend, true).await?;
            let history = history(&mut tx).await?;
            verify(&history)?;
            if history.iter().any(|(v, _)| *v == m.version) {
                continue;
            }
            // A plain `&str` query without arguments: several statements run
            // in one go (SQLite steps through them, PostgreSQL uses its simple
            // query protocol). (`sqlx::raw_sql` would do too, but its future
            // is not `Send` in generic contexts such as `tokio::spawn`.)
            let sql = render(m.sql, self.backend);
            (&mut *tx).execute(sql.as_str()).await.map_err(|e| {
                StoreError::Migration(format!("{:04}_{} failed: {e}", m.version, m.name))
            })?;
            sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
                .bind(m.version)
                .bind(m.name)
                .bind(checksum(m.sql))
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::debug!(version = m.version, name = m.name, "migration applied");
            applied.push(AppliedMigration {
                version: m.version,
                name: m.name.to_owned(),
            });
        }
        // Catches a mismatch even when nothing was pending.
        let mut conn = self.pool.acquire().await?;
        verify(&history(&mut conn).await?)?;
        Ok(applied)
    }
}

/// Takes the migration lock for the rest of the transaction. On SQLite a
/// write takes the database's write lock at once (waiting for it under the
/// busy timeout), so the history read next cannot go stale.
async fn lock(
    tx: &mut sqlx::Transaction<'_, Any>,
    backend: Backend,
    history_exists: bool,
) -> Result<()> {
    match backend {
        Backend::Postgres => {
            sqlx::query("SELECT COUNT(*) AS n FROM (SELECT pg_advisory_xact_lock($1)) AS l")
                .bind(PG_LOCK_KEY)
                .execute(&mut **tx)
                .await?;
        }
        Backend::Sqlite if history_exists => {
            sqlx::query("DELETE FROM schema_migrations WHERE 1 = 0")
                .execute(&mut **tx)
                .await?;
        }
        Backend::Sqlite => {}
    }
    Ok(())
}

/// (version, checksum) of every applied migration.
async fn history(conn: &mut sqlx::AnyConnection) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query("SELECT version, checksum FROM schema_migrations ORDER BY version")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<i64, _>("version")?,
                r.try_get::<String, _>("checksum")?,
            ))
        })
        .collect()
}

/// The applied history must be a prefix of ours, file for file.
fn verify(history: &[(i64, String)]) -> Result<()> {
    for (version, sum) in history {
        let Some(m) = MIGRATIONS.iter().find(|m| m.version == *version) else {
            return Err(StoreError::Migration(format!(
                "the database has migration {version}, which this build does not know: it was migrated by a newer Hotline"
            )));
        };
        let ours = checksum(m.sql);
        if *sum != ours {
            return Err(StoreError::Migration(format!(
                "migration {:04}_{} was changed after it was applied (checksum {sum} in the database, {ours} in this build)",
                m.version, m.name
            )));
        }
    }
    Ok(())
}

/// The migration text for one backend.
fn render(sql: &str, backend: Backend) -> String {
    let auto_id = match backend {
        Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        Backend::Postgres => "BIGSERIAL PRIMARY KEY",
    };
    sql.replace(AUTO_ID, auto_id)
}

/// 64-bit FNV-1a of the file, in hex: enough to notice an edited migration.
fn checksum(sql: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sql.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_and_tokens_are_replaced() {
        assert!(MIGRATIONS.windows(2).all(|w| w[0].version < w[1].version));
        for m in MIGRATIONS {
            for b in [Backend::Sqlite, Backend::Postgres] {
                assert!(!render(m.sql, b).contains("{{"), "{} on {b}", m.name);
            }
        }
        assert!(render("id {{AUTO_ID}},", Backend::Postgres).contains("BIGSERIAL PRIMARY KEY"));
    }

    #[test]
    fn checksum_is_stable() {
        assert_eq!(checksum(""), "cbf29ce484222325");
        assert_eq!(checksum("a"), "af63dc4c8601ec8c");
        assert_ne!(
            checksum("CREATE TABLE a (x BIGINT);"),
            checksum("CREATE TABLE a (x BIGINT); ")
        );
    }
}
