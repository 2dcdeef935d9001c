//! The agent's browser softphone: online/offline, answering a call with a
//! WebRTC offer (the answer comes back as SDP), hanging up. Only the agent
//! the call rings for can answer it.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::public_calls::Refused;
use crate::state::AppState;
use hotline_telephony::sip_server::{BrowserError, TelephonyHandle};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetSoftphone {
    pub online: bool,
}

/// The signed-in agent's extension and the telephony handle.
pub(super) async fn agent_phone(state: &AppState, user: &AuthUser) -> Result<(String, TelephonyHandle), ApiError> {
    let agent_id = user.agent_id.as_deref().ok_or_else(ApiError::forbidden)?;
    let agent = state.db().agent(agent_id).await?.ok_or_else(|| ApiError::not_found("agent", agent_id))?;
    Ok((agent.extension, state.telephony()?))
}

pub(super) fn browser_error(e: BrowserError) -> ApiError {
    match e {
        BrowserError::NoCall => ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
        BrowserError::Taken => ApiError::conflict(e.to_string()),
        BrowserError::Media(why) => ApiError::invalid("sdp", why),
        BrowserError::Stopped => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "telephony_off", e.to_string()),
        BrowserError::NotServed(_) | BrowserError::Busy => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", e.to_string()),
    }
}

#[utoipa::path(put, path = "/api/v1/softphone", tag = "softphone", security(("agent" = [])), request_body = SetSoftphone,
    responses((status = 204), (status = 403, body = ErrorBody)))]
pub async fn set(State(state): State<AppState>, user: AuthUser, ApiJson(r): ApiJson<SetSoftphone>) -> ApiResult<StatusCode> {
    let (extension, phone) = agent_phone(&state, &user).await?;
    phone.softphone(&extension, r.online).await.map_err(browser_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Answers the call ringing for `contact` in this agent's browser. The body
/// is the browser's complete SDP offer (ICE gathered); the reply the answer.
#[utoipa::path(post, path = "/api/v1/calls/{contact}/answer", tag = "softphone", security(("agent" = [])), params(("contact" = String, Path)),
    request_body(content = String, content_type = "application/sdp"),
    responses((status = 200, content_type = "application/sdp", body = String), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(State(state): State<AppState>, user: AuthUser, Path(contact): Path<String>, SdpOffer(offer): SdpOffer) -> ApiResult<impl IntoResponse> {
    let (extension, phone) = agent_phone(&state, &user).await?;
    let answer = phone.answer(&contact, &extension, offer).await.map_err(browser_error)?;
    Ok(([(header::CONTENT_TYPE, "application/sdp")], answer))
}

#[utoipa::path(post, path = "/api/v1/calls/{contact}/hangup", tag = "softphone", security(("agent" = [])), params(("contact" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn hangup(State(state): State<AppState>, user: AuthUser, Path(contact): Path<String>) -> ApiResult<StatusCode> {
    let (extension, phone) = agent_phone(&state, &user).await?;
    phone.hangup(&contact, &extension).await.map_err(browser_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a website visitor's browser gets when it calls: the SDP answer and
/// the token that hangs the call up.
#[derive(serde::Serialize, ToSchema)]
pub struct WebCallDto {
    pub sdp: String,
    pub token: String,
}

/// Click to call: a browser calls an IVR number over WebRTC, as a website's
/// "call us" button does. Public (a customer has no account), so only IVR
/// numbers can be called and the number of such calls is capped.
#[utoipa::path(post, path = "/api/v1/public/calls/{number}", tag = "softphone", security(()), params(("number" = String, Path)),
    request_body(content = String, content_type = "application/sdp"),
    responses((status = 200, body = WebCallDto), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn call_in(
    State(state): State<AppState>,
    ip: crate::audit::ClientIp,
    headers: axum::http::HeaderMap,
    Path(number): Path<String>,
    SdpOffer(offer): SdpOffer,
) -> ApiResult<axum::Json<WebCallDto>> {
    super::broadcasts::check_number(&number)?;
    let handle = state.telephony()?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let source = ip.0.as_deref().and_then(|a| a.parse().ok()).unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    let live = handle.web_calls().await.unwrap_or_default();
    let admitted = state.0.public_calls.admit(source, header("x-call-token"), header("origin"), header("host"), &state.0.settings.call_page_origins, |t| live.contains(t));
    if let Err(refused) = admitted {
        return Err(match refused {
            Refused::Origin => ApiError::new(StatusCode::FORBIDDEN, "origin_not_allowed", "calls are placed from this center's own call page"),
            Refused::Token => ApiError::new(StatusCode::FORBIDDEN, "call_token_required", "open the call page again (x-call-token missing or expired)"),
            Refused::TooMany(wait) => {
                let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", format!("too many calls from this address; try again in {wait} s"));
                e.retry_after_secs = Some(wait);
                e
            }
        });
    }
    let (sdp, token) = handle.call_in(&number, offer).await.map_err(|e| match e {
        BrowserError::NotServed(_) => ApiError::not_found("number", &number),
        BrowserError::Busy => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", e.to_string()),
        other => browser_error(other),
    })?;
    state.0.public_calls.started(source, &token);
    Ok(axum::Json(WebCallDto { sdp, token }))
}

/// A page token for the public call page.
#[derive(Serialize, ToSchema)]
pub struct CallTokenDto {
    /// Send as `x-call-token` with `POST /api/v1/public/calls/{number}`.
    pub token: String,
    pub expires_in_secs: u64,
}

/// The token the call page places its calls with (ten minutes).
#[utoipa::path(get, path = "/api/v1/public/call-token", tag = "softphone", security(()), responses((status = 200, body = CallTokenDto)))]
pub async fn call_token(State(state): State<AppState>) -> axum::Json<CallTokenDto> {
    axum::Json(CallTokenDto { token: state.0.public_calls.page_token(), expires_in_secs: crate::public_calls::TOKEN_TTL.as_secs() })
}

#[utoipa::path(post, path = "/api/v1/public/calls/{token}/hangup", tag = "softphone", security(()), params(("token" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn call_in_hangup(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<StatusCode> {
    let handle = state.telephony()?;
    handle.call_in_hangup(&token).await.map_err(browser_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// A browser's SDP offer: the body of a request sent as `application/sdp`
/// (not a type an HTML form or a "simple" cross-site fetch may send, so
/// another site's page cannot post one without a CORS preflight, which this
/// server never grants), starting with `v=0`, at most 64 KiB.
pub struct SdpOffer(pub String);

impl<S: Send + Sync> axum::extract::FromRequest<S> for SdpOffer {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let typed = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|t| t.split(';').next());
        if !typed.is_some_and(|t| t.trim().eq_ignore_ascii_case("application/sdp")) {
            return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send the SDP offer as Content-Type: application/sdp")
                .field("content-type"));
        }
        let offer = String::from_request(req, state).await.map_err(|_| ApiError::invalid("sdp", "an SDP offer in UTF-8"))?;
        if offer.len() > 64 * 1024 || !offer.starts_with("v=0") {
            return Err(ApiError::invalid("sdp", "an SDP offer starting with v=0, at most 64 KiB"));
        }
        Ok(SdpOffer(offer))
    }
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(set))
        .routes(utoipa_axum::routes!(answer))
        .routes(utoipa_axum::routes!(hangup))
        .routes(utoipa_axum::routes!(call_in))
        .routes(utoipa_axum::routes!(call_token))
        .routes(utoipa_axum::routes!(call_in_hangup))
}
