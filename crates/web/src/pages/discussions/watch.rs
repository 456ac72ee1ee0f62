//! Watching categories and groups (new topics there notify the member), and the list
//! of everything the member watches. Topics have their own button on the topic page.

use copse_shared::discussions::{Watch, WatchTarget};
use copse_shared::endpoints::{AddWatch, ListWatches, RemoveWatch};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::status::{Empty, ErrorSlot, Loading, RowError};
use crate::format;
use crate::i18n::{Msg, t};

/// A button that watches or stops watching a category or group, by its id.
#[component]
pub fn WatchToggle(target: WatchTarget, id: String) -> impl IntoView {
    let watching = RwSignal::new(None::<bool>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = StoredValue::new(id);
    spawn_local(async move {
        match api::call(&ListWatches).await {
            Ok(list) => watching.set(Some(list.iter().any(|w| w.target == target && w.id == id.get_value()))),
            Err(e) => error.set(Some(e)),
        }
    });
    let toggle = move |_| {
        let now = watching.get_untracked().unwrap_or(false);
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = if now {
                api::call(&RemoveWatch { target, id: id.get_value() }).await
            } else {
                api::call(&AddWatch { target, id: id.get_value() }).await.map(|_| ())
            };
            match result {
                Ok(()) => watching.set(Some(!now)),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let (on, off) = match target {
        WatchTarget::Category => (Msg::WatchCategory, Msg::UnwatchCategory),
        WatchTarget::Group => (Msg::WatchGroup, Msg::UnwatchGroup),
        WatchTarget::Topic => (Msg::Watch, Msg::Unwatch),
    };
    view! {
        {move || watching.get().map(|now| view! {
            <button
                type="button"
                class="secondary"
                aria-pressed=now.to_string()
                disabled=busy
                on:click=toggle
                data-testid=format!("watch-{}", target.as_str())
            >
                {if now { t(off) } else { t(on) }}
            </button>
        })}
        <RowError error=error/>
    }
}

/// Where a watched thing lives.
fn href(watch: &Watch) -> String {
    match watch.target {
        WatchTarget::Topic => format!("/discussions/{}", watch.id),
        WatchTarget::Category => format!("/discussions?category={}", watch.id),
        WatchTarget::Group => format!("/groups/{}", watch.id),
    }
}

fn target_label(target: WatchTarget) -> &'static str {
    t(match target {
        WatchTarget::Topic => Msg::BookmarkTopic,
        WatchTarget::Category => Msg::Category,
        WatchTarget::Group => Msg::GroupLabel,
    })
}

/// Everything the member watches, each with a way to stop.
#[component]
pub fn WatchList() -> impl IntoView {
    let resource = LocalResource::new(|| async { api::call(&ListWatches).await });
    let error = RwSignal::new(None::<ApiError>);
    view! {
        <section class="card watches" aria-labelledby="watches-title">
            <h2 id="watches-title" class="small-heading">{t(Msg::Watching)}</h2>
            <ErrorSlot error=error/>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || resource.get().map(|result| match result {
                    Ok(list) => {
                        let list = RwSignal::new(list);
                        view! {
                            {move || list.with(Vec::is_empty).then(|| view! { <Empty text=t(Msg::WatchingNothing)/> })}
                            <ul class="plain-list watch-list">
                                {move || list.get().into_iter().map(|w| {
                                    let (target, id) = (w.target, w.id.clone());
                                    let stop = move |_| {
                                        let id = id.clone();
                                        spawn_local(async move {
                                            match api::call(&RemoveWatch { target, id: id.clone() }).await {
                                                Ok(()) => list.update(|l| l.retain(|x| !(x.target == target && x.id == id))),
                                                Err(e) => error.set(Some(e)),
                                            }
                                        });
                                    };
                                    view! {
                                        <li class="row-inline" data-testid="watch-row">
                                            <span class="badge muted">{target_label(w.target)}</span>
                                            <a href=href(&w)>{w.label.clone()}</a>
                                            <span class="meta">{t(Msg::Since)} " " {format::date(w.since)}</span>
                                            <button type="button" class="secondary compact" on:click=stop>{t(Msg::Unwatch)}</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorSlot error=RwSignal::new(Some(e))/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
