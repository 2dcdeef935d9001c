//! The phone side's guard, for administrators: which addresses are banned
//! (for guessing passwords, flooding, or scanning) and for how long, what
//! was refused, and lifting a ban (audited).

use std::net::IpAddr;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::{self, ClientIp};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct BanDto {
    pub ip: String,
    /// Seconds until the ban ends by itself.
    pub seconds_left: u64,
}

#[derive(Serialize, ToSchema)]
pub struct SipGuardDto {
    pub banned: Vec<BanDto>,
    /// Bans since start, by reason.
    pub bans_for_failures: u64,
    pub bans_for_floods: u64,
    pub bans_for_scanners: u64,
    /// Messages dropped from banned addresses.
    pub dropped_banned: u64,
    /// Requests dropped by the per-address rate.
    pub dropped_flood: u64,
    /// Password attempts refused unchecked (throttled, or an extension
    /// closed to strangers).
    pub refused_attempts: u64,
    /// Password attempts checked and failed.
    pub failed_attempts: u64,
    /// Outside calls refused by the calling permissions.
    pub outside_denied: u64,
    /// RTP packets refused from strangers.
    pub rtp_strangers: u64,
}

fn control(state: &AppState) -> ApiResult<&hotline_telephony::sip_server::Control> {
    state.0.sip_control.as_ref().ok_or_else(|| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "telephony_off", "telephony is not running"))
}

#[utoipa::path(get, path = "/api/v1/sip/guard", tag = "configuration", security(("bearer" = ["admin"])),
    responses((status = 200, body = SipGuardDto), (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<SipGuardDto>> {
    let view = control(&state)?.security().await.ok_or_else(|| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "telephony_off", "telephony is not running"))?;
    let g = view.guard;
    Ok(Json(SipGuardDto {
        banned: view.banned.into_iter().map(|(ip, seconds_left)| BanDto { ip: ip.to_string(), seconds_left }).collect(),
        bans_for_failures: g.bans_failures,
        bans_for_floods: g.bans_flood,
        bans_for_scanners: g.bans_scanner,
        dropped_banned: g.dropped_banned,
        dropped_flood: g.dropped_flood,
        refused_attempts: g.refused_attempts,
        failed_attempts: g.failed_attempts,
        outside_denied: view.outside_denied,
        rtp_strangers: view.rtp_strangers,
    }))
}

#[utoipa::path(delete, path = "/api/v1/sip/guard/bans/{ip}", tag = "configuration", security(("bearer" = ["admin"])), params(("ip" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unban(State(state): State<AppState>, ip: ClientIp, user: AuthUser, Path(addr): Path<String>) -> ApiResult<StatusCode> {
    let banned: IpAddr = addr.parse().map_err(|_| ApiError::invalid("ip", "an IPv4 or IPv6 address"))?;
    if !control(&state)?.unban(banned).await {
        return Err(ApiError::not_found("ban", &addr));
    }
    audit::record(&state, Some(&user), &ip, "sip.unban", Some(&addr), String::new()).await;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(get))
        .routes(utoipa_axum::routes!(unban))
}
