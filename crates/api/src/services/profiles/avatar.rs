//! Avatars: an uploaded picture is checked against its magic bytes (the library's
//! `check_content_type`), decoded under the library's bomb protections
//! (`preview::decode_limited`), cropped to a square and re-encoded as PNG at each
//! fixed size. Re-encoding keeps only pixels, so EXIF (location, camera) and any
//! other metadata never reach the store. The original is not kept.

use std::io::Cursor;

use actix_web::http::StatusCode;
use bytes::Bytes;
use chrono::Utc;
use copse_shared::ErrorCode;
use copse_shared::profiles::{AvatarSize, AvatarUrls, MAX_AVATAR_BYTES};
use futures_util::stream::BoxStream;
use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, Set};
use uuid::Uuid;

use super::{avatar_urls, load_active};
use crate::entities::profile;
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::library::{files, preview};
use crate::state::AppState;

/// Where one size of an avatar version is stored.
fn key(user_id: &str, version: &str, size: AvatarSize) -> String {
    format!("avatars/{user_id}/{version}/{}.png", size.as_str())
}

/// The 413 of an avatar too large.
pub fn too_large() -> ApiError {
    ApiError::client(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        format!("Avatars may be at most {MAX_AVATAR_BYTES} bytes."),
    )
}

/// Resizes a decoded picture to every size, as PNG. Pure and blocking.
fn render_sizes(bytes: &[u8]) -> Result<Vec<(AvatarSize, Vec<u8>)>, String> {
    let picture = preview::decode_limited(bytes)?;
    let mut out = Vec::new();
    for size in AvatarSize::ALL {
        let edge = size.pixels();
        let square = picture.resize_to_fill(edge, edge, image::imageops::FilterType::Lanczos3);
        let mut png = Vec::new();
        square.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png).map_err(|e| e.to_string())?;
        out.push((size, png));
    }
    Ok(out)
}

/// Replaces the actor's avatar with an uploaded picture: 415 if it is not a PNG,
/// JPEG, GIF or WebP by its bytes, 422 if it cannot be decoded safely (a
/// decompression bomb, a truncated file). Nothing is stored unless every size is made.
pub async fn set(
    state: &AppState,
    actor: &Actor,
    bytes: Vec<u8>,
    file_name: Option<&str>,
    declared_type: Option<&str>,
) -> ApiResult<AvatarUrls> {
    policy::require(actor, Action::ManageOwnAccount, &Resource::Community)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    if bytes.is_empty() {
        return Err(ApiError::field("file", "required", "The file is empty."));
    }
    if bytes.len() as u64 > MAX_AVATAR_BYTES {
        return Err(too_large());
    }
    let head = &bytes[..bytes.len().min(8 * 1024)];
    let content_type = files::check_content_type(declared_type, file_name.unwrap_or_default(), head)?;
    if !content_type.starts_with("image/") {
        return Err(ApiError::client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "An avatar must be a PNG, JPEG, GIF or WebP picture.",
        ));
    }
    let sizes = tokio::task::spawn_blocking(move || render_sizes(&bytes))
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?
        .map_err(|reason| {
            tracing::info!(reason, "avatar refused");
            ApiError::field(
                "file",
                "invalid_image",
                "This picture cannot be used: it is damaged or too large in pixels (at most 8000 × 8000).",
            )
        })?;
    let loaded = load_active(&state.db, &me.id).await?;
    let old = loaded.profile.as_ref().and_then(|p| p.avatar_version.clone());
    let version = Uuid::new_v4().simple().to_string();
    let mut written: Vec<String> = Vec::new();
    for (size, png) in sizes {
        let key = key(&me.id, &version, size);
        if let Err(error) = state.files.put(&key, Bytes::from(png)).await {
            for key in &written {
                let _ = state.files.delete(key).await;
            }
            return Err(error);
        }
        written.push(key);
    }
    let saved = set_version(&state.db, &me.id, Some(version.clone())).await;
    if let Err(error) = saved {
        for key in &written {
            let _ = state.files.delete(key).await;
        }
        return Err(error);
    }
    if let Some(old) = old {
        remove_files(state, &me.id, &old).await;
    }
    let fresh = load_active(&state.db, &me.id).await?;
    avatar_urls(&me.id, fresh.profile.as_ref()).ok_or_else(ApiError::not_found)
}

/// Sets (or clears) the avatar version, creating the profile row if needed.
async fn set_version(db: &impl sea_orm::ConnectionTrait, user_id: &str, version: Option<String>) -> ApiResult<()> {
    let row = profile::ActiveModel {
        user_id: Set(user_id.to_owned()),
        headline: Set(None),
        organisation: Set(None),
        job_title: Set(None),
        country: Set(None),
        city: Set(None),
        time_zone: Set(None),
        bio: Set(String::new()),
        bio_html: Set(String::new()),
        links: Set("[]".to_owned()),
        email_visibility: Set("nobody".to_owned()),
        links_visibility: Set("nobody".to_owned()),
        allow_contact: Set(false),
        avatar_version: Set(version),
        search_text: Set(String::new()),
        updated_at: Set(Utc::now()),
    };
    profile::Entity::insert(row)
        .on_conflict(
            OnConflict::column(profile::Column::UserId)
                .update_columns([profile::Column::AvatarVersion, profile::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Removes a version's files; failures are logged (the row no longer points to them).
pub async fn remove_files(state: &AppState, user_id: &str, version: &str) {
    for size in AvatarSize::ALL {
        if let Err(error) = state.files.delete(&key(user_id, version, size)).await {
            tracing::warn!(error = %error, "removing an old avatar failed");
        }
    }
}

/// Removes the actor's avatar (harmless if there is none).
pub async fn clear(state: &AppState, actor: &Actor) -> ApiResult<()> {
    policy::require(actor, Action::ManageOwnAccount, &Resource::Community)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let loaded = load_active(&state.db, &me.id).await?;
    let Some(version) = loaded.profile.as_ref().and_then(|p| p.avatar_version.clone()) else { return Ok(()) };
    set_version(&state.db, &me.id, None).await?;
    remove_files(state, &me.id, &version).await;
    Ok(())
}

/// A member's avatar at one size: the PNG stream and its version (the ETag).
pub async fn image(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    size: &str,
) -> ApiResult<(BoxStream<'static, object_store::Result<Bytes>>, String)> {
    policy::require(actor, Action::ReadAvatar, &Resource::Community)?;
    let size = AvatarSize::parse(size).ok_or_else(ApiError::not_found)?;
    let loaded = load_active(&state.db, user_id).await?;
    let version = loaded.profile.and_then(|p| p.avatar_version).ok_or_else(ApiError::not_found)?;
    let stream = state.files.stream(&key(user_id, &version, size), None).await?;
    Ok((stream, version))
}
