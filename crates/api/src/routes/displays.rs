//! Wall displays (TV mode): a supervisor makes a read-only token for a
//! screen on the wall. Behind it is a user holding only the `display` role
//! and one long session; it sees the board (queues, agents' states, alerts,
//! live calls with numbers masked) and nothing else (`access::display_may`),
//! and is revoked by disabling that user, which ends its session and
//! stream at once. Each creation and revocation is audited.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::check_name;
use crate::audit::{self, ClientIp};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

/// How long a display's token lasts (a year; revoke it sooner by deleting it).
const DISPLAY_TTL_MS: i64 = 365 * 24 * 3_600_000;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDisplay {
    /// What the screen is, e.g. "3F wallboard".
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct DisplayDto {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub created_at: i64,
}

/// A new display and the only time its token is shown.
#[derive(Serialize, ToSchema)]
pub struct NewDisplayDto {
    pub display: DisplayDto,
    /// Open `/tv#<token>` on the screen; the token is not shown again.
    pub token: String,
    pub path: String,
}

fn dto(u: hotline_store::User) -> DisplayDto {
    DisplayDto { id: u.id, name: u.display_name, enabled: u.enabled, created_at: u.created_at }
}

fn is_display(u: &hotline_store::User) -> bool {
    u.roles.iter().any(|r| r == "display")
}

/// Wall displays, newest first.
#[utoipa::path(get, path = "/api/v1/displays", tag = "supervision", security(("bearer" = ["supervisor", "admin"])),
    responses((status = 200, body = [DisplayDto])))]
pub async fn list(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<DisplayDto>>> {
    let mut v: Vec<DisplayDto> = state.db().list_users().await?.into_iter().filter(is_display).map(dto).collect();
    v.sort_by_key(|d| std::cmp::Reverse(d.created_at));
    Ok(Json(v))
}

/// Makes a read-only token for a wall display. Audited.
#[utoipa::path(post, path = "/api/v1/displays", tag = "supervision", security(("bearer" = ["supervisor", "admin"])), request_body = NewDisplay,
    responses((status = 201, body = NewDisplayDto), (status = 422, body = ErrorBody)))]
pub async fn create(State(state): State<AppState>, ip: ClientIp, user: AuthUser, ApiJson(req): ApiJson<NewDisplay>) -> ApiResult<(StatusCode, Json<NewDisplayDto>)> {
    check_name("name", &req.name)?;
    // Nobody signs in as a display: its password is random and never shown.
    let hash = crate::auth::hash_password_off_thread(&crate::auth::generated_password(32)).await?;
    let username = format!("display-{}", &hex::encode(rand::random::<[u8; 4]>()));
    let display = state
        .db()
        .create_user(hotline_store::NewUser { username, display_name: req.name.trim().to_owned(), password_hash: hash, roles: vec!["display".into()], agent_id: None })
        .await?;
    let (token, token_hash) = crate::auth::new_token();
    let now = hotline_acd::now_ms();
    let session = hotline_store::Session {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: display.id.clone(),
        token_hash,
        created_at: now,
        expires_at: now + DISPLAY_TTL_MS,
        ip: ip.0.clone(),
        last_seen_at: now,
        password_change_required: false,
        enrolment_required: false,
    };
    state.db().create_session(&session).await?;
    audit::record(&state, Some(&user), &ip, "display.create", Some(&display.id), display.display_name.clone()).await;
    let path = format!("/tv#{token}");
    Ok((StatusCode::CREATED, Json(NewDisplayDto { display: dto(display), token, path })))
}

/// Revokes a display: its token stops working and its board closes. Audited.
#[utoipa::path(delete, path = "/api/v1/displays/{id}", tag = "supervision", security(("bearer" = ["supervisor", "admin"])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke(State(state): State<AppState>, ip: ClientIp, user: AuthUser, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let mut display = state.db().user(&id).await?.filter(is_display).ok_or_else(|| ApiError::not_found("display", &id))?;
    display.enabled = false;
    state.db().update_user(&display).await?;
    let now = hotline_acd::now_ms();
    for s in state.db().sessions_of_user(&display.id, now).await? {
        state.db().delete_session(&s.id).await?;
        crate::sessions::ended(&state, &s.id, &display.id, None, "display revoked").await;
    }
    let _ = state.0.users_changed.send(display.id.clone());
    audit::record(&state, Some(&user), &ip, "display.revoke", Some(&display.id), display.display_name).await;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(list, create)).routes(utoipa_axum::routes!(revoke))
}
