//! The OpenAPI document. Paths, schemas and each route's access rule come
//! from the handlers' `#[utoipa::path]` attributes, gathered by
//! [`crate::routes::api`]; this module adds the title and the security
//! schemes those rules name:
//!
//! - `bearer`: a session (the `Authorization: Bearer` header or the session
//!   cookie); its scopes are the roles that may call the route, none meaning
//!   any signed-in user.
//! - `own_agent`: the agent named by the path's `{id}`, acting for themself.
//! - `agent`: a signed-in agent with an agent record (their own softphone).
//! - `ticket`: a single-use ticket in `?ticket=` (the event stream).
//! - an empty requirement (`security(())`): open to anyone.

use std::sync::OnceLock;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail};

#[derive(OpenApi)]
#[openapi(
    info(title = "Hotline API", description = "Contact-center platform: routing, agents, queues, events."),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&SecuritySchemes),
)]
pub struct ApiDoc;

/// The whole document, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| crate::routes::api().into_openapi())
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some(description.to_owned())).build())
        };
        components.add_security_scheme("bearer", bearer("A session: the bearer token or the session cookie. Scopes name the roles that may call the route; none means any signed-in user."));
        components.add_security_scheme("own_agent", bearer("A session of the agent the path's {id} names, acting for themself."));
        components.add_security_scheme("agent", bearer("A session of a signed-in agent with an agent record."));
        components.add_security_scheme(
            "ticket",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description("ticket", "A single-use ticket from POST /api/v1/events/ticket."))),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_schema_the_document_refers_to_is_in_it() {
        let doc = serde_json::to_value(super::document()).unwrap();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 50, "{} references", found.len());
        let dangling: Vec<_> = found
            .into_iter()
            .filter(|r| {
                let name = r.trim_start_matches("#/components/schemas/");
                doc["components"]["schemas"].get(name).is_none()
            })
            .collect();
        assert!(dangling.is_empty(), "references to schemas the document lacks: {dangling:?}");
        assert_eq!(doc["paths"]["/api/v1/queues"]["post"]["security"], serde_json::json!([{"bearer": ["admin"]}]));
    }
}
