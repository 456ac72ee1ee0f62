//! The Rotate form a row of secrets shares (API keys, webhooks): how long the old
//! secret keeps working, checked here, and the button that asks for a new one.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::field::field_error_or;
use crate::components::status::busy_text;
use crate::i18n::{Msg, t};

/// The grace period offered first, as the server's own default.
const DEFAULT_GRACE_HOURS: &str = "24";
/// The longest grace period the server accepts (30 days).
const MAX_GRACE_HOURS: u32 = 720;

/// The grace field and the Rotate button; `on_rotate` gets the hours once they are a
/// whole number the server accepts.
#[component]
pub fn RotateForm(
    /// The hours input's id; its error's id adds `-error`.
    #[prop(into)]
    id: String,
    /// Id of the element naming what is rotated (a row's name), for the button.
    #[prop(into)]
    describedby: String,
    /// Whether an action of the row is under way.
    busy: RwSignal<bool>,
    /// The row's last error: cleared as the form is sent, and its `grace_hours`
    /// message shown next to the field.
    error: RwSignal<Option<ApiError>>,
    /// A `data-testid` for the button.
    testid: &'static str,
    /// Whether the button reads "Working…" while `busy`.
    #[prop(optional)]
    working_text: bool,
    /// Runs as the form is sent, before the hours are checked (a row clearing its
    /// other messages).
    #[prop(optional)]
    on_submit: Option<Callback<()>>,
    /// Rotates, with the grace period in hours.
    on_rotate: Callback<u32>,
) -> impl IntoView {
    let hours = RwSignal::new(DEFAULT_GRACE_HOURS.to_owned());
    let hours_invalid = RwSignal::new(None::<Msg>);
    let grace_error = field_error_or(error, "grace_hours", hours_invalid);
    let error_id = format!("{id}-error");
    let shown_error_id = error_id.clone();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(on_submit) = on_submit {
            on_submit.run(());
        }
        error.set(None);
        // A number field hands over "" for what it cannot read; say so rather than
        // let the server's default apply unseen. The range is checked here too, so the
        // message shows once, next to the field, rather than also as the row's error.
        let Some(grace) = hours.get_untracked().trim().parse::<u32>().ok().filter(|h| *h <= MAX_GRACE_HOURS) else {
            hours_invalid.set(Some(Msg::ApiKeyGraceInvalid));
            return;
        };
        hours_invalid.set(None);
        on_rotate.run(grace);
    };
    let label =
        if working_text { busy_text(busy, Msg::RotateApiKey).into_any() } else { t(Msg::RotateApiKey).into_any() };
    view! {
        <form class="rotate-form" on:submit=submit novalidate>
            <label for=id.clone()>{t(Msg::ApiKeyGraceHours)}</label>
            <input
                id=id
                type="number"
                min="0"
                max=MAX_GRACE_HOURS
                step="1"
                prop:value=move || hours.get()
                on:input=move |ev| hours.set(event_target_value(&ev))
                aria-invalid=move || if grace_error.get().is_some() { "true" } else { "false" }
                aria-describedby=move || grace_error.get().map(|_| error_id.clone())
            />
            <button
                type="submit"
                class="secondary"
                aria-describedby=describedby
                disabled=move || busy.get()
                data-testid=testid
            >
                {label}
            </button>
            {move || grace_error.get().map(|m| view! { <p class="field-error" id=shown_error_id.clone()>{m}</p> })}
        </form>
    }
}
