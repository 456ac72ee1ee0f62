//! The event types an endpoint subscribes to, as checkboxes grouped by resource
//! (topics, replies, library items, events), each group with a box that ticks it whole.

use std::collections::BTreeSet;

use copse_shared::webhooks::WEBHOOK_EVENTS;
use leptos::prelude::*;

use crate::components::field::CheckboxField;
use crate::i18n::{Msg, t};

/// The checkbox id of an event type: with the prefix `event`, `library_item.created`
/// becomes `event-library_item-created`.
pub fn checkbox_id(prefix: &str, event: &str) -> String {
    format!("{prefix}-{}", event.replace('.', "-"))
}

/// The event types by resource (the part before the dot), in the contract's order.
fn by_resource() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut groups: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for event in WEBHOOK_EVENTS {
        let resource = event.split_once('.').map_or(event, |(resource, _)| resource);
        match groups.iter_mut().find(|(r, _)| *r == resource) {
            Some((_, events)) => events.push(event),
            None => groups.push((resource, vec![event])),
        }
    }
    groups
}

/// A resource's name for people; a resource added to the contract later shows as is.
fn resource_label(resource: &'static str) -> &'static str {
    match resource {
        "topic" => t(Msg::WebhookEventsTopics),
        "post" => t(Msg::WebhookEventsPosts),
        "library_item" => t(Msg::WebhookEventsLibrary),
        "event" => t(Msg::WebhookEventsEvents),
        other => other,
    }
}

/// Every event type as a checkbox, with the server's message about them under the list.
#[component]
pub fn EventChoices(
    /// Prefix of the checkboxes' ids.
    prefix: &'static str,
    /// The event types ticked.
    chosen: RwSignal<BTreeSet<String>>,
    /// The server's message about the events, if any.
    error: Signal<Option<String>>,
) -> impl IntoView {
    let hint_id = format!("{prefix}-events-hint");
    let error_id = format!("{prefix}-events-error");
    let shown_error_id = error_id.clone();
    let groups = by_resource()
        .into_iter()
        .map(|(resource, events)| {
            let events = StoredValue::new(events);
            let all = Signal::derive(move || {
                chosen.with(|c| events.with_value(|events| events.iter().all(|e| c.contains(*e))))
            });
            let tick_all = Callback::new(move |on: bool| {
                chosen.update(|c| {
                    events.with_value(|events| {
                        for event in events {
                            if on {
                                c.insert((*event).to_owned());
                            } else {
                                c.remove(*event);
                            }
                        }
                    })
                })
            });
            let boxes = events
                .get_value()
                .into_iter()
                .map(|event| {
                    view! {
                        <CheckboxField
                            id=checkbox_id(prefix, event)
                            label=event
                            checked=Signal::derive(move || chosen.with(|c| c.contains(event)))
                            on_change=Callback::new(move |on| {
                                chosen.update(|c| {
                                    if on {
                                        c.insert(event.to_owned());
                                    } else {
                                        c.remove(event);
                                    }
                                })
                            })
                        />
                    }
                })
                .collect_view();
            view! {
                <fieldset class="rows event-group">
                    <legend>{resource_label(resource)}</legend>
                    <CheckboxField
                        id=format!("{prefix}-all-{resource}")
                        label=t(Msg::WebhookAllEvents)
                        checked=all
                        on_change=tick_all
                    />
                    {boxes}
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <fieldset
            class="rows webhook-events"
            aria-describedby=move || {
                if error.get().is_some() { format!("{hint_id} {error_id}") } else { hint_id.clone() }
            }
        >
            <legend>{t(Msg::WebhookEvents)}</legend>
            <p class="hint" id=format!("{prefix}-events-hint")>{t(Msg::WebhookEventsHint)}</p>
            <div class="grid event-groups">{groups}</div>
            {move || error.get().map(|m| view! { <p class="field-error" id=shown_error_id.clone() role="alert">{m}</p> })}
        </fieldset>
    }
}
