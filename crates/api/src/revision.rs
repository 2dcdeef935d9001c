//! Optimistic concurrency for what admins edit (queues, agents, skills,
//! users, IVR flows): two admins editing one object cannot overwrite each
//! other silently.
//!
//! - Each object's GET carries an `ETag`: a hash of its representation.
//! - A `PATCH` or `PUT` with `If-Match` naming another version is refused
//!   with 412 `precondition_failed`, naming the fields changed since that
//!   version, with their values then and now (when this server still
//!   remembers that version; it remembers the last [`REMEMBERED`] it served),
//!   and the current `ETag`. Without `If-Match` (a script, `curl`) the write
//!   goes through, as HTTP allows; the web app always sends it.
//! - Every accepted change is audited with the fields it changed, before and
//!   after ([`changes`]).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, FieldChange, Stale};

/// Versions remembered to say what changed since a stale one.
pub const REMEMBERED: usize = 4096;



/// The fields (top-level keys) whose values differ from `before` to `after`.
pub fn changes(before: &Value, after: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let (b, a) = (before.as_object().unwrap_or(&empty), after.as_object().unwrap_or(&empty));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| *k != "updated_at" && b.get(*k) != a.get(*k))
        .map(|k| FieldChange { field: k.clone(), before: b.get(k).cloned().unwrap_or(Value::Null), after: a.get(k).cloned().unwrap_or(Value::Null) })
        .collect()
}

/// The entity tag of a representation: a strong tag, the first 128 bits of
/// the SHA-256 of its JSON.
pub fn etag(v: &Value) -> String {
    let digest = Sha256::digest(v.to_string().as_bytes());
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// The versions this server served lately, by tag.
#[derive(Default)]
pub struct Revisions {
    seen: Mutex<(HashMap<String, Value>, VecDeque<String>)>,
    writes: tokio::sync::Mutex<()>,
}

impl Revisions {
    /// Held from reading an object to storing its change, so that two
    /// writes naming one version cannot both pass [`Revisions::check`].
    /// (One lock for all: admin edits are rare and short.)
    pub async fn write(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.writes.lock().await
    }

    /// Remembers `v` and returns its tag.
    pub fn remember(&self, v: &Value) -> String {
        let tag = etag(v);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let (map, order) = &mut *seen;
        if map.insert(tag.clone(), v.clone()).is_none() {
            order.push_back(tag.clone());
            while order.len() > REMEMBERED {
                if let Some(old) = order.pop_front() {
                    map.remove(&old);
                }
            }
        }
        tag
    }

    /// Whether a write that saw `if_match` may change `current`: yes without
    /// `If-Match`, `*`, or when it names `current`'s tag; otherwise 412 with
    /// what changed since the version it names.
    pub fn check(&self, if_match: &IfMatch, current: &Value) -> Result<(), ApiError> {
        let Some(wanted) = &if_match.0 else { return Ok(()) };
        let now = etag(current);
        if wanted.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == now) {
            return Ok(());
        }
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner()).0.get(wanted.trim()).cloned();
        let changed = seen.map(|then| changes(&then, current)).unwrap_or_default();
        let fields: Vec<&str> = changed.iter().map(|c| c.field.as_str()).collect();
        let message = if fields.is_empty() {
            "someone else saved this since you loaded it; load it again and redo your change".to_owned()
        } else {
            format!("someone else saved this since you loaded it (changed: {}); load it again and redo your change", fields.join(", "))
        };
        let mut e = ApiError::new(StatusCode::PRECONDITION_FAILED, "precondition_failed", message);
        e.stale = Some(Box::new(Stale { changed, etag: now }));
        Err(e)
    }
}

/// The `If-Match` header of a request, if any.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(pub Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for IfMatch {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(IfMatch(parts.headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()).map(str::to_owned)))
    }
}

/// A representation sent with its `ETag` (and remembered, so a later stale
/// write can be told what changed).
pub struct Tagged {
    body: Value,
    tag: String,
}

impl Tagged {
    pub fn new<T: Serialize>(revisions: &Revisions, v: &T) -> Tagged {
        let body = serde_json::to_value(v).unwrap_or(Value::Null);
        let tag = revisions.remember(&body);
        Tagged { body, tag }
    }
}

impl IntoResponse for Tagged {
    fn into_response(self) -> Response {
        let mut r = Json(self.body).into_response();
        if let Ok(v) = HeaderValue::from_str(&self.tag) {
            r.headers_mut().insert(header::ETAG, v);
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{changes, etag, IfMatch, Revisions};

    #[test]
    fn a_stale_tag_is_refused_with_what_changed_since() {
        let r = Revisions::default();
        let v1 = json!({"id": "sales", "name": "销售", "wrap_up_secs": 10, "updated_at": 1});
        let v2 = json!({"id": "sales", "name": "销售", "wrap_up_secs": 30, "updated_at": 2});
        let t1 = r.remember(&v1);
        assert!(r.check(&IfMatch(Some(t1.clone())), &v1).is_ok());
        assert!(r.check(&IfMatch(None), &v2).is_ok(), "no If-Match: HTTP lets it through");
        assert!(r.check(&IfMatch(Some("*".into())), &v2).is_ok());
        let e = r.check(&IfMatch(Some(t1)), &v2).unwrap_err();
        assert_eq!(e.status.as_u16(), 412);
        let stale = e.stale.unwrap();
        assert_eq!(stale.changed.len(), 1);
        assert_eq!((stale.changed[0].field.as_str(), &stale.changed[0].before, &stale.changed[0].after), ("wrap_up_secs", &json!(10), &json!(30)));
        assert_eq!(stale.etag, etag(&v2));
        // A tag this server never served: refused all the same.
        let e = r.check(&IfMatch(Some("\"feed\"".into())), &v2).unwrap_err();
        assert!(e.stale.unwrap().changed.is_empty() && e.message.contains("someone else saved this"));
    }

    #[test]
    fn changes_name_added_removed_and_changed_fields_but_not_the_timestamp() {
        let c = changes(&json!({"a": 1, "b": 2, "updated_at": 5}), &json!({"a": 1, "c": 3, "updated_at": 6}));
        let fields: Vec<_> = c.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["b", "c"]);
    }
}
