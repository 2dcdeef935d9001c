//! Reason codes (why an agent is not ready: break, lunch, training) and
//! wrap-up codes (how a contact ended: resolved, complaint, order). Every
//! signed-in user reads them; admins add and rename them (their names in
//! other languages are labels, see `labels`). A code is never deleted:
//! past states and interactions name it.

use axum::extract::{Path, State};
use axum::Json;
use hotline_store::{ReasonCode, WrapUpCode};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{check_name, check_slug};
use crate::audit::{self, ClientIp};
use crate::auth::AuthUser;
use crate::dto::{ReasonCodeDto, WrapUpCodeDto};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

/// Reasons the system sets itself; admins may rename them but not make
/// new ones with these ids.
const SYSTEM_REASONS: &[&str] = &["missed", "unregistered", "logged_out"];

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutReasonCode {
    pub label: String,
    /// Counts as paid time (breaks, training) or not (lunch).
    pub paid: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutWrapUpCode {
    pub label: String,
    /// A grouping for reports: `resolution`, `complaint`, `sales`, `inquiry`...
    pub category: String,
}

#[utoipa::path(get, path = "/api/v1/reason-codes", tag = "configuration", security(("bearer" = [])),
    responses((status = 200, body = [ReasonCodeDto])))]
pub async fn reason_codes(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<ReasonCodeDto>>> {
    let codes = state.db().list_reason_codes().await?;
    Ok(Json(codes.into_iter().map(|c| ReasonCodeDto { id: c.id, label: c.label, paid: c.paid }).collect()))
}

#[utoipa::path(put, path = "/api/v1/reason-codes/{id}", tag = "configuration", security(("bearer" = ["admin"])), params(("id" = String, Path)),
    request_body = PutReasonCode, responses((status = 200, body = ReasonCodeDto), (status = 422, body = ErrorBody)))]
pub async fn put_reason_code(
    State(state): State<AppState>,
    ip: ClientIp,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<PutReasonCode>,
) -> ApiResult<Json<ReasonCodeDto>> {
    check_slug("id", &id)?;
    check_name("label", &r.label)?;
    let existing = state.db().list_reason_codes().await?;
    if SYSTEM_REASONS.contains(&id.as_str()) && !existing.iter().any(|c| c.id == id) {
        return Err(ApiError::invalid("id", format!("`{id}` is set by the system; choose another id")));
    }
    let code = ReasonCode { id: id.clone(), label: r.label.trim().to_owned(), paid: r.paid };
    state.db().upsert_reason_code(&code).await?;
    audit::record(&state, Some(&user), &ip, "reason_code.put", Some(&id), format!("{} paid={}", code.label, code.paid)).await;
    Ok(Json(ReasonCodeDto { id: code.id, label: code.label, paid: code.paid }))
}

#[utoipa::path(get, path = "/api/v1/wrap-up-codes", tag = "configuration", security(("bearer" = [])),
    responses((status = 200, body = [WrapUpCodeDto])))]
pub async fn wrap_up_codes(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<WrapUpCodeDto>>> {
    let codes = state.db().list_wrap_up_codes().await?;
    Ok(Json(codes.into_iter().map(|c| WrapUpCodeDto { id: c.id, label: c.label, category: c.category }).collect()))
}

#[utoipa::path(put, path = "/api/v1/wrap-up-codes/{id}", tag = "configuration", security(("bearer" = ["admin"])), params(("id" = String, Path)),
    request_body = PutWrapUpCode, responses((status = 200, body = WrapUpCodeDto), (status = 422, body = ErrorBody)))]
pub async fn put_wrap_up_code(
    State(state): State<AppState>,
    ip: ClientIp,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<PutWrapUpCode>,
) -> ApiResult<Json<WrapUpCodeDto>> {
    check_slug("id", &id)?;
    check_name("label", &r.label)?;
    check_slug("category", &r.category)?;
    let code = WrapUpCode { id: id.clone(), label: r.label.trim().to_owned(), category: r.category };
    state.db().upsert_wrap_up_code(&code).await?;
    audit::record(&state, Some(&user), &ip, "wrap_up_code.put", Some(&id), format!("{} ({})", code.label, code.category)).await;
    Ok(Json(WrapUpCodeDto { id: code.id, label: code.label, category: code.category }))
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(reason_codes))
        .routes(utoipa_axum::routes!(put_reason_code))
        .routes(utoipa_axum::routes!(wrap_up_codes))
        .routes(utoipa_axum::routes!(put_wrap_up_code))
}
