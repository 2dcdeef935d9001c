//! Passwords, sessions and roles.
//!
//! Passwords are hashed with argon2id (PHC strings). A login creates a random
//! 256-bit token; only its SHA-256 is stored, so a copy of the database does
//! not hold usable sessions. The token travels as a bearer token or as the
//! `hotline_session` cookie (HttpOnly, SameSite=Strict) — never in a URL,
//! where logs and browser history would keep it. WebSocket clients that
//! cannot send either ask for a short-lived single-use ticket instead
//! (`routes::events`).

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::header;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

pub const COOKIE: &str = "hotline_session";

pub use crate::roles::Role;

/// Passwords an installation ships with (the demo's): signing in with one
/// outside the demo opens a session that may only change it.
pub const DEFAULT_PASSWORDS: &[&str] = &["demo", "admin", "password", "hotline"];

/// Passwords nobody should choose.
const COMMON: &[&str] = &["password", "passw0rd", "12345678", "123456789", "1234567890", "qwertyuiop", "11111111", "88888888", "iloveyou", "admin123", "hotline123", "welcome1", "abc12345", "a1234567"];

/// The password policy: at least 10 characters; a long passphrase (16 or
/// more) or three kinds of characters (lower, upper, digits, others); not
/// the user name, not a well-known password. `Err` says what is wrong.
pub fn check_password_policy(username: &str, password: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if !(10..=128).contains(&n) {
        return Err("10 to 128 characters");
    }
    if password.chars().any(char::is_control) {
        return Err("no control characters");
    }
    let lower = password.to_lowercase();
    if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        return Err("must not contain the user name");
    }
    if COMMON.contains(&lower.as_str()) || DEFAULT_PASSWORDS.contains(&lower.as_str()) {
        return Err("too well known");
    }
    let kinds = [password.chars().any(|c| c.is_lowercase()), password.chars().any(|c| c.is_uppercase()), password.chars().any(|c| c.is_ascii_digit()), password.chars().any(|c| !c.is_alphanumeric())]
        .iter()
        .filter(|k| **k)
        .count();
    if n < 16 && kinds < 3 {
        return Err("at least three of: lower case, upper case, digits, other characters (or 16 characters or more)");
    }
    Ok(())
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            ApiError::internal()
        })
}

/// [`hash_password`] on the blocking pool (argon2 takes tens of
/// milliseconds of CPU by design; the async workers are not for that).
pub async fn hash_password_off_thread(password: &str) -> Result<String, ApiError> {
    let p = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&p)).await.map_err(|_| ApiError::internal())?
}

/// A random password of `len` letters and digits (for a new account or an
/// admin's reset; shown once, then only its hash is kept).
pub fn generated_password(len: usize) -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::thread_rng(), len)
}

/// Checks a password against a stored PHC string. A malformed hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A new random session token (hex) and the hash that is stored.
pub fn new_token() -> (String, String) {
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let token = hex::encode(raw);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The signed-in user of a request. Extracting it fails with 401 when there
/// is no valid session.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub agent_id: Option<String>,
    pub session_id: String,
    /// The hash of the session's token (a ticket stands for it).
    pub token_hash: String,
    /// Opened with a default password: may only change it.
    pub password_change_required: bool,
    /// Must set up a second factor first.
    pub enrolment_required: bool,
    /// Sees phone numbers in full (the center's `unmasked_roles`).
    pub unmasked: bool,
}

impl AuthUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Ok if the user holds any of `roles`; 403 otherwise.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.iter().any(|r| self.has(*r)) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// Supervisors and admins act for any agent; an agent only for themself.
    pub fn may_act_for_agent(&self, agent_id: &str) -> bool {
        self.has(Role::Admin) || self.has(Role::Supervisor) || self.agent_id.as_deref() == Some(agent_id)
    }
}

fn token_from_parts(parts: &Parts) -> Option<String> {
    if let Some(v) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        if let Some(t) = v.strip_prefix("Bearer ") {
            return Some(t.trim().to_owned());
        }
    }
    for cookie in parts.headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()) {
        for pair in cookie.split(';') {
            if let Some((k, v)) = pair.trim().split_once('=') {
                if k == COOKIE {
                    return Some(v.to_owned());
                }
            }
        }
    }
    None
}

impl AuthUser {
    /// Signs the request's caller in from its bearer token or session
    /// cookie; 401 without a valid session.
    pub async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<AuthUser, ApiError> {
        let token = token_from_parts(parts).ok_or_else(ApiError::unauthorized)?;
        AuthUser::of_session(&token_hash(&token), state).await
    }

    /// The user of the live session whose token hash is `hash`; 401 if none.
    pub async fn of_session(hash: &str, state: &AppState) -> Result<AuthUser, ApiError> {
        let now = hotline_acd::now_ms();
        let idle_since = now - state.0.settings.session_idle_ms;
        let (session, user) = state
            .db()
            .session_by_token_hash(hash, now, idle_since)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        // Use keeps a session alive (written at most once a minute).
        if now - session.last_seen_at > 60_000 {
            state.db().touch_session(&session.id, now).await?;
        }
        let roles: Vec<Role> = user.roles.iter().filter_map(|r| Role::parse(r)).collect();
        Ok(AuthUser {
            unmasked: state.0.center.get().unmasked(&roles),
            user_id: user.id,
            username: user.username,
            display_name: user.display_name,
            roles,
            agent_id: user.agent_id,
            session_id: session.id,
            token_hash: session.token_hash,
            password_change_required: session.password_change_required,
            enrolment_required: session.enrolment_required,
        })
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    /// The user the access middleware signed in, else signs in now.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(user) = parts.extensions.get::<AuthUser>() {
            return Ok(user.clone());
        }
        AuthUser::authenticate(parts, state).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_policy() {
        assert_eq!(check_password_policy("agent1", "short"), Err("10 to 128 characters"));
        assert_eq!(check_password_policy("agent1", "Agent1-desk-2026"), Err("must not contain the user name"));
        assert_eq!(check_password_policy("agent1", "password"), Err("10 to 128 characters"));
        assert_eq!(check_password_policy("agent1", "1234567890"), Err("too well known"));
        assert!(check_password_policy("agent1", "alllowercase").is_err());
        assert_eq!(check_password_policy("agent1", "Desk-2026-ok"), Ok(()));
        assert_eq!(check_password_policy("agent1", "correct horse battery staple"), Ok(()), "a long passphrase");
        assert_eq!(check_password_policy("王小明", "这是一个很长的中文密码短语吧对吧对吧"), Ok(()));
    }

    #[test]
    fn argon2id_round_trip() {
        let h = hash_password("demo").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("demo", &h));
        assert!(!verify_password("Demo", &h));
        assert!(!verify_password("demo", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_only_hashes_are_kept() {
        let (t1, h1) = new_token();
        let (t2, _) = new_token();
        assert_ne!(t1, t2);
        assert_eq!(t1.len(), 64);
        assert_eq!(h1, token_hash(&t1));
        assert_ne!(h1, t1);
    }
}
