//! Prediction history (Ratinov and Roth 2009, "Design challenges and
//! misconceptions in named entity recognition"): what the tagger said of a
//! word earlier in the same document becomes a feature of its next
//! occurrence. A name tagged once in a clear context (`الرئيس بشار الأسد`)
//! is then easier to find where the context says nothing (`وقال الأسد`).
//!
//! Causal: only earlier sentences count, so tagging stays one pass. Keyed
//! on the clitic-stripped form, so `والأسد` remembers `الأسد`. Training
//! fills the slots from the model's own predictions, as tagging does, so
//! the weights learn how far the history can be trusted.

use super::features::{template_id, TokenView, HISTORY_SLOTS, NO_FEATURE, NUM_FEATURES};
use rustc_hash::FxHashMap;

/// Sentences per document where a file marks no articles (ANERcorp's
/// CoNLL files): training with `--history`, `tag` and `eval-ner`. Chosen by
/// cross-validation on the training file (40 and 100 alike, 15 a little
/// lower).
pub const DOCUMENT_SENTENCES: usize = 40;

/// The key a token's history is kept under: its clitic-stripped form.
pub fn key(view: &TokenView) -> u64 {
    view.keys.lookup_hash()
}

/// Entity types the history counts, `O` first.
const TYPES: usize = 5;

/// The history's type index of a BIO tag: 0 `O`, then PER, LOC, ORG, MISC.
fn type_index(tag: &str) -> usize {
    match tag.split_once('-').map(|(_, t)| t) {
        Some("PERS" | "PER") => 1,
        Some("LOC") => 2,
        Some("ORG") => 3,
        Some(_) => 4,
        None => 0,
    }
}

/// Template numbers of the history slots, distinct from the sentence
/// templates' (small integers and `0x454e_....`).
const TEMPLATE: u64 = 0x4849_5354_0000;

/// What the tagger said of each word so far in one document.
#[derive(Debug, Default, Clone)]
pub struct History {
    /// Per clitic-stripped form: how often each type was given, and the
    /// last tag's type and position (`B` or `I`) as one code.
    seen: FxHashMap<u64, ([u16; TYPES], u8)>,
}

impl History {
    /// A new, empty history (the start of a document).
    pub fn new() -> History {
        History::default()
    }

    /// Forgets everything (a new document).
    pub fn clear(&mut self) {
        self.seen.clear();
    }

    /// Before sentence `n` (counted from 0) of a text read as documents of
    /// `per_document` sentences: forgets at each document's start (0 or 1:
    /// every sentence alone).
    pub fn at_sentence(&mut self, n: usize, per_document: usize) {
        if n % per_document.max(1) == 0 {
            self.clear();
        }
    }

    /// Writes the history features of a sentence's tokens (their
    /// [`key`]s) into their slots of `features` ([`NUM_FEATURES`] per
    /// token), empty where the word was not seen before.
    pub fn fill(&self, keys: impl IntoIterator<Item = u64>, buckets: usize, features: &mut [u32]) {
        for (key, feats) in keys
            .into_iter()
            .zip(features.chunks_exact_mut(NUM_FEATURES))
        {
            feats[HISTORY_SLOTS[0]] = NO_FEATURE;
            feats[HISTORY_SLOTS[1]] = NO_FEATURE;
            let Some((counts, last)) = self.seen.get(&key) else {
                continue;
            };
            // The most frequent type (the first on ties, so `O` wins a tie
            // with a name), and whether every earlier occurrence agreed.
            let mut best = 0;
            for t in 1..TYPES {
                if counts[t] > counts[best] {
                    best = t;
                }
            }
            let total: u16 = counts.iter().sum();
            let unanimous = u64::from(counts[best] == total);
            let named = u64::from(counts[1..].iter().any(|&c| c > 0));
            feats[HISTORY_SLOTS[0]] = template_id(TEMPLATE, &[best as u64, unanimous], buckets);
            feats[HISTORY_SLOTS[1]] =
                template_id(TEMPLATE + 1, &[u64::from(*last), named], buckets);
        }
    }

    /// Records the BIO tags given to a sentence's tokens (their [`key`]s).
    pub fn record<'t>(
        &mut self,
        keys: impl IntoIterator<Item = u64>,
        tags: impl IntoIterator<Item = &'t str>,
    ) {
        for (key, tag) in keys.into_iter().zip(tags) {
            let t = type_index(tag);
            let begins = u8::from(tag.starts_with('B'));
            let entry = self.seen.entry(key).or_insert(([0; TYPES], 0));
            entry.0[t] = entry.0[t].saturating_add(1);
            entry.1 = (t as u8) << 1 | begins;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(memory: &History, keys: &[u64]) -> Vec<[u32; 2]> {
        let mut feats = vec![0u32; keys.len() * NUM_FEATURES];
        memory.fill(keys.iter().copied(), 1 << 12, &mut feats);
        feats
            .chunks_exact(NUM_FEATURES)
            .map(|f| [f[HISTORY_SLOTS[0]], f[HISTORY_SLOTS[1]]])
            .collect()
    }

    #[test]
    fn a_word_not_seen_before_in_the_document_has_no_history_features() {
        let memory = History::new();
        assert_eq!(slots(&memory, &[1, 2]), vec![[NO_FEATURE; 2]; 2]);
    }

    #[test]
    fn a_word_tagged_earlier_carries_its_tag_to_the_next_occurrence() {
        let mut memory = History::new();
        memory.record([7, 8], ["B-PERS", "O"]);
        let after = slots(&memory, &[7, 8, 9]);
        assert_ne!(after[0], [NO_FEATURE; 2]);
        assert_ne!(after[0], after[1], "a name and a plain word differ");
        assert_eq!(after[2], [NO_FEATURE; 2]);
    }

    #[test]
    fn clearing_starts_a_new_document() {
        let mut memory = History::new();
        memory.record([7], ["B-LOC"]);
        memory.clear();
        assert_eq!(slots(&memory, &[7]), vec![[NO_FEATURE; 2]]);
    }
}
