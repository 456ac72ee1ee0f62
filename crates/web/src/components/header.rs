//! The site header: the community's name, the navigation and the user menu.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{self, Msg, t};
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
    /// Unread notifications of the signed-in member, for the bell.
    unread: Signal<Option<i64>>,
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
                                <Bell unread=unread/>
                                <a class="user-name" data-testid="user-name" href=format!("/members/{}", user.id)>{user.display_name.clone()}</a>
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

/// The link to the notifications, with the unread count as a badge.
#[component]
fn Bell(unread: Signal<Option<i64>>) -> impl IntoView {
    let count = move || unread.get().unwrap_or(0);
    let label = move || match count() {
        0 => t(Msg::Notifications).to_owned(),
        n => i18n::fill(Msg::NotificationsUnread, &[("n", &n.to_string())]),
    };
    view! {
        <a class="button-link bell" href="/notifications" aria-label=label title=label data-testid="bell">
            <svg
                aria-hidden="true"
                width="18"
                height="18"
                viewBox="0 0 24 24"
                fill="none"
                stroke="currentColor"
                stroke-width="2"
                stroke-linecap="round"
                stroke-linejoin="round"
            >
                <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9"></path>
                <path d="M13.73 21a2 2 0 0 1-3.46 0"></path>
            </svg>
            {move || (count() > 0).then(|| view! {
                <span class="bell-count" aria-hidden="true" data-testid="bell-count">{count()}</span>
            })}
        </a>
    }
}
