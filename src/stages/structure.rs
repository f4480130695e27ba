//! `structure`: what each paragraph is on a news page.
//!
//! Runs after `language`, on the [`Analysis`] of `doc.text`. Each paragraph
//! is body text unless it is one of:
//! - a **caption**: ends in `|` (a pasted photo caption), carries a photo
//!   marker (`Photo:`, `تصوير:`), or is one short sentence ending with an
//!   agency in brackets (`(رويترز)`, `(AFP)`, `(Getty Images)`); its credit
//!   goes into `doc.captions`;
//! - a **dateline** (`حلب - الجزيرة نت` alone on a line); a dateline at the
//!   head of the first paragraphs (`LONDON (Reuters) -`, `الرياض - `,
//!   `فهد العتيبي- سبق- الطائف:`) leaves the paragraph body text; either
//!   way place and agency go to `doc.fields["dateline"]`, an author named
//!   in it (`عمر إبراهيم – عين اليوم`) to `doc.fields["byline"]`. Which
//!   side of `X – AGENCY` is a place is told by the place gazetteer;
//! - a **byline** (`بقلم:`, `By ...`) near the top or bottom, into
//!   `doc.fields["byline"]`;
//! - a **credit** near the end (`المصدر: الجزيرة + وكالات`, or an agency
//!   alone), into `doc.fields["source_credit"]`;
//! - a **heading**: a short line without final punctuation followed by more
//!   text (`طريق مسدود`); into `doc.headings`. A heading-like first line is
//!   the title when the article has none.
//!
//! Headings and captions the `html` stage already knew (from `<h2>` and
//! `<figcaption>`) are marked as such whatever their shape. The refined
//! paragraph kinds are stored back on the document's analysis, so later
//! stages can skip captions and headings. Agencies and markers are tables:
//! `data/text/agencies.tsv`, `data/text/structure_markers.tsv`.

use super::{Stage, StageError};
use crate::document::{Caption, Document};
use crate::entities::gazetteer::place_keys;
use crate::entities::normalize::phrase_key;
use crate::text::{fold, fold_into, fold_with_map, Analysis, CharCursor, ParagraphKind};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::cell::OnceCell;
use std::collections::HashMap;

/// Output field for the dateline: `{place, agency, start, end}`.
pub const DATELINE_FIELD: &str = "dateline";
/// Output field for the byline (the author as written).
pub const BYLINE_FIELD: &str = "byline";
/// Output field for the closing source credit.
pub const CREDIT_FIELD: &str = "source_credit";
/// Output field for the lead paragraph span: `{start, end}`.
pub const LEAD_FIELD: &str = "lead";

/// Options of the `structure` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StructureConfig {
    /// Longest heading, in words.
    pub max_heading_words: usize,
    /// Longest caption recognised by a bracketed agency alone, in words.
    pub max_caption_words: usize,
}

impl Default for StructureConfig {
    fn default() -> Self {
        StructureConfig {
            max_heading_words: 10,
            max_caption_words: 40,
        }
    }
}

/// Characters of a paragraph's head searched for a marker.
const MARKER_HEAD_CHARS: usize = 48;

/// Folded characters of a marker compared before the whole head is folded.
const MARKER_LEAD_CHARS: usize = 4;

/// Which kind of line a marker opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkerKind {
    Photo,
    Byline,
    Credit,
}

/// A marker: its folded words and whether a colon must follow.
#[derive(Debug, Clone)]
struct Marker {
    kind: MarkerKind,
    folded: String,
    colon: bool,
}

/// The `structure` stage.
pub struct Structure {
    max_heading_words: usize,
    max_caption_words: usize,
    /// Folded agency name to canonical name.
    agencies: HashMap<String, String>,
    /// Keys of the place gazetteer's names ([`place_keys`]).
    places: &'static FxHashSet<String>,
    markers: Vec<Marker>,
    /// The first [`MARKER_LEAD_CHARS`] folded characters of every marker
    /// (all of a shorter one): a paragraph whose folded head starts with
    /// none of them opens no marker.
    marker_leads: Vec<String>,
}

impl Structure {
    pub fn new(config: &StructureConfig) -> Self {
        let agencies = table(include_str!("../../data/text/agencies.tsv"))
            .map(|(name, canonical)| (fold(name), canonical.to_string()))
            .collect();
        let mut markers: Vec<Marker> = table(include_str!("../../data/text/structure_markers.tsv"))
            .filter_map(|(kind, marker)| {
                let kind = match kind {
                    "photo" => MarkerKind::Photo,
                    "byline" => MarkerKind::Byline,
                    "credit" => MarkerKind::Credit,
                    _ => return None,
                };
                let colon = marker.ends_with(':');
                Some(Marker {
                    kind,
                    folded: fold(marker.trim_end_matches(':').trim()),
                    colon,
                })
            })
            .collect();
        // Longest first, so `Photo credit:` wins over `Photo:`.
        markers.sort_by_key(|m| std::cmp::Reverse(m.folded.len()));
        let mut marker_leads: Vec<String> = markers
            .iter()
            .map(|m| m.folded.chars().take(MARKER_LEAD_CHARS).collect())
            .collect();
        marker_leads.sort_unstable();
        marker_leads.dedup();
        Structure {
            marker_leads,
            max_heading_words: config.max_heading_words.max(1),
            max_caption_words: config.max_caption_words.max(1),
            agencies,
            places: place_keys(),
            markers,
        }
    }

    /// The canonical agency of `name` (as written), if it is one.
    fn agency(&self, name: &str) -> Option<&str> {
        let folded = fold(name.trim());
        self.agencies.get(folded.trim()).map(String::as_str)
    }

    /// The marker opening `para`, and the char offset where what follows it
    /// (the name, the credit) starts.
    fn marker_at_start(&self, para: &str) -> Option<(MarkerKind, usize)> {
        // Most paragraphs start with no marker's first letters: fold a few
        // characters and stop there. Diacritics fold to nothing, so the
        // check applies only when the few gave enough letters.
        let few = char_slice(para, 0, 2 * MARKER_LEAD_CHARS);
        let mut lead = String::with_capacity(4 * MARKER_LEAD_CHARS);
        fold_into(few, &mut lead);
        let lead = char_slice(&lead, 0, MARKER_LEAD_CHARS);
        let complete = few.len() == para.len() || lead.chars().count() == MARKER_LEAD_CHARS;
        if complete
            && !self
                .marker_leads
                .iter()
                .any(|m| lead.starts_with(m.as_str()))
        {
            return None;
        }
        // Markers are short: fold only the head of a long paragraph.
        let head = char_slice(para, 0, MARKER_HEAD_CHARS);
        let folded = fold_with_map(head);
        self.markers.iter().find_map(|m| {
            let rest = folded.text.strip_prefix(m.folded.as_str())?;
            let mut after = folded.text.len() - rest.len();
            if rest.chars().next().is_some_and(char::is_alphanumeric) {
                return None;
            }
            let trimmed = rest.trim_start();
            after += rest.len() - trimmed.len();
            match trimmed.strip_prefix(':') {
                Some(t) => after += 1 + t.len() - t.trim_start().len(),
                None if m.colon => return None,
                None => {}
            }
            let chars_before = folded.text[..after].chars().count();
            let source = folded
                .map
                .get(chars_before)
                .map_or(head.chars().count(), |r| r.0);
            Some((m.kind, source))
        })
    }

    /// A photo marker anywhere in `para` (`... Photo: Reuters`): the char
    /// offset where the marker starts and where the credit starts.
    fn photo_marker_inside(&self, para: &str) -> Option<(usize, usize)> {
        // Every photo marker ends with a colon: most lines have none.
        if !para.contains(':') {
            return None;
        }
        let chars: Vec<(usize, char)> = para.char_indices().collect();
        for (i, &(b, c)) in chars.iter().enumerate() {
            if i > 0 && !chars[i - 1].1.is_whitespace() && chars[i - 1].1 != '(' {
                continue;
            }
            if !c.is_alphabetic() {
                continue;
            }
            if let Some((MarkerKind::Photo, after)) = self.marker_at_start(&para[b..]) {
                return Some((i, i + after));
            }
        }
        None
    }

    /// Splits a caption into its text and credit.
    fn caption(&self, para: &str) -> Caption {
        let body = para.trim().trim_end_matches('|').trim_end();
        if let Some((open, inner)) = final_brackets(body) {
            let inner_trim = inner.trim();
            let credit = if let Some((MarkerKind::Photo, after)) = self.marker_at_start(inner_trim)
            {
                Some(char_slice(inner_trim, after, usize::MAX).trim().to_string())
            } else {
                self.credit_in(inner_trim).map(str::to_string)
            };
            if let Some(credit) = credit.filter(|c| !c.is_empty()) {
                return Caption {
                    text: body[..open].trim_end().to_string(),
                    credit: Some(credit),
                };
            }
        }
        if let Some((start, after)) = self.photo_marker_inside(body) {
            let credit = char_slice(body, after, usize::MAX)
                .trim()
                .trim_end_matches(')')
                .trim();
            let text = char_slice(body, 0, start)
                .trim_end()
                .trim_end_matches('(')
                .trim_end();
            return Caption {
                text: text.to_string(),
                credit: (!credit.is_empty()).then(|| credit.to_string()),
            };
        }
        Caption {
            text: body.to_string(),
            credit: None,
        }
    }

    /// The agency named in a credit like `رويترز-أرشيف` or `Reuters/AP`:
    /// the first part that is an agency, as written.
    fn credit_in<'a>(&self, inner: &'a str) -> Option<&'a str> {
        if self.agency(inner).is_some() {
            return Some(inner.trim());
        }
        inner
            .split(['-', '–', '/', '،', ',', '+'])
            .map(str::trim)
            .find(|part| self.agency(part).is_some())
    }

    /// True when `para` is short, one sentence and ends with an agency in
    /// brackets.
    fn bracketed_agency_caption(&self, para: &str) -> bool {
        let body = para.trim();
        let Some((open, inner)) = final_brackets(body) else {
            return false;
        };
        let before = body[..open].trim_end();
        let words = before.split_whitespace().count();
        words > 0
            && words <= self.max_caption_words
            && !has_sentence_end(before)
            && self.credit_in(inner).is_some()
    }

    /// A dateline at the head of `para`: place, agency, and the char offset
    /// just past the dateline (its dash or colon), and an author it names.
    /// Only the first paragraph (`first`) may take the looser `PLACE - text`
    /// form heading running text.
    fn dateline(&self, para: &str, first: bool) -> Option<Dateline> {
        let chars: Vec<char> = para.chars().collect();
        let head = chars.len().min(80);
        // `PLACE (AGENCY) -` and `PLACE, Dec 12 (AGENCY) -`.
        if let Some(open) = chars[..head].iter().position(|&c| c == '(') {
            let close = open + chars[open..].iter().position(|&c| c == ')')?;
            let mut k = close + 1;
            while k < chars.len() && chars[k] == ' ' {
                k += 1;
            }
            if k < chars.len() && is_dash(chars[k]) {
                let left: String = chars[..open].iter().collect();
                let place = left.split(',').next().unwrap_or("").trim().to_string();
                let agency: String = chars[open + 1..close].iter().collect();
                if is_place(&place) && agency.split_whitespace().count() <= 4 {
                    return Some(Dateline {
                        place: Some(place),
                        agency: Some(agency.trim().to_string()),
                        byline: None,
                        end: k + 1,
                    });
                }
            }
        }
        // Dash-separated parts alone on their line or before a colon.
        let colon = chars[..head].iter().position(|&c| c == ':');
        if colon.is_some() || chars.len() <= head {
            let parts = &chars[..colon.unwrap_or(chars.len())];
            let end = colon.map_or(chars.len(), |k| k + 1);
            if let Some(found) = self.parts(parts, end) {
                return Some(found);
            }
        }
        // `PLACE - text` heading the first paragraph.
        let dash = (1..head).find(|&i| is_separator(&chars[..head], i))?;
        let left: String = chars[..dash].iter().collect::<String>().trim().to_string();
        // Running text after the dash (not `الأهلي- الهلال`).
        let running = chars[dash + 1..].iter().filter(|&&c| c == ' ').count() >= 4;
        if first
            && running
            && is_place(&left)
            && self.place_like(&left)
            && left.split_whitespace().count() <= 2
            && self.agency(&left).is_none()
        {
            return Some(Dateline {
                place: Some(left),
                end: dash + 1,
                ..Dateline::default()
            });
        }
        None
    }

    /// A dateline of the separated parts of `head` (a paragraph's head
    /// before its colon, or the whole short line; the dateline ends `end`
    /// chars into the paragraph): `PLACE - AGENCY`, `AGENCY - PLACE`,
    /// `AUTHOR - AGENCY`, `AUTHOR - PLACE`, `AUTHOR- AGENCY- PLACE`, or no
    /// separator and an agency last (`الرياض 25 شوال 1436 هـ ... واس`).
    fn parts(&self, head: &[char], end: usize) -> Option<Dateline> {
        let mut parts: Vec<String> = Vec::new();
        let mut from = 0;
        for i in 0..head.len() {
            if is_separator(head, i) {
                parts.push(head[from..i].iter().collect());
                from = i + 1;
            }
        }
        parts.push(head[from..].iter().collect());
        let parts: Vec<&str> = parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        let dateline = |place: Option<&str>, agency: Option<&str>, byline: Option<&str>| {
            Some(Dateline {
                place: place.map(str::to_string),
                agency: agency.map(str::to_string),
                byline: byline.map(str::to_string),
                end,
            })
        };
        match parts[..] {
            [author, agency, place]
                if self.agency(agency).is_some() && is_place(place) && is_author(author) =>
            {
                dateline(Some(place), Some(agency), Some(author))
            }
            [left, right] if self.agency(left).is_some() && is_place(right) => {
                // `عين اليوم – لندن`; not `سبق- متابعة` (follow-up) or
                // `الرياضي ـ وكالات`.
                let place =
                    (self.known_place(right) && self.agency(right).is_none()).then_some(right);
                dateline(place, Some(left), None)
            }
            [left, right] if self.agency(right).is_some() && is_place(left) => {
                // `حلب - الجزيرة نت`, but `عمر إبراهيم – عين اليوم`.
                if self.place_like(left) {
                    dateline(Some(left), Some(right), None)
                } else {
                    dateline(None, Some(right), Some(left))
                }
            }
            // Without an agency, one side must be a known place:
            // `أحمد البشيري- الباحة`, not `الأهلي- الهلال`.
            [left, right] if is_place(left) && is_place(right) => {
                if self.known_place(right) && !self.place_like(left) {
                    dateline(Some(right), None, Some(left))
                } else if self.known_place(left) {
                    dateline(Some(left), None, None)
                } else {
                    None
                }
            }
            [line] => {
                // The agency is the last one or two words.
                let words: Vec<&str> = line.split_whitespace().collect();
                let n = words.len();
                let (rest, agency) = [2, 1].into_iter().filter(|&k| n > k).find_map(|k| {
                    let agency = words[n - k..].join(" ");
                    self.agency(&agency)
                        .map(|_| (words[..n - k].join(" "), agency))
                })?;
                let digit = rest.find(|c: char| c.is_numeric())?;
                let place = rest[..digit].trim();
                (is_place(place) && self.known_place(place))
                    .then(|| dateline(Some(place), Some(&agency), None))
                    .flatten()
            }
            _ => None,
        }
    }

    /// Whether the place gazetteer names `name`.
    fn known_place(&self, name: &str) -> bool {
        self.places.contains(&phrase_key(name))
    }

    /// Whether `name`, beside an agency, is read as the place rather than
    /// an author: a known place, a name ending in one (`ريف حلب`, `شمال
    /// سيناء`), or one word (the gazetteer lacks small places; authors are
    /// named in full).
    fn place_like(&self, name: &str) -> bool {
        self.known_place(name)
            || name.split_whitespace().count() == 1
            || name
                .split_whitespace()
                .last()
                .is_some_and(|w| self.known_place(w))
    }
}

/// A dateline found at the head of a paragraph.
#[derive(Debug, Clone, Default)]
struct Dateline {
    place: Option<String>,
    agency: Option<String>,
    /// An author named in it (`عمر إبراهيم – عين اليوم`).
    byline: Option<String>,
    /// Char offset just past it, relative to the paragraph.
    end: usize,
}

/// True for a short line that can be a crosshead: letters, no link,
/// handle, hashtag or e-mail.
fn heading_shaped(text: &str) -> bool {
    if text.contains(['@', '#', '/', '\\', '|', '=', '<', '>', '{', '}', '[', ']'])
        || text.contains("http")
        || text.contains("www.")
        || text.contains("..")
        || text.contains('…')
    {
        return false;
    }
    let visible = text.chars().filter(|c| !c.is_whitespace()).count();
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    letters * 10 >= visible * 7
}

/// True when `s` holds a sentence end (a terminator followed by space or
/// at the end).
fn has_sentence_end(s: &str) -> bool {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, '.' | '!' | '?' | '؟' | '؛')
            && chars.peek().is_none_or(|n| n.is_whitespace())
        {
            return true;
        }
    }
    false
}

/// True when `para` is a short line whose tail after a photo marker is a
/// short credit (`People queue for bread. Photo: Reuters`).
fn photo_tail(structure: &Structure, para: &str, words: usize) -> bool {
    words <= structure.max_caption_words
        && structure
            .photo_marker_inside(para)
            .is_some_and(|(_, after)| {
                char_slice(para, after, usize::MAX)
                    .split_whitespace()
                    .count()
                    <= 6
            })
}

/// Parses a two-column table, skipping comments and blank lines.
fn table(text: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(a, b)| (a.trim(), b.trim()))
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—')
}

/// Whether `chars[i]` separates the parts of a dateline: a dash with a
/// space on either side (`البرقاوي- سبق-`, `حلب - `), not one inside a word
/// (`Jean-Pierre`); or a tatweel spaced on both (`طلال عبدالله ـ جدة`).
fn is_separator(chars: &[char], i: usize) -> bool {
    let before = i > 0 && chars[i - 1] == ' ';
    let after = chars.get(i + 1).is_none_or(|&c| c == ' ');
    (is_dash(chars[i]) && i > 0 && (before || after)) || (chars[i] == 'ـ' && before && after)
}

/// An author named in a dateline: one to five words of letters
/// (`محمد بن عبد الله`).
fn is_author(name: &str) -> bool {
    let words = name.split_whitespace().count();
    (1..=5).contains(&words)
        && name
            .chars()
            .all(|c| c.is_alphabetic() || c.is_whitespace() || c == '.' || c == '\'')
}

/// A dateline place: one to three words of letters (`حلب`, `LONDON`,
/// `NEW YORK`, `الرياض`), Latin ones capitalised.
fn is_place(place: &str) -> bool {
    let words: Vec<&str> = place.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 3
        && words.iter().all(|w| {
            let first = w.chars().next().unwrap_or(' ');
            w.chars()
                .all(|c| c.is_alphabetic() || c == '.' || c == '\'')
                && (first.is_uppercase() || crate::text::is_arabic_letter(first))
        })
}

/// The byte offset of the `(` of a final bracketed group and its content.
fn final_brackets(s: &str) -> Option<(usize, &str)> {
    let inner_end = s.strip_suffix(')')?.len();
    let open = s[..inner_end].rfind('(')?;
    Some((open, &s[open + 1..inner_end]))
}

/// The chars `from..to` of `s` (clamped).
fn char_slice(s: &str, from: usize, to: usize) -> &str {
    let mut indices = s
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(s.len()));
    let start = indices.clone().nth(from).unwrap_or(s.len());
    let end = if to == usize::MAX {
        s.len()
    } else {
        indices.nth(to).unwrap_or(s.len()).max(start)
    };
    &s[start..end]
}

/// Ends with punctuation that closes a sentence or a clause.
fn ends_punctuated(s: &str) -> bool {
    s.trim_end().ends_with([
        '.', '!', '?', '؟', '؛', '،', ',', ':', ';', '…', '”', '"', '»', '۔',
    ])
}

impl Stage for Structure {
    fn name(&self) -> &'static str {
        "structure"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        // Take the analysis out of the cache so it is refined in place, not
        // copied (it holds every token's strings).
        let shared = doc.analysis();
        doc.analysis_cache = Default::default();
        let mut analysis: Analysis =
            std::sync::Arc::try_unwrap(shared).unwrap_or_else(|a| (*a).clone());
        let n = analysis.paragraphs.len();
        let texts: Vec<&str> = {
            let mut cursor = CharCursor::new(&doc.text);
            analysis
                .paragraphs
                .iter()
                .map(|p| {
                    let b0 = cursor.byte_at(p.start);
                    let b1 = cursor.byte_at(p.end);
                    &doc.text[b0..b1]
                })
                .collect()
        };
        let known_headings: Vec<String> = doc.headings.iter().map(|h| fold(h.trim())).collect();
        let known_captions: Vec<String> =
            doc.captions.iter().map(|c| fold(c.text.trim())).collect();
        let title = doc.title.as_deref().map(|t| fold(t.trim()));
        let mut headings = Vec::new();
        let mut captions = Vec::new();
        let mut dateline: Option<Value> = None;

        for (i, text) in texts.iter().enumerate() {
            // Folded only when compared with something.
            let folded_cell = OnceCell::new();
            let folded = || folded_cell.get_or_init(|| fold(text)).as_str();
            let near_top = i < 3;
            let near_end = i + 3 >= n;
            let words = text.split_whitespace().count();
            let marker = self.marker_at_start(text);
            let kind = if known_captions.iter().any(|k| k == folded())
                || text.trim_end().ends_with('|')
                || matches!(marker, Some((MarkerKind::Photo, _)))
                || self.bracketed_agency_caption(text)
                || photo_tail(self, text, words)
            {
                captions.push(self.caption(text));
                ParagraphKind::Caption
            } else if known_headings.iter().any(|k| k == folded()) {
                headings.push(text.to_string());
                ParagraphKind::Heading
            } else if let (Some((MarkerKind::Byline, after)), true) = (marker, near_top || near_end)
            {
                let name = char_slice(text, after, usize::MAX).trim();
                if words <= self.max_heading_words
                    && name.chars().next().is_some_and(|c| !c.is_lowercase())
                {
                    doc.fields.insert(BYLINE_FIELD.into(), json!(name));
                    ParagraphKind::Byline
                } else {
                    ParagraphKind::Body
                }
            } else if let (Some((MarkerKind::Credit, after)), true) = (marker, near_end) {
                let credit = char_slice(text, after, usize::MAX).trim();
                doc.fields.insert(CREDIT_FIELD.into(), json!(credit));
                ParagraphKind::Credit
            } else if i + 1 == n && i > 0 && words <= 6 && self.credit_in(text).is_some() {
                doc.fields.insert(CREDIT_FIELD.into(), json!(text.trim()));
                ParagraphKind::Credit
            } else if let Some(found) = (dateline.is_none() && i < 2)
                .then(|| self.dateline(text, i == 0))
                .flatten()
            {
                let p = &analysis.paragraphs[i];
                dateline = Some(json!({
                    "place": found.place,
                    "agency": found.agency,
                    "start": p.start,
                    "end": p.start + found.end.min(p.end - p.start),
                }));
                if let Some(author) = found.byline {
                    doc.fields.entry(BYLINE_FIELD).or_insert(json!(author));
                }
                let alone = text.chars().count() <= found.end + 1 || words <= 6;
                if alone {
                    ParagraphKind::Dateline
                } else {
                    ParagraphKind::Body
                }
            } else if words >= 1
                && words <= self.max_heading_words
                && text.chars().count() <= 80
                && !ends_punctuated(text)
                && heading_shaped(text)
                && texts.get(i + 1).is_some_and(|next| {
                    let next_words = next.split_whitespace().count();
                    next_words >= 8 && next_words >= 2 * words
                })
            {
                if i == 0 && title.is_none() {
                    doc.title = Some(text.to_string());
                } else if i > 0 && title.as_deref().is_none_or(|t| t != folded()) {
                    headings.push(text.to_string());
                }
                ParagraphKind::Heading
            } else if i == 0 && title.as_deref().is_some_and(|t| t == folded()) {
                ParagraphKind::Heading
            } else {
                ParagraphKind::Body
            };
            analysis.paragraphs[i].kind = kind;
        }

        // Captions and headings the html stage knew but that are not lines
        // of the text stay listed.
        for (c, f) in doc.captions.iter().zip(&known_captions) {
            if !texts.iter().any(|t| fold(t) == *f) {
                captions.push(c.clone());
            }
        }
        for (h, f) in doc.headings.iter().zip(&known_headings) {
            if !texts.iter().any(|t| fold(t) == *f) {
                headings.push(h.clone());
            }
        }
        if let Some(d) = dateline {
            doc.fields.insert(DATELINE_FIELD.into(), d);
        }
        if let Some(lead) = analysis
            .paragraphs
            .iter()
            .find(|p| p.kind == ParagraphKind::Body)
        {
            doc.fields.insert(
                LEAD_FIELD.into(),
                json!({ "start": lead.start, "end": lead.end }),
            );
        }
        doc.headings = headings;
        doc.captions = captions;
        doc.set_analysis(analysis);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::RawArticle;

    fn run(text: &str) -> Document {
        let mut d = Document {
            text: text.into(),
            ..Document::default()
        };
        Structure::new(&StructureConfig::default())
            .apply(&mut d)
            .unwrap();
        d
    }

    fn kinds(d: &mut Document) -> Vec<ParagraphKind> {
        d.analysis().paragraphs.iter().map(|p| p.kind).collect()
    }

    const SEED_TAIL: &str = "وأضاف، في بيان له “نحن لا زلنا مهتمين بالدبلوماسية”.\nلافروف: المحادثات مع أميركا وصلت إلى طريق مسدود (رويترز) |\nطريق مسدود\nعلى الجانب الآخر، قال وزير الخارجية الروسي سيرغي لافروف الاثنين إن المحادثات وصلت إلى طريق مسدود.";

    #[test]
    fn a_piped_line_is_a_caption_with_its_bracketed_credit() {
        let d = run(SEED_TAIL);
        assert_eq!(
            d.captions,
            [Caption {
                text: "لافروف: المحادثات مع أميركا وصلت إلى طريق مسدود".into(),
                credit: Some("رويترز".into()),
            }]
        );
    }

    #[test]
    fn a_short_unpunctuated_line_before_text_is_a_heading() {
        let mut d = run(SEED_TAIL);
        assert_eq!(d.headings, ["طريق مسدود"]);
        assert_eq!(
            kinds(&mut d),
            [
                ParagraphKind::Body,
                ParagraphKind::Caption,
                ParagraphKind::Heading,
                ParagraphKind::Body
            ]
        );
    }

    #[test]
    fn a_last_short_line_is_not_a_heading() {
        let d = run("قال كيربي إن المحادثات مستمرة.\nطريق مسدود");
        assert!(d.headings.is_empty());
    }

    #[test]
    fn english_caption_styles_carry_their_credit() {
        let d = run("Text one.\nA man walks past rubble in Aleppo (AFP)\nPeople queue for bread. Photo: Reuters\nSmoke rises over the city (Getty Images)\nMore text.");
        let credits: Vec<_> = d.captions.iter().map(|c| c.credit.clone()).collect();
        assert_eq!(
            credits,
            [
                Some("AFP".to_string()),
                Some("Reuters".to_string()),
                Some("Getty Images".to_string())
            ]
        );
        assert_eq!(d.captions[1].text, "People queue for bread.");
    }

    #[test]
    fn an_archive_credit_names_the_agency() {
        let d = run("نص.\nجانب من الدمار في حلب (رويترز-أرشيف)\nنص آخر.");
        assert_eq!(d.captions[0].credit.as_deref(), Some("رويترز"));
    }

    #[test]
    fn a_body_sentence_ending_in_brackets_is_not_a_caption() {
        let d = run("قال المتحدث إن الهجوم بدأ أمس. وأكدت المصادر ذلك (رويترز)\nنص.");
        assert!(d.captions.is_empty());
    }

    #[test]
    fn an_arabic_dateline_line_gives_place_and_agency() {
        let mut d = run("حلب - الجزيرة نت\nقال مصدر في المعارضة إن القصف مستمر.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], "حلب");
        assert_eq!(d.fields[DATELINE_FIELD]["agency"], "الجزيرة نت");
        assert_eq!(kinds(&mut d)[0], ParagraphKind::Dateline);
    }

    #[test]
    fn a_dateline_heading_the_lead_leaves_it_body_text() {
        let mut d = run("الرياض - أعلنت وزارة الصحة اليوم عن حالات جديدة.\nنص.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], "الرياض");
        assert_eq!(d.fields[DATELINE_FIELD]["agency"], Value::Null);
        assert_eq!(kinds(&mut d)[0], ParagraphKind::Body);
    }

    #[test]
    fn an_agency_dateline_in_english_gives_place_and_agency() {
        let d = run("WASHINGTON (Reuters) - The State Department said on Monday that Russia wanted a delay.\nMore.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], "WASHINGTON");
        assert_eq!(d.fields[DATELINE_FIELD]["agency"], "Reuters");
        let d = run("LONDON, Dec 12 (Reuters) - Oil rose.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], "LONDON");
    }

    #[test]
    fn an_agency_after_the_dash_then_a_colon_is_the_dateline_agency() {
        let d = run("الرياض - واس: أعلنت وزارة الصحة اليوم عن حالات جديدة.");
        assert_eq!(d.fields[DATELINE_FIELD]["agency"], "واس");
        assert_eq!(d.fields[DATELINE_FIELD]["end"], 13);
    }

    #[test]
    fn an_outlet_before_the_dash_is_the_agency_and_the_place_follows() {
        let d = run("عين اليوم – لندن\nقررت أوركسترا في بريطانيا أن تعزف.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], "لندن");
        assert_eq!(d.fields[DATELINE_FIELD]["agency"], "عين اليوم");
        let d = run("سبق - الرياض: يخوض الفريق الأول مباراته.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], "الرياض");
        assert_eq!(d.fields[DATELINE_FIELD]["agency"], "سبق");
    }

    #[test]
    fn an_author_agency_and_place_before_a_colon_give_all_three() {
        let d = run("فهد العتيبي- سبق- الطائف: شهدت محافظة الطائف اليوم هطول أمطار.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], "الطائف");
        assert_eq!(d.fields[DATELINE_FIELD]["agency"], "سبق");
        assert_eq!(d.fields[DATELINE_FIELD]["end"], 25);
        assert_eq!(d.fields[BYLINE_FIELD], "فهد العتيبي");
    }

    #[test]
    fn an_author_before_the_outlet_is_the_byline_not_the_place() {
        let d = run("عمر إبراهيم – عين اليوم\nذكر موقع مترو البريطاني أن المدرب السابق استقال.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], Value::Null);
        assert_eq!(d.fields[DATELINE_FIELD]["agency"], "عين اليوم");
        assert_eq!(d.fields[BYLINE_FIELD], "عمر إبراهيم");
    }

    #[test]
    fn a_known_place_before_the_outlet_stays_the_place() {
        let d = run("مكة المكرمة – عين اليوم\nنفذت البلدية حملة على المحلات.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], "مكة المكرمة");
        assert!(!d.fields.contains_key(BYLINE_FIELD));
    }

    #[test]
    fn an_author_then_a_known_place_give_byline_and_place() {
        let d = run("أحمد البشيري- الباحة\nاستمتع زوار منطقة الباحة بالعروض الشعبية.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], "الباحة");
        assert_eq!(d.fields[BYLINE_FIELD], "أحمد البشيري");
        let d = run("طلال عبدالله ـ جدة\nطرح الشاعر قصيدته الجديدة.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], "جدة");
        assert_eq!(d.fields[BYLINE_FIELD], "طلال عبدالله");
    }

    #[test]
    fn an_agency_before_running_text_is_no_dateline() {
        let d = run("عاجل - مقتل خمسة أشخاص في قصف على مدينة حلب");
        assert!(!d.fields.contains_key(DATELINE_FIELD), "{:?}", d.fields);
    }

    #[test]
    fn a_place_ending_in_a_known_place_before_the_agency_stays_the_place() {
        let d = run("ريف حلب - الجزيرة نت\nقال مصدر في المعارضة إن القصف مستمر.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], "ريف حلب");
        assert!(!d.fields.contains_key(BYLINE_FIELD));
    }

    #[test]
    fn two_names_without_an_agency_or_a_known_place_are_no_dateline() {
        let d = run("الأهلي- الهلال\nانتهت المباراة بالتعادل السلبي بين الفريقين في الجولة الأولى.");
        assert!(!d.fields.contains_key(DATELINE_FIELD), "{:?}", d.fields);
    }

    #[test]
    fn a_long_author_name_before_agency_and_place_is_read() {
        let d = run("محمد بن عبد الله- سبق- الرياض: أعلنت الوزارة اليوم نتائج المسابقة.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], "الرياض");
        assert_eq!(d.fields[BYLINE_FIELD], "محمد بن عبد الله");
    }

    #[test]
    fn a_place_and_date_line_may_end_in_a_two_word_agency() {
        let d = run("الدوحة 10 أغسطس 2015 الجزيرة نت\nأعلنت الوزارة نتائج المسابقة.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], "الدوحة");
        assert_eq!(d.fields[DATELINE_FIELD]["agency"], "الجزيرة نت");
    }

    #[test]
    fn a_place_and_date_line_ending_in_an_agency_is_a_dateline() {
        let mut d = run("الرياض 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م واس\nأعلن معهد الإدارة العامة أسماء الدفعة.");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], "الرياض");
        assert_eq!(d.fields[DATELINE_FIELD]["agency"], "واس");
        assert_eq!(kinds(&mut d)[0], ParagraphKind::Dateline);
    }

    #[test]
    fn a_byline_marker_wins_over_an_author_in_the_dateline() {
        let d = run("بقلم: محمد أحمد\nعمر إبراهيم – عين اليوم\nذكر موقع مترو أن المدرب استقال.");
        assert_eq!(d.fields[BYLINE_FIELD], "محمد أحمد");
    }

    #[test]
    fn a_hyphen_inside_a_word_does_not_split_a_dateline() {
        let d = run("Jean-Pierre Dupont\nThe minister said on Monday that talks would resume.");
        assert!(!d.fields.contains_key(DATELINE_FIELD), "{:?}", d.fields);
    }

    #[test]
    fn an_outlet_before_a_word_that_is_no_place_gives_no_place() {
        let d = run("سبق- متابعة: حصل نجوم المنتخب على ميداليات.");
        assert_eq!(d.fields[DATELINE_FIELD]["agency"], "سبق");
        assert_eq!(d.fields[DATELINE_FIELD]["place"], Value::Null);
    }

    #[test]
    fn a_dash_aside_in_the_second_paragraph_is_no_dateline() {
        let d = run("ثمنت المقاومة جهود التحالف.\nوأشادت المقاومة – في تصريح صحفي – بالدعم.");
        assert!(!d.fields.contains_key(DATELINE_FIELD));
    }

    #[test]
    fn handles_hashtags_and_addresses_are_no_headings() {
        let d = run("نص أول طويل بما يكفي.\n#تفجير_طوارئ_عسير\nكلمات كثيرة في هذه الفقرة الطويلة التي تلي السطر القصير هنا.\nname@example.com\nكلمات كثيرة في هذه الفقرة الطويلة التي تلي السطر القصير هنا.");
        assert!(d.headings.is_empty(), "{:?}", d.headings);
    }

    #[test]
    fn a_short_line_before_a_short_line_is_no_heading() {
        let d = run("نص أول.\nحسبنا الله ونعم الوكيل\nفهد الفهيد 40\nنص.");
        assert!(d.headings.is_empty(), "{:?}", d.headings);
    }

    #[test]
    fn a_sentence_with_a_dash_is_no_dateline() {
        let d = run("قال المتحدث باسم الوزارة - في بيان - إن الوضع صعب.");
        assert!(!d.fields.contains_key(DATELINE_FIELD));
    }

    #[test]
    fn bylines_and_closing_credits_are_marked() {
        let mut d = run("بقلم: محمد أحمد\nقال كيربي إن المحادثات مستمرة.\nوأضاف أنه متفائل.\nالمصدر : الجزيرة + وكالات");
        assert_eq!(d.fields[BYLINE_FIELD], "محمد أحمد");
        assert_eq!(d.fields[CREDIT_FIELD], "الجزيرة + وكالات");
        assert_eq!(
            kinds(&mut d),
            [
                ParagraphKind::Byline,
                ParagraphKind::Body,
                ParagraphKind::Body,
                ParagraphKind::Credit
            ]
        );
        let d = run("By John Smith\nThe talks went on.");
        assert_eq!(d.fields[BYLINE_FIELD], "John Smith");
    }

    #[test]
    fn a_heading_like_first_line_becomes_the_missing_title() {
        let d = run("روسيا ترفض وقف إطلاق النار\nأكدت المعارضة السورية والولايات المتحدة رفض روسيا أي مقترح بشأن وقف إطلاق النار.");
        assert_eq!(d.title.as_deref(), Some("روسيا ترفض وقف إطلاق النار"));
        assert!(d.headings.is_empty());
    }

    #[test]
    fn headings_and_captions_known_from_html_are_kept_whatever_their_shape() {
        let mut d = Document::new(RawArticle::default(), None);
        d.text = "نص أول.\nهل تنجح المفاوضات؟\nنص ثان.".into();
        d.headings = vec!["هل تنجح المفاوضات؟".into()];
        Structure::new(&StructureConfig::default())
            .apply(&mut d)
            .unwrap();
        assert_eq!(d.headings, ["هل تنجح المفاوضات؟"]);
        assert_eq!(kinds(&mut d)[1], ParagraphKind::Heading);
    }

    #[test]
    fn the_lead_is_the_first_body_paragraph() {
        let d = run("حلب - الجزيرة نت\nأكدت المعارضة رفض روسيا.");
        assert_eq!(d.fields[LEAD_FIELD]["start"], 17);
    }
}
