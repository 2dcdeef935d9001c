//! Emergency broadcasts: an administrator or a supervisor on duty switches a
//! number to a message (an incident notice, say) that every new caller
//! hears before the menu, or instead of it. New calls get it within a
//! second; every change is audited.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, ClientIp};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct BroadcastDto {
    pub number: String,
    /// A prompt name (`incident`, `en/incident`) or spoken text (`tts:cmn:...`).
    pub prompt: String,
    /// `true`: callers hear only the message and are hung up.
    pub instead: bool,
    pub updated_at: i64,
    pub updated_by: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetBroadcast {
    pub prompt: String,
    #[serde(default)]
    pub instead: bool,
}

fn dto(b: hotline_store::Broadcast) -> BroadcastDto {
    BroadcastDto { number: b.number, prompt: b.prompt, instead: b.instead, updated_at: b.updated_at, updated_by: b.updated_by }
}

pub(crate) fn check_number(number: &str) -> Result<(), ApiError> {
    if number.is_empty() || number.len() > 32 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid("number", "1-32 digits"));
    }
    Ok(())
}

/// A recorded prompt's name: lower-case letters, digits, `_`, `-`, with an
/// optional language folder (`en/incident`); at most 64 characters.
pub(crate) fn is_prompt_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.split('/').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'))
}

/// A prompt name or `tts:<voice>:<text>`.
pub(crate) fn check_prompt(prompt: &str) -> Result<(), ApiError> {
    let ok = match prompt.strip_prefix("tts:") {
        Some(rest) => rest.split_once(':').is_some_and(|(voice, text)| {
            !voice.is_empty() && voice.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') && !text.trim().is_empty() && text.chars().count() <= 2000
        }),
        None => is_prompt_name(prompt),
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid("prompt", "a prompt name, or tts:<voice>:<text> with up to 2000 characters"))
    }
}

#[utoipa::path(get, path = "/api/v1/ivr/broadcasts", tag = "ivr", security(("bearer" = ["admin", "supervisor"])),
    responses((status = 200, body = [BroadcastDto]), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<BroadcastDto>>> {
    Ok(Json(state.db().broadcasts().await?.into_iter().map(dto).collect()))
}

#[utoipa::path(put, path = "/api/v1/ivr/numbers/{number}/broadcast", tag = "ivr", security(("bearer" = ["admin", "supervisor"])), params(("number" = String, Path)),
    request_body = SetBroadcast, responses((status = 200, body = BroadcastDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set(State(state): State<AppState>, ip: ClientIp, user: AuthUser, Path(number): Path<String>, ApiJson(req): ApiJson<SetBroadcast>) -> ApiResult<Json<BroadcastDto>> {
    check_number(&number)?;
    check_prompt(&req.prompt)?;
    let b = hotline_store::Broadcast { number: number.clone(), prompt: req.prompt, instead: req.instead, updated_at: hotline_acd::now_ms(), updated_by: Some(user.username.clone()) };
    state.db().set_broadcast(&b).await?;
    let detail = format!("instead={} prompt={}", b.instead, b.prompt);
    audit::record(&state, Some(&user), &ip, "ivr.broadcast.on", Some(&number), detail).await;
    state.telephony_changed().await;
    Ok(Json(dto(b)))
}

#[utoipa::path(delete, path = "/api/v1/ivr/numbers/{number}/broadcast", tag = "ivr", security(("bearer" = ["admin", "supervisor"])), params(("number" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn clear(State(state): State<AppState>, ip: ClientIp, user: AuthUser, Path(number): Path<String>) -> ApiResult<StatusCode> {
    check_number(&number)?;
    if !state.db().clear_broadcast(&number).await? {
        return Err(ApiError::not_found("broadcast", &number));
    }
    audit::record(&state, Some(&user), &ip, "ivr.broadcast.off", Some(&number), String::new()).await;
    state.telephony_changed().await;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(list))
        .routes(utoipa_axum::routes!(set, clear))
}
