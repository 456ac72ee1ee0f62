//! Previews: PNG thumbnails of images and of PDFs' first pages, made after an upload
//! completes, on the blocking pool, at most two at a time. For images the header's
//! dimensions are checked before anything is decoded and the decoder runs under
//! `image::Limits`, so a decompression bomb (a tiny file declaring a huge picture) is
//! refused before it can allocate; PDFs are rendered by `pdf` with its own checks.
//! Text excerpts are taken during the upload (`files::text_excerpt`); other files get
//! no preview, and clients show an icon by kind.

use std::io::Cursor;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::load_item;
use crate::entities::library_version;
use crate::error::{ApiError, ApiResult};
use crate::policy::Actor;
use crate::state::AppState;

/// Largest image file a thumbnail is made of.
const MAX_SOURCE_BYTES: u64 = 20 * 1024 * 1024;
/// Largest width or height decoded.
const MAX_DIMENSION: u32 = 8_000;
/// Most pixels decoded (about 160 MB as RGBA).
const MAX_PIXELS: u64 = 40_000_000;
/// The thumbnail's bounding box.
const THUMBNAIL: u32 = 320;
/// Previews rendered at once.
static RENDERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Where a version's thumbnail is stored.
pub fn preview_key(version_id: &str) -> String {
    format!("previews/{version_id}.png")
}

/// Decodes an image under the bomb protections: the header's dimensions are checked
/// first, then the decoder runs under `image::Limits`. Pure and blocking; also used
/// for avatars.
pub fn decode_limited(bytes: &[u8]) -> Result<image::DynamicImage, String> {
    let reader = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    let (width, height) = reader.into_dimensions().map_err(|e| e.to_string())?;
    if width > MAX_DIMENSION || height > MAX_DIMENSION || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!("{width}x{height} is too large to preview"));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(256 * 1024 * 1024);
    let mut reader = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    reader.limits(limits);
    reader.decode().map_err(|e| e.to_string())
}

/// Makes a PNG thumbnail of an image or of a PDF's first page, or explains why not.
/// Pure and blocking.
pub fn thumbnail(bytes: &[u8]) -> Result<Vec<u8>, String> {
    if bytes.starts_with(b"%PDF-") {
        return super::pdf::first_page_png(bytes, THUMBNAIL);
    }
    let picture = decode_limited(bytes)?;
    let small = picture.thumbnail(THUMBNAIL, THUMBNAIL);
    let mut out = Vec::new();
    small.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Makes and stores the thumbnail of an uploaded image or PDF and marks the version as
/// having one. Failures are logged and leave the version without a preview.
pub async fn make_image_preview(state: &AppState, version_id: &str, key: &str, size: u64) {
    if size > MAX_SOURCE_BYTES {
        return;
    }
    let outcome: ApiResult<Result<Vec<u8>, String>> = async {
        let bytes = state.files.read(key).await?;
        // Rendering is CPU-bound: a burst of uploads must not occupy every blocking thread.
        let _permit = RENDERS.acquire().await.map_err(ApiError::internal)?;
        Ok(tokio::task::spawn_blocking(move || thumbnail(&bytes)).await?)
    }
    .await;
    let png = match outcome {
        Ok(Ok(png)) => png,
        Ok(Err(reason)) => {
            tracing::info!(version = version_id, reason, "no preview for this image");
            return;
        }
        Err(error) => {
            tracing::warn!(version = version_id, error = %error, "making a preview failed");
            return;
        }
    };
    let stored = async {
        state.files.put(&preview_key(version_id), Bytes::from(png)).await?;
        library_version::Entity::update_many()
            .col_expr(library_version::Column::Preview, Expr::value("image"))
            .filter(library_version::Column::Id.eq(version_id.to_owned()))
            .exec(&state.db)
            .await?;
        Ok::<_, ApiError>(())
    }
    .await;
    if let Err(error) = stored {
        tracing::warn!(version = version_id, error = %error, "storing a preview failed");
    }
}

/// The current version's thumbnail, if it has one.
pub async fn image(
    state: &AppState,
    actor: &Actor,
    item_id: &str,
) -> ApiResult<BoxStream<'static, object_store::Result<Bytes>>> {
    let ctx = load_item(state, actor, item_id).await?;
    let Some(current) = &ctx.item.current_version_id else {
        return Err(ApiError::not_found());
    };
    let version = library_version::Entity::find_by_id(current.clone())
        .one(&state.db)
        .await?
        .filter(|v| v.preview == "image")
        .ok_or_else(ApiError::not_found)?;
    state.files.stream(&preview_key(&version.id), None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_declaring_a_huge_size_is_refused_from_its_header() {
        // A valid PNG signature and IHDR chunk declaring 100000 x 100000 pixels.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&100_000u32.to_be_bytes());
        png.extend_from_slice(&100_000u32.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0]);
        png.extend_from_slice(&[0, 0, 0, 0]);
        let outcome = thumbnail(&png);
        assert!(outcome.is_err(), "{outcome:?}");
    }
}
