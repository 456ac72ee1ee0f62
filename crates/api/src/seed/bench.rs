//! `copse seed-bench`: fills an empty database with a large community of practice for
//! benchmarks, deterministically (the same seed gives the same ids, names, titles and
//! bodies). Rows go straight in with multi-row inserts inside transactions of a few
//! thousand rows, since the services' one-row-at-a-time paths (and argon2 per member)
//! would take hours at this scale; derived columns are filled the way the services
//! fill them. The change-feed triggers still write their row per topic, post, item and
//! event, so the feed is benchmarked too.
//!
//! The shape follows the 1/9/90 rule: 1% of members (creators) start most topics and
//! write most replies, 9% (contributors) mostly reply, 90% only read.

use std::time::Instant;

use anyhow::bail;
use chrono::{DateTime, Duration, Utc};
use copse_shared::auth::{AccountStatus, Role};
use copse_shared::groups::{GroupRole, GroupVisibility, MembershipStatus};
use copse_shared::profiles::{LinkKind, ProfileLink, Visibility};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sqlx::sqlite::SqlitePoolOptions;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, EntityTrait, InsertMany,
    IntoActiveModel, Iterable, SqlxSqliteConnector,
};
use sha2::{Digest, Sha256};

use super::bench_content::{self as words, Batch, Paragraph};
use crate::auth::password;
use crate::entities::{category, group, group_membership, profile, profile_tag, topic, user};
use crate::services::library::items::LIBRARY_CATEGORY;
use crate::services::{markdown, profiles};

/// Rows handed from the generating thread to the writer at a time.
const BATCH_ROWS: usize = 10_000;

/// The password of every generated member (printed by the command; benchmarks only).
pub const BENCH_PASSWORD: &str = "copse-bench-2026";
/// The generated admin's email address.
pub const BENCH_ADMIN_EMAIL: &str = "admin@bench.copse.community";
/// The email address of the most active plain member (the fifth member; not staff, so
/// what they read goes through the group visibility rules, as for most readers).
pub const BENCH_MEMBER_EMAIL: &str = "member@bench.copse.community";

/// What to generate.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// Members (the first is the admin).
    pub members: u32,
    /// Discussion topics, outside the library.
    pub topics: u32,
    /// Replies over all topics, the library items' discussions included.
    pub replies: u32,
    /// Groups.
    pub groups: u32,
    /// Library items, each with its discussion topic.
    pub items: u32,
    /// Events (series; some recur).
    pub events: u32,
    /// The generator's seed.
    pub seed: u64,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            members: 20_000,
            topics: 100_000,
            replies: 1_000_000,
            groups: 40,
            items: 20_000,
            events: 2_000,
            seed: 42,
        }
    }
}

/// What was written.
#[derive(Clone, Debug, Default)]
pub struct BenchReport {
    /// Members, profiles, groups and group memberships.
    pub members: u64,
    pub profiles: u64,
    pub groups: u64,
    pub memberships: u64,
    /// Discussion topics (library discussions not included).
    pub topics: u64,
    /// Library items (each has a discussion topic).
    pub library_items: u64,
    /// Posts after the opening ones.
    pub replies: u64,
    /// Event series and their occurrences.
    pub events: u64,
    pub occurrences: u64,
    /// Every row inserted, and the change-feed rows the triggers added.
    pub rows: u64,
    pub change_rows: u64,
    /// Wall-clock time of the whole run.
    pub seconds: f64,
    /// SHA-256 over the generated ids, names, titles and bodies (not the timestamps,
    /// which follow the clock): equal digests mean equal communities.
    pub digest: String,
}

impl BenchReport {
    /// The one-line summary the command prints.
    pub fn summary(&self) -> String {
        let rate = self.rows as f64 / self.seconds.max(0.001);
        format!(
            "copse: seed-bench wrote {} members ({} profiles), {} groups ({} memberships), {} topics, {} library \
             items with their discussions, {} replies, {} events ({} occurrences): {} rows (+{} change-feed rows) in \
             {:.1} s, {:.0} rows/s; digest {}; sign in as {BENCH_ADMIN_EMAIL} with the password {BENCH_PASSWORD}",
            self.members,
            self.profiles,
            self.groups,
            self.memberships,
            self.topics,
            self.library_items,
            self.replies,
            self.events,
            self.occurrences,
            self.rows,
            self.change_rows,
            self.seconds,
            rate,
            &self.digest[..16.min(self.digest.len())],
        )
    }
}

/// Batches inserts into transactions of about `per_transaction` rows.
pub(super) struct Writer {
    db: DatabaseConnection,
    /// Whether `db` is the writer's own pool, closed at the end.
    own: bool,
    txn: Option<DatabaseTransaction>,
    backend: DbBackend,
    pending: usize,
    per_transaction: usize,
    rows: u64,
}

impl Writer {
    async fn new(db: &DatabaseConnection) -> anyhow::Result<Self> {
        let backend = db.get_database_backend();
        // PostgreSQL queues one deferred stamping event per change row until the
        // commit (memory held by the server), so its transactions stay smaller.
        let per_transaction = match backend {
            DbBackend::Postgres => 5_000,
            _ => 20_000,
        };
        let (db, own) = match backend {
            // One connection for the whole run, with a large page cache: SQLite's cache
            // belongs to a connection (and is dropped when another one writes), and the
            // random-UUID indexes need to stay in memory.
            DbBackend::Sqlite => {
                let options =
                    (*db.get_sqlite_connection_pool().connect_options()).clone().pragma("cache_size", "-262144");
                let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
                (SqlxSqliteConnector::from_sqlx_sqlite_pool(pool), true)
            }
            _ => (db.clone(), false),
        };
        Ok(Self { db, own, txn: None, backend, pending: 0, per_transaction, rows: 0 })
    }

    async fn open(&mut self) -> Result<(), DbErr> {
        if self.txn.is_some() {
            return Ok(());
        }
        let txn = crate::db::begin(&self.db).await?;
        if self.backend == DbBackend::Postgres {
            // A crash only loses generated rows, which a rerun on a new database makes again.
            txn.execute_unprepared("SET LOCAL synchronous_commit = off").await?;
        }
        self.txn = Some(txn);
        Ok(())
    }

    /// Inserts rows in multi-row statements (under SQLite's 32 766 bound variables),
    /// committing whenever the transaction is full. Callers insert parents before
    /// children, so every commit leaves the foreign keys satisfied.
    pub(super) async fn insert<E>(&mut self, rows: Vec<E::Model>) -> Result<(), DbErr>
    where
        E: EntityTrait,
        E::Model: IntoActiveModel<E::ActiveModel>,
    {
        let per_statement = (30_000 / E::Column::iter().count().max(1)).clamp(1, 1_000).min(self.per_transaction);
        let mut rows = rows.into_iter();
        loop {
            let chunk: Vec<E::Model> = rows.by_ref().take(per_statement).collect();
            if chunk.is_empty() {
                return Ok(());
            }
            let count = chunk.len();
            self.open().await?;
            let Some(txn) = &self.txn else { return Err(DbErr::Custom("no open transaction".to_owned())) };
            InsertMany::<E::ActiveModel>::many(chunk).exec_without_returning(txn).await?;
            self.pending += count;
            self.rows += count as u64;
            if self.pending >= self.per_transaction {
                self.commit().await?;
            }
        }
    }

    pub(super) async fn commit(&mut self) -> Result<(), DbErr> {
        if let Some(txn) = self.txn.take() {
            txn.commit().await?;
        }
        self.pending = 0;
        Ok(())
    }

    /// Commits what is left, gathers the planner's statistics and closes the
    /// writer's own pool.
    async fn finish(mut self) -> Result<u64, DbErr> {
        self.commit().await?;
        // Without statistics the planners guess: PostgreSQL (whose autovacuum may be
        // off or not yet run) chose sequential scans of a million posts, and SQLite
        // picks indexes better with `sqlite_stat1`. A real community gets them from
        // autovacuum and `PRAGMA optimize`; a freshly bulk-loaded one must ask.
        // PostgreSQL also vacuums: right after the load every trigram (GIN) index still
        // holds all its rows in its pending list, unsorted, and the planner rightly
        // scans the table instead (member search 5-12 ms; 0.8-2.3 ms once vacuumed);
        // vacuuming also fills the visibility map that index-only scans need.
        let statement = match self.backend {
            DbBackend::Postgres => "VACUUM ANALYZE",
            _ => "ANALYZE",
        };
        self.db.execute_unprepared(statement).await?;
        if self.own {
            self.db.close().await?;
        }
        Ok(self.rows)
    }
}

/// A group as content generation needs it: its writers (active members who write),
/// creators and contributors apart, each list in member order (most active first).
pub(super) struct GroupInfo {
    pub(super) id: String,
    pub(super) private: bool,
    pub(super) created: DateTime<Utc>,
    pub(super) creators: Vec<usize>,
    pub(super) contributors: Vec<usize>,
}

/// Who is who, the groups and the categories: what the content is drawn from.
/// Members are ordered creators, then contributors, then readers; within a class a
/// lower index writes more.
pub(super) struct World {
    pub(super) now: DateTime<Utc>,
    /// The community's founding, five years ago.
    pub(super) start: DateTime<Utc>,
    /// Writing starts once the founding members (every writer) have joined.
    pub(super) content_start: DateTime<Utc>,
    /// Id and join time per member.
    pub(super) members: Vec<(String, DateTime<Utc>)>,
    pub(super) creators: usize,
    pub(super) contributors: usize,
    /// The groups each member is an active member of.
    pub(super) groups_of: Vec<Vec<usize>>,
    pub(super) groups: Vec<GroupInfo>,
    pub(super) categories: Vec<String>,
    pub(super) library_category: String,
    /// Paragraphs that bodies are assembled from.
    pub(super) pool: Vec<Paragraph>,
    /// The chance of a discussion being pinned: about five in all.
    pub(super) pin_chance: f64,
}

/// `n * u²`: a rank skewed towards 0.
fn rank(u: f64, n: usize) -> usize {
    ((n as f64 * u * u) as usize).min(n.saturating_sub(1))
}

impl World {
    fn new(rng: &mut StdRng, options: &BenchOptions, now: DateTime<Utc>) -> Self {
        let n = options.members as usize;
        let creators = n.div_ceil(100).clamp(1, n.max(1));
        let contributors = ((n * 9 + 50) / 100).min(n - creators);
        let start = now - Duration::days(5 * 365);
        Self {
            now,
            start,
            content_start: start + Duration::days(180),
            members: vec![(String::new(), start); n],
            creators,
            contributors,
            groups_of: vec![Vec::new(); n],
            groups: Vec::new(),
            categories: Vec::new(),
            library_category: String::new(),
            pool: words::paragraphs(rng, 1024),
            pin_chance: 5.0 / f64::from(options.topics.max(1)),
        }
    }

    /// Whether a member writes (a creator or a contributor).
    pub(super) fn writes(&self, member: usize) -> bool {
        member < self.creators + self.contributors
    }

    /// When a member joined: creators in the first month, contributors in the first
    /// six (before any content), readers at any time since.
    fn joined(&self, rng: &mut StdRng, member: usize) -> DateTime<Utc> {
        let u: f64 = rng.random();
        let days = if member < self.creators {
            30.0
        } else if self.writes(member) {
            180.0
        } else {
            (self.now - self.start).num_days() as f64
        };
        self.start + Duration::seconds((u * days * 86_400.0) as i64)
    }

    /// A writer: a creator with probability `creator_share`, else a contributor, the
    /// most active ones most often; within a group, one of its writers.
    pub(super) fn writer(&self, rng: &mut StdRng, group: Option<usize>, creator_share: f64) -> usize {
        let creator = rng.random::<f64>() < creator_share;
        let u: f64 = rng.random();
        if let Some(g) = group.and_then(|g| self.groups.get(g)) {
            let list = if (creator && !g.creators.is_empty()) || g.contributors.is_empty() {
                &g.creators
            } else {
                &g.contributors
            };
            if let Some(member) = list.get(rank(u, list.len())) {
                return *member;
            }
        }
        if creator || self.contributors == 0 {
            rank(u, self.creators)
        } else {
            self.creators + rank(u, self.contributors)
        }
    }

    /// One of a member's groups with probability `share`, else none (community-wide).
    pub(super) fn group_of(&self, rng: &mut StdRng, member: usize, share: f64) -> Option<usize> {
        let (inside, which): (f64, f64) = (rng.random(), rng.random());
        let groups = self.groups_of.get(member)?;
        if inside >= share || groups.is_empty() {
            return None;
        }
        groups.get(((which * groups.len() as f64) as usize).min(groups.len() - 1)).copied()
    }

    fn add_to_group(&mut self, group: usize, member: usize) {
        let writes = self.writes(member);
        let creator = member < self.creators;
        if let Some(g) = self.groups.get_mut(group) {
            match (writes, creator) {
                (true, true) => g.creators.push(member),
                (true, false) => g.contributors.push(member),
                _ => return,
            }
            self.groups_of[member].push(group);
        }
    }

    /// A moment of the content period, more often recent (the community grows).
    pub(super) fn content_time(&self, rng: &mut StdRng) -> DateTime<Utc> {
        let span = (self.now - self.content_start).num_seconds() as f64;
        self.now - Duration::seconds((span * words::age_fraction(rng)) as i64)
    }
}

/// Feeds fields to the digest, each ended by a NUL so boundaries count.
pub(super) fn feed(digest: &mut Sha256, parts: &[&str]) {
    for part in parts {
        digest.update(part.as_bytes());
        digest.update([0]);
    }
}

/// Generates the community. Refuses a database that already holds topics, so generated
/// content never mixes with real content.
pub async fn generate(db: &DatabaseConnection, options: &BenchOptions) -> anyhow::Result<BenchReport> {
    let started = Instant::now();
    if options.members == 0 {
        bail!("seed-bench needs at least one member (--members)");
    }
    if options.replies > 0 && options.topics == 0 && options.items == 0 {
        bail!("replies need topics to go to: give --topics or --items");
    }
    if topic::Entity::find().one(db).await?.is_some() {
        bail!(
            "the database already holds topics; seed-bench only fills an empty database, so generated content \
             never mixes with real content (point COPSE_DATA_DIR or COPSE_DATABASE_URL at a new one)"
        );
    }
    // One hash for every member: argon2 per member would take about 50 ms each.
    let hash = password::hash(BENCH_PASSWORD.to_owned()).await?;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut digest = Sha256::new();
    let mut writer = Writer::new(db).await?;
    let mut report = BenchReport::default();
    let mut world = World::new(&mut rng, options, Utc::now());
    people(&mut rng, &mut writer, &mut world, &mut digest, &hash, &mut report).await?;
    groups(&mut rng, &mut writer, &mut world, &mut digest, options, &mut report).await?;
    categories(&mut rng, &mut writer, &mut world).await?;
    writer.commit().await?;

    // Rows are made on a blocking thread while the previous batch is written: on two
    // cores, generating and writing overlap instead of taking turns.
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Batch>(2);
    let (topics, items, events, replies) =
        (options.topics as usize, options.items as usize, options.events as usize, u64::from(options.replies));
    let producer = tokio::task::spawn_blocking(move || {
        let counts = words::allocate(&mut rng, replies, topics, items);
        let mut batch = Batch::default();
        for (j, replies) in counts.into_iter().enumerate() {
            if j < topics {
                world.discussion(&mut rng, replies, &mut batch, &mut digest);
            } else {
                world.library_item(&mut rng, replies, &mut batch, &mut digest);
            }
            // A closed channel means the writer failed; its error is the one reported.
            if batch.rows() >= BATCH_ROWS && sender.blocking_send(std::mem::take(&mut batch)).is_err() {
                break;
            }
        }
        let _ = sender.blocking_send(batch);
        (world.events(&mut rng, events, &mut digest), digest)
    });
    while let Some(mut batch) = batches.recv().await {
        batch.write(&mut writer, &mut report).await?;
    }
    let (events, digest) = producer.await?;
    events.write(&mut writer, &mut report).await?;
    report.rows = writer.finish().await?;
    // The triggers write one row per topic, post, item and event: a discussion is a
    // topic and its opening post; an item adds its own topic and opening post.
    report.change_rows = 2 * report.topics + 3 * report.library_items + report.replies + report.events;
    report.seconds = started.elapsed().as_secs_f64();
    report.digest = format!("{:x}", digest.finalize());
    Ok(report)
}

/// Members: accounts, and profiles with tags for every writer and some readers.
async fn people(
    rng: &mut StdRng,
    writer: &mut Writer,
    world: &mut World,
    digest: &mut Sha256,
    hash: &str,
    report: &mut BenchReport,
) -> anyhow::Result<()> {
    let (mut users, mut profiles, mut tags) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..world.members.len() {
        let id = words::uuid(rng);
        let (first, last) = (words::pick(rng, words::FIRST_NAMES), words::pick(rng, words::LAST_NAMES));
        let joined = world.joined(rng, i);
        let name = format!("{first} {last}");
        let email = if i == 0 {
            BENCH_ADMIN_EMAIL.to_owned()
        } else if i == 4 {
            BENCH_MEMBER_EMAIL.to_owned()
        } else {
            format!("{}.{}.{i}@bench.copse.community", words::slug(first), words::slug(last))
        };
        let role = match i {
            0 => Role::Admin,
            // A few of the most active members help run the community.
            1..=3 if i < world.creators => Role::Facilitator,
            _ => Role::Member,
        };
        feed(digest, &[&id, &email, &name]);
        let has_profile = rng.random_bool(0.3) || world.writes(i);
        if has_profile {
            let (row, rows) = profile_of(rng, &id, &name, first, joined);
            profiles.push(row);
            tags.extend(rows);
        }
        users.push(user::Model {
            id: id.clone(),
            email,
            display_name: name,
            password_hash: hash.to_owned(),
            role: role.as_str().to_owned(),
            status: AccountStatus::Active.as_str().to_owned(),
            created_at: joined,
            updated_at: joined,
        });
        world.members[i] = (id, joined);
    }
    report.members = users.len() as u64;
    report.profiles = profiles.len() as u64;
    writer.insert::<user::Entity>(users).await?;
    writer.insert::<profile::Entity>(profiles).await?;
    writer.insert::<profile_tag::Entity>(tags).await?;
    Ok(())
}

fn profile_of(
    rng: &mut StdRng,
    user_id: &str,
    name: &str,
    first: &str,
    joined: DateTime<Utc>,
) -> (profile::Model, Vec<profile_tag::Model>) {
    let (country, city, zone, language) = words::GEO[rng.random_range(0..words::GEO.len())];
    let organisation = words::pick(rng, words::ORGANISATIONS);
    let job = words::pick(rng, words::JOBS);
    let headline = format!("{job} at {organisation}");
    let expertise: Vec<String> = words::tags(rng, 3);
    let interests: Vec<String> = words::tags(rng, 2).into_iter().filter(|t| !expertise.contains(t)).collect();
    let open = rng.random_bool(0.6);
    let bio = format!(
        "{first} works on **{}** in {city}. Happy to compare notes on what worked in the field, and on what did not.",
        expertise.first().map_or("extension", String::as_str)
    );
    let search_text = [name, &headline, organisation, job].map(str::to_lowercase).join(" \u{1f} ");
    let link = ProfileLink { kind: LinkKind::Website, url: format!("https://example.org/people/{user_id}") };
    let mut tags: Vec<(&str, String, Option<i32>)> = Vec::new();
    for tag in &expertise {
        tags.push((profiles::EXPERTISE, tag.clone(), Some(rng.random_range(1..=3))));
    }
    tags.extend(interests.into_iter().map(|t| (profiles::INTEREST, t, None)));
    let languages = if language == "en" { vec!["en"] } else { vec![language, "en"] };
    tags.extend(languages.into_iter().map(|l| (profiles::LANGUAGE, l.to_owned(), None)));
    if open {
        tags.extend(expertise.iter().take(2).map(|t| (profiles::CONTACT_TOPIC, t.clone(), None)));
    }
    let rows = tags
        .into_iter()
        .enumerate()
        .map(|(position, (kind, tag, level))| profile_tag::Model {
            user_id: user_id.to_owned(),
            kind: kind.to_owned(),
            tag,
            level,
            position: position as i32,
        })
        .collect();
    let row = profile::Model {
        user_id: user_id.to_owned(),
        headline: Some(headline),
        organisation: Some(organisation.to_owned()),
        job_title: Some(job.to_owned()),
        country: Some(country.to_owned()),
        city: Some(city.to_owned()),
        time_zone: Some(zone.to_owned()),
        bio_html: markdown::render(&bio),
        bio,
        links: serde_json::to_string(&[link]).unwrap_or_else(|_| "[]".to_owned()),
        email_visibility: if open { Visibility::Members } else { Visibility::Nobody }.as_str().to_owned(),
        links_visibility: Visibility::Members.as_str().to_owned(),
        allow_contact: open,
        avatar_version: None,
        search_text,
        updated_at: joined,
    };
    (row, rows)
}

/// Groups (one in five private) and memberships: every writer belongs to a few groups,
/// some readers to one; a group's creator facilitates it.
async fn groups(
    rng: &mut StdRng,
    writer: &mut Writer,
    world: &mut World,
    digest: &mut Sha256,
    options: &BenchOptions,
    report: &mut BenchReport,
) -> anyhow::Result<()> {
    let (mut rows, mut memberships) = (Vec::new(), Vec::new());
    let mut joined = std::collections::HashSet::new();
    let mut join = |world: &mut World, g: usize, m: usize, role: GroupRole, rng: &mut StdRng| {
        if !joined.insert((g, m)) {
            return None;
        }
        let private = world.groups[g].private;
        let requested = private && !world.writes(m) && rng.random_bool(0.5);
        let status = if requested { MembershipStatus::Requested } else { MembershipStatus::Active };
        if !requested {
            world.add_to_group(g, m);
        }
        let at =
            (world.groups[g].created.max(world.members[m].1) + Duration::days(rng.random_range(0..30))).min(world.now);
        Some(group_membership::Model {
            group_id: world.groups[g].id.clone(),
            user_id: world.members[m].0.clone(),
            role: role.as_str().to_owned(),
            status: status.as_str().to_owned(),
            invited_by: None,
            created_at: at,
            updated_at: at,
        })
    };
    for g in 0..options.groups as usize {
        let base = words::GROUP_NAMES[g % words::GROUP_NAMES.len()];
        let round = g / words::GROUP_NAMES.len();
        let name = if round == 0 { base.to_owned() } else { format!("{base} {}", round + 1) };
        let private = g % 5 == 4;
        let id = words::uuid(rng);
        let creator = world.writer(rng, None, 1.0);
        let created = world.start + Duration::days(rng.random_range(0..170));
        feed(digest, &[&id, &name]);
        rows.push(group::Model {
            id: id.clone(),
            slug: words::slug(&name),
            description: format!("Members working on {} compare methods, tools and results.", words::subject(rng)),
            name,
            visibility: if private { GroupVisibility::Private } else { GroupVisibility::Public }.as_str().to_owned(),
            archived_at: None,
            created_by: Some(world.members[creator].0.clone()),
            created_at: created,
            updated_at: created,
        });
        world.groups.push(GroupInfo { id, private, created, creators: Vec::new(), contributors: Vec::new() });
        memberships.extend(join(world, g, creator, GroupRole::Facilitator, rng));
    }
    let count = world.groups.len();
    if count > 0 {
        for m in 0..world.members.len() {
            let wanted = if m < world.creators {
                rng.random_range(2..=5)
            } else if world.writes(m) {
                rng.random_range(1..=3)
            } else {
                usize::from(rng.random_bool(0.2))
            };
            for _ in 0..wanted.min(count) {
                let g = words::skewed(rng, count, 1.5);
                memberships.extend(join(world, g, m, GroupRole::Member, rng));
            }
        }
    }
    for g in &mut world.groups {
        g.creators.sort_unstable();
        g.contributors.sort_unstable();
    }
    report.groups = rows.len() as u64;
    report.memberships = memberships.len() as u64;
    writer.insert::<group::Entity>(rows).await?;
    writer.insert::<group_membership::Entity>(memberships).await?;
    Ok(())
}

/// Discussion categories and the library's own category.
async fn categories(rng: &mut StdRng, writer: &mut Writer, world: &mut World) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    let library = ("Library", "Conversations about the documents, tools and links of the library.");
    for (position, (name, description)) in words::CATEGORIES.iter().chain([&library]).enumerate() {
        let slug = if *name == "Library" { LIBRARY_CATEGORY.to_owned() } else { words::slug(name) };
        let id = words::uuid(rng);
        if *name == "Library" {
            world.library_category = id.clone();
        } else {
            world.categories.push(id.clone());
        }
        rows.push(category::Model {
            id,
            slug,
            name: (*name).to_owned(),
            description: (*description).to_owned(),
            position: position as i32,
            created_at: world.start,
            updated_at: world.start,
        });
    }
    writer.insert::<category::Entity>(rows).await?;
    Ok(())
}
