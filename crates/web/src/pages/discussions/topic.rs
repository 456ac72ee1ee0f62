//! One topic's page: its header (badges, category, group, tags, watching, and for
//! moderators pin, lock, hide and move), its posts page by page, and the reply form.

use copse_shared::ErrorCode;
use copse_shared::discussions::{
    Category, CreatePostRequest, MoveTopicRequest, Post, SplitTopicRequest, Topic, TopicKind, TopicStateRequest,
    UpdateTopicRequest, WatchTarget,
};
use copse_shared::endpoints::{
    AddWatch, CreatePost, GetTopic, ListCategories, ListPosts, MoveTopic, RemoveWatch, SetTopicState, SplitTopic,
    UpdateTopic,
};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use wasm_bindgen::JsCast;

use super::post::PostItem;
use super::{badges, error_view, index_href, tag_links};
use crate::api::{self, ApiError};
use crate::components::editor::MarkdownEditor;
use crate::components::field::{TextField, comma_list, field_error};
use crate::components::status::{ErrorAlert, ErrorSlot, Loading, StatusNote, busy_text};
use crate::format;
use crate::i18n::{self, Msg, t};
use crate::pages::members::bookmarks::BookmarkButton;
use crate::pages::paged::Paged;
use crate::pages::placeholder::NotFound;
use crate::state::{SessionState, use_community, use_session};
use copse_shared::profiles::BookmarkKind;

/// The post a reply quotes.
#[derive(Clone, Debug, PartialEq)]
pub struct QuoteTarget {
    pub id: String,
    pub number: i32,
    pub author: String,
}

/// What the topic's page shares between its parts.
#[derive(Clone, Copy)]
pub struct TopicCtx {
    pub topic: RwSignal<Topic>,
    /// The signed-in member's id, if any.
    pub viewer: StoredValue<Option<String>>,
    /// The loaded posts, once the first page arrives.
    pub posts: StoredValue<Option<Paged<Post>>>,
    /// The post the reply form quotes.
    pub quote: RwSignal<Option<QuoteTarget>>,
    /// The reply form's textarea, focused by "Reply with quote".
    pub reply_box: NodeRef<html::Textarea>,
    /// The post being edited and the one being flagged (one at a time).
    pub editing: RwSignal<Option<String>>,
    pub flagging: RwSignal<Option<String>>,
    /// While a moderator splits the topic: the replies ticked so far.
    pub split: RwSignal<Option<Vec<String>>>,
}

impl TopicCtx {
    pub fn new(topic: Topic, viewer: Option<String>) -> Self {
        TopicCtx {
            topic: RwSignal::new(topic),
            viewer: StoredValue::new(viewer),
            posts: StoredValue::new(None),
            quote: RwSignal::new(None),
            reply_box: NodeRef::new(),
            editing: RwSignal::new(None),
            flagging: RwSignal::new(None),
            split: RwSignal::new(None),
        }
    }

    pub fn id(self) -> String {
        self.topic.with_untracked(|t| t.summary.id.clone())
    }

    pub fn signed_in(self) -> bool {
        self.viewer.with_value(Option::is_some)
    }

    /// Reads the topic again (after a refusal that suggests it changed).
    pub fn reload(self) {
        let id = self.id();
        spawn_local(async move {
            if let Ok(topic) = api::call(&GetTopic { id }).await {
                self.topic.set(topic);
            }
        });
    }
}

#[component]
pub fn TopicPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let session = use_session();
    move || {
        let id = id.get();
        match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            state => view! { <TopicLoader id=id viewer=state.user().map(|u| u.id.clone())/> }.into_any(),
        }
    }
}

#[component]
fn TopicLoader(id: String, viewer: Option<String>) -> impl IntoView {
    let resource = LocalResource::new(move || {
        let query = GetTopic { id: id.clone() };
        async move { api::call(&query).await }
    });
    let viewer = StoredValue::new(viewer);
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(topic) => view! { <TopicView topic=topic viewer=viewer.get_value()/> }.into_any(),
                Err(e) if e.code() == Some(ErrorCode::NotFound) => view! { <NotFound/> }.into_any(),
                Err(e) if e.code() == Some(ErrorCode::Forbidden) => view! {
                    <h1>{t(Msg::NotAllowedTitle)}</h1>
                    <ErrorAlert message=e.message()/>
                }
                .into_any(),
                Err(e) => error_view(e).into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn TopicView(topic: Topic, viewer: Option<String>) -> impl IntoView {
    let ctx = TopicCtx::new(topic, viewer);
    // The tab shows the topic's title while it is open, then the community's name again.
    let set_title = |title: &str| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(title);
        }
    };
    Effect::new(move |_| set_title(&ctx.topic.with(|t| t.summary.title.clone())));
    let community = use_community();
    on_cleanup(move || {
        set_title(
            &community
                .settings
                .with_untracked(|c| c.as_ref().map(|c| c.name.clone()))
                .unwrap_or_else(|| "Copse".to_owned()),
        )
    });
    view! {
        <article class="topic" aria-labelledby="topic-title">
            <TopicHeader ctx=ctx/>
            <Posts ctx=ctx/>
            <ReplyForm ctx=ctx/>
        </article>
    }
}

/// The posts and reply form of a topic, without its header: the comment thread
/// that other pages (a library item) embed. It is the same machinery as a topic's
/// own page, so moderation, quotes, reactions and notifications all apply.
#[component]
pub fn TopicThread(id: String, viewer: Option<String>) -> impl IntoView {
    let resource = LocalResource::new(move || {
        let query = GetTopic { id: id.clone() };
        async move { api::call(&query).await }
    });
    let viewer = StoredValue::new(viewer);
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(topic) => {
                    let ctx = TopicCtx::new(topic, viewer.get_value());
                    view! {
                        <Posts ctx=ctx/>
                        <ReplyForm ctx=ctx/>
                    }
                    .into_any()
                }
                Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
            })}
        </Suspense>
    }
}

/// "First reply after 3 hours".
fn first_reply(seconds: Option<i64>) -> String {
    let Some(seconds) = seconds else { return t(Msg::NoRepliesYet).to_owned() };
    let (msg, n) = match seconds {
        s if s < 60 => (Msg::DurationUnderMinute, 0),
        s if s < 3600 => (Msg::DurationMinutes, s / 60),
        s if s < 48 * 3600 => (Msg::DurationHours, s / 3600),
        s => (Msg::DurationDays, s / 86_400),
    };
    let duration = i18n::fill(msg, &[("n", &n.to_string())]);
    i18n::fill(Msg::FirstReplyAfter, &[("time", &duration)])
}

/// The title, badges and facts of the topic, rebuilt whenever the topic changes
/// (an accepted answer, a moderator's action).
fn summary_view(topic: &Topic) -> AnyView {
    let s = &topic.summary;
    let author = s.author.as_ref().map(|a| a.display_name.clone()).unwrap_or_else(|| t(Msg::FormerMember).to_owned());
    let category_href = index_href(Some(&s.category.slug), None);
    let question = s.kind == TopicKind::Question;
    view! {
        <h1 id="topic-title">{s.title.clone()}</h1>
        <p class="meta topic-badges" data-testid="topic-badges">
            {badges(s.kind, s.solved, s.pinned, s.locked, s.hidden)}
            <a class="category" href=category_href>{s.category.name.clone()}</a>
            {s.group.clone().map(|g| {
                let href = format!("/groups/{}", g.slug);
                view! { <span class="in-group">{t(Msg::InGroup)} " " <a href=href>{g.name}</a></span> }
            })}
            {tag_links(s.tags.clone())}
        </p>
        <p class="meta">
            {i18n::fill(Msg::StartedBy, &[("name", &author)])} " · "
            <time datetime=format::iso(s.created_at)>{format::date_time(s.created_at)}</time>
            {question.then(|| view! {
                " · " <span data-testid="first-reply">{first_reply(topic.seconds_to_first_reply)}</span>
            })}
        </p>
        {s.locked.then(|| view! { <p class="notice" role="note">{t(Msg::LockedNotice)}</p> })}
        {s.hidden.then(|| view! { <p class="notice warn" role="note">{t(Msg::HiddenTopicNotice)}</p> })}
    }
    .into_any()
}

#[component]
fn TopicHeader(ctx: TopicCtx) -> impl IntoView {
    let topic = ctx.topic;
    let editing = RwSignal::new(false);
    let can_edit = Memo::new(move |_| topic.with(|t| t.permissions.edit));
    let moderate = Memo::new(move |_| topic.with(|t| t.permissions.moderate));
    view! {
        <header class="topic-header">
            {move || topic.with(summary_view)}
            <div class="topic-actions">
                {ctx.signed_in().then(|| view! {
                    <WatchButton ctx=ctx/>
                    <BookmarkButton kind=BookmarkKind::Topic id=ctx.id()/>
                })}
                {move || (can_edit.get() && !editing.get()).then(|| view! {
                    <button type="button" class="secondary" on:click=move |_| editing.set(true)>{t(Msg::EditTitle)}</button>
                })}
            </div>
            {move || editing.get().then(|| view! { <EditTopic ctx=ctx open=editing/> })}
            {move || moderate.get().then(|| view! { <ModerationBar ctx=ctx/> })}
        </header>
    }
}

#[component]
fn WatchButton(ctx: TopicCtx) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let watching = move || ctx.topic.with(|t| t.watching);
    let toggle = move |_| {
        let (id, now_watching) = (ctx.id(), watching());
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = if now_watching {
                api::call(&RemoveWatch { target: WatchTarget::Topic, id }).await
            } else {
                api::call(&AddWatch { target: WatchTarget::Topic, id }).await.map(|_| ())
            };
            match result {
                Ok(()) => ctx.topic.update(|t| t.watching = !now_watching),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <button
            type="button"
            class="secondary"
            aria-pressed=move || watching().to_string()
            disabled=busy
            on:click=toggle
            data-testid="watch"
        >
            {move || if watching() { t(Msg::Unwatch) } else { t(Msg::Watch) }}
        </button>
        <span class="hint">{move || if watching() { t(Msg::WatchingHint) } else { "" }}</span>
        <ErrorSlot error=error/>
    }
}

/// Edits the title and tags, sending the version it read.
#[component]
fn EditTopic(ctx: TopicCtx, open: RwSignal<bool>) -> impl IntoView {
    let (title, tags) = ctx.topic.with_untracked(|t| (t.summary.title.clone(), t.summary.tags.join(", ")));
    let title = RwSignal::new(title);
    let tags = RwSignal::new(tags);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let id = ctx.id();
        let body = UpdateTopicRequest { title: title.get_untracked(), tags: comma_list(&tags.get_untracked()) };
        spawn_local(async move {
            let result = async {
                let current = api::call_with(&GetTopic { id: id.clone() }, &[]).await?;
                let etag = current.headers.get("etag").unwrap_or_default();
                api::call_with(&UpdateTopic { id, body }, &[("If-Match", &etag)]).await
            }
            .await;
            match result {
                Ok(answer) => {
                    ctx.topic.set(answer.body);
                    open.set(false);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card form-card" on:submit=submit novalidate>
            <ErrorSlot error=error fields=&["title", "tags"]/>
            <TextField id="edit-topic-title" label=t(Msg::Title) value=title error=field_error(error, "title")/>
            <TextField id="edit-topic-tags" label=t(Msg::Tags) hint=t(Msg::TagsHint) value=tags error=field_error(error, "tags") required=false/>
            <div class="form-actions">
                <button class="primary" type="submit" disabled=busy>{t(Msg::Save)}</button>
                <button class="secondary" type="button" on:click=move |_| open.set(false)>{t(Msg::Cancel)}</button>
            </div>
        </form>
    }
}

/// Pin, lock, hide and move, for the topic's moderators.
#[component]
fn ModerationBar(ctx: TopicCtx) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let note = RwSignal::new(None::<String>);
    let categories = LocalResource::new(|| async { api::call(&ListCategories).await });
    let target = RwSignal::new(String::new());
    let finish = move |result: Result<Topic, ApiError>| {
        match result {
            Ok(topic) => {
                ctx.topic.set(topic);
                note.set(Some(t(Msg::Saved).to_owned()));
            }
            Err(e) => error.set(Some(e)),
        }
        busy.set(false);
    };
    let set_state = move |request: TopicStateRequest| {
        busy.set(true);
        error.set(None);
        note.set(None);
        let id = ctx.id();
        spawn_local(async move { finish(api::call(&SetTopicState { id, body: request }).await) });
    };
    let move_topic = move |_| {
        let category = target.get_untracked();
        if category.is_empty() {
            return;
        }
        busy.set(true);
        error.set(None);
        note.set(None);
        let id = ctx.id();
        spawn_local(async move { finish(api::call(&MoveTopic { id, body: MoveTopicRequest { category } }).await) });
    };
    let flag = move |f: fn(&Topic) -> bool| ctx.topic.with(f);
    let toggle = move |label_on: Msg, label_off: Msg, get: fn(&Topic) -> bool, make: fn(bool) -> TopicStateRequest| {
        view! {
            <button type="button" class="secondary" disabled=busy on:click=move |_| set_state(make(!flag(get)))>
                {move || if flag(get) { t(label_off) } else { t(label_on) }}
            </button>
        }
    };
    view! {
        <section class="moderation card" aria-labelledby="moderation-title">
            <h2 id="moderation-title" class="small-heading">{t(Msg::Moderation)}</h2>
            <div class="form-actions">
                {toggle(Msg::Pin, Msg::Unpin, |t| t.summary.pinned, |v| TopicStateRequest { pinned: Some(v), ..Default::default() })}
                {toggle(Msg::Lock, Msg::Unlock, |t| t.summary.locked, |v| TopicStateRequest { locked: Some(v), ..Default::default() })}
                {toggle(Msg::HideTopic, Msg::RestoreTopic, |t| t.summary.hidden, |v| TopicStateRequest { hidden: Some(v), ..Default::default() })}
            </div>
            <div class="inline-form">
                <label for="move-category">{t(Msg::MoveTo)}</label>
                <select id="move-category" class="compact" on:change=move |ev| target.set(event_target_value(&ev))>
                    <option value="">{t(Msg::ChooseCategory)}</option>
                    {move || categories.get().and_then(Result::ok).map(|list: Vec<Category>| {
                        let current = ctx.topic.with_untracked(|t| t.summary.category.id.clone());
                        list.into_iter()
                            .filter(|c| c.id != current)
                            .map(|c| view! { <option value=c.slug>{c.name}</option> })
                            .collect_view()
                    })}
                </select>
                <button type="button" class="secondary" disabled=busy on:click=move_topic>{t(Msg::Move)}</button>
            </div>
            <SplitForm ctx=ctx/>
            <StatusNote message=note.into()/>
            <ErrorSlot error=error/>
        </section>
    }
}

/// Splits the ticked replies off into a new topic, then opens it.
#[component]
fn SplitForm(ctx: TopicCtx) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let navigate = use_navigate();
    let chosen = move || ctx.split.with(|s| s.as_ref().map_or(0, Vec::len));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let post_ids = ctx.split.get_untracked().unwrap_or_default();
        let body = SplitTopicRequest { post_ids, title: title.get_untracked(), category: None };
        busy.set(true);
        error.set(None);
        let (id, navigate) = (ctx.id(), navigate.clone());
        spawn_local(async move {
            match api::call(&SplitTopic { id, body }).await {
                Ok(topic) => {
                    ctx.split.set(None);
                    navigate(&format!("/discussions/{}", topic.summary.id), Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    move || {
        match ctx.split.with(Option::is_some) {
        false => view! {
            <div class="form-actions">
                <button type="button" class="secondary" on:click=move |_| ctx.split.set(Some(Vec::new()))>
                    {t(Msg::SplitReplies)}
                </button>
            </div>
        }
        .into_any(),
        true => view! {
            <form class="split-form" on:submit=submit.clone() novalidate>
                <p class="hint">{t(Msg::SplitHint)}</p>
                <ErrorSlot error=error fields=&["post_ids", "title"]/>
                <TextField id="split-title" label=t(Msg::NewTopicTitle) value=title error=field_error(error, "title")/>
                <div class="form-actions">
                    <button class="primary" type="submit" disabled=move || busy.get() || chosen() == 0>
                        {move || i18n::fill(Msg::SplitCount, &[("n", &chosen().to_string())])}
                    </button>
                    <button class="secondary" type="button" on:click=move |_| ctx.split.set(None)>{t(Msg::Cancel)}</button>
                </div>
            </form>
        }
        .into_any(),
    }
    }
}

/// Scrolls to the post named in the address (`#post-…`), once it is on the page.
fn scroll_to_hash() {
    let Some(window) = web_sys::window() else { return };
    let hash = window.location().hash().unwrap_or_default();
    if let Some(id) = hash.strip_prefix('#').filter(|h| h.starts_with("post-"))
        && let Some(element) = window.document().and_then(|d| d.get_element_by_id(id))
    {
        element.scroll_into_view();
        if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
            let _ = element.focus();
        }
    }
}

fn posts_query(id: String, cursor: Option<String>) -> ListPosts {
    ListPosts { id, limit: None, cursor }
}

#[component]
fn Posts(ctx: TopicCtx) -> impl IntoView {
    let id = StoredValue::new(ctx.id());
    let resource = LocalResource::new(move || {
        let query = posts_query(id.get_value(), None);
        async move { api::call(&query).await }
    });
    view! {
        <section class="posts" aria-label=t(Msg::Posts)>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || resource.get().map(|result| match result {
                    Ok(page) => {
                        let paged = Paged::new(page);
                        ctx.posts.set_value(Some(paged));
                        let on_load = Callback::new(move |_| {
                            let id = id.get_value();
                            paged.load_more(move |cursor| async move { api::call(&posts_query(id, Some(cursor))).await })
                        });
                        request_animation_frame(scroll_to_hash);
                        view! {
                            <ol class="post-list">
                                <For each=move || paged.items.get() key=|p: &Post| p.id.clone() let(post)>
                                    <li><PostItem post=post ctx=ctx/></li>
                                </For>
                            </ol>
                            {paged.footer(on_load)}
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// The reply form, or why there is none: a sign-in prompt, a locked topic, or a
/// topic the member may read but not answer (a group they are not in).
#[component]
fn ReplyForm(ctx: TopicCtx) -> impl IntoView {
    if !ctx.signed_in() {
        return view! {
            <section class="card reply" aria-labelledby="reply-title">
                <h2 id="reply-title">{t(Msg::ReplyHeading)}</h2>
                <p>{t(Msg::SignInToReply)} " " <a href="/login">{t(Msg::SignIn)}</a></p>
            </section>
        }
        .into_any();
    }
    let body = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let note = RwSignal::new(None::<String>);
    let can_reply = Memo::new(move |_| ctx.topic.with(|t| t.permissions.reply));
    let locked = Memo::new(move |_| ctx.topic.with(|t| t.summary.locked));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        note.set(None);
        let id = ctx.id();
        let request = CreatePostRequest {
            body: body.get_untracked(),
            quote_post_id: ctx.quote.with_untracked(|q| q.as_ref().map(|q| q.id.clone())),
        };
        spawn_local(async move {
            match api::call(&CreatePost { id, body: request }).await {
                Ok(post) => {
                    body.set(String::new());
                    ctx.quote.set(None);
                    ctx.topic.update(|t| t.summary.reply_count += 1);
                    match ctx.posts.get_value() {
                        Some(paged) if paged.next.with_untracked(Option::is_none) => {
                            paged.items.update(|items| items.push(post));
                        }
                        _ => note.set(Some(t(Msg::ReplyPostedLoadMore).to_owned())),
                    }
                    // The first reply to a question sets its time to first reply.
                    if ctx.topic.with_untracked(|t| t.seconds_to_first_reply.is_none()) {
                        ctx.reload();
                    }
                }
                Err(e) => {
                    if e.code() == Some(ErrorCode::TopicLocked) {
                        ctx.reload();
                    }
                    error.set(Some(e));
                }
            }
            busy.set(false);
        });
    };
    let explanation = move || {
        if can_reply.get() {
            None
        } else if locked.get() {
            Some(t(Msg::ReplyLocked))
        } else {
            Some(t(Msg::ReplyNotAllowed))
        }
    };
    view! {
        <section class="card reply" aria-labelledby="reply-title">
            <h2 id="reply-title">{t(Msg::ReplyHeading)}</h2>
            {move || explanation().map(|text| view! { <p class="notice" id="reply-disabled">{text}</p> })}
            <form on:submit=submit novalidate>
                <fieldset class="plain" disabled=move || !can_reply.get() aria-describedby=move || explanation().map(|_| "reply-disabled")>
                    <ErrorSlot error=error fields=&["body"]/>
                    <StatusNote message=note.into()/>
                    {move || ctx.quote.get().map(|q| view! {
                        <p class="quoting">
                            {i18n::fill(Msg::Quoting, &[("n", &q.number.to_string()), ("name", &q.author)])}
                            " "
                            <button type="button" class="secondary compact" on:click=move |_| ctx.quote.set(None)>
                                {t(Msg::RemoveQuote)}
                            </button>
                        </p>
                    })}
                    <MarkdownEditor
                        id="reply-body"
                        label=t(Msg::YourReply)
                        value=body
                        rows=5
                        error=field_error(error, "body")
                        node_ref=ctx.reply_box
                    />
                    <button class="primary" type="submit" disabled=busy>
                        {busy_text(busy, Msg::PostReply)}
                    </button>
                </fieldset>
            </form>
        </section>
    }
    .into_any()
}
