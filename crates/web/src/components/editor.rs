//! The Markdown editor: a labelled textarea with Write and Preview tabs. The SPA
//! carries no Markdown renderer (it would weigh more than the rest of a page), so the
//! preview shows the text as it will read, line breaks kept, and says that the
//! formatting appears once posted.

use leptos::html;
use leptos::prelude::*;

use crate::components::tabs::{TabList, panel_id, tab_id};
use crate::i18n::{Msg, t};

/// The editor. `node_ref` lets a page focus the textarea (Reply with quote does).
#[component]
pub fn MarkdownEditor(
    /// The textarea's id; also the prefix of the tabs' ids.
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// The text.
    value: RwSignal<String>,
    /// The server's error for this field.
    error: Signal<Option<String>>,
    /// Visible lines.
    #[prop(default = 8)]
    rows: u32,
    /// The textarea, for focusing it.
    #[prop(optional)]
    node_ref: Option<NodeRef<html::Textarea>>,
) -> impl IntoView {
    let tab = RwSignal::new("write");
    let tabs = vec![("write", t(Msg::Write)), ("preview", t(Msg::Preview))];
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || if error.get().is_some() { format!("{hint_id} {error_id}") } else { hint_id.clone() }
    };
    let node_ref = node_ref.unwrap_or_default();
    let writing = move || tab.get() == "write";
    view! {
        <div class="field md-editor">
            <label for=id>{label}</label>
            <TabList prefix=id label=label tabs=tabs selected=tab/>
            <div role="tabpanel" id=panel_id(id, "write") aria-labelledby=tab_id(id, "write") hidden=move || !writing()>
                <textarea
                    id=id
                    name=id
                    rows=rows
                    node_ref=node_ref
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                    aria-describedby=described_by
                ></textarea>
                <p class="hint" id=hint_id>{t(Msg::MarkdownHint)}</p>
            </div>
            <div
                role="tabpanel"
                id=panel_id(id, "preview")
                aria-labelledby=tab_id(id, "preview")
                tabindex="0"
                hidden=writing
            >
                {move || {
                    if writing() {
                        return ().into_any();
                    }
                    let text = value.get();
                    if text.trim().is_empty() {
                        view! { <p class="empty">{t(Msg::NothingToPreview)}</p> }.into_any()
                    } else {
                        view! { <div class="preview">{text}</div> }.into_any()
                    }
                }}
                <p class="hint">{t(Msg::PreviewNote)}</p>
            </div>
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
        </div>
    }
}
