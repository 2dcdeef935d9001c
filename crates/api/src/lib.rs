//! Hotline's HTTP face: REST + JSON under `/api/v1`, a WebSocket event
//! stream, the OpenAPI document, health and Prometheus metrics.
//!
//! - Who may call which route is one declared table ([`access::TABLE`]),
//!   enforced by one middleware before any handler runs.
//! - Every error is `{"error": {"code", "message", "field"}}` ([`error`]);
//!   bodies are parsed by [`json::ApiJson`], which names the wrong field.
//! - This crate owns the wire format ([`dto`]); store and engine types never
//!   reach the client directly.

pub mod access;
pub mod audit;
pub mod auth;
pub mod dto;
pub mod error;
pub mod json;
mod limiter;
pub mod openapi;
pub mod public_calls;
pub mod routes;
pub mod sessions;
pub mod totp;
mod state;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Request};
use axum::routing::{delete, get, patch, post, put};
use axum::{Json, Router};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

pub use state::{ApiSettings, AppState, RecordingStore};

use crate::error::ApiError;
use crate::routes::{agents, auth as auth_routes, broadcasts, customers, demo_shop, softphone, events, interactions, ivr, ops, prompts, queues, sip_guard, skills, users, work};

/// The policy the web app is held to: its own scripts, styles (React sets
/// some inline), images and media only; its API and event stream on the
/// same origin; no plugins; never framed by another site.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; connect-src 'self'; \
    object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let max_body = state.0.settings.max_body_bytes;
    let api = Router::new()
        .route("/auth/login", post(auth_routes::login))
        .route("/auth/logout", post(auth_routes::logout))
        .route("/auth/lockouts/{username}", delete(auth_routes::unlock))
        .route("/me", get(auth_routes::me))
        .route("/me/password", post(auth_routes::change_password))
        .route("/me/sessions", get(auth_routes::my_sessions))
        .route("/me/sessions/{id}", delete(auth_routes::revoke_session))
        .route("/me/totp", post(auth_routes::totp_start).delete(auth_routes::totp_disable))
        .route("/me/totp/confirm", post(auth_routes::totp_confirm))
        .route("/users", get(users::list))
        .route("/users/{id}", patch(users::patch))
        .route("/skills", get(skills::list).post(skills::create))
        .route("/skills/{id}", patch(skills::patch))
        .route("/queues", get(queues::list).post(queues::create))
        .route("/queues/{id}", get(queues::get).patch(queues::patch))
        .route("/queues/{id}/stats", get(queues::stats))
        .route("/agents", get(agents::list).post(agents::create))
        .route("/agents/{id}", get(agents::get).patch(agents::patch))
        .route("/agents/{id}/state", get(work::get_state).put(work::set_state))
        .route("/agents/{id}/sip-password", put(agents::set_sip_password))
        .route("/agents/{id}/wrap-up/end", post(work::end_wrap_up))
        .route("/agent-states", get(work::list_states))
        .route("/reason-codes", get(agents::reason_codes))
        .route("/wrap-up-codes", get(agents::wrap_up_codes))
        .route("/offers/{id}/accept", post(work::accept))
        .route("/offers/{id}/reject", post(work::reject))
        .route("/contacts", post(work::submit))
        .route("/contacts/{id}/finish", post(work::finish))
        .route("/contacts/{id}/abandon", post(work::abandon))
        .route("/audit", get(work::audit_log))
        .route("/interactions", get(interactions::list))
        .route("/interactions/{id}", get(interactions::get).patch(interactions::patch))
        .route("/interactions/{id}/screen-pop", get(interactions::screen_pop))
        .route("/customers", get(customers::search))
        .route("/customers/{id}", get(customers::get))
        .route("/softphone", put(softphone::set))
        .route("/calls/{contact}/answer", post(softphone::answer))
        .route("/calls/{contact}/hangup", post(softphone::hangup))
        .route("/public/call-token", get(softphone::call_token))
        .route("/public/calls/{number}", post(softphone::call_in))
        .route("/public/calls/{token}/hangup", post(softphone::call_in_hangup))
        .route("/recordings/{id}/audio", get(interactions::audio))
        .route("/ivr/flows", get(ivr::list))
        .route("/ivr/flows/{id}", get(ivr::get).put(ivr::save))
        .route("/ivr/flows/{id}/versions/{version}/publish", post(ivr::publish))
        .route("/ivr/numbers", get(ivr::numbers))
        .route("/ivr/numbers/{number}", put(ivr::set_number))
        .route("/ivr/numbers/{number}/broadcast", put(broadcasts::set).delete(broadcasts::clear))
        .route("/ivr/broadcasts", get(broadcasts::list))
        .route("/prompts", get(prompts::list))
        .route(
            "/prompts/{name}",
            get(prompts::get).put(prompts::upload).layer(DefaultBodyLimit::max(prompts::MAX_UPLOAD)),
        )
        .route("/sip/guard", get(sip_guard::get))
        .route("/sip/guard/bans/{ip}", delete(sip_guard::unban))
        .route("/events", get(events::stream))
        .route("/events/ticket", post(events::ticket))
        .route("/openapi.json", get(|| async { Json(openapi::ApiDoc::openapi()) }))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), access::enforce))
        .fallback(|| async { ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", "no such endpoint") });
    let demo = state.0.settings.demo;
    let mut app = Router::new().nest("/api/v1", api);
    if demo {
        app = app.route("/demo/orders/{order}", get(demo_shop::order));
    }
    app
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(get(routes::web::serve))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), id = %id)
            }),
        )
        // Headers every response carries (a handler's own win).
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
