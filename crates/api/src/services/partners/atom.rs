//! Atom (RFC 4287) feeds of the latest topics, library items and events, for the
//! community or one group, so knowledge hubs and feed readers follow the community
//! without an API client. Private content needs the reader's personal feed token (the
//! same one calendar feeds use); without it a feed holds only what anonymous visitors
//! may read.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entities::{event, library_item, topic};
use crate::error::ApiResult;
use crate::policy::{self, Actor};
use crate::services::community;
use crate::services::discussions::{excerpt, members, scope_filter};
use crate::state::AppState;

/// Entries per feed.
const ENTRIES: u64 = 50;

/// Which content a feed follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtomKind {
    /// New topics and questions.
    Topics,
    /// New library items.
    Library,
    /// New events.
    Events,
}

impl AtomKind {
    fn title(self) -> &'static str {
        match self {
            AtomKind::Topics => "Discussions",
            AtomKind::Library => "Library",
            AtomKind::Events => "Events",
        }
    }
}

/// Escapes text for XML content and attributes.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids are dropped rather than breaking the document.
            c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// One entry, ready to write.
struct Entry {
    id: String,
    title: String,
    path: String,
    updated: DateTime<Utc>,
    published: DateTime<Utc>,
    author: Option<String>,
    summary: String,
}

/// The feed for a reader (anonymous, or the owner of a feed token).
pub async fn feed(
    state: &AppState,
    actor: &Actor,
    kind: AtomKind,
    group: Option<&str>,
    base_url: &str,
) -> ApiResult<String> {
    let db = &state.db;
    let public_read = community::load(db).await?.public_read;
    let entries: Vec<Entry> = match kind {
        AtomKind::Topics => {
            let visible = policy::visible_topics(actor, public_read).ok_or_else(policy::sign_in_required)?;
            let mut query = topic::Entity::find().filter(visible);
            if let Some(scope) = scope_filter(topic::Column::GroupId, group) {
                query = query.filter(scope);
            }
            let rows = query
                .order_by_desc(topic::Column::CreatedAt)
                .order_by_desc(topic::Column::Id)
                .limit(ENTRIES)
                .all(db)
                .await?;
            let people = members(state, rows.iter().filter_map(|t| t.author_id.clone()).collect()).await?;
            rows.into_iter()
                .map(|t| Entry {
                    author: t.author_id.as_ref().and_then(|a| people.get(a)).map(|m| m.display_name.clone()),
                    path: format!("/discussions/{}", t.id),
                    id: format!("topic/{}", t.id),
                    title: t.title,
                    updated: t.last_activity_at,
                    published: t.created_at,
                    summary: t.excerpt,
                })
                .collect()
        }
        AtomKind::Library => {
            let visible = policy::visible_library_items(actor, public_read).ok_or_else(policy::sign_in_required)?;
            let mut query = library_item::Entity::find().filter(visible);
            if let Some(scope) = scope_filter(library_item::Column::GroupId, group) {
                query = query.filter(scope);
            }
            let rows = query
                .order_by_desc(library_item::Column::CreatedAt)
                .order_by_desc(library_item::Column::Id)
                .limit(ENTRIES)
                .all(db)
                .await?;
            let people = members(state, rows.iter().filter_map(|i| i.owner_id.clone()).collect()).await?;
            rows.into_iter()
                .map(|i| Entry {
                    author: i.owner_id.as_ref().and_then(|a| people.get(a)).map(|m| m.display_name.clone()),
                    path: format!("/library/{}", i.id),
                    id: format!("library/{}", i.id),
                    summary: excerpt(&i.description, 280),
                    title: i.title,
                    updated: i.updated_at,
                    published: i.created_at,
                })
                .collect()
        }
        AtomKind::Events => {
            let visible = policy::visible_events(actor, public_read).ok_or_else(policy::sign_in_required)?;
            let mut condition = Condition::all().add(visible);
            if let Some(scope) = scope_filter(event::Column::GroupId, group) {
                condition = condition.add(scope);
            }
            let rows = event::Entity::find()
                .filter(condition)
                .order_by_desc(event::Column::CreatedAt)
                .order_by_desc(event::Column::Id)
                .limit(ENTRIES)
                .all(db)
                .await?;
            let people = members(state, rows.iter().filter_map(|e| e.creator_id.clone()).collect()).await?;
            rows.into_iter()
                .map(|e| {
                    let mut summary = format!("Starts {} ({}).", stamp(e.starts_at), e.time_zone);
                    if e.cancelled_at.is_some() {
                        summary.insert_str(0, "Cancelled. ");
                    }
                    if let Some(venue) = &e.venue {
                        let _ = write!(summary, " {venue}.");
                    }
                    let text = excerpt(&e.description, 240);
                    if !text.is_empty() {
                        let _ = write!(summary, " {text}");
                    }
                    Entry {
                        author: e.creator_id.as_ref().and_then(|a| people.get(a)).map(|m| m.display_name.clone()),
                        path: format!("/events/{}", e.id),
                        id: format!("event/{}", e.id),
                        title: e.title,
                        updated: e.updated_at,
                        published: e.created_at,
                        summary,
                    }
                })
                .collect()
        }
    };
    let community_name = community::load(db).await?.name;
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let self_id = format!("{base_url}/api/v1/feeds/{}.atom", kind.title().to_lowercase());
    let _ = writeln!(out, "  <id>{}</id>", xml(&self_id));
    let _ = writeln!(out, "  <title>{} · {}</title>", xml(&community_name), kind.title());
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or_else(Utc::now);
    let _ = writeln!(out, "  <updated>{}</updated>", stamp(updated));
    let _ = writeln!(out, "  <link rel=\"alternate\" href=\"{}\"/>", xml(base_url));
    let _ = writeln!(out, "  <generator>Copse</generator>");
    for entry in &entries {
        out.push_str("  <entry>\n");
        // A tag URI: stable whatever address the server is reached by.
        let _ = writeln!(out, "    <id>tag:copse,2026:{}</id>", xml(&entry.id));
        let _ = writeln!(out, "    <title>{}</title>", xml(&entry.title));
        let _ = writeln!(out, "    <link rel=\"alternate\" href=\"{}\"/>", xml(&format!("{base_url}{}", entry.path)));
        let _ = writeln!(out, "    <published>{}</published>", stamp(entry.published));
        let _ = writeln!(out, "    <updated>{}</updated>", stamp(entry.updated));
        let _ = writeln!(
            out,
            "    <author><name>{}</name></author>",
            xml(entry.author.as_deref().unwrap_or("Former member"))
        );
        if !entry.summary.is_empty() {
            let _ = writeln!(out, "    <summary>{}</summary>", xml(&entry.summary));
        }
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    Ok(out)
}
