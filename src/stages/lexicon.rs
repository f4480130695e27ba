//! Word lists and phrase lexicons shared by the insight stages (`keywords`,
//! `themes`, `tone`, `summary`, `dedup`).
//!
//! Every entry is keyed like a token: [`term_key`] gives the matching form
//! of a word (folded, Arabic proclitics stripped: the token's `lookup`), so
//! `والولايات`, `الولايات` and `للولايات` meet, and a table needs one line per
//! word, not per prefix. Tables live in `data/insight/` as UTF-8 text: `#`
//! starts a comment line, fields are tab-separated.

use crate::text::{tokenize, Token};
use rustc_hash::{FxHashMap, FxHashSet};

/// The matching key of a token: its lookup form (folded, proclitics
/// stripped), which is also what the document-frequency table counts.
pub fn term_key(token: &Token) -> &str {
    token.lookup()
}

/// The keys of the words of `phrase`, as [`term_key`] gives them.
pub fn phrase_keys(phrase: &str) -> Vec<String> {
    tokenize(phrase)
        .into_iter()
        .filter(|t| t.is_word)
        .map(|t| t.lookup().to_string())
        .collect()
}

/// The non-empty, non-comment lines of a table, split on tabs and trimmed.
pub fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::trim).collect())
}

/// A set of single words (stop words, negators), keyed by [`term_key`].
#[derive(Debug, Default, Clone)]
pub struct WordSet(FxHashSet<String>);

impl WordSet {
    /// Loads one word per line (further fields are ignored).
    pub fn parse(text: &str) -> WordSet {
        WordSet(
            rows(text)
                .filter_map(|r| phrase_keys(r[0]).into_iter().next())
                .collect(),
        )
    }

    /// Adds the words of another list.
    pub fn extend(&mut self, other: &WordSet) {
        self.0.extend(other.0.iter().cloned());
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.0.contains(key)
    }

    /// True when the token is in the set, by its lookup or its folded form.
    pub fn contains(&self, token: &Token) -> bool {
        self.0.contains(token.lookup()) || self.0.contains(token.folded())
    }
}

/// Phrases of one or more words mapped to values, matched over tokens by
/// their keys (longest phrase first at each position).
#[derive(Debug, Clone)]
pub struct PhraseLexicon<V> {
    /// First key to the phrases starting with it, longest first.
    by_first: FxHashMap<String, Vec<(Vec<String>, V)>>,
}

impl<V> Default for PhraseLexicon<V> {
    fn default() -> Self {
        PhraseLexicon {
            by_first: FxHashMap::default(),
        }
    }
}

impl<V> PhraseLexicon<V> {
    /// Adds `phrase` (written naturally; it is tokenised and keyed here).
    /// An empty phrase is ignored.
    pub fn insert(&mut self, phrase: &str, value: V) {
        let keys = phrase_keys(phrase);
        let Some(first) = keys.first().cloned() else {
            return;
        };
        let list = self.by_first.entry(first).or_default();
        list.push((keys, value));
        list.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    }

    pub fn len(&self) -> usize {
        self.by_first.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.by_first.is_empty()
    }

    /// The longest phrase starting at `words[i]`: its length in words and
    /// value. `words` are the word tokens of one sentence.
    pub fn longest_at(&self, words: &[&Token], i: usize) -> Option<(usize, &V)> {
        let candidates = self.by_first.get(term_key(words[i]))?;
        candidates
            .iter()
            .find(|(keys, _)| {
                keys.len() <= words.len() - i
                    && keys.iter().zip(&words[i..]).all(|(k, t)| k == term_key(t))
            })
            .map(|(keys, v)| (keys.len(), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Token> {
        tokenize(text).into_iter().filter(|t| t.is_word).collect()
    }

    #[test]
    fn a_word_set_matches_words_whatever_their_proclitics() {
        let set = WordSet::parse("# comment\nالذي\nthe\n");
        let ws = words("والذي The");
        assert!(set.contains(&ws[0]));
        assert!(set.contains(&ws[1]));
        assert!(!set.contains(&words("حلب")[0]));
    }

    #[test]
    fn a_phrase_lexicon_prefers_the_longest_phrase() {
        let mut lex = PhraseLexicon::default();
        lex.insert("وقف", 1);
        lex.insert("وقف إطلاق النار", 3);
        let ws = words("بشأن وقف لإطلاق النار");
        let refs: Vec<&Token> = ws.iter().collect();
        assert_eq!(lex.longest_at(&refs, 1), Some((1, &1)));
        let ws = words("بشأن وقف إطلاق النار");
        let refs: Vec<&Token> = ws.iter().collect();
        assert_eq!(lex.longest_at(&refs, 1), Some((3, &3)));
        assert_eq!(lex.longest_at(&refs, 0), None);
    }
}
