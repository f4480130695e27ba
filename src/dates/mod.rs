//! Temporal expressions: find them in text and resolve them to calendar
//! values against the publication date.
//!
//! Vocabulary (month names of the Gregorian, Levantine, Maghrebi and Hijri
//! calendars, weekdays, relative words) lives in `data/dates/<lang>/*.tsv`,
//! generated from CLDR and dateparser by `tools/build_date_tables.py`; the
//! words that shape a value (`الماضي`, `next`, `يوم`, `عام`) are in
//! `context.tsv`. A new language is a new folder of tables. [`hijri`] converts
//! Hijri dates. The `dates` stage (`stages/dates.rs`) runs [`DateFinder`].
//!
//! Values are ISO 8601 at the expression's granularity: `YYYY-MM-DD`,
//! `YYYY-Www` (a week), `YYYY-MM`, `YYYY`. Invalid dates (31/02/2016, year
//! 99999) are reported with a null value, never guessed.

pub mod hijri;

use crate::document::DateMention;
use crate::text::{fold, Token, View, WordMap};
use thiserror::Error;
use time::{Date, Duration, Month, Weekday};

/// A malformed line in a date table.
#[derive(Debug, Error, PartialEq)]
#[error("date table {table}, line {line}: {message}")]
pub struct TableError {
    pub table: &'static str,
    pub line: usize,
    pub message: String,
}

/// The tables compiled into the binary: (name, contents).
const TABLES: &[(&str, &str)] = &[
    (
        "ar/months.tsv",
        include_str!("../../data/dates/ar/months.tsv"),
    ),
    (
        "ar/weekdays.tsv",
        include_str!("../../data/dates/ar/weekdays.tsv"),
    ),
    (
        "ar/relative.tsv",
        include_str!("../../data/dates/ar/relative.tsv"),
    ),
    (
        "ar/context.tsv",
        include_str!("../../data/dates/ar/context.tsv"),
    ),
    (
        "en/months.tsv",
        include_str!("../../data/dates/en/months.tsv"),
    ),
    (
        "en/weekdays.tsv",
        include_str!("../../data/dates/en/weekdays.tsv"),
    ),
    (
        "en/relative.tsv",
        include_str!("../../data/dates/en/relative.tsv"),
    ),
    (
        "en/context.tsv",
        include_str!("../../data/dates/en/context.tsv"),
    ),
];

/// Calendar of a month name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calendar {
    Gregorian,
    Islamic,
}

/// Granularity of a relative expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Day,
    Week,
    Month,
    Year,
}

/// What a table phrase means.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Vocab {
    Month(Calendar, u8),
    Weekday(Weekday),
    Relative(Unit, i32),
}

/// Roles of context words (`context.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Past,
    Future,
    DayWord,
    YearWord,
    FutureMarker,
    EraHijri,
    EraGregorian,
    SameAs,
    Anaphoric,
}

#[derive(Debug, Clone)]
struct Phrase {
    /// Folded words after the first.
    rest: Vec<String>,
    vocab: Vocab,
}

/// Kinds of found expressions that combine with a neighbour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Weekday(Option<Weekday>),
    RelativeDay,
    AbsoluteDay,
    Other,
}

/// Proclitics that may be attached to the first word of a date phrase.
const PROCLITICS: &[&str] = &["و", "ف", "ب", "ل", "ك", "وب", "ول", "فب"];

/// The date vocabulary, loaded once.
#[derive(Debug, Clone, Default)]
pub struct DateFinder {
    /// By folded first word; longest phrases first.
    phrases: WordMap<Vec<Phrase>>,
    context: WordMap<Role>,
    /// `phrases` by every form their first word takes in text (with each
    /// proclitic, see [`attached_forms`]): the phrases of every reading, in
    /// the order they are tried. One lookup per token instead of one per
    /// proclitic, which dominated the stage's time.
    phrase_forms: WordMap<Vec<Phrase>>,
    /// `context` by every form a word takes in text: the first reading's.
    role_forms: WordMap<Role>,
}

/// Whether day-first (`12/11/2016` is 12 November) or month-first numeric
/// dates are expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumericOrder {
    DayFirst,
    MonthFirst,
}

impl DateFinder {
    /// Loads the compiled-in tables.
    pub fn new() -> Result<DateFinder, TableError> {
        let mut finder = DateFinder::default();
        for (name, contents) in TABLES {
            finder.load(name, contents)?;
        }
        for list in finder.phrases.values_mut() {
            list.sort_by_key(|p| std::cmp::Reverse(p.rest.len()));
        }
        for (form, key) in attached_forms(finder.phrases.keys()) {
            let list = finder.phrases[&key].clone();
            finder.phrase_forms.entry(form).or_default().extend(list);
        }
        for (form, key) in attached_forms(finder.context.keys()) {
            let role = finder.context[&key];
            finder.role_forms.entry(form).or_insert(role);
        }
        Ok(finder)
    }

    fn load(&mut self, table: &'static str, contents: &str) -> Result<(), TableError> {
        let err = |line: usize, message: String| TableError {
            table,
            line,
            message,
        };
        for (n, line) in contents.lines().enumerate().skip(1) {
            let line_no = n + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let form = cols[0];
            let col = |i: usize| -> Result<&str, TableError> {
                cols.get(i)
                    .copied()
                    .ok_or_else(|| err(line_no, format!("missing column {}", i + 1)))
            };
            if table.ends_with("context.tsv") {
                let role = match col(1)? {
                    "past" => Role::Past,
                    "future" => Role::Future,
                    "day_word" => Role::DayWord,
                    "year_word" => Role::YearWord,
                    "future_marker" => Role::FutureMarker,
                    "era_hijri" => Role::EraHijri,
                    "era_gregorian" => Role::EraGregorian,
                    "same_as" => Role::SameAs,
                    "anaphoric" => Role::Anaphoric,
                    other => return Err(err(line_no, format!("unknown role `{other}`"))),
                };
                self.context.insert(fold(form), role);
                continue;
            }
            let vocab = if table.ends_with("months.tsv") {
                let calendar = match col(1)? {
                    "gregorian" => Calendar::Gregorian,
                    "islamic" => Calendar::Islamic,
                    other => return Err(err(line_no, format!("unknown calendar `{other}`"))),
                };
                let month: u8 = col(2)?
                    .parse()
                    .ok()
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(|| err(line_no, "month must be 1 to 12".into()))?;
                Vocab::Month(calendar, month)
            } else if table.ends_with("weekdays.tsv") {
                let day = match col(1)? {
                    "mon" => Weekday::Monday,
                    "tue" => Weekday::Tuesday,
                    "wed" => Weekday::Wednesday,
                    "thu" => Weekday::Thursday,
                    "fri" => Weekday::Friday,
                    "sat" => Weekday::Saturday,
                    "sun" => Weekday::Sunday,
                    other => return Err(err(line_no, format!("unknown weekday `{other}`"))),
                };
                Vocab::Weekday(day)
            } else {
                let unit = match col(1)? {
                    "day" => Unit::Day,
                    "week" => Unit::Week,
                    "month" => Unit::Month,
                    "year" => Unit::Year,
                    other => return Err(err(line_no, format!("unknown unit `{other}`"))),
                };
                let offset: i32 = col(2)?
                    .parse()
                    .map_err(|_| err(line_no, "offset must be an integer".into()))?;
                Vocab::Relative(unit, offset)
            };
            let words = words_of(form);
            let Some((first, rest)) = words.split_first() else {
                continue;
            };
            let list = self.phrases.entry(first.clone()).or_default();
            if !list.iter().any(|p| p.rest == rest && p.vocab == vocab) {
                list.push(Phrase {
                    rest: rest.to_vec(),
                    vocab,
                });
            }
        }
        Ok(())
    }

    /// Whether a date phrase (a weekday, month or relative expression) or a
    /// day word (`يوم`) starts at token `i` (used by the quotes stage to end
    /// a speaker phrase at a date).
    pub fn starts_expression(&self, toks: &[Token], i: usize) -> bool {
        self.phrase_at(toks, i).is_some() || self.role(toks.get(i)) == Some(Role::DayWord)
    }

    /// Finds the temporal expressions of a lexed text, resolved against
    /// `anchor` (the publication date) when given.
    pub fn find(
        &self,
        lexed: &View,
        anchor: Option<Date>,
        order: NumericOrder,
    ) -> Vec<DateMention> {
        let toks = &lexed.toks;
        let mut out: Vec<DateMention> = Vec::new();
        let mut kinds: Vec<Found> = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let Some((first, next, value)) = self.match_at(toks, i, anchor, order) else {
                i += 1;
                continue;
            };
            let kind = self.kind_of(toks, i, &value);
            let mention = DateMention {
                text: lexed.slice(toks[first].start, toks[next - 1].end),
                value,
                start: toks[first].start,
                end: toks[next - 1].end,
            };
            i = next;
            let adjacent = out.last().is_some_and(|prev| {
                let gap: String = lexed.chars[prev.end.min(mention.start)..mention.start]
                    .iter()
                    .collect();
                let gap = gap.trim_matches(|c: char| {
                    c.is_whitespace() || matches!(c, '(' | ')' | ',' | '،')
                });
                gap.is_empty() || self.context.get(&fold(gap)) == Some(&Role::SameAs)
            });
            match (kinds.last(), kind) {
                // `الاثنين 27 يوليو`: the weekday names the date that follows.
                (Some(&Found::Weekday(day)), Found::AbsoluteDay) if adjacent => {
                    if let Some(prev) = out.last_mut() {
                        prev.text = lexed.slice(prev.start, mention.end);
                        prev.end = mention.end;
                        prev.value = snap_to_weekday(mention.value, day);
                    }
                    if let Some(k) = kinds.last_mut() {
                        *k = Found::AbsoluteDay;
                    }
                    continue;
                }
                // `اليوم (الجمعة)`: the weekday fixes the day when the
                // publication time is a later crawl.
                // `26 شوال 1436 هـ الموافق 11 أغسطس 2015 م`: the Gregorian
                // equivalent given by the outlet beats the tabular calendar.
                (Some(Found::AbsoluteDay), Found::AbsoluteDay) if adjacent => {
                    if let Some(prev) = out.last_mut() {
                        prev.value.clone_from(&mention.value);
                    }
                }
                (Some(Found::RelativeDay), Found::Weekday(_)) if adjacent => {
                    if let Some(prev) = out.last_mut() {
                        prev.value.clone_from(&mention.value);
                    }
                }
                _ => {}
            }
            out.push(mention);
            kinds.push(kind);
        }
        out
    }

    /// What kind of expression was found at token `i`.
    fn kind_of(&self, toks: &[Token], i: usize, value: &Option<String>) -> Found {
        match self.phrase_at(toks, i) {
            Some((_, Vocab::Weekday(day))) => Found::Weekday(Some(day)),
            Some((_, Vocab::Relative(Unit::Day, 0 | -1))) => Found::RelativeDay,
            _ if self.role(toks.get(i)) == Some(Role::DayWord) => match self.phrase_at(toks, i + 1)
            {
                Some((_, Vocab::Weekday(day))) => Found::Weekday(Some(day)),
                _ => Found::Weekday(None),
            },
            _ if value.as_ref().is_some_and(|v| v.len() == 10) => Found::AbsoluteDay,
            _ => Found::Other,
        }
    }

    /// The expression starting at token `i`: (first token, end token, value).
    fn match_at(
        &self,
        toks: &[Token],
        i: usize,
        anchor: Option<Date>,
        order: NumericOrder,
    ) -> Option<(usize, usize, Option<String>)> {
        let t = &toks[i];
        if !t.is_word {
            return None;
        }
        if let Some(found) = self.numeric_at(toks, i, order) {
            return Some(found);
        }
        if let Some(found) = self.day_month_at(toks, i, anchor) {
            return Some(found);
        }
        if let Some(found) = self.year_at(toks, i) {
            return Some(found);
        }
        let (next, vocab) = self.phrase_at(toks, i)?;
        match vocab {
            Vocab::Month(calendar, month) => {
                self.month_first_at(toks, i, next, calendar, month, anchor)
            }
            Vocab::Weekday(day) => Some(self.weekday_at(toks, i, next, day, anchor)),
            // `ذلك اليوم` is "that day", not today.
            Vocab::Relative(..) if i > 0 && self.role(toks.get(i - 1)) == Some(Role::Anaphoric) => {
                None
            }
            Vocab::Relative(unit, offset) => {
                Some((i, next, anchor.and_then(|a| relative(a, unit, offset))))
            }
        }
    }

    /// The longest table phrase at `i`: (end token, meaning).
    fn phrase_at(&self, toks: &[Token], i: usize) -> Option<(usize, Vocab)> {
        let list = self.phrase_forms.get(toks.get(i)?.folded())?;
        list.iter().find_map(|phrase| {
            let matches = phrase.rest.iter().enumerate().all(|(k, w)| {
                toks.get(i + 1 + k).is_some_and(|t| {
                    t.is_word && t.folded() == *w && t.paragraph == toks[i].paragraph
                })
            });
            matches.then_some((i + 1 + phrase.rest.len(), phrase.vocab))
        })
    }

    fn role(&self, tok: Option<&Token>) -> Option<Role> {
        let tok = tok.filter(|t| t.is_word)?;
        self.role_forms.get(tok.folded()).copied()
    }

    /// `12/12/2016`, `12-12-2016`, `12.12.2016`, `2016-12-12`.
    fn numeric_at(
        &self,
        toks: &[Token],
        i: usize,
        order: NumericOrder,
    ) -> Option<(usize, usize, Option<String>)> {
        let t = &toks[i];
        // `12.12.2016` lexes as one word.
        if t.folded().contains('.') {
            let parts: Vec<&str> = t.folded().split('.').collect();
            let shaped = parts.len() == 3
                && parts.iter().all(|p| is_digits(p))
                && parts[0].len() <= 2
                && parts[1].len() <= 2
                && matches!(parts[2].len(), 2 | 4);
            if shaped {
                let nums: Vec<u32> = parts.iter().map(|p| number(p)).collect::<Option<_>>()?;
                return Some((
                    i,
                    i + 1,
                    dmy(nums[0], nums[1], nums[2], parts[2].len(), order),
                ));
            }
            return None;
        }
        if !is_digits(t.folded()) {
            return None;
        }
        // Five tokens: n sep n sep n with the same separator; `/` may be
        // spaced (`8 /11 /1436هـ`), `-` may not (`2018 - 2024` is a range).
        let window = toks.get(i..i + 5)?;
        let sep = window[1].punct()?;
        if !matches!(sep, '/' | '-') || window[3].punct() != Some(sep) {
            return None;
        }
        if sep == '-' && !window.windows(2).all(|w| w[0].end == w[1].start) {
            return None;
        }
        if window.iter().any(|w| w.paragraph != t.paragraph) {
            return None;
        }
        let (a, b) = (window[0].folded(), window[2].folded());
        let last = window[4].folded();
        let digits: String = last.chars().take_while(char::is_ascii_digit).collect();
        let suffix = &last[digits.len()..];
        if !is_digits(b) || digits.is_empty() {
            return None;
        }
        let suffix_role = if suffix.is_empty() {
            None
        } else {
            Some(self.context.get(suffix).copied()?)
        };
        let mut end = i + 5;
        let mut era = suffix_role;
        if era.is_none() {
            if let Some(role @ (Role::EraHijri | Role::EraGregorian)) = self.role(toks.get(end)) {
                era = Some(role);
                end += 1;
            }
        }
        let c = digits.as_str();
        let value = if a.len() == 4 && sep == '-' {
            ymd(number(a)?, number(b)?, number(c)?)
        } else if a.len() <= 2 && b.len() <= 2 && (c.len() == 2 || c.len() >= 4) {
            let year = number(c)?;
            // A year marked Hijri, or in the Hijri range without a mark.
            let hijri = era == Some(Role::EraHijri)
                || (era.is_none() && c.len() == 4 && (1300..1500).contains(&year));
            if hijri {
                hijri::to_gregorian(i64::from(year), number(b)?, number(a)?).map(iso_day)
            } else {
                dmy(number(a)?, number(b)?, year, c.len(), order)
            }
        } else {
            return None;
        };
        Some((i, end, value))
    }

    /// `12 ديسمبر 2016`, `12 ديسمبر/كانون الأول 2016`, `23 جمادى الأولى 1446هـ`,
    /// `12 Dec 2016`, `12 ديسمبر` (year of publication).
    fn day_month_at(
        &self,
        toks: &[Token],
        i: usize,
        anchor: Option<Date>,
    ) -> Option<(usize, usize, Option<String>)> {
        let day_tok = &toks[i];
        if !is_digits(day_tok.folded()) || day_tok.folded().len() > 2 {
            return None;
        }
        let day = number(day_tok.folded())?;
        let mut j = i + 1;
        // `12 من ديسمبر`, `12th of December` are rare in news; not handled.
        let (after_month, vocab) = self
            .phrase_at(toks, j)
            .filter(|(_, v)| matches!(v, Vocab::Month(..)))?;
        let Vocab::Month(calendar, month) = vocab else {
            return None;
        };
        j = self.skip_alternate_month(toks, after_month);
        let (year, end) = self.year_after(toks, j);
        let value = match (calendar, year) {
            (Calendar::Gregorian, Some(y)) => ymd(y, u32::from(month), day),
            (Calendar::Gregorian, None) => {
                anchor.and_then(|a| ymd(a.year().try_into().ok()?, u32::from(month), day))
            }
            (Calendar::Islamic, Some(y)) => {
                hijri::to_gregorian(i64::from(y), u32::from(month), day).map(iso_day)
            }
            (Calendar::Islamic, None) => anchor.and_then(|a| {
                hijri::to_gregorian(hijri::year_of(a), u32::from(month), day).map(iso_day)
            }),
        };
        Some((i, end, value))
    }

    /// After a month name, `/كانون الأول` naming the same month again.
    fn skip_alternate_month(&self, toks: &[Token], j: usize) -> usize {
        if toks.get(j).and_then(Token::punct) == Some('/') {
            if let Some((end, Vocab::Month(..))) = self.phrase_at(toks, j + 1) {
                return end;
            }
        }
        j
    }

    /// A year right after a month (`2016`, `1446هـ`, `, 2016`): (year, end token).
    /// A year's digits and what is glued after them (`2016هـ`: `2016` and
    /// `هـ`), when nothing or a known era or context word is glued on.
    fn year_form<'t>(&self, t: &'t Token) -> Option<(String, &'t str)> {
        let digits: String = t
            .folded()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let suffix = &t.folded()[digits.len()..];
        (suffix.is_empty() || self.context.contains_key(suffix)).then_some((digits, suffix))
    }

    fn year_after(&self, toks: &[Token], j: usize) -> (Option<u32>, usize) {
        let mut k = j;
        if toks.get(k).and_then(Token::punct) == Some(',') {
            k += 1;
        }
        let Some(t) = toks.get(k).filter(|t| t.is_word) else {
            return (None, j);
        };
        let Some((digits, _)) = self.year_form(t).filter(|(d, _)| d.len() >= 3) else {
            return (None, j);
        };
        let Some(year) = number(&digits) else {
            // Too many digits to be a year: consumed, unresolvable.
            return (Some(u32::MAX), k + 1);
        };
        let mut end = k + 1;
        if matches!(
            self.role(toks.get(end)),
            Some(Role::EraHijri | Role::EraGregorian)
        ) {
            end += 1;
        }
        (Some(year), end)
    }

    /// A month name first: `December 12, 2016`, `Dec. 12`, `ديسمبر 2016`.
    fn month_first_at(
        &self,
        toks: &[Token],
        i: usize,
        next: usize,
        calendar: Calendar,
        month: u8,
        anchor: Option<Date>,
    ) -> Option<(usize, usize, Option<String>)> {
        let mut j = self.skip_alternate_month(toks, next);
        if toks.get(j).and_then(Token::punct) == Some('.') {
            j += 1;
        }
        let t = toks.get(j).filter(|t| t.is_word)?;
        if !is_digits(t.folded()) {
            return None;
        }
        if t.folded().len() <= 2 {
            let day = number(t.folded())?;
            let (year, end) = self.year_after(toks, j + 1);
            let value = match (calendar, year) {
                (Calendar::Gregorian, Some(y)) => ymd(y, u32::from(month), day),
                (Calendar::Gregorian, None) => {
                    anchor.and_then(|a| ymd(a.year().try_into().ok()?, u32::from(month), day))
                }
                (Calendar::Islamic, _) => None,
            };
            return Some((i, end, value));
        }
        let (year, end) = self.year_after(toks, j);
        let year = year?;
        let value = match calendar {
            Calendar::Gregorian => ym(year, u32::from(month)),
            // A Hijri month spans two Gregorian months: no single value.
            Calendar::Islamic => None,
        };
        Some((i, end, value))
    }

    /// `عام 2016`, `in 2016`: a bare year after a year word.
    fn year_at(&self, toks: &[Token], i: usize) -> Option<(usize, usize, Option<String>)> {
        if self.role(toks.get(i)) != Some(Role::YearWord) {
            return None;
        }
        let t = toks
            .get(i + 1)
            .filter(|t| t.is_word && t.paragraph == toks[i].paragraph)?;
        let (digits, suffix) = self.year_form(t).filter(|(d, _)| d.len() == 4)?;
        let year = number(&digits)?;
        let hijri = self.context.get(suffix) == Some(&Role::EraHijri)
            || self.role(toks.get(i + 2)) == Some(Role::EraHijri);
        let mut end = i + 2;
        if matches!(
            self.role(toks.get(end)),
            Some(Role::EraHijri | Role::EraGregorian)
        ) {
            end += 1;
        }
        let value = (!hijri && (1000..=2999).contains(&year)).then(|| format!("{year:04}"));
        Some((i + 1, end, value))
    }

    /// A weekday with its day word and direction (`يوم الاثنين الماضي`, `last Monday`).
    fn weekday_at(
        &self,
        toks: &[Token],
        i: usize,
        next: usize,
        day: Weekday,
        anchor: Option<Date>,
    ) -> (usize, usize, Option<String>) {
        let same_para = |k: usize| toks.get(k).filter(|t| t.paragraph == toks[i].paragraph);
        let mut first = i;
        if i > 0 && self.role(same_para(i - 1)) == Some(Role::DayWord) {
            first = i - 1;
        }
        let mut end = next;
        let mut direction = None;
        if let Some(role @ (Role::Past | Role::Future)) = self.role(same_para(next)) {
            direction = Some(role);
            end = next + 1;
        } else if first > 0 {
            if let Some(role @ (Role::Past | Role::Future)) = self.role(same_para(first - 1)) {
                direction = Some(role);
                first -= 1;
            }
        }
        if direction.is_none() {
            let sentence = toks[i].sentence;
            let lookback = toks[first.saturating_sub(6)..first]
                .iter()
                .filter(|t| t.sentence == sentence);
            if lookback
                .into_iter()
                .any(|t| self.role(Some(t)) == Some(Role::FutureMarker))
            {
                direction = Some(Role::FutureMarker);
            }
        }
        let value = anchor.map(|a| {
            let back = i64::from(
                (a.weekday().number_days_from_monday() + 7 - day.number_days_from_monday()) % 7,
            );
            let date = match direction {
                None => a - Duration::days(back),
                Some(Role::Past) => a - Duration::days(if back == 0 { 7 } else { back }),
                Some(_) => {
                    let ahead = (7 - back) % 7;
                    a + Duration::days(if ahead == 0 { 7 } else { ahead })
                }
            };
            iso_day(date)
        });
        (first, end, value)
    }
}

/// A date named with its weekday (`الأحد 17/10/1436هـ`): when a Hijri
/// conversion is a day off the weekday, the weekday wins.
fn snap_to_weekday(value: Option<String>, day: Option<Weekday>) -> Option<String> {
    let (Some(v), Some(day)) = (value.as_deref(), day) else {
        return value;
    };
    let Some(date) = anchor_of(v) else {
        return value;
    };
    for shift in [0i64, -1, 1] {
        if let Some(d) = date.checked_add(Duration::days(shift)) {
            if d.weekday() == day {
                return Some(iso_day(d));
            }
        }
    }
    value
}

/// Words of a table form, folded.
fn words_of(form: &str) -> Vec<String> {
    crate::text::tokenize(form)
        .into_iter()
        .filter(|t| t.is_word)
        .map(|t| t.folded().to_string())
        .collect()
}

/// Every form a table word takes in text, as `(form, word)`, in the order a
/// token is read: the word itself first, then each proclitic of
/// [`PROCLITICS`] before it (`والاثنين` is `الاثنين`), then `لل` for `ال`
/// (`للعام` is `العام`); what a proclitic leaves has at least two letters.
/// Keyed by these forms, a table answers a token in one lookup with the
/// reading that trying the token's own strippings in that order would find.
fn attached_forms<'a>(words: impl Iterator<Item = &'a String>) -> Vec<(String, String)> {
    let words: Vec<&String> = words.collect();
    let mut forms: Vec<(String, String)> =
        words.iter().map(|w| ((*w).clone(), (*w).clone())).collect();
    for p in PROCLITICS {
        for w in &words {
            if w.chars().count() >= 2 {
                forms.push((format!("{p}{w}"), (*w).clone()));
            }
        }
    }
    for w in &words {
        if let Some(rest) = w.strip_prefix("ال").filter(|r| r.chars().count() >= 2) {
            forms.push((format!("لل{rest}"), (*w).clone()));
        }
    }
    forms
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A number of at most nine digits.
fn number(s: &str) -> Option<u32> {
    if s.len() > 9 {
        return None;
    }
    s.parse().ok()
}

fn iso_day(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn ymd(year: u32, month: u32, day: u32) -> Option<String> {
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date =
        Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()?;
    (year >= 1).then(|| iso_day(date))
}

fn ym(year: u32, month: u32) -> Option<String> {
    ((1..=9999).contains(&year) && (1..=12).contains(&month))
        .then(|| format!("{year:04}-{month:02}"))
}

/// A numeric date whose year has `year_digits` digits (two-digit years are
/// 1970-2069).
fn dmy(a: u32, b: u32, year: u32, year_digits: usize, order: NumericOrder) -> Option<String> {
    let year = if year_digits == 2 {
        if year < 70 {
            2000 + year
        } else {
            1900 + year
        }
    } else {
        year
    };
    let (day, month) = match order {
        _ if a > 12 => (a, b),
        _ if b > 12 => (b, a),
        NumericOrder::DayFirst => (a, b),
        NumericOrder::MonthFirst => (b, a),
    };
    ymd(year, month, day)
}

/// A relative expression's value: `offset` units from the anchor.
fn relative(anchor: Date, unit: Unit, offset: i32) -> Option<String> {
    match unit {
        Unit::Day => anchor
            .checked_add(Duration::days(i64::from(offset)))
            .map(iso_day),
        Unit::Week => {
            let d = anchor.checked_add(Duration::weeks(i64::from(offset)))?;
            let (y, w, _) = d.to_iso_week_date();
            Some(format!("{y:04}-W{w:02}"))
        }
        Unit::Month => {
            let total = anchor.year() * 12 + i32::from(u8::from(anchor.month())) - 1 + offset;
            let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
            (1..=9999).contains(&y).then(|| format!("{y:04}-{m:02}"))
        }
        Unit::Year => {
            let y = anchor.year() + offset;
            (1..=9999).contains(&y).then(|| format!("{y:04}"))
        }
    }
}

/// The publication date of an RFC 3339 time (its calendar date as written).
pub fn anchor_of(published_at: &str) -> Option<Date> {
    let head = published_at.get(..10)?;
    let mut parts = head.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

#[cfg(test)]
mod tests;
