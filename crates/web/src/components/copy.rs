//! A read-only address with a Copy button, for links shown once (an invitation, a
//! calendar feed): the clipboard where the browser offers it, otherwise the text is
//! selected for copying by hand.

use leptos::html;
use leptos::prelude::*;

use crate::components::status::StatusNote;
use crate::i18n::{Msg, t};

/// `path` as an address on this site, for use outside it (an email, a calendar app).
pub fn absolute_url(path: &str) -> String {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    format!("{origin}{path}")
}

/// The address in a read-only field with its label, hint and Copy button.
#[component]
pub fn CopyField(
    /// The input's id.
    #[prop(into)]
    id: String,
    /// The visible label.
    label: &'static str,
    /// The text to copy.
    #[prop(into)]
    value: String,
    /// A hint under the field.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// Focus and select the text as it appears (when it was just made).
    #[prop(optional)]
    focus: bool,
    /// A `data-testid` for the input.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    let input = NodeRef::<html::Input>::new();
    let copied = RwSignal::new(None::<String>);
    let select = move || {
        if let Some(input) = input.get_untracked() {
            let _ = input.focus();
            input.select();
        }
    };
    if focus {
        input.on_load(|input| {
            let _ = input.focus();
            input.select();
        });
    }
    let text = StoredValue::new(value.clone());
    let copy = move |_| {
        let Some(navigator) = web_sys::window().map(|w| w.navigator()) else { return };
        // Browsers offer the clipboard only on secure pages; elsewhere the field stays
        // selected for copying by hand.
        let available = js_sys::Reflect::get(&navigator, &"clipboard".into()).is_ok_and(|c| !c.is_undefined());
        if available {
            let _ = navigator.clipboard().write_text(&text.get_value());
            copied.set(Some(t(Msg::Copied).to_owned()));
        } else {
            select();
            copied.set(Some(t(Msg::CopyByHand).to_owned()));
        }
    };
    let hint_id = format!("{id}-hint");
    view! {
        <div class="copy-field">
            <label for=id.clone()>{label}</label>
            <div class="copy-row">
                <input
                    id=id
                    node_ref=input
                    type="text"
                    readonly
                    prop:value=value
                    aria-describedby=hint.map(|_| hint_id.clone())
                    data-testid=testid
                    on:focus=move |_| {
                        if let Some(input) = input.get_untracked() {
                            input.select();
                        }
                    }
                />
                <button type="button" class="secondary" on:click=copy>{t(Msg::Copy)}</button>
            </div>
            {hint.map(|text| view! { <p class="hint" id=hint_id.clone()>{text}</p> })}
            <StatusNote message=copied.into()/>
        </div>
    }
}
