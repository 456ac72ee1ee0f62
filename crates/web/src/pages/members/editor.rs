//! The profile editor: every profile field, expertise with a self-rated level, links,
//! and the privacy choices (who sees the email and the links, whether members may
//! send messages); the avatar; and self-service: the data export and account deletion.

use std::rc::Rc;

use copse_shared::endpoints::{DeleteMyAccount, DeleteMyAvatar, GetMyProfile, UpdateMyProfile};
use copse_shared::profiles::{
    AVATAR_UPLOAD_PATH, AvatarUrls, Expertise, ExpertiseLevel, LinkKind, MyProfile, PrivacySettings, ProfileLink,
    UpdateProfileRequest, Visibility,
};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use super::{Avatar, level_label};
use crate::api::{self, ApiError};
use crate::components::confirm::ConfirmButton;
use crate::components::editor::MarkdownEditor;
use crate::components::field::{TextField, comma_list, field_error, optional};
use crate::components::status::{ErrorSlot, Loading, StatusNote, busy_text};
use crate::i18n::{Msg, t};
use crate::pages::discussions::error_view;
use crate::pages::library::form::UploadProgress;
use crate::state::{SessionState, use_auth, use_session};

#[component]
pub fn ProfileEditorPage() -> impl IntoView {
    let session = use_session();
    view! {
        <h1>{t(Msg::EditMyProfile)}</h1>
        {move || match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            SessionState::SignedOut => view! {
                <p class="notice">{t(Msg::SignInToSeeMembers)} " " <a href="/login">{t(Msg::SignIn)}</a></p>
            }
            .into_any(),
            SessionState::SignedIn(_) => {
                let resource = LocalResource::new(|| async {
                    let answer = api::call_with(&GetMyProfile, &[]).await?;
                    Ok::<_, ApiError>((answer.body, answer.headers.get("etag").unwrap_or_default()))
                });
                view! {
                    <Suspense fallback=|| view! { <Loading/> }>
                        {move || resource.get().map(|result| match result {
                            Ok((mine, etag)) => view! { <Editor mine=mine etag=etag/> }.into_any(),
                            Err(e) => error_view(e).into_any(),
                        })}
                    </Suspense>
                }
                .into_any()
            }
        }}
    }
}

const LINK_KINDS: [LinkKind; 6] =
    [LinkKind::Website, LinkKind::Linkedin, LinkKind::Mastodon, LinkKind::Code, LinkKind::Orcid, LinkKind::Other];

fn link_kind_value(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Website => "website",
        LinkKind::Linkedin => "linkedin",
        LinkKind::Mastodon => "mastodon",
        LinkKind::Code => "code",
        LinkKind::Orcid => "orcid",
        LinkKind::Other => "other",
    }
}

fn visibility_label(v: Visibility) -> &'static str {
    t(match v {
        Visibility::Nobody => Msg::VisibleToNobody,
        Visibility::Members => Msg::VisibleToMembers,
        Visibility::Facilitators => Msg::VisibleToFacilitators,
    })
}

/// A select of who may see a field.
fn visibility_select(id: &'static str, label: Msg, value: RwSignal<Visibility>) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{t(label)}</label>
            <select id=id on:change=move |ev| {
                if let Some(v) = Visibility::parse(&event_target_value(&ev)) {
                    value.set(v);
                }
            }>
                {Visibility::ALL
                    .into_iter()
                    .map(|v| view! { <option value=v.as_str() prop:selected=move || value.get() == v>{visibility_label(v)}</option> })
                    .collect_view()}
            </select>
        </div>
    }
}

/// One editable row of expertise or links.
type Rows<T> = RwSignal<Vec<(usize, RwSignal<T>)>>;

fn rows<T: Clone + Send + Sync + 'static>(values: Vec<T>) -> (Rows<T>, StoredValue<usize>) {
    let count = values.len();
    (
        RwSignal::new(values.into_iter().enumerate().map(|(i, v)| (i, RwSignal::new(v))).collect()),
        StoredValue::new(count),
    )
}

fn push_row<T: Send + Sync + 'static>(rows: Rows<T>, next: StoredValue<usize>, value: T) {
    let key = next.get_value();
    next.set_value(key + 1);
    rows.update(|r| r.push((key, RwSignal::new(value))));
}

#[component]
fn Editor(mine: MyProfile, etag: String) -> impl IntoView {
    let p = &mine.profile;
    let s = &p.summary;
    let text = |v: &Option<String>| RwSignal::new(v.clone().unwrap_or_default());
    let display_name = RwSignal::new(s.display_name.clone());
    let headline = text(&s.headline);
    let organisation = text(&s.organisation);
    let job_title = text(&s.job_title);
    let country = text(&s.country);
    let city = text(&s.city);
    let languages = RwSignal::new(p.languages.join(", "));
    let time_zone = text(&p.time_zone);
    let bio = RwSignal::new(p.bio.clone());
    let interests = RwSignal::new(p.interests.join(", "));
    let open_about = RwSignal::new(p.open_to_contact_about.join(", "));
    let (expertise, next_expertise) = rows(s.expertise.clone());
    let (links, next_link) = rows(p.links.clone().unwrap_or_default());
    let email_visibility = RwSignal::new(mine.privacy.email_visibility);
    let links_visibility = RwSignal::new(mine.privacy.links_visibility);
    let allow_contact = RwSignal::new(mine.privacy.allow_contact);
    let etag = RwSignal::new(etag);
    let error = RwSignal::new(None::<ApiError>);
    let note = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let my_id = s.id.clone();
    let profile_href = format!("/members/{my_id}");
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        note.set(None);
        let request = UpdateProfileRequest {
            display_name: display_name.get_untracked(),
            headline: optional(headline.get_untracked()),
            organisation: optional(organisation.get_untracked()),
            job_title: optional(job_title.get_untracked()),
            country: optional(country.get_untracked().to_uppercase()),
            city: optional(city.get_untracked()),
            languages: comma_list(&languages.get_untracked()),
            time_zone: optional(time_zone.get_untracked()),
            bio: bio.get_untracked(),
            expertise: expertise
                .get_untracked()
                .into_iter()
                .map(|(_, e)| e.get_untracked())
                .filter(|e: &Expertise| !e.tag.trim().is_empty())
                .collect(),
            interests: comma_list(&interests.get_untracked()),
            links: links
                .get_untracked()
                .into_iter()
                .map(|(_, l)| l.get_untracked())
                .filter(|l: &ProfileLink| !l.url.trim().is_empty())
                .collect(),
            open_to_contact_about: comma_list(&open_about.get_untracked()),
            privacy: PrivacySettings {
                email_visibility: email_visibility.get_untracked(),
                links_visibility: links_visibility.get_untracked(),
                allow_contact: allow_contact.get_untracked(),
            },
        };
        spawn_local(async move {
            let tag = etag.get_untracked();
            match api::call_with(&UpdateMyProfile(request), &[("If-Match", &tag)]).await {
                Ok(answer) => {
                    etag.set(answer.headers.get("etag").unwrap_or_default());
                    note.set(Some(t(Msg::ProfileSaved).to_owned()));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let level_select = move |row: RwSignal<Expertise>, key: usize| {
        let id = format!("expertise-level-{key}");
        view! {
            <label class="visually-hidden" for=id.clone()>{t(Msg::Level)}</label>
            <select id=id class="compact" on:change=move |ev| {
                if let Some(level) = ExpertiseLevel::ALL.into_iter().find(|l| l.as_str() == event_target_value(&ev)) {
                    row.update(|e| e.level = level);
                }
            }>
                {ExpertiseLevel::ALL
                    .into_iter()
                    .map(|l| view! { <option value=l.as_str() prop:selected=move || row.with(|e| e.level == l)>{level_label(l)}</option> })
                    .collect_view()}
            </select>
        }
    };
    view! {
        <p><a href=profile_href>{t(Msg::ViewMyProfile)}</a></p>
        <AvatarPanel mine=mine.clone()/>
        <form class="card form-card profile-form" on:submit=submit novalidate>
            <ErrorSlot error=error fields=&["display_name", "headline", "organisation", "job_title", "country", "city", "languages", "time_zone", "bio", "expertise", "interests", "links", "open_to_contact_about"]/>
            <TextField id="display_name" label=t(Msg::DisplayName) value=display_name error=field_error(error, "display_name")/>
            <TextField id="headline" label=t(Msg::Headline) hint=t(Msg::HeadlineHint) value=headline error=field_error(error, "headline") required=false/>
            <div class="field-row">
                <TextField id="organisation" label=t(Msg::Organisation) value=organisation error=field_error(error, "organisation") required=false/>
                <TextField id="job_title" label=t(Msg::JobTitle) value=job_title error=field_error(error, "job_title") required=false/>
            </div>
            <div class="field-row">
                <TextField id="country" label=t(Msg::CountryCode) hint=t(Msg::CountryHint) value=country error=field_error(error, "country") required=false/>
                <TextField id="city" label=t(Msg::City) value=city error=field_error(error, "city") required=false/>
            </div>
            <div class="field-row">
                <TextField id="languages" label=t(Msg::Languages) hint=t(Msg::LanguagesHint) value=languages error=field_error(error, "languages") required=false/>
                <TextField id="time_zone" label=t(Msg::TimeZone) hint=t(Msg::TimeZoneHint) value=time_zone error=field_error(error, "time_zone") required=false/>
            </div>
            <MarkdownEditor id="bio" label=t(Msg::Bio) value=bio error=field_error(error, "bio") rows=6/>
            <fieldset class="field rows">
                <legend>{t(Msg::Expertise)}</legend>
                <p class="hint">{t(Msg::ExpertiseHint)}</p>
                <For each=move || expertise.get() key=|(key, _)| *key let((key, row))>
                    <div class="row-inline" data-testid="expertise-row">
                        <label class="visually-hidden" for=format!("expertise-tag-{key}")>{t(Msg::ExpertiseTag)}</label>
                        <input
                            id=format!("expertise-tag-{key}")
                            type="text"
                            placeholder=t(Msg::ExpertiseTag)
                            prop:value=move || row.with(|e| e.tag.clone())
                            on:input=move |ev| row.update(|e| e.tag = event_target_value(&ev))
                        />
                        {level_select(row, key)}
                        <button type="button" class="secondary compact" on:click=move |_| expertise.update(|r| r.retain(|(k, _)| *k != key))>
                            {t(Msg::Remove)}
                        </button>
                    </div>
                </For>
                <button type="button" class="secondary compact" on:click=move |_| {
                    push_row(expertise, next_expertise, Expertise { tag: String::new(), level: ExpertiseLevel::Practitioner })
                }>{t(Msg::AddExpertise)}</button>
                {move || field_error(error, "expertise").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </fieldset>
            <TextField id="interests" label=t(Msg::Interests) hint=t(Msg::ProfileTagsHint) value=interests error=field_error(error, "interests") required=false/>
            <TextField id="open_to_contact_about" label=t(Msg::OpenToContactAbout) hint=t(Msg::ProfileTagsHint) value=open_about error=field_error(error, "open_to_contact_about") required=false/>
            <fieldset class="field rows">
                <legend>{t(Msg::Links)}</legend>
                <For each=move || links.get() key=|(key, _)| *key let((key, row))>
                    <div class="row-inline">
                        <label class="visually-hidden" for=format!("link-kind-{key}")>{t(Msg::LinkKindLabel)}</label>
                        <select id=format!("link-kind-{key}") class="compact" on:change=move |ev| {
                            if let Some(kind) = LINK_KINDS.into_iter().find(|k| link_kind_value(*k) == event_target_value(&ev)) {
                                row.update(|l| l.kind = kind);
                            }
                        }>
                            {LINK_KINDS
                                .into_iter()
                                .map(|k| view! {
                                    <option value=link_kind_value(k) prop:selected=move || row.with(|l| l.kind == k)>
                                        {super::profile::link_label(k)}
                                    </option>
                                })
                                .collect_view()}
                        </select>
                        <label class="visually-hidden" for=format!("link-url-{key}")>{t(Msg::WebAddress)}</label>
                        <input
                            id=format!("link-url-{key}")
                            type="url"
                            placeholder="https://"
                            prop:value=move || row.with(|l| l.url.clone())
                            on:input=move |ev| row.update(|l| l.url = event_target_value(&ev))
                        />
                        <button type="button" class="secondary compact" on:click=move |_| links.update(|r| r.retain(|(k, _)| *k != key))>
                            {t(Msg::Remove)}
                        </button>
                    </div>
                </For>
                <button type="button" class="secondary compact" on:click=move |_| {
                    push_row(links, next_link, ProfileLink { kind: LinkKind::Website, url: String::new() })
                }>{t(Msg::AddLink)}</button>
                {move || field_error(error, "links").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </fieldset>
            <fieldset class="field privacy">
                <legend>{t(Msg::Privacy)}</legend>
                <p class="hint">{t(Msg::PrivacyHint)}</p>
                {visibility_select("email_visibility", Msg::WhoSeesEmail, email_visibility)}
                {visibility_select("links_visibility", Msg::WhoSeesLinks, links_visibility)}
                <div class="field checkbox">
                    <input id="allow_contact" type="checkbox" prop:checked=move || allow_contact.get() on:change=move |ev| allow_contact.set(event_target_checked(&ev))/>
                    " " <label for="allow_contact">{t(Msg::AllowContact)}</label>
                </div>
            </fieldset>
            <StatusNote message=note.into()/>
            <div class="form-actions">
                <button class="primary" type="submit" disabled=busy>{busy_text(busy, Msg::Save)}</button>
            </div>
        </form>
        <YourData/>
    }
}

/// The picture: upload (resized by the server, metadata stripped) or remove.
#[component]
fn AvatarPanel(mine: MyProfile) -> impl IntoView {
    let name = mine.profile.summary.display_name.clone();
    let avatar = RwSignal::new(mine.profile.summary.avatar.clone());
    let input = NodeRef::<html::Input>::new();
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let progress = RwSignal::new(None::<f64>);
    let upload = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let Some(file) = input.get_untracked().and_then(|i| i.files()).and_then(|f| f.get(0)) else {
            error.set(Some(ApiError::Network(t(Msg::ChooseAFile).to_owned())));
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let network = |_| ApiError::Network(t(Msg::NetworkError).to_owned());
            let result = async {
                let form = web_sys::FormData::new().map_err(network)?;
                form.append_with_blob_and_filename("file", &file, &file.name()).map_err(network)?;
                progress.set(Some(0.0));
                let on_progress = Rc::new(move |sent: f64, total: f64| progress.set(Some(sent / total.max(1.0))));
                api::upload::<AvatarUrls>(AVATAR_UPLOAD_PATH, &form, on_progress).await
            }
            .await;
            progress.set(None);
            match result {
                Ok(urls) => avatar.set(Some(urls)),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let remove = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::call(&DeleteMyAvatar).await {
                Ok(()) => avatar.set(None),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card avatar-panel" aria-labelledby="avatar-title">
            <h2 id="avatar-title" class="small-heading">{t(Msg::Picture)}</h2>
            <div class="row-inline">
                {move || view! { <Avatar name=name.clone() avatar=avatar.get() large=true/> }}
                <form on:submit=upload novalidate>
                    <ErrorSlot error=error fields=&["file"]/>
                    <div class="field">
                        <label for="avatar-file">{t(Msg::ChoosePicture)}</label>
                        <input id="avatar-file" type="file" accept="image/png,image/jpeg,image/gif,image/webp" node_ref=input/>
                        <p class="hint">{t(Msg::PictureHint)}</p>
                    </div>
                    <UploadProgress progress=progress/>
                    <div class="form-actions">
                        <button class="primary" type="submit" disabled=busy>{t(Msg::Upload)}</button>
                        {move || avatar.with(Option::is_some).then(|| view! {
                            <button class="secondary" type="button" disabled=busy on:click=remove>{t(Msg::RemovePicture)}</button>
                        })}
                    </div>
                </form>
            </div>
        </section>
    }
}

/// The data export and the deletion of the account.
#[component]
fn YourData() -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let erase = RwSignal::new(false);
    let auth = use_auth();
    let navigate = use_navigate();
    let export = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            if let Err(e) = api::save_file("/api/v1/me/export", "copse-my-data.json").await {
                error.set(Some(e));
            }
            busy.set(false);
        });
    };
    let delete = Callback::new(move |_| {
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::call(&DeleteMyAccount { erase_content: Some(erase.get_untracked()) }).await {
                Ok(()) => {
                    auth.sign_out();
                    navigate("/", Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    });
    view! {
        <section class="card your-data" aria-labelledby="data-title">
            <h2 id="data-title" class="small-heading">{t(Msg::YourData)}</h2>
            <ErrorSlot error=error/>
            <p>{t(Msg::ExportHint)}</p>
            <p><button type="button" class="secondary" disabled=busy on:click=export>{t(Msg::DownloadMyData)}</button></p>
            <p>{t(Msg::DeleteAccountHint)}</p>
            <div class="field checkbox">
                <input id="erase-content" type="checkbox" prop:checked=move || erase.get() on:change=move |ev| erase.set(event_target_checked(&ev))/>
                " " <label for="erase-content">{t(Msg::EraseMyContent)}</label>
            </div>
            <ConfirmButton
                label=t(Msg::DeleteAccount)
                question=t(Msg::DeleteAccountQuestion)
                confirm=t(Msg::DeleteAccount)
                busy=busy
                on_confirm=delete
            />
        </section>
    }
}
