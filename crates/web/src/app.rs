//! The app shell and the one route table.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{Lazy, LazyRoute, lazy_route, path};

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
    // True while the router waits for a section's modules (its first visit): the old
    // page stays until the new one can render, so a bar says something is coming.
    let (routing, set_routing) = signal(false);
    view! {
        <Router set_is_routing=set_routing>
            <Show when=move || routing.get()>
                <div class="routing" role="progressbar" aria-label=t(Msg::Loading)></div>
            </Show>
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
                    <Route path=path!("/groups") view={Lazy::<GroupsRoute>::new()}/>
                    <Route path=path!("/groups/:slug") view={Lazy::<GroupRoute>::new()}/>
                    <Route path=path!("/admin") view={Lazy::<AdminRoute>::new()}/>
                    <Route path=path!("/admin/:tab") view={Lazy::<AdminRoute>::new()}/>
                    <Route path=path!("/admin/webhooks/:webhook") view={Lazy::<AdminRoute>::new()}/>
                    <Route path=path!("/api-keys") view={Lazy::<ApiKeysRoute>::new()}/>
                    <Route path=path!("/discussions") view={Lazy::<DiscussionsRoute>::new()}/>
                    <Route path=path!("/discussions/new") view={Lazy::<NewTopicRoute>::new()}/>
                    <Route path=path!("/discussions/:id") view={Lazy::<TopicRoute>::new()}/>
                    <Route path=path!("/notifications") view={Lazy::<NotificationsRoute>::new()}/>
                    <Route path=path!("/moderation") view={Lazy::<ModerationRoute>::new()}/>
                    <Route path=path!("/library") view={Lazy::<LibraryRoute>::new()}/>
                    <Route path=path!("/library/new") view={Lazy::<NewItemRoute>::new()}/>
                    <Route path=path!("/library/:id") view={Lazy::<ItemRoute>::new()}/>
                    <Route path=path!("/members") view={Lazy::<DirectoryRoute>::new()}/>
                    <Route path=path!("/members/:id") view={Lazy::<ProfileRoute>::new()}/>
                    <Route path=path!("/me/profile") view={Lazy::<ProfileEditorRoute>::new()}/>
                    <Route path=path!("/bookmarks") view={Lazy::<BookmarksRoute>::new()}/>
                    <Route path=path!("/events") view={Lazy::<EventsRoute>::new()}/>
                    <Route path=path!("/events/new") view={Lazy::<NewEventRoute>::new()}/>
                    <Route path=path!("/events/:id") view={Lazy::<EventRoute>::new()}/>
                    <Route path=path!("/events/:id/edit") view={Lazy::<EditEventRoute>::new()}/>
                    <Route path=path!("/news") view=|| placeholder::section(Msg::NavNews, Msg::SectionNews)/>
                    <Route path=path!("/about") view=|| placeholder::section(Msg::NavAbout, Msg::SectionAbout)/>
                    <Route path=path!("/help") view=|| placeholder::section(Msg::NavHelp, Msg::SectionHelp)/>
                </Routes>
            </main>
            <footer class="site-footer">{t(Msg::Footer)}</footer>
        </Router>
    }
}

/// The pages of one section, loaded on first visit to any of them. Each route's view
/// is a split point (`#[lazy_route]`), and `xtask` splits the wasm there
/// (`wasm-split-cli`, before wasm-bindgen): the first load carries only the shell
/// (header, sign-in, home) and the framework. Every route of a section renders
/// through the section's one `render`, kept out of line, so the section's code is
/// reachable from all its routes alike and lands in one shared module; splitting per
/// page instead made a module for every combination of pages sharing code (440 for
/// 20 routes, hundreds fetched for one page).
macro_rules! lazy_section {
    ($section:ident { $($route:ident => $page:path),+ $(,)? }) => {
        #[derive(Clone, Copy)]
        #[allow(clippy::enum_variant_names)]
        enum $section {
            $($route),+
        }

        impl $section {
            #[inline(never)]
            fn render(self) -> AnyView {
                match self {
                    $(Self::$route => $page().into_any()),+
                }
            }
        }

        $(
            struct $route;

            #[lazy_route]
            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                fn view(_this: Self) -> AnyView {
                    $section::$route.render()
                }
            }
        )+
    };
}

lazy_section!(GroupsSection { GroupsRoute => groups::GroupsPage, GroupRoute => groups::GroupPage });
lazy_section!(AdminSection {
    AdminRoute => admin::AdminPage,
    ModerationRoute => admin::flags::ModerationPage,
    ApiKeysRoute => api_keys::ApiKeysPage,
});
lazy_section!(DiscussionsSection {
    DiscussionsRoute => discussions::DiscussionsPage,
    NewTopicRoute => discussions::NewTopicPage,
    TopicRoute => discussions::TopicPage,
    NotificationsRoute => notifications::NotificationsPage,
});
lazy_section!(LibrarySection {
    LibraryRoute => library::LibraryPage,
    NewItemRoute => library::NewItemPage,
    ItemRoute => library::ItemPage,
});
lazy_section!(MembersSection {
    DirectoryRoute => members::DirectoryPage,
    ProfileRoute => members::ProfilePage,
    ProfileEditorRoute => members::ProfileEditorPage,
    BookmarksRoute => members::BookmarksPage,
});
lazy_section!(EventsSection {
    EventsRoute => events::EventsPage,
    NewEventRoute => events::NewEventPage,
    EventRoute => events::EventPage,
    EditEventRoute => events::EditEventPage,
});

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
