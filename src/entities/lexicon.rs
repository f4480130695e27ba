//! Everything the entity layer knows by name: the place gazetteer, named
//! organisations and media, and the trigger words of the rules (person titles,
//! organisation and place head words), for Arabic and English.
//!
//! All names are keyed by their per-word lookup forms
//! ([`super::normalize::phrase_key`]) and matched as runs of whole tokens
//! ([`Phrases`]): a hash of each name's token sequence and of each of its
//! beginnings, so the search from a token stops after one lookup unless a
//! name starts there. Names only ever match whole tokens, so matching
//! token hashes does in one or two table lookups per token what a
//! byte-level automaton (Aho-Corasick, used before) did in a walk over
//! every byte of the sentence through a large automaton, and it builds at
//! start-up in a few milliseconds, so no binary index is committed.
//!
//! Language knowledge lives in `data/entities/<lang>/` and
//! `data/gazetteers/places.tsv`; adding a language is adding its tables to
//! [`TABLES`].

use rustc_hash::{FxHashMap, FxHashSet};
use thiserror::Error;

use super::features::Marks;
use super::gazetteer::{parse_places, Place, PlaceKind, PLACES_TSV};
use super::normalize::phrase_key;
use super::words::WordTable;

/// One language's rule tables.
pub struct Tables {
    pub lang: &'static str,
    pub person_titles: &'static str,
    pub org_heads: &'static str,
    pub place_heads: &'static str,
    pub organizations: &'static str,
    pub place_stopwords: &'static str,
    /// Frequent words that are not names (may be empty).
    pub common_words: &'static str,
    /// Words that end a name opened by an organisation head.
    pub name_breakers: &'static str,
    /// Proclitics with which a word goes on with a name opened by an
    /// organisation head (may be empty).
    pub org_name_prefixes: &'static str,
    /// Words that join the parts of a person's name, `compound` after a tab
    /// when the next word may have the article (may be empty).
    pub name_linkers: &'static str,
    /// Names known from lists (`club<TAB>name`, `person<TAB>name`), used
    /// only as tagger features (see [`NameList`]); may be empty.
    pub known_names: &'static str,
}

/// The tables of every supported language.
pub const TABLES: &[Tables] = &[
    Tables {
        lang: "ar",
        person_titles: include_str!("../../data/entities/ar/person_titles.txt"),
        org_heads: include_str!("../../data/entities/ar/org_heads.txt"),
        place_heads: include_str!("../../data/entities/ar/place_heads.txt"),
        organizations: include_str!("../../data/entities/ar/organizations.tsv"),
        place_stopwords: include_str!("../../data/entities/ar/place_stopwords.txt"),
        common_words: include_str!("../../data/entities/ar/common_words.txt"),
        name_breakers: include_str!("../../data/entities/ar/name_breakers.txt"),
        org_name_prefixes: include_str!("../../data/entities/ar/org_name_prefixes.txt"),
        name_linkers: include_str!("../../data/entities/ar/name_linkers.txt"),
        known_names: include_str!("../../data/entities/ar/known_names.tsv"),
    },
    Tables {
        lang: "en",
        person_titles: include_str!("../../data/entities/en/person_titles.txt"),
        org_heads: include_str!("../../data/entities/en/org_heads.txt"),
        place_heads: include_str!("../../data/entities/en/place_heads.txt"),
        organizations: include_str!("../../data/entities/en/organizations.tsv"),
        place_stopwords: include_str!("../../data/entities/en/place_stopwords.txt"),
        common_words: include_str!("../../data/entities/en/common_words.txt"),
        name_breakers: "",
        org_name_prefixes: "",
        name_linkers: "",
        known_names: "",
    },
];

/// What a matched name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Index into [`Lexicon::places`].
    Place(u32),
    /// Index into [`Lexicon::organizations`].
    Organization(u32),
    PersonTitle,
    OrgHead,
    PlaceHead,
    /// A name of a [`NameList`]: evidence for the tagger, never an entity by
    /// itself (`ليون` is a club and a city; the context decides).
    Known(NameList),
}

/// The lists of known names ([`Tables::known_names`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameList {
    /// Sports clubs (`السد`, `ريال مدريد`).
    Club,
    /// People by their full name (`بان كي مون`).
    Person,
}

impl NameList {
    /// The list a table's kind column names.
    fn parse(kind: &str) -> Option<NameList> {
        match kind {
            "club" => Some(NameList::Club),
            "person" => Some(NameList::Person),
            _ => None,
        }
    }

    /// The value of [`Marks::list`] for a name of this list.
    pub fn mark(self) -> u8 {
        match self {
            NameList::Club => b'C',
            NameList::Person => b'P',
        }
    }
}

/// A named organisation of the tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    pub name: String,
    pub lang: &'static str,
}

/// A name found in a sentence: tokens `start..end` (indices into the slice
/// given to [`Lexicon::hits`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    /// Index into [`Lexicon::targets`] of everything this key names.
    pub key: u32,
}

/// The lexicon could not be built.
#[derive(Debug, Error)]
#[error("cannot build the name index: {0}")]
pub struct LexiconError(String);

impl From<super::words::WordTableError> for LexiconError {
    fn from(e: super::words::WordTableError) -> LexiconError {
        LexiconError(e.to_string())
    }
}

/// Gazetteer and tables with their name index.
pub struct Lexicon {
    pub places: Vec<Place>,
    pub organizations: Vec<Organization>,
    /// Per key: what it names.
    pub targets: Vec<Vec<Target>>,
    /// Pattern keys (lookup forms joined by spaces), parallel to `targets`.
    pub keys: Vec<String>,
    /// Keys ([`keys_of`]) of place names that alone do not make a location.
    pub place_stopwords: FxHashSet<String>,
    /// Folded words of frequent non-names.
    pub common_words: FxHashSet<String>,
    /// Keys ([`keys_of`]) of words that end a name opened by an organisation head.
    pub name_breakers: FxHashSet<String>,
    /// Keys ([`keys_of`]) of the organisation heads marked `opens` or `widens`.
    pub opening_org_heads: FxHashSet<String>,
    /// Of those, the heads marked `widens`: common nouns too, they open a
    /// name only around one the tagger found.
    pub widening_org_heads: FxHashSet<String>,
    /// [`Tables::org_name_prefixes`], as written.
    pub org_name_prefixes: FxHashSet<String>,
    /// [`Tables::name_linkers`], folded; `compound_linkers` those marked
    /// `compound`.
    pub name_linkers: FxHashSet<String>,
    pub compound_linkers: FxHashSet<String>,
    /// Folded (not clitic-stripped) words of every name and title of the
    /// tables: tells `واشنطن` (a name) from `و` + `اشنطن`.
    pub surface_words: FxHashSet<String>,
    /// Key to its index in `keys`.
    index: FxHashMap<String, u32>,
    /// `(key, place or organisation)` pairs where a name of it with that
    /// key begins with the article `ال` (see [`Lexicon::name_has_article`]).
    article_names: FxHashSet<(u32, Target)>,
    phrases: Phrases,
    /// Frequencies and name counts of single words ([`WordTable`]).
    pub words: WordTable,
}

/// The keys as token sequences: the hash of each key's whole sequence and
/// of each of its proper beginnings.
struct Phrases {
    /// Hash of a key's token sequence to its index in `keys`.
    full: FxHashMap<u64, u32>,
    /// Hashes of the sequences some longer key continues.
    beginnings: FxHashSet<u64>,
    /// Tokens in the longest key.
    longest: usize,
}

const PHRASE_SEED: u64 = 0x6e61_6d65_7068_7261;

/// 64-bit FNV-1a of a lookup form. A space inside a form (which a key's
/// words never hold) is read as `_`, so it cannot fake a token boundary.
fn token_hash(lookup: &str) -> u64 {
    lookup.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(token_byte(b))).wrapping_mul(0x0100_0000_01b3)
    })
}

fn token_byte(b: u8) -> u8 {
    if b == b' ' {
        b'_'
    } else {
        b
    }
}

/// The hash of a token sequence extended by one token.
fn combine(h: u64, token: u64) -> u64 {
    (h.rotate_left(5) ^ token).wrapping_mul(0x517c_c1b7_2722_0a95)
}

impl Phrases {
    fn new(keys: &[String]) -> Result<Phrases, LexiconError> {
        let mut phrases = Phrases {
            full: FxHashMap::default(),
            beginnings: FxHashSet::default(),
            longest: 0,
        };
        for (i, key) in keys.iter().enumerate() {
            let words: Vec<&str> = key.split(' ').collect();
            let mut h = PHRASE_SEED;
            for (n, w) in words.iter().enumerate() {
                h = combine(h, token_hash(w));
                if n + 1 < words.len() {
                    phrases.beginnings.insert(h);
                }
            }
            if let Some(other) = phrases.full.insert(h, i as u32) {
                // Never seen with the committed tables; refuse rather than
                // lose a name.
                return Err(LexiconError(format!(
                    "names `{}` and `{key}` have the same hash",
                    keys[other as usize]
                )));
            }
            phrases.longest = phrases.longest.max(words.len());
        }
        Ok(phrases)
    }
}

/// Every key a text word can have for `name`: its own, and for an Arabic
/// name whose first letter is stripped like a proclitic (a preposition
/// `ب`, `ل`, `ك`: `بغداد` is keyed `غداد`; the conjunction `و`: `وزارة` is
/// keyed `زارة`) the key it has written after a one-letter preposition,
/// which keeps that letter (`ببغداد` is keyed `بغداد`, `لوزارة` `وزارة`).
fn keys_of(name: &str) -> impl Iterator<Item = String> {
    let name = name.trim_start();
    let own = phrase_key(name);
    let after_preposition = name
        .chars()
        .next()
        .is_some_and(crate::text::is_arabic_letter)
        .then(|| phrase_key(&format!("ب{name}")))
        .filter(|k| *k != own);
    std::iter::once(own).chain(after_preposition)
}

/// A table line `word<TAB>flag` (the flag may be missing), trimmed.
fn flagged(line: &str) -> (&str, &str) {
    let (word, flag) = line.split_once('\t').unwrap_or((line, ""));
    (word.trim(), flag.trim())
}

fn lines(table: &str) -> impl Iterator<Item = &str> {
    table
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl Lexicon {
    /// The lexicon of the committed tables.
    pub fn builtin() -> Result<Lexicon, LexiconError> {
        let mut lexicon = Lexicon::from_tables(parse_places(PLACES_TSV), TABLES)?;
        lexicon.words = WordTable::builtin()?;
        Ok(lexicon)
    }

    /// A lexicon from the given places and tables.
    pub fn from_tables(places: Vec<Place>, tables: &[Tables]) -> Result<Lexicon, LexiconError> {
        let mut index: FxHashMap<String, u32> = FxHashMap::default();
        let mut keys: Vec<String> = Vec::new();
        let mut targets: Vec<Vec<Target>> = Vec::new();
        let mut article_names = FxHashSet::default();
        let mut add = |name: &str, target: Target| {
            for key in keys_of(name) {
                if key.is_empty() {
                    continue;
                }
                let i = *index.entry(key.clone()).or_insert_with(|| {
                    keys.push(key);
                    targets.push(Vec::new());
                    (targets.len() - 1) as u32
                }) as usize;
                if matches!(target, Target::Place(_) | Target::Organization(_))
                    && super::normalize::fold(name).starts_with("ال")
                {
                    article_names.insert((i as u32, target));
                }
                if !targets[i].contains(&target) {
                    targets[i].push(target);
                }
            }
        };
        for (i, place) in places.iter().enumerate() {
            for name in place.names() {
                add(name, Target::Place(i as u32));
            }
        }
        let mut organizations = Vec::new();
        let mut place_stopwords = FxHashSet::default();
        let mut common_words = FxHashSet::default();
        let mut opening_org_heads = FxHashSet::default();
        let mut widening_org_heads = FxHashSet::default();
        let mut name_breakers = FxHashSet::default();
        let mut org_name_prefixes = FxHashSet::default();
        let mut name_linkers = FxHashSet::default();
        let mut compound_linkers = FxHashSet::default();
        let mut surface_words: FxHashSet<String> = FxHashSet::default();
        let surface = |name: &str, set: &mut FxHashSet<String>| {
            set.extend(name.split_whitespace().map(super::normalize::fold));
        };
        for p in &places {
            for name in p.names() {
                surface(name, &mut surface_words);
            }
        }
        for t in tables {
            for line in lines(t.organizations) {
                let mut cols = line.split('\t');
                let Some(name) = cols.next() else { continue };
                let i = organizations.len() as u32;
                organizations.push(Organization {
                    name: name.to_string(),
                    lang: t.lang,
                });
                add(name, Target::Organization(i));
                surface(name, &mut surface_words);
                for alias in cols.next().into_iter().flat_map(|a| a.split('|')) {
                    add(alias, Target::Organization(i));
                    surface(alias, &mut surface_words);
                }
            }
            for line in lines(t.person_titles) {
                add(line, Target::PersonTitle);
                surface(line, &mut surface_words);
            }
            for line in lines(t.org_heads) {
                let (head, flag) = flagged(line);
                add(head, Target::OrgHead);
                surface(head, &mut surface_words);
                match flag {
                    "" => {}
                    "opens" => opening_org_heads.extend(keys_of(head)),
                    "widens" => {
                        opening_org_heads.extend(keys_of(head));
                        widening_org_heads.extend(keys_of(head));
                    }
                    other => {
                        return Err(LexiconError(format!(
                            "unknown flag `{other}` of the organisation head `{line}`"
                        )))
                    }
                }
            }
            common_words.extend(lines(t.common_words).map(super::normalize::fold));
            name_breakers.extend(lines(t.name_breakers).flat_map(keys_of));
            org_name_prefixes.extend(lines(t.org_name_prefixes).map(str::to_string));
            for line in lines(t.name_linkers) {
                let (word, flag) = flagged(line);
                let word = super::normalize::fold(word);
                match flag {
                    "" => {}
                    "compound" => {
                        compound_linkers.insert(word.clone());
                    }
                    other => {
                        return Err(LexiconError(format!(
                            "unknown flag `{other}` of the name linker `{line}`"
                        )))
                    }
                }
                name_linkers.insert(word);
            }
            for line in lines(t.place_heads) {
                add(line, Target::PlaceHead);
            }
            for line in lines(t.known_names) {
                let Some((kind, name)) = line.split_once('\t') else {
                    return Err(LexiconError(format!("known name without a kind: `{line}`")));
                };
                let Some(list) = NameList::parse(kind.trim()) else {
                    return Err(LexiconError(format!(
                        "unknown kind of known name: `{line}`"
                    )));
                };
                add(name.trim(), Target::Known(list));
            }
            place_stopwords.extend(lines(t.place_stopwords).flat_map(keys_of));
        }
        let phrases = Phrases::new(&keys)?;
        Ok(Lexicon {
            places,
            organizations,
            targets,
            keys,
            place_stopwords,
            common_words,
            opening_org_heads,
            widening_org_heads,
            org_name_prefixes,
            name_linkers,
            compound_linkers,
            name_breakers,
            surface_words,
            index,
            article_names,
            phrases,
            words: WordTable::default(),
        })
    }

    /// Every name of the lexicon found in a run of tokens given by their
    /// lookup forms, overlapping ones included, in order of start token.
    pub fn hits<S: AsRef<str>>(&self, lookups: &[S]) -> Vec<Hit> {
        let hashes: Vec<u64> = lookups.iter().map(|l| token_hash(l.as_ref())).collect();
        let mut hits = Vec::new();
        for start in 0..lookups.len() {
            let first = hits.len();
            let mut h = PHRASE_SEED;
            for end in start + 1..=lookups.len().min(start + self.phrases.longest) {
                h = combine(h, hashes[end - 1]);
                if let Some(&key) = self.phrases.full.get(&h) {
                    if self.key_is(key, &lookups[start..end]) {
                        hits.push(Hit { start, end, key });
                    }
                }
                if !self.phrases.beginnings.contains(&h) {
                    break;
                }
            }
            // Longest first at each start.
            hits[first..].reverse();
        }
        hits
    }

    /// True when key `key` is exactly the lookup forms `run` (a hash match
    /// is checked, never trusted).
    fn key_is<S: AsRef<str>>(&self, key: u32, run: &[S]) -> bool {
        let Some(key) = self.keys.get(key as usize) else {
            return false;
        };
        let mut words = key.split(' ');
        run.iter().all(|l| {
            words.next().is_some_and(|w| {
                w.len() == l.as_ref().len()
                    && w.bytes()
                        .zip(l.as_ref().bytes())
                        .all(|(a, b)| a == token_byte(b))
            })
        }) && words.next().is_none()
    }

    /// The index of a key (lookup forms joined by spaces), if the lexicon
    /// names it.
    pub fn key_index(&self, key: &str) -> Option<u32> {
        self.index.get(key).copied()
    }

    /// What the key at `index` names.
    pub fn targets_at(&self, index: u32) -> &[Target] {
        self.targets.get(index as usize).map_or(&[], Vec::as_slice)
    }

    /// What `hit` names.
    pub fn targets_of(&self, hit: &Hit) -> &[Target] {
        &self.targets[hit.key as usize]
    }

    /// The tagger's gazetteer and trigger marks for each token.
    pub fn marks<S: AsRef<str>>(&self, lookups: &[S]) -> Vec<Marks> {
        self.marks_of(&self.hits(lookups), lookups.len())
    }

    /// The marks of `n` tokens given the [`Lexicon::hits`] found in them.
    pub fn marks_of(&self, hits: &[Hit], n: usize) -> Vec<Marks> {
        let mut marks = vec![Marks::default(); n];
        // Longest name first, so a token inside `الولايات المتحدة` is marked
        // as part of the longer name.
        for hit in hits {
            let mut gaz = 0u8;
            for t in self.targets_of(hit) {
                match t {
                    Target::Place(_) => gaz = b'L',
                    Target::Organization(_) if gaz == 0 => gaz = b'O',
                    Target::Organization(_) => {}
                    Target::PersonTitle => {
                        for m in &mut marks[hit.start..hit.end] {
                            m.person_title = true;
                        }
                    }
                    Target::OrgHead => marks[hit.start].org_head = true,
                    Target::PlaceHead => marks[hit.start].place_head = true,
                    Target::Known(list) => {
                        // Longest first: a longer known name keeps its mark.
                        if marks[hit.start..hit.end].iter().all(|m| m.list == 0) {
                            for (i, m) in marks[hit.start..hit.end].iter_mut().enumerate() {
                                m.list = list.mark();
                                m.list_begin = i == 0;
                            }
                        }
                    }
                }
            }
            if gaz != 0 && marks[hit.start..hit.end].iter().all(|m| m.gaz == 0) {
                for (i, m) in marks[hit.start..hit.end].iter_mut().enumerate() {
                    m.gaz = gaz;
                    m.gaz_begin = i == 0;
                }
            }
        }
        marks
    }

    /// The best place among those a key names: a country first, then the
    /// city with the largest population, counted eight times over when the
    /// city lies in a country the article names (`context`): Tripoli in
    /// Lebanon wins in an article about Lebanon, but a village called Geneva
    /// does not beat Geneva because the article also names the United States.
    pub fn resolve_place(&self, key: u32, context: &FxHashSet<String>) -> Option<&Place> {
        self.targets_at(key)
            .iter()
            .filter_map(|t| match t {
                Target::Place(i) => self.places.get(*i as usize),
                _ => None,
            })
            .max_by_key(|p| {
                let weight = if context.contains(&p.country) { 8 } else { 1 };
                (
                    p.kind == PlaceKind::Country,
                    p.kind == PlaceKind::City,
                    p.population.saturating_mul(weight),
                    context.contains(&p.country),
                )
            })
    }

    /// Whether some name of the place that `key` names begins with the
    /// article `ال` (`الرياض`), as the text's word must then too.
    pub fn name_has_article(&self, key: u32, place: &Place) -> bool {
        self.targets_at(key).iter().any(|t| match t {
            Target::Place(i) => {
                self.places
                    .get(*i as usize)
                    .is_some_and(|p| std::ptr::eq(p, place))
                    && self.target_has_article(key, *t)
            }
            _ => false,
        })
    }

    /// Whether a name of `target` (a place or an organisation) with `key`
    /// begins with the article `ال` (`الجزيرة`, not `رويترز`).
    pub fn target_has_article(&self, key: u32, target: Target) -> bool {
        self.article_names.contains(&(key, target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::normalize::word;

    fn lookups(s: &str) -> Vec<String> {
        s.split_whitespace()
            .map(|w| word(w).lookup.to_string())
            .collect()
    }

    fn lexicon() -> Lexicon {
        Lexicon::builtin().unwrap()
    }

    #[test]
    fn a_multiword_country_name_is_found_with_its_clitics() {
        let lex = lexicon();
        let toks = lookups("قالت وللولايات المتحدة إن");
        let hit = lex
            .hits(&toks)
            .into_iter()
            .find(|h| h.end - h.start == 2)
            .unwrap();
        assert_eq!((hit.start, hit.end), (1, 3));
        let place = lex.resolve_place(hit.key, &FxHashSet::default()).unwrap();
        assert_eq!(place.country, "US");
    }

    #[test]
    fn a_place_whose_first_letter_could_be_a_preposition_is_found_after_one() {
        let lex = lexicon();
        for (text, country) in [
            ("ببغداد", "IQ"),
            ("بغداد", "IQ"),
            ("بلبنان", "LB"),
            ("وبلبنان", "LB"),
            ("لبنان", "LB"),
            ("بباريس", "FR"),
            ("بكوريا الشمالية", "KP"),
        ] {
            let toks = lookups(text);
            let hit = lex
                .hits(&toks)
                .into_iter()
                .find(|h| h.start == 0 && h.end == toks.len())
                .unwrap_or_else(|| panic!("{text} not found"));
            let place = lex.resolve_place(hit.key, &FxHashSet::default()).unwrap();
            assert_eq!(place.country, country, "{text}");
        }
    }

    #[test]
    fn country_spellings_the_sources_lack_name_their_country() {
        let lex = lexicon();
        for (variant, country) in [
            ("سورية", "SY"),
            ("الدانمارك", "DK"),
            ("تايلند", "TH"),
            ("تركمنستان", "TM"),
            ("المجر", "HU"),
        ] {
            let toks = lookups(variant);
            let hit = lex.hits(&toks).into_iter().next().unwrap();
            let place = lex.resolve_place(hit.key, &FxHashSet::default()).unwrap();
            assert_eq!(place.country, country, "{variant}");
        }
        assert!(lex.place_stopwords.contains(&phrase_key("سورية")));
    }

    #[test]
    fn spelling_variants_of_america_name_the_same_country() {
        let lex = lexicon();
        for variant in ["أميركا", "أمريكا", "الولايات المتحدة"] {
            let toks = lookups(variant);
            let hit = lex.hits(&toks).into_iter().next().unwrap();
            let place = lex.resolve_place(hit.key, &FxHashSet::default()).unwrap();
            assert_eq!(place.country, "US", "{variant}");
            assert_eq!(place.kind, PlaceKind::Country, "{variant}");
        }
    }

    #[test]
    fn aleppo_resolves_to_the_syrian_city() {
        let lex = lexicon();
        let toks = lookups("في حلب");
        let hit = lex.hits(&toks).into_iter().next().unwrap();
        let place = lex.resolve_place(hit.key, &FxHashSet::default()).unwrap();
        assert_eq!(place.geonames_id, Some(170063));
        assert!((place.lat.unwrap() - 36.2).abs() < 0.05);
        assert!((place.lon.unwrap() - 37.16).abs() < 0.05);
    }

    #[test]
    fn an_ambiguous_city_prefers_the_country_named_in_the_article() {
        let lex = lexicon();
        let toks = lookups("طرابلس");
        let hit = lex.hits(&toks).into_iter().next().unwrap();
        let no_context = lex.resolve_place(hit.key, &FxHashSet::default()).unwrap();
        assert_eq!(no_context.country, "LY", "the most populous wins alone");
        let lb: FxHashSet<String> = ["LB".to_string()].into_iter().collect();
        assert_eq!(lex.resolve_place(hit.key, &lb).unwrap().country, "LB");
        // A small namesake in a named country does not beat a large city.
        let toks = lookups("جنيف");
        let hit = lex.hits(&toks).into_iter().next().unwrap();
        let us: FxHashSet<String> = ["US".to_string()].into_iter().collect();
        assert_eq!(lex.resolve_place(hit.key, &us).unwrap().country, "CH");
    }

    #[test]
    fn names_only_match_whole_tokens() {
        let lex = lexicon();
        // `حلبة` (arena) contains `حلب` but is another word.
        let toks = lookups("حلبة");
        assert!(lex
            .hits(&toks)
            .iter()
            .all(|h| lex.keys[h.key as usize] != "حلب"));
    }

    #[test]
    fn titles_and_heads_mark_the_tokens_for_the_tagger() {
        let lex = lexicon();
        let marks = lex.marks(&lookups("قال الرئيس بشار الأسد في دمشق"));
        assert!(marks[1].person_title);
        assert_eq!(marks[5].gaz, b'L');
        assert!(marks[5].gaz_begin);
        let marks = lex.marks(&lookups("وزارة الخارجية"));
        assert!(marks[0].org_head);
    }

    #[test]
    fn known_clubs_mark_their_tokens_through_the_clitics() {
        let lex = lexicon();
        let marks = lex.marks(&lookups("فاز السد على ريال مدريد وللأهلي"));
        assert_eq!((marks[1].list, marks[1].list_begin), (b'C', true));
        assert_eq!(marks[2].list, 0);
        assert_eq!((marks[3].list, marks[3].list_begin), (b'C', true));
        assert_eq!((marks[4].list, marks[4].list_begin), (b'C', false));
        assert_eq!(marks[5].list, b'C', "clitics stripped: وللأهلي");
    }

    #[test]
    fn a_known_name_names_no_entity_by_itself() {
        let lex = lexicon();
        let toks = lookups("السد");
        let hits = lex.hits(&toks);
        assert!(!hits.is_empty());
        assert!(hits
            .iter()
            .flat_map(|h| lex.targets_of(h))
            .all(|t| matches!(t, Target::Known(NameList::Club))));
    }

    #[test]
    fn name_linkers_are_folded_and_compound_ones_marked() {
        let lex = Lexicon::from_tables(Vec::new(), &TABLES[..1]).unwrap();
        assert!(lex.name_linkers.contains("ابو"), "أبو folds to ابو");
        assert!(lex.name_linkers.contains("ولد"));
        assert!(lex.compound_linkers.contains("عبد"));
        assert!(!lex.compound_linkers.contains("بن"));
        assert!(lex.org_name_prefixes.contains("لل"));
        assert!(!lex.org_name_prefixes.contains("بال"));
    }

    #[test]
    fn an_organisation_head_with_an_unknown_flag_is_refused() {
        let tables = Tables {
            org_heads: "حركة\tmaybe",
            ..TABLES[0]
        };
        assert!(Lexicon::from_tables(Vec::new(), &[tables]).is_err());
    }

    #[test]
    fn a_name_linker_with_an_unknown_flag_is_refused() {
        let tables = Tables {
            name_linkers: "بن\tsometimes",
            ..TABLES[0]
        };
        assert!(Lexicon::from_tables(Vec::new(), &[tables]).is_err());
    }

    #[test]
    fn a_known_name_without_a_kind_is_refused() {
        let tables = Tables {
            lang: "ar",
            person_titles: "",
            org_heads: "",
            place_heads: "",
            organizations: "",
            place_stopwords: "",
            common_words: "",
            name_breakers: "",
            org_name_prefixes: "",
            name_linkers: "",
            known_names: "السد",
        };
        assert!(Lexicon::from_tables(Vec::new(), &[tables]).is_err());
        let tables = Tables {
            known_names: "team\tالسد",
            ..TABLES[0]
        };
        assert!(Lexicon::from_tables(Vec::new(), &[tables]).is_err());
    }

    #[test]
    fn english_organisations_are_known_by_their_short_names() {
        let lex = lexicon();
        let toks = lookups("said AFP");
        let hit = lex.hits(&toks).into_iter().next().unwrap();
        assert!(matches!(lex.targets_of(&hit)[0], Target::Organization(_)));
    }
}
