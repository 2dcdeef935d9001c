//! Hotline's storage: one schema and one store implementation on SQLite (the
//! embedded default) and PostgreSQL, through `sqlx::AnyPool`.
//!
//! [`Store`] owns the pool, runs migrations ([`Store::migrate`]) and seeds the
//! demo center ([`Store::seed_demo`]). Everything else is scoped to a tenant:
//! [`Store::tenant`] returns a [`TenantStore`] whose methods only see and
//! write that tenant's rows.
//!
//! Portability rules: `$1, $2, …` placeholders in increasing order; integers
//! and booleans (0/1) are `BIGINT`; times are `i64` milliseconds since the
//! Unix epoch (UTC); lists are JSON text.

mod agents;
mod audit;
pub use audit::AuditFilter;
mod calendars;
mod call_events;
pub use call_events::CallEvent;
pub use calendars::Calendar;
mod labels;
mod settings;
mod teams;
pub use teams::Team;
pub use labels::{Label, LABELLED_KINDS};
mod config_tables;
mod connect;
mod customers;
mod db;
mod demo;
mod demo_data;
mod error;
mod interactions;
mod ivr;
mod migrate;
mod model;
mod presence;
mod queues;
mod telephony;
mod users;

use std::sync::Arc;

pub use customers::normalize_phone;
pub use demo::{DEMO_FLOW, DEMO_FLOW_ID, DEMO_IVR_NUMBER, DEMO_SURVEY_ID};
pub use error::{Result, StoreError};
pub use model::*;

/// Which database a [`Store`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// An embedded SQLite file (WAL mode, foreign keys on).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The database: a connection pool and the backend it talks to. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: sqlx::AnyPool,
    backend: Backend,
}

impl Store {
    /// Which database this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The underlying pool, for tooling and ad-hoc queries. Application code
    /// should go through the typed methods.
    pub fn pool(&self) -> &sqlx::AnyPool {
        &self.pool
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection; later calls fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The store scoped to one tenant. The tenant must exist
    /// ([`Store::ensure_tenant`]) before rows are written for it.
    pub fn tenant(&self, id: &str) -> TenantStore {
        TenantStore {
            pool: self.pool.clone(),
            tenant: Arc::from(id),
        }
    }

    /// Creates the tenant unless it exists; an existing tenant keeps its name.
    pub async fn ensure_tenant(&self, id: &str, name: &str) -> Result<()> {
        self.ensure_tenant_created(id, name).await.map(|_| ())
    }

    /// Like [`Store::ensure_tenant`]; true when the tenant was created.
    pub(crate) async fn ensure_tenant_created(&self, id: &str, name: &str) -> Result<bool> {
        let done = sqlx::query("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .bind(name)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

/// The store seen from one tenant: every read and write is limited to it.
/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct TenantStore {
    pool: sqlx::AnyPool,
    tenant: Arc<str>,
}

impl TenantStore {
    /// The tenant's id.
    pub fn tenant_id(&self) -> &str {
        &self.tenant
    }
}

/// Milliseconds since the Unix epoch, the store's unit of time.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Every public future must be `Send + 'static`-spawnable: callers run them
/// on `tokio::spawn`. This only has to compile.
#[cfg(test)]
#[allow(dead_code)]
mod send_check {
    use super::*;

    fn any<T>() -> T {
        unimplemented!()
    }

    fn spawnable<F: std::future::Future + Send + 'static>(_: F) {}

    fn all(store: Store) {
        let s = store.clone();
        spawnable(async move {
            let _ = Store::connect("sqlite://x.db").await;
            let _ = Store::connect_sqlite_file(std::path::Path::new("x.db")).await;
            let _ = s.migrate().await;
            let _ = s.ping().await;
            let _ = s.ensure_tenant("t", "T").await;
            let _ = s.seed_demo("h").await;
            let t = s.tenant("t");
            let _ = t.create_user(any()).await;
            let _ = t.session_by_token_hash("h", 0, 0).await;
            let _ = t.insert_agent(&any()).await;
            let _ = t.update_agent(&any()).await;
            let _ = t.list_agents().await;
            let _ = t.insert_queue(&any()).await;
            let _ = t.list_queues().await;
            let _ = t.insert_customer(&any()).await;
            let _ = t.update_customer(&any()).await;
            let _ = t.list_customers(Some("x"), 1, 0).await;
            let _ = t.insert_interaction(&any()).await;
            let _ = t.append_queue_events(&[]).await;
            let _ = t.list_queue_events(0, 1).await;
            let _ = t.set_presence(&any()).await;
            let _ = t.append_audit(&any()).await;
        });
    }
}
