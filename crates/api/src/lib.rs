//! Hotline's HTTP face: REST + JSON under `/api/v1`, a WebSocket event
//! stream, the OpenAPI document, health and Prometheus metrics.
//!
//! - Each route is declared once, by its handler's `#[utoipa::path]`: path,
//!   method, OpenAPI entry and who may call it ([`access`]), enforced by one
//!   middleware before any handler runs.
//! - Every error is `{"error": {"code", "message", "field"}}` ([`error`]);
//!   bodies are parsed by [`json::ApiJson`], which names the wrong field.
//! - This crate owns the wire format ([`dto`]); store and engine types never
//!   reach the client directly.

pub mod access;
pub mod alerts;
pub mod audit;
pub mod auth;
pub mod center;
pub mod dto;
pub mod error;
pub mod json;
mod limiter;
pub mod openapi;
pub mod public_calls;
pub mod revision;
pub mod roles;
pub mod routes;
pub mod sessions;
pub mod totp;
mod state;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Request};
use axum::routing::{any, get};
use axum::Router;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use state::{ApiSettings, AppState, RecordingStore};

use crate::error::ApiError;
use crate::routes::demo_shop;

/// The policy the web app is held to: its own scripts, styles (React sets
/// some inline), images and media only; its API and event stream on the
/// same origin; no plugins; never framed by another site.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; connect-src 'self'; \
    object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let max_body = state.0.settings.max_body_bytes;
    // Every documented route, declared once by its handler (path, OpenAPI
    // entry, access rule), behind the access middleware.
    let (documented, _) = routes::api().split_for_parts();
    let mut app = documented
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), access::enforce))
        .route("/api/v1/{*rest}", any(|| async { ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", "no such endpoint") }))
        .route("/api/v1", any(|| async { ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", "no such endpoint") }));
    if state.0.settings.demo {
        // The demo shop's order lookup, which the demo IVR asks over HTTP.
        app = app.route("/demo/orders/{order}", get(demo_shop::order));
    }
    app
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
