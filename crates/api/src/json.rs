//! A JSON body extractor whose errors name the offending field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Like `axum::Json`, but a wrong body becomes a 4xx JSON error with the
/// path of the field (`steps[0].timeout_secs`) instead of plain text.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
        if !is_json {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(e.status(), "bad_body", e.body_text()))?;
        parse(&bytes).map(ApiJson)
    }
}

/// Deserializes JSON, reporting syntax errors with line and column and type
/// errors with the field path.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::bad_request(format!("malformed JSON: {inner}")).field(path)
        } else {
            // serde_json appends " at line L column C"; the field path says more.
            let msg = inner.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
            let parent = if path == "." { "" } else { &path };
            // A missing field is reported at its parent (an unknown one at itself); name the field.
            let named = ["missing field `"]
                .iter()
                .find_map(|p| msg.strip_prefix(p))
                .and_then(|rest| rest.split('`').next());
            let field = match named {
                Some(name) if parent.is_empty() => name.to_owned(),
                Some(name) => format!("{parent}.{name}"),
                None => parent.to_owned(),
            };
            ApiError::invalid(&field, msg)
        }
    })
}

/// Like `axum::extract::Query`, but a wrong query becomes a 422 JSON error
/// naming the parameter (`limit`) instead of plain text.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let path = e.path().to_string();
            ApiError::invalid(&path, e.into_inner().to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        steps: Vec<Inner>,
    }
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        timeout_secs: u32,
    }

    #[test]
    fn type_error_names_the_field_path() {
        let e = parse::<Outer>(br#"{"name":"x","steps":[{"timeout_secs":-1}]}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("steps[0].timeout_secs"));
        assert_eq!(e.status, 422);
        assert!(e.message.contains("invalid value: integer `-1`"), "{}", e.message);
    }

    #[test]
    fn syntax_error_is_400() {
        let e = parse::<Outer>(b"{\"name\": ").unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.message.starts_with("malformed JSON"), "{}", e.message);
    }

    #[test]
    fn missing_and_unknown_fields() {
        let e = parse::<Outer>(br#"{"name":"x"}"#).unwrap_err();
        assert_eq!(e.message, "missing field `steps`");
        assert_eq!(e.field.as_deref(), Some("steps"));
        let e = parse::<Outer>(br#"{"name":"x","steps":[{}]}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("steps[0].timeout_secs"));
        let e = parse::<Outer>(br#"{"name":"x","steps":[],"colour":1}"#).unwrap_err();
        assert!(e.message.starts_with("unknown field `colour`"), "{}", e.message);
        assert_eq!(e.field.as_deref(), Some("colour"));
    }
}
