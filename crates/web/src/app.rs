//! The app shell and the one route table.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::components::header::Header;
use crate::i18n::{Msg, t};
use crate::pages::{
    admin, api_keys, auth, discussions, events, groups, home, library, members, notifications, placeholder,
};
use crate::state::{self, use_auth, use_community, use_unread};

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    state::provide();
    let auth = use_auth();
    let community = use_community();
    let name = Signal::derive(move || community.settings.get().map(|c| c.name).unwrap_or_else(|| "Copse".to_owned()));
    Effect::new(move |_| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&name.get());
        }
    });
    let session = Signal::derive(move || auth.state.get());
    let unread = use_unread();
    view! {
        <Router>
            <a class="skip-link" href="#main">{t(Msg::SkipToContent)}</a>
            <UnreadOnNavigation/>
            <Header
                community_name=name
                session=session
                unread=unread.count.into()
                on_sign_out=Callback::new(move |_| auth.sign_out())
            />
            <main id="main" tabindex="-1">
                <Routes fallback=placeholder::NotFound>
                    <Route path=path!("/") view=home::Home/>
                    <Route path=path!("/login") view=auth::LoginPage/>
                    <Route path=path!("/register") view=auth::RegisterPage/>
                    <Route path=path!("/groups") view=groups::GroupsPage/>
                    <Route path=path!("/groups/:slug") view=groups::GroupPage/>
                    <Route path=path!("/admin") view=admin::AdminPage/>
                    <Route path=path!("/admin/:tab") view=admin::AdminPage/>
                    <Route path=path!("/admin/webhooks/:webhook") view=admin::AdminPage/>
                    <Route path=path!("/api-keys") view=api_keys::ApiKeysPage/>
                    <Route path=path!("/discussions") view=discussions::DiscussionsPage/>
                    <Route path=path!("/discussions/new") view=discussions::NewTopicPage/>
                    <Route path=path!("/discussions/:id") view=discussions::TopicPage/>
                    <Route path=path!("/notifications") view=notifications::NotificationsPage/>
                    <Route path=path!("/moderation") view=admin::flags::ModerationPage/>
                    <Route path=path!("/library") view=library::LibraryPage/>
                    <Route path=path!("/library/new") view=library::NewItemPage/>
                    <Route path=path!("/library/:id") view=library::ItemPage/>
                    <Route path=path!("/members") view=members::DirectoryPage/>
                    <Route path=path!("/members/:id") view=members::ProfilePage/>
                    <Route path=path!("/me/profile") view=members::ProfileEditorPage/>
                    <Route path=path!("/bookmarks") view=members::BookmarksPage/>
                    <Route path=path!("/events") view=events::EventsPage/>
                    <Route path=path!("/events/new") view=events::NewEventPage/>
                    <Route path=path!("/events/:id") view=events::EventPage/>
                    <Route path=path!("/events/:id/edit") view=events::EditEventPage/>
                    <Route path=path!("/news") view=|| placeholder::section(Msg::NavNews, Msg::SectionNews)/>
                    <Route path=path!("/about") view=|| placeholder::section(Msg::NavAbout, Msg::SectionAbout)/>
                    <Route path=path!("/help") view=|| placeholder::section(Msg::NavHelp, Msg::SectionHelp)/>
                </Routes>
            </main>
            <footer class="site-footer">{t(Msg::Footer)}</footer>
        </Router>
    }
}

/// Refreshes the bell's count whenever the address changes.
#[component]
fn UnreadOnNavigation() -> impl IntoView {
    let location = use_location();
    let unread = use_unread();
    Effect::new(move |previous: Option<()>| {
        location.pathname.track();
        // The first run is covered by the sign-in that provides the count.
        if previous.is_some() {
            unread.refresh();
        }
    });
}
