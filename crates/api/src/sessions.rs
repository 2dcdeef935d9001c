//! What happens around sessions besides signing in: single-use tickets for
//! the event stream (so no token ever travels in a URL), ending a session
//! (sign-out, expiry) and what that ends with it — its open event streams
//! at once, and, for an agent with no session left, their place in routing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hotline_acd::StatusRequest;
use tokio::sync::broadcast;

use crate::auth::token_hash;
use crate::state::AppState;

/// How long a ticket may wait to be used.
pub const TICKET_TTL: Duration = Duration::from_secs(30);
/// Tickets outstanding at most (older ones are dropped first).
const MAX_TICKETS: usize = 10_000;

/// Single-use tickets: ticket hash → (session token hash, deadline).
#[derive(Default)]
pub struct Tickets {
    open: Mutex<HashMap<String, (String, Instant)>>,
}

impl Tickets {
    /// A new ticket standing for the session whose token hash is `session`.
    pub fn issue(&self, session: &str) -> String {
        let (ticket, hash) = crate::auth::new_token();
        let now = Instant::now();
        if let Ok(mut open) = self.open.lock() {
            open.retain(|_, (_, until)| *until > now);
            if open.len() >= MAX_TICKETS {
                if let Some(oldest) = open.iter().min_by_key(|(_, (_, until))| *until).map(|(k, _)| k.clone()) {
                    open.remove(&oldest);
                }
            }
            open.insert(hash, (session.to_owned(), now + TICKET_TTL));
        }
        ticket
    }

    /// The session token hash a ticket stands for; the ticket is used up.
    pub fn redeem(&self, ticket: &str) -> Option<String> {
        let mut open = self.open.lock().ok()?;
        let (session, until) = open.remove(&token_hash(ticket))?;
        (until > Instant::now()).then_some(session)
    }
}

/// Sessions that ended (their ids), for the streams they had open.
pub type Ended = broadcast::Sender<String>;

/// A session ended (sign-out, revocation, expiry): its streams close, and
/// an agent left with no session is taken out of routing.
pub async fn ended(state: &AppState, session_id: &str, user_id: &str, agent_id: Option<&str>, why: &'static str) {
    let _ = state.0.sessions_ended.send(session_id.to_owned());
    let Some(agent) = agent_id else { return };
    let now = hotline_acd::now_ms();
    match state.db().live_sessions_of_user(user_id, now).await {
        Ok(0) => {
            if let Err(e) = state.0.acd.set_status(agent, StatusRequest::LoggedOut).await {
                tracing::debug!(%agent, error = %e, "agent not logged out");
            } else {
                tracing::info!(%agent, why, "agent out of routing: no session left");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "sessions not counted"),
    }
}

/// Removes expired sessions every `every`, ending each as above.
pub fn spawn_sweeper(state: AppState, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            sweep(&state).await;
        }
    });
}

/// One pass of the sweeper.
pub async fn sweep(state: &AppState) {
    let now = hotline_acd::now_ms();
    state.0.limiter.purge(now);
    let db = state.db();
    let expired = match db.expired_sessions(now).await {
        Ok(e) => e,
        Err(e) => return tracing::warn!(error = %e, "expired sessions not read"),
    };
    if expired.is_empty() {
        return;
    }
    if let Err(e) = db.delete_expired_sessions(now).await {
        return tracing::warn!(error = %e, "expired sessions not removed");
    }
    for (session, user) in expired {
        let agent = db.user(&user).await.ok().flatten().and_then(|u| u.agent_id);
        ended(state, &session, &user, agent.as_deref(), "session expired").await;
    }
}
