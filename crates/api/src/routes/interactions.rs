//! Interactions (one per call, chat, email or task) and their recordings.
//!
//! Phone numbers are masked (`138****5678`) unless the user is an admin or
//! a supervisor. Agents see only interactions they handled. Opening an
//! interaction and playing a recording are written to the audit log; a
//! recording whose bytes no longer match the SHA-256 taken when it was
//! closed is refused (409) and the refusal is audited too.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::audit::{self, ClientIp};
use crate::auth::{AuthUser, Role};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

pub use hotline_telephony::mask_phone;

/// Whether the user's roles see numbers in full (the center's settings).
fn sees_numbers(user: &AuthUser) -> bool {
    user.unmasked
}

fn shown(user: &AuthUser, number: Option<String>) -> Option<String> {
    number.map(|n| if sees_numbers(user) { n } else { mask_phone(&n) })
}

#[derive(Serialize, ToSchema)]
pub struct InteractionDto {
    pub id: String,
    /// `voice`, `chat`, `email` or `task`.
    pub channel: String,
    pub direction: String,
    pub queue_id: Option<String>,
    pub agent_id: Option<String>,
    pub customer_id: Option<String>,
    /// The caller's number, masked unless the role may see it.
    pub from: Option<String>,
    pub to: Option<String>,
    pub sip_call_id: Option<String>,
    pub priority: i64,
    pub arrived_at: i64,
    pub enqueued_at: Option<i64>,
    pub offered_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
    /// `answered`, `abandoned`, `overflowed`, `gave_up`, ...
    pub outcome: Option<String>,
    /// Stable hang-up cause code (`normal_clearing`, `originator_cancel`, ...).
    pub hangup_cause: Option<String>,
    pub wrap_up_code: Option<String>,
    pub notes: Option<String>,
    /// What the caller told the IVR: menu choices, digits, lookup results.
    pub ivr: std::collections::BTreeMap<String, String>,
    /// Only in the single-interaction answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recordings: Option<Vec<RecordingDto>>,
    /// The post-call survey, if the caller answered it (single-interaction answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub survey: Option<SurveyDto>,
    /// What happened to the call besides routing, oldest first: holds,
    /// resumes, supervisors monitoring (single-interaction answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<CallEventDto>>,
    /// How often the caller was put on hold, and for how long in all
    /// (single-interaction answer, from the timeline).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_ms: Option<u64>,
    /// When the recording was paused (secure pause), from and to (ms since
    /// the Unix epoch; `to` is the call's end for a pause never resumed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused_spans: Option<Vec<[i64; 2]>>,
}

#[derive(Serialize, ToSchema)]
pub struct CallEventDto {
    pub at: i64,
    /// `hold`, `resume`, `monitor` (detail: the mode), `monitor_end`.
    pub kind: String,
    /// The agent or supervisor who did it.
    pub actor: Option<String>,
    pub detail: Option<String>,
}

/// The recording's paused spans from a call's events; a pause still open
/// runs to `end` (the call's end), or has none while the call goes on.
fn paused_spans(events: &[hotline_store::CallEvent], end: Option<i64>) -> Vec<[i64; 2]> {
    let mut spans = Vec::new();
    let mut from = None;
    for e in events {
        match e.kind.as_str() {
            "recording_paused" if from.is_none() => from = Some(e.at),
            "recording_resumed" => {
                if let Some(f) = from.take() {
                    spans.push([f, e.at]);
                }
            }
            _ => {}
        }
    }
    if let (Some(f), Some(end)) = (from, end) {
        spans.push([f, end.max(f)]);
    }
    spans
}

/// Hold count and total from a call's events: each `hold`/`resume` row
/// carries the running totals (`count=N;total_ms=M`), so the last one is
/// the call's.
fn hold_totals(events: &[hotline_store::CallEvent]) -> (u32, u64) {
    let last = events.iter().rev().find(|e| e.kind == "hold" || e.kind == "resume").and_then(|e| e.detail.as_deref());
    let field = |name: &str| last.and_then(|d| d.split(';').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')?.parse::<u64>().ok()));
    (field("count").unwrap_or(0) as u32, field("total_ms").unwrap_or(0))
}

#[derive(Serialize, ToSchema)]
pub struct SurveyDto {
    /// 1–5, when the survey asked for a score.
    pub score: Option<i64>,
    pub answers: std::collections::BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct RecordingDto {
    pub id: String,
    pub agent_id: Option<String>,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub duration_ms: Option<i64>,
    pub format: String,
    /// SHA-256 of the finished file (hex); `None` while recording.
    pub sha256: Option<String>,
}

pub(crate) fn dto(user: &AuthUser, i: hotline_store::Interaction) -> InteractionDto {
    InteractionDto {
        id: i.id,
        channel: i.channel,
        direction: i.direction,
        queue_id: i.queue_id,
        agent_id: i.agent_id,
        customer_id: i.customer_id,
        from: shown(user, i.from_addr),
        to: i.to_addr,
        sip_call_id: i.sip_call_id,
        priority: i.priority,
        arrived_at: i.arrived_at,
        enqueued_at: i.enqueued_at,
        offered_at: i.offered_at,
        answered_at: i.answered_at,
        ended_at: i.ended_at,
        outcome: i.outcome,
        hangup_cause: i.hangup_cause,
        wrap_up_code: i.wrap_up_code,
        notes: i.notes,
        ivr: i.ivr,
        recordings: None,
        survey: None,
        timeline: None,
        hold_count: None,
        hold_ms: None,
        paused_spans: None,
    }
}

/// An interaction as it stands now: routing's live row while the contact is
/// in routing (the database row is written asynchronously), else the
/// database's.
async fn current(state: &AppState, id: &str) -> Result<Option<hotline_store::Interaction>, ApiError> {
    if let Ok(Some(live)) = state.0.acd.interaction(id).await {
        return Ok(Some(live));
    }
    Ok(state.db().interaction(id).await?)
}

/// Who may look at an interaction: the back office, or the agent who handled it.
fn may_see(user: &AuthUser, i: &hotline_store::Interaction) -> bool {
    let office = [Role::Admin, Role::Supervisor, Role::Qa, Role::Auditor].iter().any(|r| user.has(*r));
    office || (user.agent_id.is_some() && user.agent_id == i.agent_id)
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Newest first; at most 500. Default 50.
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/interactions", tag = "interactions", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = [InteractionDto]), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, user: AuthUser, Query(q): Query<ListQuery>) -> ApiResult<Json<Vec<InteractionDto>>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let rows = state.db().list_interactions(limit).await?;
    Ok(Json(rows.into_iter().filter(|i| may_see(&user, i)).map(|i| dto(&user, i)).collect()))
}

#[utoipa::path(get, path = "/api/v1/interactions/{id}", tag = "interactions", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = InteractionDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, user: AuthUser, ip: ClientIp, Path(id): Path<String>) -> ApiResult<Json<InteractionDto>> {
    let db = state.db();
    let i = current(&state, &id).await?.ok_or_else(|| ApiError::not_found("interaction", &id))?;
    if !may_see(&user, &i) {
        return Err(ApiError::forbidden());
    }
    let recordings = db.recordings_of(&id).await?;
    let survey = db.survey(&id).await?;
    let events = db.call_events(&id).await?;
    audit::record(&state, Some(&user), &ip, "interaction.view", Some(&id), format!("masked={}", !sees_numbers(&user))).await;
    let mut out = dto(&user, i);
    out.survey = survey.map(|(answers, score)| SurveyDto { score, answers });
    let (hold_count, hold_ms) = hold_totals(&events);
    out.hold_count = Some(hold_count);
    out.hold_ms = Some(hold_ms);
    out.paused_spans = Some(paused_spans(&events, out.ended_at));
    out.timeline = Some(events.into_iter().map(|e| CallEventDto { at: e.at, kind: e.kind, actor: e.actor, detail: e.detail }).collect());
    out.recordings = Some(
        recordings
            .into_iter()
            .map(|r| RecordingDto { id: r.id, agent_id: r.agent_id, started_at: r.started_at, ended_at: r.ended_at, duration_ms: r.duration_ms, format: r.format, sha256: r.sha256 })
            .collect(),
    );
    Ok(Json(out))
}

/// The customer as the agent's screen shows them: phones masked per role.
#[derive(Serialize, ToSchema)]
pub struct CustomerDto {
    pub id: String,
    pub name: String,
    pub phones: Vec<String>,
    pub email: Option<String>,
    /// 0 = normal … 3 = VIP.
    pub tier: u8,
    pub tags: Vec<String>,
}

pub(crate) fn customer_dto(user: &AuthUser, c: hotline_store::Customer) -> CustomerDto {
    let phones = c.phones.into_iter().map(|p| if sees_numbers(user) { p } else { mask_phone(&p) }).collect();
    CustomerDto { id: c.id, name: c.name, phones, email: c.email, tier: c.tier, tags: c.tags }
}

/// What an agent sees when a contact is offered or answered.
#[derive(Serialize, ToSchema)]
pub struct ScreenPopDto {
    pub interaction: InteractionDto,
    /// Found by the interaction's customer, else by the caller's number.
    pub customer: Option<CustomerDto>,
    /// The customer's latest interactions before this one.
    pub recent: Vec<InteractionDto>,
}

/// Whether `user` is the agent this contact is offered to or handled by.
async fn is_agents_contact(state: &AppState, user: &AuthUser, i: &hotline_store::Interaction) -> bool {
    let Some(agent) = user.agent_id.as_deref() else { return false };
    if i.agent_id.as_deref() == Some(agent) {
        return true;
    }
    match state.0.acd.agent(agent).await {
        Ok(a) => a.offer.is_some_and(|o| o.contact_id == i.id) || a.active.contains(&i.id),
        Err(_) => false,
    }
}

#[utoipa::path(get, path = "/api/v1/interactions/{id}/screen-pop", tag = "interactions", security(("bearer" = ["admin", "supervisor", "agent", "qa"])), params(("id" = String, Path)),
    responses((status = 200, body = ScreenPopDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn screen_pop(State(state): State<AppState>, user: AuthUser, ip: ClientIp, Path(id): Path<String>) -> ApiResult<Json<ScreenPopDto>> {
    let db = state.db();
    let i = current(&state, &id).await?.ok_or_else(|| ApiError::not_found("interaction", &id))?;
    let office = user.has(Role::Admin) || user.has(Role::Supervisor);
    if !office && !is_agents_contact(&state, &user, &i).await {
        return Err(ApiError::forbidden());
    }
    let customer = match (&i.customer_id, &i.from_addr) {
        (Some(c), _) => db.customer(c).await?,
        (None, Some(phone)) => db.customer_by_phone(phone).await?,
        _ => None,
    };
    let recent = match &customer {
        Some(c) => db.customer_interactions(&c.id, 6).await?.into_iter().filter(|r| r.id != i.id).take(5).collect(),
        None => Vec::new(),
    };
    // The agent is shown a customer's personal data: audited.
    audit::record(&state, Some(&user), &ip, "customer.screen_pop", customer.as_ref().map(|c| c.id.as_str()), format!("interaction={id}")).await;
    Ok(Json(ScreenPopDto {
        interaction: dto(&user, i),
        customer: customer.map(|c| customer_dto(&user, c)),
        recent: recent.into_iter().map(|r| dto(&user, r)).collect(),
    }))
}

/// What an agent writes on a contact after it: the wrap-up code and notes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchInteraction {
    pub wrap_up_code: Option<String>,
    pub notes: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/interactions/{id}", tag = "interactions", security(("bearer" = ["admin", "supervisor", "agent"])), params(("id" = String, Path)),
    request_body = PatchInteraction, responses((status = 200, body = InteractionDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch(State(state): State<AppState>, user: AuthUser, ip: ClientIp, Path(id): Path<String>, ApiJson(r): ApiJson<PatchInteraction>) -> ApiResult<Json<InteractionDto>> {
    let db = state.db();
    let mut i = db.interaction(&id).await?.ok_or_else(|| ApiError::not_found("interaction", &id))?;
    let office = user.has(Role::Admin) || user.has(Role::Supervisor);
    let handled_it = user.agent_id.is_some() && user.agent_id == i.agent_id;
    if !office && !handled_it {
        return Err(ApiError::forbidden());
    }
    if let Some(code) = &r.wrap_up_code {
        if !db.list_wrap_up_codes().await?.iter().any(|c| &c.id == code) {
            return Err(ApiError::invalid("wrap_up_code", format!("unknown wrap-up code `{code}`")));
        }
        i.wrap_up_code = Some(code.clone());
    }
    if let Some(notes) = r.notes {
        if notes.chars().count() > 2000 {
            return Err(ApiError::invalid("notes", "at most 2000 characters"));
        }
        i.notes = Some(notes).filter(|n| !n.trim().is_empty());
    }
    db.update_interaction(&i).await?;
    audit::record(&state, Some(&user), &ip, "interaction.wrap_up", Some(&id), i.wrap_up_code.clone().unwrap_or_default()).await;
    Ok(Json(dto(&user, i)))
}

/// The recording's audio (WAV), checked against its SHA-256 first.
#[utoipa::path(get, path = "/api/v1/recordings/{id}/audio", tag = "interactions", security(("bearer" = ["admin", "supervisor", "qa", "auditor"])), params(("id" = String, Path)),
    responses((status = 200, content_type = "audio/wav", body = Vec<u8>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the file does not match its recorded SHA-256")))]
pub async fn audio(State(state): State<AppState>, user: AuthUser, ip: ClientIp, headers: axum::http::HeaderMap, Path(id): Path<String>) -> ApiResult<axum::response::Response> {
    let r = state.db().recording(&id).await?.ok_or_else(|| ApiError::not_found("recording", &id))?;
    let storage = state.0.settings.recordings.clone().ok_or_else(|| ApiError::not_found("recording", &id))?;
    let path = r.path.clone();
    // Hashed as a stream on a blocking thread: never the whole file in memory.
    let (actual, len) = tokio::task::spawn_blocking(move || -> std::io::Result<(String, u64)> {
        let mut f = storage.0.open(&path)?;
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut len = 0u64;
        loop {
            let n = std::io::Read::read(&mut f, &mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            len += n as u64;
        }
        Ok((hex::encode(h.finalize()), len))
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
    .map_err(|_| ApiError::not_found("recording file", &id))?;
    if let Some(expected) = &r.sha256 {
        if &actual != expected {
            audit::record(&state, Some(&user), &ip, "recording.tampered", Some(&id), format!("expected={expected} actual={actual}")).await;
            return Err(ApiError::conflict("the recording does not match its SHA-256: it was changed after it was closed"));
        }
    }
    let range = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        None => None,
        Some(spec) => match byte_range(spec, len) {
            Some(r) => Some(r),
            None => {
                let mut resp = ApiError::new(StatusCode::RANGE_NOT_SATISFIABLE, "bad_range", format!("the recording has {len} bytes")).into_response();
                if let Ok(v) = axum::http::HeaderValue::from_str(&format!("bytes */{len}")) {
                    resp.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return Ok(resp);
            }
        },
    };
    audit::record(&state, Some(&user), &ip, "recording.play", Some(&id), format!("interaction={}", r.interaction_id)).await;
    let (start, end) = range.unwrap_or((0, len.saturating_sub(1)));
    let count = if len == 0 { 0 } else { end - start + 1 };
    let storage = state.0.settings.recordings.clone().ok_or_else(|| ApiError::not_found("recording", &id))?;
    let body = stream_file(storage, r.path.clone(), start, count);
    let mut resp = axum::response::Response::builder()
        .status(if range.is_some() { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK })
        .header(header::CONTENT_TYPE, "audio/wav")
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_LENGTH, count.to_string());
    if range.is_some() {
        resp = resp.header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"));
    }
    resp.body(body).map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))
}

/// One `bytes=` range of a file of `len` bytes, as (first, last); `None`
/// when it cannot be served (several ranges, or outside the file).
fn byte_range(spec: &str, len: u64) -> Option<(u64, u64)> {
    let spec = spec.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = match (a.is_empty(), b.is_empty()) {
        (false, true) => (a.parse().ok()?, len - 1),
        (false, false) => (a.parse().ok()?, b.parse::<u64>().ok()?.min(len - 1)),
        (true, false) => {
            let n: u64 = b.parse().ok()?;
            (len.saturating_sub(n), len - 1)
        }
        (true, true) => return None,
    };
    (start <= end && start < len).then_some((start, end))
}

/// `count` bytes of a recording from `start`, read on a blocking thread in
/// 64 KiB pieces and sent as they come.
fn stream_file(storage: crate::RecordingStore, path: String, start: u64, count: u64) -> axum::body::Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    tokio::task::spawn_blocking(move || {
        let read = || -> std::io::Result<()> {
            use std::io::{Read, Seek};
            let mut f = storage.0.open(&path)?;
            f.seek(std::io::SeekFrom::Start(start))?;
            let mut left = count;
            while left > 0 {
                let mut buf = vec![0u8; left.min(64 * 1024) as usize];
                let n = f.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                buf.truncate(n);
                left -= n as u64;
                if tx.blocking_send(Ok(buf)).is_err() {
                    return Ok(());
                }
            }
            Ok(())
        };
        if let Err(e) = read() {
            let _ = tx.blocking_send(Err(e));
        }
    });
    let chunks = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
    axum::body::Body::from_stream(chunks)
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(list))
        .routes(utoipa_axum::routes!(get, patch))
        .routes(utoipa_axum::routes!(screen_pop))
        .routes(utoipa_axum::routes!(audio))
}

#[cfg(test)]
mod tests {
    use super::{byte_range, mask_phone};

    #[test]
    fn ranges_of_a_file() {
        assert_eq!(byte_range("bytes=0-99", 1000), Some((0, 99)));
        assert_eq!(byte_range("bytes=900-", 1000), Some((900, 999)));
        assert_eq!(byte_range("bytes=-100", 1000), Some((900, 999)));
        assert_eq!(byte_range("bytes=990-2000", 1000), Some((990, 999)));
        assert_eq!(byte_range("bytes=1000-", 1000), None, "past the end");
        assert_eq!(byte_range("bytes=5-1", 1000), None);
        assert_eq!(byte_range("bytes=0-1,5-6", 1000), None, "one range only");
        assert_eq!(byte_range("lines=0-1", 1000), None);
        assert_eq!(byte_range("bytes=x-", 1000), None);
    }

    #[test]
    fn numbers_are_masked_in_the_middle() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+8613812345678"), "+86*******5678");
        assert_eq!(mask_phone("5550100"), "5****00");
        assert_eq!(mask_phone("1000"), "****");
        assert_eq!(mask_phone(""), "");
    }
}

#[cfg(test)]
mod hold_tests {
    use super::hold_totals;
    use hotline_store::CallEvent;

    fn event(kind: &str, detail: Option<&str>) -> CallEvent {
        CallEvent { id: String::new(), interaction_id: "i".into(), at: 0, kind: kind.into(), actor: None, detail: detail.map(Into::into) }
    }

    #[test]
    fn hold_totals_are_the_last_hold_rows() {
        assert_eq!(hold_totals(&[]), (0, 0));
        let events = [
            event("hold", Some("count=1;total_ms=0")),
            event("resume", Some("count=1;total_ms=4200")),
            event("monitor", Some("listen")),
            event("hold", Some("count=2;total_ms=4200")),
            event("resume", Some("count=2;total_ms=9000")),
            event("monitor_end", None),
        ];
        assert_eq!(hold_totals(&events), (2, 9000));
        assert_eq!(hold_totals(&[event("hold", Some("garbage"))]), (0, 0));
    }

    #[test]
    fn paused_spans_pair_pauses_with_resumes() {
        let at = |kind: &str, at: i64| CallEvent { at, ..event(kind, None) };
        let events = [at("recording_paused", 10), at("recording_paused", 12), at("recording_resumed", 20), at("hold", 25), at("recording_paused", 30)];
        assert_eq!(super::paused_spans(&events, Some(40)), vec![[10, 20], [30, 40]]);
        assert_eq!(super::paused_spans(&events, None), vec![[10, 20]], "a pause still running has no end yet");
        assert_eq!(super::paused_spans(&[at("recording_resumed", 5)], Some(9)), Vec::<[i64; 2]>::new());
    }
}
