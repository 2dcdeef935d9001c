//! Agent presence (available / not ready / logged out), saved so that a
//! restart restores it.

use crate::db::RowExt;
use crate::error::Result;
use crate::{AgentPresence, TenantStore};

impl TenantStore {
    /// Saves an agent's status, replacing the previous one.
    pub async fn set_presence(&self, p: &AgentPresence) -> Result<()> {
        sqlx::query(
            "INSERT INTO agent_presence (tenant_id, agent_id, status, reason, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_id, agent_id) DO UPDATE SET status = excluded.status, reason = excluded.reason, \
             updated_at = excluded.updated_at",
        )
        .bind(&*self.tenant)
        .bind(&p.agent_id)
        .bind(&p.status)
        .bind(&p.reason)
        .bind(p.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The saved status of every agent that has one, by agent id.
    pub async fn list_presence(&self) -> Result<Vec<AgentPresence>> {
        let rows = sqlx::query(
            "SELECT agent_id, status, reason, updated_at FROM agent_presence WHERE tenant_id = $1",
        )
        .bind(&*self.tenant)
        .fetch_all(&self.pool)
        .await?;
        let mut list = rows
            .iter()
            .map(|r| {
                Ok(AgentPresence {
                    agent_id: r.text("agent_id")?,
                    status: r.text("status")?,
                    reason: r.opt_text("reason")?,
                    updated_at: r.int("updated_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        list.sort_by(|a, b| a.agent_id.cmp(&b.agent_id));
        Ok(list)
    }
}
