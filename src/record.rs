//! A finished [`Document`] to the enriched JSON record of the contract.
//!
//! Field names that consumers rely on are constants here, so a typo cannot
//! compile; `spec/records.md` (copied into the README) is the contract.

use crate::document::Document;
use serde_json::{json, Map, Value};

/// Contract name and version carried by every record and as a header.
pub const SCHEMA: &str = "news.enriched/v1";
/// Where unknown input fields are passed through.
pub const EXTRA_FIELD: &str = "extra";

/// Builds the enriched record as a JSON value.
pub fn to_value(doc: &Document) -> Value {
    let mut out = Map::new();
    out.insert("schema".into(), json!(SCHEMA));
    out.insert("id".into(), json!(doc.id));
    out.insert(
        "language".into(),
        match &doc.language {
            Some(l) => json!({ "code": l.code, "confidence": l.confidence }),
            None => json!({ "code": "und", "confidence": 0.0 }),
        },
    );
    out.insert("title".into(), json!(doc.title));
    out.insert("text".into(), json!(doc.text));
    out.insert("headings".into(), json!(doc.headings));
    out.insert("captions".into(), json!(doc.captions));
    out.insert("entities".into(), json!(doc.entities));
    out.insert("quotes".into(), json!(doc.quotes));
    out.insert("dates".into(), json!(doc.dates));
    if let Some(so) = &doc.source_offset {
        out.insert("source_offset".into(), json!(so));
    }
    // Input metadata the contract lets consumers find on the record.
    for (key, value) in [
        ("url", &doc.raw.url),
        ("source", &doc.raw.source),
        ("published_at", &doc.raw.published_at),
    ] {
        out.insert(key.into(), json!(value));
    }
    if let Some(n) = doc.word_count {
        out.insert("word_count".into(), json!(n));
    }
    for (key, value) in &doc.fields {
        out.insert(key.clone(), value.clone());
    }
    out.insert("errors".into(), json!(doc.errors));
    if !doc.raw.extra.is_empty() {
        out.insert(EXTRA_FIELD.into(), Value::Object(doc.raw.extra.clone()));
    }
    Value::Object(out)
}

/// Serialises the enriched record as one line of JSON (no trailing newline).
pub fn to_json(doc: &Document) -> Vec<u8> {
    // Serialising a `Value` built from strings and numbers cannot fail.
    serde_json::to_vec(&to_value(doc)).unwrap_or_default()
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
}
