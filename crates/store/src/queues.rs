//! Queues and their routing policy. Routing steps are a JSON column.

use std::sync::OnceLock;

use sqlx::any::AnyRow;

use crate::db::{flag, insert_sql, to_json, update_sql, AnyQuery, RowExt};
use crate::error::{conflict_or, Result, StoreError};
use crate::{Queue, TenantStore};

/// The columns an update rewrites, in bind order (`bind_fields`).
const FIELDS: &[&str] = &[
    "name",
    "channel",
    "strategy",
    "steps",
    "service_level_secs",
    "service_level_target_pct",
    "sl_window_secs",
    "offer_timeout_secs",
    "wrap_up_secs",
    "max_missed_offers",
    "aging_per_sec",
    "vip_boost",
    "sticky_secs",
    "max_wait_secs",
    "give_up_action",
    "overflow_queue",
    "overflow_after_secs",
    "overflow_when_no_agents",
    "enabled",
    "caller_experience",
    "updated_at",
];

const SELECT: &str = "SELECT id, name, channel, strategy, steps, service_level_secs, service_level_target_pct, \
    sl_window_secs, offer_timeout_secs, wrap_up_secs, max_missed_offers, aging_per_sec, vip_boost, sticky_secs, \
    max_wait_secs, give_up_action, overflow_queue, overflow_after_secs, overflow_when_no_agents, enabled, \
    caller_experience, created_at, updated_at FROM queues WHERE tenant_id = $1";

fn insert_text() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let mut cols = vec!["tenant_id", "id"];
        cols.extend_from_slice(FIELDS);
        cols.push("created_at");
        insert_sql("queues", &cols)
    })
}

fn update_text() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| update_sql("queues", FIELDS, &["tenant_id", "id"]))
}

fn bind_fields<'q>(q: AnyQuery<'q>, v: &'q Queue) -> Result<AnyQuery<'q>> {
    Ok(q.bind(&v.name)
        .bind(&v.channel)
        .bind(&v.strategy)
        .bind(to_json(&v.steps)?)
        .bind(i64::from(v.service_level_secs))
        .bind(i64::from(v.service_level_target_pct))
        .bind(i64::from(v.sl_window_secs))
        .bind(i64::from(v.offer_timeout_secs))
        .bind(i64::from(v.wrap_up_secs))
        .bind(i64::from(v.max_missed_offers))
        .bind(i64::from(v.aging_per_sec))
        .bind(i64::from(v.vip_boost))
        .bind(i64::from(v.sticky_secs))
        .bind(v.max_wait_secs.map(i64::from))
        .bind(&v.give_up_action)
        .bind(&v.overflow_queue)
        .bind(v.overflow_after_secs.map(i64::from))
        .bind(flag(v.overflow_when_no_agents))
        .bind(flag(v.enabled))
        .bind(to_json(&v.caller)?)
        .bind(v.updated_at))
}

fn queue_row(r: &AnyRow) -> Result<Queue> {
    Ok(Queue {
        id: r.text("id")?,
        name: r.text("name")?,
        channel: r.text("channel")?,
        strategy: r.text("strategy")?,
        steps: r.json("steps")?,
        service_level_secs: r.u32("service_level_secs")?,
        service_level_target_pct: r.u8("service_level_target_pct")?,
        sl_window_secs: r.u32("sl_window_secs")?,
        offer_timeout_secs: r.u32("offer_timeout_secs")?,
        wrap_up_secs: r.u32("wrap_up_secs")?,
        max_missed_offers: r.u32("max_missed_offers")?,
        aging_per_sec: r.u32("aging_per_sec")?,
        vip_boost: r.u32("vip_boost")?,
        sticky_secs: r.u32("sticky_secs")?,
        max_wait_secs: r.opt_u32("max_wait_secs")?,
        give_up_action: r.text("give_up_action")?,
        overflow_queue: r.opt_text("overflow_queue")?,
        overflow_after_secs: r.opt_u32("overflow_after_secs")?,
        overflow_when_no_agents: r.flag("overflow_when_no_agents")?,
        enabled: r.flag("enabled")?,
        caller: r.json("caller_experience")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

impl TenantStore {
    /// Every queue, enabled or not, by id.
    pub async fn list_queues(&self) -> Result<Vec<Queue>> {
        let rows = sqlx::query(SELECT)
            .bind(&*self.tenant)
            .fetch_all(&self.pool)
            .await?;
        let mut queues = rows.iter().map(queue_row).collect::<Result<Vec<_>>>()?;
        queues.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(queues)
    }

    /// One queue.
    pub async fn queue(&self, id: &str) -> Result<Option<Queue>> {
        let sql = format!("{SELECT} AND id = $2");
        let row = sqlx::query(&sql)
            .bind(&*self.tenant)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(queue_row).transpose()
    }

    /// Adds a queue; a taken id is a [`StoreError::Conflict`]. An overflow
    /// target must exist.
    pub async fn insert_queue(&self, q: &Queue) -> Result<()> {
        let query = sqlx::query(insert_text()).bind(&*self.tenant).bind(&q.id);
        bind_fields(query, q)?
            .bind(q.created_at)
            .execute(&self.pool)
            .await
            .map_err(|e| conflict_or(e, "queue", &q.id))?;
        Ok(())
    }

    /// Saves every field of a queue but its creation time.
    pub async fn update_queue(&self, q: &Queue) -> Result<()> {
        let done = bind_fields(sqlx::query(update_text()), q)?
            .bind(&*self.tenant)
            .bind(&q.id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                entity: "queue",
                id: q.id.clone(),
            });
        }
        Ok(())
    }
}
