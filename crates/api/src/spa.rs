//! Serves the built SPA: files from the web directory, and index.html for every
//! client-side route. `/api/...` never falls back here.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::{HttpResponse, http::header};

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Copse</title></head>\
<body><h1>Copse is running</h1><p>The web app has not been built. Run <code>cargo xtask run</code>, \
or set <code>COPSE_WEB_DIR</code> to the built <code>dist</code> directory. The API is at \
<a href=\"/api/docs/\">/api/docs/</a>.</p></body></html>";

/// The static file service with the client-route fallback.
pub fn service(web_dir: &Path) -> Files {
    let index: PathBuf = web_dir.join("index.html");
    Files::new("/", web_dir).index_file("index.html").default_handler(fn_service(move |req: ServiceRequest| {
        let index = index.clone();
        async move {
            let (req, _) = req.into_parts();
            // A built file that is not there (a module of an earlier build, asked for by
            // a page opened before a new release) must fail as such: the page would get
            // index.html with 200 and fail to read it as wasm.
            let name = req.path().rsplit('/').next().unwrap_or_default();
            let response = if crate::middleware::is_hashed_asset(name) {
                HttpResponse::NotFound().insert_header((header::CACHE_CONTROL, "no-cache")).finish()
            } else {
                match NamedFile::open(&index) {
                    Ok(file) => file.into_response(&req),
                    Err(_) => not_built(),
                }
            };
            Ok(ServiceResponse::new(req, response))
        }
    }))
}

/// The answer when the SPA is missing.
pub fn not_built() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(NOT_BUILT)
}

/// The handler form of [`not_built`], for when no web directory is present.
pub async fn not_built_handler() -> HttpResponse {
    not_built()
}
