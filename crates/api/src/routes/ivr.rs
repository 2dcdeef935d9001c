//! IVR flows: versioned documents with a publish step, and the numbers that
//! reach them. Admins edit; supervisors read. Saving always adds a draft
//! version; publishing validates it (every problem named by node and field)
//! and makes it the version new calls run. Calls in progress keep theirs.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hotline_store::FlowVersion;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::check_slug;
use crate::audit::{self, ClientIp};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{parse, ApiJson};
use crate::state::AppState;

/// One version of a flow.
#[derive(Serialize, ToSchema)]
pub struct FlowVersionDto {
    pub version: i64,
    /// Milliseconds since the Unix epoch; absent while a draft.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<i64>,
    pub created_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// The flow document (see the `hotline-ivr` crate for its nodes).
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
}

/// A flow with its versions.
#[derive(Serialize, ToSchema)]
pub struct FlowDto {
    pub id: String,
    /// The version new calls run, if one is published.
    pub published_version: Option<i64>,
    /// Newest first.
    pub versions: Vec<FlowVersionDto>,
}

#[derive(Serialize, ToSchema)]
pub struct FlowSummary {
    pub id: String,
    pub published_version: Option<i64>,
    pub latest_version: i64,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IvrNumber {
    pub number: String,
    pub flow_id: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetIvrNumber {
    pub flow_id: String,
}

fn dto(v: FlowVersion) -> FlowVersionDto {
    FlowVersionDto {
        version: v.version,
        published_at: v.published_at,
        created_at: v.created_at,
        created_by: v.created_by,
        document: serde_json::from_str(&v.document).unwrap_or(serde_json::Value::Null),
    }
}

fn published(versions: &[FlowVersion]) -> Option<i64> {
    versions.iter().filter(|v| v.published_at.is_some()).map(|v| v.version).max()
}

#[utoipa::path(get, path = "/api/v1/ivr/flows", tag = "ivr", security(("bearer" = ["admin", "supervisor"])),
    responses((status = 200, body = [FlowSummary]), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<FlowSummary>>> {
    let db = state.db();
    let mut out = Vec::new();
    for id in db.flow_ids().await? {
        let versions = db.flow_versions(&id).await?;
        let latest_version = versions.first().map_or(0, |v| v.version);
        out.push(FlowSummary { published_version: published(&versions), latest_version, id });
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/ivr/flows/{id}", tag = "ivr", security(("bearer" = ["admin", "supervisor"])), params(("id" = String, Path)),
    responses((status = 200, body = FlowDto), (status = 404, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, _user: AuthUser, Path(id): Path<String>) -> ApiResult<Json<FlowDto>> {
    let versions = state.db().flow_versions(&id).await?;
    if versions.is_empty() {
        return Err(ApiError::not_found("flow", &id));
    }
    let published_version = published(&versions);
    Ok(Json(FlowDto { id, published_version, versions: versions.into_iter().map(dto).collect() }))
}

/// Saves the body as a new draft version. The body is the flow document;
/// its `id` must be the one in the path.
#[utoipa::path(put, path = "/api/v1/ivr/flows/{id}", tag = "ivr", security(("bearer" = ["admin"])), params(("id" = String, Path)),
    request_body(content = Object, description = "The flow document"),
    responses((status = 201, body = FlowVersionDto), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn save(State(state): State<AppState>, ip: ClientIp, user: AuthUser, Path(id): Path<String>, body: Bytes) -> ApiResult<(StatusCode, Json<FlowVersionDto>)> {
    check_slug("id", &id)?;
    let flow: hotline_ivr::Flow = parse(&body)?;
    if flow.id != id {
        return Err(ApiError::invalid("id", format!("the document's id `{}` is not `{id}`", flow.id)));
    }
    let document: serde_json::Value = parse(&body)?;
    let now = hotline_acd::now_ms();
    let saved = state.db().save_flow_draft(&id, &document.to_string(), Some(&user.username), now).await?;
    audit::record(&state, Some(&user), &ip, "ivr.flow.save", Some(&id), format!("version {}", saved.version)).await;
    Ok((StatusCode::CREATED, Json(dto(saved))))
}

/// Validates a draft and publishes it: new calls run it from now on.
#[utoipa::path(post, path = "/api/v1/ivr/flows/{id}/versions/{version}/publish", tag = "ivr", security(("bearer" = ["admin"])),
    params(("id" = String, Path), ("version" = i64, Path)),
    responses((status = 200, body = FlowVersionDto), (status = 422, description = "The flow has problems; `field` names the first as `nodes.<node>.<field>`", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn publish(State(state): State<AppState>, ip: ClientIp, user: AuthUser, Path((id, version)): Path<(String, i64)>) -> ApiResult<Json<FlowVersionDto>> {
    let db = state.db();
    let v = db
        .flow_versions(&id)
        .await?
        .into_iter()
        .find(|v| v.version == version)
        .ok_or_else(|| ApiError::not_found("flow version", &format!("{id} v{version}")))?;
    if v.published_at.is_some() {
        return Err(ApiError::conflict(format!("version {version} of `{id}` is already published")));
    }
    let flow: hotline_ivr::Flow = parse(v.document.as_bytes())?;
    let problems = hotline_ivr::validate(&flow);
    if let Some(first) = problems.first() {
        let field = if first.node.is_empty() { first.field.clone() } else { format!("nodes.{}.{}", first.node, first.field) };
        let message = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_flow", message).field(field.trim_end_matches('.')));
    }
    let now = hotline_acd::now_ms();
    db.publish_flow(&id, version, now).await?;
    audit::record(&state, Some(&user), &ip, "ivr.flow.publish", Some(&id), format!("version {version}")).await;
    state.telephony_changed().await;
    Ok(Json(dto(FlowVersion { published_at: Some(now), ..v })))
}

#[utoipa::path(get, path = "/api/v1/ivr/numbers", tag = "ivr", security(("bearer" = ["admin", "supervisor"])),
    responses((status = 200, body = [IvrNumber])))]
pub async fn numbers(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<IvrNumber>>> {
    let list = state.db().ivr_numbers().await?;
    Ok(Json(list.into_iter().map(|(number, flow_id)| IvrNumber { number, flow_id }).collect()))
}

#[utoipa::path(put, path = "/api/v1/ivr/numbers/{number}", tag = "ivr", security(("bearer" = ["admin"])), params(("number" = String, Path)),
    request_body = SetIvrNumber, responses((status = 200, body = IvrNumber), (status = 422, body = ErrorBody)))]
pub async fn set_number(State(state): State<AppState>, ip: ClientIp, user: AuthUser, Path(number): Path<String>, ApiJson(req): ApiJson<SetIvrNumber>) -> ApiResult<Json<IvrNumber>> {
    super::broadcasts::check_number(&number)?;
    if state.db().flow_versions(&req.flow_id).await?.is_empty() {
        return Err(ApiError::invalid("flow_id", format!("no flow `{}`", req.flow_id)));
    }
    state.db().set_ivr_number(&number, &req.flow_id).await?;
    audit::record(&state, Some(&user), &ip, "ivr.number.set", Some(&number), req.flow_id.clone()).await;
    state.telephony_changed().await;
    Ok(Json(IvrNumber { number, flow_id: req.flow_id }))
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(list))
        .routes(utoipa_axum::routes!(get, save))
        .routes(utoipa_axum::routes!(publish))
        .routes(utoipa_axum::routes!(numbers))
        .routes(utoipa_axum::routes!(set_number))
}
