use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hotline_store::Skill;

use super::{check_name, check_slug};
use crate::audit::{self, ClientIp};
use crate::auth::AuthUser;
use crate::dto::{NewSkill, PatchSkill, SkillDto, SkillKind};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

fn dto(s: Skill) -> SkillDto {
    let kind = if s.kind == "language" { SkillKind::Language } else { SkillKind::Skill };
    SkillDto { id: s.id, name: s.name, kind }
}

#[utoipa::path(get, path = "/api/v1/skills", tag = "configuration", security(("bearer" = [])),
    responses((status = 200, body = [SkillDto]), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<SkillDto>>> {
    Ok(Json(state.db().list_skills().await?.into_iter().map(dto).collect()))
}

#[utoipa::path(post, path = "/api/v1/skills", tag = "configuration", security(("bearer" = ["admin"])), request_body = NewSkill,
    responses((status = 201, body = SkillDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(State(state): State<AppState>, ip: ClientIp, user: AuthUser, ApiJson(req): ApiJson<NewSkill>) -> ApiResult<(StatusCode, Json<SkillDto>)> {
    check_slug("id", &req.id)?;
    check_name("name", &req.name)?;
    let skill = Skill {
        id: req.id,
        name: req.name.trim().to_owned(),
        kind: if req.kind == SkillKind::Language { "language" } else { "skill" }.into(),
        created_at: hotline_acd::now_ms(),
    };
    state.db().insert_skill(&skill).await?;
    audit::record(&state, Some(&user), &ip, "skill.create", Some(&skill.id), skill.name.clone()).await;
    Ok((StatusCode::CREATED, Json(dto(skill))))
}

#[utoipa::path(patch, path = "/api/v1/skills/{id}", tag = "configuration", security(("bearer" = ["admin"])), request_body = PatchSkill,
    params(("id" = String, Path)), responses((status = 200, body = SkillDto), (status = 404, body = ErrorBody)))]
pub async fn patch(State(state): State<AppState>, ip: ClientIp, user: AuthUser, Path(id): Path<String>, ApiJson(req): ApiJson<PatchSkill>) -> ApiResult<Json<SkillDto>> {
    let mut skill = state.db().skill(&id).await?.ok_or_else(|| ApiError::not_found("skill", &id))?;
    if let Some(name) = req.name {
        check_name("name", &name)?;
        skill.name = name.trim().to_owned();
    }
    state.db().update_skill(&skill).await?;
    audit::record(&state, Some(&user), &ip, "skill.update", Some(&skill.id), skill.name.clone()).await;
    Ok(Json(dto(skill)))
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(list, create))
        .routes(utoipa_axum::routes!(patch))
}
