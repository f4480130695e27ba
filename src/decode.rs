//! Raw message bytes to a [`RawArticle`], with the reasons a message is refused.
//!
//! Everything refused here goes to the dead-letter topic (Kafka) or is
//! reported with its line number (`enrich`); nothing is dropped silently.

use crate::document::RawArticle;
use serde_json::Value;
use thiserror::Error;

/// Why a message could not be decoded into a raw article.
#[derive(Debug, Error, PartialEq)]
pub enum DecodeError {
    #[error("message has no value")]
    Empty,
    #[error("message is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    #[error("message is not valid UTF-8 (first bad byte at {position})")]
    NotUtf8 { position: usize },
    #[error("message is not valid JSON: {0}")]
    NotJson(String),
    #[error("message is JSON but not an object")]
    NotObject,
    #[error("field `{field}` has the wrong type: {message}")]
    WrongType { field: String, message: String },
    #[error("message has neither `body` nor `html`")]
    NoBody,
}

impl DecodeError {
    /// A short, bounded reason code for headers, metrics and log fields.
    pub fn reason(&self) -> &'static str {
        match self {
            DecodeError::Empty => "empty",
            DecodeError::TooLarge { .. } => "too_large",
            DecodeError::NotUtf8 { .. } => "not_utf8",
            DecodeError::NotJson(_) => "not_json",
            DecodeError::NotObject => "not_object",
            DecodeError::WrongType { .. } => "wrong_type",
            DecodeError::NoBody => "no_body",
        }
    }
}

/// Decodes one message value.
///
/// `max_bytes` is the size limit; JSON nesting is bounded by serde_json's
/// recursion limit, so deeply nested input is refused, not a stack overflow.
pub fn decode(bytes: &[u8], max_bytes: usize) -> Result<RawArticle, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if bytes.len() > max_bytes {
        return Err(DecodeError::TooLarge {
            size: bytes.len(),
            limit: max_bytes,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| DecodeError::NotUtf8 {
        position: e.valid_up_to(),
    })?;
    let value: Value =
        serde_json::from_str(text).map_err(|e| DecodeError::NotJson(e.to_string()))?;
    if !value.is_object() {
        return Err(DecodeError::NotObject);
    }
    let raw: RawArticle =
        serde_path_to_error::deserialize(value).map_err(|e| DecodeError::WrongType {
            field: e.path().to_string(),
            message: e.inner().to_string(),
        })?;
    let has = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
    if !has(&raw.body) && !has(&raw.html) {
        return Err(DecodeError::NoBody);
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: usize = 1 << 20;

    #[test]
    fn decodes_a_minimal_article_and_keeps_unknown_fields() {
        let raw = decode(br#"{"body":"hello","feed":"x","n":3}"#, LIMIT).unwrap();
        assert_eq!(raw.body.as_deref(), Some("hello"));
        assert_eq!(raw.extra.get("feed").unwrap(), "x");
        assert_eq!(raw.extra.get("n").unwrap(), 3);
    }

    #[test]
    fn accepts_html_without_body() {
        assert!(decode(br#"{"html":"<p>x</p>"}"#, LIMIT).is_ok());
    }

    #[test]
    fn refuses_invalid_utf8_with_its_position() {
        let err = decode(b"{\"body\":\"a\xff\"}", LIMIT).unwrap_err();
        assert_eq!(err, DecodeError::NotUtf8 { position: 10 });
        assert_eq!(err.reason(), "not_utf8");
    }

    #[test]
    fn refuses_truncated_json() {
        let err = decode(br#"{"body":"abc"#, LIMIT).unwrap_err();
        assert_eq!(err.reason(), "not_json");
    }

    #[test]
    fn refuses_json_that_is_not_an_object() {
        assert_eq!(decode(b"[1,2]", LIMIT).unwrap_err(), DecodeError::NotObject);
    }

    #[test]
    fn refuses_a_message_without_body_or_html() {
        assert_eq!(
            decode(br#"{"title":"t","body":"  "}"#, LIMIT).unwrap_err(),
            DecodeError::NoBody
        );
    }

    #[test]
    fn refuses_wrong_types_naming_the_field() {
        let err = decode(br#"{"body":5}"#, LIMIT).unwrap_err();
        match err {
            DecodeError::WrongType { field, .. } => assert_eq!(field, "body"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn refuses_oversized_messages_before_parsing() {
        let err = decode(&[b' '; 100], 10).unwrap_err();
        assert_eq!(
            err,
            DecodeError::TooLarge {
                size: 100,
                limit: 10
            }
        );
    }

    #[test]
    fn refuses_deeply_nested_json_without_overflowing() {
        let mut s = String::from(r#"{"body":"x","deep":"#);
        s.push_str(&"[".repeat(100_000));
        assert_eq!(
            decode(s.as_bytes(), usize::MAX).unwrap_err().reason(),
            "not_json"
        );
    }

    #[test]
    fn refuses_empty_messages() {
        assert_eq!(decode(b"", LIMIT).unwrap_err(), DecodeError::Empty);
    }
}
