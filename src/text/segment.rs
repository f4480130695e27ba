//! Paragraphs and sentences.
//!
//! Paragraphs are the non-blank lines of `text` (the `clean` stage has put
//! one paragraph per line), trimmed. Sentences end at `.` `!` `?` `؟` `؛`
//! `…` and the Urdu full stop `۔`, together with any closing quotes and
//! brackets right after, when white space or the paragraph end follows. The
//! Arabic comma `،` and the colon end nothing. A full stop does not end a
//! sentence after an abbreviation: a single letter (`د.` `م.` `J.`), dotted
//! initials (`U.S.` `أ.د.`), or a word in `data/text/abbreviations.tsv`;
//! nor before a lower-case Latin word (`etc. and`). A quotation opened with
//! `“` `«` or `"` keeps its sentences together until it closes, so a quote of
//! several sentences is one sentence with its cue; when a paragraph's quotes
//! do not balance, the paragraph is split as if it had none.

use super::tokens::is_word_char;
use std::collections::HashSet;
use std::sync::LazyLock;

static ABBREVIATIONS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/text/abbreviations.tsv")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Char spans `(start, end)` of the non-blank lines of `text`, trimmed.
pub fn paragraph_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut offset = 0;
    for line in text.split('\n') {
        let len = line.chars().count();
        let lead = line.chars().take_while(|c| c.is_whitespace()).count();
        if lead < len {
            let trail = line.chars().rev().take_while(|c| c.is_whitespace()).count();
            spans.push((offset + lead, offset + len - trail));
        }
        offset += len + 1;
    }
    spans
}

fn is_terminator(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | '؟' | '؛' | '…' | '۔' | '‼' | '⁇' | '⁈' | '⁉'
    )
}

fn is_closer(c: char) -> bool {
    matches!(c, '”' | '»' | '"' | '’' | '\'' | ')' | ']' | '›' | '}')
}

/// Quotation state inside one paragraph.
#[derive(Default)]
struct Quotes {
    curly: usize,
    guillemets: usize,
    straight: bool,
}

impl Quotes {
    fn update(&mut self, c: char) {
        match c {
            '“' => self.curly += 1,
            '”' => self.curly = self.curly.saturating_sub(1),
            '«' => self.guillemets += 1,
            '»' => self.guillemets = self.guillemets.saturating_sub(1),
            '"' => self.straight = !self.straight,
            _ => {}
        }
    }

    fn open(&self) -> bool {
        self.curly > 0 || self.guillemets > 0 || self.straight
    }
}

/// Sentence spans of one paragraph, as char offsets relative to it.
pub fn sentence_spans(para: &[char]) -> Vec<(usize, usize)> {
    split(para, true).unwrap_or_else(|| split(para, false).unwrap_or_default())
}

/// Splits `para`; with `quotes`, returns `None` when the quotes do not
/// balance, so the caller can split again without them.
fn split(para: &[char], quotes: bool) -> Option<Vec<(usize, usize)>> {
    let n = para.len();
    let mut spans = Vec::new();
    let mut state = Quotes::default();
    let mut start = skip_space(para, 0);
    let mut i = start;
    while i < n {
        let c = para[i];
        if !is_terminator(c) {
            if quotes {
                state.update(c);
            }
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < n && is_terminator(para[j]) {
            j += 1;
        }
        while j < n && is_closer(para[j]) {
            // A straight quote after the stop closes only an open one.
            if para[j] == '"' && !state.straight && quotes {
                break;
            }
            if quotes {
                state.update(para[j]);
            }
            j += 1;
        }
        let at_break = j == n || para[j].is_whitespace();
        let ends = at_break
            && !(quotes && state.open())
            && !(c == '.' && j == i + 1 && (is_abbreviation(para, i) || lower_follows(para, j)));
        if ends {
            spans.push((start, trim_end(para, start, j)));
            start = skip_space(para, j);
            i = start;
        } else {
            i = j;
        }
    }
    if quotes && state.open() {
        return None;
    }
    if start < n {
        let end = trim_end(para, start, n);
        if end > start {
            spans.push((start, end));
        }
    }
    Some(spans)
}

fn skip_space(para: &[char], mut i: usize) -> usize {
    while i < para.len() && para[i].is_whitespace() {
        i += 1;
    }
    i
}

fn trim_end(para: &[char], start: usize, mut end: usize) -> usize {
    while end > start && para[end - 1].is_whitespace() {
        end -= 1;
    }
    end
}

/// True when the full stop at `dot` closes an abbreviation.
fn is_abbreviation(para: &[char], dot: usize) -> bool {
    // The word before the stop, with inner stops (`U.S`, `أ.د`).
    let mut k = dot;
    while k > 0 && (is_word_char(para[k - 1]) || para[k - 1] == '.') {
        k -= 1;
    }
    let word = &para[k..dot];
    if word.is_empty() {
        return false;
    }
    // Single letters and dotted initials: every dot-separated part is one
    // letter (marks and tatweel do not count).
    let single_letters = word
        .split(|c| *c == '.')
        .all(|part| part.iter().filter(|c| c.is_alphabetic()).count() == 1);
    if single_letters {
        return true;
    }
    let with_dot: String = para[k..=dot].iter().collect();
    ABBREVIATIONS.contains(with_dot.as_str())
}

/// True when the next word after `j` starts with a lower-case letter.
fn lower_follows(para: &[char], j: usize) -> bool {
    let k = skip_space(para, j);
    k < para.len() && para[k].is_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        sentence_spans(&chars)
            .into_iter()
            .map(|(s, e)| chars[s..e].iter().collect())
            .collect()
    }

    #[test]
    fn paragraphs_are_the_non_blank_lines_trimmed() {
        assert_eq!(
            paragraph_spans("ab\n\n  cd \nه"),
            [(0, 2), (6, 8), (10, 11)]
        );
    }

    #[test]
    fn arabic_full_stop_question_mark_and_semicolon_end_sentences() {
        assert_eq!(
            sentences("قال كيربي. هل يوافق الروس؟ لا؛ لن يوافقوا"),
            ["قال كيربي.", "هل يوافق الروس؟", "لا؛", "لن يوافقوا"]
        );
    }

    #[test]
    fn the_arabic_comma_does_not_end_a_sentence() {
        assert_eq!(
            sentences("من جهتها، ذكرت الوزارة."),
            ["من جهتها، ذكرت الوزارة."]
        );
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        assert_eq!(
            sentences("قال د. محمد إن م. أحمد وصل. ثم غادر."),
            ["قال د. محمد إن م. أحمد وصل.", "ثم غادر."]
        );
        assert_eq!(
            sentences("Mr. Smith met Dr. Jones in the U.S. capital. They talked."),
            [
                "Mr. Smith met Dr. Jones in the U.S. capital.",
                "They talked."
            ]
        );
    }

    #[test]
    fn a_quote_spanning_sentences_stays_one_sentence() {
        assert_eq!(
            sentences("وقال “لسنا متفائلين. الوضع صعب”. وأضاف أنه سيعود."),
            ["وقال “لسنا متفائلين. الوضع صعب”.", "وأضاف أنه سيعود."]
        );
    }

    #[test]
    fn closing_quotes_after_the_stop_belong_to_the_sentence() {
        assert_eq!(
            sentences("He said: \"We are done.\" Then he left."),
            ["He said: \"We are done.\"", "Then he left."]
        );
    }

    #[test]
    fn unbalanced_quotes_fall_back_to_plain_splitting() {
        assert_eq!(
            sentences("قال “لسنا متفائلين. الوضع صعب."),
            ["قال “لسنا متفائلين.", "الوضع صعب."]
        );
    }

    #[test]
    fn decimals_and_lower_case_continuations_do_not_split() {
        assert_eq!(
            sentences("It rose 3.5 percent, etc. and more."),
            ["It rose 3.5 percent, etc. and more."]
        );
    }
}
