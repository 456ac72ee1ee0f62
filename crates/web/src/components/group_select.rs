//! Choosing a group, in a form (where something is posted) or a filter (what a list
//! shows): fixed choices first, then the member's own groups, then a group named in
//! the address that is none of those (so a link from a group's page keeps its choice).

use copse_shared::groups::Group;
use leptos::prelude::*;

use crate::i18n::{Msg, t};

/// The select with its label and the server's error, if any.
#[component]
pub fn GroupSelect(
    /// The select's id.
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// The member's groups.
    #[prop(into)]
    groups: Signal<Vec<Group>>,
    /// The chosen value: a leading choice's value, or a group's slug or id.
    #[prop(into)]
    selected: Signal<String>,
    /// The choices before the groups: value and label.
    leading: &'static [(&'static str, Msg)],
    /// Told the new value.
    on_change: Callback<String>,
    /// The server's error for this field.
    #[prop(optional, into)]
    error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| on_change.run(event_target_value(&ev))>
                {leading
                    .iter()
                    .map(|(value, msg)| view! {
                        <option value=*value prop:selected=move || selected.with(|s| s == value)>{t(*msg)}</option>
                    })
                    .collect_view()}
                {move || {
                    let list = groups.get();
                    let chosen = selected.get();
                    let named = |g: &Group| chosen == g.slug || chosen == g.id;
                    let known = leading.iter().any(|(v, _)| *v == chosen) || list.iter().any(named);
                    let extra = (!known).then(|| view! { <option value=chosen.clone() prop:selected=true>{chosen.clone()}</option> });
                    let options = list
                        .iter()
                        .map(|g| view! { <option value=g.slug.clone() prop:selected=named(g)>{g.name.clone()}</option> })
                        .collect_view();
                    view! { {options} {extra} }
                }}
            </select>
            {error.map(|error| move || error.get().map(|m| view! { <p class="field-error">{m}</p> }))}
        </div>
    }
}
