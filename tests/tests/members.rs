//! Becoming a member under each join policy (approval, invitation), the member list
//! and its cursor pagination, and who may administer members.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use copse_shared::ErrorCode;
use copse_shared::auth::{AccountStatus, RegisterRequest, Role};
use copse_shared::client::Client;
use copse_shared::community::{JoinPolicy, UpdateCommunityRequest};
use copse_shared::endpoints::{ApproveMember, CreateInvitation, GetCommunity, ListMembers, Register, UpdateCommunity};
use copse_shared::members::CreateInvitationRequest;
use copse_tests::{PASSWORD, TestApp, problem, register_request};

/// Sets the join policy as the admin, with the current ETag.
async fn set_policy(app: &TestApp, admin: &Client, policy: JoinPolicy) {
    let current = app.client.call_with(&GetCommunity, &[]).await.unwrap();
    let etag = current.headers.get(reqwest::header::ETAG).unwrap().to_str().unwrap().to_owned();
    let update = UpdateCommunity(UpdateCommunityRequest {
        name: current.body.name,
        tagline: current.body.tagline,
        join_policy: policy,
        public_read: current.body.public_read,
    });
    let updated = admin.call_with(&update, &[("If-Match", &etag)]).await.unwrap();
    assert_eq!(updated.body.join_policy, policy);
}

fn with_invitation(email: &str, token: &str) -> Register {
    Register(RegisterRequest {
        invitation_token: Some(token.to_owned()),
        ..register_request(email, "Invited", PASSWORD)
    })
}

#[tokio::test]
async fn under_the_approval_policy_a_registration_waits_until_approved() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    set_policy(&app, &admin, JoinPolicy::Approval).await;

    let answer =
        app.new_client().call_with(&Register(register_request("ben@example.org", "Ben", PASSWORD)), &[]).await.unwrap();
    assert_eq!(answer.status, 201);
    assert_eq!(answer.body.user.status, AccountStatus::Pending);
    assert!(answer.body.session.is_none(), "a pending account gets no session");
    assert!(copse_tests::refresh_cookie(&answer.headers).is_none(), "nor a refresh cookie");
    let pending_id = answer.body.user.id;

    let refused = problem(app.login("ben@example.org", PASSWORD).await);
    assert_eq!((refused.status, refused.code), (403, ErrorCode::AccountPending));

    let pending =
        admin.call(&ListMembers { status: Some(AccountStatus::Pending), ..Default::default() }).await.unwrap();
    let ids: Vec<&str> = pending.items.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, [pending_id.as_str()], "only the pending account is listed");

    let approved = admin.call(&ApproveMember { id: pending_id.clone() }).await.unwrap();
    assert_eq!((approved.id.as_str(), approved.status), (pending_id.as_str(), AccountStatus::Active));
    let (_, session) = app.login("ben@example.org", PASSWORD).await.expect("an approved account signs in");
    assert_eq!(session.user.status, AccountStatus::Active);

    let again = problem(admin.call(&ApproveMember { id: pending_id }).await);
    assert_eq!((again.status, again.code), (409, ErrorCode::Conflict));
    let unknown = problem(admin.call(&ApproveMember { id: uuid::Uuid::new_v4().to_string() }).await);
    assert_eq!((unknown.status, unknown.code), (404, ErrorCode::NotFound));
}

#[tokio::test]
async fn a_member_may_not_list_or_approve_members() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let member = app.member("ben@example.org").await;
    set_policy(&app, &admin, JoinPolicy::Approval).await;
    let (_, pending) = app.register("cleo@example.org", "Cleo", PASSWORD).await;

    let listed = problem(member.call(&ListMembers::default()).await);
    assert_eq!((listed.status, listed.code), (403, ErrorCode::Forbidden));
    let approved = problem(member.call(&ApproveMember { id: pending.user.id }).await);
    assert_eq!((approved.status, approved.code), (403, ErrorCode::Forbidden));
    let invited = problem(member.call(&CreateInvitation(CreateInvitationRequest::default())).await);
    assert_eq!((invited.status, invited.code), (403, ErrorCode::Forbidden));
}

#[tokio::test]
async fn under_the_invite_policy_registration_needs_a_single_use_invitation() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    set_policy(&app, &admin, JoinPolicy::Invite).await;

    let refused = problem(app.new_client().call(&Register(register_request("ben@example.org", "Ben", PASSWORD))).await);
    assert_eq!((refused.status, refused.code), (403, ErrorCode::InvitationRequired));

    let created = admin.call_with(&CreateInvitation(CreateInvitationRequest::default()), &[]).await.unwrap();
    assert_eq!(created.status, 201);
    let invitation = created.body;
    assert_eq!(invitation.invitation.role, Role::Member);
    assert!(invitation.register_path.ends_with(&invitation.token));

    let registered = app.new_client().call(&with_invitation("ben@example.org", &invitation.token)).await.unwrap();
    assert_eq!((registered.user.role, registered.user.status), (Role::Member, AccountStatus::Active));
    assert!(registered.session.is_some());

    let reused = problem(app.new_client().call(&with_invitation("cleo@example.org", &invitation.token)).await);
    assert_eq!((reused.status, reused.code), (422, ErrorCode::ValidationFailed));
    assert!(reused.field("invitation_token").is_some(), "{reused:?}");

    let forged = problem(app.new_client().call(&with_invitation("cleo@example.org", "not-a-real-token")).await);
    assert_eq!(forged.status, 422);
    assert!(forged.field("invitation_token").is_some(), "{forged:?}");
}

#[tokio::test]
async fn an_invitation_for_a_given_address_only_works_for_that_address() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    set_policy(&app, &admin, JoinPolicy::Invite).await;
    let request = CreateInvitationRequest { email: Some("Ben@Example.org".into()), ..Default::default() };
    let invitation = admin.call(&CreateInvitation(request)).await.unwrap();

    let other = problem(app.new_client().call(&with_invitation("cleo@example.org", &invitation.token)).await);
    assert_eq!(other.field("invitation_token").map(|f| f.code.as_str()), Some("email_mismatch"));
    app.new_client()
        .call(&with_invitation("ben@example.org", &invitation.token))
        .await
        .expect("the invited address registers");
}

#[tokio::test]
async fn the_member_list_pages_through_every_account_exactly_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let me = admin.call(&copse_shared::endpoints::GetMe).await.unwrap();
    let mut expected = HashSet::from([me.id]);
    for n in 0..5 {
        let (_, registered) = app.register(&format!("member{n}@example.org"), &format!("Member {n}"), PASSWORD).await;
        expected.insert(registered.user.id);
    }

    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page =
            admin.call(&ListMembers { limit: Some(2), cursor: cursor.clone(), ..Default::default() }).await.unwrap();
        pages += 1;
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|u| (u.created_at, u.id.clone())));
        match page.next_cursor {
            Some(next) => {
                assert_eq!(page.items.len(), 2, "only the last page may be short");
                cursor = Some(next);
            }
            None => break,
        }
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(pages, 3, "six accounts at two per page");
    let ids: HashSet<String> = seen.iter().map(|(_, id)| id.clone()).collect();
    assert_eq!(ids.len(), seen.len(), "no account is listed twice");
    assert_eq!(ids, expected, "every account is listed");
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first");
}

#[tokio::test]
async fn the_member_list_filters_by_role_and_status() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.member("ben@example.org").await;
    let admins = admin.call(&ListMembers { role: Some(Role::Admin), ..Default::default() }).await.unwrap();
    assert_eq!(admins.items.iter().map(|u| u.email.as_str()).collect::<Vec<_>>(), ["admin@example.org"]);
    let members = admin.call(&ListMembers { role: Some(Role::Member), ..Default::default() }).await.unwrap();
    assert_eq!(members.items.iter().map(|u| u.email.as_str()).collect::<Vec<_>>(), ["ben@example.org"]);
    let pending =
        admin.call(&ListMembers { status: Some(AccountStatus::Pending), ..Default::default() }).await.unwrap();
    assert!(pending.items.is_empty());
    assert!(pending.next_cursor.is_none());
}

#[tokio::test]
async fn a_page_size_out_of_range_is_a_validation_failure() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for limit in [0, 101] {
        let problem = problem(admin.call(&ListMembers { limit: Some(limit), ..Default::default() }).await);
        assert_eq!((problem.status, problem.code), (422, ErrorCode::ValidationFailed), "limit {limit}");
        assert_eq!(problem.field("limit").expect("an error on `limit`").code, "out_of_range");
    }
}

#[tokio::test]
async fn a_garbage_cursor_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    // Not base64, and base64 of something this server never produced.
    for cursor in ["garbage!", "bm8gc2VwYXJhdG9y"] {
        let problem = problem(admin.call(&ListMembers { cursor: Some(cursor.into()), ..Default::default() }).await);
        assert_eq!((problem.status, problem.code), (400, ErrorCode::BadRequest), "cursor {cursor:?}");
    }
}
