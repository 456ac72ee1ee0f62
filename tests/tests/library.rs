//! The library end to end: items in the community and in groups, filters, orders and
//! pages; uploads streamed to the file store with type checks, limits and hashes;
//! versions; downloads with ETags, conditional requests and ranges; previews; the
//! item's discussion; deletion, also when the store is unavailable.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use copse_shared::client::Client;
use copse_shared::discussions::CreatePostRequest;
use copse_shared::endpoints::*;
use copse_shared::groups::GroupVisibility;
use copse_shared::library::*;
use copse_tests::s3::S3Server;
use copse_tests::{PASSWORD, TestApp, problem, problem_of};
use sea_orm::{ConnectionTrait, Statement};

struct Library {
    app: TestApp,
    admin: Client,
    amina: Client,
    carlos: Client,
}

async fn library() -> Library {
    library_with(|_| {}).await
}

async fn library_with(f: impl FnOnce(&mut copse::config::Settings)) -> Library {
    let app = TestApp::spawn_with(f).await;
    let admin = app.admin().await;
    let (amina, _) = app.register("amina@example.org", "Amina Diallo", PASSWORD).await;
    let (carlos, _) = app.register("carlos@example.org", "Carlos Mendoza", PASSWORD).await;
    Library { app, admin, amina, carlos }
}

fn item(title: &str, kind: ItemKind) -> CreateLibraryItemRequest {
    CreateLibraryItemRequest {
        title: title.into(),
        description: format!("About **{title}**."),
        kind,
        group: None,
        tags: vec!["soil".into()],
        language: Some("en".into()),
        licence: Some("CC-BY-4.0".into()),
        url: None,
    }
}

async fn upload(
    app: &TestApp,
    client: &Client,
    id: &str,
    file_name: &str,
    content_type: &str,
    bytes: Vec<u8>,
    note: &str,
) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()).mime_str(content_type).unwrap();
    let form = reqwest::multipart::Form::new().part("file", part).text("change_note", note.to_owned());
    client
        .http()
        .post(app.url(&upload_path(id)))
        .bearer_auth(client.token().unwrap_or_default())
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn uploaded(response: reqwest::Response) -> LibraryItem {
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    assert_eq!(status, 201, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Every regular file under a directory.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

async fn version_rows(app: &TestApp) -> i64 {
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM library_versions",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn items_are_created_listed_filtered_sorted_and_paged() {
    let l = library().await;
    let mut created = Vec::new();
    for (i, kind) in [ItemKind::Document, ItemKind::Template, ItemKind::Tool, ItemKind::Dataset, ItemKind::Document]
        .into_iter()
        .enumerate()
    {
        let mut request = item(&format!("Soil guide number {i}"), kind);
        if i % 2 == 1 {
            request.tags = vec!["compost".into()];
            request.language = Some("FR".into());
            request.licence = Some("CC0-1.0".into());
        }
        let answer = l.amina.call_with(&CreateLibraryItem(request), &[]).await.unwrap();
        assert_eq!(answer.status, 201);
        assert!(answer.headers.get("location").is_some() && answer.headers.get("etag").is_some());
        created.push(answer.body);
    }
    let first = &created[0];
    assert_eq!(first.description_html, "<p>About <strong>Soil guide number 0</strong>.</p>\n");
    assert_eq!(first.summary.language.as_deref(), Some("en"));
    assert!(first.permissions.edit);
    assert!(first.versions.is_empty() && first.summary.current_version.is_none());

    // Newest first, two per page, every item exactly once.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = l.carlos.call(&ListLibraryItems { limit: Some(2), cursor, ..Default::default() }).await.unwrap();
        seen.extend(page.items.iter().map(|i| i.title.clone()));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let expected: Vec<String> = created.iter().rev().map(|i| i.summary.title.clone()).collect();
    assert_eq!(seen, expected);

    let only = |page: copse_shared::Page<LibraryItemSummary>| -> Vec<String> {
        page.items.into_iter().map(|i| i.title).collect()
    };
    let templates = l.carlos.call(&ListLibraryItems { kind: Some(ItemKind::Template), ..Default::default() }).await;
    assert_eq!(only(templates.unwrap()), vec!["Soil guide number 1"]);
    let compost = l.carlos.call(&ListLibraryItems { tag: Some("Compost".into()), ..Default::default() }).await;
    assert_eq!(only(compost.unwrap()), vec!["Soil guide number 3", "Soil guide number 1"]);
    let french = l.carlos.call(&ListLibraryItems { language: Some("fr".into()), ..Default::default() }).await;
    assert_eq!(only(french.unwrap()).len(), 2);
    let cc0 = l.carlos.call(&ListLibraryItems { licence: Some("CC0-1.0".into()), ..Default::default() }).await;
    assert_eq!(only(cc0.unwrap()).len(), 2);
    let community = l.carlos.call(&ListLibraryItems { group: Some("community".into()), ..Default::default() }).await;
    assert_eq!(only(community.unwrap()).len(), 5);

    // Editing moves an item to the top of "recently updated", and a stale ETag is 412.
    let target = &created[0];
    let got = l.amina.call_with(&GetLibraryItem { id: target.summary.id.clone() }, &[]).await.unwrap();
    let etag = got.headers.get("etag").unwrap().to_str().unwrap().to_owned();
    let edit = UpdateLibraryItemRequest {
        title: "Soil guide, revised".into(),
        description: "Now with pictures.".into(),
        kind: ItemKind::Document,
        tags: vec!["soil".into(), "pictures".into()],
        language: Some("en".into()),
        licence: Some("CC-BY-4.0".into()),
        url: None,
    };
    let update = UpdateLibraryItem { id: target.summary.id.clone(), body: edit.clone() };
    l.amina.call_with(&update, &[("If-Match", &etag)]).await.unwrap();
    assert_eq!(problem(l.amina.call_with(&update, &[("If-Match", &etag)]).await).status, 412);
    assert_eq!(problem(l.carlos.call(&update).await).status, 403);
    let recent = l
        .carlos
        .call(&ListLibraryItems { sort: Some(LibrarySort::RecentlyUpdated), limit: Some(1), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(recent.items[0].title, "Soil guide, revised");
    let next = l
        .carlos
        .call(&ListLibraryItems {
            sort: Some(LibrarySort::RecentlyUpdated),
            limit: Some(10),
            cursor: recent.next_cursor.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(next.items.len(), 4);
    assert!(next.items.iter().all(|i| i.title != "Soil guide, revised"));
    // A cursor of one order means nothing in another.
    let mixed = l
        .carlos
        .call(&ListLibraryItems { sort: Some(LibrarySort::Newest), cursor: recent.next_cursor, ..Default::default() })
        .await;
    assert_eq!(problem(mixed).status, 400);
}

#[tokio::test]
async fn a_link_must_be_http_or_https_and_javascript_urls_are_refused() {
    let l = library().await;
    for bad in ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://example.org/x", "https://"] {
        let mut request = item("A dangerous link", ItemKind::Link);
        request.url = Some(bad.into());
        let refused = problem(l.amina.call(&CreateLibraryItem(request)).await);
        assert_eq!(refused.status, 422, "{bad}");
        assert_eq!(refused.field("url").map(|e| e.code.as_str()), Some("invalid_url"), "{bad}");
    }
    let missing = problem(l.amina.call(&CreateLibraryItem(item("A link to nowhere", ItemKind::Link))).await);
    assert_eq!(missing.field("url").map(|e| e.code.as_str()), Some("required"));
    let mut good = item("FAO soil portal", ItemKind::Link);
    good.url = Some("https://www.fao.org/soils-portal/en/".into());
    let link = l.amina.call(&CreateLibraryItem(good)).await.unwrap();
    assert_eq!(link.summary.url.as_deref(), Some("https://www.fao.org/soils-portal/en/"));
    // A link has no files.
    let response = upload(&l.app, &l.amina, &link.summary.id, "a.txt", "text/plain", b"hello".to_vec(), "").await;
    assert_eq!(problem_of(response).await.status, 409);
}

#[tokio::test]
async fn an_upload_downloads_identically_with_its_hash_etag_conditional_and_range_requests() {
    let l = library().await;
    let created = l.amina.call(&CreateLibraryItem(item("Field survey results", ItemKind::Dataset))).await.unwrap();
    let id = created.summary.id.clone();
    let csv: Vec<u8> = (0..2000).map(|i| format!("plot-{i},{},{}\n", i * 3, i % 7)).collect::<String>().into_bytes();
    let item =
        uploaded(upload(&l.app, &l.amina, &id, "survey é.csv", "text/csv", csv.clone(), "First survey").await).await;
    let version = item.summary.current_version.clone().unwrap();
    assert_eq!(version.number, 1);
    assert_eq!(version.content_type, "text/csv");
    assert_eq!(version.size, csv.len() as i64);
    assert_eq!(version.change_note, "First survey");
    assert_eq!(version.file_name, "survey é.csv");
    assert_eq!(version.preview, PreviewKind::Text);
    assert!(version.text_excerpt.as_deref().unwrap().starts_with("plot-0,0,0\nplot-1,3,1"));
    assert_eq!(version.text_excerpt.as_deref().unwrap().chars().count(), 1000);
    assert_eq!(version.sha256, sha256_hex(&csv));

    let http = l.carlos.http();
    let url = l.app.url(&download_path(&id));
    let full = http.get(&url).bearer_auth(l.carlos.token().unwrap()).send().await.unwrap();
    assert_eq!(full.status().as_u16(), 200);
    let etag = full.headers().get("etag").unwrap().to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"{}\"", version.sha256));
    assert_eq!(full.headers().get("content-type").unwrap(), "text/csv");
    let disposition = full.headers().get("content-disposition").unwrap().to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''survey%20%C3%A9.csv"), "{disposition}");
    assert_eq!(full.bytes().await.unwrap().to_vec(), csv);

    let unchanged =
        http.get(&url).bearer_auth(l.carlos.token().unwrap()).header("If-None-Match", &etag).send().await.unwrap();
    assert_eq!(unchanged.status().as_u16(), 304);

    let part = http.get(&url).bearer_auth(l.carlos.token().unwrap()).header("Range", "bytes=6-9").send().await.unwrap();
    assert_eq!(part.status().as_u16(), 206);
    assert_eq!(part.headers().get("content-range").unwrap().to_str().unwrap(), format!("bytes 6-9/{}", csv.len()));
    assert_eq!(part.bytes().await.unwrap().to_vec(), csv[6..10].to_vec());
    let outside =
        http.get(&url).bearer_auth(l.carlos.token().unwrap()).header("Range", "bytes=999999-").send().await.unwrap();
    assert_eq!(
        outside.headers().get("content-range").unwrap().to_str().unwrap(),
        format!("bytes */{}", csv.len()),
        "a 416 tells the file's length"
    );
    assert_eq!(problem_of(outside).await.status, 416);

    // One full download counts; the 304, the range from byte 6 and the 416 do not.
    let after = l.carlos.call(&GetLibraryItem { id: id.clone() }).await.unwrap();
    assert_eq!(after.summary.download_count, 1);
    let popular = l
        .carlos
        .call(&ListLibraryItems { sort: Some(LibrarySort::MostDownloaded), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(popular.items[0].id, id);
}

#[tokio::test]
async fn a_new_version_becomes_current_and_the_old_one_stays_downloadable() {
    let l = library().await;
    let created = l.amina.call(&CreateLibraryItem(item("Composting checklist", ItemKind::Template))).await.unwrap();
    let id = created.summary.id;
    uploaded(upload(&l.app, &l.amina, &id, "checklist.md", "text/markdown", b"# Version one\n".to_vec(), "v1").await)
        .await;
    let second = uploaded(
        upload(&l.app, &l.amina, &id, "checklist.md", "text/markdown", b"# Version two\n".to_vec(), "v2").await,
    )
    .await;
    assert_eq!(second.summary.current_version.as_ref().map(|v| v.number), Some(2));
    let notes: Vec<&str> = second.versions.iter().map(|v| v.change_note.as_str()).collect();
    assert_eq!(notes, vec!["v2", "v1"]);
    let get = |path: String| {
        let client = l.carlos.clone();
        let url = l.app.url(&path);
        async move { client.http().get(url).bearer_auth(client.token().unwrap()).send().await.unwrap() }
    };
    assert_eq!(get(download_path(&id)).await.text().await.unwrap(), "# Version two\n");
    assert_eq!(get(version_download_path(&id, 1)).await.text().await.unwrap(), "# Version one\n");
    assert_eq!(get(version_download_path(&id, 3)).await.status().as_u16(), 404);
    // Only the owner (or a moderator) uploads.
    let refused = upload(&l.app, &l.carlos, &id, "x.md", "text/markdown", b"# Mine\n".to_vec(), "").await;
    assert_eq!(problem_of(refused).await.status, 403);
}

#[tokio::test]
async fn an_oversized_upload_is_413_and_leaves_no_file_and_no_version() {
    let l = library_with(|s| s.max_upload_bytes = 64 * 1024).await;
    let created = l.amina.call(&CreateLibraryItem(item("Huge scan", ItemKind::Document))).await.unwrap();
    let big = vec![b'a'; 200 * 1024];
    let response = upload(&l.app, &l.amina, &created.summary.id, "big.txt", "text/plain", big, "").await;
    let refused = problem_of(response).await;
    assert_eq!(refused.status, 413);
    assert_eq!(refused.code, copse_shared::ErrorCode::PayloadTooLarge);
    // A body just over the limit (its length not announced as far larger) is cut off
    // while streaming, and its parts are discarded too.
    let just_over = vec![b'a'; 64 * 1024 + 10];
    let response = upload(&l.app, &l.amina, &created.summary.id, "big.txt", "text/plain", just_over, "").await;
    assert_eq!(problem_of(response).await.status, 413);
    let left = files_under(&l.app.data_dir.join("files"));
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(version_rows(&l.app).await, 0);
    let item = l.amina.call(&GetLibraryItem { id: created.summary.id }).await.unwrap();
    assert!(item.versions.is_empty());
}

#[tokio::test]
async fn a_file_whose_bytes_contradict_its_declared_type_is_415() {
    let l = library().await;
    let created = l.amina.call(&CreateLibraryItem(item("Not a picture", ItemKind::Media))).await.unwrap();
    let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n".to_vec();
    let response = upload(&l.app, &l.amina, &created.summary.id, "photo.png", "image/png", pdf.clone(), "").await;
    let refused = problem_of(response).await;
    assert_eq!(refused.status, 415);
    assert_eq!(refused.code, copse_shared::ErrorCode::UnsupportedMediaType);
    let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    let response = upload(&l.app, &l.amina, &created.summary.id, "tool", "application/octet-stream", elf, "").await;
    assert_eq!(problem_of(response).await.status, 415);
    assert_eq!(version_rows(&l.app).await, 0);
    // The same PDF declared as what it is goes in.
    let item =
        uploaded(upload(&l.app, &l.amina, &created.summary.id, "doc.pdf", "application/pdf", pdf, "").await).await;
    let version = item.summary.current_version.unwrap();
    assert_eq!((version.content_type.as_str(), version.preview), ("application/pdf", PreviewKind::None));
}

#[tokio::test]
async fn a_path_traversal_file_name_is_stored_safely_and_shown_sanitized() {
    let l = library().await;
    let created = l.amina.call(&CreateLibraryItem(item("Sneaky", ItemKind::Document))).await.unwrap();
    let id = created.summary.id.clone();
    let response =
        upload(&l.app, &l.amina, &id, "../../etc/passwd.txt", "text/plain", b"root:x:0:0".to_vec(), "").await;
    let item = uploaded(response).await;
    assert_eq!(item.summary.current_version.unwrap().file_name, "passwd.txt");
    let stored = files_under(&l.app.data_dir.join("files"));
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(stored[0].contains(&format!("items/{id}/")) && !stored[0].contains("passwd"), "{stored:?}");
    assert!(!l.app.data_dir.join("etc").exists());
    let download = l.carlos.http().get(l.app.url(&download_path(&id))).send().await.unwrap();
    // Public reading is off: anonymous is 401.
    assert_eq!(download.status().as_u16(), 401);
    let download = l
        .carlos
        .http()
        .get(l.app.url(&download_path(&id)))
        .bearer_auth(l.carlos.token().unwrap())
        .send()
        .await
        .unwrap();
    let disposition = download.headers().get("content-disposition").unwrap().to_str().unwrap();
    assert_eq!(disposition, "attachment; filename=\"passwd.txt\"; filename*=UTF-8''passwd.txt");
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A PNG header declaring `width` x `height` RGBA pixels, with a tiny (truncated) body.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

/// A real 2 x 2 RGBA PNG (one zlib stored block).
fn small_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = 2u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&2u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    png.extend(png_chunk(b"IHDR", &ihdr));
    let raw: Vec<u8> = [0u8, 255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 0, 255, 255, 255, 255, 255, 255].to_vec();
    // zlib: header, one final stored block, Adler-32.
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend_from_slice(&(raw.len() as u16).to_le_bytes());
    zlib.extend_from_slice(&(!(raw.len() as u16)).to_le_bytes());
    zlib.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    png.extend(png_chunk(b"IDAT", &zlib));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

#[tokio::test]
async fn images_get_thumbnails_and_a_decompression_bomb_gets_none_quickly() {
    let l = library().await;
    let created = l.amina.call(&CreateLibraryItem(item("Field photo", ItemKind::Media))).await.unwrap();
    let id = created.summary.id.clone();
    let item = uploaded(upload(&l.app, &l.amina, &id, "photo.png", "image/png", small_png(), "").await).await;
    assert_eq!(item.summary.current_version.unwrap().preview, PreviewKind::Image);
    let preview =
        l.carlos.http().get(l.app.url(&preview_path(&id))).bearer_auth(l.carlos.token().unwrap()).send().await.unwrap();
    assert_eq!(preview.status().as_u16(), 200);
    assert_eq!(preview.headers().get("content-type").unwrap(), "image/png");
    assert!(preview.bytes().await.unwrap().starts_with(b"\x89PNG"));

    let bomb = png_declaring(100_000, 100_000);
    assert!(bomb.len() < 100);
    let item = uploaded(upload(&l.app, &l.amina, &id, "bomb.png", "image/png", bomb, "").await).await;
    assert_eq!(item.summary.current_version.unwrap().preview, PreviewKind::None);
    let none =
        l.carlos.http().get(l.app.url(&preview_path(&id))).bearer_auth(l.carlos.token().unwrap()).send().await.unwrap();
    assert_eq!(problem_of(none).await.status, 404);
}

/// A one-page PDF (400 x 200 pt) with a line of Helvetica text and a filled rectangle,
/// with a correct cross-reference table.
fn small_pdf(label: &str) -> Vec<u8> {
    let content = format!("BT /F1 24 Tf 30 140 Td ({label}) Tj ET 0.2 0.4 0.7 rg 30 30 240 60 re f");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut text = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(text.len());
        text.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    let xref = text.len();
    text.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for offset in offsets {
        text.push_str(&format!("{offset:010} 00000 n \n"));
    }
    text.push_str(&format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1));
    text.into_bytes()
}

#[tokio::test]
async fn a_pdf_gets_a_thumbnail_of_its_first_page_and_a_broken_pdf_gets_none() {
    let l = library().await;
    let created = l.amina.call(&CreateLibraryItem(item("Soil guide", ItemKind::Document))).await.unwrap();
    let id = created.summary.id.clone();
    let pdf = small_pdf("Soil testing guide");
    let item = uploaded(upload(&l.app, &l.amina, &id, "guide.pdf", "application/pdf", pdf.clone(), "").await).await;
    let version = item.summary.current_version.unwrap();
    assert_eq!(version.content_type, "application/pdf");
    assert_eq!(version.preview, PreviewKind::Image);
    let preview =
        l.carlos.http().get(l.app.url(&preview_path(&id))).bearer_auth(l.carlos.token().unwrap()).send().await.unwrap();
    assert_eq!(preview.status().as_u16(), 200);
    let png = preview.bytes().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    // The IHDR chunk: a 400 x 200 pt page fits the 320 px box as 320 x 160.
    let (width, height) =
        (u32::from_be_bytes(png[16..20].try_into().unwrap()), u32::from_be_bytes(png[20..24].try_into().unwrap()));
    assert_eq!((width, height), (320, 160));

    // A file that starts like a PDF but is not one is still stored, without a preview.
    let mut broken = b"%PDF-1.4\n".to_vec();
    broken.extend(std::iter::repeat_n(b'x', 500));
    let item = uploaded(upload(&l.app, &l.amina, &id, "broken.pdf", "application/pdf", broken, "").await).await;
    assert_eq!(item.summary.current_version.unwrap().preview, PreviewKind::None);
    assert_eq!(item.versions.len(), 2);
}

#[tokio::test]
async fn private_group_items_are_invisible_to_non_members_and_absent_from_lists() {
    let l = library().await;
    let amina = [(&l.amina, "amina@example.org")];
    let group = copse_tests::group_with(&l.admin, "Steering", GroupVisibility::Private, &amina).await;
    let mut request = item("Budget 2027", ItemKind::Document);
    request.group = Some(group.slug.clone());
    let secret = l.amina.call(&CreateLibraryItem(request.clone())).await.unwrap();
    assert_eq!(secret.summary.group.as_ref().map(|g| g.slug.as_str()), Some(group.slug.as_str()));
    uploaded(upload(&l.app, &l.amina, &secret.summary.id, "budget.csv", "text/csv", b"a,b\n1,2\n".to_vec(), "").await)
        .await;

    assert_eq!(problem(l.carlos.call(&GetLibraryItem { id: secret.summary.id.clone() }).await).status, 404);
    let download = l
        .carlos
        .http()
        .get(l.app.url(&download_path(&secret.summary.id)))
        .bearer_auth(l.carlos.token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(problem_of(download).await.status, 404);
    assert!(l.carlos.call(&ListLibraryItems::default()).await.unwrap().items.is_empty());
    let hidden_group = problem(l.carlos.call(&CreateLibraryItem(request)).await);
    assert_eq!(hidden_group.field("group").map(|e| e.code.as_str()), Some("unknown"));
    // The discussion topic is in the same group, so it is hidden too.
    let topic = secret.topic_id.clone().unwrap();
    assert_eq!(problem(l.carlos.call(&GetTopic { id: topic }).await).status, 404);

    let mine = l.amina.call(&ListLibraryItems { group: Some(group.slug.clone()), ..Default::default() }).await.unwrap();
    assert_eq!(mine.items.len(), 1);
    assert_eq!(l.admin.call(&ListLibraryItems::default()).await.unwrap().items.len(), 1);
}

#[tokio::test]
async fn the_items_discussion_topic_exists_and_accepts_replies() {
    let l = library().await;
    let created = l.amina.call(&CreateLibraryItem(item("Soil testing guide", ItemKind::Document))).await.unwrap();
    let topic_id = created.topic_id.clone().unwrap();
    let topic = l.carlos.call(&GetTopic { id: topic_id.clone() }).await.unwrap();
    assert_eq!(topic.summary.title, "Soil testing guide");
    assert_eq!(topic.summary.category.slug, "library");
    assert!(topic.opening_post.body_html.contains(&format!("/library/{}", created.summary.id)));
    let body = CreatePostRequest { body: "Page 4 saved our season.".into(), quote_post_id: None };
    l.carlos.call(&CreatePost { id: topic_id.clone(), body }).await.unwrap();
    let posts = l.amina.call(&ListPosts { id: topic_id, ..Default::default() }).await.unwrap();
    assert_eq!(posts.items.len(), 2);
    // A second item reuses the category.
    let second = l.carlos.call(&CreateLibraryItem(item("Another guide", ItemKind::Document))).await.unwrap();
    let again = l.carlos.call(&GetTopic { id: second.topic_id.unwrap() }).await.unwrap();
    assert_eq!(again.summary.category.id, topic.summary.category.id);
}

#[tokio::test]
async fn deleting_removes_files_leaves_a_tombstone_and_is_audited_for_moderators() {
    let l = library().await;
    let created = l.amina.call(&CreateLibraryItem(item("Old draft", ItemKind::Document))).await.unwrap();
    let id = created.summary.id.clone();
    uploaded(upload(&l.app, &l.amina, &id, "draft.txt", "text/plain", b"draft".to_vec(), "").await).await;
    assert_eq!(problem(l.carlos.call(&DeleteLibraryItem { id: id.clone() }).await).status, 403);
    let answer = l.admin.call_with(&DeleteLibraryItem { id: id.clone() }, &[]).await.unwrap();
    assert_eq!(answer.status, 204);
    assert_eq!(problem(l.amina.call(&GetLibraryItem { id: id.clone() }).await).status, 404);
    assert!(files_under(&l.app.data_dir.join("files")).is_empty());
    let audit = l.admin.call(&ListAudit::default()).await.unwrap();
    assert!(audit.items.iter().any(|e| e.action == "library.delete" && e.target_id == id));
}

#[tokio::test]
async fn deleting_while_the_store_is_unavailable_is_503_and_changes_nothing() {
    let l = library().await;
    let created = l.amina.call(&CreateLibraryItem(item("Keep me", ItemKind::Document))).await.unwrap();
    let id = created.summary.id.clone();
    uploaded(upload(&l.app, &l.amina, &id, "keep.txt", "text/plain", b"precious".to_vec(), "").await).await;
    let files = l.app.data_dir.join("files");
    let aside = l.app.data_dir.join("files-aside");
    std::fs::rename(&files, &aside).unwrap();
    std::fs::write(&files, b"not a directory").unwrap();

    let refused = problem(l.amina.call(&DeleteLibraryItem { id: id.clone() }).await);
    assert_eq!(refused.status, 503);
    assert_eq!(refused.code, copse_shared::ErrorCode::ServiceUnavailable);

    std::fs::remove_file(&files).unwrap();
    std::fs::rename(&aside, &files).unwrap();
    let item = l.amina.call(&GetLibraryItem { id: id.clone() }).await.unwrap();
    assert_eq!(item.versions.len(), 1);
    let download =
        l.amina.http().get(l.app.url(&download_path(&id))).bearer_auth(l.amina.token().unwrap()).send().await;
    assert_eq!(download.unwrap().text().await.unwrap(), "precious");
}

#[tokio::test]
async fn the_demo_library_seeds_once_with_files_links_and_discussions() {
    let l = library().await;
    let mut settings = copse::config::Settings::defaults();
    settings.data_dir = l.app.data_dir.clone();
    copse::seed::demo(&l.app.db).await.unwrap();
    let first = copse::seed::library(&l.app.db, &settings).await.unwrap();
    let again = copse::seed::library(&l.app.db, &settings).await.unwrap();
    assert_eq!(again, "library already seeded", "{first}");
    let (demo, _) = l.app.login(copse::seed::DEMO_EMAIL_FOR_TESTS, copse::seed::DEMO_PASSWORD).await.unwrap();
    let shelf = demo.call(&ListLibraryItems::default()).await.unwrap();
    assert_eq!(shelf.items.len(), 5);
    assert!(shelf.items.iter().any(|i| i.kind == ItemKind::Link && i.url.is_some()));
    let with_file = shelf.items.iter().find(|i| i.current_version.is_some()).unwrap();
    let full = demo.call(&GetLibraryItem { id: with_file.id.clone() }).await.unwrap();
    assert!(full.topic_id.is_some());
    let download = demo
        .http()
        .get(l.app.url(&download_path(&with_file.id)))
        .bearer_auth(demo.token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(download.status().as_u16(), 200);
}

#[tokio::test]
async fn an_interrupted_upload_leaves_no_version_and_no_file() {
    use tokio::io::AsyncWriteExt;
    let l = library().await;
    let created = l.amina.call(&CreateLibraryItem(item("Cut short", ItemKind::Document))).await.unwrap();
    let address = l.app.base_url.trim_start_matches("http://").to_owned();
    let boundary = "copse-test-boundary";
    // The body announces 10 MB, sends 240 KB of the file part, and the client goes away.
    let mut request = format!(
        "POST {} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 10000000\r\n\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n",
        upload_path(&created.summary.id),
        l.amina.token().unwrap()
    )
    .into_bytes();
    request.extend(b"field notes ".repeat(20_000));
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream.write_all(&request).await.unwrap();
    stream.flush().await.unwrap();
    // Wait (by polling, with a deadline) until the server is storing the file, so the
    // test really interrupts an upload in progress rather than one never begun.
    let files = l.app.data_dir.join("files");
    let deadline = Instant::now() + Duration::from_secs(20);
    while files_under(&files).is_empty() {
        assert!(Instant::now() < deadline, "the server never started storing the upload");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(stream);
    // The abort runs when the server sees the payload end early.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !files_under(&files).is_empty() {
        assert!(Instant::now() < deadline, "the interrupted upload's parts were never removed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(version_rows(&l.app).await, 0);
}

// On an S3-compatible store (an S3 server in the test process, signatures checked).

#[tokio::test]
async fn on_s3_uploads_versions_ranges_previews_and_deletion_work_and_nothing_touches_the_data_directory() {
    let s3 = S3Server::start().await;
    let l = library_with(|s| s3.configure(s, "community-a")).await;
    let created = l.amina.call(&CreateLibraryItem(item("Rainfall records", ItemKind::Dataset))).await.unwrap();
    let id = created.summary.id.clone();
    // Over 5 MB, so the store receives it as a real multipart upload of two parts.
    let csv: Vec<u8> = (0..400_000).map(|i| format!("station-{i},{}\n", i % 97)).collect::<String>().into_bytes()
        [..6_000_000]
        .to_vec();
    let first = uploaded(upload(&l.app, &l.amina, &id, "rain.csv", "text/csv", csv.clone(), "2025").await).await;
    assert_eq!(first.summary.current_version.as_ref().unwrap().sha256, sha256_hex(&csv));
    uploaded(upload(&l.app, &l.amina, &id, "rain.png", "image/png", small_png(), "chart").await).await;

    let stored = files_under(&s3.bucket_dir().join("community-a"));
    assert_eq!(stored.len(), 3, "two versions and one preview under the prefix: {stored:?}");
    assert!(files_under(&l.app.data_dir.join("files")).is_empty(), "nothing is stored locally");

    let get = |path: String, range: Option<&'static str>| {
        let client = l.carlos.clone();
        let url = l.app.url(&path);
        async move {
            let mut request = client.http().get(url).bearer_auth(client.token().unwrap());
            if let Some(range) = range {
                request = request.header("Range", range);
            }
            request.send().await.unwrap()
        }
    };
    assert_eq!(get(version_download_path(&id, 1), None).await.bytes().await.unwrap().to_vec(), csv);
    let part = get(version_download_path(&id, 1), Some("bytes=5999990-")).await;
    assert_eq!(part.status().as_u16(), 206);
    assert_eq!(part.bytes().await.unwrap().to_vec(), csv[5_999_990..].to_vec());
    assert_eq!(get(download_path(&id), None).await.bytes().await.unwrap().to_vec(), small_png());
    let preview = get(preview_path(&id), None).await;
    assert_eq!(preview.status().as_u16(), 200);
    assert!(preview.bytes().await.unwrap().starts_with(b"\x89PNG"));

    assert_eq!(l.amina.call_with(&DeleteLibraryItem { id: id.clone() }, &[]).await.unwrap().status, 204);
    let left = files_under(&s3.bucket_dir());
    assert!(left.is_empty(), "deleting the item deletes its objects: {left:?}");
}

#[tokio::test]
async fn on_s3_an_oversized_upload_leaves_no_object_and_no_staged_part() {
    let s3 = S3Server::start().await;
    let l = library_with(|s| {
        s3.configure(s, "");
        s.max_upload_bytes = 6 * 1024 * 1024;
    })
    .await;
    let created = l.amina.call(&CreateLibraryItem(item("Too big", ItemKind::Document))).await.unwrap();
    // The first 5 MB part reaches the store before the limit is crossed.
    let response =
        upload(&l.app, &l.amina, &created.summary.id, "big.txt", "text/plain", vec![b'a'; 6 * 1024 * 1024 + 10], "")
            .await;
    assert_eq!(problem_of(response).await.status, 413);
    // s3s-fs keeps each part as `.upload_id-{id}.part-{n}` (with `.upload*` metadata)
    // in its root until the upload completes or is aborted.
    let staged: Vec<String> = files_under(s3.root_dir()).into_iter().filter(|f| f.contains(".upload")).collect();
    assert!(staged.is_empty(), "the multipart upload is aborted: {staged:?}");
    assert!(files_under(&s3.bucket_dir()).is_empty(), "and no object is left");
    assert_eq!(version_rows(&l.app).await, 0);
}

#[tokio::test]
async fn on_s3_deleting_while_the_store_is_down_is_503_and_changes_nothing() {
    let mut s3 = S3Server::start().await;
    let l = library_with(|s| s3.configure(s, "")).await;
    let created = l.amina.call(&CreateLibraryItem(item("Keep me too", ItemKind::Document))).await.unwrap();
    let id = created.summary.id.clone();
    uploaded(upload(&l.app, &l.amina, &id, "keep.txt", "text/plain", b"precious".to_vec(), "").await).await;
    s3.stop();
    let refused = problem(l.amina.call(&DeleteLibraryItem { id: id.clone() }).await);
    assert_eq!(refused.status, 503);
    assert_eq!(refused.code, copse_shared::ErrorCode::ServiceUnavailable);
    let item = l.amina.call(&GetLibraryItem { id }).await.unwrap();
    assert_eq!(item.versions.len(), 1, "the item and its version are kept");
    assert_eq!(files_under(&s3.bucket_dir()).len(), 1, "and so is its object");
}

#[tokio::test]
async fn copse_refuses_to_start_when_the_s3_store_rejects_its_key_or_cannot_be_reached() {
    let s3 = S3Server::start().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = |tweak: &dyn Fn(&mut copse::config::Settings)| {
        let mut settings = copse::config::Settings::defaults();
        settings.bind = "127.0.0.1:0".to_owned();
        settings.data_dir = dir.path().to_path_buf();
        settings.database_url = Some(format!("sqlite://{}/copse.db?mode=rwc", dir.path().display()));
        s3.configure(&mut settings, "");
        tweak(&mut settings);
        settings
    };
    let wrong_key =
        settings(&|s| s.s3.secret_access_key = Some("not-the-secret-key-of-this-server-000".parse().unwrap()));
    let error = copse::Application::build(wrong_key).await.err().expect("a wrong key stops the start");
    assert!(format!("{error:#}").contains("file store"), "{error:#}");
    // A missing bucket fails the same probe on real S3 (a write answers NoSuchBucket);
    // s3s-fs creates directories on write, so that case cannot be shown here.
    let refused_port = settings(&|s| s.s3.endpoint = Some("http://127.0.0.1:1".to_owned()));
    let error = copse::Application::build(refused_port).await.err().expect("an unreachable store stops the start");
    assert!(format!("{error:#}").contains("file store"), "{error:#}");
    // The right settings start.
    assert!(copse::Application::build(settings(&|_| {})).await.is_ok());
}

#[tokio::test]
async fn a_library_page_is_kept_for_readers_who_see_the_same_items_and_every_write_shows_at_once() {
    let l = library_with(|s| {
        s.expose_sql_count = true;
        // Kept for a minute: anything seen fresh below was made fresh by a write.
        s.community_cache_ms = 60_000;
        s.writes_per_minute = 10_000;
    })
    .await;
    let steering =
        copse_tests::group_with(&l.admin, "Steering", GroupVisibility::Private, &[(&l.amina, "amina@example.org")])
            .await;
    let link = |title: &str| CreateLibraryItemRequest {
        url: Some("https://example.org/doc".into()),
        ..item(title, ItemKind::Link)
    };
    l.admin.call(&CreateLibraryItem(link("Soil guide"))).await.unwrap();
    let mut budget = link("Budget sheet");
    budget.group = Some(steering.slug.clone());
    l.amina.call(&CreateLibraryItem(budget)).await.unwrap();
    assert_eq!(library_as(&l.app, &l.carlos).await.1, ["Soil guide"]);
    assert_eq!(
        library_as(&l.app, &l.carlos).await,
        (0, vec!["Soil guide".to_owned()]),
        "the same page again, from memory"
    );
    assert_eq!(
        library_as(&l.app, &l.amina).await.1,
        ["Budget sheet", "Soil guide"],
        "a member of the group reads its own page"
    );
    assert_eq!(library_as(&l.app, &l.carlos).await.1, ["Soil guide"], "never the group member's page");

    l.carlos.call(&CreateLibraryItem(link("Seed list"))).await.unwrap();
    assert_eq!(library_as(&l.app, &l.carlos).await.1, ["Seed list", "Soil guide"], "a new item shows at once");
}

/// The library's first page as `who` sees it: the statements and the items' titles.
async fn library_as(app: &TestApp, who: &Client) -> (u32, Vec<String>) {
    let (count, page): (u32, copse_shared::Page<LibraryItemSummary>) = app.counted_get(who, "/api/v1/library").await;
    (count, page.items.into_iter().map(|i| i.title).collect())
}
