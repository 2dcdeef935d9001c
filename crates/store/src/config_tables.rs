//! Small configuration tables: skills and languages, reason codes, wrap-up codes.

use sqlx::any::AnyRow;

use crate::db::{flag, RowExt};
use crate::error::{conflict_or, Result, StoreError};
use crate::{ReasonCode, Skill, TenantStore, WrapUpCode};

fn skill_row(r: &AnyRow) -> Result<Skill> {
    Ok(Skill {
        id: r.text("id")?,
        name: r.text("name")?,
        kind: r.text("kind")?,
        created_at: r.int("created_at")?,
    })
}

impl TenantStore {
    /// Every skill and language, by id.
    pub async fn list_skills(&self) -> Result<Vec<Skill>> {
        let rows =
            sqlx::query("SELECT id, name, kind, created_at FROM skills WHERE tenant_id = $1")
                .bind(&*self.tenant)
                .fetch_all(&self.pool)
                .await?;
        let mut skills = rows.iter().map(skill_row).collect::<Result<Vec<_>>>()?;
        skills.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(skills)
    }

    /// One skill or language.
    pub async fn skill(&self, id: &str) -> Result<Option<Skill>> {
        let row = sqlx::query(
            "SELECT id, name, kind, created_at FROM skills WHERE tenant_id = $1 AND id = $2",
        )
        .bind(&*self.tenant)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(skill_row).transpose()
    }

    /// Adds a skill; a taken id is a [`StoreError::Conflict`].
    pub async fn insert_skill(&self, s: &Skill) -> Result<()> {
        sqlx::query("INSERT INTO skills (tenant_id, id, name, kind, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&*self.tenant)
            .bind(&s.id)
            .bind(&s.name)
            .bind(&s.kind)
            .bind(s.created_at)
            .execute(&self.pool)
            .await
            .map_err(|e| conflict_or(e, "skill", &s.id))?;
        Ok(())
    }

    /// Renames a skill or changes its kind.
    pub async fn update_skill(&self, s: &Skill) -> Result<()> {
        let done =
            sqlx::query("UPDATE skills SET name = $1, kind = $2 WHERE tenant_id = $3 AND id = $4")
                .bind(&s.name)
                .bind(&s.kind)
                .bind(&*self.tenant)
                .bind(&s.id)
                .execute(&self.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                entity: "skill",
                id: s.id.clone(),
            });
        }
        Ok(())
    }

    /// Every reason code, by id.
    pub async fn list_reason_codes(&self) -> Result<Vec<ReasonCode>> {
        let rows = sqlx::query("SELECT id, label, paid FROM reason_codes WHERE tenant_id = $1")
            .bind(&*self.tenant)
            .fetch_all(&self.pool)
            .await?;
        let mut codes = rows
            .iter()
            .map(|r| {
                Ok(ReasonCode {
                    id: r.text("id")?,
                    label: r.text("label")?,
                    paid: r.flag("paid")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        codes.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(codes)
    }

    /// Adds a reason code or replaces the one with the same id.
    pub async fn upsert_reason_code(&self, r: &ReasonCode) -> Result<()> {
        sqlx::query(
            "INSERT INTO reason_codes (tenant_id, id, label, paid) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET label = excluded.label, paid = excluded.paid",
        )
        .bind(&*self.tenant)
        .bind(&r.id)
        .bind(&r.label)
        .bind(flag(r.paid))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every wrap-up code, by id.
    pub async fn list_wrap_up_codes(&self) -> Result<Vec<WrapUpCode>> {
        let rows =
            sqlx::query("SELECT id, label, category FROM wrap_up_codes WHERE tenant_id = $1")
                .bind(&*self.tenant)
                .fetch_all(&self.pool)
                .await?;
        let mut codes = rows
            .iter()
            .map(|r| {
                Ok(WrapUpCode {
                    id: r.text("id")?,
                    label: r.text("label")?,
                    category: r.text("category")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        codes.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(codes)
    }

    /// Adds a wrap-up code or replaces the one with the same id.
    pub async fn upsert_wrap_up_code(&self, w: &WrapUpCode) -> Result<()> {
        sqlx::query(
            "INSERT INTO wrap_up_codes (tenant_id, id, label, category) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET label = excluded.label, category = excluded.category",
        )
        .bind(&*self.tenant)
        .bind(&w.id)
        .bind(&w.label)
        .bind(&w.category)
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_or(e, "wrap-up code", &w.id))?;
        Ok(())
    }
}
