pub mod agent_import;
pub mod alerts;
pub mod agents;
pub mod broadcasts;
pub mod calendars;
pub mod calls;
pub mod codes;
pub mod customers;
pub mod demo_shop;
pub mod displays;
pub mod auth;
pub mod events;
pub mod interactions;
pub mod ivr;
pub mod labels;
pub mod ops;
pub mod prompts;
pub mod settings;
pub mod queues;
pub mod sip_guard;
pub mod skills;
pub mod softphone;
pub mod teams;
pub mod trunks;
pub mod users;
pub mod web;
pub mod work;

use crate::error::ApiError;
use crate::state::AppState;

/// Every route of the application that the OpenAPI document describes and
/// the access table governs: each module's own `routes()` merged. A new
/// domain adds its module here, and nowhere else.
pub fn api() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::with_openapi(<crate::openapi::ApiDoc as utoipa::OpenApi>::openapi())
        .merge(auth::routes())
        .merge(users::routes())
        .merge(skills::routes())
        .merge(labels::routes())
        .merge(codes::routes())
        .merge(calendars::routes())
        .merge(settings::routes())
        .merge(teams::routes())
        .merge(queues::routes())
        .merge(agents::routes())
        .merge(agent_import::routes())
        .merge(work::routes())
        .merge(interactions::routes())
        .merge(customers::routes())
        .merge(softphone::routes())
        .merge(calls::routes())
        .merge(alerts::routes())
        .merge(displays::routes())
        .merge(ivr::routes())
        .merge(broadcasts::routes())
        .merge(prompts::routes())
        .merge(sip_guard::routes())
        .merge(trunks::routes())
        .merge(events::routes())
        .merge(ops::routes())
}

/// Ids chosen by people (queues, skills, codes): short lower-case slugs.
pub fn check_slug(field: &str, id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= 32
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(field, "use 1-32 lower-case letters, digits, `_` or `-`"))
    }
}

/// Display names: not blank, at most 64 characters.
pub fn check_name(field: &str, name: &str) -> Result<(), ApiError> {
    let n = name.trim().chars().count();
    if n == 0 || n > 64 {
        return Err(ApiError::invalid(field, "must be 1-64 characters"));
    }
    Ok(())
}

/// Proficiency levels are 1 (novice) to 10 (expert).
pub fn check_level(field: &str, level: u8) -> Result<(), ApiError> {
    if (1..=10).contains(&level) {
        Ok(())
    } else {
        Err(ApiError::invalid(field, format!("level {level} is outside 1-10")))
    }
}
