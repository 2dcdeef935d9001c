//! The append-only audit log: the store offers no way to change or delete a row.

use crate::db::RowExt;
use crate::error::Result;
use crate::{AuditEntry, NewAuditEntry, TenantStore};

/// Which audit entries to list; `None` lets everything through.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Who did it (a user name).
    pub actor: Option<String>,
    /// What was done: an action (`queue.update`) or a kind of object and
    /// everything done to it (`queue`).
    pub action: Option<String>,
    /// Which object (a queue's id, a user's name).
    pub target: Option<String>,
    /// Entries older than this one (paging).
    pub before_id: Option<i64>,
}

impl TenantStore {
    /// Appends one audit entry.
    pub async fn append_audit(&self, e: &NewAuditEntry) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (tenant_id, at, actor, action, target, ip, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&*self.tenant)
        .bind(e.at)
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.target)
        .bind(&e.ip)
        .bind(&e.detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The latest `limit` entries, newest first.
    pub async fn list_audit(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        self.find_audit(&AuditFilter::default(), limit).await
    }

    /// The latest `limit` entries `filter` lets through, newest first.
    pub async fn find_audit(&self, filter: &AuditFilter, limit: u32) -> Result<Vec<AuditEntry>> {
        // (CAST so that PostgreSQL knows the type of a parameter bound as NULL.)
        let rows = sqlx::query(
            "SELECT id, at, actor, action, target, ip, detail FROM audit_log WHERE tenant_id = $1 \
             AND (CAST($2 AS TEXT) IS NULL OR actor = CAST($2 AS TEXT)) \
             AND (CAST($3 AS TEXT) IS NULL OR action = CAST($3 AS TEXT) OR substr(action, 1, length(CAST($3 AS TEXT)) + 1) = CAST($3 AS TEXT) || '.') \
             AND (CAST($4 AS TEXT) IS NULL OR target = CAST($4 AS TEXT)) \
             AND (CAST($5 AS BIGINT) IS NULL OR id < CAST($5 AS BIGINT)) \
             ORDER BY id DESC LIMIT $6",
        )
        .bind(&*self.tenant)
        .bind(&filter.actor)
        .bind(&filter.action)
        .bind(&filter.target)
        .bind(filter.before_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.int("id")?,
                    at: r.int("at")?,
                    actor: r.opt_text("actor")?,
                    action: r.text("action")?,
                    target: r.opt_text("target")?,
                    ip: r.opt_text("ip")?,
                    detail: r.text("detail")?,
                })
            })
            .collect()
    }
}
