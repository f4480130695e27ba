//! How much a word's letters look like a name's.
//!
//! Most names of running news text never occur in ANERcorp's training
//! split, and many are in no list either (`ناكامورا`, `دانابالا`). What
//! gives them away is their letters: transliterated names have long-vowel
//! patterns, letter sequences and endings that Arabic common words rarely
//! have. The letter model is two letter-trigram models, one of the 28k
//! Arabic name units of Wikidata person labels and one of the 46k common
//! words of wordfreq that are no name unit (the sources of
//! [`super::words`]); a word's score is the mean log-likelihood ratio of
//! its trigrams (names over common words), banded for the tagger.
//!
//! `akhbar build-words` writes the ratios to `data/entities/ar/letters.tsv`
//! next to the word table: a two-letter line is the ratio of a trigram
//! never seen after that context, a three-letter line the ratio of that
//! trigram, both in hundredths.

use rustc_hash::FxHashMap;
use std::fmt::Write as _;

use super::words::WordTableError;

/// The committed table.
pub const LETTERS_TSV: &str = include_str!("../../data/entities/ar/letters.tsv");

/// Start and end of a word in its trigrams.
const START: char = '^';
const END: char = '$';

/// Additive smoothing of the trigram counts, and the letter-set size it
/// assumes (the Arabic letters with the end mark).
const ALPHA: f64 = 0.1;
const LETTERS: f64 = 40.0;

/// Letter-trigram log-likelihood ratios, names over common words.
#[derive(Debug, Clone, Default)]
pub struct LetterModel {
    /// Trigram (three chars) to its ratio in hundredths.
    trigrams: FxHashMap<[char; 3], i16>,
    /// Context (two chars) to the ratio of an unseen trigram after it.
    unseen: FxHashMap<[char; 2], i16>,
}

/// The trigrams of a word, with its start and end marked.
fn trigrams(word: &str) -> impl Iterator<Item = [char; 3]> + '_ {
    let mut a = START;
    let mut b = START;
    word.chars().chain(std::iter::once(END)).map(move |c| {
        let g = [a, b, c];
        a = b;
        b = c;
        g
    })
}

impl LetterModel {
    /// The committed table.
    pub fn builtin() -> Result<LetterModel, WordTableError> {
        LetterModel::parse(LETTERS_TSV)
    }

    /// Reads `gram<TAB>ratio` lines (two- or three-letter grams, ratios in
    /// hundredths); `#` lines are comments.
    pub fn parse(tsv: &str) -> Result<LetterModel, WordTableError> {
        let mut model = LetterModel::default();
        for (i, line) in tsv.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |reason: &str| WordTableError {
                line: i + 1,
                reason: format!("letters: {reason}"),
            };
            let (gram, ratio) = line.split_once('\t').ok_or_else(|| err("no ratio"))?;
            let ratio: i16 = ratio
                .trim()
                .parse()
                .map_err(|_| err("the ratio is not a number"))?;
            let chars: Vec<char> = gram.chars().collect();
            match chars[..] {
                [a, b] => {
                    model.unseen.insert([a, b], ratio);
                }
                [a, b, c] => {
                    model.trigrams.insert([a, b, c], ratio);
                }
                _ => return Err(err("a gram has two or three letters")),
            }
        }
        Ok(model)
    }

    /// Number of trigrams known.
    pub fn len(&self) -> usize {
        self.trigrams.len()
    }

    /// Whether the model is empty.
    pub fn is_empty(&self) -> bool {
        self.trigrams.is_empty()
    }

    /// The mean trigram ratio of a word (natural log, names over common
    /// words): above 0 it looks like a name. `None` for an empty word.
    pub fn score(&self, word: &str) -> Option<f64> {
        let mut sum = 0i64;
        let mut n = 0i64;
        for g in trigrams(word) {
            let r = match self.trigrams.get(&g) {
                Some(&r) => r,
                None => self.unseen.get(&[g[0], g[1]]).copied().unwrap_or(0),
            };
            sum += i64::from(r);
            n += 1;
        }
        // `n` counts the end mark: one letter at least gives two.
        (n > 1).then(|| sum as f64 / n as f64 / 100.0)
    }

    /// [`LetterModel::score`] as a small class for the feature templates:
    /// half-unit steps from -3 to 3 as 1..=13, 0 for no score (an empty
    /// model gives 0 to every word).
    pub fn band(&self, word: &str) -> u8 {
        if self.is_empty() {
            return 0;
        }
        match self.score(word) {
            Some(s) => ((s * 2.0).round().clamp(-6.0, 6.0) + 7.0) as u8,
            None => 0,
        }
    }
}

/// Counts of one trigram model while building.
#[derive(Default)]
struct Counts {
    trigrams: FxHashMap<[char; 3], f64>,
    contexts: FxHashMap<[char; 2], f64>,
}

impl Counts {
    fn add(&mut self, word: &str) {
        for g in trigrams(word) {
            *self.trigrams.entry(g).or_default() += 1.0;
            *self.contexts.entry([g[0], g[1]]).or_default() += 1.0;
        }
    }

    fn log_p(&self, g: &[char; 3]) -> f64 {
        let n = self.trigrams.get(g).copied().unwrap_or(0.0);
        let ctx = self.contexts.get(&[g[0], g[1]]).copied().unwrap_or(0.0);
        ((n + ALPHA) / (ctx + ALPHA * LETTERS)).ln()
    }

    fn log_p_unseen(&self, ctx: &[char; 2]) -> f64 {
        let c = self.contexts.get(ctx).copied().unwrap_or(0.0);
        (ALPHA / (c + ALPHA * LETTERS)).ln()
    }
}

/// The table's text from two word lists: names and common words (each
/// word once; callers give the forms the tagger looks up). Sorted, so the
/// same lists give the same file.
pub fn build<'a>(
    names: impl IntoIterator<Item = &'a str>,
    common: impl IntoIterator<Item = &'a str>,
) -> String {
    let mut n = Counts::default();
    let mut c = Counts::default();
    names.into_iter().for_each(|w| n.add(w));
    common.into_iter().for_each(|w| c.add(w));
    let hundredths = |x: f64| (x * 100.0).round().clamp(-30000.0, 30000.0) as i16;
    let mut rows: Vec<(String, i16)> = Vec::new();
    let mut grams: Vec<&[char; 3]> = n.trigrams.keys().chain(c.trigrams.keys()).collect();
    grams.sort();
    grams.dedup();
    for g in grams {
        rows.push((g.iter().collect(), hundredths(n.log_p(g) - c.log_p(g))));
    }
    let mut contexts: Vec<&[char; 2]> = n.contexts.keys().chain(c.contexts.keys()).collect();
    contexts.sort();
    contexts.dedup();
    for ctx in contexts {
        rows.push((
            ctx.iter().collect(),
            hundredths(n.log_p_unseen(ctx) - c.log_p_unseen(ctx)),
        ));
    }
    rows.sort();
    let mut out = String::from(
        "# gram\tlog-likelihood ratio ×100, names over common words (a two-letter\n\
         # gram: any unseen trigram after it). Built by `akhbar build-words`.\n",
    );
    for (g, r) in rows {
        let _ = writeln!(out, "{g}\t{r}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> LetterModel {
        let names = ["كوفي", "ناكامورا", "فينغر", "ميسي", "ديابي", "كوناري"];
        let common = ["الذي", "قال", "مدينة", "حكومة", "وزارة", "يكون", "كانت"];
        LetterModel::parse(&build(names, common)).unwrap()
    }

    #[test]
    fn a_name_like_word_scores_above_a_common_one() {
        let m = model();
        let name = m.score("كوماري").unwrap();
        let common = m.score("حكومات").unwrap();
        assert!(name > 0.0 && common < 0.0, "{name} {common}");
        assert!(m.band("كوماري") > m.band("حكومات"));
    }

    #[test]
    fn an_empty_word_or_model_has_no_band() {
        assert_eq!(model().band(""), 0);
        assert_eq!(LetterModel::default().band("كوفي"), 0);
    }

    #[test]
    fn bands_stay_in_range_for_any_text() {
        let m = model();
        for w in ["x", "ءءءءءءءءءءءءءءءءءءء", "كوفيكوفيكوفي", "🙂🙂"]
        {
            assert!((1..=13).contains(&m.band(w)), "{w}");
        }
    }

    #[test]
    fn a_malformed_line_is_an_error_naming_it() {
        let err = LetterModel::parse("# c\nابجد\t12\n").unwrap_err();
        assert_eq!(err.line, 2);
        let err = LetterModel::parse("اب\tx\n").unwrap_err();
        assert!(err.to_string().contains("not a number"), "{err}");
    }

    #[test]
    fn the_committed_table_loads() {
        let m = LetterModel::builtin().unwrap();
        assert!(m.len() > 5_000, "{}", m.len());
        assert!(m.score("ناكامورا").unwrap() > m.score("الحكومة").unwrap());
    }
}
