//! SIP trunks, for administrators: each trunk as configured in
//! `hotline.toml` (never its password) and whether it is registered at its
//! carrier now, or why the last attempt failed. Trunks change in the
//! configuration file and take effect at the next start.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct TrunkDto {
    pub name: String,
    /// `host:port`.
    pub gateway: String,
    /// `udp` or `tcp`.
    pub transport: String,
    /// Whether Hotline registers at the gateway (else the carrier sends
    /// calls to a fixed address).
    pub register: bool,
    pub username: String,
    /// Registered now (always false for trunks that do not register).
    pub registered: bool,
    /// Why the last registration failed (`403 Forbidden`, `no answer`).
    pub last_error: Option<String>,
    /// Calls at once through it; 0 for no cap.
    pub max_concurrent: u32,
}

#[utoipa::path(get, path = "/api/v1/trunks", tag = "configuration", security(("bearer" = ["admin"])),
    responses((status = 200, body = [TrunkDto]), (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<TrunkDto>>> {
    let control = state.0.sip_control.as_ref().ok_or_else(|| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "telephony_off", "telephony is not running"))?;
    let trunks = control.trunks().await;
    Ok(Json(
        trunks
            .into_iter()
            .map(|t| TrunkDto {
                name: t.name,
                gateway: t.gateway,
                transport: t.transport.to_owned(),
                register: t.register,
                username: t.username,
                registered: t.registered,
                last_error: t.last_error,
                max_concurrent: t.max_concurrent,
            })
            .collect(),
    ))
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(list))
}
