//! The library: items, file versions (multipart uploads), downloads with ranges and
//! conditional requests, and previews.

use actix_multipart::{Multipart, MultipartError};
use actix_web::body::SizedStream;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use copse_shared::library::{
    CreateLibraryItemRequest, ItemKind, LibraryItem, LibraryItemSummary, LibrarySort, UpdateLibraryItemRequest,
};
use copse_shared::partners::Scope;
use copse_shared::{ErrorCode, Page, Problem};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{ApiClient, MaybeApiClient};
use crate::error::{ApiError, ApiResult};
use crate::services::library::files::{self, Download, MAX_CHANGE_NOTE};
use crate::services::library::{items, preview};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_library_items)
        .service(create_library_item)
        .service(get_library_item)
        .service(update_library_item)
        .service(delete_library_item)
        .service(create_item_version)
        .service(download_item)
        .service(download_item_version)
        .service(get_item_preview);
}

fn header_value(req: &HttpRequest, name: header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn item_response(status: StatusCode, item: LibraryItem, etag: String) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/api/v1/library/{}", item.summary.id)));
    }
    response.insert_header((header::ETAG, etag)).json(item)
}

/// Filters, order and paging of the library list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LibraryQuery {
    /// Only this kind.
    pub kind: Option<ItemKind>,
    /// Only items with this tag.
    pub tag: Option<String>,
    /// Only this group (id or slug), or `community` for community-wide items.
    pub group: Option<String>,
    /// Only this language code (`en`, `pt-BR`).
    pub language: Option<String>,
    /// Only this licence (`CC-BY-4.0`).
    pub licence: Option<String>,
    /// `newest` (default), `most_downloaded` or `recently_updated`.
    pub sort: Option<LibrarySort>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page of the same order.
    pub cursor: Option<String>,
}

/// Library items the caller may read.
#[utoipa::path(
    tag = "library",
    operation_id = "list_library_items",
    security((), ("bearer_jwt" = []), ("api_key" = ["library:read"])),
    params(LibraryQuery),
    responses(
        (status = 200, description = "One page of items", body = Page<LibraryItemSummary>),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/library")]
pub async fn list_library_items(
    auth: MaybeApiClient,
    state: web::Data<AppState>,
    query: web::Query<LibraryQuery>,
) -> ApiResult<web::Json<std::sync::Arc<Page<LibraryItemSummary>>>> {
    let q = query.into_inner();
    let filter = items::ItemFilter {
        kind: q.kind,
        tag: q.tag,
        group: q.group,
        language: q.language,
        licence: q.licence,
        sort: q.sort.unwrap_or_default(),
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(web::Json(items::list(&state, &auth.actor_for(Scope::LibraryRead)?, filter).await?))
}

/// Shares an item in the community or a group the caller belongs to. Its discussion
/// topic is created with it (`topic_id`); files are uploaded afterwards as versions.
#[utoipa::path(
    tag = "library",
    operation_id = "create_library_item",
    security(("bearer_jwt" = []), ("api_key" = ["library:write"])),
    request_body = CreateLibraryItemRequest,
    responses(
        (status = 201, description = "The new item", body = LibraryItem, headers(("Location" = String, description = "The item's address"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "Not a member of the group", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The group is archived", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (title, language, licence, a URL that is not http or https, unknown group, bad tags)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/library")]
pub async fn create_library_item(
    auth: ApiClient,
    state: web::Data<AppState>,
    body: web::Json<CreateLibraryItemRequest>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor_for(Scope::LibraryWrite)?;
    let item = items::create(&state, &actor, body.into_inner()).await?;
    let (item, etag) = items::get(&state, &actor, &item.summary.id).await?;
    Ok(item_response(StatusCode::CREATED, item, etag))
}

/// An item with its version history, discussion topic and what the caller may do.
#[utoipa::path(
    tag = "library",
    operation_id = "get_library_item",
    security((), ("bearer_jwt" = []), ("api_key" = ["library:read"])),
    params(("id" = String, Path, description = "The item's id")),
    responses(
        (status = 200, description = "The item", body = LibraryItem, headers(("ETag" = String, description = "Its version"))),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/library/{id}")]
pub async fn get_library_item(
    auth: MaybeApiClient,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (item, etag) = items::get(&state, &auth.actor_for(Scope::LibraryRead)?, &id).await?;
    Ok(item_response(StatusCode::OK, item, etag))
}

/// Replaces an item's details (its owner or a moderator). Send `If-Match`.
#[utoipa::path(
    tag = "library",
    operation_id = "update_library_item",
    security(("bearer_jwt" = []), ("api_key" = ["library:write"])),
    params(("id" = String, Path, description = "The item's id"), ("If-Match" = Option<String>, Header, description = "The ETag being edited")),
    request_body = UpdateLibraryItemRequest,
    responses(
        (status = 200, description = "The item", body = LibraryItem, headers(("ETag" = String, description = "Its new version"))),
        (status = 403, description = "Not the owner or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The item changed since the given ETag", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/library/{id}")]
pub async fn update_library_item(
    req: HttpRequest,
    auth: ApiClient,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<UpdateLibraryItemRequest>,
) -> ApiResult<HttpResponse> {
    let if_match = header_value(&req, header::IF_MATCH);
    let (item, etag) =
        items::update(&state, &auth.actor_for(Scope::LibraryWrite)?, &id, if_match, body.into_inner()).await?;
    Ok(item_response(StatusCode::OK, item, etag))
}

/// Deletes an item and its files (its owner or a moderator; moderators' deletions are
/// audited). The item stays as a tombstone.
#[utoipa::path(
    tag = "library",
    operation_id = "delete_library_item",
    security(("bearer_jwt" = []), ("api_key" = ["library:write"])),
    params(("id" = String, Path, description = "The item's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not the owner or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The file store is unavailable; nothing was deleted", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/library/{id}")]
pub async fn delete_library_item(
    auth: ApiClient,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    items::delete(&state, &auth.actor_for(Scope::LibraryWrite)?, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The multipart form of an upload.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct VersionUpload {
    /// The file. Accepted: PDF, PNG, JPEG, GIF, WebP, plain text, CSV, Markdown, JSON,
    /// Word/Excel/PowerPoint (OOXML) and OpenDocument files. The part's media type must
    /// agree with the content.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// What changed in this version, up to 500 characters.
    pub change_note: Option<String>,
}

pub(crate) fn multipart_error(error: MultipartError) -> ApiError {
    match error {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible
        | MultipartError::BoundaryMissing => ApiError::client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Send the file as multipart/form-data with a `file` part.",
        ),
        other => ApiError::bad_request(format!("The upload could not be read: {other}")),
    }
}

/// Reads and discards what is left of the body (at most a bounded amount), so that the
/// client, still sending, reads the answer rather than a reset connection.
pub(crate) async fn drain(payload: &mut Multipart) {
    let mut budget: usize = 16 * 1024 * 1024;
    while let Some(Ok(mut field)) = payload.next().await {
        while let Some(Ok(chunk)) = field.next().await {
            budget = budget.saturating_sub(chunk.len());
            if budget == 0 {
                return;
            }
        }
    }
}

/// Uploads a new version of an item's file (its owner or a moderator), as
/// `multipart/form-data` with a `file` part and an optional `change_note` part. The
/// file is streamed to the store, checked against its magic bytes and hashed (SHA-256).
#[utoipa::path(
    tag = "library",
    operation_id = "create_item_version",
    security(("bearer_jwt" = []), ("api_key" = ["library:write"])),
    params(("id" = String, Path, description = "The item's id")),
    request_body(content = VersionUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The item with its new current version", body = LibraryItem),
        (status = 403, description = "Not the owner or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The item is a link (it has a URL, not files)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than `COPSE_MAX_UPLOAD_BYTES` (`payload_too_large`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or a file type that is not accepted or contradicts the declared type (`unsupported_media_type`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No `file` part, an empty file, or a change note too long", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The file store is unavailable", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/library/{id}/versions")]
pub async fn create_item_version(
    req: HttpRequest,
    auth: ApiClient,
    state: web::Data<AppState>,
    id: web::Path<String>,
    mut payload: Multipart,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor_for(Scope::LibraryWrite)?;
    let max = state.settings.max_upload_bytes;
    let declared_length = header_value(&req, header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
    // A body announced as far larger than the limit is refused before reading it.
    if declared_length.is_some_and(|length| length > max.saturating_add(64 * 1024)) {
        return Err(ApiError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("Files may be at most {max} bytes."),
        ));
    }
    let mut upload: Option<files::Upload> = None;
    let mut file_name = None;
    let mut declared_type = None;
    let mut change_note = String::new();
    let read = async {
        while let Some(field) = payload.next().await {
            let mut field = field.map_err(multipart_error)?;
            match field.name() {
                Some("file") if upload.is_none() => {
                    file_name = field.content_disposition().and_then(|d| d.get_filename()).map(str::to_owned);
                    declared_type = field.content_type().map(|m| m.essence_str().to_owned());
                    let mut current = files::begin(&state, &actor, &id).await?;
                    while let Some(chunk) = field.next().await {
                        let chunk = match chunk {
                            Ok(chunk) => chunk,
                            Err(error) => {
                                // The client went away or sent garbage: nothing is kept.
                                current.abort().await;
                                return Err(multipart_error(error));
                            }
                        };
                        if let Err(error) = current.write(&chunk).await {
                            drop(field);
                            drain(&mut payload).await;
                            return Err(error);
                        }
                    }
                    upload = Some(current);
                }
                Some("change_note") => {
                    let mut bytes = Vec::new();
                    while let Some(chunk) = field.next().await {
                        bytes.extend_from_slice(&chunk.map_err(multipart_error)?);
                        if bytes.len() > MAX_CHANGE_NOTE * 4 {
                            return Err(ApiError::field(
                                "change_note",
                                "too_long",
                                format!("Use at most {MAX_CHANGE_NOTE} characters."),
                            ));
                        }
                    }
                    change_note = String::from_utf8_lossy(&bytes).into_owned();
                }
                _ => while field.next().await.is_some() {},
            }
        }
        Ok(())
    }
    .await;
    if let Err(error) = read {
        // A later part failed after the file was stored: its parts are discarded before
        // answering, so nothing outlives the refusal.
        if let Some(mut stored) = upload.take() {
            stored.abort().await;
        }
        return Err(error);
    }
    let Some(upload) = upload else {
        return Err(ApiError::field("file", "required", "Send the file in a part named `file`."));
    };
    let item = upload.finish(&state, &actor, file_name.as_deref(), declared_type.as_deref(), &change_note).await?;
    let etag = items::get(&state, &actor, &item.summary.id).await?.1;
    Ok(item_response(StatusCode::CREATED, item, etag))
}

/// `attachment` with an ASCII fallback name and the exact name in `filename*` (RFC 6266).
pub(crate) fn content_disposition(name: &str) -> String {
    let fallback: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{}", copse_shared::endpoint::encode_component(name))
}

fn file_response(download: Download) -> HttpResponse {
    let version = &download.version;
    let etag = format!("\"{}\"", version.sha256);
    let Some(body) = download.body else {
        return HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish();
    };
    let size = version.size as u64;
    let (mut response, length) = match &download.range {
        Some(range) => {
            let mut response = HttpResponse::PartialContent();
            response.insert_header((
                header::CONTENT_RANGE,
                format!("bytes {}-{}/{size}", range.start, range.end.saturating_sub(1)),
            ));
            (response, range.end - range.start)
        }
        None => (HttpResponse::Ok(), size),
    };
    response
        .insert_header((header::CONTENT_TYPE, version.content_type.clone()))
        .insert_header((header::CONTENT_DISPOSITION, content_disposition(&version.file_name)))
        .insert_header((header::ETAG, etag))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        // Already encoded as it should travel: the compression middleware leaves it be,
        // so ranges and lengths stay exact.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .body(SizedStream::new(length, body))
}

/// Downloads the current version's file. Supports `If-None-Match` (304, the ETag is
/// the SHA-256) and a single `Range` (206; 416 when outside the file).
#[utoipa::path(
    tag = "library",
    operation_id = "download_item",
    security((), ("bearer_jwt" = []), ("api_key" = ["library:read"])),
    params(
        ("id" = String, Path, description = "The item's id"),
        ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-1023`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag already held"),
    ),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream", body = String, headers(("ETag" = String, description = "The SHA-256 of the content"), ("Content-Disposition" = String, description = "attachment with the file's name"))),
        (status = 206, description = "The requested range", content_type = "application/octet-stream", body = String, headers(("Content-Range" = String, description = "The range sent"))),
        (status = 304, description = "Unchanged since the given ETag"),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item, not visible, or no file", body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "The range lies outside the file (`range_not_satisfiable`)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The file store is unavailable", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/library/{id}/download")]
pub async fn download_item(
    req: HttpRequest,
    auth: MaybeApiClient,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let if_none_match = header_value(&req, header::IF_NONE_MATCH);
    let range = header_value(&req, header::RANGE);
    let download =
        files::download(&state, &auth.actor_for(Scope::LibraryRead)?, &id, None, if_none_match, range).await?;
    Ok(file_response(download))
}

/// Downloads one version's file (older versions stay downloadable), with the same
/// conditional and range support as the current one.
#[utoipa::path(
    tag = "library",
    operation_id = "download_item_version",
    security((), ("bearer_jwt" = []), ("api_key" = ["library:read"])),
    params(
        ("id" = String, Path, description = "The item's id"),
        ("number" = i32, Path, description = "The version number, from 1"),
        ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-1023`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag already held"),
    ),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream", body = String, headers(("ETag" = String, description = "The SHA-256 of the content"))),
        (status = 206, description = "The requested range", content_type = "application/octet-stream", body = String),
        (status = 304, description = "Unchanged since the given ETag"),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item or version, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "The range lies outside the file (`range_not_satisfiable`)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The file store is unavailable", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/library/{id}/versions/{number}/download")]
pub async fn download_item_version(
    req: HttpRequest,
    auth: MaybeApiClient,
    state: web::Data<AppState>,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let (id, number) = path.into_inner();
    let if_none_match = header_value(&req, header::IF_NONE_MATCH);
    let range = header_value(&req, header::RANGE);
    let download =
        files::download(&state, &auth.actor_for(Scope::LibraryRead)?, &id, Some(number), if_none_match, range).await?;
    Ok(file_response(download))
}

/// The current version's PNG thumbnail, when `current_version.preview` is `image`.
#[utoipa::path(
    tag = "library",
    operation_id = "get_item_preview",
    security((), ("bearer_jwt" = []), ("api_key" = ["library:read"])),
    params(("id" = String, Path, description = "The item's id")),
    responses(
        (status = 200, description = "A PNG thumbnail", content_type = "image/png", body = String),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item, not visible, or no image preview", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The file store is unavailable", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/library/{id}/preview")]
pub async fn get_item_preview(
    auth: MaybeApiClient,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let stream = preview::image(&state, &auth.actor_for(Scope::LibraryRead)?, &id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/png"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .streaming(stream))
}
