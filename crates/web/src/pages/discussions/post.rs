//! One post on a topic's page: author, time, "edited" (with its revisions), the
//! quoted post, the body or its tombstone, reactions, and the actions the viewer may
//! take: reply with quote, edit, delete, flag, accept as answer, hide or restore.

use copse_shared::ErrorCode;
use copse_shared::discussions::{
    AcceptAnswerRequest, FlagRequest, Post, PostRevision, ReactionKind, TopicKind, UpdatePostRequest,
};
use copse_shared::endpoints::{
    AcceptAnswer, AddReaction, DeletePost, FlagPost, GetPost, HidePost, ListRevisions, RemoveReaction, RestorePost,
    UnacceptAnswer, UpdatePost,
};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;

use super::topic::{QuoteTarget, TopicCtx};
use crate::api::{self, ApiError};
use crate::components::confirm::ConfirmButton;
use crate::components::editor::MarkdownEditor;
use crate::components::field::{TextArea, field_error};
use crate::components::status::{ErrorAlert, ErrorSlot, Loading, busy_text};
use crate::format;
use crate::i18n::{self, Msg, t};

fn reaction_name(kind: ReactionKind) -> Msg {
    match kind {
        ReactionKind::Like => Msg::ReactionLike,
        ReactionKind::Thanks => Msg::ReactionThanks,
        ReactionKind::Insightful => Msg::ReactionInsightful,
        ReactionKind::Celebrate => Msg::ReactionCelebrate,
    }
}

fn author_name(post: &Post) -> String {
    post.author.as_ref().map(|a| a.display_name.clone()).unwrap_or_else(|| t(Msg::FormerMember).to_owned())
}

/// A small action that reads as a link.
fn link_button(text: Msg, on_click: Callback<()>) -> AnyView {
    view! { <button type="button" class="link" on:click=move |_| on_click.run(())>{t(text)}</button> }.into_any()
}

#[component]
pub fn PostItem(post: Post, ctx: TopicCtx) -> impl IntoView {
    let id = StoredValue::new(post.id.clone());
    let number = post.number;
    let own = ctx.viewer.with_value(|v| v.is_some() && v.as_deref() == post.author.as_ref().map(|a| a.id.as_str()));
    let post = RwSignal::new(post);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let show_revisions = RwSignal::new(false);
    let moderator = Memo::new(move |_| ctx.topic.with(|t| t.permissions.moderate));
    let accepted =
        Memo::new(move |_| ctx.topic.with(|t| t.accepted_post_id.as_deref() == Some(id.get_value().as_str())));
    let gone = move || post.with(|p| p.deleted);
    let anchor = format!("post-{}", post.with_untracked(|p| p.id.clone()));
    let head_id = format!("{anchor}-head");
    let navigate = use_navigate();

    // Runs an action that answers with the post, and takes the new version.
    let act = move |action: &'static str| {
        busy.set(true);
        error.set(None);
        let id = id.get_value();
        spawn_local(async move {
            let result = match action {
                "hide" => api::call(&HidePost { id }).await,
                _ => api::call(&RestorePost { id }).await,
            };
            match result {
                Ok(fresh) => post.set(fresh),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let accept = move |accepting: bool| {
        busy.set(true);
        error.set(None);
        let (topic, post_id) = (ctx.id(), id.get_value());
        spawn_local(async move {
            let result = if accepting {
                api::call(&AcceptAnswer { id: topic, body: AcceptAnswerRequest { post_id } }).await
            } else {
                api::call(&UnacceptAnswer { id: topic }).await
            };
            match result {
                Ok(topic) => ctx.topic.set(topic),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let delete = Callback::new(move |_| {
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::call(&DeletePost { id: id.get_value() }).await {
                // Deleting the opening post deletes the topic.
                Ok(_) if number == 1 => navigate("/discussions", Default::default()),
                Ok(_) => {
                    post.update(|p| {
                        p.deleted = true;
                        p.body.clear();
                        p.body_html.clear();
                        p.reactions.clear();
                        p.can_edit = false;
                    });
                    // The count, and the accepted answer if it was this one, changed.
                    ctx.reload();
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    });
    let quote = move || {
        ctx.quote.set(Some(QuoteTarget { id: id.get_value(), number, author: post.with_untracked(author_name) }));
        if let Some(textarea) = ctx.reply_box.get_untracked() {
            let _ = textarea.focus();
        }
    };
    let editing = move || ctx.editing.get().as_deref() == Some(id.get_value().as_str());
    let flagging = move || ctx.flagging.get().as_deref() == Some(id.get_value().as_str());
    let is_question = move || ctx.topic.with(|t| t.summary.kind == TopicKind::Question && t.permissions.accept);

    let body = move || {
        post.with(|p| {
            if p.deleted {
                view! { <p class="tombstone">{t(Msg::PostDeleted)}</p> }.into_any()
            } else if p.hidden && p.body_html.is_empty() {
                view! { <p class="tombstone">{t(Msg::PostHidden)}</p> }.into_any()
            } else {
                view! {
                    {p.hidden.then(|| view! { <p class="notice warn">{t(Msg::PostHiddenForOthers)}</p> }.into_any())}
                    <div class="prose" inner_html=p.body_html.clone()></div>
                }
                .into_any()
            }
        })
    };
    let signed_in = ctx.signed_in();
    let question = if number == 1 { Msg::DeleteTopicQuestion } else { Msg::DeletePostQuestion };
    let edited = Memo::new(move |_| post.with(|p| p.edited_at.is_some() && !p.deleted));
    let can_edit = Memo::new(move |_| post.with(|p| p.can_edit));
    let actions = move || {
        view! {
            <div class="post-actions">
                {move || ctx.topic.with(|t| t.permissions.reply).then(|| link_button(Msg::ReplyWithQuote, Callback::new(move |_| quote())))}
                {move || (can_edit.get() && !editing()).then(|| {
                    link_button(Msg::Edit, Callback::new(move |_| ctx.editing.set(Some(id.get_value()))))
                })}
                {move || can_edit.get().then(|| view! {
                    <ConfirmButton
                        label=t(Msg::Delete)
                        question=t(question)
                        confirm=t(Msg::DeleteConfirm)
                        busy=busy
                        on_confirm=delete
                    />
                }.into_any())}
                {(!own).then(|| link_button(Msg::Flag, Callback::new(move |_| ctx.flagging.set(Some(id.get_value())))))}
                {move || (is_question() && number > 1 && !post.with(|p| p.hidden)).then(|| {
                    let accepting = !accepted.get();
                    view! {
                        <button
                            type="button"
                            class=if accepting { "primary" } else { "secondary" }
                            disabled=busy
                            on:click=move |_| accept(accepting)
                        >
                            {t(if accepting { Msg::AcceptAnswer } else { Msg::Unaccept })}
                        </button>
                    }
                    .into_any()
                })}
                {move || moderator.get().then(|| {
                    let hidden = post.with(|p| p.hidden);
                    view! {
                        <button type="button" class="secondary" disabled=busy on:click=move |_| act(if hidden { "restore" } else { "hide" })>
                            {t(if hidden { Msg::RestorePost } else { Msg::HidePost })}
                        </button>
                    }
                    .into_any()
                })}
            </div>
        }
        .into_any()
    };
    view! {
        <article id=anchor tabindex="-1" class="post" class:accepted=accepted aria-labelledby=head_id.clone() data-testid="post">
            <header class="post-head" id=head_id.clone()>
                {move || (number > 1 && ctx.split.with(Option::is_some)).then(|| {
                    let check_id = format!("split-{}", id.get_value());
                    view! {
                        <input
                            type="checkbox"
                            id=check_id.clone()
                            class="split-check"
                            prop:checked=move || ctx.split.with(|s| s.as_ref().is_some_and(|s| s.contains(&id.get_value())))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                ctx.split.update(|s| {
                                    if let Some(s) = s {
                                        s.retain(|p| *p != id.get_value());
                                        if on {
                                            s.push(id.get_value());
                                        }
                                    }
                                });
                            }
                        />
                        <label class="visually-hidden" for=check_id>{t(Msg::SplitThisReply)}</label>
                    }
                })}
                <strong class="post-author">{post.with_untracked(author_name)}</strong>
                <span class="meta">
                    {format!("#{number} · ")}
                    {post.with_untracked(|p| {
                        let at = p.created_at;
                        view! { <time datetime=format::iso(at)>{format::date_time(at)}</time> }
                    })}
                </span>
                {move || edited.get().then(|| view! {
                    <button
                        type="button"
                        class="link meta"
                        aria-expanded=move || show_revisions.get().to_string()
                        on:click=move |_| show_revisions.update(|open| *open = !*open)
                    >
                        {t(Msg::Edited)}
                    </button>
                }.into_any())}
                {move || accepted.get().then(|| view! {
                    <span class="badge solved" data-testid="accepted-badge">"✓ " {t(Msg::AcceptedAnswer)}</span>
                }.into_any())}
            </header>
            {move || show_revisions.get().then(|| view! { <Revisions id=id.get_value()/> }.into_any())}
            {post.with_untracked(|p| p.quote.clone()).map(|q| {
                let who = q.author.map(|a| a.display_name).unwrap_or_else(|| t(Msg::FormerMember).to_owned());
                let href = format!("#post-{}", q.id);
                let excerpt = if q.excerpt.is_empty() { t(Msg::QuoteUnavailable).to_owned() } else { q.excerpt };
                view! {
                    <blockquote class="quote">
                        <p class="meta">
                            <a href=href>{i18n::fill(Msg::QuoteOf, &[("n", &q.number.to_string()), ("name", &who)])}</a>
                        </p>
                        <p>{excerpt}</p>
                    </blockquote>
                }
            })}
            {move || if editing() { view! { <PostEditor post=post ctx=ctx/> }.into_any() } else { body() }}
            <Reactions post=post signed_in=signed_in/>
            {move || (signed_in && !gone()).then(actions)}
            {move || flagging().then(|| view! { <FlagForm id=id.get_value() ctx=ctx/> }.into_any())}
            <ErrorSlot error=error/>
        </article>
    }
    .into_any()
}

/// The reactions bar: the four reactions with their counts; members toggle their own.
#[component]
fn Reactions(post: RwSignal<Post>, signed_in: bool) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let toggle = move |kind: ReactionKind, mine: bool| {
        busy.set(true);
        error.set(None);
        let id = post.with_untracked(|p| p.id.clone());
        spawn_local(async move {
            let result = if mine {
                api::call(&RemoveReaction { id, kind }).await
            } else {
                api::call(&AddReaction { id, kind }).await
            };
            match result {
                Ok(fresh) => post.set(fresh),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let count = move |kind: ReactionKind| {
        post.with(|p| p.reactions.iter().find(|r| r.kind == kind).map(|r| (r.count, r.mine)).unwrap_or((0, false)))
    };
    move || {
        if post.with(|p| p.deleted) {
            return None;
        }
        let buttons = ReactionKind::ALL
            .into_iter()
            .filter(|kind| signed_in || count(*kind).0 > 0)
            .map(|kind| {
                let (n, mine) = count(kind);
                let label = format!("{} ({n})", t(reaction_name(kind)));
                let shown = if n > 0 { format!("{} {n}", kind.emoji()) } else { kind.emoji().to_owned() };
                view! {
                    <button
                        type="button"
                        class="reaction"
                        aria-pressed=mine.to_string()
                        aria-label=label.clone()
                        title=label
                        disabled=move || busy.get() || !signed_in
                        on:click=move |_| toggle(kind, mine)
                    >
                        {shown}
                    </button>
                }
            })
            .collect_view();
        Some(view! {
            <div class="reactions" role="group" aria-label=t(Msg::Reactions)>
                {buttons}
                {move || error.get().map(|e| view! { <span class="field-error" role="alert">{e.message()}</span> })}
            </div>
        })
    }
}

/// The earlier texts of an edited post.
#[component]
fn Revisions(id: String) -> impl IntoView {
    let resource = LocalResource::new(move || {
        let query = ListRevisions { id: id.clone() };
        async move { api::call(&query).await }
    });
    view! {
        <section class="revisions" aria-label=t(Msg::Revisions)>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || resource.get().map(|result| match result {
                    Ok(revisions) => view! {
                        <h3 class="small-heading">{t(Msg::Revisions)}</h3>
                        <ol class="rows">
                            {revisions
                                .into_iter()
                                .map(|r: PostRevision| {
                                    let who = r.edited_by.map(|a| a.display_name).unwrap_or_default();
                                    view! {
                                        <li class="revision">
                                            <p class="meta">
                                                {i18n::fill(Msg::ReplacedBy, &[("name", &who)])} " "
                                                <time datetime=format::iso(r.replaced_at)>{format::date_time(r.replaced_at)}</time>
                                            </p>
                                            <div class="preview">{r.body}</div>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ol>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// Edits a post in place: reads its current text and version, then saves with
/// `If-Match`, so an edit made meanwhile is never overwritten.
#[component]
fn PostEditor(post: RwSignal<Post>, ctx: TopicCtx) -> impl IntoView {
    let id = post.with_untracked(|p| p.id.clone());
    let text = RwSignal::new(post.with_untracked(|p| p.body.clone()));
    let etag = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(true);
    let id = StoredValue::new(id);
    let area = NodeRef::<html::Textarea>::new();
    area.on_load(|textarea| {
        let _ = textarea.focus();
    });
    let load = move || {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::call_with(&GetPost { id: id.get_value() }, &[]).await {
                Ok(answer) => {
                    etag.set(answer.headers.get("etag"));
                    text.set(answer.body.body.clone());
                    post.set(answer.body);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    load();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let version = etag.get_untracked().unwrap_or_default();
        let body = UpdatePostRequest { body: text.get_untracked() };
        spawn_local(async move {
            match api::call_with(&UpdatePost { id: id.get_value(), body }, &[("If-Match", &version)]).await {
                Ok(answer) => {
                    post.set(answer.body);
                    ctx.editing.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let stale = move || error.with(|e| e.as_ref().and_then(ApiError::code) == Some(ErrorCode::PreconditionFailed));
    view! {
        <form class="post-editor" on:submit=submit novalidate>
            <ErrorSlot error=error fields=&["body"]/>
            {move || stale().then(|| view! {
                <p><button type="button" class="secondary" on:click=move |_| load()>{t(Msg::LoadLatest)}</button></p>
            })}
            <MarkdownEditor
                id="edit-body"
                label=t(Msg::EditPost)
                value=text
                error=field_error(error, "body")
                node_ref=area
            />
            <div class="form-actions">
                <button class="primary" type="submit" disabled=busy>
                    {busy_text(busy, Msg::Save)}
                </button>
                <button class="secondary" type="button" on:click=move |_| ctx.editing.set(None)>{t(Msg::Cancel)}</button>
            </div>
        </form>
    }
}

/// Flags a post for the moderators, with a reason.
#[component]
fn FlagForm(id: String, ctx: TopicCtx) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let sent = RwSignal::new(false);
    let id = StoredValue::new(id);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let body = FlagRequest { reason: reason.get_untracked() };
        spawn_local(async move {
            match api::call(&FlagPost { id: id.get_value(), body }).await {
                Ok(_) => sent.set(true),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let close = move |_| ctx.flagging.set(None);
    // Opening the form takes the keyboard to the reason.
    request_animation_frame(|| {
        let field = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("flag-reason"));
        if let Some(field) = field.and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = field.focus();
        }
    });
    move || {
        if sent.get() {
            return view! {
                <div class="flag-form" role="status">
                    <p>{t(Msg::FlagSent)}</p>
                    <button type="button" class="secondary" on:click=close>{t(Msg::Close)}</button>
                </div>
            }
            .into_any();
        }
        view! {
            <form class="flag-form" aria-labelledby="flag-title" on:submit=submit novalidate>
                <h3 id="flag-title" class="small-heading">{t(Msg::FlagTitle)}</h3>
                <ErrorSlot error=error fields=&["reason"]/>
                <TextArea
                    id="flag-reason"
                    label=t(Msg::FlagReason)
                    hint=t(Msg::FlagHint)
                    value=reason
                    rows=3
                    error=field_error(error, "reason")
                />
                <div class="form-actions">
                    <button class="primary" type="submit" disabled=busy>{t(Msg::SendFlag)}</button>
                    <button class="secondary" type="button" on:click=close>{t(Msg::Cancel)}</button>
                </div>
            </form>
        }
        .into_any()
    }
}
