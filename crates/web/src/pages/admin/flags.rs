//! The moderation queue: open flags with the flagged post, its topic, who flagged it
//! and why; a moderator dismisses the flag or hides the post. Site staff see it as an
//! admin tab; group facilitators open /moderation for their groups' flags.

use copse_shared::ErrorCode;
use copse_shared::discussions::{Flag, FlagStatus, ResolveFlagRequest};
use copse_shared::endpoints::{ListFlags, ResolveFlag};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::group_card::excerpt;
use crate::components::status::{Empty, ErrorAlert, Loading, RowError, StatusNote};
use crate::format;
use crate::i18n::{self, Msg, t};
use crate::pages::paged::Paged;
use crate::state::{SessionState, use_session};

fn query(cursor: Option<String>) -> ListFlags {
    ListFlags { status: Some(FlagStatus::Open), limit: None, cursor }
}

/// /moderation: the queue for whoever may moderate (the server decides).
#[component]
pub fn ModerationPage() -> impl IntoView {
    let session = use_session();
    view! {
        <h1>{t(Msg::ModerationQueue)}</h1>
        {move || match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            SessionState::SignedOut => view! {
                <p class="notice">{t(Msg::ModeratorsOnly)} " " <a href="/login">{t(Msg::SignIn)}</a></p>
            }
            .into_any(),
            SessionState::SignedIn(_) => view! { <FlagQueue/> }.into_any(),
        }}
    }
}

#[component]
pub fn FlagQueue() -> impl IntoView {
    let resource = LocalResource::new(|| async { api::call(&query(None)).await });
    let note = RwSignal::new(None::<String>);
    view! {
        <p class="lead">{t(Msg::FlagsLead)}</p>
        <StatusNote message=note.into()/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(page) => {
                    let paged = Paged::new(page);
                    let on_load = Callback::new(move |_| {
                        paged.load_more(|cursor| async move { api::call(&query(Some(cursor))).await })
                    });
                    view! {
                        {move || paged.is_empty().then(|| view! { <Empty text=t(Msg::NoFlags)/> })}
                        <ul class="rows flags">
                            <For each=move || paged.items.get() key=|f: &Flag| f.id.clone() let(flag)>
                                <FlagRow flag=flag paged=paged note=note/>
                            </For>
                        </ul>
                        {paged.footer(on_load)}
                    }
                    .into_any()
                }
                Err(e) if e.code() == Some(ErrorCode::Forbidden) => {
                    view! { <p class="notice">{t(Msg::ModeratorsOnly)}</p> }.into_any()
                }
                Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn FlagRow(flag: Flag, paged: Paged<Flag>, note: RwSignal<Option<String>>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = StoredValue::new(flag.id.clone());
    let resolve = move |outcome: FlagStatus| {
        busy.set(true);
        error.set(None);
        let id = id.get_value();
        spawn_local(async move {
            match api::call(&ResolveFlag { id: id.clone(), body: ResolveFlagRequest { outcome } }).await {
                Ok(_) => {
                    let msg = if outcome == FlagStatus::Actioned { Msg::FlagActioned } else { Msg::FlagDismissed };
                    note.set(Some(t(msg).to_owned()));
                    paged.remove(|f| f.id == id);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let post = &flag.post;
    let href = format!("/discussions/{}#post-{}", flag.topic_id, post.id);
    let author =
        post.author.as_ref().map(|a| a.display_name.clone()).unwrap_or_else(|| t(Msg::FormerMember).to_owned());
    let flagger =
        flag.flagged_by.as_ref().map(|a| a.display_name.clone()).unwrap_or_else(|| t(Msg::FormerMember).to_owned());
    let text = if post.deleted { t(Msg::PostDeleted).to_owned() } else { excerpt(&post.body, 400) };
    let title_id = format!("flag-{}", flag.id);
    view! {
        <li class="row flag" data-testid="flag">
            <div class="row-main">
                <strong id=title_id.clone()><a href=href>{flag.topic_title.clone()}</a></strong>
                <span class="meta">{i18n::fill(Msg::PostBy, &[("n", &post.number.to_string()), ("name", &author)])}</span>
                <blockquote class="quote">{text}</blockquote>
                <span class="meta">
                    {i18n::fill(Msg::FlaggedBy, &[("name", &flagger)])} " · "
                    <time datetime=format::iso(flag.created_at)>{format::date_time(flag.created_at)}</time>
                </span>
                <span class="flag-reason">{flag.reason.clone()}</span>
            </div>
            <div class="row-actions">
                <button type="button" class="secondary" aria-describedby=title_id.clone() disabled=busy on:click=move |_| resolve(FlagStatus::Dismissed)>
                    {t(Msg::Dismiss)}
                </button>
                <button type="button" class="danger" aria-describedby=title_id disabled=busy on:click=move |_| resolve(FlagStatus::Actioned)>
                    {t(Msg::HidePost)}
                </button>
            </div>
            <RowError error=error/>
        </li>
    }
}
