//! `keywords`: the phrases an editor would tag the article with, ranked.
//!
//! Candidates are runs of 1 to `max_words` words inside one sentence,
//! bounded by punctuation, numbers and stop words (`data/insight/stopwords_*.txt`),
//! so `وقف إطلاق النار` is a candidate and `وقف إطلاق النار في حلب` is two.
//! Words are compared by their lookup form (folded, proclitics stripped:
//! Arabic light stemming), so `لإطلاق` and `إطلاق` count together.
//!
//! Score of a candidate (TF-IDF with a phrase and a position prior):
//! `tf × mean idf of its words × (1 + phrase_bonus × (words - 1)) × (1 + lead_bonus / (1 + first sentence))`
//! where `idf = ln((N + 1) / (df + 1)) + 1` from the document-frequency
//! tables `data/insight/df_ar.tsv` (ANERcorp training split) and `df_en.tsv` (GUM news),
//! built by `akhbar build-df`; a word missing from the table counts as
//! `df = 1` (rare). A phrase of two or more words must occur at least
//! `min_phrase_count` times. A phrase inside a kept longer phrase is dropped
//! when most of its occurrences are inside it (`وقف` under `وقف إطلاق النار`).
//! Scores are divided by the best one, so the first keyword scores 1.
//! The text shown is the most frequent written form, with conjunctions and
//! prepositions removed from its first word (`والولايات المتحدة` gives
//! `الولايات المتحدة`).

use super::lexicon::{rows, term_key, WordSet};
use super::{BuildError, Stage, StageError};
use crate::document::Document;
use crate::text::{analyze, has_article, is_arabic_letter, strip_proclitics, ParagraphKind, Token};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashSet;
use std::hash::Hasher;
use std::sync::Arc;
use unicode_normalization::char::is_combining_mark;

/// Output field: `[{text, score}]`, best first.
pub const KEYWORDS_FIELD: &str = "keywords";
/// The pseudo-term of a DF table holding its number of documents.
pub const DOCS_ROW: &str = "__docs__";

const STOP_AR: &str = include_str!("../../data/insight/stopwords_ar.txt");
const STOP_EN: &str = include_str!("../../data/insight/stopwords_en.txt");
const DF_AR: &str = include_str!("../../data/insight/df_ar.tsv");
const DF_EN: &str = include_str!("../../data/insight/df_en.tsv");

/// Options of the `keywords` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct KeywordsConfig {
    /// Keywords kept per article.
    pub max_keywords: usize,
    /// Longest phrase, in words (1 to 4).
    pub max_words: usize,
    /// Least occurrences of a phrase of two or more words.
    pub min_phrase_count: usize,
    /// Score factor per extra word of a phrase.
    pub phrase_bonus: f64,
    /// Score factor for a phrase first seen in the first sentence (halved
    /// for the second, and so on).
    pub lead_bonus: f64,
}

impl Default for KeywordsConfig {
    fn default() -> Self {
        KeywordsConfig {
            max_keywords: 10,
            max_words: 4,
            min_phrase_count: 2,
            phrase_bonus: 0.5,
            lead_bonus: 0.5,
        }
    }
}

/// Document frequencies of word keys over a background corpus.
///
/// Keys are stored as 64-bit hashes, not strings: every word of every
/// article is looked up here (by `keywords` and `dedup`), and a lookup
/// then costs one probe, without following a pointer to a string and
/// comparing it. Two table keys with the same hash are refused when the
/// table is read; a word outside the table taking a table word's figure
/// has a chance of about one in 10^14 per lookup.
#[derive(Debug, Clone, Default)]
pub struct DfTable {
    pub docs: u64,
    /// Document frequency and IDF of each word key, by [`key_hash`].
    df: FxHashMap<u64, (u64, f64)>,
    /// Document frequency of each whole word marked with [`WHOLE_MARK`]
    /// in the table (keyed without the mark), by [`key_hash`].
    whole: FxHashMap<u64, u64>,
}

/// The hash a [`DfTable`] stores for a key (64-bit FNV-1a, finished so
/// that every bit depends on every byte).
fn key_hash(key: &str) -> u64 {
    let mut h = crate::text::Fnv::default();
    h.write(key.as_bytes());
    let mut z = h.finish();
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl DfTable {
    /// Reads `term<TAB>df` rows and the `__docs__` row.
    pub fn parse(text: &str) -> Result<DfTable, String> {
        let mut table = DfTable::default();
        let mut seen: FxHashMap<(u64, bool), &str> = FxHashMap::default();
        for (line, row) in rows(text).enumerate() {
            let (Some(term), Some(count)) = (row.first(), row.get(1)) else {
                return Err(format!("row {}: expected term and count", line + 1));
            };
            let count: u64 = count
                .parse()
                .map_err(|_| format!("row {}: bad count {count:?}", line + 1))?;
            if *term == DOCS_ROW {
                table.docs = count;
                continue;
            }
            // Whole words and word keys are two tables.
            let (key, whole) = match term.strip_prefix(WHOLE_MARK) {
                Some(w) => (w, true),
                None => (*term, false),
            };
            let hash = key_hash(key);
            if let Some(other) = seen.insert((hash, whole), key) {
                if other != key {
                    return Err(format!(
                        "row {}: `{key}` and `{other}` have the same hash",
                        line + 1
                    ));
                }
            }
            if whole {
                table.whole.insert(hash, count);
            } else {
                table.df.insert(hash, (count, 0.0));
            }
        }
        if table.docs == 0 {
            return Err(format!("no {DOCS_ROW} row"));
        }
        // IDFs once here, not per word of every article.
        let docs = table.docs;
        for (df, idf) in table.df.values_mut() {
            *idf = idf_of(docs, *df);
        }
        Ok(table)
    }

    /// Document frequency of a word key (0 when unknown).
    pub fn df(&self, key: &str) -> u64 {
        self.df.get(&key_hash(key)).map_or(0, |e| e.0)
    }

    /// Document frequency of a whole word (0 when unknown).
    pub fn whole_df(&self, word: &str) -> u64 {
        self.whole.get(&key_hash(word)).copied().unwrap_or(0)
    }

    /// Inverse document frequency of a word key (unknown words count as
    /// seen in one document).
    pub fn idf(&self, key: &str) -> f64 {
        match self.df.get(&key_hash(key)) {
            Some(&(_, idf)) => idf,
            None => idf_of(self.docs, 1),
        }
    }
}

/// `ln((N + 1) / (df + 1)) + 1`.
fn idf_of(docs: u64, df: u64) -> f64 {
    ((docs as f64 + 1.0) / (df as f64 + 1.0)).ln() + 1.0
}

/// The word keys a document contributes to document frequencies: each
/// distinct lookup form of a word that is not a number. `build-df` and
/// the stage use this one definition.
///
/// A word whose only proclitic is a bare conjunction (`و`, `ف`) also
/// contributes its whole form marked with [`WHOLE_MARK`] (`=وزير`), so the
/// table tells `وزير` (a word) from `وإخراج` (`و` + `إخراج`).
pub fn document_terms(text: &str) -> HashSet<String> {
    let mut terms = HashSet::new();
    for t in analyze(text).tokens {
        if !is_candidate_word(&t) {
            continue;
        }
        if is_bare_conjunction(t.prefix()) {
            terms.insert(format!("{WHOLE_MARK}{}", t.folded()));
        }
        terms.insert(t.lookup().to_string());
    }
    terms
}

/// Marks a whole-word row of a DF table (see [`document_terms`]).
pub const WHOLE_MARK: char = '=';

fn is_bare_conjunction(prefix: &str) -> bool {
    prefix == "و" || prefix == "ف"
}

fn is_candidate_word(t: &Token) -> bool {
    t.is_word && t.lookup().chars().nth(1).is_some() && !t.lookup().chars().any(is_numeric)
}

/// `char::is_numeric`, without the Unicode table walk for ASCII and
/// Arabic letters (most of the text).
fn is_numeric(c: char) -> bool {
    match c {
        '0'..='9' | '\u{0660}'..='\u{0669}' | '\u{06F0}'..='\u{06F9}' => true,
        '\0'..='\u{7F}' | '\u{0600}'..='\u{06FF}' => false,
        _ => c.is_numeric(),
    }
}

/// The `keywords` stage.
pub struct Keywords {
    config: KeywordsConfig,
    stop: WordSet,
    df_ar: DfTable,
    df_en: DfTable,
}

/// Most words in a phrase (the `max_words` limit).
const MAX_WORDS: usize = 4;
/// Padding of a phrase's word ids beyond its length.
const NO_WORD: u32 = u32::MAX;

/// One candidate phrase while counting: its words are ids into
/// [`Counting::words`], padded with [`NO_WORD`].
struct Candidate {
    words: [u32; MAX_WORDS],
    len: usize,
    count: usize,
    first_sentence: usize,
    /// First of its written forms in [`Counting::forms`].
    first_form: u32,
}

/// One written form of a candidate: the surface words of one occurrence
/// (ids into [`Counting::surfaces`]), how often it was seen and where, and
/// the next form of the same candidate ([`NO_WORD`] for none).
struct Form {
    surfaces: [u32; MAX_WORDS],
    count: usize,
    /// Index into the sentences being read and first token of the window.
    sentence: u32,
    token: u32,
    next: u32,
}

/// What a surface word (the written token) says, computed once per
/// distinct surface in a document.
#[derive(Clone, Copy)]
struct SurfaceInfo {
    /// Id of its key in [`Counting::words`], or `NO_WORD` when the token
    /// is not a candidate word (stop word, number, one letter).
    word: u32,
    /// Letters to drop from the shown form ([`Keywords::key`]).
    extra: usize,
    /// A bare conjunction to drop from the shown form.
    drop_conjunction: bool,
}

/// The counting state of one document. Words and surfaces are interned
/// (borrowed from the text, its analysis and the title), so counting a
/// window allocates nothing.
#[derive(Default)]
struct Counting<'a> {
    surface_ids: FxHashMap<&'a str, u32>,
    surfaces: Vec<SurfaceInfo>,
    word_ids: FxHashMap<&'a str, u32>,
    /// Key and IDF of each word.
    words: Vec<(&'a str, f64)>,
    candidate_ids: FxHashMap<[u32; MAX_WORDS], u32>,
    candidates: Vec<Candidate>,
    forms: Vec<Form>,
}

impl Keywords {
    pub fn new(config: &KeywordsConfig) -> Result<Keywords, BuildError> {
        if !(1..=4).contains(&config.max_words) {
            return Err(BuildError {
                stage: "keywords",
                message: format!("max_words must be 1 to 4, not {}", config.max_words),
            });
        }
        let bad = |m: String| BuildError {
            stage: "keywords",
            message: m,
        };
        let mut stop = WordSet::parse(STOP_AR);
        stop.extend(&WordSet::parse(STOP_EN));
        Ok(Keywords {
            config: config.clone(),
            stop,
            df_ar: DfTable::parse(DF_AR).map_err(|e| bad(format!("df_ar.tsv: {e}")))?,
            df_en: DfTable::parse(DF_EN).map_err(|e| bad(format!("df_en.tsv: {e}")))?,
        })
    }

    /// The key of a word and how many letters to drop from its shown
    /// form. The key is its lookup form, also without a single-letter
    /// preposition (`ل`, `ب`, `ك`, which the shared text layer leaves on
    /// because names start with them) when the background table shows the
    /// rest is the common word (`لإطلاق` is `إطلاق`; `لافروف` stays).
    fn key<'t>(&self, token: &'t Token) -> (&'t str, usize) {
        let key = term_key(token);
        let mut chars = key.chars();
        if let (Some('ل' | 'ب' | 'ك'), rest) = (chars.next(), chars.as_str()) {
            let (prefix, stem) = strip_proclitics(rest);
            if stem.chars().count() >= 3 && self.df_ar_of(stem) >= 5 * self.df_ar_of(key).max(1) {
                let conjunction =
                    is_bare_conjunction(prefix) && self.conjunction_is_clitic(rest, stem);
                return (stem, 1 + usize::from(conjunction));
            }
        }
        (key, 0)
    }

    fn df_ar_of(&self, key: &str) -> u64 {
        self.df_ar.df(key)
    }

    /// True when a bare `و`/`ف` on `token` is a conjunction to drop from
    /// the shown form: the whole word is rare next to its stem.
    fn conjunction_is_clitic(&self, folded: &str, stem: &str) -> bool {
        let whole = self.df_ar.whole_df(folded);
        whole * 2 < self.df_ar_of(stem)
    }

    fn idf(&self, key: &str) -> f64 {
        if key.chars().next().is_some_and(is_arabic_letter) {
            self.df_ar.idf(key)
        } else {
            self.df_en.idf(key)
        }
    }

    /// The stop-word list (shared with `summary`).
    pub fn stop_words(&self) -> &WordSet {
        &self.stop
    }

    /// Ranked keywords of `text` (and `title`, read as a sentence before it).
    pub fn extract(
        &self,
        text: &str,
        analysis: &crate::text::Analysis,
        title: Option<&str>,
    ) -> Vec<(String, f64)> {
        let title_analysis = title.map(analyze);
        let mut sentences: Vec<(usize, &[Token], &str)> = Vec::new();
        if let (Some(a), Some(t)) = (&title_analysis, title) {
            sentences.push((0, &a.tokens[..], t));
        }
        for (i, s) in analysis.sentences.iter().enumerate() {
            let kind = analysis.paragraphs.get(s.paragraph).map(|p| p.kind);
            if matches!(
                kind,
                Some(ParagraphKind::Body) | Some(ParagraphKind::Heading)
            ) {
                sentences.push((i, analysis.tokens_of(i), text));
            }
        }
        let mut counting = Counting::default();
        // Sized for the text, so counting does not grow its tables.
        let words = sentences.iter().map(|s| s.1.len()).sum::<usize>();
        counting.surface_ids.reserve(words);
        counting.surfaces.reserve(words);
        counting.word_ids.reserve(words);
        counting.words.reserve(words);
        counting.candidate_ids.reserve(words * 2);
        counting.candidates.reserve(words * 2);
        counting.forms.reserve(words * 2);
        let mut ids: Vec<u32> = Vec::new();
        for (slot, &(position, tokens, source)) in sentences.iter().enumerate() {
            ids.clear();
            ids.extend(
                tokens
                    .iter()
                    .map(|t| self.surface(&mut counting, t, source)),
            );
            let mut from = 0;
            while from < tokens.len() {
                let len = ids[from..]
                    .iter()
                    .take_while(|&&id| counting.surfaces[id as usize].word != NO_WORD)
                    .count();
                if len > 0 {
                    self.count_chunk(&mut counting, &ids[from..from + len], slot, from, position);
                }
                from += len + 1;
            }
        }
        self.rank(&counting, &sentences)
    }

    /// The surface id of a token (interning it and its key on first sight).
    fn surface<'a>(&self, counting: &mut Counting<'a>, t: &'a Token, source: &'a str) -> u32 {
        let written = source.get(t.byte_start..t.byte_end).unwrap_or("");
        if let Some(&id) = counting.surface_ids.get(written) {
            return id;
        }
        let info = if is_candidate_word(t) && !self.stop.contains(t) {
            let (key, extra) = self.key(t);
            let word = match counting.word_ids.get(key) {
                Some(&w) => w,
                None => {
                    let w = counting.words.len() as u32;
                    counting.words.push((key, self.idf(key)));
                    counting.word_ids.insert(key, w);
                    w
                }
            };
            SurfaceInfo {
                word,
                extra,
                drop_conjunction: is_bare_conjunction(t.prefix())
                    && self.conjunction_is_clitic(t.folded(), t.lookup()),
            }
        } else {
            SurfaceInfo {
                word: NO_WORD,
                extra: 0,
                drop_conjunction: false,
            }
        };
        let id = counting.surfaces.len() as u32;
        counting.surfaces.push(info);
        counting.surface_ids.insert(written, id);
        id
    }

    /// Counts every window of 1 to `max_words` words of a chunk (a run of
    /// candidate words whose surface ids are `chunk`, starting at token
    /// `first_token` of sentence slot `slot`).
    fn count_chunk(
        &self,
        counting: &mut Counting,
        chunk: &[u32],
        slot: usize,
        first_token: usize,
        position: usize,
    ) {
        for n in 1..=self.config.max_words.min(chunk.len()).min(MAX_WORDS) {
            for (i, window) in chunk.windows(n).enumerate() {
                let mut words = [NO_WORD; MAX_WORDS];
                let mut surfaces = [NO_WORD; MAX_WORDS];
                for (k, &sid) in window.iter().enumerate() {
                    words[k] = counting.surfaces[sid as usize].word;
                    surfaces[k] = sid;
                }
                let next_form = counting.forms.len() as u32;
                let c = match counting.candidate_ids.get(&words) {
                    Some(&c) => c as usize,
                    None => {
                        let c = counting.candidates.len();
                        counting.candidate_ids.insert(words, c as u32);
                        counting.candidates.push(Candidate {
                            words,
                            len: n,
                            count: 0,
                            first_sentence: position,
                            first_form: NO_WORD,
                        });
                        c
                    }
                };
                let candidate = &mut counting.candidates[c];
                candidate.count += 1;
                candidate.first_sentence = candidate.first_sentence.min(position);
                // Walk the candidate's forms (usually one or two).
                let mut link = candidate.first_form;
                let mut last = NO_WORD;
                while link != NO_WORD {
                    let form = &mut counting.forms[link as usize];
                    if form.surfaces == surfaces {
                        form.count += 1;
                        break;
                    }
                    last = link;
                    link = form.next;
                }
                if link == NO_WORD {
                    counting.forms.push(Form {
                        surfaces,
                        count: 1,
                        sentence: slot as u32,
                        token: (first_token + i) as u32,
                        next: NO_WORD,
                    });
                    if last == NO_WORD {
                        candidate.first_form = next_form;
                    } else {
                        counting.forms[last as usize].next = next_form;
                    }
                }
            }
        }
    }

    fn rank(
        &self,
        counting: &Counting,
        sentences: &[(usize, &[Token], &str)],
    ) -> Vec<(String, f64)> {
        let cfg = &self.config;
        let kept: Vec<&Candidate> = counting
            .candidates
            .iter()
            .filter(|c| c.len == 1 || c.count >= cfg.min_phrase_count)
            .collect();
        let phrases: Vec<&Candidate> = kept.iter().copied().filter(|c| c.len > 1).collect();
        // A phrase mostly seen inside a longer kept phrase adds nothing.
        let mut scored: Vec<(f64, &Candidate)> = kept
            .iter()
            .filter(|c| {
                !phrases.iter().any(|longer| {
                    longer.len > c.len
                        && longer.count * 2 >= c.count
                        && contains_run(&longer.words[..longer.len], &c.words[..c.len])
                })
            })
            .map(|c| {
                let idf = c.words[..c.len]
                    .iter()
                    .map(|&w| counting.words[w as usize].1)
                    .sum::<f64>()
                    / c.len as f64;
                let score = c.count as f64
                    * idf
                    * (1.0 + cfg.phrase_bonus * (c.len - 1) as f64)
                    * (1.0 + cfg.lead_bonus / (1.0 + c.first_sentence as f64));
                (score, *c)
            })
            .collect();
        fn key_of<'c>(counting: &'c Counting, c: &'c Candidate) -> impl Iterator<Item = &'c str> {
            c.words[..c.len]
                .iter()
                .map(|&w| counting.words[w as usize].0)
        }
        scored.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| key_of(counting, a.1).cmp(key_of(counting, b.1)))
        });
        let best = scored.first().map_or(1.0, |s| s.0);
        let mut seen_text = HashSet::new();
        scored
            .into_iter()
            .filter_map(|(score, c)| {
                let text = best_form(counting, c, sentences)?;
                seen_text
                    .insert(text.clone())
                    .then_some((text, score / best))
            })
            .take(cfg.max_keywords)
            .collect()
    }
}

/// True when `inner` occurs as a contiguous run in `outer`.
fn contains_run(outer: &[u32], inner: &[u32]) -> bool {
    match inner {
        [] => true,
        [word] => outer.contains(word),
        _ => outer
            .windows(inner.len())
            .any(|w| w.iter().zip(inner).all(|(a, b)| a == b)),
    }
}

/// The most frequent written form, preferring forms whose first word
/// keeps a bare conjunction only when nothing else was seen. Forms are
/// written out here, for the few candidates shown, and merged by text.
fn best_form(
    counting: &Counting,
    c: &Candidate,
    sentences: &[(usize, &[Token], &str)],
) -> Option<String> {
    let mut texts: Vec<(String, usize, bool)> = Vec::new();
    let mut link = c.first_form;
    while link != NO_WORD {
        let form = &counting.forms[link as usize];
        link = form.next;
        let Some(&(_, tokens, source)) = sentences.get(form.sentence as usize) else {
            continue;
        };
        let from = form.token as usize;
        let Some(window) = tokens.get(from..from + c.len) else {
            continue;
        };
        let first = counting.surfaces[form.surfaces[0] as usize];
        let (text, conjunction) = display_form(window, source, first.extra, first.drop_conjunction);
        match texts.iter_mut().find(|t| t.0 == text) {
            Some(t) => t.1 += form.count,
            None => texts.push((text, form.count, conjunction)),
        }
    }
    texts
        .into_iter()
        .max_by(|a, b| (!a.2, a.1).cmp(&(!b.2, b.1)).then_with(|| b.0.cmp(&a.0)))
        .map(|(text, _, _)| text)
}

/// The written form of a run of tokens, its first word without
/// conjunctions and prepositions (the article kept); and whether the first
/// word still carries a bare conjunction; `extra` more letters are
/// dropped from the first word (a preposition [`Keywords::key`] removed) (`وزير` may be a word or `و`+`زير`,
/// so a bare `و`/`ف` is left in place).
fn display_form(
    window: &[Token],
    source: &str,
    extra: usize,
    drop_conjunction: bool,
) -> (String, bool) {
    let Some(first) = window.first() else {
        return (String::new(), false);
    };
    let last = &window[window.len() - 1];
    let raw = source.get(first.byte_start..last.byte_end).unwrap_or("");
    let whole = if raw.contains(|c: char| c.is_whitespace() && c != ' ') || raw.contains("  ") {
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        raw.to_string()
    };
    let prefix = first.prefix();
    if prefix.is_empty() {
        return (skip_letters(&whole, extra).to_string(), false);
    }
    if is_bare_conjunction(prefix) {
        return if drop_conjunction {
            (skip_letters(&whole, 1).to_string(), false)
        } else {
            (whole, true)
        };
    }
    let stem = skip_letters(&whole, prefix.chars().count());
    if has_article(prefix) {
        (format!("ال{stem}"), false)
    } else {
        (stem.to_string(), false)
    }
}

/// `s` after its first `n` base letters (and the marks that follow them).
fn skip_letters(s: &str, n: usize) -> &str {
    let mut seen = 0;
    for (i, c) in s.char_indices() {
        let is_mark = is_combining_mark(c) || c == '\u{0640}';
        if seen == n && !is_mark {
            return &s[i..];
        }
        if !is_mark {
            seen += 1;
        }
    }
    ""
}

impl Stage for Keywords {
    fn name(&self) -> &'static str {
        "keywords"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        let analysis: Arc<crate::text::Analysis> = doc.analysis();
        let keywords = self.extract(&doc.text, &analysis, doc.title.as_deref());
        let value: Vec<_> = keywords
            .into_iter()
            .map(|(text, score)| json!({ "text": text, "score": round4(score) }))
            .collect();
        doc.fields.insert(KEYWORDS_FIELD.into(), json!(value));
        Ok(())
    }
}

/// Rounds to four decimals (scores are read by people).
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keywords(text: &str) -> Vec<String> {
        let stage = Keywords::new(&KeywordsConfig::default()).unwrap();
        let mut d = Document {
            text: text.into(),
            ..Document::default()
        };
        stage.apply(&mut d).unwrap();
        d.fields[KEYWORDS_FIELD]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["text"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn a_recurring_phrase_is_kept_whole_and_its_parts_are_not() {
        let k = keywords(
            "رفضت روسيا وقف إطلاق النار في حلب.\nوقالت واشنطن إن وقف إطلاق النار ضروري.\nوطالبت بوقف لإطلاق النار.",
        );
        assert!(k.contains(&"وقف إطلاق النار".to_string()), "{k:?}");
        assert!(!k.contains(&"وقف".to_string()), "{k:?}");
        assert!(!k.contains(&"إطلاق النار".to_string()), "{k:?}");
    }

    #[test]
    fn prepositions_and_conjunctions_leave_the_shown_form() {
        let k = keywords("والولايات المتحدة قالت.\nإن للولايات المتحدة رأيا.\nالولايات المتحدة");
        assert_eq!(k[0], "الولايات المتحدة");
    }

    #[test]
    fn stop_words_and_numbers_are_never_keywords() {
        let k = keywords("قال إنه في عام 2015 كان هناك ما قال.");
        for w in ["قال", "في", "2015", "كان", "هناك"] {
            assert!(!k.contains(&w.to_string()), "{k:?}");
        }
    }

    #[test]
    fn english_phrases_are_found_too() {
        let k = keywords(
            "The ceasefire talks in Geneva failed. Officials said the ceasefire talks would resume.",
        );
        assert_eq!(k[0], "ceasefire talks", "{k:?}");
    }

    #[test]
    fn empty_text_has_no_keywords() {
        assert!(keywords("").is_empty());
        assert!(keywords("،،، ... !!").is_empty());
    }

    #[test]
    fn the_numeric_fast_path_agrees_with_the_unicode_tables() {
        for c in ('\0'..='\u{7F}').chain('\u{0600}'..='\u{06FF}') {
            assert_eq!(is_numeric(c), c.is_numeric(), "{c:?}");
        }
    }

    #[test]
    fn a_df_table_without_its_document_count_is_refused() {
        assert!(DfTable::parse("حلب\t3\n").is_err());
        let t = DfTable::parse("__docs__\t100\nحلب\t3\n").unwrap();
        assert!(t.idf("حلب") < t.idf("كيربي"));
    }
}
