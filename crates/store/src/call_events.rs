//! A call's events besides routing (holds, monitoring, pauses, transfers),
//! kept in order for its history.

use crate::db::RowExt;
use crate::error::Result;
use crate::TenantStore;

/// One change to a live call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEvent {
    /// UUID v7: ids sort in the order events were made.
    pub id: String,
    pub interaction_id: String,
    pub at: i64,
    /// `hold`, `resume`, `monitor`, `monitor_mode`, `monitor_end`, …
    pub kind: String,
    /// Who did it: an agent id, a user id, or none (the system).
    pub actor: Option<String>,
    /// The kind's detail: a monitoring mode, a hold's length in ms.
    pub detail: Option<String>,
}

impl TenantStore {
    pub async fn add_call_event(&self, e: &CallEvent) -> Result<()> {
        sqlx::query("INSERT INTO call_events (tenant_id, id, interaction_id, at, kind, actor, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&*self.tenant)
            .bind(&e.id)
            .bind(&e.interaction_id)
            .bind(e.at)
            .bind(&e.kind)
            .bind(&e.actor)
            .bind(&e.detail)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The events of one interaction, oldest first.
    pub async fn call_events(&self, interaction_id: &str) -> Result<Vec<CallEvent>> {
        let rows = sqlx::query("SELECT id, interaction_id, at, kind, actor, detail FROM call_events WHERE tenant_id = $1 AND interaction_id = $2 ORDER BY at, id")
            .bind(&*self.tenant)
            .bind(interaction_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CallEvent {
                    id: r.text("id")?,
                    interaction_id: r.text("interaction_id")?,
                    at: r.int("at")?,
                    kind: r.text("kind")?,
                    actor: r.opt_text("actor")?,
                    detail: r.opt_text("detail")?,
                })
            })
            .collect()
    }
}
