use std::collections::{HashMap, HashSet};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hotline_store::{Agent, AgentSkill, Capacity};

use super::{check_level, check_name};
use crate::audit::{self, ClientIp};
use crate::revision::{IfMatch, Tagged};
use crate::auth::{AuthUser, Role};
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

fn dto(a: Agent, team: Option<String>) -> AgentDto {
    AgentDto {
        team,
        id: a.id,
        extension: a.extension,
        name: a.name,
        skills: a.skills.into_iter().map(|s| AgentSkillDto { skill: s.skill, level: s.level }).collect(),
        languages: a.languages,
        queues: a.queues,
        capacity: CapacityDto { voice: a.capacity.voice, chat: a.capacity.chat, email: a.capacity.email },
        enabled: a.enabled,
    }
}

/// The skills (id → kind) and queues an agent may name, read once for all
/// the agents being checked (one, or a whole import).
pub(super) struct Known {
    skills: HashMap<String, String>,
    queues: HashSet<String>,
}

impl Known {
    pub(super) async fn load(state: &AppState) -> ApiResult<Known> {
        Ok(Known {
            skills: state.db().list_skills().await?.into_iter().map(|s| (s.id, s.kind)).collect(),
            queues: state.db().list_queues().await?.into_iter().map(|q| q.id).collect(),
        })
    }
}

async fn validate(state: &AppState, a: &Agent) -> ApiResult<()> {
    check_agent(&Known::load(state).await?, a)
}

/// An agent's fields against what exists; the first problem by field.
pub(super) fn check_agent(known: &Known, a: &Agent) -> ApiResult<()> {
    check_name("name", &a.name)?;
    let Known { skills, queues } = known;
    let mut seen = HashSet::new();
    for (i, s) in a.skills.iter().enumerate() {
        match skills.get(&s.skill).map(String::as_str) {
            Some("skill") => {}
            Some(_) => return Err(ApiError::invalid(&format!("skills[{i}].skill"), format!("`{}` is a language; list it under languages", s.skill))),
            None => return Err(ApiError::invalid(&format!("skills[{i}].skill"), format!("unknown skill `{}`", s.skill))),
        }
        check_level(&format!("skills[{i}].level"), s.level)?;
        if !seen.insert(&s.skill) {
            return Err(ApiError::invalid(&format!("skills[{i}].skill"), format!("`{}` is listed twice", s.skill)));
        }
    }
    for (i, l) in a.languages.iter().enumerate() {
        if skills.get(l).map(String::as_str) != Some("language") {
            return Err(ApiError::invalid(&format!("languages[{i}]"), format!("unknown language `{l}`")));
        }
    }
    for (i, q) in a.queues.iter().enumerate() {
        if !queues.contains(q) {
            return Err(ApiError::invalid(&format!("queues[{i}]"), format!("unknown queue `{q}`")));
        }
    }
    if a.capacity.voice > 1 {
        return Err(ApiError::invalid("capacity.voice", "an agent takes at most one call at a time"));
    }
    if a.capacity.chat > 20 || a.capacity.email > 50 {
        return Err(ApiError::invalid(if a.capacity.chat > 20 { "capacity.chat" } else { "capacity.email" }, "at most 20 chats and 50 emails"));
    }
    Ok(())
}

/// An extension, as agents' phones register: 2-10 digits.
pub(super) fn check_extension(field: &str, ext: &str) -> ApiResult<()> {
    if (2..=10).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ApiError::invalid(field, "use 2-10 digits"))
    }
}

#[utoipa::path(get, path = "/api/v1/agents", tag = "configuration", security(("bearer" = [])),
    responses((status = 200, body = [AgentDto]), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<AgentDto>>> {
    let mut teams = state.db().team_members().await?;
    Ok(Json(state.db().list_agents().await?.into_iter().map(|a| {
        let team = teams.remove(&a.id);
        dto(a, team)
    }).collect()))
}

#[utoipa::path(get, path = "/api/v1/agents/{id}", tag = "configuration", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = AgentDto, headers(("etag" = String, description = "The version, for If-Match"))), (status = 404, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, _user: AuthUser, Path(id): Path<String>) -> ApiResult<Tagged> {
    let a = state.db().agent(&id).await?.ok_or_else(|| ApiError::not_found("agent", &id))?;
    let team = state.db().team_members().await?.remove(&a.id);
    Ok(Tagged::new(&state.0.revisions, &dto(a, team)))
}

#[utoipa::path(post, path = "/api/v1/agents", tag = "configuration", security(("bearer" = ["admin"])), request_body = NewAgent,
    responses((status = 201, body = AgentDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(State(state): State<AppState>, ip: ClientIp, user: AuthUser, ApiJson(r): ApiJson<NewAgent>) -> ApiResult<(StatusCode, Json<AgentDto>)> {
    check_extension("extension", &r.extension)?;
    if state.db().agent_by_extension(&r.extension).await?.is_some() {
        return Err(ApiError::conflict(format!("extension {} is taken", r.extension)).field("extension"));
    }
    let now = hotline_acd::now_ms();
    let cap = r.capacity.unwrap_or(CapacityDto { voice: 1, chat: 3, email: 5 });
    let a = Agent {
        id: uuid::Uuid::now_v7().to_string(),
        extension: r.extension,
        name: r.name.trim().to_owned(),
        skills: r.skills.into_iter().map(|s| AgentSkill { skill: s.skill, level: s.level }).collect(),
        languages: r.languages,
        queues: r.queues,
        capacity: Capacity { voice: cap.voice, chat: cap.chat, email: cap.email },
        enabled: true,
        created_at: now,
        updated_at: now,
    };
    validate(&state, &a).await?;
    state.db().insert_agent(&a).await?;
    state.0.acd.reload_agent(a.clone()).await?;
    audit::record(&state, Some(&user), &ip, "agent.create", Some(&a.id), a.extension.clone()).await;
    state.telephony_changed().await;
    Ok((StatusCode::CREATED, Json(dto(a, None))))
}

/// Admins change anything; supervisors move agents between queues and adjust skills.
#[utoipa::path(patch, path = "/api/v1/agents/{id}", tag = "configuration", security(("bearer" = ["admin", "supervisor"])), request_body = PatchAgent,
    params(("id" = String, Path), ("if-match" = Option<String>, Header, description = "The ETag of the version this change was made to")),
    responses((status = 200, body = AgentDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, body = ErrorBody)))]
pub async fn patch(
    State(state): State<AppState>,
    ip: ClientIp,
    user: AuthUser,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(r): ApiJson<PatchAgent>,
) -> ApiResult<Tagged> {
    if !user.has(Role::Admin) && (r.name.is_some() || r.capacity.is_some() || r.enabled.is_some()) {
        return Err(ApiError::forbidden());
    }
    let _writing = state.0.revisions.write().await;
    let mut a = state.db().agent(&id).await?.ok_or_else(|| ApiError::not_found("agent", &id))?;
    let mut team = state.db().team_members().await?.remove(&a.id);
    let before = serde_json::to_value(dto(a.clone(), team.clone())).unwrap_or_default();
    state.0.revisions.check(&if_match, &before)?;
    if let Some(t) = r.team {
        let t = Some(t).filter(|t| !t.is_empty());
        if let Some(t) = &t {
            if !state.db().list_teams().await?.iter().any(|x| &x.id == t) {
                return Err(ApiError::invalid("team", format!("no team `{t}`")));
            }
        }
        state.db().set_agent_team(&a.id, t.as_deref()).await?;
        team = t;
    }
    if let Some(v) = r.name { a.name = v.trim().to_owned(); }
    if let Some(v) = r.skills { a.skills = v.into_iter().map(|s| AgentSkill { skill: s.skill, level: s.level }).collect(); }
    if let Some(v) = r.languages { a.languages = v; }
    if let Some(v) = r.queues { a.queues = v; }
    if let Some(v) = r.capacity { a.capacity = Capacity { voice: v.voice, chat: v.chat, email: v.email }; }
    if let Some(v) = r.enabled { a.enabled = v; }
    a.updated_at = hotline_acd::now_ms();
    validate(&state, &a).await?;
    state.db().update_agent(&a).await?;
    state.0.acd.reload_agent(a.clone()).await?;
    let after = dto(a, team);
    audit::record_change(&state, &user, &ip, "agent.update", &id, &before, &serde_json::to_value(&after).unwrap_or_default()).await;
    state.telephony_changed().await;
    Ok(Tagged::new(&state.0.revisions, &after))
}

/// A new SIP password for an agent's extension (what their phone registers with).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetSipPassword {
    /// 8 to 64 characters. Only digest hashes of it are stored.
    pub password: String,
}

/// Sets the SIP digest password of the agent's extension. Phones registered
/// with the old one are challenged again when they next refresh.
#[utoipa::path(put, path = "/api/v1/agents/{id}/sip-password", tag = "configuration", security(("bearer" = ["admin"])), params(("id" = String, Path)),
    request_body = SetSipPassword, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_sip_password(State(state): State<AppState>, ip: ClientIp, user: AuthUser, Path(id): Path<String>, ApiJson(r): ApiJson<SetSipPassword>) -> ApiResult<StatusCode> {
    let n = r.password.chars().count();
    if !(8..=64).contains(&n) || r.password.chars().any(char::is_control) {
        return Err(ApiError::invalid("password", "8 to 64 characters, no control characters"));
    }
    let a = state.db().agent(&id).await?.ok_or_else(|| ApiError::not_found("agent", &id))?;
    let c = hotline_telephony::credentials::credential(&a.extension, &state.0.settings.sip_realm, &r.password, hotline_acd::now_ms());
    state.db().set_sip_credential(&c).await?;
    if let Some(control) = &state.0.sip_control {
        control.credential_changed(c).await;
    }
    // The password itself is never written anywhere but as digest hashes.
    audit::record(&state, Some(&user), &ip, "agent.sip_password", Some(&id), format!("extension={}", a.extension)).await;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(list, create))
        .routes(utoipa_axum::routes!(get, patch))
        .routes(utoipa_axum::routes!(set_sip_password))
}
