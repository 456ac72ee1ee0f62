//! The new-topic form: category, optional group, discussion or question, title,
//! tags and the Markdown body. `?group=slug` preselects a group.

use copse_shared::discussions::{Category, CreateTopicRequest, TopicKind};
use copse_shared::endpoints::{CreateTopic, ListCategories, ListGroups};
use copse_shared::groups::{Group, MembershipStatus};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::error_view;
use crate::api::{self, ApiError};
use crate::components::editor::MarkdownEditor;
use crate::components::field::{TextField, comma_list, field_error};
use crate::components::status::{ErrorSlot, Loading, busy_text};
use crate::i18n::{Msg, t};
use crate::state::{SessionState, use_session};

#[component]
pub fn NewTopicPage() -> impl IntoView {
    let session = use_session();
    view! {
        <h1>{t(Msg::NewTopic)}</h1>
        {move || match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            SessionState::SignedOut => view! {
                <p class="notice">{t(Msg::SignInToPost)} " " <a href="/login">{t(Msg::SignIn)}</a></p>
            }
            .into_any(),
            SessionState::SignedIn(user) => {
                let staff = user.role.is_staff();
                view! { <NewTopicLoader staff=staff/> }.into_any()
            }
        }}
    }
}

/// A page that needs a signed-in member and the groups they take part in (sharing an
/// item, creating an event): a sign-in prompt for visitors, then `form` with the groups.
#[component]
pub fn WithMyGroups(
    /// The page heading.
    title: Msg,
    /// What visitors are told to sign in for.
    sign_in: Msg,
    /// The form, given the member's groups.
    form: fn(Vec<Group>) -> AnyView,
) -> impl IntoView {
    let session = use_session();
    view! {
        <h1>{t(title)}</h1>
        {move || match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            SessionState::SignedOut => view! {
                <p class="notice">{t(sign_in)} " " <a href="/login">{t(Msg::SignIn)}</a></p>
            }
            .into_any(),
            SessionState::SignedIn(_) => {
                let groups = LocalResource::new(my_groups);
                view! {
                    <Suspense fallback=|| view! { <Loading/> }>
                        {move || groups.get().map(|result| match result {
                            Ok(groups) => form(groups),
                            Err(e) => error_view(e).into_any(),
                        })}
                    </Suspense>
                }
                .into_any()
            }
        }}
    }
}

/// The groups the member takes part in: active memberships only.
pub async fn my_groups() -> Result<Vec<Group>, ApiError> {
    let page =
        api::call(&ListGroups { mine: Some(true), include_archived: None, limit: Some(100), cursor: None }).await?;
    Ok(page
        .items
        .into_iter()
        .filter(|g| !g.archived && g.my_membership.as_ref().is_some_and(|m| m.status == MembershipStatus::Active))
        .collect())
}

#[component]
fn NewTopicLoader(staff: bool) -> impl IntoView {
    let resource = LocalResource::new(|| async {
        let categories = api::call(&ListCategories).await?;
        let groups = my_groups().await?;
        Ok::<_, ApiError>((categories, groups))
    });
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok((categories, _)) if categories.is_empty() => view! {
                    <p class="notice">
                        {t(Msg::NoCategoriesYet)} " "
                        {staff.then(|| view! { <a href="/admin/categories">{t(Msg::ManageCategories)}</a> })}
                    </p>
                }
                .into_any(),
                Ok((categories, groups)) => view! { <NewTopicForm categories=categories groups=groups/> }.into_any(),
                Err(e) => error_view(e).into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn NewTopicForm(categories: Vec<Category>, groups: Vec<Group>) -> impl IntoView {
    let navigate = use_navigate();
    let query = use_query_map();
    let wanted_group = query.with_untracked(|q| q.get("group")).unwrap_or_default();
    let category = RwSignal::new(categories.first().map(|c| c.slug.clone()).unwrap_or_default());
    let group = RwSignal::new(wanted_group.clone());
    let kind = RwSignal::new(TopicKind::Discussion);
    let title = RwSignal::new(String::new());
    let tags = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let chosen_group = group.get_untracked();
        let request = CreateTopicRequest {
            category: category.get_untracked(),
            group: (!chosen_group.is_empty()).then_some(chosen_group),
            title: title.get_untracked(),
            body: body.get_untracked(),
            kind: kind.get_untracked(),
            tags: comma_list(&tags.get_untracked()),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::call(&CreateTopic(request)).await {
                Ok(topic) => navigate(&format!("/discussions/{}", topic.summary.id), Default::default()),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    // A group asked for in the address but not among the member's groups (staff may
    // post anywhere): offer it by its short name.
    let extra_group =
        (!wanted_group.is_empty() && !groups.iter().any(|g| g.slug == wanted_group)).then_some(wanted_group);
    let category_error = field_error(error, "category");
    let group_error = field_error(error, "group");
    view! {
        <form class="card form-card new-topic" on:submit=submit novalidate>
            <ErrorSlot error=error fields=&["title", "body", "category", "group", "tags"]/>
            <div class="field">
                <label for="topic-category">{t(Msg::Category)}</label>
                <select
                    id="topic-category"
                    aria-invalid=move || if category_error.get().is_some() { "true" } else { "false" }
                    on:change=move |ev| category.set(event_target_value(&ev))
                >
                    {categories
                        .into_iter()
                        .map(|c| view! { <option value=c.slug>{c.name}</option> })
                        .collect_view()}
                </select>
                {move || category_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <div class="field">
                <label for="topic-group">{t(Msg::GroupOptional)}</label>
                <select
                    id="topic-group"
                    aria-describedby="topic-group-hint"
                    on:change=move |ev| group.set(event_target_value(&ev))
                >
                    <option value="" selected=move || group.get().is_empty()>{t(Msg::WholeCommunity)}</option>
                    {groups
                        .into_iter()
                        .map(|g| {
                            let slug = g.slug.clone();
                            view! { <option value=g.slug selected=move || group.get() == slug>{g.name}</option> }
                        })
                        .collect_view()}
                    {extra_group.map(|slug| view! { <option value=slug.clone() selected=true>{slug.clone()}</option> })}
                </select>
                <p class="hint" id="topic-group-hint">{t(Msg::GroupTopicHint)}</p>
                {move || group_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <fieldset class="field radios">
                <legend>{t(Msg::TopicKindLabel)}</legend>
                <label class="radio">
                    <input
                        type="radio"
                        name="topic-kind"
                        value="discussion"
                        prop:checked=move || kind.get() == TopicKind::Discussion
                        on:change=move |_| kind.set(TopicKind::Discussion)
                    />
                    " " {t(Msg::KindDiscussion)} <span class="hint">" — " {t(Msg::KindDiscussionHint)}</span>
                </label>
                <label class="radio">
                    <input
                        type="radio"
                        name="topic-kind"
                        value="question"
                        prop:checked=move || kind.get() == TopicKind::Question
                        on:change=move |_| kind.set(TopicKind::Question)
                    />
                    " " {t(Msg::KindQuestion)} <span class="hint">" — " {t(Msg::KindQuestionHint)}</span>
                </label>
            </fieldset>
            <TextField id="topic-title" label=t(Msg::Title) value=title error=field_error(error, "title")/>
            <TextField id="topic-tags" label=t(Msg::Tags) hint=t(Msg::TagsHint) value=tags error=field_error(error, "tags") required=false/>
            <MarkdownEditor id="topic-body" label=t(Msg::Body) value=body error=field_error(error, "body")/>
            <div class="form-actions">
                <button class="primary" type="submit" disabled=busy>
                    {busy_text(busy, Msg::PostTopic)}
                </button>
                <a href="/discussions">{t(Msg::Cancel)}</a>
            </div>
        </form>
    }
}
