//! Requests outside the contract: malformed and oversized bodies, wrong media types,
//! unknown paths and methods. Every answer is problem+json with a stable code, never a 500.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use copse_shared::ErrorCode;
use copse_tests::{TestApp, problem_of};
use reqwest::header::CONTENT_TYPE;

/// Posts a raw body to the login endpoint.
async fn post_login(app: &TestApp, content_type: Option<&str>, body: impl Into<reqwest::Body>) -> reqwest::Response {
    let mut request = app.client.http().post(app.url("/api/v1/auth/login")).body(body);
    if let Some(content_type) = content_type {
        request = request.header(CONTENT_TYPE, content_type);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let response = post_login(&app, Some("application/json"), r#"{"email": "a@b.org", "password": "#).await;
    assert_eq!(response.status(), 400);
    let problem = problem_of(response).await;
    assert_eq!(problem.code, ErrorCode::MalformedJson);
    assert!(problem.type_url.ends_with("/malformed_json"), "{}", problem.type_url);
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_validation_failure() {
    let app = TestApp::spawn().await;
    let response = post_login(&app, Some("application/json"), r#"{"email": 5, "password": "x"}"#).await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem_of(response).await.code, ErrorCode::ValidationFailed);

    let response = post_login(&app, Some("application/json"), r#"{"email": "a@b.org"}"#).await;
    assert_eq!(response.status(), 422);
    let problem = problem_of(response).await;
    assert_eq!(problem.field("password").expect("the missing field is named").code, "invalid");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_an_unsupported_media_type() {
    let app = TestApp::spawn().await;
    let body = r#"{"email": "a@b.org", "password": "correct horse battery staple"}"#;
    for content_type in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
        let response = post_login(&app, content_type, body).await;
        assert_eq!(response.status(), 415, "content type {content_type:?}");
        assert_eq!(problem_of(response).await.code, ErrorCode::UnsupportedMediaType);
    }
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let app = TestApp::spawn().await;
    let padding = "x".repeat(300 * 1024);
    let body = format!(r#"{{"email": "a@b.org", "password": "{padding}"}}"#);
    let response = post_login(&app, Some("application/json"), body).await;
    assert_eq!(response.status(), 413);
    assert_eq!(problem_of(response).await.code, ErrorCode::PayloadTooLarge);
}

#[tokio::test]
async fn the_body_limit_follows_the_settings() {
    let app = TestApp::spawn_with(|s| s.max_json_bytes = 64).await;
    let body = format!(r#"{{"email": "a@b.org", "password": "{}"}}"#, "x".repeat(100));
    let response = post_login(&app, Some("application/json"), body).await;
    assert_eq!(response.status(), 413);
    assert_eq!(problem_of(response).await.code, ErrorCode::PayloadTooLarge);
}

#[tokio::test]
async fn an_unknown_api_path_is_a_problem_not_the_web_app() {
    let app = TestApp::spawn().await;
    for path in ["/api/v1/nope", "/api/v1/members/42/nope", "/api/nope"] {
        let response = app.client.http().get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(problem_of(response).await.code, ErrorCode::NotFound, "{path}");
    }
}

#[tokio::test]
async fn a_wrong_method_is_not_allowed_and_names_the_allowed_ones() {
    let app = TestApp::spawn().await;
    let response = app.client.http().delete(app.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    let allow = response.headers().get(reqwest::header::ALLOW).expect("an Allow header").to_str().unwrap().to_owned();
    assert_eq!(allow, "GET");
    assert_eq!(problem_of(response).await.code, ErrorCode::MethodNotAllowed);

    let response = app.client.http().get(app.url("/api/v1/auth/login")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers().get(reqwest::header::ALLOW).unwrap(), "POST");
    assert_eq!(problem_of(response).await.code, ErrorCode::MethodNotAllowed);
}

#[tokio::test]
async fn a_malformed_query_string_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let response = app
        .client
        .http()
        .get(app.url("/api/v1/members?limit=many"))
        .bearer_auth(admin.token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(problem_of(response).await.code, ErrorCode::BadRequest);
}
