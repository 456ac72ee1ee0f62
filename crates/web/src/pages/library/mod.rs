//! The library: the index with its filters, one item's page (preview, versions,
//! downloads, discussion), and the form that shares or edits an item.

pub mod form;
pub mod index;
pub mod item;

use copse_shared::endpoint::query_string;
use copse_shared::library::{ItemKind, LibraryItemSummary};
use leptos::prelude::*;

use crate::format;
use crate::i18n::{self, Msg, t};

pub use form::NewItemPage;
pub use index::LibraryPage;
pub use item::ItemPage;

/// The filters of the index, as the address carries them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filters {
    pub kind: Option<ItemKind>,
    pub group: Option<String>,
    pub tag: Option<String>,
    pub language: Option<String>,
    pub licence: Option<String>,
    pub sort: Option<copse_shared::library::LibrarySort>,
}

impl Filters {
    /// The index's address with these filters.
    pub fn href(&self) -> String {
        let query = query_string(&[
            ("kind", self.kind.map(|k| k.as_str().to_owned())),
            ("group", self.group.clone()),
            ("tag", self.tag.clone()),
            ("language", self.language.clone()),
            ("licence", self.licence.clone()),
            ("sort", self.sort.map(|s| s.as_str().to_owned())),
        ]);
        format!("/library{query}")
    }
}

/// The index filtered by one tag, language or licence.
fn filtered(edit: impl FnOnce(&mut Filters)) -> String {
    let mut filters = Filters::default();
    edit(&mut filters);
    filters.href()
}

/// The name of a kind.
pub fn kind_label(kind: ItemKind) -> &'static str {
    t(match kind {
        ItemKind::Document => Msg::KindDocument,
        ItemKind::Tool => Msg::KindTool,
        ItemKind::Template => Msg::KindTemplate,
        ItemKind::Link => Msg::KindLink,
        ItemKind::Dataset => Msg::KindDataset,
        ItemKind::Media => Msg::KindMedia,
    })
}

/// The short label of a file type ("PDF", "DOCX", "CSV"), for the icon of items
/// without a thumbnail.
fn type_label(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "PDF",
        "image/png" => "PNG",
        "image/jpeg" => "JPG",
        "image/gif" => "GIF",
        "image/webp" => "WEBP",
        "text/csv" => "CSV",
        "text/markdown" => "MD",
        "application/json" => "JSON",
        "text/plain" => "TXT",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "DOCX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "XLSX",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "PPTX",
        "application/vnd.oasis.opendocument.text" => "ODT",
        "application/vnd.oasis.opendocument.spreadsheet" => "ODS",
        "application/vnd.oasis.opendocument.presentation" => "ODP",
        _ => "FILE",
    }
}

/// The icon of an item without a picture: a tile coloured by kind that names the
/// file's type (or "LINK"), so it reads without an icon font or emoji.
pub fn kind_icon(kind: ItemKind, content_type: Option<&str>, large: bool) -> impl IntoView + use<> {
    let label = match (kind, content_type) {
        (_, Some(content_type)) => type_label(content_type),
        (ItemKind::Link, None) => "LINK",
        (_, None) => "—",
    };
    let class = format!("kind-icon kind-{}{}", kind.as_str(), if large { " large" } else { "" });
    view! { <span class=class aria-hidden="true" data-testid="kind-icon">{label}</span> }
}

/// "2.4 MB", "812 KB", "90 bytes".
pub fn file_size(bytes: i64) -> String {
    let value = bytes as f64;
    if bytes < 1024 {
        i18n::fill(Msg::SizeBytes, &[("n", &bytes.to_string())])
    } else if value < 1024.0 * 1024.0 {
        format!("{:.0} KB", value / 1024.0)
    } else {
        format!("{:.1} MB", value / (1024.0 * 1024.0))
    }
}

/// "1 download", "12 downloads".
pub fn downloads_count(count: i64) -> String {
    if count == 1 {
        t(Msg::DownloadCountOne).to_owned()
    } else {
        i18n::fill(Msg::DownloadCountMany, &[("n", &count.to_string())])
    }
}

/// Tags, language and licence as links that filter the index.
pub fn facet_links(tags: &[String], language: Option<&str>, licence: Option<&str>) -> impl IntoView + use<> {
    view! {
        {language.map(|language| {
            let href = filtered(|f| f.language = Some(language.to_owned()));
            view! {
                <a class="facet" href=href title=t(Msg::Language)>
                    <span class="visually-hidden">{t(Msg::Language)} ": "</span>{language.to_owned()}
                </a>
            }
        })}
        {licence.map(|licence| {
            let href = filtered(|f| f.licence = Some(licence.to_owned()));
            view! {
                <a class="facet licence" href=href title=t(Msg::Licence)>
                    <span class="visually-hidden">{t(Msg::Licence)} ": "</span>{licence.to_owned()}
                </a>
            }
        })}
        {tags
            .iter()
            .map(|tag| {
                let href = filtered(|f| f.tag = Some(tag.clone()));
                view! { <a class="tag" href=href>"#" {tag.clone()}</a> }
            })
            .collect_view()}
    }
}

/// One item in the index.
#[component]
pub fn ItemRow(item: LibraryItemSummary) -> impl IntoView {
    let href = format!("/library/{}", item.id);
    let owner = item.owner.map(|o| o.display_name).unwrap_or_else(|| t(Msg::FormerMember).to_owned());
    let version = item.current_version.clone();
    let icon = kind_icon(item.kind, version.as_ref().map(|v| v.content_type.as_str()), false);
    view! {
        <li class="item-row" data-testid="library-row">
            {icon}
            <div class="item-main">
                <h3 class="item-title"><a href=href>{item.title}</a></h3>
                <p class="meta">
                    <span class="badge muted">{kind_label(item.kind)}</span>
                    {item.group.map(|g| {
                        let href = format!("/groups/{}", g.slug);
                        view! { " " <span class="in-group">{t(Msg::InGroup)} " " <a href=href>{g.name}</a></span> }
                    })}
                    " "
                    {facet_links(&item.tags, item.language.as_deref(), item.licence.as_deref())}
                </p>
                {(!item.excerpt.is_empty()).then(|| view! { <p class="excerpt">{item.excerpt}</p> })}
            </div>
            <div class="item-stats meta">
                <span class="author">{owner}</span>
                {version.map(|v| view! {
                    <span>{i18n::fill(Msg::VersionNumber, &[("n", &v.number.to_string())])} " · " {file_size(v.size)}</span>
                })}
                <span>{downloads_count(item.download_count)}</span>
                <span>
                    <span class="visually-hidden">{t(Msg::Updated)} " "</span>
                    <time datetime=format::iso(item.updated_at)>{format::date(item.updated_at)}</time>
                </span>
            </div>
        </li>
    }
}
