//! Pages for sections not built yet, and for unknown addresses: always a clear page.

use leptos::prelude::*;

use crate::i18n::{Msg, t};

/// A section that is announced but not built yet.
pub fn section(title: Msg, summary: Msg) -> impl IntoView {
    view! {
        <h1>{t(title)}</h1>
        <p class="lead">{t(summary)}</p>
        <div class="card" role="status">
            <h2>{t(Msg::ComingSoonTitle)}</h2>
            <p>{t(Msg::ComingSoonBody)}</p>
        </div>
    }
}

/// Any address the app does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <h1>{t(Msg::NotFoundTitle)}</h1>
        <p>{t(Msg::NotFoundBody)}</p>
        <p><a href="/">{t(Msg::BackHome)}</a></p>
    }
}
