//! Business hours and holidays: calendars the center keeps (weekly hours,
//! holidays, moved workdays), named by IVR `schedule` nodes. A change
//! reaches new calls at once (the dial plan is reloaded); calls in progress
//! keep the hours they started with. Holidays can be imported from an
//! iCalendar file, such as the official calendar of China's public holidays.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use hotline_calendar::Schedule;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{check_name, check_slug};
use crate::audit::{self, ClientIp};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::revision::{IfMatch, Tagged};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct CalendarDto {
    pub id: String,
    pub name: String,
    /// Weekly hours, holidays and moved workdays (see `hotline-calendar`).
    #[schema(value_type = Object)]
    pub schedule: serde_json::Value,
    pub updated_at: i64,
    pub updated_by: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutCalendar {
    pub name: String,
    #[schema(value_type = Object)]
    pub schedule: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    /// Holidays added (already there: not counted).
    pub holidays_added: usize,
    /// Moved workdays added.
    pub workdays_added: usize,
    pub calendar: CalendarDto,
}

fn dto(c: hotline_store::Calendar) -> CalendarDto {
    CalendarDto {
        schedule: serde_json::from_str(&c.schedule).unwrap_or(serde_json::Value::Null),
        id: c.id,
        name: c.name,
        updated_at: c.updated_at,
        updated_by: c.updated_by,
    }
}

/// Reads and checks a schedule; problems named `schedule.<field>`.
fn read_schedule(v: &serde_json::Value) -> ApiResult<Schedule> {
    let s: Schedule = serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        ApiError::invalid(format!("schedule.{path}").trim_end_matches('.'), e.into_inner().to_string())
    })?;
    if let Some((field, message)) = s.problems().into_iter().next() {
        return Err(ApiError::invalid(&format!("schedule.{field}"), message));
    }
    Ok(s)
}

#[utoipa::path(get, path = "/api/v1/calendars", tag = "configuration", security(("bearer" = ["admin", "supervisor"])),
    responses((status = 200, body = [CalendarDto]), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _user: AuthUser) -> ApiResult<Json<Vec<CalendarDto>>> {
    Ok(Json(state.db().list_calendars().await?.into_iter().map(dto).collect()))
}

#[utoipa::path(get, path = "/api/v1/calendars/{id}", tag = "configuration", security(("bearer" = ["admin", "supervisor"])), params(("id" = String, Path)),
    responses((status = 200, body = CalendarDto), (status = 404, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, _user: AuthUser, Path(id): Path<String>) -> ApiResult<Tagged> {
    let c = state.db().calendar(&id).await?.ok_or_else(|| ApiError::not_found("calendar", &id))?;
    Ok(Tagged::new(&state.0.revisions, &dto(c)))
}

/// Adds or replaces a calendar (with `If-Match`, only over the version the
/// editor loaded).
#[utoipa::path(put, path = "/api/v1/calendars/{id}", tag = "configuration", security(("bearer" = ["admin"])),
    params(("id" = String, Path), ("if-match" = Option<String>, Header, description = "The ETag of the version this change was made to")),
    request_body = PutCalendar, responses((status = 200, body = CalendarDto), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    ip: ClientIp,
    user: AuthUser,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(req): ApiJson<PutCalendar>,
) -> ApiResult<Tagged> {
    check_slug("id", &id)?;
    check_name("name", &req.name)?;
    let schedule = read_schedule(&req.schedule)?;
    let _writing = state.0.revisions.write().await;
    let before = state.db().calendar(&id).await?.map(|c| serde_json::to_value(dto(c)).unwrap_or_default());
    if let Some(before) = &before {
        state.0.revisions.check(&if_match, before)?;
    }
    let c = hotline_store::Calendar {
        id: id.clone(),
        name: req.name.trim().to_owned(),
        schedule: serde_json::to_string(&schedule).unwrap_or_default(),
        updated_at: hotline_acd::now_ms(),
        updated_by: Some(user.username.clone()),
    };
    state.db().put_calendar(&c).await?;
    let after = dto(c);
    let after_json = serde_json::to_value(&after).unwrap_or_default();
    audit::record_change(&state, &user, &ip, "calendar.put", &id, &before.unwrap_or_default(), &after_json).await;
    state.telephony_changed().await;
    Ok(Tagged::new(&state.0.revisions, &after))
}

/// Adds the holidays and make-up workdays of an iCalendar file (the body,
/// `text/calendar`) to a calendar.
#[utoipa::path(post, path = "/api/v1/calendars/{id}/import", tag = "configuration", security(("bearer" = ["admin"])), params(("id" = String, Path)),
    request_body(content = String, content_type = "text/calendar"),
    responses((status = 200, body = ImportReport), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(State(state): State<AppState>, ip: ClientIp, user: AuthUser, Path(id): Path<String>, body: Bytes) -> ApiResult<Json<ImportReport>> {
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::invalid("file", "an iCalendar file in UTF-8"))?;
    let days = hotline_calendar::ical::days(text).map_err(|e| ApiError::invalid("file", e.to_string()))?;
    let _writing = state.0.revisions.write().await;
    let mut c = state.db().calendar(&id).await?.ok_or_else(|| ApiError::not_found("calendar", &id))?;
    let before = serde_json::to_value(dto(c.clone())).unwrap_or_default();
    let mut schedule: Schedule = serde_json::from_str(&c.schedule).map_err(|_| ApiError::internal())?;
    let (mut holidays_added, mut workdays_added) = (0, 0);
    for d in days {
        let (list, added) = if d.workday { (&mut schedule.extra_workdays, &mut workdays_added) } else { (&mut schedule.holidays, &mut holidays_added) };
        if !list.contains(&d.date) {
            list.push(d.date);
            *added += 1;
        }
    }
    schedule.holidays.sort();
    schedule.extra_workdays.sort();
    c.schedule = serde_json::to_string(&schedule).unwrap_or_default();
    c.updated_at = hotline_acd::now_ms();
    c.updated_by = Some(user.username.clone());
    state.db().put_calendar(&c).await?;
    let calendar = dto(c);
    audit::record_change(&state, &user, &ip, "calendar.import", &id, &before, &serde_json::to_value(&calendar).unwrap_or_default()).await;
    state.telephony_changed().await;
    Ok(Json(ImportReport { holidays_added, workdays_added, calendar }))
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(list))
        .routes(utoipa_axum::routes!(get, put))
        .routes(utoipa_axum::routes!(import))
}
