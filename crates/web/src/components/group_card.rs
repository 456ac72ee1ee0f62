//! A group in a list: its name and link, visibility, size, a plain excerpt of its
//! description, and whatever action the page puts in it.

use copse_shared::groups::{Group, GroupVisibility};
use leptos::prelude::*;

use crate::i18n::{self, Msg, t};

/// The description's first words as plain text: Markdown marks removed, links
/// reduced to their text, cut at a word boundary.
pub fn excerpt(markdown: &str, max_chars: usize) -> String {
    let mut plain = String::new();
    let mut chars = markdown.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' | '_' | '`' | '#' | '>' | '[' | '|' | '~' => {}
            ']' => {
                // A link's target follows its text: drop it.
                if chars.peek() == Some(&'(') {
                    for skipped in chars.by_ref() {
                        if skipped == ')' {
                            break;
                        }
                    }
                }
            }
            '!' if chars.peek() == Some(&'[') => {}
            c if c.is_whitespace() => {
                if !plain.is_empty() && !plain.ends_with(' ') {
                    plain.push(' ');
                }
            }
            c => plain.push(c),
        }
    }
    let plain = plain.trim();
    if plain.chars().count() <= max_chars {
        return plain.to_owned();
    }
    let cut: String = plain.chars().take(max_chars).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > max_chars / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([' ', ',', '.', ';', ':']))
}

/// One group's card; `children` holds its action (join, member badge, ...).
#[component]
pub fn GroupCard(group: Group, children: Children) -> impl IntoView {
    let title_id = format!("group-{}-title", group.slug);
    let href = format!("/groups/{}", group.slug);
    let summary = excerpt(&group.description, 160);
    let labelled_by = title_id.clone();
    view! {
        <article class="card group-card" aria-labelledby=labelled_by data-testid="group-card">
            <h3 id=title_id>
                <a href=href>{group.name}</a>
            </h3>
            <p class="meta">
                {(group.visibility == GroupVisibility::Private).then(|| view! { <span class="badge">{t(Msg::Private)}</span> })}
                {group.archived.then(|| view! { <span class="badge muted">{t(Msg::Archived)}</span> })}
                <span>{i18n::members_count(group.member_count)}</span>
            </p>
            {(!summary.is_empty()).then(|| view! { <p class="excerpt">{summary}</p> })}
            <div class="card-actions">{children()}</div>
        </article>
    }
}
