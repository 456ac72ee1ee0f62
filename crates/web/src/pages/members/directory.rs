//! The member directory: search and filters kept in the address (name, organisation,
//! country, language, expertise, interest, order), and "Ask an expert", which ranks
//! members for a question's tags.

use copse_shared::endpoint::query_string;
use copse_shared::endpoints::{FindExperts, ListDirectory};
use copse_shared::profiles::{DirectorySort, ExpertMatch, ProfileSummary};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{MemberCard, expertise_tags};
use crate::api::{self, ApiError};
use crate::components::field::comma_list;
use crate::components::status::{ErrorSlot, Loading, busy_text};
use crate::i18n::{self, Msg, t};
use crate::pages::paged::paged_list;
use crate::state::{SessionState, use_session};

/// The directory's filters, as the address carries them.
#[derive(Clone, Debug, Default, PartialEq)]
struct Filters {
    q: String,
    organisation: String,
    country: String,
    language: String,
    expertise: String,
    interest: String,
    sort: DirectorySort,
}

fn nonempty(value: &str) -> Option<String> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

impl Filters {
    fn href(&self) -> String {
        let query = query_string(&[
            ("q", nonempty(&self.q)),
            ("organisation", nonempty(&self.organisation)),
            ("country", nonempty(&self.country)),
            ("language", nonempty(&self.language)),
            ("expertise", nonempty(&self.expertise)),
            ("interest", nonempty(&self.interest)),
            ("sort", (self.sort != DirectorySort::Name).then(|| self.sort.as_str().to_owned())),
        ]);
        format!("/members{query}")
    }

    fn query(&self) -> ListDirectory {
        ListDirectory {
            q: nonempty(&self.q),
            organisation: nonempty(&self.organisation),
            country: nonempty(&self.country).map(|c| c.to_uppercase()),
            language: nonempty(&self.language),
            expertise: nonempty(&self.expertise),
            interest: nonempty(&self.interest),
            sort: Some(self.sort),
            limit: None,
            cursor: None,
        }
    }
}

const SORTS: [DirectorySort; 3] = [DirectorySort::Name, DirectorySort::Newest, DirectorySort::MostActive];

fn sort_label(sort: DirectorySort) -> &'static str {
    t(match sort {
        DirectorySort::Name => Msg::SortByName,
        DirectorySort::Newest => Msg::SortNewestMembers,
        DirectorySort::MostActive => Msg::SortMostActive,
    })
}

#[component]
pub fn DirectoryPage() -> impl IntoView {
    let session = use_session();
    view! {
        <h1>{t(Msg::NavMembers)}</h1>
        <p class="lead">{t(Msg::SectionMembers)}</p>
        {move || match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            SessionState::SignedOut => view! {
                <p class="notice">{t(Msg::SignInToSeeMembers)} " " <a href="/login">{t(Msg::SignIn)}</a></p>
            }
            .into_any(),
            SessionState::SignedIn(_) => view! {
                <div class="page-actions">
                    <a class="button secondary" href="/me/profile">{t(Msg::EditMyProfile)}</a>
                    <a class="button secondary" href="/bookmarks">{t(Msg::MyBookmarks)}</a>
                </div>
                <ExpertFinder/>
                <Directory/>
            }
            .into_any(),
        }}
    }
}

#[component]
fn Directory() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let q = query.read();
        let get = |key: &str| q.get(key).unwrap_or_default();
        Filters {
            q: get("q"),
            organisation: get("organisation"),
            country: get("country"),
            language: get("language"),
            expertise: get("expertise"),
            interest: get("interest"),
            sort: SORTS.into_iter().find(|s| s.as_str() == get("sort")).unwrap_or_default(),
        }
    });
    // The form edits a draft; searching writes it to the address, which the list follows.
    let draft = filters.get_untracked();
    let fields = [
        ("dir-q", Msg::SearchNames, RwSignal::new(draft.q)),
        ("dir-organisation", Msg::Organisation, RwSignal::new(draft.organisation)),
        ("dir-country", Msg::CountryCode, RwSignal::new(draft.country)),
        ("dir-language", Msg::Language, RwSignal::new(draft.language)),
        ("dir-expertise", Msg::Expertise, RwSignal::new(draft.expertise)),
        ("dir-interest", Msg::Interests, RwSignal::new(draft.interest)),
    ];
    let sort = RwSignal::new(draft.sort);
    let navigate = use_navigate();
    let go = move |next: Filters| {
        navigate(&next.href(), NavigateOptions { replace: true, scroll: false, ..Default::default() });
    };
    let read = move || Filters {
        q: fields[0].2.get_untracked(),
        organisation: fields[1].2.get_untracked(),
        country: fields[2].2.get_untracked(),
        language: fields[3].2.get_untracked(),
        expertise: fields[4].2.get_untracked(),
        interest: fields[5].2.get_untracked(),
        sort: sort.get_untracked(),
    };
    // Links elsewhere (an expertise tag) change the address: the form follows.
    Effect::new(move |_| {
        let f = filters.get();
        for ((_, _, signal), value) in
            fields.iter().zip([f.q, f.organisation, f.country, f.language, f.expertise, f.interest])
        {
            if signal.get_untracked() != value {
                signal.set(value);
            }
        }
        sort.set(f.sort);
    });
    let submit = {
        let go = go.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            go(read());
        }
    };
    let clear = {
        let go = go.clone();
        move |_| go(Filters::default())
    };
    view! {
        <section aria-labelledby="directory-title">
            <h2 id="directory-title">{t(Msg::Directory)}</h2>
            <form class="filters directory-filters" role="search" on:submit=submit>
                {fields
                    .into_iter()
                    .map(|(id, label, value)| view! {
                        <div class="field">
                            <label for=id>{t(label)}</label>
                            <input id=id type="search" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                        </div>
                    })
                    .collect_view()}
                <div class="field sort">
                    <label for="dir-sort">{t(Msg::SortBy)}</label>
                    <select id="dir-sort" on:change=move |ev| {
                        if let Some(s) = SORTS.into_iter().find(|s| s.as_str() == event_target_value(&ev)) {
                            sort.set(s);
                            go(read());
                        }
                    }>
                        {SORTS
                            .into_iter()
                            .map(|s| view! { <option value=s.as_str() prop:selected=move || sort.get() == s>{sort_label(s)}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="form-actions">
                    <button class="primary" type="submit">{t(Msg::Search)}</button>
                    <button class="secondary" type="button" on:click=clear>{t(Msg::ClearFilters)}</button>
                </div>
            </form>
            <MemberList query=Signal::derive(move || filters.with(Filters::query))/>
        </section>
    }
}

#[component]
fn MemberList(#[prop(into)] query: Signal<ListDirectory>) -> impl IntoView {
    paged_list(
        query,
        |m: &ProfileSummary| m.id.clone(),
        |member| view! { <MemberCard member=member/> },
        Msg::NoMembersMatch,
        "member-grid",
        t(Msg::Directory),
    )
}

/// "Ask an expert": the members whose declared expertise, accepted answers and
/// contributions best match a question's tags (only those open to contact).
#[component]
fn ExpertFinder() -> impl IntoView {
    let tags = RwSignal::new(String::new());
    let results = RwSignal::new(None::<Vec<ExpertMatch>>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let wanted: Vec<String> = comma_list(&tags.get_untracked());
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::call(&FindExperts { tags: wanted, limit: Some(6) }).await {
                Ok(found) => results.set(Some(found)),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card expert-finder" aria-labelledby="experts-title">
            <h2 id="experts-title">{t(Msg::AskAnExpert)}</h2>
            <p class="hint">{t(Msg::AskAnExpertHint)}</p>
            <form class="inline-form" on:submit=submit>
                <label class="visually-hidden" for="expert-tags">{t(Msg::QuestionTags)}</label>
                <input id="expert-tags" type="text" placeholder=t(Msg::QuestionTagsPlaceholder) prop:value=move || tags.get() on:input=move |ev| tags.set(event_target_value(&ev))/>
                <button class="primary" type="submit" disabled=busy>{busy_text(busy, Msg::FindExperts)}</button>
            </form>
            <ErrorSlot error=error fields=&["tags"]/>
            {move || results.get().map(|found| {
                if found.is_empty() {
                    return view! { <p class="empty">{t(Msg::NoExperts)}</p> }.into_any();
                }
                view! {
                    <ol class="member-grid experts" aria-label=t(Msg::Experts)>
                        {found
                            .into_iter()
                            .map(|m| {
                                let why = i18n::fill(
                                    Msg::ExpertWhy,
                                    &[("answers", &m.accepted_answers.to_string()), ("posts", &m.contributions.to_string())],
                                );
                                let matched = m.matched_expertise.clone();
                                view! {
                                    <MemberCard member=m.member>
                                        <p class="meta expert-why">{why}</p>
                                        {(!matched.is_empty()).then(|| view! {
                                            <p class="meta">{t(Msg::MatchedExpertise)} " " {expertise_tags(&matched)}</p>
                                        })}
                                    </MemberCard>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                .into_any()
            })}
        </section>
    }
}
