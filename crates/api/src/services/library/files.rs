//! Uploading and downloading an item's files. An upload streams to the store as it
//! arrives (never held whole in memory), is hashed on the way, and is checked against
//! its magic bytes; the version row is written only once the object is complete, and
//! any failure aborts the store's multipart upload so nothing is left behind.

use std::ops::Range;

use actix_web::http::StatusCode;
use bytes::Bytes;
use chrono::Utc;
use copse_shared::ErrorCode;
use copse_shared::library::LibraryItem;
use futures_util::stream::BoxStream;
use object_store::WriteMultipart;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{ItemCtx, load_item, preview};
use crate::entities::{library_item, library_version};
use crate::error::{ApiError, ApiResult};
use crate::policy::{Action, Actor};
use crate::state::AppState;
use crate::storage::unavailable;

/// Bytes of the start of a file kept for checking its type and for text excerpts.
const HEAD_BYTES: usize = 8 * 1024;
/// Parts in flight to the store at once.
const UPLOAD_CONCURRENCY: usize = 2;
/// Longest kept file name, in characters.
const MAX_FILE_NAME: usize = 200;
/// Longest change note, in characters.
pub const MAX_CHANGE_NOTE: usize = 500;

/// The media types the library accepts.
const BINARY_TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
];
const TEXT_TYPES: &[&str] = &["text/plain", "text/csv", "text/markdown", "application/json"];

/// Whether a media type is one of the text formats (they get text excerpts).
pub fn is_text(content_type: &str) -> bool {
    TEXT_TYPES.contains(&content_type)
}

fn payload_too_large(max: u64) -> ApiError {
    ApiError::client(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        format!("Files may be at most {max} bytes."),
    )
}

fn unsupported(detail: impl Into<String>) -> ApiError {
    ApiError::client(StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::UnsupportedMediaType, detail)
}

/// Keeps only a file name's last component, without control characters, quotes or
/// backslashes, and at most 200 characters; never empty.
pub fn sanitize_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String =
        last.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | '/')).collect::<String>();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let kept: String = cleaned.chars().take(MAX_FILE_NAME).collect();
    if kept.is_empty() { "file".to_owned() } else { kept }
}

/// The media type a file name's extension suggests for text formats.
fn text_type_of(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".csv") {
        "text/csv"
    } else if lower.ends_with(".md") || lower.ends_with(".markdown") {
        "text/markdown"
    } else if lower.ends_with(".json") {
        "application/json"
    } else {
        "text/plain"
    }
}

/// Decides the stored media type from the declared one and the first bytes: the bytes
/// must agree with the declaration, and the result must be on the allow-list.
pub fn check_content_type(declared: Option<&str>, file_name: &str, head: &[u8]) -> ApiResult<String> {
    let declared = declared
        .map(|d| d.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty() && d != "application/octet-stream");
    let detected = infer::get(head).map(|t| t.mime_type());
    match detected {
        Some(found) => {
            let found = found.to_owned();
            let zip_office = found == "application/zip"
                && declared.as_deref().is_some_and(|d| BINARY_TYPES.contains(&d) && d.starts_with("application/vnd."));
            if zip_office {
                // Office documents are ZIP archives whose first entry is not always the one
                // that names the format: the declaration decides among them.
                return Ok(declared.unwrap_or(found));
            }
            if let Some(declared) = &declared
                && declared != &found
            {
                return Err(unsupported(format!("The file is {found}, not {declared} as declared.")));
            }
            if BINARY_TYPES.contains(&found.as_str()) {
                Ok(found)
            } else {
                Err(unsupported(format!("Files of type {found} are not accepted.")))
            }
        }
        None => {
            let looks_like_text = !head.contains(&0) && text_prefix(head).is_some();
            if !looks_like_text {
                return Err(unsupported(
                    "The file's type is not recognised; accepted: PDF, images, text, CSV, Markdown, JSON and office documents.",
                ));
            }
            match declared {
                Some(d) if TEXT_TYPES.contains(&d.as_str()) => Ok(d),
                Some(d) if d.starts_with("text/") => Ok("text/plain".to_owned()),
                Some(d) => Err(unsupported(format!("The file is text, not {d} as declared."))),
                None => Ok(text_type_of(file_name).to_owned()),
            }
        }
    }
}

/// The longest valid UTF-8 prefix of the buffer, allowing a character cut at its end.
fn text_prefix(head: &[u8]) -> Option<&str> {
    match std::str::from_utf8(head) {
        Ok(text) => Some(text),
        Err(error) if error.error_len().is_none() => std::str::from_utf8(&head[..error.valid_up_to()]).ok(),
        Err(_) => None,
    }
}

/// The first ~1000 characters of a text file.
pub fn text_excerpt(head: &[u8]) -> Option<String> {
    let text = text_prefix(head)?;
    let excerpt: String = text.chars().take(1000).collect();
    Some(excerpt)
}

/// An upload in progress. Dropping it unfinished aborts the store's upload.
pub struct Upload {
    item: ItemCtx,
    version_id: String,
    key: String,
    writer: Option<WriteMultipart>,
    hasher: Sha256,
    size: u64,
    max: u64,
    head: Vec<u8>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload").field("key", &self.key).field("size", &self.size).finish()
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        // A client that went away mid-upload: the parts written so far are discarded.
        if let Some(writer) = self.writer.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                if let Err(error) = writer.abort().await {
                    tracing::warn!(error = %error, "aborting an unfinished upload failed");
                }
            });
        }
    }
}

/// Starts an upload to an item (its owner or a moderator); items with a URL have no
/// files. The store key is generated here, never taken from the client.
pub async fn begin(state: &AppState, actor: &Actor, item_id: &str) -> ApiResult<Upload> {
    let item = load_item(state, actor, item_id).await?;
    item.require(actor, Action::EditLibraryItem)?;
    if item.item.url.is_some() {
        return Err(ApiError::client(
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            "This item points to an external address; it has no files.",
        ));
    }
    let version_id = Uuid::new_v4().to_string();
    let key = format!("items/{}/{version_id}", item.item.id);
    let writer = state.files.start_upload(&key).await?;
    Ok(Upload {
        item,
        version_id,
        key,
        writer: Some(writer),
        hasher: Sha256::new(),
        size: 0,
        max: state.settings.max_upload_bytes,
        head: Vec::with_capacity(HEAD_BYTES),
    })
}

impl Upload {
    /// Adds a chunk: counted against the limit (413), hashed, and written to the store
    /// with back-pressure.
    pub async fn write(&mut self, chunk: &[u8]) -> ApiResult<()> {
        self.size += chunk.len() as u64;
        if self.size > self.max {
            self.abort().await;
            return Err(payload_too_large(self.max));
        }
        if self.head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        let Some(writer) = self.writer.as_mut() else {
            return Err(ApiError::internal(anyhow::anyhow!("upload already finished")));
        };
        writer.wait_for_capacity(UPLOAD_CONCURRENCY).await.map_err(unavailable)?;
        writer.write(chunk);
        Ok(())
    }

    /// Discards what was written.
    pub async fn abort(&mut self) {
        if let Some(writer) = self.writer.take()
            && let Err(error) = writer.abort().await
        {
            tracing::warn!(error = %error, "aborting an upload failed");
        }
    }

    /// Completes the upload: checks the type (415), finishes the object, records the
    /// version, then makes a preview (a failed preview never fails the upload).
    pub async fn finish(
        mut self,
        state: &AppState,
        actor: &Actor,
        file_name: Option<&str>,
        declared_type: Option<&str>,
        change_note: &str,
    ) -> ApiResult<LibraryItem> {
        let file_name = sanitize_file_name(file_name.unwrap_or_default());
        if self.size == 0 {
            self.abort().await;
            return Err(ApiError::field("file", "required", "The file is empty."));
        }
        let change_note: String = change_note.trim().chars().filter(|c| !c.is_control() || *c == '\n').collect();
        if change_note.chars().count() > MAX_CHANGE_NOTE {
            self.abort().await;
            return Err(ApiError::field(
                "change_note",
                "too_long",
                format!("Use at most {MAX_CHANGE_NOTE} characters."),
            ));
        }
        let content_type = match check_content_type(declared_type, &file_name, &self.head) {
            Ok(t) => t,
            Err(error) => {
                self.abort().await;
                return Err(error);
            }
        };
        let Some(writer) = self.writer.take() else {
            return Err(ApiError::internal(anyhow::anyhow!("upload already finished")));
        };
        writer.finish().await.map_err(unavailable)?;
        let sha256: String = std::mem::take(&mut self.hasher).finalize().iter().map(|b| format!("{b:02x}")).collect();
        let text_excerpt = if is_text(&content_type) { text_excerpt(&self.head) } else { None };
        let recorded = self.record(state, actor, &file_name, &content_type, &sha256, &change_note, text_excerpt).await;
        if let Err(error) = recorded {
            // No version row, so no object either.
            if let Err(cleanup) = state.files.delete(&self.key).await {
                tracing::warn!(error = %cleanup, key = %self.key, "removing an unrecorded upload failed");
            }
            return Err(error);
        }
        if content_type.starts_with("image/") || content_type == "application/pdf" {
            preview::make_image_preview(state, &self.version_id, &self.key, self.size).await;
        }
        Ok(super::items::get(state, actor, &self.item.item.id).await?.0)
    }

    #[allow(clippy::too_many_arguments)]
    async fn record(
        &self,
        state: &AppState,
        actor: &Actor,
        file_name: &str,
        content_type: &str,
        sha256: &str,
        change_note: &str,
        text_excerpt: Option<String>,
    ) -> ApiResult<()> {
        let now = Utc::now();
        let txn = crate::db::begin(&state.db).await?;
        // Re-read inside the transaction: two uploads at once get consecutive numbers
        // (the unique index on (item, number) refuses a duplicate).
        let item = library_item::Entity::find_by_id(self.item.item.id.clone())
            .one(&txn)
            .await?
            .filter(|i| i.deleted_at.is_none())
            .ok_or_else(ApiError::not_found)?;
        let number = item.version_count + 1;
        library_version::ActiveModel {
            id: Set(self.version_id.clone()),
            item_id: Set(item.id.clone()),
            number: Set(number),
            file_name: Set(file_name.to_owned()),
            content_type: Set(content_type.to_owned()),
            size: Set(self.size as i64),
            sha256: Set(sha256.to_owned()),
            storage_key: Set(self.key.clone()),
            change_note: Set(change_note.to_owned()),
            uploaded_by: Set(actor.user().map(|u| u.id.clone())),
            preview: Set(if text_excerpt.is_some() { "text" } else { "none" }.to_owned()),
            text_excerpt: Set(text_excerpt),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        let mut active: library_item::ActiveModel = item.into();
        active.version_count = Set(number);
        active.current_version_id = Set(Some(self.version_id.clone()));
        active.updated_at = Set(now);
        active.update(&txn).await?;
        txn.commit().await?;
        Ok(())
    }
}

/// A file ready to be sent.
pub struct Download {
    /// The version.
    pub version: library_version::Model,
    /// The content, or the requested part of it.
    pub body: Option<BoxStream<'static, object_store::Result<Bytes>>>,
    /// The byte range sent, for 206 answers.
    pub range: Option<Range<u64>>,
}

/// A parsed `Range` header.
#[derive(Debug, PartialEq, Eq)]
pub enum RangeRequest {
    /// No usable range: send everything (also for multiple ranges, which we do not serve).
    Full,
    /// One satisfiable range, end exclusive.
    Part(Range<u64>),
    /// Outside the file: 416.
    Unsatisfiable,
}

/// Parses a single `bytes=` range against the file size (RFC 9110 §14.1.2).
pub fn parse_range(header: Option<&str>, size: u64) -> RangeRequest {
    let Some(spec) = header.map(str::trim).and_then(|h| h.strip_prefix("bytes=")) else {
        return RangeRequest::Full;
    };
    if spec.contains(',') {
        return RangeRequest::Full;
    }
    let Some((start, end)) = spec.split_once('-') else {
        return RangeRequest::Full;
    };
    let (start, end) = (start.trim(), end.trim());
    if start.is_empty() {
        // A suffix: the last N bytes.
        return match end.parse::<u64>() {
            Ok(0) => RangeRequest::Unsatisfiable,
            Ok(n) if size > 0 => RangeRequest::Part(size.saturating_sub(n)..size),
            Ok(_) => RangeRequest::Unsatisfiable,
            Err(_) => RangeRequest::Full,
        };
    }
    let Ok(start) = start.parse::<u64>() else {
        return RangeRequest::Full;
    };
    if start >= size {
        return RangeRequest::Unsatisfiable;
    }
    let end = if end.is_empty() {
        size
    } else {
        match end.parse::<u64>() {
            Ok(e) if e >= start => std::cmp::min(e + 1, size),
            Ok(_) => return RangeRequest::Full,
            Err(_) => return RangeRequest::Full,
        }
    };
    RangeRequest::Part(start..end)
}

/// Prepares a download of the current version (`number` absent) or of one version.
/// A matching `If-None-Match` gives no body (304) and is not counted; full downloads
/// and ranges that start at the first byte are counted.
pub async fn download(
    state: &AppState,
    actor: &Actor,
    item_id: &str,
    number: Option<i32>,
    if_none_match: Option<&str>,
    range: Option<&str>,
) -> ApiResult<Download> {
    let ctx = load_item(state, actor, item_id).await?;
    let mut query = library_version::Entity::find().filter(library_version::Column::ItemId.eq(ctx.item.id.clone()));
    query = match (number, &ctx.item.current_version_id) {
        (Some(n), _) => query.filter(library_version::Column::Number.eq(n)),
        (None, Some(current)) => query.filter(library_version::Column::Id.eq(current.clone())),
        (None, None) => return Err(ApiError::not_found()),
    };
    let version = query.one(&state.db).await?.ok_or_else(ApiError::not_found)?;
    let etag = format!("\"{}\"", version.sha256);
    if let Some(header) = if_none_match
        && (header.trim() == "*" || header.split(',').any(|t| t.trim().trim_start_matches("W/") == etag))
    {
        return Ok(Download { version, body: None, range: None });
    }
    let size = version.size as u64;
    let range = match parse_range(range, size) {
        RangeRequest::Full => None,
        RangeRequest::Part(r) => Some(r),
        RangeRequest::Unsatisfiable => return Err(ApiError::RangeNotSatisfiable { size }),
    };
    let body = state.files.stream(&version.storage_key, range.clone()).await?;
    if range.as_ref().is_none_or(|r| r.start == 0) {
        library_item::Entity::update_many()
            .col_expr(library_item::Column::DownloadCount, Expr::col(library_item::Column::DownloadCount).add(1))
            .filter(library_item::Column::Id.eq(ctx.item.id.clone()))
            .exec(&state.db)
            .await?;
    }
    Ok(Download { version, body: Some(body), range })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_paths_and_control_characters() {
        assert_eq!(sanitize_file_name("../../etc/passwd.txt"), "passwd.txt");
        assert_eq!(sanitize_file_name("C:\\Users\\a\\report.pdf"), "report.pdf");
        assert_eq!(sanitize_file_name("a\u{0}b\nc\".pdf"), "abc.pdf");
        assert_eq!(sanitize_file_name(".."), "file");
        assert_eq!(sanitize_file_name(&"x".repeat(500)).chars().count(), 200);
    }

    #[test]
    fn declared_types_must_match_the_bytes() {
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";
        assert!(check_content_type(Some("image/png"), "a.png", pdf).is_err());
        assert_eq!(check_content_type(Some("application/pdf"), "a.pdf", pdf).ok().as_deref(), Some("application/pdf"));
        assert_eq!(check_content_type(None, "a.pdf", pdf).ok().as_deref(), Some("application/pdf"));
        assert_eq!(check_content_type(None, "a.csv", b"a,b\n1,2\n").ok().as_deref(), Some("text/csv"));
        assert!(check_content_type(Some("application/pdf"), "a.pdf", b"plain text").is_err());
        assert!(check_content_type(None, "a.bin", b"\x7fELF\x02\x01\x01\0\0\0\0").is_err());
    }

    #[test]
    fn ranges_are_parsed_against_the_size() {
        assert_eq!(parse_range(None, 10), RangeRequest::Full);
        assert_eq!(parse_range(Some("bytes=0-3"), 10), RangeRequest::Part(0..4));
        assert_eq!(parse_range(Some("bytes=5-"), 10), RangeRequest::Part(5..10));
        assert_eq!(parse_range(Some("bytes=-4"), 10), RangeRequest::Part(6..10));
        assert_eq!(parse_range(Some("bytes=8-100"), 10), RangeRequest::Part(8..10));
        assert_eq!(parse_range(Some("bytes=10-"), 10), RangeRequest::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-1,4-5"), 10), RangeRequest::Full);
    }
}
