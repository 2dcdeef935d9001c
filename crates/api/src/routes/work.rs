//! Routing at work: agent states, offers, contacts.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hotline_acd::{AgentSnapshot, NewContact, StatusRequest};

use super::check_level;
use crate::audit::{self, ClientIp};
use crate::auth::{AuthUser, Role};
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

pub(crate) fn state_dto(s: AgentSnapshot) -> AgentStateDto {
    AgentStateDto {
        agent_id: s.agent_id,
        extension: s.extension,
        name: s.name,
        status: s.status,
        reason: s.reason,
        state: s.state,
        offer: s.offer.map(|o| OfferDto { offer_id: o.offer_id, contact_id: o.contact_id, queue_id: o.queue_id, expires_at: o.expires_at }),
        active: s.active,
        handled_today: s.handled_today,
        wrap_up_until: s.wrap_up_until,
    }
}

#[utoipa::path(get, path = "/api/v1/agents/{id}/state", tag = "routing", security(("bearer" = ["admin", "supervisor", "qa"]), ("own_agent" = [])),
    params(("id" = String, Path)), responses((status = 200, body = AgentStateDto), (status = 404, body = ErrorBody)))]
pub async fn get_state(State(state): State<AppState>, _user: AuthUser, Path(id): Path<String>) -> ApiResult<Json<AgentStateDto>> {
    Ok(Json(state_dto(state.0.acd.agent(&id).await?)))
}

#[utoipa::path(get, path = "/api/v1/agent-states", tag = "routing", security(("bearer" = ["admin", "supervisor", "qa", "display"])),
    responses((status = 200, body = [AgentStateDto])))]
pub async fn list_states(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<AgentStateDto>>> {
    Ok(Json(state.0.acd.agents().await?.into_iter().map(state_dto).collect()))
}

/// An agent sets their own state; supervisors and admins may set anyone's (audited).
#[utoipa::path(put, path = "/api/v1/agents/{id}/state", tag = "routing", security(("bearer" = ["admin", "supervisor"]), ("own_agent" = [])), request_body = SetAgentState,
    params(("id" = String, Path)),
    responses((status = 200, body = AgentStateDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_state(State(state): State<AppState>, ip: ClientIp, user: AuthUser, Path(id): Path<String>, ApiJson(r): ApiJson<SetAgentState>) -> ApiResult<Json<AgentStateDto>> {
    let req = match (r.state, r.reason) {
        (RequestedState::Available, None) => StatusRequest::Available,
        (RequestedState::LoggedOut, None) => StatusRequest::LoggedOut,
        (RequestedState::NotReady, Some(reason)) => {
            let known = state.db().list_reason_codes().await?.into_iter().any(|c| c.id == reason);
            if !known {
                return Err(ApiError::invalid("reason", format!("unknown reason code `{reason}`")));
            }
            StatusRequest::NotReady { reason }
        }
        (RequestedState::NotReady, None) => return Err(ApiError::invalid("reason", "not_ready needs a reason code")),
        (_, Some(_)) => return Err(ApiError::invalid("reason", "a reason goes only with not_ready")),
    };
    let detail = format!("{req:?}");
    let snap = state.0.acd.set_status(&id, req).await?;
    if user.agent_id.as_deref() != Some(id.as_str()) {
        audit::record(&state, Some(&user), &ip, "agent.force_state", Some(&id), detail).await;
    }
    Ok(Json(state_dto(snap)))
}

#[utoipa::path(post, path = "/api/v1/agents/{id}/wrap-up/end", tag = "routing", security(("bearer" = ["admin", "supervisor"]), ("own_agent" = [])),
    params(("id" = String, Path)), responses((status = 200, body = AgentStateDto), (status = 403, body = ErrorBody)))]
pub async fn end_wrap_up(State(state): State<AppState>, _user: AuthUser, Path(id): Path<String>) -> ApiResult<Json<AgentStateDto>> {
    Ok(Json(state_dto(state.0.acd.end_wrap_up(&id).await?)))
}

/// The agent the offer must belong to: the caller's own, unless they supervise.
fn acting_agent(user: &AuthUser) -> ApiResult<Option<&str>> {
    if user.has(Role::Admin) || user.has(Role::Supervisor) {
        return Ok(None);
    }
    user.agent_id.as_deref().map(Some).ok_or_else(ApiError::forbidden)
}

#[utoipa::path(post, path = "/api/v1/offers/{id}/accept", tag = "routing", security(("bearer" = ["admin", "supervisor", "agent"])),
    params(("id" = String, Path)), responses((status = 200, body = AgentStateDto), (status = 409, body = ErrorBody)))]
pub async fn accept(State(state): State<AppState>, user: AuthUser, Path(id): Path<String>) -> ApiResult<Json<AgentStateDto>> {
    Ok(Json(state_dto(state.0.acd.accept(&id, acting_agent(&user)?).await?)))
}

#[utoipa::path(post, path = "/api/v1/offers/{id}/reject", tag = "routing", security(("bearer" = ["admin", "supervisor", "agent"])),
    params(("id" = String, Path)), responses((status = 200, body = AgentStateDto), (status = 409, body = ErrorBody)))]
pub async fn reject(State(state): State<AppState>, user: AuthUser, Path(id): Path<String>) -> ApiResult<Json<AgentStateDto>> {
    Ok(Json(state_dto(state.0.acd.reject(&id, acting_agent(&user)?).await?)))
}

/// Puts a contact from an external channel (a CRM task, a callback request) in a queue.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "routing", security(("bearer" = ["admin", "supervisor"])), request_body = NewContactReq,
    responses((status = 201, body = ContactCreated), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit(State(state): State<AppState>, _user: AuthUser, ApiJson(r): ApiJson<NewContactReq>) -> ApiResult<(StatusCode, Json<ContactCreated>)> {
    for (i, s) in r.skills.iter().enumerate() {
        check_level(&format!("skills[{i}].min_level"), s.min_level)?;
    }
    let db = state.db();
    if db.queue(&r.queue).await?.is_none() {
        return Err(ApiError::invalid("queue", format!("unknown queue `{}`", r.queue)));
    }
    let customer = match (&r.customer_id, &r.from) {
        (Some(id), _) => Some(db.customer(id).await?.ok_or_else(|| ApiError::invalid("customer_id", format!("unknown customer `{id}`")))?),
        (None, Some(from)) => db.customer_by_phone(from).await?,
        (None, None) => None,
    };
    let channel = serde_json::to_value(r.channel).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let contact = NewContact {
        queue_id: r.queue,
        channel,
        tier: customer.as_ref().map_or(0, |c| c.tier),
        customer_id: customer.map(|c| c.id),
        from_addr: r.from,
        skills: r.skills.into_iter().map(|s| (s.skill, s.min_level)).collect(),
        language: r.language,
        priority: r.priority,
        ..NewContact::default()
    };
    let id = state.0.acd.submit(contact).await.map_err(|e| match e {
        hotline_acd::AcdError::NotFound { entity: "skill", id } => ApiError::invalid("skills", format!("unknown skill or language `{id}`")),
        other => other.into(),
    })?;
    Ok((StatusCode::CREATED, Json(ContactCreated { contact_id: id })))
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/finish", tag = "routing", security(("bearer" = ["admin", "supervisor", "agent"])), request_body = FinishReq,
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn finish(State(state): State<AppState>, user: AuthUser, Path(id): Path<String>, body: axum::body::Bytes) -> ApiResult<StatusCode> {
    // The body is optional: an empty one means "no wrap-up code".
    let code = if body.iter().all(u8::is_ascii_whitespace) { None } else { crate::json::parse::<FinishReq>(&body)?.wrap_up_code };
    if let Some(c) = &code {
        if !state.db().list_wrap_up_codes().await?.iter().any(|w| &w.id == c) {
            return Err(ApiError::invalid("wrap_up_code", format!("unknown wrap-up code `{c}`")));
        }
    }
    state.0.acd.finish(&id, acting_agent(&user)?, code).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/abandon", tag = "routing", security(("bearer" = ["admin", "supervisor"])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn abandon(State(state): State<AppState>, _user: AuthUser, Path(id): Path<String>) -> ApiResult<StatusCode> {
    state.0.acd.abandon(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which audit entries to list (all optional).
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Who did it (a user name).
    pub actor: Option<String>,
    /// An action (`queue.update`), or a kind of object and all that was done
    /// to it (`queue`).
    pub action: Option<String>,
    /// Which object: a queue's id, an agent's id, a user name.
    pub target: Option<String>,
    /// Entries older than this id (the next page).
    pub before: Option<i64>,
    /// At most this many (default 200, at most 1000).
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = ["admin", "auditor"])), params(AuditQuery),
    responses((status = 200, body = [AuditDto]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn audit_log(State(state): State<AppState>, _user: AuthUser, query: crate::json::ApiQuery<AuditQuery>) -> ApiResult<Json<Vec<AuditDto>>> {
    let q = query.0;
    let limit = q.limit.unwrap_or(200);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid("limit", "1 to 1000"));
    }
    let blank = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let filter = hotline_store::AuditFilter { actor: blank(q.actor), action: blank(q.action), target: blank(q.target), before_id: q.before };
    let rows = state.db().find_audit(&filter, limit).await?;
    Ok(Json(
        rows.into_iter()
            .map(|e| AuditDto { id: e.id, at: e.at, actor: e.actor, action: e.action, target: e.target, ip: e.ip, detail: e.detail })
            .collect(),
    ))
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(get_state, set_state))
        .routes(utoipa_axum::routes!(list_states))
        .routes(utoipa_axum::routes!(end_wrap_up))
        .routes(utoipa_axum::routes!(accept))
        .routes(utoipa_axum::routes!(reject))
        .routes(utoipa_axum::routes!(submit))
        .routes(utoipa_axum::routes!(finish))
        .routes(utoipa_axum::routes!(abandon))
        .routes(utoipa_axum::routes!(audit_log))
}
