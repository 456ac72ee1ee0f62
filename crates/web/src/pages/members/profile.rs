//! A member's profile as the viewer may see it (the server leaves out what is
//! hidden), with their recent activity and, when they accept it, a contact form.
//! Members viewing their own profile can switch to "as a member sees it".

use copse_shared::ErrorCode;
use copse_shared::endpoints::{ContactMember, GetMemberActivity, GetMemberProfile};
use copse_shared::profiles::{ContactMemberRequest, LinkKind, MemberActivity, Profile, ViewAs};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{Avatar, expertise_tags};
use crate::api::{self, ApiError};
use crate::components::field::{TextArea, TextField, field_error};
use crate::components::status::{ErrorSlot, Loading, StatusNote, busy_text};
use crate::format;
use crate::i18n::{self, Msg, t};
use crate::pages::discussions::{TopicRow, error_view};
use crate::pages::library::ItemRow;
use crate::pages::placeholder::NotFound;
use crate::state::{SessionState, use_session};

#[component]
pub fn ProfilePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let as_member = Memo::new(move |_| query.read().get("as").as_deref() == Some("member"));
    let session = use_session();
    move || {
        let (id, as_member) = (id.get(), as_member.get());
        match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            SessionState::SignedOut => view! {
                <p class="notice">{t(Msg::SignInToSeeMembers)} " " <a href="/login">{t(Msg::SignIn)}</a></p>
            }
            .into_any(),
            SessionState::SignedIn(_) => view! { <ProfileLoader id=id as_member=as_member/> }.into_any(),
        }
    }
}

#[component]
fn ProfileLoader(id: String, as_member: bool) -> impl IntoView {
    let resource = LocalResource::new(move || {
        let profile = GetMemberProfile { id: id.clone(), view_as: as_member.then_some(ViewAs::Member) };
        let activity = GetMemberActivity { id: id.clone() };
        async move {
            let profile = api::call(&profile).await?;
            let activity = api::call(&activity).await?;
            Ok::<_, ApiError>((profile, activity))
        }
    });
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok((profile, activity)) => view! { <ProfileView profile=profile activity=activity as_member=as_member/> }.into_any(),
                Err(e) if e.code() == Some(ErrorCode::NotFound) => view! { <NotFound/> }.into_any(),
                Err(e) => error_view(e).into_any(),
            })}
        </Suspense>
    }
}

pub fn link_label(kind: LinkKind) -> &'static str {
    t(match kind {
        LinkKind::Website => Msg::LinkWebsite,
        LinkKind::Linkedin => Msg::LinkLinkedin,
        LinkKind::Mastodon => Msg::LinkMastodon,
        LinkKind::Code => Msg::LinkCode,
        LinkKind::Orcid => Msg::LinkOrcid,
        LinkKind::Other => Msg::LinkOther,
    })
}

/// A list of words ("en, fr") or nothing.
fn words(label: Msg, values: &[String]) -> Option<impl IntoView + use<>> {
    (!values.is_empty()).then(|| view! { <dt>{t(label)}</dt> <dd>{values.join(", ")}</dd> })
}

#[component]
fn ProfileView(profile: Profile, activity: MemberActivity, as_member: bool) -> impl IntoView {
    let s = profile.summary.clone();
    let own = profile.is_self || as_member;
    let self_href = format!("/members/{}", s.id);
    let preview_href = format!("/members/{}?as=member", s.id);
    let place = [s.city.clone(), s.country.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ");
    let work = [s.job_title.clone(), s.organisation.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ");
    view! {
        {as_member.then(|| view! {
            <p class="notice" role="note" data-testid="viewing-as-member">
                {t(Msg::ViewingAsMember)} " " <a href=self_href.clone()>{t(Msg::BackToMyView)}</a>
            </p>
        })}
        <article class="profile" aria-labelledby="profile-name">
            <header class="profile-header">
                <Avatar name=s.display_name.clone() avatar=s.avatar.clone() large=true/>
                <div>
                    <h1 id="profile-name">{s.display_name.clone()}</h1>
                    {s.headline.clone().map(|h| view! { <p class="lead headline">{h}</p> })}
                    {(!work.is_empty()).then(|| view! { <p class="meta">{work}</p> })}
                    {(!place.is_empty()).then(|| view! { <p class="meta">{place}</p> })}
                    <p class="meta">{t(Msg::MemberSince)} " " <time datetime=format::iso(s.member_since)>{format::date(s.member_since)}</time></p>
                    {(own && !as_member).then(|| view! {
                        <div class="form-actions">
                            <a class="button primary" href="/me/profile">{t(Msg::EditMyProfile)}</a>
                            <a class="button secondary" href=preview_href.clone()>{t(Msg::SeeAsMember)}</a>
                        </div>
                    })}
                </div>
            </header>
            <div class="profile-body">
                <section class="card" aria-labelledby="about-title">
                    <h2 id="about-title" class="small-heading">{t(Msg::About)}</h2>
                    {if profile.bio_html.trim().is_empty() {
                        view! { <p class="empty">{t(Msg::NoBio)}</p> }.into_any()
                    } else {
                        view! { <div class="prose" inner_html=profile.bio_html.clone()></div> }.into_any()
                    }}
                    <dl class="facts">
                        {(!s.expertise.is_empty()).then(|| view! { <dt>{t(Msg::Expertise)}</dt> <dd>{expertise_tags(&s.expertise)}</dd> })}
                        {words(Msg::Interests, &profile.interests)}
                        {words(Msg::OpenToContactAbout, &profile.open_to_contact_about)}
                        {words(Msg::Languages, &profile.languages)}
                        {profile.time_zone.clone().map(|tz| view! { <dt>{t(Msg::TimeZone)}</dt> <dd>{tz}</dd> })}
                        {profile.email.clone().map(|email| {
                            let mailto = format!("mailto:{email}");
                            view! { <dt>{t(Msg::Email)}</dt> <dd><a href=mailto data-testid="profile-email">{email}</a></dd> }
                        })}
                        {profile.links.clone().filter(|l| !l.is_empty()).map(|links| view! {
                            <dt>{t(Msg::Links)}</dt>
                            <dd>
                                <ul class="plain-list">
                                    {links
                                        .into_iter()
                                        .map(|l| view! {
                                            <li><a href=l.url.clone() rel="noopener noreferrer nofollow me" target="_blank">{link_label(l.kind)}</a></li>
                                        })
                                        .collect_view()}
                                </ul>
                            </dd>
                        })}
                    </dl>
                </section>
                {(profile.can_contact && !own).then(|| view! { <ContactForm id=s.id.clone() name=s.display_name.clone()/> })}
                {(!profile.can_contact && !own).then(|| view! { <p class="notice">{t(Msg::NoContact)}</p> })}
            </div>
            <Activity activity=activity/>
        </article>
    }
}

#[component]
fn Activity(activity: MemberActivity) -> impl IntoView {
    let MemberActivity { topics, replies, library_items, groups } = activity;
    let nothing = topics.is_empty() && replies.is_empty() && library_items.is_empty() && groups.is_empty();
    view! {
        <section class="activity" aria-labelledby="activity-title">
            <h2 id="activity-title">{t(Msg::RecentActivity)}</h2>
            {nothing.then(|| view! { <p class="empty">{t(Msg::NoActivity)}</p> })}
            {(!groups.is_empty()).then(|| view! {
                <h3 class="small-heading">{t(Msg::NavGroups)}</h3>
                <p class="tags">
                    {groups
                        .into_iter()
                        .map(|g| {
                            let href = format!("/groups/{}", g.slug);
                            view! { <a class="facet" href=href>{g.name}</a> }
                        })
                        .collect_view()}
                </p>
            })}
            {(!topics.is_empty()).then(|| view! {
                <h3 class="small-heading">{t(Msg::Topics)}</h3>
                <ul class="topics">{topics.into_iter().map(|topic| view! { <TopicRow topic=topic/> }).collect_view()}</ul>
            })}
            {(!replies.is_empty()).then(|| view! {
                <h3 class="small-heading">{t(Msg::Replies)}</h3>
                <ul class="plain-list replies">
                    {replies
                        .into_iter()
                        .map(|r| {
                            let href = format!("/discussions/{}#post-{}", r.topic_id, r.post_id);
                            view! {
                                <li>
                                    <a href=href>{r.topic_title}</a>
                                    " · " <time datetime=format::iso(r.created_at)>{format::date(r.created_at)}</time>
                                    <p class="excerpt">{r.excerpt}</p>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            })}
            {(!library_items.is_empty()).then(|| view! {
                <h3 class="small-heading">{t(Msg::NavLibrary)}</h3>
                <ul class="library-items">{library_items.into_iter().map(|item| view! { <ItemRow item=item/> }).collect_view()}</ul>
            })}
        </section>
    }
}

/// A message delivered as a notification; the recipient's address stays private.
#[component]
fn ContactForm(id: String, name: String) -> impl IntoView {
    let subject = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let note = RwSignal::new(None::<String>);
    let id = StoredValue::new(id);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        note.set(None);
        let request = ContactMemberRequest { subject: subject.get_untracked(), message: message.get_untracked() };
        spawn_local(async move {
            match api::call(&ContactMember { id: id.get_value(), body: request }).await {
                Ok(()) => {
                    subject.set(String::new());
                    message.set(String::new());
                    note.set(Some(t(Msg::MessageSent).to_owned()));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card contact" aria-labelledby="contact-title">
            <h2 id="contact-title" class="small-heading">{i18n::fill(Msg::ContactName, &[("name", &name)])}</h2>
            <p class="hint">{t(Msg::ContactHint)}</p>
            <form on:submit=submit novalidate>
                <ErrorSlot error=error fields=&["subject", "message"]/>
                <StatusNote message=note.into()/>
                <TextField id="contact-subject" label=t(Msg::Subject) value=subject error=field_error(error, "subject")/>
                <TextArea id="contact-message" label=t(Msg::Message) value=message error=field_error(error, "message") rows=4/>
                <button class="primary" type="submit" disabled=busy>{busy_text(busy, Msg::SendMessage)}</button>
            </form>
        </section>
    }
}
