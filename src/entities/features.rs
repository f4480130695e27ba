//! Feature extraction for the sequence tagger.
//!
//! The templates follow the classical Arabic NER feature sets (Benajiba and
//! Rosso's ANERsys, the CRF systems after it): the word, its folded and
//! clitic-stripped forms and the stripped proclitics, character prefixes and
//! suffixes of one to four letters, a window of two words either side with
//! their proclitics and suffixes, word bigrams, the word's shape, and
//! membership in the gazetteers and trigger tables ([`Marks`]) of the token
//! and its neighbours (titles before a person, `وزارة` before an
//! organisation). The previous tag enters through the model's transition
//! weights (Viterbi decoding).
//!
//! Every token has the same [`NUM_FEATURES`] slots: the templates', then
//! [`HISTORY_SLOTS`], which [`super::history`] fills as a document is
//! tagged. Each feature is a
//! 64-bit hash of its template number and values (strings are hashed once
//! per token, templates combine those hashes: no string is built), reduced
//! modulo the bucket count, so the model file has a fixed size whatever the
//! vocabulary. The hash functions are fixed and platform-independent: a
//! change to them, or to the templates, needs a retrained model (and a new
//! [`FEATURES_VERSION`]).

pub use super::fnv::hash_str;
use super::fnv::{fnv, FNV_OFFSET};
use super::normalize::{has_article, is_arabic_letter, Word};
use super::words::WordClass;

/// Version of the templates and hashing, written into model files so that a
/// model trained on other features is refused rather than silently wrong.
pub const FEATURES_VERSION: u32 = 7;

/// The template set a model was trained with (recorded in its file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FeatureSet {
    /// The Arabic templates ([`sentence_features`]).
    #[default]
    Arabic,
    /// English: the Arabic templates that mean nothing in English
    /// (proclitics, the article, folded forms equal to the lookup forms)
    /// replaced by case and word-shape templates ([`english_features`]).
    English,
}

/// Gazetteer and table knowledge about one token, computed per sentence by
/// [`super::lexicon::Lexicon::marks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Marks {
    /// Inside a gazetteer name: `b'L'` location, `b'O'` organisation,
    /// `b'P'` person, 0 none; `gaz_begin` when the name starts here.
    pub gaz: u8,
    pub gaz_begin: bool,
    /// The token is a person title or role word (`الرئيس`, `minister`).
    pub person_title: bool,
    /// The token is an organisation head word (`وزارة`, `حركة`).
    pub org_head: bool,
    /// The token is a place head word (`مدينة`, `محافظة`).
    pub place_head: bool,
    /// Inside a known name of a list ([`super::lexicon::NameList::mark`]),
    /// 0 none; `list_begin` when the name starts here. Kept out of
    /// [`Marks::code`]: its own templates combine it.
    pub list: u8,
    pub list_begin: bool,
}

impl Marks {
    /// The known-name mark in one small number (0 when none).
    pub fn list_code(&self) -> u64 {
        u64::from(self.list) << 1 | u64::from(self.list_begin)
    }

    /// All marks in one small number (0 when none).
    pub fn code(&self) -> u64 {
        let gaz = match self.gaz {
            b'L' => 1,
            b'O' => 2,
            b'P' => 3,
            0 => 0,
            _ => 4,
        };
        gaz | u64::from(self.gaz_begin) << 3
            | u64::from(self.person_title) << 4
            | u64::from(self.org_head) << 5
            | u64::from(self.place_head) << 6
    }
}

/// The hashed string values of one token that the templates combine,
/// computed once per token by [`Keys::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Keys {
    form: u64,
    folded: u64,
    lookup: u64,
    prefix: u64,
    /// First 1..=4 letters of the lookup form.
    pre: [u64; 4],
    /// Last 1..=4 letters of the lookup form.
    suf: [u64; 4],
    shape: u64,
    len: u64,
    marks: u64,
    /// The word carries the article (`ال`, `لل`).
    article: u64,
    /// The word's short shape ([`word_shape`]), 0 unless it starts with an
    /// ASCII character.
    wshape: u64,
    /// Frequency band of the word as written in general usage
    /// ([`WordClass`]), 0 when unknown.
    sfreq: u64,
    /// Frequency band of the clitic-stripped word.
    lfreq: u64,
    /// Given-name / surname class of the clitic-stripped word.
    name: u64,
    /// The known-name mark ([`Marks::list_code`]).
    list: u64,
    /// Name-likeness band of the clitic-stripped word's letters.
    letters: u64,
    /// The clitic-stripped word's fine, middle and coarse clusters
    /// ([`WordClass::clusters`]).
    clusters: [u64; 3],
}

impl Keys {
    /// The hash of the clitic-stripped form (what the prediction history
    /// is keyed on).
    pub fn lookup_hash(&self) -> u64 {
        self.lookup
    }

    /// Whether the word table knows the clitic-stripped word as a given
    /// name or surname ([`WordClass::name`] not 0).
    pub fn is_name_unit(&self) -> bool {
        self.name != 0
    }
}

/// The hashed values of the positions before the sentence and after it.
const BEFORE: u64 = 0x5354_4152_5453_5453; // any fixed, distinct constants
const AFTER: u64 = 0x454e_4445_4e44_454e;

impl Keys {
    /// The keys of a token: its text as written (`form`), its matching forms,
    /// its marks and what general usage says of it.
    pub fn new(form: &str, word: &Word, marks: &Marks, class: WordClass) -> Keys {
        let lookup = word.lookup.as_bytes();
        // One pass over the lookup form gives its hash, the hashes of its
        // first 1..=4 letters (the running state at each letter boundary)
        // and its letter count; the folded form is the prefix then the
        // lookup form, so its hash continues the prefix's.
        let is_start = |b: u8| b & 0xC0 != 0x80;
        let mut pre = [0; 4];
        let mut h = FNV_OFFSET;
        let mut count = 0usize;
        for &b in lookup {
            if is_start(b) {
                if (1..=4).contains(&count) {
                    pre[count - 1] = h;
                }
                count += 1;
            }
            h = fnv(h, b);
        }
        let lookup_h = h;
        // Words of four letters or fewer: the longer prefixes are the word.
        for p in pre.iter_mut().skip(count.saturating_sub(1)) {
            *p = lookup_h;
        }
        // Suffixes: the bytes hashed from the end backwards, the running
        // state taken at each letter boundary.
        let mut suf = [lookup_h; 4];
        let mut h = FNV_OFFSET;
        let mut n = 0;
        for &b in lookup.iter().rev() {
            h = fnv(h, b);
            if is_start(b) {
                if n < 4 {
                    suf[n] = h;
                }
                n += 1;
                if n == 4 {
                    break;
                }
            }
        }
        if count <= 4 {
            // Shorter words: every longer suffix is the whole word.
            for x in suf.iter_mut().skip(count.saturating_sub(1)) {
                *x = lookup_h;
            }
        }
        let prefix_h = hash_str(&word.prefix);
        let folded_h = lookup.iter().fold(prefix_h, |h, &b| fnv(h, b));
        let article = has_article(&word.prefix);
        Keys {
            form: hash_str(form),
            folded: folded_h,
            lookup: lookup_h,
            prefix: prefix_h,
            pre,
            suf,
            shape: shape(form) as u64,
            len: count.min(8) as u64,
            marks: marks.code(),
            article: u64::from(article),
            wshape: word_shape(form),
            sfreq: u64::from(class.surface),
            lfreq: u64::from(class.stem),
            name: u64::from(class.name),
            list: marks.list_code(),
            letters: u64::from(class.letters),
            clusters: class.clusters.map(u64::from),
        }
    }

    /// The keys of the positions outside the sentence.
    fn boundary(value: u64) -> Keys {
        Keys {
            form: value,
            folded: value,
            lookup: value,
            prefix: value,
            pre: [value; 4],
            suf: [value; 4],
            shape: value,
            len: value,
            marks: value,
            article: value,
            wshape: value,
            sfreq: value,
            lfreq: value,
            name: value,
            list: value,
            letters: value,
            clusters: [value; 3],
        }
    }
}

/// One token as the tagger sees it.
#[derive(Debug, Clone, Default)]
pub struct TokenView {
    pub word: Word,
    pub marks: Marks,
    pub keys: Keys,
}

/// Combines a hash with one more value.
#[inline]
fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// The final avalanche (SplitMix64's), so that the low bits used as bucket
/// numbers depend on every input bit.
#[inline]
fn finish(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The shape class of a word form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Arabic = 1,
    /// Latin letters, capitalised.
    Capitalized,
    Latin,
    Digits,
    Punctuation,
    Empty,
    Mixed,
}

/// The shape class of a word form.
pub fn shape(form: &str) -> Shape {
    let mut arabic = false;
    let mut latin = false;
    let mut digit = false;
    let mut other = false;
    let mut upper_first = false;
    for (i, c) in form.chars().enumerate() {
        if is_arabic_letter(c) {
            arabic = true;
        } else if c.is_ascii_digit() || ('٠'..='٩').contains(&c) {
            digit = true;
        } else if c.is_alphabetic() {
            latin = true;
            if i == 0 && c.is_uppercase() {
                upper_first = true;
            }
        } else if !('\u{064B}'..='\u{0670}').contains(&c) && c != '\u{0640}' {
            other = true;
        }
    }
    match (arabic, latin, digit, other) {
        (true, false, false, false) => Shape::Arabic,
        (false, true, false, false) if upper_first => Shape::Capitalized,
        (false, true, false, false) => Shape::Latin,
        (false, false, true, false) => Shape::Digits,
        (false, false, false, true) => Shape::Punctuation,
        (false, false, false, false) => Shape::Empty,
        _ => Shape::Mixed,
    }
}

/// The short shape of a word that starts with an ASCII character, hashed:
/// upper-case letters `X`, lower-case `x`, digits `d`, other characters as
/// they are, runs of one class written once (`Washington` `Xx`, `U.S` `X.X`,
/// `NASA` `X`, `Yiu-chung` `Xx-x`, `McCain` `XxXx`), at most eight
/// classes. 0 for other words (Arabic words cost one comparison).
pub fn word_shape(form: &str) -> u64 {
    if !form.as_bytes().first().is_some_and(u8::is_ascii) {
        return 0;
    }
    let mut h = FNV_OFFSET;
    let mut last = None;
    let mut n = 0;
    for c in form.chars() {
        let class = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_ascii_digit() {
            'd'
        } else {
            c
        };
        if last == Some(class) {
            continue;
        }
        last = Some(class);
        n += 1;
        if n > 8 {
            break;
        }
        let mut buf = [0u8; 4];
        h = class.encode_utf8(&mut buf).bytes().fold(h, fnv);
    }
    h
}

/// Features per token: the templates' slots, then [`HISTORY_SLOTS`].
pub const NUM_FEATURES: usize = 73;

/// Slots (within a token's features) that the templates leave empty and
/// [`super::history::History`] fills as a document is tagged.
pub const HISTORY_SLOTS: [usize; 2] = [71, 72];

/// Positions (within a token's features) of the word-identity templates
/// (`w`, `f`, `l`, `p|l`): hidden by word dropout in training.
pub const IDENTITY_FEATURES: [usize; 4] = [1, 2, 3, 4];

/// A feature id that [`super::model::Model`] skips (a hidden feature).
pub const NO_FEATURE: u32 = u32::MAX;

/// The features of a template set: [`sentence_features`] or
/// [`english_features`].
pub fn features_of(set: FeatureSet, tokens: &[TokenView], buckets: usize, out: &mut Vec<u32>) {
    match set {
        FeatureSet::Arabic => sentence_features(tokens, buckets, out),
        FeatureSet::English => english_features(tokens, buckets, out),
    }
}

/// A feature id from a template's hash: a power of two (what training
/// writes) takes the top bits of the hash (its last step is a
/// multiplication, which mixes into the top bits), not a division.
#[inline]
fn bucket_of(h: u64, buckets: u64, shift: Option<u32>) -> u32 {
    match shift {
        Some(shift) => (h >> shift) as u32,
        None => (finish(h) % buckets) as u32,
    }
}

/// The feature id of a template outside the sentence templates (numbered
/// `template`, combining `values`), hashed and bucketed as theirs are.
pub fn template_id(template: u64, values: &[u64], buckets: usize) -> u32 {
    let buckets = buckets.max(1) as u64;
    bucket_of(
        template_hash(template, values),
        buckets,
        bucket_shift(buckets),
    )
}

/// The hash of template number `template` with its values.
#[inline]
fn template_hash(template: u64, values: &[u64]) -> u64 {
    values
        .iter()
        .fold(mix(0x9e37_79b9_7f4a_7c15, template), |h, &v| mix(h, v))
}

/// [`bucket_of`]'s shift for a power-of-two bucket count.
fn bucket_shift(buckets: u64) -> Option<u32> {
    (buckets.is_power_of_two() && buckets > 1).then(|| 64 - buckets.trailing_zeros())
}

/// The positions a token's templates look at: two tokens either side
/// (boundary keys past the sentence's ends) and the token's index.
#[derive(Clone, Copy)]
struct Window<'k> {
    p2: &'k Keys,
    p1: &'k Keys,
    k: &'k Keys,
    n1: &'k Keys,
    n2: &'k Keys,
    i: usize,
}

/// Fills `out` with [`NUM_FEATURES`] feature ids per token: `templates`
/// calls `add` once per template with the values it combines, and
/// `numbering` gives each template's number in its hash.
fn each_token(
    tokens: &[TokenView],
    buckets: usize,
    out: &mut Vec<u32>,
    numbering: impl Fn(usize) -> u64,
    mut templates: impl FnMut(Window, &mut dyn FnMut(&[u64])),
) {
    out.clear();
    out.reserve(tokens.len() * NUM_FEATURES);
    let before = Keys::boundary(BEFORE);
    let after = Keys::boundary(AFTER);
    let at = |i: isize| -> &Keys {
        if i < 0 {
            &before
        } else {
            tokens.get(i as usize).map_or(&after, |t| &t.keys)
        }
    };
    let buckets = buckets.max(1) as u64;
    let shift = bucket_shift(buckets);
    // Slots a template set leaves unused stay `NO_FEATURE` (skipped).
    let mut ids = [NO_FEATURE; NUM_FEATURES];
    for i in 0..tokens.len() {
        let j = i as isize;
        let window = Window {
            p2: at(j - 2),
            p1: at(j - 1),
            k: at(j),
            n1: at(j + 1),
            n2: at(j + 2),
            i,
        };
        let mut template = 0usize;
        templates(window, &mut |values: &[u64]| {
            if let Some(id) = ids.get_mut(template) {
                *id = bucket_of(template_hash(numbering(template), values), buckets, shift);
            }
            template += 1;
        });
        debug_assert!(template <= HISTORY_SLOTS[0]);
        out.extend_from_slice(&ids);
    }
}

/// The English templates, [`NUM_FEATURES`] slots per token like the Arabic
/// ones (some left unused):
/// the word as written, lower-cased and with its short shape, at the start
/// of the sentence or not; affixes, shape and length; a ±2 window of
/// lower-cased words, the neighbours as written and their short shapes;
/// word bigrams, the previous and next word with this word's shape; the
/// gazetteer and title marks as in Arabic; the word table's frequency bands
/// and clusters as in Arabic, and each with the word's short shape.
pub fn english_features(tokens: &[TokenView], buckets: usize, out: &mut Vec<u32>) {
    // Template numbers distinct from the Arabic ones.
    each_token(
        tokens,
        buckets,
        out,
        |t| 0x454e_0000 + t as u64,
        |w, add| {
            let Window {
                p2,
                p1,
                k,
                n1,
                n2,
                i,
            } = w;
            let first = u64::from(i == 0);
            add(&[]);
            // Identity (see IDENTITY_FEATURES).
            add(&[k.form]);
            add(&[k.lookup]);
            add(&[k.lookup, k.wshape]);
            add(&[k.form, first]);
            add(&[k.wshape]);
            for n in 0..4 {
                add(&[k.pre[n]]);
                add(&[k.suf[n]]);
            }
            add(&[k.shape]);
            add(&[k.len]);
            add(&[first, k.wshape]);
            // Window.
            for c in [p2, p1, n1, n2] {
                add(&[c.lookup]);
            }
            add(&[p1.form]);
            add(&[n1.form]);
            add(&[p1.wshape]);
            add(&[n1.wshape]);
            add(&[p1.wshape, k.wshape]);
            add(&[k.wshape, n1.wshape]);
            add(&[p1.suf[1]]);
            add(&[n1.suf[1]]);
            add(&[p1.lookup, k.lookup]);
            add(&[k.lookup, n1.lookup]);
            add(&[p2.lookup, p1.lookup]);
            add(&[n1.lookup, n2.lookup]);
            add(&[p1.shape, k.shape, n1.shape]);
            add(&[p1.lookup, k.wshape]);
            add(&[k.wshape, n1.lookup]);
            // Gazetteers and triggers.
            add(&[k.marks]);
            add(&[p1.marks]);
            add(&[n1.marks]);
            add(&[p2.marks]);
            add(&[n2.marks]);
            add(&[p1.marks, k.marks]);
            add(&[k.marks, n1.marks]);
            add(&[k.marks, k.lookup]);
            add(&[p1.marks, k.lookup]);
            // General usage and word clusters (see super::words), and
            // with the word's case: a capitalised word that is frequent in
            // lower case, or of a cluster of names.
            word_class_templates(w, add);
            cluster_templates(w, add);
            add(&[k.lfreq, k.wshape]);
            add(&[k.clusters[1], k.wshape]);
        },
    );
}

/// The templates of the word table's classes, shared by both sets: the
/// token's frequency bands and name class (the English table has no name
/// units), alone and with its neighbours'.
fn word_class_templates(w: Window, add: &mut dyn FnMut(&[u64])) {
    let Window { p1, k, n1, .. } = w;
    add(&[k.sfreq]);
    add(&[k.lfreq]);
    add(&[k.name]);
    add(&[k.lfreq, k.name]);
    add(&[k.lfreq, k.article]);
    add(&[p1.name]);
    add(&[n1.name]);
    add(&[p1.lfreq, k.lfreq]);
    add(&[k.lfreq, n1.lfreq]);
    add(&[p1.lookup, k.name]);
    add(&[k.letters]);
    add(&[k.letters, k.lfreq]);
    add(&[p1.letters, k.letters]);
    add(&[k.letters, n1.letters]);
}

/// The templates of the word clusters, shared by both sets: each level for the
/// token, the middle level of its neighbours, coarse-level bigrams, and the
/// middle level with the token's frequency band.
fn cluster_templates(w: Window, add: &mut dyn FnMut(&[u64])) {
    let Window { p1, k, n1, .. } = w;
    let [fine, middle, coarse] = k.clusters;
    add(&[fine]);
    add(&[middle]);
    add(&[coarse]);
    add(&[p1.clusters[1]]);
    add(&[n1.clusters[1]]);
    add(&[p1.clusters[2], coarse]);
    add(&[coarse, n1.clusters[2]]);
    add(&[middle, k.lfreq]);
}

/// The hashed feature ids of every token of a sentence, each reduced modulo
/// `buckets`: `out` is cleared and refilled with [`NUM_FEATURES`] ids per
/// token.
pub fn sentence_features(tokens: &[TokenView], buckets: usize, out: &mut Vec<u32>) {
    each_token(
        tokens,
        buckets,
        out,
        |t| t as u64 + 1,
        |w, add| {
            let Window {
                p2, p1, k, n1, n2, ..
            } = w;
            add(&[]);
            // Identity (see IDENTITY_FEATURES).
            add(&[k.form]);
            add(&[k.folded]);
            add(&[k.lookup]);
            add(&[k.prefix, k.lookup]);
            add(&[k.prefix]);
            for n in 0..4 {
                add(&[k.pre[n]]);
                add(&[k.suf[n]]);
            }
            add(&[k.shape]);
            add(&[k.len]);
            add(&[k.article]);
            // Window.
            for c in [p2, p1, n1, n2] {
                add(&[c.lookup]);
                add(&[c.folded]);
            }
            add(&[p1.prefix]);
            add(&[n1.prefix]);
            add(&[p1.suf[1]]);
            add(&[n1.suf[1]]);
            add(&[p1.lookup, k.lookup]);
            add(&[k.lookup, n1.lookup]);
            add(&[p2.lookup, p1.lookup]);
            add(&[n1.lookup, n2.lookup]);
            add(&[p1.shape, k.shape, n1.shape]);
            add(&[p1.article, k.article, n1.article]);
            // Gazetteers and triggers.
            add(&[k.marks]);
            add(&[p1.marks]);
            add(&[n1.marks]);
            add(&[p2.marks]);
            add(&[n2.marks]);
            add(&[p1.marks, k.marks]);
            add(&[k.marks, n1.marks]);
            add(&[k.marks, k.lookup]);
            add(&[p1.marks, k.lookup]);
            add(&[p1.lookup, k.suf[1]]);
            // Known names (clubs, people), with the neighbours' and the
            // token's other marks.
            add(&[k.list]);
            add(&[p1.list, k.list]);
            add(&[k.list, n1.list]);
            add(&[k.list, k.marks]);
            // General usage (see super::words).
            word_class_templates(w, add);
            cluster_templates(w, add);
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::normalize::word;

    fn view(form: &str) -> TokenView {
        let word = word(form);
        let marks = Marks::default();
        TokenView {
            keys: Keys::new(form, &word, &marks, WordClass::default()),
            word,
            marks,
        }
    }

    #[test]
    fn hashing_is_stable_across_runs_and_platforms() {
        // A changed hash would silently break every committed model.
        assert_eq!(hash_str(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(
            hash_str("a"),
            (0xcbf2_9ce4_8422_2325_u64 ^ 0x61).wrapping_mul(0x0100_0000_01b3)
        );
        assert_ne!(mix(1, 2), mix(2, 1));
        assert_eq!(finish(0), 0);
    }

    #[test]
    fn shapes_tell_scripts_digits_and_punctuation_apart() {
        assert_eq!(shape("حلب"), Shape::Arabic);
        assert_eq!(shape("Aleppo"), Shape::Capitalized);
        assert_eq!(shape("2016"), Shape::Digits);
        assert_eq!(shape("،"), Shape::Punctuation);
        assert_eq!(shape("F16ب"), Shape::Mixed);
    }

    #[test]
    fn every_token_gets_the_same_number_of_features_within_the_bucket_range() {
        let toks: Vec<_> = ["قال", "الرئيس", "بشار", "الأسد"]
            .iter()
            .map(|f| view(f))
            .collect();
        let mut out = Vec::new();
        sentence_features(&toks, 1000, &mut out);
        assert_eq!(out.len(), 4 * NUM_FEATURES);
        for feats in out.chunks_exact(NUM_FEATURES) {
            assert!(feats[..HISTORY_SLOTS[0]].iter().all(|&x| x < 1000));
            // Empty until a document's history fills them.
            assert!(HISTORY_SLOTS.iter().all(|&i| feats[i] == NO_FEATURE));
        }
    }

    #[test]
    fn unseen_words_of_one_cluster_share_the_cluster_features_only() {
        let clustered = |form: &str, clusters: [u16; 3]| {
            let word = word(form);
            let marks = Marks::default();
            let class = WordClass {
                clusters,
                ..WordClass::default()
            };
            vec![TokenView {
                keys: Keys::new(form, &word, &marks, class),
                word,
                marks,
            }]
        };
        let shared = |x: &[u32], y: &[u32]| x.iter().zip(y).filter(|(p, q)| p == q).count();
        for (set, one, other) in [
            (FeatureSet::Arabic, "كيربي", "شيراك"),
            (FeatureSet::English, "Kirby", "Chirac"),
        ] {
            let features = |toks: &[TokenView]| {
                let mut out = Vec::new();
                features_of(set, toks, 1 << 20, &mut out);
                out
            };
            let a = features(&clustered(one, [7, 3, 1]));
            let b = features(&clustered(other, [7, 3, 1]));
            let c = features(&clustered(other, [9, 4, 2]));
            // Two words of one cluster share more features than the second
            // word in another cluster has with the first: the cluster
            // templates.
            assert!(shared(&a, &b) > shared(&a, &c), "{set:?}");
            assert_ne!(b, c);
        }
    }

    #[test]
    fn a_word_gets_the_same_features_in_the_same_context() {
        let a: Vec<_> = ["زار", "بشار", "دمشق"].iter().map(|f| view(f)).collect();
        let b: Vec<_> = ["زار", "بشار", "دمشق"].iter().map(|f| view(f)).collect();
        let (mut fa, mut fb) = (Vec::new(), Vec::new());
        sentence_features(&a, 1 << 18, &mut fa);
        sentence_features(&b, 1 << 18, &mut fb);
        assert_eq!(fa, fb);
        let c: Vec<_> = ["زار", "بشار", "حلب"].iter().map(|f| view(f)).collect();
        let mut fc = Vec::new();
        sentence_features(&c, 1 << 18, &mut fc);
        // The middle word's features see its right neighbour.
        assert_ne!(
            fa[NUM_FEATURES..2 * NUM_FEATURES],
            fc[NUM_FEATURES..2 * NUM_FEATURES]
        );
    }

    #[test]
    fn short_shapes_write_a_run_of_one_class_once() {
        assert_eq!(word_shape("Washington"), word_shape("Ab"));
        assert_eq!(word_shape("U.S"), word_shape("A.B"));
        assert_eq!(word_shape("NASA"), word_shape("X"));
        assert_eq!(word_shape("Yiu-chung"), word_shape("Ab-c"));
        assert_eq!(word_shape("2016"), word_shape("7"));
        assert_ne!(word_shape("Washington"), word_shape("washington"));
        assert_ne!(word_shape("McCain"), word_shape("Mccain"));
        assert_eq!(word_shape("حلب"), 0, "Arabic words have none");
    }

    #[test]
    fn english_templates_fill_the_same_slots_and_differ_from_the_arabic_ones() {
        let toks: Vec<_> = ["President", "Barack", "Obama", "said"]
            .iter()
            .map(|f| view(f))
            .collect();
        let (mut en, mut ar) = (Vec::new(), Vec::new());
        features_of(FeatureSet::English, &toks, 1 << 16, &mut en);
        features_of(FeatureSet::Arabic, &toks, 1 << 16, &mut ar);
        assert_eq!(en.len(), 4 * NUM_FEATURES);
        // Some slots are unused in English.
        assert!(en.iter().all(|&x| x < 1 << 16 || x == NO_FEATURE));
        assert!(en.contains(&NO_FEATURE));
        assert_ne!(en, ar);
        let mut direct = Vec::new();
        sentence_features(&toks, 1 << 16, &mut direct);
        assert_eq!(ar, direct, "the Arabic set is sentence_features");
    }

    #[test]
    fn english_features_see_case_that_the_lookup_form_drops() {
        let a: Vec<_> = ["in", "Paris"].iter().map(|f| view(f)).collect();
        let b: Vec<_> = ["in", "paris"].iter().map(|f| view(f)).collect();
        let (mut fa, mut fb) = (Vec::new(), Vec::new());
        english_features(&a, 1 << 16, &mut fa);
        english_features(&b, 1 << 16, &mut fb);
        assert_ne!(fa[NUM_FEATURES..], fb[NUM_FEATURES..]);
    }

    /// FNV-1a of a string's bytes from the last to the first.
    fn hash_rev(s: &str) -> u64 {
        s.bytes().rev().fold(FNV_OFFSET, fnv)
    }

    #[test]
    fn prefixes_and_suffixes_count_letters_not_bytes() {
        let v = view("حلب");
        assert_eq!(v.keys.pre[1], hash_str("حل"));
        assert_eq!(v.keys.suf[0], hash_rev("ب"));
        assert_eq!(v.keys.suf[1], hash_rev("لب"));
        assert_eq!(v.keys.suf[3], hash_str("حلب"), "longer than the word");
        assert_eq!(v.keys.pre[3], hash_str("حلب"));
        let v = view("سوريا");
        assert_eq!(v.keys.pre[3], hash_str("سوري"));
        assert_eq!(v.keys.suf[3], hash_rev("وريا"));
        let v = view("ab");
        assert_eq!(v.keys.suf[2], hash_str("ab"));
        assert_eq!(v.keys.pre[0], hash_str("a"));
    }

    #[test]
    fn the_folded_hash_is_the_hash_of_the_folded_form() {
        let v = view("والرئيس");
        assert_eq!(v.keys.folded, hash_str(&v.word.folded));
        assert_eq!(v.keys.prefix, hash_str("وال"));
        assert_eq!(v.keys.lookup, hash_str(&v.word.lookup));
    }
}
