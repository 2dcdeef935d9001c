//! The append-only audit log: the store offers no way to change or delete a row.

use crate::db::RowExt;
use crate::error::Result;
use crate::{AuditEntry, NewAuditEntry, TenantStore};

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
        let rows = sqlx::query(
            "SELECT id, at, actor, action, target, ip, detail FROM audit_log WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(&*self.tenant)
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
