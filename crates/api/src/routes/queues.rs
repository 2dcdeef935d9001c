use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hotline_store::{CallerExperience, Queue, Step, StepSkill};

use super::{check_level, check_name, check_slug};
use crate::audit::{self, ClientIp};
use crate::revision::{IfMatch, Tagged};
use crate::auth::AuthUser;
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

fn enum_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

pub(crate) fn dto(q: Queue) -> QueueDto {
    QueueDto {
        channel: parse_enum(&q.channel).unwrap_or(Channel::Voice),
        strategy: parse_enum(&q.strategy).unwrap_or(Strategy::LongestIdle),
        give_up_action: parse_enum(&q.give_up_action).unwrap_or(GiveUpAction::Hangup),
        steps: q
            .steps
            .into_iter()
            .map(|s| StepDto {
                skills: s.skills.into_iter().map(|k| SkillRequirement { skill: k.skill, min_level: k.min_level }).collect(),
                relax_contact_levels: s.relax_contact_levels,
                drop_contact_skills: s.drop_contact_skills,
                timeout_secs: s.timeout_secs,
            })
            .collect(),
        id: q.id,
        name: q.name,
        service_level_secs: q.service_level_secs,
        service_level_target_pct: q.service_level_target_pct,
        sl_window_secs: q.sl_window_secs,
        offer_timeout_secs: q.offer_timeout_secs,
        wrap_up_secs: q.wrap_up_secs,
        max_missed_offers: q.max_missed_offers,
        aging_per_sec: q.aging_per_sec,
        vip_boost: q.vip_boost,
        sticky_secs: q.sticky_secs,
        max_wait_secs: q.max_wait_secs,
        overflow_queue: q.overflow_queue,
        overflow_after_secs: q.overflow_after_secs,
        overflow_when_no_agents: q.overflow_when_no_agents,
        enabled: q.enabled,
        caller_experience: CallerExperienceDto {
            music_on_hold: q.caller.music_on_hold,
            announce_every_secs: q.caller.announce_every_secs,
            callback_after_secs: q.caller.callback_after_secs,
            callback_key: q.caller.callback_key.to_string(),
            comfort_prompt: q.caller.comfort_prompt,
            survey_flow: q.caller.survey_flow,
        },
    }
}

/// The caller experience from the API's form, checked field by field.
async fn caller_experience(state: &AppState, d: CallerExperienceDto) -> Result<CallerExperience, ApiError> {
    let field = |f: &str| format!("caller_experience.{f}");
    if !crate::routes::broadcasts::is_prompt_name(&d.music_on_hold) {
        return Err(ApiError::invalid(&field("music_on_hold"), "a prompt name: lower-case letters, digits, `_`, `-`, an optional language folder"));
    }
    if d.announce_every_secs.is_some_and(|s| !(10..=600).contains(&s)) {
        return Err(ApiError::invalid(&field("announce_every_secs"), "10 to 600 seconds"));
    }
    if d.callback_after_secs.is_some_and(|s| !(10..=3600).contains(&s)) {
        return Err(ApiError::invalid(&field("callback_after_secs"), "10 to 3600 seconds"));
    }
    let mut keys = d.callback_key.chars();
    let key = match (keys.next(), keys.next()) {
        (Some(k), None) if k.is_ascii_digit() || k == '*' || k == '#' => k,
        _ => return Err(ApiError::invalid(&field("callback_key"), "one key: 0-9, * or #")),
    };
    if let Some(p) = &d.comfort_prompt {
        crate::routes::broadcasts::check_prompt(p).map_err(|_| ApiError::invalid(&field("comfort_prompt"), "a prompt name, or tts:<voice>:<text> with up to 2000 characters"))?;
    }
    if let Some(flow) = &d.survey_flow {
        if state.db().published_flow(flow).await?.is_none() {
            return Err(ApiError::invalid(&field("survey_flow"), format!("no published flow `{flow}`")));
        }
    }
    Ok(CallerExperience { music_on_hold: d.music_on_hold, announce_every_secs: d.announce_every_secs, callback_after_secs: d.callback_after_secs, callback_key: key, comfort_prompt: d.comfort_prompt, survey_flow: d.survey_flow })
}

fn steps(dtos: Vec<StepDto>) -> Vec<Step> {
    dtos.into_iter()
        .map(|s| Step {
            skills: s.skills.into_iter().map(|k| StepSkill { skill: k.skill, min_level: k.min_level }).collect(),
            relax_contact_levels: s.relax_contact_levels,
            drop_contact_skills: s.drop_contact_skills,
            timeout_secs: s.timeout_secs,
        })
        .collect()
}

/// Checks what serde cannot: references to other things and value ranges.
async fn validate(state: &AppState, q: &Queue) -> ApiResult<()> {
    check_name("name", &q.name)?;
    let skills: HashMap<String, String> = state.db().list_skills().await?.into_iter().map(|s| (s.id, s.kind)).collect();
    for (i, step) in q.steps.iter().enumerate() {
        for (j, k) in step.skills.iter().enumerate() {
            let field = format!("steps[{i}].skills[{j}]");
            if !skills.contains_key(&k.skill) {
                return Err(ApiError::invalid(&format!("{field}.skill"), format!("unknown skill `{}`", k.skill)));
            }
            check_level(&format!("{field}.min_level"), k.min_level)?;
        }
        if step.relax_contact_levels > 9 {
            return Err(ApiError::invalid(&format!("steps[{i}].relax_contact_levels"), "must be 0-9"));
        }
        let last = i + 1 == q.steps.len();
        if !last && step.timeout_secs.is_none() {
            return Err(ApiError::invalid(&format!("steps[{i}].timeout_secs"), "every step but the last needs a timeout"));
        }
    }
    if q.service_level_target_pct > 100 {
        return Err(ApiError::invalid("service_level_target_pct", "must be 0-100"));
    }
    if q.offer_timeout_secs == 0 || q.offer_timeout_secs > 300 {
        return Err(ApiError::invalid("offer_timeout_secs", "must be 1-300"));
    }
    if q.sl_window_secs < 60 {
        return Err(ApiError::invalid("sl_window_secs", "must be at least 60"));
    }
    if let Some(target) = &q.overflow_queue {
        if target == &q.id {
            return Err(ApiError::invalid("overflow_queue", "a queue cannot overflow into itself"));
        }
        if state.db().queue(target).await?.is_none() {
            return Err(ApiError::invalid("overflow_queue", format!("unknown queue `{target}`")));
        }
        if q.overflow_after_secs.is_none() && !q.overflow_when_no_agents {
            return Err(ApiError::invalid("overflow_queue", "set overflow_after_secs or overflow_when_no_agents"));
        }
    } else if q.overflow_after_secs.is_some() || q.overflow_when_no_agents {
        return Err(ApiError::invalid("overflow_queue", "required when an overflow condition is set"));
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/queues", tag = "configuration", security(("bearer" = [])),
    responses((status = 200, body = [QueueDto]), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<QueueDto>>> {
    Ok(Json(state.db().list_queues().await?.into_iter().map(dto).collect()))
}

#[utoipa::path(get, path = "/api/v1/queues/{id}", tag = "configuration", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = QueueDto, headers(("etag" = String, description = "The version, for If-Match"))), (status = 404, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, _user: AuthUser, Path(id): Path<String>) -> ApiResult<Tagged> {
    let q = state.db().queue(&id).await?.ok_or_else(|| ApiError::not_found("queue", &id))?;
    Ok(Tagged::new(&state.0.revisions, &dto(q)))
}

#[utoipa::path(post, path = "/api/v1/queues", tag = "configuration", security(("bearer" = ["admin"])), request_body = NewQueue,
    responses((status = 201, body = QueueDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(State(state): State<AppState>, ip: ClientIp, user: AuthUser, ApiJson(r): ApiJson<NewQueue>) -> ApiResult<(StatusCode, Json<QueueDto>)> {
    check_slug("id", &r.id)?;
    let now = hotline_acd::now_ms();
    let q = Queue {
        id: r.id,
        name: r.name.trim().to_owned(),
        channel: enum_name(&r.channel.unwrap_or(Channel::Voice)),
        strategy: enum_name(&r.strategy.unwrap_or(Strategy::LongestIdle)),
        steps: steps(r.steps.unwrap_or_default()),
        service_level_secs: r.service_level_secs.unwrap_or(20),
        service_level_target_pct: r.service_level_target_pct.unwrap_or(80),
        sl_window_secs: r.sl_window_secs.unwrap_or(1800),
        offer_timeout_secs: r.offer_timeout_secs.unwrap_or(15),
        wrap_up_secs: r.wrap_up_secs.unwrap_or(10),
        max_missed_offers: r.max_missed_offers.unwrap_or(2),
        aging_per_sec: r.aging_per_sec.unwrap_or(1),
        vip_boost: r.vip_boost.unwrap_or(50),
        sticky_secs: r.sticky_secs.unwrap_or(0),
        max_wait_secs: r.max_wait_secs,
        give_up_action: enum_name(&r.give_up_action.unwrap_or(GiveUpAction::Voicemail)),
        overflow_queue: r.overflow_queue,
        overflow_after_secs: r.overflow_after_secs,
        overflow_when_no_agents: r.overflow_when_no_agents.unwrap_or(false),
        enabled: r.enabled.unwrap_or(true),
        caller: match r.caller_experience {
            Some(c) => caller_experience(&state, c).await?,
            None => CallerExperience::default(),
        },
        created_at: now,
        updated_at: now,
    };
    validate(&state, &q).await?;
    state.db().insert_queue(&q).await?;
    state.0.acd.reload_queue(q.clone()).await?;
    audit::record(&state, Some(&user), &ip, "queue.create", Some(&q.id), q.name.clone()).await;
    state.telephony_changed().await;
    Ok((StatusCode::CREATED, Json(dto(q))))
}

#[utoipa::path(patch, path = "/api/v1/queues/{id}", tag = "configuration", security(("bearer" = ["admin"])), request_body = PatchQueue,
    params(("id" = String, Path), ("if-match" = Option<String>, Header, description = "The ETag of the version this change was made to")),
    responses((status = 200, body = QueueDto), (status = 404, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch(
    State(state): State<AppState>,
    ip: ClientIp,
    user: AuthUser,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(r): ApiJson<PatchQueue>,
) -> ApiResult<Tagged> {
    let _writing = state.0.revisions.write().await;
    let mut q = state.db().queue(&id).await?.ok_or_else(|| ApiError::not_found("queue", &id))?;
    let before = serde_json::to_value(dto(q.clone())).unwrap_or_default();
    state.0.revisions.check(&if_match, &before)?;
    if let Some(v) = r.name { q.name = v.trim().to_owned(); }
    if let Some(v) = r.channel { q.channel = enum_name(&v); }
    if let Some(v) = r.strategy { q.strategy = enum_name(&v); }
    if let Some(v) = r.steps { q.steps = steps(v); }
    if let Some(v) = r.service_level_secs { q.service_level_secs = v; }
    if let Some(v) = r.service_level_target_pct { q.service_level_target_pct = v; }
    if let Some(v) = r.sl_window_secs { q.sl_window_secs = v; }
    if let Some(v) = r.offer_timeout_secs { q.offer_timeout_secs = v; }
    if let Some(v) = r.wrap_up_secs { q.wrap_up_secs = v; }
    if let Some(v) = r.max_missed_offers { q.max_missed_offers = v; }
    if let Some(v) = r.aging_per_sec { q.aging_per_sec = v; }
    if let Some(v) = r.vip_boost { q.vip_boost = v; }
    if let Some(v) = r.sticky_secs { q.sticky_secs = v; }
    if let Some(v) = r.max_wait_secs { q.max_wait_secs = v; }
    if let Some(v) = r.give_up_action { q.give_up_action = enum_name(&v); }
    if let Some(v) = r.overflow_queue { q.overflow_queue = v; }
    if let Some(v) = r.overflow_after_secs { q.overflow_after_secs = v; }
    if let Some(v) = r.overflow_when_no_agents { q.overflow_when_no_agents = v; }
    if let Some(v) = r.enabled { q.enabled = v; }
    if let Some(v) = r.caller_experience { q.caller = caller_experience(&state, v).await?; }
    q.updated_at = hotline_acd::now_ms();
    validate(&state, &q).await?;
    state.db().update_queue(&q).await?;
    state.0.acd.reload_queue(q.clone()).await?;
    let after = dto(q);
    audit::record_change(&state, &user, &ip, "queue.update", &id, &before, &serde_json::to_value(&after).unwrap_or_default()).await;
    state.telephony_changed().await;
    Ok(Tagged::new(&state.0.revisions, &after))
}

#[utoipa::path(get, path = "/api/v1/queues/{id}/stats", tag = "routing", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = QueueStatsDto), (status = 404, body = ErrorBody)))]
pub async fn stats(State(state): State<AppState>, _user: AuthUser, Path(id): Path<String>) -> ApiResult<Json<QueueStatsDto>> {
    let q = state.db().queue(&id).await?.ok_or_else(|| ApiError::not_found("queue", &id))?;
    let snap = state
        .0
        .acd
        .queues()
        .await?
        .into_iter()
        .find(|s| s.queue_id == id)
        .ok_or_else(|| ApiError::not_found("queue", &id))?;
    Ok(Json(stats_dto(snap, q.service_level_target_pct)))
}

pub(crate) fn stats_dto(snap: hotline_acd::QueueSnapshot, target: u8) -> QueueStatsDto {
    let s = snap.stats;
    QueueStatsDto {
        queue_id: snap.queue_id,
        waiting: s.waiting,
        longest_wait_ms: s.longest_wait_ms,
        agents: AgentCounts {
            logged_in: s.agents_logged_in,
            available: s.agents_available,
            idle: s.agents_idle,
            reserved: s.agents_reserved,
            busy: s.agents_busy,
            wrap_up: s.agents_wrap_up,
            not_ready: s.agents_not_ready,
        },
        offered: s.offered,
        answered: s.answered,
        abandoned: s.abandoned,
        service_level_pct: s.service_level,
        service_level_target_pct: target,
        answered_in_window: s.answered_in_window,
        abandoned_in_window: s.abandoned_in_window,
    }
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(list, create))
        .routes(utoipa_axum::routes!(get, patch))
        .routes(utoipa_axum::routes!(stats))
}
