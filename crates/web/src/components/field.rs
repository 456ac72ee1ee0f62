//! A labelled form input with its hint and the server's error for that field.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::{Msg, t};

/// Splits "soil, Field work ,labs" into its items; the server normalises them.
pub fn comma_list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// A text field's value, or nothing when it is blank.
pub fn optional(text: String) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// The server's message for one field of a form, from the form's last error.
pub fn field_error(error: RwSignal<Option<ApiError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field(name))))
}

/// A field's message: one the page found itself (input the browser could not read)
/// before the server's.
pub fn field_error_or(
    error: RwSignal<Option<ApiError>>,
    name: &'static str,
    local: RwSignal<Option<Msg>>,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        local.get().map(|m| t(m).to_owned()).or_else(|| error.with(|e| e.as_ref().and_then(|e| e.field(name))))
    })
}

/// One text input. `error` holds the message to show (and marks the input invalid).
#[component]
pub fn TextField(
    /// The input's id and name.
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// The input type: text, email or password.
    #[prop(default = "text")]
    kind: &'static str,
    /// The browser's autocomplete hint.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// A hint under the input.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// The value.
    value: RwSignal<String>,
    /// The field's error, if any.
    error: Signal<Option<String>>,
    /// Whether the field must be filled.
    #[prop(default = true)]
    required: bool,
    /// The id of a `<datalist>` of suggestions.
    #[prop(optional)]
    list: Option<&'static str>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                required=required
                list=list
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
            />
            {hint.map(|text| view! { <p class="hint" id=hint_id.clone()>{text}</p> })}
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
        </div>
    }
}

/// A multi-line text input, with the same label, hint and error handling.
#[component]
pub fn TextArea(
    /// The textarea's id and name.
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// A hint under the textarea.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// The value.
    value: RwSignal<String>,
    /// The field's error, if any.
    error: Signal<Option<String>>,
    /// Visible lines.
    #[prop(default = 6)]
    rows: u32,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <textarea
                id=id
                name=id
                rows=rows
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
            ></textarea>
            {hint.map(|text| view! { <p class="hint" id=hint_id.clone()>{text}</p> })}
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
        </div>
    }
}

/// A filter chosen elsewhere (a tag clicked in a list), shown as a chip whose button
/// removes it.
#[component]
pub fn FilterChip(
    /// What the filter is on.
    label: &'static str,
    /// Its value.
    value: String,
    /// Removes the filter.
    on_remove: Callback<()>,
) -> impl IntoView {
    view! {
        <span class="chip">
            {label} ": " <strong>{value}</strong> " "
            <button type="button" class="secondary compact" on:click=move |_| on_remove.run(())>
                <span aria-hidden="true">"×"</span>
                <span class="visually-hidden">{t(Msg::RemoveFilter)}</span>
            </button>
        </span>
    }
}

/// A checkbox with its label (and a hint under it).
#[component]
pub fn CheckboxField(
    /// The input's id.
    #[prop(into)]
    id: String,
    /// The visible label.
    #[prop(into)]
    label: String,
    /// Whether it is ticked.
    #[prop(into)]
    checked: Signal<bool>,
    /// Told the new state.
    on_change: Callback<bool>,
    /// A hint under the checkbox.
    #[prop(optional)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field checkbox">
            <input
                id=id.clone()
                type="checkbox"
                prop:checked=checked
                aria-describedby=hint.map(|_| hint_id.clone())
                on:change=move |ev| on_change.run(event_target_checked(&ev))
            />
            " " <label for=id>{label}</label>
            {hint.map(|text| view! { <p class="hint" id=hint_id.clone()>{text}</p> })}
        </div>
    }
}
