//! Finding customers: by part of a name, an e-mail or a phone number.
//! Phones are masked unless the role may see them; every search is audited
//! (it reads personal data).

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::interactions::{customer_dto, CustomerDto};
use crate::audit::{self, ClientIp};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Part of a name, an e-mail or a phone number (at least 2 characters).
    pub q: String,
    /// At most 50. Default 20.
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", security(("bearer" = ["admin", "supervisor", "agent", "qa"])), params(SearchQuery),
    responses((status = 200, body = [CustomerDto]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(State(state): State<AppState>, user: AuthUser, ip: ClientIp, Query(q): Query<SearchQuery>) -> ApiResult<Json<Vec<CustomerDto>>> {
    let text = q.q.trim();
    if text.chars().count() < 2 || text.chars().count() > 64 {
        return Err(ApiError::invalid("q", "2 to 64 characters"));
    }
    let found = state.db().list_customers(Some(text), q.limit.unwrap_or(20).clamp(1, 50), 0).await?;
    audit::record(&state, Some(&user), &ip, "customer.search", None, format!("results={}", found.len())).await;
    Ok(Json(found.into_iter().map(|c| customer_dto(&user, c)).collect()))
}

/// A customer with their interaction history, newest first.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CustomerPageDto {
    pub customer: CustomerDto,
    pub interactions: Vec<super::interactions::InteractionDto>,
}

#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", security(("bearer" = ["admin", "supervisor", "agent", "qa"])), params(("id" = String, Path)),
    responses((status = 200, body = CustomerPageDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, user: AuthUser, ip: ClientIp, axum::extract::Path(id): axum::extract::Path<String>) -> ApiResult<Json<CustomerPageDto>> {
    let db = state.db();
    let c = db.customer(&id).await?.ok_or_else(|| ApiError::not_found("customer", &id))?;
    let history = db.customer_interactions(&id, 50).await?;
    audit::record(&state, Some(&user), &ip, "customer.view", Some(&id), format!("interactions={}", history.len())).await;
    Ok(Json(CustomerPageDto {
        customer: customer_dto(&user, c),
        interactions: history.into_iter().map(|i| super::interactions::dto(&user, i)).collect(),
    }))
}

/// This module's routes. Each is declared once, by its handler's
/// `#[utoipa::path]`: path, method, OpenAPI entry and, in `security`, who may
/// call it (see [`crate::access`]).
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(search))
        .routes(utoipa_axum::routes!(get))
}
