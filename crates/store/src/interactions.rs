//! Interactions (one row per contact) and the append-only queue log.

use std::sync::OnceLock;

use sqlx::any::AnyRow;

use crate::db::{insert_sql, to_json, update_sql, AnyQuery, RowExt};
use crate::error::{conflict_or, Result, StoreError};
use crate::{Interaction, NewQueueEvent, QueueEvent, TenantStore};

/// The columns after (tenant_id, id), in bind order (`bind_fields`).
const FIELDS: &[&str] = &[
    "channel",
    "direction",
    "queue_id",
    "agent_id",
    "customer_id",
    "from_addr",
    "to_addr",
    "sip_call_id",
    "priority",
    "arrived_at",
    "enqueued_at",
    "offered_at",
    "answered_at",
    "ended_at",
    "outcome",
    "hangup_cause",
    "wrap_up_code",
    "notes",
    "ivr_data",
];

const SELECT: &str = "SELECT id, channel, direction, queue_id, agent_id, customer_id, from_addr, to_addr, sip_call_id, \
    priority, arrived_at, enqueued_at, offered_at, answered_at, ended_at, outcome, hangup_cause, wrap_up_code, notes, \
    ivr_data FROM interactions WHERE tenant_id = $1";

fn insert_text() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let mut cols = vec!["tenant_id", "id"];
        cols.extend_from_slice(FIELDS);
        insert_sql("interactions", &cols)
    })
}

fn update_text() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| update_sql("interactions", FIELDS, &["tenant_id", "id"]))
}

fn bind_fields<'q>(q: AnyQuery<'q>, i: &'q Interaction) -> Result<AnyQuery<'q>> {
    Ok(q.bind(&i.channel)
        .bind(&i.direction)
        .bind(&i.queue_id)
        .bind(&i.agent_id)
        .bind(&i.customer_id)
        .bind(&i.from_addr)
        .bind(&i.to_addr)
        .bind(&i.sip_call_id)
        .bind(i.priority)
        .bind(i.arrived_at)
        .bind(i.enqueued_at)
        .bind(i.offered_at)
        .bind(i.answered_at)
        .bind(i.ended_at)
        .bind(&i.outcome)
        .bind(&i.hangup_cause)
        .bind(&i.wrap_up_code)
        .bind(&i.notes)
        .bind(to_json(&i.ivr)?))
}

fn interaction_row(r: &AnyRow) -> Result<Interaction> {
    Ok(Interaction {
        id: r.text("id")?,
        channel: r.text("channel")?,
        direction: r.text("direction")?,
        queue_id: r.opt_text("queue_id")?,
        agent_id: r.opt_text("agent_id")?,
        customer_id: r.opt_text("customer_id")?,
        from_addr: r.opt_text("from_addr")?,
        to_addr: r.opt_text("to_addr")?,
        sip_call_id: r.opt_text("sip_call_id")?,
        priority: r.int("priority")?,
        arrived_at: r.int("arrived_at")?,
        enqueued_at: r.opt_int("enqueued_at")?,
        offered_at: r.opt_int("offered_at")?,
        answered_at: r.opt_int("answered_at")?,
        ended_at: r.opt_int("ended_at")?,
        outcome: r.opt_text("outcome")?,
        hangup_cause: r.opt_text("hangup_cause")?,
        wrap_up_code: r.opt_text("wrap_up_code")?,
        notes: r.opt_text("notes")?,
        ivr: r.json("ivr_data")?,
    })
}

fn event_row(r: &AnyRow) -> Result<QueueEvent> {
    Ok(QueueEvent {
        id: r.int("id")?,
        at: r.int("at")?,
        interaction_id: r.opt_text("interaction_id")?,
        queue_id: r.opt_text("queue_id")?,
        agent_id: r.opt_text("agent_id")?,
        event: r.text("event")?,
        data: r.json("data")?,
    })
}

impl TenantStore {
    /// Records a new interaction; a taken id is a [`StoreError::Conflict`].
    pub async fn insert_interaction(&self, i: &Interaction) -> Result<()> {
        let query = sqlx::query(insert_text()).bind(&*self.tenant).bind(&i.id);
        bind_fields(query, i)?
            .execute(&self.pool)
            .await
            .map_err(|e| conflict_or(e, "interaction", &i.id))?;
        Ok(())
    }

    /// Saves every field of an interaction.
    pub async fn update_interaction(&self, i: &Interaction) -> Result<()> {
        let done = bind_fields(sqlx::query(update_text()), i)?
            .bind(&*self.tenant)
            .bind(&i.id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                entity: "interaction",
                id: i.id.clone(),
            });
        }
        Ok(())
    }

    /// One interaction.
    pub async fn interaction(&self, id: &str) -> Result<Option<Interaction>> {
        let sql = format!("{SELECT} AND id = $2");
        let row = sqlx::query(&sql)
            .bind(&*self.tenant)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(interaction_row).transpose()
    }

    /// The latest `limit` interactions, newest first.
    pub async fn list_interactions(&self, limit: u32) -> Result<Vec<Interaction>> {
        let sql = format!("{SELECT} ORDER BY arrived_at DESC, id DESC LIMIT $2");
        let rows = sqlx::query(&sql)
            .bind(&*self.tenant)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(interaction_row).collect()
    }

    /// A customer's latest `limit` interactions, newest first.
    pub async fn customer_interactions(
        &self,
        customer_id: &str,
        limit: u32,
    ) -> Result<Vec<Interaction>> {
        let sql =
            format!("{SELECT} AND customer_id = $2 ORDER BY arrived_at DESC, id DESC LIMIT $3");
        let rows = sqlx::query(&sql)
            .bind(&*self.tenant)
            .bind(customer_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(interaction_row).collect()
    }

    /// Ends every interaction still open (no `ended_at`), e.g. those left by a
    /// crash: `ended_at` becomes `now` and a missing outcome becomes
    /// `outcome`. Returns how many were closed.
    pub async fn close_open_interactions(&self, now: i64, outcome: &str) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE interactions SET ended_at = $1, outcome = COALESCE(outcome, $2) WHERE tenant_id = $3 AND ended_at IS NULL",
        )
        .bind(now)
        .bind(outcome)
        .bind(&*self.tenant)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Appends queue-log rows in one transaction, in the given order: ids
    /// increase along the slice. With one writer (the routing driver), a
    /// reader following [`TenantStore::list_queue_events`] by id sees every row.
    pub async fn append_queue_events(&self, events: &[NewQueueEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        for e in events {
            sqlx::query(
                "INSERT INTO queue_events (tenant_id, at, interaction_id, queue_id, agent_id, event, data) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&*self.tenant)
            .bind(e.at)
            .bind(&e.interaction_id)
            .bind(&e.queue_id)
            .bind(&e.agent_id)
            .bind(&e.event)
            .bind(to_json(&e.data)?)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Up to `limit` queue-log rows with an id above `since_id`, oldest first.
    pub async fn list_queue_events(&self, since_id: i64, limit: u32) -> Result<Vec<QueueEvent>> {
        let rows = sqlx::query(
            "SELECT id, at, interaction_id, queue_id, agent_id, event, data FROM queue_events \
             WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(&*self.tenant)
        .bind(since_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_row).collect()
    }
}
