//! Business-hours calendars: a name and a schedule (JSON, read by
//! `hotline_calendar::Schedule`; the store keeps the text).

use crate::db::RowExt;
use crate::error::Result;
use crate::TenantStore;

/// One calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub id: String,
    pub name: String,
    /// The schedule document (JSON).
    pub schedule: String,
    pub updated_at: i64,
    pub updated_by: Option<String>,
}

fn calendar_row(r: &sqlx::any::AnyRow) -> Result<Calendar> {
    Ok(Calendar {
        id: r.text("id")?,
        name: r.text("name")?,
        schedule: r.text("schedule")?,
        updated_at: r.int("updated_at")?,
        updated_by: r.opt_text("updated_by")?,
    })
}

impl TenantStore {
    /// Every calendar, by id.
    pub async fn list_calendars(&self) -> Result<Vec<Calendar>> {
        let rows = sqlx::query("SELECT id, name, schedule, updated_at, updated_by FROM calendars WHERE tenant_id = $1 ORDER BY id")
            .bind(&*self.tenant)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(calendar_row).collect()
    }

    /// One calendar.
    pub async fn calendar(&self, id: &str) -> Result<Option<Calendar>> {
        let row = sqlx::query("SELECT id, name, schedule, updated_at, updated_by FROM calendars WHERE tenant_id = $1 AND id = $2")
            .bind(&*self.tenant)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(calendar_row).transpose()
    }

    /// Adds a calendar or replaces the one with the same id.
    pub async fn put_calendar(&self, c: &Calendar) -> Result<()> {
        sqlx::query(
            "INSERT INTO calendars (tenant_id, id, name, schedule, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, schedule = excluded.schedule, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(&*self.tenant)
        .bind(&c.id)
        .bind(&c.name)
        .bind(&c.schedule)
        .bind(c.updated_at)
        .bind(&c.updated_by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
