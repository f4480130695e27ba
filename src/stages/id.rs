//! `id`: keeps the given article id or derives a stable one.
//!
//! The derived id is a hash of the URL when there is one (the same story
//! re-fetched keeps its id) and otherwise of the body or page, so replays and
//! duplicates of the same message get the same id and key.

use super::{Stage, StageError};
use crate::document::Document;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Options of the `id` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct IdConfig {
    /// Prefix for derived ids, so they are told apart from given ones.
    pub prefix: String,
}

impl Default for IdConfig {
    fn default() -> Self {
        IdConfig {
            prefix: "akh-".into(),
        }
    }
}

/// The `id` stage.
pub struct Id {
    prefix: String,
}

impl Id {
    pub fn new(config: &IdConfig) -> Self {
        Id {
            prefix: config.prefix.clone(),
        }
    }
}

/// Derives an id from url, else body, else html.
pub fn derive_id(prefix: &str, doc: &Document) -> Option<String> {
    let raw = &doc.raw;
    let (kind, basis) = [("url", &raw.url), ("body", &raw.body), ("html", &raw.html)]
        .into_iter()
        .find_map(|(k, v)| {
            v.as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| (k, s))
        })?;
    let mut hasher = Sha256::new();
    hasher.update(kind.as_bytes());
    hasher.update([0]);
    hasher.update(basis.trim().as_bytes());
    let digest = hasher.finalize();
    Some(format!("{prefix}{}", hex::encode(&digest[..16])))
}

impl Stage for Id {
    fn name(&self) -> &'static str {
        "id"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        if doc.id.is_some() {
            return Ok(());
        }
        doc.id = derive_id(&self.prefix, doc);
        match doc.id {
            Some(_) => Ok(()),
            None => Err(StageError::Fatal(
                "no id, url, body or html to derive an id from".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::RawArticle;

    fn doc(raw: RawArticle) -> Document {
        Document::new(raw, None)
    }

    #[test]
    fn keeps_a_given_id() {
        let mut d = doc(RawArticle {
            id: Some("given".into()),
            body: Some("b".into()),
            ..Default::default()
        });
        Id::new(&IdConfig::default()).apply(&mut d).unwrap();
        assert_eq!(d.id.as_deref(), Some("given"));
    }

    #[test]
    fn derives_the_same_id_for_the_same_url_whatever_the_body() {
        let a = doc(RawArticle {
            url: Some("https://x/1".into()),
            body: Some("one".into()),
            ..Default::default()
        });
        let b = doc(RawArticle {
            url: Some("https://x/1".into()),
            body: Some("two".into()),
            ..Default::default()
        });
        assert_eq!(derive_id("p-", &a), derive_id("p-", &b));
        assert!(derive_id("p-", &a).unwrap().starts_with("p-"));
    }

    #[test]
    fn derives_different_ids_for_different_bodies() {
        let a = doc(RawArticle {
            body: Some("one".into()),
            ..Default::default()
        });
        let b = doc(RawArticle {
            body: Some("two".into()),
            ..Default::default()
        });
        assert_ne!(derive_id("", &a), derive_id("", &b));
    }

    #[test]
    fn a_blank_given_id_is_replaced() {
        let mut d = doc(RawArticle {
            id: Some("  ".into()),
            body: Some("b".into()),
            ..Default::default()
        });
        Id::new(&IdConfig::default()).apply(&mut d).unwrap();
        assert!(d.id.unwrap().starts_with("akh-"));
    }
}
