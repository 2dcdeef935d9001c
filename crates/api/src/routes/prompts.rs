//! Prompts: WAV files an admin uploads (PCM 8/16 kHz or any rate, G.711
//! µ-law/A-law, mono or stereo), converted to 8 kHz mono PCM on upload and
//! kept in the prompts folder, where IVR flows and queues find them by name.
//! A file of the same name as a built-in prompt (`greeting`, `moh`, ...)
//! replaces it.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::check_slug;
use crate::audit::{self, ClientIp};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

/// Largest upload accepted, in bytes.
pub const MAX_UPLOAD: usize = 16 << 20;

#[derive(Serialize, ToSchema)]
pub struct PromptDto {
    pub name: String,
    /// Length when played, in milliseconds.
    pub duration_ms: u64,
}

fn duration_ms(wav: &[u8]) -> u64 {
    hotline_telephony::audio::wav_info(wav).map_or(0, |(rate, _, n)| n as u64 * 1000 / u64::from(rate.max(1)))
}

fn path(state: &AppState, name: &str) -> Result<std::path::PathBuf, ApiError> {
    check_slug("name", name)?;
    Ok(state.0.settings.prompts_dir.join(format!("{name}.wav")))
}

#[utoipa::path(get, path = "/api/v1/prompts", tag = "ivr", security(("bearer" = ["admin", "supervisor"])),
    responses((status = 200, body = [PromptDto]), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<PromptDto>>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&state.0.settings.prompts_dir) else { return Ok(Json(out)) };
    for e in entries.flatten() {
        let p = e.path();
        let Some(name) = p.file_stem().and_then(|s| s.to_str()).filter(|_| p.extension().is_some_and(|x| x == "wav")) else {
            continue;
        };
        let bytes = tokio::fs::read(&p).await.unwrap_or_default();
        out.push(PromptDto { name: name.to_owned(), duration_ms: duration_ms(&bytes) });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Json(out))
}

/// Uploads (or replaces) a prompt. The body is the WAV file.
#[utoipa::path(put, path = "/api/v1/prompts/{name}", tag = "ivr", security(("bearer" = ["admin"])), params(("name" = String, Path)),
    request_body(content = Vec<u8>, content_type = "audio/wav"),
    responses((status = 200, body = PromptDto), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(State(state): State<AppState>, ip: ClientIp, user: AuthUser, Path(name): Path<String>, headers: HeaderMap, body: Bytes) -> ApiResult<Json<PromptDto>> {
    let target = path(&state, &name)?;
    let kind = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !matches!(kind.split(';').next().unwrap_or("").trim(), "audio/wav" | "audio/x-wav" | "audio/wave") {
        return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send the prompt as audio/wav"));
    }
    let wav = hotline_telephony::audio::to_8k_wav(&body).map_err(|e| ApiError::invalid("body", e.to_string()))?;
    let dto = PromptDto { name: name.clone(), duration_ms: duration_ms(&wav) };
    if dto.duration_ms == 0 {
        return Err(ApiError::invalid("body", "the file holds no audio"));
    }
    let dir = state.0.settings.prompts_dir.clone();
    let write = async {
        tokio::fs::create_dir_all(&dir).await?;
        let tmp = target.with_extension("upload");
        tokio::fs::write(&tmp, &wav).await?;
        tokio::fs::rename(&tmp, &target).await
    };
    write.await.map_err(|e| {
        tracing::error!(error = %e, "prompt could not be saved");
        ApiError::internal()
    })?;
    audit::record(&state, Some(&user), &ip, "prompt.upload", Some(&name), format!("{} ms", dto.duration_ms)).await;
    Ok(Json(dto))
}

/// The prompt as played (8 kHz PCM WAV).
#[utoipa::path(get, path = "/api/v1/prompts/{name}", tag = "ivr", security(("bearer" = ["admin", "supervisor"])), params(("name" = String, Path)),
    responses((status = 200, content_type = "audio/wav", body = Vec<u8>), (status = 404, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, _user: AuthUser, Path(name): Path<String>) -> ApiResult<impl IntoResponse> {
    let p = path(&state, &name)?;
    let bytes = tokio::fs::read(&p).await.map_err(|_| ApiError::not_found("prompt", &name))?;
    Ok(([(header::CONTENT_TYPE, "audio/wav")], bytes))
}

#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeakText {
    /// What to say (at most 500 characters).
    pub text: String,
    /// The voice: `cmn` (Mandarin, default) or `eng` (English).
    #[serde(default)]
    pub voice: Option<String>,
}

/// What a `tts:<voice>:<text>` prompt sounds like, as a caller will hear it
/// (8 kHz WAV): the designer's and the prompts page's preview.
#[utoipa::path(post, path = "/api/v1/prompts/speak", tag = "ivr", security(("bearer" = ["admin", "supervisor"])), request_body = SpeakText,
    responses((status = 200, content_type = "audio/wav", body = Vec<u8>), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn speak(State(state): State<AppState>, _user: AuthUser, crate::json::ApiJson(req): crate::json::ApiJson<SpeakText>) -> ApiResult<impl IntoResponse> {
    let voice = req.voice.unwrap_or_else(|| "cmn".into());
    if !["cmn", "eng"].contains(&voice.as_str()) {
        return Err(ApiError::invalid("voice", "`cmn` (Mandarin) or `eng` (English)"));
    }
    let n = req.text.chars().count();
    if req.text.trim().is_empty() || n > 500 {
        return Err(ApiError::invalid("text", "1 to 500 characters"));
    }
    let dir = state.0.settings.tts_dir.clone();
    let made = tokio::task::spawn_blocking(move || {
        let tts = hotline_telephony::tts::CachedTts::new(hotline_telephony::tts::EspeakNg::default(), dir);
        tts.prompt(&req.text, &voice).and_then(|p| std::fs::read(p).map_err(Into::into))
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let wav = made.map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "tts_unavailable", format!("speech could not be made: {e}")))?;
    Ok(([(header::CONTENT_TYPE, "audio/wav")], wav))
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(list))
        .routes(utoipa_axum::routes!(speak))
        // Uploads may be larger than other bodies.
        .merge(utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(upload, get)).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD)))
}
