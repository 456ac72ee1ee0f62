//! Discussions end to end: topics and questions, replies, accepted answers, edits with
//! history, tombstones, reactions, mentions, watching and notifications, locking,
//! private groups, moderation, XSS, and a bounded number of SQL statements per list.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use copse_shared::ErrorCode;
use copse_shared::Page;
use copse_shared::client::Client;
use copse_shared::discussions::*;
use copse_shared::endpoints::*;
use copse_shared::groups::{
    ChangeGroupRoleRequest, CreateGroupRequest, GroupRole, GroupVisibility, InviteToGroupRequest, UpdateGroupRequest,
};
use copse_shared::profiles::UpdateProfileRequest;
use copse_tests::{PASSWORD, TestApp, problem};

struct Forum {
    app: TestApp,
    admin: Client,
    amina: Client,
    carlos: Client,
    carlos_id: String,
    category: Category,
}

impl Forum {
    /// A public group the admin runs.
    async fn public_group(&self, name: &str) -> copse_shared::groups::Group {
        copse_tests::group_with(&self.admin, name, GroupVisibility::Public, &[]).await
    }
}

async fn forum() -> Forum {
    forum_with(|_| {}).await
}

async fn forum_with(f: impl FnOnce(&mut copse::config::Settings)) -> Forum {
    let app = TestApp::spawn_with(f).await;
    let admin = app.admin().await;
    let (amina, _) = app.register("amina@example.org", "Amina Diallo", PASSWORD).await;
    let (carlos, carlos_answer) = app.register("carlos@example.org", "Carlos Mendoza", PASSWORD).await;
    let category = admin
        .call(&CreateCategory(CategoryRequest {
            name: "Monitoring & Evaluation".into(),
            description: "Indicators, baselines, evaluations.".into(),
            position: None,
        }))
        .await
        .unwrap();
    Forum { app, admin, amina, carlos, carlos_id: carlos_answer.user.id, category }
}

fn topic_request(category: &Category, title: &str, kind: TopicKind) -> CreateTopic {
    CreateTopic(CreateTopicRequest {
        category: category.slug.clone(),
        group: None,
        title: title.into(),
        body: format!("Body of **{title}**."),
        kind,
        tags: vec!["Baselines".into(), "soil".into()],
    })
}

fn reply(id: &str, body: &str) -> CreatePost {
    CreatePost { id: id.into(), body: CreatePostRequest { body: body.into(), quote_post_id: None } }
}

#[tokio::test]
async fn a_question_is_asked_answered_and_solved() {
    let f = forum().await;
    let asked = f
        .amina
        .call_with(&topic_request(&f.category, "How do you set baselines?", TopicKind::Question), &[])
        .await
        .unwrap();
    assert_eq!(asked.status, 201);
    let question = asked.body;
    assert_eq!(asked.headers.get("location").unwrap(), &format!("/api/v1/topics/{}", question.summary.id));
    assert_eq!(question.summary.tags, ["baselines", "soil"]);
    assert_eq!(question.opening_post.body_html, "<p>Body of <strong>How do you set baselines?</strong>.</p>\n");
    assert!(question.watching, "the author watches their topic");
    assert!(question.permissions.accept);
    assert_eq!(question.seconds_to_first_reply, None);

    let id = question.summary.id.clone();
    let unanswered = f.carlos.call(&ListTopics { unanswered: Some(true), ..Default::default() }).await.unwrap();
    assert_eq!(unanswered.items.len(), 1);

    let answer = f.carlos.call_with(&reply(&id, "We use a **household survey** first."), &[]).await.unwrap();
    assert_eq!((answer.status, answer.body.number), (201, 2));
    let answer = answer.body;

    // Only the asker (or a moderator) accepts; only replies of questions can be accepted.
    let by_other = problem(
        f.carlos.call(&AcceptAnswer { id: id.clone(), body: AcceptAnswerRequest { post_id: answer.id.clone() } }).await,
    );
    assert_eq!(by_other.status, 403);
    let opening = problem(
        f.amina
            .call(&AcceptAnswer {
                id: id.clone(),
                body: AcceptAnswerRequest { post_id: question.opening_post.id.clone() },
            })
            .await,
    );
    assert_eq!(opening.status, 422);
    let solved = f
        .amina
        .call(&AcceptAnswer { id: id.clone(), body: AcceptAnswerRequest { post_id: answer.id.clone() } })
        .await
        .unwrap();
    assert!(solved.summary.solved);
    assert_eq!(solved.accepted_post_id.as_deref(), Some(answer.id.as_str()));
    assert!(solved.seconds_to_first_reply.is_some_and(|s| s >= 0));
    let twice = problem(
        f.amina.call(&AcceptAnswer { id: id.clone(), body: AcceptAnswerRequest { post_id: answer.id.clone() } }).await,
    );
    assert_eq!(twice.status, 422);

    let posts = f.carlos.call(&ListPosts { id: id.clone(), ..Default::default() }).await.unwrap();
    assert!(posts.items.iter().any(|p| p.id == answer.id && p.accepted));
    let unanswered = f.carlos.call(&ListTopics { unanswered: Some(true), ..Default::default() }).await.unwrap();
    assert!(unanswered.items.is_empty());

    // Carlos hears that his answer was accepted.
    let notes = f.carlos.call(&ListNotifications::default()).await.unwrap();
    assert!(notes.items.iter().any(|n| n.kind == NotificationKind::AnswerAccepted && n.topic_id == id));

    // A discussion has no accepted answer.
    let talk = f.amina.call(&topic_request(&f.category, "Our experience", TopicKind::Discussion)).await.unwrap();
    let r = f.carlos.call(&reply(&talk.summary.id, "Thanks")).await.unwrap();
    let not_question =
        problem(f.amina.call(&AcceptAnswer { id: talk.summary.id, body: AcceptAnswerRequest { post_id: r.id } }).await);
    assert_eq!(not_question.status, 422);
}

#[tokio::test]
async fn replies_sent_at_once_to_one_topic_all_land_with_distinct_numbers() {
    let f = forum().await;
    let topic = f.amina.call(&topic_request(&f.category, "Busy thread", TopicKind::Discussion)).await.unwrap();
    let id = topic.summary.id.clone();
    let mut writers = vec![f.amina.clone(), f.carlos.clone()];
    for i in 0..6 {
        let (client, _) = f.app.register(&format!("writer{i}@example.org"), &format!("Writer {i}"), PASSWORD).await;
        writers.push(client);
    }
    // Every writer sends three replies at once, each on its own task: 24 concurrent
    // inserts into one topic, which once collided on the post number.
    let tasks: Vec<_> = writers
        .iter()
        .flat_map(|client| (0..3).map(move |n| (client.clone(), n)))
        .map(|(client, n)| {
            let request = reply(&id, &format!("Reply {n}"));
            tokio::spawn(async move { client.call(&request).await })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.unwrap().unwrap().number);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (2..=25).collect::<Vec<_>>(), "every reply landed, each with its own number");
    let seen = f.carlos.call(&GetTopic { id: id.clone() }).await.unwrap();
    assert_eq!(seen.summary.reply_count, 24);
}

#[tokio::test]
async fn edits_keep_history_stale_edits_fail_and_deletions_leave_tombstones() {
    let f = forum().await;
    let topic = f.amina.call(&topic_request(&f.category, "Field notes", TopicKind::Discussion)).await.unwrap();
    let id = topic.summary.id.clone();
    let first = f.carlos.call(&reply(&id, "First version")).await.unwrap();
    let quoting = f
        .amina
        .call(&CreatePost {
            id: id.clone(),
            body: CreatePostRequest { body: "Agreed".into(), quote_post_id: Some(first.id.clone()) },
        })
        .await
        .unwrap();
    assert_eq!(quoting.quote.as_ref().map(|q| q.excerpt.as_str()), Some("First version"));

    let read = f.carlos.call_with(&GetPost { id: first.id.clone() }, &[]).await.unwrap();
    let etag = read.headers.get("etag").unwrap().to_str().unwrap().to_owned();
    let edited = f
        .carlos
        .call_with(
            &UpdatePost { id: first.id.clone(), body: UpdatePostRequest { body: "Second version".into() } },
            &[("If-Match", &etag)],
        )
        .await
        .unwrap();
    assert!(edited.body.edited_at.is_some());
    let stale = problem(
        f.carlos
            .call_with(
                &UpdatePost { id: first.id.clone(), body: UpdatePostRequest { body: "Third".into() } },
                &[("If-Match", &etag)],
            )
            .await,
    );
    assert_eq!((stale.status, stale.code), (412, ErrorCode::PreconditionFailed));
    let history = f.amina.call(&ListRevisions { id: first.id.clone() }).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].body, "First version");
    assert_eq!(history[0].edited_by.as_ref().map(|m| m.display_name.as_str()), Some("Carlos Mendoza"));

    // Someone else may not edit or delete it.
    let refused = problem(
        f.amina.call(&UpdatePost { id: first.id.clone(), body: UpdatePostRequest { body: "Mine now".into() } }).await,
    );
    assert_eq!(refused.status, 403);

    assert_eq!(f.carlos.call_with(&DeletePost { id: first.id.clone() }, &[]).await.unwrap().status, 204);
    let posts = f.amina.call(&ListPosts { id: id.clone(), ..Default::default() }).await.unwrap();
    let tombstone = posts.items.iter().find(|p| p.id == first.id).unwrap();
    assert!(tombstone.deleted);
    assert_eq!((tombstone.body.as_str(), tombstone.body_html.as_str()), ("", ""));
    assert_eq!(posts.items.len(), 3, "the thread still reads: opening post, tombstone, quoting reply");
    assert_eq!(f.amina.call(&GetTopic { id: id.clone() }).await.unwrap().summary.reply_count, 1);

    // Deleting the opening post deletes the topic.
    f.amina.call(&DeletePost { id: topic.opening_post.id }).await.unwrap();
    assert_eq!(problem(f.carlos.call(&GetTopic { id: id.clone() }).await).status, 404);
    assert!(f.carlos.call(&ListTopics::default()).await.unwrap().items.is_empty());
}

#[tokio::test]
async fn locked_topics_refuse_replies_except_from_moderators() {
    let f = forum().await;
    let topic = f.amina.call(&topic_request(&f.category, "Closed matter", TopicKind::Discussion)).await.unwrap();
    let id = topic.summary.id.clone();
    let by_member = problem(
        f.carlos
            .call(&SetTopicState {
                id: id.clone(),
                body: TopicStateRequest { locked: Some(true), ..Default::default() },
            })
            .await,
    );
    assert_eq!(by_member.status, 403);
    let locked = f
        .admin
        .call(&SetTopicState { id: id.clone(), body: TopicStateRequest { locked: Some(true), ..Default::default() } })
        .await
        .unwrap();
    assert!(locked.summary.locked);
    let refused = problem(f.carlos.call(&reply(&id, "One more thing")).await);
    assert_eq!((refused.status, refused.code), (409, ErrorCode::TopicLocked));
    assert!(!f.carlos.call(&GetTopic { id: id.clone() }).await.unwrap().permissions.reply);
    assert!(f.admin.call(&reply(&id, "Closing note from the moderators")).await.is_ok());

    let audit = f.admin.call(&ListAudit { action: Some("topic.".into()), ..Default::default() }).await.unwrap();
    assert_eq!(audit.items.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["topic.lock"]);
}

#[tokio::test]
async fn reactions_count_once_per_member_and_kind() {
    let f = forum().await;
    let topic = f.amina.call(&topic_request(&f.category, "Share a win", TopicKind::Discussion)).await.unwrap();
    let post_id = topic.opening_post.id.clone();
    f.carlos.call(&AddReaction { id: post_id.clone(), kind: ReactionKind::Like }).await.unwrap();
    let twice = f.carlos.call(&AddReaction { id: post_id.clone(), kind: ReactionKind::Like }).await.unwrap();
    assert_eq!(twice.reactions, [ReactionCount { kind: ReactionKind::Like, count: 1, mine: true }]);
    let both = f.admin.call(&AddReaction { id: post_id.clone(), kind: ReactionKind::Like }).await.unwrap();
    assert_eq!(both.reactions, [ReactionCount { kind: ReactionKind::Like, count: 2, mine: true }]);
    f.admin.call(&AddReaction { id: post_id.clone(), kind: ReactionKind::Celebrate }).await.unwrap();
    let removed = f.carlos.call(&RemoveReaction { id: post_id.clone(), kind: ReactionKind::Like }).await.unwrap();
    assert_eq!(
        removed.reactions,
        [
            ReactionCount { kind: ReactionKind::Like, count: 1, mine: false },
            ReactionCount { kind: ReactionKind::Celebrate, count: 1, mine: false }
        ]
    );
    let unknown = app_raw_status(&f, &format!("/api/v1/posts/{post_id}/reactions/angry"), reqwest::Method::PUT).await;
    assert_eq!(unknown, 400);
}

async fn app_raw_status(f: &Forum, path: &str, method: reqwest::Method) -> u16 {
    f.app
        .client
        .http()
        .request(method, f.app.url(path))
        .bearer_auth(f.carlos.token().unwrap())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn mentions_link_and_notify_and_watchers_hear_of_replies() {
    let f = forum().await;
    let topic =
        f.amina.call(&topic_request(&f.category, "Who knows drip irrigation?", TopicKind::Question)).await.unwrap();
    let id = topic.summary.id.clone();
    f.admin.call(&AddWatch { target: WatchTarget::Topic, id: id.clone() }).await.unwrap();

    let mention = f.amina.call(&reply(&id, "Maybe @CarlosMendoza can help?")).await.unwrap();
    assert!(mention.body_html.contains(&format!("href=\"/members/{}\"", f.carlos_id)), "{}", mention.body_html);
    assert!(mention.body_html.contains("@Carlos Mendoza"), "{}", mention.body_html);

    let carlos_notes = f.carlos.call(&ListNotifications::default()).await.unwrap();
    assert_eq!(carlos_notes.items.len(), 1);
    assert_eq!(carlos_notes.items[0].kind, NotificationKind::Mention);
    assert_eq!(carlos_notes.items[0].actor.as_ref().map(|a| a.display_name.as_str()), Some("Amina Diallo"));
    let admin_notes = f.admin.call(&ListNotifications::default()).await.unwrap();
    assert_eq!(admin_notes.items.iter().map(|n| n.kind).collect::<Vec<_>>(), [NotificationKind::Reply]);
    // The author does not notify herself, though she watches her topic.
    assert!(f.amina.call(&ListNotifications::default()).await.unwrap().items.is_empty());

    assert_eq!(f.carlos.call(&GetUnreadCount).await.unwrap().unread, 1);
    let left = f
        .carlos
        .call(&MarkNotificationsRead(MarkReadRequest { ids: vec![carlos_notes.items[0].id.clone()], all: false }))
        .await
        .unwrap();
    assert_eq!(left.unread, 0);
    let refused = problem(f.carlos.call(&MarkNotificationsRead(MarkReadRequest::default())).await);
    assert_eq!(refused.status, 422);

    // Watching a category brings new topics; unwatching stops them.
    f.carlos.call(&AddWatch { target: WatchTarget::Category, id: f.category.slug.clone() }).await.unwrap();
    let watches = f.carlos.call(&ListWatches).await.unwrap();
    assert_eq!(watches.iter().map(|w| w.label.as_str()).collect::<Vec<_>>(), ["Monitoring & Evaluation"]);
    f.amina.call(&topic_request(&f.category, "New baseline guide", TopicKind::Discussion)).await.unwrap();
    let unread = f.carlos.call(&ListNotifications { unread: Some(true), ..Default::default() }).await.unwrap();
    assert_eq!(unread.items.iter().map(|n| n.kind).collect::<Vec<_>>(), [NotificationKind::NewTopic]);
    f.carlos.call(&RemoveWatch { target: WatchTarget::Category, id: f.category.id.clone() }).await.unwrap();
    f.amina.call(&topic_request(&f.category, "Another guide", TopicKind::Discussion)).await.unwrap();
    assert_eq!(f.carlos.call(&GetUnreadCount).await.unwrap().unread, 1);
}

#[tokio::test]
async fn private_group_topics_stay_inside_the_group() {
    let f = forum().await;
    let amina = [(&f.amina, "amina@example.org")];
    let group = copse_tests::group_with(&f.admin, "Steering", GroupVisibility::Private, &amina).await;
    let mut request = topic_request(&f.category, "Budget for 2027", TopicKind::Discussion);
    request.0.group = Some(group.slug.clone());
    let secret = f.amina.call(&request).await.unwrap();
    assert_eq!(secret.summary.group.as_ref().map(|g| g.slug.as_str()), Some(group.slug.as_str()));

    // Carlos, outside the group, can neither read, list, reply to nor post in it.
    assert_eq!(problem(f.carlos.call(&GetTopic { id: secret.summary.id.clone() }).await).status, 404);
    assert_eq!(
        problem(f.carlos.call(&ListPosts { id: secret.summary.id.clone(), ..Default::default() }).await).status,
        404
    );
    assert_eq!(problem(f.carlos.call(&reply(&secret.summary.id, "Let me in")).await).status, 404);
    assert!(f.carlos.call(&ListTopics::default()).await.unwrap().items.is_empty());
    let hidden_group = problem(f.carlos.call(&request).await);
    assert_eq!(hidden_group.field("group").map(|e| e.code.as_str()), Some("unknown"));
    // A mention of an outsider does not leak the topic to them.
    f.amina.call(&reply(&secret.summary.id, "cc @CarlosMendoza")).await.unwrap();
    assert!(f.carlos.call(&ListNotifications::default()).await.unwrap().items.is_empty());

    let in_group = f.amina.call(&ListTopics { group: Some(group.slug.clone()), ..Default::default() }).await.unwrap();
    assert_eq!(in_group.items.len(), 1);
    let community_only =
        f.amina.call(&ListTopics { group: Some("community".into()), ..Default::default() }).await.unwrap();
    assert!(community_only.items.is_empty());
}

#[tokio::test]
async fn flags_reach_moderators_who_hide_restore_pin_move_and_split() {
    let f = forum().await;
    let other = f
        .admin
        .call(&CreateCategory(CategoryRequest {
            name: "Introductions".into(),
            description: String::new(),
            position: None,
        }))
        .await
        .unwrap();
    let topic = f.amina.call(&topic_request(&f.category, "Spam magnet", TopicKind::Discussion)).await.unwrap();
    let id = topic.summary.id.clone();
    let bad = f.carlos.call(&reply(&id, "Buy cheap fertiliser at example.com")).await.unwrap();
    let good = f.carlos.call(&reply(&id, "A real answer")).await.unwrap();
    f.amina
        .call_with(&FlagPost { id: bad.id.clone(), body: FlagRequest { reason: "Advertising".into() } }, &[])
        .await
        .unwrap();
    let short = problem(f.amina.call(&FlagPost { id: bad.id.clone(), body: FlagRequest { reason: "x".into() } }).await);
    assert_eq!(short.status, 422);

    assert_eq!(problem(f.carlos.call(&ListFlags::default()).await).status, 403);
    let queue = f.admin.call(&ListFlags::default()).await.unwrap();
    assert_eq!(queue.items.len(), 1);
    assert_eq!(queue.items[0].reason, "Advertising");
    let resolved = f
        .admin
        .call(&ResolveFlag {
            id: queue.items[0].id.clone(),
            body: ResolveFlagRequest { outcome: FlagStatus::Actioned },
        })
        .await
        .unwrap();
    assert!(resolved.post.hidden);
    assert!(f.admin.call(&ListFlags::default()).await.unwrap().items.is_empty());
    let seen_by_member = f.amina.call(&ListPosts { id: id.clone(), ..Default::default() }).await.unwrap();
    let hidden = seen_by_member.items.iter().find(|p| p.id == bad.id).unwrap();
    assert!(hidden.hidden && hidden.body.is_empty());
    let restored = f.admin.call(&RestorePost { id: bad.id.clone() }).await.unwrap();
    assert!(!restored.hidden);

    // Pinning brings a topic to the top; moving changes its category.
    let later = f.amina.call(&topic_request(&f.category, "Newer topic", TopicKind::Discussion)).await.unwrap();
    let list = f.carlos.call(&ListTopics::default()).await.unwrap();
    assert_eq!(list.items[0].id, later.summary.id);
    f.admin
        .call(&SetTopicState { id: id.clone(), body: TopicStateRequest { pinned: Some(true), ..Default::default() } })
        .await
        .unwrap();
    let list = f.carlos.call(&ListTopics::default()).await.unwrap();
    assert_eq!((list.items[0].id.as_str(), list.items[0].pinned), (id.as_str(), true));
    let moved = f
        .admin
        .call(&MoveTopic { id: id.clone(), body: MoveTopicRequest { category: other.slug.clone() } })
        .await
        .unwrap();
    assert_eq!(moved.summary.category.slug, other.slug);

    let split = f
        .admin
        .call_with(
            &SplitTopic {
                id: id.clone(),
                body: SplitTopicRequest {
                    post_ids: vec![good.id.clone()],
                    title: "The real answer".into(),
                    category: None,
                },
            },
            &[],
        )
        .await
        .unwrap();
    assert_eq!(split.status, 201);
    assert_eq!(split.body.opening_post.id, good.id);
    assert_eq!(split.body.opening_post.number, 1);
    let rest = f.amina.call(&ListPosts { id: id.clone(), ..Default::default() }).await.unwrap();
    assert!(rest.items.iter().all(|p| p.id != good.id));
    // A flag on a topic that is later deleted leaves the queue; it never breaks it.
    let doomed = f.amina.call(&topic_request(&f.category, "Soon gone", TopicKind::Discussion)).await.unwrap();
    let doomed_reply = f.carlos.call(&reply(&doomed.summary.id, "Flag me")).await.unwrap();
    f.amina
        .call(&FlagPost { id: doomed_reply.id.clone(), body: FlagRequest { reason: "Off topic".into() } })
        .await
        .unwrap();
    assert_eq!(f.admin.call(&ListFlags::default()).await.unwrap().items.len(), 1);
    f.amina.call(&DeletePost { id: doomed.opening_post.id.clone() }).await.unwrap();
    assert!(f.admin.call(&ListFlags::default()).await.unwrap().items.is_empty());

    let audit = f.admin.call(&ListAudit { limit: Some(100), ..Default::default() }).await.unwrap();
    let actions: Vec<&str> = audit.items.iter().map(|e| e.action.as_str()).collect();
    for expected in ["topic.split", "topic.move", "topic.pin", "post.restore", "flag.resolve", "post.hide"] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
}

#[tokio::test]
async fn hostile_markup_comes_out_inert_in_every_text_field() {
    let f = forum().await;
    let corpus = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<svg onload=alert(1)><circle/></svg>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<div><p>nested <b>and <i>malformed</b></i>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<a href=\"https://ok.example\" onclick=\"alert(1)\">ok</a>",
        "<style>body{display:none}</style>",
    ];
    let body = corpus.join("\n\n");
    let topic = f
        .amina
        .call(&CreateTopic(CreateTopicRequest {
            category: f.category.id.clone(),
            group: None,
            title: "<script>alert('title')</script>".into(),
            body: body.clone(),
            kind: TopicKind::Discussion,
            tags: vec![],
        }))
        .await
        .unwrap();
    let replied = f.carlos.call(&reply(&topic.summary.id, &body)).await.unwrap();
    for html in [&topic.opening_post.body_html, &replied.body_html] {
        let lower = html.to_lowercase();
        for needle in ["<script", "onerror", "onload", "onclick", "javascript:", "<svg", "<math", "<iframe", "<style"] {
            assert!(!lower.contains(needle), "{needle} survived in {html}");
        }
    }
    // The title is plain text in JSON; it is never rendered as HTML by the server.
    assert_eq!(topic.summary.title, "<script>alert('title')</script>");
}

#[tokio::test]
async fn bad_topics_and_posts_are_refused_with_field_errors() {
    let f = forum().await;
    let mut empty = topic_request(&f.category, "", TopicKind::Discussion);
    empty.0.body = String::new();
    empty.0.category = "nope".into();
    let refused = problem(f.amina.call(&empty).await);
    assert_eq!(refused.status, 422);
    for field in ["title", "body", "category"] {
        assert!(refused.field(field).is_some(), "{field}: {refused:?}");
    }
    let mut long = topic_request(&f.category, &"t".repeat(201), TopicKind::Discussion);
    long.0.body = "b".repeat(50_001);
    let refused = problem(f.amina.call(&long).await);
    assert_eq!(refused.field("title").map(|e| e.code.as_str()), Some("too_long"));
    assert_eq!(refused.field("body").map(|e| e.code.as_str()), Some("too_long"));
    let topic = f.amina.call(&topic_request(&f.category, "Fine", TopicKind::Discussion)).await.unwrap();
    let empty_reply = problem(f.carlos.call(&reply(&topic.summary.id, "   ")).await);
    assert_eq!(empty_reply.field("body").map(|e| e.code.as_str()), Some("required"));
    assert_eq!(
        problem(
            f.carlos
                .call(&CreateCategory(CategoryRequest { name: "X".into(), description: String::new(), position: None }))
                .await
        )
        .status,
        403
    );
}

#[tokio::test]
async fn a_retried_topic_with_the_same_idempotency_key_is_created_once() {
    let f = forum().await;
    let request = topic_request(&f.category, "Only once", TopicKind::Question);
    let key = [("Idempotency-Key", "topic-once")];
    let first = f.amina.call_with(&request, &key).await.unwrap();
    let second = f.amina.call_with(&request, &key).await.unwrap();
    assert_eq!(first.body.summary.id, second.body.summary.id);
    assert_eq!(f.amina.call(&ListTopics::default()).await.unwrap().items.len(), 1);
}

async fn statements(f: &Forum, path: &str) -> u32 {
    let response =
        f.app.client.http().get(f.app.url(path)).bearer_auth(f.carlos.token().unwrap()).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.headers().get("x-sql-statements").unwrap().to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn list_requests_issue_the_same_number_of_statements_for_two_rows_or_twenty() {
    let f = forum_with(|s| {
        s.expose_sql_count = true;
        // Settings read on every request, so that every count is the same.
        s.community_cache_ms = 0;
        s.writes_per_minute = 10_000;
    })
    .await;
    let group = f.public_group("Soil").await;
    f.carlos.call(&JoinGroup { group: group.slug.clone() }).await.unwrap();
    f.amina.call(&JoinGroup { group: group.slug.clone() }).await.unwrap();
    let mut first_topic = None;
    for n in 0..2 {
        let mut request = topic_request(&f.category, &format!("Topic {n}"), TopicKind::Question);
        request.0.group = Some(group.slug.clone()).filter(|_| n % 2 == 0);
        let t = f.admin.call(&request).await.unwrap();
        first_topic.get_or_insert(t.summary.id.clone());
        // The few rows have the same shape as the many (a quote among them), so that
        // only their number differs.
        let quoting = CreatePostRequest { body: "A reply".into(), quote_post_id: Some(t.opening_post.id.clone()) };
        f.carlos.call(&CreatePost { id: t.summary.id.clone(), body: quoting }).await.unwrap();
    }
    let topic_id = first_topic.unwrap();
    let few_topics = statements(&f, "/api/v1/topics?limit=50").await;
    let few_posts = statements(&f, &format!("/api/v1/topics/{topic_id}/posts?limit=50")).await;
    for n in 2..20 {
        let mut request = topic_request(&f.category, &format!("Topic {n}"), TopicKind::Question);
        request.0.group = Some(group.slug.clone()).filter(|_| n % 2 == 0);
        let t = f.admin.call(&request).await.unwrap();
        f.carlos.call(&reply(&t.summary.id, "A reply")).await.unwrap();
    }
    for n in 0..18 {
        let r = f.amina.call(&reply(&topic_id, &format!("Reply {n} to @CarlosMendoza"))).await.unwrap();
        f.carlos.call(&AddReaction { id: r.id.clone(), kind: ReactionKind::Thanks }).await.unwrap();
        f.admin
            .call(&CreatePost {
                id: topic_id.clone(),
                body: CreatePostRequest { body: "Quote".into(), quote_post_id: Some(r.id) },
            })
            .await
            .unwrap();
    }
    let many_topics = statements(&f, "/api/v1/topics?limit=50").await;
    let many_posts = statements(&f, &format!("/api/v1/topics/{topic_id}/posts?limit=50")).await;
    assert_eq!(many_topics, few_topics, "the topic list must not issue a query per topic");
    assert_eq!(many_posts, few_posts, "the post list must not issue a query per post");
    assert!(many_topics <= 10, "{many_topics} statements for one topic list");
    assert!(many_posts <= 12, "{many_posts} statements for one post list");
}

async fn statements_as(f: &Forum, who: &Client, path: &str) -> (u32, usize) {
    let response = f.app.client.http().get(f.app.url(path)).bearer_auth(who.token().unwrap()).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let count = response.headers().get("x-sql-statements").unwrap().to_str().unwrap().parse().unwrap();
    let page: Page<Flag> = response.json().await.unwrap();
    (count, page.items.len())
}

#[tokio::test]
async fn the_flag_queue_issues_the_same_number_of_statements_for_two_flags_or_twenty() {
    let f = forum_with(|s| {
        s.expose_sql_count = true;
        // Settings read on every request, so that every count is the same.
        s.community_cache_ms = 0;
        s.writes_per_minute = 10_000;
    })
    .await;
    let group = f
        .admin
        .call(&CreateGroup(CreateGroupRequest {
            name: "Soil".into(),
            slug: None,
            description: String::new(),
            visibility: GroupVisibility::Private,
        }))
        .await
        .unwrap();
    // Carlos facilitates the group: he sees only the flags in its topics.
    let invite =
        |email: &str| InviteToGroup { group: group.slug.clone(), body: InviteToGroupRequest { email: email.into() } };
    f.admin.call(&invite("carlos@example.org")).await.unwrap();
    f.admin.call(&invite("amina@example.org")).await.unwrap();
    f.carlos.call(&JoinGroup { group: group.slug.clone() }).await.unwrap();
    f.amina.call(&JoinGroup { group: group.slug.clone() }).await.unwrap();
    f.admin
        .call(&ChangeGroupRole {
            group: group.slug.clone(),
            user: f.carlos_id.clone(),
            body: ChangeGroupRoleRequest { role: GroupRole::Facilitator },
        })
        .await
        .unwrap();
    // Each flag is on a reply (quoting its opening post, with a reaction) in a topic
    // of its own; half of the topics are in the group.
    let flag_in_new_topic = |n: usize| {
        let f = &f;
        let group = group.slug.clone();
        async move {
            let mut request = topic_request(&f.category, &format!("Topic {n}"), TopicKind::Question);
            request.0.group = Some(group).filter(|_| n.is_multiple_of(2));
            let t = f.amina.call(&request).await.unwrap();
            let r = f
                .amina
                .call(&CreatePost {
                    id: t.summary.id.clone(),
                    body: CreatePostRequest {
                        body: format!("Reply {n} to @CarlosMendoza"),
                        quote_post_id: Some(t.opening_post.id.clone()),
                    },
                })
                .await
                .unwrap();
            f.admin.call(&AddReaction { id: r.id.clone(), kind: ReactionKind::Thanks }).await.unwrap();
            f.amina
                .call(&FlagPost { id: r.id.clone(), body: FlagRequest { reason: format!("Flag {n}") } })
                .await
                .unwrap();
        }
    };
    for n in 0..2 {
        flag_in_new_topic(n).await;
    }
    let path = "/api/v1/flags?limit=50";
    let (few_staff, listed) = statements_as(&f, &f.admin, path).await;
    assert_eq!(listed, 2);
    assert!(few_staff > 0, "the statement counter is not counting");
    let (few_facilitator, listed) = statements_as(&f, &f.carlos, path).await;
    assert_eq!(listed, 1);
    for n in 2..20 {
        flag_in_new_topic(n).await;
    }
    let (many_staff, listed) = statements_as(&f, &f.admin, path).await;
    assert_eq!(listed, 20);
    let (many_facilitator, listed) = statements_as(&f, &f.carlos, path).await;
    assert_eq!(listed, 10);
    assert_eq!(many_staff, few_staff, "the flag queue must not issue a query per flag ({few_staff} for 2 flags)");
    assert_eq!(many_facilitator, few_facilitator, "the flag queue must not issue a query per flag");
    assert!(many_staff <= 15, "{many_staff} statements for one flag list");
}

#[tokio::test]
async fn anonymous_visitors_read_community_topics_only_when_the_community_allows() {
    let f = forum().await;
    let topic = f.amina.call(&topic_request(&f.category, "Open knowledge", TopicKind::Discussion)).await.unwrap();
    let anonymous = f.app.new_client();
    assert_eq!(problem(anonymous.call(&ListTopics::default()).await).status, 401);
    assert_eq!(problem(anonymous.call(&GetTopic { id: topic.summary.id.clone() }).await).status, 401);
    let etag =
        f.admin.call_with(&GetCommunity, &[]).await.unwrap().headers.get("etag").unwrap().to_str().unwrap().to_owned();
    f.admin
        .call_with(
            &UpdateCommunity(copse_shared::community::UpdateCommunityRequest {
                name: "Copse".into(),
                tagline: String::new(),
                join_policy: copse_shared::community::JoinPolicy::Open,
                public_read: true,
            }),
            &[("If-Match", &etag)],
        )
        .await
        .unwrap();
    let listed = anonymous.call(&ListTopics::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    let read = anonymous.call(&GetTopic { id: topic.summary.id.clone() }).await.unwrap();
    assert!(!read.permissions.reply);
    assert_eq!(problem(anonymous.call(&reply(&topic.summary.id, "Hello")).await).status, 401);
}

#[tokio::test]
async fn the_demo_community_seeds_once_and_reads_like_a_living_forum() {
    let app = TestApp::spawn().await;
    let first = copse::seed::demo(&app.db).await.unwrap();
    assert!(first.contains("6 topics"), "{first}");
    let again = copse::seed::demo(&app.db).await.unwrap();
    assert!(again.contains("already seeded"), "{again}");
    let (member, _) = app.login(copse::seed::DEMO_EMAIL_FOR_TESTS, copse::seed::DEMO_PASSWORD).await.unwrap();
    let topics = member.call(&ListTopics::default()).await.unwrap();
    assert_eq!(topics.items.len(), 6);
    assert!(topics.items.iter().any(|t| t.solved));
    let categories = member.call(&ListCategories).await.unwrap();
    assert_eq!(categories.len(), 4);
    let unanswered = member.call(&ListTopics { unanswered: Some(true), ..Default::default() }).await.unwrap();
    assert_eq!(unanswered.items.len(), 1);
}

#[tokio::test]
async fn topic_lists_read_categories_groups_and_names_from_memory_and_show_a_rename_at_once() {
    let mut counts = Vec::new();
    for cache_ms in [0, 60_000] {
        let f = forum_with(|s| {
            s.expose_sql_count = true;
            s.community_cache_ms = cache_ms;
        })
        .await;
        let group = f.public_group("Soil").await;
        let mut request = topic_request(&f.category, "Cover crops", TopicKind::Discussion);
        request.0.group = Some(group.slug.clone());
        f.admin.call(&request).await.unwrap();
        statements(&f, "/api/v1/topics").await;
        // Another page (the same page again would come whole from memory): what it
        // reads besides the topics and their tags.
        counts.push(statements(&f, "/api/v1/topics?limit=19").await);

        // Renamed through this server: the next list shows the new names.
        let category = CategoryRequest { name: "M&E".into(), description: String::new(), position: None };
        f.admin.call(&UpdateCategory { id: f.category.id.clone(), body: category }).await.unwrap();
        let renamed = UpdateGroupRequest {
            name: "Soil health".into(),
            description: String::new(),
            visibility: GroupVisibility::Public,
        };
        f.admin.call(&UpdateGroup { group: group.slug.clone(), body: renamed }).await.unwrap();
        let renamed = UpdateProfileRequest { display_name: "Ada Admin".into(), ..Default::default() };
        f.admin.call(&UpdateMyProfile(renamed)).await.unwrap();
        let listed = f.carlos.call(&ListTopics::default()).await.unwrap();
        assert_eq!(listed.items[0].category.name, "M&E");
        assert_eq!(listed.items[0].group.as_ref().map(|g| g.name.as_str()), Some("Soil health"));
        assert_eq!(listed.items[0].author.as_ref().map(|a| a.display_name.as_str()), Some("Ada Admin"));
    }
    // The community settings, the categories, the groups, the reader's account and the
    // authors' names: five statements fewer.
    assert_eq!(counts[0], counts[1] + 5, "statements without and with the memory: {counts:?}");
}

/// The statement count and the body of a GET as `who`.
async fn read_as<T: serde::de::DeserializeOwned>(f: &Forum, who: &Client, path: &str) -> (u32, T) {
    f.app.counted_get(who, path).await
}

fn titles(page: &Page<TopicSummary>) -> Vec<&str> {
    page.items.iter().map(|t| t.title.as_str()).collect()
}

#[tokio::test]
async fn a_topic_list_page_is_kept_for_readers_who_see_the_same_topics_and_every_write_shows_at_once() {
    let f = forum_with(|s| {
        s.expose_sql_count = true;
        // Kept for a minute: anything seen fresh below was made fresh by a write.
        s.community_cache_ms = 60_000;
        s.writes_per_minute = 10_000;
    })
    .await;
    let (dana, _) = f.app.register("dana@example.org", "Dana Reyes", PASSWORD).await;
    let steering = copse_tests::group_with(&f.admin, "Steering", GroupVisibility::Private, &[]).await;
    let open = f.admin.call(&topic_request(&f.category, "Open call", TopicKind::Discussion)).await.unwrap();
    let mut request = topic_request(&f.category, "Budget for 2027", TopicKind::Discussion);
    request.0.group = Some(steering.slug.clone());
    f.admin.call(&request).await.unwrap();

    // Carlos and Dana belong to no group: they share a page, the admin has their own.
    let (_, carlos): (_, Page<TopicSummary>) = read_as(&f, &f.carlos, "/api/v1/topics").await;
    assert_eq!(titles(&carlos), ["Open call"]);
    let (again, _): (_, Page<TopicSummary>) = read_as(&f, &f.carlos, "/api/v1/topics").await;
    assert_eq!(again, 0, "the same page again is read from memory");
    // Signing in writes only a session: the page stays kept.
    f.app.login("amina@example.org", PASSWORD).await.unwrap();
    let (again, _): (_, Page<TopicSummary>) = read_as(&f, &f.carlos, "/api/v1/topics").await;
    assert_eq!(again, 0, "still from memory after a sign-in");
    let (_, seen_by_dana): (_, Page<TopicSummary>) = read_as(&f, &dana, "/api/v1/topics").await;
    assert_eq!(seen_by_dana, carlos);
    let (_, admin): (_, Page<TopicSummary>) = read_as(&f, &f.admin, "/api/v1/topics").await;
    assert_eq!(titles(&admin), ["Budget for 2027", "Open call"]);

    // A reply through this server shows in the next list at once.
    f.amina.call(&reply(&open.summary.id, "We are in.")).await.unwrap();
    let (_, after): (_, Page<TopicSummary>) = read_as(&f, &f.carlos, "/api/v1/topics").await;
    assert_eq!(after.items[0].reply_count, 1);

    // Invited to the private group, Carlos reads as its members do, at once; Dana,
    // still outside, is never shown the page kept for Carlos.
    let body = InviteToGroupRequest { email: "carlos@example.org".into() };
    f.admin.call(&InviteToGroup { group: steering.slug.clone(), body }).await.unwrap();
    let (_, invited): (_, Page<TopicSummary>) = read_as(&f, &f.carlos, "/api/v1/topics").await;
    // "Open call" has the latest activity (the reply).
    assert_eq!(titles(&invited), ["Open call", "Budget for 2027"]);
    let (_, outside): (_, Page<TopicSummary>) = read_as(&f, &dana, "/api/v1/topics").await;
    assert_eq!(titles(&outside), ["Open call"]);
}

#[tokio::test]
async fn a_kept_page_of_posts_shows_each_reader_their_own_reactions_rights_and_hidden_posts() {
    let f = forum_with(|s| {
        s.expose_sql_count = true;
        s.community_cache_ms = 60_000;
        s.writes_per_minute = 10_000;
    })
    .await;
    let topic = f.amina.call(&topic_request(&f.category, "Seed banks", TopicKind::Discussion)).await.unwrap();
    let answer = f.carlos.call(&reply(&topic.summary.id, "Ours is in Kisumu.")).await.unwrap();
    f.amina.call(&AddReaction { id: answer.id.clone(), kind: ReactionKind::Thanks }).await.unwrap();
    let path = format!("/api/v1/topics/{}/posts", topic.summary.id);

    // Carlos reads first (the page is read and kept); Amina is shown the kept page,
    // with her own reaction and her own rights, after one statement (her reactions).
    let (_, carlos): (_, Page<Post>) = read_as(&f, &f.carlos, &path).await;
    let (count, amina): (_, Page<Post>) = read_as(&f, &f.amina, &path).await;
    assert_eq!(count, 1, "Amina's own reactions, the rest from memory");
    let thanks = |page: &Page<Post>| page.items[1].reactions.iter().map(|r| (r.count, r.mine)).collect::<Vec<_>>();
    assert_eq!(thanks(&carlos), [(1, false)]);
    assert_eq!(thanks(&amina), [(1, true)]);
    assert_eq!(carlos.items.iter().map(|p| p.can_edit).collect::<Vec<_>>(), [false, true]);
    assert_eq!(amina.items.iter().map(|p| p.can_edit).collect::<Vec<_>>(), [true, false]);

    // Hidden by a moderator: kept as Carlos reads it (its text concealed from him),
    // the admin is shown the text from the same page.
    f.admin.call(&HidePost { id: answer.id.clone() }).await.unwrap();
    let (_, carlos): (_, Page<Post>) = read_as(&f, &f.carlos, &path).await;
    assert!(carlos.items[1].hidden);
    assert_eq!(carlos.items[1].body, "");
    let (count, admin): (_, Page<Post>) = read_as(&f, &f.admin, &path).await;
    assert_eq!(count, 1, "the page from memory");
    assert_eq!(admin.items[1].body, "Ours is in Kisumu.");

    // A topic of a private group: a page its member read is never shown to others.
    let steering =
        copse_tests::group_with(&f.admin, "Steering", GroupVisibility::Private, &[(&f.amina, "amina@example.org")])
            .await;
    let mut request = topic_request(&f.category, "Budget for 2027", TopicKind::Discussion);
    request.0.group = Some(steering.slug.clone());
    let secret = f.amina.call(&request).await.unwrap();
    let secret_path = format!("/api/v1/topics/{}/posts", secret.summary.id);
    let (_, read): (_, Page<Post>) = read_as(&f, &f.amina, &secret_path).await;
    assert_eq!(read.items.len(), 1);
    let outside = f.app.client.http().get(f.app.url(&secret_path)).bearer_auth(f.carlos.token().unwrap());
    assert_eq!(outside.send().await.unwrap().status().as_u16(), 404);
}
