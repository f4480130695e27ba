//! Feature extraction for the sequence tagger.
//!
//! The templates follow the classical Arabic NER feature sets (Benajiba and
//! Rosso's ANERsys, the CRF systems after it): the word, its folded and
//! clitic-stripped forms and the stripped proclitics, character prefixes and
//! suffixes, a window of two words either side, the word's shape, and
//! membership in the gazetteers and trigger tables ([`Marks`]). The previous
//! tag enters through the model's transition weights (Viterbi decoding).
//!
//! Each feature is a string hashed (FNV-1a, stable across runs and platforms)
//! into a fixed number of buckets, so the model file has a fixed size whatever
//! the vocabulary.

use super::normalize::{is_arabic_letter, Word};

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
}

/// One token as the tagger sees it.
#[derive(Debug, Clone, Default)]
pub struct TokenView {
    pub form: String,
    pub word: Word,
    pub marks: Marks,
}

/// FNV-1a over the bytes of a template tag and its value.
fn hash(template: &str, value: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in template.bytes().chain([0x1f]).chain(value.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The shape class of a word form.
pub fn shape(form: &str) -> &'static str {
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
        (true, false, false, false) => "ar",
        (false, true, false, false) if upper_first => "Lat",
        (false, true, false, false) => "lat",
        (false, false, true, false) => "dig",
        (false, false, false, true) => "punct",
        (false, false, false, false) => "empty",
        _ => "mixed",
    }
}

/// First `n` characters of `s` (all of it if shorter).
fn first_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Last `n` characters of `s` (all of it if shorter).
fn last_chars(s: &str, n: usize) -> &str {
    let count = s.chars().count();
    if count <= n {
        return s;
    }
    match s.char_indices().nth(count - n) {
        Some((i, _)) => &s[i..],
        None => s,
    }
}

fn marks_code(m: &Marks) -> String {
    let mut s = String::new();
    if m.gaz != 0 {
        s.push(if m.gaz_begin { 'B' } else { 'I' });
        s.push(char::from(m.gaz));
    }
    if m.person_title {
        s.push('t');
    }
    if m.org_head {
        s.push('o');
    }
    if m.place_head {
        s.push('p');
    }
    s
}

/// The hashed feature ids of every token of a sentence, each reduced modulo
/// `buckets`. `out[i]` is cleared and refilled.
pub fn sentence_features(tokens: &[TokenView], buckets: usize, out: &mut Vec<Vec<u32>>) {
    out.resize_with(tokens.len(), Vec::new);
    out.truncate(tokens.len());
    let lookup = |i: isize| -> &str {
        if i < 0 {
            "<s>"
        } else {
            tokens
                .get(i as usize)
                .map_or("</s>", |t| t.word.lookup.as_str())
        }
    };
    let folded = |i: isize| -> &str {
        if i < 0 {
            "<s>"
        } else {
            tokens
                .get(i as usize)
                .map_or("</s>", |t| t.word.folded.as_str())
        }
    };
    let marks = |i: isize| -> String {
        if i < 0 {
            "<s>".into()
        } else {
            tokens
                .get(i as usize)
                .map_or("</s>".into(), |t| marks_code(&t.marks))
        }
    };
    for (i, t) in tokens.iter().enumerate() {
        let f = &mut out[i];
        f.clear();
        let mut add = |template: &str, value: &str| {
            f.push((hash(template, value) % buckets as u64) as u32);
        };
        let ii = i as isize;
        let w = &t.word;
        add("bias", "");
        add("w", &t.form);
        add("f", &w.folded);
        add("l", &w.lookup);
        add("p", &w.prefix);
        add("pl", &format!("{}|{}", w.prefix, w.lookup));
        for n in 1..=3 {
            add("pre", first_chars(&w.lookup, n));
            add("suf", last_chars(&w.folded, n));
        }
        add("lsuf2", last_chars(&w.lookup, 2));
        let sh = shape(&t.form);
        add("sh", sh);
        add("len", &w.lookup.chars().count().min(8).to_string());
        for d in [-2isize, -1, 1, 2] {
            let tag = format!("l{d}");
            add(&tag, lookup(ii + d));
            let tag = format!("f{d}");
            add(&tag, folded(ii + d));
        }
        add("l-1l0", &format!("{}|{}", lookup(ii - 1), w.lookup));
        add("l0l1", &format!("{}|{}", w.lookup, lookup(ii + 1)));
        add("l-2l-1", &format!("{}|{}", lookup(ii - 2), lookup(ii - 1)));
        add("l1l2", &format!("{}|{}", lookup(ii + 1), lookup(ii + 2)));
        let sh_prev = if i == 0 {
            "<s>"
        } else {
            shape(&tokens[i - 1].form)
        };
        let sh_next = tokens.get(i + 1).map_or("</s>", |n| shape(&n.form));
        add("shctx", &format!("{sh_prev}|{sh}|{sh_next}"));
        let m0 = marks(ii);
        add("m0", &m0);
        add("m-1", &marks(ii - 1));
        add("m+1", &marks(ii + 1));
        add("m-2", &marks(ii - 2));
        add("m-1m0", &format!("{}|{}", marks(ii - 1), m0));
        add("m0l", &format!("{}|{}", m0, w.lookup));
        add("m-1l0", &format!("{}|{}", marks(ii - 1), w.lookup));
        add(
            "hasart",
            if w.prefix.ends_with("ال") || w.prefix.ends_with("لل") {
                "1"
            } else {
                "0"
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::normalize::word;

    fn view(form: &str) -> TokenView {
        TokenView {
            form: form.into(),
            word: word(form),
            marks: Marks::default(),
        }
    }

    #[test]
    fn hashing_is_stable_across_runs() {
        // A changed hash would silently break every committed model.
        assert_eq!(hash("w", "x"), hash("w", "x"));
        assert_ne!(hash("w", "x"), hash("f", "x"));
        // FNV-1a of the single separator byte 0x1f.
        assert_eq!(
            hash("", ""),
            (0xcbf2_9ce4_8422_2325_u64 ^ 0x1f).wrapping_mul(0x0100_0000_01b3)
        );
    }

    #[test]
    fn shapes_tell_scripts_digits_and_punctuation_apart() {
        assert_eq!(shape("حلب"), "ar");
        assert_eq!(shape("Aleppo"), "Lat");
        assert_eq!(shape("2016"), "dig");
        assert_eq!(shape("،"), "punct");
        assert_eq!(shape("F16ب"), "mixed");
    }

    #[test]
    fn every_token_gets_features_within_the_bucket_range() {
        let toks: Vec<_> = ["قال", "الرئيس", "بشار", "الأسد"]
            .iter()
            .map(|f| view(f))
            .collect();
        let mut out = Vec::new();
        sentence_features(&toks, 1000, &mut out);
        assert_eq!(out.len(), 4);
        assert!(out
            .iter()
            .all(|f| f.len() > 20 && f.iter().all(|&x| x < 1000)));
    }

    #[test]
    fn prefixes_and_suffixes_count_characters_not_bytes() {
        assert_eq!(first_chars("حلب", 2), "حل");
        assert_eq!(last_chars("حلب", 2), "لب");
        assert_eq!(last_chars("ab", 3), "ab");
    }
}
