//! Live calls: the agent holds and resumes their own call; supervisors see
//! every call in progress and monitor one — listen, whisper or barge — on
//! their SIP phone or in the browser, switching mode without dialling
//! again. Every monitoring action is audited; refusals carry a stable code
//! (`no_call`, `not_your_call`, `not_allowed_now`, `no_phone`,
//! `target_busy`) and leave the call as it was.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::interactions::mask_phone;
use super::softphone::{agent_phone, SdpOffer};
use crate::audit::{self, ClientIp};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use hotline_telephony::sip_server::{CallError, LiveCall, Monitor, MonitorVia, TransferTarget};

pub(super) fn call_error(e: CallError) -> ApiError {
    let status = match &e {
        CallError::NoCall | CallError::NoTarget(_) => StatusCode::NOT_FOUND,
        CallError::NotYours => StatusCode::FORBIDDEN,
        CallError::NotNow(_) | CallError::NoPhone(_) | CallError::Busy => StatusCode::CONFLICT,
        CallError::Media(_) => StatusCode::UNPROCESSABLE_ENTITY,
        CallError::Stopped => StatusCode::SERVICE_UNAVAILABLE,
    };
    ApiError::new(status, e.code(), e.to_string())
}

/// One call in progress.
#[derive(Serialize, ToSchema)]
pub struct LiveCallDto {
    pub contact_id: String,
    /// The caller's number, masked unless the role may see it.
    pub from: String,
    pub to: String,
    pub queue_id: Option<String>,
    pub agent_id: Option<String>,
    pub extension: Option<String>,
    /// `ivr`, `queued`, `ringing`, `talking`, `survey`, `voicemail`, `other`.
    pub phase: String,
    pub started_at: i64,
    pub held: bool,
    /// The user id of the supervisor monitoring the call, and the mode.
    pub monitored_by: Option<String>,
    pub monitor_mode: Option<String>,
}

fn live_dto(user: &AuthUser, c: LiveCall) -> LiveCallDto {
    let from = if user.unmasked { c.from } else { mask_phone(&c.from) };
    let (monitored_by, monitor_mode) = match c.monitor {
        Some((by, mode)) => (Some(by), Some(mode.to_owned())),
        None => (None, None),
    };
    LiveCallDto {
        contact_id: c.contact,
        from,
        to: c.to,
        queue_id: c.queue,
        agent_id: c.agent_id,
        extension: c.extension,
        phase: c.phase.into(),
        started_at: c.started_at,
        held: c.held,
        monitored_by,
        monitor_mode,
    }
}

/// Every call in progress, oldest first.
#[utoipa::path(get, path = "/api/v1/calls", tag = "calls", security(("bearer" = ["supervisor", "admin", "display"])),
    responses((status = 200, body = [LiveCallDto]), (status = 503, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<Vec<LiveCallDto>>> {
    let calls = state.telephony()?.live_calls().await.map_err(call_error)?;
    Ok(axum::Json(calls.into_iter().map(|c| live_dto(&user, c)).collect()))
}

async fn hold_or_resume(state: &AppState, user: &AuthUser, contact: &str, on: bool) -> ApiResult<StatusCode> {
    let (extension, phone) = agent_phone(state, user).await?;
    phone.hold(contact, &extension, on).await.map_err(call_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts the caller of the agent's own call on hold: they hear the queue's
/// music; the agent's audio is no longer relayed. Holding a held call is
/// one hold.
#[utoipa::path(post, path = "/api/v1/calls/{contact}/hold", tag = "calls", security(("agent" = [])), params(("contact" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn hold(State(state): State<AppState>, user: AuthUser, Path(contact): Path<String>) -> ApiResult<StatusCode> {
    hold_or_resume(&state, &user, &contact, true).await
}

/// Takes the caller back from hold.
#[utoipa::path(post, path = "/api/v1/calls/{contact}/resume", tag = "calls", security(("agent" = [])), params(("contact" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resume(State(state): State<AppState>, user: AuthUser, Path(contact): Path<String>) -> ApiResult<StatusCode> {
    hold_or_resume(&state, &user, &contact, false).await
}

async fn pause_or_resume(state: &AppState, user: &AuthUser, ip: &ClientIp, contact: &str, on: bool) -> ApiResult<StatusCode> {
    let (extension, phone) = agent_phone(state, user).await?;
    let r = phone.pause_recording(contact, &extension, on).await.map_err(call_error);
    let action = if on { "call.recording_pause" } else { "call.recording_resume" };
    audit::record(state, Some(user), ip, action, Some(contact), format!("ok={}", r.is_ok())).await;
    r?;
    Ok(StatusCode::NO_CONTENT)
}

/// Secure pause of the agent's own call: the recording takes silence (the
/// span is kept, so times stay the call's) and the caller's keys are not
/// passed to the agent's phone, until resumed. Audited; the interaction
/// lists the paused spans.
#[utoipa::path(post, path = "/api/v1/calls/{contact}/recording/pause", tag = "calls", security(("agent" = [])), params(("contact" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn pause_recording(State(state): State<AppState>, user: AuthUser, ip: ClientIp, Path(contact): Path<String>) -> ApiResult<StatusCode> {
    pause_or_resume(&state, &user, &ip, &contact, true).await
}

/// Ends a secure pause: the call is recorded again.
#[utoipa::path(post, path = "/api/v1/calls/{contact}/recording/resume", tag = "calls", security(("agent" = [])), params(("contact" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resume_recording(State(state): State<AppState>, user: AuthUser, ip: ClientIp, Path(contact): Path<String>) -> ApiResult<StatusCode> {
    pause_or_resume(&state, &user, &ip, &contact, false).await
}

/// Where the agent hands the caller on: a queue or a number, not both.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// A queue's id: the caller goes back into routing there, ahead of
    /// callers who have not waited yet, with what the IVR collected.
    #[serde(default)]
    pub queue: Option<String>,
    /// A colleague's extension or an outside number (digits, `+`).
    #[serde(default)]
    pub number: Option<String>,
    /// Shown to the next agent with the call (at most 500 characters).
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TransferredDto {
    /// The caller's new contact (a queue transfer), linked to the first.
    pub contact_id: Option<String>,
}

/// Blind transfer of the agent's own connected call: the caller hears
/// music while the target is found; the agent's leg ends and the agent
/// goes to wrap-up. Refusals: `no_call`, `not_your_call`,
/// `not_allowed_now` (not connected), `no_such_target`.
#[utoipa::path(post, path = "/api/v1/calls/{contact}/transfer", tag = "calls", security(("agent" = [])), params(("contact" = String, Path)),
    request_body = TransferRequest,
    responses((status = 200, body = TransferredDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transfer(State(state): State<AppState>, user: AuthUser, ip: ClientIp, Path(contact): Path<String>, ApiJson(r): ApiJson<TransferRequest>) -> ApiResult<axum::Json<TransferredDto>> {
    let note = r.note.unwrap_or_default();
    if note.chars().count() > 500 {
        return Err(ApiError::invalid("note", "at most 500 characters"));
    }
    let to = match (r.queue, r.number) {
        (Some(queue), None) => TransferTarget::Queue { queue, note },
        (None, Some(number)) => TransferTarget::Number(number),
        _ => return Err(ApiError::invalid("queue", "give a queue or a number")),
    };
    let target = match &to {
        TransferTarget::Queue { queue, .. } => format!("queue:{queue}"),
        TransferTarget::Number(n) => format!("number:{n}"),
    };
    let (extension, phone) = agent_phone(&state, &user).await?;
    let new = phone.transfer(&contact, &extension, to).await.map_err(call_error)?;
    audit::record(&state, Some(&user), &ip, "call.transfer", Some(&contact), target).await;
    Ok(axum::Json(TransferredDto { contact_id: new }))
}

/// How a supervisor monitors a call on their phone.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonitorRequest {
    /// `listen` (nobody hears the supervisor), `whisper` (only the agent
    /// does) or `barge` (everyone does).
    pub mode: String,
    /// The extension of the supervisor's registered SIP phone, rung now.
    /// Not needed to switch the mode of a monitoring already going.
    #[serde(default)]
    pub extension: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct ModeQuery {
    /// `listen`, `whisper` or `barge`.
    pub mode: String,
}

fn parse_mode(mode: &str) -> Result<Monitor, ApiError> {
    Monitor::parse(mode).ok_or_else(|| ApiError::invalid("mode", "one of listen, whisper, barge"))
}

/// Starts monitoring a call on the supervisor's phone (it rings; the
/// monitoring begins when it answers), or switches the mode of the
/// supervisor's monitoring already going. Audited.
#[utoipa::path(put, path = "/api/v1/calls/{contact}/monitor", tag = "calls", security(("bearer" = ["supervisor", "admin"])), params(("contact" = String, Path)),
    request_body = MonitorRequest,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn monitor(State(state): State<AppState>, user: AuthUser, ip: ClientIp, Path(contact): Path<String>, ApiJson(r): ApiJson<MonitorRequest>) -> ApiResult<StatusCode> {
    let mode = parse_mode(&r.mode)?;
    // The supervisor's own extension, when they are set up as an agent too.
    let own = match (&r.extension, user.agent_id.as_deref()) {
        (None, Some(a)) => state.db().agent(a).await?.map(|a| a.extension),
        _ => None,
    };
    let extension = r.extension.or(own).unwrap_or_default();
    if !extension.is_empty() {
        super::agents::check_extension("extension", &extension)?;
    }
    let indicator = state.0.center.get().shows_monitor(mode);
    let r = state.telephony()?.monitor(&contact, &user.user_id, MonitorVia::Phone(extension.clone()), mode, indicator).await;
    // An absent phone is asked for by name when nothing was given.
    let r = r.map_err(|e| match e {
        CallError::NoPhone(ext) if ext.is_empty() => ApiError::invalid("extension", "the extension of your SIP phone, to ring"),
        e => call_error(e),
    });
    audit::record(&state, Some(&user), &ip, "call.monitor", Some(&contact), format!("mode={} via=phone:{extension} ok={}", mode.as_str(), r.is_ok())).await;
    r?;
    Ok(StatusCode::NO_CONTENT)
}

/// Monitors a call from the supervisor's browser: the body is the
/// browser's WebRTC offer, the reply the answer. A supervisor already
/// monitoring in the browser switches mode with `PUT .../monitor`. Audited.
#[utoipa::path(post, path = "/api/v1/calls/{contact}/monitor/browser", tag = "calls", security(("bearer" = ["supervisor", "admin"])),
    params(("contact" = String, Path), ModeQuery),
    request_body(content = String, content_type = "application/sdp"),
    responses((status = 200, content_type = "application/sdp", body = String), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn monitor_browser(
    State(state): State<AppState>,
    user: AuthUser,
    ip: ClientIp,
    Path(contact): Path<String>,
    Query(q): Query<ModeQuery>,
    SdpOffer(offer): SdpOffer,
) -> ApiResult<impl IntoResponse> {
    let mode = parse_mode(&q.mode)?;
    let indicator = state.0.center.get().shows_monitor(mode);
    let r = state.telephony()?.monitor(&contact, &user.user_id, MonitorVia::Browser(offer), mode, indicator).await.map_err(call_error);
    audit::record(&state, Some(&user), &ip, "call.monitor", Some(&contact), format!("mode={} via=browser ok={}", mode.as_str(), r.is_ok())).await;
    let answer = r?.ok_or_else(|| ApiError::conflict("already monitoring this call: switch the mode with PUT"))?;
    Ok(([(header::CONTENT_TYPE, "application/sdp")], answer))
}

/// The supervisor listening in takes the call over: the agent's leg is
/// hung up and the agent goes to wrap-up; the caller talks with the
/// supervisor from now on (on the phone or in the browser they listen
/// with). Audited.
#[utoipa::path(post, path = "/api/v1/calls/{contact}/take-over", tag = "calls", security(("bearer" = ["supervisor", "admin"])), params(("contact" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn take_over(State(state): State<AppState>, user: AuthUser, ip: ClientIp, Path(contact): Path<String>) -> ApiResult<StatusCode> {
    let r = state.telephony()?.take_over(&contact, &user.user_id).await.map_err(call_error);
    audit::record(&state, Some(&user), &ip, "call.take_over", Some(&contact), format!("ok={}", r.is_ok())).await;
    r?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends the supervisor's monitoring of a call (their phone is hung up).
#[utoipa::path(delete, path = "/api/v1/calls/{contact}/monitor", tag = "calls", security(("bearer" = ["supervisor", "admin"])), params(("contact" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn monitor_end(State(state): State<AppState>, user: AuthUser, ip: ClientIp, Path(contact): Path<String>) -> ApiResult<StatusCode> {
    let r = state.telephony()?.monitor_end(&contact, &user.user_id).await.map_err(call_error);
    audit::record(&state, Some(&user), &ip, "call.monitor_end", Some(&contact), format!("ok={}", r.is_ok())).await;
    r?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(list))
        .routes(utoipa_axum::routes!(hold))
        .routes(utoipa_axum::routes!(resume))
        .routes(utoipa_axum::routes!(transfer))
        .routes(utoipa_axum::routes!(pause_recording))
        .routes(utoipa_axum::routes!(resume_recording))
        .routes(utoipa_axum::routes!(monitor, monitor_end))
        .routes(utoipa_axum::routes!(monitor_browser))
        .routes(utoipa_axum::routes!(take_over))
}
