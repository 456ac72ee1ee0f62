//! Members: profiles, the directory, the expert finder, activity, bookmarks, contact,
//! avatars, the data export and account deletion.

use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use copse_shared::profiles::{
    AvatarUrls, Bookmark, BookmarkKind, ContactMemberRequest, CreateBookmarkRequest, DirectorySort, ExpertMatch,
    ExpertiseTag, MAX_AVATAR_BYTES, MemberActivity, MemberExport, MyProfile, Profile, ProfileSummary,
    UpdateBookmarkRequest, UpdateProfileRequest, ViewAs,
};
use copse_shared::{Page, Problem};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, MaybeAuthUser, TokenSubject};
use crate::error::{ApiError, ApiResult};
use crate::routes::library::{drain, multipart_error};
use crate::services::profiles::{self, account, activity, avatar, bookmarks, contact, directory, edit};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_my_profile)
        .service(update_my_profile)
        .service(upload_my_avatar)
        .service(delete_my_avatar)
        .service(export_my_data)
        .service(delete_my_account)
        .service(list_bookmarks)
        .service(create_bookmark)
        .service(get_bookmark)
        .service(update_bookmark)
        .service(delete_bookmark)
        .service(list_directory)
        .service(find_experts)
        .service(list_expertise_tags)
        .service(get_member_profile)
        .service(get_member_activity)
        .service(contact_member)
        .service(get_member_avatar);
}

fn with_etag(profile: MyProfile, etag: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(profile)
}

/// The caller's own profile, with every field and the privacy choices.
#[utoipa::path(
    tag = "profiles",
    operation_id = "get_my_profile",
    security(("bearer_jwt" = [])),
    responses((status = 200, description = "The caller's profile", body = MyProfile, headers(("ETag" = String, description = "Its version, for If-Match")))),
)]
#[get("/me/profile")]
pub async fn get_my_profile(auth: AuthUser, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let (profile, etag) = profiles::get_mine(&state, &auth.actor()).await?;
    Ok(with_etag(profile, etag))
}

/// Replaces the caller's profile and privacy choices. Send `If-Match` with the ETag
/// of `GET /me/profile` so that two editors never overwrite each other.
#[utoipa::path(
    tag = "profiles",
    operation_id = "update_my_profile",
    security(("bearer_jwt" = [])),
    params(("If-Match" = Option<String>, Header, description = "The ETag being edited")),
    request_body = UpdateProfileRequest,
    responses(
        (status = 200, description = "The saved profile", body = MyProfile, headers(("ETag" = String, description = "Its new version"))),
        (status = 412, description = "The profile changed since the given ETag", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/me/profile")]
pub async fn update_my_profile(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<UpdateProfileRequest>,
) -> ApiResult<HttpResponse> {
    let if_match = req.headers().get(header::IF_MATCH).and_then(|v| v.to_str().ok());
    let (profile, etag) = edit::update(&state, &auth.actor(), if_match, body.into_inner()).await?;
    Ok(with_etag(profile, etag))
}

/// The multipart form of an avatar upload.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct AvatarUpload {
    /// A PNG, JPEG, GIF or WebP picture of at most 5 MB and 8000 × 8000 pixels.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Replaces the caller's avatar with an uploaded picture, as `multipart/form-data`
/// with a `file` part. It is cropped to a square and re-encoded as 64 and 256 pixel
/// PNGs (dropping any metadata such as EXIF location); the original is not kept.
#[utoipa::path(
    tag = "profiles",
    operation_id = "upload_my_avatar",
    security(("bearer_jwt" = [])),
    request_body(content = AvatarUpload, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The new avatar's addresses", body = AvatarUrls),
        (status = 413, description = "Larger than 5 MB (`payload_too_large`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or not a PNG, JPEG, GIF or WebP picture by its content (`unsupported_media_type`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No `file` part, an empty file, or a picture that cannot be decoded safely (a decompression bomb, a damaged file: `invalid_image`)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The file store is unavailable", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/avatar")]
pub async fn upload_my_avatar(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    mut payload: Multipart,
) -> ApiResult<HttpResponse> {
    let declared_length = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > MAX_AVATAR_BYTES + 64 * 1024) {
        return Err(avatar::too_large());
    }
    let mut file = None;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(multipart_error)?;
        if field.name() == Some("file") && file.is_none() {
            let name = field.content_disposition().and_then(|d| d.get_filename()).map(str::to_owned);
            let declared = field.content_type().map(|m| m.essence_str().to_owned());
            let mut bytes = Vec::new();
            while let Some(chunk) = field.next().await {
                bytes.extend_from_slice(&chunk.map_err(multipart_error)?);
                if bytes.len() as u64 > MAX_AVATAR_BYTES {
                    drop(field);
                    drain(&mut payload).await;
                    return Err(avatar::too_large());
                }
            }
            file = Some((bytes, name, declared));
        } else {
            while field.next().await.is_some() {}
        }
    }
    let Some((bytes, name, declared)) = file else {
        return Err(ApiError::field("file", "required", "Send the picture in a part named `file`."));
    };
    let urls = avatar::set(&state, &auth.actor(), bytes, name.as_deref(), declared.as_deref()).await?;
    Ok(HttpResponse::Ok().json(urls))
}

/// Removes the caller's avatar (harmless if there is none).
#[utoipa::path(
    tag = "profiles",
    operation_id = "delete_my_avatar",
    security(("bearer_jwt" = [])),
    responses((status = 204, description = "Removed")),
)]
#[delete("/me/avatar")]
pub async fn delete_my_avatar(auth: AuthUser, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    avatar::clear(&state, &auth.actor()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A member's avatar as a square PNG. Pictures are served without a credential
/// (browsers load them in `<img>` elements); the address carries the member's opaque
/// id, and `?v=` from `AvatarUrls` changes with every new picture.
#[utoipa::path(
    tag = "profiles",
    operation_id = "get_member_avatar",
    security((), ("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The member's id"),
        ("size" = String, Path, description = "`64` or `256`"),
    ),
    responses(
        (status = 200, description = "The picture", content_type = "image/png", body = String, headers(("ETag" = String, description = "The picture's version"))),
        (status = 304, description = "Unchanged since the given ETag"),
        (status = 404, description = "No such member, no avatar, or no such size", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The file store is unavailable", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/members/{id}/avatar/{size}")]
pub async fn get_member_avatar(
    req: HttpRequest,
    auth: MaybeAuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, size) = path.into_inner();
    let (stream, version) = avatar::image(&state, &auth.actor(), &id, &size).await?;
    let etag = format!("\"{version}\"");
    let unchanged = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v == etag);
    if unchanged {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/png"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .streaming(stream))
}

/// Everything Copse holds about the caller, as JSON (GDPR access and portability):
/// account, profile, memberships, topics, posts, library items, bookmarks,
/// notifications and contact messages sent.
#[utoipa::path(
    tag = "profiles",
    operation_id = "export_my_data",
    security(("bearer_jwt" = [])),
    responses((status = 200, description = "The export", body = MemberExport, headers(("Content-Disposition" = String, description = "attachment; filename=\"copse-export.json\"")))),
)]
#[get("/me/export")]
pub async fn export_my_data(auth: AuthUser, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let export = account::export(&state, &auth.actor()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"copse-export.json\""))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(export))
}

/// How to delete an account.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteAccountQuery {
    /// Also delete the member's topics, replies and library items (they become
    /// tombstones without text); by default they stay, attributed to a former member.
    pub erase_content: Option<bool>,
}

/// Deletes the caller's account and signs it out everywhere. Content stays,
/// attributed to a former member, unless `erase_content=true`. Repeating the call
/// with the same access token answers 204 again.
#[utoipa::path(
    tag = "profiles",
    operation_id = "delete_my_account",
    security(("bearer_jwt" = [])),
    params(DeleteAccountQuery),
    responses(
        (status = 204, description = "Deleted (or already deleted)"),
        (status = 409, description = "The caller is the only admin (`last_admin`)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The file store is unavailable; nothing was deleted", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me")]
pub async fn delete_my_account(
    subject: TokenSubject,
    state: web::Data<AppState>,
    query: web::Query<DeleteAccountQuery>,
) -> ApiResult<HttpResponse> {
    account::delete(&state, &subject.0, query.erase_content.unwrap_or(false)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Bookmark filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookmarksQuery {
    /// Only this kind.
    pub kind: Option<BookmarkKind>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The caller's bookmarks, newest first.
#[utoipa::path(
    tag = "bookmarks",
    operation_id = "list_bookmarks",
    security(("bearer_jwt" = [])),
    params(BookmarksQuery),
    responses((status = 200, description = "One page of bookmarks", body = Page<Bookmark>)),
)]
#[get("/me/bookmarks")]
pub async fn list_bookmarks(
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<BookmarksQuery>,
) -> ApiResult<web::Json<Page<Bookmark>>> {
    let q = query.into_inner();
    Ok(web::Json(bookmarks::list(&state, &auth.actor(), q.kind, q.limit, q.cursor).await?))
}

/// Bookmarks a topic or library item the caller may see, or an external link.
#[utoipa::path(
    tag = "bookmarks",
    operation_id = "create_bookmark",
    security(("bearer_jwt" = [])),
    request_body = CreateBookmarkRequest,
    responses(
        (status = 201, description = "The bookmark", body = Bookmark, headers(("Location" = String, description = "Its address"))),
        (status = 404, description = "No such topic or item, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already bookmarked", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/bookmarks")]
pub async fn create_bookmark(
    auth: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<CreateBookmarkRequest>,
) -> ApiResult<HttpResponse> {
    let bookmark = bookmarks::create(&state, &auth.actor(), body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/me/bookmarks/{}", bookmark.id)))
        .json(bookmark))
}

/// One of the caller's bookmarks.
#[utoipa::path(
    tag = "bookmarks",
    operation_id = "get_bookmark",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The bookmark's id")),
    responses(
        (status = 200, description = "The bookmark", body = Bookmark),
        (status = 404, description = "No such bookmark of the caller's", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/bookmarks/{id}")]
pub async fn get_bookmark(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<web::Json<Bookmark>> {
    Ok(web::Json(bookmarks::get(&state, &auth.actor(), &id).await?))
}

/// Changes a bookmark's note (and a link's title).
#[utoipa::path(
    tag = "bookmarks",
    operation_id = "update_bookmark",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The bookmark's id")),
    request_body = UpdateBookmarkRequest,
    responses(
        (status = 200, description = "The bookmark", body = Bookmark),
        (status = 404, description = "No such bookmark of the caller's", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/me/bookmarks/{id}")]
pub async fn update_bookmark(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<UpdateBookmarkRequest>,
) -> ApiResult<web::Json<Bookmark>> {
    Ok(web::Json(bookmarks::update(&state, &auth.actor(), &id, body.into_inner()).await?))
}

/// Removes a bookmark (harmless if already gone).
#[utoipa::path(
    tag = "bookmarks",
    operation_id = "delete_bookmark",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The bookmark's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "Another member's bookmark", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/bookmarks/{id}")]
pub async fn delete_bookmark(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    bookmarks::delete(&state, &auth.actor(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Directory filters, order and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// Words that must all appear in the name, headline, organisation or job title
    /// (plain text: `%`, `_` and quotes match themselves).
    pub q: Option<String>,
    /// Text in the organisation.
    pub organisation: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
    /// A language code (`en`, `pt-BR`).
    pub language: Option<String>,
    /// An expertise tag.
    pub expertise: Option<String>,
    /// An interest tag.
    pub interest: Option<String>,
    /// `name` (default), `newest` or `most_active`.
    pub sort: Option<DirectorySort>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page of the same order.
    pub cursor: Option<String>,
}

/// The member directory: active members matching every given filter.
#[utoipa::path(
    tag = "profiles",
    operation_id = "list_directory",
    security(("bearer_jwt" = [])),
    params(DirectoryQuery),
    responses(
        (status = 200, description = "One page of members", body = Page<ProfileSummary>),
        (status = 422, description = "A filter too long, or a limit out of range", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/directory")]
pub async fn list_directory(
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<DirectoryQuery>,
) -> ApiResult<web::Json<std::sync::Arc<Page<ProfileSummary>>>> {
    let q = query.into_inner();
    let filter = directory::DirectoryFilter {
        q: q.q,
        organisation: q.organisation,
        country: q.country,
        language: q.language,
        expertise: q.expertise,
        interest: q.interest,
        sort: q.sort.unwrap_or_default(),
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(web::Json(directory::list(&state, &auth.actor(), filter).await?))
}

/// Expert finder parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpertsQuery {
    /// One to five tags, comma-separated (`soil-health,composting`).
    pub tags: Option<String>,
    /// How many, 1 to 50 (default 10).
    pub limit: Option<u64>,
}

/// "Ask an expert": the members whose declared expertise, accepted answers and
/// contributions best match the tags, best first. Only members who accept contact
/// are suggested; only content the caller may read counts.
#[utoipa::path(
    tag = "profiles",
    operation_id = "find_experts",
    security(("bearer_jwt" = [])),
    params(ExpertsQuery),
    responses(
        (status = 200, description = "The best matches", body = Vec<ExpertMatch>),
        (status = 422, description = "No tags, more than five, or malformed tags", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/experts")]
pub async fn find_experts(
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ExpertsQuery>,
) -> ApiResult<web::Json<Vec<ExpertMatch>>> {
    let q = query.into_inner();
    Ok(web::Json(directory::experts(&state, &auth.actor(), q.tags, q.limit).await?))
}

/// Expertise vocabulary parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagsQuery {
    /// Only tags starting with this.
    pub prefix: Option<String>,
    /// How many, 1 to 100 (default 20).
    pub limit: Option<u64>,
}

/// The expertise tags members declare, most declared first (for autocompletion).
#[utoipa::path(
    tag = "profiles",
    operation_id = "list_expertise_tags",
    security(("bearer_jwt" = [])),
    params(TagsQuery),
    responses(
        (status = 200, description = "Tags with their number of members", body = Vec<ExpertiseTag>),
        (status = 422, description = "A limit out of range", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/expertise-tags")]
pub async fn list_expertise_tags(
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<TagsQuery>,
) -> ApiResult<web::Json<Vec<ExpertiseTag>>> {
    let q = query.into_inner();
    Ok(web::Json(directory::expertise_tags(&state, &auth.actor(), q.prefix, q.limit).await?))
}

/// How to show a profile.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProfileQuery {
    /// Show it as a plain `member` or a `facilitator` would see it (to check one's own
    /// privacy choices); it never reveals more than the caller may see.
    pub view_as: Option<ViewAs>,
}

/// A member's profile, with the contact details the caller may see (hidden ones are
/// absent).
#[utoipa::path(
    tag = "profiles",
    operation_id = "get_member_profile",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The member's id"), ProfileQuery),
    responses(
        (status = 200, description = "The profile", body = Profile),
        (status = 404, description = "No such active member", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/members/{id}/profile")]
pub async fn get_member_profile(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<ProfileQuery>,
) -> ApiResult<web::Json<Profile>> {
    Ok(web::Json(profiles::get(&state, &auth.actor(), &id, query.view_as).await?))
}

/// A member's recent topics, replies, library items and groups: only what the
/// caller may see.
#[utoipa::path(
    tag = "profiles",
    operation_id = "get_member_activity",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The member's id")),
    responses(
        (status = 200, description = "Recent activity", body = MemberActivity),
        (status = 404, description = "No such active member", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/members/{id}/activity")]
pub async fn get_member_activity(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<web::Json<MemberActivity>> {
    Ok(web::Json(activity::get(&state, &auth.actor(), &id).await?))
}

/// Sends a member a message, delivered as an in-app notification (kind `contact`).
/// The caller never learns the member's email address.
#[utoipa::path(
    tag = "profiles",
    operation_id = "contact_member",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The member's id")),
    request_body = ContactMemberRequest,
    responses(
        (status = 204, description = "Delivered"),
        (status = 403, description = "The member does not accept messages (`contact_not_allowed`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such active member", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/members/{id}/contact")]
pub async fn contact_member(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<ContactMemberRequest>,
) -> ApiResult<HttpResponse> {
    contact::send(&state, &auth.actor(), &id, body.into_inner()).await?;
    Ok(HttpResponse::build(StatusCode::NO_CONTENT).finish())
}
