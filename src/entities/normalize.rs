//! The matching forms of one word, as the tagger and the gazetteers see it.
//!
//! The tagger's features, the gazetteer keys and the rule tables must all be
//! computed by the same function, or a model trained on one normalisation is
//! run on another. This is that function: the text layer's [`fold`] and
//! [`strip_proclitics`] applied to one word, so that a CoNLL token, a
//! gazetteer name and a token of an article all get the same `lookup` form.
//! One addition: the single-letter prepositions of
//! `data/entities/ar/extra_proclitics.tsv`, which the text layer keeps.

use crate::text::strip_proclitics;
pub use crate::text::{fold, has_article, is_arabic_letter};
use compact_str::CompactString;
use std::sync::LazyLock;

/// `(prefix, least characters left)` stripped after the text layer's.
static EXTRA: LazyLock<Vec<(String, usize)>> = LazyLock::new(|| {
    include_str!("../../data/entities/ar/extra_proclitics.tsv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (p, n) = l.split_once('\t')?;
            Some((p.trim().to_string(), n.trim().parse().ok()?))
        })
        .collect()
});

/// The matching forms of one word. Small strings (inline up to 24 bytes):
/// most words cost no allocation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word {
    /// Folded, lower-cased form of the whole word.
    pub folded: CompactString,
    /// `folded` without its proclitics.
    pub lookup: CompactString,
    /// The proclitics removed (folded), empty if none.
    pub prefix: CompactString,
}

/// The matching forms of `word`.
pub fn word(word: &str) -> Word {
    word_of_folded(&fold(word))
}

/// The matching forms of a word already folded (a text token's
/// `folded`): the same as [`word`] on the unfolded
/// word, without folding it again.
pub fn word_of_folded(folded: &str) -> Word {
    let (prefix, _) = strip_proclitics(folded);
    word_of_stripped(folded, prefix.len())
}

/// The matching forms of a folded word whose first `prefix_len` bytes are
/// the proclitics [`strip_proclitics`] finds (a text token's `prefix`):
/// [`word_of_folded`] without stripping again.
pub fn word_of_stripped(folded: &str, prefix_len: usize) -> Word {
    let (prefix, mut stem) = match (folded.get(..prefix_len), folded.get(prefix_len..)) {
        (Some(p), Some(s)) => (p, s),
        _ => ("", folded),
    };
    let mut prefix = CompactString::from(prefix);
    // After a conjunction or nothing (not after the article: `الب...`).
    if prefix.is_empty() || prefix == "و" || prefix == "ف" {
        for (p, min) in EXTRA.iter() {
            if let Some(rest) = stem.strip_prefix(p.as_str()) {
                if rest.chars().count() >= *min && rest.chars().all(is_arabic_letter) {
                    prefix.push_str(p);
                    stem = rest;
                    break;
                }
            }
        }
    }
    Word {
        lookup: CompactString::from(stem),
        prefix,
        folded: CompactString::from(folded),
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
        assert_eq!(w.lookup, fold("رئيس"));
        assert_eq!(w.prefix, "وال");
        assert_eq!(word("للجزيرة").lookup, "جزيره");
        assert_eq!(word("وسوريا").lookup, "سوريا");
        // Keys are only compared with keys: a name keys the same with or
        // without a conjunction on it.
        assert_eq!(word("وكيربي").lookup, word("كيربي").lookup);
    }

    #[test]
    fn short_words_keep_their_first_letter() {
        assert_eq!(word("بان").lookup, "بان");
        assert_eq!(word("بسوريا").lookup, "سوريا");
        assert_eq!(word("الى").lookup, "الي");
    }

    #[test]
    fn a_folded_word_gets_the_forms_of_the_word() {
        for w in ["والرئيس", "بسوريا", "Washington", "،", "2016"] {
            assert_eq!(word_of_folded(&fold(w)), word(w), "{w}");
        }
    }

    #[test]
    fn the_text_layers_tokens_give_the_same_words() {
        let text = "وقال الرئيس والولايات المتحدة بسوريا، Washington 2016 وكيربي للجزيرة";
        for t in crate::text::analyze(text).tokens {
            let form = &text[t.byte_start..t.byte_end];
            assert_eq!(
                word_of_stripped(t.folded(), t.prefix().len()),
                word(form),
                "{form}"
            );
        }
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
