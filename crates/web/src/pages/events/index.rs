//! The events page: the month grid, the week agenda or the upcoming and past lists,
//! the group, format and tag filters (all kept in the address, so a view can be shared
//! or bookmarked), "New event" for members, and the calendar-feed addresses.

use copse_shared::events::EventFormat;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::month::MonthView;
use super::week::WeekView;
use super::{EventList, FeedPanel, Filters, View, format_label};
use crate::components::field::FilterChip;
use crate::components::group_select::GroupSelect;
use crate::components::status::Loading;
use crate::i18n::{Msg, t};
use crate::pages::discussions::new::my_groups;
use crate::pages::library::index::GROUP_FILTER;
use crate::state::{SessionState, use_session};

#[component]
pub fn EventsPage() -> impl IntoView {
    let session = use_session();
    view! {
        <h1>{t(Msg::NavEvents)}</h1>
        <p class="lead">{t(Msg::SectionEvents)}</p>
        {move || match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            state => view! { <Index signed_in=state.user().is_some()/> }.into_any(),
        }}
    }
}

#[component]
fn Index(signed_in: bool) -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| query.with(Filters::from_query));
    let view_kind = Memo::new(move |_| filters.with(|f| f.view));
    let navigate = use_navigate();
    let change = move |edit: &dyn Fn(&mut Filters)| {
        let mut next = filters.get_untracked();
        edit(&mut next);
        navigate(&next.href(), NavigateOptions { replace: true, scroll: false, ..Default::default() });
    };
    let groups = LocalResource::new(move || async move {
        if signed_in { my_groups().await.unwrap_or_default() } else { Vec::new() }
    });
    let on_group = {
        let change = change.clone();
        Callback::new(move |value: String| change(&|f| f.group = (!value.is_empty()).then(|| value.clone())))
    };
    let on_format = {
        let change = change.clone();
        move |value: String| change(&|f| f.format = EventFormat::parse(&value))
    };
    let clear_tag = Callback::new(move |_| change(&|f| f.tag = None));
    view! {
        {signed_in.then(|| view! {
            <div class="page-actions">
                <a class="button primary" href="/events/new" data-testid="new-event">{t(Msg::NewEvent)}</a>
            </div>
        })}
        <nav class="tabs tab-links" aria-label=t(Msg::EventViews)>
            {View::ALL
                .into_iter()
                .map(|v| view! {
                    <a
                        href=move || filters.with(|f| Filters { view: v, ..f.clone() }.href())
                        aria-current=move || (view_kind.get() == v).then_some("page")
                        data-testid=format!("view-{}", v.as_str())
                    >
                        {v.label()}
                    </a>
                })
                .collect_view()}
        </nav>
        <div class="filters" role="group" aria-label=t(Msg::Filters)>
            <GroupSelect
                id="filter-group"
                label=t(Msg::GroupLabel)
                groups=Signal::derive(move || groups.get().unwrap_or_default())
                selected=Signal::derive(move || filters.with(|f| f.group.clone().unwrap_or_default()))
                leading=GROUP_FILTER
                on_change=on_group
            />
            <div class="field">
                <label for="filter-format">{t(Msg::EventFormatLabel)}</label>
                <select id="filter-format" on:change=move |ev| on_format(event_target_value(&ev))>
                    <option value="" prop:selected=move || filters.with(|f| f.format.is_none())>{t(Msg::AllFormats)}</option>
                    {EventFormat::ALL
                        .into_iter()
                        .map(|format| view! {
                            <option value=format.as_str() prop:selected=move || filters.with(|f| f.format == Some(format))>
                                {format_label(format)}
                            </option>
                        })
                        .collect_view()}
                </select>
            </div>
            {move || filters.with(|f| f.tag.clone()).map(|tag| view! {
                <FilterChip label=t(Msg::Tag) value=tag on_remove=clear_tag/>
            })}
        </div>
        {move || match view_kind.get() {
            View::Month => view! { <MonthView filters=filters/> }.into_any(),
            View::Week => view! { <WeekView filters=filters/> }.into_any(),
            _ => view! {
                <EventList query=Signal::derive(move || filters.with(Filters::list_query)) empty=Msg::NoEvents/>
            }
            .into_any(),
        }}
        <FeedPanel group=None signed_in=signed_in/>
    }
}
