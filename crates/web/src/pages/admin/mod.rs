//! The admin area for site facilitators and admins: pending registrations,
//! invitations, members, discussion categories, flagged posts, the audit log and the
//! community's settings, partner API keys and webhooks, one tab each, each tab its own
//! address (/admin, /admin/invitations, ...). A webhook's delivery log lives inside its
//! tab (/admin/webhooks/{webhook}).

pub mod audit;
pub mod categories;
pub mod flags;
pub mod invitations;
pub mod members;
pub mod registrations;
pub mod settings;

use copse_shared::auth::Role;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::components::status::Loading;
use crate::i18n::{Msg, t};
use crate::pages::api_keys::ApiKeysPanel;
use crate::pages::placeholder::NotFound;
use crate::pages::webhooks::{DeliveryLog, WebhooksPanel};
use crate::state::{SessionState, use_session};

/// The tabs: address, label, whether only admins see it.
const TABS: &[(&str, Msg, bool)] = &[
    ("/admin", Msg::PendingRegistrations, false),
    ("/admin/invitations", Msg::Invitations, false),
    ("/admin/members", Msg::NavMembers, false),
    ("/admin/categories", Msg::Categories, false),
    ("/admin/flags", Msg::Flags, false),
    ("/admin/audit", Msg::AuditLog, true),
    ("/admin/settings", Msg::Settings, true),
    ("/admin/api-keys", Msg::ApiKeys, true),
    ("/admin/webhooks", Msg::Webhooks, true),
];

#[component]
pub fn AdminPage() -> impl IntoView {
    let params = use_params_map();
    // A delivery log (/admin/webhooks/{webhook}) shows inside the Webhooks tab.
    let webhook = Memo::new(move |_| params.read().get("webhook"));
    let tab = Memo::new(move |_| {
        params.read().get("tab").or_else(|| webhook.get().map(|_| "webhooks".to_owned())).unwrap_or_default()
    });
    let session = use_session();
    view! {
        <h1>{t(Msg::Admin)}</h1>
        {move || match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            SessionState::SignedIn(user) if user.role.is_staff() => {
                let admin = user.role == Role::Admin;
                view! {
                    <nav class="tabs tab-links" aria-label=t(Msg::Admin)>
                        {TABS
                            .iter()
                            .filter(|(_, _, admins_only)| admin || !admins_only)
                            // Only the first tab's address begins every other one; the others
                            // stay current on the addresses inside them (a delivery log).
                            .map(|(href, msg, _)| view! { <A href=*href exact=*href == "/admin">{t(*msg)}</A> })
                            .collect_view()}
                    </nav>
                    <section class="tab-panel">
                        {move || match tab.get().as_str() {
                            "" => view! { <registrations::Registrations/> }.into_any(),
                            "invitations" => view! { <invitations::Invitations admin=admin/> }.into_any(),
                            "members" => view! { <members::Members me=user.clone()/> }.into_any(),
                            "categories" => view! { <categories::Categories/> }.into_any(),
                            "flags" => view! { <h2>{t(Msg::Flags)}</h2> <flags::FlagQueue/> }.into_any(),
                            "audit" if admin => view! { <audit::Audit/> }.into_any(),
                            "audit" => view! { <p class="notice">{t(Msg::AdminsOnlyAudit)}</p> }.into_any(),
                            "settings" => view! { <settings::Settings/> }.into_any(),
                            "api-keys" if admin => view! { <ApiKeysPanel admin=true group=None/> }.into_any(),
                            "api-keys" => view! { <p class="notice">{t(Msg::ApiKeysAdminsOnly)}</p> }.into_any(),
                            "webhooks" if admin => match webhook.get() {
                                Some(id) => view! { <DeliveryLog id=id/> }.into_any(),
                                None => view! { <WebhooksPanel/> }.into_any(),
                            },
                            "webhooks" => view! { <p class="notice">{t(Msg::WebhooksAdminsOnly)}</p> }.into_any(),
                            _ => view! { <NotFound/> }.into_any(),
                        }}
                    </section>
                }
                .into_any()
            }
            SessionState::SignedIn(_) => view! { <p class="notice">{t(Msg::StaffOnly)}</p> }.into_any(),
            SessionState::SignedOut => view! {
                <p class="notice">{t(Msg::StaffOnly)} " " <a href="/login">{t(Msg::SignIn)}</a></p>
            }
            .into_any(),
        }}
    }
}
