//! Editing one's own profile: validation of every field (all errors at once), and the
//! replacement of the profile row and its tags in one transaction, with optimistic
//! locking on the ETag.

use actix_web::http::StatusCode;
use chrono::Utc;
use copse_shared::ErrorCode;
use copse_shared::profiles::{
    Expertise, MAX_BIO_LEN, MAX_HEADLINE_LEN, MAX_LANGUAGES, MAX_LINKS, MAX_SHORT_FIELD_LEN, MAX_TAGS, MAX_URL_LEN,
    MyProfile, ProfileLink, UpdateProfileRequest,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use super::{CONTACT_TOPIC, EXPERTISE, INTEREST, LANGUAGE, load_active, my_profile};
use crate::entities::{profile, profile_tag, user};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::community::if_match_accepts;
use crate::services::library::items::{normalise_language, valid_language, valid_url};
use crate::services::markdown;
use crate::services::validate::{self, Errors};
use crate::state::AppState;

/// ISO 3166-1 alpha-2 codes.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR \
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ \
FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE \
JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR \
MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU \
RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG \
UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// The IANA time zone areas.
const TZ_AREAS: [&str; 11] = [
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
    "Etc",
];

/// Whether a code is an ISO 3166-1 alpha-2 country (upper case).
pub fn valid_country(code: &str) -> bool {
    code.len() == 2 && COUNTRIES.split(' ').any(|c| c == code)
}

/// Whether a name has the shape of an IANA time zone (`UTC`, `Area/Location[/Sub]`).
pub fn valid_time_zone(name: &str) -> bool {
    if name == "UTC" {
        return true;
    }
    let parts: Vec<&str> = name.split('/').collect();
    (2..=3).contains(&parts.len())
        && TZ_AREAS.contains(&parts[0])
        && parts[1..].iter().all(|p| {
            !p.is_empty() && p.len() <= 30 && p.chars().all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
        })
}

fn optional_text(errors: &mut Errors, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
    let text = validate::text(errors, field, raw.unwrap_or_default(), 0, max);
    if text.chars().any(char::is_control) {
        errors.add(field, "invalid_format", "Remove control characters.");
    }
    (!text.is_empty()).then_some(text)
}

/// Normalises a list of tags of the shared vocabulary (as topics and library items
/// use them): lower case, letters, digits and hyphens, each once, at most `MAX_TAGS`.
pub fn tags(errors: &mut Errors, field: &str, raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in raw {
        let tag = tag.trim().to_lowercase().replace(' ', "-");
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > 40 || !tag.chars().all(|c| c.is_alphanumeric() || c == '-') {
            errors.add(field, "invalid_format", "Tags use letters, digits and hyphens, up to 40 characters.");
            continue;
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if raw.len() > MAX_TAGS * 2 || out.len() > MAX_TAGS {
        errors.add(field, "too_many", format!("Use at most {MAX_TAGS}."));
    }
    out
}

/// A validated profile, ready to store.
pub struct Fields {
    /// The display name.
    pub display_name: String,
    /// The profile row's fields (without its key and times).
    pub row: profile::Model,
    /// The tags: (kind, tag, level).
    pub tags: Vec<(&'static str, String, Option<i32>)>,
}

/// Checks every field and reports every error at once (422).
pub fn validate(user_id: &str, request: UpdateProfileRequest) -> ApiResult<Fields> {
    let mut errors = Errors::default();
    let display_name = validate::display_name(&mut errors, "display_name", &request.display_name);
    let headline = optional_text(&mut errors, "headline", request.headline.as_deref(), MAX_HEADLINE_LEN);
    let organisation = optional_text(&mut errors, "organisation", request.organisation.as_deref(), MAX_SHORT_FIELD_LEN);
    let job_title = optional_text(&mut errors, "job_title", request.job_title.as_deref(), MAX_SHORT_FIELD_LEN);
    let city = optional_text(&mut errors, "city", request.city.as_deref(), MAX_SHORT_FIELD_LEN);
    let country = request.country.as_deref().map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty());
    if let Some(code) = &country
        && !valid_country(code)
    {
        errors.add("country", "invalid_format", "Use an ISO 3166-1 alpha-2 country code, such as KE or BR.");
    }
    let time_zone = request.time_zone.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    if let Some(zone) = &time_zone
        && !valid_time_zone(zone)
    {
        errors.add("time_zone", "invalid_format", "Use an IANA time zone, such as Africa/Nairobi or UTC.");
    }
    let bio = request.bio.trim().to_owned();
    if bio.chars().count() > MAX_BIO_LEN {
        errors.add("bio", "too_long", format!("Use at most {MAX_BIO_LEN} characters."));
    }
    let mut languages: Vec<String> = Vec::new();
    for raw in &request.languages {
        let code = normalise_language(raw);
        if !valid_language(&code) {
            errors.add("languages", "invalid_format", "Use short language codes such as en, fr or pt-BR.");
        } else if !languages.contains(&code) {
            languages.push(code);
        }
    }
    if languages.len() > MAX_LANGUAGES {
        errors.add("languages", "too_many", format!("Use at most {MAX_LANGUAGES}."));
    }
    let expertise_tags: Vec<String> = request.expertise.iter().map(|e| e.tag.clone()).collect();
    let expertise_tags = tags(&mut errors, "expertise", &expertise_tags);
    let expertise: Vec<Expertise> = expertise_tags
        .into_iter()
        .filter_map(|tag| {
            let level = request.expertise.iter().find(|e| e.tag.trim().to_lowercase().replace(' ', "-") == tag)?.level;
            Some(Expertise { tag, level })
        })
        .collect();
    let interests = tags(&mut errors, "interests", &request.interests);
    let contact_topics = tags(&mut errors, "open_to_contact_about", &request.open_to_contact_about);
    if request.links.len() > MAX_LINKS {
        errors.add("links", "too_many", format!("Use at most {MAX_LINKS} links."));
    }
    let links: Vec<ProfileLink> =
        request.links.into_iter().map(|l| ProfileLink { kind: l.kind, url: l.url.trim().to_owned() }).collect();
    if links.iter().any(|l| l.url.len() > MAX_URL_LEN || !valid_url(&l.url)) {
        errors.add(
            "links",
            "invalid_format",
            format!("Links are http or https addresses of at most {MAX_URL_LEN} characters."),
        );
    }
    errors.finish()?;

    let search_text = [Some(&display_name), headline.as_ref(), organisation.as_ref(), job_title.as_ref()]
        .into_iter()
        .flatten()
        .map(|s| s.to_lowercase())
        .collect::<Vec<_>>()
        .join(" \u{1f} ");
    let mut tag_rows: Vec<(&'static str, String, Option<i32>)> = Vec::new();
    tag_rows.extend(expertise.iter().map(|e| (EXPERTISE, e.tag.clone(), Some(e.level.rank()))));
    tag_rows.extend(interests.into_iter().map(|t| (INTEREST, t, None)));
    tag_rows.extend(languages.into_iter().map(|t| (LANGUAGE, t, None)));
    tag_rows.extend(contact_topics.into_iter().map(|t| (CONTACT_TOPIC, t, None)));
    let row = profile::Model {
        user_id: user_id.to_owned(),
        headline,
        organisation,
        job_title,
        country,
        city,
        time_zone,
        bio_html: markdown::render(&bio),
        bio,
        links: serde_json::to_string(&links).unwrap_or_else(|_| "[]".to_owned()),
        email_visibility: request.privacy.email_visibility.as_str().to_owned(),
        links_visibility: request.privacy.links_visibility.as_str().to_owned(),
        allow_contact: request.privacy.allow_contact,
        avatar_version: None,
        search_text,
        updated_at: Utc::now(),
    };
    Ok(Fields { display_name, row, tags: tag_rows })
}

/// Writes a validated profile (the avatar is kept), its tags and the display name.
pub async fn store(db: &impl sea_orm::ConnectionTrait, fields: Fields) -> ApiResult<()> {
    let user_id = fields.row.user_id.clone();
    let existing = profile::Entity::find_by_id(user_id.clone()).one(db).await?;
    let mut row = fields.row;
    row.avatar_version = existing.and_then(|p| p.avatar_version);
    let active = profile::ActiveModel {
        user_id: Set(row.user_id),
        headline: Set(row.headline),
        organisation: Set(row.organisation),
        job_title: Set(row.job_title),
        country: Set(row.country),
        city: Set(row.city),
        time_zone: Set(row.time_zone),
        bio: Set(row.bio),
        bio_html: Set(row.bio_html),
        links: Set(row.links),
        email_visibility: Set(row.email_visibility),
        links_visibility: Set(row.links_visibility),
        allow_contact: Set(row.allow_contact),
        avatar_version: Set(row.avatar_version),
        search_text: Set(row.search_text),
        updated_at: Set(row.updated_at),
    };
    profile::Entity::insert(active)
        .on_conflict(
            OnConflict::column(profile::Column::UserId)
                .update_columns([
                    profile::Column::Headline,
                    profile::Column::Organisation,
                    profile::Column::JobTitle,
                    profile::Column::Country,
                    profile::Column::City,
                    profile::Column::TimeZone,
                    profile::Column::Bio,
                    profile::Column::BioHtml,
                    profile::Column::Links,
                    profile::Column::EmailVisibility,
                    profile::Column::LinksVisibility,
                    profile::Column::AllowContact,
                    profile::Column::SearchText,
                    profile::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    profile_tag::Entity::delete_many().filter(profile_tag::Column::UserId.eq(user_id.clone())).exec(db).await?;
    if !fields.tags.is_empty() {
        let rows = fields.tags.into_iter().enumerate().map(|(i, (kind, tag, level))| profile_tag::ActiveModel {
            user_id: Set(user_id.clone()),
            kind: Set(kind.to_owned()),
            tag: Set(tag),
            level: Set(level),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
        });
        profile_tag::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    user::Entity::update_many()
        .col_expr(user::Column::DisplayName, sea_orm::sea_query::Expr::value(fields.display_name))
        .col_expr(user::Column::UpdatedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

fn precondition_failed() -> ApiError {
    ApiError::client(
        StatusCode::PRECONDITION_FAILED,
        ErrorCode::PreconditionFailed,
        "Your profile changed since you loaded it; reload and apply your change again.",
    )
}

/// Replaces the caller's profile. With `If-Match`, a stale ETag answers 412.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    if_match: Option<&str>,
    request: UpdateProfileRequest,
) -> ApiResult<(MyProfile, String)> {
    policy::require(actor, Action::ManageOwnAccount, &Resource::Community)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let fields = validate(&me.id, request)?;
    let txn = crate::db::begin(&state.db).await?;
    if let Some(if_match) = if_match {
        let current = load_active(&txn, &me.id).await?;
        if !if_match_accepts(if_match, &my_profile(actor, &current).1) {
            return Err(precondition_failed());
        }
    }
    store(&txn, fields).await?;
    txn.commit().await?;
    crate::services::accounts::changed(state, &me.id);
    // The actor still holds the old display name; reread so the answer is current.
    let fresh = load_active(&state.db, &me.id).await?;
    let actor = Actor::Member(fresh.user.clone());
    Ok(my_profile(&actor, &fresh))
}

/// Parses a page limit for the small ranked lists (experts, tags).
pub fn small_limit(limit: Option<u64>, default: u64, max: u64) -> ApiResult<u64> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::field("limit", "out_of_range", format!("Use a limit between 1 and {max}."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_and_time_zones_are_checked() {
        assert!(valid_country("KE") && valid_country("BR") && !valid_country("XX") && !valid_country("ke"));
        assert!(valid_time_zone("Africa/Nairobi") && valid_time_zone("America/Argentina/Buenos_Aires"));
        assert!(valid_time_zone("UTC") && valid_time_zone("Etc/GMT+3"));
        assert!(!valid_time_zone("Mars/Olympus") && !valid_time_zone("Europe/") && !valid_time_zone("../etc"));
    }
}
