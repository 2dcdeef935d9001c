//! Adding many agents at once from a CSV file — a center taking on 200 seats
//! in an afternoon. A dry run lists every bad row with its line and column;
//! nothing is created until no row is bad. Each agent gets a sign-in account
//! (role `agent`) and a SIP password, both generated and shown once, in the
//! reply, never stored but as hashes; the sign-in password must be changed
//! at the first sign-in.
//!
//! The file: a header line, then one agent per line:
//!
//! ```text
//! extension,name,username,skills,queues,languages
//! 8101,王芳,wangfang,sales:5;support:3,sales;support,zh;en
//! ```
//!
//! `skills` are `skill:level` (1-10), lists are separated by `;`; `username`
//! defaults to `agent<extension>`, `languages` to `zh`.

use std::collections::HashSet;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hotline_store::{Agent, AgentSkill, Capacity, NewUser};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::agents::{check_agent, check_extension, Known};
use crate::audit::{self, ClientIp};
use crate::auth::{generated_password, hash_password_off_thread, AuthUser};
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorDetail};
use crate::json::ApiJson;
use crate::state::AppState;

/// The most rows one import takes.
pub const MAX_ROWS: usize = 1000;
const COLUMNS: [&str; 6] = ["extension", "name", "username", "skills", "queues", "languages"];

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportAgents {
    /// The CSV file's text.
    pub csv: String,
    /// Check every row and create nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// A row that cannot be imported, and why.
#[derive(Serialize, ToSchema, Debug, Clone, PartialEq)]
pub struct RowError {
    /// The line of the file (the header is line 1).
    pub line: usize,
    /// The column (`extension`, `skills`...), or empty for the whole line.
    pub column: String,
    pub message: String,
}

/// An agent created, with the passwords generated for it (shown only here).
#[derive(Serialize, ToSchema)]
pub struct ImportedAgent {
    pub line: usize,
    pub agent_id: String,
    pub extension: String,
    pub name: String,
    pub username: String,
    /// The sign-in password.
    pub password: String,
    /// The SIP phone's password for the extension.
    pub sip_password: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data rows read.
    pub rows: usize,
    /// Empty when the import went (or would go) through.
    pub errors: Vec<RowError>,
    pub created: Vec<ImportedAgent>,
}

/// 422 for a file with bad rows: the usual error, and every bad row.
#[derive(Serialize, ToSchema)]
pub struct ImportRefused {
    pub error: ErrorDetail,
    pub errors: Vec<RowError>,
}

/// One row, read and checked on its own.
struct Row {
    line: usize,
    agent: Agent,
    username: String,
}

/// Reads the file: the agents of the good rows, and the errors of the bad.
fn read(text: &str, now: i64) -> (Vec<Row>, Vec<RowError>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = match csv.headers() {
        Ok(h) => h.iter().map(|c| c.trim_start_matches('\u{feff}').to_lowercase()).collect(),
        Err(e) => return (rows, vec![RowError { line: 1, column: String::new(), message: e.to_string() }]),
    };
    let col = |name: &str| header.iter().position(|h| h == name);
    for required in ["extension", "name"] {
        if col(required).is_none() {
            errors.push(RowError { line: 1, column: required.into(), message: format!("the header has no `{required}` column (expected: {})", COLUMNS.join(",")) });
        }
    }
    if let Some(unknown) = header.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        errors.push(RowError { line: 1, column: unknown.clone(), message: format!("unknown column `{unknown}` (expected: {})", COLUMNS.join(",")) });
    }
    if !errors.is_empty() {
        return (rows, errors);
    }
    for (i, record) in csv.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError { line, column: String::new(), message: e.to_string() });
                continue;
            }
        };
        let get = |name: &str| col(name).and_then(|c| record.get(c)).unwrap_or("").to_owned();
        let mut bad = |column: &str, message: String| errors.push(RowError { line, column: column.into(), message });
        let list = |v: String| v.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect::<Vec<_>>();
        let extension = get("extension");
        let mut skills = Vec::new();
        for item in list(get("skills")) {
            match item.split_once(':').map(|(s, l)| (s.trim(), l.trim().parse::<u8>())) {
                Some((skill, Ok(level))) => skills.push(AgentSkill { skill: skill.to_owned(), level }),
                _ => bad("skills", format!("`{item}` is not skill:level (e.g. sales:5)")),
            }
        }
        let username = Some(get("username")).filter(|u| !u.is_empty()).unwrap_or_else(|| format!("agent{extension}"));
        if !(3..=32).contains(&username.len()) || !username.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
            bad("username", format!("`{username}`: use 3-32 letters, digits, `.`, `_` or `-`"));
        }
        let languages = Some(list(get("languages"))).filter(|l| !l.is_empty()).unwrap_or_else(|| vec!["zh".to_owned()]);
        let agent = Agent {
            id: uuid::Uuid::now_v7().to_string(),
            extension,
            name: get("name"),
            skills,
            languages,
            queues: list(get("queues")),
            capacity: Capacity { voice: 1, chat: 3, email: 5 },
            enabled: true,
            created_at: now,
            updated_at: now,
        };
        rows.push(Row { line, agent, username });
    }
    (rows, errors)
}

/// Checks the rows against each other and against what exists: the same
/// rules as creating one agent, each error with its line and column.
async fn check(state: &AppState, rows: &[Row], errors: &mut Vec<RowError>) -> ApiResult<()> {
    let (mut extensions, mut usernames) = (HashSet::new(), HashSet::new());
    let known = Known::load(state).await?;
    for row in rows {
        let a = &row.agent;
        let mut bad = |column: &str, message: String| errors.push(RowError { line: row.line, column: column.into(), message });
        if let Err(e) = check_extension("extension", &a.extension) {
            bad("extension", e.message);
        } else if !extensions.insert(a.extension.clone()) {
            bad("extension", format!("extension {} is listed twice", a.extension));
        } else if state.db().agent_by_extension(&a.extension).await?.is_some() {
            bad("extension", format!("extension {} is taken", a.extension));
        }
        if !usernames.insert(row.username.clone()) {
            bad("username", format!("user name `{}` is listed twice", row.username));
        } else if state.db().user_by_username(&row.username).await?.is_some() {
            bad("username", format!("user name `{}` is taken", row.username));
        }
        if let Err(e) = check_agent(&known, a) {
            // `skills[0].skill` → the `skills` column.
            let field = e.field.unwrap_or_default();
            let column = field.split(['[', '.']).next().unwrap_or("").to_owned();
            bad(&column, e.message);
        }
    }
    errors.sort_by_key(|e| e.line);
    Ok(())
}

/// Imports agents from CSV (see the module documentation): `dry_run` checks
/// only. A file with any bad row creates nothing (422, every bad row listed).
#[utoipa::path(post, path = "/api/v1/agents/import", tag = "configuration", security(("bearer" = ["admin"])), request_body = ImportAgents,
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorBody), (status = 422, body = ImportRefused)))]
pub async fn import(State(state): State<AppState>, ip: ClientIp, user: AuthUser, ApiJson(req): ApiJson<ImportAgents>) -> ApiResult<Response> {
    let _writing = state.0.revisions.write().await;
    let (rows, mut errors) = read(&req.csv, hotline_acd::now_ms());
    if rows.len() > MAX_ROWS {
        return Err(ApiError::invalid("csv", format!("{} rows; at most {MAX_ROWS} at a time", rows.len())));
    }
    if rows.is_empty() && errors.is_empty() {
        return Err(ApiError::invalid("csv", "no agents in the file (a header line, then one agent per line)"));
    }
    check(&state, &rows, &mut errors).await?;
    if !errors.is_empty() {
        let lines: HashSet<usize> = errors.iter().map(|e| e.line).collect();
        let message = format!("{} of {} rows have errors; nothing was created", lines.len(), rows.len().max(lines.len()));
        let error = ErrorDetail { code: "invalid_rows".into(), message, field: Some("csv".into()), changed: Vec::new() };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(ImportRefused { error, errors })).into_response());
    }
    let mut report = ImportReport { dry_run: req.dry_run, rows: rows.len(), errors, created: Vec::new() };
    if req.dry_run {
        return Ok(Json(report).into_response());
    }
    for row in rows {
        let a = row.agent;
        let (web, sip) = (generated_password(14), generated_password(16));
        let hash = hash_password_off_thread(&web).await?;
        state.db().insert_agent(&a).await?;
        let credential = hotline_telephony::credentials::credential(&a.extension, &state.0.settings.sip_realm, &sip, hotline_acd::now_ms());
        state.db().set_sip_credential(&credential).await?;
        let account = state
            .db()
            .create_user(NewUser { username: row.username.clone(), display_name: a.name.clone(), password_hash: hash.clone(), roles: vec!["agent".into()], agent_id: Some(a.id.clone()) })
            .await?;
        // Generated: it signs in once, to change it.
        state.db().set_one_time_password(&account.id, &hash).await?;
        state.0.acd.reload_agent(a.clone()).await?;
        if let Some(control) = &state.0.sip_control {
            control.credential_changed(credential).await;
        }
        report.created.push(ImportedAgent { line: row.line, agent_id: a.id, extension: a.extension, name: a.name, username: row.username, password: web, sip_password: sip });
    }
    let extensions: Vec<&str> = report.created.iter().map(|c| c.extension.as_str()).collect();
    audit::record(&state, Some(&user), &ip, "agent.import", None, format!("{} agents: {}", extensions.len(), extensions.join(","))).await;
    state.telephony_changed().await;
    Ok(Json(report).into_response())
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(import))
}

#[cfg(test)]
mod tests {
    use super::read;

    #[test]
    fn rows_are_read_with_defaults_and_bad_cells_named_by_line_and_column() {
        let csv = "\u{feff}Extension,name,skills,queues\n8101,王芳,sales:5;support:3,sales;support\n8102,李雷,sales:high,\n";
        let (rows, errors) = read(csv, 0);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].username, "agent8101");
        assert_eq!(rows[0].agent.skills.len(), 2);
        assert_eq!(rows[0].agent.queues, ["sales", "support"]);
        assert_eq!(rows[0].agent.languages, ["zh"]);
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].column.as_str()), (3, "skills"));
        let (_, errors) = read("ext,name\n1,2\n", 0);
        assert_eq!(errors.iter().map(|e| e.column.as_str()).collect::<Vec<_>>(), ["extension", "ext"]);
    }
}
