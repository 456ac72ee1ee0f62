//! Discussions: the topic index with its filters, the new-topic form, one topic's
//! page with its posts, and the pieces they share (a topic's row and badges).

pub mod index;
pub mod new;
pub mod post;
pub mod topic;
pub mod watch;

use copse_shared::discussions::{TopicKind, TopicSummary};
use copse_shared::endpoint::query_string;
use copse_shared::endpoints::ListTopics;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::status::ErrorAlert;
use crate::format;
use crate::i18n::{self, Msg, t};
use crate::pages::paged::paged_list;

pub use index::DiscussionsPage;
pub use new::NewTopicPage;
pub use topic::TopicPage;

/// The address of the topic index with these filters.
pub fn index_href(category: Option<&str>, tag: Option<&str>) -> String {
    let query = query_string(&[("category", category.map(str::to_owned)), ("tag", tag.map(str::to_owned))]);
    format!("/discussions{query}")
}

/// "1 reply", "12 replies".
pub fn replies_count(count: i64) -> String {
    if count == 1 {
        t(Msg::ReplyCountOne).to_owned()
    } else {
        i18n::fill(Msg::ReplyCountMany, &[("n", &count.to_string())])
    }
}

/// The badges of a topic: question, solved, pinned, locked, hidden.
pub fn badges(kind: TopicKind, solved: bool, pinned: bool, locked: bool, hidden: bool) -> impl IntoView {
    view! {
        {pinned.then(|| view! { <span class="badge pin" data-testid="pinned-badge">{t(Msg::Pinned)}</span> })}
        {(kind == TopicKind::Question).then(|| view! { <span class="badge question">{t(Msg::Question)}</span> })}
        {solved.then(|| view! { <span class="badge solved" data-testid="solved-badge">"✓ " {t(Msg::Solved)}</span> })}
        {locked.then(|| view! { <span class="badge muted" data-testid="locked-badge">{t(Msg::Locked)}</span> })}
        {hidden.then(|| view! { <span class="badge warn">{t(Msg::HiddenBadge)}</span> })}
    }
}

/// Tags as links that filter the index.
pub fn tag_links(tags: Vec<String>) -> impl IntoView {
    (!tags.is_empty()).then(|| {
        view! {
            <span class="tags">
                {tags
                    .into_iter()
                    .map(|tag| {
                        let href = index_href(None, Some(&tag));
                        view! { <a class="tag" href=href>"#" {tag}</a> }
                    })
                    .collect_view()}
            </span>
        }
    })
}

/// One topic in a list.
#[component]
pub fn TopicRow(topic: TopicSummary) -> impl IntoView {
    let href = format!("/discussions/{}", topic.id);
    let title_id = format!("topic-{}-title", topic.id);
    let author = topic.author.map(|a| a.display_name).unwrap_or_else(|| t(Msg::FormerMember).to_owned());
    let category_href = index_href(Some(&topic.category.slug), None);
    view! {
        <li class="topic-row" class:pinned=topic.pinned data-testid="topic-row">
            <div class="topic-main">
                <h3 class="topic-title" id=title_id>
                    <a href=href>{topic.title}</a>
                </h3>
                <p class="meta topic-badges">
                    {badges(topic.kind, topic.solved, topic.pinned, topic.locked, topic.hidden)}
                    <a class="category" href=category_href>{topic.category.name}</a>
                    {topic.group.map(|g| {
                        let href = format!("/groups/{}", g.slug);
                        view! { <span class="in-group">{t(Msg::InGroup)} " " <a href=href>{g.name}</a></span> }
                    })}
                    {tag_links(topic.tags)}
                </p>
                {(!topic.excerpt.is_empty()).then(|| view! { <p class="excerpt">{topic.excerpt}</p> })}
            </div>
            <div class="topic-stats meta">
                <span class="author">{author}</span>
                <span>{replies_count(topic.reply_count)}</span>
                <span>
                    <span class="visually-hidden">{t(Msg::LastActivity)} " "</span>
                    <time datetime=format::iso(topic.last_activity_at)>{format::date_time(topic.last_activity_at)}</time>
                </span>
            </div>
        </li>
    }
}

/// A page of topics with "Load more"; `query` gives the first page's filters.
#[component]
pub fn TopicList(#[prop(into)] query: Signal<ListTopics>, empty: Msg) -> impl IntoView {
    paged_list(
        query,
        |t: &TopicSummary| t.id.clone(),
        |topic| view! { <TopicRow topic=topic/> },
        empty,
        "topics",
        t(Msg::Topics),
    )
}

/// An error as a page shows it: the server's message, with a way to sign in when
/// that is what is missing.
pub fn error_view(e: ApiError) -> impl IntoView {
    use copse_shared::ErrorCode;
    let sign_in = e.code() == Some(ErrorCode::AuthenticationRequired);
    view! {
        <ErrorAlert message=e.message()/>
        {sign_in.then(|| view! { <p><a href="/login">{t(Msg::SignIn)}</a></p> })}
    }
}
