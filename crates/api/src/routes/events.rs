//! `GET /api/v1/events`: a WebSocket of typed JSON events.
//!
//! Each message is `{"seq": n, "at": ms, "type": "...", ...fields}`. Admins
//! and supervisors see everything; an agent sees queue-level events and
//! their own; QA and auditors see queue-level events only. A client that
//! falls too far behind gets a `{"type":"lagged","missed":n}` message and
//! keeps going. The stream closes (code 4001) the moment its session ends
//! (sign-out, revocation, expiry, the user disabled); when an admin changes
//! the user's roles it says so (`roles_changed`) and filters by the new ones
//! from the next event on.
//!
//! A browser's upgrade carries the session cookie; a client that cannot
//! send a header or cookie first asks `POST /api/v1/events/ticket` for a
//! single-use ticket valid 30 s and opens `?ticket=`: tokens never appear
//! in URLs.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::rejection::QueryRejection;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use hotline_events::{Envelope, Event, Resumed};
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use crate::auth::{AuthUser, Role};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/events", tag = "events", security(("bearer" = []), ("ticket" = [])),
    params(("since" = Option<u64>, Query, description = "Resume after this sequence number: kept events after it are replayed first")),
    description = "Upgrades to a WebSocket streaming JSON events (agent_state, contact_queued, contact_offered, offer_ended, contact_answered, contact_abandoned, contact_overflowed, contact_gave_up, contact_finished). Signed in by the session (header or cookie) or by `?ticket=` from POST /api/v1/events/ticket.",
    responses((status = 101, description = "switching to WebSocket"), (status = 401, body = ErrorBody)))]
pub async fn stream(
    State(state): State<AppState>,
    user: AuthUser,
    q: Result<Query<StreamQuery>, QueryRejection>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|_| ApiError::invalid("since", "a sequence number: digits only"))?;
    let ws = ws.map_err(|e| ApiError::new(e.status(), "websocket_required", "open this URL as a WebSocket"))?;
    let resumed = match q.since {
        Some(after) => state.0.bus.subscribe_since(after),
        None => Resumed { replay: Vec::new(), missed: 0, live: state.0.bus.subscribe() },
    };
    let watch = Watch { ended: state.0.sessions_ended.subscribe(), changed: state.0.users_changed.subscribe() };
    Ok(ws.on_upgrade(move |socket| pump(socket, resumed, user, watch, state)))
}

/// A single-use ticket for opening the event stream.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TicketDto {
    pub ticket: String,
    pub expires_in_secs: u64,
}

#[utoipa::path(post, path = "/api/v1/events/ticket", tag = "events", security(("bearer" = [])),
    description = "A ticket that opens GET /api/v1/events?ticket=… once, within 30 s, as the session that asked for it.",
    responses((status = 200, body = TicketDto), (status = 401, body = ErrorBody)))]
pub async fn ticket(State(state): State<AppState>, user: AuthUser) -> axum::Json<TicketDto> {
    let ticket = state.0.tickets.issue(&user.token_hash);
    axum::Json(TicketDto { ticket, expires_in_secs: crate::sessions::TICKET_TTL.as_secs() })
}

/// Query of `GET /api/v1/events`.
#[derive(Debug, serde::Deserialize)]
pub struct StreamQuery {
    /// Resume after this sequence number.
    pub since: Option<u64>,
}

/// What can end or change a stream from outside: its session ending, its
/// user's roles or standing changing.
struct Watch {
    ended: tokio::sync::broadcast::Receiver<String>,
    changed: tokio::sync::broadcast::Receiver<String>,
}

async fn pump(mut socket: WebSocket, resumed: Resumed, mut user: AuthUser, watch: Watch, state: AppState) {
    let Watch { mut ended, mut changed } = watch;
    // An open stream is use: the session does not end as idle meanwhile.
    let mut alive = tokio::time::interval(std::time::Duration::from_secs(300));
    let Resumed { replay, missed, live: mut rx } = resumed;
    let hello = json!({"type": "hello", "user": user.username});
    if socket.send(Message::Text(hello.to_string().into())).await.is_err() {
        return;
    }
    if missed > 0 {
        let m = json!({"type": "lagged", "missed": missed});
        if socket.send(Message::Text(m.to_string().into())).await.is_err() {
            return;
        }
    }
    for env in replay.iter().filter(|e| visible(&user, &e.event)) {
        if socket.send(Message::Text(to_json(env).to_string().into())).await.is_err() {
            return;
        }
    }
    loop {
        // Ends and changes first: a session that ended or a role taken away
        // stops what the stream shows at once, even events already queued.
        tokio::select! {
            biased;
            gone = ended.recv() => match gone {
                Ok(session) if session == user.session_id => {
                    return session_ended(&mut socket).await;
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            who = changed.recv() => match who {
                Ok(id) if id == user.user_id => {
                    // Filter by the roles as they are now, or close if the user may no longer sign in.
                    match state.db().user(&id).await {
                        Ok(Some(u)) if u.enabled => {
                            user.roles = u.roles.iter().filter_map(|r| Role::parse(r)).collect();
                            let m = json!({"type": "roles_changed", "roles": u.roles});
                            if socket.send(Message::Text(m.to_string().into())).await.is_err() { return; }
                        }
                        _ => {
                            return session_ended(&mut socket).await;
                        }
                    }
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            msg = rx.recv() => match msg {
                Ok(env) => {
                    if !visible(&user, &env.event) { continue; }
                    if socket.send(Message::Text(to_json(&env).to_string().into())).await.is_err() { return; }
                }
                Err(RecvError::Lagged(missed)) => {
                    let m = json!({"type": "lagged", "missed": missed});
                    if socket.send(Message::Text(m.to_string().into())).await.is_err() { return; }
                }
                Err(RecvError::Closed) => return,
            },
            _ = alive.tick() => {
                if let Err(e) = state.db().touch_session(&user.session_id, hotline_acd::now_ms()).await {
                    tracing::debug!(error = %e, "session not touched");
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Closes a stream whose session (or user) is no more, with code 4001.
async fn session_ended(socket: &mut WebSocket) {
    let bye = axum::extract::ws::CloseFrame { code: 4001, reason: "session ended".into() };
    let _ = socket.send(Message::Close(Some(bye))).await;
}

/// Who may see what.
pub fn visible(user: &AuthUser, e: &Event) -> bool {
    if user.has(Role::Admin) || user.has(Role::Supervisor) {
        return true;
    }
    // A wall display shows the board (alerts included), never who is listening.
    if user.has(Role::Display) {
        return !matches!(e, Event::CallMonitored { .. });
    }
    if e.supervisors_only() {
        return false;
    }
    match e.agent_id() {
        None => true,
        Some(agent) => user.has(Role::Agent) && user.agent_id.as_deref() == Some(agent),
    }
}

pub fn to_json(env: &Envelope) -> Value {
    let (kind, mut body) = match &env.event {
        Event::AgentState { agent_id, extension, status, reason, state } => {
            ("agent_state", json!({"agent_id": agent_id, "extension": extension, "status": status, "reason": reason, "state": state}))
        }
        Event::ContactQueued { contact_id, queue_id, channel } => {
            ("contact_queued", json!({"contact_id": contact_id, "queue_id": queue_id, "channel": channel}))
        }
        Event::ContactOffered { contact_id, queue_id, agent_id, offer_id, expires_at } => (
            "contact_offered",
            json!({"contact_id": contact_id, "queue_id": queue_id, "agent_id": agent_id, "offer_id": offer_id, "expires_at": expires_at}),
        ),
        Event::OfferEnded { contact_id, agent_id, offer_id, end } => {
            ("offer_ended", json!({"contact_id": contact_id, "agent_id": agent_id, "offer_id": offer_id, "end": end}))
        }
        Event::ContactAnswered { contact_id, queue_id, agent_id, waited_ms } => {
            ("contact_answered", json!({"contact_id": contact_id, "queue_id": queue_id, "agent_id": agent_id, "waited_ms": waited_ms}))
        }
        Event::ContactAbandoned { contact_id, queue_id, waited_ms } => {
            ("contact_abandoned", json!({"contact_id": contact_id, "queue_id": queue_id, "waited_ms": waited_ms}))
        }
        Event::ContactOverflowed { contact_id, from_queue, to_queue } => {
            ("contact_overflowed", json!({"contact_id": contact_id, "from_queue": from_queue, "to_queue": to_queue}))
        }
        Event::ContactGaveUp { contact_id, queue_id, action, waited_ms } => {
            ("contact_gave_up", json!({"contact_id": contact_id, "queue_id": queue_id, "action": action, "waited_ms": waited_ms}))
        }
        Event::ContactFinished { contact_id, agent_id } => ("contact_finished", json!({"contact_id": contact_id, "agent_id": agent_id})),
        Event::CallHeld { contact_id, agent_id, held, count, total_ms } => {
            ("call_held", json!({"contact_id": contact_id, "agent_id": agent_id, "held": held, "count": count, "total_ms": total_ms}))
        }
        Event::CallMonitored { contact_id, agent_id, supervisor_id, mode, indicator } => (
            "call_monitored",
            json!({"contact_id": contact_id, "agent_id": agent_id, "supervisor_id": supervisor_id, "mode": mode, "indicator": indicator}),
        ),
        Event::Alert { id, change, kind, queue_id, subject, value, threshold, acked_by } => (
            "alert",
            json!({"id": id, "change": change, "kind": kind, "queue_id": queue_id, "subject": subject, "value": value, "threshold": threshold, "acked_by": acked_by}),
        ),
    };
    if let Value::Object(m) = &mut body {
        m.insert("seq".into(), json!(env.seq));
        m.insert("at".into(), json!(env.at));
        m.insert("type".into(), json!(kind));
    }
    body
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(stream))
        .routes(utoipa_axum::routes!(ticket))
}
