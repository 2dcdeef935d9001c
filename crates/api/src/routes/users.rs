//! `/api/v1/users`: an admin sees who may sign in and changes their roles,
//! name or whether they may sign in at all. A change reaches the user's
//! open event streams at once (they filter by the new roles, or close if
//! the user was disabled); disabling a user also ends their sessions.
//! Admins add users and reset passwords: the password is generated, shown
//! once in the reply, and must be changed at the next sign-in.

use axum::extract::{Path, State};
use axum::Json;
use hotline_store::User;

use super::check_name;
use crate::audit::{self, ClientIp};
use crate::auth::{AuthUser, Role};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

/// A user as an admin sees it (never the password hash).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct UserDto {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub agent_id: Option<String>,
    pub enabled: bool,
}

/// What an admin may change about a user.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchUser {
    /// One or more of admin, supervisor, agent, qa, auditor.
    pub roles: Option<Vec<String>>,
    pub display_name: Option<String>,
    /// False: the user cannot sign in, and their sessions end now.
    pub enabled: Option<bool>,
}

fn dto(u: User) -> UserDto {
    UserDto { id: u.id, username: u.username, display_name: u.display_name, roles: u.roles, agent_id: u.agent_id, enabled: u.enabled }
}

#[utoipa::path(get, path = "/api/v1/users", tag = "auth", security(("bearer" = ["admin"])),
    responses((status = 200, body = [UserDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<UserDto>>> {
    Ok(Json(state.db().list_users().await?.into_iter().map(dto).collect()))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "auth", security(("bearer" = ["admin"])), request_body = PatchUser, params(("id" = String, Path)),
    responses((status = 200, body = UserDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch(State(state): State<AppState>, ip: ClientIp, admin: AuthUser, Path(id): Path<String>, ApiJson(req): ApiJson<PatchUser>) -> ApiResult<Json<UserDto>> {
    let mut user = state.db().user(&id).await?.ok_or_else(|| ApiError::not_found("user", &id))?;
    let mut changes = Vec::new();
    if let Some(roles) = req.roles {
        let roles = check_roles(&roles)?;
        if id == admin.user_id && !roles.iter().any(|r| r == "admin") {
            return Err(ApiError::conflict("an admin cannot take the admin role from themselves: ask another admin"));
        }
        changes.push(format!("roles={}", roles.join(",")));
        user.roles = roles;
    }
    if let Some(name) = req.display_name {
        check_name("display_name", &name)?;
        user.display_name = name.trim().to_owned();
        changes.push(format!("display_name={}", user.display_name));
    }
    if let Some(enabled) = req.enabled {
        if id == admin.user_id && !enabled {
            return Err(ApiError::conflict("an admin cannot disable themselves: ask another admin"));
        }
        user.enabled = enabled;
        changes.push(format!("enabled={enabled}"));
    }
    state.db().update_user(&user).await?;
    audit::record(&state, Some(&admin), &ip, "user.update", Some(&user.username), changes.join(" ")).await;
    if !user.enabled {
        let now = hotline_acd::now_ms();
        for s in state.db().sessions_of_user(&user.id, now).await? {
            state.db().delete_session(&s.id).await?;
            crate::sessions::ended(&state, &s.id, &user.id, user.agent_id.as_deref(), "user disabled").await;
        }
    }
    let _ = state.0.users_changed.send(user.id.clone());
    Ok(Json(dto(user)))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserReq {
    /// 3-32 letters, digits, `.`, `_` or `-`.
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    /// The agent this user works as (for the `agent` role).
    #[serde(default)]
    pub agent_id: Option<String>,
}

/// A user and the password generated for them (shown only here).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct UserWithPassword {
    pub user: UserDto,
    pub password: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct NewPassword {
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "auth", security(("bearer" = ["admin"])), request_body = NewUserReq,
    responses((status = 201, body = UserWithPassword), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ip: ClientIp,
    admin: AuthUser,
    ApiJson(req): ApiJson<NewUserReq>,
) -> ApiResult<(axum::http::StatusCode, Json<UserWithPassword>)> {
    let name_ok = (3..=32).contains(&req.username.len()) && req.username.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !name_ok {
        return Err(ApiError::invalid("username", "3-32 letters, digits, `.`, `_` or `-`"));
    }
    check_name("display_name", &req.display_name)?;
    let roles = check_roles(&req.roles)?;
    if let Some(agent) = &req.agent_id {
        if state.db().agent(agent).await?.is_none() {
            return Err(ApiError::invalid("agent_id", format!("no agent `{agent}`")));
        }
    }
    if state.db().user_by_username(&req.username).await?.is_some() {
        return Err(ApiError::conflict(format!("user name `{}` is taken", req.username)).field("username"));
    }
    let password = crate::auth::generated_password(14);
    let hash = crate::auth::hash_password_off_thread(&password).await?;
    let user = state
        .db()
        .create_user(hotline_store::NewUser { username: req.username, display_name: req.display_name.trim().to_owned(), password_hash: hash.clone(), roles, agent_id: req.agent_id })
        .await?;
    state.db().set_one_time_password(&user.id, &hash).await?;
    audit::record(&state, Some(&admin), &ip, "user.create", Some(&user.username), format!("roles={}", user.roles.join(","))).await;
    Ok((axum::http::StatusCode::CREATED, Json(UserWithPassword { user: dto(user), password })))
}

/// Resets a user's password to a generated one (shown once), ends their
/// sessions, and makes them change it at the next sign-in.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "auth", security(("bearer" = ["admin"])), params(("id" = String, Path)),
    responses((status = 200, body = NewPassword), (status = 404, body = ErrorBody)))]
pub async fn reset_password(State(state): State<AppState>, ip: ClientIp, admin: AuthUser, Path(id): Path<String>) -> ApiResult<Json<NewPassword>> {
    let user = state.db().user(&id).await?.ok_or_else(|| ApiError::not_found("user", &id))?;
    let password = crate::auth::generated_password(14);
    let hash = crate::auth::hash_password_off_thread(&password).await?;
    state.db().set_one_time_password(&user.id, &hash).await?;
    let now = hotline_acd::now_ms();
    for s in state.db().sessions_of_user(&user.id, now).await? {
        state.db().delete_session(&s.id).await?;
        crate::sessions::ended(&state, &s.id, &user.id, user.agent_id.as_deref(), "password reset").await;
    }
    // (Never the password itself.)
    audit::record(&state, Some(&admin), &ip, "user.password_reset", Some(&user.username), String::new()).await;
    Ok(Json(NewPassword { password }))
}

/// Known, distinct, at least one; in the order given.
fn check_roles(roles: &[String]) -> Result<Vec<String>, ApiError> {
    if roles.is_empty() {
        return Err(ApiError::invalid("roles", "at least one role"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, r) in roles.iter().enumerate() {
        if Role::parse(r).is_none() || r == "display" {
            return Err(ApiError::invalid(&format!("roles[{i}]"), format!("one of {}", Role::ALL.join(", "))));
        }
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
    Ok(out)
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(list, create))
        .routes(utoipa_axum::routes!(patch))
        .routes(utoipa_axum::routes!(reset_password))
}
