//! A finished [`Document`] to the enriched JSON record of the contract.
//!
//! Field names that consumers rely on are constants here, so a typo cannot
//! compile; `spec/records.md` (copied into the README) is the contract.

use crate::document::Document;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};

/// Contract name and version carried by every record and as a header.
pub const SCHEMA: &str = "news.enriched/v1";
/// Where unknown input fields are passed through.
pub const EXTRA_FIELD: &str = "extra";

/// The enriched record of a document, serialised straight from it (no
/// intermediate [`Value`], no copy of the text).
///
/// Field order: the contract fields, the input metadata, `word_count`,
/// the stages' extra fields, `errors`, then the passed-through input
/// fields. An extra field named like a contract field is left out: the
/// contract's value wins.
pub struct Record<'a>(pub &'a Document);

/// The fields [`Record`] writes itself.
const OWN_FIELDS: &[&str] = &[
    "schema",
    "id",
    "language",
    "title",
    "text",
    "headings",
    "captions",
    "entities",
    "quotes",
    "dates",
    "source_offset",
    "url",
    "source",
    "published_at",
    "word_count",
    "errors",
    EXTRA_FIELD,
];

impl Serialize for Record<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let doc = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("schema", SCHEMA)?;
        map.serialize_entry("id", &doc.id)?;
        match &doc.language {
            Some(l) => map.serialize_entry(
                "language",
                &json!({ "code": l.code, "confidence": l.confidence }),
            )?,
            None => {
                map.serialize_entry("language", &json!({ "code": "und", "confidence": 0.0 }))?
            }
        }
        map.serialize_entry("title", &doc.title)?;
        map.serialize_entry("text", &doc.text)?;
        map.serialize_entry("headings", &doc.headings)?;
        map.serialize_entry("captions", &doc.captions)?;
        map.serialize_entry("entities", &doc.entities)?;
        map.serialize_entry("quotes", &doc.quotes)?;
        map.serialize_entry("dates", &doc.dates)?;
        if let Some(so) = &doc.source_offset {
            map.serialize_entry("source_offset", so)?;
        }
        // Input metadata the contract lets consumers find on the record.
        map.serialize_entry("url", &doc.raw.url)?;
        map.serialize_entry("source", &doc.raw.source)?;
        map.serialize_entry("published_at", &doc.raw.published_at)?;
        if let Some(n) = doc.word_count {
            map.serialize_entry("word_count", &n)?;
        }
        for (key, value) in &doc.fields {
            if !OWN_FIELDS.contains(&key.as_str()) {
                map.serialize_entry(key, value)?;
            }
        }
        map.serialize_entry("errors", &doc.errors)?;
        if !doc.raw.extra.is_empty() {
            map.serialize_entry(EXTRA_FIELD, &doc.raw.extra)?;
        }
        map.end()
    }
}

/// Builds the enriched record as a JSON value.
pub fn to_value(doc: &Document) -> Value {
    // Serialising strings, numbers and maps with string keys cannot fail.
    serde_json::to_value(Record(doc)).unwrap_or(Value::Null)
}

/// Serialises the enriched record as one line of JSON (no trailing newline).
pub fn to_json(doc: &Document) -> Vec<u8> {
    // As above: cannot fail.
    serde_json::to_vec(&Record(doc)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{RawArticle, SourceOffset};

    #[test]
    fn carries_the_schema_and_every_contract_field() {
        let raw = RawArticle {
            body: Some("x".into()),
            ..RawArticle::default()
        };
        let v = to_value(&Document::new(raw, None));
        for field in [
            "schema", "id", "language", "title", "text", "headings", "captions", "entities",
            "quotes", "dates", "errors",
        ] {
            assert!(v.get(field).is_some(), "missing {field}");
        }
        assert_eq!(v["schema"], SCHEMA);
        assert!(v.get("source_offset").is_none(), "file mode has no offset");
    }

    #[test]
    fn passes_unknown_input_fields_through() {
        let mut raw = RawArticle::default();
        raw.extra.insert("feed".into(), json!("wire-7"));
        let v = to_value(&Document::new(raw, None));
        assert_eq!(v[EXTRA_FIELD]["feed"], "wire-7");
    }

    #[test]
    fn writes_the_source_offset_when_read_from_kafka() {
        let so = SourceOffset {
            topic: "in".into(),
            partition: 2,
            offset: 41,
        };
        let v = to_value(&Document::new(RawArticle::default(), Some(so)));
        assert_eq!(
            v["source_offset"],
            json!({"topic":"in","partition":2,"offset":41})
        );
    }

    #[test]
    fn a_stage_field_cannot_replace_a_contract_field() {
        let mut doc = Document::new(RawArticle::default(), None);
        doc.text = "the text".into();
        doc.fields.insert("text".into(), json!("clobbered"));
        doc.fields.insert("keywords".into(), json!(["k"]));
        let v = to_value(&doc);
        assert_eq!(v["text"], "the text");
        assert_eq!(v["keywords"], json!(["k"]));
    }

    #[test]
    fn the_line_is_the_value_serialised() {
        let mut doc = Document::new(RawArticle::default(), None);
        doc.text = "نص \"مقتبس\"".into();
        doc.word_count = Some(2);
        let line: Value = serde_json::from_slice(&to_json(&doc)).unwrap();
        assert_eq!(line, to_value(&doc));
    }
}
