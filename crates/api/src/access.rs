//! Who may call what: one declared table of route × role, enforced by one
//! middleware before any handler runs (so a body is never looked at for a
//! caller who may not send it: 401 or 403 come before 422).
//!
//! Every route of the API has exactly one row; a route without one is
//! refused (403) and logged, and `tests/access.rs` walks the OpenAPI
//! document with every role, and without a session, against this table.
//! Handlers still scope *data* by who asks (an agent's interaction list
//! holds their own calls; numbers are masked per role), but whether a role
//! may call a route at all is decided here and nowhere else.

use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{AuthUser, Role};
use crate::error::ApiError;
use crate::state::AppState;

/// What a route asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, signed in or not (sign-in, the public call page's calls).
    Public,
    /// Any signed-in user.
    SignedIn,
    /// A user holding one of these roles.
    Roles(&'static [Role]),
    /// The agent the path's `{id}` names (an agent acting for themself),
    /// or a user holding one of these roles.
    OwnAgentOr(&'static [Role]),
    /// A signed-in agent (a user with an agent record): their own
    /// softphone, their own calls.
    Agent,
    /// Any signed-in user, by session or by a single-use ticket in
    /// `?ticket=` (the event stream's WebSocket).
    SignedInOrTicket,
}

use Role::{Admin, Agent as AgentRole, Auditor, Qa, Supervisor};

const OFFICE: &[Role] = &[Admin, Supervisor];
const ADMIN: &[Role] = &[Admin];
const WORKERS: &[Role] = &[Admin, Supervisor, AgentRole, Qa];
const REVIEWERS: &[Role] = &[Admin, Supervisor, Qa, Auditor];

/// (method, path, rule): every route of the API. Health and metrics are
/// open by design (counts only, for load balancers and Prometheus).
pub const TABLE: &[(&str, &str, Rule)] = &[
    ("GET", "/healthz", Rule::Public),
    ("GET", "/readyz", Rule::Public),
    ("GET", "/metrics", Rule::Public),
    ("POST", "/api/v1/auth/login", Rule::Public),
    ("POST", "/api/v1/auth/logout", Rule::SignedIn),
    ("DELETE", "/api/v1/auth/lockouts/{username}", Rule::Roles(ADMIN)),
    ("GET", "/api/v1/me", Rule::SignedIn),
    ("POST", "/api/v1/me/password", Rule::SignedIn),
    ("GET", "/api/v1/me/sessions", Rule::SignedIn),
    ("DELETE", "/api/v1/me/sessions/{id}", Rule::SignedIn),
    ("POST", "/api/v1/me/totp", Rule::SignedIn),
    ("POST", "/api/v1/me/totp/confirm", Rule::SignedIn),
    ("DELETE", "/api/v1/me/totp", Rule::SignedIn),
    ("GET", "/api/v1/users", Rule::Roles(ADMIN)),
    ("PATCH", "/api/v1/users/{id}", Rule::Roles(ADMIN)),
    ("GET", "/api/v1/skills", Rule::SignedIn),
    ("POST", "/api/v1/skills", Rule::Roles(ADMIN)),
    ("PATCH", "/api/v1/skills/{id}", Rule::Roles(ADMIN)),
    ("GET", "/api/v1/queues", Rule::SignedIn),
    ("POST", "/api/v1/queues", Rule::Roles(ADMIN)),
    ("GET", "/api/v1/queues/{id}", Rule::SignedIn),
    ("PATCH", "/api/v1/queues/{id}", Rule::Roles(ADMIN)),
    ("GET", "/api/v1/queues/{id}/stats", Rule::SignedIn),
    ("GET", "/api/v1/agents", Rule::SignedIn),
    ("POST", "/api/v1/agents", Rule::Roles(ADMIN)),
    ("GET", "/api/v1/agents/{id}", Rule::SignedIn),
    ("PATCH", "/api/v1/agents/{id}", Rule::Roles(OFFICE)),
    ("GET", "/api/v1/agents/{id}/state", Rule::OwnAgentOr(&[Admin, Supervisor, Qa])),
    ("PUT", "/api/v1/agents/{id}/state", Rule::OwnAgentOr(OFFICE)),
    ("PUT", "/api/v1/agents/{id}/sip-password", Rule::Roles(ADMIN)),
    ("POST", "/api/v1/agents/{id}/wrap-up/end", Rule::OwnAgentOr(OFFICE)),
    ("GET", "/api/v1/agent-states", Rule::Roles(&[Admin, Supervisor, Qa])),
    ("GET", "/api/v1/reason-codes", Rule::SignedIn),
    ("GET", "/api/v1/wrap-up-codes", Rule::SignedIn),
    // Offers and contacts: whose offer it is, routing checks.
    ("POST", "/api/v1/offers/{id}/accept", Rule::Roles(&[Admin, Supervisor, AgentRole])),
    ("POST", "/api/v1/offers/{id}/reject", Rule::Roles(&[Admin, Supervisor, AgentRole])),
    ("POST", "/api/v1/contacts", Rule::Roles(OFFICE)),
    ("POST", "/api/v1/contacts/{id}/finish", Rule::Roles(&[Admin, Supervisor, AgentRole])),
    ("POST", "/api/v1/contacts/{id}/abandon", Rule::Roles(OFFICE)),
    ("GET", "/api/v1/audit", Rule::Roles(&[Admin, Auditor])),
    // Interactions: agents see their own (the handlers scope the rows).
    ("GET", "/api/v1/interactions", Rule::SignedIn),
    ("GET", "/api/v1/interactions/{id}", Rule::SignedIn),
    ("PATCH", "/api/v1/interactions/{id}", Rule::Roles(&[Admin, Supervisor, AgentRole])),
    ("GET", "/api/v1/interactions/{id}/screen-pop", Rule::Roles(WORKERS)),
    ("GET", "/api/v1/customers", Rule::Roles(WORKERS)),
    ("GET", "/api/v1/customers/{id}", Rule::Roles(WORKERS)),
    ("PUT", "/api/v1/softphone", Rule::Agent),
    ("POST", "/api/v1/calls/{contact}/answer", Rule::Agent),
    ("POST", "/api/v1/calls/{contact}/hangup", Rule::Agent),
    ("GET", "/api/v1/public/call-token", Rule::Public),
    ("POST", "/api/v1/public/calls/{number}", Rule::Public),
    ("POST", "/api/v1/public/calls/{token}/hangup", Rule::Public),
    ("GET", "/api/v1/recordings/{id}/audio", Rule::Roles(REVIEWERS)),
    ("GET", "/api/v1/ivr/flows", Rule::Roles(OFFICE)),
    ("GET", "/api/v1/ivr/flows/{id}", Rule::Roles(OFFICE)),
    ("PUT", "/api/v1/ivr/flows/{id}", Rule::Roles(ADMIN)),
    ("POST", "/api/v1/ivr/flows/{id}/versions/{version}/publish", Rule::Roles(ADMIN)),
    ("GET", "/api/v1/ivr/numbers", Rule::Roles(OFFICE)),
    ("PUT", "/api/v1/ivr/numbers/{number}", Rule::Roles(ADMIN)),
    ("PUT", "/api/v1/ivr/numbers/{number}/broadcast", Rule::Roles(OFFICE)),
    ("DELETE", "/api/v1/ivr/numbers/{number}/broadcast", Rule::Roles(OFFICE)),
    ("GET", "/api/v1/ivr/broadcasts", Rule::Roles(OFFICE)),
    ("GET", "/api/v1/prompts", Rule::Roles(OFFICE)),
    ("GET", "/api/v1/prompts/{name}", Rule::Roles(OFFICE)),
    ("PUT", "/api/v1/prompts/{name}", Rule::Roles(ADMIN)),
    ("GET", "/api/v1/sip/guard", Rule::Roles(ADMIN)),
    ("DELETE", "/api/v1/sip/guard/bans/{ip}", Rule::Roles(ADMIN)),
    ("GET", "/api/v1/events", Rule::SignedInOrTicket),
    ("POST", "/api/v1/events/ticket", Rule::SignedIn),
    ("GET", "/api/v1/openapi.json", Rule::SignedIn),
];

/// What a session opened with a default password may call.
const PASSWORD_CHANGE_ROUTES: &[&str] = &["/api/v1/me", "/api/v1/me/password", "/api/v1/me/sessions", "/api/v1/auth/logout"];

/// What a session that must set up a second factor may call.
const ENROLMENT_ROUTES: &[&str] = &["/api/v1/me", "/api/v1/me/totp", "/api/v1/me/totp/confirm", "/api/v1/me/password", "/api/v1/auth/logout"];

/// The rule of a route, if it has one.
pub fn rule(method: &Method, path: &str) -> Option<Rule> {
    TABLE.iter().find(|(m, p, _)| *m == method.as_str() && *p == path).map(|(_, _, r)| *r)
}

/// Whether `user` passes `rule` for a request whose `{id}` is `id`.
pub fn allows(rule: Rule, user: &AuthUser, id: Option<&str>) -> bool {
    let any = |roles: &[Role]| roles.iter().any(|r| user.has(*r));
    match rule {
        Rule::Public | Rule::SignedIn | Rule::SignedInOrTicket => true,
        Rule::Roles(roles) => any(roles),
        Rule::OwnAgentOr(roles) => any(roles) || (user.agent_id.is_some() && user.agent_id.as_deref() == id),
        Rule::Agent => user.agent_id.is_some() && user.has(AgentRole),
    }
}

/// The middleware: finds the route's rule, signs the caller in (once; the
/// handler's `AuthUser` reuses it), and lets the request through or
/// answers 401 or 403.
pub async fn enforce(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    params: Result<RawPathParams, axum::extract::rejection::RawPathParamsRejection>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = matched.as_ref().map_or(req.uri().path(), MatchedPath::as_str).to_owned();
    let Some(rule) = rule(req.method(), &path) else {
        // Unmatched paths fall through to the 404 fallback; a matched route
        // without a rule is a mistake, refused until it gets one.
        if matched.is_none() {
            return next.run(req).await;
        }
        tracing::error!(method = %req.method(), %path, "route without an access rule: refused");
        return ApiError::forbidden().into_response();
    };
    if rule == Rule::Public {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let ticket = (rule == Rule::SignedInOrTicket)
        .then(|| parts.uri.query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("ticket="))).map(str::to_owned))
        .flatten();
    let signed_in = match ticket {
        Some(t) => match state.0.tickets.redeem(&t) {
            Some(hash) => AuthUser::of_session(&hash, &state).await,
            None => Err(ApiError::unauthorized()),
        },
        None => AuthUser::authenticate(&mut parts, &state).await,
    };
    let user = match signed_in {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let id = params.ok().and_then(|p| p.iter().find(|(k, _)| *k == "id").map(|(_, v)| v.to_owned()));
    if !allows(rule, &user, id.as_deref()) {
        return ApiError::forbidden().into_response();
    }
    // A session opened with a default password may only change it; one of
    // a role that must use a second factor, none set up, may only set it up.
    if user.password_change_required && !PASSWORD_CHANGE_ROUTES.contains(&path.as_str()) {
        return ApiError::new(axum::http::StatusCode::FORBIDDEN, "password_change_required", "change the default password first: POST /api/v1/me/password")
            .into_response();
    }
    if user.enrolment_required && !ENROLMENT_ROUTES.contains(&path.as_str()) {
        return ApiError::new(axum::http::StatusCode::FORBIDDEN, "second_factor_required", "set up a second factor first: POST /api/v1/me/totp")
            .into_response();
    }
    parts.extensions.insert(user);
    req = Request::from_parts(parts, body);
    next.run(req).await
}
