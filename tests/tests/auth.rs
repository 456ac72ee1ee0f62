//! Accounts and sessions: registration, login, access tokens, refresh rotation and
//! reuse detection, logout, password change and the login and registration limits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use copse_shared::ErrorCode;
use copse_shared::auth::{AccountStatus, ChangePasswordRequest, LoginRequest, Role};
use copse_shared::endpoints::{ChangePassword, GetMe, Login, Logout, Refresh, Register};
use copse_tests::{PASSWORD, TestApp, problem, problem_of, refresh_cookie, register_request, set_cookie_headers};
use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;

/// Sends `POST /auth/refresh` with exactly this refresh cookie, from a client with no jar.
async fn refresh_with_cookie(app: &TestApp, cookie: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url("/api/v1/auth/refresh"))
        .header(reqwest::header::COOKIE, format!("copse_refresh={cookie}"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_first_registration_creates_an_active_admin_with_a_session() {
    let app = TestApp::spawn().await;
    let answer =
        app.client.call_with(&Register(register_request("Amina@Example.org", "Amina", PASSWORD)), &[]).await.unwrap();
    assert_eq!(answer.status, 201);
    assert_eq!(answer.headers.get(reqwest::header::LOCATION).unwrap(), "/api/v1/me");
    let user = &answer.body.user;
    assert_eq!(user.email, "amina@example.org", "emails are stored lower-cased");
    assert_eq!((user.role, user.status), (Role::Admin, AccountStatus::Active));
    let session = answer.body.session.as_ref().expect("an active account gets a session");
    assert_eq!(session.token_type, "Bearer");
    assert!(session.expires_in > 0);
    assert_eq!(&session.user, user);
    assert!(refresh_cookie(&answer.headers).is_some(), "the refresh cookie is set at registration");
}

#[tokio::test]
async fn the_second_registration_is_an_active_member() {
    let app = TestApp::spawn().await;
    app.admin().await;
    let (_, second) = app.register("ben@example.org", "Ben", PASSWORD).await;
    assert_eq!((second.user.role, second.user.status), (Role::Member, AccountStatus::Active));
    assert!(second.session.is_some());
}

#[tokio::test]
async fn the_access_token_reads_the_signed_in_account() {
    let app = TestApp::spawn().await;
    let (client, registered) = app.register("amina@example.org", "Amina", PASSWORD).await;
    let me = client.call(&GetMe).await.unwrap();
    assert_eq!(me, registered.user);
}

#[tokio::test]
async fn login_returns_a_session_and_sets_a_strict_http_only_refresh_cookie() {
    let app = TestApp::spawn().await;
    let (_, registered) = app.register("amina@example.org", "Amina", PASSWORD).await;
    let client = app.new_client();
    let login = Login(LoginRequest { email: " AMINA@example.org ".into(), password: PASSWORD.into() });
    let answer = client.call_with(&login, &[]).await.unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.user, registered.user);
    assert_eq!(app.with_token(&answer.body.access_token).call(&GetMe).await.unwrap().id, registered.user.id);

    let cookies = set_cookie_headers(&answer.headers);
    let cookie = cookies.iter().find(|c| c.starts_with("copse_refresh=")).expect("a refresh cookie");
    let attributes: Vec<String> = cookie.split(';').skip(1).map(|a| a.trim().to_ascii_lowercase()).collect();
    assert!(attributes.contains(&"httponly".to_owned()), "{cookie}");
    assert!(attributes.contains(&"samesite=strict".to_owned()), "{cookie}");
    assert!(attributes.contains(&"path=/api/v1/auth".to_owned()), "{cookie}");
    assert!(refresh_cookie(&answer.headers).is_some_and(|v| v.len() >= 32), "{cookie}");
}

#[tokio::test]
async fn a_duplicate_email_is_refused_case_insensitively() {
    let app = TestApp::spawn().await;
    app.register("Ann@X.org", "Ann", PASSWORD).await;
    let again = app.new_client().call(&Register(register_request("ann@x.org", "Another Ann", PASSWORD))).await;
    let problem = problem(again);
    assert_eq!((problem.status, problem.code), (409, ErrorCode::EmailTaken));
}

#[tokio::test]
async fn a_short_password_is_refused_with_a_field_error() {
    let app = TestApp::spawn().await;
    let problem = problem(app.client.call(&Register(register_request("ann@x.org", "Ann", "short"))).await);
    assert_eq!((problem.status, problem.code), (422, ErrorCode::ValidationFailed));
    let field = problem.field("password").expect("an error on `password`");
    assert_eq!(field.code, "too_short");
    assert!(!field.message.is_empty());
}

#[tokio::test]
async fn an_invalid_email_is_refused_with_a_field_error() {
    let app = TestApp::spawn().await;
    let problem = problem(app.client.call(&Register(register_request("not-an-email", "Ann", PASSWORD))).await);
    assert_eq!((problem.status, problem.code), (422, ErrorCode::ValidationFailed));
    assert_eq!(problem.field("email").expect("an error on `email`").code, "invalid_format");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.register("amina@example.org", "Amina", PASSWORD).await;
    let wrong = problem(app.login("amina@example.org", "not the right password").await);
    assert_eq!((wrong.status, wrong.code), (401, ErrorCode::InvalidCredentials));
    let unknown = problem(app.login("nobody@example.org", "not the right password").await);
    assert_eq!(unknown, wrong, "an unknown email must not be distinguishable from a wrong password");
}

#[tokio::test]
async fn a_tampered_access_token_is_invalid() {
    let app = TestApp::spawn().await;
    let (client, _) = app.register("amina@example.org", "Amina", PASSWORD).await;
    let token = client.token().unwrap();
    let signature_start = token.rfind('.').unwrap() + 1;
    let mut tampered = token.to_owned();
    let first = &token[signature_start..=signature_start];
    tampered.replace_range(signature_start..=signature_start, if first == "A" { "B" } else { "A" });
    assert_ne!(tampered, token);
    let problem = problem(app.with_token(&tampered).call(&GetMe).await);
    assert_eq!((problem.status, problem.code), (401, ErrorCode::InvalidToken));
}

#[tokio::test]
async fn an_expired_access_token_is_reported_as_expired() {
    let app = TestApp::spawn().await;
    let (_, registered) = app.register("amina@example.org", "Amina", PASSWORD).await;
    let now = chrono::Utc::now().timestamp();
    let expired = sign(&app, &claims(&registered.user.id, now - 3600, now - 1800));
    let problem = problem(app.with_token(&expired).call(&GetMe).await);
    assert_eq!((problem.status, problem.code), (401, ErrorCode::TokenExpired));

    // The same claims, unexpired and signed the same way, are accepted: the rejection
    // above is about the expiry and nothing else.
    let fresh = sign(&app, &claims(&registered.user.id, now, now + 600));
    assert_eq!(app.with_token(&fresh).call(&GetMe).await.unwrap().id, registered.user.id);
}

#[tokio::test]
async fn an_unsigned_alg_none_token_is_invalid() {
    let app = TestApp::spawn().await;
    let (_, registered) = app.register("amina@example.org", "Amina", PASSWORD).await;
    let now = chrono::Utc::now().timestamp();
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims(&registered.user.id, now, now + 600).to_string());
    let problem = problem(app.with_token(&format!("{header}.{payload}.")).call(&GetMe).await);
    assert_eq!((problem.status, problem.code), (401, ErrorCode::InvalidToken));
}

#[tokio::test]
async fn a_missing_credential_requires_authentication_and_challenges_for_a_bearer_token() {
    let app = TestApp::spawn().await;
    let response = app.client.http().get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers().get(reqwest::header::WWW_AUTHENTICATE).unwrap(), "Bearer");
    let problem = problem_of(response).await;
    assert_eq!(problem.code, ErrorCode::AuthenticationRequired);

    let response = app.client.http().get(app.url("/api/v1/me")).bearer_auth("garbage").send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers().get(reqwest::header::WWW_AUTHENTICATE).unwrap(), "Bearer");
    assert_eq!(problem_of(response).await.code, ErrorCode::InvalidToken);
}

#[tokio::test]
async fn refreshing_rotates_the_refresh_token_and_a_replayed_one_revokes_the_family() {
    let app = TestApp::spawn().await;
    let client = app.new_client();
    let registered =
        client.call_with(&Register(register_request("amina@example.org", "Amina", PASSWORD)), &[]).await.unwrap();
    let first = refresh_cookie(&registered.headers).unwrap();

    let refreshed = client.call_with(&Refresh, &[]).await.unwrap();
    assert_eq!(refreshed.status, 200);
    let second = refresh_cookie(&refreshed.headers).expect("a rotated cookie");
    assert_ne!(second, first);
    assert_eq!(refreshed.body.user.id, registered.body.user.id);
    assert_eq!(app.with_token(&refreshed.body.access_token).call(&GetMe).await.unwrap().id, registered.body.user.id);

    // Someone presents the first, already used token again: a theft.
    let replay = refresh_with_cookie(&app, &first).await;
    assert_eq!(replay.status(), 401);
    assert_eq!(problem_of(replay).await.code, ErrorCode::RefreshTokenReused);

    // The whole family is gone, including the newest token the client holds.
    let after = problem(client.call(&Refresh).await);
    assert_eq!((after.status, after.code), (401, ErrorCode::InvalidRefreshToken));
    let after = refresh_with_cookie(&app, &second).await;
    assert_eq!(after.status(), 401);
}

#[tokio::test]
async fn refreshing_without_a_cookie_is_refused() {
    let app = TestApp::spawn().await;
    let problem = problem(app.client.call(&Refresh).await);
    assert_eq!((problem.status, problem.code), (401, ErrorCode::InvalidRefreshToken));
}

#[tokio::test]
async fn logout_ends_the_session_and_its_refresh_token() {
    let app = TestApp::spawn().await;
    let client = app.new_client();
    let registered =
        client.call_with(&Register(register_request("amina@example.org", "Amina", PASSWORD)), &[]).await.unwrap();
    let cookie = refresh_cookie(&registered.headers).unwrap();

    let answer = client.call_with(&Logout, &[]).await.unwrap();
    assert_eq!(answer.status, 204);
    let cleared = set_cookie_headers(&answer.headers);
    assert!(
        cleared.iter().any(|c| c.starts_with("copse_refresh=;") || c.starts_with("copse_refresh=\"\"")),
        "{cleared:?}"
    );

    let problem = problem(client.call(&Refresh).await);
    assert_eq!((problem.status, problem.code), (401, ErrorCode::InvalidRefreshToken));
    // Even a copy of the cookie kept from before the logout no longer works.
    let response = refresh_with_cookie(&app, &cookie).await;
    assert_eq!(response.status(), 401);
    assert_eq!(problem_of(response).await.code, ErrorCode::InvalidRefreshToken);
}

#[tokio::test]
async fn changing_the_password_requires_the_current_one() {
    let app = TestApp::spawn().await;
    let (client, _) = app.register("amina@example.org", "Amina", PASSWORD).await;
    let change = ChangePassword(ChangePasswordRequest {
        current_password: "not the current password".into(),
        new_password: "a brand new passphrase".into(),
    });
    let problem = problem(client.call(&change).await);
    assert_eq!((problem.status, problem.code), (422, ErrorCode::ValidationFailed));
    assert_eq!(problem.field("current_password").expect("an error on `current_password`").code, "incorrect");
    // Nothing changed.
    app.login("amina@example.org", PASSWORD).await.unwrap();
}

#[tokio::test]
async fn changing_the_password_signs_out_every_other_session() {
    let app = TestApp::spawn().await;
    let (client, _) = app.register("amina@example.org", "Amina", PASSWORD).await;
    let (other, _) = app.login("amina@example.org", PASSWORD).await.unwrap();
    let new_password = "a brand new passphrase";

    let change =
        ChangePassword(ChangePasswordRequest { current_password: PASSWORD.into(), new_password: new_password.into() });
    let answer = client.call_with(&change, &[]).await.unwrap();
    assert_eq!(answer.status, 204);

    let old = problem(app.login("amina@example.org", PASSWORD).await);
    assert_eq!((old.status, old.code), (401, ErrorCode::InvalidCredentials));
    app.login("amina@example.org", new_password).await.expect("the new password signs in");

    let revoked = problem(other.call(&Refresh).await);
    assert_eq!((revoked.status, revoked.code), (401, ErrorCode::InvalidRefreshToken));
    let kept = client.call(&Refresh).await.expect("the session that changed the password lives on");
    assert_eq!(kept.user.email, "amina@example.org");
}

#[tokio::test]
async fn too_many_login_attempts_on_one_account_are_rate_limited() {
    let app = TestApp::spawn_with(|s| s.login_per_account = 3).await;
    app.register("amina@example.org", "Amina", PASSWORD).await;
    for _ in 0..3 {
        let problem = problem(app.login("amina@example.org", "not the right password").await);
        assert_eq!(problem.code, ErrorCode::InvalidCredentials);
    }
    // The fourth attempt is refused before the password is even checked: the right
    // password does not help.
    let response = app
        .client
        .http()
        .post(app.url("/api/v1/auth/login"))
        .json(&LoginRequest { email: "Amina@example.org".into(), password: PASSWORD.into() })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_retry_after(&response);
    let limited = problem_of(response).await;
    assert_eq!((limited.status, limited.code), (429, ErrorCode::RateLimited));

    // Other accounts are not affected.
    let other = problem(app.login("someone@example.org", "not the right password").await);
    assert_eq!(other.code, ErrorCode::InvalidCredentials);
}

#[tokio::test]
async fn too_many_registrations_from_one_address_are_rate_limited() {
    let app = TestApp::spawn_with(|s| s.register_per_ip_per_hour = 2).await;
    app.register("one@example.org", "One", PASSWORD).await;
    app.register("two@example.org", "Two", PASSWORD).await;
    let answer = app
        .client
        .http()
        .post(app.url("/api/v1/auth/register"))
        .json(&register_request("three@example.org", "Three", PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 429);
    assert_retry_after(&answer);
    assert_eq!(problem_of(answer).await.code, ErrorCode::RateLimited);
}

fn assert_retry_after(response: &reqwest::Response) {
    let retry_after = response.headers().get(reqwest::header::RETRY_AFTER).expect("a Retry-After header");
    let seconds: u64 = retry_after.to_str().unwrap().parse().expect("Retry-After in whole seconds");
    assert!(seconds > 0, "Retry-After must be positive, got {seconds}");
}

/// Access-token claims shaped like the server's (`crates/api/src/auth/jwt.rs`).
fn claims(user_id: &str, iat: i64, exp: i64) -> serde_json::Value {
    json!({
        "sub": user_id,
        "sid": uuid::Uuid::new_v4().to_string(),
        "role": "admin",
        "iss": "copse",
        "iat": iat,
        "exp": exp,
    })
}

/// Signs claims with the server's own secret, as the server would (HS256).
fn sign(app: &TestApp, claims: &serde_json::Value) -> String {
    jsonwebtoken::encode(&Header::default(), claims, &EncodingKey::from_secret(app.jwt_secret().as_bytes())).unwrap()
}
