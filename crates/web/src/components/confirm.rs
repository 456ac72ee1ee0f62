//! A button for destructive actions that asks once before acting, inline (no modal
//! dialog), keeping keyboard focus on the question.

use leptos::html;
use leptos::prelude::*;

use crate::i18n::{Msg, t};

/// First press asks `question`; confirming runs `on_confirm`.
#[component]
pub fn ConfirmButton(
    /// The button's text.
    label: &'static str,
    /// The question shown before acting.
    question: &'static str,
    /// The confirming button's text.
    confirm: &'static str,
    /// Whether the action is under way.
    #[prop(into)]
    busy: Signal<bool>,
    /// Runs the action.
    on_confirm: Callback<()>,
    /// Id of the element naming what the action is about (a row's name).
    #[prop(optional, into)]
    describedby: Option<String>,
    /// A `data-testid` for the button; the confirming button gets it with `-confirm`.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let returning = RwSignal::new(false);
    move || {
        let describedby = describedby.clone();
        if asking.get() {
            let yes = NodeRef::<html::Button>::new();
            yes.on_load(|button| {
                let _ = button.focus();
            });
            view! {
                <span class="confirm" role="group" aria-label=question>
                    <span class="confirm-question">{question}</span>
                    " "
                    <button
                        type="button"
                        class="danger"
                        node_ref=yes
                        aria-describedby=describedby
                        data-testid=testid.map(|id| format!("{id}-confirm"))
                        disabled=move || busy.get()
                        on:click=move |_| {
                            asking.set(false);
                            on_confirm.run(());
                        }
                    >
                        {confirm}
                    </button>
                    " "
                    <button
                        type="button"
                        class="secondary"
                        on:click=move |_| {
                            returning.set(true);
                            asking.set(false);
                        }
                    >
                        {t(Msg::Cancel)}
                    </button>
                </span>
            }
            .into_any()
        } else {
            let again = NodeRef::<html::Button>::new();
            if returning.get_untracked() {
                returning.set(false);
                again.on_load(|button| {
                    let _ = button.focus();
                });
            }
            view! {
                <button
                    type="button"
                    class="secondary danger-text"
                    node_ref=again
                    aria-describedby=describedby
                    data-testid=testid
                    disabled=move || busy.get()
                    on:click=move |_| asking.set(true)
                >
                    {label}
                </button>
            }
            .into_any()
        }
    }
}
