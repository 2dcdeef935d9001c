//! Agents. Skills live in the normalized `agent_skills` table; languages and
//! queue memberships are JSON columns.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use crate::db::{flag, to_json, RowExt};
use crate::error::{is_unique_violation, violation_mentions, Result, StoreError};
use crate::{Agent, AgentSkill, Capacity, TenantStore};

const SELECT: &str =
    "SELECT id, extension, name, languages, queues, cap_voice, cap_chat, cap_email, enabled, \
    created_at, updated_at FROM agents WHERE tenant_id = $1";

const SELECT_SKILLS: &str =
    "SELECT agent_id, skill_id, level FROM agent_skills WHERE tenant_id = $1";

/// An agent row without its skills.
fn agent_row(r: &AnyRow) -> Result<Agent> {
    Ok(Agent {
        id: r.text("id")?,
        extension: r.text("extension")?,
        name: r.text("name")?,
        skills: Vec::new(),
        languages: r.json("languages")?,
        queues: r.json("queues")?,
        capacity: Capacity {
            voice: r.u8("cap_voice")?,
            chat: r.u8("cap_chat")?,
            email: r.u8("cap_email")?,
        },
        enabled: r.flag("enabled")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

/// A unique violation on the agent row: the id or the extension is taken.
fn agent_conflict(e: sqlx::Error, a: &Agent) -> StoreError {
    if !is_unique_violation(&e) {
        StoreError::Database(e)
    } else if violation_mentions(&e, "extension") {
        StoreError::Conflict {
            entity: "agent extension",
            id: a.extension.clone(),
        }
    } else {
        StoreError::Conflict {
            entity: "agent",
            id: a.id.clone(),
        }
    }
}

impl TenantStore {
    /// Every agent with skills, by extension.
    pub async fn list_agents(&self) -> Result<Vec<Agent>> {
        let rows = sqlx::query(SELECT)
            .bind(&*self.tenant)
            .fetch_all(&self.pool)
            .await?;
        let mut agents = rows.iter().map(agent_row).collect::<Result<Vec<_>>>()?;
        let sql = format!("{SELECT_SKILLS} ORDER BY agent_id, position");
        let skill_rows = sqlx::query(&sql)
            .bind(&*self.tenant)
            .fetch_all(&self.pool)
            .await?;
        let mut skills: HashMap<String, Vec<AgentSkill>> = HashMap::new();
        for r in &skill_rows {
            skills
                .entry(r.text("agent_id")?)
                .or_default()
                .push(AgentSkill {
                    skill: r.text("skill_id")?,
                    level: r.u8("level")?,
                });
        }
        for a in &mut agents {
            a.skills = skills.remove(&a.id).unwrap_or_default();
        }
        agents.sort_by(|a, b| a.extension.cmp(&b.extension));
        Ok(agents)
    }

    /// One agent with skills.
    pub async fn agent(&self, id: &str) -> Result<Option<Agent>> {
        let sql = format!("{SELECT} AND id = $2");
        let row = sqlx::query(&sql)
            .bind(&*self.tenant)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        self.with_skills(row).await
    }

    /// The agent at this extension.
    pub async fn agent_by_extension(&self, ext: &str) -> Result<Option<Agent>> {
        let sql = format!("{SELECT} AND extension = $2");
        let row = sqlx::query(&sql)
            .bind(&*self.tenant)
            .bind(ext)
            .fetch_optional(&self.pool)
            .await?;
        self.with_skills(row).await
    }

    async fn with_skills(&self, row: Option<AnyRow>) -> Result<Option<Agent>> {
        let Some(row) = row else { return Ok(None) };
        let mut agent = agent_row(&row)?;
        let sql = format!("{SELECT_SKILLS} AND agent_id = $2 ORDER BY position");
        let rows = sqlx::query(&sql)
            .bind(&*self.tenant)
            .bind(&agent.id)
            .fetch_all(&self.pool)
            .await?;
        agent.skills = rows
            .iter()
            .map(|r| {
                Ok(AgentSkill {
                    skill: r.text("skill_id")?,
                    level: r.u8("level")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(agent))
    }

    /// Adds an agent and its skills in one transaction. A taken id or
    /// extension is a [`StoreError::Conflict`]; skills must exist and levels
    /// must be 1–10.
    pub async fn insert_agent(&self, a: &Agent) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO agents (tenant_id, id, extension, name, languages, queues, cap_voice, cap_chat, cap_email, \
             enabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&*self.tenant)
        .bind(&a.id)
        .bind(&a.extension)
        .bind(&a.name)
        .bind(to_json(&a.languages)?)
        .bind(to_json(&a.queues)?)
        .bind(i64::from(a.capacity.voice))
        .bind(i64::from(a.capacity.chat))
        .bind(i64::from(a.capacity.email))
        .bind(flag(a.enabled))
        .bind(a.created_at)
        .bind(a.updated_at)
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            drop(tx);
            // When both the id and the extension are taken, SQLite names the
            // extension; the id is the better answer.
            if is_unique_violation(&e) && self.agent_exists(&a.id).await? {
                return Err(StoreError::Conflict {
                    entity: "agent",
                    id: a.id.clone(),
                });
            }
            return Err(agent_conflict(e, a));
        }
        self.write_skills(&mut tx, a).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn agent_exists(&self, id: &str) -> Result<bool> {
        let row = sqlx::query("SELECT id FROM agents WHERE tenant_id = $1 AND id = $2")
            .bind(&*self.tenant)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Saves an agent (all but its creation time) and replaces its skills, in
    /// one transaction.
    pub async fn update_agent(&self, a: &Agent) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE agents SET extension = $1, name = $2, languages = $3, queues = $4, cap_voice = $5, cap_chat = $6, \
             cap_email = $7, enabled = $8, updated_at = $9 WHERE tenant_id = $10 AND id = $11",
        )
        .bind(&a.extension)
        .bind(&a.name)
        .bind(to_json(&a.languages)?)
        .bind(to_json(&a.queues)?)
        .bind(i64::from(a.capacity.voice))
        .bind(i64::from(a.capacity.chat))
        .bind(i64::from(a.capacity.email))
        .bind(flag(a.enabled))
        .bind(a.updated_at)
        .bind(&*self.tenant)
        .bind(&a.id)
        .execute(&mut *tx)
        .await
        .map_err(|e| agent_conflict(e, a))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                entity: "agent",
                id: a.id.clone(),
            });
        }
        sqlx::query("DELETE FROM agent_skills WHERE tenant_id = $1 AND agent_id = $2")
            .bind(&*self.tenant)
            .bind(&a.id)
            .execute(&mut *tx)
            .await?;
        self.write_skills(&mut tx, a).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn write_skills(&self, tx: &mut Transaction<'_, Any>, a: &Agent) -> Result<()> {
        for (position, s) in (0_i64..).zip(&a.skills) {
            sqlx::query(
                "INSERT INTO agent_skills (tenant_id, agent_id, skill_id, level, position) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&*self.tenant)
            .bind(&a.id)
            .bind(&s.skill)
            .bind(i64::from(s.level))
            .bind(position)
            .execute(&mut **tx)
            .await
            .map_err(|e| crate::error::conflict_or(e, "agent skill", &s.skill))?;
        }
        Ok(())
    }
}
