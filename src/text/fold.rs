//! Folding: the matching form of text, with a map back to the source.
//!
//! `text` stays faithful to the page; stages that look words up (entities,
//! quotes, dates) compare *folded* forms instead, so that `أميركا`, `اميركا`
//! and `أمِيركا` meet. A match found in a [`Folded`] string is mapped back to
//! exact code point offsets in the source with [`Folded::source_span`].
//!
//! What folding does, per character:
//! - Arabic: diacritics (harakat, tanwin, shadda, sukun, dagger alef, Quranic
//!   marks) and tatweel are dropped; alef variants `أ إ آ ٱ` become `ا`;
//!   hamza carriers `ؤ ئ` become `ء` (so `مسؤول` and `مسئول` meet); `ى` and
//!   Persian `ی` become `ي`; `ة` becomes `ه`; Persian `ک` becomes `ك`;
//!   Arabic-Indic and Persian digits become ASCII digits.
//! - Bidi controls, zero-width characters and soft hyphens are dropped.
//! - Everything else gets its compatibility decomposition (NFKD of one
//!   character: presentation forms such as `ﻻ`, full-width Latin, ligatures,
//!   superscripts), Latin/Greek/Cyrillic combining accents are dropped and
//!   letters are lower-cased. Multi-word ligatures (`ﷺ`, `ﷻ`) are kept as they
//!   are: expanding them would make a one-character symbol a phrase.
//!
//! Folding is per character and never looks at neighbours, so folding a
//! substring gives the substring of the folded whole.

use std::sync::LazyLock;
use unicode_normalization::char::decompose_compatible;

/// A folded string and, for each of its characters, the source characters
/// it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    /// The folded (matching) form.
    pub text: String,
    /// For each character of `text`, in order: the code point range
    /// `(start, end)` of the source characters it came from, end-exclusive.
    /// Dropped source characters (diacritics) are absorbed into the range of
    /// the folded character before them.
    pub map: Vec<(usize, usize)>,
}

impl Folded {
    /// The source code point span of the folded code point span
    /// `start..end`, or `None` when the span is empty or out of range.
    pub fn source_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end || end > self.map.len() {
            return None;
        }
        Some((self.map[start].0, self.map[end - 1].1))
    }

    /// Like [`Folded::source_span`] for a byte span of `text` (as returned
    /// by `str::find`); `None` when the bytes are not on char boundaries.
    pub fn source_span_bytes(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start > end
            || end > self.text.len()
            || !self.text.is_char_boundary(start)
            || !self.text.is_char_boundary(end)
        {
            return None;
        }
        let char_start = self.text[..start].chars().count();
        let char_len = self.text[start..end].chars().count();
        self.source_span(char_start, char_start + char_len)
    }
}

/// The matching form of `s` (see the module documentation).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// Appends the matching form of `s` to `out` (reuses `out`'s buffer).
pub fn fold_into(s: &str, out: &mut String) {
    out.reserve(s.len());
    for c in s.chars() {
        fold_char(c, &mut |f| out.push(f));
    }
}

/// The matching form of `s` with the map back to `s`'s code points.
pub fn fold_with_map(s: &str) -> Folded {
    let mut folded = Folded {
        text: String::with_capacity(s.len()),
        map: Vec::with_capacity(s.len() / 2),
    };
    for (index, c) in s.chars().enumerate() {
        let before = folded.map.len();
        fold_char(c, &mut |f| {
            folded.text.push(f);
            folded.map.push((index, index + 1));
        });
        if folded.map.len() == before {
            // Dropped: the previous folded character now also covers it.
            if let Some(last) = folded.map.last_mut() {
                if last.1 == index {
                    last.1 = index + 1;
                }
            }
        }
    }
    folded
}

/// True for characters folding drops outright.
fn is_dropped(c: char) -> bool {
    matches!(c,
        // Arabic marks: Quranic signs, harakat/tanwin/shadda/sukun and the
        // hamza marks, dagger alef, small high signs; tatweel.
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{08D3}'..='\u{08FF}'
        | '\u{0640}'
        // Bidi controls, zero-width characters, soft hyphen, BOM.
        | '\u{00AD}'
        | '\u{061C}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}'
        | '\u{FEFF}'
        // Combining accents of Latin, Greek and Cyrillic.
        | '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// The folded form of each character of the Arabic block (U+0600..U+06FF),
/// `'\0'` for a dropped one: every character there folds to at most one.
/// Computed once from [`fold_char_slow`]; the block is most of the text.
static ARABIC_FOLD: LazyLock<[char; 256]> = LazyLock::new(|| {
    let mut table = ['\0'; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        if let Some(c) = char::from_u32(0x0600 + i as u32) {
            let mut out = Vec::new();
            fold_char_slow(c, &mut |f| out.push(f));
            debug_assert!(out.len() <= 1, "{c:?} folds to {out:?}");
            *slot = out.first().copied().unwrap_or('\0');
        }
    }
    table
});

/// Folds one character, pushing zero or more characters.
#[inline(always)]
fn fold_char(c: char, push: &mut impl FnMut(char)) {
    match c as u32 {
        0..=0x7F => push(c.to_ascii_lowercase()),
        0x0600..=0x06FF => {
            let f = ARABIC_FOLD[(c as u32 - 0x0600) as usize];
            if f != '\0' {
                push(f);
            }
        }
        _ => fold_char_slow(c, push),
    }
}

/// [`fold_char`] without the table: the rules themselves.
#[inline(never)]
fn fold_char_slow(c: char, push: &mut impl FnMut(char)) {
    if c.is_ascii() {
        push(c.to_ascii_lowercase());
        return;
    }
    if is_dropped(c) {
        return;
    }
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' | '\u{0672}' | '\u{0673}' | '\u{0675}' => push('ا'),
        'ؤ' | 'ئ' | '\u{0676}' | '\u{0678}' => push('ء'),
        'ى' | 'ی' | 'ې' | 'ۍ' | 'ێ' => push('ي'),
        'ة' | 'ۀ' | 'ۃ' => push('ه'),
        'ک' | 'ڪ' => push('ك'),
        '٠'..='٩' => push(digit(c as u32 - 0x0660)),
        '۰'..='۹' => push(digit(c as u32 - 0x06F0)),
        // The rest of the Arabic block folds to itself: no decomposition
        // needed, and it is by far the most common case.
        '\u{0600}'..='\u{06FF}' => push(c),
        // Phrase ligatures: kept whole.
        '\u{FDFA}' | '\u{FDFB}' | '\u{FDFD}' => push(c),
        _ => decompose_compatible(c, |d| {
            if d.is_ascii() {
                push(d.to_ascii_lowercase());
            } else if d != c && !is_dropped(d) && ('\u{0600}'..='\u{06FF}').contains(&d) {
                // Presentation forms decompose to Arabic letters that may
                // themselves fold (ﺄ to أ to ا).
                fold_char(d, push);
            } else if !is_dropped(d) {
                for l in d.to_lowercase() {
                    if !is_dropped(l) {
                        push(l);
                    }
                }
            }
        }),
    }
}

fn digit(n: u32) -> char {
    char::from_digit(n, 10).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alef_and_hamza_variants_meet() {
        assert_eq!(fold("أميركا"), fold("اميركا"));
        assert_eq!(fold("إيران"), "ايران");
        assert_eq!(fold("آسيا"), "اسيا");
        assert_eq!(fold("مسؤول"), fold("مسئول"));
    }

    #[test]
    fn yaa_alef_maqsura_and_taa_marbuta_fold() {
        assert_eq!(fold("مستشفى"), "مستشفي");
        assert_eq!(fold("جامعة"), "جامعه");
        assert_eq!(fold("ایران"), "ايران");
    }

    #[test]
    fn diacritics_tatweel_and_bidi_marks_are_dropped() {
        assert_eq!(fold("مُحَمَّدٌ"), "محمد");
        assert_eq!(fold("الـــرياض"), "الرياض");
        assert_eq!(fold("\u{200f}حلب\u{200e}"), "حلب");
    }

    #[test]
    fn arabic_indic_and_persian_digits_become_ascii() {
        assert_eq!(fold("٢٠١٦"), "2016");
        assert_eq!(fold("۱۳۹۵"), "1395");
    }

    #[test]
    fn latin_is_lower_cased_and_accents_dropped() {
        assert_eq!(fold("Reuters"), "reuters");
        assert_eq!(fold("François Hollande"), "francois hollande");
        assert_eq!(fold("ＡＦＰ"), "afp");
    }

    #[test]
    fn presentation_forms_decompose_to_letters() {
        assert_eq!(fold("\u{FEFB}"), "لا");
        assert_eq!(fold("\u{FE84}"), "ا");
    }

    #[test]
    fn phrase_ligatures_are_kept_whole() {
        assert_eq!(fold("\u{FDFA}"), "\u{FDFA}");
    }

    #[test]
    fn a_folded_match_maps_back_to_the_exact_source_span() {
        let source = "قال مُحَمَّدٌ إنّ";
        let folded = fold_with_map(source);
        let at = folded.text.find("محمد").unwrap();
        let (start, end) = folded.source_span_bytes(at, at + "محمد".len()).unwrap();
        let mention: String = source.chars().skip(start).take(end - start).collect();
        assert_eq!(mention, "مُحَمَّدٌ");
    }

    #[test]
    fn an_expanded_character_maps_to_its_one_source_character() {
        let folded = fold_with_map("x\u{FEFB}y");
        assert_eq!(folded.text, "xلاy");
        assert_eq!(folded.source_span(1, 2), Some((1, 2)));
        assert_eq!(folded.source_span(1, 3), Some((1, 2)));
        assert_eq!(folded.source_span(3, 4), Some((2, 3)));
    }

    #[test]
    fn out_of_range_and_split_spans_are_refused() {
        let folded = fold_with_map("حلب");
        assert_eq!(folded.source_span(2, 9), None);
        assert_eq!(folded.source_span(1, 1), None);
        assert_eq!(folded.source_span_bytes(1, 2), None);
    }

    #[test]
    fn the_arabic_table_agrees_with_the_rules() {
        for c in '\u{0600}'..='\u{06FF}' {
            let (mut fast, mut slow) = (String::new(), String::new());
            fold_char(c, &mut |f| fast.push(f));
            fold_char_slow(c, &mut |f| slow.push(f));
            assert_eq!(fast, slow, "{c:?}");
        }
    }

    #[test]
    fn folding_with_a_map_gives_the_same_text_as_fold() {
        let s = "Ｍr. أَحمد الـرئيس ٣ ﻻ İstanbul";
        assert_eq!(fold_with_map(s).text, fold(s));
    }
}
