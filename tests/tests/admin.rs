//! Member administration and the audit log: approvals, rejections, role changes,
//! suspensions (effective at once), invitations, and who may read the log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use copse_shared::ErrorCode;
use copse_shared::auth::{AccountStatus, Role};
use copse_shared::community::{JoinPolicy, UpdateCommunityRequest};
use copse_shared::endpoints::*;
use copse_shared::members::{ChangeRoleRequest, CreateInvitationRequest};
use copse_shared::profiles::UpdateProfileRequest;
use copse_tests::{PASSWORD, TestApp, problem, register_request};

#[tokio::test]
async fn a_suspended_member_is_locked_out_at_once_and_reinstated_later() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (member, answer) = app.register("m@example.org", "Mia Member", PASSWORD).await;
    assert!(member.call(&GetMe).await.is_ok());

    let suspended = admin.call(&SuspendMember { id: answer.user.id.clone() }).await.unwrap();
    assert_eq!(suspended.status, AccountStatus::Suspended);
    // The access token still has minutes to live, yet it stops working now.
    let locked = problem(member.call(&GetMe).await);
    assert_eq!(locked.status, 401);
    // Its refresh token was revoked too.
    let refresh = problem(member.call(&Refresh).await);
    assert_eq!(refresh.status, 401);
    let login = problem(app.login("m@example.org", PASSWORD).await);
    assert_eq!(login.code, ErrorCode::AccountSuspended);

    let reinstated = admin.call(&ReinstateMember { id: answer.user.id.clone() }).await.unwrap();
    assert_eq!(reinstated.status, AccountStatus::Active);
    assert!(app.login("m@example.org", PASSWORD).await.is_ok());
}

#[tokio::test]
async fn facilitators_suspend_members_but_not_staff_and_nobody_suspends_themselves() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let me = admin.call(&GetMe).await.unwrap();
    let (facilitator, f) = app.register("f@example.org", "Fay Facilitator", PASSWORD).await;
    let (_, other_f) = app.register("g@example.org", "Gus Facilitator", PASSWORD).await;
    let (_, member) = app.register("m@example.org", "Mia Member", PASSWORD).await;
    for id in [&f.user.id, &other_f.user.id] {
        admin
            .call(&ChangeMemberRole { id: id.clone(), body: ChangeRoleRequest { role: Role::Facilitator } })
            .await
            .unwrap();
    }

    assert!(facilitator.call(&SuspendMember { id: member.user.id.clone() }).await.is_ok());
    assert_eq!(problem(facilitator.call(&SuspendMember { id: other_f.user.id.clone() }).await).status, 403);
    assert_eq!(problem(facilitator.call(&SuspendMember { id: me.id.clone() }).await).status, 403);
    assert_eq!(problem(admin.call(&SuspendMember { id: me.id.clone() }).await).status, 403);
    assert!(admin.call(&SuspendMember { id: other_f.user.id.clone() }).await.is_ok());
}

#[tokio::test]
async fn only_admins_change_roles_and_the_last_admin_stays() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let me = admin.call(&GetMe).await.unwrap();
    let (facilitator, f) = app.register("f@example.org", "Fay Facilitator", PASSWORD).await;
    admin
        .call(&ChangeMemberRole { id: f.user.id.clone(), body: ChangeRoleRequest { role: Role::Facilitator } })
        .await
        .unwrap();

    let by_facilitator = problem(
        facilitator.call(&ChangeMemberRole { id: me.id.clone(), body: ChangeRoleRequest { role: Role::Member } }).await,
    );
    assert_eq!(by_facilitator.status, 403);
    let last = problem(
        admin.call(&ChangeMemberRole { id: me.id.clone(), body: ChangeRoleRequest { role: Role::Member } }).await,
    );
    assert_eq!((last.status, last.code), (409, ErrorCode::Conflict));

    let promoted = admin
        .call(&ChangeMemberRole { id: f.user.id.clone(), body: ChangeRoleRequest { role: Role::Admin } })
        .await
        .unwrap();
    assert_eq!(promoted.role, Role::Admin);
    // With a second admin, the first may step down.
    let stepped = admin
        .call(&ChangeMemberRole { id: me.id.clone(), body: ChangeRoleRequest { role: Role::Member } })
        .await
        .unwrap();
    assert_eq!(stepped.role, Role::Member);
    // The role is read fresh on every request: the old admin's token no longer admits.
    assert_eq!(problem(admin.call(&ListAudit::default()).await).status, 403);
}

#[tokio::test]
async fn rejected_registrations_are_removed_and_may_register_again() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let etag =
        admin.call_with(&GetCommunity, &[]).await.unwrap().headers.get("etag").unwrap().to_str().unwrap().to_owned();
    admin
        .call_with(
            &UpdateCommunity(UpdateCommunityRequest {
                name: "Copse".into(),
                tagline: String::new(),
                join_policy: JoinPolicy::Approval,
                public_read: false,
            }),
            &[("If-Match", &etag)],
        )
        .await
        .unwrap();
    let pending =
        app.new_client().call(&Register(register_request("p@example.org", "Pat Pending", PASSWORD))).await.unwrap();
    assert_eq!(pending.user.status, AccountStatus::Pending);
    let rejected = admin.call_with(&RejectMember { id: pending.user.id.clone() }, &[]).await.unwrap();
    assert_eq!(rejected.status, 204);
    let pendings =
        admin.call(&ListMembers { status: Some(AccountStatus::Pending), ..Default::default() }).await.unwrap();
    assert!(pendings.items.is_empty());
    let again =
        app.new_client().call(&Register(register_request("p@example.org", "Pat Pending", PASSWORD))).await.unwrap();
    assert_eq!(again.user.status, AccountStatus::Pending);
    // Only pending accounts can be rejected.
    let me = admin.call(&GetMe).await.unwrap();
    assert_eq!(problem(admin.call(&RejectMember { id: me.id }).await).status, 409);
}

#[tokio::test]
async fn invitations_are_listed_without_tokens_and_can_be_revoked() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let created = admin
        .call(&CreateInvitation(CreateInvitationRequest {
            email: Some("new@example.org".into()),
            ..Default::default()
        }))
        .await
        .unwrap();
    let listed = admin.call(&ListInvitations::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].id, created.invitation.id);
    let raw = app
        .client
        .http()
        .get(app.url("/api/v1/invitations"))
        .bearer_auth(admin.token().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!raw.contains(&created.token), "tokens are shown once, at creation");

    let revoked = admin.call_with(&RevokeInvitation { id: created.invitation.id.clone() }, &[]).await.unwrap();
    assert_eq!(revoked.status, 204);
    let mut request = register_request("new@example.org", "Nia New", PASSWORD);
    request.invitation_token = Some(created.token);
    // Open policy still admits, but the revoked token itself is unknown now.
    let refused = problem(app.new_client().call(&Register(request)).await);
    assert_eq!(refused.field("invitation_token").map(|f| f.code.as_str()), Some("invalid"));
}

#[tokio::test]
async fn the_audit_log_records_who_did_what_and_only_admins_read_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (facilitator, f) = app.register("f@example.org", "Fay Facilitator", PASSWORD).await;
    let (_, m) = app.register("m@example.org", "Mia Member", PASSWORD).await;
    admin
        .call(&ChangeMemberRole { id: f.user.id.clone(), body: ChangeRoleRequest { role: Role::Facilitator } })
        .await
        .unwrap();
    facilitator.call(&SuspendMember { id: m.user.id.clone() }).await.unwrap();
    facilitator.call(&ReinstateMember { id: m.user.id.clone() }).await.unwrap();
    facilitator.call(&CreateInvitation(CreateInvitationRequest::default())).await.unwrap();

    assert_eq!(problem(facilitator.call(&ListAudit::default()).await).status, 403);
    let log = admin.call(&ListAudit::default()).await.unwrap();
    let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["invitation.create", "member.reinstate", "member.suspend", "member.role_change"]);
    let suspension = &log.items[2];
    assert_eq!(suspension.actor.as_ref().map(|a| a.display_name.as_str()), Some("Fay Facilitator"));
    assert_eq!(
        (suspension.target_id.as_str(), suspension.target_label.as_str()),
        (m.user.id.as_str(), "m@example.org")
    );
    assert_eq!(log.items[3].details["to"], "facilitator");

    let members_only =
        admin.call(&ListAudit { action: Some("member.".into()), limit: Some(2), ..Default::default() }).await.unwrap();
    assert_eq!(members_only.items.len(), 2);
    let rest = admin
        .call(&ListAudit { action: Some("member.".into()), limit: Some(2), cursor: members_only.next_cursor })
        .await
        .unwrap();
    assert_eq!(rest.items.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["member.role_change"]);
    assert!(rest.next_cursor.is_none());
}

/// The statements a signed-in `GET /api/v1/me` issued.
async fn me_statements(app: &TestApp, member: &copse_shared::client::Client) -> u32 {
    let response =
        app.client.http().get(app.url("/api/v1/me")).bearer_auth(member.token().unwrap()).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.headers().get("x-sql-statements").unwrap().to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn signed_in_accounts_are_read_from_memory_and_changes_through_this_server_show_at_once() {
    let mut counts = Vec::new();
    for cache_ms in [0, 60_000] {
        let app = TestApp::spawn_with(|s| {
            s.expose_sql_count = true;
            s.community_cache_ms = cache_ms;
        })
        .await;
        let admin = app.admin().await;
        let (member, answer) = app.register("m@example.org", "Mia Member", PASSWORD).await;
        me_statements(&app, &member).await;
        counts.push(me_statements(&app, &member).await);

        // Every change to the account through this server is seen by the next request,
        // however long the memory trusts what it read.
        let id = answer.user.id.clone();
        admin
            .call(&ChangeMemberRole { id: id.clone(), body: ChangeRoleRequest { role: Role::Facilitator } })
            .await
            .unwrap();
        assert_eq!(member.call(&GetMe).await.unwrap().role, Role::Facilitator);
        let renamed = UpdateProfileRequest { display_name: "Mia Moderator".into(), ..Default::default() };
        member.call(&UpdateMyProfile(renamed)).await.unwrap();
        assert_eq!(member.call(&GetMe).await.unwrap().display_name, "Mia Moderator");
        admin.call(&SuspendMember { id: id.clone() }).await.unwrap();
        assert_eq!(problem(member.call(&GetMe).await).status, 401);
    }
    assert_eq!(counts[0], counts[1] + 1, "statements without and with the memory: {counts:?}");
}
