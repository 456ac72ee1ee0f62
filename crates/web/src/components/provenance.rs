//! Where a partner synced a library item or event from: "From FAO e-Agriculture",
//! linked to the original when the partner gave its address.

use copse_shared::partners::Provenance;
use leptos::prelude::*;

use crate::format;
use crate::i18n::{self, Msg, t};

/// The provenance line, or nothing for content made here.
pub fn provenance_view(provenance: Option<&Provenance>) -> Option<AnyView> {
    let p = provenance?;
    let label = i18n::fill(Msg::FromSource, &[("name", &p.source_name)]);
    let name = match &p.source_url {
        Some(url) => {
            view! { <a href=url.clone() rel="noopener nofollow external" target="_blank">{label}</a> }.into_any()
        }
        None => view! { <span>{label}</span> }.into_any(),
    };
    Some(
        view! {
            <p class="meta provenance" data-testid="provenance">
                <span class="badge">{t(Msg::Synced)}</span> " " {name} " · "
                {t(Msg::SyncedOn)} " " <time datetime=format::iso(p.synced_at)>{format::date(p.synced_at)}</time>
            </p>
        }
        .into_any(),
    )
}
