//! Groups and the authorization policy: visibility, joining, requests, invitations,
//! group administration, and the rule that a list never shows what a read refuses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use copse_shared::ErrorCode;
use copse_shared::client::Client;
use copse_shared::community::{JoinPolicy, UpdateCommunityRequest};
use copse_shared::endpoints::*;
use copse_shared::groups::{
    ChangeGroupRoleRequest, CreateGroupRequest, Group, GroupRole, GroupVisibility, InviteToGroupRequest,
    MembershipStatus, UpdateGroupRequest,
};
use copse_tests::{PASSWORD, TestApp, problem};

fn new_group(name: &str, visibility: GroupVisibility) -> CreateGroup {
    CreateGroup(CreateGroupRequest {
        name: name.into(),
        slug: None,
        description: format!("The **{name}** room."),
        visibility,
    })
}

async fn create(client: &Client, name: &str, visibility: GroupVisibility) -> Group {
    client.call(&new_group(name, visibility)).await.unwrap()
}

async fn all_visible(client: &Client, include_archived: bool) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut cursor = None;
    loop {
        let page = client
            .call(&ListGroups {
                include_archived: Some(include_archived),
                limit: Some(2),
                cursor,
                ..Default::default()
            })
            .await
            .unwrap();
        for group in page.items {
            assert!(seen.insert(group.slug.clone()), "{} listed twice", group.slug);
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return seen,
        }
    }
}

async fn set_public_read(app: &TestApp, admin: &Client, public_read: bool) {
    let answer = admin.call_with(&GetCommunity, &[]).await.unwrap();
    let etag = answer.headers.get("etag").unwrap().to_str().unwrap().to_owned();
    let current = answer.body;
    admin
        .call_with(
            &UpdateCommunity(UpdateCommunityRequest {
                name: current.name,
                tagline: current.tagline,
                join_policy: JoinPolicy::Open,
                public_read,
            }),
            &[("If-Match", &etag)],
        )
        .await
        .unwrap();
    let _ = app;
}

#[tokio::test]
async fn staff_create_groups_and_their_creator_facilitates_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let member = app.member("member@example.org").await;

    let answer = admin.call_with(&new_group("Soil health", GroupVisibility::Public), &[]).await.unwrap();
    assert_eq!(answer.status, 201);
    let group = answer.body;
    assert_eq!(answer.headers.get("location").unwrap(), &format!("/api/v1/groups/{}", group.id));
    assert_eq!(group.slug, "soil-health");
    assert_eq!(group.member_count, 1);
    let mine = group.my_membership.unwrap();
    assert_eq!((mine.role, mine.status), (GroupRole::Facilitator, MembershipStatus::Active));
    assert_eq!(group.description_html, "<p>The <strong>Soil health</strong> room.</p>\n");

    // A second group with the same name gets the next free slug.
    assert_eq!(create(&admin, "Soil health", GroupVisibility::Public).await.slug, "soil-health-2");

    let refused = problem(member.call(&new_group("Mine", GroupVisibility::Public)).await);
    assert_eq!((refused.status, refused.code), (403, ErrorCode::Forbidden));
    let taken = problem(
        admin
            .call(&CreateGroup(CreateGroupRequest {
                name: "Another".into(),
                slug: Some("soil-health".into()),
                description: String::new(),
                visibility: GroupVisibility::Public,
            }))
            .await,
    );
    assert_eq!(taken.field("slug").map(|f| f.code.as_str()), Some("taken"));
}

#[tokio::test]
async fn descriptions_are_rendered_to_sanitized_html() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let group = admin
        .call(&CreateGroup(CreateGroupRequest {
            name: "Safe".into(),
            slug: None,
            description: "Hi <script>alert(1)</script><img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))".into(),
            visibility: GroupVisibility::Public,
        }))
        .await
        .unwrap();
    assert!(!group.description_html.contains("<script"), "{}", group.description_html);
    assert!(!group.description_html.contains("onerror"), "{}", group.description_html);
    assert!(!group.description_html.contains("href=\"javascript:"), "{}", group.description_html);
    assert!(group.description.contains("<script>"), "the Markdown is kept as written");
}

#[tokio::test]
async fn members_join_public_groups_freely_and_leave_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let member = app.member("member@example.org").await;
    let group = create(&admin, "Irrigation", GroupVisibility::Public).await;

    let seen = member.call(&GetGroup { group: group.slug.clone() }).await.unwrap();
    assert_eq!(seen.my_membership, None);
    let joined = member.call(&JoinGroup { group: group.slug.clone() }).await.unwrap();
    assert_eq!(joined.status, MembershipStatus::Active);
    let seen = member.call(&GetGroup { group: group.id.clone() }).await.unwrap();
    assert_eq!(seen.member_count, 2);
    let mine = member.call(&ListGroups { mine: Some(true), ..Default::default() }).await.unwrap();
    assert_eq!(mine.items.iter().map(|g| g.slug.as_str()).collect::<Vec<_>>(), ["irrigation"]);

    let members = member.call(&ListGroupMembers { group: group.slug.clone(), ..Default::default() }).await.unwrap();
    assert_eq!(members.items.len(), 2);

    let left = member.call_with(&LeaveGroup { group: group.slug.clone() }, &[]).await.unwrap();
    assert_eq!(left.status, 204);
    let mine = member.call(&ListGroups { mine: Some(true), ..Default::default() }).await.unwrap();
    assert!(mine.items.is_empty());
}

#[tokio::test]
async fn a_private_group_is_invisible_to_outsiders_and_asking_to_join_reveals_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (outsider, outsider_answer) = app.register("out@example.org", "Olu Outsider", PASSWORD).await;
    let group = create(&admin, "Steering committee", GroupVisibility::Private).await;

    for key in [&group.slug, &group.id] {
        let hidden = problem(outsider.call(&GetGroup { group: key.clone() }).await);
        let absent = problem(outsider.call(&GetGroup { group: "no-such-group".into() }).await);
        assert_eq!((hidden.status, hidden.code), (404, ErrorCode::NotFound));
        assert_eq!(hidden, absent, "a hidden group answers exactly like a missing one");
    }
    assert!(all_visible(&outsider, true).await.is_empty());
    let members = problem(outsider.call(&ListGroupMembers { group: group.slug.clone(), ..Default::default() }).await);
    assert_eq!(members.status, 404);

    // Asking to join answers the same for the hidden group and for a missing one.
    let asked = outsider.call(&JoinGroup { group: group.slug.clone() }).await.unwrap();
    let asked_missing = outsider.call(&JoinGroup { group: "no-such-group".into() }).await.unwrap();
    assert_eq!(asked, asked_missing);
    assert_eq!(asked.status, MembershipStatus::Requested);
    assert_eq!(problem(outsider.call(&GetGroup { group: group.slug.clone() }).await).status, 404);

    // The group's facilitator sees the request and approves it.
    let requests = admin
        .call(&ListGroupMembers {
            group: group.slug.clone(),
            status: Some(MembershipStatus::Requested),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(requests.items.len(), 1);
    assert_eq!(requests.items[0].member.display_name, "Olu Outsider");
    let outsider_id = outsider_answer.user.id.clone();
    let approved =
        admin.call(&ApproveGroupRequest { group: group.slug.clone(), user: outsider_id.clone() }).await.unwrap();
    assert_eq!(approved.status, MembershipStatus::Active);
    let again =
        admin.call(&ApproveGroupRequest { group: group.slug.clone(), user: outsider_id.clone() }).await.unwrap();
    assert_eq!(again, approved, "approving twice is harmless");
    let now_visible = outsider.call(&GetGroup { group: group.slug.clone() }).await.unwrap();
    assert_eq!(now_visible.my_membership.map(|m| m.status), Some(MembershipStatus::Active));

    // A plain member cannot see the requests queue.
    let queue = problem(
        outsider
            .call(&ListGroupMembers {
                group: group.slug.clone(),
                status: Some(MembershipStatus::Requested),
                ..Default::default()
            })
            .await,
    );
    assert_eq!(queue.status, 403);
}

#[tokio::test]
async fn denied_requests_disappear_and_invitations_can_be_accepted() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (asker, asker_answer) = app.register("ask@example.org", "Asha Asker", PASSWORD).await;
    let invitee = app.member("invitee@example.org").await;
    let group = create(&admin, "Seed systems", GroupVisibility::Private).await;

    asker.call(&JoinGroup { group: group.slug.clone() }).await.unwrap();
    let denied = admin
        .call_with(&DenyGroupRequest { group: group.slug.clone(), user: asker_answer.user.id.clone() }, &[])
        .await
        .unwrap();
    assert_eq!(denied.status, 204);
    assert_eq!(problem(asker.call(&GetGroup { group: group.slug.clone() }).await).status, 404);

    let invited = admin
        .call_with(
            &InviteToGroup {
                group: group.slug.clone(),
                body: InviteToGroupRequest { email: "INVITEE@example.org".into() },
            },
            &[],
        )
        .await
        .unwrap();
    assert_eq!((invited.status, invited.body.status), (201, MembershipStatus::Invited));
    // An invited member sees the group, and joining accepts the invitation.
    let seen = invitee.call(&GetGroup { group: group.slug.clone() }).await.unwrap();
    assert_eq!(seen.my_membership.map(|m| m.status), Some(MembershipStatus::Invited));
    assert!(all_visible(&invitee, false).await.contains(&group.slug));
    let accepted = invitee.call(&JoinGroup { group: group.slug.clone() }).await.unwrap();
    assert_eq!(accepted.status, MembershipStatus::Active);

    let unknown = problem(
        admin
            .call(&InviteToGroup {
                group: group.slug.clone(),
                body: InviteToGroupRequest { email: "nobody@example.org".into() },
            })
            .await,
    );
    assert_eq!(unknown.field("email").map(|f| f.code.as_str()), Some("unknown"));
}

#[tokio::test]
async fn every_actor_lists_exactly_the_groups_it_may_read() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (facilitator, facilitator_answer) = app.register("fac@example.org", "Fay Facilitator", PASSWORD).await;
    let (member, _) = app.register("mem@example.org", "Mo Member", PASSWORD).await;
    let (invited, _) = app.register("inv@example.org", "Ines Invited", PASSWORD).await;
    let (requester, _) = app.register("req@example.org", "Rui Requester", PASSWORD).await;
    admin
        .call(&ChangeMemberRole {
            id: facilitator_answer.user.id.clone(),
            body: copse_shared::members::ChangeRoleRequest { role: copse_shared::auth::Role::Facilitator },
        })
        .await
        .unwrap();

    let public = create(&admin, "Open forum", GroupVisibility::Public).await;
    let private_member = create(&admin, "Private with member", GroupVisibility::Private).await;
    let private_invite = create(&admin, "Private with invitation", GroupVisibility::Private).await;
    let private_request = create(&admin, "Private with request", GroupVisibility::Private).await;
    let archived = create(&admin, "Archived public", GroupVisibility::Public).await;
    admin.call(&ArchiveGroup { group: archived.slug.clone() }).await.unwrap();

    for (email, group) in [("mem@example.org", &private_member), ("inv@example.org", &private_invite)] {
        admin
            .call(&InviteToGroup { group: group.slug.clone(), body: InviteToGroupRequest { email: email.into() } })
            .await
            .unwrap();
    }
    member.call(&JoinGroup { group: private_member.slug.clone() }).await.unwrap();
    requester.call(&JoinGroup { group: private_request.slug.clone() }).await.unwrap();

    let everything = [&public, &private_member, &private_invite, &private_request, &archived];
    let anonymous = app.new_client();
    let actors: [(&str, &Client); 6] = [
        ("admin", &admin),
        ("site facilitator", &facilitator),
        ("member of a private group", &member),
        ("invited", &invited),
        ("requester", &requester),
        ("anonymous", &anonymous),
    ];
    for public_read in [false, true] {
        set_public_read(&app, &admin, public_read).await;
        for (who, client) in actors {
            let listed = if who == "anonymous" && !public_read {
                let refused = problem(client.call(&ListGroups::default()).await);
                assert_eq!(refused.status, 401, "anonymous without public reading");
                BTreeSet::new()
            } else {
                all_visible(client, true).await
            };
            for group in everything {
                let read = client.call(&GetGroup { group: group.slug.clone() }).await;
                assert_eq!(
                    listed.contains(&group.slug),
                    read.is_ok(),
                    "{who} (public_read={public_read}) on {}: listed={}, read={read:?}",
                    group.slug,
                    listed.contains(&group.slug),
                );
            }
            let expected: BTreeSet<&str> = match who {
                "admin" | "site facilitator" => everything.iter().map(|g| g.slug.as_str()).collect(),
                "member of a private group" => {
                    [&public, &private_member, &archived].iter().map(|g| g.slug.as_str()).collect()
                }
                "invited" => [&public, &private_invite, &archived].iter().map(|g| g.slug.as_str()).collect(),
                "requester" => [&public, &archived].iter().map(|g| g.slug.as_str()).collect(),
                _ if public_read => [&public, &archived].iter().map(|g| g.slug.as_str()).collect(),
                _ => BTreeSet::new(),
            };
            assert_eq!(
                listed.iter().map(String::as_str).collect::<BTreeSet<_>>(),
                expected,
                "{who}, public_read={public_read}"
            );
        }
    }
    // Anonymous visitors never see member lists, even with public reading on.
    let names = problem(anonymous.call(&ListGroupMembers { group: public.slug.clone(), ..Default::default() }).await);
    assert_eq!(names.status, 401);
}

#[tokio::test]
async fn archived_groups_leave_default_lists_and_refuse_changes() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let member = app.member("member@example.org").await;
    let group = create(&admin, "Old project", GroupVisibility::Public).await;

    let archived = admin.call(&ArchiveGroup { group: group.slug.clone() }).await.unwrap();
    assert!(archived.archived);
    assert!(!all_visible(&member, false).await.contains(&group.slug));
    assert!(all_visible(&member, true).await.contains(&group.slug));
    let join = problem(member.call(&JoinGroup { group: group.slug.clone() }).await);
    assert_eq!((join.status, join.code), (409, ErrorCode::Conflict));
    let by_member = problem(member.call(&UnarchiveGroup { group: group.slug.clone() }).await);
    assert_eq!(by_member.status, 403);

    let back = admin.call(&UnarchiveGroup { group: group.slug.clone() }).await.unwrap();
    assert!(!back.archived);
    assert!(all_visible(&member, false).await.contains(&group.slug));
}

#[tokio::test]
async fn group_edits_use_optimistic_locking_and_only_staff_change_visibility() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (lead, lead_answer) = app.register("lead@example.org", "Lea Lead", PASSWORD).await;
    let group = create(&admin, "Extension methods", GroupVisibility::Public).await;
    lead.call(&JoinGroup { group: group.slug.clone() }).await.unwrap();
    admin
        .call(&ChangeGroupRole {
            group: group.slug.clone(),
            user: lead_answer.user.id.clone(),
            body: ChangeGroupRoleRequest { role: GroupRole::Facilitator },
        })
        .await
        .unwrap();

    let read = lead.call_with(&GetGroup { group: group.slug.clone() }, &[]).await.unwrap();
    let etag = read.headers.get("etag").unwrap().to_str().unwrap().to_owned();
    let edit = |name: &str, visibility| UpdateGroup {
        group: group.slug.clone(),
        body: UpdateGroupRequest { name: name.into(), description: "New *text*".into(), visibility },
    };
    let updated = lead
        .call_with(&edit("Extension methods (2027)", GroupVisibility::Public), &[("If-Match", &etag)])
        .await
        .unwrap();
    assert_eq!(updated.body.name, "Extension methods (2027)");
    assert_eq!(updated.body.description_html, "<p>New <em>text</em></p>\n");
    let new_etag = updated.headers.get("etag").unwrap().to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);

    let stale = problem(lead.call_with(&edit("Stale", GroupVisibility::Public), &[("If-Match", &etag)]).await);
    assert_eq!((stale.status, stale.code), (412, ErrorCode::PreconditionFailed));
    let hide = problem(lead.call_with(&edit("Hidden", GroupVisibility::Private), &[("If-Match", &new_etag)]).await);
    assert_eq!(hide.status, 403);
    let archive = problem(lead.call(&ArchiveGroup { group: group.slug.clone() }).await);
    assert_eq!(archive.status, 403);
    let by_admin =
        admin.call_with(&edit("Hidden", GroupVisibility::Private), &[("If-Match", &new_etag)]).await.unwrap();
    assert_eq!(by_admin.body.visibility, GroupVisibility::Private);
}

#[tokio::test]
async fn a_group_always_keeps_a_facilitator() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (admin_me, _) = app.login("admin@example.org", PASSWORD).await.unwrap();
    let me = admin_me.call(&GetMe).await.unwrap();
    let (member, member_answer) = app.register("m@example.org", "Mia Member", PASSWORD).await;
    let group = create(&admin, "Water", GroupVisibility::Public).await;
    member.call(&JoinGroup { group: group.slug.clone() }).await.unwrap();

    let leave = problem(admin.call(&LeaveGroup { group: group.slug.clone() }).await);
    assert_eq!((leave.status, leave.code), (422, ErrorCode::LastFacilitator));
    let demote = problem(
        admin
            .call(&ChangeGroupRole {
                group: group.slug.clone(),
                user: me.id.clone(),
                body: ChangeGroupRoleRequest { role: GroupRole::Member },
            })
            .await,
    );
    assert_eq!((demote.status, demote.code), (422, ErrorCode::LastFacilitator));
    let remove = problem(admin.call(&RemoveGroupMember { group: group.slug.clone(), user: me.id.clone() }).await);
    assert_eq!((remove.status, remove.code), (422, ErrorCode::LastFacilitator));

    // After handing over, the former facilitator may leave.
    admin
        .call(&ChangeGroupRole {
            group: group.slug.clone(),
            user: member_answer.user.id.clone(),
            body: ChangeGroupRoleRequest { role: GroupRole::Facilitator },
        })
        .await
        .unwrap();
    assert_eq!(admin.call_with(&LeaveGroup { group: group.slug.clone() }, &[]).await.unwrap().status, 204);
    // A plain member cannot manage the group.
    let (other, other_answer) = app.register("o@example.org", "Oscar Other", PASSWORD).await;
    other.call(&JoinGroup { group: group.slug.clone() }).await.unwrap();
    let by_other = problem(
        other.call(&RemoveGroupMember { group: group.slug.clone(), user: member_answer.user.id.clone() }).await,
    );
    assert_eq!(by_other.status, 403);
    let removed = member
        .call_with(&RemoveGroupMember { group: group.slug.clone(), user: other_answer.user.id.clone() }, &[])
        .await
        .unwrap();
    assert_eq!(removed.status, 204);
}
