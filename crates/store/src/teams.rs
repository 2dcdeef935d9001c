//! Teams of agents: a name, and which team each agent is in (at most one).

use std::collections::HashMap;

use crate::db::RowExt;
use crate::error::Result;
use crate::TenantStore;

/// A team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: String,
    pub name: String,
}

impl TenantStore {
    /// Every team, by id.
    pub async fn list_teams(&self) -> Result<Vec<Team>> {
        let rows = sqlx::query("SELECT id, name FROM teams WHERE tenant_id = $1 ORDER BY id").bind(&*self.tenant).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(Team { id: r.text("id")?, name: r.text("name")? })).collect()
    }

    /// Adds a team or renames the one with the same id.
    pub async fn put_team(&self, t: &Team) -> Result<()> {
        sqlx::query("INSERT INTO teams (tenant_id, id, name) VALUES ($1, $2, $3) ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name")
            .bind(&*self.tenant)
            .bind(&t.id)
            .bind(&t.name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Agent id → team id, for agents in a team.
    pub async fn team_members(&self) -> Result<HashMap<String, String>> {
        let rows = sqlx::query("SELECT agent_id, team_id FROM team_members WHERE tenant_id = $1").bind(&*self.tenant).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.text("agent_id")?, r.text("team_id")?))).collect()
    }

    /// Puts an agent in `team`, or in none.
    pub async fn set_agent_team(&self, agent_id: &str, team: Option<&str>) -> Result<()> {
        sqlx::query("DELETE FROM team_members WHERE tenant_id = $1 AND agent_id = $2").bind(&*self.tenant).bind(agent_id).execute(&self.pool).await?;
        if let Some(team) = team {
            sqlx::query("INSERT INTO team_members (tenant_id, agent_id, team_id) VALUES ($1, $2, $3)")
                .bind(&*self.tenant)
                .bind(agent_id)
                .bind(team)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}
