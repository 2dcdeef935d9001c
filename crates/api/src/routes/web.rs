//! The web application (`web/`, built by Vite into `web/dist`), served from
//! the binary: assets by path with long caching (their names carry a
//! content hash), every other path the app's `index.html`, never cached, so
//! `/`, `/call` and a reload anywhere open the app. A binary built before
//! `web/dist` exists serves a short page that says how to build it.

use axum::body::Body;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Assets;

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Hotline</title>\
    <p>The web application is not built into this binary: run <code>make run</code> \
    (or <code>npm ci &amp;&amp; npm run build</code> in <code>web/</code>, then rebuild).</p>";

fn file(path: &str, cache: &'static str) -> Option<Response> {
    let f = Assets::get(path)?;
    let mime = f.metadata.mimetype().to_owned();
    Some(([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, cache.to_owned())], Body::from(f.data.into_owned())).into_response())
}

/// Whether the web application is built into this binary.
pub fn is_built() -> bool {
    Assets::get("index.html").is_some()
}

/// Any GET outside `/api`, `/healthz`, `/readyz`, `/metrics`.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("assets/") {
        return file(path, "public, max-age=31536000, immutable").unwrap_or_else(|| StatusCode::NOT_FOUND.into_response());
    }
    if !path.is_empty() && !path.contains('/') {
        // favicon.ico, robots.txt, ... from `web/public`.
        if let Some(r) = file(path, "public, max-age=3600") {
            return r;
        }
    }
    file("index.html", "no-cache").unwrap_or_else(|| ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], NOT_BUILT).into_response())
}
