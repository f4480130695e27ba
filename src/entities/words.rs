//! What general usage says about a single word: how frequent it is (as
//! written and without its proclitics), how often it is a person's given
//! name or surname, and which words it resembles (its clusters).
//!
//! ANERcorp's training split is small (125k tokens): most names of the test
//! split never occur in it, and for an unseen word the tagger has only its
//! letters and its neighbours. These signals come from far larger,
//! permissively licensed sources:
//!
//! - word frequencies from `wordfreq` (Speer et al., CC BY-SA 4.0: Wikipedia,
//!   news, subtitles and web text), as Zipf values: a word of Zipf 5 or more
//!   is a function word or a common noun, a transliterated foreign name sits
//!   around 2-3;
//! - the given-name and surname counts of Arabic name units in Wikidata's
//!   person labels (`arabic-name-romanizer`, MIT, data CC0);
//! - word clusters: each word of the wordfreq list encoded alone by the
//!   multilingual Universal Sentence Encoder (Apache-2.0) and clustered
//!   into 1,024 classes nested in 256 and 64 (`scripts/word_clusters.py`),
//!   so an unseen name shares a class with names the training split has.
//!
//! `akhbar build-words` turns the source lists into
//! `data/entities/ar/words.tsv` and, with `--language en` (frequencies and
//! clusters only), `data/entities/en/words.tsv` (see models/NOTICE), keyed by
//! the same folded and clitic-stripped forms as every other table
//! ([`super::normalize::word`]). build.rs packs both into one table from the
//! 64-bit hash of a form to its values ([`super::word_rows`]: 16-byte
//! slots, about 650k forms in 2^20 slots), which the binary carries and
//! the tagger reads in place.

use super::features::hash_str;
use super::letters::LetterModel;
use super::normalize::{is_arabic_letter, word, Word};
use super::word_rows::{self, Entry, MAX_CLUSTER};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::fmt::Write as _;
use thiserror::Error;

/// The committed tables, `data/entities/ar/words.tsv` then
/// `data/entities/en/words.tsv` (lower-case Latin forms: no key is also an
/// Arabic one, so both live in one table), packed by build.rs.
static BUILTIN_FORMS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/words.bin"));

/// Words rarer than this Zipf value (in tenths) are left out of the table:
/// below it the frequency says nothing the absence does not.
pub const MIN_ZIPF_TENTHS: u16 = 20;

/// What the table knows about one word, as small class numbers for the
/// feature templates (0: nothing known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WordClass {
    /// Zipf frequency band of the folded word as written (with clitics).
    pub surface: u8,
    /// Zipf frequency band of the word without its proclitics.
    pub stem: u8,
    /// Name-unit class: kind (given name, surname, both) × count band.
    pub name: u8,
    /// How name-like the clitic-stripped word's letters are
    /// ([`LetterModel::band`]), 0 for a word not in Arabic letters.
    pub letters: u8,
    /// The clitic-stripped word's clusters, fine to coarse (nested, as
    /// Brown-cluster prefixes are), 0 when the word was not clustered.
    pub clusters: [u16; 3],
}

/// The word table: form hash to what is known of the form (a packed
/// table of [`word_rows`]), and the letter model for every word.
#[derive(Debug, Clone)]
pub struct WordTable {
    forms: Cow<'static, [u8]>,
    letters: LetterModel,
}

impl Default for WordTable {
    /// A table that knows no word.
    fn default() -> Self {
        WordTable {
            forms: Cow::Owned(word_rows::pack(&[])),
            letters: LetterModel::default(),
        }
    }
}

/// A malformed line of the word table.
#[derive(Debug, Error)]
#[error("words table line {line}: {reason}")]
pub struct WordTableError {
    pub line: usize,
    pub reason: String,
}

/// The frequency band of a Zipf value in tenths: half-Zipf steps from 1
/// (Zipf 2) up, 0 for unknown.
fn zipf_band(tenths: u8) -> u8 {
    if tenths == 0 {
        0
    } else {
        (tenths / 5).clamp(1, 16)
    }
}

impl WordTable {
    /// The committed tables, Arabic and English.
    pub fn builtin() -> Result<WordTable, WordTableError> {
        if !word_rows::is_table(BUILTIN_FORMS) {
            return Err(WordTableError {
                line: 0,
                reason: "the built-in table is not one that build.rs packs".to_string(),
            });
        }
        Ok(WordTable {
            forms: Cow::Borrowed(BUILTIN_FORMS),
            letters: LetterModel::builtin()?,
        })
    }

    /// The table with a letter model.
    pub fn with_letters(mut self, letters: LetterModel) -> WordTable {
        self.letters = letters;
        self
    }

    /// Reads a table's rows (see [`word_rows`]).
    pub fn parse(tsv: &str) -> Result<WordTable, WordTableError> {
        WordTable::parse_all(&[tsv])
    }

    /// [`WordTable::parse`] of several tables into one (a form of a later
    /// table replaces the same form of an earlier one), packed as build.rs
    /// packs the committed ones.
    pub fn parse_all(tsvs: &[&str]) -> Result<WordTable, WordTableError> {
        let mut rows = Vec::new();
        for tsv in tsvs {
            word_rows::parse_rows(tsv, &mut rows)
                .map_err(|(line, reason)| WordTableError { line, reason })?;
        }
        Ok(WordTable {
            forms: Cow::Owned(word_rows::pack(&rows)),
            letters: LetterModel::default(),
        })
    }

    /// Number of forms in the table.
    pub fn len(&self) -> usize {
        word_rows::len(&self.forms)
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What the table knows of a word: its folded form's frequency, its
    /// clitic-stripped form's frequency and name class, and how name-like
    /// its letters are.
    pub fn class(&self, w: &Word) -> WordClass {
        let surface = word_rows::get(&self.forms, hash_str(&w.folded)).map_or(0, |e| e.surface);
        let Entry {
            stem,
            name,
            clusters,
            ..
        } = word_rows::get(&self.forms, hash_str(&w.lookup)).unwrap_or_default();
        let arabic = !w.lookup.is_empty() && w.lookup.chars().all(is_arabic_letter);
        WordClass {
            surface: zipf_band(surface),
            stem: zipf_band(stem),
            name,
            letters: if arabic {
                self.letters.band(&w.lookup)
            } else {
                0
            },
            clusters,
        }
    }
}

/// Per key, while building: linear frequencies (summed over the source
/// words that fold to the key) and name counts.
#[derive(Default)]
struct Counts {
    surface: f64,
    stem: f64,
    given: u32,
    surname: u32,
    clusters: Option<[u16; 3]>,
}

/// Words at least this frequent (Zipf in tenths) that are no name unit
/// train the letter model's common-word side.
const LETTERS_MIN_ZIPF_TENTHS: u16 = 30;

/// Name units seen at least this often train its name side.
const LETTERS_MIN_NAME_COUNT: u32 = 2;

/// The built tables' texts.
pub struct Built {
    /// `data/entities/ar/words.tsv`.
    pub words: String,
    /// `data/entities/ar/letters.tsv` ([`super::letters`]).
    pub letters: String,
}

/// Builds the tables' texts from a wordfreq dump (`word<TAB>zipf` lines),
/// a name-unit list (`unit<TAB>total<TAB>given<TAB>surname...`, `#`
/// comments) and optionally word clusters (`word<TAB>fine<TAB>middle<TAB>coarse`,
/// `#` comments; `scripts/word_clusters.py`). Only Arabic-script words are
/// kept; frequencies of source words that fold to the same form are added
/// up, and a form takes the clusters of its most frequent source word. The
/// output is sorted, so a rebuild from the same sources gives the same
/// files.
pub fn build(wordfreq: &str, names: &str, clusters: Option<&str>) -> Result<Built, WordTableError> {
    let arabic = |w: &str| !w.is_empty() && w.chars().all(is_arabic_letter);
    build_in(arabic, wordfreq, names, clusters, true)
}

/// The English word table's text (`data/entities/en/words.tsv`): as
/// [`build`], for the lower-case Latin words of an English wordfreq dump,
/// with no name units and no letter model.
pub fn build_english(wordfreq: &str, clusters: Option<&str>) -> Result<String, WordTableError> {
    let latin = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase());
    Ok(build_in(latin, wordfreq, "", clusters, false)?.words)
}

/// [`build`] for the words that `keep` accepts; the letter model only when
/// `letters` (empty otherwise).
fn build_in(
    keep: fn(&str) -> bool,
    wordfreq: &str,
    names: &str,
    clusters: Option<&str>,
    letters: bool,
) -> Result<Built, WordTableError> {
    let mut counts: FxHashMap<String, Counts> = FxHashMap::default();
    // Each source word's Zipf value, to give a form its most frequent
    // word's clusters.
    let mut zipf_of: FxHashMap<&str, f64> = FxHashMap::default();
    for (i, line) in wordfreq.lines().enumerate() {
        let Some((w, z)) = line.split_once('\t') else {
            continue;
        };
        let zipf: f64 = z.trim().parse().map_err(|_| WordTableError {
            line: i + 1,
            reason: format!("wordfreq: {z:?} is not a Zipf value"),
        })?;
        if !keep(w) {
            continue;
        }
        zipf_of.entry(w).or_insert(zipf);
        // Zipf is log10 of the frequency per billion words.
        let f = 10f64.powf(zipf - 9.0);
        let forms = word(w);
        counts.entry(forms.folded.to_string()).or_default().surface += f;
        counts.entry(forms.lookup.to_string()).or_default().stem += f;
    }
    for (i, line) in names.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let num = |j: usize| -> Result<u32, WordTableError> {
            cols.get(j)
                .and_then(|c| c.trim().parse().ok())
                .ok_or_else(|| WordTableError {
                    line: i + 1,
                    reason: format!("names: column {} is not a count", j + 1),
                })
        };
        let unit = cols.first().copied().unwrap_or("");
        if !keep(unit) {
            continue;
        }
        let (given, surname) = (num(2)?, num(3)?);
        let c = counts.entry(word(unit).lookup.to_string()).or_default();
        c.given += given;
        c.surname += surname;
    }
    if let Some(clusters) = clusters {
        let mut best: FxHashMap<String, f64> = FxHashMap::default();
        for (i, line) in clusters.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let err = |reason: String| WordTableError {
                line: i + 1,
                reason: format!("clusters: {reason}"),
            };
            let mut cols = line.split('\t');
            let w = cols.next().unwrap_or("");
            let mut ids = [0u16; 3];
            for ((id, what), max) in ids
                .iter_mut()
                .zip(["fine", "middle", "coarse"])
                .zip(MAX_CLUSTER)
            {
                *id = cols
                    .next()
                    .and_then(|c| c.trim().parse().ok())
                    .filter(|&n: &u16| (1..=max).contains(&n))
                    .ok_or_else(|| err(format!("no {what} cluster (a number from 1 to {max})")))?;
            }
            if !keep(w) {
                continue;
            }
            let key = word(w).lookup.to_string();
            let zipf = zipf_of.get(w).copied().unwrap_or(f64::MIN);
            if best.get(&key).is_some_and(|&b| b >= zipf) {
                continue;
            }
            best.insert(key.clone(), zipf);
            counts.entry(key).or_default().clusters = Some(ids);
        }
    }
    let tenths = |f: f64| -> u16 {
        if f <= 0.0 {
            return 0;
        }
        let t = ((f.log10() + 9.0) * 10.0).round();
        if t < f64::from(MIN_ZIPF_TENTHS) {
            0
        } else {
            t.min(255.0) as u16
        }
    };
    // One output row: the form, its Zipf tenths as written and as a stem.
    let mut rows: Vec<(&String, u16, u16, &Counts)> = counts
        .iter()
        .map(|(k, c)| (k, tenths(c.surface), tenths(c.stem), c))
        .filter(|&(_, s, t, c)| s > 0 || t > 0 || c.given + c.surname > 0 || c.clusters.is_some())
        .collect();
    rows.sort_by(|a, b| a.0.cmp(b.0));
    let name_forms: Vec<&str> = rows
        .iter()
        .filter(|r| r.3.given + r.3.surname >= LETTERS_MIN_NAME_COUNT)
        .map(|r| r.0.as_str())
        .collect();
    let common_forms: Vec<&str> = rows
        .iter()
        .filter(|r| r.2 >= LETTERS_MIN_ZIPF_TENTHS && r.3.given + r.3.surname == 0)
        .map(|r| r.0.as_str())
        .collect();
    let letters = if letters {
        super::letters::build(name_forms, common_forms)
    } else {
        String::new()
    };
    let mut out =
        String::from("# key\tsurface zipf×10\tstem zipf×10\tgiven-name count\tsurname count");
    if clusters.is_some() {
        out.push_str("\tfine cluster\tmiddle cluster\tcoarse cluster");
    }
    out.push_str("\n# Built by `akhbar build-words`; sources and licences in models/NOTICE.\n");
    for (k, s, t, c) in rows {
        let _ = write!(out, "{k}\t{s}\t{t}\t{}\t{}", c.given, c.surname);
        if clusters.is_some() {
            let [f, m, c] = c.clusters.unwrap_or_default();
            let _ = write!(out, "\t{f}\t{m}\t{c}");
        }
        out.push('\n');
    }
    Ok(Built {
        words: out,
        letters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FREQ: &str =
        "في\t7.54\nالرئيس\t5.10\nرئيس\t4.90\nوالرئيس\t3.50\nهورست\t2.90\nnews\t5.0\n";
    const NAMES: &str = "# unit\ttotal\tgiven\tsurname\nمحمد\t100\t95\t5\nبركات\t76\t12\t62\n";

    #[test]
    fn frequencies_of_forms_that_fold_together_add_up() {
        let table = WordTable::parse(&build(FREQ, NAMES, None).unwrap().words).unwrap();
        let c = table.class(&word("والرئيس"));
        // The stem رئيس gathers رئيس, الرئيس and والرئيس.
        assert!(c.stem > zipf_band(49), "{c:?}");
        assert_eq!(c.surface, zipf_band(35));
    }

    #[test]
    fn name_units_are_classed_by_kind() {
        let table = WordTable::parse(&build(FREQ, NAMES, None).unwrap().words).unwrap();
        let given = table.class(&word("ومحمد")).name;
        let surname = table.class(&word("بركات")).name;
        assert_eq!(given / 8, 1);
        assert_eq!(surname / 8, 2);
        assert_eq!(table.class(&word("هورست")).name, 0);
    }

    #[test]
    fn latin_words_and_unknown_words_get_nothing() {
        let table = WordTable::parse(&build(FREQ, NAMES, None).unwrap().words).unwrap();
        assert_eq!(table.class(&word("news")), WordClass::default());
        assert_eq!(table.class(&word("كلمةمجهولة")), WordClass::default());
    }

    /// `word<TAB>fine<TAB>middle<TAB>coarse`, as scripts/word_clusters.py
    /// writes them.
    const CLUSTERS: &str = "# word\tfine\tmiddle\tcoarse\n\
        والرئيس\t9\t3\t1\nالرئيس\t5\t2\t1\nرئيس\t6\t2\t1\nكيربي\t40\t12\t4\nnews\t1\t1\t1\n";

    #[test]
    fn a_form_takes_the_clusters_of_its_most_frequent_source_word() {
        let table = WordTable::parse(&build(FREQ, NAMES, Some(CLUSTERS)).unwrap().words).unwrap();
        // رئيس, الرئيس and والرئيس all strip to رئيس; الرئيس is the most
        // frequent of them, though listed after والرئيس.
        assert_eq!(table.class(&word("للرئيس")).clusters, [5, 2, 1]);
    }

    #[test]
    fn a_clustered_word_below_the_frequency_floor_still_gets_its_clusters() {
        let table = WordTable::parse(&build(FREQ, NAMES, Some(CLUSTERS)).unwrap().words).unwrap();
        let c = table.class(&word("وكيربي"));
        assert_eq!(c.clusters, [40, 12, 4]);
        assert_eq!((c.surface, c.stem, c.name), (0, 0, 0));
        assert_eq!(table.class(&word("news")).clusters, [0; 3]);
    }

    #[test]
    fn a_table_without_cluster_columns_has_no_clusters() {
        let text = build(FREQ, NAMES, None).unwrap().words;
        assert!(!text.contains("cluster"));
        let table = WordTable::parse(&text).unwrap();
        assert_eq!(table.class(&word("الرئيس")).clusters, [0; 3]);
    }

    #[test]
    fn a_cluster_line_without_its_three_classes_is_an_error() {
        let err = build(FREQ, NAMES, Some("رئيس\t5\t2\n")).err().unwrap();
        assert_eq!(err.line, 1);
        assert!(err.to_string().contains("coarse"), "{err}");
        let err = WordTable::parse("في\t75\t75\t0\t0\t3\t2\n").unwrap_err();
        assert!(err.to_string().contains("coarse"), "{err}");
    }

    #[test]
    fn the_english_table_keeps_lower_case_latin_words_with_their_clusters() {
        let freq = "the\t7.73\nlondon\t5.10\nلندن\t4.0\nU.S.\t5.0\n";
        let clusters = "# word\tfine\tmiddle\tcoarse\nlondon\t12\t5\t2\nparis\t12\t5\t2\n";
        let text = build_english(freq, Some(clusters)).unwrap();
        assert!(!text.contains("لندن") && !text.contains("u.s."), "{text}");
        let table = WordTable::parse(&text).unwrap();
        // Matched as the text layer folds a token: lower case.
        let london = table.class(&word("London"));
        assert_eq!(london.clusters, [12, 5, 2]);
        assert_eq!(london.stem, zipf_band(51));
        assert_eq!(table.class(&word("Paris")).clusters, [12, 5, 2]);
        assert_eq!(table.class(&word("Paris")).stem, 0);
    }

    #[test]
    fn a_cluster_number_too_large_to_pack_is_an_error() {
        let err = WordTable::parse("في\t75\t75\t0\t0\t4096\t2\t1\n").unwrap_err();
        assert!(err.to_string().contains("fine cluster"), "{err}");
        let err = WordTable::parse("في\t75\t75\t0\t0\t5\t1024\t1\n").unwrap_err();
        assert!(err.to_string().contains("middle cluster"), "{err}");
        let table = WordTable::parse("في\t75\t75\t0\t0\t4095\t1023\t1023\n").unwrap();
        assert_eq!(table.class(&word("في")).clusters, [4095, 1023, 1023]);
    }

    #[test]
    fn a_malformed_line_is_an_error_naming_it() {
        let err = WordTable::parse("# c\nفي\t75\t75\tx\t0\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.to_string().contains("given"), "{err}");
    }

    #[test]
    fn the_built_in_table_is_the_committed_files_packed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/entities");
        let read = |lang: &str| std::fs::read_to_string(dir.join(lang).join("words.tsv")).unwrap();
        let parsed = WordTable::parse_all(&[&read("ar"), &read("en")]).unwrap();
        assert!(
            parsed.forms[..] == *BUILTIN_FORMS,
            "build.rs packs what parse_all does"
        );
    }

    #[test]
    fn the_committed_table_loads() {
        let table = WordTable::builtin().unwrap();
        assert!(table.len() > 100_000, "{}", table.len());
        assert!(table.class(&word("في")).surface >= 14);
        assert!(table.class(&word("بغداد")).clusters.iter().all(|&c| c > 0));
        assert!(table.class(&word("London")).clusters.iter().all(|&c| c > 0));
    }
}
