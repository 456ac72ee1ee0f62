//! The site header: the community's name, the navigation and the user menu.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Msg, t};
use crate::state::SessionState;

/// The navigation's entries, in order.
pub const NAV: &[(&str, Msg)] = &[
    ("/", Msg::NavHome),
    ("/groups", Msg::NavGroups),
    ("/discussions", Msg::NavDiscussions),
    ("/library", Msg::NavLibrary),
    ("/members", Msg::NavMembers),
    ("/events", Msg::NavEvents),
    ("/news", Msg::NavNews),
    ("/about", Msg::NavAbout),
    ("/help", Msg::NavHelp),
];

/// The header. Staff get a link to the admin area; `on_sign_out` ends the session.
#[component]
pub fn Header(
    community_name: Signal<String>,
    session: Signal<SessionState>,
    on_sign_out: Callback<()>,
) -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    let close = move |_| set_menu_open.set(false);
    view! {
        <header class="site-header">
            <div class="bar">
                <a class="brand" href="/">{move || community_name.get()}</a>
                <button
                    class="menu-toggle"
                    aria-controls="site-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| set_menu_open.update(|open| *open = !*open)
                >
                    {t(Msg::Menu)}
                </button>
                <nav id="site-nav" class="site-nav" class:open=move || menu_open.get() aria-label="Main">
                    <ul>
                        {NAV
                            .iter()
                            .map(|(href, msg)| {
                                view! {
                                    <li on:click=close>
                                        <A href=*href exact=*href == "/">{t(*msg)}</A>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </nav>
                <div class="user-menu">
                    {move || match session.get() {
                        SessionState::Restoring => ().into_any(),
                        SessionState::SignedOut => view! {
                            <a class="button-link" href="/login">{t(Msg::SignIn)}</a>
                            <a class="button-link" href="/register">{t(Msg::Join)}</a>
                        }
                            .into_any(),
                        SessionState::SignedIn(user) => {
                            let is_staff = user.role.is_staff();
                            view! {
                                <span class="user-name" data-testid="user-name">{user.display_name.clone()}</span>
                                {is_staff.then(|| view! { <a class="button-link" href="/admin">{t(Msg::Admin)}</a> })}
                                <button on:click=move |_| on_sign_out.run(())>{t(Msg::SignOut)}</button>
                            }
                                .into_any()
                        }
                    }}
                </div>
            </div>
        </header>
    }
}
