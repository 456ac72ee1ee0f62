//! The benchmark generator (`copse seed-bench`) at a tiny size: the counts match the
//! options, derived columns agree with the rows they summarise, the content follows
//! the 1/9/90 shape, the same seed gives the same community, a database with content
//! is refused, and the API serves what was generated.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};

use copse::entities::{
    category, change, event, event_occurrence, group, group_membership, library_item, post, profile, topic, user,
};
use copse::seed::bench::{BENCH_ADMIN_EMAIL, BENCH_MEMBER_EMAIL, BENCH_PASSWORD, BenchOptions, BenchReport, generate};
use copse::services::{discussions, markdown};
use copse_shared::endpoints::{
    GetLibraryItem, GetTopic, ListDirectory, ListEvents, ListLibraryItems, ListMembers, ListPosts, ListTopics,
};
use copse_shared::events::EventWhen;
use copse_tests::TestApp;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

fn tiny(seed: u64) -> BenchOptions {
    BenchOptions { members: 200, topics: 120, replies: 900, groups: 5, items: 30, events: 24, seed }
}

async fn seeded(seed: u64) -> (TestApp, BenchReport) {
    let app = TestApp::spawn().await;
    let report = generate(&app.db, &tiny(seed)).await.expect("the generator runs on an empty database");
    (app, report)
}

async fn library_category(db: &DatabaseConnection) -> String {
    category::Entity::find().filter(category::Column::Slug.eq("library")).one(db).await.unwrap().unwrap().id
}

#[tokio::test]
async fn the_generated_community_has_the_requested_counts_and_consistent_derived_columns() {
    let (app, report) = seeded(42).await;
    let db = &app.db;
    let library = library_category(db).await;
    let topics = topic::Entity::find().all(db).await.unwrap();
    let posts = post::Entity::find().order_by_asc(post::Column::Number).all(db).await.unwrap();
    let discussions: Vec<&topic::Model> = topics.iter().filter(|t| t.category_id != library).collect();
    assert_eq!(user::Entity::find().count(db).await.unwrap(), 200);
    assert_eq!(discussions.len(), 120);
    assert_eq!(topics.len() - discussions.len(), 30, "each library item has its discussion topic");
    assert_eq!(library_item::Entity::find().count(db).await.unwrap(), 30);
    assert_eq!(posts.iter().filter(|p| p.number > 1).count(), 900);
    assert_eq!(posts.iter().filter(|p| p.number == 1).count(), 150);
    assert_eq!(group::Entity::find().count(db).await.unwrap(), 5);
    assert_eq!(event::Entity::find().count(db).await.unwrap(), 24);
    assert_eq!((report.members, report.topics, report.library_items, report.replies), (200, 120, 30, 900));
    assert_eq!((report.groups, report.events), (5, 24));
    assert_eq!(change::Entity::find().count(db).await.unwrap(), report.change_rows, "one change row per content row");
    let admin = user::Entity::find().filter(user::Column::Email.eq(BENCH_ADMIN_EMAIL)).one(db).await.unwrap().unwrap();
    assert_eq!(admin.role, "admin");
    assert_eq!(user::Entity::find().filter(user::Column::Role.eq("admin")).count(db).await.unwrap(), 1);
    let with_profile = profile::Entity::find().all(db).await.unwrap();
    assert_eq!(with_profile.len() as u64, report.profiles);
    assert!(with_profile.iter().all(|p| p.search_text.contains(" \u{1f} ") && p.bio_html == markdown::render(&p.bio)));

    let mut by_topic: HashMap<&str, Vec<&post::Model>> = HashMap::new();
    for p in &posts {
        by_topic.entry(p.topic_id.as_str()).or_default().push(p);
        assert_eq!(p.body_html, markdown::render(&p.body), "bodies are rendered as the services render them");
    }
    let mut replied = 0;
    for t in &topics {
        let thread = &by_topic[t.id.as_str()];
        let numbers: Vec<i32> = thread.iter().map(|p| p.number).collect();
        assert_eq!(numbers, (1..=thread.len() as i32).collect::<Vec<_>>(), "posts are numbered 1, 2, 3...");
        assert_eq!(t.reply_count, thread.len() as i64 - 1);
        assert_eq!(t.excerpt, discussions::excerpt(&thread[0].body, 280));
        assert_eq!(thread[0].created_at, t.created_at);
        assert_eq!(Some(t.last_activity_at), thread.iter().map(|p| p.created_at).max());
        assert_eq!(t.first_reply_at, thread.get(1).map(|p| p.created_at));
        assert!(thread.windows(2).all(|w| w[0].created_at <= w[1].created_at), "replies follow each other in time");
        if let Some(accepted) = &t.accepted_post_id {
            assert_eq!(t.kind, "question");
            assert!(thread.iter().any(|p| &p.id == accepted && p.number > 1), "an accepted answer is a reply");
        }
        replied += usize::from(t.reply_count > 0);
    }
    assert!(topics.iter().map(|t| t.reply_count).max().unwrap() >= 20, "some topics have long threads");
    assert!(replied < topics.len(), "some topics have no reply yet");
    assert!(topics.iter().any(|t| t.kind == "question") && topics.iter().any(|t| t.group_id.is_some()));

    // Group content is written by the group's active members.
    let memberships = group_membership::Entity::find().all(db).await.unwrap();
    let active: HashSet<(&str, &str)> = memberships
        .iter()
        .filter(|m| m.status == "active")
        .map(|m| (m.group_id.as_str(), m.user_id.as_str()))
        .collect();
    for t in topics.iter().filter(|t| t.group_id.is_some()) {
        let g = t.group_id.as_deref().unwrap();
        for p in &by_topic[t.id.as_str()] {
            assert!(active.contains(&(g, p.author_id.as_deref().unwrap())), "a group's posts come from its members");
        }
    }
    let groups = group::Entity::find().all(db).await.unwrap();
    assert_eq!(groups.iter().filter(|g| g.visibility == "private").count(), 1, "one group in five is private");

    // Library items and their discussions agree.
    let topic_of: HashMap<&str, &topic::Model> = topics.iter().map(|t| (t.id.as_str(), t)).collect();
    for item in library_item::Entity::find().all(db).await.unwrap() {
        let t = topic_of[item.topic_id.as_deref().unwrap()];
        assert_eq!(
            (&t.category_id, &t.group_id, &t.author_id, &t.title),
            (&library, &item.group_id, &item.owner_id, &item.title)
        );
        assert!(item.url.as_deref().unwrap().starts_with("https://"), "items need no stored file");
        assert_eq!(item.description_html, markdown::render(&item.description));
    }

    // Every event has its occurrences; the event's first start is the first occurrence's.
    let occurrences = event_occurrence::Entity::find().all(db).await.unwrap();
    assert_eq!(occurrences.len() as u64, report.occurrences);
    for e in event::Entity::find().all(db).await.unwrap() {
        let mine: Vec<&event_occurrence::Model> = occurrences.iter().filter(|o| o.event_id == e.id).collect();
        assert_eq!(Some(e.starts_at), mine.iter().map(|o| o.starts_at).min());
        assert_eq!(e.recurrence.is_none(), mine.len() == 1 && mine[0].key == "single");
        assert_eq!(e.description_html, markdown::render(&e.description));
    }
}

#[tokio::test]
async fn a_few_members_write_most_of_the_content_and_most_members_only_read() {
    let (app, _) = seeded(42).await;
    let mut written: HashMap<String, u64> = HashMap::new();
    for t in topic::Entity::find().all(&app.db).await.unwrap() {
        *written.entry(t.author_id.unwrap()).or_default() += 1;
    }
    for p in post::Entity::find().filter(post::Column::Number.gt(1)).all(&app.db).await.unwrap() {
        *written.entry(p.author_id.unwrap()).or_default() += 1;
    }
    let members = user::Entity::find().count(&app.db).await.unwrap() as usize;
    let mut counts: Vec<u64> = written.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let total: u64 = counts.iter().sum();
    let top: u64 = counts.iter().take(members.div_ceil(100)).sum();
    assert!(top * 2 > total, "the top 1% wrote {top} of {total} topics and replies, not the majority");
    let silent = members - written.len();
    assert!(silent * 10 >= members * 8, "{silent} of {members} members wrote nothing; at least 80% should only read");
}

#[tokio::test]
async fn the_same_seed_generates_the_same_community_and_a_database_with_topics_is_refused() {
    let ((first, a), (second, b)) = (seeded(7).await, seeded(7).await);
    assert_eq!(a.digest, b.digest);
    let content = |db: DatabaseConnection| async move {
        let topics = topic::Entity::find().order_by_asc(topic::Column::Id).all(&db).await.unwrap();
        let posts = post::Entity::find().order_by_asc(post::Column::Id).all(&db).await.unwrap();
        let users = user::Entity::find().order_by_asc(user::Column::Id).all(&db).await.unwrap();
        (
            topics.into_iter().map(|t| (t.id, t.title, t.author_id, t.group_id, t.reply_count)).collect::<Vec<_>>(),
            posts.into_iter().map(|p| (p.id, p.topic_id, p.number, p.author_id, p.body)).collect::<Vec<_>>(),
            users.into_iter().map(|u| (u.id, u.email, u.display_name)).collect::<Vec<_>>(),
        )
    };
    assert!(content(first.db.clone()).await == content(second.db.clone()).await, "same seed, same rows");

    let (_other, c) = seeded(8).await;
    assert_ne!(a.digest, c.digest, "another seed, another community");

    let refused = generate(&first.db, &tiny(7)).await.unwrap_err().to_string();
    assert!(refused.contains("already holds topics"), "{refused}");
    assert_eq!(post::Entity::find().count(&first.db).await.unwrap(), 1_050, "nothing was added");
}

#[tokio::test]
async fn the_generated_community_is_served_by_the_api() {
    let (app, report) = seeded(42).await;
    let (admin, _) = app.login(BENCH_ADMIN_EMAIL, BENCH_PASSWORD).await.expect("the admin signs in");

    let topics = admin.call(&ListTopics { limit: Some(100), ..Default::default() }).await.unwrap();
    assert_eq!(topics.items.len(), 100);
    assert!(topics.next_cursor.is_some(), "150 topics do not fit on one page");
    let busiest = topics.items.iter().max_by_key(|t| t.reply_count).unwrap();
    assert!(busiest.reply_count > 0);
    let detail = admin.call(&GetTopic { id: busiest.id.clone() }).await.unwrap();
    assert_eq!(detail.opening_post.number, 1);
    let posts = admin.call(&ListPosts { id: busiest.id.clone(), limit: Some(100), cursor: None }).await.unwrap();
    let expected = (busiest.reply_count as usize + 1).min(100);
    assert_eq!(posts.items.len(), expected);
    assert!(posts.items.iter().enumerate().all(|(i, p)| p.number == i as i32 + 1 && !p.body_html.is_empty()));

    let items = admin.call(&ListLibraryItems { limit: Some(100), ..Default::default() }).await.unwrap();
    assert_eq!(items.items.len() as u64, report.library_items);
    let item = admin.call(&GetLibraryItem { id: items.items[0].id.clone() }).await.unwrap();
    let discussion = admin.call(&GetTopic { id: item.topic_id.clone().unwrap() }).await.unwrap();
    assert_eq!(discussion.summary.title, item.summary.title);

    let upcoming = admin.call(&ListEvents { limit: Some(100), ..Default::default() }).await.unwrap();
    let past =
        admin.call(&ListEvents { when: Some(EventWhen::Past), limit: Some(100), ..Default::default() }).await.unwrap();
    assert!(!upcoming.items.is_empty() && !past.items.is_empty(), "events lie in the past and the future");

    let members = admin.call(&ListMembers { limit: Some(100), ..Default::default() }).await.unwrap();
    assert_eq!(members.items.len(), 100);
    let directory = admin.call(&ListDirectory { limit: Some(20), ..Default::default() }).await.unwrap();
    assert_eq!(directory.items.len(), 20);
    assert!(directory.items.iter().any(|m| m.headline.is_some()), "profiles show in the directory");

    // Every generated member can sign in with the benchmark password.
    let reader = members.items.iter().find(|u| u.email != BENCH_ADMIN_EMAIL).unwrap();
    app.login(&reader.email, BENCH_PASSWORD).await.expect("a generated member signs in");
    // The benchmark reads as a plain member, whose lists go through the group rules.
    let (member, session) = app.login(BENCH_MEMBER_EMAIL, BENCH_PASSWORD).await.expect("the bench member signs in");
    assert_eq!(session.user.role, copse_shared::auth::Role::Member);
    let theirs = member.call(&ListTopics { limit: Some(100), ..Default::default() }).await.unwrap();
    assert!(!theirs.items.is_empty());
}
