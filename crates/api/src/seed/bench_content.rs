//! `copse seed-bench`, the content: topics with their threads of replies, library
//! items with their discussions, and events with their occurrences, built as rows
//! from small word lists (varied, yet fixed by the seed) and skewed distributions (how
//! many replies a topic gets, who writes them, when).

use chrono::{DateTime, Datelike, Days, Duration, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use copse_shared::discussions::TopicKind;
use copse_shared::events::EventFormat;
use copse_shared::library::ItemKind;
use rand::Rng;
use rand::rngs::StdRng;
use sea_orm::DbErr;
use sha2::{Digest, Sha256};

use super::bench::{BenchReport, World, Writer, feed};
use crate::entities::{
    event, event_occurrence, event_organiser, event_tag, library_item, library_item_tag, post, topic, topic_tag,
};
use crate::services::events::recurrence::{Rule, weekday_code};
use crate::services::events::series::{DEFAULT_REMINDERS, SINGLE};
use crate::services::events::{LOCAL_FORMAT, to_local, to_utc};
use crate::services::{discussions, markdown};

#[rustfmt::skip]
pub const FIRST_NAMES: &[&str] = &[
    "Amina", "Carlos", "Priya", "Johannes", "Wanjiru", "Lan", "Fatima", "Lucía", "Seun", "Marie", "Rahul", "Sofia",
    "Tomás", "Abebe", "Grace", "Ibrahim", "Mei", "Joaquín", "Aisha", "Pedro", "Hanna", "Kofi", "Ana", "Yusuf", "Elena",
    "Samuel", "Noura", "Diego", "Aiko", "Mateo", "Zainab", "Olga", "Tariq", "Rosa", "Kwame", "Ines", "Bilal", "Chloé",
    "Ravi", "Nadia", "Emeka", "Laura", "Hugo", "Leila", "Pablo", "Mariam", "Sipho", "Camille",
];

#[rustfmt::skip]
pub const LAST_NAMES: &[&str] = &[
    "Diallo", "Mendoza", "Raman", "Berg", "Kamau", "Nguyen", "El Amrani", "Fernández", "Adeyemi", "Dubois", "Verma",
    "Rossi", "Quispe", "Tesfaye", "Mwangi", "Sow", "Chen", "Herrera", "Bello", "Alves", "Nyberg", "Mensah", "Silva",
    "Okafor", "Ivanova", "Haddad", "Traoré", "Kowalski", "Banda", "Sato", "Morales", "Osei", "Petit", "Rahman",
    "Lopez", "Ndlovu", "Gomez", "Keita", "Bauer", "Costa", "Achieng", "Yilmaz", "Santos",
];

/// The tag vocabulary shared by topics, library items, events and expertise.
#[rustfmt::skip]
pub const TAGS: &[&str] = &[
    "soil", "compost", "irrigation", "dairy", "extension", "facilitation", "indicators", "baselines", "surveys",
    "adoption", "video", "radio", "gender", "youth", "climate", "seeds", "markets", "cooperatives", "learning",
    "evaluation", "data", "mapping", "agroforestry", "livestock", "fisheries", "nutrition", "finance", "policy",
    "training", "webinars", "field-days", "demonstrations", "water", "pests", "rice", "maize", "cassava", "coffee",
];

/// Country, city, IANA zone and a language of the place.
pub const GEO: &[(&str, &str, &str, &str)] = &[
    ("KE", "Nakuru", "Africa/Nairobi", "sw"),
    ("SN", "Thiès", "Africa/Dakar", "fr"),
    ("PE", "Cusco", "America/Lima", "es"),
    ("VN", "Can Tho", "Asia/Ho_Chi_Minh", "vi"),
    ("IN", "Pune", "Asia/Kolkata", "hi"),
    ("BR", "Brasília", "America/Sao_Paulo", "pt-BR"),
    ("ET", "Addis Ababa", "Africa/Addis_Ababa", "am"),
    ("NG", "Kano", "Africa/Lagos", "ha"),
    ("FR", "Montpellier", "Europe/Paris", "fr"),
    ("DE", "Bonn", "Europe/Berlin", "de"),
    ("GH", "Tamale", "Africa/Accra", "en"),
    ("PH", "Los Baños", "Asia/Manila", "tl"),
    ("MX", "Oaxaca", "America/Mexico_City", "es"),
    ("UG", "Gulu", "Africa/Kampala", "en"),
    ("NP", "Pokhara", "Asia/Kathmandu", "ne"),
    ("IT", "Rome", "Europe/Rome", "it"),
];

#[rustfmt::skip]
pub const ORGANISATIONS: &[&str] = &[
    "Kenya Dairy Board", "ANCAR", "INTA", "Embrapa", "Farm Radio International", "World Vegetable Center", "CIRAD",
    "District Agriculture Office", "Digital Green", "Practical Action", "a farmers' cooperative", "ICRISAT",
];

#[rustfmt::skip]
pub const JOBS: &[&str] = &[
    "Extension officer", "Soil scientist", "M&E specialist", "Field coordinator", "Agronomist", "Radio producer",
    "Programme manager", "Research fellow", "Facilitator", "Trainer",
];

#[rustfmt::skip]
pub const GROUP_NAMES: &[&str] = &[
    "Soil Health", "Extension Methods", "Dairy Value Chains", "Monitoring and Evaluation", "Rural Radio",
    "Gender in Agriculture", "Youth in Agribusiness", "Climate Adaptation", "Seed Systems", "Small-scale Irrigation",
    "Steering Committee", "Agroforestry", "Digital Advisory", "Livestock Health", "Aquaculture", "Post-harvest",
    "Market Systems", "Farmer Organisations", "Nutrition-sensitive Agriculture", "Learning and Knowledge",
];

pub const CATEGORIES: &[(&str, &str)] = &[
    ("Field Practice", "Techniques that work (or don't) in the field."),
    ("Monitoring & Evaluation", "Indicators, baselines, surveys and evaluations."),
    ("Knowledge Management", "Capturing and sharing what the community learns."),
    ("Introductions", "Say hello: who you are, where you work, what you want to learn."),
    ("Tools & Methods", "Facilitation, participatory methods and digital tools."),
    ("Research & Evidence", "Studies, trials and what the evidence says."),
    ("Funding & Partnerships", "Calls, donors and working together."),
    ("Events & Training", "Courses, workshops and learning opportunities."),
];

const LICENCES: &[&str] = &["CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "All rights reserved"];
const LANGUAGES: &[&str] = &["en", "en", "en", "en", "fr", "es", "pt-BR"];

#[rustfmt::skip]
const SUBJECTS: &[&str] = &[
    "soil organic carbon tests", "farmer field schools", "participatory video", "compost for smallholders",
    "drip irrigation kits", "dairy cooperatives", "adoption surveys", "baseline indicators", "rural radio shows",
    "seed fairs", "market price alerts", "women's savings groups", "youth agripreneurs", "climate-smart maize",
    "integrated pest management", "fodder conservation", "after-action reviews", "demonstration plots",
    "mobile extension advice", "agroforestry nurseries", "fish pond management", "cassava processing",
    "coffee rust control", "water user associations", "community mapping", "learning journeys",
];

#[rustfmt::skip]
const PLACES: &[&str] = &[
    "in the Sahel", "in mountain districts", "with smallholders", "on a small budget", "in remote villages",
    "across three regions", "in the dry season", "with local partners", "after the floods", "in peri-urban areas",
    "with cooperatives", "in the Andes", "in the Mekong Delta", "around Lake Victoria", "in our programme",
];

const VERBS: &[&str] =
    &["measure", "scale up", "document", "fund", "teach", "monitor", "evaluate", "compare", "introduce", "sustain"];

const QUESTION_OPENERS: &[&str] =
    &["How do you", "What is the best way to", "Has anyone found a way to", "Any advice on how to", "How would you"];

const DISCUSSION_PATTERNS: &[&str] = &[
    "Lessons from five years of {s} {p}",
    "Notes from a field visit: {s}",
    "What worked (and what did not) with {s}",
    "Our experience with {s} {p}",
    "Comparing approaches to {s}",
    "A checklist for {s}",
    "Reading list: {s}",
    "Scaling {s} {p}: a discussion",
];

const SENTENCES: &[&str] = &[
    "We tried {s} {p} last season and learned more from the failures than from the successes.",
    "The main lesson was that {s} only works when farmers set the agenda.",
    "Our team spent three months on **{s}** before the first results came in.",
    "Has anyone compared the costs of {s} with the alternatives?",
    "The district office was sceptical at first, then asked for a second round.",
    "We wrote the steps down in [a short guide](https://example.org/guides/{slug}) that others can adapt.",
    "Attendance dropped after the harvest, so we moved the sessions to the evenings.",
    "In my experience _timing_ matters more than the method itself.",
    "Donors wanted numbers, the communities wanted stories; we ended up reporting both.",
    "Women's groups took the lead on {s}, which changed the whole discussion.",
    "The data were messy, but the trend was clear enough to act on.",
    "I would start small, with two or three villages, and keep a learning log from day one.",
    "Local radio helped us reach people who never come to meetings.",
    "We underestimated how much follow-up {s} needs after the first training.",
    "Thanks for sharing this, it matches what we saw {p}.",
    "Could you say more about how you chose the sites?",
    "A simple scoring sheet turned out to be more useful than the full survey.",
    "Extension officers need time and fuel budgets, not only training.",
];

/// One paragraph of Markdown with its rendering, made once and reused: rendering a
/// million bodies through pulldown-cmark and ammonia would dominate the run.
pub struct Paragraph {
    pub text: String,
    pub html: String,
}

/// One entry of a word list, uniformly.
pub fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    list.get(rng.random_range(0..list.len().max(1))).copied().unwrap_or_default()
}

/// A rank in `0..n` skewed towards 0 (a few heavy users, a long tail): `n * u^power`.
pub fn skewed(rng: &mut StdRng, n: usize, power: f64) -> usize {
    let u: f64 = rng.random();
    ((n as f64 * u.powf(power)) as usize).min(n.saturating_sub(1))
}

/// A log-normal weight (Box-Muller), for reply counts: most small, a few very large.
pub fn lognormal(rng: &mut StdRng, sigma: f64) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    (sigma * z).exp()
}

/// How far back in a window something happened, as a fraction (0 = now): the density
/// rises towards now, as a growing community's activity does.
pub fn age_fraction(rng: &mut StdRng) -> f64 {
    1.0 - rng.random::<f64>().sqrt()
}

/// A version 4 UUID made from the seeded generator, so ids repeat with the seed.
pub fn uuid(rng: &mut StdRng) -> String {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid().to_string()
}

/// Up to `max` distinct tags, favouring the start of the vocabulary.
pub fn tags(rng: &mut StdRng, max: usize) -> Vec<String> {
    let wanted = rng.random_range(0..=max);
    let mut out: Vec<String> = Vec::with_capacity(wanted);
    for _ in 0..wanted {
        let tag = TAGS[skewed(rng, TAGS.len(), 1.6)];
        if !out.iter().any(|t| t == tag) {
            out.push(tag.to_owned());
        }
    }
    out
}

/// Lower-case ASCII letters and digits joined by hyphens (accents folded).
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            'á' | 'à' | 'â' => 'a',
            'é' | 'è' | 'ê' => 'e',
            'í' | 'ï' => 'i',
            'ó' | 'ô' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// What a text is about.
pub fn subject(rng: &mut StdRng) -> &'static str {
    pick(rng, SUBJECTS)
}

/// A topic title; questions end with a question mark.
pub fn title(rng: &mut StdRng, question: bool) -> String {
    let (s, p) = (pick(rng, SUBJECTS), pick(rng, PLACES));
    if question {
        format!("{} {} {s} {p}?", pick(rng, QUESTION_OPENERS), pick(rng, VERBS))
    } else {
        pick(rng, DISCUSSION_PATTERNS).replace("{s}", s).replace("{p}", p)
    }
}

fn sentence(rng: &mut StdRng) -> String {
    let s = pick(rng, SUBJECTS);
    pick(rng, SENTENCES).replace("{s}", s).replace("{p}", pick(rng, PLACES)).replace("{slug}", &slug(s))
}

/// The paragraph pool: two to four sentences each, rendered once.
pub fn paragraphs(rng: &mut StdRng, count: usize) -> Vec<Paragraph> {
    (0..count)
        .map(|_| {
            let n = rng.random_range(2..=4);
            let text = (0..n).map(|_| sentence(rng)).collect::<Vec<_>>().join(" ");
            let html = markdown::render(&text);
            Paragraph { text, html }
        })
        .collect()
}

/// A body of `min..=max` paragraphs from the pool (shorter ones more likely), and its
/// HTML. Plain paragraphs separated by a blank line render to the concatenation of
/// their renderings, which the unit test below checks.
pub fn body(rng: &mut StdRng, pool: &[Paragraph], min: usize, max: usize) -> (String, String) {
    let n = min + skewed(rng, max - min + 1, 1.8);
    let (mut text, mut html) = (String::new(), String::new());
    for i in 0..n {
        let Some(p) = pool.get(rng.random_range(0..pool.len().max(1))) else { break };
        if i > 0 {
            text.push_str("\n\n");
        }
        text.push_str(&p.text);
        html.push_str(&p.html);
    }
    (text, html)
}

/// A library item's title and kind-specific noun.
pub fn item_title(rng: &mut StdRng, noun: &str) -> String {
    const ADJECTIVES: &[&str] = &["Practical", "Field-tested", "Short", "Illustrated", "Community", "Open"];
    let s = pick(rng, SUBJECTS);
    format!("{} {noun}: {s}", pick(rng, ADJECTIVES))
}

/// An event's title.
pub fn event_title(rng: &mut StdRng) -> String {
    const KINDS: &[&str] = &["Webinar", "Workshop", "Peer exchange", "Learning call", "Field day", "Clinic"];
    format!("{}: {}", pick(rng, KINDS), pick(rng, SUBJECTS))
}

/// Replies per topic (the discussions, then the library items' discussions):
/// log-normal weights, so most topics get a few replies and some hundreds; about one
/// discussion in eight and most library items get none. The counts add up to
/// `replies` exactly.
pub(super) fn allocate(rng: &mut StdRng, replies: u64, discussions: usize, items: usize) -> Vec<u32> {
    let total = discussions + items;
    let mut weights: Vec<f64> = (0..total)
        .map(|j| {
            let silent: f64 = rng.random();
            let weight = lognormal(rng, 1.3);
            match (j < discussions, silent) {
                (true, s) if s < 0.12 => 0.0,
                (true, _) => weight,
                (false, s) if s < 0.6 => 0.0,
                (false, _) => weight * 0.3,
            }
        })
        .collect();
    if weights.iter().sum::<f64>() <= 0.0 {
        weights.iter_mut().for_each(|w| *w = 1.0);
    }
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| replies as f64 * w / sum).collect();
    let mut counts: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
    let mut assigned: u64 = counts.iter().sum();
    // Rounding leaves some replies over (or, from float error, one too many): settle
    // them by largest remainder, ties by position, so the result is reproducible.
    let mut order: Vec<usize> = (0..total).collect();
    order.sort_by(|a, b| (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor())).then(a.cmp(b)));
    let mut i = 0;
    while assigned < replies && total > 0 {
        counts[order[i % total]] += 1;
        assigned += 1;
        i += 1;
    }
    let mut i = 0;
    while assigned > replies && total > 0 {
        let j = order[total - 1 - i % total];
        if counts[j] > 0 {
            counts[j] -= 1;
            assigned -= 1;
        }
        i += 1;
    }
    counts.into_iter().map(|c| u32::try_from(c).unwrap_or(u32::MAX)).collect()
}

/// Topics with their posts, tags and library items, written in one transaction.
#[derive(Default)]
pub(super) struct Batch {
    topics: Vec<topic::Model>,
    tags: Vec<topic_tag::Model>,
    posts: Vec<post::Model>,
    items: Vec<library_item::Model>,
    item_tags: Vec<library_item_tag::Model>,
    discussions: u64,
    library_items: u64,
    replies: u64,
}

impl Batch {
    pub(super) fn rows(&self) -> usize {
        self.topics.len() + self.tags.len() + self.posts.len() + self.items.len() + self.item_tags.len()
    }

    /// Writes the batch, topics before their posts (foreign keys, and the posts'
    /// change rows find their group through the topic).
    pub(super) async fn write(&mut self, writer: &mut Writer, report: &mut BenchReport) -> Result<(), DbErr> {
        writer.insert::<topic::Entity>(std::mem::take(&mut self.topics)).await?;
        writer.insert::<topic_tag::Entity>(std::mem::take(&mut self.tags)).await?;
        writer.insert::<post::Entity>(std::mem::take(&mut self.posts)).await?;
        writer.insert::<library_item::Entity>(std::mem::take(&mut self.items)).await?;
        writer.insert::<library_item_tag::Entity>(std::mem::take(&mut self.item_tags)).await?;
        report.topics += std::mem::take(&mut self.discussions);
        report.library_items += std::mem::take(&mut self.library_items);
        report.replies += std::mem::take(&mut self.replies);
        Ok(())
    }
}

/// Events with their tags, organisers and occurrences.
#[derive(Default)]
pub(super) struct Events {
    events: Vec<event::Model>,
    tags: Vec<event_tag::Model>,
    organisers: Vec<event_organiser::Model>,
    occurrences: Vec<event_occurrence::Model>,
}

impl Events {
    pub(super) async fn write(self, writer: &mut Writer, report: &mut BenchReport) -> Result<(), DbErr> {
        report.events = self.events.len() as u64;
        report.occurrences = self.occurrences.len() as u64;
        writer.insert::<event::Entity>(self.events).await?;
        writer.insert::<event_tag::Entity>(self.tags).await?;
        writer.insert::<event_organiser::Entity>(self.organisers).await?;
        writer.insert::<event_occurrence::Entity>(self.occurrences).await
    }
}

/// The start of a thread: its topic and opening post.
struct Opening<'a> {
    topic_id: &'a str,
    group: Option<usize>,
    author: usize,
    created: DateTime<Utc>,
    body: String,
    html: String,
    question: bool,
}

/// What a thread's posts say about its topic.
struct Thread {
    last_activity: DateTime<Utc>,
    first_reply: Option<DateTime<Utc>>,
    accepted: Option<String>,
}

/// An exponential draw with mean 1.
fn exponential(rng: &mut StdRng) -> f64 {
    -(1.0 - rng.random::<f64>()).ln()
}

impl World {
    fn member_id(&self, member: usize) -> Option<String> {
        self.members.get(member).map(|(id, _)| id.clone())
    }

    /// The opening post and `replies` replies. The first reply comes within hours,
    /// the rest over days or weeks, most of them early; no post is in the future.
    /// Repliers of a group topic are members of the group.
    fn thread(&self, rng: &mut StdRng, b: &mut Batch, digest: &mut Sha256, o: &Opening, replies: u32) -> Thread {
        let post = |id: String, number: i32, author: usize, body: String, html: String, quote, at| post::Model {
            id,
            topic_id: o.topic_id.to_owned(),
            number,
            author_id: self.member_id(author),
            body,
            body_html: html,
            quote_post_id: quote,
            created_at: at,
            updated_at: at,
            edited_at: None,
            deleted_at: None,
            hidden_at: None,
        };
        let opening_id = uuid(rng);
        feed(digest, &[&opening_id, &o.body]);
        let mut ids = vec![opening_id.clone()];
        b.posts.push(post(opening_id, 1, o.author, o.body.clone(), o.html.clone(), None, o.created));
        let available = (self.now - o.created).num_milliseconds().max(0) as f64 / 1000.0;
        let first_delay = (exponential(rng) * 8.0 * 3600.0).min(available * 0.5);
        let span = (lognormal(rng, 1.0) * 5.0 * 86_400.0).min(available - first_delay);
        // Sorted fractions from cumulative exponential gaps, squared to crowd early.
        let mut marks = Vec::with_capacity(replies as usize);
        let mut total = 0.0;
        for _ in 0..replies {
            marks.push(total);
            total += exponential(rng);
        }
        let total = f64::max(total, f64::MIN_POSITIVE);
        let mut thread = Thread { last_activity: o.created, first_reply: None, accepted: None };
        for (k, mark) in marks.into_iter().enumerate() {
            let at =
                o.created + Duration::milliseconds(((first_delay + span * (mark / total).powi(2)) * 1000.0) as i64);
            let id = uuid(rng);
            let author = self.writer(rng, o.group, 0.6);
            let (quote, which): (f64, f64) = (rng.random(), rng.random());
            let quote = (quote < 0.05 && k > 0).then(|| ids[((which * ids.len() as f64) as usize).min(k)].clone());
            let (body, html) = body(rng, &self.pool, 1, 3);
            let number = i32::try_from(k + 2).unwrap_or(i32::MAX);
            digest.update(number.to_le_bytes());
            digest.update((author as u64).to_le_bytes());
            feed(digest, &[&id, &body]);
            ids.push(id.clone());
            b.posts.push(post(id, number, author, body, html, quote, at));
            thread.first_reply.get_or_insert(at);
            thread.last_activity = at;
        }
        let (accept, which): (f64, f64) = (rng.random(), rng.random());
        if o.question && replies > 0 && accept < 0.6 {
            let pick = ((which * which * f64::from(replies.min(4))) as usize).min(replies as usize - 1);
            thread.accepted = ids.get(pick + 1).cloned();
        }
        b.replies += u64::from(replies);
        thread
    }

    fn topic_row(&self, o: &Opening, category: &str, title: String, t: Thread, replies: u32) -> topic::Model {
        let kind = if o.question { TopicKind::Question } else { TopicKind::Discussion };
        topic::Model {
            id: o.topic_id.to_owned(),
            category_id: category.to_owned(),
            group_id: o.group.and_then(|g| self.groups.get(g)).map(|g| g.id.clone()),
            author_id: self.member_id(o.author),
            title,
            kind: kind.as_str().to_owned(),
            pinned: false,
            locked: false,
            hidden_at: None,
            deleted_at: None,
            accepted_post_id: t.accepted,
            reply_count: i64::from(replies),
            excerpt: discussions::excerpt(&o.body, 280),
            last_activity_at: t.last_activity,
            first_reply_at: t.first_reply,
            created_at: o.created,
            updated_at: o.created,
        }
    }

    /// A discussion or a question, most often by a creator, in a category, sometimes
    /// in one of its author's groups.
    pub(super) fn discussion(&self, rng: &mut StdRng, replies: u32, b: &mut Batch, digest: &mut Sha256) {
        let id = uuid(rng);
        let question = rng.random_bool(0.3);
        let author = self.writer(rng, None, 0.85);
        let group = self.group_of(rng, author, 0.35);
        let category = self.categories.get(skewed(rng, self.categories.len(), 1.5)).cloned().unwrap_or_default();
        let title = title(rng, question);
        let tags = tags(rng, 3);
        let created = self.content_time(rng);
        let (body, html) = body(rng, &self.pool, 1, 4);
        let (pinned, locked) = (rng.random::<f64>() < self.pin_chance, rng.random_bool(0.003));
        feed(digest, &[&id, &title]);
        let opening = Opening { topic_id: &id, group, author, created, body, html, question };
        let thread = self.thread(rng, b, digest, &opening, replies);
        let mut row = self.topic_row(&opening, &category, title, thread, replies);
        row.pinned = pinned;
        row.locked = locked;
        b.tags.extend(tags.into_iter().map(|tag| topic_tag::Model { topic_id: id.clone(), tag }));
        b.topics.push(row);
        b.discussions += 1;
    }

    /// A library item (a link, or a document hosted elsewhere: no files to store) and
    /// its discussion topic in the Library category, as sharing an item makes them.
    pub(super) fn library_item(&self, rng: &mut StdRng, replies: u32, b: &mut Batch, digest: &mut Sha256) {
        const KINDS: [(ItemKind, &str, f64); 6] = [
            (ItemKind::Document, "guide", 0.35),
            (ItemKind::Tool, "toolkit", 0.5),
            (ItemKind::Template, "template", 0.6),
            (ItemKind::Link, "resource page", 0.85),
            (ItemKind::Dataset, "dataset", 0.93),
            (ItemKind::Media, "slide deck", 1.0),
        ];
        let (id, topic_id) = (uuid(rng), uuid(rng));
        let owner = self.writer(rng, None, 0.7);
        let group = self.group_of(rng, owner, 0.3);
        let draw: f64 = rng.random();
        let (kind, noun, _) = KINDS.iter().find(|(_, _, upto)| draw < *upto).copied().unwrap_or(KINDS[0]);
        let title = item_title(rng, noun);
        let (description, description_html) = body(rng, &self.pool, 1, 2);
        let tags = tags(rng, 3);
        let (language, licence) = (pick(rng, LANGUAGES), pick(rng, LICENCES));
        let downloads = (lognormal(rng, 1.6) * 8.0) as i64;
        let created = self.content_time(rng);
        feed(digest, &[&id, &title]);
        let text = format!(
            "Discussion of the library item [{}](/library/{id}). Comments, questions and experiences welcome.",
            title.replace(['[', ']'], "")
        );
        let html = markdown::render(&text);
        let opening = Opening { topic_id: &topic_id, group, author: owner, created, body: text, html, question: false };
        let thread = self.thread(rng, b, digest, &opening, replies);
        b.topics.push(self.topic_row(&opening, &self.library_category, title.clone(), thread, replies));
        b.tags.extend(tags.iter().map(|tag| topic_tag::Model { topic_id: topic_id.clone(), tag: tag.clone() }));
        b.item_tags.extend(tags.into_iter().map(|tag| library_item_tag::Model { item_id: id.clone(), tag }));
        b.items.push(library_item::Model {
            url: Some(format!("https://example.org/library/{}/{}", &id[..8], slug(&title))),
            id,
            group_id: opening.group.and_then(|g| self.groups.get(g)).map(|g| g.id.clone()),
            owner_id: self.member_id(owner),
            title,
            description,
            description_html,
            kind: kind.as_str().to_owned(),
            language: Some(language.to_owned()),
            licence: Some(licence.to_owned()),
            topic_id: Some(topic_id),
            current_version_id: None,
            version_count: 0,
            download_count: downloads,
            created_at: created,
            updated_at: created,
            deleted_at: None,
        });
        b.library_items += 1;
    }

    /// Events: online, in person or hybrid, in the organiser's time zone, three in
    /// four past and one in four upcoming; about one in five recurs weekly or monthly.
    /// Occurrences are planned by the same recurrence rules as the events service.
    pub(super) fn events(&self, rng: &mut StdRng, count: usize, digest: &mut Sha256) -> Events {
        let mut out = Events::default();
        let content_days = (self.now - self.content_start).num_days().max(1) as f64;
        for _ in 0..count {
            let id = uuid(rng);
            let creator = self.writer(rng, None, 0.8);
            let group = self.group_of(rng, creator, 0.4);
            let draw: f64 = rng.random();
            let format = if draw < 0.55 {
                EventFormat::Online
            } else if draw < 0.8 {
                EventFormat::InPerson
            } else {
                EventFormat::Hybrid
            };
            let (_, city, zone_name, _) = GEO[rng.random_range(0..GEO.len())];
            let zone: Tz = zone_name.parse().unwrap_or(Tz::UTC);
            let (upcoming, age, ahead) = (rng.random_bool(0.25), age_fraction(rng), rng.random_range(1..=180u64));
            let (hour, half, hours) = (rng.random_range(7..=17u32), rng.random_bool(0.3), rng.random_range(1..=3i64));
            let (all_day, rule, repeats) = (rng.random_bool(0.15), rng.random::<f64>(), rng.random_range(3..=12u32));
            let (title, (description, description_html), tags) =
                (event_title(rng), body(rng, &self.pool, 1, 2), tags(rng, 2));
            let (venue_kind, capacity, seats) =
                (pick(rng, &["Community", "District", "Regional"]), rng.random_bool(0.3), rng.random_range(10..=200));
            let (co_organised, co_organiser, lead) =
                (rng.random_bool(0.2), self.writer(rng, group, 0.5), rng.random_range(3..=60));
            feed(digest, &[&id, &title]);

            let today = to_local(zone, self.now).date();
            let date =
                if upcoming { today + Days::new(ahead) } else { today - Days::new((age * content_days) as u64 + 1) };
            let all_day = all_day && format == EventFormat::InPerson;
            let minute = if half { 30 } else { 0 };
            let time = if all_day {
                NaiveTime::MIN
            } else {
                NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN)
            };
            let local_start = date.and_time(time);
            let local_end = if all_day { local_start } else { local_start + Duration::hours(hours) };
            let recurrence = if rule < 0.12 {
                Some(format!("FREQ=WEEKLY;BYDAY={};COUNT={repeats}", weekday_code(date.weekday())))
            } else if rule < 0.2 && date.day() <= 28 {
                Some(format!("FREQ=MONTHLY;BYMONTHDAY={};COUNT={repeats}", date.day()))
            } else {
                None
            };
            let starts: Option<Vec<NaiveDateTime>> = recurrence
                .as_deref()
                .and_then(|r| Rule::parse(r, &|utc: NaiveDateTime| utc.date()).and_then(|r| r.expand(local_start)).ok())
                .filter(|s| !s.is_empty());
            let (recurrence, planned) = match starts {
                Some(starts) => (recurrence, starts.into_iter().map(|s| (s.format("%Y%m%d").to_string(), s)).collect()),
                None => (None, vec![(SINGLE.to_owned(), local_start)]),
            };
            // As the events service does: an all-day occurrence runs midnight to
            // midnight; a timed one keeps its local length across clock changes.
            let instants = |start: NaiveDateTime| {
                if all_day {
                    let midnight = start.date().and_time(NaiveTime::MIN);
                    (to_utc(zone, midnight), to_utc(zone, midnight + Days::new(1)))
                } else {
                    (to_utc(zone, start), to_utc(zone, start + (local_end - local_start)))
                }
            };
            let mut first = None;
            let mut series_end = self.now;
            for (key, start) in planned {
                let (starts_at, ends_at) = instants(start);
                first.get_or_insert((starts_at, ends_at));
                series_end = ends_at;
                out.occurrences.push(event_occurrence::Model {
                    event_id: id.clone(),
                    key,
                    starts_at,
                    ends_at,
                    cancelled: false,
                    moved: false,
                });
            }
            let (starts_at, ends_at) = first.unwrap_or((self.now, self.now));
            let created = (starts_at - Duration::days(lead)).clamp(self.content_start, self.now);
            let creator_id = self.member_id(creator);
            out.organisers.push(event_organiser::Model {
                event_id: id.clone(),
                user_id: creator_id.clone().unwrap_or_default(),
                position: 0,
            });
            if co_organised && co_organiser != creator {
                out.organisers.push(event_organiser::Model {
                    event_id: id.clone(),
                    user_id: self.member_id(co_organiser).unwrap_or_default(),
                    position: 1,
                });
            }
            out.tags.extend(tags.into_iter().map(|tag| event_tag::Model { event_id: id.clone(), tag }));
            out.events.push(event::Model {
                venue: (format != EventFormat::Online).then(|| format!("{venue_kind} training centre, {city}")),
                online_url: (format != EventFormat::InPerson)
                    .then(|| format!("https://meet.example.org/bench-{}", &id[..8])),
                id,
                group_id: group.and_then(|g| self.groups.get(g)).map(|g| g.id.clone()),
                creator_id,
                title,
                description,
                description_html,
                format: format.as_str().to_owned(),
                time_zone: zone_name.to_owned(),
                all_day,
                local_start: local_start.format(LOCAL_FORMAT).to_string(),
                local_end: local_end.format(LOCAL_FORMAT).to_string(),
                starts_at,
                ends_at,
                recurrence,
                link_for_going_only: false,
                capacity: capacity.then_some(seats),
                rsvp_deadline: None,
                attendees_public: true,
                reminders: DEFAULT_REMINDERS.iter().map(i32::to_string).collect::<Vec<_>>().join(","),
                series_end,
                sequence: 0,
                cancelled_at: None,
                created_at: created,
                updated_at: created,
                deleted_at: None,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn concatenated_renderings_equal_the_rendering_of_the_joined_body() {
        let mut rng = StdRng::seed_from_u64(7);
        let pool = paragraphs(&mut rng, 200);
        assert!(
            pool.iter().all(|p| p.html.starts_with("<p>") && p.html.matches("<p>").count() == 1),
            "plain paragraphs"
        );
        for _ in 0..200 {
            let (text, html) = body(&mut rng, &pool, 1, 4);
            assert_eq!(markdown::render(&text), html);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_words_and_ids() {
        let run = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (uuid(&mut rng), title(&mut rng, true), title(&mut rng, false), tags(&mut rng, 3))
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
    }

    #[test]
    fn skewed_ranks_stay_in_range_and_favour_the_top() {
        let mut rng = StdRng::seed_from_u64(1);
        let ranks: Vec<usize> = (0..10_000).map(|_| skewed(&mut rng, 100, 2.0)).collect();
        assert!(ranks.iter().all(|r| *r < 100));
        assert!(ranks.iter().filter(|r| **r < 10).count() > 2_500, "a tenth of the ranks get over a quarter");
        assert_eq!(skewed(&mut rng, 0, 2.0), 0);
    }
}
