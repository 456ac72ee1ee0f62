//! Keyset pagination helpers shared by every list: opaque cursors, bounded page sizes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use copse_shared::pagination::{DEFAULT_LIMIT, MAX_LIMIT};

use crate::error::{ApiError, ApiResult};

/// A position in a list ordered by a timestamp and an id.
#[derive(Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The timestamp of the last item seen.
    pub at: DateTime<Utc>,
    /// Its id, the tie-breaker.
    pub id: String,
}

impl Cursor {
    /// A cursor after this item.
    pub fn new(at: DateTime<Utc>, id: &str) -> Self {
        Self { at, id: id.to_owned() }
    }

    /// The opaque form.
    pub fn encode(&self) -> String {
        encode_text(&format!("{}|{}", self.at.to_rfc3339(), self.id))
    }

    /// Parses an opaque cursor, refusing anything this server did not produce.
    pub fn decode(cursor: &str) -> ApiResult<Self> {
        let text = decode_text(cursor)?;
        let (at, id) = text.split_once('|').ok_or_else(invalid)?;
        let at = DateTime::parse_from_rfc3339(at).map_err(|_| invalid())?.with_timezone(&Utc);
        Ok(Self { at, id: id.to_owned() })
    }
}

/// The keyset condition "strictly after this cursor" for a list ordered by
/// `at DESC, id DESC`: every newest-first list uses it.
pub fn older_than<C: sea_orm::ColumnTrait>(cursor: &Cursor, at: C, id: C) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(at.lt(cursor.at))
        .add(sea_orm::Condition::all().add(at.eq(cursor.at)).add(id.lt(cursor.id.clone())))
}

/// A position in a list ordered by a text key (a name) and an id.
#[derive(Debug, PartialEq, Eq)]
pub struct TextCursor {
    /// The sort key of the last item seen.
    pub key: String,
    /// Its id.
    pub id: String,
}

impl TextCursor {
    /// The opaque form.
    pub fn encode(key: &str, id: &str) -> String {
        encode_text(&format!("{id}|{key}"))
    }

    /// Parses an opaque cursor.
    pub fn decode(cursor: &str) -> ApiResult<Self> {
        let text = decode_text(cursor)?;
        let (id, key) = text.split_once('|').ok_or_else(invalid)?;
        Ok(Self { key: key.to_owned(), id: id.to_owned() })
    }
}

fn encode_text(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

fn decode_text(cursor: &str) -> ApiResult<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    String::from_utf8(bytes).map_err(|_| invalid())
}

fn invalid() -> ApiError {
    ApiError::bad_request("The cursor is not valid; start again from the first page.")
}

/// Clamps a requested page size.
pub fn page_size(limit: Option<u64>) -> ApiResult<u64> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::field("limit", "out_of_range", format!("Use a limit between 1 and {MAX_LIMIT}."))),
    }
}

/// Given `limit + 1` rows, keeps `limit` and returns the cursor after the last kept
/// row when more exist.
pub fn split<T>(mut rows: Vec<T>, limit: u64, cursor_of: impl Fn(&T) -> String) -> (Vec<T>, Option<String>) {
    if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        let next = rows.last().map(cursor_of);
        (rows, next)
    } else {
        (rows, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let at = Utc::now();
        let cursor = Cursor::new(at, "abc");
        assert_eq!(Cursor::decode(&cursor.encode()).ok(), Some(cursor));
        assert!(Cursor::decode("!!!").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("no separator")).is_err());
        let text = TextCursor::decode(&TextCursor::encode("Soil | health", "id1")).ok();
        assert_eq!(text, Some(TextCursor { key: "Soil | health".into(), id: "id1".into() }));
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert_eq!(page_size(None).ok(), Some(DEFAULT_LIMIT));
        assert!(page_size(Some(0)).is_err());
        assert!(page_size(Some(MAX_LIMIT + 1)).is_err());
    }

    #[test]
    fn split_keeps_the_limit_and_points_after_the_last_kept_row() {
        let (rows, next) = split(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!((rows, next), (vec![1, 2], Some("2".to_owned())));
        let (rows, next) = split(vec![1, 2], 2, |n| n.to_string());
        assert_eq!((rows, next), (vec![1, 2], None));
    }
}
