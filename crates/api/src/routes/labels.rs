//! Names in each language for what admins configure (queues, skills,
//! reason codes, wrap-up codes): every signed-in user reads them, so the app
//! shows "After-sales" to an English-speaking agent where the center named
//! the queue 售后服务; admins set them.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::Json;
use hotline_store::LABELLED_KINDS;
use serde::Serialize;
use utoipa::ToSchema;

use super::check_name;
use crate::audit::{self, ClientIp};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

use crate::center::LANGS;

#[derive(Serialize, ToSchema)]
pub struct LabelDto {
    /// `queue`, `skill`, `reason`, `wrap_up` or `team`.
    pub kind: String,
    pub id: String,
    /// `en` or `zh-CN`.
    pub lang: String,
    pub label: String,
}

#[utoipa::path(get, path = "/api/v1/labels", tag = "configuration", security(("bearer" = [])),
    responses((status = 200, body = [LabelDto]), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<LabelDto>>> {
    let labels = state.db().list_labels().await?;
    Ok(Json(labels.into_iter().map(|l| LabelDto { kind: l.kind, id: l.id, lang: l.lang, label: l.label }).collect()))
}

/// Sets an object's names by language (`{"en": "After-sales"}`); an empty
/// name removes that language's.
#[utoipa::path(put, path = "/api/v1/labels/{kind}/{id}", tag = "configuration", security(("bearer" = ["admin"])),
    params(("kind" = String, Path, description = "queue, skill, reason or wrap_up"), ("id" = String, Path)),
    request_body(content = Object, description = "Language → name, e.g. {\"en\": \"After-sales\"}"),
    responses((status = 200, body = [LabelDto]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set(
    State(state): State<AppState>,
    ip: ClientIp,
    user: AuthUser,
    Path((kind, id)): Path<(String, String)>,
    ApiJson(names): ApiJson<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<LabelDto>>> {
    if !LABELLED_KINDS.contains(&kind.as_str()) {
        return Err(ApiError::not_found("kind of labelled object", &kind));
    }
    let db = state.db();
    let exists = match kind.as_str() {
        "queue" => db.queue(&id).await?.is_some(),
        "skill" => db.skill(&id).await?.is_some(),
        "reason" => db.list_reason_codes().await?.iter().any(|r| r.id == id),
        "team" => db.list_teams().await?.iter().any(|t| t.id == id),
        _ => db.list_wrap_up_codes().await?.iter().any(|w| w.id == id),
    };
    if !exists {
        return Err(ApiError::not_found(&kind, &id));
    }
    for (lang, name) in &names {
        if !LANGS.contains(&lang.as_str()) {
            return Err(ApiError::invalid(lang, format!("`{lang}` is not one of the app's languages ({})", LANGS.join(", "))));
        }
        if !name.trim().is_empty() {
            check_name(lang, name)?;
        }
    }
    for (lang, name) in &names {
        db.set_label(&kind, &id, lang, name.trim()).await?;
    }
    audit::record(&state, Some(&user), &ip, "label.set", Some(&format!("{kind}:{id}")), serde_json::to_string(&names).unwrap_or_default()).await;
    let mine = db.list_labels().await?.into_iter().filter(|l| l.kind == kind && l.id == id);
    Ok(Json(mine.map(|l| LabelDto { kind: l.kind, id: l.id, lang: l.lang, label: l.label }).collect()))
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(list)).routes(utoipa_axum::routes!(set))
}
