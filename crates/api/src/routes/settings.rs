//! The center's settings: those that change at run time (its name, the
//! language new browsers start in, which roles see phone numbers in full),
//! saved with `If-Match` and audited; and, read-only, what `hotline.toml`
//! set at start (never a password or key), each part saying that it changes
//! with a restart.

use axum::extract::State;
use axum::Json;

use crate::audit::{self, ClientIp};
use crate::auth::AuthUser;
use crate::center::CenterSettings;
use crate::error::{ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::revision::{IfMatch, Tagged};
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/settings", tag = "configuration", security(("bearer" = [])),
    responses((status = 200, body = CenterSettings, headers(("etag" = String, description = "The version, for If-Match"))), (status = 401, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Tagged> {
    Ok(Tagged::new(&state.0.revisions, &state.0.center.get()))
}

/// Replaces the run-time settings; effective for the next request (who
/// sees numbers) and the next page load (name, language).
#[utoipa::path(put, path = "/api/v1/settings", tag = "configuration", security(("bearer" = ["admin"])), request_body = CenterSettings,
    params(("if-match" = Option<String>, Header, description = "The ETag of the version this change was made to")),
    responses((status = 200, body = CenterSettings), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put(State(state): State<AppState>, ip: ClientIp, user: AuthUser, if_match: IfMatch, ApiJson(next): ApiJson<CenterSettings>) -> ApiResult<Tagged> {
    next.check()?;
    let _writing = state.0.revisions.write().await;
    let before = serde_json::to_value(state.0.center.get()).unwrap_or_default();
    state.0.revisions.check(&if_match, &before)?;
    let now = hotline_acd::now_ms();
    for (key, value) in next.pairs() {
        state.db().set_setting(key, &value, now, Some(&user.username)).await?;
    }
    state.0.center.set(next.clone());
    audit::record_change(&state, &user, &ip, "settings.update", "center", &before, &serde_json::to_value(&next).unwrap_or_default()).await;
    Ok(Tagged::new(&state.0.revisions, &next))
}

/// What the configuration file set at start, by section (no secrets);
/// these change by editing `hotline.toml` and restarting.
#[utoipa::path(get, path = "/api/v1/settings/config", tag = "configuration", security(("bearer" = ["admin"])),
    responses((status = 200, description = "Sections of the configuration, read-only", body = Object), (status = 403, body = ErrorBody)))]
pub async fn config(State(state): State<AppState>, _user: AuthUser) -> Json<serde_json::Value> {
    Json(state.0.settings.config_view.clone())
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(get, put)).routes(utoipa_axum::routes!(config))
}
