//! Settings an admin changes at run time: one JSON value per key (the API
//! owns the keys and what their values mean).

use crate::db::RowExt;
use crate::error::Result;
use crate::TenantStore;

impl TenantStore {
    /// Every setting stored, as (key, JSON value).
    pub async fn settings(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT key, value FROM settings WHERE tenant_id = $1 ORDER BY key")
            .bind(&*self.tenant)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.text("key")?, r.text("value")?))).collect()
    }

    /// Stores a setting's JSON value.
    pub async fn set_setting(&self, key: &str, value: &str, at: i64, by: Option<&str>) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (tenant_id, key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(&*self.tenant)
        .bind(key)
        .bind(value)
        .bind(at)
        .bind(by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
