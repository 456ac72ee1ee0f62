//! `copse seed-demo`: a believable demo community. Each feature adds its content here:
//! settings and members, groups, discussion categories, topics, questions with
//! answers and reactions. Content goes through the same services as the API, so it
//! obeys the same rules. Running it twice changes nothing.

use chrono::{Duration, Utc};
use copse_shared::auth::{AccountStatus, Role};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use uuid::Uuid;

use std::sync::Arc;

use copse_shared::discussions::{CategoryRequest, CreatePostRequest, CreateTopicRequest, ReactionKind, TopicKind};
use copse_shared::groups::{CreateGroupRequest, GroupVisibility};
use sea_orm::EntityTrait;

use crate::auth::jwt::JwtKeys;
use crate::auth::password;
use crate::config::Settings;
use crate::entities::{community_settings, user};
use crate::error::ApiError;
use crate::policy::Actor;
use crate::ratelimit::RateLimiter;
use crate::services::{accounts, community};
use crate::services::{discussions, groups};
use crate::state::AppState;
use crate::storage::FileStore;

pub mod bench;
mod bench_content;
pub mod events;
pub mod members;

/// The password every demo account shares (printed by the command; demo only).
pub const DEMO_PASSWORD: &str = "copse-demo-2026";
/// A plain demo member, for tests that sign in to the seeded community.
pub const DEMO_EMAIL_FOR_TESTS: &str = "priya.raman@demo.copse.community";

const MEMBERS: &[(&str, &str, Role)] = &[
    ("Demo Admin", "admin@demo.copse.community", Role::Admin),
    ("Amina Diallo", "amina.diallo@demo.copse.community", Role::Facilitator),
    ("Carlos Mendoza", "carlos.mendoza@demo.copse.community", Role::Facilitator),
    ("Priya Raman", "priya.raman@demo.copse.community", Role::Member),
    ("Johannes Berg", "johannes.berg@demo.copse.community", Role::Member),
    ("Wanjiru Kamau", "wanjiru.kamau@demo.copse.community", Role::Member),
    ("Nguyen Thi Lan", "nguyen.lan@demo.copse.community", Role::Member),
    ("Fatima El Amrani", "fatima.elamrani@demo.copse.community", Role::Member),
    ("Lucía Fernández", "lucia.fernandez@demo.copse.community", Role::Member),
    ("Oluwaseun Adeyemi", "seun.adeyemi@demo.copse.community", Role::Member),
    ("Marie Dubois", "marie.dubois@demo.copse.community", Role::Member),
    ("Rahul Verma", "rahul.verma@demo.copse.community", Role::Member),
    ("Sofia Rossi", "sofia.rossi@demo.copse.community", Role::Member),
    ("Tomás Quispe", "tomas.quispe@demo.copse.community", Role::Member),
];

/// Seeds the demo community and returns a short report.
pub async fn demo(db: &DatabaseConnection) -> Result<String, ApiError> {
    let settings = community::load(db).await?;
    if settings.name == "Copse" {
        let mut active: community_settings::ActiveModel = settings.into();
        active.name = Set("Rural Advisory Practitioners".to_owned());
        active.tagline = Set("Extension agents, researchers and facilitators learning from each other".to_owned());
        active.updated_at = Set(Utc::now());
        active.update(db).await?;
    }
    // One hash for all demo accounts: seeding stays fast, and they share a password anyway.
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let mut created = 0;
    let now = Utc::now();
    for (index, (name, email, role)) in MEMBERS.iter().enumerate() {
        if accounts::find_by_email(db, email).await?.is_some() {
            continue;
        }
        // Spread sign-up dates over the past year so lists look lived-in.
        let joined = now - Duration::days(365 - (index as i64) * 25);
        user::ActiveModel {
            id: Set(Uuid::new_v4().to_string()),
            email: Set((*email).to_owned()),
            display_name: Set((*name).to_owned()),
            password_hash: Set(hash.clone()),
            role: Set(role.as_str().to_owned()),
            status: Set(AccountStatus::Active.as_str().to_owned()),
            created_at: Set(joined),
            updated_at: Set(joined),
        }
        .insert(db)
        .await?;
        created += 1;
    }
    let people = members::seed(db, &hash).await?;
    let content = if crate::entities::category::Entity::find().one(db).await?.is_none() {
        content(db).await?
    } else {
        "discussions already seeded".to_owned()
    };
    Ok(format!(
        "copse: demo community ready ({created} new members of {}; {people}; {content}); sign in as {} with the password {DEMO_PASSWORD}",
        MEMBERS.len(),
        MEMBERS[0].1
    ))
}

/// The services need an `AppState`; the seed has no server, so it builds a minimal one.
fn seed_state(db: &DatabaseConnection) -> Result<AppState, ApiError> {
    let settings = Settings::defaults();
    let webhooks = crate::services::webhooks::outbox::Outbox::new(&settings).map_err(ApiError::internal)?;
    Ok(AppState {
        db: db.clone(),
        jwt: Arc::new(JwtKeys::from_secret(b"seed-demo never signs tokens with this key")),
        settings: Arc::new(settings),
        limiter: Arc::new(RateLimiter::default()),
        // The discussions seed stores no files; the library seed brings its own store.
        files: FileStore::in_memory(),
        // Changes made by the seed reach webhooks through the change log, not this.
        webhooks,
        memo: Default::default(),
    })
}

async fn actor(db: &DatabaseConnection, email: &str) -> Result<Actor, ApiError> {
    let user = accounts::find_by_email(db, email).await?.ok_or_else(ApiError::not_found)?;
    Ok(Actor::Member(user))
}

fn email_of(name: &str) -> &'static str {
    MEMBERS.iter().find(|(n, _, _)| *n == name).map_or(MEMBERS[0].1, |(_, e, _)| e)
}

/// One demo topic: category slug, group slug, author, title, body, kind, tags, and the
/// replies as (author, body); `accept` is the reply (1-based) accepted as the answer.
struct Thread {
    category: &'static str,
    group: Option<&'static str>,
    author: &'static str,
    title: &'static str,
    body: &'static str,
    question: bool,
    tags: &'static [&'static str],
    replies: &'static [(&'static str, &'static str)],
    accept: Option<usize>,
}

const THREADS: &[Thread] = &[
    Thread {
        category: "introductions",
        group: None,
        author: "Wanjiru Kamau",
        title: "Hello from Nakuru: extension officer working on dairy",
        body: "Hi all! I'm Wanjiru, a county extension officer in Nakuru, Kenya. I work with dairy cooperatives on fodder conservation. Looking forward to learning from you.",
        question: false,
        tags: &["introductions", "dairy"],
        replies: &[
            (
                "Amina Diallo",
                "Welcome Wanjiru! Have a look at the **Soil Health** group, several members work with mixed farms.",
            ),
            (
                "Johannes Berg",
                "Welcome! We ran a silage-making pilot with cooperatives last year; happy to share the training materials.",
            ),
        ],
        accept: None,
    },
    Thread {
        category: "monitoring-evaluation",
        group: None,
        author: "Carlos Mendoza",
        title: "How do you measure adoption when farmers adopt only part of a practice?",
        body: "Our programme promotes a package (improved seed + spacing + mulching). Most farmers adopt one or two components. Do you count partial adoption, and how do you report it to donors?",
        question: true,
        tags: &["adoption", "indicators"],
        replies: &[
            (
                "Priya Raman",
                "We score each component separately and report an **adoption index** (0-3). Donors accepted it once we showed the distribution, not just the mean.",
            ),
            (
                "Fatima El Amrani",
                "Same here, plus a short qualitative follow-up on *why* components are dropped. Mulching loses out to livestock feed every time.",
            ),
            (
                "Carlos Mendoza",
                "Thanks both, the index plus the 'why' interviews is exactly what we needed. @PriyaRaman could you share your scoring sheet?",
            ),
        ],
        accept: Some(1),
    },
    Thread {
        category: "knowledge-management",
        group: None,
        author: "Priya Raman",
        title: "After-action reviews that people actually attend",
        body: "We tried monthly after-action reviews and attendance collapsed after three sessions. What formats have worked for you?\n\n- 30 minutes max?\n- Online or in person?\n- Who facilitates?",
        question: false,
        tags: &["learning", "facilitation"],
        replies: &[
            (
                "Marie Dubois",
                "Short and tied to a real decision. We hold them right after each field campaign, 25 minutes, and the last 5 minutes decide one change.",
            ),
            ("Rahul Verma", "Rotating facilitation helped us: each team runs one review a quarter."),
        ],
        accept: None,
    },
    Thread {
        category: "field-practice",
        group: Some("soil-health"),
        author: "Tomás Quispe",
        title: "Cheap soil organic carbon tests in the field?",
        body: "Lab tests cost us USD 25 per sample. Has anyone validated a field kit or a colour chart against lab results?",
        question: true,
        tags: &["soil", "testing"],
        replies: &[
            (
                "Johannes Berg",
                "Colour charts were within ±0.4% SOC of the lab on our sandy soils, much worse on clays. Worth calibrating per soil type.",
            ),
            (
                "Lucía Fernández",
                "We used a handheld spectrometer shared between three districts; the calibration set was 60 lab samples.",
            ),
        ],
        accept: Some(1),
    },
    Thread {
        category: "monitoring-evaluation",
        group: None,
        author: "Oluwaseun Adeyemi",
        title: "Baseline surveys on a shoestring",
        body: "We have two months and almost no budget for a baseline. Which indicators would you never skip?",
        question: true,
        tags: &["baselines", "indicators"],
        replies: &[],
        accept: None,
    },
    Thread {
        category: "introductions",
        group: None,
        author: "Nguyen Thi Lan",
        title: "Greetings from the Mekong Delta",
        body: "I coordinate farmer field schools on rice-fish systems. Interested in participatory video for extension.",
        question: false,
        tags: &["introductions", "video"],
        replies: &[("Sofia Rossi", "Welcome Lan! We did participatory video with women's groups; let's connect.")],
        accept: None,
    },
];

async fn content(db: &DatabaseConnection) -> Result<String, ApiError> {
    let state = seed_state(db)?;
    let admin = actor(db, MEMBERS[0].1).await?;
    let categories = [
        ("Introductions", "Say hello: who you are, where you work, what you want to learn."),
        ("Monitoring & Evaluation", "Indicators, baselines, surveys and evaluations."),
        ("Knowledge Management", "Capturing and sharing what the community learns."),
        ("Field Practice", "Techniques that work (or don't) in the field."),
    ];
    for (name, description) in categories {
        discussions::categories::create(
            &state,
            &admin,
            CategoryRequest { name: name.to_owned(), description: description.to_owned(), position: None },
        )
        .await?;
    }
    let groups = [
        (
            "Soil Health",
            "soil-health",
            "Comparing soil testing methods and soil fertility practices.",
            GroupVisibility::Public,
        ),
        (
            "Extension Methods",
            "extension-methods",
            "Farmer field schools, demonstrations, video and radio.",
            GroupVisibility::Public,
        ),
        (
            "Steering Committee",
            "steering-committee",
            "The community's coordinators plan events and priorities.",
            GroupVisibility::Private,
        ),
    ];
    for (name, slug, description, visibility) in groups {
        groups::create(
            &state,
            &admin,
            CreateGroupRequest {
                name: name.to_owned(),
                slug: Some(slug.to_owned()),
                description: description.to_owned(),
                visibility,
            },
        )
        .await?;
    }
    for name in ["Johannes Berg", "Tomás Quispe", "Lucía Fernández", "Wanjiru Kamau"] {
        groups::join(&state, &actor(db, email_of(name)).await?, "soil-health").await?;
    }
    for name in ["Nguyen Thi Lan", "Sofia Rossi", "Marie Dubois"] {
        groups::join(&state, &actor(db, email_of(name)).await?, "extension-methods").await?;
    }
    let now = Utc::now();
    let mut topics = 0;
    for (index, thread) in THREADS.iter().enumerate() {
        let author = actor(db, email_of(thread.author)).await?;
        let topic = discussions::topics::create(
            &state,
            &author,
            CreateTopicRequest {
                category: thread.category.to_owned(),
                group: thread.group.map(str::to_owned),
                title: thread.title.to_owned(),
                body: thread.body.replace("\\n", "\n"),
                kind: if thread.question { TopicKind::Question } else { TopicKind::Discussion },
                tags: thread.tags.iter().map(|t| (*t).to_owned()).collect(),
            },
        )
        .await?;
        let mut reply_ids = Vec::new();
        for (who, body) in thread.replies {
            let post = discussions::posts::create(
                &state,
                &actor(db, email_of(who)).await?,
                &topic.summary.id,
                CreatePostRequest { body: (*body).to_owned(), quote_post_id: None },
            )
            .await?;
            discussions::posts::react(&state, &author, &post.id, ReactionKind::Thanks).await?;
            reply_ids.push(post.id);
        }
        if let Some(accepted) = thread.accept.and_then(|n| reply_ids.get(n - 1)) {
            discussions::topics::accept(&state, &author, &topic.summary.id, accepted).await?;
        }
        // Spread the threads over the past weeks, so the list reads like a living forum.
        let started = now - Duration::days(((THREADS.len() - index) * 4) as i64) - Duration::hours(index as i64 * 3);
        backdate(db, &topic.summary.id, started).await?;
        topics += 1;
    }
    Ok(format!("4 categories, 3 groups, {topics} topics"))
}

async fn backdate(db: &DatabaseConnection, topic_id: &str, started: chrono::DateTime<Utc>) -> Result<(), ApiError> {
    use crate::entities::{post, topic};
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let posts = post::Entity::find()
        .filter(post::Column::TopicId.eq(topic_id))
        .order_by_asc(post::Column::Number)
        .all(db)
        .await?;
    let mut last = started;
    for (i, p) in posts.into_iter().enumerate() {
        let at = started + Duration::hours(i as i64 * 7 + i64::from(i > 0) * 2);
        last = at;
        let mut active: post::ActiveModel = p.into();
        active.created_at = Set(at);
        active.updated_at = Set(at);
        active.update(db).await?;
    }
    if let Some(t) = topic::Entity::find_by_id(topic_id.to_owned()).one(db).await? {
        let first_reply = t.first_reply_at.map(|_| started + Duration::hours(9));
        let mut active: topic::ActiveModel = t.into();
        active.created_at = Set(started);
        active.updated_at = Set(last);
        active.last_activity_at = Set(last);
        active.first_reply_at = Set(first_reply);
        active.update(db).await?;
    }
    Ok(())
}

/// One demo library item: owner, group slug, title, kind, description, tags, language,
/// licence, and either a URL or a small file (name, media type, content).
struct Shelf {
    owner: &'static str,
    group: Option<&'static str>,
    title: &'static str,
    kind: copse_shared::library::ItemKind,
    description: &'static str,
    tags: &'static [&'static str],
    language: &'static str,
    licence: &'static str,
    url: Option<&'static str>,
    file: Option<(&'static str, &'static str, &'static str)>,
}

const SHELVES: &[Shelf] = {
    use copse_shared::library::ItemKind::*;
    &[
        Shelf {
            owner: "Wanjiru Kamau",
            group: Some("soil-health"),
            title: "Field guide: taking a composite soil sample",
            kind: Document,
            description: "Step by step, with the **mistakes we made** in Nakuru so you do not repeat them.",
            tags: &["soil", "sampling"],
            language: "en",
            licence: "CC-BY-4.0",
            url: None,
            file: Some((
                "composite-sampling.md",
                "text/markdown",
                "# Taking a composite soil sample\n\n1. Walk the plot in a W pattern.\n2. Take 15 to 20 cores at 0-20 cm.\n3. Mix in a clean bucket; keep 500 g.\n4. Label with plot, date and depth.\n\nDo not sample near trees, paths or old manure heaps.\n",
            )),
        },
        Shelf {
            owner: "Carlos Mendoza",
            group: None,
            title: "Baseline survey template (household level)",
            kind: Template,
            description: "The template our M&E team uses for household baselines; adapt the crop list.",
            tags: &["baselines", "surveys"],
            language: "en",
            licence: "CC0-1.0",
            url: None,
            file: Some((
                "baseline-template.csv",
                "text/csv",
                "household_id,village,head_of_household,plot_count,main_crop,uses_compost,advisory_visits_last_year\nHH-001,,,,,,\nHH-002,,,,,,\n",
            )),
        },
        Shelf {
            owner: "Nguyen Thi Lan",
            group: Some("extension-methods"),
            title: "Participatory video toolkit",
            kind: Tool,
            description: "Checklists for planning, filming and screening farmer-made videos.",
            tags: &["video", "extension"],
            language: "en",
            licence: "CC-BY-SA-4.0",
            url: None,
            file: Some((
                "pv-checklist.txt",
                "text/plain",
                "Before filming: agree the story with the group; charge batteries; bring a tripod.\nWhile filming: let farmers hold the camera.\nAfter: screen in the village first, then edit together.\n",
            )),
        },
        Shelf {
            owner: "Amina Diallo",
            group: None,
            title: "FAO Soils Portal",
            kind: Link,
            description: "Maps, soil classification and the global soil partnership's resources.",
            tags: &["soil"],
            language: "en",
            licence: "All rights reserved",
            url: Some("https://www.fao.org/soils-portal/en/"),
            file: None,
        },
        Shelf {
            owner: "Lucía Fernández",
            group: Some("soil-health"),
            title: "Resultados de análisis de suelo 2025 (Cusco)",
            kind: Dataset,
            description: "pH y materia orgánica de 6 parcelas comunitarias.",
            tags: &["soil", "data"],
            language: "es",
            licence: "CC-BY-4.0",
            url: None,
            file: Some((
                "suelos-cusco-2025.csv",
                "text/csv",
                "parcela,ph,materia_organica_pct\nP1,5.8,2.1\nP2,6.2,3.4\nP3,5.5,1.8\nP4,6.8,4.0\nP5,6.0,2.9\nP6,5.9,2.2\n",
            )),
        },
    ]
};

/// Fills the library with guides, templates, toolkits, links and datasets, storing
/// their files in the data directory's file store. Idempotent: skips when the library
/// already has items. Run after `demo`, whose members and groups it uses.
pub async fn library(db: &DatabaseConnection, settings: &Settings) -> Result<String, ApiError> {
    use crate::services::library::{files, items};
    use copse_shared::library::CreateLibraryItemRequest;
    if crate::entities::library_item::Entity::find().one(db).await?.is_some() {
        return Ok("library already seeded".to_owned());
    }
    let mut state = seed_state(db)?;
    state.settings = Arc::new(settings.clone());
    state.files = FileStore::from_settings(settings).map_err(ApiError::internal)?;
    for shelf in SHELVES {
        let owner = actor(db, email_of(shelf.owner)).await?;
        let item = items::create(
            &state,
            &owner,
            CreateLibraryItemRequest {
                title: shelf.title.to_owned(),
                description: shelf.description.to_owned(),
                kind: shelf.kind,
                group: shelf.group.map(str::to_owned),
                tags: shelf.tags.iter().map(|t| (*t).to_owned()).collect(),
                language: Some(shelf.language.to_owned()),
                licence: Some(shelf.licence.to_owned()),
                url: shelf.url.map(str::to_owned),
            },
        )
        .await?;
        if let Some((name, content_type, content)) = shelf.file {
            let mut upload = files::begin(&state, &owner, &item.summary.id).await?;
            upload.write(content.as_bytes()).await?;
            upload.finish(&state, &owner, Some(name), Some(content_type), "First version.").await?;
        }
    }
    Ok(format!("{} library items", SHELVES.len()))
}
