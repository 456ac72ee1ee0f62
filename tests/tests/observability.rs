//! What operators and integrators rely on: request ids, the liveness and readiness
//! probes (including readiness failing when the database is gone), the database's
//! configuration, the published OpenAPI document and its browsable docs, and how the
//! SPA's files are served.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use copse_shared::ErrorCode;
use copse_shared::endpoints::{GetHealth, GetReady};
use copse_tests::{Backend, TestApp, problem};
use sea_orm::{ConnectionTrait, Statement};

const REQUEST_ID: &str = "x-request-id";

#[tokio::test]
async fn a_request_id_sent_by_the_client_is_echoed() {
    let app = TestApp::spawn().await;
    let answer = app.client.call_with(&GetHealth, &[(REQUEST_ID, "trace-4711")]).await.unwrap();
    assert_eq!(answer.headers.get(REQUEST_ID).unwrap(), "trace-4711");
    // Errors carry it too, so a user's report can be matched with the logs.
    let response =
        app.client.http().get(app.url("/api/v1/nope")).header(REQUEST_ID, "trace-4712").send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers().get(REQUEST_ID).unwrap(), "trace-4712");
}

#[tokio::test]
async fn a_request_id_is_generated_when_none_or_an_unusable_one_is_sent() {
    let app = TestApp::spawn().await;
    let first = app.client.call_with(&GetHealth, &[]).await.unwrap();
    let second = app.client.call_with(&GetHealth, &[]).await.unwrap();
    let first = first.headers.get(REQUEST_ID).expect("a generated request id").to_str().unwrap().to_owned();
    let second = second.headers.get(REQUEST_ID).expect("a generated request id").to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&first).is_ok(), "{first}");
    assert_ne!(first, second, "each request gets its own id");

    let long = "x".repeat(200);
    let answer = app.client.call_with(&GetHealth, &[(REQUEST_ID, &long)]).await.unwrap();
    let replaced = answer.headers.get(REQUEST_ID).unwrap().to_str().unwrap();
    assert!(uuid::Uuid::parse_str(replaced).is_ok(), "an oversized id is replaced, got {replaced}");
}

#[tokio::test]
async fn the_liveness_probe_answers() {
    let app = TestApp::spawn().await;
    let answer = app.client.call_with(&GetHealth, &[]).await.unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.status, "ok");
    assert!(!answer.body.version.is_empty());
}

#[tokio::test]
async fn the_readiness_probe_answers_while_the_database_does() {
    let app = TestApp::spawn().await;
    let answer = app.client.call_with(&GetReady, &[]).await.unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.status, "ready");
}

#[tokio::test]
async fn the_readiness_probe_fails_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.client.call(&GetReady).await.unwrap();
    // The handle is the application's own pool: closing it takes the database away
    // from the running server, on SQLite and PostgreSQL alike.
    app.db.close_by_ref().await.unwrap();

    let ready = problem(app.client.call(&GetReady).await);
    assert_eq!((ready.status, ready.code), (503, ErrorCode::ServiceUnavailable));
    // The liveness probe does not depend on the database.
    assert_eq!(app.client.call(&GetHealth).await.unwrap().status, "ok");
    // Other requests that need the database fail the same way, not with a 500.
    let community = problem(app.client.call(&copse_shared::endpoints::GetCommunity).await);
    assert_eq!((community.status, community.code), (503, ErrorCode::ServiceUnavailable));
}

async fn scalar(app: &TestApp, sql: &str) -> sea_orm::QueryResult {
    app.db
        .query_one_raw(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{sql} returned no row"))
}

#[tokio::test]
async fn the_database_is_configured_for_its_backend() {
    let app = TestApp::spawn().await;
    match app.backend {
        Backend::Sqlite => {
            let journal: String = scalar(&app, "PRAGMA journal_mode").await.try_get_by_index(0).unwrap();
            assert_eq!(journal, "wal");
            let foreign_keys: i32 = scalar(&app, "PRAGMA foreign_keys").await.try_get_by_index(0).unwrap();
            assert_eq!(foreign_keys, 1);
            assert!(app.data_dir.join("copse.db").is_file(), "the database file is created on demand");
        }
        Backend::Postgres => {
            let name: String = scalar(&app, "SELECT current_database()").await.try_get_by_index(0).unwrap();
            assert!(name.starts_with("copse_test_"), "each test has its own database, got {name}");
        }
    }
}

#[tokio::test]
async fn the_published_openapi_document_is_the_one_the_code_describes() {
    let app = TestApp::spawn().await;
    let response = app.client.http().get(app.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let served: serde_json::Value = response.json().await.unwrap();
    let expected = serde_json::to_value(copse::openapi::spec()).unwrap();
    assert_eq!(served, expected);
    assert!(served["paths"]["/api/v1/auth/register"]["post"].is_object(), "the document lists the real routes");
}

#[tokio::test]
async fn the_browsable_api_documentation_is_served() {
    let app = TestApp::spawn().await;
    let response = app.client.http().get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers().get(reqwest::header::CONTENT_TYPE).unwrap().to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let body = response.text().await.unwrap();
    assert!(body.to_lowercase().contains("<html"), "{body}");
}

#[tokio::test]
async fn the_spa_is_served_with_client_routes_cached_files_and_missing_modules_not_found() {
    let web = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("index.html"), "<!doctype html><title>Copse SPA</title>").unwrap();
    std::fs::write(web.path().join("web-0123456789abcdef.js"), "export default 1;").unwrap();
    let dir = web.path().to_path_buf();
    let app = TestApp::spawn_with(move |settings| settings.web_dir = dir).await;
    let get = |path: &str| app.client.http().get(app.url(path)).send();
    let cache = |response: &reqwest::Response| {
        response.headers().get(reqwest::header::CACHE_CONTROL).map(|v| v.to_str().unwrap().to_owned())
    };

    // A client-side route gets the page, revalidated at every load.
    let route = get("/discussions/some-topic").await.unwrap();
    assert_eq!(route.status(), 200);
    assert_eq!(cache(&route).as_deref(), Some("no-cache"));
    assert!(route.text().await.unwrap().contains("Copse SPA"));
    // A built file is cached for a year: its name changes with every build.
    let asset = get("/web-0123456789abcdef.js").await.unwrap();
    assert_eq!(asset.status(), 200);
    assert_eq!(cache(&asset).as_deref(), Some("public, max-age=31536000, immutable"));
    // A module of another build is not found, rather than answered with the page.
    let stale = get("/chunk_3-fedcba9876543210.wasm").await.unwrap();
    assert_eq!(stale.status(), 404);
    assert_ne!(cache(&stale).as_deref(), Some("public, max-age=31536000, immutable"));
    assert!(!stale.text().await.unwrap().contains("Copse SPA"));
}
