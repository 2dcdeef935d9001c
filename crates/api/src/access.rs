//! Who may call what: each route declares its rule where it is declared,
//! in its handler's `#[utoipa::path(security(...))]`, and one middleware
//! enforces the rules before any handler runs (so a body is never looked at
//! for a caller who may not send it: 401 or 403 come before 422).
//!
//! [`table`] reads the rules back from the OpenAPI document
//! ([`crate::openapi::document`]); the encoding is described in
//! [`crate::openapi`]. A route with no `security`, or one this module cannot
//! read, has no rule and is refused (403, logged), and `tests/access.rs`
//! walks every route of the document with every role, and without a
//! session. Handlers still scope *data* by who asks (an agent's interaction
//! list holds their own calls; numbers are masked per role), but whether a
//! role may call a route at all is decided here and nowhere else.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::auth::{AuthUser, Role};
use crate::error::ApiError;
use crate::state::AppState;

/// What a route asks of its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, signed in or not (sign-in, health, the public call page's
    /// calls): `security(())`.
    Public,
    /// Any signed-in user: `security(("bearer" = []))`.
    SignedIn,
    /// A user holding one of these roles: `security(("bearer" = ["admin"]))`.
    Roles(Vec<Role>),
    /// The agent the path's `{id}` names (an agent acting for themself), or
    /// a user holding one of these roles:
    /// `security(("bearer" = ["admin"]), ("own_agent" = []))`.
    OwnAgentOr(Vec<Role>),
    /// A signed-in agent (a user with an agent record): their own
    /// softphone, their own calls: `security(("agent" = []))`.
    Agent,
    /// Any signed-in user, by session or by a single-use ticket in
    /// `?ticket=` (the event stream's WebSocket):
    /// `security(("bearer" = []), ("ticket" = []))`.
    SignedInOrTicket,
}

impl Rule {
    /// The rule an OpenAPI `security` array states, or why it states none.
    pub fn from_security(security: Option<&Value>) -> Result<Rule, String> {
        let Some(reqs) = security.and_then(Value::as_array).filter(|r| !r.is_empty()) else {
            return Err("no `security`: say who may call it (`security(())` for anyone)".into());
        };
        let scheme = |req: &Value| -> Result<(String, Vec<Role>), String> {
            let obj = req.as_object().ok_or("a requirement that is not an object")?;
            match obj.iter().collect::<Vec<_>>().as_slice() {
                [] => Ok((String::new(), Vec::new())),
                [(name, scopes)] => {
                    let roles = scopes.as_array().ok_or("scopes that are not a list")?.iter().map(|r| {
                        r.as_str().and_then(Role::parse).ok_or_else(|| format!("`{r}` is not a role"))
                    });
                    Ok(((*name).clone(), roles.collect::<Result<_, _>>()?))
                }
                _ => Err("a requirement naming two schemes at once".into()),
            }
        };
        let reqs = reqs.iter().map(scheme).collect::<Result<Vec<_>, _>>()?;
        let named: Vec<(&str, &[Role])> = reqs.iter().map(|(n, r)| (n.as_str(), r.as_slice())).collect();
        Ok(match named.as_slice() {
            [("", [])] => Rule::Public,
            [("bearer", [])] => Rule::SignedIn,
            [("bearer", roles)] => Rule::Roles(roles.to_vec()),
            [("bearer", roles), ("own_agent", [])] if !roles.is_empty() => Rule::OwnAgentOr(roles.to_vec()),
            [("agent", [])] => Rule::Agent,
            [("bearer", []), ("ticket", [])] => Rule::SignedInOrTicket,
            other => return Err(format!("`security` {other:?} is not one of the forms crate::openapi describes")),
        })
    }
}

/// Every route's rule, keyed by (method, path as declared).
pub struct Table(HashMap<(String, String), Rule>);

impl Table {
    /// Reads the rules of `doc`'s routes, and lists each route whose
    /// `security` states none (it is left out, and so refused).
    pub fn from_document(doc: &Value) -> (Table, Vec<String>) {
        let (mut rules, mut errors) = (HashMap::new(), Vec::new());
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                match Rule::from_security(op.get("security")) {
                    Ok(rule) => {
                        rules.insert((method.to_uppercase(), path.clone()), rule);
                    }
                    Err(why) => errors.push(format!("{} {path}: {why}", method.to_uppercase())),
                }
            }
        }
        (Table(rules), errors)
    }

    /// The rule of a route, if it has one.
    pub fn rule(&self, method: &Method, path: &str) -> Option<&Rule> {
        self.0.get(&(method.as_str().to_owned(), path.to_owned()))
    }

    /// Every (method, path, rule), in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, &Rule)> {
        self.0.iter().map(|((m, p), r)| (m.as_str(), p.as_str(), r))
    }
}

/// The application's table, read once from its OpenAPI document. Routes
/// whose `security` states no rule are left out (and so refused), each
/// logged.
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let doc = serde_json::to_value(crate::openapi::document()).expect("the OpenAPI document serialises");
        let (table, unreadable) = Table::from_document(&doc);
        for e in unreadable {
            tracing::error!("route without a readable access rule, refused: {e}");
        }
        table
    })
}

/// What a session opened with a default password may call.
const PASSWORD_CHANGE_ROUTES: &[&str] = &["/api/v1/me", "/api/v1/me/password", "/api/v1/me/sessions", "/api/v1/auth/logout"];

/// The routes open to any signed-in user that a wall display (TV mode) may
/// call too; beyond these it reaches only routes naming the `display` role.
pub const DISPLAY_ROUTES: &[&str] =
    &["/api/v1/me", "/api/v1/settings", "/api/v1/labels", "/api/v1/agents", "/api/v1/queues", "/api/v1/queues/{id}/stats", "/api/v1/events/ticket", "/api/v1/events", "/api/v1/auth/logout"];

/// What a session that must set up a second factor may call.
const ENROLMENT_ROUTES: &[&str] = &["/api/v1/me", "/api/v1/me/totp", "/api/v1/me/totp/confirm", "/api/v1/me/password", "/api/v1/auth/logout"];

/// Whether `user` passes `rule` for a request whose `{id}` is `id`.
pub fn allows(rule: &Rule, user: &AuthUser, id: Option<&str>) -> bool {
    let any = |roles: &[Role]| roles.iter().any(|r| user.has(*r));
    match rule {
        Rule::Public | Rule::SignedIn | Rule::SignedInOrTicket => true,
        Rule::Roles(roles) => any(roles),
        Rule::OwnAgentOr(roles) => any(roles) || (user.agent_id.is_some() && user.agent_id.as_deref() == id),
        Rule::Agent => user.agent_id.is_some() && user.has(Role::Agent),
    }
}

/// A wall display passes only routes that name its role, and the few open
/// ones the board needs ([`DISPLAY_ROUTES`]); anyone else passes here.
pub fn display_may(rule: &Rule, user: &AuthUser, path: &str) -> bool {
    if !user.has(Role::Display) {
        return true;
    }
    match rule {
        Rule::Public => true,
        Rule::Roles(roles) | Rule::OwnAgentOr(roles) => roles.contains(&Role::Display),
        Rule::SignedIn | Rule::SignedInOrTicket => DISPLAY_ROUTES.contains(&path),
        Rule::Agent => false,
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
    let Some(rule) = table().rule(req.method(), &path) else {
        // Unmatched paths fall through to the 404 fallback; a matched route
        // without a rule is a mistake, refused until it gets one.
        if matched.is_none() {
            return next.run(req).await;
        }
        tracing::error!(method = %req.method(), %path, "route without an access rule: refused");
        return ApiError::forbidden().into_response();
    };
    if *rule == Rule::Public {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let ticket = (*rule == Rule::SignedInOrTicket)
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
    if !allows(rule, &user, id.as_deref()) || !display_may(rule, &user, &path) {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Role, Rule, Table};

    #[test]
    fn each_security_form_reads_as_its_rule() {
        let read = |v: serde_json::Value| Rule::from_security(Some(&v));
        assert_eq!(read(json!([{}])), Ok(Rule::Public));
        assert_eq!(read(json!([{"bearer": []}])), Ok(Rule::SignedIn));
        assert_eq!(read(json!([{"bearer": ["admin", "qa"]}])), Ok(Rule::Roles(vec![Role::Admin, Role::Qa])));
        assert_eq!(read(json!([{"bearer": ["supervisor"]}, {"own_agent": []}])), Ok(Rule::OwnAgentOr(vec![Role::Supervisor])));
        assert_eq!(read(json!([{"agent": []}])), Ok(Rule::Agent));
        assert_eq!(read(json!([{"bearer": []}, {"ticket": []}])), Ok(Rule::SignedInOrTicket));
    }

    #[test]
    fn a_route_that_states_no_rule_or_an_unknown_one_gets_none() {
        assert!(Rule::from_security(None).unwrap_err().contains("no `security`"));
        assert!(Rule::from_security(Some(&json!([]))).is_err());
        assert!(Rule::from_security(Some(&json!([{"bearer": ["root"]}]))).unwrap_err().contains("`\"root\"` is not a role"));
        assert!(Rule::from_security(Some(&json!([{"bearer": [], "ticket": []}]))).is_err());
        assert!(Rule::from_security(Some(&json!([{"cookie": []}]))).is_err());
        // An own-agent rule must name who else may act.
        assert!(Rule::from_security(Some(&json!([{"bearer": []}, {"own_agent": []}]))).is_err());
        let doc = json!({"paths": {"/a": {"get": {"security": [{}]}, "post": {}}}});
        let (table, unreadable) = Table::from_document(&doc);
        assert_eq!(table.iter().count(), 1);
        assert_eq!(unreadable, vec!["POST /a: no `security`: say who may call it (`security(())` for anyone)".to_owned()]);
    }
}
