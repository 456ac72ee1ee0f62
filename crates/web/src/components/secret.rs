//! The card that shows a secret once, just after it was made or rotated (an API key,
//! a webhook's signing secret): the server never shows it again.

use leptos::prelude::*;

use crate::components::copy::CopyField;
use crate::i18n::{Msg, t};

/// The secret with a warning, a Copy button, what else helps use it (`children`) and
/// a Done button.
#[component]
pub fn SecretCard(
    /// The secret field's id and `data-testid`; the heading's id adds `-title`.
    id: &'static str,
    /// The heading: whose secret it is.
    title: String,
    /// The secret itself.
    secret: String,
    /// A hint under the secret.
    hint: &'static str,
    /// Hides the card, and the secret with it.
    on_done: Callback<()>,
    /// Shown between the secret and the Done button.
    children: Children,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    view! {
        <section class="card secret-panel" aria-labelledby=title_id.clone()>
            <h2 id=title_id.clone()>{title}</h2>
            <p class="notice warn" role="alert">{t(Msg::ApiKeySecretWarning)}</p>
            <CopyField id=id label=t(Msg::ApiKeySecret) value=secret hint=hint focus=true testid=id/>
            {children()}
            <button type="button" class="secondary" on:click=move |_| on_done.run(())>{t(Msg::ApiKeySecretDone)}</button>
        </section>
    }
}
