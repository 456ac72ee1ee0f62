//! The states every list and page shares: loading, an error, nothing to show, and
//! the "Load more" button that follows a page's cursor.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::{Msg, t};

/// Shown while something loads.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" role="status">{t(Msg::Loading)}</p> }
}

/// The server's (or the network's) message, announced to screen readers.
#[component]
pub fn ErrorAlert(#[prop(into)] message: String) -> impl IntoView {
    view! { <div class="form-error" role="alert">{message}</div> }
}

/// A list with nothing in it.
#[component]
pub fn Empty(text: &'static str) -> impl IntoView {
    view! { <p class="empty">{text}</p> }
}

/// A short confirmation after an action, announced politely.
#[component]
pub fn StatusNote(message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="status-note" role="status">{move || message.get()}</p>
    }
}

/// "Load more", shown while there is a next page.
#[component]
pub fn LoadMore(
    /// Whether another page exists.
    more: Signal<bool>,
    /// Whether a page is being fetched.
    busy: Signal<bool>,
    /// Fetches the next page.
    on_load: Callback<()>,
) -> impl IntoView {
    move || {
        more.get().then(|| {
            view! {
                <button type="button" class="secondary load-more" disabled=move || busy.get() on:click=move |_| on_load.run(())>
                    {move || if busy.get() { t(Msg::Working) } else { t(Msg::LoadMore) }}
                </button>
            }
        })
    }
}

/// The error of a form or an action, unless it is about one of `fields` (those show
/// next to their field).
#[component]
pub fn ErrorSlot(
    error: RwSignal<Option<ApiError>>,
    #[prop(optional)] fields: &'static [&'static str],
) -> impl IntoView {
    move || {
        error.with(|e| {
            e.as_ref()
                .filter(|e| !fields.iter().any(|f| e.field(f).is_some()))
                .map(|e| view! { <ErrorAlert message=e.message()/> })
        })
    }
}

/// An action's error inside a row of a list.
#[component]
pub fn RowError(error: RwSignal<Option<ApiError>>) -> impl IntoView {
    move || {
        error.with(|e| e.as_ref().map(|e| view! { <p class="field-error row-error" role="alert">{e.message()}</p> }))
    }
}

/// A button's text that reads "Working…" while its action runs.
pub fn busy_text(busy: RwSignal<bool>, idle: Msg) -> impl IntoView {
    move || if busy.get() { t(Msg::Working) } else { t(idle) }
}
