//! Sharing and editing a library item: the details form (used for both), the file
//! upload with a progress bar (XMLHttpRequest, because fetch cannot report upload
//! progress), and the new-item page that creates the item and then uploads its file.

use std::rc::Rc;

use copse_shared::endpoints::{CreateLibraryItem, DeleteLibraryItem, GetLibraryItem, UpdateLibraryItem};
use copse_shared::groups::Group;
use copse_shared::library::{CreateLibraryItemRequest, ItemKind, LibraryItem, UpdateLibraryItemRequest, upload_path};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::kind_label;
use crate::api::{self, ApiError};
use crate::components::editor::MarkdownEditor;
use crate::components::field::{TextField, comma_list, field_error, optional};
use crate::components::group_select::GroupSelect;
use crate::components::status::{ErrorSlot, busy_text};
use crate::i18n::{self, Msg, t};
use crate::pages::discussions::new::WithMyGroups;

/// Licences offered as suggestions; any SPDX id or free text is accepted.
const LICENCES: &[&str] = &[
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC-BY-NC-4.0",
    "CC0-1.0",
    "MIT",
    "Apache-2.0",
    "GPL-3.0-or-later",
    "All rights reserved",
];
/// Languages offered as suggestions.
const LANGUAGES: &[&str] = &["en", "fr", "es", "pt", "ar", "sw", "zh", "ru", "hi", "de"];

/// The file chosen in an `<input type=file>`, if any.
fn chosen_file(input: NodeRef<html::Input>) -> Option<web_sys::File> {
    input.get_untracked().and_then(|i| i.files()).and_then(|files| files.get(0))
}

/// Uploads `file` as the item's next version, reporting progress from 0 to 1.
pub async fn upload_version(
    id: &str,
    file: &web_sys::File,
    change_note: &str,
    progress: RwSignal<Option<f64>>,
) -> Result<LibraryItem, ApiError> {
    let network = |_| ApiError::Network(t(Msg::NetworkError).to_owned());
    let form = web_sys::FormData::new().map_err(network)?;
    // The note first: the server reads the parts in order and streams the file last.
    form.append_with_str("change_note", change_note).map_err(network)?;
    form.append_with_blob_and_filename("file", file, &file.name()).map_err(network)?;
    progress.set(Some(0.0));
    let result =
        api::upload(&upload_path(id), &form, Rc::new(move |sent, total| progress.set(Some(sent / total.max(1.0)))))
            .await;
    progress.set(None);
    result
}

/// A progress bar for an upload in flight.
#[component]
pub fn UploadProgress(progress: RwSignal<Option<f64>>) -> impl IntoView {
    move || {
        progress.get().map(|fraction| {
            let percent = (fraction * 100.0).round();
            view! {
                <div class="upload-progress" role="status">
                    <progress max="100" value=percent.to_string() aria-label=t(Msg::Uploading)></progress>
                    " " {i18n::fill(Msg::UploadedPercent, &[("n", &percent.to_string())])}
                </div>
            }
        })
    }
}

/// The file input with its label, hint and the server's error.
#[component]
fn FileField(
    input: NodeRef<html::Input>,
    error: Signal<Option<String>>,
    #[prop(default = false)] required: bool,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="item-file">{t(Msg::File)}</label>
            <input
                id="item-file"
                name="file"
                type="file"
                node_ref=input
                required=required
                aria-describedby="item-file-hint"
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
            />
            <p class="hint" id="item-file-hint">{t(Msg::FileHint)}</p>
            {move || error.get().map(|m| view! { <p class="field-error">{m}</p> })}
        </div>
    }
}

/// The details every item has, as the form edits them.
#[derive(Clone, Copy)]
struct Details {
    title: RwSignal<String>,
    kind: RwSignal<ItemKind>,
    description: RwSignal<String>,
    tags: RwSignal<String>,
    language: RwSignal<String>,
    licence: RwSignal<String>,
    url: RwSignal<String>,
}

impl Details {
    fn new(item: Option<&LibraryItem>) -> Self {
        let s = item.map(|i| &i.summary);
        Details {
            title: RwSignal::new(s.map(|s| s.title.clone()).unwrap_or_default()),
            kind: RwSignal::new(s.map_or(ItemKind::Document, |s| s.kind)),
            description: RwSignal::new(item.map(|i| i.description.clone()).unwrap_or_default()),
            tags: RwSignal::new(s.map(|s| s.tags.join(", ")).unwrap_or_default()),
            language: RwSignal::new(s.and_then(|s| s.language.clone()).unwrap_or_default()),
            licence: RwSignal::new(s.and_then(|s| s.licence.clone()).unwrap_or_default()),
            url: RwSignal::new(s.and_then(|s| s.url.clone()).unwrap_or_default()),
        }
    }

    fn update_request(self, with_url: bool) -> UpdateLibraryItemRequest {
        UpdateLibraryItemRequest {
            title: self.title.get_untracked(),
            description: self.description.get_untracked(),
            kind: self.kind.get_untracked(),
            tags: comma_list(&self.tags.get_untracked()),
            language: optional(self.language.get_untracked()),
            licence: optional(self.licence.get_untracked()),
            url: if with_url { optional(self.url.get_untracked()) } else { None },
        }
    }
}

/// The fields both forms share; `with_url` shows the address field.
fn detail_fields(d: Details, error: RwSignal<Option<ApiError>>, with_url: Signal<bool>) -> impl IntoView {
    view! {
        <TextField id="item-title" label=t(Msg::Title) value=d.title error=field_error(error, "title")/>
        <div class="field">
            <label for="item-kind">{t(Msg::ItemKindLabel)}</label>
            <select id="item-kind" on:change=move |ev| {
                if let Some(kind) = ItemKind::parse(&event_target_value(&ev)) {
                    d.kind.set(kind);
                }
            }>
                {ItemKind::ALL
                    .into_iter()
                    .map(|kind| view! {
                        <option value=kind.as_str() prop:selected=move || d.kind.get() == kind>{kind_label(kind)}</option>
                    })
                    .collect_view()}
            </select>
        </div>
        {move || with_url.get().then(|| view! {
            <TextField id="item-url" label=t(Msg::WebAddress) kind="url" hint=t(Msg::WebAddressHint) value=d.url error=field_error(error, "url")/>
        })}
        <MarkdownEditor id="item-description" label=t(Msg::Description) value=d.description error=field_error(error, "description") rows=6/>
        <TextField id="item-tags" label=t(Msg::Tags) hint=t(Msg::TagsHint) value=d.tags error=field_error(error, "tags") required=false/>
        <div class="field-row">
            <TextField id="item-language" label=t(Msg::Language) hint=t(Msg::LanguageHint) value=d.language error=field_error(error, "language") required=false list="languages"/>
            <TextField id="item-licence" label=t(Msg::Licence) hint=t(Msg::LicenceHint) value=d.licence error=field_error(error, "licence") required=false list="licences"/>
        </div>
        <datalist id="languages">{LANGUAGES.iter().map(|l| view! { <option value=*l></option> }).collect_view()}</datalist>
        <datalist id="licences">{LICENCES.iter().map(|l| view! { <option value=*l></option> }).collect_view()}</datalist>
    }
}

/// The fixed choice of a group field: the whole community.
pub const GROUP_CHOICE: &[(&str, Msg)] = &[("", Msg::WholeCommunity)];

const FIELDS: &[&str] = &["title", "description", "kind", "tags", "language", "licence", "url", "group", "file"];

#[component]
pub fn NewItemPage() -> impl IntoView {
    view! {
        <WithMyGroups title=Msg::ShareItem sign_in=Msg::SignInToShare form=|groups| view! { <NewItemForm groups=groups/> }.into_any()/>
    }
}

#[component]
fn NewItemForm(groups: Vec<Group>) -> impl IntoView {
    let navigate = use_navigate();
    let wanted_group = use_query_map().with_untracked(|q| q.get("group")).unwrap_or_default();
    let group = RwSignal::new(wanted_group);
    let details = Details::new(None);
    // Every kind may point to a web address instead of a file; a link always does.
    let use_url = RwSignal::new(false);
    let with_url = Signal::derive(move || use_url.get() || details.kind.get() == ItemKind::Link);
    let file_input = NodeRef::<html::Input>::new();
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let progress = RwSignal::new(None::<f64>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let file = if with_url.get_untracked() { None } else { chosen_file(file_input) };
        let update = details.update_request(with_url.get_untracked());
        let chosen_group = group.get_untracked();
        let request = CreateLibraryItemRequest {
            title: update.title,
            description: update.description,
            kind: update.kind,
            group: (!chosen_group.is_empty()).then_some(chosen_group),
            tags: update.tags,
            language: update.language,
            licence: update.licence,
            url: update.url,
        };
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = async {
                let item = api::call(&CreateLibraryItem(request)).await?;
                let id = item.summary.id.clone();
                if let Some(file) = file
                    && let Err(e) = upload_version(&id, &file, "", progress).await
                {
                    // Nothing half-shared: an item whose file was refused is taken back.
                    let _ = api::call(&DeleteLibraryItem { id }).await;
                    return Err(e);
                }
                Ok(item)
            }
            .await;
            busy.set(false);
            match result {
                Ok(item) => navigate(&format!("/library/{}", item.summary.id), Default::default()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card form-card library-form" on:submit=submit novalidate>
            <ErrorSlot error=error fields=FIELDS/>
            <GroupSelect
                id="item-group"
                label=t(Msg::GroupOptional)
                groups=Signal::stored(groups)
                selected=group
                leading=GROUP_CHOICE
                on_change=Callback::new(move |value| group.set(value))
                error=field_error(error, "group")
            />
            {detail_fields(details, error, with_url)}
            {move || (details.kind.get() != ItemKind::Link).then(|| view! {
                <fieldset class="field radios">
                    <legend>{t(Msg::ItemSource)}</legend>
                    <label class="radio">
                        <input type="radio" name="item-source" prop:checked=move || !use_url.get() on:change=move |_| use_url.set(false)/>
                        " " {t(Msg::SourceFile)}
                    </label>
                    <label class="radio">
                        <input type="radio" name="item-source" prop:checked=move || use_url.get() on:change=move |_| use_url.set(true)/>
                        " " {t(Msg::SourceLink)}
                    </label>
                </fieldset>
            })}
            <div class:hidden=move || with_url.get()>
                <FileField input=file_input error=field_error(error, "file")/>
            </div>
            <UploadProgress progress=progress/>
            <div class="form-actions">
                <button class="primary" type="submit" disabled=busy>{busy_text(busy, Msg::ShareItem)}</button>
                <a href="/library">{t(Msg::Cancel)}</a>
            </div>
        </form>
    }
}

/// Edits an item's details, sending the version it read (`If-Match`).
#[component]
pub fn EditItemForm(item: RwSignal<LibraryItem>, open: RwSignal<bool>) -> impl IntoView {
    let details = item.with_untracked(|i| Details::new(Some(i)));
    let has_url = item.with_untracked(|i| i.summary.url.is_some());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let id = item.with_untracked(|i| i.summary.id.clone());
        let body = details.update_request(has_url);
        spawn_local(async move {
            let result = async {
                let current = api::call_with(&GetLibraryItem { id: id.clone() }, &[]).await?;
                let etag = current.headers.get("etag").unwrap_or_default();
                api::call_with(&UpdateLibraryItem { id, body }, &[("If-Match", &etag)]).await
            }
            .await;
            match result {
                Ok(answer) => {
                    item.set(answer.body);
                    open.set(false);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card form-card library-form" on:submit=submit novalidate aria-label=t(Msg::EditItem)>
            <ErrorSlot error=error fields=FIELDS/>
            {detail_fields(details, error, Signal::derive(move || has_url))}
            <div class="form-actions">
                <button class="primary" type="submit" disabled=busy>{busy_text(busy, Msg::Save)}</button>
                <button class="secondary" type="button" on:click=move |_| open.set(false)>{t(Msg::Cancel)}</button>
            </div>
        </form>
    }
}

/// Uploads a new version with a change note.
#[component]
pub fn NewVersionForm(item: RwSignal<LibraryItem>) -> impl IntoView {
    let file_input = NodeRef::<html::Input>::new();
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let progress = RwSignal::new(None::<f64>);
    let form_ref = NodeRef::<html::Form>::new();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let Some(file) = chosen_file(file_input) else {
            error.set(Some(ApiError::Network(t(Msg::ChooseAFile).to_owned())));
            return;
        };
        let id = item.with_untracked(|i| i.summary.id.clone());
        busy.set(true);
        spawn_local(async move {
            match upload_version(&id, &file, &note.get_untracked(), progress).await {
                Ok(updated) => {
                    item.set(updated);
                    note.set(String::new());
                    if let Some(form) = form_ref.get_untracked() {
                        form.reset();
                    }
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card form-card" node_ref=form_ref on:submit=submit novalidate aria-labelledby="new-version-title">
            <h2 id="new-version-title" class="small-heading">{t(Msg::UploadNewVersion)}</h2>
            <ErrorSlot error=error fields=&["file", "change_note"]/>
            <FileField input=file_input error=field_error(error, "file") required=true/>
            <TextField id="change-note" label=t(Msg::ChangeNote) hint=t(Msg::ChangeNoteHint) value=note error=field_error(error, "change_note") required=false/>
            <UploadProgress progress=progress/>
            <div class="form-actions">
                <button class="primary" type="submit" disabled=busy>{busy_text(busy, Msg::Upload)}</button>
            </div>
        </form>
    }
}
