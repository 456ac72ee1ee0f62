//! The library: documents, tools, templates, links, datasets and media shared in the
//! community or a group, with versioned files, downloads, previews and a discussion.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::discussions::GroupRef;
use crate::members::MemberSummary;

/// What an item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A guide, a report, a paper.
    Document,
    /// Something to use: a toolkit, a checklist, a calculator.
    Tool,
    /// Something to copy and fill in.
    Template,
    /// A page elsewhere on the web.
    Link,
    /// Data: a table, a survey's results.
    Dataset,
    /// Pictures, slides, recordings.
    Media,
}

impl ItemKind {
    /// Every kind, in display order.
    pub const ALL: [ItemKind; 6] =
        [ItemKind::Document, ItemKind::Tool, ItemKind::Template, ItemKind::Link, ItemKind::Dataset, ItemKind::Media];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Document => "document",
            ItemKind::Tool => "tool",
            ItemKind::Template => "template",
            ItemKind::Link => "link",
            ItemKind::Dataset => "dataset",
            ItemKind::Media => "media",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// The order of the library list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LibrarySort {
    /// Newest first (the default).
    #[default]
    Newest,
    /// Most downloaded first.
    MostDownloaded,
    /// Most recently changed first (edits and new versions).
    RecentlyUpdated,
}

impl LibrarySort {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            LibrarySort::Newest => "newest",
            LibrarySort::MostDownloaded => "most_downloaded",
            LibrarySort::RecentlyUpdated => "recently_updated",
        }
    }
}

/// Which preview a version has; without one, clients show an icon by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PreviewKind {
    /// No preview.
    #[default]
    None,
    /// A text excerpt (`text_excerpt`).
    Text,
    /// A PNG thumbnail at `/api/v1/library/{id}/preview`.
    Image,
}

/// One uploaded file of an item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemVersion {
    /// 1 for the first upload, then 2, 3...
    pub number: i32,
    /// The file's name as uploaded, cleaned of any path and control characters.
    pub file_name: String,
    /// The media type, checked against the file's content.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the content, lower-case hex (also the download's ETag).
    pub sha256: String,
    /// What changed in this version.
    pub change_note: String,
    /// Who uploaded it (absent for a former member).
    pub uploaded_by: Option<MemberSummary>,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
    /// Which preview exists.
    pub preview: PreviewKind,
    /// The start of a text file (about 1000 characters), for text previews.
    pub text_excerpt: Option<String>,
}

/// An item as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LibraryItemSummary {
    /// Opaque identifier.
    pub id: String,
    /// The title.
    pub title: String,
    /// What it is.
    pub kind: ItemKind,
    /// The group it belongs to; absent for community-wide items.
    pub group: Option<GroupRef>,
    /// Who shared it (absent for a former member).
    pub owner: Option<MemberSummary>,
    /// Lower-case tags.
    pub tags: Vec<String>,
    /// Language of the content, a short BCP 47 code such as `en` or `pt-br`.
    pub language: Option<String>,
    /// Licence: an SPDX identifier such as `CC-BY-4.0`, or free text.
    pub licence: Option<String>,
    /// The external address of a link (items with a URL have no files).
    pub url: Option<String>,
    /// The current version, for items with files.
    pub current_version: Option<ItemVersion>,
    /// Full downloads (and ranges starting at the first byte), all versions together.
    pub download_count: i64,
    /// The start of the description, as plain text.
    pub excerpt: String,
    /// When it was shared.
    pub created_at: DateTime<Utc>,
    /// When it last changed (an edit or a new version).
    pub updated_at: DateTime<Utc>,
}

/// What the caller may do with an item (the server checks again on every call).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LibraryItemPermissions {
    /// Edit the details, upload versions, delete.
    pub edit: bool,
}

/// One item with its description, version history and discussion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LibraryItem {
    /// What lists show.
    pub summary: LibraryItemSummary,
    /// Markdown as written.
    pub description: String,
    /// The description rendered to sanitized HTML.
    pub description_html: String,
    /// Every version, newest first.
    pub versions: Vec<ItemVersion>,
    /// The item's discussion topic: comment through the topic and post endpoints.
    pub topic_id: Option<String>,
    /// What the caller may do.
    pub permissions: LibraryItemPermissions,
    /// Where a partner synced it from (absent for items shared here).
    #[serde(default)]
    pub provenance: Option<crate::partners::Provenance>,
}

/// Share an item in the community or a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateLibraryItemRequest {
    /// 3 to 200 characters.
    pub title: String,
    /// Markdown, up to 20 000 characters.
    #[serde(default)]
    pub description: String,
    /// What it is.
    pub kind: ItemKind,
    /// The group's id or slug, for an item inside a group.
    #[serde(default)]
    pub group: Option<String>,
    /// Up to 5 tags of letters, digits and hyphens.
    #[serde(default)]
    pub tags: Vec<String>,
    /// A short BCP 47 language code (`en`, `fr`, `pt-BR`).
    #[serde(default)]
    pub language: Option<String>,
    /// An SPDX identifier or free text, up to 100 characters.
    #[serde(default)]
    pub licence: Option<String>,
    /// An `http` or `https` address; required for links. Items with a URL have no files.
    #[serde(default)]
    pub url: Option<String>,
}

/// Replace an item's details (send `If-Match`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateLibraryItemRequest {
    /// 3 to 200 characters.
    pub title: String,
    /// Markdown, up to 20 000 characters.
    #[serde(default)]
    pub description: String,
    /// What it is.
    pub kind: ItemKind,
    /// Up to 5 tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// A short BCP 47 language code.
    #[serde(default)]
    pub language: Option<String>,
    /// An SPDX identifier or free text.
    #[serde(default)]
    pub licence: Option<String>,
    /// An `http` or `https` address (only for items without files).
    #[serde(default)]
    pub url: Option<String>,
}

/// `POST` a `multipart/form-data` body here (a `file` part, an optional `change_note`
/// part) to add a version: `/api/v1/library/{id}/versions`.
pub fn upload_path(id: &str) -> String {
    format!("/api/v1/library/{}/versions", crate::endpoint::encode_component(id))
}

/// `GET` the current version's file: `/api/v1/library/{id}/download`.
pub fn download_path(id: &str) -> String {
    format!("/api/v1/library/{}/download", crate::endpoint::encode_component(id))
}

/// `GET` one version's file: `/api/v1/library/{id}/versions/{number}/download`.
pub fn version_download_path(id: &str, number: i32) -> String {
    format!("/api/v1/library/{}/versions/{number}/download", crate::endpoint::encode_component(id))
}

/// `GET` the current version's PNG thumbnail: `/api/v1/library/{id}/preview`.
pub fn preview_path(id: &str) -> String {
    format!("/api/v1/library/{}/preview", crate::endpoint::encode_component(id))
}
