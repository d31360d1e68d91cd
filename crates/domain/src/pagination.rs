//! Cursor pagination: a page size within bounds and an opaque cursor that
//! says where the next page starts.
//!
//! The cursor wraps the sort key of the last item returned (ids are
//! time-ordered UUIDv7, so the id alone is the key). It is base64url-encoded
//! with a version prefix so its format can change without breaking clients
//! that hold an old one: they get a clear "invalid cursor" instead.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::FieldError;

const CURSOR_VERSION: &str = "v1:";

/// How many items a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimit(u16);

impl PageLimit {
    pub const DEFAULT: u16 = 50;
    pub const MAX: u16 = 200;

    pub fn parse(input: Option<u32>) -> Result<Self, FieldError> {
        match input {
            None => Ok(Self(Self::DEFAULT)),
            Some(n) if (1..=u32::from(Self::MAX)).contains(&n) => {
                Ok(Self(u16::try_from(n).unwrap_or(Self::MAX)))
            }
            Some(_) => Err(FieldError::new(
                "limit",
                "out_of_range",
                format!("limit must be between 1 and {}", Self::MAX),
            )),
        }
    }

    pub fn get(self) -> usize {
        usize::from(self.0)
    }
}

impl Default for PageLimit {
    fn default() -> Self {
        Self(Self::DEFAULT)
    }
}

/// An opaque position in a sorted list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(String);

impl Cursor {
    /// The cursor that continues after the item with this sort key.
    pub fn after(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    pub fn key(&self) -> &str {
        &self.0
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{CURSOR_VERSION}{}", self.0))
    }

    pub fn decode(input: &str) -> Result<Self, FieldError> {
        let invalid = || {
            FieldError::new(
                "cursor",
                "invalid_cursor",
                "the cursor is not one this API issued; start again without it",
            )
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(input.trim())
            .map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let key = text.strip_prefix(CURSOR_VERSION).ok_or_else(invalid)?;
        // Keys are ids and codes: visible ASCII. Anything else (a NUL,
        // which PostgreSQL's text refuses with an error) never reaches SQL.
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid());
        }
        Ok(Self(key.to_owned()))
    }
}

/// What a client asked for: how many, and from where.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub limit: PageLimit,
    pub after: Option<Cursor>,
}

/// One page of results, and where the next one starts (if there is one).
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in order: the extra
    /// row only proves there is a next page.
    pub fn from_overfetched(
        mut rows: Vec<T>,
        limit: PageLimit,
        key: impl Fn(&T) -> String,
    ) -> Self {
        let has_more = rows.len() > limit.get();
        rows.truncate(limit.get());
        let next = if has_more {
            rows.last().map(|last| Cursor::after(key(last)))
        } else {
            None
        };
        Self { items: rows, next }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let cursor = Cursor::after("0192f1c2-7b1e-7c3a-8f00-000000000001");
        let decoded = Cursor::decode(&cursor.encode());
        assert_eq!(decoded.ok(), Some(cursor));
    }

    #[test]
    fn foreign_cursors_are_refused() {
        let nul = URL_SAFE_NO_PAD.encode("v1:\0");
        let space = URL_SAFE_NO_PAD.encode("v1:a b");
        let hangul = URL_SAFE_NO_PAD.encode("v1:배출");
        for input in ["", "not base64!", "djI6eA", "djE6", &nul, &space, &hangul] {
            assert_eq!(
                Cursor::decode(input).err().map(|e| e.code),
                Some("invalid_cursor"),
                "{input}"
            );
        }
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(PageLimit::parse(None).map(PageLimit::get).ok(), Some(50));
        assert_eq!(
            PageLimit::parse(Some(200)).map(PageLimit::get).ok(),
            Some(200)
        );
        assert!(PageLimit::parse(Some(0)).is_err());
        assert!(PageLimit::parse(Some(201)).is_err());
    }

    #[test]
    fn an_overfetched_page_knows_it_has_a_successor() {
        let limit = PageLimit::parse(Some(2)).unwrap_or_default();
        let page = Page::from_overfetched(vec![1, 2, 3], limit, ToString::to_string);
        assert_eq!(page.items, [1, 2]);
        assert_eq!(page.next.map(|c| c.key().to_owned()), Some("2".to_owned()));
        let last = Page::from_overfetched(vec![1, 2], limit, ToString::to_string);
        assert!(last.next.is_none());
    }
}
