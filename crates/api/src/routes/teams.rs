//! Teams of agents (a supervisor's group, a shift, a site). Everyone
//! signed in reads them; admins add and rename them; who is in which is an
//! agent's `team` (`PATCH /api/v1/agents/{id}`).

use axum::extract::{Path, State};
use axum::Json;
use hotline_store::Team;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{check_name, check_slug};
use crate::audit::{self, ClientIp};
use crate::auth::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct TeamDto {
    pub id: String,
    pub name: String,
    /// Agents in the team.
    pub members: usize,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutTeam {
    pub name: String,
}

#[utoipa::path(get, path = "/api/v1/teams", tag = "configuration", security(("bearer" = [])),
    responses((status = 200, body = [TeamDto]), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<TeamDto>>> {
    let members = state.db().team_members().await?;
    let teams = state.db().list_teams().await?;
    Ok(Json(teams.into_iter().map(|t| TeamDto { members: members.values().filter(|m| **m == t.id).count(), id: t.id, name: t.name }).collect()))
}

#[utoipa::path(put, path = "/api/v1/teams/{id}", tag = "configuration", security(("bearer" = ["admin"])), params(("id" = String, Path)),
    request_body = PutTeam, responses((status = 200, body = TeamDto), (status = 422, body = ErrorBody)))]
pub async fn put(State(state): State<AppState>, ip: ClientIp, user: AuthUser, Path(id): Path<String>, ApiJson(r): ApiJson<PutTeam>) -> ApiResult<Json<TeamDto>> {
    check_slug("id", &id)?;
    check_name("name", &r.name)?;
    let team = Team { id: id.clone(), name: r.name.trim().to_owned() };
    state.db().put_team(&team).await?;
    audit::record(&state, Some(&user), &ip, "team.put", Some(&id), team.name.clone()).await;
    let members = state.db().team_members().await?.values().filter(|m| **m == id).count();
    Ok(Json(TeamDto { id: team.id, name: team.name, members }))
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(list)).routes(utoipa_axum::routes!(put))
}
