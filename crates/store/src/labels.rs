//! Names in other languages for what admins configure: a queue, a skill, a
//! reason code, a wrap-up code keeps its own name (the center's default
//! language), and may have a label per other language.

use crate::db::RowExt;
use crate::error::Result;
use crate::TenantStore;

/// What may carry labels.
pub const LABELLED_KINDS: &[&str] = &["queue", "skill", "reason", "wrap_up", "team"];

/// One object's name in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub kind: String,
    pub id: String,
    pub lang: String,
    pub label: String,
}

impl TenantStore {
    /// Every label, by kind, id and language.
    pub async fn list_labels(&self) -> Result<Vec<Label>> {
        let rows = sqlx::query("SELECT kind, id, lang, label FROM labels WHERE tenant_id = $1 ORDER BY kind, id, lang")
            .bind(&*self.tenant)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(Label { kind: r.text("kind")?, id: r.text("id")?, lang: r.text("lang")?, label: r.text("label")? }))
            .collect()
    }

    /// Sets an object's name in `lang`; an empty label removes it.
    pub async fn set_label(&self, kind: &str, id: &str, lang: &str, label: &str) -> Result<()> {
        if label.is_empty() {
            sqlx::query("DELETE FROM labels WHERE tenant_id = $1 AND kind = $2 AND id = $3 AND lang = $4")
                .bind(&*self.tenant)
                .bind(kind)
                .bind(id)
                .bind(lang)
                .execute(&self.pool)
                .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO labels (tenant_id, kind, id, lang, label) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_id, kind, id, lang) DO UPDATE SET label = excluded.label",
        )
        .bind(&*self.tenant)
        .bind(kind)
        .bind(id)
        .bind(lang)
        .bind(label)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
