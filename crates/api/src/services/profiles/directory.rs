//! The member directory (combined filters, three keyset orders), the expert finder
//! and the expertise vocabulary. Filters are subqueries on indexed columns (`country`,
//! `(kind, tag, user_id)`); free text ("contains", every character literal) is looked
//! up in the `member_search` trigram index of names and profile texts.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use copse_shared::Page;
use copse_shared::auth::AccountStatus;
use copse_shared::profiles::{DirectorySort, ExpertMatch, ExpertiseTag, ProfileSummary};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, LikeExpr, Query, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, DbBackend, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect};

use super::edit::small_limit;
use super::{EXPERTISE, INTEREST, LANGUAGE, load_many, summary};
use crate::entities::{library_item, library_item_tag, post, profile, profile_tag, topic, topic_tag, user};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::library::items::normalise_language;
use crate::services::{community, pagination};
use crate::state::AppState;

/// Longest free-text filter, in characters.
const MAX_QUERY_LEN: usize = 100;

/// The "most active" score, counted in the background (`ranking`).
const ACTIVITY: &str = super::ranking::SCORE;

/// The directory's filters.
#[derive(Debug, Default)]
pub struct DirectoryFilter {
    /// Words of the name, headline, organisation or job title.
    pub q: Option<String>,
    /// Part of the organisation.
    pub organisation: Option<String>,
    /// A country code.
    pub country: Option<String>,
    /// A language code.
    pub language: Option<String>,
    /// An expertise tag.
    pub expertise: Option<String>,
    /// An interest tag.
    pub interest: Option<String>,
    /// The order.
    pub sort: DirectorySort,
    /// Page size.
    pub limit: Option<u64>,
    /// Where the previous page ended.
    pub cursor: Option<String>,
}

/// The text with `\`, `%` and `_` escaped for a `LIKE ... ESCAPE '\'` pattern.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// `%text%`, matching the text literally.
fn contains_pattern(text: &str) -> LikeExpr {
    LikeExpr::new(format!("%{}%", escape_like(text))).escape('\\')
}

fn profiles_where(condition: Condition) -> SelectStatement {
    Query::select().column(profile::Column::UserId).from(profile::Entity).cond_where(condition).to_owned()
}

fn tagged(kind: &str, tag: &str) -> SelectStatement {
    Query::select()
        .column(profile_tag::Column::UserId)
        .from(profile_tag::Entity)
        .and_where(Expr::col(profile_tag::Column::Kind).eq(kind))
        .and_where(Expr::col(profile_tag::Column::Tag).eq(tag))
        .to_owned()
}

fn text_filter(field: &str, raw: Option<String>) -> ApiResult<Option<String>> {
    // Control characters (NUL above all, which PostgreSQL refuses in text) never match.
    let clean = |t: String| t.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_lowercase();
    let Some(text) = raw.map(clean).filter(|t| !t.is_empty()) else { return Ok(None) };
    if text.chars().count() > MAX_QUERY_LEN {
        return Err(ApiError::field(field, "too_long", format!("Use at most {MAX_QUERY_LEN} characters.")));
    }
    Ok(Some(text))
}

fn invalid_cursor() -> ApiError {
    ApiError::bad_request("The cursor is not valid for this order; start again from the first page.")
}

fn encode_cursor(sort: DirectorySort, key: &str, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{id}|{key}", sort.as_str()))
}

fn decode_cursor(sort: DirectorySort, cursor: &str) -> ApiResult<(String, String)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid_cursor())?)
        .map_err(|_| invalid_cursor())?;
    let mut parts = text.splitn(3, '|');
    if parts.next() != Some(sort.as_str()) {
        return Err(invalid_cursor());
    }
    let id = parts.next().ok_or_else(invalid_cursor)?.to_owned();
    let key = parts.next().ok_or_else(invalid_cursor)?.to_owned();
    Ok((key, id))
}

fn search_table() -> Alias {
    Alias::new("member_search")
}

fn search_col(name: &str) -> Expr {
    Expr::col((search_table(), Alias::new(name)))
}

/// The `member_search` rows (migrations `m20261201_000012` and `_000014`) whose name
/// or profile text contains the word. On SQLite a word of three characters or more is
/// looked up in the FTS5 trigram index as a quoted phrase (every character literal),
/// a shorter one is matched by scanning; PostgreSQL's trigram index serves `LIKE`.
fn word_matches(backend: DbBackend, word: &str) -> SimpleExpr {
    if backend == DbBackend::Sqlite && word.chars().count() >= 3 {
        let phrase = format!("\"{}\"", word.replace('"', "\"\""));
        let ids = Query::select()
            .expr(Expr::cust("rowid"))
            .from(Alias::new("member_search_fts"))
            .and_where(Expr::cust_with_values("member_search_fts MATCH ?", [phrase]))
            .to_owned();
        search_col("id").in_subquery(ids)
    } else {
        search_col("body").like(contains_pattern(word))
    }
}

/// The directory's filters, read and checked: the words of the free text, and each
/// other filter as a query of the members it allows.
struct Filters {
    words: Vec<String>,
    members_in: Vec<SelectStatement>,
}

impl Filters {
    fn read(filter: &mut DirectoryFilter) -> ApiResult<Self> {
        let words = text_filter("q", filter.q.take())?
            .map(|q| q.split_whitespace().take(8).map(str::to_owned).collect())
            .unwrap_or_default();
        let mut members_in = Vec::new();
        if let Some(organisation) = text_filter("organisation", filter.organisation.take())? {
            let lower = Expr::expr(Func::lower(Expr::col((profile::Entity, profile::Column::Organisation))))
                .like(contains_pattern(&organisation));
            members_in.push(profiles_where(Condition::all().add(lower)));
        }
        if let Some(country) = text_filter("country", filter.country.take())? {
            let code = country.to_ascii_uppercase();
            members_in.push(profiles_where(Condition::all().add(profile::Column::Country.eq(code))));
        }
        if let Some(language) = text_filter("language", filter.language.take())? {
            members_in.push(tagged(LANGUAGE, &normalise_language(&language)));
        }
        if let Some(tag) = text_filter("expertise", filter.expertise.take())? {
            members_in.push(tagged(EXPERTISE, &tag.replace(' ', "-")));
        }
        if let Some(tag) = text_filter("interest", filter.interest.take())? {
            members_in.push(tagged(INTEREST, &tag.replace(' ', "-")));
        }
        Ok(Self { words, members_in })
    }

    /// Every filter on `users` (they all combine).
    fn on_users(&self, backend: DbBackend) -> Condition {
        let mut all = Condition::all().add(user::Column::Status.eq(AccountStatus::Active.as_str()));
        for word in &self.words {
            let matching = Query::select()
                .column((search_table(), Alias::new("user_id")))
                .from(search_table())
                .and_where(word_matches(backend, word))
                .to_owned();
            all = all.add(user::Column::Id.in_subquery(matching));
        }
        for members in &self.members_in {
            all = all.add(user::Column::Id.in_subquery(members.clone()));
        }
        all
    }

    /// Every filter on `member_search`, which holds each member's name and status
    /// beside the text, so that a search sorted by name reads no account to sort.
    fn on_search(&self, backend: DbBackend) -> Condition {
        let mut all = Condition::all().add(search_col("active").eq(true));
        for word in &self.words {
            all = all.add(word_matches(backend, word));
        }
        for members in &self.members_in {
            all = all.add(search_col("user_id").in_subquery(members.clone()));
        }
        all
    }
}

/// One page of the directory: three queries for the page (accounts, profiles, tags),
/// plus one for "most active", whatever the page size.
///
/// The cards depend on nothing about the reader once they may read profiles at all, so
/// a page is kept for `COPSE_COMMUNITY_CACHE_MS` (1 s) and shown to every reader who
/// asks for the same page; every write through this server (a profile edit, a new
/// or suspended member) empties that memory, and so does a "most active" count that
/// changed a score (`ranking::spawn_worker`).
pub async fn list(state: &AppState, actor: &Actor, filter: DirectoryFilter) -> ApiResult<Arc<Page<ProfileSummary>>> {
    policy::require(actor, Action::ReadProfiles, &Resource::Community)?;
    let trusted_for = std::time::Duration::from_millis(state.settings.community_cache_ms);
    let key = (!trusted_for.is_zero()).then(|| format!("{filter:?}"));
    state.memo.directory_pages.shared(key, trusted_for, read_page(state, filter)).await
}

/// A page of the directory from the database.
async fn read_page(state: &AppState, mut filter: DirectoryFilter) -> ApiResult<Page<ProfileSummary>> {
    let limit = pagination::page_size(filter.limit)?;
    let sort = filter.sort;
    let cursor = filter.cursor.take().map(|c| decode_cursor(sort, &c)).transpose()?;
    let backend = state.db.get_database_backend();
    let filters = Filters::read(&mut filter)?;
    let mut query = user::Entity::find();
    let (users, keys): (Vec<user::Model>, HashMap<String, String>) = match sort {
        DirectorySort::Name if !filters.words.is_empty() => {
            // The page is chosen among the `member_search` rows the words found (their
            // `sort_name` is the account's `display_name`, kept by trigger in the same
            // transaction); then only the page's accounts are read, in the same order.
            let mut page = Query::select()
                .column((search_table(), Alias::new("user_id")))
                .from(search_table())
                .cond_where(filters.on_search(backend))
                .to_owned();
            if let Some((key, id)) = cursor {
                page.cond_where(
                    Condition::any()
                        .add(search_col("sort_name").gt(key.clone()))
                        .add(Condition::all().add(search_col("sort_name").eq(key)).add(search_col("user_id").gt(id))),
                );
            }
            page.order_by((search_table(), Alias::new("sort_name")), Order::Asc)
                .order_by((search_table(), Alias::new("user_id")), Order::Asc)
                .limit(limit + 1);
            let rows = query
                .filter(user::Column::Id.in_subquery(page))
                .order_by_asc(user::Column::DisplayName)
                .order_by_asc(user::Column::Id)
                .all(&state.db)
                .await?;
            let keys = rows.iter().map(|u| (u.id.clone(), u.display_name.clone())).collect();
            (rows, keys)
        }
        DirectorySort::Name => {
            query = query.filter(filters.on_users(backend));
            if let Some((key, id)) = cursor {
                query = query.filter(
                    Condition::any()
                        .add(user::Column::DisplayName.gt(key.clone()))
                        .add(Condition::all().add(user::Column::DisplayName.eq(key)).add(user::Column::Id.gt(id))),
                );
            }
            let rows = query
                .order_by_asc(user::Column::DisplayName)
                .order_by_asc(user::Column::Id)
                .limit(limit + 1)
                .all(&state.db)
                .await?;
            let keys = rows.iter().map(|u| (u.id.clone(), u.display_name.clone())).collect();
            (rows, keys)
        }
        DirectorySort::Newest => {
            query = query.filter(filters.on_users(backend));
            if let Some((key, id)) = cursor {
                let at = DateTime::parse_from_rfc3339(&key).map_err(|_| invalid_cursor())?.with_timezone(&Utc);
                query = query.filter(pagination::older_than(
                    &pagination::Cursor { at, id },
                    user::Column::CreatedAt,
                    user::Column::Id,
                ));
            }
            let rows = query
                .order_by_desc(user::Column::CreatedAt)
                .order_by_desc(user::Column::Id)
                .limit(limit + 1)
                .all(&state.db)
                .await?;
            let keys = rows.iter().map(|u| (u.id.clone(), u.created_at.to_rfc3339())).collect();
            (rows, keys)
        }
        DirectorySort::MostActive => {
            query = query.filter(filters.on_users(backend));
            if let Some((key, id)) = cursor {
                let score: i64 = key.parse().map_err(|_| invalid_cursor())?;
                query = query.filter(Condition::any().add(Expr::cust(format!("{ACTIVITY} < {score}"))).add(
                    Condition::all().add(Expr::cust(format!("{ACTIVITY} = {score}"))).add(user::Column::Id.lt(id)),
                ));
            }
            let scored: Vec<(String, i64)> = query
                .select_only()
                .column(user::Column::Id)
                .column_as(Expr::cust(ACTIVITY), "activity")
                .order_by(Expr::cust(ACTIVITY), Order::Desc)
                .order_by_desc(user::Column::Id)
                .limit(limit + 1)
                .into_tuple()
                .all(&state.db)
                .await?;
            let ids: Vec<String> = scored.iter().map(|(id, _)| id.clone()).collect();
            let mut found: HashMap<String, user::Model> = user::Entity::find()
                .filter(user::Column::Id.is_in(ids))
                .all(&state.db)
                .await?
                .into_iter()
                .map(|u| (u.id.clone(), u))
                .collect();
            let rows = scored.iter().filter_map(|(id, _)| found.remove(id)).collect();
            let keys = scored.into_iter().map(|(id, score)| (id, score.to_string())).collect();
            (rows, keys)
        }
    };
    let (users, next_cursor) = pagination::split(users, limit, |u| {
        encode_cursor(sort, keys.get(&u.id).map(String::as_str).unwrap_or_default(), &u.id)
    });
    let items = load_many(&state.db, users).await?.iter().map(summary).collect();
    Ok(Page { items, next_cursor })
}

/// Weights of the expert ranking: a declared level counts most, then answers the
/// community accepted, then any contribution on the subject.
const DECLARED_WEIGHT: i64 = 10;
const ACCEPTED_WEIGHT: i64 = 5;
const CONTRIBUTION_WEIGHT: i64 = 1;

/// The members best matching some tags, best first, among those who accept contact.
/// Accepted answers and contributions count only where the actor may read them.
pub async fn experts(
    state: &AppState,
    actor: &Actor,
    raw_tags: Option<String>,
    limit: Option<u64>,
) -> ApiResult<Vec<ExpertMatch>> {
    policy::require(actor, Action::ReadProfiles, &Resource::Community)?;
    let limit = small_limit(limit, 10, 50)?;
    let raw: Vec<String> = raw_tags.unwrap_or_default().split(',').map(str::to_owned).collect();
    let mut errors = crate::services::validate::Errors::default();
    let tags = super::edit::tags(&mut errors, "tags", &raw);
    errors.finish()?;
    if tags.is_empty() || tags.len() > 5 {
        return Err(ApiError::field("tags", "out_of_range", "Give one to five tags, separated by commas."));
    }
    let me = actor.user().map(|u| u.id.clone()).unwrap_or_default();

    let declared: Vec<(String, String, Option<i32>)> = profile_tag::Entity::find()
        .select_only()
        .column(profile_tag::Column::UserId)
        .column(profile_tag::Column::Tag)
        .column(profile_tag::Column::Level)
        .filter(profile_tag::Column::Kind.eq(EXPERTISE))
        .filter(profile_tag::Column::Tag.is_in(tags.clone()))
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut scores: HashMap<String, (i64, i64, i64)> = HashMap::new();
    for (user_id, _, level) in &declared {
        scores.entry(user_id.clone()).or_default().0 += i64::from(level.unwrap_or(1));
    }

    let public_read = community::current(state).await?.public_read;
    if let Some(visible) = policy::visible_topics(actor, public_read) {
        let tagged_topics = Query::select()
            .column(topic_tag::Column::TopicId)
            .from(topic_tag::Entity)
            .and_where(Expr::col(topic_tag::Column::Tag).is_in(tags.clone()))
            .to_owned();
        let readable = Query::select()
            .column(topic::Column::Id)
            .from(topic::Entity)
            .cond_where(visible.clone())
            .and_where(Expr::col(topic::Column::Id).in_subquery(tagged_topics.clone()))
            .to_owned();
        let accepted_posts = Query::select()
            .column(topic::Column::AcceptedPostId)
            .from(topic::Entity)
            .cond_where(visible)
            .and_where(Expr::col(topic::Column::Id).in_subquery(tagged_topics))
            .and_where(Expr::col(topic::Column::AcceptedPostId).is_not_null())
            .to_owned();
        let accepted: Vec<(Option<String>, i64)> = post::Entity::find()
            .select_only()
            .column(post::Column::AuthorId)
            .column_as(Expr::col(post::Column::Id).count(), "n")
            .filter(post::Column::Id.in_subquery(accepted_posts))
            .filter(post::Column::AuthorId.is_not_null())
            .filter(post::Column::DeletedAt.is_null())
            .group_by(post::Column::AuthorId)
            .into_tuple()
            .all(&state.db)
            .await?;
        for (author, n) in accepted.into_iter().filter_map(|(a, n)| Some((a?, n))) {
            scores.entry(author).or_default().1 += n;
        }
        let posts: Vec<(Option<String>, i64)> = post::Entity::find()
            .select_only()
            .column(post::Column::AuthorId)
            .column_as(Expr::col(post::Column::Id).count(), "n")
            .filter(post::Column::TopicId.in_subquery(readable))
            .filter(post::Column::AuthorId.is_not_null())
            .filter(post::Column::DeletedAt.is_null())
            .filter(post::Column::HiddenAt.is_null())
            .group_by(post::Column::AuthorId)
            .into_tuple()
            .all(&state.db)
            .await?;
        for (author, n) in posts.into_iter().filter_map(|(a, n)| Some((a?, n))) {
            scores.entry(author).or_default().2 += n;
        }
    }
    if let Some(visible) = policy::visible_library_items(actor, public_read) {
        let tagged_items = Query::select()
            .column(library_item_tag::Column::ItemId)
            .from(library_item_tag::Entity)
            .and_where(Expr::col(library_item_tag::Column::Tag).is_in(tags.clone()))
            .to_owned();
        let items: Vec<(Option<String>, i64)> = library_item::Entity::find()
            .select_only()
            .column(library_item::Column::OwnerId)
            .column_as(Expr::col(library_item::Column::Id).count(), "n")
            .filter(visible)
            .filter(library_item::Column::Id.in_subquery(tagged_items))
            .filter(library_item::Column::OwnerId.is_not_null())
            .group_by(library_item::Column::OwnerId)
            .into_tuple()
            .all(&state.db)
            .await?;
        for (owner, n) in items.into_iter().filter_map(|(a, n)| Some((a?, n))) {
            scores.entry(owner).or_default().2 += n;
        }
    }
    scores.remove(&me);
    if scores.is_empty() {
        return Ok(Vec::new());
    }
    // Only active members who accept contact are suggested.
    let open = profiles_where(Condition::all().add(profile::Column::AllowContact.eq(true)));
    let candidates = user::Entity::find()
        .filter(user::Column::Id.is_in(scores.keys().cloned().collect::<Vec<_>>()))
        .filter(user::Column::Status.eq(AccountStatus::Active.as_str()))
        .filter(user::Column::Id.in_subquery(open))
        .all(&state.db)
        .await?;
    let score_of = |id: &str| {
        let (declared, accepted, contributions) = scores.get(id).copied().unwrap_or_default();
        (
            declared * DECLARED_WEIGHT + accepted * ACCEPTED_WEIGHT + contributions * CONTRIBUTION_WEIGHT,
            accepted,
            contributions,
        )
    };
    let mut ranked: Vec<user::Model> = candidates;
    ranked.sort_by(|a, b| score_of(&b.id).0.cmp(&score_of(&a.id).0).then_with(|| a.display_name.cmp(&b.display_name)));
    ranked.truncate(usize::try_from(limit).unwrap_or(10));
    let wanted: HashSet<&String> = tags.iter().collect();
    let loaded = load_many(&state.db, ranked).await?;
    Ok(loaded
        .iter()
        .map(|l| {
            let member = summary(l);
            let matched_expertise = member.expertise.iter().filter(|e| wanted.contains(&e.tag)).cloned().collect();
            let (score, accepted_answers, contributions) = score_of(&l.user.id);
            ExpertMatch { member, score, matched_expertise, accepted_answers, contributions }
        })
        .collect())
}

/// The expertise tags in use among active members, most declared first.
pub async fn expertise_tags(
    state: &AppState,
    actor: &Actor,
    prefix: Option<String>,
    limit: Option<u64>,
) -> ApiResult<Vec<ExpertiseTag>> {
    policy::require(actor, Action::ReadProfiles, &Resource::Community)?;
    let limit = small_limit(limit, 20, 100)?;
    let active = Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .and_where(Expr::col(user::Column::Status).eq(AccountStatus::Active.as_str()))
        .to_owned();
    let mut query = profile_tag::Entity::find()
        .select_only()
        .column(profile_tag::Column::Tag)
        .column_as(Expr::col(profile_tag::Column::UserId).count(), "members")
        .filter(profile_tag::Column::Kind.eq(EXPERTISE))
        .filter(profile_tag::Column::UserId.in_subquery(active));
    if let Some(prefix) = text_filter("prefix", prefix)? {
        let pattern = LikeExpr::new(format!("{}%", escape_like(&prefix.replace(' ', "-")))).escape('\\');
        query = query.filter(profile_tag::Column::Tag.like(pattern));
    }
    let rows: Vec<(String, i64)> = query
        .group_by(profile_tag::Column::Tag)
        .order_by(Expr::col(profile_tag::Column::UserId).count(), Order::Desc)
        .order_by_asc(profile_tag::Column::Tag)
        .limit(limit)
        .into_tuple()
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().map(|(tag, members)| ExpertiseTag { tag, members }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_search_text_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
