use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hotline_store::Session;

use crate::audit::{self, ClientIp};
use crate::auth::{self, AuthUser, COOKIE};
use crate::dto::{LoginRequest, LoginResponse, Me};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

/// A hash of a password nobody has, checked when the user does not exist so
/// that a wrong user name takes as long as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0H6fn1qW4mXbJv0u9nE1kT5bHqk0xQ7m0wWm7m7Qk5c";

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(()), request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(State(state): State<AppState>, ip: ClientIp, ApiJson(req): ApiJson<LoginRequest>) -> ApiResult<Response> {
    let now = hotline_acd::now_ms();
    let source = ip.0.as_deref().and_then(|a| a.parse().ok()).unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    let limiter = &state.0.limiter;
    if let Err(refused) = limiter.check(&req.username, source, now) {
        audit::record(&state, None, &ip, "login.rate_limited", Some(&req.username), format!("{refused:?}")).await;
        let (wait, message) = match refused {
            crate::limiter::Refused::Wait(s) => (s, format!("too many failed sign-ins from here; try again in {s} s")),
            crate::limiter::Refused::UserClosed(s) => {
                (s, format!("too many failed sign-ins for this user from elsewhere; sign in from a device you used before, ask an admin, or try again in {s} s"))
            }
        };
        let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message);
        e.retry_after_secs = Some(wait);
        return Err(e);
    }
    let user = state.db().user_by_username(&req.username).await?;
    let password = req.password.clone();
    let hash = user.as_ref().filter(|u| u.enabled).map_or(DUMMY_HASH.to_owned(), |u| u.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash)).await.unwrap_or(false);
    let Some(user) = user.filter(|u| ok && u.enabled) else {
        limiter.failed(&req.username, source, now);
        audit::record(&state, None, &ip, "login.failed", Some(&req.username), String::new()).await;
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "bad_credentials", "wrong user name or password"));
    };
    // The second factor, for users who have one.
    let mut totp = state.db().totp(&user.id).await?;
    if let Some(secret) = totp.secret.clone() {
        let Some(otp) = req.otp.as_deref().map(str::trim).filter(|o| !o.is_empty()) else {
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "second_factor_required", "enter the code from your authenticator app (or a recovery code)").field("otp"));
        };
        let unix = (now / 1000).max(0) as u64;
        let by_code = crate::totp::verify(&secret, otp, unix, totp.last_step.map(|s| s as u64));
        let recovery = crate::totp::recovery_hash(otp);
        let used_recovery = by_code.is_none() && totp.recovery.contains(&recovery);
        if by_code.is_none() && !used_recovery {
            limiter.failed(&req.username, source, now);
            audit::record(&state, None, &ip, "login.failed", Some(&req.username), "second factor".into()).await;
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "bad_credentials", "wrong or used code").field("otp"));
        }
        match by_code {
            Some(step) => totp.last_step = Some(step as i64),
            None => totp.recovery.retain(|h| *h != recovery),
        }
        state.db().set_totp(&user.id, &totp).await?;
        if used_recovery {
            audit::record(&state, None, &ip, "login.recovery_code", Some(&user.id), format!("{} left", totp.recovery.len())).await;
        }
    }
    limiter.succeeded(&req.username, source, now);
    let enrolment_required = totp.secret.is_none() && user.roles.iter().any(|r| state.0.settings.totp_required_roles.contains(r));
    let (token, token_hash) = auth::new_token();
    let expires_at = now + state.0.settings.session_ttl_ms;
    // A default password outside the demo, or one someone else chose (a
    // generated or reset password): this session may only change it.
    let password_change_required =
        (!state.0.settings.demo && auth::DEFAULT_PASSWORDS.contains(&req.password.as_str())) || state.db().must_change_password(&user.id).await?;
    let session = Session {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: user.id.clone(),
        token_hash,
        created_at: now,
        expires_at,
        ip: ip.0.clone(),
        last_seen_at: now,
        password_change_required,
        enrolment_required,
    };
    state.db().create_session(&session).await?;
    let actor = AuthUser {
        user_id: user.id.clone(),
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        roles: vec![],
        agent_id: user.agent_id.clone(),
        session_id: session.id.clone(),
        token_hash: session.token_hash.clone(),
        password_change_required,
        enrolment_required,
        unmasked: false,
    };
    audit::record(&state, Some(&actor), &ip, "login", Some(&user.id), String::new()).await;
    let cookie = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        state.0.settings.session_ttl_ms / 1000,
        if state.0.settings.secure_cookie { "; Secure" } else { "" }
    );
    let body = LoginResponse {
        token,
        expires_at,
        user: Me { id: user.id, username: user.username, display_name: user.display_name, roles: user.roles, agent_id: user.agent_id },
        password_change_required,
        second_factor_enrolment_required: enrolment_required,
    };
    let mut resp = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, ip: ClientIp, user: AuthUser) -> ApiResult<Response> {
    state.db().delete_session(&user.session_id).await?;
    crate::sessions::ended(&state, &user.session_id, &user.user_id, user.agent_id.as_deref(), "signed out").await;
    audit::record(&state, Some(&user), &ip, "logout", Some(&user.user_id), String::new()).await;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_static("hotline_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"));
    Ok(resp)
}

/// An admin opens a user closed after a guessing attack (audited).
#[utoipa::path(delete, path = "/api/v1/auth/lockouts/{username}", tag = "auth", security(("bearer" = ["admin"])), params(("username" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody)))]
pub async fn unlock(State(state): State<AppState>, ip: ClientIp, user: AuthUser, axum::extract::Path(username): axum::extract::Path<String>) -> StatusCode {
    state.0.limiter.unlock(&username);
    audit::record(&state, Some(&user), &ip, "login.unlock", Some(&username), String::new()).await;
    StatusCode::NO_CONTENT
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(user: AuthUser) -> Json<Me> {
    Json(Me {
        id: user.user_id,
        username: user.username,
        display_name: user.display_name,
        roles: user.roles.iter().map(|r| format!("{r:?}").to_lowercase()).collect(),
        agent_id: user.agent_id,
    })
}

/// A new password for the signed-in user.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// Changes one's own password (the current one proves it is you); held to
/// the password policy. Other sessions of the user stay open.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])), request_body = ChangePassword,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_password(State(state): State<AppState>, ip: ClientIp, user: AuthUser, ApiJson(r): ApiJson<ChangePassword>) -> ApiResult<StatusCode> {
    let stored = state.db().user(&user.user_id).await?.ok_or_else(ApiError::unauthorized)?;
    let (current, hash) = (r.current_password.clone(), stored.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&current, &hash)).await.unwrap_or(false);
    if !ok {
        return Err(ApiError::invalid("current_password", "not the current password"));
    }
    auth::check_password_policy(&user.username, &r.new_password).map_err(|why| ApiError::invalid("new_password", why))?;
    if r.new_password == r.current_password {
        return Err(ApiError::invalid("new_password", "must differ from the current password"));
    }
    let hash = auth::hash_password_off_thread(&r.new_password).await?;
    state.db().set_password(&user.user_id, &hash).await?;
    audit::record(&state, Some(&user), &ip, "password.change", Some(&user.user_id), String::new()).await;
    Ok(StatusCode::NO_CONTENT)
}

/// One of the signed-in user's sessions.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SessionDto {
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub ip: Option<String>,
    /// The session this request came with.
    pub current: bool,
}

/// The signed-in user's open sessions, newest first.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = [SessionDto]), (status = 401, body = ErrorBody)))]
pub async fn my_sessions(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<Vec<SessionDto>>> {
    let now = hotline_acd::now_ms();
    let list = state.db().sessions_of_user(&user.user_id, now).await?;
    Ok(Json(
        list.into_iter()
            .map(|s| SessionDto { current: s.id == user.session_id, id: s.id, created_at: s.created_at, last_seen_at: s.last_seen_at, expires_at: s.expires_at, ip: s.ip })
            .collect(),
    ))
}

/// Ends one of one's own sessions (a forgotten desk, a lost phone).
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "auth", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_session(State(state): State<AppState>, ip: ClientIp, user: AuthUser, axum::extract::Path(id): axum::extract::Path<String>) -> ApiResult<StatusCode> {
    let now = hotline_acd::now_ms();
    let mine = state.db().sessions_of_user(&user.user_id, now).await?.into_iter().any(|s| s.id == id);
    if !mine {
        return Err(ApiError::not_found("session", &id));
    }
    state.db().delete_session(&id).await?;
    crate::sessions::ended(&state, &id, &user.user_id, user.agent_id.as_deref(), "revoked").await;
    audit::record(&state, Some(&user), &ip, "session.revoke", Some(&id), String::new()).await;
    Ok(StatusCode::NO_CONTENT)
}

/// What an authenticator app enrols from.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TotpEnrolmentDto {
    /// Base32, for typing in by hand.
    pub secret: String,
    pub otpauth_uri: String,
    /// The URI as a QR code (SVG).
    pub qr_svg: String,
}

/// Starts setting up a second factor: a new secret, waiting for its first
/// code (`POST /api/v1/me/totp/confirm`). A factor already set up stays
/// until the new one is confirmed.
#[utoipa::path(post, path = "/api/v1/me/totp", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = TotpEnrolmentDto), (status = 401, body = ErrorBody)))]
pub async fn totp_start(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<TotpEnrolmentDto>> {
    let mut t = state.db().totp(&user.user_id).await?;
    let secret = crate::totp::new_secret();
    t.pending = Some(secret.clone());
    state.db().set_totp(&user.user_id, &t).await?;
    let uri = crate::totp::otpauth_uri("Hotline", &user.username, &secret);
    Ok(Json(TotpEnrolmentDto { qr_svg: crate::totp::qr_svg(&uri), otpauth_uri: uri, secret }))
}

/// A code from the authenticator app.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    pub code: String,
}

/// Recovery codes, shown once.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RecoveryCodesDto {
    pub recovery_codes: Vec<String>,
}

/// Confirms the waiting secret with its first code: from now on signing in
/// needs a code. Returns ten single-use recovery codes, shown only now.
#[utoipa::path(post, path = "/api/v1/me/totp/confirm", tag = "auth", security(("bearer" = [])), request_body = TotpCode,
    responses((status = 200, body = RecoveryCodesDto), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn totp_confirm(State(state): State<AppState>, ip: ClientIp, user: AuthUser, ApiJson(r): ApiJson<TotpCode>) -> ApiResult<Json<RecoveryCodesDto>> {
    let mut t = state.db().totp(&user.user_id).await?;
    let pending = t.pending.clone().ok_or_else(|| ApiError::conflict("no second factor is being set up: POST /api/v1/me/totp first"))?;
    let unix = (hotline_acd::now_ms() / 1000).max(0) as u64;
    let step = crate::totp::verify(&pending, &r.code, unix, None).ok_or_else(|| ApiError::invalid("code", "not the authenticator's current code"))?;
    let (codes, hashes) = crate::totp::recovery_codes();
    t = hotline_store::UserTotp { secret: Some(pending), pending: None, last_step: Some(step as i64), recovery: hashes };
    state.db().set_totp(&user.user_id, &t).await?;
    audit::record(&state, Some(&user), &ip, "totp.enable", Some(&user.user_id), String::new()).await;
    Ok(Json(RecoveryCodesDto { recovery_codes: codes }))
}

/// Turns one's second factor off, with a current code; not for roles that
/// must have one.
#[utoipa::path(delete, path = "/api/v1/me/totp", tag = "auth", security(("bearer" = [])), request_body = TotpCode,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn totp_disable(State(state): State<AppState>, ip: ClientIp, user: AuthUser, ApiJson(r): ApiJson<TotpCode>) -> ApiResult<StatusCode> {
    let required = user.roles.iter().any(|role| state.0.settings.totp_required_roles.contains(&format!("{role:?}").to_lowercase()));
    if required {
        return Err(ApiError::conflict("your role must sign in with a second factor"));
    }
    let t = state.db().totp(&user.user_id).await?;
    let secret = t.secret.clone().ok_or_else(|| ApiError::conflict("no second factor is set up"))?;
    let unix = (hotline_acd::now_ms() / 1000).max(0) as u64;
    crate::totp::verify(&secret, &r.code, unix, t.last_step.map(|s| s as u64)).ok_or_else(|| ApiError::invalid("code", "not the authenticator's current code"))?;
    state.db().set_totp(&user.user_id, &hotline_store::UserTotp::default()).await?;
    audit::record(&state, Some(&user), &ip, "totp.disable", Some(&user.user_id), String::new()).await;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(login))
        .routes(utoipa_axum::routes!(logout))
        .routes(utoipa_axum::routes!(unlock))
        .routes(utoipa_axum::routes!(me))
        .routes(utoipa_axum::routes!(change_password))
        .routes(utoipa_axum::routes!(my_sessions))
        .routes(utoipa_axum::routes!(revoke_session))
        .routes(utoipa_axum::routes!(totp_start, totp_disable))
        .routes(utoipa_axum::routes!(totp_confirm))
}
