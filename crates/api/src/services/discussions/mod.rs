//! Discussions: what every discussion service shares. Loading a topic with the facts
//! the policy needs, building DTOs with a bounded number of queries (never one per
//! row), and rendering post bodies with @mentions.

pub mod categories;
pub mod moderation;
pub mod notify;
pub mod posts;
pub mod topics;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use copse_shared::discussions::{
    CategoryRef, GroupRef, Post, QuotedPost, ReactionCount, ReactionKind, TopicKind, TopicSummary,
};
use copse_shared::members::MemberSummary;
use pulldown_cmark::TagEnd;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Set};

use crate::entities::{category, group, group_membership, post, reaction, topic, topic_tag, user};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, GroupFacts, Resource, TopicFacts};
use crate::services::{community, markdown};
use crate::state::AppState;

/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest post body, in characters.
pub const MAX_BODY: usize = 50_000;
/// Most tags on a topic.
pub const MAX_TAGS: usize = 5;

/// A topic loaded for an actor, with the facts the policy decides on.
pub struct TopicCtx {
    /// The topic.
    pub topic: topic::Model,
    /// What the policy needs.
    pub facts: TopicFacts,
}

/// The actor's standing in a group, as the policy needs it.
pub async fn group_facts(
    db: &impl ConnectionTrait,
    actor: &Actor,
    group: &group::Model,
    public_read: bool,
) -> ApiResult<GroupFacts> {
    let membership = match actor.user() {
        Some(me) => group_membership::Entity::find_by_id((group.id.clone(), me.id.clone())).one(db).await?,
        None => None,
    };
    Ok(facts_of_group(group, membership.as_ref(), public_read))
}

fn facts_of_group(group: &group::Model, membership: Option<&group_membership::Model>, public_read: bool) -> GroupFacts {
    GroupFacts {
        id: group.id.clone(),
        visibility: group.visibility(),
        membership: membership.map(|m| (m.role(), m.status())),
        public_read,
    }
}

/// The actor's standing in many groups at once, keyed by group id: two queries in
/// all (the groups, the actor's memberships in them), whatever their number. Ids of
/// missing groups are left out.
pub async fn groups_facts(
    db: &impl ConnectionTrait,
    actor: &Actor,
    ids: HashSet<String>,
    public_read: bool,
) -> ApiResult<HashMap<String, GroupFacts>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let groups = group::Entity::find().filter(group::Column::Id.is_in(ids.clone())).all(db).await?;
    let memberships: HashMap<String, group_membership::Model> = match actor.user() {
        Some(me) => group_membership::Entity::find()
            .filter(group_membership::Column::UserId.eq(me.id.clone()))
            .filter(group_membership::Column::GroupId.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.group_id.clone(), m))
            .collect(),
        None => HashMap::new(),
    };
    Ok(groups.iter().map(|g| (g.id.clone(), facts_of_group(g, memberships.get(&g.id), public_read))).collect())
}

fn facts_of_topic(actor: &Actor, topic: &topic::Model, group: Option<GroupFacts>, public_read: bool) -> TopicFacts {
    let is_author = actor.user().is_some_and(|me| topic.author_id.as_deref() == Some(me.id.as_str()));
    TopicFacts { group, public_read, is_author, hidden: topic.hidden_at.is_some() }
}

/// The answer for content the actor may not see: 401 for anonymous visitors when
/// public reading is off, else 404, never revealing that it exists.
pub fn unseen(actor: &Actor, public_read: bool) -> ApiError {
    match actor {
        Actor::Anonymous if !public_read => policy::sign_in_required(),
        _ => ApiError::not_found(),
    }
}

/// The facts of the group some content belongs to (`None` for community content); a
/// missing group makes the content unseen.
pub async fn content_group(
    db: &impl ConnectionTrait,
    actor: &Actor,
    group_id: Option<&str>,
    public_read: bool,
) -> ApiResult<Option<GroupFacts>> {
    let Some(group_id) = group_id else { return Ok(None) };
    let group =
        group::Entity::find_by_id(group_id.to_owned()).one(db).await?.ok_or_else(|| unseen(actor, public_read))?;
    Ok(Some(group_facts(db, actor, &group, public_read).await?))
}

/// Group references for many group ids at once (one query).
pub async fn group_refs(state: &AppState, ids: HashSet<String>) -> ApiResult<HashMap<String, GroupRef>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let groups = groups_by_id(state, ids.iter()).await?;
    Ok(ids
        .into_iter()
        .filter_map(|id| {
            let g = groups.get(&id)?;
            Some((id, GroupRef { id: g.id.clone(), slug: g.slug.clone(), name: g.name.clone() }))
        })
        .collect())
}

/// The list filter for a scope: `community` (content outside groups) or a group's id
/// or slug; `None` for no filter.
pub fn scope_filter(column: impl ColumnTrait, key: Option<&str>) -> Option<Condition> {
    match key {
        Some("community") => Some(Condition::all().add(column.is_null())),
        Some(key) if !key.is_empty() => {
            let ids = Query::select()
                .column(group::Column::Id)
                .from(group::Entity)
                .cond_where(Condition::any().add(group::Column::Id.eq(key)).add(group::Column::Slug.eq(key)))
                .to_owned();
            Some(Condition::all().add(column.in_subquery(ids)))
        }
        _ => None,
    }
}

/// Loads a topic the actor may read; answers 404 otherwise (401 for anonymous
/// visitors when public reading is off), never revealing a hidden topic.
pub async fn load_topic(state: &AppState, actor: &Actor, id: &str) -> ApiResult<TopicCtx> {
    let public_read = community::current(state).await?.public_read;
    let Some(topic) = topic::Entity::find_by_id(id.to_owned()).one(&state.db).await? else {
        return Err(unseen(actor, public_read));
    };
    readable(actor, topic, public_read, |group_id| async move {
        content_group(&state.db, actor, Some(&group_id), public_read).await
    })
    .await
}

/// A topic with the actor's facts, if they may read it (404 otherwise, as
/// `load_topic`); `group_facts` gives the facts of the topic's group.
async fn readable<F>(
    actor: &Actor,
    topic: topic::Model,
    public_read: bool,
    group_facts: impl FnOnce(String) -> F,
) -> ApiResult<TopicCtx>
where
    F: Future<Output = ApiResult<Option<GroupFacts>>>,
{
    if topic.deleted_at.is_some() {
        return Err(unseen(actor, public_read));
    }
    let group = match topic.group_id.clone() {
        Some(group_id) => group_facts(group_id).await?,
        None => None,
    };
    let facts = facts_of_topic(actor, &topic, group, public_read);
    if !policy::can(actor, Action::ReadTopic, &Resource::Topic(&facts)) {
        return Err(unseen(actor, public_read));
    }
    Ok(TopicCtx { topic, facts })
}

/// Loads many topics at once, keyed by id, with three queries at most (the topics,
/// their groups, the actor's memberships), whatever their number. Only the topics
/// `load_topic` would answer are kept: a deleted topic, one whose group is gone, or
/// one the policy does not let the actor read is left out, not an error.
pub async fn load_topics(
    db: &impl ConnectionTrait,
    actor: &Actor,
    ids: HashSet<String>,
    public_read: bool,
) -> ApiResult<HashMap<String, TopicCtx>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let topics = topic::Entity::find()
        .filter(topic::Column::Id.is_in(ids))
        .filter(topic::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let group_ids: HashSet<String> = topics.iter().filter_map(|t| t.group_id.clone()).collect();
    let groups = groups_facts(db, actor, group_ids, public_read).await?;
    Ok(topics
        .into_iter()
        .filter_map(|topic| {
            let group = match &topic.group_id {
                Some(group_id) => Some(groups.get(group_id)?.clone()),
                None => None,
            };
            let facts = facts_of_topic(actor, &topic, group, public_read);
            policy::can(actor, Action::ReadTopic, &Resource::Topic(&facts))
                .then(|| (topic.id.clone(), TopicCtx { topic, facts }))
        })
        .collect())
}

/// Requires an action on a loaded (hence readable) topic: 401 for anonymous, else 403.
pub fn require(actor: &Actor, action: Action, ctx: &TopicCtx) -> ApiResult<()> {
    policy::require(actor, action, &Resource::Topic(&ctx.facts))
}

/// The names of members, for many ids at once: from memory (`Memos::names`) when read
/// less than `COPSE_COMMUNITY_CACHE_MS` ago, the rest in one statement. A rename or a
/// deletion through this server drops the name at once (`accounts::changed`).
pub async fn members(state: &AppState, ids: HashSet<String>) -> ApiResult<HashMap<String, MemberSummary>> {
    let trusted_for = Duration::from_millis(state.settings.community_cache_ms);
    let names = &state.memo.names;
    let mut found = HashMap::with_capacity(ids.len());
    let mut missing = Vec::new();
    for id in ids {
        match names.fresh(&id, trusted_for) {
            Some(member) => {
                found.insert(id, (*member).clone());
            }
            None => missing.push(id),
        }
    }
    if missing.is_empty() {
        return Ok(found);
    }
    let seen = names.forgets();
    // Only the two columns shown: a whole account row (hash, settings) costs more to
    // copy out of the driver than the query itself.
    let rows: Vec<(String, String)> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::DisplayName)
        .filter(user::Column::Id.is_in(missing))
        .into_tuple()
        .all(&state.db)
        .await?;
    let read: Vec<(String, Arc<MemberSummary>)> =
        rows.into_iter().map(|(id, display_name)| (id.clone(), Arc::new(MemberSummary { id, display_name }))).collect();
    found.extend(read.iter().map(|(id, member)| (id.clone(), (**member).clone())));
    names.keep(seen, trusted_for, read);
    Ok(found)
}

/// A new post row: number `number` of the topic, by `author`, with its Markdown and
/// rendered HTML, optionally quoting another post.
pub(super) fn new_post(
    topic_id: &str,
    number: i32,
    author: &str,
    (body, body_html): (String, String),
    quote_post_id: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> post::ActiveModel {
    post::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        topic_id: Set(topic_id.to_owned()),
        number: Set(number),
        author_id: Set(Some(author.to_owned())),
        body: Set(body),
        body_html: Set(body_html),
        quote_post_id: Set(quote_post_id),
        created_at: Set(now),
        updated_at: Set(now),
        edited_at: Set(None),
        deleted_at: Set(None),
        hidden_at: Set(None),
    }
}

/// Plain text from Markdown, for excerpts: markup and extra spaces removed.
pub fn excerpt(markdown: &str, max: usize) -> String {
    let mut text = String::new();
    for event in pulldown_cmark::Parser::new(markdown) {
        match event {
            pulldown_cmark::Event::Text(t) | pulldown_cmark::Event::Code(t) => text.push_str(&t),
            // Blocks and line breaks separate words; inline markup (`**use**?`) does not.
            pulldown_cmark::Event::End(
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image,
            ) => {}
            pulldown_cmark::Event::SoftBreak | pulldown_cmark::Event::HardBreak | pulldown_cmark::Event::End(_) => {
                text.push(' ')
            }
            _ => {}
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() <= max {
        joined
    } else {
        let cut: String = joined.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Renders a post body: @mentions of active members become links to their profile,
/// then Markdown becomes sanitized HTML. Returns the HTML and the mentioned ids.
pub async fn render_body(db: &impl ConnectionTrait, body: &str) -> ApiResult<(String, Vec<String>)> {
    let mut tokens: Vec<String> = Vec::new();
    for (i, _) in body.match_indices('@') {
        let before_ok = i == 0 || body[..i].chars().last().is_some_and(|c| c.is_whitespace() || c == '(');
        let token: String =
            body[i + 1..].chars().take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.')).collect();
        let token = token.trim_end_matches('.').to_owned();
        if before_ok && (2..=40).contains(&token.chars().count()) && !tokens.contains(&token) && tokens.len() < 10 {
            tokens.push(token);
        }
    }
    let mut text = body.to_owned();
    let mut mentioned = Vec::new();
    for token in tokens {
        // A mention names a member by their display name without spaces: @AminaDiallo.
        let without_spaces = Func::cust(Alias::new("REPLACE"))
            .arg(Expr::col((user::Entity, user::Column::DisplayName)))
            .arg(" ")
            .arg("");
        let key = Expr::expr(Func::lower(without_spaces));
        let matches = user::Entity::find()
            .filter(key.eq(token.to_lowercase()))
            .filter(user::Column::Status.eq("active"))
            .limit(2)
            .all(db)
            .await?;
        if let [member] = matches.as_slice() {
            let link = format!("[@{}](/members/{})", member.display_name.replace(['[', ']'], ""), member.id);
            text = replace_mention(&text, &token, &link);
            mentioned.push(member.id.clone());
        }
    }
    Ok((markdown::render(&text), mentioned))
}

/// Replaces `@token` where it stands as a mention (not inside a longer word).
fn replace_mention(text: &str, token: &str, link: &str) -> String {
    let needle = format!("@{token}");
    let mut out = String::with_capacity(text.len() + link.len());
    let mut rest = text;
    while let Some(i) = rest.find(&needle) {
        let before_ok = out.is_empty() && i == 0
            || rest[..i].chars().last().or_else(|| out.chars().last()).is_none_or(|c| c.is_whitespace() || c == '(');
        let after = &rest[i + needle.len()..];
        let after_ok = after.chars().next().is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'));
        out.push_str(&rest[..i]);
        if before_ok && after_ok {
            out.push_str(link);
        } else {
            out.push_str(&needle);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Rows by id, as kept in memory.
type ById<T> = Arc<HashMap<String, T>>;

/// Every category and every group by id, from memory (`services::memo`): a list of
/// topics shows each one's category and group, and reading them costs two statements
/// per page. A topic naming one not in memory (made a moment ago through another
/// instance) reads them again.
async fn refs(state: &AppState, topics: &[topic::Model]) -> ApiResult<(ById<category::Model>, ById<group::Model>)> {
    let trusted_for = Duration::from_millis(state.settings.community_cache_ms);
    let mut categories = state.memo.categories.get_or_read(trusted_for, all_categories(&state.db)).await?;
    if topics.iter().any(|t| !categories.contains_key(&t.category_id)) {
        categories = state.memo.categories.store(all_categories(&state.db).await?);
    }
    let groups = groups_by_id(state, topics.iter().filter_map(|t| t.group_id.as_ref())).await?;
    Ok((categories, groups))
}

/// Every group by id, from memory; read again when one of `wanted` is not there (made
/// a moment ago through another instance).
pub async fn groups_by_id<'a>(
    state: &AppState,
    mut wanted: impl Iterator<Item = &'a String>,
) -> ApiResult<ById<group::Model>> {
    let trusted_for = Duration::from_millis(state.settings.community_cache_ms);
    let groups = state.memo.groups.get_or_read(trusted_for, all_groups(&state.db)).await?;
    if wanted.any(|id| !groups.contains_key(id)) {
        return Ok(state.memo.groups.store(all_groups(&state.db).await?));
    }
    Ok(groups)
}

async fn all_categories(db: &impl ConnectionTrait) -> ApiResult<HashMap<String, category::Model>> {
    Ok(category::Entity::find().all(db).await?.into_iter().map(|c| (c.id.clone(), c)).collect())
}

async fn all_groups(db: &impl ConnectionTrait) -> ApiResult<HashMap<String, group::Model>> {
    Ok(group::Entity::find().all(db).await?.into_iter().map(|g| (g.id.clone(), g)).collect())
}

/// Topic summaries for many topics with at most two queries in all (the authors not in
/// memory, tags), whatever the page size; categories and groups come from memory.
pub async fn summaries(state: &AppState, topics: Vec<topic::Model>) -> ApiResult<Vec<TopicSummary>> {
    let db = &state.db;
    let author_ids: HashSet<String> = topics.iter().filter_map(|t| t.author_id.clone()).collect();
    let topic_ids: Vec<String> = topics.iter().map(|t| t.id.clone()).collect();
    let (categories, groups) = refs(state, &topics).await?;
    let authors = members(state, author_ids).await?;
    let mut tags: HashMap<String, Vec<String>> = HashMap::new();
    if !topic_ids.is_empty() {
        for row in topic_tag::Entity::find().filter(topic_tag::Column::TopicId.is_in(topic_ids)).all(db).await? {
            tags.entry(row.topic_id).or_default().push(row.tag);
        }
    }
    Ok(topics
        .into_iter()
        .map(|t| {
            let category = categories.get(&t.category_id);
            let mut topic_tags = tags.remove(&t.id).unwrap_or_default();
            topic_tags.sort();
            TopicSummary {
                category: CategoryRef {
                    id: t.category_id.clone(),
                    slug: category.map(|c| c.slug.clone()).unwrap_or_default(),
                    name: category.map(|c| c.name.clone()).unwrap_or_default(),
                },
                group: t.group_id.as_ref().and_then(|id| groups.get(id)).map(|g| GroupRef {
                    id: g.id.clone(),
                    slug: g.slug.clone(),
                    name: g.name.clone(),
                }),
                author: t.author_id.as_ref().and_then(|id| authors.get(id).cloned()),
                kind: TopicKind::parse(&t.kind).unwrap_or(TopicKind::Discussion),
                tags: topic_tags,
                solved: t.accepted_post_id.is_some(),
                hidden: t.hidden_at.is_some(),
                id: t.id,
                title: t.title,
                reply_count: t.reply_count,
                created_at: t.created_at,
                last_activity_at: t.last_activity_at,
                pinned: t.pinned,
                locked: t.locked,
                excerpt: t.excerpt,
            }
        })
        .collect())
}

/// Reactions of one kind on one post: how many, and whether the actor's is among them.
#[derive(Debug, FromQueryResult)]
struct ReactionRow {
    post_id: String,
    kind: String,
    n: i64,
    mine: i32,
}

/// Post DTOs for many posts of one topic with at most three queries in all (quoted
/// posts, authors not in memory, reactions with the actor's own), whatever the page size.
pub async fn post_dtos(
    state: &AppState,
    actor: &Actor,
    ctx: &TopicCtx,
    posts: Vec<post::Model>,
) -> ApiResult<Vec<Post>> {
    render_posts(state, actor, posts, |_| Some(ctx)).await
}

/// The DTO of a post this request has just written: it has no reactions yet, so
/// none are read.
pub async fn new_post_dto(state: &AppState, actor: &Actor, ctx: &TopicCtx, post: post::Model) -> ApiResult<Post> {
    render(state, actor, vec![post], |_| Some(ctx), false)
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a new post could not be rendered")))
}

/// Post DTOs for posts of many topics at once, each rendered with its own topic's
/// facts (keyed by topic id, as `load_topics` answers): the same queries as
/// `post_dtos`, whatever the number of posts or topics. Posts whose topic is not in
/// `topics` are left out.
pub async fn post_dtos_across_topics(
    state: &AppState,
    actor: &Actor,
    topics: &HashMap<String, TopicCtx>,
    posts: Vec<post::Model>,
) -> ApiResult<Vec<Post>> {
    let posts = posts.into_iter().filter(|p| topics.contains_key(&p.topic_id)).collect();
    render_posts(state, actor, posts, |topic_id| topics.get(topic_id)).await
}

async fn render_posts<'a>(
    state: &AppState,
    actor: &Actor,
    posts: Vec<post::Model>,
    topic_of: impl Fn(&str) -> Option<&'a TopicCtx>,
) -> ApiResult<Vec<Post>> {
    render(state, actor, posts, topic_of, true).await
}

async fn render<'a>(
    state: &AppState,
    actor: &Actor,
    posts: Vec<post::Model>,
    topic_of: impl Fn(&str) -> Option<&'a TopicCtx>,
    read_reactions: bool,
) -> ApiResult<Vec<Post>> {
    let (shared, mine) = read_shared(&state.db, actor, &posts, read_reactions).await?;
    assemble(state, actor, posts, topic_of, &shared, &mine).await
}

/// What posts show to every reader alike: the posts they quote, by id, and their
/// reaction counts by post id (kind, count), only for posts that have reactions.
#[derive(Default)]
pub struct PostsShared {
    quoted: HashMap<String, Quoted>,
    counts: HashMap<String, Vec<(String, i64)>>,
}

/// A quoted post as quotes show it, its excerpt made once per page read.
struct Quoted {
    number: i32,
    author_id: Option<String>,
    excerpt: String,
}

/// A page of a topic's posts as every reader who may read the topic sees it, kept in
/// `Memos::topic_pages` (`posts::list`); what differs per reader (the policy's facts,
/// their own reactions, what they may edit) is worked out for each request.
pub struct PostsPage {
    /// The topic as read with the page.
    pub topic: topic::Model,
    /// The posts, in order.
    pub posts: Vec<post::Model>,
    /// Their quotes and reaction counts.
    pub shared: PostsShared,
    /// The next page's cursor.
    pub next_cursor: Option<String>,
}

impl PostsPage {
    /// A page with more text than this (long posts, 50 000 characters each at most)
    /// is not kept: the memory's 128 pages stay under 32 MiB.
    pub const MAX_KEPT_BYTES: usize = 256 * 1024;

    /// Whether the page is small enough to keep.
    pub fn worth_keeping(&self) -> bool {
        let posts: usize = self.posts.iter().map(|p| p.body.len() + p.body_html.len()).sum();
        let quotes: usize = self.shared.quoted.values().map(|q| q.excerpt.len()).sum();
        posts + quotes <= Self::MAX_KEPT_BYTES
    }
}

/// The quoted posts and, when `read_reactions`, the reaction counts of `posts`, with
/// the actor's own reactions: two statements at most.
async fn read_shared(
    db: &impl ConnectionTrait,
    actor: &Actor,
    posts: &[post::Model],
    read_reactions: bool,
) -> ApiResult<(PostsShared, HashSet<(String, String)>)> {
    let post_ids: Vec<String> = posts.iter().map(|p| p.id.clone()).collect();
    let quote_ids: HashSet<String> = posts.iter().filter_map(|p| p.quote_post_id.clone()).collect();
    let quoted: HashMap<String, Quoted> = if quote_ids.is_empty() {
        HashMap::new()
    } else {
        post::Entity::find()
            .filter(post::Column::Id.is_in(quote_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|q| {
                let concealed = q.deleted_at.is_some() || q.hidden_at.is_some();
                let excerpt = if concealed { String::new() } else { excerpt(&q.body, 200) };
                (q.id, Quoted { number: q.number, author_id: q.author_id, excerpt })
            })
            .collect()
    };
    let mut counts: HashMap<String, Vec<(String, i64)>> = HashMap::new();
    let mut mine: HashSet<(String, String)> = HashSet::new();
    if read_reactions && !post_ids.is_empty() {
        // Counts and the actor's own in one statement: `mine` is 1 for a (post, kind)
        // the actor reacted with.
        let own = match actor.user() {
            Some(me) => Into::<Expr>::into(Expr::case(reaction::Column::UserId.eq(me.id.clone()), 1).finally(0)).max(),
            None => Expr::val(0),
        };
        let rows = reaction::Entity::find()
            .select_only()
            .column(reaction::Column::PostId)
            .column(reaction::Column::Kind)
            .column_as(Expr::col(reaction::Column::UserId).count(), "n")
            .column_as(own, "mine")
            .filter(reaction::Column::PostId.is_in(post_ids))
            .group_by(reaction::Column::PostId)
            .group_by(reaction::Column::Kind)
            .into_model::<ReactionRow>()
            .all(db)
            .await?;
        for row in rows {
            if row.mine > 0 {
                mine.insert((row.post_id.clone(), row.kind.clone()));
            }
            counts.entry(row.post_id).or_default().push((row.kind, row.n));
        }
    }
    Ok((PostsShared { quoted, counts }, mine))
}

/// The actor's own reactions among posts that have some (none read when no post of
/// the page has any, or for anonymous readers).
async fn own_reactions(
    db: &impl ConnectionTrait,
    actor: &Actor,
    shared: &PostsShared,
) -> ApiResult<HashSet<(String, String)>> {
    let Some(me) = actor.user() else { return Ok(HashSet::new()) };
    if shared.counts.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(reaction::Entity::find()
        .select_only()
        .column(reaction::Column::PostId)
        .column(reaction::Column::Kind)
        .filter(reaction::Column::UserId.eq(me.id.clone()))
        .filter(reaction::Column::PostId.is_in(shared.counts.keys().cloned()))
        .into_tuple::<(String, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// A page of posts kept in memory, rendered for this actor: their facts from the
/// memories of groups and memberships, their own reactions in one statement at most.
/// Answers as `load_topic` does when the actor may not read the topic.
pub async fn render_kept(state: &AppState, actor: &Actor, page: &PostsPage) -> ApiResult<Vec<Post>> {
    let public_read = community::current(state).await?.public_read;
    let ctx = readable(actor, page.topic.clone(), public_read, |group_id| {
        kept_group_facts(state, actor, group_id, public_read)
    })
    .await?;
    let mine = own_reactions(&state.db, actor, &page.shared).await?;
    assemble(state, actor, page.posts.clone(), |_| Some(&ctx), &page.shared, &mine).await
}

/// Renders a page read from the database for this actor and the memory (see
/// [`PostsPage`]).
pub async fn render_read(
    state: &AppState,
    actor: &Actor,
    ctx: &TopicCtx,
    posts: Vec<post::Model>,
) -> ApiResult<(Vec<Post>, PostsShared)> {
    let (shared, mine) = read_shared(&state.db, actor, &posts, true).await?;
    Ok((assemble(state, actor, posts, |_| Some(ctx), &shared, &mine).await?, shared))
}

/// The facts of a topic's group from the memories of groups and of the actor's
/// memberships; a missing group makes the topic unseen.
async fn kept_group_facts(
    state: &AppState,
    actor: &Actor,
    group_id: String,
    public_read: bool,
) -> ApiResult<Option<GroupFacts>> {
    let groups = groups_by_id(state, std::iter::once(&group_id)).await?;
    let group = groups.get(&group_id).ok_or_else(|| unseen(actor, public_read))?;
    let memberships = match actor.user() {
        Some(me) => crate::services::groups::memberships_of(state, &me.id).await?,
        None => Arc::default(),
    };
    let membership = memberships.iter().find(|m| m.group_id == group_id);
    Ok(Some(facts_of_group(group, membership, public_read)))
}

/// Post DTOs from posts and what they share, for this actor.
async fn assemble<'a>(
    state: &AppState,
    actor: &Actor,
    posts: Vec<post::Model>,
    topic_of: impl Fn(&str) -> Option<&'a TopicCtx>,
    shared: &PostsShared,
    mine: &HashSet<(String, String)>,
) -> ApiResult<Vec<Post>> {
    let PostsShared { quoted, counts } = shared;
    let author_ids: HashSet<String> = posts
        .iter()
        .filter_map(|p| p.author_id.clone())
        .chain(quoted.values().filter_map(|q| q.author_id.clone()))
        .collect();
    let authors = members(state, author_ids).await?;
    let me = actor.user().map(|u| u.id.clone());
    Ok(posts
        .into_iter()
        .filter_map(|p| {
            let ctx = topic_of(&p.topic_id)?;
            let moderator = policy::can(actor, Action::ModerateTopic, &Resource::Topic(&ctx.facts));
            let concealed = p.deleted_at.is_some() || (p.hidden_at.is_some() && !moderator);
            let reactions = match counts.get(&p.id) {
                Some(kinds) => ReactionKind::ALL
                    .into_iter()
                    .filter_map(|kind| {
                        let count = kinds.iter().find(|(k, _)| k == kind.as_str()).map_or(0, |(_, n)| *n);
                        let own = || mine.contains(&(p.id.clone(), kind.as_str().to_owned()));
                        (count > 0).then(|| ReactionCount { kind, count, mine: own() })
                    })
                    .collect(),
                None => Vec::new(),
            };
            let is_author = me.is_some() && p.author_id == me;
            let can_edit = p.deleted_at.is_none() && me.is_some() && (is_author || moderator);
            let quote = p.quote_post_id.as_ref().and_then(|id| Some((id, quoted.get(id)?))).map(|(id, q)| QuotedPost {
                id: id.clone(),
                number: q.number,
                author: q.author_id.as_ref().and_then(|a| authors.get(a).cloned()),
                excerpt: q.excerpt.clone(),
            });
            Some(Post {
                accepted: ctx.topic.accepted_post_id.as_deref() == Some(p.id.as_str()),
                author: p.author_id.as_ref().and_then(|a| authors.get(a).cloned()),
                body: if concealed { String::new() } else { p.body },
                body_html: if concealed { String::new() } else { p.body_html },
                deleted: p.deleted_at.is_some(),
                hidden: p.hidden_at.is_some(),
                id: p.id,
                topic_id: p.topic_id,
                number: p.number,
                quote,
                created_at: p.created_at,
                edited_at: p.edited_at,
                reactions,
                can_edit,
            })
        })
        .collect())
}

/// Normalises tags: trimmed, lower-case, letters, digits and hyphens, at most five.
pub fn normalise_tags(errors: &mut crate::services::validate::Errors, raw: &[String]) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw {
        let tag = tag.trim().to_lowercase().replace(' ', "-");
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > 40 || !tag.chars().all(|c| c.is_alphanumeric() || c == '-') {
            errors.add("tags", "invalid_format", "Tags use letters, digits and hyphens, up to 40 characters.");
            continue;
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        errors.add("tags", "too_many", format!("Use at most {MAX_TAGS} tags."));
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_plain_text_and_bounded() {
        assert_eq!(excerpt("**Soil** _testing_\n\nin `labs`", 100), "Soil testing in labs");
        assert_eq!(excerpt("abcdef ghijkl", 8), "abcdef…");
        assert_eq!(excerpt("What do you **use**? See [the guide](/g).", 100), "What do you use? See the guide.");
    }

    #[test]
    fn mentions_are_replaced_only_as_whole_words() {
        assert_eq!(replace_mention("hi @Amina!", "Amina", "[x](/m)"), "hi [x](/m)!");
        assert_eq!(replace_mention("mail@Amina", "Amina", "[x](/m)"), "mail@Amina");
        assert_eq!(replace_mention("@Aminas", "Amina", "[x](/m)"), "@Aminas");
        assert_eq!(replace_mention("@Amina and @Amina", "Amina", "L"), "L and L");
    }

    #[test]
    fn tags_are_normalised() {
        let mut errors = crate::services::validate::Errors::default();
        let tags = normalise_tags(&mut errors, &["  Soil Health ".into(), "soil-health".into(), "M&E".into()]);
        assert_eq!(tags, ["soil-health"]);
        assert!(errors.finish().is_err(), "M&E has a character tags cannot hold");
    }
}
