//! An accessible tab list (the WAI-ARIA tabs pattern): the selected tab is the one
//! Tab stop, and the arrow keys, Home and End move between tabs.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The id of tab `key`.
pub fn tab_id(prefix: &str, key: &str) -> String {
    format!("{prefix}-tab-{key}")
}

/// The id of the panel tab `key` controls.
pub fn panel_id(prefix: &str, key: &str) -> String {
    format!("{prefix}-panel-{key}")
}

fn focus(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

/// The row of tabs. The caller renders the selected panel with [`TabPanel`].
#[component]
pub fn TabList(
    /// Prefix of the tabs' and panels' ids.
    prefix: &'static str,
    /// The accessible name of the tab list.
    label: &'static str,
    /// The tabs: key and visible label.
    #[prop(into)]
    tabs: Signal<Vec<(&'static str, &'static str)>>,
    /// The selected tab's key.
    selected: RwSignal<&'static str>,
) -> impl IntoView {
    let on_keydown = move |ev: KeyboardEvent| {
        let list = tabs.get_untracked();
        let count = list.len();
        let Some(current) = list.iter().position(|(key, _)| *key == selected.get_untracked()) else { return };
        let next = match ev.key().as_str() {
            "ArrowRight" => (current + 1) % count,
            "ArrowLeft" => (current + count - 1) % count,
            "Home" => 0,
            "End" => count.saturating_sub(1),
            _ => return,
        };
        ev.prevent_default();
        if let Some((key, _)) = list.get(next) {
            selected.set(key);
            focus(&tab_id(prefix, key));
        }
    };
    view! {
        <div class="tabs" role="tablist" aria-label=label on:keydown=on_keydown>
            {move || {
                tabs.get()
                    .into_iter()
                    .map(|(key, text)| {
                        let is_selected = move || selected.get() == key;
                        view! {
                            <button
                                type="button"
                                role="tab"
                                id=tab_id(prefix, key)
                                aria-selected=move || is_selected().to_string()
                                aria-controls=move || is_selected().then(|| panel_id(prefix, key))
                                tabindex=move || if is_selected() { "0" } else { "-1" }
                                on:click=move |_| selected.set(key)
                            >
                                {text}
                            </button>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}

/// The panel of the selected tab.
#[component]
pub fn TabPanel(prefix: &'static str, key: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="tab-panel" role="tabpanel" id=panel_id(prefix, key) aria-labelledby=tab_id(prefix, key) tabindex="0">
            {children()}
        </div>
    }
}
