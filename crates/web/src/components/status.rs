//! The states every list and page shares: loading, an error, nothing to show, and
//! the "Load more" button that follows a page's cursor.

use leptos::prelude::*;

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
