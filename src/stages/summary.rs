//! `summary`: a short extractive summary, lead first.
//!
//! Picks whole sentences of body paragraphs (headings, captions, datelines,
//! bylines and credits are never used) and writes them in text order,
//! separated by a space:
//!
//! 1. Sentences are grouped into units: a quotation that runs over a
//!    sentence end (`“... . ...”`) joins the sentences it touches, so a
//!    unit is kept whole or skipped, and the summary never cuts inside a
//!    quote. A unit that touches a non-body paragraph is skipped. Quotes are
//!    found from quotation marks (`“”`, `«»`, `„“`, straight `"` paired within
//!    a paragraph; one left open closes at the paragraph end) and from
//!    `doc.quotes` when the `quotes` stage ran.
//! 2. The lead unit (the first body unit) is taken when it fits: news puts
//!    the gist first.
//! 3. The other units are ranked by how many of the article's frequent
//!    content words they hold (stop words excluded, divided by the square
//!    root of their length), times `1 / (1 + 0.1 × position)`, and added
//!    best first while they fit in `max_sentences` and `max_chars`.
//!
//! The summary is made of sentences of the text with single spaces between
//! them, so it is never longer than the text; it is null when the text has
//! no body sentence. When not even the lead fits (one sentence longer than
//! `max_chars`), the lead is cut at a space before the limit and before any
//! quotation it opens, and ends with `…`.

use super::lexicon::WordSet;
use super::{Stage, StageError};
use crate::document::Document;
use crate::text::{Analysis, ParagraphKind};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Output field: the summary text, or null.
pub const SUMMARY_FIELD: &str = "summary";

/// Options of the `summary` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SummaryConfig {
    /// Most sentences in a summary.
    pub max_sentences: usize,
    /// Most characters in a summary.
    pub max_chars: usize,
}

impl Default for SummaryConfig {
    fn default() -> Self {
        SummaryConfig {
            max_sentences: 3,
            max_chars: 500,
        }
    }
}

/// The `summary` stage.
pub struct Summary {
    config: SummaryConfig,
    stop: WordSet,
}

/// Consecutive sentences that must stay together.
#[derive(Debug, Clone, PartialEq)]
struct Unit {
    first: usize,
    last: usize,
    start: usize,
    end: usize,
    body: bool,
}

impl Summary {
    pub fn new(config: &SummaryConfig) -> Summary {
        let mut stop = WordSet::parse(include_str!("../../data/insight/stopwords_ar.txt"));
        stop.extend(&WordSet::parse(include_str!(
            "../../data/insight/stopwords_en.txt"
        )));
        Summary {
            config: config.clone(),
            stop,
        }
    }

    /// The summary of `text` (None when it has no body sentence).
    fn summarize(
        &self,
        chars: &[char],
        analysis: &Analysis,
        quotes: &[(usize, usize)],
    ) -> Option<String> {
        let units = units(analysis, quotes);
        let slice = |u: &Unit| -> String { chars[u.start..u.end].iter().collect() };
        let body: Vec<&Unit> = units.iter().filter(|u| u.body).collect();
        if body.is_empty() {
            return None;
        }
        // Frequencies of content words over the body.
        let mut freq: FxHashMap<&str, f64> = FxHashMap::default();
        for t in &analysis.tokens {
            if t.is_word
                && !self.stop.contains(t)
                && kind_of_sentence(analysis, t.sentence) == Some(ParagraphKind::Body)
            {
                *freq.entry(t.lookup()).or_default() += 1.0;
            }
        }
        let score = |u: &Unit, position: usize| -> f64 {
            let (mut sum, mut n) = (0.0, 0usize);
            for s in u.first..=u.last {
                for t in analysis.tokens_of(s).iter().filter(|t| t.is_word) {
                    n += 1;
                    if let Some(f) = freq.get(t.lookup()) {
                        if *f > 1.0 {
                            sum += f;
                        }
                    }
                }
            }
            sum / (n.max(1) as f64).sqrt() / (1.0 + 0.1 * position as f64)
        };
        let length = |u: &Unit| u.end - u.start;
        let sentences = |u: &Unit| u.last - u.first + 1;
        let mut chosen: Vec<usize> = Vec::new();
        let (mut used_chars, mut used_sentences) = (0usize, 0usize);
        let mut try_add = |i: usize, chosen: &mut Vec<usize>| {
            let u = body[i];
            let extra = length(u) + usize::from(!chosen.is_empty());
            if used_chars + extra <= self.config.max_chars
                && used_sentences + sentences(u) <= self.config.max_sentences
            {
                chosen.push(i);
                used_chars += extra;
                used_sentences += sentences(u);
            }
        };
        try_add(0, &mut chosen);
        let mut ranked: Vec<(f64, usize)> = body
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, u)| (score(u, i), i))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in ranked {
            try_add(i, &mut chosen);
        }
        if chosen.is_empty() {
            return self.cut_lead(chars, body[0], quotes);
        }
        chosen.sort_unstable();
        let parts: Vec<String> = chosen.iter().map(|&i| slice(body[i])).collect();
        Some(parts.join(" "))
    }
}

impl Summary {
    /// When no unit fits (a lead sentence longer than `max_chars`): the
    /// lead cut at a space before `max_chars` and before any quote it
    /// opens, with `…`; None when nothing is left.
    fn cut_lead(&self, chars: &[char], lead: &Unit, quotes: &[(usize, usize)]) -> Option<String> {
        let mut limit = (lead.start + self.config.max_chars.saturating_sub(1)).min(lead.end);
        if let Some(&(qs, _)) = quotes
            .iter()
            .filter(|q| q.0 >= lead.start && q.0 < limit)
            .min()
        {
            limit = qs;
        }
        let cut = (lead.start..limit)
            .rev()
            .find(|&i| chars[i].is_whitespace())?;
        let head: String = chars[lead.start..cut].iter().collect();
        let head = head.trim_end_matches(|c: char| c.is_whitespace() || c == '،' || c == ',');
        (!head.is_empty()).then(|| format!("{head}…"))
    }
}

/// Quotation spans (code point offsets, end-exclusive) from quotation
/// marks, paired within each paragraph; an unclosed quote ends with its
/// paragraph.
/// The kind of the paragraph holding sentence `index`.
fn kind_of_sentence(analysis: &Analysis, index: usize) -> Option<ParagraphKind> {
    let s = analysis.sentences.get(index)?;
    analysis.paragraphs.get(s.paragraph).map(|p| p.kind)
}

fn quote_spans(chars: &[char], analysis: &Analysis) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for p in &analysis.paragraphs {
        let mut open: Option<(usize, char)> = None;
        let end = p.end.min(chars.len());
        for (i, &c) in chars.iter().enumerate().take(end).skip(p.start) {
            match open {
                None => {
                    if matches!(c, '“' | '«' | '„' | '"') {
                        open = Some((i, c));
                    }
                }
                Some((start, opener)) => {
                    let closes = match opener {
                        '“' => c == '”',
                        '«' => c == '»',
                        '„' => c == '“' || c == '”',
                        _ => c == '"',
                    };
                    if closes {
                        spans.push((start, i + 1));
                        open = None;
                    }
                }
            }
        }
        if let Some((start, _)) = open {
            spans.push((start, p.end));
        }
    }
    spans
}

/// Groups sentences into units that keep every quote whole.
fn units(analysis: &Analysis, quotes: &[(usize, usize)]) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    for (i, s) in analysis.sentences.iter().enumerate() {
        let body =
            analysis.paragraphs.get(s.paragraph).map(|p| p.kind) == Some(ParagraphKind::Body);
        let joins_previous = units.last().is_some_and(|u| {
            quotes
                .iter()
                .any(|&(qs, qe)| qs < u.end && qe > s.start && qe > u.end)
        });
        match units.last_mut() {
            Some(u) if joins_previous => {
                u.last = i;
                u.end = s.end;
                u.body &= body;
            }
            _ => units.push(Unit {
                first: i,
                last: i,
                start: s.start,
                end: s.end,
                body,
            }),
        }
    }
    units
}

impl Stage for Summary {
    fn name(&self) -> &'static str {
        "summary"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        let analysis = doc.analysis();
        // The text as code points, once: units and quotes are in them.
        let mut chars: Vec<char> = Vec::with_capacity(doc.text.len());
        chars.extend(doc.text.chars());
        let mut quotes = quote_spans(&chars, &analysis);
        quotes.extend(
            doc.quotes
                .iter()
                .filter(|q| q.kind == "direct")
                .map(|q| (q.start, q.end)),
        );
        let summary = self.summarize(&chars, &analysis, &quotes);
        doc.fields.insert(
            SUMMARY_FIELD.into(),
            summary.map_or(Value::Null, |s| json!(s)),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(text: &str, config: SummaryConfig) -> Option<String> {
        let mut d = Document {
            text: text.into(),
            ..Document::default()
        };
        Summary::new(&config).apply(&mut d).unwrap();
        d.fields[SUMMARY_FIELD].as_str().map(String::from)
    }

    #[test]
    fn the_lead_sentence_comes_first() {
        let s = summary(
            "رفضت روسيا وقف إطلاق النار في حلب. وقال مسؤول إن الطقس جميل.\nوتواصل القصف على حلب وقال سكان إن القصف على حلب لم يتوقف.",
            SummaryConfig::default(),
        )
        .unwrap();
        assert!(s.starts_with("رفضت روسيا وقف إطلاق النار في حلب."), "{s}");
    }

    #[test]
    fn a_quote_over_two_sentences_is_kept_whole_or_skipped() {
        let text = "Talks failed in Geneva. He said “we are not hopeful. The gap is wide” and left.\nTalks may resume.";
        for max in [1, 2, 3] {
            let s = summary(
                text,
                SummaryConfig {
                    max_sentences: max,
                    max_chars: 500,
                },
            )
            .unwrap();
            let opens = s.matches('“').count();
            assert_eq!(opens, s.matches('”').count(), "{s}");
        }
    }

    #[test]
    fn sentences_joined_by_a_quote_form_one_unit() {
        use crate::text::{Paragraph, Sentence};
        let sentence = |start, end| Sentence {
            start,
            end,
            paragraph: 0,
        };
        let analysis = Analysis {
            paragraphs: vec![Paragraph {
                start: 0,
                end: 30,
                kind: ParagraphKind::Body,
            }],
            sentences: vec![sentence(0, 10), sentence(10, 20), sentence(20, 30)],
            tokens: Vec::new(),
        };
        let u = units(&analysis, &[(5, 15)]);
        assert_eq!(u.len(), 2);
        assert_eq!((u[0].first, u[0].last, u[0].start, u[0].end), (0, 1, 0, 20));
    }

    #[test]
    fn an_unclosed_quote_ends_with_its_paragraph() {
        let text = "He said “we will win.\nNext paragraph.";
        let analysis = crate::text::analyze(text);
        assert_eq!(
            quote_spans(&text.chars().collect::<Vec<_>>(), &analysis),
            vec![(8, 21)]
        );
    }

    #[test]
    fn the_summary_is_never_longer_than_the_text() {
        for text in ["One.", "One. Two.\nThree.", "كلمة", "a\n\n\nb"] {
            let s = summary(text, SummaryConfig::default()).unwrap();
            assert!(s.chars().count() <= text.chars().count(), "{s:?}");
        }
    }

    #[test]
    fn an_overlong_lead_is_cut_at_a_space_before_its_quote() {
        let text = format!("{} قال “{}”", "كلمة ".repeat(20), "نص ".repeat(200));
        let s = summary(&text, SummaryConfig::default()).unwrap();
        assert!(s.ends_with("قال…"), "{s}");
        assert!(!s.contains('“'));
    }

    #[test]
    fn no_body_text_gives_no_summary() {
        assert_eq!(summary("", SummaryConfig::default()), None);
    }
}
