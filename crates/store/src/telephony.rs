//! Telephony rows: SIP digest credentials of extensions and the recording
//! index.

use crate::db::{insert_sql, RowExt};
use crate::error::Result;
use crate::{Recording, SipCredential, TenantStore};

const RECORDING_COLUMNS: &[&str] = &[
    "tenant_id",
    "id",
    "interaction_id",
    "customer_number",
    "agent_id",
    "started_at",
    "ended_at",
    "duration_ms",
    "path",
    "format",
    "sha256",
];

impl TenantStore {
    /// Creates or replaces an extension's credentials.
    pub async fn set_sip_credential(&self, c: &SipCredential) -> Result<()> {
        sqlx::query(
            "INSERT INTO sip_credentials (tenant_id, extension, realm, ha1_md5, ha1_sha256, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, extension) DO UPDATE SET \
             realm = excluded.realm, ha1_md5 = excluded.ha1_md5, ha1_sha256 = excluded.ha1_sha256, \
             updated_at = excluded.updated_at",
        )
        .bind(&*self.tenant)
        .bind(&c.extension)
        .bind(&c.realm)
        .bind(&c.ha1_md5)
        .bind(&c.ha1_sha256)
        .bind(c.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The credentials of one extension, if it has any.
    pub async fn sip_credential(&self, extension: &str) -> Result<Option<SipCredential>> {
        let row = sqlx::query(
            "SELECT extension, realm, ha1_md5, ha1_sha256, updated_at FROM sip_credentials \
             WHERE tenant_id = $1 AND extension = $2",
        )
        .bind(&*self.tenant)
        .bind(extension)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| credential_row(&r)).transpose()
    }

    /// Every extension's credentials (the SIP server keeps them in memory).
    pub async fn sip_credentials(&self) -> Result<Vec<SipCredential>> {
        let rows = sqlx::query(
            "SELECT extension, realm, ha1_md5, ha1_sha256, updated_at FROM sip_credentials \
             WHERE tenant_id = $1 ORDER BY extension",
        )
        .bind(&*self.tenant)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(credential_row).collect()
    }

    /// Records that a recording started.
    pub async fn insert_recording(&self, r: &Recording) -> Result<()> {
        let sql = insert_sql("recordings", RECORDING_COLUMNS);
        sqlx::query(&sql)
            .bind(&*self.tenant)
            .bind(&r.id)
            .bind(&r.interaction_id)
            .bind(&r.customer_number)
            .bind(&r.agent_id)
            .bind(r.started_at)
            .bind(r.ended_at)
            .bind(r.duration_ms)
            .bind(&r.path)
            .bind(&r.format)
            .bind(&r.sha256)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Completes a recording's row when the file is closed.
    pub async fn finish_recording(&self, id: &str, ended_at: i64, duration_ms: i64, sha256: &str) -> Result<()> {
        sqlx::query(
            "UPDATE recordings SET ended_at = $1, duration_ms = $2, sha256 = $3 WHERE tenant_id = $4 AND id = $5",
        )
        .bind(ended_at)
        .bind(duration_ms)
        .bind(sha256)
        .bind(&*self.tenant)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Recordings of one interaction, oldest first.
    pub async fn recordings_of(&self, interaction_id: &str) -> Result<Vec<Recording>> {
        let sql = format!("SELECT {RECORDING_SELECT} FROM recordings WHERE tenant_id = $1 AND interaction_id = $2 ORDER BY started_at, id");
        let rows = sqlx::query(&sql).bind(&*self.tenant).bind(interaction_id).fetch_all(&self.pool).await?;
        rows.iter().map(recording_row).collect()
    }

    /// One recording by id.
    pub async fn recording(&self, id: &str) -> Result<Option<Recording>> {
        let sql = format!("SELECT {RECORDING_SELECT} FROM recordings WHERE tenant_id = $1 AND id = $2");
        let row = sqlx::query(&sql).bind(&*self.tenant).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(recording_row).transpose()
    }
}

const RECORDING_SELECT: &str = "id, interaction_id, customer_number, agent_id, started_at, ended_at, duration_ms, path, format, sha256";

fn recording_row(r: &sqlx::any::AnyRow) -> Result<Recording> {
    Ok(Recording {
        id: r.text("id")?,
        interaction_id: r.text("interaction_id")?,
        customer_number: r.opt_text("customer_number")?,
        agent_id: r.opt_text("agent_id")?,
        started_at: r.int("started_at")?,
        ended_at: r.opt_int("ended_at")?,
        duration_ms: r.opt_int("duration_ms")?,
        path: r.text("path")?,
        format: r.text("format")?,
        sha256: r.opt_text("sha256")?,
    })
}

fn credential_row(r: &sqlx::any::AnyRow) -> Result<SipCredential> {
    Ok(SipCredential {
        extension: r.text("extension")?,
        realm: r.text("realm")?,
        ha1_md5: r.text("ha1_md5")?,
        ha1_sha256: r.text("ha1_sha256")?,
        updated_at: r.int("updated_at")?,
    })
}
