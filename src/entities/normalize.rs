//! The matching forms of one word, as the tagger and the gazetteers see it.
//!
//! The tagger's features, the gazetteer keys and the rule tables must all be
//! computed by the same function, or a model trained on one normalisation is
//! run on another. So the entity layer owns this one small per-word function:
//! `folded` (Arabic letter variants unified, diacritics and tatweel dropped,
//! lower case) and `lookup` (folded with the proclitics of
//! `data/entities/ar/proclitics.txt` removed, longest first, as long as a stem
//! of at least two letters remains). Text segmentation and offsets come from
//! `crate::text`; only the per-word forms are computed here.

use std::sync::OnceLock;

/// Proclitic sequences, one a line, longest first after loading.
const PROCLITICS: &str = include_str!("../../data/entities/ar/proclitics.txt");

/// The matching forms of one word.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word {
    /// Folded, lower-cased form of the whole word.
    pub folded: String,
    /// `folded` without its proclitics.
    pub lookup: String,
    /// The proclitics removed (folded), empty if none.
    pub prefix: String,
}

/// Folds a string for matching: Arabic letter variants unified (أ إ آ ٱ → ا,
/// ى → ي, ة → ه, ؤ → و, ئ → ي, Persian ک ی → ك ي), harakat, tatweel and
/// format characters dropped, Arabic-Indic digits to ASCII, lower case.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' | '\u{06D6}'..='\u{06ED}' => {}
            '\u{200B}'..='\u{200F}' | '\u{FEFF}' | '\u{061C}' => {}
            'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
            'ى' | 'ئ' | 'ی' => out.push('ي'),
            'ة' => out.push('ه'),
            'ؤ' => out.push('و'),
            'ک' => out.push('ك'),
            '٠'..='٩' => out.push(char::from(b'0' + (c as u32 - '٠' as u32) as u8)),
            '۰'..='۹' => out.push(char::from(b'0' + (c as u32 - '۰' as u32) as u8)),
            c if c.is_uppercase() => out.extend(c.to_lowercase()),
            c => out.push(c),
        }
    }
    out
}

fn proclitics() -> &'static [String] {
    static LIST: OnceLock<Vec<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut list: Vec<String> = PROCLITICS
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .map(fold)
            .collect();
        list.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
        list
    })
}

/// Splits a folded word into (proclitics, stem).
///
/// A sequence ending in the article (`وال`, `بال`, `لل`, `ال` ...) needs a stem
/// of at least two letters; conjunctions and prepositions alone (`و`, `ب`,
/// `وب` ...) need three, so that short words are left whole. The split is
/// blind to meaning (`بغداد` is keyed `غداد`), which is harmless because every
/// key, in text and in tables, is made by this same function.
pub fn split_proclitics(folded: &str) -> (&str, &str) {
    if !folded.chars().next().is_some_and(is_arabic_letter) {
        return ("", folded);
    }
    let len = folded.chars().count();
    for p in proclitics() {
        let plen = p.chars().count();
        let min_stem = if p.ends_with("ال") || p.ends_with("لل") { 2 } else { 3 };
        if folded.starts_with(p.as_str()) && len >= plen + min_stem {
            return folded.split_at(p.len());
        }
    }
    ("", folded)
}

/// The matching forms of `word`.
pub fn word(word: &str) -> Word {
    let folded = fold(word);
    let (prefix, stem) = split_proclitics(&folded);
    Word {
        lookup: stem.to_string(),
        prefix: prefix.to_string(),
        folded,
    }
}

/// The lookup forms of every word in a phrase (split on whitespace), joined by
/// single spaces: the key of a gazetteer or table entry.
pub fn phrase_key(phrase: &str) -> String {
    let mut key = String::new();
    for w in phrase.split(char::is_whitespace) {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if w.is_empty() {
            continue;
        }
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(&word(w).lookup);
    }
    key
}

/// Whether `c` is a letter of the Arabic script.
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{06D3}' | '\u{06FA}'..='\u{06FF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_unifies_alef_yaa_and_taa_marbuta_and_drops_diacritics() {
        assert_eq!(fold("أمريكا"), fold("امريكا"));
        assert_eq!(fold("مُصْطَفى"), "مصطفي");
        assert_eq!(fold("مدرسة"), "مدرسه");
        assert_eq!(fold("Reuters"), "reuters");
    }

    #[test]
    fn the_article_and_conjunctions_are_stripped_into_the_prefix() {
        let w = word("والرئيس");
        assert_eq!(w.lookup, "رئيس");
        assert_eq!(w.prefix, "وال");
        assert_eq!(word("للأمم").lookup, "امم");
        assert_eq!(word("وسوريا").lookup, "سوريا");
    }

    #[test]
    fn short_words_keep_their_first_letter() {
        assert_eq!(word("بان").lookup, "بان");
        assert_eq!(word("الى").lookup, "الي");
    }

    #[test]
    fn latin_words_are_only_folded() {
        let w = word("Washington");
        assert_eq!(w.lookup, "washington");
        assert!(w.prefix.is_empty());
    }

    #[test]
    fn a_phrase_key_joins_the_lookup_forms() {
        assert_eq!(phrase_key("الولايات المتحدة"), "ولايات متحده");
    }
}
