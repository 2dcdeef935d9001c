//! A stand-in for an online shop's order system, served only by the demo
//! center so that the demo IVR has a real HTTP backend to look orders up in
//! ("press 1 for your order status"). Outside the API and its sessions, as
//! a shop's own service would be; it holds no personal data: an order's
//! status and delivery date are derived from its number, the same every time.

use axum::extract::Path;
use axum::Json;
use serde_json::{json, Value};

use crate::error::ApiError;

const STATUSES: [(&str, &str); 4] =
    [("processing", "待发货"), ("shipped", "已发货"), ("in_transit", "配送中"), ("delivered", "已签收")];

/// `GET /demo/orders/{order}`: 6 to 12 digits; others are unknown orders.
pub async fn order(Path(order): Path<String>) -> Result<Json<Value>, ApiError> {
    if !(6..=12).contains(&order.len()) || !order.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::not_found("order", &order));
    }
    let sum: u32 = order.bytes().map(|b| u32::from(b - b'0')).sum();
    let (status, status_zh) = STATUSES[(sum % 4) as usize];
    let days = i64::from(sum % 5) + 1;
    let eta_ms = hotline_acd::now_ms() + days * 86_400_000;
    Ok(Json(json!({
        "order": order,
        "status": status,
        "status_zh": status_zh,
        "eta_days": days,
        "eta_date": date(eta_ms + 8 * 3_600_000),
    })))
}

/// `YYYY-MM-DD` of a millisecond timestamp (already shifted to local time).
fn date(ms: i64) -> String {
    let (y, m, d) = hotline_ivr::date_of(ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::date(0), "1970-01-01");
        assert_eq!(super::date(1_795_435_200_000), "2026-11-23");
    }
}
