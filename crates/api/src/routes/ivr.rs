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
use crate::revision::{IfMatch, Tagged};
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
pub async fn get(State(state): State<AppState>, _user: AuthUser, Path(id): Path<String>) -> ApiResult<Tagged> {
    Ok(Tagged::new(&state.0.revisions, &flow_dto(&state, &id).await?))
}

async fn flow_dto(state: &AppState, id: &str) -> ApiResult<FlowDto> {
    let versions = state.db().flow_versions(id).await?;
    if versions.is_empty() {
        return Err(ApiError::not_found("flow", id));
    }
    let published_version = published(&versions);
    Ok(FlowDto { id: id.to_owned(), published_version, versions: versions.into_iter().map(dto).collect() })
}

/// Saves the body as a new draft version. The body is the flow document;
/// its `id` must be the one in the path.
#[utoipa::path(put, path = "/api/v1/ivr/flows/{id}", tag = "ivr", security(("bearer" = ["admin"])),
    params(("id" = String, Path), ("if-match" = Option<String>, Header, description = "The ETag of the flow (GET) this draft was made from")),
    request_body(content = Object, description = "The flow document"),
    responses((status = 201, body = FlowVersionDto), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn save(
    State(state): State<AppState>,
    ip: ClientIp,
    user: AuthUser,
    Path(id): Path<String>,
    if_match: IfMatch,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<FlowVersionDto>)> {
    check_slug("id", &id)?;
    let _writing = state.0.revisions.write().await;
    // Saved over the versions an editor loaded: someone else's draft or
    // publication since then is not silently buried under this one.
    if if_match.0.is_some() {
        let current = serde_json::to_value(flow_dto(&state, &id).await?).unwrap_or_default();
        state.0.revisions.check(&if_match, &current)?;
    }
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

/// One problem of a flow, where the designer shows it.
#[derive(Serialize, ToSchema)]
pub struct FlowProblem {
    /// The node (empty for the flow as a whole).
    pub node: String,
    /// The node's field (`prompt`, `choices.1`, `next`), or empty.
    pub field: String,
    pub message: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckFlow {
    /// A flow document, saved or not.
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
}

/// Reads a flow document, or says where it does not read as one.
fn read_flow(document: &serde_json::Value) -> Result<hotline_ivr::Flow, FlowProblem> {
    serde_path_to_error::deserialize::<_, hotline_ivr::Flow>(document).map_err(|e| {
        let path = e.path().to_string();
        let mut parts = path.split('.');
        let (node, field) = match (parts.next(), parts.next()) {
            (Some("nodes"), Some(node)) => (node.to_owned(), parts.collect::<Vec<_>>().join(".")),
            _ => (String::new(), if path == "." { String::new() } else { path.clone() }),
        };
        FlowProblem { node, field, message: e.into_inner().to_string() }
    })
}

/// Every problem of a draft, as the designer shows them on its nodes (the
/// same check publishing makes).
#[utoipa::path(post, path = "/api/v1/ivr/validate", tag = "ivr", security(("bearer" = ["admin", "supervisor"])), request_body = CheckFlow,
    responses((status = 200, body = [FlowProblem]), (status = 422, body = ErrorBody)))]
pub async fn validate(State(state): State<AppState>, _user: AuthUser, ApiJson(req): ApiJson<CheckFlow>) -> ApiResult<Json<Vec<FlowProblem>>> {
    let mut flow = match read_flow(&req.document) {
        Err(problem) => return Ok(Json(vec![problem])),
        Ok(flow) => flow,
    };
    let mut problems = unknown_calendars(&state, &mut flow).await?;
    problems.extend(hotline_ivr::validate(&flow).into_iter().map(|e| FlowProblem { node: e.node, field: e.field, message: e.message }));
    Ok(Json(problems))
}

/// Fills in the calendars a flow names; a problem for each it names that
/// the center does not have.
async fn unknown_calendars(state: &AppState, flow: &mut hotline_ivr::Flow) -> ApiResult<Vec<FlowProblem>> {
    let calendars = hotline_telephony::dialplan::calendars(&state.db()).await?;
    let problems = flow.resolve_calendars(&calendars).into_iter().map(|(node, c)| FlowProblem { node, field: "calendar".into(), message: format!("no calendar `{c}`") });
    Ok(problems.collect())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateFlow {
    /// The flow document to run (a draft need not be saved).
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
    /// The caller's number. Default `13800138000`.
    #[serde(default)]
    pub caller: Option<String>,
    /// The number dialled. Default `1000`.
    #[serde(default)]
    pub dialled: Option<String>,
    /// When the call comes in, milliseconds since the Unix epoch. Default now.
    #[serde(default)]
    pub at: Option<i64>,
    /// The caller's language at the start (`zh`, `en`), if set.
    #[serde(default)]
    pub lang: Option<String>,
    /// The keys pressed, in order (`0-9`, `*`, `#`).
    #[serde(default)]
    pub keys: String,
    /// Each backend's answer: its fields, or `null` for a failed lookup. A
    /// backend not listed fails.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub lookups: std::collections::BTreeMap<String, Option<std::collections::BTreeMap<String, String>>>,
    /// When the keys run out, wait for the node's timeout instead of stopping.
    #[serde(default)]
    pub timeouts: bool,
}

/// One step of a simulated call.
#[derive(Serialize, ToSchema)]
pub struct SimStep {
    pub node: String,
    /// `enter`, `play`, `key`, `lookup`, `timeout` or `exit`.
    pub kind: &'static str,
    /// What: the prompt (its name, or the text it speaks), the key, the
    /// backend and whether it answered, how the caller left.
    pub detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct SimResult {
    pub steps: Vec<SimStep>,
    /// The nodes passed, in order.
    pub path: Vec<String>,
    /// How the caller left the IVR: `enqueue`, `transfer`, `voicemail`,
    /// `hangup`, `failed`; absent while waiting for a key.
    pub outcome: Option<String>,
    /// The queue, number or mailbox the caller went to, or why it failed.
    pub target: Option<String>,
    /// The node waiting for a key the script did not have.
    pub waiting_at: Option<String>,
    pub vars: std::collections::BTreeMap<String, String>,
}

/// Runs a draft with a scripted caller (number, time, language, keys,
/// lookup answers) through the real interpreter: the designer's simulator.
#[utoipa::path(post, path = "/api/v1/ivr/simulate", tag = "ivr", security(("bearer" = ["admin", "supervisor"])), request_body = SimulateFlow,
    responses((status = 200, body = SimResult), (status = 422, body = ErrorBody)))]
pub async fn simulate(State(state): State<AppState>, _user: AuthUser, ApiJson(req): ApiJson<SimulateFlow>) -> ApiResult<Json<SimResult>> {
    use hotline_ivr::{Event, Output};
    let as_error = |p: FlowProblem| {
        let field = ["document", "nodes", &p.node, &p.field].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(".");
        ApiError::invalid(&field, p.message)
    };
    let mut flow = read_flow(&req.document).map_err(as_error)?;
    if let Some(p) = unknown_calendars(&state, &mut flow).await?.into_iter().next() {
        return Err(as_error(p));
    }
    if let Some(bad) = req.keys.chars().find(|c| !c.is_ascii_digit() && *c != '*' && *c != '#') {
        return Err(ApiError::invalid("keys", format!("`{bad}` is not a phone key (0-9, *, #)")));
    }
    if req.keys.len() > 100 {
        return Err(ApiError::invalid("keys", "at most 100 keys"));
    }
    let mut vars = std::collections::BTreeMap::from([
        ("caller".to_owned(), req.caller.unwrap_or_else(|| "13800138000".into())),
        ("dialled".to_owned(), req.dialled.unwrap_or_else(|| "1000".into())),
    ]);
    if let Some(lang) = req.lang.filter(|l| !l.is_empty()) {
        vars.insert("lang".into(), lang);
    }
    let at = req.at.unwrap_or_else(hotline_acd::now_ms).max(0) as u64;
    let script = hotline_ivr::Script { vars, at: hotline_ivr::Time(at), keys: req.keys.chars().collect(), lookups: req.lookups, timeouts: req.timeouts };
    let trace = hotline_ivr::simulate(std::sync::Arc::new(flow), &script);
    let exit = |o: &Output| -> (&'static str, Option<String>) {
        match o {
            Output::Enqueue { queue, .. } => ("enqueue", Some(queue.clone())),
            Output::Transfer { number } => ("transfer", Some(number.clone())),
            Output::Voicemail { mailbox, .. } => ("voicemail", Some(mailbox.clone())),
            Output::Hangup => ("hangup", None),
            Output::Failed(why) => ("failed", Some(why.clone())),
            other => ("other", Some(format!("{other:?}"))),
        }
    };
    let steps = trace
        .events
        .iter()
        .map(|(node, e)| {
            let (kind, detail) = match e {
                Event::Enter => ("enter", String::new()),
                Event::Play(p) => ("play", p.clone()),
                Event::Key(k) => ("key", k.to_string()),
                Event::Lookup { backend, answered, .. } => ("lookup", format!("{backend}: {}", if *answered { "answered" } else { "no answer" })),
                Event::Timeout => ("timeout", String::new()),
                Event::Exit(o) => {
                    let (kind, target) = exit(o);
                    ("exit", format!("{kind} {}", target.unwrap_or_default()).trim().to_owned())
                }
            };
            SimStep { node: node.clone(), kind, detail }
        })
        .collect();
    let (outcome, target) = match trace.outcome.as_ref().map(exit) {
        Some((kind, target)) => (Some(kind.to_owned()), target),
        None => (None, None),
    };
    Ok(Json(SimResult { path: trace.path().into_iter().map(str::to_owned).collect(), steps, outcome, target, waiting_at: trace.waiting_at.clone(), vars: trace.vars }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestCall {
    /// The draft to call (it need not be saved).
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
    /// The browser's complete SDP offer (ICE gathered).
    pub sdp: String,
}

/// Calls a draft from the designer, in the admin's browser over WebRTC, as
/// a caller would reach it once published: real prompts, speech and keys,
/// and the queue at the end. The draft must have no problems. Hang up with
/// `POST /api/v1/public/calls/{token}/hangup`.
#[utoipa::path(post, path = "/api/v1/ivr/test-call", tag = "ivr", security(("bearer" = ["admin"])), request_body = TestCall,
    responses((status = 200, body = crate::routes::softphone::WebCallDto), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn test_call(State(state): State<AppState>, ip: ClientIp, user: AuthUser, ApiJson(req): ApiJson<TestCall>) -> ApiResult<Json<crate::routes::softphone::WebCallDto>> {
    let handle = state.telephony()?;
    if req.sdp.len() > 64 * 1024 || !req.sdp.starts_with("v=0") {
        return Err(ApiError::invalid("sdp", "an SDP offer starting with v=0, at most 64 KiB"));
    }
    let mut flow = read_flow(&req.document).map_err(|p| ApiError::invalid(&format!("document.nodes.{}.{}", p.node, p.field), p.message))?;
    let mut problems = unknown_calendars(&state, &mut flow).await?;
    problems.extend(hotline_ivr::validate(&flow).into_iter().map(|e| FlowProblem { node: e.node, field: e.field, message: e.message }));
    if let Some(p) = problems.first() {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_flow", format!("node `{}`, field `{}`: {}", p.node, p.field, p.message))
            .field(format!("nodes.{}.{}", p.node, p.field).trim_end_matches('.')));
    }
    let id = flow.id.clone();
    let (sdp, token) = handle.test_call(flow, req.sdp).await.map_err(super::softphone::browser_error)?;
    audit::record(&state, Some(&user), &ip, "ivr.flow.test_call", Some(&id), String::new()).await;
    Ok(Json(crate::routes::softphone::WebCallDto { sdp, token }))
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
        .routes(utoipa_axum::routes!(validate))
        .routes(utoipa_axum::routes!(simulate))
        .routes(utoipa_axum::routes!(test_call))
}
