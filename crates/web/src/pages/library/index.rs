//! The library index: filters kept in the address (kind, group, order, and the tag,
//! language or licence chosen on an item), and the list, page by page.

use copse_shared::endpoints::ListLibraryItems;
use copse_shared::library::{ItemKind, LibraryItemSummary, LibrarySort};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{Filters, ItemRow, kind_label};
use crate::components::field::FilterChip;
use crate::components::group_select::GroupSelect;
use crate::components::status::Loading;
use crate::i18n::{Msg, t};
use crate::pages::discussions::new::my_groups;
use crate::pages::paged::paged_list;
use crate::state::{SessionState, use_session};

/// The fixed choices of a group filter: everywhere, or community-wide content only.
pub const GROUP_FILTER: &[(&str, Msg)] = &[("", Msg::EverywhereVisible), ("community", Msg::WholeCommunity)];

#[component]
pub fn LibraryPage() -> impl IntoView {
    let session = use_session();
    view! {
        <h1>{t(Msg::NavLibrary)}</h1>
        <p class="lead">{t(Msg::SectionLibrary)}</p>
        {move || match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            state => view! { <Index signed_in=state.user().is_some()/> }.into_any(),
        }}
    }
}

fn sort_label(sort: LibrarySort) -> &'static str {
    t(match sort {
        LibrarySort::Newest => Msg::SortNewest,
        LibrarySort::MostDownloaded => Msg::SortMostDownloaded,
        LibrarySort::RecentlyUpdated => Msg::SortRecentlyUpdated,
    })
}

#[component]
fn Index(signed_in: bool) -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let q = query.read();
        let nonempty = |key: &str| q.get(key).filter(|v| !v.is_empty());
        Filters {
            kind: nonempty("kind").and_then(|k| ItemKind::parse(&k)),
            group: nonempty("group"),
            tag: nonempty("tag"),
            language: nonempty("language"),
            licence: nonempty("licence"),
            sort: nonempty("sort").and_then(|s| {
                [LibrarySort::Newest, LibrarySort::MostDownloaded, LibrarySort::RecentlyUpdated]
                    .into_iter()
                    .find(|v| v.as_str() == s)
            }),
        }
    });
    let navigate = use_navigate();
    let change = move |edit: &dyn Fn(&mut Filters)| {
        let mut next = filters.get_untracked();
        edit(&mut next);
        navigate(&next.href(), NavigateOptions { replace: true, scroll: false, ..Default::default() });
    };
    let groups = LocalResource::new(move || async move {
        if signed_in { my_groups().await.unwrap_or_default() } else { Vec::new() }
    });
    let on_kind = {
        let change = change.clone();
        move |value: String| change(&|f| f.kind = ItemKind::parse(&value))
    };
    let on_group = {
        let change = change.clone();
        move |value: String| change(&|f| f.group = (!value.is_empty()).then(|| value.clone()))
    };
    let on_sort = {
        let change = change.clone();
        move |value: String| {
            change(&|f| {
                f.sort = [LibrarySort::MostDownloaded, LibrarySort::RecentlyUpdated]
                    .into_iter()
                    .find(|s| s.as_str() == value)
            })
        }
    };
    // The facets chosen on an item show as chips that remove themselves.
    let chip = move |label: Msg, value: Option<String>, clear: fn(&mut Filters)| {
        let change = change.clone();
        let on_remove = Callback::new(move |_| change(&|f| clear(f)));
        value.map(|value| view! { <FilterChip label=t(label) value=value on_remove=on_remove/> })
    };
    view! {
        {signed_in.then(|| view! {
            <div class="page-actions">
                <a class="button primary" href="/library/new">{t(Msg::ShareItem)}</a>
            </div>
        })}
        <div class="filters" role="group" aria-label=t(Msg::Filters)>
            <div class="field">
                <label for="filter-kind">{t(Msg::ItemKindLabel)}</label>
                <select id="filter-kind" on:change=move |ev| on_kind(event_target_value(&ev))>
                    <option value="" prop:selected=move || filters.with(|f| f.kind.is_none())>{t(Msg::AllKinds)}</option>
                    {ItemKind::ALL
                        .into_iter()
                        .map(|kind| view! {
                            <option value=kind.as_str() prop:selected=move || filters.with(|f| f.kind == Some(kind))>
                                {kind_label(kind)}
                            </option>
                        })
                        .collect_view()}
                </select>
            </div>
            <GroupSelect
                id="filter-group"
                label=t(Msg::GroupLabel)
                groups=Signal::derive(move || groups.get().unwrap_or_default())
                selected=Signal::derive(move || filters.with(|f| f.group.clone().unwrap_or_default()))
                leading=GROUP_FILTER
                on_change=Callback::new(on_group)
            />
            <div class="field">
                <label for="filter-sort">{t(Msg::SortBy)}</label>
                <select id="filter-sort" on:change=move |ev| on_sort(event_target_value(&ev))>
                    {[LibrarySort::Newest, LibrarySort::MostDownloaded, LibrarySort::RecentlyUpdated]
                        .into_iter()
                        .map(|sort| view! {
                            <option
                                value=sort.as_str()
                                prop:selected=move || filters.with(|f| f.sort.unwrap_or_default() == sort)
                            >
                                {sort_label(sort)}
                            </option>
                        })
                        .collect_view()}
                </select>
            </div>
            {move || {
                let f = filters.get();
                view! {
                    {chip(Msg::Tags, f.tag.clone(), |f| f.tag = None)}
                    {chip(Msg::Language, f.language.clone(), |f| f.language = None)}
                    {chip(Msg::Licence, f.licence.clone(), |f| f.licence = None)}
                }
            }}
        </div>
        <ItemList query=Signal::derive(move || {
            filters.with(|f| ListLibraryItems {
                kind: f.kind,
                tag: f.tag.clone(),
                group: f.group.clone(),
                language: f.language.clone(),
                licence: f.licence.clone(),
                sort: f.sort,
                limit: None,
                cursor: None,
            })
        })/>
    }
}

/// A page of items with "Load more"; `query` gives the first page's filters.
#[component]
pub fn ItemList(#[prop(into)] query: Signal<ListLibraryItems>) -> impl IntoView {
    paged_list(
        query,
        |item: &LibraryItemSummary| item.id.clone(),
        |item| view! { <ItemRow item=item/> },
        Msg::NoLibraryItems,
        "library-items",
        t(Msg::LibraryItems),
    )
}
