//! The shared text layer: folding, paragraphs, sentences and tokens.
//!
//! Every stage that looks at words (structure, entities, quotes, dates)
//! reads one [`Analysis`] of `doc.text`, computed once per document by
//! [`Document::analysis`](crate::document::Document::analysis) and refined
//! by the `structure` stage (paragraph kinds). All offsets are into
//! `doc.text`: `start`/`end` in code points (the record's unit),
//! `byte_start`/`byte_end` in bytes for slicing.
//!
//! | module | what |
//! | --- | --- |
//! | [`fold`](mod@fold) | the matching form of a string, with a map back to the source |
//! | `segment` | paragraph and sentence boundaries |
//! | `tokens` | words and punctuation with offsets and lookup forms |
//! | `arabic` | proclitic stripping (`data/text/ar_proclitics.tsv`) |

mod arabic;
pub mod fold;
mod segment;
mod tokens;

pub use arabic::{has_article, is_arabic_letter, strip_proclitics};
pub use fold::{fold, fold_into, fold_with_map, Folded};
pub use segment::{paragraph_spans, sentence_spans};
pub use tokens::tokenize;

use compact_str::CompactString;
use serde::Serialize;

/// What a paragraph is on a news page; `analyze` says `Body`, the
/// `structure` stage refines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParagraphKind {
    /// Running text of the article.
    Body,
    /// A subheading (crosshead) inside the body.
    Heading,
    /// A photo caption, usually with a credit.
    Caption,
    /// A dateline paragraph (`حلب - الجزيرة نت`); a dateline at the start of
    /// a body paragraph leaves the paragraph `Body`.
    Dateline,
    /// The author line.
    Byline,
    /// A source or agency credit (`المصدر: ...`).
    Credit,
}

/// One paragraph: a non-blank line of the text, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// Code point offsets into the text, end-exclusive.
    pub start: usize,
    pub end: usize,
    pub kind: ParagraphKind,
}

/// One sentence, inside one paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// Code point offsets into the text, end-exclusive.
    pub start: usize,
    pub end: usize,
    /// Index into [`Analysis::paragraphs`].
    pub paragraph: usize,
}

/// A word, number or punctuation mark.
///
/// Its matching forms are read with [`Token::folded`], [`Token::lookup`]
/// and [`Token::prefix`]; they share one small string (inline up to 24
/// bytes, so most words cost no allocation): `prefix` + `lookup` is
/// `folded`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Code point offsets into the text, end-exclusive.
    pub start: usize,
    pub end: usize,
    /// Byte offsets into the text, end-exclusive.
    pub byte_start: usize,
    pub byte_end: usize,
    folded: CompactString,
    /// Byte length of the stripped proclitics at the head of `folded`.
    prefix_len: u8,
    /// Letters or digits, not punctuation.
    pub is_word: bool,
    /// Index into [`Analysis::sentences`].
    pub sentence: usize,
    /// Index into [`Analysis::paragraphs`] (the sentence's paragraph).
    pub paragraph: usize,
}

impl Token {
    /// The punctuation mark (folded), for tokens that are not words.
    pub fn punct(&self) -> Option<char> {
        if self.is_word {
            None
        } else {
            self.folded.chars().next()
        }
    }

    /// The matching form of the whole token ([`fold`]).
    pub fn folded(&self) -> &str {
        &self.folded
    }

    /// `folded` without Arabic proclitics (`والولايات` gives `ولايات`); equal
    /// to `folded` when none were stripped. Try `folded` first.
    pub fn lookup(&self) -> &str {
        &self.folded[usize::from(self.prefix_len)..]
    }

    /// The stripped proclitics, folded; `""` when none.
    pub fn prefix(&self) -> &str {
        &self.folded[..usize::from(self.prefix_len)]
    }
}

/// Paragraphs, sentences and tokens of a text, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    pub paragraphs: Vec<Paragraph>,
    pub sentences: Vec<Sentence>,
    pub tokens: Vec<Token>,
}

impl Analysis {
    /// The sentences of paragraph `index`.
    pub fn sentences_of(&self, index: usize) -> impl Iterator<Item = (usize, &Sentence)> {
        self.sentences
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.paragraph == index)
    }

    /// The tokens of sentence `index` (tokens are in sentence order).
    pub fn tokens_of(&self, index: usize) -> &[Token] {
        let from = self.tokens.partition_point(|t| t.sentence < index);
        let to = self.tokens.partition_point(|t| t.sentence <= index);
        &self.tokens[from..to]
    }

    /// The kind of the paragraph holding code point `offset`, if any.
    pub fn kind_at(&self, offset: usize) -> Option<ParagraphKind> {
        let i = self.paragraphs.partition_point(|p| p.end <= offset);
        self.paragraphs
            .get(i)
            .filter(|p| p.start <= offset)
            .map(|p| p.kind)
    }
}

/// A text's characters beside its analysis, for stages that slice the text
/// by code point offsets (quotes, dates).
#[derive(Debug, Clone)]
pub struct View<'a> {
    pub chars: Vec<char>,
    pub toks: &'a [Token],
    /// Paragraphs as code point ranges, in order.
    pub paras: Vec<(usize, usize)>,
}

impl<'a> View<'a> {
    /// The view of `text`, whose analysis is `analysis`.
    pub fn new(text: &str, analysis: &'a Analysis) -> View<'a> {
        View {
            chars: text.chars().collect(),
            toks: &analysis.tokens,
            paras: analysis
                .paragraphs
                .iter()
                .map(|p| (p.start, p.end))
                .collect(),
        }
    }

    /// The text between two code point offsets (clamped).
    pub fn slice(&self, start: usize, end: usize) -> String {
        let end = end.min(self.chars.len());
        let start = start.min(end);
        self.chars[start..end].iter().collect()
    }
}

/// A hash map keyed by short words with a fast non-cryptographic hash
/// (FNV-1a): table lookups per token dominate the quote and date stages'
/// time, and the keys come from our own tables, not from an adversary.
pub type WordMap<V> = std::collections::HashMap<String, V, std::hash::BuildHasherDefault<Fnv>>;

/// FNV-1a, 64 bits.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Splits `text` into paragraphs (all [`ParagraphKind::Body`]), sentences and
/// tokens. Any string is accepted; time is linear in its length.
pub fn analyze(text: &str) -> Analysis {
    let mut analysis = Analysis::default();
    // About one token per 8 bytes of Arabic or English news text.
    analysis.tokens.reserve(text.len() / 8);
    let mut tokenizer = tokens::Tokenizer::default();
    let mut chars: Vec<char> = Vec::new();
    // Char offset to byte offset, walked forward once.
    let mut cursor = CharCursor::new(text);
    for (p_start, p_end) in paragraph_spans(text) {
        let p_byte = cursor.byte_at(p_start);
        let p_byte_end = cursor.byte_at(p_end);
        chars.clear();
        chars.extend(text[p_byte..p_byte_end].chars());
        let paragraph = analysis.paragraphs.len();
        analysis.paragraphs.push(Paragraph {
            start: p_start,
            end: p_end,
            kind: ParagraphKind::Body,
        });
        // Sentences are increasing inside the paragraph: a cursor of its
        // own, so the document cursor never walks back.
        let paragraph_text = &text[p_byte..p_byte_end];
        let mut inner = CharCursor::new(paragraph_text);
        for (s, e) in sentence_spans(&chars) {
            let (start, end) = (p_start + s, p_start + e);
            let sentence = analysis.sentences.len();
            analysis.sentences.push(Sentence {
                start,
                end,
                paragraph,
            });
            let b0 = p_byte + inner.byte_at(s);
            let b1 = p_byte + inner.byte_at(e);
            tokenizer.tokenize_into(
                &text[b0..b1],
                (start, b0),
                (sentence, paragraph),
                &mut analysis.tokens,
            );
        }
    }
    analysis
}

/// Converts increasing char offsets to byte offsets in one pass.
pub(crate) struct CharCursor<'a> {
    text: &'a str,
    char_pos: usize,
    byte_pos: usize,
}

impl<'a> CharCursor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        CharCursor {
            text,
            char_pos: 0,
            byte_pos: 0,
        }
    }

    /// Byte offset of char `target` (restarts from the beginning when
    /// asked for an earlier offset).
    pub(crate) fn byte_at(&mut self, target: usize) -> usize {
        if target < self.char_pos {
            self.char_pos = 0;
            self.byte_pos = 0;
        }
        // Steps by the width its lead byte gives each char (the text is
        // valid UTF-8), without decoding it.
        let bytes = self.text.as_bytes();
        while self.char_pos < target && self.byte_pos < bytes.len() {
            self.byte_pos += match bytes[self.byte_pos] {
                0x00..=0x7F => 1,
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            self.char_pos += 1;
        }
        self.byte_pos.min(bytes.len())
    }
}

#[cfg(test)]
mod proptests;

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_LINES: &str = "وقال كيربي “لسنا متفائلين. الوضع صعب”. وأضاف أنه سيعود.\nطريق مسدود\nلافروف: المحادثات مع أميركا وصلت إلى طريق مسدود (رويترز) |";

    #[test]
    fn paragraphs_sentences_and_tokens_point_into_the_text() {
        let a = analyze(SEED_LINES);
        let chars: Vec<char> = SEED_LINES.chars().collect();
        let slice = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
        assert_eq!(a.paragraphs.len(), 3);
        assert_eq!(
            slice(a.paragraphs[1].start, a.paragraphs[1].end),
            "طريق مسدود"
        );
        assert_eq!(a.sentences.len(), 4);
        assert_eq!(
            slice(a.sentences[1].start, a.sentences[1].end),
            "وأضاف أنه سيعود."
        );
        for t in &a.tokens {
            assert_eq!(slice(t.start, t.end), SEED_LINES[t.byte_start..t.byte_end]);
        }
    }

    #[test]
    fn tokens_know_their_sentence_and_sentences_their_paragraph() {
        let a = analyze(SEED_LINES);
        let last = a.tokens.last().unwrap();
        assert_eq!(a.sentences[last.sentence].paragraph, 2);
        assert_eq!(a.tokens_of(2)[0].folded(), "طريق");
        assert_eq!(a.sentences_of(2).count(), 1);
        assert_eq!(a.kind_at(a.paragraphs[1].start), Some(ParagraphKind::Body));
    }

    #[test]
    fn empty_and_blank_texts_have_no_paragraphs() {
        assert_eq!(analyze(""), Analysis::default());
        assert_eq!(analyze(" \n\t\n"), Analysis::default());
    }
}
