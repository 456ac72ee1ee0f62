//! Copse's single-page app: mounts the app shell into the page.

mod api;
mod app;
mod components;
mod format;
mod i18n;
mod pages;
mod state;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
