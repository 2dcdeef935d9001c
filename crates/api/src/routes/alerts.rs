//! Supervisors' alerts: the board (`GET /api/v1/alerts`), acknowledging
//! one (audited), and each queue's thresholds. Changes also go out on the
//! event stream as `alert`.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, ClientIp};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use hotline_supervision::{Alert, Rules};

/// An alert on the board.
#[derive(Serialize, ToSchema)]
pub struct AlertDto {
    pub id: u64,
    /// `long_wait`, `service_level`, `not_ready` or `long_call`.
    pub kind: String,
    pub queue_id: String,
    /// The queue, agent id or contact id the alert is about.
    pub subject: String,
    pub raised_at: i64,
    /// What crossed the threshold: ms waited, service level percent, ms
    /// not ready, ms talking (the worst seen while raised).
    pub value: f64,
    pub threshold: f64,
    /// The user name of the supervisor who acknowledged it.
    pub acked_by: Option<String>,
    pub acked_at: Option<i64>,
}

fn dto(a: Alert) -> AlertDto {
    AlertDto {
        id: a.id,
        kind: a.kind.as_str().into(),
        queue_id: a.queue,
        subject: a.subject,
        raised_at: a.raised_at,
        value: a.value,
        threshold: a.threshold,
        acked_by: a.acked_by,
        acked_at: a.acked_at,
    }
}

/// A queue's alert thresholds; `null` switches one off.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertRulesDto {
    /// A caller waiting longer than this many seconds (default 300).
    pub waiting_secs: Option<u32>,
    /// Service level under the queue's target raises an alert.
    pub service_level: bool,
    /// A member agent not ready longer than this many seconds.
    pub not_ready_secs: Option<u32>,
    /// A call of the queue lasting longer than this many seconds.
    pub call_secs: Option<u32>,
    /// A connected caller whose IVR data or lookup answer has `var=value`
    /// (e.g. `lookup.risk=high`) raises a `flagged` alert.
    #[serde(default)]
    pub flag: Option<String>,
    /// The extension of a supervisor's phone rung to listen in to flagged calls.
    #[serde(default)]
    pub auto_listen: Option<String>,
}

/// Every alert raised now, oldest first.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "supervision", security(("bearer" = ["supervisor", "admin", "display"])),
    responses((status = 200, body = [AlertDto])))]
pub async fn list(State(state): State<AppState>, _user: AuthUser) -> Json<Vec<AlertDto>> {
    Json(state.0.alerts.list().into_iter().map(dto).collect())
}

/// A supervisor acknowledges an alert: it stays on the board, marked, until
/// its condition clears. Audited.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/ack", tag = "supervision", security(("bearer" = ["supervisor", "admin"])), params(("id" = u64, Path)),
    responses((status = 200, body = AlertDto), (status = 404, body = ErrorBody)))]
pub async fn ack(State(state): State<AppState>, user: AuthUser, ip: ClientIp, Path(id): Path<u64>) -> ApiResult<Json<AlertDto>> {
    let now = hotline_acd::now_ms();
    let change = state.0.alerts.ack(id, &user.username, now).map_err(|_| ApiError::not_found("alert", &id.to_string()))?;
    state.0.bus.publish(now, crate::alerts::event(&change));
    let alert = match change {
        hotline_supervision::Change::Acked(a) | hotline_supervision::Change::Raised(a) | hotline_supervision::Change::Cleared(a) => a,
    };
    audit::record(&state, Some(&user), &ip, "alert.ack", Some(&id.to_string()), format!("kind={} subject={}", alert.kind.as_str(), alert.subject)).await;
    Ok(Json(dto(alert)))
}

fn rules_dto(r: Rules) -> AlertRulesDto {
    AlertRulesDto { waiting_secs: r.waiting_secs, service_level: r.service_level, not_ready_secs: r.not_ready_secs, call_secs: r.call_secs, flag: r.flag, auto_listen: r.auto_listen }
}

async fn known_queue(state: &AppState, id: &str) -> Result<(), ApiError> {
    state.db().queue(id).await?.ok_or_else(|| ApiError::not_found("queue", id))?;
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/queues/{id}/alert-rules", tag = "supervision", security(("bearer" = ["supervisor", "admin"])), params(("id" = String, Path)),
    responses((status = 200, body = AlertRulesDto), (status = 404, body = ErrorBody)))]
pub async fn get_rules(State(state): State<AppState>, _user: AuthUser, Path(id): Path<String>) -> ApiResult<Json<AlertRulesDto>> {
    known_queue(&state, &id).await?;
    Ok(Json(rules_dto(state.0.alerts.rules(&id))))
}

/// Sets a queue's thresholds (from the next check on, within a second). Audited.
#[utoipa::path(put, path = "/api/v1/queues/{id}/alert-rules", tag = "supervision", security(("bearer" = ["supervisor", "admin"])), params(("id" = String, Path)),
    request_body = AlertRulesDto,
    responses((status = 200, body = AlertRulesDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_rules(State(state): State<AppState>, user: AuthUser, ip: ClientIp, Path(id): Path<String>, ApiJson(r): ApiJson<AlertRulesDto>) -> ApiResult<Json<AlertRulesDto>> {
    known_queue(&state, &id).await?;
    for (field, v) in [("waiting_secs", r.waiting_secs), ("not_ready_secs", r.not_ready_secs), ("call_secs", r.call_secs)] {
        if v.is_some_and(|s| s == 0 || s > 86_400) {
            return Err(ApiError::invalid(field, "1 to 86400 seconds, or null for no alert"));
        }
    }
    if r.flag.as_deref().is_some_and(|f| f.len() > 64 || f.split_once('=').is_none_or(|(k, v)| k.trim().is_empty() || v.trim().is_empty())) {
        return Err(ApiError::invalid("flag", "`variable=value`, e.g. `lookup.risk=high`, at most 64 characters"));
    }
    if let Some(ext) = &r.auto_listen {
        super::agents::check_extension("auto_listen", ext)?;
    }
    if r.auto_listen.is_some() && r.flag.is_none() {
        return Err(ApiError::invalid("auto_listen", "listens in to flagged calls: set `flag` too"));
    }
    let before = serde_json::to_value(rules_dto(state.0.alerts.rules(&id))).unwrap_or_default();
    let rules = Rules {
        waiting_secs: r.waiting_secs,
        service_level: r.service_level,
        not_ready_secs: r.not_ready_secs,
        call_secs: r.call_secs,
        flag: r.flag.map(|f| f.trim().to_owned()),
        auto_listen: r.auto_listen,
    };
    let mut all = state.0.alerts.all_rules();
    all.insert(id.clone(), rules.clone());
    let json = serde_json::to_string(&all).map_err(|_| ApiError::internal())?;
    state.db().set_setting(crate::alerts::RULES_KEY, &json, hotline_acd::now_ms(), Some(&user.user_id)).await?;
    state.0.alerts.set_all_rules(all);
    let after = rules_dto(rules);
    audit::record_change(&state, &user, &ip, "queue.alert_rules", &id, &before, &serde_json::to_value(&after).unwrap_or_default()).await;
    Ok(Json(after))
}

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(list))
        .routes(utoipa_axum::routes!(ack))
        .routes(utoipa_axum::routes!(get_rules, put_rules))
}
