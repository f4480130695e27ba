//! Word and punctuation tokens with code point offsets, for the `dates` and
//! `quotes` stages.
//!
//! A deliberately small lexer: words (letters, digits, Arabic marks), single
//! punctuation characters, paragraph and sentence numbers. Each word carries
//! a folded matching form (see [`fold`]) that the language tables under
//! `data/dates/` and `data/speech/` are folded to as well, so a table entry
//! matches every spelling variant of it. The shared text layer (`crate::text`,
//! built separately) offers richer analysis; this keeps the two stages
//! independent of it and linear in the text length.

/// A hash map keyed by short words with a fast non-cryptographic hash
/// (FNV-1a): table lookups per token dominate the stages' time, and the
/// keys come from our own tables, not from an adversary.
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

/// One token of the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Tok {
    /// Code point offsets into the text, end-exclusive.
    pub start: usize,
    pub end: usize,
    /// Folded, lower-cased form (words) or the character itself (punctuation).
    pub folded: String,
    /// A word (letters or digits) rather than punctuation.
    pub word: bool,
    /// Index of the paragraph (newline separated).
    pub para: usize,
    /// Index of the sentence, counted over the whole text.
    pub sent: usize,
}

impl Tok {
    /// The punctuation character, for non-words.
    pub fn punct(&self) -> Option<char> {
        if self.word {
            None
        } else {
            self.folded.chars().next()
        }
    }
}

/// A lexed text: its characters and tokens.
#[derive(Debug, Clone, Default)]
pub struct Lexed {
    pub chars: Vec<char>,
    pub toks: Vec<Tok>,
    /// Paragraphs as code point ranges, in order.
    pub paras: Vec<(usize, usize)>,
}

impl Lexed {
    /// The text between two code point offsets.
    pub fn slice(&self, start: usize, end: usize) -> String {
        let end = end.min(self.chars.len());
        let start = start.min(end);
        self.chars[start..end].iter().collect()
    }
}

fn is_mark(c: char) -> bool {
    matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}')
}

fn is_word_char(c: char) -> bool {
    // Fast paths for ASCII and Arabic: the general Unicode tables are slow.
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if is_arabic_letter_or_digit(c) {
        return true;
    }
    c.is_alphanumeric() || is_mark(c)
}

fn is_arabic_letter_or_digit(c: char) -> bool {
    matches!(c, '\u{0621}'..='\u{064A}' | '\u{0660}'..='\u{0669}' | '\u{0671}'..='\u{06D3}' | '\u{06F0}'..='\u{06FF}')
}

/// Sentence-final punctuation.
fn ends_sentence(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '؟' | '۔')
}

/// The matching form of a string: Arabic diacritics and tatweel removed,
/// alef, yaa, taa marbuta and hamza carriers unified, Arabic-Indic digits to
/// ASCII, lower case.
pub fn fold(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    fold_chars(&chars)
}

fn fold_chars(chars: &[char]) -> String {
    let mut out = String::with_capacity(chars.len() * 2);
    for &c in chars {
        if is_mark(c) {
            continue;
        }
        let c = match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' => 'ي',
            'ة' => 'ه',
            'ؤ' => 'و',
            'ئ' => 'ي',
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            '’' | 'ʼ' => '\'',
            _ => c,
        };
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if is_arabic_letter_or_digit(c) {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Splits `text` into tokens. Linear in the length of the text.
pub fn lex(text: &str) -> Lexed {
    lex_with(text, &[])
}

/// Like [`lex`], with words (folded, lower case, without the final period)
/// whose period does not end a sentence (`mr`, `dr`, `u.s`).
pub fn lex_with(text: &str, abbreviations: &[String]) -> Lexed {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let mut paras = Vec::new();
    let (mut para, mut sent) = (0usize, 0usize);
    let mut para_start = 0usize;
    let mut sent_has_tokens = false;
    let mut i = 0usize;
    let n = chars.len();
    while i < n {
        let c = chars[i];
        if c == '\n' || c == '\r' || c == '\u{2029}' {
            if i > para_start {
                paras.push((para_start, i));
                para += 1;
            }
            if sent_has_tokens {
                sent += 1;
                sent_has_tokens = false;
            }
            para_start = i + 1;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if is_word_char(c) {
            let start = i;
            while i < n {
                let d = chars[i];
                let joins = matches!(d, '\'' | '’' | '-' | '.')
                    && i + 1 < n
                    && i > start
                    && inner_joiner(d, chars[i - 1], chars[i + 1]);
                if !(is_word_char(d) || joins) {
                    break;
                }
                i += 1;
            }
            toks.push(Tok {
                start,
                end: i,
                folded: fold_chars(&chars[start..i]),
                word: true,
                para,
                sent,
            });
            sent_has_tokens = true;
            continue;
        }
        toks.push(Tok {
            start: i,
            end: i + 1,
            folded: c.to_string(),
            word: false,
            para,
            sent,
        });
        sent_has_tokens = true;
        if ends_sentence(c) && sentence_break(&chars, i, &toks, abbreviations) {
            sent += 1;
            sent_has_tokens = false;
        }
        i += 1;
    }
    if n > para_start {
        paras.push((para_start, n));
    }
    Lexed { chars, toks, paras }
}

/// An apostrophe, hyphen or period inside a word (`don't`, `al-Falih`,
/// `3.5`, `U.S`) keeps the word whole.
fn inner_joiner(d: char, before: char, after: char) -> bool {
    match d {
        '.' => {
            (before.is_ascii_digit() && after.is_ascii_digit())
                || (before.is_ascii_uppercase() && after.is_ascii_uppercase())
        }
        _ => {
            before.is_alphabetic() && after.is_alphabetic() && before.is_ascii() == after.is_ascii()
        }
    }
}

/// Whether the sentence-final mark at `i` ends the sentence: not after an
/// abbreviation, and followed by space, a quote mark or the end.
fn sentence_break(chars: &[char], i: usize, toks: &[Tok], abbreviations: &[String]) -> bool {
    if chars[i] == '.' && toks.len() >= 2 {
        let prev = &toks[toks.len() - 2];
        if prev.word && prev.end == i && abbreviations.contains(&prev.folded) {
            return false;
        }
    }
    match chars.get(i + 1) {
        None => true,
        Some(c) => c.is_whitespace() || "\"”’»)".contains(*c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_alef_variants_digits_and_diacritics() {
        assert_eq!(fold("الإثنين"), fold("الاثنين"));
        assert_eq!(fold("غدًا"), "غدا");
        assert_eq!(fold("١٢"), "12");
        assert_eq!(fold("Monday"), "monday");
    }

    #[test]
    fn offsets_are_code_points() {
        let l = lex("قال كيربي: نعم");
        let words: Vec<_> = l
            .toks
            .iter()
            .filter(|t| t.word)
            .map(|t| (t.start, t.end))
            .collect();
        assert_eq!(words, vec![(0, 3), (4, 9), (11, 14)]);
    }

    #[test]
    fn sentences_and_paragraphs_are_numbered() {
        let l = lex("One two. Three.\nFour");
        let last = l.toks.last().unwrap();
        assert_eq!((last.para, last.sent), (1, 2));
        assert_eq!(l.paras, vec![(0, 15), (16, 20)]);
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        let l = lex_with("Mr. Smith said.", &["mr".to_string()]);
        assert!(l.toks.iter().all(|t| t.sent == 0));
    }

    #[test]
    fn decimals_and_hyphenated_names_stay_one_word() {
        let l = lex("al-Falih 3.5");
        assert_eq!(l.toks.len(), 2);
    }
}
