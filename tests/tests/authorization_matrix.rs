//! The authorization matrix: for every operation of the OpenAPI document, the status
//! each kind of actor gets. The test fails when an operation has no row, so every new
//! feature must add its rows here.
//!
//! Actors: `anonymous`; `member`, a signed-in member acting on a public group it does
//! not belong to; `non_member`, the same kind of member acting on a private group it
//! does not belong to; `group_member` and `group_facilitator` of that private group
//! (plain members site-wide); `site_facilitator`; `admin` (not in the group). Each
//! case prepares its own targets (fresh groups, accounts, invitations, categories,
//! topics, posts, flags), so cases never depend on one another.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::fmt::Debug;

use chrono::Utc;
use copse_shared::auth::{ChangePasswordRequest, LoginRequest, Role};
use copse_shared::client::{Answer, Client, ClientError};
use copse_shared::community::{JoinPolicy, UpdateCommunityRequest};
use copse_shared::discussions::{
    AcceptAnswerRequest, Category, CategoryRequest, CreatePostRequest, CreateTopicRequest, FlagRequest, FlagStatus,
    MarkReadRequest, MoveTopicRequest, Post, ReactionKind, ResolveFlagRequest, SplitTopicRequest, Topic, TopicKind,
    TopicStateRequest, UpdatePostRequest, UpdateTopicRequest, WatchTarget,
};
use copse_shared::endpoints::*;
use copse_shared::events::{
    CreateEventRequest, Event, EventFields, EventFormat, RsvpRequest, RsvpStatus, UpdateOccurrenceRequest,
    community_feed_path, event_ics_path, group_feed_path, my_feed_path,
};
use copse_shared::groups::{
    ChangeGroupRoleRequest, CreateGroupRequest, Group, GroupRole, GroupVisibility, InviteToGroupRequest,
    UpdateGroupRequest,
};
use copse_shared::library::{
    CreateLibraryItemRequest, ItemKind, LibraryItem, UpdateLibraryItemRequest, download_path, preview_path,
    upload_path, version_download_path,
};
use copse_shared::members::{ChangeRoleRequest, CreateInvitationRequest};
use copse_shared::partners::{
    CreateApiKeyRequest, RotateApiKeyRequest, Scope, SourceInfo, UpsertEventRequest, UpsertLibraryItemRequest,
    atom_feed_path,
};
use copse_shared::profiles::{
    AVATAR_UPLOAD_PATH, AvatarSize, BookmarkKind, ContactMemberRequest, CreateBookmarkRequest, UpdateBookmarkRequest,
    UpdateProfileRequest, avatar_path,
};
use copse_shared::webhooks::{RotateWebhookSecretRequest, WebhookRequest};
use copse_tests::{PASSWORD, TestApp, register_request};
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

const ACTORS: [&str; 7] =
    ["anonymous", "member", "non_member", "group_member", "group_facilitator", "site_facilitator", "admin"];
const ANON: usize = 0;
const MEMBER: usize = 1;
const GROUP_MEMBER: usize = 3;
const GROUP_FACILITATOR: usize = 4;

/// Expected statuses, one per actor in `ACTORS` order.
const MATRIX: &[(&str, [u16; 7])] = &[
    ("GET /api/v1/health", [200, 200, 200, 200, 200, 200, 200]),
    ("GET /api/v1/ready", [200, 200, 200, 200, 200, 200, 200]),
    ("POST /api/v1/auth/register", [201, 201, 201, 201, 201, 201, 201]),
    ("POST /api/v1/auth/login", [200, 200, 200, 200, 200, 200, 200]),
    ("POST /api/v1/auth/refresh", [401, 200, 200, 200, 200, 200, 200]),
    ("POST /api/v1/auth/logout", [204, 204, 204, 204, 204, 204, 204]),
    ("GET /api/v1/me", [401, 200, 200, 200, 200, 200, 200]),
    ("PUT /api/v1/me/password", [401, 204, 204, 204, 204, 204, 204]),
    ("GET /api/v1/community", [200, 200, 200, 200, 200, 200, 200]),
    ("PUT /api/v1/community", [401, 403, 403, 403, 403, 403, 200]),
    ("GET /api/v1/members", [401, 403, 403, 403, 403, 200, 200]),
    ("POST /api/v1/members/{id}/approve", [401, 403, 403, 403, 403, 200, 200]),
    ("POST /api/v1/members/{id}/reject", [401, 403, 403, 403, 403, 204, 204]),
    ("PUT /api/v1/members/{id}/role", [401, 403, 403, 403, 403, 403, 200]),
    ("POST /api/v1/members/{id}/suspend", [401, 403, 403, 403, 403, 200, 200]),
    ("POST /api/v1/members/{id}/reinstate", [401, 403, 403, 403, 403, 200, 200]),
    ("POST /api/v1/invitations", [401, 403, 403, 403, 403, 201, 201]),
    ("GET /api/v1/invitations", [401, 403, 403, 403, 403, 200, 200]),
    ("DELETE /api/v1/invitations/{id}", [401, 403, 403, 403, 403, 204, 204]),
    ("GET /api/v1/audit", [401, 403, 403, 403, 403, 403, 200]),
    ("GET /api/v1/groups", [401, 200, 200, 200, 200, 200, 200]),
    ("POST /api/v1/groups", [401, 403, 403, 403, 403, 201, 201]),
    ("GET /api/v1/groups/{group}", [401, 200, 404, 200, 200, 200, 200]),
    ("PUT /api/v1/groups/{group}", [401, 403, 404, 403, 200, 200, 200]),
    ("POST /api/v1/groups/{group}/archive", [401, 403, 404, 403, 403, 200, 200]),
    ("POST /api/v1/groups/{group}/unarchive", [401, 403, 404, 403, 403, 200, 200]),
    ("POST /api/v1/groups/{group}/join", [401, 200, 200, 200, 200, 200, 200]),
    ("POST /api/v1/groups/{group}/leave", [401, 404, 404, 204, 422, 404, 404]),
    ("GET /api/v1/groups/{group}/members", [401, 200, 404, 200, 200, 200, 200]),
    ("POST /api/v1/groups/{group}/invitations", [401, 403, 404, 403, 201, 201, 201]),
    ("POST /api/v1/groups/{group}/members/{user}/approve", [401, 403, 404, 403, 200, 200, 200]),
    ("POST /api/v1/groups/{group}/members/{user}/deny", [401, 403, 404, 403, 204, 204, 204]),
    ("DELETE /api/v1/groups/{group}/members/{user}", [401, 403, 404, 403, 204, 204, 204]),
    ("PUT /api/v1/groups/{group}/members/{user}/role", [401, 403, 404, 403, 200, 200, 200]),
    // Discussions. Public reading is off, so anonymous visitors get 401 everywhere.
    // Topic-scoped rows act on a fresh topic in the group the actor acts on: the public
    // group for `member` (who is not in it), the private group for every other column.
    // Unless a row says otherwise, the topic and its replies are written by the admin in
    // the public group and by the group facilitator in the private one.
    ("GET /api/v1/categories", [401, 200, 200, 200, 200, 200, 200]),
    ("POST /api/v1/categories", [401, 403, 403, 403, 403, 201, 201]),
    ("PUT /api/v1/categories/{id}", [401, 403, 403, 403, 403, 200, 200]),
    ("GET /api/v1/topics", [401, 200, 200, 200, 200, 200, 200]),
    // Starting a topic in a group one cannot see is refused like an unknown group (422),
    // so a private group's existence is not revealed; a reader who is not a member of
    // the group gets 403; site staff may take part anywhere.
    ("POST /api/v1/topics", [401, 403, 422, 201, 201, 201, 201]),
    ("GET /api/v1/topics/{id}", [401, 200, 404, 200, 200, 200, 200]),
    // The author or a moderator: here the private group's topic is started by the group
    // member (the author case), so the group facilitator column is the moderator case.
    ("PUT /api/v1/topics/{id}", [401, 403, 404, 200, 200, 200, 200]),
    ("GET /api/v1/topics/{id}/posts", [401, 200, 404, 200, 200, 200, 200]),
    ("POST /api/v1/topics/{id}/posts", [401, 403, 404, 201, 201, 201, 201]),
    // The asker or a moderator: the private group's question is asked by the group member
    // (the author case) and answered by the group facilitator (the moderator case).
    ("POST /api/v1/topics/{id}/accept", [401, 403, 404, 200, 200, 200, 200]),
    ("DELETE /api/v1/topics/{id}/accept", [401, 403, 404, 200, 200, 200, 200]),
    ("PATCH /api/v1/topics/{id}/state", [401, 403, 404, 403, 200, 200, 200]),
    ("POST /api/v1/topics/{id}/move", [401, 403, 404, 403, 200, 200, 200]),
    ("POST /api/v1/topics/{id}/split", [401, 403, 404, 403, 201, 201, 201]),
    ("GET /api/v1/posts/{id}", [401, 200, 404, 200, 200, 200, 200]),
    // The author or a moderator: the private group's reply is written by the group member
    // (the author case), so the group facilitator column is the moderator case.
    ("PUT /api/v1/posts/{id}", [401, 403, 404, 200, 200, 200, 200]),
    ("DELETE /api/v1/posts/{id}", [401, 403, 404, 204, 204, 204, 204]),
    ("GET /api/v1/posts/{id}/revisions", [401, 200, 404, 200, 200, 200, 200]),
    // Reacting and flagging need only reading the topic: `member` may react in a public
    // group it does not belong to.
    ("PUT /api/v1/posts/{id}/reactions/{kind}", [401, 200, 404, 200, 200, 200, 200]),
    ("DELETE /api/v1/posts/{id}/reactions/{kind}", [401, 200, 404, 200, 200, 200, 200]),
    ("POST /api/v1/posts/{id}/flags", [401, 204, 404, 204, 204, 204, 204]),
    ("POST /api/v1/posts/{id}/hide", [401, 403, 404, 403, 200, 200, 200]),
    ("POST /api/v1/posts/{id}/restore", [401, 403, 404, 403, 200, 200, 200]),
    // Site staff, and facilitators of some group (the group facilitator column).
    ("GET /api/v1/flags", [401, 403, 403, 403, 200, 200, 200]),
    // A flag on a reply in the target topic (flagged by the admin in the public group, by
    // the group member in the private one).
    ("POST /api/v1/flags/{id}/resolve", [401, 403, 404, 403, 200, 200, 200]),
    ("GET /api/v1/me/watches", [401, 200, 200, 200, 200, 200, 200]),
    // This row tests visibility: each actor watches the topic in its target group, which
    // `non_member` cannot see.
    ("PUT /api/v1/me/watches/{target}/{id}", [401, 200, 404, 200, 200, 200, 200]),
    // Stopping watching only removes the caller's own watch and answers 204 whether or
    // not the target exists or is visible, so it reveals nothing: 204 for `non_member`.
    ("DELETE /api/v1/me/watches/{target}/{id}", [401, 204, 204, 204, 204, 204, 204]),
    ("GET /api/v1/me/notifications", [401, 200, 200, 200, 200, 200, 200]),
    ("GET /api/v1/me/notifications/unread", [401, 200, 200, 200, 200, 200, 200]),
    ("POST /api/v1/me/notifications/read", [401, 200, 200, 200, 200, 200, 200]),
    // Library. Items follow the topic rules: item-scoped rows act on a fresh item (with a
    // file) in the actor's target group, shared by the admin in the public group and by
    // the group member in the private one, so `group_member` is the owner case and the
    // group facilitator column is the moderator case. Sharing in a group one cannot see
    // is refused like an unknown group (422).
    ("GET /api/v1/library", [401, 200, 200, 200, 200, 200, 200]),
    ("POST /api/v1/library", [401, 403, 422, 201, 201, 201, 201]),
    ("GET /api/v1/library/{id}", [401, 200, 404, 200, 200, 200, 200]),
    ("PUT /api/v1/library/{id}", [401, 403, 404, 200, 200, 200, 200]),
    ("DELETE /api/v1/library/{id}", [401, 403, 404, 204, 204, 204, 204]),
    ("POST /api/v1/library/{id}/versions", [401, 403, 404, 201, 201, 201, 201]),
    ("GET /api/v1/library/{id}/download", [401, 200, 404, 200, 200, 200, 200]),
    ("GET /api/v1/library/{id}/versions/{number}/download", [401, 200, 404, 200, 200, 200, 200]),
    ("GET /api/v1/library/{id}/preview", [401, 200, 404, 200, 200, 200, 200]),
    // Events follow the library's rules: event-scoped rows act on a fresh event in the
    // actor's target group, created by the admin in the public group and by the group
    // member in the private one, so `group_member` is the organiser case and the group
    // facilitator column is the moderator case. Answering needs only reading (like
    // reacting). Feeds are read with the actor's own feed token; a group feed of a
    // group one cannot see is an empty calendar, like an unknown group's.
    ("GET /api/v1/events", [401, 200, 200, 200, 200, 200, 200]),
    ("GET /api/v1/events/calendar", [401, 200, 200, 200, 200, 200, 200]),
    ("POST /api/v1/events", [401, 403, 422, 201, 201, 201, 201]),
    ("GET /api/v1/events/{id}", [401, 200, 404, 200, 200, 200, 200]),
    ("PUT /api/v1/events/{id}", [401, 403, 404, 200, 200, 200, 200]),
    ("DELETE /api/v1/events/{id}", [401, 403, 404, 204, 204, 204, 204]),
    ("POST /api/v1/events/{id}/cancel", [401, 403, 404, 200, 200, 200, 200]),
    ("PUT /api/v1/events/{id}/occurrences/{occurrence}", [401, 403, 404, 200, 200, 200, 200]),
    ("PUT /api/v1/events/{id}/occurrences/{occurrence}/rsvp", [401, 200, 404, 200, 200, 200, 200]),
    ("GET /api/v1/events/{id}/occurrences/{occurrence}/attendees", [401, 403, 404, 200, 200, 200, 200]),
    ("GET /api/v1/events/{id}/ics", [401, 200, 404, 200, 200, 200, 200]),
    ("GET /api/v1/feeds/events.ics", [401, 200, 200, 200, 200, 200, 200]),
    ("GET /api/v1/feeds/groups/{group}/events.ics", [401, 200, 200, 200, 200, 200, 200]),
    // Without a token (the anonymous column) there is no "mine": 404.
    ("GET /api/v1/feeds/mine/events.ics", [404, 200, 200, 200, 200, 200, 200]),
    ("GET /api/v1/me/feed-token", [401, 200, 200, 200, 200, 200, 200]),
    ("POST /api/v1/me/feed-token", [401, 201, 201, 201, 201, 201, 201]),
    ("DELETE /api/v1/me/feed-token", [401, 204, 204, 204, 204, 204, 204]),
    // Partner API keys: made by admins, or by group facilitators for their groups (each
    // column asks for a key limited to a fresh private group that the group
    // facilitator facilitates). A key is its maker's (or an admin's) to see, rotate and
    // revoke: these act on a key the admin made, so others get 404.
    ("GET /api/v1/api-keys", [401, 200, 200, 200, 200, 200, 200]),
    // Atom feeds, read with the actor's own feed token (none for anonymous visitors).
    ("GET /api/v1/feeds/topics.atom", [401, 200, 200, 200, 200, 200, 200]),
    ("GET /api/v1/feeds/library.atom", [401, 200, 200, 200, 200, 200, 200]),
    ("GET /api/v1/feeds/events.atom", [401, 200, 200, 200, 200, 200, 200]),
    ("POST /api/v1/api-keys", [401, 403, 403, 403, 201, 403, 201]),
    ("DELETE /api/v1/api-keys/{id}", [401, 404, 404, 404, 404, 404, 204]),
    ("POST /api/v1/api-keys/{id}/rotate", [401, 404, 404, 404, 404, 404, 200]),
    // The change feed: what each reader may read (public reading is off).
    ("GET /api/v1/changes", [401, 200, 200, 200, 200, 200, 200]),
    // Upserts by a partner's id create like sharing or creating in the target group
    // (a fresh external id each time, so each is a creation).
    ("PUT /api/v1/library/external/{source}/{external_id}", [401, 403, 422, 201, 201, 201, 201]),
    ("PUT /api/v1/events/external/{source}/{external_id}", [401, 403, 422, 201, 201, 201, 201]),
    // Webhooks are the admins' alone; every row acts on an endpoint the admin registered.
    ("GET /api/v1/webhooks", [401, 403, 403, 403, 403, 403, 200]),
    ("POST /api/v1/webhooks", [401, 403, 403, 403, 403, 403, 201]),
    ("GET /api/v1/webhooks/{id}", [401, 403, 403, 403, 403, 403, 200]),
    ("PUT /api/v1/webhooks/{id}", [401, 403, 403, 403, 403, 403, 200]),
    ("DELETE /api/v1/webhooks/{id}", [401, 403, 403, 403, 403, 403, 204]),
    ("POST /api/v1/webhooks/{id}/rotate", [401, 403, 403, 403, 403, 403, 200]),
    ("POST /api/v1/webhooks/{id}/ping", [401, 403, 403, 403, 403, 403, 202]),
    ("GET /api/v1/webhooks/{id}/deliveries", [401, 403, 403, 403, 403, 403, 200]),
    ("POST /api/v1/webhooks/{id}/deliveries/{delivery}/redeliver", [401, 403, 403, 403, 403, 403, 202]),
    // Members. Profiles, the directory and the expert finder are for signed-in members;
    // contact details inside them follow each owner's privacy choice (tests/profiles.rs).
    ("GET /api/v1/me/profile", [401, 200, 200, 200, 200, 200, 200]),
    ("PUT /api/v1/me/profile", [401, 200, 200, 200, 200, 200, 200]),
    ("POST /api/v1/me/avatar", [401, 200, 200, 200, 200, 200, 200]),
    ("DELETE /api/v1/me/avatar", [401, 204, 204, 204, 204, 204, 204]),
    ("GET /api/v1/me/export", [401, 200, 200, 200, 200, 200, 200]),
    // Each column deletes a fresh account of its kind, except `admin`: the only admin
    // may not leave the community without one (409 `last_admin`).
    ("DELETE /api/v1/me", [401, 204, 204, 204, 204, 204, 409]),
    // Pictures load in <img> elements without a credential: a fresh member's avatar.
    ("GET /api/v1/members/{id}/avatar/{size}", [200, 200, 200, 200, 200, 200, 200]),
    ("GET /api/v1/members/{id}/profile", [401, 200, 200, 200, 200, 200, 200]),
    ("GET /api/v1/members/{id}/activity", [401, 200, 200, 200, 200, 200, 200]),
    // To a fresh member who accepts messages.
    ("POST /api/v1/members/{id}/contact", [401, 204, 204, 204, 204, 204, 204]),
    ("GET /api/v1/directory", [401, 200, 200, 200, 200, 200, 200]),
    ("GET /api/v1/experts", [401, 200, 200, 200, 200, 200, 200]),
    ("GET /api/v1/expertise-tags", [401, 200, 200, 200, 200, 200, 200]),
    ("GET /api/v1/me/bookmarks", [401, 200, 200, 200, 200, 200, 200]),
    // Bookmarking a fresh topic of the actor's target group: `non_member` cannot see it.
    ("POST /api/v1/me/bookmarks", [401, 201, 404, 201, 201, 201, 201]),
    // A bookmark is its owner's alone: these act on the group member's bookmark, so
    // every other actor, staff included, gets 404.
    ("GET /api/v1/me/bookmarks/{id}", [401, 404, 404, 200, 404, 404, 404]),
    ("PUT /api/v1/me/bookmarks/{id}", [401, 404, 404, 200, 404, 404, 404]),
    ("DELETE /api/v1/me/bookmarks/{id}", [401, 404, 404, 204, 404, 404, 404]),
];

struct World {
    app: TestApp,
    clients: Vec<Client>,
    emails: Vec<String>,
    group_facilitator_id: String,
    /// The category fresh topics are started in.
    category: String,
}

fn status<T: Debug>(result: Result<Answer<T>, ClientError>) -> u16 {
    match result {
        Ok(answer) => answer.status,
        Err(ClientError::Problem(problem)) => problem.status,
        Err(other) => panic!("not a problem+json answer: {other:?}"),
    }
}

impl World {
    async fn new() -> World {
        let app = TestApp::spawn_with(|s| {
            s.login_per_ip_per_minute = 10_000;
            s.login_per_account = 10_000;
            s.register_per_ip_per_hour = 10_000;
            s.writes_per_minute = 100_000;
        })
        .await;
        let admin = app.admin().await;
        let mut clients = vec![app.new_client()];
        let mut emails = vec![String::new()];
        let mut ids = Vec::new();
        for who in &ACTORS[1..6] {
            let email = format!("{who}@example.org");
            let (client, answer) = app.register(&email, &who.replace('_', " "), PASSWORD).await;
            clients.push(client);
            emails.push(email);
            ids.push(answer.user.id);
        }
        admin
            .call(&ChangeMemberRole { id: ids[4].clone(), body: ChangeRoleRequest { role: Role::Facilitator } })
            .await
            .unwrap();
        let category = admin.call(&CreateCategory(category_request("General"))).await.unwrap().slug;
        clients.push(admin);
        emails.push("admin@example.org".to_owned());
        World { app, clients, emails, group_facilitator_id: ids[3].clone(), category }
    }

    /// An endpoint the admin registered (on an address that never resolves).
    async fn fresh_webhook(&self) -> String {
        self.admin().call(&CreateWebhook(webhook_request())).await.unwrap().webhook.id
    }

    fn admin(&self) -> &Client {
        &self.clients[6]
    }

    /// A public group (its facilitator is the admin) and a private group with the
    /// group member and group facilitator in it (the admin leaves it).
    async fn fresh_groups(&self) -> (Group, Group) {
        let name = |kind: &str| format!("{kind} {}", &Uuid::new_v4().simple().to_string()[..8]);
        let create = |name: String, visibility| {
            CreateGroup(CreateGroupRequest { name, slug: None, description: "A room.".into(), visibility })
        };
        let public = self.admin().call(&create(name("Public"), GroupVisibility::Public)).await.unwrap();
        let private = self.admin().call(&create(name("Private"), GroupVisibility::Private)).await.unwrap();
        for (who, client) in [(3, &self.clients[3]), (4, &self.clients[4])] {
            self.admin()
                .call(&InviteToGroup {
                    group: private.slug.clone(),
                    body: InviteToGroupRequest { email: self.emails[who].clone() },
                })
                .await
                .unwrap();
            client.call(&JoinGroup { group: private.slug.clone() }).await.unwrap();
        }
        self.admin()
            .call(&ChangeGroupRole {
                group: private.slug.clone(),
                user: self.group_facilitator_id.clone(),
                body: ChangeGroupRoleRequest { role: GroupRole::Facilitator },
            })
            .await
            .unwrap();
        self.admin().call(&LeaveGroup { group: private.slug.clone() }).await.unwrap();
        (public, private)
    }

    /// The group an actor acts on: the public one for `member`, the private one otherwise.
    async fn target(&self, actor: usize) -> Group {
        let (public, private) = self.fresh_groups().await;
        if actor == MEMBER { public } else { private }
    }

    async fn fresh_user(&self) -> (Client, String, String) {
        let email = format!("user-{}@example.org", Uuid::new_v4().simple());
        let (client, answer) = self.app.register(&email, "Fresh Person", PASSWORD).await;
        (client, answer.user.id, email)
    }

    async fn pending_user(&self) -> String {
        let id = Uuid::new_v4().to_string();
        copse::entities::user::ActiveModel {
            id: Set(id.clone()),
            email: Set(format!("pending-{id}@example.org")),
            display_name: Set("Pending Person".into()),
            password_hash: Set(String::new()),
            role: Set("member".into()),
            status: Set("pending".into()),
            created_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
        }
        .insert(&self.app.db)
        .await
        .unwrap();
        id
    }

    /// A fresh category, made by the admin.
    async fn fresh_category(&self) -> Category {
        let name = format!("Category {}", &Uuid::new_v4().simple().to_string()[..8]);
        self.admin().call(&CreateCategory(category_request(&name))).await.unwrap()
    }

    fn topic_request(&self, group: Option<String>, kind: TopicKind) -> CreateTopicRequest {
        CreateTopicRequest {
            category: self.category.clone(),
            group,
            title: "Composting in cold climates".into(),
            body: "What works when the ground freezes?".into(),
            kind,
            tags: vec!["compost".into()],
        }
    }

    /// Who writes in the group an actor acts on: the admin in the public group (the
    /// `member` column's target), `writer` in the private one.
    fn writer(&self, actor: usize, writer: usize) -> &Client {
        if actor == MEMBER { self.admin() } else { &self.clients[writer] }
    }

    /// A fresh topic in the group the actor acts on, started by `starter` there (the
    /// admin in the public group).
    async fn fresh_topic(&self, actor: usize, starter: usize, kind: TopicKind) -> Topic {
        let group = self.target(actor).await;
        let request = self.topic_request(Some(group.slug), kind);
        self.writer(actor, starter).call(&CreateTopic(request)).await.unwrap()
    }

    /// A reply to a topic of the actor's target group, by `writer` (the admin in the
    /// public group).
    async fn reply(&self, actor: usize, topic: &Topic, writer: usize) -> Post {
        let body = CreatePostRequest { body: "Straw bales around the heap.".into(), quote_post_id: None };
        self.writer(actor, writer).call(&CreatePost { id: topic.summary.id.clone(), body }).await.unwrap()
    }

    /// A reply by `writer` in a fresh topic (started by the group facilitator) of the
    /// actor's target group.
    async fn fresh_reply(&self, actor: usize, writer: usize) -> Post {
        let topic = self.fresh_topic(actor, GROUP_FACILITATOR, TopicKind::Discussion).await;
        self.reply(actor, &topic, writer).await
    }

    /// A fresh question in the actor's target group asked by the group member and
    /// answered by the group facilitator (both by the admin in the public group): its
    /// id and the answer's.
    async fn fresh_question(&self, actor: usize) -> (String, String) {
        let topic = self.fresh_topic(actor, GROUP_MEMBER, TopicKind::Question).await;
        let answer = self.reply(actor, &topic, GROUP_FACILITATOR).await;
        (topic.summary.id, answer.id)
    }

    /// An open flag on a fresh reply in the actor's target group, raised by the group
    /// member (by the admin in the public group).
    async fn fresh_flag(&self, actor: usize) -> String {
        let post = self.fresh_reply(actor, GROUP_FACILITATOR).await;
        let body = FlagRequest { reason: "Off topic.".into() };
        self.writer(actor, GROUP_MEMBER).call(&FlagPost { id: post.id.clone(), body }).await.unwrap();
        let open = ListFlags { status: Some(FlagStatus::Open), limit: Some(100), cursor: None };
        let flags = self.admin().call(&open).await.unwrap();
        flags.items.into_iter().find(|f| f.post.id == post.id).expect("the new flag is in the queue").id
    }

    /// A fresh library item with a text file in the actor's target group, shared by
    /// the group member (by the admin in the public group).
    async fn fresh_item(&self, actor: usize) -> LibraryItem {
        let group = self.target(actor).await;
        let owner = self.writer(actor, GROUP_MEMBER);
        let item = owner.call(&CreateLibraryItem(item_request(Some(group.slug)))).await.unwrap();
        assert_eq!(upload_status(&self.app, owner, &item.summary.id, "image/png", PNG.to_vec()).await, 201);
        item
    }

    /// A fresh event in the actor's target group, created by the group member (by the
    /// admin in the public group).
    async fn fresh_event(&self, actor: usize) -> Event {
        let group = self.target(actor).await;
        let body = CreateEventRequest { group: Some(group.slug), event: event_fields() };
        self.writer(actor, GROUP_MEMBER).call(&CreateEvent(body)).await.unwrap()
    }

    /// A feed token of the actor (none for anonymous visitors).
    async fn feed_token(&self, actor: usize) -> Option<String> {
        if actor == ANON {
            return None;
        }
        Some(self.clients[actor].call(&CreateFeedToken).await.unwrap().token)
    }

    /// A fresh bookmark of an external link, made by the group member.
    async fn fresh_bookmark(&self) -> String {
        let body = CreateBookmarkRequest {
            kind: BookmarkKind::Link,
            target_id: None,
            url: Some("https://example.org/soil".into()),
            title: Some("Soil".into()),
            note: String::new(),
        };
        self.clients[GROUP_MEMBER].call(&CreateBookmark(body)).await.unwrap().id
    }

    /// A client of this actor with its own fresh session (and refresh cookie).
    async fn fresh_session(&self, actor: usize) -> Client {
        if actor == ANON {
            return self.app.new_client();
        }
        self.app.login(&self.emails[actor], PASSWORD).await.unwrap().0
    }

    async fn run(&self, op: &str, actor: usize) -> u16 {
        let c = &self.clients[actor];
        match op {
            "GET /api/v1/health" => status(c.call_with(&GetHealth, &[]).await),
            "GET /api/v1/ready" => status(c.call_with(&GetReady, &[]).await),
            "POST /api/v1/auth/register" => {
                let email = format!("reg-{}@example.org", Uuid::new_v4().simple());
                status(c.call_with(&Register(register_request(&email, "New Person", PASSWORD)), &[]).await)
            }
            "POST /api/v1/auth/login" => {
                let login = LoginRequest { email: self.emails[1].clone(), password: PASSWORD.into() };
                status(c.call_with(&Login(login), &[]).await)
            }
            "POST /api/v1/auth/refresh" => status(self.fresh_session(actor).await.call_with(&Refresh, &[]).await),
            "POST /api/v1/auth/logout" => status(self.fresh_session(actor).await.call_with(&Logout, &[]).await),
            "GET /api/v1/me" => status(c.call_with(&GetMe, &[]).await),
            "PUT /api/v1/me/password" => {
                let change = |from: &str, to: &str| {
                    ChangePassword(ChangePasswordRequest { current_password: from.into(), new_password: to.into() })
                };
                let result = status(c.call_with(&change(PASSWORD, "a temporary passphrase"), &[]).await);
                if result == 204 {
                    c.call(&change("a temporary passphrase", PASSWORD)).await.unwrap();
                }
                result
            }
            "GET /api/v1/community" => status(c.call_with(&GetCommunity, &[]).await),
            "PUT /api/v1/community" => {
                let body = UpdateCommunityRequest {
                    name: "Copse".into(),
                    tagline: "Tagline".into(),
                    join_policy: JoinPolicy::Open,
                    public_read: false,
                };
                status(c.call_with(&UpdateCommunity(body), &[]).await)
            }
            "GET /api/v1/members" => status(c.call_with(&ListMembers::default(), &[]).await),
            "POST /api/v1/members/{id}/approve" => {
                status(c.call_with(&ApproveMember { id: self.pending_user().await }, &[]).await)
            }
            "POST /api/v1/members/{id}/reject" => {
                status(c.call_with(&RejectMember { id: self.pending_user().await }, &[]).await)
            }
            "PUT /api/v1/members/{id}/role" => {
                let (_, id, _) = self.fresh_user().await;
                let body = ChangeRoleRequest { role: Role::Facilitator };
                status(c.call_with(&ChangeMemberRole { id, body }, &[]).await)
            }
            "POST /api/v1/members/{id}/suspend" => {
                let (_, id, _) = self.fresh_user().await;
                status(c.call_with(&SuspendMember { id }, &[]).await)
            }
            "POST /api/v1/members/{id}/reinstate" => {
                let (_, id, _) = self.fresh_user().await;
                self.admin().call(&SuspendMember { id: id.clone() }).await.unwrap();
                status(c.call_with(&ReinstateMember { id }, &[]).await)
            }
            "POST /api/v1/invitations" => {
                status(c.call_with(&CreateInvitation(CreateInvitationRequest::default()), &[]).await)
            }
            "GET /api/v1/invitations" => status(c.call_with(&ListInvitations::default(), &[]).await),
            "DELETE /api/v1/invitations/{id}" => {
                let created = self.admin().call(&CreateInvitation(CreateInvitationRequest::default())).await.unwrap();
                status(c.call_with(&RevokeInvitation { id: created.invitation.id }, &[]).await)
            }
            "GET /api/v1/audit" => status(c.call_with(&ListAudit::default(), &[]).await),
            "GET /api/v1/groups" => status(c.call_with(&ListGroups::default(), &[]).await),
            "POST /api/v1/groups" => {
                let name = format!("New {}", Uuid::new_v4().simple());
                let body = CreateGroupRequest {
                    name,
                    slug: None,
                    description: String::new(),
                    visibility: GroupVisibility::Public,
                };
                status(c.call_with(&CreateGroup(body), &[]).await)
            }
            "GET /api/v1/groups/{group}" => {
                let group = self.target(actor).await;
                status(c.call_with(&GetGroup { group: group.slug }, &[]).await)
            }
            "PUT /api/v1/groups/{group}" => {
                let group = self.target(actor).await;
                let body = UpdateGroupRequest {
                    name: "Renamed".into(),
                    description: "New description".into(),
                    visibility: group.visibility,
                };
                status(c.call_with(&UpdateGroup { group: group.slug, body }, &[]).await)
            }
            "POST /api/v1/groups/{group}/archive" => {
                let group = self.target(actor).await;
                status(c.call_with(&ArchiveGroup { group: group.slug }, &[]).await)
            }
            "POST /api/v1/groups/{group}/unarchive" => {
                let group = self.target(actor).await;
                self.admin().call(&ArchiveGroup { group: group.slug.clone() }).await.unwrap();
                status(c.call_with(&UnarchiveGroup { group: group.slug }, &[]).await)
            }
            "POST /api/v1/groups/{group}/join" => {
                let group = self.target(actor).await;
                status(c.call_with(&JoinGroup { group: group.slug }, &[]).await)
            }
            "POST /api/v1/groups/{group}/leave" => {
                let group = self.target(actor).await;
                status(c.call_with(&LeaveGroup { group: group.slug }, &[]).await)
            }
            "GET /api/v1/groups/{group}/members" => {
                let group = self.target(actor).await;
                status(c.call_with(&ListGroupMembers { group: group.slug, ..Default::default() }, &[]).await)
            }
            "POST /api/v1/groups/{group}/invitations" => {
                let group = self.target(actor).await;
                let (_, _, email) = self.fresh_user().await;
                let body = InviteToGroupRequest { email };
                status(c.call_with(&InviteToGroup { group: group.slug, body }, &[]).await)
            }
            "POST /api/v1/groups/{group}/members/{user}/approve"
            | "POST /api/v1/groups/{group}/members/{user}/deny" => {
                let group = self.target(actor).await;
                let (requester, user, _) = self.fresh_user().await;
                requester.call(&JoinGroup { group: group.slug.clone() }).await.unwrap();
                if op.ends_with("approve") {
                    status(c.call_with(&ApproveGroupRequest { group: group.slug, user }, &[]).await)
                } else {
                    status(c.call_with(&DenyGroupRequest { group: group.slug, user }, &[]).await)
                }
            }
            "DELETE /api/v1/groups/{group}/members/{user}" | "PUT /api/v1/groups/{group}/members/{user}/role" => {
                let group = self.target(actor).await;
                let (joiner, user, email) = self.fresh_user().await;
                if group.visibility == GroupVisibility::Private {
                    let body = InviteToGroupRequest { email };
                    self.clients[4].call(&InviteToGroup { group: group.slug.clone(), body }).await.unwrap();
                }
                joiner.call(&JoinGroup { group: group.slug.clone() }).await.unwrap();
                if op.starts_with("DELETE") {
                    status(c.call_with(&RemoveGroupMember { group: group.slug, user }, &[]).await)
                } else {
                    let body = ChangeGroupRoleRequest { role: GroupRole::Facilitator };
                    status(c.call_with(&ChangeGroupRole { group: group.slug, user, body }, &[]).await)
                }
            }
            "GET /api/v1/categories" => status(c.call_with(&ListCategories, &[]).await),
            "POST /api/v1/categories" => {
                let name = format!("New {}", &Uuid::new_v4().simple().to_string()[..8]);
                status(c.call_with(&CreateCategory(category_request(&name)), &[]).await)
            }
            "PUT /api/v1/categories/{id}" => {
                let category = self.fresh_category().await;
                let body = category_request("Renamed category");
                status(c.call_with(&UpdateCategory { id: category.id, body }, &[]).await)
            }
            "GET /api/v1/topics" => {
                let topic = self.fresh_topic(actor, GROUP_FACILITATOR, TopicKind::Discussion).await;
                let group = topic.summary.group.map(|g| g.slug);
                status(c.call_with(&ListTopics { group, ..Default::default() }, &[]).await)
            }
            "POST /api/v1/topics" => {
                let group = self.target(actor).await;
                let request = self.topic_request(Some(group.slug), TopicKind::Discussion);
                status(c.call_with(&CreateTopic(request), &[]).await)
            }
            "GET /api/v1/topics/{id}" => {
                let topic = self.fresh_topic(actor, GROUP_FACILITATOR, TopicKind::Discussion).await;
                status(c.call_with(&GetTopic { id: topic.summary.id }, &[]).await)
            }
            "PUT /api/v1/topics/{id}" => {
                let topic = self.fresh_topic(actor, GROUP_MEMBER, TopicKind::Discussion).await;
                let body =
                    UpdateTopicRequest { title: "Composting when it freezes".into(), tags: vec!["winter".into()] };
                status(c.call_with(&UpdateTopic { id: topic.summary.id, body }, &[]).await)
            }
            "GET /api/v1/topics/{id}/posts" => {
                let topic = self.fresh_topic(actor, GROUP_FACILITATOR, TopicKind::Discussion).await;
                status(c.call_with(&ListPosts { id: topic.summary.id, ..Default::default() }, &[]).await)
            }
            "POST /api/v1/topics/{id}/posts" => {
                let topic = self.fresh_topic(actor, GROUP_FACILITATOR, TopicKind::Discussion).await;
                let body = CreatePostRequest { body: "Me too.".into(), quote_post_id: None };
                status(c.call_with(&CreatePost { id: topic.summary.id, body }, &[]).await)
            }
            "POST /api/v1/topics/{id}/accept" => {
                let (id, post_id) = self.fresh_question(actor).await;
                status(c.call_with(&AcceptAnswer { id, body: AcceptAnswerRequest { post_id } }, &[]).await)
            }
            "DELETE /api/v1/topics/{id}/accept" => {
                let (id, post_id) = self.fresh_question(actor).await;
                let accept = AcceptAnswer { id: id.clone(), body: AcceptAnswerRequest { post_id } };
                self.writer(actor, GROUP_MEMBER).call(&accept).await.unwrap();
                status(c.call_with(&UnacceptAnswer { id }, &[]).await)
            }
            "PATCH /api/v1/topics/{id}/state" => {
                let topic = self.fresh_topic(actor, GROUP_FACILITATOR, TopicKind::Discussion).await;
                let body = TopicStateRequest { pinned: Some(true), locked: Some(true), hidden: None };
                status(c.call_with(&SetTopicState { id: topic.summary.id, body }, &[]).await)
            }
            "POST /api/v1/topics/{id}/move" => {
                let topic = self.fresh_topic(actor, GROUP_FACILITATOR, TopicKind::Discussion).await;
                let body = MoveTopicRequest { category: self.fresh_category().await.slug };
                status(c.call_with(&MoveTopic { id: topic.summary.id, body }, &[]).await)
            }
            "POST /api/v1/topics/{id}/split" => {
                let topic = self.fresh_topic(actor, GROUP_FACILITATOR, TopicKind::Discussion).await;
                let reply = self.reply(actor, &topic, GROUP_FACILITATOR).await;
                let body = SplitTopicRequest { post_ids: vec![reply.id], title: "Straw bales".into(), category: None };
                status(c.call_with(&SplitTopic { id: topic.summary.id, body }, &[]).await)
            }
            "GET /api/v1/posts/{id}" => {
                let post = self.fresh_reply(actor, GROUP_FACILITATOR).await;
                status(c.call_with(&GetPost { id: post.id }, &[]).await)
            }
            "PUT /api/v1/posts/{id}" => {
                let post = self.fresh_reply(actor, GROUP_MEMBER).await;
                let body = UpdatePostRequest { body: "Straw bales, and a tarpaulin.".into() };
                status(c.call_with(&UpdatePost { id: post.id, body }, &[]).await)
            }
            "DELETE /api/v1/posts/{id}" => {
                let post = self.fresh_reply(actor, GROUP_MEMBER).await;
                status(c.call_with(&DeletePost { id: post.id }, &[]).await)
            }
            "GET /api/v1/posts/{id}/revisions" => {
                let post = self.fresh_reply(actor, GROUP_FACILITATOR).await;
                let body = UpdatePostRequest { body: "Straw bales, edited.".into() };
                self.writer(actor, GROUP_FACILITATOR).call(&UpdatePost { id: post.id.clone(), body }).await.unwrap();
                status(c.call_with(&ListRevisions { id: post.id }, &[]).await)
            }
            "PUT /api/v1/posts/{id}/reactions/{kind}" => {
                let post = self.fresh_reply(actor, GROUP_FACILITATOR).await;
                status(c.call_with(&AddReaction { id: post.id, kind: ReactionKind::Thanks }, &[]).await)
            }
            "DELETE /api/v1/posts/{id}/reactions/{kind}" => {
                let post = self.fresh_reply(actor, GROUP_FACILITATOR).await;
                // Reacting first, where the actor may, so that there is something to take back.
                let _ = c.call(&AddReaction { id: post.id.clone(), kind: ReactionKind::Thanks }).await;
                status(c.call_with(&RemoveReaction { id: post.id, kind: ReactionKind::Thanks }, &[]).await)
            }
            "POST /api/v1/posts/{id}/flags" => {
                let post = self.fresh_reply(actor, GROUP_FACILITATOR).await;
                let body = FlagRequest { reason: "Looks like spam.".into() };
                status(c.call_with(&FlagPost { id: post.id, body }, &[]).await)
            }
            "POST /api/v1/posts/{id}/hide" => {
                let post = self.fresh_reply(actor, GROUP_FACILITATOR).await;
                status(c.call_with(&HidePost { id: post.id }, &[]).await)
            }
            "POST /api/v1/posts/{id}/restore" => {
                let post = self.fresh_reply(actor, GROUP_FACILITATOR).await;
                self.admin().call(&HidePost { id: post.id.clone() }).await.unwrap();
                status(c.call_with(&RestorePost { id: post.id }, &[]).await)
            }
            "GET /api/v1/flags" => {
                self.fresh_flag(actor).await;
                status(c.call_with(&ListFlags::default(), &[]).await)
            }
            "POST /api/v1/flags/{id}/resolve" => {
                let id = self.fresh_flag(actor).await;
                let body = ResolveFlagRequest { outcome: FlagStatus::Dismissed };
                status(c.call_with(&ResolveFlag { id, body }, &[]).await)
            }
            "GET /api/v1/me/watches" => status(c.call_with(&ListWatches, &[]).await),
            "PUT /api/v1/me/watches/{target}/{id}" => {
                let topic = self.fresh_topic(actor, GROUP_FACILITATOR, TopicKind::Discussion).await;
                status(c.call_with(&AddWatch { target: WatchTarget::Topic, id: topic.summary.id }, &[]).await)
            }
            "DELETE /api/v1/me/watches/{target}/{id}" => {
                let topic = self.fresh_topic(actor, GROUP_FACILITATOR, TopicKind::Discussion).await;
                let id = topic.summary.id;
                // Watching first, where the actor may, so that there is something to stop.
                let _ = c.call(&AddWatch { target: WatchTarget::Topic, id: id.clone() }).await;
                status(c.call_with(&RemoveWatch { target: WatchTarget::Topic, id }, &[]).await)
            }
            "GET /api/v1/me/notifications" => status(c.call_with(&ListNotifications::default(), &[]).await),
            "GET /api/v1/me/notifications/unread" => status(c.call_with(&GetUnreadCount, &[]).await),
            "POST /api/v1/me/notifications/read" => {
                let body = MarkReadRequest { ids: Vec::new(), all: true };
                status(c.call_with(&MarkNotificationsRead(body), &[]).await)
            }
            "GET /api/v1/library" => {
                let item = self.fresh_item(actor).await;
                let group = item.summary.group.map(|g| g.slug);
                status(c.call_with(&ListLibraryItems { group, ..Default::default() }, &[]).await)
            }
            "POST /api/v1/library" => {
                let group = self.target(actor).await;
                status(c.call_with(&CreateLibraryItem(item_request(Some(group.slug))), &[]).await)
            }
            "GET /api/v1/library/{id}" => {
                let item = self.fresh_item(actor).await;
                status(c.call_with(&GetLibraryItem { id: item.summary.id }, &[]).await)
            }
            "PUT /api/v1/library/{id}" => {
                let item = self.fresh_item(actor).await;
                let body = UpdateLibraryItemRequest {
                    title: "Soil sampling guide, second edition".into(),
                    description: String::new(),
                    kind: ItemKind::Document,
                    tags: Vec::new(),
                    language: None,
                    licence: None,
                    url: None,
                };
                status(c.call_with(&UpdateLibraryItem { id: item.summary.id, body }, &[]).await)
            }
            "DELETE /api/v1/library/{id}" => {
                let item = self.fresh_item(actor).await;
                status(c.call_with(&DeleteLibraryItem { id: item.summary.id }, &[]).await)
            }
            "POST /api/v1/library/{id}/versions" => {
                let item = self.fresh_item(actor).await;
                upload_status(&self.app, c, &item.summary.id, "text/plain", b"Second edition.".to_vec()).await
            }
            "GET /api/v1/library/{id}/download" => {
                let item = self.fresh_item(actor).await;
                get_status(&self.app, c, &download_path(&item.summary.id)).await
            }
            "GET /api/v1/library/{id}/versions/{number}/download" => {
                let item = self.fresh_item(actor).await;
                get_status(&self.app, c, &version_download_path(&item.summary.id, 1)).await
            }
            "GET /api/v1/library/{id}/preview" => {
                let item = self.fresh_item(actor).await;
                get_status(&self.app, c, &preview_path(&item.summary.id)).await
            }
            "GET /api/v1/events" => {
                let event = self.fresh_event(actor).await;
                let group = event.group.map(|g| g.slug);
                status(c.call_with(&ListEvents { group, ..Default::default() }, &[]).await)
            }
            "GET /api/v1/events/calendar" => {
                let event = self.fresh_event(actor).await;
                let from = event.occurrences[0].starts_at - chrono::Duration::days(1);
                let range =
                    EventCalendar { from, to: from + chrono::Duration::days(30), group: None, tag: None, format: None };
                status(c.call_with(&range, &[]).await)
            }
            "POST /api/v1/events" => {
                let group = self.target(actor).await;
                let body = CreateEventRequest { group: Some(group.slug), event: event_fields() };
                status(c.call_with(&CreateEvent(body), &[]).await)
            }
            "GET /api/v1/events/{id}" => {
                let event = self.fresh_event(actor).await;
                status(c.call_with(&GetEvent { id: event.id }, &[]).await)
            }
            "PUT /api/v1/events/{id}" => {
                let event = self.fresh_event(actor).await;
                let mut body = event_fields();
                body.title = "Soil clinic, moved online".into();
                status(c.call_with(&UpdateEvent { id: event.id, body }, &[]).await)
            }
            "DELETE /api/v1/events/{id}" => {
                let event = self.fresh_event(actor).await;
                status(c.call_with(&DeleteEvent { id: event.id }, &[]).await)
            }
            "POST /api/v1/events/{id}/cancel" => {
                let event = self.fresh_event(actor).await;
                status(c.call_with(&CancelEvent { id: event.id }, &[]).await)
            }
            "PUT /api/v1/events/{id}/occurrences/{occurrence}" => {
                let event = self.fresh_event(actor).await;
                let fields = event_fields();
                let body =
                    UpdateOccurrenceRequest { starts_at: fields.starts_at, ends_at: fields.ends_at, cancelled: true };
                status(c.call_with(&UpdateOccurrence { id: event.id, occurrence: "single".into(), body }, &[]).await)
            }
            "PUT /api/v1/events/{id}/occurrences/{occurrence}/rsvp" => {
                let event = self.fresh_event(actor).await;
                let body = RsvpRequest { status: RsvpStatus::Going };
                status(c.call_with(&Rsvp { id: event.id, occurrence: "single".into(), body }, &[]).await)
            }
            "GET /api/v1/events/{id}/occurrences/{occurrence}/attendees" => {
                let event = self.fresh_event(actor).await;
                status(c.call_with(&ListAttendees { id: event.id, occurrence: "single".into() }, &[]).await)
            }
            "GET /api/v1/events/{id}/ics" => {
                let event = self.fresh_event(actor).await;
                get_status(&self.app, c, &event_ics_path(&event.id)).await
            }
            "GET /api/v1/feeds/events.ics" => {
                let token = self.feed_token(actor).await;
                get_status(&self.app, &self.app.new_client(), &community_feed_path(token.as_deref())).await
            }
            "GET /api/v1/feeds/groups/{group}/events.ics" => {
                let event = self.fresh_event(actor).await;
                let group = event.group.map(|g| g.slug).unwrap_or_default();
                let token = self.feed_token(actor).await;
                get_status(&self.app, &self.app.new_client(), &group_feed_path(&group, token.as_deref())).await
            }
            "GET /api/v1/feeds/mine/events.ics" => {
                let token = self.feed_token(actor).await.unwrap_or_default();
                get_status(&self.app, &self.app.new_client(), &my_feed_path(&token)).await
            }
            "GET /api/v1/me/feed-token" => status(c.call_with(&GetFeedToken, &[]).await),
            "POST /api/v1/me/feed-token" => status(c.call_with(&CreateFeedToken, &[]).await),
            "DELETE /api/v1/me/feed-token" => status(c.call_with(&RevokeFeedToken, &[]).await),
            "GET /api/v1/api-keys" => status(c.call_with(&ListApiKeys, &[]).await),
            "GET /api/v1/changes" => status(c.call_with(&ListChanges::default(), &[]).await),
            "GET /api/v1/webhooks" => status(c.call_with(&ListWebhooks, &[]).await),
            "POST /api/v1/webhooks" => status(c.call_with(&CreateWebhook(webhook_request()), &[]).await),
            "GET /api/v1/webhooks/{id}" => {
                let id = self.fresh_webhook().await;
                status(c.call_with(&GetWebhook { id }, &[]).await)
            }
            "PUT /api/v1/webhooks/{id}" => {
                let id = self.fresh_webhook().await;
                status(c.call_with(&UpdateWebhook { id, body: webhook_request() }, &[]).await)
            }
            "DELETE /api/v1/webhooks/{id}" => {
                let id = self.fresh_webhook().await;
                status(c.call_with(&DeleteWebhook { id }, &[]).await)
            }
            "POST /api/v1/webhooks/{id}/rotate" => {
                let id = self.fresh_webhook().await;
                let body = RotateWebhookSecretRequest::default();
                status(c.call_with(&RotateWebhookSecret { id, body }, &[]).await)
            }
            "POST /api/v1/webhooks/{id}/ping" => {
                let id = self.fresh_webhook().await;
                status(c.call_with(&PingWebhook { id }, &[]).await)
            }
            "GET /api/v1/webhooks/{id}/deliveries" => {
                let id = self.fresh_webhook().await;
                status(c.call_with(&ListWebhookDeliveries { id, ..Default::default() }, &[]).await)
            }
            "POST /api/v1/webhooks/{id}/deliveries/{delivery}/redeliver" => {
                let id = self.fresh_webhook().await;
                let delivery = self.admin().call(&PingWebhook { id: id.clone() }).await.unwrap().id;
                status(c.call_with(&RedeliverWebhook { id, delivery }, &[]).await)
            }
            "PUT /api/v1/library/external/{source}/{external_id}" => {
                let group = self.target(actor).await;
                let body = UpsertLibraryItemRequest { item: item_request(Some(group.slug)), source: source_info() };
                let external_id = Uuid::new_v4().to_string();
                status(c.call_with(&UpsertLibraryItem { source: "fao".into(), external_id, body }, &[]).await)
            }
            "PUT /api/v1/events/external/{source}/{external_id}" => {
                let group = self.target(actor).await;
                let event = CreateEventRequest { group: Some(group.slug), event: event_fields() };
                let body = UpsertEventRequest { event, source: source_info() };
                let external_id = Uuid::new_v4().to_string();
                status(c.call_with(&UpsertEvent { source: "fao".into(), external_id, body }, &[]).await)
            }
            "GET /api/v1/feeds/topics.atom" | "GET /api/v1/feeds/library.atom" | "GET /api/v1/feeds/events.atom" => {
                let kind = op.trim_start_matches("GET /api/v1/feeds/").trim_end_matches(".atom");
                let token = self.feed_token(actor).await;
                get_status(&self.app, &self.app.new_client(), &atom_feed_path(kind, None, token.as_deref())).await
            }
            "POST /api/v1/api-keys" => {
                let (_, private) = self.fresh_groups().await;
                status(c.call_with(&CreateApiKey(key_request(vec![private.slug])), &[]).await)
            }
            "DELETE /api/v1/api-keys/{id}" => {
                let key = self.admin().call(&CreateApiKey(key_request(Vec::new()))).await.unwrap().key;
                status(c.call_with(&RevokeApiKey { id: key.id }, &[]).await)
            }
            "POST /api/v1/api-keys/{id}/rotate" => {
                let key = self.admin().call(&CreateApiKey(key_request(Vec::new()))).await.unwrap().key;
                status(c.call_with(&RotateApiKey { id: key.id, body: RotateApiKeyRequest::default() }, &[]).await)
            }
            "GET /api/v1/me/profile" => status(c.call_with(&GetMyProfile, &[]).await),
            "PUT /api/v1/me/profile" => {
                let name = ACTORS[actor].replace('_', " ");
                let body = UpdateProfileRequest { display_name: name, ..Default::default() };
                status(c.call_with(&UpdateMyProfile(body), &[]).await)
            }
            "POST /api/v1/me/avatar" => avatar_status(&self.app, c, PNG.to_vec()).await,
            "DELETE /api/v1/me/avatar" => status(c.call_with(&DeleteMyAvatar, &[]).await),
            "GET /api/v1/me/export" => status(c.call_with(&ExportMyData, &[]).await),
            "DELETE /api/v1/me" => {
                let client = match actor {
                    ANON => self.app.new_client(),
                    6 => self.admin().clone(),
                    _ => {
                        let (client, id, _) = self.fresh_user().await;
                        if actor == 5 {
                            let body = ChangeRoleRequest { role: Role::Facilitator };
                            self.admin().call(&ChangeMemberRole { id, body }).await.unwrap();
                        }
                        client
                    }
                };
                status(client.call_with(&DeleteMyAccount::default(), &[]).await)
            }
            "GET /api/v1/members/{id}/avatar/{size}" => {
                let (owner, id, _) = self.fresh_user().await;
                assert_eq!(avatar_status(&self.app, &owner, PNG.to_vec()).await, 200);
                get_status(&self.app, c, &avatar_path(&id, AvatarSize::Small)).await
            }
            "GET /api/v1/members/{id}/profile" => {
                let (_, id, _) = self.fresh_user().await;
                status(c.call_with(&GetMemberProfile { id, view_as: None }, &[]).await)
            }
            "GET /api/v1/members/{id}/activity" => {
                let (_, id, _) = self.fresh_user().await;
                status(c.call_with(&GetMemberActivity { id }, &[]).await)
            }
            "POST /api/v1/members/{id}/contact" => {
                let (recipient, id, _) = self.fresh_user().await;
                let mut body = UpdateProfileRequest { display_name: "Open Person".into(), ..Default::default() };
                body.privacy.allow_contact = true;
                recipient.call(&UpdateMyProfile(body)).await.unwrap();
                let body = ContactMemberRequest { subject: "Hello".into(), message: "A question.".into() };
                status(c.call_with(&ContactMember { id, body }, &[]).await)
            }
            "GET /api/v1/directory" => status(c.call_with(&ListDirectory::default(), &[]).await),
            "GET /api/v1/experts" => {
                let experts = FindExperts { tags: vec!["compost".into()], limit: None };
                status(c.call_with(&experts, &[]).await)
            }
            "GET /api/v1/expertise-tags" => status(c.call_with(&ListExpertiseTags::default(), &[]).await),
            "GET /api/v1/me/bookmarks" => status(c.call_with(&ListBookmarks::default(), &[]).await),
            "POST /api/v1/me/bookmarks" => {
                let topic = self.fresh_topic(actor, GROUP_FACILITATOR, TopicKind::Discussion).await;
                status(c.call_with(&CreateBookmark(topic_bookmark(&topic.summary.id)), &[]).await)
            }
            "GET /api/v1/me/bookmarks/{id}" => {
                let id = self.fresh_bookmark().await;
                status(c.call_with(&GetBookmark { id }, &[]).await)
            }
            "PUT /api/v1/me/bookmarks/{id}" => {
                let id = self.fresh_bookmark().await;
                let body = UpdateBookmarkRequest { note: "Read again.".into(), title: None };
                status(c.call_with(&UpdateBookmark { id, body }, &[]).await)
            }
            "DELETE /api/v1/me/bookmarks/{id}" => {
                let id = self.fresh_bookmark().await;
                status(c.call_with(&DeleteBookmark { id }, &[]).await)
            }
            other => panic!("the matrix has a row for {other} but no way to run it"),
        }
    }
}

/// A 1 x 1 PNG, so that the item has an image preview.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";

fn webhook_request() -> WebhookRequest {
    WebhookRequest {
        url: "https://hooks.invalid/copse".into(),
        description: "Partner".into(),
        events: vec!["library_item.created".into()],
        active: None,
    }
}

fn source_info() -> SourceInfo {
    SourceInfo { source_name: "FAO e-Agriculture".into(), source_url: None }
}

fn item_request(group: Option<String>) -> CreateLibraryItemRequest {
    CreateLibraryItemRequest {
        title: "Soil sampling guide".into(),
        description: "How to take a sample.".into(),
        kind: ItemKind::Document,
        group,
        tags: vec!["soil".into()],
        language: Some("en".into()),
        licence: Some("CC-BY-4.0".into()),
        url: None,
    }
}

fn key_request(groups: Vec<String>) -> CreateApiKeyRequest {
    CreateApiKeyRequest { name: "Hub sync".into(), scopes: vec![Scope::LibraryRead], groups, expires_at: None }
}

/// An online event ten days ahead.
fn event_fields() -> EventFields {
    let start = (Utc::now() + chrono::Duration::days(10)).date_naive().and_hms_opt(14, 0, 0).unwrap();
    EventFields {
        title: "Soil clinic".into(),
        description: "Bring a sample.".into(),
        format: EventFormat::Online,
        time_zone: "Africa/Nairobi".into(),
        all_day: false,
        starts_at: start,
        ends_at: start + chrono::Duration::hours(1),
        recurrence: None,
        venue: None,
        online_url: Some("https://meet.example.org/clinic".into()),
        link_for_going_only: false,
        capacity: None,
        rsvp_deadline: None,
        attendees_public: false,
        tags: vec!["soil".into()],
        reminders: None,
        organisers: Vec::new(),
    }
}

fn topic_bookmark(id: &str) -> CreateBookmarkRequest {
    CreateBookmarkRequest {
        kind: BookmarkKind::Topic,
        target_id: Some(id.to_owned()),
        url: None,
        title: None,
        note: "For the next meeting.".into(),
    }
}

/// Uploads an avatar (multipart, outside the JSON contract).
async fn avatar_status(app: &TestApp, client: &Client, bytes: Vec<u8>) -> u16 {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("me.png").mime_str("image/png").unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let request = with_token(client, client.http().post(app.url(AVATAR_UPLOAD_PATH)).multipart(form));
    request.send().await.unwrap().status().as_u16()
}

fn with_token(client: &Client, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    match client.token() {
        Some(token) => request.bearer_auth(token),
        None => request,
    }
}

/// Uploads a file as a new version (multipart, outside the JSON contract).
async fn upload_status(app: &TestApp, client: &Client, id: &str, content_type: &str, bytes: Vec<u8>) -> u16 {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("file.bin").mime_str(content_type).unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let request = with_token(client, client.http().post(app.url(&upload_path(id))).multipart(form));
    request.send().await.unwrap().status().as_u16()
}

/// The status of a binary GET (downloads, previews).
async fn get_status(app: &TestApp, client: &Client, path: &str) -> u16 {
    with_token(client, client.http().get(app.url(path))).send().await.unwrap().status().as_u16()
}

fn category_request(name: &str) -> CategoryRequest {
    CategoryRequest { name: name.into(), description: "Where this goes.".into(), position: None }
}

fn spec_operations() -> BTreeSet<String> {
    let spec = copse::openapi::spec();
    let mut operations = BTreeSet::new();
    for (path, item) in &spec.paths.paths {
        for (method, op) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ] {
            if op.is_some() {
                operations.insert(format!("{method} {path}"));
            }
        }
    }
    operations
}

#[test]
fn every_operation_in_the_spec_has_a_row_in_the_matrix() {
    let rows: BTreeSet<String> = MATRIX.iter().map(|(op, _)| (*op).to_owned()).collect();
    let spec = spec_operations();
    let missing: Vec<&String> = spec.difference(&rows).collect();
    let stale: Vec<&String> = rows.difference(&spec).collect();
    assert!(missing.is_empty(), "operations without a row in the authorization matrix: {missing:#?}");
    assert!(stale.is_empty(), "rows for operations that no longer exist: {stale:#?}");
}

#[tokio::test]
async fn every_actor_gets_the_expected_status_for_every_operation() {
    let world = World::new().await;
    let mut mismatches = Vec::new();
    for (op, expected) in MATRIX {
        for (actor, want) in expected.iter().enumerate() {
            let got = world.run(op, actor).await;
            if got != *want {
                mismatches.push(format!("{op} as {}: expected {want}, got {got}", ACTORS[actor]));
            }
        }
    }
    eprintln!(
        "authorization matrix: {} operations x {} actors = {} cases",
        MATRIX.len(),
        ACTORS.len(),
        MATRIX.len() * ACTORS.len()
    );
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}
