//! Arabic proclitics: the lookup form of a folded token.
//!
//! Arabic writes conjunctions, prepositions and the article onto the word
//! (`والولايات`, `للجزيرة`, `بالدبلوماسية`). Lookups (gazetteers, verb
//! lists) strip them; the table is `data/text/ar_proclitics.tsv`, so the
//! rules are data, not code. The stripping is deliberately conservative and
//! ambiguous by nature (`وزير` is a word, not `و` + `زير`): callers try the
//! token's `folded` form first and its `lookup` form second.

use std::sync::LazyLock;

/// A proclitic: `(prefix, its length in characters, least characters left
/// after it)`.
type Proclitic = (String, usize, usize);

/// The proclitics grouped by their first letter, longest prefix first.
static PROCLITICS: LazyLock<Vec<(char, Vec<Proclitic>)>> = LazyLock::new(|| {
    let mut table: Vec<(String, usize, usize)> = include_str!("../../data/text/ar_proclitics.tsv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (prefix, min) = l.split_once('\t')?;
            let prefix = prefix.trim().to_string();
            let chars = prefix.chars().count();
            Some((prefix, chars, min.trim().parse().ok()?))
        })
        // Only Arabic letters: then the stem is all letters exactly when
        // the whole token is, which `strip_proclitics` checks once.
        .filter(|(p, _, _)| !p.is_empty() && p.chars().all(is_arabic_letter))
        .collect();
    table.sort_by_key(|(_, chars, _)| std::cmp::Reverse(*chars));
    let mut groups: Vec<(char, Vec<Proclitic>)> = Vec::new();
    for entry in table {
        let first = entry.0.chars().next().unwrap_or_default();
        match groups.iter_mut().find(|(c, _)| *c == first) {
            Some((_, group)) => group.push(entry),
            None => groups.push((first, vec![entry])),
        }
    }
    groups
});

/// True for letters of the Arabic block (the script proclitics apply to).
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{06D3}' | '\u{06FA}'..='\u{06FF}')
}

/// Splits a *folded* token into `(proclitics, stem)`; the proclitics are
/// `""` when none apply (non-Arabic tokens, or too little would remain).
pub fn strip_proclitics(folded: &str) -> (&str, &str) {
    // Most tokens start with a letter no proclitic starts with.
    let Some(first) = folded.chars().next() else {
        return ("", folded);
    };
    let Some((_, group)) = PROCLITICS.iter().find(|(c, _)| *c == first) else {
        return ("", folded);
    };
    let mut len = 0;
    for c in folded.chars() {
        if !is_arabic_letter(c) {
            return ("", folded);
        }
        len += 1;
    }
    for (prefix, prefix_chars, min_left) in group {
        if len >= prefix_chars + min_left && folded.starts_with(prefix.as_str()) {
            return folded.split_at(prefix.len());
        }
    }
    ("", folded)
}

/// Whether proclitics (as [`strip_proclitics`] returns them) end in the
/// definite article: `ال`, or `لل` where `ل` + `ال` contract (`للحكومة`).
pub fn has_article(proclitics: &str) -> bool {
    proclitics.ends_with("ال") || proclitics.ends_with("لل")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold;

    #[test]
    fn the_article_is_found_after_other_proclitics_and_in_its_contracted_form() {
        assert!(has_article("ال") && has_article("وال") && has_article("لل"));
        assert!(!has_article("و") && !has_article(""));
    }

    fn stem(word: &str) -> (String, String) {
        let f = fold(word);
        let (p, s) = strip_proclitics(&f);
        (p.to_string(), s.to_string())
    }

    #[test]
    fn strips_the_article_and_conjunction_combinations() {
        assert_eq!(stem("والولايات"), ("وال".into(), "ولايات".into()));
        assert_eq!(stem("بالدبلوماسية"), ("بال".into(), "دبلوماسيه".into()));
        assert_eq!(stem("للجزيرة"), ("لل".into(), "جزيره".into()));
        assert_eq!(stem("وبالنظر"), ("وبال".into(), "نظر".into()));
        assert_eq!(stem("كالعادة"), ("كال".into(), "عاده".into()));
        assert_eq!(stem("وللمرة"), ("ولل".into(), "مره".into()));
    }

    #[test]
    fn strips_a_lone_conjunction_before_a_name() {
        assert_eq!(stem("وكيربي"), ("و".into(), "كيربي".into()));
        assert_eq!(stem("فقال"), ("ف".into(), "قال".into()));
    }

    #[test]
    fn keeps_words_whose_remainder_would_be_too_short() {
        assert_eq!(stem("إلى"), ("".into(), "الي".into()));
        assert_eq!(stem("وفد"), ("".into(), "وفد".into()));
    }

    #[test]
    fn never_strips_a_lone_preposition_from_a_name() {
        assert_eq!(stem("بلغراد").0, "");
        assert_eq!(stem("لافروف").0, "");
        assert_eq!(stem("كيربي").0, "");
    }

    #[test]
    fn latin_tokens_are_left_alone() {
        assert_eq!(stem("Wall"), ("".into(), "wall".into()));
    }
}
