//! `copse seed-demo`, members: thirty more practitioners with varied organisations,
//! countries, languages and expertise (tags shared with the seeded topics, so the
//! expert finder has something to find), and profiles for the original demo members.
//! Profiles go through the profile service's validation and store; a member who
//! already has a profile keeps it, so running the seed twice changes nothing.

use chrono::{Duration, Utc};
use copse_shared::auth::{AccountStatus, Role};
use copse_shared::profiles::{
    Expertise, ExpertiseLevel, LinkKind, PrivacySettings, ProfileLink, UpdateProfileRequest, Visibility,
};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use uuid::Uuid;

use crate::entities::{profile, user};
use crate::error::ApiError;
use crate::services::accounts;
use crate::services::profiles::edit;

/// name, organisation, job title, country, city, time zone, languages, expertise
/// (tag, level 1 to 3), interests, open to contact.
type Person = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, u8)],
    &'static [&'static str],
    bool,
);

const PEOPLE: &[Person] = &[
    (
        "Abebe Tesfaye",
        "Ethiopian Institute of Agricultural Research",
        "Soil scientist",
        "ET",
        "Addis Ababa",
        "Africa/Addis_Ababa",
        &["am", "en"],
        &[("soil", 3), ("testing", 2)],
        &["climate"],
        true,
    ),
    (
        "Grace Mwangi",
        "Kenya Dairy Board",
        "Extension officer",
        "KE",
        "Nakuru",
        "Africa/Nairobi",
        &["sw", "en"],
        &[("dairy", 3), ("extension", 2)],
        &["video"],
        true,
    ),
    (
        "Ibrahim Sow",
        "ANCAR",
        "Field coordinator",
        "SN",
        "Thiès",
        "Africa/Dakar",
        &["fr", "wo"],
        &[("extension", 3), ("facilitation", 2)],
        &["adoption"],
        true,
    ),
    (
        "Mei Lin Chen",
        "World Vegetable Center",
        "Research fellow",
        "TW",
        "Tainan",
        "Asia/Taipei",
        &["zh", "en"],
        &[("sampling", 2), ("data", 3)],
        &["soil"],
        false,
    ),
    (
        "Joaquín Herrera",
        "INTA",
        "Agronomist",
        "AR",
        "Pergamino",
        "America/Argentina/Buenos_Aires",
        &["es"],
        &[("soil", 2), ("sampling", 3)],
        &["data"],
        true,
    ),
    (
        "Aisha Bello",
        "Farm Radio International",
        "Radio producer",
        "NG",
        "Kano",
        "Africa/Lagos",
        &["ha", "en"],
        &[("video", 2), ("extension", 2)],
        &["learning"],
        true,
    ),
    (
        "Pedro Alves",
        "Embrapa",
        "M&E specialist",
        "BR",
        "Brasília",
        "America/Sao_Paulo",
        &["pt-BR", "es", "en"],
        &[("indicators", 3), ("baselines", 3)],
        &["surveys"],
        true,
    ),
    (
        "Hanna Virtanen",
        "Natural Resources Institute Finland",
        "Data steward",
        "FI",
        "Helsinki",
        "Europe/Helsinki",
        &["fi", "en", "sv"],
        &[("data", 3)],
        &["indicators"],
        false,
    ),
    (
        "Kofi Mensah",
        "Ghana Ministry of Food and Agriculture",
        "District director",
        "GH",
        "Kumasi",
        "Africa/Accra",
        &["en", "tw"],
        &[("adoption", 2), ("extension", 3)],
        &["dairy"],
        true,
    ),
    (
        "Sabina Karki",
        "LI-BIRD",
        "Knowledge manager",
        "NP",
        "Pokhara",
        "Asia/Kathmandu",
        &["ne", "en"],
        &[("learning", 3), ("facilitation", 3)],
        &["video"],
        true,
    ),
    (
        "Diego Ramírez",
        "CIAT",
        "Data scientist",
        "CO",
        "Cali",
        "America/Bogota",
        &["es", "en"],
        &[("data", 3), ("surveys", 2)],
        &["soil"],
        true,
    ),
    (
        "Amara Conteh",
        "Sierra Leone Agricultural Research Institute",
        "Research assistant",
        "SL",
        "Freetown",
        "Africa/Freetown",
        &["en", "kri"],
        &[("surveys", 2)],
        &["baselines"],
        true,
    ),
    (
        "Laura Schmidt",
        "GIZ",
        "Advisor, rural development",
        "DE",
        "Bonn",
        "Europe/Berlin",
        &["de", "en", "fr"],
        &[("indicators", 2), ("learning", 2)],
        &["facilitation"],
        false,
    ),
    (
        "Thabo Nkosi",
        "Agricultural Research Council",
        "Soil chemist",
        "ZA",
        "Pretoria",
        "Africa/Johannesburg",
        &["en", "zu", "af"],
        &[("testing", 3), ("soil", 3)],
        &["sampling"],
        true,
    ),
    (
        "Yuki Tanaka",
        "JICA",
        "Programme officer",
        "JP",
        "Tokyo",
        "Asia/Tokyo",
        &["ja", "en"],
        &[("baselines", 2)],
        &["adoption"],
        false,
    ),
    (
        "Fatou Ndiaye",
        "Réseau des organisations paysannes",
        "Farmer organiser",
        "SN",
        "Kaolack",
        "Africa/Dakar",
        &["fr", "wo"],
        &[("facilitation", 3), ("adoption", 2)],
        &["dairy"],
        true,
    ),
    (
        "Arjun Nair",
        "Digital Green",
        "Video facilitator",
        "IN",
        "Bhubaneswar",
        "Asia/Kolkata",
        &["hi", "or", "en"],
        &[("video", 3), ("extension", 2)],
        &["learning"],
        true,
    ),
    (
        "Elena Popescu",
        "University of Agronomic Sciences Bucharest",
        "Lecturer",
        "RO",
        "Bucharest",
        "Europe/Bucharest",
        &["ro", "en"],
        &[("testing", 2), ("sampling", 2)],
        &["indicators"],
        true,
    ),
    (
        "Samuel Otieno",
        "One Acre Fund",
        "Impact analyst",
        "KE",
        "Kakamega",
        "Africa/Nairobi",
        &["sw", "en"],
        &[("surveys", 3), ("indicators", 2)],
        &["adoption"],
        true,
    ),
    (
        "Maria Santos",
        "PhilRice",
        "Extension specialist",
        "PH",
        "Nueva Ecija",
        "Asia/Manila",
        &["tl", "en"],
        &[("extension", 3)],
        &["video"],
        true,
    ),
    (
        "Omar Haddad",
        "ICARDA",
        "Agronomist",
        "LB",
        "Beirut",
        "Asia/Beirut",
        &["ar", "fr", "en"],
        &[("soil", 2), ("data", 1)],
        &["climate"],
        true,
    ),
    (
        "Chloé Martin",
        "CIRAD",
        "Researcher, innovation systems",
        "FR",
        "Montpellier",
        "Europe/Paris",
        &["fr", "en", "es"],
        &[("adoption", 3), ("learning", 2)],
        &["facilitation"],
        true,
    ),
    (
        "Bilal Qureshi",
        "Punjab Agriculture Department",
        "Soil testing lab manager",
        "PK",
        "Lahore",
        "Asia/Karachi",
        &["ur", "pa", "en"],
        &[("testing", 3), ("sampling", 2)],
        &["data"],
        false,
    ),
    (
        "Rosa Mamani",
        "PROINPA",
        "Field technician",
        "BO",
        "Cochabamba",
        "America/La_Paz",
        &["es", "qu"],
        &[("sampling", 1), ("extension", 2)],
        &["soil"],
        true,
    ),
    (
        "Ngozi Eze",
        "IITA",
        "Gender and M&E officer",
        "NG",
        "Ibadan",
        "Africa/Lagos",
        &["en", "ig", "yo"],
        &[("indicators", 3), ("surveys", 2)],
        &["learning"],
        true,
    ),
    (
        "Lars Eriksson",
        "SLU",
        "PhD candidate",
        "SE",
        "Uppsala",
        "Europe/Stockholm",
        &["sv", "en"],
        &[("data", 2)],
        &["soil"],
        false,
    ),
    (
        "Hoang Van Minh",
        "Vietnam Academy of Agricultural Sciences",
        "Plant protection officer",
        "VN",
        "Hanoi",
        "Asia/Ho_Chi_Minh",
        &["vi", "en"],
        &[("extension", 2), ("testing", 1)],
        &["video"],
        true,
    ),
    (
        "Zanele Dlamini",
        "Eswatini Dairy Board",
        "Dairy advisor",
        "SZ",
        "Manzini",
        "Africa/Mbabane",
        &["en", "ss"],
        &[("dairy", 3)],
        &["adoption"],
        true,
    ),
    (
        "Camila Rojas",
        "INIA Chile",
        "Communication officer",
        "CL",
        "Chillán",
        "America/Santiago",
        &["es", "en"],
        &[("video", 2), ("learning", 1)],
        &["extension"],
        true,
    ),
    (
        "Daniel Tadesse",
        "Digital Green Ethiopia",
        "Regional lead",
        "ET",
        "Bahir Dar",
        "Africa/Addis_Ababa",
        &["am", "en"],
        &[("video", 2), ("facilitation", 2), ("adoption", 1)],
        &["dairy"],
        true,
    ),
];

/// The original demo members' profiles: (email, organisation, job title, country,
/// city, time zone, languages, expertise).
type Original = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, u8)],
);

const ORIGINALS: &[Original] = &[
    (
        "amina.diallo@demo.copse.community",
        "Rural Advisory Practitioners",
        "Community facilitator",
        "ML",
        "Bamako",
        "Africa/Bamako",
        &["fr", "bm", "en"],
        &[("facilitation", 3), ("learning", 3)],
    ),
    (
        "carlos.mendoza@demo.copse.community",
        "Rural Advisory Practitioners",
        "Community facilitator",
        "PE",
        "Cusco",
        "America/Lima",
        &["es", "qu", "en"],
        &[("facilitation", 3), ("indicators", 2)],
    ),
    (
        "priya.raman@demo.copse.community",
        "Tamil Nadu Agricultural University",
        "Extension researcher",
        "IN",
        "Coimbatore",
        "Asia/Kolkata",
        &["ta", "en"],
        &[("soil", 3), ("testing", 2)],
    ),
    (
        "johannes.berg@demo.copse.community",
        "Norwegian Agricultural Extension Service",
        "Advisor",
        "NO",
        "Trondheim",
        "Europe/Oslo",
        &["nb", "en"],
        &[("dairy", 2), ("extension", 2)],
    ),
    (
        "wanjiru.kamau@demo.copse.community",
        "KALRO",
        "Soil scientist",
        "KE",
        "Nairobi",
        "Africa/Nairobi",
        &["sw", "en"],
        &[("soil", 3), ("sampling", 3)],
    ),
    (
        "nguyen.lan@demo.copse.community",
        "Mekong Delta Development Research Institute",
        "Researcher",
        "VN",
        "Can Tho",
        "Asia/Ho_Chi_Minh",
        &["vi", "en"],
        &[("surveys", 2), ("data", 2)],
    ),
    (
        "fatima.elamrani@demo.copse.community",
        "INRA Maroc",
        "M&E officer",
        "MA",
        "Rabat",
        "Africa/Casablanca",
        &["ar", "fr", "en"],
        &[("baselines", 3), ("indicators", 3)],
    ),
    (
        "lucia.fernandez@demo.copse.community",
        "INTA",
        "Extension agent",
        "AR",
        "Mendoza",
        "America/Argentina/Mendoza",
        &["es", "en"],
        &[("extension", 3), ("video", 2)],
    ),
    (
        "seun.adeyemi@demo.copse.community",
        "Farm Radio International",
        "Producer",
        "NG",
        "Lagos",
        "Africa/Lagos",
        &["yo", "en"],
        &[("video", 3), ("extension", 2)],
    ),
    (
        "marie.dubois@demo.copse.community",
        "AgroParisTech",
        "Lecturer",
        "FR",
        "Paris",
        "Europe/Paris",
        &["fr", "en"],
        &[("learning", 2), ("adoption", 2)],
    ),
    (
        "rahul.verma@demo.copse.community",
        "ICRISAT",
        "Data analyst",
        "IN",
        "Hyderabad",
        "Asia/Kolkata",
        &["hi", "te", "en"],
        &[("data", 3), ("surveys", 2)],
    ),
    (
        "sofia.rossi@demo.copse.community",
        "FAO",
        "Knowledge management officer",
        "IT",
        "Rome",
        "Europe/Rome",
        &["it", "en", "es"],
        &[("learning", 3), ("facilitation", 2)],
    ),
    (
        "tomas.quispe@demo.copse.community",
        "CIP",
        "Field agronomist",
        "PE",
        "Huancayo",
        "America/Lima",
        &["es", "qu"],
        &[("sampling", 2), ("soil", 2)],
    ),
];

fn level(rank: u8) -> ExpertiseLevel {
    ExpertiseLevel::from_rank(i32::from(rank)).unwrap_or(ExpertiseLevel::Familiar)
}

fn slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' => 'a',
            'é' | 'è' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' => 'u',
            c if c.is_ascii_alphanumeric() => c,
            _ => '.',
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn request(
    name: &str,
    organisation: &str,
    job_title: &str,
    country: &str,
    city: &str,
    time_zone: &str,
    languages: &[&str],
    expertise: &[(&str, u8)],
    interests: &[&str],
    open: bool,
) -> UpdateProfileRequest {
    let first = name.split(' ').next().unwrap_or(name);
    let topics: Vec<String> = expertise.iter().take(2).map(|(t, _)| (*t).to_owned()).collect();
    UpdateProfileRequest {
        display_name: name.to_owned(),
        headline: Some(format!("{job_title} at {organisation}")),
        organisation: Some(organisation.to_owned()),
        job_title: Some(job_title.to_owned()),
        country: Some(country.to_owned()),
        city: Some(city.to_owned()),
        languages: languages.iter().map(|l| (*l).to_owned()).collect(),
        time_zone: Some(time_zone.to_owned()),
        bio: format!(
            "{first} works on **{}** in {city}. Happy to compare notes on what worked in the field, \
and on what did not.",
            topics.join("** and **")
        ),
        expertise: expertise
            .iter()
            .map(|(tag, rank)| Expertise { tag: (*tag).to_owned(), level: level(*rank) })
            .collect(),
        interests: interests.iter().map(|i| (*i).to_owned()).collect(),
        links: vec![ProfileLink { kind: LinkKind::Website, url: format!("https://example.org/people/{}", slug(name)) }],
        open_to_contact_about: if open { topics } else { Vec::new() },
        privacy: PrivacySettings {
            email_visibility: if open { Visibility::Members } else { Visibility::Nobody },
            links_visibility: Visibility::Members,
            allow_contact: open,
        },
    }
}

/// Writes a profile unless the member already has one.
async fn profile_once(db: &DatabaseConnection, user_id: &str, request: UpdateProfileRequest) -> Result<bool, ApiError> {
    if profile::Entity::find_by_id(user_id.to_owned()).one(db).await?.is_some() {
        return Ok(false);
    }
    let fields = edit::validate(user_id, request)?;
    edit::store(db, fields).await?;
    Ok(true)
}

/// Seeds the members and profiles; returns a short report.
pub async fn seed(db: &DatabaseConnection, hash: &str) -> Result<String, ApiError> {
    let now = Utc::now();
    let (mut created, mut profiles) = (0, 0);
    for (index, person) in PEOPLE.iter().enumerate() {
        let (name, organisation, job_title, country, city, zone, languages, expertise, interests, open) = *person;
        let email = format!("{}@demo.copse.community", slug(name));
        let user = match accounts::find_by_email(db, &email).await? {
            Some(user) => user,
            None => {
                created += 1;
                let joined = now - Duration::days(340 - (index as i64) * 11);
                user::ActiveModel {
                    id: Set(Uuid::new_v4().to_string()),
                    email: Set(email),
                    display_name: Set(name.to_owned()),
                    password_hash: Set(hash.to_owned()),
                    role: Set(Role::Member.as_str().to_owned()),
                    status: Set(AccountStatus::Active.as_str().to_owned()),
                    created_at: Set(joined),
                    updated_at: Set(joined),
                }
                .insert(db)
                .await?
            }
        };
        let request =
            request(name, organisation, job_title, country, city, zone, languages, expertise, interests, open);
        profiles += usize::from(profile_once(db, &user.id, request).await?);
    }
    for &(email, organisation, job_title, country, city, zone, languages, expertise) in ORIGINALS {
        let Some(user) = accounts::find_by_email(db, email).await? else { continue };
        let request =
            request(&user.display_name, organisation, job_title, country, city, zone, languages, expertise, &[], true);
        profiles += usize::from(profile_once(db, &user.id, request).await?);
    }
    Ok(format!("{created} new members of {}, {profiles} new profiles", PEOPLE.len()))
}
