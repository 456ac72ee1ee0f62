//! Members end to end: profiles and their privacy (no hidden field leaks through any
//! endpoint), the directory's combined filters and pages, search text that only ever
//! is text, the expert finder's ranking, bookmarks, contact, avatars (and what is not
//! an avatar), limits, the data export, account deletion, and a bounded number of SQL
//! statements per directory page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use copse_shared::ErrorCode;
use copse_shared::auth::Role;
use copse_shared::client::Client;
use copse_shared::discussions::*;
use copse_shared::endpoints::*;
use copse_shared::library::{CreateLibraryItemRequest, ItemKind};
use copse_shared::members::ChangeRoleRequest;
use copse_shared::profiles::*;
use copse_tests::{PASSWORD, TestApp, problem};

struct Community {
    app: TestApp,
    admin: Client,
    category: Category,
}

async fn community() -> Community {
    community_with(|_| {}).await
}

async fn community_with(f: impl FnOnce(&mut copse::config::Settings)) -> Community {
    let app = TestApp::spawn_with(|s| {
        s.writes_per_minute = 10_000;
        s.register_per_ip_per_hour = 10_000;
        f(s);
    })
    .await;
    let admin = app.admin().await;
    let category = admin
        .call(&CreateCategory(CategoryRequest { name: "Soil".into(), description: String::new(), position: None }))
        .await
        .unwrap();
    Community { app, admin, category }
}

impl Community {
    async fn member(&self, email: &str, name: &str) -> (Client, String) {
        let (client, answer) = self.app.register(email, name, PASSWORD).await;
        (client, answer.user.id)
    }

    async fn topic(&self, client: &Client, title: &str, kind: TopicKind, tags: &[&str]) -> Topic {
        client
            .call(&CreateTopic(CreateTopicRequest {
                category: self.category.slug.clone(),
                group: None,
                title: title.into(),
                body: format!("About {title}."),
                kind,
                tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            }))
            .await
            .unwrap()
    }

    /// A private group made by the admin, which the given members have joined.
    async fn private_group(&self, members: &[(&Client, &str)]) -> copse_shared::groups::Group {
        copse_tests::group_with(&self.admin, "Board room", copse_shared::groups::GroupVisibility::Private, members)
            .await
    }

    /// A raw GET (to scan the exact JSON that leaves the server).
    async fn raw(&self, client: &Client, path: &str) -> (u16, String) {
        let mut request = client.http().get(self.app.url(path));
        if let Some(token) = client.token() {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }
}

fn reply(id: &str, body: &str) -> CreatePost {
    CreatePost { id: id.into(), body: CreatePostRequest { body: body.into(), quote_post_id: None } }
}

fn profile(name: &str) -> UpdateProfileRequest {
    UpdateProfileRequest { display_name: name.into(), ..Default::default() }
}

fn expertise(tag: &str, level: ExpertiseLevel) -> Expertise {
    Expertise { tag: tag.into(), level }
}

#[tokio::test]
async fn no_hidden_contact_detail_leaks_through_any_endpoint() {
    let c = community().await;
    let (hana, hana_id) = c.member("hana.secretmarker@example.org", "Hana Okafor").await;
    let (member, _) = c.member("member@example.org", "Plain Member").await;
    let (facilitator, facilitator_id) = c.member("facilitator@example.org", "Site Facilitator").await;
    c.admin
        .call(&ChangeMemberRole { id: facilitator_id, body: ChangeRoleRequest { role: Role::Facilitator } })
        .await
        .unwrap();
    let mut request = profile("Hana Okafor");
    request.headline = Some("Soil scientist".into());
    request.expertise = vec![expertise("compost", ExpertiseLevel::Expert)];
    request.links = vec![ProfileLink { kind: LinkKind::Website, url: "https://secretmarker.example/hana".into() }];
    request.privacy = PrivacySettings {
        email_visibility: Visibility::Nobody,
        links_visibility: Visibility::Nobody,
        allow_contact: true,
    };
    hana.call(&UpdateMyProfile(request.clone())).await.unwrap();
    let topic = c.topic(&hana, "Compost in winter", TopicKind::Question, &["compost"]).await;
    hana.call(&reply(&topic.summary.id, "Straw helps.")).await.unwrap();
    member
        .call(&ContactMember {
            id: hana_id.clone(),
            body: ContactMemberRequest { subject: "Compost".into(), message: "May I ask?".into() },
        })
        .await
        .unwrap();
    member
        .call(&CreateBookmark(CreateBookmarkRequest {
            kind: BookmarkKind::Topic,
            target_id: Some(topic.summary.id.clone()),
            url: None,
            title: None,
            note: String::new(),
        }))
        .await
        .unwrap();

    let paths = [
        format!("/api/v1/members/{hana_id}/profile"),
        format!("/api/v1/members/{hana_id}/profile?view_as=member"),
        format!("/api/v1/members/{hana_id}/profile?view_as=facilitator"),
        format!("/api/v1/members/{hana_id}/activity"),
        "/api/v1/directory".to_owned(),
        "/api/v1/directory?q=hana".to_owned(),
        "/api/v1/directory?expertise=compost&sort=most_active".to_owned(),
        "/api/v1/directory?q=secretmarker".to_owned(),
        "/api/v1/directory?sort=newest".to_owned(),
        "/api/v1/experts?tags=compost".to_owned(),
        "/api/v1/expertise-tags".to_owned(),
        "/api/v1/topics".to_owned(),
        format!("/api/v1/topics/{}", topic.summary.id),
        format!("/api/v1/topics/{}/posts", topic.summary.id),
        "/api/v1/me/bookmarks".to_owned(),
        "/api/v1/me/notifications".to_owned(),
        "/api/v1/me/export".to_owned(),
    ];
    let anonymous = c.app.new_client();
    for (who, client) in [("member", &member), ("facilitator", &facilitator), ("anonymous", &anonymous)] {
        for path in &paths {
            let (status, body) = c.raw(client, path).await;
            assert!(status == 200 || status == 401, "{who} {path}: {status} {body}");
            assert!(!body.contains("secretmarker"), "{who} {path} leaks a hidden detail: {body}");
        }
    }
    // The search found Hana by name, but a search on her hidden address finds nothing.
    let found = member.call(&ListDirectory { q: Some("secretmarker".into()), ..Default::default() }).await.unwrap();
    assert!(found.items.is_empty());
    // The admin sees her email in administration, but not on her profile.
    let seen = c.admin.call(&GetMemberProfile { id: hana_id.clone(), view_as: None }).await.unwrap();
    assert_eq!((seen.email, seen.links), (None, None));

    // She sees everything herself, and nothing hidden when previewing as a member.
    let own = hana.call(&GetMemberProfile { id: hana_id.clone(), view_as: None }).await.unwrap();
    assert!(own.is_self && own.email.is_some() && own.links.is_some());
    let preview = hana.call(&GetMemberProfile { id: hana_id.clone(), view_as: Some(ViewAs::Member) }).await.unwrap();
    assert_eq!((preview.email, preview.links), (None, None));

    // Email for members, links for facilitators only.
    request.privacy.email_visibility = Visibility::Members;
    request.privacy.links_visibility = Visibility::Facilitators;
    hana.call(&UpdateMyProfile(request)).await.unwrap();
    let as_member = member.call(&GetMemberProfile { id: hana_id.clone(), view_as: None }).await.unwrap();
    assert_eq!(as_member.email.as_deref(), Some("hana.secretmarker@example.org"));
    assert_eq!(as_member.links, None);
    let as_staff = facilitator.call(&GetMemberProfile { id: hana_id.clone(), view_as: None }).await.unwrap();
    assert_eq!(as_staff.links.map(|l| l.len()), Some(1));
    // A member cannot see more by asking to view as a facilitator.
    let upgrade =
        member.call(&GetMemberProfile { id: hana_id.clone(), view_as: Some(ViewAs::Facilitator) }).await.unwrap();
    assert_eq!(upgrade.links, None);
    let preview = hana.call(&GetMemberProfile { id: hana_id.clone(), view_as: Some(ViewAs::Member) }).await.unwrap();
    assert!(preview.email.is_some() && preview.links.is_none());
    // Lists never carry contact details at all.
    let (_, listed) = c.raw(&member, "/api/v1/directory?q=hana").await;
    assert!(!listed.contains("secretmarker"), "{listed}");
    let (status, _) = c.raw(&anonymous, &format!("/api/v1/members/{hana_id}/profile")).await;
    assert_eq!(status, 401);
}

async fn member_with(c: &Community, email: &str, name: &str, edit: impl FnOnce(&mut UpdateProfileRequest)) -> String {
    let (client, id) = c.member(email, name).await;
    let mut request = profile(name);
    edit(&mut request);
    client.call(&UpdateMyProfile(request)).await.unwrap();
    id
}

fn names(page: &copse_shared::Page<ProfileSummary>) -> Vec<String> {
    page.items.iter().map(|p| p.display_name.clone()).collect()
}

#[tokio::test]
async fn the_directory_combines_filters_and_pages_with_a_cursor() {
    let c = community().await;
    member_with(&c, "wanjiru@example.org", "Wanjiru Kamau", |r| {
        r.organisation = Some("KALRO Soil Lab".into());
        r.country = Some("ke".into());
        r.languages = vec!["en".into(), "sw".into()];
        r.expertise = vec![expertise("soil-health", ExpertiseLevel::Expert)];
        r.interests = vec!["agroforestry".into()];
    })
    .await;
    member_with(&c, "otieno@example.org", "Otieno Ouma", |r| {
        r.organisation = Some("Farm Radio".into());
        r.country = Some("KE".into());
        r.languages = vec!["sw".into()];
        r.expertise = vec![expertise("radio", ExpertiseLevel::Practitioner)];
    })
    .await;
    member_with(&c, "ana@example.org", "Ana Souza", |r| {
        r.organisation = Some("Embrapa Soil".into());
        r.country = Some("BR".into());
        r.languages = vec!["pt-br".into(), "en".into()];
        r.expertise = vec![expertise("soil-health", ExpertiseLevel::Practitioner)];
        r.job_title = Some("Research agronomist".into());
    })
    .await;
    let (viewer, _) = c.member("viewer@example.org", "Viewer").await;

    let list = |filter: ListDirectory| {
        let viewer = viewer.clone();
        async move { viewer.call(&filter).await.unwrap() }
    };
    let soil_in_kenya =
        list(ListDirectory { country: Some("KE".into()), expertise: Some("soil-health".into()), ..Default::default() })
            .await;
    assert_eq!(names(&soil_in_kenya), ["Wanjiru Kamau"]);
    let swahili = list(ListDirectory { language: Some("sw".into()), ..Default::default() }).await;
    assert_eq!(names(&swahili), ["Otieno Ouma", "Wanjiru Kamau"]);
    let portuguese = list(ListDirectory { language: Some("PT-BR".into()), ..Default::default() }).await;
    assert_eq!(names(&portuguese), ["Ana Souza"]);
    let soil_orgs = list(ListDirectory { organisation: Some("soil".into()), ..Default::default() }).await;
    assert_eq!(names(&soil_orgs), ["Ana Souza", "Wanjiru Kamau"]);
    let words = list(ListDirectory { q: Some("research SOUZA".into()), ..Default::default() }).await;
    assert_eq!(names(&words), ["Ana Souza"]);
    let interest = list(ListDirectory { interest: Some("agroforestry".into()), ..Default::default() }).await;
    assert_eq!(names(&interest), ["Wanjiru Kamau"]);
    let none =
        list(ListDirectory { country: Some("BR".into()), language: Some("sw".into()), ..Default::default() }).await;
    assert!(none.items.is_empty());
    assert_eq!(soil_in_kenya.items[0].country.as_deref(), Some("KE"));

    // Every member exactly once, in name order, two per page.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = list(ListDirectory { limit: Some(2), cursor: cursor.clone(), ..Default::default() }).await;
        seen.extend(names(&page));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert_eq!(seen.len(), 5, "{seen:?}");

    // Newest first, then most active: a member with posts comes first.
    let newest =
        list(ListDirectory { sort: Some(DirectorySort::Newest), limit: Some(100), ..Default::default() }).await;
    assert_eq!(newest.items[0].display_name, "Viewer");
    let topic = c.topic(&viewer, "Soil carbon", TopicKind::Discussion, &[]).await;
    viewer.call(&reply(&topic.summary.id, "And more.")).await.unwrap();
    // Activity is counted in the background every few minutes; count now.
    copse::services::profiles::ranking::refresh(&c.app.db).await.unwrap();
    let mut active = Vec::new();
    let mut cursor = None;
    loop {
        let page = list(ListDirectory {
            sort: Some(DirectorySort::MostActive),
            limit: Some(2),
            cursor: cursor.clone(),
            ..Default::default()
        })
        .await;
        active.extend(names(&page));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(active.len(), 5);
    assert_eq!(active[0], "Viewer");

    // A cursor of another order, garbage, or a bad limit: problem+json, never 500.
    let page = list(ListDirectory { limit: Some(1), ..Default::default() }).await;
    let wrong = viewer
        .call(&ListDirectory { sort: Some(DirectorySort::Newest), cursor: page.next_cursor, ..Default::default() })
        .await;
    assert_eq!(problem(wrong).status, 400);
    assert_eq!(
        problem(viewer.call(&ListDirectory { cursor: Some("%%%".into()), ..Default::default() }).await).status,
        400
    );
    assert_eq!(problem(viewer.call(&ListDirectory { limit: Some(0), ..Default::default() }).await).status, 422);
    let (status, body) = c.raw(&viewer, "/api/v1/directory?sort=loudest").await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn the_directory_search_follows_every_change_of_name_and_profile() {
    let c = community().await;
    let (viewer, _) = c.member("viewer@example.org", "Viewer").await;
    let search = |q: &str| {
        let (viewer, q) = (viewer.clone(), q.to_owned());
        async move { names(&viewer.call(&ListDirectory { q: Some(q), ..Default::default() }).await.unwrap()) }
    };
    // A member without a profile is found by name, in the middle of a word too.
    let (kofi, _) = c.member("kofi@example.org", "Kofi Mensah-Boateng").await;
    assert_eq!(search("ensah").await, ["Kofi Mensah-Boateng"]);
    assert_eq!(search("KOFI boateng").await, ["Kofi Mensah-Boateng"]);
    // A profile adds its texts; an edit replaces them; a new name replaces the old one.
    let mut request = profile("Kofi Mensah-Boateng");
    request.headline = Some("Seed systems in the Sahel".into());
    kofi.call(&UpdateMyProfile(request.clone())).await.unwrap();
    assert_eq!(search("sahel").await, ["Kofi Mensah-Boateng"]);
    request.headline = Some("Irrigation scheduling".into());
    request.display_name = "Kofi Boateng".into();
    kofi.call(&UpdateMyProfile(request)).await.unwrap();
    assert!(search("sahel").await.is_empty(), "the old headline is gone from the index");
    assert!(search("mensah").await.is_empty(), "the old name is gone from the index");
    assert_eq!(search("irrigation boat").await, ["Kofi Boateng"]);
    // Two-letter words are matched too (without the trigram index).
    assert_eq!(search("ko").await, ["Kofi Boateng"]);
    // A deleted account leaves the index.
    kofi.call(&DeleteMyAccount::default()).await.unwrap();
    assert!(search("boateng").await.is_empty());
}

/// Every page of a search sorted by name, following the cursor.
async fn search_pages(viewer: &Client, q: &str) -> Vec<String> {
    let (mut seen, mut cursor) = (Vec::new(), None);
    loop {
        let page = viewer
            .call(&ListDirectory { q: Some(q.into()), limit: Some(2), cursor: cursor.clone(), ..Default::default() })
            .await
            .unwrap();
        seen.extend(names(&page));
        cursor = page.next_cursor;
        if cursor.is_none() {
            return seen;
        }
    }
}

#[tokio::test]
async fn a_search_sorted_by_name_pages_its_matches_follows_renames_and_leaves_out_suspended_members() {
    // Searches sorted by name are paged from the search index's own copy of each
    // member's name and status (migration 14): a rename, a suspension and a
    // reinstatement must show in it at once, and the other filters still apply.
    let c = community().await;
    let (viewer, _) = c.member("viewer@example.org", "Viewer").await;
    let mut members = Vec::new();
    for (email, name, country) in [
        ("e@example.org", "Esi Agyeman", "GH"),
        ("b@example.org", "Bola Ade", "NG"),
        ("d@example.org", "Dawit Bekele", "ET"),
        ("a@example.org", "Amara Diallo", "SN"),
        ("c@example.org", "Chidi Okeke", "NG"),
    ] {
        let (client, id) = c.member(email, name).await;
        let mut request = profile(name);
        request.headline = Some("Agroecology practitioner".into());
        request.country = Some(country.into());
        client.call(&UpdateMyProfile(request.clone())).await.unwrap();
        members.push((client, id, request));
    }
    let everyone = ["Amara Diallo", "Bola Ade", "Chidi Okeke", "Dawit Bekele", "Esi Agyeman"];
    assert_eq!(search_pages(&viewer, "agroecology").await, everyone);
    let nigeria = viewer
        .call(&ListDirectory { q: Some("agroecology".into()), country: Some("NG".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(names(&nigeria), ["Bola Ade", "Chidi Okeke"]);

    // A rename moves the member to the new name's place.
    let (bola, _, request) = &members[1];
    bola.call(&UpdateMyProfile(UpdateProfileRequest { display_name: "Zainab Ade".into(), ..request.clone() }))
        .await
        .unwrap();
    assert_eq!(
        search_pages(&viewer, "agroecology").await,
        ["Amara Diallo", "Chidi Okeke", "Dawit Bekele", "Esi Agyeman", "Zainab Ade"]
    );
    // A suspended member is not found; reinstated, they are again.
    c.admin.call(&SuspendMember { id: members[2].1.clone() }).await.unwrap();
    assert_eq!(
        search_pages(&viewer, "agroecology").await,
        ["Amara Diallo", "Chidi Okeke", "Esi Agyeman", "Zainab Ade"]
    );
    c.admin.call(&ReinstateMember { id: members[2].1.clone() }).await.unwrap();
    assert_eq!(search_pages(&viewer, "agro").await.len(), 5);
}

#[tokio::test]
async fn search_text_with_injection_characters_is_only_text() {
    let c = community().await;
    member_with(&c, "growth@example.org", "Grace O'Neil", |r| {
        r.organisation = Some("50% Growth_Lab".into());
    })
    .await;
    let (viewer, _) = c.member("viewer@example.org", "Viewer").await;
    for q in ["' OR 1=1 --", "\"; DROP TABLE users; --", "%%", "__", "\\", "5%", "50\\%", "%' OR '%'='", "q\u{0}z"] {
        for field in ["q", "organisation", "country", "language", "expertise", "interest"] {
            let path = format!("/api/v1/directory?{field}={}", copse_shared::endpoint::encode_component(q));
            let (status, body) = c.raw(&viewer, &path).await;
            assert_eq!(status, 200, "{path}: {body}");
            let page: copse_shared::Page<ProfileSummary> = serde_json::from_str(&body).unwrap();
            assert!(page.items.is_empty(), "{path} matched {body}");
        }
    }
    // The wildcard characters match themselves, and only themselves.
    for q in ["%", "_", "50%", "growth_lab", "o'neil"] {
        let page = viewer.call(&ListDirectory { q: Some(q.into()), ..Default::default() }).await.unwrap();
        assert_eq!(names(&page), ["Grace O'Neil"], "{q}");
    }
    let long = "x".repeat(101);
    assert_eq!(problem(viewer.call(&ListDirectory { q: Some(long), ..Default::default() }).await).status, 422);
    // The accounts table is still there.
    assert_eq!(viewer.call(&ListDirectory::default()).await.unwrap().items.len(), 3);
}

#[tokio::test]
async fn the_expert_finder_ranks_declared_expertise_answers_and_contributions_and_skips_closed_members() {
    let c = community().await;
    let open = |level: Option<ExpertiseLevel>| {
        move |r: &mut UpdateProfileRequest| {
            r.privacy.allow_contact = true;
            if let Some(level) = level {
                r.expertise = vec![expertise("soil-health", level)];
            }
        }
    };
    let (ada, _) = c.member("ada@example.org", "Ada Expert").await;
    let mut r = profile("Ada Expert");
    open(Some(ExpertiseLevel::Expert))(&mut r);
    ada.call(&UpdateMyProfile(r)).await.unwrap();
    let (bea, _) = c.member("bea@example.org", "Bea Answerer").await;
    let mut r = profile("Bea Answerer");
    open(Some(ExpertiseLevel::Practitioner))(&mut r);
    bea.call(&UpdateMyProfile(r)).await.unwrap();
    let (cai, _) = c.member("cai@example.org", "Cai Contributor").await;
    let mut r = profile("Cai Contributor");
    open(None)(&mut r);
    cai.call(&UpdateMyProfile(r)).await.unwrap();
    let (dan, _) = c.member("dan@example.org", "Dan Closed").await;
    let mut r = profile("Dan Closed");
    r.expertise = vec![expertise("soil-health", ExpertiseLevel::Expert)];
    dan.call(&UpdateMyProfile(r)).await.unwrap();

    // Cai asks and discusses; Bea's answer is accepted.
    let question = c.topic(&cai, "Testing soil health cheaply", TopicKind::Question, &["soil-health"]).await;
    cai.call(&reply(&question.summary.id, "Context: smallholder plots.")).await.unwrap();
    let discussion = c.topic(&cai, "Soil health days", TopicKind::Discussion, &["soil-health"]).await;
    cai.call(&reply(&discussion.summary.id, "We ran one in March.")).await.unwrap();
    let answer = bea.call(&reply(&question.summary.id, "Use a slake test.")).await.unwrap();
    cai.call(&AcceptAnswer { id: question.summary.id.clone(), body: AcceptAnswerRequest { post_id: answer.id } })
        .await
        .unwrap();
    dan.call(&reply(&discussion.summary.id, "Me too.")).await.unwrap();

    let (viewer, _) = c.member("viewer@example.org", "Viewer").await;
    let experts =
        viewer.call(&FindExperts { tags: vec!["soil-health".into(), "unrelated".into()], limit: None }).await.unwrap();
    let ranked: Vec<&str> = experts.iter().map(|e| e.member.display_name.as_str()).collect();
    assert_eq!(ranked, ["Ada Expert", "Bea Answerer", "Cai Contributor"], "{experts:#?}");
    assert_eq!(experts[1].accepted_answers, 1);
    assert_eq!(experts[2].contributions, 4);
    assert_eq!(experts[0].matched_expertise, [expertise("soil-health", ExpertiseLevel::Expert)]);
    assert!(experts.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(experts.iter().all(|e| e.member.allow_contact));

    let tags = viewer.call(&ListExpertiseTags { prefix: Some("soil".into()), limit: None }).await.unwrap();
    assert_eq!(tags, [ExpertiseTag { tag: "soil-health".into(), members: 3 }]);

    let none = viewer.call(&FindExperts { tags: Vec::new(), limit: None }).await;
    assert_eq!(problem(none).status, 422);
    let bad = viewer.call(&FindExperts { tags: vec!["<script>".into()], limit: None }).await;
    assert_eq!(problem(bad).status, 422);
    let too_many = viewer.call(&FindExperts { tags: (0..6).map(|i| format!("t{i}")).collect(), limit: None }).await;
    assert_eq!(problem(too_many).status, 422);
}

#[tokio::test]
async fn bookmarks_keep_topics_items_and_links_in_one_list() {
    let c = community().await;
    let (amina, _) = c.member("amina@example.org", "Amina").await;
    let (other, _) = c.member("other@example.org", "Other").await;
    let topic = c.topic(&c.admin, "Cover crops", TopicKind::Discussion, &[]).await;
    let item = c
        .admin
        .call(&CreateLibraryItem(CreateLibraryItemRequest {
            title: "Cover crop guide".into(),
            description: String::new(),
            kind: ItemKind::Link,
            group: None,
            tags: Vec::new(),
            language: None,
            licence: None,
            url: Some("https://example.org/cover-crops".into()),
        }))
        .await
        .unwrap();
    let create = |kind, target_id: Option<String>, url: Option<&str>, title: Option<&str>, note: &str| {
        CreateBookmark(CreateBookmarkRequest {
            kind,
            target_id,
            url: url.map(str::to_owned),
            title: title.map(str::to_owned),
            note: note.into(),
        })
    };
    let on_topic = amina
        .call_with(&create(BookmarkKind::Topic, Some(topic.summary.id.clone()), None, None, "Read before Monday"), &[])
        .await
        .unwrap();
    assert_eq!(on_topic.status, 201);
    assert_eq!(on_topic.body.title, "Cover crops");
    amina.call(&create(BookmarkKind::LibraryItem, Some(item.summary.id.clone()), None, None, "")).await.unwrap();
    let link = amina
        .call(&create(BookmarkKind::Link, None, Some("https://fao.org/soils"), Some("FAO soils portal"), "Maps"))
        .await
        .unwrap();

    let all = amina.call(&ListBookmarks::default()).await.unwrap();
    assert_eq!(all.items.len(), 3);
    assert_eq!(all.items[0].id, link.id, "newest first");
    let topics = amina.call(&ListBookmarks { kind: Some(BookmarkKind::Topic), ..Default::default() }).await.unwrap();
    assert_eq!(topics.items.len(), 1);
    let first = amina.call(&ListBookmarks { limit: Some(2), ..Default::default() }).await.unwrap();
    let rest =
        amina.call(&ListBookmarks { limit: Some(2), cursor: first.next_cursor, ..Default::default() }).await.unwrap();
    assert_eq!((first.items.len(), rest.items.len(), rest.next_cursor), (2, 1, None));

    let again = amina.call(&create(BookmarkKind::Topic, Some(topic.summary.id.clone()), None, None, "")).await;
    assert_eq!(problem(again).status, 409);
    let missing = amina.call(&create(BookmarkKind::Topic, Some("nope".into()), None, None, "")).await;
    assert_eq!(problem(missing).status, 404);
    let script = amina.call(&create(BookmarkKind::Link, None, Some("javascript:alert(1)"), Some("x"), "")).await;
    assert_eq!(problem(script).field("url").map(|e| e.code.as_str()), Some("invalid_format"));
    let long = amina.call(&create(BookmarkKind::Link, None, Some("https://a.org"), Some("x"), &"n".repeat(1001))).await;
    assert_eq!(problem(long).field("note").map(|e| e.code.as_str()), Some("too_long"));

    let updated = amina
        .call(&UpdateBookmark {
            id: link.id.clone(),
            body: UpdateBookmarkRequest { note: "Soil maps".into(), title: Some("FAO portal".into()) },
        })
        .await
        .unwrap();
    assert_eq!((updated.note.as_str(), updated.title.as_str()), ("Soil maps", "FAO portal"));
    assert_eq!(problem(other.call(&GetBookmark { id: link.id.clone() }).await).status, 404);
    assert_eq!(problem(other.call(&DeleteBookmark { id: link.id.clone() }).await).status, 404);

    // A deleted topic stays in the list as unavailable.
    let opening = c.admin.call(&ListPosts { id: topic.summary.id.clone(), ..Default::default() }).await.unwrap();
    c.admin.call(&DeletePost { id: opening.items[0].id.clone() }).await.unwrap();
    let gone = amina.call(&GetBookmark { id: on_topic.body.id.clone() }).await.unwrap();
    assert!(!gone.available && gone.title.is_empty());

    amina.call(&DeleteBookmark { id: link.id.clone() }).await.unwrap();
    amina.call(&DeleteBookmark { id: link.id.clone() }).await.unwrap();
    assert_eq!(amina.call(&ListBookmarks::default()).await.unwrap().items.len(), 2);
}

#[tokio::test]
async fn contact_reaches_the_member_as_a_notification_and_is_refused_when_closed() {
    let c = community().await;
    let (open, open_id) = c.member("open.person@example.org", "Open Person").await;
    let mut r = profile("Open Person");
    r.privacy.allow_contact = true;
    open.call(&UpdateMyProfile(r)).await.unwrap();
    let (closed, closed_id) = c.member("closed@example.org", "Closed Person").await;
    closed.call(&UpdateMyProfile(profile("Closed Person"))).await.unwrap();
    let (sender, sender_id) = c.member("sender@example.org", "Sender").await;

    let message = |subject: &str, text: &str| ContactMemberRequest { subject: subject.into(), message: text.into() };
    let sent = sender
        .call_with(&ContactMember { id: open_id.clone(), body: message("Soil tests", "Can we talk?") }, &[])
        .await;
    assert_eq!(sent.unwrap().status, 204);
    let inbox = open.call(&ListNotifications::default()).await.unwrap();
    let note = &inbox.items[0];
    assert_eq!(note.kind, NotificationKind::Contact);
    assert_eq!((note.topic_title.as_str(), note.message.as_deref()), ("Soil tests", Some("Can we talk?")));
    assert_eq!(note.actor.as_ref().map(|a| a.id.as_str()), Some(sender_id.as_str()));

    let refused = sender.call(&ContactMember { id: closed_id.clone(), body: message("Hi", "Hello") }).await;
    let refused = problem(refused);
    assert_eq!((refused.status, refused.code), (403, ErrorCode::ContactNotAllowed));
    assert!(!refused.detail.unwrap_or_default().contains("closed@example.org"));
    assert_eq!(closed.call(&GetUnreadCount).await.unwrap().unread, 0);

    let to_self = open.call(&ContactMember { id: open_id.clone(), body: message("Me", "Me") }).await;
    assert_eq!(problem(to_self).status, 422);
    let empty = sender.call(&ContactMember { id: open_id.clone(), body: message("", "") }).await;
    let empty = problem(empty);
    assert!(empty.field("subject").is_some() && empty.field("message").is_some());
    let long = sender.call(&ContactMember { id: open_id.clone(), body: message("x", &"y".repeat(2001)) }).await;
    assert_eq!(problem(long).field("message").map(|e| e.code.as_str()), Some("too_long"));
    let nobody = sender.call(&ContactMember { id: "nobody".into(), body: message("x", "y") }).await;
    assert_eq!(problem(nobody).status, 404);
    // The sender's own profile view never shows the recipient's address.
    let seen = sender.call(&GetMemberProfile { id: open_id, view_as: None }).await.unwrap();
    assert!(seen.can_contact && seen.email.is_none());
}

/// A 1 x 1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";

async fn upload_avatar(c: &Community, client: &Client, bytes: Vec<u8>, content_type: &str) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("me.png").mime_str(content_type).unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let request = client.http().post(c.app.url(AVATAR_UPLOAD_PATH)).multipart(form);
    request.bearer_auth(client.token().unwrap()).send().await.unwrap()
}

fn stored_avatars(c: &Community) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| entries.flatten().map(|e| if e.path().is_dir() { count(&e.path()) } else { 1 }).sum())
            .unwrap_or(0)
    }
    count(&c.app.data_dir.join("files").join("avatars"))
}

#[tokio::test]
async fn an_avatar_is_resized_and_anything_else_is_refused_with_nothing_stored() {
    let c = community().await;
    let (amina, amina_id) = c.member("amina@example.org", "Amina").await;
    let not_image = upload_avatar(&c, &amina, b"just some text, not a picture".to_vec(), "image/png").await;
    assert_eq!(not_image.status().as_u16(), 415);
    let script = upload_avatar(&c, &amina, b"<svg onload=alert(1)></svg>".to_vec(), "image/svg+xml").await;
    assert_eq!(script.status().as_u16(), 415);
    let pdf = upload_avatar(&c, &amina, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec(), "application/pdf").await;
    assert_eq!(pdf.status().as_u16(), 415);
    // A valid PNG header declaring 100000 x 100000 pixels: refused from its header.
    let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bomb.extend_from_slice(&100_000u32.to_be_bytes());
    bomb.extend_from_slice(&100_000u32.to_be_bytes());
    bomb.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    let refused = upload_avatar(&c, &amina, bomb, "image/png").await;
    assert_eq!(refused.status().as_u16(), 422);
    let problem = copse_tests::problem_of(refused).await;
    assert_eq!(problem.field("file").map(|e| e.code.as_str()), Some("invalid_image"));
    let huge = upload_avatar(&c, &amina, vec![0u8; 6 * 1024 * 1024], "image/png").await;
    assert_eq!(huge.status().as_u16(), 413);
    assert_eq!(stored_avatars(&c), 0, "nothing is stored for refused uploads");
    let mine = amina.call(&GetMyProfile).await.unwrap();
    assert_eq!(mine.profile.summary.avatar, None);

    let ok = upload_avatar(&c, &amina, PNG.to_vec(), "image/png").await;
    assert_eq!(ok.status().as_u16(), 200);
    let urls: AvatarUrls = ok.json().await.unwrap();
    assert_eq!(stored_avatars(&c), 2);
    for (url, edge) in [(&urls.small, 64u32), (&urls.large, 256u32)] {
        let response = c.app.new_client().http().get(c.app.url(url)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "image/png");
        let bytes = response.bytes().await.unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        assert_eq!((width, height), (edge, edge));
    }
    let listed = amina.call(&ListDirectory::default()).await.unwrap();
    let me = listed.items.iter().find(|p| p.id == amina_id).unwrap();
    assert_eq!(me.avatar.as_ref(), Some(&urls));

    // A new picture replaces the old files; deleting removes them.
    let again = upload_avatar(&c, &amina, PNG.to_vec(), "image/png").await;
    let new_urls: AvatarUrls = again.json().await.unwrap();
    assert_ne!(new_urls, urls);
    assert_eq!(stored_avatars(&c), 2);
    amina.call(&DeleteMyAvatar).await.unwrap();
    amina.call(&DeleteMyAvatar).await.unwrap();
    assert_eq!(stored_avatars(&c), 0);
    let response = c.app.new_client().http().get(c.app.url(&new_urls.small)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let response = c
        .app
        .new_client()
        .http()
        .get(c.app.url(&format!("/api/v1/members/{amina_id}/avatar/65")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}

#[tokio::test]
async fn profile_fields_over_their_limits_are_refused_with_every_error() {
    let c = community().await;
    let (amina, _) = c.member("amina@example.org", "Amina").await;
    let mut r = profile("Amina Diallo");
    r.headline = Some("h".repeat(121));
    r.organisation = Some("o".repeat(121));
    r.bio = "b".repeat(5001);
    r.country = Some("XX".into());
    r.time_zone = Some("Mars/Olympus_Mons".into());
    r.languages = vec!["english".into()];
    r.expertise = (0..11).map(|i| expertise(&format!("tag-{i}"), ExpertiseLevel::Familiar)).collect();
    r.interests = vec!["M&E".into()];
    r.links = vec![ProfileLink { kind: LinkKind::Other, url: "javascript:alert(1)".into() }];
    let refused = problem(amina.call(&UpdateMyProfile(r)).await);
    assert_eq!((refused.status, refused.code), (422, ErrorCode::ValidationFailed));
    for field in
        ["headline", "organisation", "bio", "country", "time_zone", "languages", "expertise", "interests", "links"]
    {
        assert!(refused.field(field).is_some(), "{field}: {refused:?}");
    }
    let empty_name = problem(amina.call(&UpdateMyProfile(profile("  "))).await);
    assert!(empty_name.field("display_name").is_some());

    // A valid profile round-trips, with the bio rendered safely and the name changed.
    let (_, etag) = {
        let answer = amina.call_with(&GetMyProfile, &[]).await.unwrap();
        (answer.body, answer.headers["etag"].to_str().unwrap().to_owned())
    };
    let mut r = profile("Amina Diallo");
    r.bio = "I test **soil**. <script>alert(1)</script>".into();
    r.country = Some("sn".into());
    r.time_zone = Some("Africa/Dakar".into());
    r.languages = vec!["FR".into(), "wo".into()];
    r.expertise = vec![expertise("Soil Health", ExpertiseLevel::Expert), expertise("maps", ExpertiseLevel::Familiar)];
    let saved = amina.call_with(&UpdateMyProfile(r.clone()), &[("If-Match", &etag)]).await.unwrap();
    let p = &saved.body.profile;
    assert_eq!(p.summary.display_name, "Amina Diallo");
    assert_eq!(p.summary.country.as_deref(), Some("SN"));
    assert_eq!(p.languages, ["fr", "wo"]);
    assert_eq!(p.summary.expertise[0], expertise("soil-health", ExpertiseLevel::Expert));
    assert!(p.bio_html.contains("<strong>soil</strong>") && !p.bio_html.contains("<script"));
    assert_eq!(amina.call(&GetMe).await.unwrap().display_name, "Amina Diallo");
    // The old ETag is stale now.
    let stale = amina.call_with(&UpdateMyProfile(r), &[("If-Match", &etag)]).await;
    assert_eq!(problem(stale).code, ErrorCode::PreconditionFailed);
}

#[tokio::test]
async fn the_data_export_holds_the_members_own_data_and_nobody_elses() {
    let c = community().await;
    let (amina, amina_id) = c.member("amina@example.org", "Amina").await;
    let (_, other_id) = c.member("other.hidden@example.org", "Other").await;
    let topic = c.topic(&amina, "My question", TopicKind::Question, &["soil"]).await;
    amina.call(&reply(&topic.summary.id, "My own reply")).await.unwrap();
    amina
        .call(&CreateBookmark(CreateBookmarkRequest {
            kind: BookmarkKind::Link,
            target_id: None,
            url: Some("https://example.org".into()),
            title: Some("Example".into()),
            note: "n".into(),
        }))
        .await
        .unwrap();
    let answer = amina.call_with(&ExportMyData, &[]).await.unwrap();
    assert!(answer.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let export = answer.body;
    assert_eq!(export.account.id, amina_id);
    assert_eq!(export.profile.profile.email.as_deref(), Some("amina@example.org"));
    assert_eq!(export.topics.len(), 1);
    assert_eq!(export.posts.len(), 2);
    assert_eq!(export.bookmarks.len(), 1);
    let (_, raw) = c.raw(&amina, "/api/v1/me/export").await;
    assert!(!raw.contains("argon2") && !raw.contains("password"), "no secrets in the export");
    assert!(!raw.contains("other.hidden") && !raw.contains(&other_id));
}

#[tokio::test]
async fn deleting_an_account_twice_succeeds_and_content_stays_with_a_former_member() {
    let c = community().await;
    let (amina, amina_id) = c.member("amina@example.org", "Amina").await;
    let topic = c.topic(&amina, "Kept topic", TopicKind::Discussion, &[]).await;
    let kept_reply = amina.call(&reply(&topic.summary.id, "Kept reply")).await.unwrap();
    assert_eq!(amina.call_with(&DeleteMyAccount::default(), &[]).await.unwrap().status, 204);
    assert_eq!(amina.call_with(&DeleteMyAccount::default(), &[]).await.unwrap().status, 204);
    assert_eq!(problem(amina.call(&GetMe).await).status, 401);
    assert!(c.app.login("amina@example.org", PASSWORD).await.is_err());
    let seen = c.admin.call(&GetTopic { id: topic.summary.id.clone() }).await.unwrap();
    assert_eq!(seen.summary.author, None, "the topic stays, by a former member");
    let post = c.admin.call(&GetPost { id: kept_reply.id.clone() }).await.unwrap();
    assert!(post.author.is_none() && post.body.contains("Kept reply"));
    assert_eq!(problem(c.admin.call(&GetMemberProfile { id: amina_id.clone(), view_as: None }).await).status, 404);
    let listed = c.admin.call(&ListDirectory::default()).await.unwrap();
    assert!(listed.items.iter().all(|p| p.id != amina_id));
    // The same email may register again, as a new account.
    let (_, again) = c.member("amina@example.org", "Amina Again").await;
    assert_ne!(again, amina_id);

    // Erasing: the member's topics and replies become tombstones without text.
    let (carlos, _) = c.member("carlos@example.org", "Carlos").await;
    let own = c.topic(&carlos, "Erased topic", TopicKind::Discussion, &[]).await;
    let elsewhere = carlos.call(&reply(&topic.summary.id, "Erased reply")).await.unwrap();
    carlos.call(&DeleteMyAccount { erase_content: Some(true) }).await.unwrap();
    assert_eq!(problem(c.admin.call(&GetTopic { id: own.summary.id.clone() }).await).status, 404);
    let (_, raw) = c.raw(&c.admin, &format!("/api/v1/topics/{}/posts", topic.summary.id)).await;
    assert!(!raw.contains("Erased reply") && raw.contains("Kept reply"), "{raw}");
    let still = c.admin.call(&GetTopic { id: topic.summary.id.clone() }).await.unwrap();
    assert_eq!(still.summary.reply_count, 1, "{elsewhere:?}");

    // The only admin cannot leave the community without one.
    let last = problem(c.admin.call(&DeleteMyAccount::default()).await);
    assert_eq!((last.status, last.code), (409, ErrorCode::LastAdmin));
    let anonymous = c.app.new_client();
    assert_eq!(problem(anonymous.call(&DeleteMyAccount::default()).await).status, 401);
}

async fn add_expert(c: &Community, n: usize) {
    member_with(c, &format!("m{n}@example.org"), &format!("Member {n}"), |r| {
        r.country = Some("KE".into());
        r.expertise = vec![expertise("soil", ExpertiseLevel::Expert)];
        r.interests = vec!["maps".into()];
        r.privacy.allow_contact = true;
    })
    .await;
}

async fn statements(c: &Community, client: &Client, path: &str) -> u32 {
    let response = client.http().get(c.app.url(path)).bearer_auth(client.token().unwrap()).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.headers().get("x-sql-statements").unwrap().to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn directory_requests_issue_the_same_number_of_statements_for_two_rows_or_twenty() {
    let c = community_with(|s| {
        s.expose_sql_count = true;
        // Settings read on every request, so that every count is the same.
        s.community_cache_ms = 0;
    })
    .await;
    let (viewer, _) = c.member("viewer@example.org", "Viewer").await;
    for n in 0..2 {
        add_expert(&c, n).await;
    }
    let paths = [
        "/api/v1/directory?limit=50",
        "/api/v1/directory?limit=50&sort=newest",
        "/api/v1/directory?limit=50&sort=most_active",
        "/api/v1/directory?limit=50&expertise=soil&country=KE&q=member",
        "/api/v1/experts?tags=soil",
    ];
    let mut few = Vec::new();
    for path in paths {
        few.push(statements(&c, &viewer, path).await);
    }
    for n in 2..20 {
        add_expert(&c, n).await;
    }
    for (path, before) in paths.iter().zip(few) {
        let after = statements(&c, &viewer, path).await;
        assert_eq!(after, before, "{path}: {before} statements for two rows, {after} for twenty");
        assert!(after <= 12, "{path}: {after}");
    }
}

#[tokio::test]
async fn the_demo_seed_adds_thirty_members_an_expert_can_be_found_among() {
    let app = TestApp::spawn().await;
    let first = copse::seed::demo(&app.db).await.unwrap();
    assert!(first.contains("30 new members of 30"), "{first}");
    let again = copse::seed::demo(&app.db).await.unwrap();
    assert!(again.contains("0 new members of 30, 0 new profiles"), "{again}");
    let (member, _) = app.login(copse::seed::DEMO_EMAIL_FOR_TESTS, copse::seed::DEMO_PASSWORD).await.unwrap();
    let kenya = member.call(&ListDirectory { country: Some("KE".into()), ..Default::default() }).await.unwrap();
    assert!(kenya.items.len() >= 3, "{kenya:?}");
    let experts = member.call(&FindExperts { tags: vec!["soil".into()], limit: Some(5) }).await.unwrap();
    assert_eq!(experts.len(), 5);
    assert!(experts.iter().all(|e| e.member.allow_contact && !e.matched_expertise.is_empty()));
    let mut everyone = 0;
    let mut cursor = None;
    loop {
        let page = member.call(&ListDirectory { limit: Some(100), cursor, ..Default::default() }).await.unwrap();
        everyone += page.items.len();
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert!(everyone >= 44, "{everyone}");
}

#[tokio::test]
async fn a_profiles_activity_shows_only_what_the_viewer_may_see() {
    let c = community().await;
    let (amina, amina_id) = c.member("amina@example.org", "Amina").await;
    let (insider, _) = c.member("insider@example.org", "Insider").await;
    let (outsider, _) = c.member("outsider@example.org", "Outsider").await;
    let private = c.private_group(&[(&amina, "amina@example.org"), (&insider, "insider@example.org")]).await;
    let public_topic = c.topic(&amina, "Open question", TopicKind::Question, &["soil"]).await;
    amina.call(&reply(&public_topic.summary.id, "Public reply")).await.unwrap();
    let mut secret = CreateTopicRequest {
        category: c.category.slug.clone(),
        group: Some(private.slug.clone()),
        title: "Confidential budget".into(),
        body: "Numbers.".into(),
        kind: TopicKind::Discussion,
        tags: vec!["soil".into()],
    };
    let hidden = amina.call(&CreateTopic(secret.clone())).await.unwrap();
    amina.call(&reply(&hidden.summary.id, "Secret reply")).await.unwrap();
    secret.title = "Hidden by a moderator".into();
    secret.group = None;
    let moderated = amina.call(&CreateTopic(secret)).await.unwrap();
    c.admin
        .call(&SetTopicState {
            id: moderated.summary.id.clone(),
            body: TopicStateRequest { pinned: None, locked: None, hidden: Some(true) },
        })
        .await
        .unwrap();

    let seen_by = |client: &Client| {
        let client = client.clone();
        let id = amina_id.clone();
        async move { client.call(&GetMemberActivity { id }).await.unwrap() }
    };
    let outside = seen_by(&outsider).await;
    let titles: Vec<&str> = outside.topics.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["Open question"]);
    assert_eq!(outside.replies.iter().map(|r| r.excerpt.as_str()).collect::<Vec<_>>(), ["Public reply"]);
    assert!(outside.groups.is_empty());
    let (_, raw) = c.raw(&outsider, &format!("/api/v1/members/{amina_id}/activity")).await;
    assert!(!raw.contains("Confidential") && !raw.contains("Secret") && !raw.contains("Board room"), "{raw}");

    let inside = seen_by(&insider).await;
    assert_eq!(inside.topics.len(), 2);
    assert_eq!(inside.replies.len(), 2);
    assert_eq!(inside.groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["Board room"]);
    // The expert finder counts for each viewer only what that viewer may read.
    let mut open = profile("Amina");
    open.privacy.allow_contact = true;
    amina.call(&UpdateMyProfile(open)).await.unwrap();
    let experts = |client: &Client| {
        let client = client.clone();
        async move { client.call(&FindExperts { tags: vec!["soil".into()], limit: None }).await.unwrap() }
    };
    assert_eq!(experts(&outsider).await[0].contributions, 2, "the public topic and its reply");
    assert_eq!(experts(&insider).await[0].contributions, 4, "and the private group's topic and reply");
}

/// The stored "most active" scores, by display name.
async fn scores(c: &Community) -> Vec<(String, i64)> {
    use sea_orm::{ConnectionTrait, Statement};
    let db = &c.app.db;
    let sql = "SELECT u.display_name, ma.score FROM member_activity ma JOIN users u ON u.id = ma.user_id \
               ORDER BY u.display_name";
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.try_get_many_by_index().unwrap())
        .collect()
}

#[tokio::test]
async fn most_active_counts_only_visible_contributions_and_follows_hiding_at_the_next_count() {
    use copse::services::profiles::ranking;
    // No background count: the test counts when it wants to, so the figures are its own.
    let c = community_with(|s| s.activity_count_secs = 0).await;
    let (amina, _) = c.member("amina@example.org", "Amina").await;
    let (insider, _) = c.member("insider@example.org", "Insider").await;
    let private = c.private_group(&[(&insider, "insider@example.org")]).await;
    // Amina: a public topic and two replies (3); Insider: only private-group posts (0).
    let public_topic = c.topic(&amina, "Open question", TopicKind::Question, &[]).await;
    amina.call(&reply(&public_topic.summary.id, "First")).await.unwrap();
    amina.call(&reply(&public_topic.summary.id, "Second")).await.unwrap();
    let secret = insider
        .call(&CreateTopic(CreateTopicRequest {
            category: c.category.slug.clone(),
            group: Some(private.slug.clone()),
            title: "Confidential budget".into(),
            body: "Numbers.".into(),
            kind: TopicKind::Discussion,
            tags: vec![],
        }))
        .await
        .unwrap();
    for _ in 0..5 {
        insider.call(&reply(&secret.summary.id, "More numbers")).await.unwrap();
    }

    ranking::refresh(&c.app.db).await.unwrap();
    assert_eq!(scores(&c).await, [("Amina".to_owned(), 3)]);
    let active = amina
        .call(&ListDirectory { sort: Some(DirectorySort::MostActive), limit: Some(10), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(active.items[0].display_name, "Amina");
    assert_eq!(ranking::refresh(&c.app.db).await.unwrap(), 0, "nothing changed, nothing written");

    // Hidden by a moderator: it stops counting at the next count.
    c.admin
        .call(&SetTopicState {
            id: public_topic.summary.id.clone(),
            body: TopicStateRequest { pinned: None, locked: None, hidden: Some(true) },
        })
        .await
        .unwrap();
    assert_eq!(ranking::refresh(&c.app.db).await.unwrap(), 1);
    assert!(scores(&c).await.is_empty());
}

/// A directory page is kept and shown to every member who asks for the same page (no
/// statement on a second read, whoever reads it); a profile edit or a suspension
/// through this server shows at once.
#[tokio::test]
async fn a_directory_page_is_kept_for_every_reader_and_every_write_shows_at_once() {
    let c = community_with(|s| {
        s.expose_sql_count = true;
        // Kept for a minute: anything seen fresh below was made fresh by a write.
        s.community_cache_ms = 60_000;
    })
    .await;
    let (amina, amina_id) = c.member("amina@example.org", "Amina Diallo").await;
    let (carlos, _) = c.member("carlos@example.org", "Carlos Mendoza").await;
    let headline = |text: &str| UpdateProfileRequest { headline: Some(text.into()), ..profile("Amina Diallo") };
    amina.call(&UpdateMyProfile(headline("Soil scientist"))).await.unwrap();
    let amina_as = |text: &str| vec![("Amina Diallo".to_owned(), Some(text.to_owned()))];
    // Each reader's account is read once, on another page.
    for who in [&amina, &carlos] {
        who.call(&ListDirectory { q: Some("mendoza".into()), ..Default::default() }).await.unwrap();
    }
    assert_eq!(diallo_as(&c.app, &carlos).await.1, amina_as("Soil scientist"));
    assert_eq!(diallo_as(&c.app, &carlos).await, (0, amina_as("Soil scientist")), "the same page again, from memory");
    assert_eq!(diallo_as(&c.app, &amina).await, (0, amina_as("Soil scientist")), "Carlos's page, for Amina too");

    amina.call(&UpdateMyProfile(headline("Soil and water scientist"))).await.unwrap();
    assert_eq!(diallo_as(&c.app, &carlos).await.1, amina_as("Soil and water scientist"), "an edit shows at once");
    c.admin.call(&SuspendMember { id: amina_id }).await.unwrap();
    assert_eq!(diallo_as(&c.app, &carlos).await.1, [], "a suspended member leaves the directory at once");
}

/// The directory searched for "diallo" as `who`: the statements, and each card's name
/// and headline.
async fn diallo_as(app: &TestApp, who: &Client) -> (u32, Vec<(String, Option<String>)>) {
    let (count, page): (u32, copse_shared::Page<ProfileSummary>) =
        app.counted_get(who, "/api/v1/directory?q=diallo").await;
    (count, page.items.into_iter().map(|p| (p.display_name, p.headline)).collect())
}
