//! One error type for every handler, turned into JSON in one place:
//! `{"error": {"code": "...", "message": "...", "field": "..."}}`.
//! Internal failures are logged with their cause and reported to the client
//! without it.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hotline_acd::AcdError;
use hotline_store::StoreError;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub retry_after_secs: Option<u64>,
    /// For a stale write (412): what changed, and the current version.
    pub stale: Option<Box<Stale>>,
}

/// The body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid_field`, `not_found`, `forbidden`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// Path of the offending field in the request body (`steps[0].timeout_secs`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For 412 `precondition_failed`: the fields someone else changed since
    /// the version the request named, then and now.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<FieldChange>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), field: None, retry_after_secs: None, stale: None }
    }
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    /// A field holds a value that is not allowed.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", message).field(field)
    }
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} `{id}` not found"))
    }
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "sign in first")
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "your role may not do this")
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }
    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the server log")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (changed, etag) = self.stale.map(|s| (s.changed, Some(s.etag))).unwrap_or_default();
        let body = ErrorBody { error: ErrorDetail { code: self.code.to_owned(), message: self.message, field: self.field, changed } };
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if let Some(tag) = etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
            resp.headers_mut().insert(header::ETAG, tag);
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, id } => ApiError::not_found(entity, &id),
            StoreError::Conflict { entity, id } => ApiError::conflict(format!("{entity} `{id}` already exists")),
            other => {
                tracing::error!(error = %other, "store failure");
                ApiError::internal()
            }
        }
    }
}

impl From<AcdError> for ApiError {
    fn from(e: AcdError) -> Self {
        match e {
            AcdError::NotFound { entity, id } => ApiError::not_found(entity, &id),
            AcdError::Stale(m) => ApiError::new(StatusCode::CONFLICT, "stale", m),
            AcdError::Invalid(m) => ApiError::new(StatusCode::CONFLICT, "invalid_state", m),
            AcdError::Stopped => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "routing is not running"),
            AcdError::Store(m) => {
                tracing::error!(error = %m, "store failure in routing");
                ApiError::internal()
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// One field that differs between two versions of an object.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    /// The value in the earlier version.
    #[schema(value_type = Object)]
    pub before: Value,
    /// The value in the later one.
    #[schema(value_type = Object)]
    pub after: Value,
}

/// Why a write was refused as stale: what changed since the version it
/// named, and the current version's tag.
#[derive(Debug)]
pub struct Stale {
    pub changed: Vec<FieldChange>,
    pub etag: String,
}
