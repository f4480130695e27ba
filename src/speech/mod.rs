//! Reported speech: direct quotes, colon-introduced statements and indirect
//! speech, each with its cue and speaker.
//!
//! Language knowledge is in `data/speech/<lang>/cues.tsv` (reporting verbs,
//! participles, `according to`) and `words.tsv` (complementizers, words that
//! end a speaker phrase, unnamed-source nouns, colon labels, pronouns); a new
//! language is a new folder. [`marks`] pairs quotation marks. The `quotes`
//! stage (`stages/quotes.rs`) runs [`QuoteFinder`] after the `entities` stage,
//! so a speaker phrase containing an entity mention resolves to the entity.
//!
//! Finding happens in two passes: candidates are collected with a speaker
//! *reference* (a phrase, or "the previous speaker" for a cue without a
//! subject such as `وأضاف`, `He added`), then sorted by position and resolved
//! in order, so continuation follows the text.

pub mod marks;

use crate::dates::DateFinder;
use crate::document::{Entity, Quote, Speaker};
use crate::text::{tokenize, Token, View, WordMap};
use marks::MarkSpan;
use thiserror::Error;

/// A malformed line in a speech table.
#[derive(Debug, Error, PartialEq)]
#[error("speech table {table}, line {line}: {message}")]
pub struct TableError {
    pub table: &'static str,
    pub line: usize,
    pub message: String,
}

const TABLES: &[(&str, Lang, &str)] = &[
    (
        "ar/cues.tsv",
        Lang::Ar,
        include_str!("../../data/speech/ar/cues.tsv"),
    ),
    (
        "ar/words.tsv",
        Lang::Ar,
        include_str!("../../data/speech/ar/words.tsv"),
    ),
    (
        "en/cues.tsv",
        Lang::En,
        include_str!("../../data/speech/en/cues.tsv"),
    ),
    (
        "en/words.tsv",
        Lang::En,
        include_str!("../../data/speech/en/words.tsv"),
    ),
];

/// Word order of a cue's language: where the subject of a verb is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    /// Verb first (`قال كيربي`).
    Ar,
    /// Subject first (`Kirby said`), inverted after a quotation.
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CueKind {
    Verb,
    Participle,
    According,
    /// `نقلت الوكالة عن ظريف قوله`: the speaker sits between `عن` and it.
    Saying,
}

#[derive(Debug, Clone)]
struct CueForm {
    rest: Vec<String>,
    kind: CueKind,
    lang: Lang,
}

/// Roles of a function word, as bits.
mod role {
    pub const COMPLEMENTIZER: u16 = 1;
    pub const STOP: u16 = 2;
    pub const SKIP: u16 = 4;
    pub const SOURCE_HEAD: u16 = 8;
    pub const SOURCE_LINK: u16 = 16;
    pub const LABEL: u16 = 32;
    pub const PRONOUN: u16 = 64;
}

/// Proclitics a cue word may carry (`وقال`, `فقال`).
const CUE_PROCLITICS: &[&str] = &["و", "ف"];

/// Options of the finder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// A quotation longer than this (characters) is treated as unbalanced.
    pub max_quote_chars: usize,
    /// A quotation without any cue is kept only from this many words on.
    pub min_uncued_words: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_quote_chars: 20_000,
            min_uncued_words: 8,
        }
    }
}

/// The speech tables, loaded once.
#[derive(Debug, Clone)]
pub struct QuoteFinder {
    cues: WordMap<Vec<CueForm>>,
    /// `cues` by every form their first word takes in text (the word, then
    /// with each of [`CUE_PROCLITICS`]), in the order they are tried.
    cue_forms: WordMap<Vec<CueForm>>,
    roles: WordMap<u16>,
    labels: Vec<String>,
    dates: DateFinder,
    limits: Limits,
}

/// A found cue: tokens `[start, end)`.
#[derive(Debug, Clone, Copy)]
struct Cue {
    start: usize,
    end: usize,
    kind: CueKind,
    lang: Lang,
}

/// Who a candidate quote is attributed to, before resolution.
#[derive(Debug, Clone, PartialEq)]
enum SpeakerRef {
    /// A phrase of the text: tokens `[start, end)`.
    Phrase(usize, usize),
    /// The speaker of the reported speech before.
    Previous,
    Nobody,
}

#[derive(Debug, Clone)]
struct Candidate {
    kind: &'static str,
    /// Code point offsets of the content.
    start: usize,
    end: usize,
    cue: Option<String>,
    speaker: SpeakerRef,
}

impl QuoteFinder {
    /// Loads the compiled-in tables.
    pub fn new(limits: Limits) -> Result<QuoteFinder, TableError> {
        let dates = DateFinder::new().map_err(|e| TableError {
            table: "dates",
            line: e.line,
            message: e.to_string(),
        })?;
        let mut finder = QuoteFinder {
            cues: WordMap::default(),
            cue_forms: WordMap::default(),
            roles: WordMap::default(),
            labels: Vec::new(),
            dates,
            limits,
        };
        for (table, lang, contents) in TABLES {
            finder.load(table, *lang, contents)?;
        }
        for list in finder.cues.values_mut() {
            list.sort_by_key(|c| std::cmp::Reverse(c.rest.len()));
        }
        // Every form a cue word takes in text, the word's own cues first,
        // then with each proclitic: one lookup per token.
        let mut forms: Vec<(String, &Vec<CueForm>)> =
            finder.cues.iter().map(|(w, l)| (w.clone(), l)).collect();
        for p in CUE_PROCLITICS {
            for (w, l) in &finder.cues {
                if w.chars().count() >= 2 {
                    forms.push((format!("{p}{w}"), l));
                }
            }
        }
        let mut cue_forms: WordMap<Vec<CueForm>> = WordMap::default();
        for (form, list) in forms {
            cue_forms
                .entry(form)
                .or_default()
                .extend(list.iter().cloned());
        }
        finder.cue_forms = cue_forms;
        Ok(finder)
    }

    fn load(&mut self, table: &'static str, lang: Lang, contents: &str) -> Result<(), TableError> {
        for (n, line) in contents.lines().enumerate().skip(1) {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |message: String| TableError {
                table,
                line: n + 1,
                message,
            };
            let (form, tag) = line
                .split_once('\t')
                .ok_or_else(|| err("expected two tab-separated columns".into()))?;
            let words: Vec<String> = tokenize(form)
                .into_iter()
                .filter(|t| t.is_word)
                .map(|t| t.folded().to_string())
                .collect();
            let Some((first, rest)) = words.split_first() else {
                continue;
            };
            if table.ends_with("cues.tsv") {
                let kind = match tag {
                    "verb" => CueKind::Verb,
                    "participle" => CueKind::Participle,
                    "according" => CueKind::According,
                    "saying" => CueKind::Saying,
                    other => return Err(err(format!("unknown cue kind `{other}`"))),
                };
                self.cues.entry(first.clone()).or_default().push(CueForm {
                    rest: rest.to_vec(),
                    kind,
                    lang,
                });
                continue;
            }
            let bit = match tag {
                "complementizer" => role::COMPLEMENTIZER,
                "stop" => role::STOP,
                "skip" => role::SKIP,
                "source_head" => role::SOURCE_HEAD,
                "source_link" => role::SOURCE_LINK,
                "label" => role::LABEL,
                "pronoun" => role::PRONOUN,
                other => return Err(err(format!("unknown role `{other}`"))),
            };
            match bit {
                role::LABEL => self.labels.push(words.join(" ")),
                _ => *self.roles.entry(first.clone()).or_default() |= bit,
            }
        }
        Ok(())
    }

    fn has(&self, tok: Option<&Token>, bit: u16) -> bool {
        tok.filter(|t| t.is_word)
            .and_then(|t| self.roles.get(t.folded()))
            .is_some_and(|r| r & bit != 0)
    }

    /// The cue starting at token `i`, if any.
    fn cue_at(&self, toks: &[Token], i: usize) -> Option<Cue> {
        let t = toks.get(i).filter(|t| t.is_word)?;
        let list = self.cue_forms.get(t.folded())?;
        list.iter().find_map(|cue| {
            let ok = cue.rest.iter().enumerate().all(|(k, w)| {
                toks.get(i + 1 + k)
                    .is_some_and(|n| n.is_word && n.folded() == *w && n.sentence == t.sentence)
            });
            ok.then_some(Cue {
                start: i,
                end: i + 1 + cue.rest.len(),
                kind: cue.kind,
                lang: cue.lang,
            })
        })
    }

    /// Finds the reported speech of a text. `entities` are the article's
    /// entities (possibly none), whose mentions name speakers.
    pub fn find(&self, lexed: &View, entities: &[Entity]) -> Vec<Quote> {
        let toks = &lexed.toks;
        let spans = marks::find(&lexed.chars, self.limits.max_quote_chars);
        // Token index of each character offset's first token at or after it.
        let tok_at = |offset: usize| toks.partition_point(|t| t.start < offset);
        let inside_marks = |offset: usize| marks::inside(&spans, offset);
        let mut out: Vec<Candidate> = Vec::new();
        // Opening and closing offsets of the quotations kept as quotes.
        let mut kept: Vec<MarkSpan> = Vec::new();

        // Direct quotes in quotation marks.
        for span in &spans {
            let open_tok = tok_at(span.open);
            let after_tok = tok_at(span.close_end());
            let words = toks[open_tok..after_tok.min(toks.len())]
                .iter()
                .filter(|t| t.is_word)
                .count();
            if words == 0 {
                continue;
            }
            let before = self.cue_before(toks, open_tok, &kept);
            let after = if before.is_none() {
                self.cue_after(toks, after_tok)
            } else {
                None
            };
            let (cue, speaker, near) = match (before, after) {
                (Some((cue, near)), _) => {
                    let speaker = self.subject_of(toks, cue, false);
                    (Some(cue), speaker, near)
                }
                (None, Some((cue, speaker))) => (Some(cue), speaker, true),
                (None, None) => (None, SpeakerRef::Previous, false),
            };
            let keep = match cue {
                Some(_) if near => words >= 2 || colon_before(toks, open_tok),
                // Far from its cue: a name or a fragment of reported
                // content (`أن ... "ارتفاعا غير مسبوق"`) unless long.
                Some(_) => words >= 4 && !fragment(self, toks, before.map(|b| b.0.end), open_tok),
                None => words >= self.limits.min_uncued_words,
            };
            if !keep {
                continue;
            }
            let (start, end) = trim(&lexed.chars, span.open + 1, span.close);
            if start >= end {
                continue;
            }
            kept.push(*span);
            out.push(Candidate {
                kind: "direct",
                start,
                end,
                cue: cue.map(|c| cue_text(lexed, toks, c)),
                speaker,
            });
        }

        // Colon-introduced statements and indirect speech.
        let mut content_end = 0;
        let mut i = 0;
        while i < toks.len() {
            let t = &toks[i];
            if t.punct() == Some(':') && !inside_marks(t.start) {
                if let Some(c) = self.colon_statement(lexed, i, &kept, entities) {
                    out.push(c);
                }
                i += 1;
                continue;
            }
            if inside_marks(t.start) {
                i += 1;
                continue;
            }
            let Some(cue) = self.cue_at(toks, i) else {
                i += 1;
                continue;
            };
            // A verb inside reported content belongs to the content; a
            // participle (`مشيرا إلى أن`) starts a new report and ends it.
            let cue_start = toks[cue.start].start;
            if cue_start >= content_end || cue.kind == CueKind::Participle {
                if let Some(c) = self.indirect(lexed, cue, &kept) {
                    if cue_start < content_end {
                        if let Some(prev) = out.iter_mut().rev().find(|p| p.kind == "indirect") {
                            let (s, e) = trim_punct(&lexed.chars, prev.start, cue_start);
                            prev.end = e.max(s);
                        }
                    }
                    content_end = c.end;
                    out.push(c);
                }
            }
            i = cue.end;
        }

        out.sort_by_key(|c| (c.start, c.end));
        // An indirect report whose content is a quotation already found, or
        // overlaps one, is the same speech.
        let directs: Vec<(usize, usize)> = out
            .iter()
            .filter(|c| c.kind == "direct")
            .map(|c| (c.start, c.end))
            .collect();
        out.retain(|c| {
            c.kind == "direct"
                || !directs
                    .iter()
                    .any(|&(s, e)| c.start < e && s < c.end && c.start + 2 >= s)
        });
        out.dedup_by(|b, a| a.start == b.start && a.end == b.end);
        self.resolve(lexed, out, entities)
    }

    /// The nearest cue before a quotation mark in its sentence: (cue, whether
    /// it is right before the mark, a colon or comma apart).
    fn cue_before(
        &self,
        toks: &[Token],
        open_tok: usize,
        spans: &[MarkSpan],
    ) -> Option<(Cue, bool)> {
        let open = toks.get(open_tok)?;
        let floor = open_tok.saturating_sub(40);
        let mut k = open_tok;
        while k > floor {
            k -= 1;
            let t = &toks[k];
            if t.sentence != open.sentence && !(k + 1 == open_tok && matches!(t.punct(), Some(':')))
            {
                // A colon may end a "sentence" in our lexer only via newline; stop.
                break;
            }
            if marks::closes_at(spans, t.start) {
                break;
            }
            if let Some(cue) = self.cue_at(toks, k) {
                if cue.kind == CueKind::According {
                    return None;
                }
                let gap = toks[cue.end..open_tok].iter().filter(|t| t.is_word).count();
                let near = gap <= 1
                    || toks[cue.end..open_tok]
                        .iter()
                        .any(|t| t.punct() == Some(':'));
                return Some((cue, near));
            }
        }
        None
    }

    /// A cue right after a closing mark: `”، قال كيربي`, `," said X`,
    /// `," X said`. Returns the cue and its subject.
    fn cue_after(&self, toks: &[Token], mut k: usize) -> Option<(Cue, SpeakerRef)> {
        while toks
            .get(k)
            .is_some_and(|t| matches!(t.punct(), Some(',' | '،' | '-' | '—')))
        {
            k += 1;
        }
        if let Some(cue) = self.cue_at(toks, k) {
            if cue.kind == CueKind::Verb {
                return Some((cue, self.subject_of(toks, cue, true)));
            }
            if cue.kind == CueKind::According {
                return Some((cue, self.phrase_after(toks, cue.end, 12)));
            }
            return None;
        }
        // `," the minister said`: a short subject, then the verb.
        let first = k;
        let sent = toks.get(k)?.sentence;
        while k < toks.len() && k < first + 9 && toks[k].is_word && toks[k].sentence == sent {
            if let Some(cue) = self
                .cue_at(toks, k)
                .filter(|c| c.lang == Lang::En && c.kind == CueKind::Verb)
            {
                if k == first {
                    return None;
                }
                let speaker = if k == first + 1 && self.has(toks.get(first), role::PRONOUN) {
                    SpeakerRef::Previous
                } else {
                    SpeakerRef::Phrase(first, k)
                };
                return Some((cue, speaker));
            }
            k += 1;
        }
        None
    }

    /// The subject of a reporting verb: after it in Arabic (and in English
    /// after a quotation, `said X`), before it in English.
    fn subject_of(&self, toks: &[Token], cue: Cue, inverted: bool) -> SpeakerRef {
        if cue.kind == CueKind::Participle {
            return SpeakerRef::Previous;
        }
        if cue.kind == CueKind::Saying {
            let sent = toks[cue.start].sentence;
            let from = (cue.start.saturating_sub(10)..cue.start)
                .rev()
                .take_while(|&k| toks[k].sentence == sent)
                .find(|&k| toks[k].is_word && toks[k].folded() == "عن");
            return match from {
                Some(k) if k + 1 < cue.start => SpeakerRef::Phrase(k + 1, cue.start),
                _ => SpeakerRef::Previous,
            };
        }
        if cue.kind == CueKind::According {
            // `بحسب ما ذكر النادي`: skip `ما` and its verb.
            let from = if toks
                .get(cue.end)
                .is_some_and(|t| t.folded() == "ما" || t.folded() == "لما")
            {
                cue.end + 2
            } else {
                cue.end
            };
            return self.phrase_after(toks, from, 12);
        }
        if cue.lang == Lang::En && !inverted {
            return self.phrase_before(toks, cue.start);
        }
        self.phrase_after(toks, cue.end, 12)
    }

    /// The speaker phrase after a verb: words up to a stop word, a date word,
    /// a complementizer, punctuation or another cue.
    fn phrase_after(&self, toks: &[Token], from: usize, max_words: usize) -> SpeakerRef {
        let Some(sent) = toks.get(from.saturating_sub(1)).map(|t| t.sentence) else {
            return SpeakerRef::Previous;
        };
        let mut k = from;
        while self.has(toks.get(k), role::SKIP) {
            k += 1;
        }
        let start = k;
        let mut linked = false;
        let mut in_marks = false;
        while k < toks.len() && k - start < max_words {
            let t = &toks[k];
            if t.sentence != sent {
                break;
            }
            if inner_hyphen(toks, k) {
                k += 1;
                continue;
            }
            if !t.is_word {
                // A short name in quotation marks is part of the phrase
                // (`رئيس شبكة "بي إن سبورتس" ناصر الخليفي`).
                if !is_mark_tok(t) {
                    break;
                }
                if in_marks {
                    in_marks = false;
                    k += 1;
                    continue;
                }
                let closes_soon = (k + 2..toks.len().min(k + 5))
                    .find(|&j| is_mark_tok(&toks[j]))
                    .is_some_and(|j| {
                        toks[j].sentence == sent
                            && toks[k + 1..j].iter().all(|x| x.is_word)
                            && toks
                                .get(j + 1)
                                .is_some_and(|n| n.is_word && n.sentence == sent)
                    });
                if !closes_soon || k == start {
                    break;
                }
                in_marks = true;
                k += 1;
                continue;
            }
            let last_is_head = k > start && self.has(toks.get(k - 1), role::SOURCE_HEAD);
            if last_is_head && !linked && self.has(Some(t), role::SOURCE_LINK) {
                linked = true;
                k += 1;
                continue;
            }
            if self.has(Some(t), role::STOP | role::COMPLEMENTIZER)
                || self.dates.starts_expression(toks, k)
                || self.cue_at(toks, k).is_some()
                || t.folded().chars().all(|c| c.is_ascii_digit())
            {
                break;
            }
            k += 1;
        }
        while k > start && !toks[k - 1].is_word {
            k -= 1;
        }
        // `X، الدكتور Y، أن`: a name in apposition between commas.
        if k > start
            && toks
                .get(k)
                .is_some_and(|t| matches!(t.punct(), Some(',' | '،')))
        {
            let words = toks[k + 1..]
                .iter()
                .take_while(|t| t.is_word && t.sentence == sent)
                .count();
            let after = toks.get(k + 1 + words);
            let closes = after.is_some_and(|t| matches!(t.punct(), Some(',' | '،')))
                && self.has(toks.get(k + 2 + words), role::COMPLEMENTIZER);
            if (1..=7).contains(&words) && (closes || self.has(after, role::COMPLEMENTIZER)) {
                k += 1 + words;
            }
        }
        // A source link left dangling (`مصدر في` + stop) is not part of it.
        if linked && k > start && self.has(toks.get(k - 1), role::SOURCE_LINK) {
            k -= 1;
        }
        if k == start || (k == start + 1 && self.has(toks.get(start), role::PRONOUN)) {
            SpeakerRef::Previous
        } else {
            SpeakerRef::Phrase(start, k)
        }
    }

    /// The speaker phrase before an English verb, back to punctuation or the
    /// sentence start; a lone pronoun continues the previous speaker.
    fn phrase_before(&self, toks: &[Token], verb: usize) -> SpeakerRef {
        let Some(sent) = toks.get(verb).map(|t| t.sentence) else {
            return SpeakerRef::Nobody;
        };
        let mut k = verb;
        while k > 0 && verb - k < 8 {
            let t = &toks[k - 1];
            let word = t.is_word || inner_hyphen(toks, k - 1);
            if !word || t.sentence != sent || self.has(Some(t), role::COMPLEMENTIZER) {
                break;
            }
            k -= 1;
        }
        // Leading adverbs and prepositional phrases are not the subject.
        while k < verb && self.has(toks.get(k), role::STOP | role::SKIP) {
            k += 1;
        }
        match verb - k {
            0 => SpeakerRef::Previous,
            1 if self.has(toks.get(k), role::PRONOUN) => SpeakerRef::Previous,
            _ => SpeakerRef::Phrase(k, verb),
        }
    }

    /// The nearest cue (not `according to`) among the 12 words before the
    /// colon at `colon`, in its sentence and not before `from`.
    fn cue_before_colon(&self, toks: &[Token], from: usize, colon: usize) -> Option<Cue> {
        let sentence = toks[colon].sentence;
        (from.max(colon.saturating_sub(12))..colon)
            .rev()
            .take_while(|&k| toks[k].sentence == sentence)
            .find_map(|k| {
                self.cue_at(toks, k)
                    .filter(|cue| cue.kind != CueKind::According)
            })
    }

    /// `وأضاف: ...`, `قال المصدر: ...`, and `Name: statement` in captions and
    /// short paragraphs. `colon` is the colon's token.
    fn colon_statement(
        &self,
        lexed: &View,
        colon: usize,
        spans: &[MarkSpan],
        entities: &[Entity],
    ) -> Option<Candidate> {
        let toks = &lexed.toks;
        let c = &toks[colon];
        // `10:30` is a time.
        if colon > 0
            && toks[colon - 1].end == c.start
            && toks
                .get(colon + 1)
                .is_some_and(|n| n.start == c.end && n.folded().chars().all(|d| d.is_ascii_digit()))
        {
            return None;
        }
        let next = toks.get(colon + 1).filter(|n| n.paragraph == c.paragraph)?;
        // A quotation right after the colon is found as a direct quote.
        if marks::opens_at(spans, next.start) {
            return None;
        }
        let (para_start, para_end) = *lexed.paras.get(c.paragraph)?;
        // Who speaks is settled first, so that a colon without a speaker
        // (`كلمة:` in a list) costs no scan of what follows it.
        let cue = self.cue_before_colon(toks, 0, colon);
        let speaker = match cue {
            Some(cue) => self.subject_of(toks, cue, false),
            None => SpeakerRef::Phrase(
                self.named_speaker(toks, para_start, colon, entities)?,
                colon,
            ),
        };
        let (start, end) = self.statement_after(lexed, colon, para_end)?;
        Some(Candidate {
            kind: "direct",
            start,
            end,
            cue: cue.map(|cue| cue_text(lexed, toks, cue)),
            speaker,
        })
    }

    /// The statement after the colon at `colon`, trimmed, if it has at least
    /// two words. It ends with its paragraph (at `para_end`), where a later
    /// sentence opens with a new cue (`وأشار إلى أن ...`), where the next
    /// colon statement's cue begins (`وقال محمد: ... وقال أحمد: ...`), and
    /// at `max_quote_chars`: the scan and the quote stay bounded however
    /// long the paragraph is.
    fn statement_after(
        &self,
        lexed: &View,
        colon: usize,
        para_end: usize,
    ) -> Option<(usize, usize)> {
        let toks = &lexed.toks;
        let c = &toks[colon];
        let limit = c.end.saturating_add(self.limits.max_quote_chars);
        let mut stop = para_end;
        let mut k = colon + 1;
        while k < toks.len() && toks[k].paragraph == c.paragraph {
            if toks[k].start >= limit {
                stop = stop.min(limit);
                break;
            }
            if k > colon + 1 {
                let opens_sentence =
                    toks[k].sentence != toks[k - 1].sentence && self.cue_at(toks, k).is_some();
                if opens_sentence {
                    stop = toks[k].start;
                    break;
                }
                if toks[k].punct() == Some(':') {
                    if let Some(cue) = self.cue_before_colon(toks, colon + 1, k) {
                        stop = toks[cue.start].start;
                        break;
                    }
                }
            }
            k += 1;
        }
        let (start, end) = trim(&lexed.chars, c.end, stop);
        let (start, end) = strip_credit(&lexed.chars, start, end);
        let content_words = toks[colon + 1..]
            .iter()
            .take_while(|t| t.paragraph == c.paragraph && t.start < end)
            .filter(|t| t.is_word)
            .take(2)
            .count();
        (start < end && content_words == 2).then_some((start, end))
    }

    /// `Name: statement` at the start of a paragraph: the first token of the
    /// name before the colon at `colon`, if those words can be a speaker.
    fn named_speaker(
        &self,
        toks: &[Token],
        para_start: usize,
        colon: usize,
        entities: &[Entity],
    ) -> Option<usize> {
        let first = toks.partition_point(|t| t.start < para_start);
        let prefix = &toks[first..colon];
        if prefix.is_empty() || prefix.len() > 4 || !prefix.iter().all(|t| t.is_word) {
            return None;
        }
        if prefix
            .iter()
            .any(|t| t.folded().chars().any(|d| d.is_ascii_digit()))
        {
            return None;
        }
        let joined = prefix
            .iter()
            .map(|t| t.folded())
            .collect::<Vec<_>>()
            .join(" ");
        if self.labels.contains(&joined)
            || self.labels.iter().any(|l| l == prefix[0].folded())
            || prefix
                .iter()
                .any(|t| self.has(Some(t), role::STOP | role::COMPLEMENTIZER))
        {
            return None;
        }
        // With entities known, the name must be one of them.
        let (ps, pe) = (prefix[0].start, prefix[prefix.len() - 1].end);
        if !entities.is_empty() && mention_in(entities, ps, pe).is_none() {
            return None;
        }
        Some(first)
    }

    /// Indirect speech introduced by `cue`: a complementizer within a few
    /// words, the content to the end of the sentence. `according to X, ...`
    /// takes the rest of the sentence (or what precedes it) as content.
    fn indirect(&self, lexed: &View, cue: Cue, spans: &[MarkSpan]) -> Option<Candidate> {
        let toks = &lexed.toks;
        let sent = toks[cue.start].sentence;
        let sent_end = cue.end
            + toks[cue.end..]
                .iter()
                .take_while(|t| t.sentence == sent)
                .count();
        let speaker = self.subject_of(toks, cue, false);
        if cue.kind == CueKind::According {
            let SpeakerRef::Phrase(_, phrase_end) = speaker else {
                return None;
            };
            let comma = toks
                .get(phrase_end)
                .filter(|t| matches!(t.punct(), Some(',' | '،')));
            let (from, to) = if comma.is_some() {
                (phrase_end + 1, sent_end)
            } else {
                // `..., according to X.`: the content precedes.
                let sent_start = toks[..cue.start]
                    .iter()
                    .rev()
                    .take_while(|t| t.sentence == sent)
                    .count();
                (cue.start - sent_start, cue.start)
            };
            return self.content(lexed, from, to, spans, cue, speaker);
        }
        let search_from = match speaker {
            SpeakerRef::Phrase(s, e) if s >= cue.end => e,
            _ => cue.end,
        };
        let mut k = search_from;
        let mut words = 0;
        while k < sent_end && words <= 15 {
            let t = &toks[k];
            if marks::opens_at(spans, t.start) || self.cue_at(toks, k).is_some() {
                return None;
            }
            if self.has(Some(t), role::COMPLEMENTIZER) {
                return self.content(lexed, k + 1, sent_end, spans, cue, speaker);
            }
            if t.is_word {
                words += 1;
            }
            k += 1;
        }
        None
    }

    /// Content tokens `[from, to)` as a candidate, cut before a quotation
    /// that starts inside it and without the final period.
    fn content(
        &self,
        lexed: &View,
        from: usize,
        to: usize,
        spans: &[MarkSpan],
        cue: Cue,
        speaker: SpeakerRef,
    ) -> Option<Candidate> {
        let toks = &lexed.toks;
        let mut to = to.min(toks.len());
        if from >= to {
            return None;
        }
        if let Some(k) = (from..to).find(|&k| marks::opens_at(spans, toks[k].start)) {
            if k == from {
                return None;
            }
            to = k;
        }
        while to > from && !toks[to - 1].is_word && !is_closing(toks[to - 1].punct()) {
            to -= 1;
        }
        if !toks[from..to].iter().any(|t| t.is_word) {
            return None;
        }
        let start = toks[from].start;
        let end = toks[to - 1].end.min(start + self.limits.max_quote_chars);
        Some(Candidate {
            kind: "indirect",
            start,
            end,
            cue: Some(cue_text(lexed, toks, cue)),
            speaker,
        })
    }

    /// Resolves speaker references in text order.
    fn resolve(&self, lexed: &View, candidates: Vec<Candidate>, entities: &[Entity]) -> Vec<Quote> {
        let toks = &lexed.toks;
        let mut previous: Option<Speaker> = None;
        candidates
            .into_iter()
            .map(|c| {
                let speaker = match c.speaker {
                    SpeakerRef::Previous => previous.clone(),
                    SpeakerRef::Nobody => None,
                    SpeakerRef::Phrase(s, e) => {
                        Some(self.name_speaker(lexed, &toks[s..e], entities))
                    }
                };
                if speaker.is_some() {
                    previous.clone_from(&speaker);
                }
                Quote {
                    kind: c.kind.to_string(),
                    text: lexed.slice(c.start, c.end),
                    start: c.start,
                    end: c.end,
                    cue: c.cue,
                    speaker,
                }
            })
            .collect()
    }

    /// The speaker named by a phrase: a person mentioned in it (a role in
    /// apposition names the person), else an entity the phrase starts with,
    /// else the phrase as written (an unnamed source).
    fn name_speaker(&self, lexed: &View, phrase: &[Token], entities: &[Entity]) -> Speaker {
        let (start, end) = (phrase[0].start, phrase[phrase.len() - 1].end);
        let unnamed = self.has(phrase.first(), role::SOURCE_HEAD)
            || phrase
                .iter()
                .take(2)
                .any(|t| self.has(Some(t), role::SOURCE_HEAD) && t.folded().len() > 2);
        let mut best: Option<(usize, bool, usize)> = None; // (entity, person, mention start)
        for (index, entity) in entities.iter().enumerate() {
            for m in &entity.mentions {
                if m.start < start || m.end > end {
                    continue;
                }
                let person = entity.kind == "person";
                let better = match best {
                    None => true,
                    Some((_, bp, bs)) => {
                        (person && !bp) || (person == bp && m.start > bs && person)
                    }
                };
                if better {
                    best = Some((index, person, m.start));
                }
            }
        }
        match best {
            Some((index, true, _)) => named(entities, index),
            Some((index, false, s)) if s == start && !unnamed => named(entities, index),
            _ => {
                let mut text = lexed.slice(start, end);
                if let Some(rest) = text
                    .strip_prefix("the ")
                    .or_else(|| text.strip_prefix("The "))
                {
                    text = rest.to_string();
                }
                Speaker {
                    name: text,
                    entity: None,
                }
            }
        }
    }
}

/// A quotation mark token.
fn is_mark_tok(t: &Token) -> bool {
    matches!(
        t.punct(),
        Some('"' | '“' | '”' | '«' | '»' | '„' | '‘' | '’')
    )
}

/// Whether a complementizer sits between a cue and a quotation: the
/// quotation is then a fragment of the reported content.
fn fragment(finder: &QuoteFinder, toks: &[Token], cue_end: Option<usize>, open_tok: usize) -> bool {
    cue_end.is_some_and(|from| {
        toks[from.min(open_tok)..open_tok]
            .iter()
            .any(|t| finder.has(Some(t), role::COMPLEMENTIZER))
    })
}

/// Whether a colon sits right before the token.
/// True when token `k` is a hyphen inside a name (`al-Falih`): words touch
/// it on both sides. The shared tokenizer makes hyphens tokens of their own.
fn inner_hyphen(toks: &[Token], k: usize) -> bool {
    let (Some(prev), Some(t), Some(next)) = (
        k.checked_sub(1).and_then(|p| toks.get(p)),
        toks.get(k),
        toks.get(k + 1),
    ) else {
        return false;
    };
    matches!(t.punct(), Some('-' | '\u{2010}' | '\u{2011}'))
        && prev.is_word
        && next.is_word
        && prev.end == t.start
        && t.end == next.start
}

fn colon_before(toks: &[Token], k: usize) -> bool {
    k > 0 && toks[k - 1].punct() == Some(':')
}

fn named(entities: &[Entity], index: usize) -> Speaker {
    Speaker {
        name: entities[index].name.clone(),
        entity: Some(index),
    }
}

/// The first entity with a mention inside `[start, end)`.
fn mention_in(entities: &[Entity], start: usize, end: usize) -> Option<usize> {
    entities
        .iter()
        .position(|e| e.mentions.iter().any(|m| m.start >= start && m.end <= end))
}

fn is_closing(c: Option<char>) -> bool {
    matches!(c, Some('"' | '”' | '»' | '’' | ')'))
}

/// The cue as written: from its first to its last token.
fn cue_text(lexed: &View, toks: &[Token], cue: Cue) -> String {
    lexed.slice(toks[cue.start].start, toks[cue.end - 1].end)
}

/// `[start, end)` without surrounding whitespace.
fn trim(chars: &[char], mut start: usize, mut end: usize) -> (usize, usize) {
    end = end.min(chars.len());
    while start < end && chars[start].is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    (start, end)
}

/// `[start, end)` without trailing spaces and separating punctuation.
fn trim_punct(chars: &[char], start: usize, mut end: usize) -> (usize, usize) {
    while end > start
        && (chars[end - 1].is_whitespace() || matches!(chars[end - 1], '،' | ',' | '؛' | ';'))
    {
        end -= 1;
    }
    (start, end)
}

/// A caption's trailing credit, `(رويترز) |`, is not part of the statement.
fn strip_credit(chars: &[char], start: usize, mut end: usize) -> (usize, usize) {
    while end > start && matches!(chars[end - 1], '|' | ' ' | '\u{a0}') {
        end -= 1;
    }
    if end > start && chars[end - 1] == ')' {
        if let Some(open) = (start..end).rev().find(|&k| chars[k] == '(') {
            if end - open <= 40 && open > start {
                end = open;
            }
        }
    }
    trim(chars, start, end)
}

#[cfg(test)]
mod tests;
