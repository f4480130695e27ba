//! Tokens: words, numbers and punctuation with char and byte offsets.
//!
//! A word is a run of letters, digits and combining marks (Arabic diacritics
//! and tatweel stay inside the word). A few characters join inside a run:
//! an apostrophe between letters (`O'Brien`), a decimal or thousands
//! separator between digits (`3.5`, `1,000`, `٣٫٥`), and a full stop after a
//! single Latin letter followed by another letter (`U.S`, `e.g`). Hyphens,
//! colons and all other punctuation are tokens of their own, so `لافروف:`
//! gives `لافروف` and `:`. White space is no token.

use super::arabic::strip_proclitics;
use super::fold::fold_into;
use super::Token;
use compact_str::CompactString;
use std::sync::LazyLock;
use unicode_normalization::char::is_combining_mark;

/// Word-character classes of the Arabic block (U+0600..U+06FF), computed
/// once from the Unicode tables: bit 0 = inside a word, bit 1 = letter or
/// digit. The block is most of the text, and the tables are slow for it.
static ARABIC_CLASSES: LazyLock<[u8; 256]> = LazyLock::new(|| {
    let mut table = [0u8; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        if let Some(c) = char::from_u32(0x0600 + i as u32) {
            *slot = u8::from(is_word_char_slow(c)) | (u8::from(is_letter_or_digit_slow(c)) << 1);
        }
    }
    table
});

fn is_word_char_slow(c: char) -> bool {
    c.is_alphanumeric() || c == '\u{200C}' || c == '\u{200D}' || is_combining_mark(c)
}

fn is_letter_or_digit_slow(c: char) -> bool {
    c.is_alphanumeric() && !is_combining_mark(c) && c != '\u{0640}'
}

/// True for characters inside a word: letters, digits, combining marks,
/// tatweel and the zero-width joiners.
pub(crate) fn is_word_char(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphanumeric(),
        0x0600..=0x06FF => ARABIC_CLASSES[(c as u32 - 0x0600) as usize] & 1 != 0,
        _ => is_word_char_slow(c),
    }
}

/// True for letters and digits (not marks or tatweel).
pub(crate) fn is_letter_or_digit(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphanumeric(),
        0x0600..=0x06FF => ARABIC_CLASSES[(c as u32 - 0x0600) as usize] & 2 != 0,
        _ => is_letter_or_digit_slow(c),
    }
}

/// True when `chars[i]`, a non-word character, joins the word around it.
fn joins(chars: &[(usize, char)], i: usize, word_start: usize) -> bool {
    let (Some(&(_, prev)), Some(&(_, next))) = (chars.get(i.wrapping_sub(1)), chars.get(i + 1))
    else {
        return false;
    };
    if i == 0 {
        return false;
    }
    match chars[i].1 {
        '\'' | '’' => prev.is_alphabetic() && next.is_alphabetic() && !is_arabic(prev),
        '.' | ',' | '٫' | '٬' => {
            if prev.is_numeric() && next.is_numeric() {
                return true;
            }
            // `U.S`: a single ASCII letter before the stop, a letter after.
            chars[i].1 == '.'
                && prev.is_ascii_alphabetic()
                && next.is_ascii_alphabetic()
                && (i - word_start == 1 || chars[i - 2].1 == '.')
        }
        _ => false,
    }
}

fn is_arabic(c: char) -> bool {
    ('\u{0600}'..='\u{06FF}').contains(&c)
}

/// Reusable buffers for tokenizing many sentences.
#[derive(Default)]
pub(crate) struct Tokenizer {
    chars: Vec<(usize, char)>,
    scratch: String,
}

impl Tokenizer {
    /// Appends the tokens of `slice` (whose first character is at char
    /// offset `char_start` and byte offset `byte_start` of the document) to
    /// `out`, all in sentence `sentence` of paragraph `paragraph`.
    pub(crate) fn tokenize_into(
        &mut self,
        slice: &str,
        (char_start, byte_start): (usize, usize),
        (sentence, paragraph): (usize, usize),
        out: &mut Vec<Token>,
    ) {
        let chars = &mut self.chars;
        chars.clear();
        chars.extend(slice.char_indices());
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i].1;
            if c.is_whitespace() {
                i += 1;
                continue;
            }
            let start = i;
            if is_word_char(c) {
                i += 1;
                while i < chars.len() && (is_word_char(chars[i].1) || joins(chars, i, start)) {
                    i += 1;
                }
            } else {
                i += 1;
            }
            let b0 = chars[start].0;
            let b1 = chars.get(i).map_or(slice.len(), |&(b, _)| b);
            out.push(make_token(
                &slice[b0..b1],
                (char_start + start, char_start + i),
                (byte_start + b0, byte_start + b1),
                (sentence, paragraph),
                &mut self.scratch,
            ));
        }
    }
}

/// One token of `text`; `scratch` is a reused folding buffer.
fn make_token(
    text: &str,
    (start, end): (usize, usize),
    (byte_start, byte_end): (usize, usize),
    (sentence, paragraph): (usize, usize),
    scratch: &mut String,
) -> Token {
    let is_word = text.chars().any(is_letter_or_digit);
    scratch.clear();
    fold_into(text, scratch);
    let prefix_len = if is_word {
        // Proclitics are a few letters: a longer prefix cannot occur, but
        // would only mean no stripping.
        u8::try_from(strip_proclitics(scratch).0.len()).unwrap_or(0)
    } else {
        0
    };
    Token {
        start,
        end,
        byte_start,
        byte_end,
        folded: CompactString::new(scratch.as_str()),
        prefix_len,
        is_word,
        sentence,
        paragraph,
    }
}

/// The tokens of a whole string, all in sentence 0 of paragraph 0 (tables,
/// tests).
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    Tokenizer::default().tokenize_into(text, (0, 0), (0, 0), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        tokenize(text)
            .into_iter()
            .map(|t| text[t.byte_start..t.byte_end].to_string())
            .collect()
    }

    #[test]
    fn splits_words_from_punctuation() {
        assert_eq!(
            words("لافروف: المحادثات (رويترز)|"),
            ["لافروف", ":", "المحادثات", "(", "رويترز", ")", "|"]
        );
    }

    #[test]
    fn keeps_diacritics_and_tatweel_inside_the_word() {
        assert_eq!(words("قلّص الـرياض"), ["قلّص", "الـرياض"]);
    }

    #[test]
    fn keeps_numbers_and_initialisms_whole() {
        assert_eq!(words("3.5 1,000 ٣٫٥"), ["3.5", "1,000", "٣٫٥"]);
        assert_eq!(words("the U.S. said"), ["the", "U.S", ".", "said"]);
        assert_eq!(words("O'Brien"), ["O'Brien"]);
    }

    #[test]
    fn a_full_stop_between_words_splits_them() {
        assert_eq!(words("end.The"), ["end", ".", "The"]);
        assert_eq!(words("د.محمد"), ["د", ".", "محمد"]);
    }

    #[test]
    fn the_arabic_fast_path_agrees_with_the_unicode_tables() {
        for c in '\u{0600}'..='\u{06FF}' {
            assert_eq!(is_word_char(c), is_word_char_slow(c), "{c:?}");
            assert_eq!(is_letter_or_digit(c), is_letter_or_digit_slow(c), "{c:?}");
        }
        assert!(is_word_char('\u{0640}') && !is_letter_or_digit('\u{0640}'));
        assert!(!is_word_char('،') && !is_word_char('؟'));
    }

    #[test]
    fn tokens_carry_char_and_byte_offsets() {
        let text = "قال كيربي";
        let t = &tokenize(text)[1];
        assert_eq!((t.start, t.end), (4, 9));
        assert_eq!(&text[t.byte_start..t.byte_end], "كيربي");
    }

    #[test]
    fn tokens_carry_folded_and_lookup_forms() {
        let t = &tokenize("والولايات")[0];
        assert_eq!(t.folded(), "والولايات");
        assert_eq!(t.lookup(), "ولايات");
        assert_eq!(t.prefix(), "وال");
        assert!(t.is_word);
        let p = &tokenize("،")[0];
        assert!(!p.is_word);
    }
}
