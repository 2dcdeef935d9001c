//! Web users and their login sessions.

use sqlx::any::AnyRow;

use crate::db::{flag, to_json, RowExt};
use crate::error::{conflict_or, Result, StoreError};
use crate::{now_ms, NewUser, Session, TenantStore, User, UserTotp};

const USER_COLS: &str = "u.id, u.username, u.display_name, u.password_hash, u.roles, u.agent_id, u.enabled, u.created_at";

fn session_row(r: &AnyRow, user_id: &str) -> Result<Session> {
    Ok(Session {
        id: r.text("session_id")?,
        user_id: user_id.to_owned(),
        token_hash: r.text("token_hash")?,
        created_at: r.int("session_created_at")?,
        expires_at: r.int("expires_at")?,
        ip: r.opt_text("ip")?,
        last_seen_at: r.int("last_seen_at")?,
        password_change_required: r.flag("password_change_required")?,
        enrolment_required: r.flag("enrolment_required")?,
    })
}

fn user_row(r: &AnyRow) -> Result<User> {
    Ok(User {
        id: r.text("id")?,
        username: r.text("username")?,
        display_name: r.text("display_name")?,
        password_hash: r.text("password_hash")?,
        roles: r.json("roles")?,
        agent_id: r.opt_text("agent_id")?,
        enabled: r.flag("enabled")?,
        created_at: r.int("created_at")?,
    })
}

impl TenantStore {
    /// Creates an enabled user with a new UUID v7 id. A taken user name is a
    /// [`StoreError::Conflict`].
    pub async fn create_user(&self, u: NewUser) -> Result<User> {
        let user = User {
            id: uuid::Uuid::now_v7().to_string(),
            username: u.username,
            display_name: u.display_name,
            password_hash: u.password_hash,
            roles: u.roles,
            agent_id: u.agent_id,
            enabled: true,
            created_at: now_ms(),
        };
        sqlx::query(
            "INSERT INTO users (tenant_id, id, username, display_name, password_hash, roles, agent_id, enabled, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&*self.tenant)
        .bind(&user.id)
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(to_json(&user.roles)?)
        .bind(&user.agent_id)
        .bind(flag(user.enabled))
        .bind(user.created_at)
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_or(e, "user", &user.username))?;
        Ok(user)
    }

    /// Saves a user's name, password hash, roles, agent link and enabled flag.
    pub async fn update_user(&self, u: &User) -> Result<()> {
        let done = sqlx::query(
            "UPDATE users SET username = $1, display_name = $2, password_hash = $3, roles = $4, agent_id = $5, enabled = $6 \
             WHERE tenant_id = $7 AND id = $8",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.password_hash)
        .bind(to_json(&u.roles)?)
        .bind(&u.agent_id)
        .bind(flag(u.enabled))
        .bind(&*self.tenant)
        .bind(&u.id)
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_or(e, "user", &u.username))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                entity: "user",
                id: u.id.clone(),
            });
        }
        Ok(())
    }

    /// The user with this user name (exact match), enabled or not.
    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let sql =
            format!("SELECT {USER_COLS} FROM users u WHERE u.tenant_id = $1 AND u.username = $2");
        let row = sqlx::query(&sql)
            .bind(&*self.tenant)
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_row).transpose()
    }

    /// The user with this id.
    pub async fn user(&self, id: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.tenant_id = $1 AND u.id = $2");
        let row = sqlx::query(&sql)
            .bind(&*self.tenant)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_row).transpose()
    }

    /// Every user, by user name.
    pub async fn list_users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.tenant_id = $1");
        let rows = sqlx::query(&sql)
            .bind(&*self.tenant)
            .fetch_all(&self.pool)
            .await?;
        let mut users = rows.iter().map(user_row).collect::<Result<Vec<_>>>()?;
        users.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(users)
    }

    /// Records a new session.
    pub async fn create_session(&self, s: &Session) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (tenant_id, id, user_id, token_hash, created_at, expires_at, ip, last_seen_at, password_change_required, enrolment_required) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&*self.tenant)
        .bind(&s.id)
        .bind(&s.user_id)
        .bind(&s.token_hash)
        .bind(s.created_at)
        .bind(s.expires_at)
        .bind(&s.ip)
        .bind(s.last_seen_at)
        .bind(flag(s.password_change_required))
        .bind(flag(s.enrolment_required))
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_or(e, "session", &s.id))?;
        Ok(())
    }

    /// The session with this token hash and its user, if the session has
    /// not reached its end at `now`, was used after `idle_since`, and the
    /// user is enabled.
    pub async fn session_by_token_hash(
        &self,
        token_hash: &str,
        now: i64,
        idle_since: i64,
    ) -> Result<Option<(Session, User)>> {
        let sql = format!(
            "SELECT s.id AS session_id, s.token_hash, s.created_at AS session_created_at, s.expires_at, s.ip, \
             s.last_seen_at, s.password_change_required, s.enrolment_required, {USER_COLS} \
             FROM sessions s JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id \
             WHERE s.tenant_id = $1 AND s.token_hash = $2 AND s.expires_at > $3 AND s.last_seen_at > $4 AND u.enabled = 1"
        );
        let row = sqlx::query(&sql)
            .bind(&*self.tenant)
            .bind(token_hash)
            .bind(now)
            .bind(idle_since)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let user = user_row(&r)?;
        let session = session_row(&r, &user.id)?;
        Ok(Some((session, user)))
    }

    /// Notes that a session was used at `now`.
    pub async fn touch_session(&self, id: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(&*self.tenant)
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sets a password someone else chose (generated for a new account, or
    /// an admin's reset): it signs in once, to a session that may only
    /// change it.
    pub async fn set_one_time_password(&self, user_id: &str, password_hash: &str) -> Result<()> {
        self.write_password(user_id, password_hash, true).await
    }

    async fn write_password(&self, user_id: &str, password_hash: &str, one_time: bool) -> Result<()> {
        let done = sqlx::query("UPDATE users SET password_hash = $3, must_change_password = $4 WHERE tenant_id = $1 AND id = $2")
            .bind(&*self.tenant)
            .bind(user_id)
            .bind(password_hash)
            .bind(i64::from(one_time))
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { entity: "user", id: user_id.to_owned() });
        }
        Ok(())
    }

    /// Whether the user's password was chosen by someone else and must be
    /// changed at sign-in.
    pub async fn must_change_password(&self, user_id: &str) -> Result<bool> {
        let row = sqlx::query("SELECT must_change_password FROM users WHERE tenant_id = $1 AND id = $2")
            .bind(&*self.tenant)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => r.flag("must_change_password")?,
            None => false,
        })
    }

    /// The live sessions of a user, newest first.
    pub async fn sessions_of_user(&self, user_id: &str, now: i64) -> Result<Vec<Session>> {
        let rows = sqlx::query(
            "SELECT s.id AS session_id, s.token_hash, s.created_at AS session_created_at, s.expires_at, s.ip, s.last_seen_at, \
             s.password_change_required, s.enrolment_required FROM sessions s WHERE s.tenant_id = $1 AND s.user_id = $2 AND s.expires_at > $3 \
             ORDER BY s.created_at DESC",
        )
        .bind(&*self.tenant)
        .bind(user_id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| session_row(r, user_id)).collect()
    }

    /// A user's second factor (empty when none was ever set up).
    pub async fn totp(&self, user_id: &str) -> Result<UserTotp> {
        let row = sqlx::query("SELECT secret, pending, last_step, recovery FROM user_totp WHERE tenant_id = $1 AND user_id = $2")
            .bind(&*self.tenant)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(UserTotp::default()) };
        Ok(UserTotp { secret: r.opt_text("secret")?, pending: r.opt_text("pending")?, last_step: r.opt_int("last_step")?, recovery: r.json("recovery")? })
    }

    /// Stores a user's second factor; a confirmed one lifts the enrolment
    /// restriction of their sessions.
    pub async fn set_totp(&self, user_id: &str, t: &UserTotp) -> Result<()> {
        sqlx::query(
            "INSERT INTO user_totp (tenant_id, user_id, secret, pending, last_step, recovery) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (tenant_id, user_id) DO UPDATE SET secret = excluded.secret, pending = excluded.pending, \
             last_step = excluded.last_step, recovery = excluded.recovery",
        )
        .bind(&*self.tenant)
        .bind(user_id)
        .bind(&t.secret)
        .bind(&t.pending)
        .bind(t.last_step)
        .bind(to_json(&t.recovery)?)
        .execute(&self.pool)
        .await?;
        if t.secret.is_some() {
            sqlx::query("UPDATE sessions SET enrolment_required = 0 WHERE tenant_id = $1 AND user_id = $2")
                .bind(&*self.tenant)
                .bind(user_id)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Sets a user's password hash; the sessions it required a change of
    /// no longer do.
    pub async fn set_password(&self, user_id: &str, password_hash: &str) -> Result<()> {
        self.write_password(user_id, password_hash, false).await?;
        sqlx::query("UPDATE sessions SET password_change_required = 0 WHERE tenant_id = $1 AND user_id = $2")
            .bind(&*self.tenant)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends a session (logout). Ending an unknown session is not an error.
    pub async fn delete_session(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND id = $2")
            .bind(&*self.tenant)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sessions expired at `now` and not yet removed: (session id, user id).
    pub async fn expired_sessions(&self, now: i64) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT id, user_id FROM sessions WHERE tenant_id = $1 AND expires_at <= $2 ORDER BY id")
            .bind(&*self.tenant)
            .bind(now)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.text("id")?, r.text("user_id")?))).collect()
    }

    /// How many sessions of `user_id` are live at `now`.
    pub async fn live_sessions_of_user(&self, user_id: &str, now: i64) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND expires_at > $3")
            .bind(&*self.tenant)
            .bind(user_id)
            .bind(now)
            .fetch_one(&self.pool)
            .await?;
        row.int("n")
    }

    /// Removes sessions expired at `now`; returns how many.
    pub async fn delete_expired_sessions(&self, now: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND expires_at <= $2")
            .bind(&*self.tenant)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
