//! Everything the entity layer knows by name: the place gazetteer, named
//! organisations and media, and the trigger words of the rules (person titles,
//! organisation and place head words), for Arabic and English.
//!
//! All names are keyed by their per-word lookup forms
//! ([`super::normalize::phrase_key`]) and matched with one Aho-Corasick
//! automaton over a sentence's lookup forms joined by spaces. Aho-Corasick
//! rather than an `fst` map: one linear pass finds every name of every table
//! at every token, whatever the number of names and their lengths, and the
//! crate is already in the dependency tree. Building the automaton from the
//! committed tables takes a few milliseconds at start-up, so no binary index is
//! committed.
//!
//! Language knowledge lives in `data/entities/<lang>/` and
//! `data/gazetteers/places.tsv`; adding a language is adding its tables to
//! [`TABLES`].

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::{HashMap, HashSet};
use thiserror::Error;

use super::features::Marks;
use super::gazetteer::{parse_places, Place, PlaceKind, PLACES_TSV};
use super::normalize::phrase_key;

/// One language's rule tables.
pub struct Tables {
    pub lang: &'static str,
    pub person_titles: &'static str,
    pub org_heads: &'static str,
    pub place_heads: &'static str,
    pub organizations: &'static str,
    pub place_stopwords: &'static str,
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
    },
    Tables {
        lang: "en",
        person_titles: include_str!("../../data/entities/en/person_titles.txt"),
        org_heads: include_str!("../../data/entities/en/org_heads.txt"),
        place_heads: include_str!("../../data/entities/en/place_heads.txt"),
        organizations: include_str!("../../data/entities/en/organizations.tsv"),
        place_stopwords: include_str!("../../data/entities/en/place_stopwords.txt"),
    },
];

/// What a matched name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Index into [`Lexicon::places`].
    Place(u32),
    /// Index into [`Lexicon::organizations`].
    Organization(u32),
    PersonTitle,
    OrgHead,
    PlaceHead,
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
#[error("cannot build the name automaton: {0}")]
pub struct LexiconError(String);

/// Gazetteer and tables with their automaton.
pub struct Lexicon {
    pub places: Vec<Place>,
    pub organizations: Vec<Organization>,
    /// Per automaton pattern: what it names.
    pub targets: Vec<Vec<Target>>,
    /// Pattern keys (lookup forms joined by spaces), parallel to `targets`.
    pub keys: Vec<String>,
    /// Keys of place names that alone do not make a location.
    pub place_stopwords: HashSet<String>,
    automaton: AhoCorasick,
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
        Lexicon::from_tables(parse_places(PLACES_TSV), TABLES)
    }

    /// A lexicon from the given places and tables.
    pub fn from_tables(places: Vec<Place>, tables: &[Tables]) -> Result<Lexicon, LexiconError> {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut keys: Vec<String> = Vec::new();
        let mut targets: Vec<Vec<Target>> = Vec::new();
        let mut add = |name: &str, target: Target| {
            let key = phrase_key(name);
            if key.is_empty() {
                return;
            }
            let i = *index.entry(key.clone()).or_insert_with(|| {
                keys.push(key);
                targets.push(Vec::new());
                targets.len() - 1
            });
            if !targets[i].contains(&target) {
                targets[i].push(target);
            }
        };
        for (i, place) in places.iter().enumerate() {
            for name in place.names() {
                add(name, Target::Place(i as u32));
            }
        }
        let mut organizations = Vec::new();
        let mut place_stopwords = HashSet::new();
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
                for alias in cols.next().into_iter().flat_map(|a| a.split('|')) {
                    add(alias, Target::Organization(i));
                }
            }
            for line in lines(t.person_titles) {
                add(line, Target::PersonTitle);
            }
            for line in lines(t.org_heads) {
                add(line, Target::OrgHead);
            }
            for line in lines(t.place_heads) {
                add(line, Target::PlaceHead);
            }
            place_stopwords.extend(lines(t.place_stopwords).map(phrase_key));
        }
        let patterns: Vec<String> = keys.iter().map(|k| format!(" {k} ")).collect();
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| LexiconError(e.to_string()))?;
        Ok(Lexicon {
            places,
            organizations,
            targets,
            keys,
            place_stopwords,
            automaton,
        })
    }

    /// Every name of the lexicon found in a run of tokens given by their
    /// lookup forms, overlapping ones included, in order of start token.
    pub fn hits<S: AsRef<str>>(&self, lookups: &[S]) -> Vec<Hit> {
        // " l0 l1 l2 ": a pattern " k " can only match whole tokens.
        let mut hay = String::with_capacity(lookups.len() * 8 + 1);
        let mut starts = Vec::with_capacity(lookups.len() + 1);
        hay.push(' ');
        for l in lookups {
            starts.push(hay.len() - 1);
            // A lookup form with a space inside would fake a token boundary.
            hay.extend(l.as_ref().chars().map(|c| if c == ' ' { '_' } else { c }));
            hay.push(' ');
        }
        starts.push(hay.len() - 1);
        let mut hits: Vec<Hit> = self
            .automaton
            .find_overlapping_iter(&hay)
            .filter_map(|m| {
                let start = starts.binary_search(&m.start()).ok()?;
                let end = starts.binary_search(&(m.end() - 1)).ok()?;
                (end > start).then_some(Hit {
                    start,
                    end,
                    key: m.pattern().as_u32(),
                })
            })
            .collect();
        hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        hits
    }

    /// What `hit` names.
    pub fn targets_of(&self, hit: &Hit) -> &[Target] {
        &self.targets[hit.key as usize]
    }

    /// The tagger's gazetteer and trigger marks for each token.
    pub fn marks<S: AsRef<str>>(&self, lookups: &[S]) -> Vec<Marks> {
        let mut marks = vec![Marks::default(); lookups.len()];
        // Longest name first, so a token inside `الولايات المتحدة` is marked
        // as part of the longer name.
        for hit in self.hits(lookups) {
            let mut gaz = 0u8;
            for t in self.targets_of(&hit) {
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
    /// candidate in a country already named in the article (`context`), then
    /// the most populous.
    pub fn resolve_place(&self, key: u32, context: &HashSet<String>) -> Option<&Place> {
        self.targets[key as usize]
            .iter()
            .filter_map(|t| match t {
                Target::Place(i) => self.places.get(*i as usize),
                _ => None,
            })
            .max_by_key(|p| {
                (
                    p.kind == PlaceKind::Country,
                    context.contains(&p.country),
                    p.kind == PlaceKind::City,
                    p.population,
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::normalize::word;

    fn lookups(s: &str) -> Vec<String> {
        s.split_whitespace().map(|w| word(w).lookup).collect()
    }

    fn lexicon() -> Lexicon {
        Lexicon::builtin().unwrap()
    }

    #[test]
    fn a_multiword_country_name_is_found_with_its_clitics() {
        let lex = lexicon();
        let toks = lookups("قالت وللولايات المتحدة إن");
        let hit = lex.hits(&toks).into_iter().find(|h| h.end - h.start == 2).unwrap();
        assert_eq!((hit.start, hit.end), (1, 3));
        let place = lex.resolve_place(hit.key, &HashSet::new()).unwrap();
        assert_eq!(place.country, "US");
    }

    #[test]
    fn spelling_variants_of_america_name_the_same_country() {
        let lex = lexicon();
        for variant in ["أميركا", "أمريكا", "الولايات المتحدة"] {
            let toks = lookups(variant);
            let hit = lex.hits(&toks).into_iter().next().unwrap();
            let place = lex.resolve_place(hit.key, &HashSet::new()).unwrap();
            assert_eq!(place.country, "US", "{variant}");
            assert_eq!(place.kind, PlaceKind::Country, "{variant}");
        }
    }

    #[test]
    fn aleppo_resolves_to_the_syrian_city() {
        let lex = lexicon();
        let toks = lookups("في حلب");
        let hit = lex.hits(&toks).into_iter().next().unwrap();
        let place = lex.resolve_place(hit.key, &HashSet::new()).unwrap();
        assert_eq!(place.geonames_id, Some(170063));
        assert!((place.lat.unwrap() - 36.2).abs() < 0.05);
        assert!((place.lon.unwrap() - 37.16).abs() < 0.05);
    }

    #[test]
    fn an_ambiguous_city_prefers_the_country_named_in_the_article() {
        let lex = lexicon();
        let toks = lookups("باريس");
        let hit = lex.hits(&toks).into_iter().next().unwrap();
        let no_context = lex.resolve_place(hit.key, &HashSet::new()).unwrap();
        assert_eq!(no_context.country, "FR", "the most populous wins alone");
        let us: HashSet<String> = ["US".to_string()].into_iter().collect();
        assert_eq!(lex.resolve_place(hit.key, &us).unwrap().country, "US");
    }

    #[test]
    fn names_only_match_whole_tokens() {
        let lex = lexicon();
        // `حلبة` (arena) contains `حلب` but is another word.
        let toks = lookups("حلبة");
        assert!(lex.hits(&toks).iter().all(|h| lex.keys[h.key as usize] != "حلب"));
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
    fn english_organisations_are_known_by_their_short_names() {
        let lex = lexicon();
        let toks = lookups("said AFP");
        let hit = lex.hits(&toks).into_iter().next().unwrap();
        assert!(matches!(lex.targets_of(&hit)[0], Target::Organization(_)));
    }
}
