//! The topic index: filters kept in the address (category, kind, unanswered, tag),
//! so a filtered list can be bookmarked and shared, and the list itself.

use copse_shared::discussions::{Category, TopicKind};
use copse_shared::endpoint::query_string;
use copse_shared::endpoints::{ListCategories, ListTopics};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::TopicList;
use super::watch::WatchToggle;
use crate::api;
use crate::components::status::Loading;
use crate::i18n::{Msg, t};
use crate::state::{SessionState, use_session};
use copse_shared::discussions::WatchTarget;

/// The filters, as read from and written to the address.
#[derive(Clone, Debug, Default, PartialEq)]
struct Filters {
    category: Option<String>,
    kind: Option<TopicKind>,
    unanswered: bool,
    tag: Option<String>,
}

impl Filters {
    fn href(&self) -> String {
        let query = query_string(&[
            ("category", self.category.clone()),
            ("kind", self.kind.map(|k| k.as_str().to_owned())),
            ("unanswered", self.unanswered.then(|| "true".to_owned())),
            ("tag", self.tag.clone()),
        ]);
        format!("/discussions{query}")
    }

    fn query(&self) -> ListTopics {
        ListTopics {
            category: self.category.clone(),
            kind: self.kind,
            unanswered: self.unanswered.then_some(true),
            tag: self.tag.clone(),
            ..ListTopics::default()
        }
    }
}

#[component]
pub fn DiscussionsPage() -> impl IntoView {
    let session = use_session();
    view! {
        <h1>{t(Msg::NavDiscussions)}</h1>
        <p class="lead">{t(Msg::SectionDiscussions)}</p>
        {move || match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            state => view! { <Index signed_in=state.user().is_some()/> }.into_any(),
        }}
    }
}

#[component]
fn Index(signed_in: bool) -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let q = query.read();
        let nonempty = |key: &str| q.get(key).filter(|v| !v.is_empty());
        Filters {
            category: nonempty("category"),
            kind: nonempty("kind").and_then(|k| TopicKind::parse(&k)),
            unanswered: q.get("unanswered").as_deref() == Some("true"),
            tag: nonempty("tag"),
        }
    });
    let navigate = use_navigate();
    let change = move |edit: &dyn Fn(&mut Filters)| {
        let mut next = filters.get_untracked();
        edit(&mut next);
        navigate(&next.href(), NavigateOptions { replace: true, scroll: false, ..Default::default() });
    };
    let categories = LocalResource::new(|| async { api::call(&ListCategories).await });
    let change_category = {
        let change = change.clone();
        move |value: String| change(&|f| f.category = (!value.is_empty()).then(|| value.clone()))
    };
    let change_kind = {
        let change = change.clone();
        move |value: String| change(&|f| f.kind = TopicKind::parse(&value))
    };
    let change_unanswered = {
        let change = change.clone();
        move |checked: bool| change(&|f| f.unanswered = checked)
    };
    let clear_tag = move |_| change(&|f| f.tag = None);
    view! {
        {signed_in.then(|| view! {
            <div class="page-actions">
                <a class="button primary" href="/discussions/new">{t(Msg::NewTopic)}</a>
            </div>
        })}
        <div class="filters" role="group" aria-label=t(Msg::Filters)>
            <div class="field">
                <label for="filter-category">{t(Msg::Category)}</label>
                <select id="filter-category" on:change=move |ev| change_category(event_target_value(&ev))>
                    <option value="" prop:selected=move || filters.with(|f| f.category.is_none())>{t(Msg::AllCategories)}</option>
                    {move || categories.get().and_then(Result::ok).map(|list: Vec<Category>| {
                        list.into_iter()
                            .map(|c| {
                                let (slug, id) = (c.slug.clone(), c.id);
                                let selected = move || {
                                    filters.with(|f| f.category.as_deref().is_some_and(|k| k == slug || k == id))
                                };
                                view! { <option value=c.slug prop:selected=selected>{c.name}</option> }
                            })
                            .collect_view()
                    })}
                </select>
            </div>
            <div class="field">
                <label for="filter-kind">{t(Msg::TopicKindLabel)}</label>
                <select id="filter-kind" on:change=move |ev| change_kind(event_target_value(&ev))>
                    <option value="" prop:selected=move || filters.with(|f| f.kind.is_none())>{t(Msg::AllTopics)}</option>
                    <option value="discussion" prop:selected=move || filters.with(|f| f.kind == Some(TopicKind::Discussion))>
                        {t(Msg::KindDiscussions)}
                    </option>
                    <option value="question" prop:selected=move || filters.with(|f| f.kind == Some(TopicKind::Question))>
                        {t(Msg::KindQuestions)}
                    </option>
                </select>
            </div>
            <div class="field checkbox">
                <input
                    id="filter-unanswered"
                    type="checkbox"
                    prop:checked=move || filters.with(|f| f.unanswered)
                    on:change=move |ev| change_unanswered(event_target_checked(&ev))
                />
                " "
                <label for="filter-unanswered">{t(Msg::Unanswered)}</label>
            </div>
            {move || filters.with(|f| f.tag.clone()).map(|tag| view! {
                <div class="field tag-filter">
                    <span class="tag">"#" {tag}</span>
                    " "
                    <button type="button" class="secondary compact" on:click=clear_tag.clone()>{t(Msg::ClearTag)}</button>
                </div>
            })}
        </div>
        {move || {
            // The chosen category, once known, can be watched for new topics.
            let chosen = filters.with(|f| f.category.clone())?;
            let list = categories.get()?.ok()?;
            let category = list.into_iter().find(|c| c.slug == chosen || c.id == chosen)?;
            signed_in.then(|| view! {
                <div class="page-actions">
                    <WatchToggle target=WatchTarget::Category id=category.id/>
                </div>
            })
        }}
        <TopicList query=Signal::derive(move || filters.with(Filters::query)) empty=Msg::NoTopics/>
    }
}
