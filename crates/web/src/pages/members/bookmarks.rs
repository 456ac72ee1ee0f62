//! Bookmarks: one list of the topics, library items and web links a member keeps,
//! each with a note; and the "Bookmark" button that topic and item pages show.

use copse_shared::ErrorCode;
use copse_shared::endpoints::{CreateBookmark, DeleteBookmark, ListBookmarks, UpdateBookmark};
use copse_shared::profiles::{Bookmark, BookmarkKind, CreateBookmarkRequest, UpdateBookmarkRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::field::{TextField, field_error};
use crate::components::status::{Empty, ErrorSlot, Loading, RowError, busy_text};
use crate::format;
use crate::i18n::{Msg, t};
use crate::pages::discussions::error_view;
use crate::pages::paged::Paged;
use crate::state::{SessionState, use_session};

fn kind_label(kind: BookmarkKind) -> &'static str {
    t(match kind {
        BookmarkKind::Topic => Msg::BookmarkTopic,
        BookmarkKind::LibraryItem => Msg::BookmarkLibraryItem,
        BookmarkKind::Event => Msg::BookmarkEvent,
        BookmarkKind::Link => Msg::BookmarkLink,
    })
}

/// Where a bookmark leads.
fn href(bookmark: &Bookmark) -> Option<String> {
    match bookmark.kind {
        BookmarkKind::Topic => bookmark.target_id.as_ref().map(|id| format!("/discussions/{id}")),
        BookmarkKind::LibraryItem => bookmark.target_id.as_ref().map(|id| format!("/library/{id}")),
        BookmarkKind::Event => bookmark.target_id.as_ref().map(|id| format!("/events/{id}")),
        BookmarkKind::Link => bookmark.url.clone(),
    }
}

/// Keeps a topic, library item or event in the member's bookmarks.
#[component]
pub fn BookmarkButton(kind: BookmarkKind, id: String) -> impl IntoView {
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = StoredValue::new(id);
    let click = move |_| {
        busy.set(true);
        error.set(None);
        let request = CreateBookmarkRequest {
            kind,
            target_id: Some(id.get_value()),
            url: None,
            title: None,
            note: String::new(),
        };
        spawn_local(async move {
            match api::call(&CreateBookmark(request)).await {
                Ok(_) => saved.set(true),
                // Already bookmarked: that is what the member wanted.
                Err(e) if e.code() == Some(ErrorCode::Conflict) => saved.set(true),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        {move || if saved.get() {
            view! { <span class="status-note" data-testid="bookmarked">"✓ " {t(Msg::Bookmarked)} " " <a href="/bookmarks">{t(Msg::MyBookmarks)}</a></span> }.into_any()
        } else {
            view! { <button type="button" class="secondary" disabled=busy on:click=click data-testid="bookmark">{t(Msg::Bookmark)}</button> }.into_any()
        }}
        <RowError error=error/>
    }
}

#[component]
pub fn BookmarksPage() -> impl IntoView {
    let session = use_session();
    view! {
        <h1>{t(Msg::MyBookmarks)}</h1>
        {move || match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            SessionState::SignedOut => view! {
                <p class="notice">{t(Msg::SignInToSeeMembers)} " " <a href="/login">{t(Msg::SignIn)}</a></p>
            }
            .into_any(),
            SessionState::SignedIn(_) => view! { <Bookmarks/> }.into_any(),
        }}
    }
}

#[component]
fn Bookmarks() -> impl IntoView {
    let kind = RwSignal::new(None::<BookmarkKind>);
    let version = RwSignal::new(0u32);
    let resource = LocalResource::new(move || {
        version.track();
        let query = ListBookmarks { kind: kind.get(), limit: None, cursor: None };
        async move { api::call(&query).await }
    });
    view! {
        <AddLink on_added=Callback::new(move |_| version.update(|v| *v += 1))/>
        <div class="filters" role="group" aria-label=t(Msg::Filters)>
            <div class="field">
                <label for="bookmark-kind">{t(Msg::ItemKindLabel)}</label>
                <select id="bookmark-kind" on:change=move |ev| kind.set(BookmarkKind::parse(&event_target_value(&ev)))>
                    <option value="">{t(Msg::AllKinds)}</option>
                    {BookmarkKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{kind_label(k)}</option> }).collect_view()}
                </select>
            </div>
        </div>
        <Transition fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(page) => {
                    let paged = Paged::new(page);
                    let first = kind.get_untracked();
                    let on_load = Callback::new(move |_| {
                        paged.load_more(move |cursor| async move {
                            api::call(&ListBookmarks { kind: first, limit: None, cursor: Some(cursor) }).await
                        })
                    });
                    view! {
                        {move || paged.is_empty().then(|| view! { <Empty text=t(Msg::NoBookmarks)/> })}
                        <ul class="bookmarks plain-list" aria-label=t(Msg::MyBookmarks)>
                            <For each=move || paged.items.get() key=|b: &Bookmark| b.id.clone() let(bookmark)>
                                <BookmarkRow bookmark=bookmark paged=paged/>
                            </For>
                        </ul>
                        {paged.footer(on_load)}
                    }
                    .into_any()
                }
                Err(e) => error_view(e).into_any(),
            })}
        </Transition>
    }
}

#[component]
fn BookmarkRow(bookmark: Bookmark, paged: Paged<Bookmark>) -> impl IntoView {
    let id = StoredValue::new(bookmark.id.clone());
    let note = RwSignal::new(bookmark.note.clone());
    let editing = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let target = href(&bookmark);
    let external = bookmark.kind == BookmarkKind::Link;
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let body = UpdateBookmarkRequest { note: note.get_untracked(), title: None };
        spawn_local(async move {
            match api::call(&UpdateBookmark { id: id.get_value(), body }).await {
                Ok(updated) => {
                    note.set(updated.note);
                    editing.set(false);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let remove = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::call(&DeleteBookmark { id: id.get_value() }).await {
                Ok(()) => paged.remove(|b| b.id == id.get_value()),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <li class="card bookmark" data-testid="bookmark-row">
            <p class="meta"><span class="badge muted">{kind_label(bookmark.kind)}</span> " "
                <time datetime=format::iso(bookmark.created_at)>{format::date(bookmark.created_at)}</time>
            </p>
            <h3 class="item-title">
                {match (target, bookmark.available) {
                    (Some(href), true) if external => view! { <a href=href rel="noopener noreferrer nofollow" target="_blank">{bookmark.title.clone()}</a> }.into_any(),
                    (Some(href), true) => view! { <a href=href>{bookmark.title.clone()}</a> }.into_any(),
                    _ => view! { <span>{bookmark.title.clone()} " " <span class="badge muted">{t(Msg::NoLongerAvailable)}</span></span> }.into_any(),
                }}
            </h3>
            {move || if editing.get() {
                view! {
                    <form class="inline-form" on:submit=save>
                        <label class="visually-hidden" for=format!("note-{}", id.get_value())>{t(Msg::Note)}</label>
                        <input id=format!("note-{}", id.get_value()) type="text" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))/>
                        <button class="primary compact" type="submit" disabled=busy>{t(Msg::Save)}</button>
                    </form>
                }
                .into_any()
            } else {
                view! {
                    {move || { let n = note.get(); (!n.is_empty()).then(|| view! { <p class="note">{n}</p> }) }}
                    <div class="row-actions">
                        <button type="button" class="secondary compact" on:click=move |_| editing.set(true)>{t(Msg::EditNote)}</button>
                        <button type="button" class="secondary compact danger-text" disabled=busy on:click=remove>{t(Msg::Remove)}</button>
                    </div>
                }
                .into_any()
            }}
            <RowError error=error/>
        </li>
    }
}

/// Bookmarks a page on the web.
#[component]
fn AddLink(on_added: Callback<()>) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let request = CreateBookmarkRequest {
            kind: BookmarkKind::Link,
            target_id: None,
            url: Some(url.get_untracked()),
            title: Some(title.get_untracked()).filter(|t| !t.trim().is_empty()),
            note: note.get_untracked(),
        };
        spawn_local(async move {
            match api::call(&CreateBookmark(request)).await {
                Ok(_) => {
                    url.set(String::new());
                    title.set(String::new());
                    note.set(String::new());
                    on_added.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <details class="card add-link">
            <summary>{t(Msg::BookmarkALink)}</summary>
            <form on:submit=submit novalidate>
                <ErrorSlot error=error fields=&["url", "title", "note"]/>
                <TextField id="bookmark-url" label=t(Msg::WebAddress) kind="url" value=url error=field_error(error, "url")/>
                <TextField id="bookmark-title" label=t(Msg::Title) value=title error=field_error(error, "title") required=false/>
                <TextField id="bookmark-note" label=t(Msg::Note) value=note error=field_error(error, "note") required=false/>
                <button class="primary" type="submit" disabled=busy>{busy_text(busy, Msg::Bookmark)}</button>
            </form>
        </details>
    }
}
