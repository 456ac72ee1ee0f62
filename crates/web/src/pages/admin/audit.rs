//! The audit log, for admins: who did what to whom, and when, newest first.

use copse_shared::endpoints::ListAudit;
use copse_shared::members::AuditEntry;
use leptos::prelude::*;

use crate::api;
use crate::components::status::{Empty, ErrorAlert, Loading};
use crate::format;
use crate::i18n::{Msg, t};
use crate::pages::paged::Paged;

/// The action filter's choices: prefix and label.
const ACTIONS: &[(&str, Msg)] = &[
    ("", Msg::AnyAction),
    ("member.", Msg::AuditMembers),
    ("invitation.", Msg::Invitations),
    ("group.", Msg::GroupsTitle),
    ("community.", Msg::CommunitySettings),
];

fn query(action: String, cursor: Option<String>) -> ListAudit {
    ListAudit { action: (!action.is_empty()).then_some(action), limit: None, cursor }
}

/// "from → to" for role changes, empty otherwise.
fn change(details: &serde_json::Value) -> Option<String> {
    let from = details.get("from")?.as_str()?;
    let to = details.get("to")?.as_str()?;
    Some(format!("{from} → {to}"))
}

#[component]
pub fn Audit() -> impl IntoView {
    let action = RwSignal::new(String::new());
    let resource = LocalResource::new(move || {
        let q = query(action.get(), None);
        async move { api::call(&q).await }
    });
    view! {
        <h2>{t(Msg::AuditLog)}</h2>
        <div class="filters">
            <div class="field">
                <label for="audit-action">{t(Msg::Action)}</label>
                <select id="audit-action" on:change=move |ev| action.set(event_target_value(&ev))>
                    {ACTIONS.iter().map(|(value, msg)| view! { <option value=*value>{t(*msg)}</option> }).collect_view()}
                </select>
            </div>
        </div>
        <Transition fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(page) => {
                    let paged = Paged::new(page);
                    let current = action.get_untracked();
                    let on_load = Callback::new(move |_| {
                        let current = current.clone();
                        paged.load_more(move |cursor| async move { api::call(&query(current, Some(cursor))).await })
                    });
                    view! {
                        {move || paged.is_empty().then(|| view! { <Empty text=t(Msg::NoAuditEntries)/> })}
                        <Show when=move || !paged.is_empty()>
                        <div class="table-wrap" role="region" aria-label=t(Msg::AuditLog) tabindex="0">
                            <table class="audit">
                                <thead>
                                    <tr>
                                        <th scope="col">{t(Msg::When)}</th>
                                        <th scope="col">{t(Msg::Who)}</th>
                                        <th scope="col">{t(Msg::Action)}</th>
                                        <th scope="col">{t(Msg::Target)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    <For each=move || paged.items.get() key=|e: &AuditEntry| e.id.clone() let(entry)>
                                        <tr data-testid="audit-entry">
                                            <td><time datetime=format::iso(entry.created_at)>{format::date_time(entry.created_at)}</time></td>
                                            <td>{entry.actor.as_ref().map(|a| a.display_name.clone()).unwrap_or_else(|| t(Msg::System).to_owned())}</td>
                                            <td><code>{entry.action.clone()}</code></td>
                                            <td>
                                                {entry.target_label.clone()}
                                                {change(&entry.details).map(|c| view! { " " <span class="meta">{c}</span> })}
                                            </td>
                                        </tr>
                                    </For>
                                </tbody>
                            </table>
                        </div>
                        </Show>
                        {paged.footer(on_load)}
                    }
                    .into_any()
                }
                Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
            })}
        </Transition>
    }
}
