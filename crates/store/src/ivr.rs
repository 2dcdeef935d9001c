//! IVR flows: versions (drafts and published), and the numbers that reach
//! them. Published versions are immutable; saving always adds a version.

use crate::db::RowExt;
use crate::error::{conflict_or, Result, StoreError};
use crate::{Broadcast, FlowVersion, TenantStore};

const COLUMNS: &str = "flow_id, version, document, published_at, created_at, created_by";

fn row(r: &sqlx::any::AnyRow) -> Result<FlowVersion> {
    Ok(FlowVersion {
        flow_id: r.text("flow_id")?,
        version: r.int("version")?,
        document: r.text("document")?,
        published_at: r.opt_int("published_at")?,
        created_at: r.int("created_at")?,
        created_by: r.opt_text("created_by")?,
    })
}

impl TenantStore {
    /// Saves `document` as a new draft version of `flow_id` and returns it.
    pub async fn save_flow_draft(&self, flow_id: &str, document: &str, by: Option<&str>, now: i64) -> Result<FlowVersion> {
        let mut tx = self.pool.begin().await?;
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM ivr_flow_versions WHERE tenant_id = $1 AND flow_id = $2")
                .bind(&*self.tenant)
                .bind(flow_id)
                .fetch_one(&mut *tx)
                .await?;
        let version = last.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO ivr_flow_versions (tenant_id, flow_id, version, document, published_at, created_at, created_by) \
             VALUES ($1, $2, $3, $4, NULL, $5, $6)",
        )
        .bind(&*self.tenant)
        .bind(flow_id)
        .bind(version)
        .bind(document)
        .bind(now)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(FlowVersion {
            flow_id: flow_id.to_owned(),
            version,
            document: document.to_owned(),
            published_at: None,
            created_at: now,
            created_by: by.map(str::to_owned),
        })
    }

    /// Publishes a draft version. Publishing a published version is refused.
    pub async fn publish_flow(&self, flow_id: &str, version: i64, now: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE ivr_flow_versions SET published_at = $1 \
             WHERE tenant_id = $2 AND flow_id = $3 AND version = $4 AND published_at IS NULL",
        )
        .bind(now)
        .bind(&*self.tenant)
        .bind(flow_id)
        .bind(version)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { entity: "flow draft", id: format!("{flow_id} v{version}") });
        }
        Ok(())
    }

    /// Every version of a flow, newest first.
    pub async fn flow_versions(&self, flow_id: &str) -> Result<Vec<FlowVersion>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM ivr_flow_versions WHERE tenant_id = $1 AND flow_id = $2 ORDER BY version DESC"
        ))
        .bind(&*self.tenant)
        .bind(flow_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row).collect()
    }

    /// The published version with the highest number.
    pub async fn published_flow(&self, flow_id: &str) -> Result<Option<FlowVersion>> {
        let r = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM ivr_flow_versions WHERE tenant_id = $1 AND flow_id = $2 \
             AND published_at IS NOT NULL ORDER BY version DESC LIMIT 1"
        ))
        .bind(&*self.tenant)
        .bind(flow_id)
        .fetch_optional(&self.pool)
        .await?;
        r.as_ref().map(row).transpose()
    }

    /// Ids of all flows, sorted.
    pub async fn flow_ids(&self) -> Result<Vec<String>> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT flow_id FROM ivr_flow_versions WHERE tenant_id = $1 ORDER BY flow_id")
                .bind(&*self.tenant)
                .fetch_all(&self.pool)
                .await?;
        Ok(ids)
    }

    /// Points `number` at `flow_id`.
    pub async fn set_ivr_number(&self, number: &str, flow_id: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO ivr_numbers (tenant_id, number, flow_id) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id, number) DO UPDATE SET flow_id = excluded.flow_id",
        )
        .bind(&*self.tenant)
        .bind(number)
        .bind(flow_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every number and its flow, by number.
    pub async fn ivr_numbers(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT number, flow_id FROM ivr_numbers WHERE tenant_id = $1 ORDER BY number")
            .bind(&*self.tenant)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.text("number")?, r.text("flow_id")?))).collect()
    }
}

impl TenantStore {
    /// Stores what a post-call survey collected. `score` is the `score`
    /// answer when it is 1 to 5. A second answer for the same interaction
    /// is refused (`Conflict`): a survey is answered once.
    pub async fn save_survey(&self, interaction_id: &str, answers: &std::collections::BTreeMap<String, String>, now: i64) -> Result<Option<i64>> {
        let score = answers.get("score").and_then(|s| s.parse::<i64>().ok()).filter(|s| (1..=5).contains(s));
        let json = serde_json::to_string(answers)?;
        sqlx::query(
            "INSERT INTO survey_results (tenant_id, interaction_id, answers, score, answered_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&*self.tenant)
        .bind(interaction_id)
        .bind(json)
        .bind(score)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_or(e, "survey", interaction_id))?;
        Ok(score)
    }

    /// What the caller answered in the post-call survey of an interaction,
    /// with the score (1–5) when there is one.
    pub async fn survey(&self, interaction_id: &str) -> Result<Option<(std::collections::BTreeMap<String, String>, Option<i64>)>> {
        let row = sqlx::query("SELECT answers, score FROM survey_results WHERE tenant_id = $1 AND interaction_id = $2")
            .bind(&*self.tenant)
            .bind(interaction_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.json("answers")?, r.opt_int("score")?))).transpose()
    }

    /// The survey score of an interaction, if it was answered with one.
    pub async fn survey_score(&self, interaction_id: &str) -> Result<Option<i64>> {
        let r: Option<Option<i64>> =
            sqlx::query_scalar("SELECT score FROM survey_results WHERE tenant_id = $1 AND interaction_id = $2")
                .bind(&*self.tenant)
                .bind(interaction_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(r.flatten())
    }

    /// Switches a number's emergency broadcast on (or changes it).
    pub async fn set_broadcast(&self, b: &Broadcast) -> Result<()> {
        sqlx::query(
            "INSERT INTO ivr_broadcasts (tenant_id, number, prompt, instead, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (tenant_id, number) DO UPDATE SET prompt = excluded.prompt, instead = excluded.instead, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(&*self.tenant)
        .bind(&b.number)
        .bind(&b.prompt)
        .bind(crate::db::flag(b.instead))
        .bind(b.updated_at)
        .bind(&b.updated_by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Switches a number's broadcast off; `false` if it had none.
    pub async fn clear_broadcast(&self, number: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM ivr_broadcasts WHERE tenant_id = $1 AND number = $2")
            .bind(&*self.tenant)
            .bind(number)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Every broadcast that is on, by number.
    pub async fn broadcasts(&self) -> Result<Vec<Broadcast>> {
        let rows = sqlx::query("SELECT number, prompt, instead, updated_at, updated_by FROM ivr_broadcasts WHERE tenant_id = $1 ORDER BY number")
            .bind(&*self.tenant)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Broadcast {
                    number: r.text("number")?,
                    prompt: r.text("prompt")?,
                    instead: r.flag("instead")?,
                    updated_at: r.int("updated_at")?,
                    updated_by: r.opt_text("updated_by")?,
                })
            })
            .collect()
    }
}
