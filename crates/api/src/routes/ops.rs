//! Health, readiness and Prometheus metrics. These carry no personal data
//! (counts only) and are open so that load balancers and Prometheus can
//! reach them without a session.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::dto::Health;
use crate::state::AppState;

/// This document: every route, its schemas, and in each route's `security`
/// who may call it (role names as scopes).
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations", security(("bearer" = [])), responses((status = 200, description = "The OpenAPI 3.1 document")))]
pub async fn openapi_json() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}

#[utoipa::path(get, path = "/healthz", tag = "operations", security(()), responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Ready when the database answers and the routing task runs.
#[utoipa::path(get, path = "/readyz", tag = "operations", security(()), responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let db = state.0.store.ping().await.is_ok();
    let acd = state.0.acd.queues().await.is_ok();
    if db && acd {
        (StatusCode::OK, Json(Health { status: "ready" }))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: if db { "routing not running" } else { "database unreachable" } }))
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabel {
    queue: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AgentLabel {
    status: String,
    state: String,
}

/// Built fresh from the engine's live numbers on every scrape: the engine is
/// the single source of truth, and its counters only grow.
#[utoipa::path(get, path = "/metrics", tag = "operations", security(()), responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let (Ok(queues), Ok(agents)) = (state.0.acd.queues().await, state.0.acd.agents().await) else {
        return (StatusCode::SERVICE_UNAVAILABLE, "routing is not running\n").into_response();
    };
    let mut reg = Registry::with_prefix("hotline");
    let waiting = Family::<QueueLabel, Gauge>::default();
    let longest = Family::<QueueLabel, Gauge>::default();
    let offered = Family::<QueueLabel, Counter>::default();
    let answered = Family::<QueueLabel, Counter>::default();
    let abandoned = Family::<QueueLabel, Counter>::default();
    let sl = Family::<QueueLabel, Gauge<f64, std::sync::atomic::AtomicU64>>::default();
    for q in &queues {
        let l = QueueLabel { queue: q.queue_id.clone() };
        waiting.get_or_create(&l).set(i64::from(q.stats.waiting));
        longest.get_or_create(&l).set((q.stats.longest_wait_ms / 1000) as i64);
        offered.get_or_create(&l).inc_by(q.stats.offered);
        answered.get_or_create(&l).inc_by(q.stats.answered);
        abandoned.get_or_create(&l).inc_by(q.stats.abandoned);
        if let Some(v) = q.stats.service_level {
            sl.get_or_create(&l).set(v);
        }
    }
    let per_state = Family::<AgentLabel, Gauge>::default();
    for a in &agents {
        per_state.get_or_create(&AgentLabel { status: a.status.clone(), state: a.state.clone() }).inc();
    }
    reg.register("contacts_waiting", "Contacts waiting in the queue", waiting);
    reg.register("longest_wait_seconds", "Wait of the longest-waiting contact", longest);
    reg.register("offers", "Offers made to agents", offered);
    reg.register("answers", "Contacts answered", answered);
    reg.register("abandons", "Contacts abandoned while waiting", abandoned);
    reg.register("service_level_percent", "Service level over the queue's sliding window", sl);
    reg.register("agents", "Agents by status and state", per_state);
    if let Some(view) = match &state.0.sip_control {
        Some(c) => c.security().await,
        None => None,
    } {
        register_sip_guard(&mut reg, &view);
    }
    let mut body = String::new();
    if encode(&mut body, &reg).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], body).into_response()
}

/// The phone side's defences: bans by reason, what was dropped or refused.
fn register_sip_guard(reg: &mut Registry, view: &hotline_telephony::sip_server::SecurityView) {
    let g = &view.guard;
    let bans = Family::<ReasonLabel, Counter>::default();
    for (reason, n) in [("auth_failures", g.bans_failures), ("flood", g.bans_flood), ("scanner", g.bans_scanner)] {
        bans.get_or_create(&ReasonLabel { reason: reason.into() }).inc_by(n);
    }
    reg.register("sip_bans", "SIP sources banned, by reason", bans);
    let banned = Gauge::<i64>::default();
    banned.set(g.banned_now as i64);
    reg.register("sip_banned_sources", "SIP sources banned now", banned);
    let dropped = Family::<ReasonLabel, Counter>::default();
    for (reason, n) in [("banned", g.dropped_banned), ("rate", g.dropped_flood)] {
        dropped.get_or_create(&ReasonLabel { reason: reason.into() }).inc_by(n);
    }
    reg.register("sip_dropped_messages", "SIP messages dropped unanswered, by reason", dropped);
    let refused = Counter::<u64>::default();
    refused.inc_by(g.refused_attempts);
    reg.register("sip_refused_auth_attempts", "Digest attempts refused unchecked (throttled, or the extension closed to strangers)", refused);
    let failed = Counter::<u64>::default();
    failed.inc_by(g.failed_attempts);
    reg.register("sip_failed_auth_attempts", "Digest attempts checked and failed (wrong password, unknown extension)", failed);
    let outside = Counter::<u64>::default();
    outside.inc_by(view.outside_denied);
    reg.register("outside_calls_denied", "Outside calls refused by the calling permissions", outside);
    let strangers = Counter::<u64>::default();
    strangers.inc_by(view.rtp_strangers);
    reg.register("rtp_stranger_packets", "RTP packets refused because they came from a source the leg does not take", strangers);
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: String,
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(openapi_json))
        .routes(utoipa_axum::routes!(healthz))
        .routes(utoipa_axum::routes!(readyz))
        .routes(utoipa_axum::routes!(metrics))
}
