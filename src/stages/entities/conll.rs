//! The entity stage read back as CoNLL tags, so that the whole stage
//! (tagger, tables, rules, datelines, grouping) is scored on a labelled
//! CoNLL file the way the tagger alone is: `akhbar eval-ner --stage`.
//!
//! A document's tokens, joined by single spaces, are one article body; the
//! stage's mentions (code point offsets into `text`) go back onto the
//! tokens they overlap, the first `B-` and the rest `I-`. A mention that
//! covers only part of a token (`بوش` in `وبوش`) tags the whole token, as
//! CoNLL files tag whole tokens.

use crate::document::{Document, RawArticle};
use crate::entities::conll::Sentence;
use crate::stages::clean::clean_text;
use crate::stages::{Chain, Rejection};
use thiserror::Error;

/// Why a document could not be scored.
#[derive(Debug, Error)]
pub enum ConllError {
    #[error("the chain rejected the document at stage {}: {}", .0.stage, .0.message)]
    Rejected(Rejection),
    /// The clean stage changed a body made of cleaned tokens, so the token
    /// offsets no longer point into `text`.
    #[error("the clean stage changed the document text; token offsets would be wrong")]
    TextChanged,
}

/// The article body of a document's sentences and where each token is in it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConllArticle {
    pub body: String,
    /// Per token of every sentence in order, its code point span in `body`;
    /// `None` for a token that cleans to nothing (format characters alone).
    pub spans: Vec<Option<(usize, usize)>>,
}

/// Joins the sentences' tokens, each cleaned as the clean stage would, by
/// single spaces (one paragraph), so that the clean stage leaves the body
/// as it is.
pub fn article(sentences: &[Sentence]) -> ConllArticle {
    let mut body = String::new();
    let mut chars = 0usize;
    let mut spans = Vec::new();
    for token in sentences.iter().flat_map(|s| &s.tokens) {
        let clean = clean_text(token);
        if clean.is_empty() {
            spans.push(None);
            continue;
        }
        if !body.is_empty() {
            body.push(' ');
            chars += 1;
        }
        let len = clean.chars().count();
        spans.push(Some((chars, chars + len)));
        body.push_str(&clean);
        chars += len;
    }
    ConllArticle { body, spans }
}

/// The CoNLL type of a record entity type (ANERcorp's names).
fn conll_type(kind: &str) -> Option<&'static str> {
    match kind {
        "person" => Some("PERS"),
        "organization" => Some("ORG"),
        "location" => Some("LOC"),
        _ => None,
    }
}

/// BIO tags of the tokens at `spans` from the entities of `doc`: each
/// mention, earliest first, tags the tokens it overlaps that no earlier
/// mention tagged, the first of them `B-`.
pub fn tags(doc: &Document, spans: &[Option<(usize, usize)>]) -> Vec<String> {
    let mut mentions: Vec<(usize, usize, &'static str)> = doc
        .entities
        .iter()
        .filter_map(|e| conll_type(&e.kind).map(|t| (e, t)))
        .flat_map(|(e, t)| e.mentions.iter().map(move |m| (m.start, m.end, t)))
        .collect();
    mentions.sort_unstable();
    let mut out = vec![String::from("O"); spans.len()];
    for (start, end, ty) in mentions {
        let mut first = true;
        for (tag, span) in out.iter_mut().zip(spans) {
            let Some((s, e)) = *span else { continue };
            if s >= end || e <= start {
                continue;
            }
            if tag == "O" {
                *tag = format!("{}-{ty}", if first { 'B' } else { 'I' });
                first = false;
            }
        }
    }
    out
}

/// Runs `chain` on the sentences as one article and returns the BIO tags of
/// their tokens, in order.
pub fn tag_document(chain: &Chain, sentences: &[Sentence]) -> Result<Vec<String>, ConllError> {
    let article = article(sentences);
    let mut doc = Document::new(
        RawArticle {
            body: Some(article.body.clone()),
            ..RawArticle::default()
        },
        None,
    );
    chain.run(&mut doc, |_| {}).map_err(ConllError::Rejected)?;
    if doc.text != article.body {
        return Err(ConllError::TextChanged);
    }
    Ok(tags(&doc, &article.spans))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Entity, Mention};

    fn sentence(tokens: &[&str]) -> Sentence {
        Sentence {
            tokens: tokens.iter().map(|t| t.to_string()).collect(),
            tags: vec!["O".into(); tokens.len()],
        }
    }

    fn entity(kind: &str, spans: &[(usize, usize)]) -> Entity {
        Entity {
            name: String::new(),
            kind: kind.into(),
            mentions: spans
                .iter()
                .map(|&(start, end)| Mention {
                    text: String::new(),
                    start,
                    end,
                })
                .collect(),
            links: Default::default(),
        }
    }

    /// The tags of one sentence's tokens given the stage's entities.
    fn tags_with(tokens: &[&str], entities: Vec<Entity>) -> Vec<String> {
        let a = article(&[sentence(tokens)]);
        let doc = Document {
            text: a.body.clone(),
            entities,
            ..Document::default()
        };
        tags(&doc, &a.spans)
    }

    #[test]
    fn tokens_are_joined_by_spaces_with_their_code_point_spans() {
        let a = article(&[sentence(&["قال", "بوش", "."]), sentence(&["ok"])]);
        assert_eq!(a.body, "قال بوش . ok");
        assert_eq!(
            a.spans,
            vec![Some((0, 3)), Some((4, 7)), Some((8, 9)), Some((10, 12))]
        );
    }

    #[test]
    fn a_token_that_cleans_to_nothing_has_no_span() {
        let a = article(&[sentence(&["a", "\u{feff}", "b"])]);
        assert_eq!(a.body, "a b");
        assert_eq!(a.spans, vec![Some((0, 1)), None, Some((2, 3))]);
    }

    #[test]
    fn a_mention_tags_the_tokens_it_overlaps_b_then_i() {
        let tags = tags_with(
            &["قال", "وبشار", "الأسد", "في", "دمشق"],
            vec![
                // `بشار الأسد` without the `و` of `وبشار`.
                entity("person", &[(5, 15)]),
                entity("location", &[(19, 23)]),
            ],
        );
        assert_eq!(tags, vec!["O", "B-PERS", "I-PERS", "O", "B-LOC"]);
    }

    #[test]
    fn an_earlier_mention_keeps_the_tokens_it_tagged() {
        let tags = tags_with(
            &["x", "y", "z"],
            vec![
                entity("organization", &[(0, 3)]),
                entity("location", &[(2, 5)]),
            ],
        );
        assert_eq!(tags, vec!["B-ORG", "I-ORG", "B-LOC"]);
    }

    #[test]
    fn entity_types_outside_conll_tag_nothing() {
        let tags = tags_with(&["x"], vec![entity("event", &[(0, 1)])]);
        assert_eq!(tags, vec!["O"]);
    }
}
