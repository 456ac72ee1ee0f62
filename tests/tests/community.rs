//! The community's settings: readable by anyone, replaced by admins under optimistic
//! locking with `ETag` and `If-Match`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use copse_shared::ErrorCode;
use copse_shared::client::Client;
use copse_shared::community::{Community, JoinPolicy, UpdateCommunityRequest};
use copse_shared::endpoints::{GetCommunity, UpdateCommunity};
use copse_tests::{TestApp, problem};

fn etag_of(headers: &reqwest::header::HeaderMap) -> String {
    headers.get(reqwest::header::ETAG).expect("an ETag").to_str().unwrap().to_owned()
}

async fn read(client: &Client) -> (Community, String) {
    let answer = client.call_with(&GetCommunity, &[]).await.unwrap();
    let etag = etag_of(&answer.headers);
    (answer.body, etag)
}

fn renamed(current: &Community, name: &str) -> UpdateCommunity {
    UpdateCommunity(UpdateCommunityRequest {
        name: name.into(),
        tagline: current.tagline.clone(),
        join_policy: current.join_policy,
        public_read: current.public_read,
    })
}

#[tokio::test]
async fn anyone_can_read_the_settings_with_an_etag() {
    let app = TestApp::spawn().await;
    let answer = app.client.call_with(&GetCommunity, &[]).await.unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.join_policy, JoinPolicy::Open, "a new community is open");
    assert!(!answer.body.name.is_empty());
    let etag = etag_of(&answer.headers);
    assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() > 2, "a strong ETag, got {etag}");
    let (_, again) = read(&app.client).await;
    assert_eq!(again, etag, "an unchanged resource keeps its ETag");
}

#[tokio::test]
async fn an_admin_replaces_the_settings_and_gets_a_new_etag() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (current, etag) = read(&app.client).await;
    let update = UpdateCommunity(UpdateCommunityRequest {
        name: "Rural Advisory Practitioners".into(),
        tagline: "Learning from each other".into(),
        join_policy: JoinPolicy::Approval,
        public_read: !current.public_read,
    });
    let answer = admin.call_with(&update, &[("If-Match", &etag)]).await.unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.name, "Rural Advisory Practitioners");
    assert_eq!(answer.body.join_policy, JoinPolicy::Approval);
    assert_eq!(answer.body.public_read, !current.public_read);
    let new_etag = etag_of(&answer.headers);
    assert_ne!(new_etag, etag);

    let (stored, stored_etag) = read(&app.client).await;
    assert_eq!(stored, answer.body, "the change is stored");
    assert_eq!(stored_etag, new_etag, "the ETag of the answer is the one readers see");
}

#[tokio::test]
async fn a_stale_if_match_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (current, stale) = read(&app.client).await;
    admin.call_with(&renamed(&current, "First edit"), &[("If-Match", &stale)]).await.unwrap();

    let problem = problem(admin.call_with(&renamed(&current, "Second edit"), &[("If-Match", &stale)]).await);
    assert_eq!((problem.status, problem.code), (412, ErrorCode::PreconditionFailed));
    assert_eq!(read(&app.client).await.0.name, "First edit");
}

#[tokio::test]
async fn a_member_may_not_change_the_settings() {
    let app = TestApp::spawn().await;
    app.admin().await;
    let member = app.member("ben@example.org").await;
    let (current, etag) = read(&app.client).await;
    let problem = problem(member.call_with(&renamed(&current, "Taken over"), &[("If-Match", &etag)]).await);
    assert_eq!((problem.status, problem.code), (403, ErrorCode::Forbidden));
    assert_eq!(read(&app.client).await.0, current);
}

#[tokio::test]
async fn an_anonymous_visitor_may_not_change_the_settings() {
    let app = TestApp::spawn().await;
    let (current, _) = read(&app.client).await;
    let problem = problem(app.client.call(&renamed(&current, "Taken over")).await);
    assert_eq!((problem.status, problem.code), (401, ErrorCode::AuthenticationRequired));
}

#[tokio::test]
async fn invalid_settings_are_refused_with_field_errors() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (current, etag) = read(&app.client).await;
    let mut update = renamed(&current, "   ");
    update.0.tagline = "t".repeat(201);
    let problem = problem(admin.call_with(&update, &[("If-Match", &etag)]).await);
    assert_eq!((problem.status, problem.code), (422, ErrorCode::ValidationFailed));
    assert_eq!(problem.field("name").expect("an error on `name`").code, "required");
    assert_eq!(problem.field("tagline").expect("an error on `tagline`").code, "too_long");
}
