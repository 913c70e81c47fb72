//! Serving the built web UI: static files, compressed; `index.html` for every other non-API
//! path so deep links survive a reload; a JSON 404 for unknown `/api/` paths.

use std::path::{Path, PathBuf};

use axum::extract::Request;
use axum::response::IntoResponse;
use axum::Router;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::AppError;

/// Where the UI is: the configured path, else `dist/` next to the binary, else `./dist`.
pub fn locate_dist(configured: Option<&Path>) -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(p) = configured {
        candidates.push(p.to_path_buf());
    }
    if let Some(dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf)) {
        candidates.push(dir.join("dist"));
    }
    candidates.push(PathBuf::from("dist"));
    candidates.into_iter().find(|d| d.join("index.html").is_file())
}

async fn no_ui() -> axum::response::Response {
    (
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        "The web UI is not built. Run the README's run command, or pass --dist DIR.",
    )
        .into_response()
}

/// The router's fallback: unknown `/api/…` paths get a JSON 404 (never the SPA, so a script
/// with a typo sees an error, not HTML); everything else is a static file or `index.html`.
pub fn with_fallback<S: Clone + Send + Sync + 'static>(router: Router<S>, dist: Option<&Path>) -> Router<S> {
    let files = dist.map(|dir| {
        let index = ServeFile::new(dir.join("index.html"));
        ServeDir::new(dir).precompressed_br().precompressed_gzip().fallback(index)
    });
    router.fallback(move |req: Request| {
        let files = files.clone();
        async move {
            if req.uri().path() == "/api" || req.uri().path().starts_with("/api/") {
                return AppError::NotFound(format!("API route {}", req.uri().path())).into_response();
            }
            // No file has a name longer than the filesystem allows: such a path is a deep link
            // (the app shows its own "not found"), not an I/O error answered with a 500.
            if req.uri().path().split('/').any(|seg| seg.len() > MAX_FILE_NAME) {
                return serve_index(files, req).await;
            }
            serve(files, req).await
        }
    })
}

/// The longest file name Linux filesystems take.
const MAX_FILE_NAME: usize = 255;
/// The longest URL (path and query) answered; no route of this server needs more, and a longer
/// one is a client bug or an attack: 414 at once, before any routing or file lookup.
pub const MAX_URI: usize = 4096;

type Files = Option<ServeDir<ServeFile>>;

async fn serve(files: Files, req: Request) -> axum::response::Response {
    match files {
        Some(f) => match f.oneshot(req).await {
            Ok(resp) => resp.into_response(),
            Err(never) => match never {},
        },
        None => no_ui().await,
    }
}

async fn serve_index(files: Files, req: Request) -> axum::response::Response {
    let (mut parts, body) = req.into_parts();
    parts.uri = axum::http::Uri::from_static("/index.html");
    serve(files, Request::from_parts(parts, body)).await
}

/// Middleware: [`MAX_URI`] as a clean 414.
pub async fn limit_uri(req: Request, next: axum::middleware::Next) -> axum::response::Response {
    let len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if len > MAX_URI {
        return AppError::UriTooLong.into_response();
    }
    next.run(req).await
}
