//! Partner API keys end to end: made by admins and group facilitators, shown once,
//! scoped per resource and action, limited to groups, bounded by their maker's rights,
//! revoked, expired and rotated with a grace period; and a scope matrix: every
//! operation that accepts keys, with and without its scope.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use copse_shared::client::Client;
use copse_shared::endpoints::*;
use copse_shared::events::{CreateEventRequest, EventFields, EventFormat};
use copse_shared::groups::{CreateGroupRequest, GroupVisibility, InviteToGroupRequest};
use copse_shared::library::{CreateLibraryItemRequest, ItemKind, download_path};
use copse_shared::partners::{
    Change, ChangeOp, ChangePage, ChangeType, CreateApiKeyRequest, RotateApiKeyRequest, Scope, SourceInfo,
    UpsertEventRequest, UpsertLibraryItemRequest,
};
use copse_tests::{PASSWORD, TestApp, problem};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

fn key_request(name: &str, scopes: &[Scope], groups: &[&str]) -> CreateApiKeyRequest {
    CreateApiKeyRequest {
        name: name.into(),
        scopes: scopes.to_vec(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        expires_at: None,
    }
}

fn item(title: &str, group: Option<&str>) -> CreateLibraryItemRequest {
    CreateLibraryItemRequest {
        title: title.into(),
        description: String::new(),
        kind: ItemKind::Link,
        group: group.map(str::to_owned),
        tags: Vec::new(),
        language: None,
        licence: Some("CC-BY-4.0".into()),
        url: Some("https://example.org/guide".into()),
    }
}

fn source() -> SourceInfo {
    SourceInfo {
        source_name: "FAO e-Agriculture".into(),
        source_url: Some("https://www.fao.org/e-agriculture/".into()),
    }
}

fn event() -> EventFields {
    let start = (Utc::now() + Duration::days(5)).date_naive().and_hms_opt(10, 0, 0).unwrap();
    EventFields {
        title: "Partner webinar".into(),
        description: String::new(),
        format: EventFormat::Online,
        time_zone: "Europe/Rome".into(),
        all_day: false,
        starts_at: start,
        ends_at: start + Duration::hours(1),
        recurrence: None,
        venue: None,
        online_url: Some("https://meet.example.org/partner".into()),
        link_for_going_only: false,
        capacity: None,
        rsvp_deadline: None,
        attendees_public: false,
        tags: Vec::new(),
        reminders: None,
        organisers: Vec::new(),
    }
}

#[tokio::test]
async fn a_key_is_shown_once_listed_without_its_secret_and_acts_only_within_its_scopes() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let shared = admin.call(&CreateLibraryItem(item("Soil guide", None))).await.unwrap();
    let created =
        admin.call_with(&CreateApiKey(key_request("FAO sync", &[Scope::LibraryRead], &[])), &[]).await.unwrap();
    assert_eq!(created.status, 201);
    let (key, secret) = (created.body.key, created.body.secret);
    assert!(secret.starts_with("copse_") && secret.len() > 40);
    assert!(secret.starts_with(&key.prefix));
    let listed = admin.call(&ListApiKeys).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!serde_json::to_string(&listed).unwrap().contains(&secret), "the secret is never shown again");
    assert!(listed[0].last_used_at.is_none());

    let partner = app.with_token(&secret);
    assert_eq!(partner.call(&ListLibraryItems::default()).await.unwrap().items.len(), 1);
    assert_eq!(
        partner.call(&GetLibraryItem { id: shared.summary.id.clone() }).await.unwrap().summary.title,
        "Soil guide"
    );
    let write = problem(partner.call(&CreateLibraryItem(item("From the hub", None))).await);
    assert_eq!(write.status, 403);
    assert!(write.detail.unwrap_or_default().contains("library:write"));
    assert_eq!(problem(partner.call(&ListEvents::default()).await).status, 403, "no events:read");
    assert_eq!(problem(partner.call(&GetMe).await).status, 403, "member endpoints refuse keys");
    assert_eq!(problem(partner.call(&ListApiKeys).await).status, 403, "keys never manage keys");
    let used = admin.call(&ListApiKeys).await.unwrap();
    assert!(used[0].last_used_at.is_some() && used[0].last_used_ip.as_deref() == Some("127.0.0.1"));

    assert_eq!(problem(app.with_token("copse_not-a-real-key").call(&ListLibraryItems::default()).await).status, 401);
    assert_eq!(admin.call_with(&RevokeApiKey { id: key.id.clone() }, &[]).await.unwrap().status, 204);
    assert_eq!(problem(partner.call(&ListLibraryItems::default()).await).status, 401, "revoked");
}

#[tokio::test]
async fn an_expired_key_is_refused_and_a_rotated_key_keeps_its_old_secret_for_the_grace_period() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let scopes = [Scope::LibraryRead];
    let past =
        CreateApiKeyRequest { expires_at: Some(Utc::now() - Duration::hours(1)), ..key_request("Old", &scopes, &[]) };
    assert_eq!(problem(admin.call(&CreateApiKey(past)).await).errors[0].code, "in_the_past");
    let expiring = admin.call(&CreateApiKey(key_request("Expiring", &scopes, &[]))).await.unwrap();
    let row =
        copse::entities::api_key::Entity::find_by_id(expiring.key.id.clone()).one(&app.db).await.unwrap().unwrap();
    let mut row: copse::entities::api_key::ActiveModel = row.into();
    row.expires_at = Set(Some(Utc::now() - Duration::seconds(1)));
    row.update(&app.db).await.unwrap();
    assert_eq!(problem(app.with_token(&expiring.secret).call(&ListLibraryItems::default()).await).status, 401);

    let first = admin.call(&CreateApiKey(key_request("Rotating", &scopes, &[]))).await.unwrap();
    let rotate =
        |grace| RotateApiKey { id: first.key.id.clone(), body: RotateApiKeyRequest { grace_hours: Some(grace) } };
    let second = admin.call(&rotate(24)).await.unwrap();
    assert_ne!(second.secret, first.secret);
    assert!(second.key.previous_valid_until.is_some());
    assert!(
        app.with_token(&first.secret).call(&ListLibraryItems::default()).await.is_ok(),
        "old secret in its grace period"
    );
    assert!(app.with_token(&second.secret).call(&ListLibraryItems::default()).await.is_ok());
    let third = admin.call(&rotate(0)).await.unwrap();
    assert_eq!(problem(app.with_token(&second.secret).call(&ListLibraryItems::default()).await).status, 401);
    assert_eq!(problem(app.with_token(&first.secret).call(&ListLibraryItems::default()).await).status, 401);
    assert!(app.with_token(&third.secret).call(&ListLibraryItems::default()).await.is_ok());
    assert_eq!(problem(admin.call(&rotate(10_000)).await).status, 422);
}

#[tokio::test]
async fn a_group_facilitators_key_reaches_only_their_group_and_never_beyond_their_rights() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (fac, answer) = app.register("fac@example.org", "Group Facilitator", PASSWORD).await;
    let (member, _) = app.register("member@example.org", "Plain Member", PASSWORD).await;
    let create = |name: &str, visibility| {
        CreateGroup(CreateGroupRequest { name: name.into(), slug: None, description: "A room.".into(), visibility })
    };
    let mine = admin.call(&create("Seed bank", GroupVisibility::Private)).await.unwrap();
    let other = admin.call(&create("Board", GroupVisibility::Private)).await.unwrap();
    admin
        .call(&InviteToGroup {
            group: mine.slug.clone(),
            body: InviteToGroupRequest { email: "fac@example.org".into() },
        })
        .await
        .unwrap();
    fac.call(&JoinGroup { group: mine.slug.clone() }).await.unwrap();
    admin
        .call(&ChangeGroupRole {
            group: mine.slug.clone(),
            user: answer.user.id.clone(),
            body: copse_shared::groups::ChangeGroupRoleRequest { role: copse_shared::groups::GroupRole::Facilitator },
        })
        .await
        .unwrap();
    let public = admin.call(&create("Open room", GroupVisibility::Public)).await.unwrap();
    admin.call(&CreateLibraryItem(item("Open notes", Some(&public.slug)))).await.unwrap();
    let in_mine = admin.call(&CreateLibraryItem(item("Seed inventory", Some(&mine.slug)))).await.unwrap();
    let in_other = admin.call(&CreateLibraryItem(item("Board minutes", Some(&other.slug)))).await.unwrap();
    let community = admin.call(&CreateLibraryItem(item("Welcome pack", None))).await.unwrap();

    let scopes = [Scope::LibraryRead, Scope::LibraryWrite];
    assert_eq!(problem(fac.call(&CreateApiKey(key_request("All", &scopes, &[]))).await).status, 403);
    assert_eq!(problem(fac.call(&CreateApiKey(key_request("Theirs", &scopes, &[&other.slug]))).await).status, 403);
    assert_eq!(problem(member.call(&CreateApiKey(key_request("Mine", &scopes, &[&mine.slug]))).await).status, 403);
    let created = fac.call(&CreateApiKey(key_request("Seed sync", &scopes, &[&mine.slug]))).await.unwrap();
    assert_eq!(created.key.groups[0].slug, mine.slug);
    let partner = app.with_token(&created.secret);
    let listed = partner.call(&ListLibraryItems::default()).await.unwrap();
    assert_eq!(listed.items.iter().map(|i| i.title.as_str()).collect::<Vec<_>>(), ["Seed inventory"]);
    assert!(partner.call(&GetLibraryItem { id: in_mine.summary.id.clone() }).await.is_ok());
    assert_eq!(problem(partner.call(&GetLibraryItem { id: in_other.summary.id.clone() }).await).status, 404);
    assert_eq!(problem(partner.call(&GetLibraryItem { id: community.summary.id.clone() }).await).status, 404);
    let pushed = partner.call(&CreateLibraryItem(item("Pushed by the hub", Some(&mine.slug)))).await.unwrap();
    assert_eq!(pushed.summary.owner.map(|o| o.display_name).as_deref(), Some("Group Facilitator"));
    assert_eq!(problem(partner.call(&CreateLibraryItem(item("Outside", None))).await).status, 403);
    // Others do not see the facilitator's key; only its maker or an admin revokes it.
    assert!(member.call(&ListApiKeys).await.unwrap().is_empty());
    assert_eq!(problem(member.call(&RevokeApiKey { id: created.key.id.clone() }).await).status, 404);
    assert_eq!(admin.call(&ListApiKeys).await.unwrap().len(), 1);

    // Losing the group takes the key's reach with it; a suspended maker's key stops.
    admin.call(&RemoveGroupMember { group: mine.slug.clone(), user: answer.user.id.clone() }).await.unwrap();
    assert_eq!(problem(partner.call(&GetLibraryItem { id: in_mine.summary.id.clone() }).await).status, 404);
    assert!(partner.call(&ListLibraryItems::default()).await.unwrap().items.is_empty(), "nor in lists");
    admin.call(&SuspendMember { id: answer.user.id.clone() }).await.unwrap();
    assert_eq!(problem(partner.call(&ListLibraryItems::default()).await).status, 401);
}

/// Every operation that accepts keys, run by a key with its scope (expected status)
/// and by a key with every scope that does not grant it (403).
#[tokio::test]
async fn every_key_operation_needs_its_scope() {
    let app = TestApp::spawn_with(|s| s.writes_per_minute = 10_000).await;
    let admin = app.admin().await;
    let item_id = admin.call(&CreateLibraryItem(item("Guide", None))).await.unwrap().summary.id;
    let event_id = admin.call(&CreateEvent(CreateEventRequest { group: None, event: event() })).await.unwrap().id;
    let general = admin
        .call(&CreateCategory(copse_shared::discussions::CategoryRequest {
            name: "General".into(),
            description: "All.".into(),
            position: None,
        }))
        .await
        .unwrap();
    let topic_id = admin
        .call(&CreateTopic(copse_shared::discussions::CreateTopicRequest {
            category: general.slug,
            group: None,
            title: "Cover crops in dry seasons".into(),
            body: "What works?".into(),
            kind: copse_shared::discussions::TopicKind::Question,
            tags: Vec::new(),
        }))
        .await
        .unwrap()
        .summary
        .id;
    let key_with = |scopes: Vec<Scope>| {
        let admin = admin.clone();
        async move { admin.call(&CreateApiKey(key_request("Matrix", &scopes, &[]))).await.unwrap().secret }
    };
    let cases: Vec<(&str, Scope, u16)> = vec![
        ("GET /api/v1/topics", Scope::DiscussionsRead, 200),
        ("GET /api/v1/topics/{id}", Scope::DiscussionsRead, 200),
        ("GET /api/v1/topics/{id}/posts", Scope::DiscussionsRead, 200),
        ("GET /api/v1/library", Scope::LibraryRead, 200),
        ("GET /api/v1/library/{id}", Scope::LibraryRead, 200),
        ("GET /api/v1/library/{id}/download", Scope::LibraryRead, 404),
        ("POST /api/v1/library", Scope::LibraryWrite, 201),
        ("PUT /api/v1/library/{id}", Scope::LibraryWrite, 200),
        ("GET /api/v1/events", Scope::EventsRead, 200),
        ("GET /api/v1/events/{id}", Scope::EventsRead, 200),
        ("GET /api/v1/events/{id}/ics", Scope::EventsRead, 200),
        ("POST /api/v1/events", Scope::EventsWrite, 201),
        ("POST /api/v1/events/{id}/cancel", Scope::EventsWrite, 200),
        ("GET /api/v1/changes?types=topic,post", Scope::DiscussionsRead, 200),
        ("GET /api/v1/changes?types=library_item", Scope::LibraryRead, 200),
        ("GET /api/v1/changes?types=event", Scope::EventsRead, 200),
        ("PUT /api/v1/library/external/{source}/{external_id}", Scope::LibraryWrite, 201),
        ("PUT /api/v1/events/external/{source}/{external_id}", Scope::EventsWrite, 201),
    ];
    let run = |client: Client, op: &'static str| {
        let (item_id, event_id, topic_id) = (item_id.clone(), event_id.clone(), topic_id.clone());
        let url = |path: String| app.url(&path);
        let download = url(download_path(&item_id));
        let ics = url(copse_shared::events::event_ics_path(&event_id));
        async move {
            let status = |r: Result<u16, copse_shared::client::ClientError>| match r {
                Ok(s) => s,
                Err(copse_shared::client::ClientError::Problem(p)) => p.status,
                Err(other) => panic!("{other:?}"),
            };
            let raw = |url: String| {
                let client = client.clone();
                async move {
                    client.http().get(url).bearer_auth(client.token().unwrap()).send().await.unwrap().status().as_u16()
                }
            };
            match op {
                "GET /api/v1/topics" => status(client.call_with(&ListTopics::default(), &[]).await.map(|a| a.status)),
                "GET /api/v1/topics/{id}" => {
                    status(client.call_with(&GetTopic { id: topic_id }, &[]).await.map(|a| a.status))
                }
                "GET /api/v1/topics/{id}/posts" => status(
                    client.call_with(&ListPosts { id: topic_id, ..Default::default() }, &[]).await.map(|a| a.status),
                ),
                "GET /api/v1/library" => {
                    status(client.call_with(&ListLibraryItems::default(), &[]).await.map(|a| a.status))
                }
                "GET /api/v1/library/{id}" => {
                    status(client.call_with(&GetLibraryItem { id: item_id }, &[]).await.map(|a| a.status))
                }
                // A link has no file: reaching the item at all gives 404 `no file`, the
                // missing scope gives 403 before that.
                "GET /api/v1/library/{id}/download" => raw(download).await,
                "POST /api/v1/library" => {
                    status(client.call_with(&CreateLibraryItem(item("Pushed", None)), &[]).await.map(|a| a.status))
                }
                "PUT /api/v1/library/{id}" => {
                    let body = copse_shared::library::UpdateLibraryItemRequest {
                        title: "Guide, revised".into(),
                        description: String::new(),
                        kind: ItemKind::Link,
                        tags: Vec::new(),
                        language: None,
                        licence: None,
                        url: Some("https://example.org/guide-2".into()),
                    };
                    status(client.call_with(&UpdateLibraryItem { id: item_id, body }, &[]).await.map(|a| a.status))
                }
                "GET /api/v1/events" => status(client.call_with(&ListEvents::default(), &[]).await.map(|a| a.status)),
                "GET /api/v1/events/{id}" => {
                    status(client.call_with(&GetEvent { id: event_id }, &[]).await.map(|a| a.status))
                }
                "GET /api/v1/events/{id}/ics" => raw(ics).await,
                "POST /api/v1/events" => status(
                    client
                        .call_with(&CreateEvent(CreateEventRequest { group: None, event: event() }), &[])
                        .await
                        .map(|a| a.status),
                ),
                "POST /api/v1/events/{id}/cancel" => {
                    status(client.call_with(&CancelEvent { id: event_id }, &[]).await.map(|a| a.status))
                }
                "GET /api/v1/changes?types=topic,post"
                | "GET /api/v1/changes?types=library_item"
                | "GET /api/v1/changes?types=event" => {
                    let names = op.split("types=").nth(1).unwrap();
                    let types = names.split(',').map(|t| ChangeType::parse(t).unwrap()).collect();
                    status(client.call_with(&ListChanges { types, ..Default::default() }, &[]).await.map(|a| a.status))
                }
                "PUT /api/v1/library/external/{source}/{external_id}" => {
                    let upsert = UpsertLibraryItem {
                        source: "fao".into(),
                        external_id: uuid::Uuid::new_v4().to_string(),
                        body: UpsertLibraryItemRequest { item: item("Synced", None), source: source() },
                    };
                    status(client.call_with(&upsert, &[]).await.map(|a| a.status))
                }
                "PUT /api/v1/events/external/{source}/{external_id}" => {
                    let upsert = UpsertEvent {
                        source: "fao".into(),
                        external_id: uuid::Uuid::new_v4().to_string(),
                        body: UpsertEventRequest {
                            event: CreateEventRequest { group: None, event: event() },
                            source: source(),
                        },
                    };
                    status(client.call_with(&upsert, &[]).await.map(|a| a.status))
                }
                other => panic!("no case for {other}"),
            }
        }
    };
    let mut mismatches = Vec::new();
    for (op, scope, expected) in cases {
        let with = app.with_token(&key_with(vec![scope]).await);
        let others = Scope::ALL.into_iter().filter(|s| !s.grants(scope)).collect();
        let without = app.with_token(&key_with(others).await);
        let got = run(with, op).await;
        if got != expected {
            mismatches.push(format!("{op} with {}: expected {expected}, got {got}", scope.as_str()));
        }
        let got = run(without, op).await;
        if got != 403 {
            mismatches.push(format!("{op} without {}: expected 403, got {got}", scope.as_str()));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

/// The titles of an Atom document's entries; panics unless it is well-formed XML.
fn atom_titles(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut in_entry, mut in_title, mut titles) = (false, false, Vec::new());
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not well-formed: {e}\n{xml}")) {
            Event::Start(tag) if tag.name().as_ref() == b"entry" => in_entry = true,
            Event::End(tag) if tag.name().as_ref() == b"entry" => in_entry = false,
            Event::Start(tag) if tag.name().as_ref() == b"title" && in_entry => {
                in_title = true;
                titles.push(String::new());
            }
            Event::End(tag) if tag.name().as_ref() == b"title" => in_title = false,
            Event::Text(text) if in_title => titles.last_mut().unwrap().push_str(&text.decode().unwrap()),
            // Entities arrive on their own; a title is the concatenation.
            Event::GeneralRef(r) if in_title => {
                let name = String::from_utf8(r.to_vec()).unwrap();
                let ch = match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                };
                titles.last_mut().unwrap().push_str(ch);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    titles
}

#[tokio::test]
async fn atom_feeds_are_well_formed_and_hold_only_what_the_reader_may_see() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (member, _) = app.register("reader@example.org", "Feed Reader", PASSWORD).await;
    let board = admin
        .call(&CreateGroup(CreateGroupRequest {
            name: "Board".into(),
            slug: None,
            description: "Private.".into(),
            visibility: GroupVisibility::Private,
        }))
        .await
        .unwrap();
    admin.call(&CreateLibraryItem(item("Soil & Water <guide>", None))).await.unwrap();
    admin.call(&CreateLibraryItem(item("Board minutes", Some(&board.slug)))).await.unwrap();
    admin.call(&CreateEvent(CreateEventRequest { group: None, event: event() })).await.unwrap();
    let http = reqwest::Client::new();
    let get = |path: String| {
        let http = http.clone();
        let url = app.url(&path);
        async move {
            let response = http.get(url).send().await.unwrap();
            let status = response.status().as_u16();
            let kind =
                response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
            (status, kind, response.text().await.unwrap())
        }
    };
    use copse_shared::partners::atom_feed_path;
    assert_eq!(get(atom_feed_path("library", None, None)).await.0, 401, "public reading is off");
    let token = member.call(&CreateFeedToken).await.unwrap().token;
    let (status, kind, body) = get(atom_feed_path("library", None, Some(&token))).await;
    assert_eq!((status, kind.starts_with("application/atom+xml")), (200, true));
    assert_eq!(atom_titles(&body), ["Soil & Water <guide>"], "the private group's item is not the reader's");
    let admin_token = admin.call(&CreateFeedToken).await.unwrap().token;
    let (_, _, body) = get(atom_feed_path("library", Some(&board.slug), Some(&admin_token))).await;
    assert_eq!(atom_titles(&body), ["Board minutes"]);
    let (_, _, body) = get(atom_feed_path("events", None, Some(&token))).await;
    assert_eq!(atom_titles(&body), ["Partner webinar"]);
    // Each library item opens a discussion topic; only the community one is the reader's.
    let (status, _, body) = get(atom_feed_path("topics", None, Some(&token))).await;
    assert_eq!((status, atom_titles(&body)), (200, vec!["Soil & Water <guide>".to_owned()]));
    member.call_with(&RevokeFeedToken, &[]).await.unwrap();
    assert_eq!(get(atom_feed_path("library", None, Some(&token))).await.0, 404);
}

/// Reads the feed from `cursor` until it says nothing more is ready, `limit` at a time.
async fn drain(client: &Client, cursor: &str, types: &[ChangeType], limit: u64) -> (Vec<Change>, String) {
    let mut cursor = cursor.to_owned();
    let mut all = Vec::new();
    for _ in 0..1000 {
        let page: ChangePage = client
            .call(&ListChanges { cursor: Some(cursor.clone()), limit: Some(limit), types: types.to_vec() })
            .await
            .unwrap();
        assert!(page.changes.len() as u64 <= limit);
        all.extend(page.changes);
        cursor = page.next_cursor;
        if !page.has_more {
            return (all, cursor);
        }
    }
    panic!("the feed never ended");
}

fn ops_of(changes: &[Change], id: &str) -> Vec<ChangeOp> {
    changes.iter().filter(|c| c.id == id).map(|c| c.op).collect()
}

async fn key(admin: &Client, scopes: &[Scope], groups: &[&str]) -> String {
    admin.call(&CreateApiKey(key_request("Sync", scopes, groups))).await.unwrap().secret
}

#[tokio::test]
async fn the_change_feed_gives_creates_updates_and_tombstones_in_order_and_stops_repeating_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let library = app.with_token(&key(&admin, &[Scope::LibraryRead], &[]).await);
    let (before, start) = drain(&library, "", &[], 100).await;
    assert!(before.is_empty(), "{before:?}");

    let id = admin.call(&CreateLibraryItem(item("Soil guide", None))).await.unwrap().summary.id;
    let mut edit = copse_shared::library::UpdateLibraryItemRequest {
        title: "Soil guide, 2nd edition".into(),
        description: String::new(),
        kind: ItemKind::Link,
        tags: Vec::new(),
        language: None,
        licence: None,
        url: Some("https://example.org/guide".into()),
    };
    admin.call(&UpdateLibraryItem { id: id.clone(), body: edit.clone() }).await.unwrap();
    admin.call(&DeleteLibraryItem { id: id.clone() }).await.unwrap();

    // One at a time, so every page boundary is crossed.
    let (changes, end) = drain(&library, &start, &[], 1).await;
    assert_eq!(ops_of(&changes, &id), [ChangeOp::Created, ChangeOp::Updated, ChangeOp::Deleted]);
    assert!(changes.iter().all(|c| c.kind == ChangeType::LibraryItem), "a library key sees only library items");
    assert_eq!(changes[0].path.as_deref(), Some(format!("/api/v1/library/{id}").as_str()));
    assert_eq!(changes[2].path, None, "a tombstone has no address");
    assert_eq!(changes[1].cursor, {
        let (rest, _) = drain(&library, &changes[0].cursor, &[], 100).await;
        rest[0].cursor.clone()
    });
    let (again, same) = drain(&library, &end, &[], 100).await;
    assert!(again.is_empty(), "nothing is given twice: {again:?}");
    assert_eq!(same, end);

    // A discussions key sees the item's discussion topic and its opening post, not the item.
    let discussions = app.with_token(&key(&admin, &[Scope::DiscussionsRead], &[]).await);
    let (talk, _) = drain(&discussions, "", &[], 100).await;
    let kinds: std::collections::BTreeSet<_> = talk.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["post", "topic"]);

    // Hiding a topic is a tombstone for the feed; restoring it brings it back.
    let topic = talk.iter().find(|c| c.kind == ChangeType::Topic).unwrap().id.clone();
    let (_, mark) = drain(&discussions, "", &[], 100).await;
    let hide = |hidden| SetTopicState {
        id: topic.clone(),
        body: copse_shared::discussions::TopicStateRequest { pinned: None, locked: None, hidden: Some(hidden) },
    };
    admin.call(&hide(true)).await.unwrap();
    admin.call(&hide(false)).await.unwrap();
    let (moderated, _) = drain(&discussions, &mark, &[ChangeType::Topic], 100).await;
    assert_eq!(ops_of(&moderated, &topic), [ChangeOp::Deleted, ChangeOp::Created]);

    // An edit is one entry, though it rewrites the item's row and its tags; a download
    // (a counter) is none.
    let kept = admin.call(&CreateLibraryItem(item("Seed list", None))).await.unwrap().summary.id;
    let (_, mark) = drain(&library, "", &[], 100).await;
    edit.title = "Seed list, sorted".into();
    edit.tags = vec!["seeds".into(), "lists".into()];
    admin.call(&UpdateLibraryItem { id: kept.clone(), body: edit }).await.unwrap();
    copse::entities::library_item::Entity::update_many()
        .col_expr(copse::entities::library_item::Column::DownloadCount, sea_orm::sea_query::Expr::value(7))
        .exec(&app.db)
        .await
        .unwrap();
    let (edited, _) = drain(&library, &mark, &[], 100).await;
    assert_eq!(ops_of(&edited, &kept), [ChangeOp::Updated], "an edit is one entry");

    // Bad requests are explained, and a key cannot widen its scopes by asking.
    let asked = |types: Vec<ChangeType>| ListChanges { types, ..Default::default() };
    assert_eq!(problem(library.call(&asked(vec![ChangeType::Topic])).await).status, 403);
    let bad_cursor = ListChanges { cursor: Some("c1.x".into()), ..Default::default() };
    let p = problem(library.call(&bad_cursor).await);
    assert_eq!((p.status, p.errors[0].field.as_str()), (422, "cursor"));
    let p = problem(library.call(&ListChanges { limit: Some(0), ..Default::default() }).await);
    assert_eq!((p.status, p.errors[0].field.as_str()), (422, "limit"));
    let raw = app.new_client().http().get(app.url("/api/v1/changes")).send().await.unwrap();
    assert_eq!(raw.status(), 401, "public reading is off: anonymous visitors get nothing");
    let members = app.with_token(&key(&admin, &[Scope::MembersRead], &[]).await);
    assert_eq!(problem(members.call(&ListChanges::default()).await).status, 403);
    let raw =
        library.http().get(app.url("/api/v1/changes?types=library_item,poll")).bearer_auth(library.token().unwrap());
    let p = copse_tests::problem_of(raw.send().await.unwrap()).await;
    assert_eq!((p.status, p.errors[0].field.as_str()), (422, "types"));
}

#[tokio::test]
async fn the_change_feed_holds_only_what_the_reader_may_read() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (member, _) = app.register("member@example.org", "Plain Member", PASSWORD).await;
    let private = admin
        .call(&CreateGroup(CreateGroupRequest {
            name: "Board".into(),
            slug: None,
            description: "Private.".into(),
            visibility: GroupVisibility::Private,
        }))
        .await
        .unwrap();
    let secret = admin.call(&CreateLibraryItem(item("Board minutes", Some(&private.slug)))).await.unwrap();
    let open = admin.call(&CreateLibraryItem(item("Open notes", None))).await.unwrap();
    let limited = app.with_token(&key(&admin, &[Scope::LibraryRead], &[&private.slug]).await);

    let (seen, _) = drain(&member, "", &[ChangeType::LibraryItem], 100).await;
    assert_eq!(ops_of(&seen, &open.summary.id), [ChangeOp::Created]);
    assert!(ops_of(&seen, &secret.summary.id).is_empty(), "a private group's item is not in a non-member's feed");
    let (all, _) = drain(&member, "", &[], 100).await;
    assert!(all.iter().all(|c| c.group_id.is_none()), "nor its discussion: {all:?}");
    let (theirs, _) = drain(&limited, "", &[], 100).await;
    assert_eq!(theirs.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [secret.summary.id.as_str()]);

    // Deleting it leaves a tombstone for those who could read it, and still nothing for others.
    admin.call(&DeleteLibraryItem { id: secret.summary.id.clone() }).await.unwrap();
    let (theirs, _) = drain(&limited, "", &[], 100).await;
    assert_eq!(ops_of(&theirs, &secret.summary.id), [ChangeOp::Created, ChangeOp::Deleted]);
    let (seen, _) = drain(&member, "", &[], 100).await;
    assert!(ops_of(&seen, &secret.summary.id).is_empty());
}

/// On PostgreSQL a transaction can write its change before another and commit after
/// it. A feed numbered at write time would hand out the later one, move the cursor
/// past the earlier, and lose it. Here a transaction edits an item and stays open while
/// the API makes another: the edit comes after it in the feed, and is not skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_committed_after_a_later_one_is_never_skipped() {
    use sea_orm::{ColumnTrait, QueryFilter};
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let library = app.with_token(&key(&admin, &[Scope::LibraryRead], &[]).await);
    let first = admin.call(&CreateLibraryItem(item("First", None))).await.unwrap().summary.id;
    let (_, mut cursor) = drain(&library, "", &[], 100).await;

    let txn = copse::db::begin(&app.db).await.unwrap();
    copse::entities::library_item::Entity::update_many()
        .col_expr(copse::entities::library_item::Column::Title, sea_orm::sea_query::Expr::value("First, edited"))
        .filter(copse::entities::library_item::Column::Id.eq(first.clone()))
        .exec(&txn)
        .await
        .unwrap();
    let maker = admin.clone();
    let second = tokio::spawn(async move { maker.call(&CreateLibraryItem(item("Second", None))).await.unwrap() });
    let mut seen = Vec::new();
    let second = match app.backend {
        copse_tests::Backend::Postgres => {
            // The second item commits while the edit is still open, and is read at once.
            let second = second.await.unwrap().summary.id;
            let (early, next) = drain(&library, &cursor, &[], 100).await;
            assert_eq!(ops_of(&early, &second), [ChangeOp::Created]);
            assert!(ops_of(&early, &first).is_empty(), "the open edit is not visible yet");
            seen.extend(early);
            cursor = next;
            txn.commit().await.unwrap();
            second
        }
        copse_tests::Backend::Sqlite => {
            // SQLite lets one transaction write at a time: the API waits for the edit.
            txn.commit().await.unwrap();
            second.await.unwrap().summary.id
        }
    };
    let (late, _) = drain(&library, &cursor, &[], 100).await;
    seen.extend(late);
    assert_eq!(ops_of(&seen, &first), [ChangeOp::Updated], "the edit that committed last is not lost");
    assert_eq!(ops_of(&seen, &second), [ChangeOp::Created]);
    let order: Vec<&str> = seen.iter().map(|c| c.id.as_str()).collect();
    let expected = match app.backend {
        copse_tests::Backend::Postgres => [second.as_str(), first.as_str()],
        copse_tests::Backend::Sqlite => [first.as_str(), second.as_str()],
    };
    assert_eq!(order, expected, "changes come in commit order");
}

/// Writers and a polling partner at once: every item made is seen created exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_partner_polling_during_concurrent_writes_sees_every_change_exactly_once() {
    let app = TestApp::spawn_with(|s| s.writes_per_minute = 10_000).await;
    let admin = app.admin().await;
    let library = app.with_token(&key(&admin, &[Scope::LibraryRead], &[]).await);
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let admin = admin.clone();
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..6 {
                    let made = admin.call(&CreateLibraryItem(item(&format!("Item {w}-{i}"), None))).await.unwrap();
                    ids.push(made.summary.id);
                }
                ids
            })
        })
        .collect();
    let mut cursor = String::new();
    let mut seen: Vec<Change> = Vec::new();
    // Poll while the writers run, with small pages, so reads interleave with commits.
    while !writers.iter().all(|w| w.is_finished()) {
        let (page, next) = drain(&library, &cursor, &[], 3).await;
        seen.extend(page);
        cursor = next;
        tokio::task::yield_now().await;
    }
    let mut made = Vec::new();
    for writer in writers {
        made.extend(writer.await.unwrap());
    }
    let (rest, _) = drain(&library, &cursor, &[], 3).await;
    seen.extend(rest);
    let created: Vec<&str> = seen.iter().filter(|c| c.op == ChangeOp::Created).map(|c| c.id.as_str()).collect();
    let unique: std::collections::BTreeSet<&str> = created.iter().copied().collect();
    assert_eq!(created.len(), unique.len(), "no change is given twice");
    let expected: std::collections::BTreeSet<&str> = made.iter().map(String::as_str).collect();
    assert_eq!(unique, expected, "every change is given");
}

#[tokio::test]
async fn a_partner_upserts_by_its_own_ids_idempotently_with_provenance() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let partner = app.with_token(&key(&admin, &[Scope::LibraryWrite, Scope::EventsWrite], &[]).await);
    let upsert = |title: &str| UpsertLibraryItem {
        source: "fao-e-agriculture".into(),
        external_id: "doc/42".into(),
        body: UpsertLibraryItemRequest { item: item(title, None), source: source() },
    };
    let made = partner.call_with(&upsert("Drip irrigation guide"), &[]).await.unwrap();
    assert_eq!(made.status, 201);
    let id = made.body.summary.id.clone();
    let provenance = made.body.provenance.clone().unwrap();
    assert_eq!(provenance.source_name, "FAO e-Agriculture");
    assert_eq!((provenance.source.as_str(), provenance.external_id.as_str()), ("fao-e-agriculture", "doc/42"));
    let (_, mark) = drain(&partner, "", &[ChangeType::LibraryItem], 100).await;

    let again = partner.call_with(&upsert("Drip irrigation guide"), &[]).await.unwrap();
    assert_eq!((again.status, again.body.summary.id.as_str()), (200, id.as_str()));
    let (none, _) = drain(&partner, &mark, &[ChangeType::LibraryItem], 100).await;
    assert!(none.is_empty(), "the same body again changes nothing: {none:?}");
    let listed = admin.call(&ListLibraryItems::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1, "one item, however often it is sent");

    let changed = partner.call_with(&upsert("Drip irrigation guide (2027)"), &[]).await.unwrap();
    assert_eq!((changed.status, changed.body.summary.title.as_str()), (200, "Drip irrigation guide (2027)"));
    let (updated, _) = drain(&partner, &mark, &[ChangeType::LibraryItem], 100).await;
    assert_eq!(ops_of(&updated, &id), [ChangeOp::Updated]);
    let read = admin.call(&GetLibraryItem { id: id.clone() }).await.unwrap();
    assert_eq!(read.provenance.unwrap().source_url.as_deref(), Some("https://www.fao.org/e-agriculture/"));

    // The group is fixed by the first upsert; bad sources and ids are refused.
    let group = admin
        .call(&CreateGroup(CreateGroupRequest {
            name: "Water".into(),
            slug: None,
            description: "Irrigation.".into(),
            visibility: GroupVisibility::Public,
        }))
        .await
        .unwrap();
    let mut moved = upsert("Drip irrigation guide (2027)");
    moved.body.item.group = Some(group.slug.clone());
    let p = problem(partner.call(&moved).await);
    assert_eq!((p.status, p.errors[0].field.as_str()), (422, "group"));
    let mut bad = upsert("Guide");
    bad.source = "FAO e-Agriculture".into();
    assert_eq!(problem(partner.call(&bad).await).errors[0].field, "source");
    let mut bad = upsert("Guide");
    bad.body.source.source_url = Some("javascript:alert(1)".into());
    assert_eq!(problem(partner.call(&bad).await).errors[0].field, "source_url");
    // A refused first upsert leaves no claim behind: the corrected one succeeds.
    let mut invalid = upsert("x");
    invalid.external_id = "doc/43".into();
    assert_eq!(problem(partner.call(&invalid).await).status, 422);
    invalid.body.item.title = "Valid title".into();
    assert_eq!(partner.call_with(&invalid, &[]).await.unwrap().status, 201);
    let reader = app.with_token(&key(&admin, &[Scope::LibraryRead], &[]).await);
    assert_eq!(problem(reader.call(&upsert("Guide")).await).status, 403);
    // A claim left pending (its request died between claiming and binding) answers 409
    // while it may still be in progress, and is taken over once it is clearly abandoned.
    let abandoned = |minutes: i64| copse::entities::external_ref::ActiveModel {
        resource_type: Set("library_item".into()),
        source: Set("fao-e-agriculture".into()),
        external_id: Set(format!("doc/abandoned-{minutes}")),
        resource_id: Set(format!("pending:abandoned-{minutes}")),
        source_name: Set("FAO e-Agriculture".into()),
        source_url: Set(None),
        content_hash: Set(String::new()),
        key_id: Set(None),
        created_at: Set(Utc::now() - Duration::minutes(minutes)),
        updated_at: Set(Utc::now() - Duration::minutes(minutes)),
    };
    for (minutes, status) in [(1, 409), (30, 201)] {
        abandoned(minutes).insert(&app.db).await.unwrap();
        let mut retry = upsert("Recovered guide");
        retry.external_id = format!("doc/abandoned-{minutes}");
        let answered = match partner.call_with(&retry, &[]).await {
            Ok(made) => made.status,
            Err(error) => problem::<()>(Err(error)).status,
        };
        assert_eq!(answered, status, "a claim {minutes} min old");
    }

    // Events the same way.
    let event_upsert = |title: &str| {
        let mut fields = event();
        fields.title = title.into();
        UpsertEvent {
            source: "fao-e-agriculture".into(),
            external_id: "webinar-7".into(),
            body: UpsertEventRequest { event: CreateEventRequest { group: None, event: fields }, source: source() },
        }
    };
    let made = partner.call_with(&event_upsert("Irrigation webinar"), &[]).await.unwrap();
    assert_eq!(made.status, 201);
    assert_eq!(made.body.provenance.as_ref().unwrap().external_id, "webinar-7");
    let again = partner.call_with(&event_upsert("Irrigation webinar"), &[]).await.unwrap();
    assert_eq!((again.status, again.body.sequence), (200, made.body.sequence), "unchanged");
    let renamed = partner.call_with(&event_upsert("Irrigation webinar, part 1"), &[]).await.unwrap();
    assert_eq!((renamed.status, renamed.body.id.as_str()), (200, made.body.id.as_str()));
    assert!(renamed.body.sequence > made.body.sequence);
}

#[tokio::test]
async fn each_key_has_its_own_request_limit_reported_in_headers() {
    let app = TestApp::spawn_with(|s| s.key_requests_per_minute = 3).await;
    let admin = app.admin().await;
    let first = app.with_token(&key(&admin, &[Scope::LibraryRead], &[]).await);
    let second = app.with_token(&key(&admin, &[Scope::LibraryRead], &[]).await);
    for remaining in ["2", "1", "0"] {
        let answer = first.call_with(&ListLibraryItems::default(), &[]).await.unwrap();
        assert_eq!(answer.headers.get("ratelimit-limit").unwrap(), "3");
        assert_eq!(answer.headers.get("ratelimit-remaining").unwrap(), remaining, "reads count too");
    }
    let refused =
        first.http().get(app.url("/api/v1/library")).bearer_auth(first.token().unwrap()).send().await.unwrap();
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers().get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(copse_tests::problem_of(refused).await.code, copse_shared::ErrorCode::RateLimited);
    assert!(second.call(&ListLibraryItems::default()).await.is_ok(), "another key is not affected");
    assert!(admin.call(&ListLibraryItems::default()).await.is_ok(), "nor are members at the same address");
}

/// A reply rewrites its topic's counters (reply count, last activity, excerpt): the feed
/// records the new post, not a topic update, on both databases; a new title is one.
/// Every column of the watched tables is listed as content, ignored or following, so a
/// column added later is placed on purpose (`migration::change_feed_columns`).
#[tokio::test]
async fn a_reply_is_one_post_in_the_feed_not_an_update_of_its_topic() {
    use copse_shared::discussions::{CategoryRequest, CreatePostRequest, CreateTopicRequest, UpdateTopicRequest};
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let feed = app.with_token(&key(&admin, &[Scope::DiscussionsRead], &[]).await);
    let category = CategoryRequest { name: "Field notes".into(), description: String::new(), position: None };
    let category = admin.call(&CreateCategory(category)).await.unwrap();
    let topic = admin
        .call(&CreateTopic(CreateTopicRequest {
            category: category.slug.clone(),
            group: None,
            title: "Drip lines in clay".into(),
            body: "What spacing works?".into(),
            kind: copse_shared::discussions::TopicKind::Discussion,
            tags: vec![],
        }))
        .await
        .unwrap();
    let (_, mark) = drain(&feed, "", &[], 100).await;
    let reply = CreatePostRequest { body: "Forty centimetres.".into(), quote_post_id: None };
    let post = admin.call(&CreatePost { id: topic.summary.id.clone(), body: reply }).await.unwrap();
    let (after_reply, mark) = drain(&feed, &mark, &[], 100).await;
    let entries: Vec<_> = after_reply.iter().map(|c| (c.kind, c.op, c.id.as_str())).collect();
    assert_eq!(entries, [(ChangeType::Post, ChangeOp::Created, post.id.as_str())]);
    let retitle = UpdateTopicRequest { title: "Drip lines in heavy clay".into(), tags: vec![] };
    admin.call(&UpdateTopic { id: topic.summary.id.clone(), body: retitle }).await.unwrap();
    let (after_edit, _) = drain(&feed, &mark, &[], 100).await;
    assert_eq!(ops_of(&after_edit, &topic.summary.id), [ChangeOp::Updated]);

    for (table, [content, ignored, follows]) in migration::change_feed_columns() {
        let sql = match app.db.get_database_backend() {
            DbBackend::Postgres => format!(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = '{table}'"
            ),
            _ => format!("SELECT name FROM pragma_table_info('{table}')"),
        };
        let rows = app.db.query_all_raw(Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap();
        let mut columns: Vec<String> = rows.iter().map(|row| row.try_get_by_index(0).unwrap()).collect();
        let mut listed: Vec<String> = [content, ignored, follows].concat().into_iter().map(str::to_owned).collect();
        columns.sort();
        listed.sort();
        assert_eq!(columns, listed, "{table}: every column is content, ignored or following, once");
    }
}

/// A page of the feed is kept for the key that read it, and the key itself is kept:
/// no statement when it asks again; every write through this server shows at once.
#[tokio::test]
async fn a_feed_page_is_kept_for_its_key_and_every_write_shows_at_once() {
    let app = TestApp::spawn_with(|s| {
        s.expose_sql_count = true;
        // Kept for a minute: anything seen fresh below was made fresh by a write.
        s.community_cache_ms = 60_000;
    })
    .await;
    let admin = app.admin().await;
    let library = app.with_token(&key(&admin, &[Scope::LibraryRead], &[]).await);
    let first = admin.call(&CreateLibraryItem(item("Seed list", None))).await.unwrap().summary.id;
    let (app, library) = (&app, &library);
    let read = move || async move {
        let (count, page): (u32, ChangePage) = app.counted_get(library, "/api/v1/changes").await;
        (count, page.changes.into_iter().map(|c| c.id).collect::<Vec<_>>(), page.next_cursor)
    };
    let (_, ids, cursor) = read().await;
    assert_eq!(ids, std::slice::from_ref(&first));
    // The first use is recorded on the key, whose row is then read once more.
    assert_eq!(read().await, (1, ids.clone(), cursor.clone()));
    assert_eq!(read().await, (0, ids, cursor.clone()), "the key and the page from memory");

    let second = admin.call(&CreateLibraryItem(item("Soil guide", None))).await.unwrap().summary.id;
    let (_, ids, next) = read().await;
    assert_eq!(ids, [first, second], "a new item shows at once");
    assert_ne!(next, cursor);
}
