//! Opening a [`Store`] from a database URL.

use std::path::Path;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::Connection;

use crate::error::{Result, StoreError};
use crate::{Backend, Store};

/// Set on every SQLite connection: enforce foreign keys, wait up to five
/// seconds for a lock instead of failing, and sync less often than the
/// default, which is safe in WAL mode.
const SQLITE_PRAGMAS: &str =
    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;";

impl Store {
    /// Opens a database:
    /// - `sqlite:///abs/path/hotline.db`, `sqlite://relative.db` or
    ///   `sqlite:relative.db`: the file is created if missing (its folder must
    ///   exist) and switched to WAL mode;
    /// - `postgres://user:pass@host:port/db` (or `postgresql://`).
    ///
    /// Call [`Store::migrate`] before use.
    pub async fn connect(url: &str) -> Result<Store> {
        let backend = backend_of(url)?;
        sqlx::any::install_default_drivers();
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let pool = match backend {
            Backend::Sqlite => {
                options
                    .max_connections(8)
                    .after_connect(|conn, _meta| Box::pin(sqlite_pragmas(conn)))
                    .connect(&sqlite_url(url)?)
                    .await?
            }
            Backend::Postgres => {
                // A pool keeps retrying until its timeout and then reports
                // only that; one direct connection first fails fast with the
                // server's own reason (refused, bad password, no such database).
                sqlx::AnyConnection::connect(url).await?.close().await?;
                options.max_connections(16).connect(url).await?
            }
        };
        if backend == Backend::Sqlite {
            // The journal mode is a property of the file: set once, it sticks.
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode = WAL")
                .fetch_one(&pool)
                .await?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(journal_mode = %mode, "SQLite database is not in WAL mode");
            }
        }
        Ok(Store { pool, backend })
    }

    /// Opens (creating if missing) an SQLite database file.
    pub async fn connect_sqlite_file(path: &Path) -> Result<Store> {
        let path = path.to_str().ok_or_else(|| {
            StoreError::InvalidUrl(format!("the path {} is not UTF-8", path.display()))
        })?;
        Store::connect(&format!("sqlite://{}", escape_path(path))).await
    }
}

async fn sqlite_pragmas(conn: &mut sqlx::AnyConnection) -> sqlx::Result<()> {
    use sqlx::Executor;
    conn.execute(SQLITE_PRAGMAS).await?;
    Ok(())
}

fn backend_of(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        let scheme = url.split(':').next().unwrap_or_default();
        Err(StoreError::InvalidUrl(format!(
            "unsupported scheme `{scheme}`: use sqlite:///path/to/hotline.db or postgres://user@host/db"
        )))
    }
}

/// Normalizes an SQLite URL and asks for the file to be created if missing
/// (`mode=rwc`) unless the URL chooses a mode itself.
fn sqlite_url(url: &str) -> Result<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (path, params) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() {
        return Err(StoreError::InvalidUrl(
            "the SQLite URL names no file".into(),
        ));
    }
    let mut params: Vec<&str> = params.split('&').filter(|p| !p.is_empty()).collect();
    if !params.iter().any(|p| p.starts_with("mode=")) && path != ":memory:" {
        params.push("mode=rwc");
    }
    Ok(if params.is_empty() {
        format!("sqlite://{path}")
    } else {
        format!("sqlite://{path}?{}", params.join("&"))
    })
}

/// The SQLite driver percent-decodes the file name; keep `%`, `?` and `#` literal.
fn escape_path(path: &str) -> String {
    path.replace('%', "%25")
        .replace('?', "%3F")
        .replace('#', "%23")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls() {
        assert_eq!(
            sqlite_url("sqlite:///var/lib/hotline.db").unwrap(),
            "sqlite:///var/lib/hotline.db?mode=rwc"
        );
        assert_eq!(
            sqlite_url("sqlite://data/hotline.db").unwrap(),
            "sqlite://data/hotline.db?mode=rwc"
        );
        assert_eq!(
            sqlite_url("sqlite:hotline.db").unwrap(),
            "sqlite://hotline.db?mode=rwc"
        );
        assert_eq!(
            sqlite_url("sqlite://x.db?mode=ro").unwrap(),
            "sqlite://x.db?mode=ro"
        );
        assert!(sqlite_url("sqlite://").is_err());
        assert_eq!(escape_path("/tmp/a?b#c%d"), "/tmp/a%3Fb%23c%25d");
    }

    #[test]
    fn schemes() {
        assert_eq!(backend_of("postgres://u@h/db").unwrap(), Backend::Postgres);
        assert_eq!(
            backend_of("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(backend_of("sqlite::memory:").unwrap(), Backend::Sqlite);
        assert!(
            matches!(backend_of("mysql://u:secret@h/db"), Err(StoreError::InvalidUrl(m)) if !m.contains("secret"))
        );
    }
}
