//! One library item's page: what it is and where it comes from, its preview (a
//! thumbnail, a text excerpt, or an icon by kind), downloads of the current and
//! earlier versions, editing and new versions for its owner, and its discussion.

use copse_shared::ErrorCode;
use copse_shared::endpoints::{DeleteLibraryItem, GetLibraryItem};
use copse_shared::library::{
    ItemVersion, LibraryItem, PreviewKind, download_path, preview_path, version_download_path,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;

use super::form::{EditItemForm, NewVersionForm};
use super::{downloads_count, facet_links, file_size, kind_icon, kind_label};
use crate::api::{self, ApiError};
use crate::components::confirm::ConfirmButton;
use crate::components::provenance::provenance_view;
use crate::components::status::{ErrorAlert, ErrorSlot, Loading};
use crate::format;
use crate::i18n::{self, Msg, t};
use crate::pages::discussions::error_view;
use crate::pages::discussions::topic::TopicThread;
use crate::pages::members::bookmarks::BookmarkButton;
use crate::pages::placeholder::NotFound;
use crate::state::{SessionState, use_session};
use copse_shared::profiles::BookmarkKind;

#[component]
pub fn ItemPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let session = use_session();
    move || {
        let id = id.get();
        match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            state => view! { <ItemLoader id=id viewer=state.user().map(|u| u.id.clone())/> }.into_any(),
        }
    }
}

#[component]
fn ItemLoader(id: String, viewer: Option<String>) -> impl IntoView {
    let resource = LocalResource::new(move || {
        let query = GetLibraryItem { id: id.clone() };
        async move { api::call(&query).await }
    });
    let viewer = StoredValue::new(viewer);
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(item) => view! { <ItemView item=item viewer=viewer.get_value()/> }.into_any(),
                Err(e) if e.code() == Some(ErrorCode::NotFound) => view! { <NotFound/> }.into_any(),
                Err(e) => error_view(e).into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn ItemView(item: LibraryItem, viewer: Option<String>) -> impl IntoView {
    let topic_id = item.topic_id.clone();
    let signed_in = viewer.is_some();
    let item = RwSignal::new(item);
    let editing = RwSignal::new(false);
    let deleted = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let can_edit = Memo::new(move |_| item.with(|i| i.permissions.edit));
    let is_link = Memo::new(move |_| item.with(|i| i.summary.url.is_some()));
    let current = Memo::new(move |_| item.with(|i| i.summary.current_version.as_ref().map(|v| v.number)));
    let delete = Callback::new(move |_| {
        let id = item.with_untracked(|i| i.summary.id.clone());
        busy.set(true);
        spawn_local(async move {
            match api::call(&DeleteLibraryItem { id }).await {
                Ok(()) => deleted.set(true),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    });
    view! {
        {move || deleted.get().then(|| view! { <Redirect path="/library"/> })}
        <article class="library-item" aria-labelledby="item-title">
            <header class="item-header">
                {move || item.with(header_view)}
                <div class="topic-actions">
                    {signed_in.then(|| view! {
                        <BookmarkButton kind=BookmarkKind::LibraryItem id=item.with_untracked(|i| i.summary.id.clone())/>
                    })}
                    {move || (can_edit.get() && !editing.get()).then(|| view! {
                        <button type="button" class="secondary" on:click=move |_| editing.set(true)>{t(Msg::EditItem)}</button>
                        <ConfirmButton
                            label=t(Msg::DeleteItem)
                            question=t(Msg::DeleteItemQuestion)
                            confirm=t(Msg::DeleteItem)
                            busy=busy
                            on_confirm=delete
                        />
                    })}
                </div>
                <ErrorSlot error=error/>
            </header>
            {move || editing.get().then(|| view! { <EditItemForm item=item open=editing/> })}
            <div class="item-body">
                <section class="item-preview" aria-label=t(Msg::Preview)>
                    {move || {
                        // Rebuilt for a new version only, not for every change to the item.
                        current.track();
                        item.with_untracked(preview_view)
                    }}
                </section>
                <section class="item-facts">
                    {move || item.with(|i| i.summary.url.clone()).map(|url| view! {
                        <p>
                            <a class="button primary" href=url.clone() target="_blank" rel="noopener noreferrer nofollow">
                                {t(Msg::OpenLink)}
                            </a>
                        </p>
                        <p class="meta url">{url}</p>
                    })}
                    {move || item.with(|i| i.summary.current_version.clone()).map(|v| view! {
                        <DownloadButton item=item version=v current=true/>
                    })}
                    <p class="meta" data-testid="download-count">{move || item.with(|i| downloads_count(i.summary.download_count))}</p>
                    {move || {
                        let html = item.with(|i| i.description_html.clone());
                        (!html.trim().is_empty()).then(|| view! { <div class="prose" inner_html=html></div> })
                    }}
                </section>
            </div>
            {move || (!is_link.get()).then(|| view! { <Versions item=item/> })}
            {move || (can_edit.get() && !is_link.get()).then(|| view! { <NewVersionForm item=item/> })}
            <section class="item-discussion" aria-labelledby="discussion-title">
                <h2 id="discussion-title">{t(Msg::Discussion)}</h2>
                {match topic_id {
                    Some(id) => view! { <TopicThread id=id viewer=viewer/> }.into_any(),
                    None => view! { <p class="empty">{t(Msg::NoDiscussion)}</p> }.into_any(),
                }}
            </section>
        </article>
    }
}

/// Title, kind, place, people and dates.
fn header_view(item: &LibraryItem) -> AnyView {
    let s = &item.summary;
    let owner = s.owner.as_ref().map(|o| o.display_name.clone()).unwrap_or_else(|| t(Msg::FormerMember).to_owned());
    view! {
        <h1 id="item-title">{s.title.clone()}</h1>
        <p class="meta">
            <span class="badge muted" data-testid="item-kind">{kind_label(s.kind)}</span>
            {s.group.clone().map(|g| {
                let href = format!("/groups/{}", g.slug);
                view! { " " <span class="in-group">{t(Msg::InGroup)} " " <a href=href>{g.name}</a></span> }
            })}
            " "
            {facet_links(&s.tags, s.language.as_deref(), s.licence.as_deref())}
        </p>
        <p class="meta">
            {i18n::fill(Msg::SharedBy, &[("name", &owner)])} " · "
            <time datetime=format::iso(s.created_at)>{format::date(s.created_at)}</time>
            {(s.updated_at != s.created_at).then(|| view! {
                " · " {t(Msg::Updated)} " "
                <time datetime=format::iso(s.updated_at)>{format::date(s.updated_at)}</time>
            })}
        </p>
        {provenance_view(item.provenance.as_ref())}
    }
    .into_any()
}

/// The picture, the text excerpt, or the kind's icon.
fn preview_view(item: &LibraryItem) -> AnyView {
    let s = &item.summary;
    let version = s.current_version.as_ref();
    match version.map(|v| v.preview) {
        Some(PreviewKind::Image) => {
            let alt = i18n::fill(Msg::PreviewOf, &[("title", &s.title)]);
            view! { <Thumbnail path=preview_path(&s.id) alt=alt/> }.into_any()
        }
        Some(PreviewKind::Text) => {
            let excerpt = version.and_then(|v| v.text_excerpt.clone()).unwrap_or_default();
            view! { <pre class="text-preview" data-testid="text-preview">{excerpt}</pre> }.into_any()
        }
        _ => view! {
            <div class="no-preview">
                {kind_icon(s.kind, version.map(|v| v.content_type.as_str()), true)}
                <p class="meta">{t(if s.url.is_some() { Msg::LinkNoPreview } else { Msg::NoPreview })}</p>
            </div>
        }
        .into_any(),
    }
}

/// A thumbnail fetched with the access token (an `<img src>` cannot send it).
#[component]
fn Thumbnail(path: String, alt: String) -> impl IntoView {
    let url = RwSignal::new(None::<String>);
    let failed = RwSignal::new(false);
    spawn_local(async move {
        match api::object_url(&path).await {
            Ok(object) => url.set(Some(object)),
            Err(_) => failed.set(true),
        }
    });
    on_cleanup(move || {
        if let Some(object) = url.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&object);
        }
    });
    move || match (url.get(), failed.get()) {
        (Some(src), _) => {
            view! { <img class="thumbnail" src=src alt=alt.clone() data-testid="image-preview"/> }.into_any()
        }
        (None, true) => view! { <p class="meta">{t(Msg::NoPreview)}</p> }.into_any(),
        (None, false) => view! { <Loading/> }.into_any(),
    }
}

/// Downloads one version under its own file name.
#[component]
fn DownloadButton(item: RwSignal<LibraryItem>, version: ItemVersion, current: bool) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let number = version.number;
    let file_name = StoredValue::new(version.file_name.clone());
    let label = if current {
        i18n::fill(Msg::DownloadFile, &[("size", &file_size(version.size))])
    } else {
        i18n::fill(Msg::DownloadVersion, &[("n", &number.to_string())])
    };
    let click = move |_| {
        let id = item.with_untracked(|i| i.summary.id.clone());
        let path = if current { download_path(&id) } else { version_download_path(&id, number) };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::save_file(&path, &file_name.get_value()).await {
                Ok(()) => item.update(|i| i.summary.download_count += 1),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let class = if current { "primary" } else { "secondary compact" };
    view! {
        <button type="button" class=class disabled=busy on:click=click data-testid=format!("download-v{number}")>
            {label}
        </button>
        {move || error.get().map(|e| view! { <ErrorAlert message=e.message()/> })}
    }
}

/// Every version, newest first, each downloadable.
#[component]
fn Versions(item: RwSignal<LibraryItem>) -> impl IntoView {
    view! {
        <section class="card versions" aria-labelledby="versions-title">
            <h2 id="versions-title" class="small-heading">{t(Msg::Versions)}</h2>
            {move || {
                let versions = item.with(|i| i.versions.clone());
                if versions.is_empty() {
                    return view! { <p class="empty">{t(Msg::NoFileYet)}</p> }.into_any();
                }
                view! {
                    <ol class="version-list" reversed>
                        {versions
                            .into_iter()
                            .map(|v| {
                                let who = v.uploaded_by.as_ref().map(|m| m.display_name.clone())
                                    .unwrap_or_else(|| t(Msg::FormerMember).to_owned());
                                view! {
                                    <li class="version" data-testid="version">
                                        <div>
                                            <strong>{i18n::fill(Msg::VersionNumber, &[("n", &v.number.to_string())])}</strong>
                                            " · " <span class="file-name">{v.file_name.clone()}</span>
                                            " · " {file_size(v.size)}
                                            <p class="meta">
                                                {who} " · "
                                                <time datetime=format::iso(v.created_at)>{format::date_time(v.created_at)}</time>
                                            </p>
                                            {(!v.change_note.is_empty()).then(|| view! { <p class="change-note">{v.change_note.clone()}</p> })}
                                        </div>
                                        <DownloadButton item=item version=v current=false/>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                .into_any()
            }}
        </section>
    }
}
