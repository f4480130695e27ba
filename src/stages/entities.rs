//! The `entities` stage: people, organisations and places of an article,
//! one object per entity with all its mentions, places linked to GeoNames.
//!
//! Runs after `structure` (it reads the shared [`crate::text::Analysis`]) and
//! before `quotes` (which names speakers by these entities). Per sentence:
//! 1. The trained tagger ([`crate::entities::tagger`]; an English model
//!    for English) proposes spans; English adds capitalised runs typed by
//!    the rule tables (titles, organisation and place heads) and the
//!    gazetteer where the model found nothing.
//! 2. The lexicon adds what the tagger left out: named organisations and
//!    agencies of the tables, countries, regions and large cities.
//! 3. Mentions are grouped per article (same name, a surname or short form
//!    of a longer name, the same place under another name, an alias of a
//!    table organisation); a person's title before the name becomes `role`.
//! 4. Places are linked: countries get their ISO code, cities `geo`
//!    (GeoNames id, coordinates, country); ambiguous names prefer a country
//!    the article names, then the most populous place.
//!
//! Caption and heading paragraphs are processed too: their mentions are real.
//! In a dateline the `structure` stage found (`سبق- الرياض:`), the place is
//! a location when the gazetteer knows it, whatever the tagger said
//! (`الرياض` is also a newspaper), and the agency an organisation.

use super::structure::DATELINE_FIELD;
use super::{BuildError, Stage, StageError};
use crate::document::{Document, Entity, Mention};
use crate::entities::conll::spans as bio_spans;
use crate::entities::features::TokenView;
use crate::entities::gazetteer::{Place, PlaceKind};
use crate::entities::history::History;
use crate::entities::lexicon::{Hit, Lexicon, Target};
use crate::entities::model::Model;
use crate::entities::normalize::{has_article, is_arabic_letter, word_of_stripped};
use crate::entities::tagger::{Tagger, BUILTIN_ENGLISH_MODEL};
use crate::text::Token;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::sync::Arc;

/// Link field names on an entity.
pub const ROLE_FIELD: &str = "role";
pub const GEO_FIELD: &str = "geo";
pub const COUNTRY_FIELD: &str = "country";

/// A sentence longer than this many tokens is tagged in pieces of it. The
/// per-sentence rules compare spans with spans and with table names, so one
/// run-on "sentence" of 100,000 tokens (a list, a table, text without full
/// stops) would take minutes; real sentences are far shorter (the longest
/// of ANERcorp's training split has 732 tokens).
pub const MAX_SENTENCE_TOKENS: usize = 1_000;

/// Options of the `entities` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct EntitiesConfig {
    /// A tagger model file to use instead of the built-in one.
    pub model: Option<PathBuf>,
    /// An English tagger model file instead of the built-in one.
    pub english_model: Option<PathBuf>,
    /// Smallest city the gazetteer names at all: a city below it is never
    /// a place of the tables (neither added nor widening the tagger's).
    pub min_city_population: u64,
    /// A one-word city the tagger did not tag is added from the gazetteer
    /// alone only from this population on (`القاهرة`, not `ليل` Lille);
    /// longer city names from `min_city_population`, countries always.
    /// Regions are never added alone, only over a place the tagger found
    /// (`منطقة الرياض`): their names are too often common words (`صباح`,
    /// `الشمال`, `جنوب`).
    pub min_single_word_city_population: u64,
    /// Tokens of an article looked at; the rest is skipped (bounds the work
    /// on huge inputs).
    pub max_tokens: usize,
}

impl Default for EntitiesConfig {
    fn default() -> Self {
        EntitiesConfig {
            model: None,
            english_model: None,
            min_city_population: 100_000,
            min_single_word_city_population: 1_000_000,
            max_tokens: 200_000,
        }
    }
}

/// The stage, with the tagger and lexicon loaded once.
pub struct Entities {
    tagger: Arc<Tagger>,
    /// The English model (same features and lexicon as the Arabic one).
    english: Arc<Model>,
    /// English: add the capitalised-run rules where the model found nothing.
    english_rules: bool,
    /// English: a surname alone is the person named in full elsewhere.
    english_consistency: bool,
    /// English rules: an unknown run of capitalised words is a person.
    english_guesses: bool,
    config: EntitiesConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Person,
    Organization,
    Location,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Organization => "organization",
            Kind::Location => "location",
        }
    }
    fn from_conll(t: &str) -> Option<Kind> {
        match t {
            "PER" => Some(Kind::Person),
            "ORG" => Some(Kind::Organization),
            "LOC" => Some(Kind::Location),
            _ => None,
        }
    }
}

/// A typed span of tokens of one sentence.
#[derive(Debug, Clone)]
struct Span {
    start: usize,
    end: usize,
    kind: Kind,
}

/// What the tables make of a name they know.
struct TableName {
    kind: Kind,
    /// Taken where the tagger found nothing (organisations, countries, big
    /// cities, longer city names); otherwise only over a place the tagger
    /// found (`منطقة الرياض`).
    alone: bool,
}

/// A mention found in the article.
#[derive(Debug, Clone)]
struct Found {
    kind: Kind,
    start: usize,
    end: usize,
    text: String,
    /// Lookup forms of its words.
    keys: Vec<String>,
    /// Folded forms of its words.
    words: Vec<String>,
    role: Option<String>,
    /// Characters and bytes of a conjunction or preposition on the first word
    /// (see [`clitic_chars`]), cut off when [`Entities::trim_clitics`] finds
    /// the stem is the name.
    cut: (usize, usize),
    first_folded: String,
    /// `first_folded` without its proclitics.
    stem: String,
}

impl Entities {
    /// Loads the model (built-in or `config.model`) and the tables.
    pub fn new(config: &EntitiesConfig) -> Result<Entities, BuildError> {
        let tagger = match &config.model {
            Some(path) => Tagger::from_file(path),
            None => Tagger::builtin(),
        }
        .map_err(|e| BuildError {
            stage: "entities",
            message: e.to_string(),
        })?;
        let english = match &config.english_model {
            Some(path) => std::fs::read(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
                .and_then(|b| Model::from_bytes(&b).map_err(|e| e.to_string())),
            None => Model::from_bytes(BUILTIN_ENGLISH_MODEL).map_err(|e| e.to_string()),
        }
        .map_err(|message| BuildError {
            stage: "entities",
            message,
        })?;
        Ok(Entities {
            tagger: Arc::new(tagger),
            english: Arc::new(english),
            english_rules: true,
            english_consistency: true,
            // Chosen by cross-validation on GUM's training documents
            // (`gum_cross_validation` in the tests): the model finds the
            // people the guess found, without its false ones.
            english_guesses: false,
            config: config.clone(),
        })
    }

    fn lexicon(&self) -> &Lexicon {
        &self.tagger.lexicon
    }

    /// The entities of a text (`english` picks the English model and
    /// capitalisation rules instead of the Arabic tagger and rules).
    pub fn extract(
        &self,
        text: &str,
        analysis: &crate::text::Analysis,
        english: bool,
    ) -> Vec<Entity> {
        self.extract_with(text, analysis, english, &DatelineNames::default())
    }

    /// [`Entities::extract`] with the names of the article's dateline.
    fn extract_with(
        &self,
        text: &str,
        analysis: &crate::text::Analysis,
        english: bool,
        dateline: &DatelineNames,
    ) -> Vec<Entity> {
        let mut budget = self.config.max_tokens;
        let mut sentences = Vec::new();
        // The article is the tagger's document (prediction history).
        let mut memory = History::new();
        let pieces = (0..analysis.sentences.len())
            .flat_map(|si| analysis.tokens_of(si).chunks(MAX_SENTENCE_TOKENS));
        // `chunks` yields no empty piece, so an empty sentence is skipped.
        for toks in pieces {
            if toks.len() > budget {
                break;
            }
            budget -= toks.len();
            let forms: Vec<&str> = toks
                .iter()
                .map(|t| text.get(t.byte_start..t.byte_end).unwrap_or(""))
                .collect();
            let (views, mut spans) = self.sentence(toks, &forms, english, &mut memory);
            if let Some(range) = dateline.place {
                self.dateline_place(toks, &views, &mut spans, range);
            }
            if let Some(range) = dateline.agency {
                dateline_agency(toks, &mut spans, range);
            }
            sentences.push((toks, views, spans));
        }
        if !english || self.english_consistency {
            consistent_persons(self.lexicon(), &mut sentences);
        }
        let mut found = Vec::new();
        for (toks, views, spans) in sentences {
            self.found(text, toks, &views, spans, &mut found);
        }
        self.group(found)
    }

    /// Makes the tokens of a dateline's place (`range`, chars) a location
    /// when they are exactly a gazetteer place, replacing the spans over
    /// them.
    fn dateline_place(
        &self,
        toks: &[Token],
        views: &[TokenView],
        spans: &mut Vec<Span>,
        range: (usize, usize),
    ) {
        let inside: Vec<usize> = (0..toks.len())
            .filter(|&i| toks[i].start >= range.0 && toks[i].end <= range.1)
            .collect();
        let (Some(&first), Some(&last)) = (inside.first(), inside.last()) else {
            return;
        };
        let lex = self.lexicon();
        let lookups: Vec<&str> = views[first..=last]
            .iter()
            .map(|v| v.word.lookup.as_str())
            .collect();
        let place = lex.hits(&lookups).into_iter().any(|h| {
            h.start == 0
                && h.end == lookups.len()
                && lex
                    .targets_of(&h)
                    .iter()
                    .any(|t| matches!(t, Target::Place(_)))
        });
        if place {
            replace_spans(spans, first, last + 1, Kind::Location);
        }
    }

    /// The views of a sentence's tokens and the spans found in it.
    fn sentence(
        &self,
        toks: &[Token],
        forms: &[&str],
        english: bool,
        memory: &mut History,
    ) -> (Vec<TokenView>, Vec<Span>) {
        let lex = self.lexicon();
        // The text layer has folded the tokens already.
        let words = toks
            .iter()
            .map(|t| word_of_stripped(t.folded(), t.prefix().len()))
            .collect();
        let (views, hits) = Tagger::views_of_words(lex, forms, words);
        let model = if english {
            &*self.english
        } else {
            &self.tagger.model
        };
        let mut spans: Vec<Span> = {
            let tags: Vec<&str> = Tagger::tag_views_in(model, &views, memory)
                .into_iter()
                .map(|i| model.bio_tag(i))
                .collect();
            bio_spans(&tags)
                .into_iter()
                .filter_map(|(s, e, t)| {
                    Some(Span {
                        start: s,
                        end: e,
                        kind: Kind::from_conll(&t)?,
                    })
                })
                .collect()
        };
        if !english {
            opening_org_heads(lex, &views, &hits, &mut spans);
            titled_persons(lex, &views, &mut spans);
        } else if self.english_rules {
            for r in english_spans(lex, &views, forms, self.english_guesses) {
                if !spans.iter().any(|s| s.start < r.end && r.start < s.end) {
                    spans.push(r);
                }
            }
        }
        // What the tables know and the tagger left out.
        for hit in &hits {
            let uppercase = forms[hit.start]
                .chars()
                .next()
                .is_some_and(char::is_uppercase);
            if english && !uppercase {
                continue;
            }
            let Some(TableName { kind, alone }) = self.table_kind(hit, &views, english) else {
                continue;
            };
            let overlapping: Vec<usize> = (0..spans.len())
                .filter(|&i| spans[i].start < hit.end && hit.start < spans[i].end)
                .collect();
            let inside = overlapping
                .iter()
                .all(|&i| spans[i].start >= hit.start && spans[i].end <= hit.end);
            let equal = overlapping
                .iter()
                .any(|&i| spans[i].start == hit.start && spans[i].end == hit.end);
            // A longer name of the tables over the tagger's: an organisation
            // over anything inside it, a place over places (`مكة` in
            // `بمكة المكرمة`).
            let widens = !overlapping.is_empty()
                && inside
                && !equal
                && (kind == Kind::Organization
                    || (kind == Kind::Location
                        && overlapping.iter().all(|&i| spans[i].kind == Kind::Location)));
            // In English, a known organisation (`Reuters`, `NATO`) the
            // model took for a person is the organisation: capitalised
            // agency names look like surnames to it.
            if english && kind == Kind::Organization {
                if let [i] = overlapping[..] {
                    if equal && spans[i].kind == Kind::Person {
                        spans[i].kind = Kind::Organization;
                        continue;
                    }
                }
            }
            if (overlapping.is_empty() && alone) || widens {
                for i in overlapping.into_iter().rev() {
                    spans.remove(i);
                }
                spans.push(Span {
                    start: hit.start,
                    end: hit.end,
                    kind,
                });
            }
        }
        (views, spans)
    }

    /// The mentions of a sentence's spans.
    fn found(
        &self,
        text: &str,
        toks: &[Token],
        views: &[TokenView],
        mut spans: Vec<Span>,
        found: &mut Vec<Found>,
    ) {
        let lex = self.lexicon();
        spans.sort_by_key(|s| s.start);
        for span in spans {
            let role = if span.kind == Kind::Person {
                role_before(lex, views, text, toks, span.start)
            } else {
                None
            };
            let first = &toks[span.start];
            let last = &toks[span.end - 1];
            let Some(mention_text) = text.get(first.byte_start..last.byte_end) else {
                continue;
            };
            let v = &views[span.start];
            found.push(Found {
                kind: span.kind,
                start: first.start,
                end: last.end,
                text: mention_text.to_string(),
                cut: clitic_chars(
                    text.get(first.byte_start..first.byte_end).unwrap_or(""),
                    &v.word.prefix,
                ),
                first_folded: v.word.folded.to_string(),
                stem: v
                    .word
                    .folded
                    .get(v.word.prefix.len()..)
                    .unwrap_or("")
                    .to_string(),
                words: views[span.start..span.end]
                    .iter()
                    .map(|v| v.word.folded.to_string())
                    .collect(),
                keys: views[span.start..span.end]
                    .iter()
                    .filter(|v| {
                        !v.word.lookup.is_empty()
                            && v.word.lookup.chars().any(char::is_alphanumeric)
                    })
                    .map(|v| v.word.lookup.to_string())
                    .collect(),
                role,
            });
        }
    }

    /// What a lexicon hit is, if anything: a table organisation or a place
    /// that is not a common word (a city only above the population
    /// threshold), in Arabic a one-word name only when the text's word has
    /// the article exactly when the name has (`الرياض`, not `رياض`;
    /// `الجزيرة` the channel, not `جزيرة`), and whether
    /// it stands alone (see `EntitiesConfig::min_single_word_city_population`).
    fn table_kind(
        &self,
        hit: &crate::entities::lexicon::Hit,
        views: &[TokenView],
        english: bool,
    ) -> Option<TableName> {
        let lex = self.lexicon();
        let key = &lex.keys[hit.key as usize];
        let single = hit.end - hit.start == 1;
        let v = &views[hit.start];
        // Arabic, one word: the text's word and the table's name disagree on
        // the article (`الجزيرة` the channel, `جزيرة` an island).
        let article_differs =
            |name_has: bool| !english && single && has_article(&v.word.prefix) != name_has;
        lex.targets_of(hit).iter().find_map(|t| match t {
            Target::Organization(_) => {
                if article_differs(lex.target_has_article(hit.key, *t)) {
                    return None;
                }
                Some(TableName {
                    kind: Kind::Organization,
                    alone: true,
                })
            }
            Target::Place(_) => {
                if lex.place_stopwords.contains(key) {
                    return None;
                }
                if single && lex.common_words.contains(v.word.folded.as_str()) {
                    return None;
                }
                let place = lex.resolve_place(hit.key, &FxHashSet::default())?;
                if place.kind == PlaceKind::City
                    && place.population < self.config.min_city_population
                {
                    return None;
                }
                if article_differs(lex.name_has_article(hit.key, place)) {
                    return None;
                }
                let alone = match place.kind {
                    PlaceKind::Country => true,
                    PlaceKind::Region => false,
                    PlaceKind::City => {
                        !single || place.population >= self.config.min_single_word_city_population
                    }
                };
                Some(TableName {
                    kind: Kind::Location,
                    alone,
                })
            }
            _ => None,
        })
    }

    /// Cuts a conjunction or preposition off a mention's first word when the
    /// rest is the name: a name of the tables (`بسوريا`), or a word standing
    /// alone in another mention (`وكيربي` beside `جون كيربي`); never when the
    /// whole word is itself a name of the tables (`واشنطن`).
    fn trim_clitics(&self, found: &mut [Found]) {
        let lex = self.lexicon();
        let words: FxHashSet<String> = found.iter().flat_map(|f| f.words.iter().cloned()).collect();
        for f in found.iter_mut() {
            if f.cut.0 == 0 || lex.surface_words.contains(&f.first_folded) {
                continue;
            }
            let stem_known = lex.surface_words.contains(&f.stem) || words.contains(&f.stem);
            if stem_known {
                if let Some(rest) = f.text.get(f.cut.1..) {
                    f.text = rest.to_string();
                    f.start += f.cut.0;
                }
            }
        }
    }

    /// Groups mentions into entities and links places.
    fn group(&self, mut found: Vec<Found>) -> Vec<Entity> {
        let lex = self.lexicon();
        found.retain(|f| !f.keys.is_empty());
        self.trim_clitics(&mut found);
        // Longest names first, so that short forms find them.
        let mut order: Vec<usize> = (0..found.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(found[i].keys.len()), found[i].start));
        // Each mention's name as a lexicon key, and the place it names
        // before the article's context is known, looked up once.
        let joined: Vec<String> = found.iter().map(|f| f.keys.join(" ")).collect();
        let key: Vec<Option<u32>> = joined.iter().map(|j| lex.key_index(j)).collect();
        let place_at: Vec<Option<&Place>> = found
            .iter()
            .zip(&key)
            .map(|(f, k)| {
                k.filter(|_| f.kind == Kind::Location)
                    .and_then(|k| lex.resolve_place(k, &FxHashSet::default()))
            })
            .collect();
        let org_of = |key: u32| -> Option<u32> {
            lex.targets_at(key).iter().find_map(|t| match t {
                Target::Organization(i) => Some(*i),
                _ => None,
            })
        };
        // Indexes, so that grouping stays linear in the number of mentions
        // (a huge article has tens of thousands).
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut by_name: FxHashMap<(Kind, String), usize> = FxHashMap::default();
        let mut by_place: FxHashMap<(Option<u32>, PlaceKind, String, String), usize> =
            FxHashMap::default();
        let mut by_org: FxHashMap<u32, usize> = FxHashMap::default();
        // First word of a multi-word name to the groups holding it (persons:
        // any word; organisations: the first).
        let mut by_word: FxHashMap<(Kind, String), Vec<usize>> = FxHashMap::default();
        for &i in &order {
            let f = &found[i];
            let place_id =
                place_at[i].map(|p| (p.geonames_id, p.kind, p.country.clone(), p.name_ar.clone()));
            let org = key[i]
                .filter(|_| f.kind == Kind::Organization)
                .and_then(org_of);
            let mut target = by_name.get(&(f.kind, joined[i].clone())).copied();
            if target.is_none() {
                target = match f.kind {
                    Kind::Person => by_word.get(&(f.kind, f.keys[0].clone())).and_then(|gs| {
                        gs.iter().copied().find(|&g| {
                            groups[g]
                                .iter()
                                .any(|&j| contains_run(&found[j].keys, &f.keys))
                        })
                    }),
                    Kind::Location => place_id.as_ref().and_then(|id| by_place.get(id).copied()),
                    Kind::Organization => org.and_then(|o| by_org.get(&o).copied()).or_else(|| {
                        if f.keys.len() < 2 {
                            return None;
                        }
                        by_word.get(&(f.kind, f.keys[0].clone())).and_then(|gs| {
                            gs.iter().copied().find(|&g| {
                                groups[g]
                                    .iter()
                                    .any(|&j| found[j].keys.starts_with(&f.keys))
                            })
                        })
                    }),
                };
            }
            let g = match target {
                Some(g) => {
                    groups[g].push(i);
                    g
                }
                None => {
                    groups.push(vec![i]);
                    groups.len() - 1
                }
            };
            by_name.entry((f.kind, joined[i].clone())).or_insert(g);
            if let Some(id) = place_id {
                by_place.entry(id).or_insert(g);
            }
            if let Some(o) = org {
                by_org.entry(o).or_insert(g);
            }
            if f.keys.len() >= 2 {
                let words: Vec<&String> = match f.kind {
                    Kind::Person => f.keys.iter().collect(),
                    _ => f.keys.iter().take(1).collect(),
                };
                for w in words {
                    let list = by_word.entry((f.kind, w.clone())).or_default();
                    if !list.contains(&g) && list.len() < 64 {
                        list.push(g);
                    }
                }
            }
        }
        // Countries the article names, for resolving ambiguous cities.
        let context: FxHashSet<String> = place_at
            .iter()
            .flatten()
            .filter(|p| p.kind == PlaceKind::Country)
            .map(|p| p.country.clone())
            .collect();
        // Countries of the article's places that are not common words.
        let is_common = |i: usize| lex.place_stopwords.contains(&joined[i]);
        let located_in: FxHashSet<&str> = (0..found.len())
            .filter(|&i| !is_common(i))
            .filter_map(|i| place_at[i])
            .map(|p| p.country.as_str())
            .collect();
        let mut entities: Vec<(usize, Entity)> = groups
            .into_iter()
            .map(|mut g| {
                g.sort_by_key(|&i| found[i].start);
                let fullest = g
                    .iter()
                    .copied()
                    .max_by_key(|&i| (found[i].keys.len(), std::cmp::Reverse(found[i].start)))
                    .unwrap_or(g[0]);
                let kind = found[fullest].kind;
                let mut links = Map::new();
                if let Some(role) = g.iter().find_map(|&i| found[i].role.clone()) {
                    links.insert(ROLE_FIELD.into(), Value::String(role));
                }
                if kind == Kind::Location {
                    let place = g.iter().find_map(|&i| lex.resolve_place(key[i]?, &context));
                    // A place name that is also a common noun and carries
                    // the article (`المدينة`: Medina, or "the city", `العين`,
                    // `الوادي`) mostly is that noun, pointing back at a
                    // place named before; it is linked only in an article
                    // whose other places are in its country, or that has
                    // none: a wrong pin is worse than none. Without the
                    // article (`جدة`) the name is the reading news means.
                    let common_word = g.iter().all(|&i| {
                        let f = &found[i];
                        // `stem` is `first_folded` without its proclitics.
                        let proclitics = f.first_folded.strip_suffix(f.stem.as_str());
                        is_common(i) && f.words.len() == 1 && proclitics.is_some_and(has_article)
                    });
                    let fits = |p: &&Place| {
                        !common_word
                            || located_in.is_empty()
                            || located_in.contains(p.country.as_str())
                    };
                    if let Some(p) = place.filter(fits) {
                        link_place(p, &mut links);
                    }
                }
                let mentions = g
                    .iter()
                    .map(|&i| Mention {
                        text: found[i].text.clone(),
                        start: found[i].start,
                        end: found[i].end,
                    })
                    .collect();
                (
                    found[g[0]].start,
                    Entity {
                        name: found[fullest].text.clone(),
                        kind: kind.as_str().to_string(),
                        mentions,
                        links,
                    },
                )
            })
            .collect();
        entities.sort_by_key(|(start, _)| *start);
        entities.into_iter().map(|(_, e)| e).collect()
    }
}

fn link_place(p: &Place, links: &mut Map<String, Value>) {
    match p.kind {
        PlaceKind::City => {
            links.insert(
                GEO_FIELD.into(),
                json!({ "lat": p.lat, "lon": p.lon, "country": p.country, "geonames_id": p.geonames_id }),
            );
        }
        PlaceKind::Country | PlaceKind::Region => {
            links.insert(COUNTRY_FIELD.into(), Value::String(p.country.clone()));
        }
    }
}

/// Whether `short` occurs as a contiguous run of words in `long` (a surname
/// `كيربي` in `جون كيربي`, `الأسد` in `بشار الأسد`).
fn contains_run(long: &[String], short: &[String]) -> bool {
    short.len() < long.len() && long.windows(short.len()).any(|w| w == short)
}

/// Characters and bytes of `form` taken by the proclitics `prefix` that are
/// not the article (`و` of `وكيربي`, `وب` of `وبغداد`; nothing of `لل`).
fn clitic_chars(form: &str, prefix: &str) -> (usize, usize) {
    let strip = if let Some(p) = prefix.strip_suffix("ال") {
        p
    } else if prefix.ends_with("لل") {
        ""
    } else {
        prefix
    };
    let letters = strip.chars().count();
    if letters == 0 {
        return (0, 0);
    }
    // Walk the form's letters (diacritics after a letter go with it).
    let mut seen = 0;
    for (chars, (byte, c)) in form.char_indices().enumerate() {
        if is_arabic_letter(c) {
            if seen == letters {
                return (chars, byte);
            }
            seen += 1;
        }
    }
    (0, 0)
}

/// The title or role written just before a person's name (`وزير الخارجية
/// الروسي` before `سيرغي لافروف`), if any: a person-title phrase starting at
/// most four words before the name, with no punctuation in between.
fn role_before(
    lex: &Lexicon,
    views: &[TokenView],
    text: &str,
    toks: &[Token],
    name_start: usize,
) -> Option<String> {
    let from = name_start.saturating_sub(5);
    let mut title_start = None;
    for i in (from..name_start).rev() {
        let v = &views[i];
        if !v.word.folded.chars().any(char::is_alphanumeric) {
            break;
        }
        if v.marks.person_title {
            title_start = Some(i);
        }
    }
    let start = title_start?;
    let s = &toks[start];
    let e = &toks[name_start - 1];
    let v = &views[start];
    if lex.surface_words.contains(v.word.folded.as_str()) {
        return text.get(s.byte_start..e.byte_end).map(str::to_string);
    }
    let rest = text.get(s.byte_start..e.byte_end)?;
    if v.word.prefix.ends_with("لل") {
        // `للرئيس`: the role is `الرئيس`.
        let letters = v.word.prefix.chars().count();
        let skip = rest
            .char_indices()
            .filter(|(_, c)| is_arabic_letter(*c))
            .nth(letters)?
            .0;
        return Some(format!("ال{}", rest.get(skip..)?));
    }
    let skip = clitic_chars(rest, &v.word.prefix);
    rest.get(skip.1..).map(str::to_string)
}

/// The Arabic organisation-head rule: a head marked `opens` (`وزارة`)
/// followed by up to four words with a proclitic of
/// [`Lexicon::org_name_prefixes`] (the article alone, or after `ل` or `و`)
/// is an organisation (`وزارة الخارجية الأميركية`, `الهيئة
/// العامة للسياحة والآثار`), replacing what the tagger found inside it.
/// A head marked `widens` (`حركة`) does so only around a name of the
/// tagger among those words; a table organisation the head begins (`hits`:
/// `حزب الله`) ends the name.
fn opening_org_heads(lex: &Lexicon, views: &[TokenView], hits: &[Hit], spans: &mut Vec<Span>) {
    for i in 0..views.len() {
        if !views[i].marks.org_head
            || !lex
                .opening_org_heads
                .contains(views[i].word.lookup.as_str())
        {
            continue;
        }
        if spans.iter().any(|s| s.start < i && i < s.end) {
            continue;
        }
        let mut j = i + 1;
        while j < views.len() && j - i <= 4 {
            // `للسياحة` goes on with the name, `بالأسلحة` ends it (the table
            // is `data/entities/ar/org_name_prefixes.txt`).
            let goes_on = lex
                .org_name_prefixes
                .contains(views[j].word.prefix.as_str());
            if !goes_on || lex.name_breakers.contains(views[j].word.lookup.as_str()) {
                break;
            }
            j += 1;
        }
        // A table organisation the head begins is the whole name: `حزب الله
        // اللبناني` is `حزب الله`, described.
        let table_end = hits
            .iter()
            .filter(|h| h.start == i && h.end > i + 1 && h.end < j)
            .filter(|h| {
                lex.targets_of(h)
                    .iter()
                    .any(|t| matches!(t, Target::Organization(_)))
            })
            .map(|h| h.end)
            .max();
        let j = table_end.unwrap_or(j);
        if j == i + 1 {
            continue;
        }
        // A head that is also a common noun (`حركة القمر`, the moon's
        // motion) needs a name of the tagger among the words it takes.
        let widens_only = lex
            .widening_org_heads
            .contains(views[i].word.lookup.as_str());
        if widens_only && !spans.iter().any(|s| s.start > i && s.start < j) {
            continue;
        }
        spans.retain(|s| s.end <= i || s.start >= j);
        spans.push(Span {
            start: i,
            end: j,
            kind: Kind::Organization,
        });
    }
}

/// Document-level consistency for people: a word that is the last word
/// (the surname) of a person's name of two words or more somewhere in the
/// article is a mention of that person where it stands alone and untagged
/// (`وأضاف كيربي` after `جون كيربي`) or tagged alone as another type
/// (when the tables know the word, no more often than it ends a name),
/// unless it is a frequent word, has the article, or is a title or a
/// gazetteer name.
fn consistent_persons(lex: &Lexicon, sentences: &mut [(&[Token], Vec<TokenView>, Vec<Span>)]) {
    // Per surname, how many names it ends.
    let mut surnames: FxHashMap<&str, usize> = FxHashMap::default();
    for (_, views, spans) in sentences.iter() {
        for s in spans {
            if s.kind == Kind::Person && s.end - s.start >= 2 {
                let last = &views[s.end - 1].word;
                // (`كيربي` is stripped to `يربي` like every `ك` word: keys
                // are only compared with keys.)
                let article = has_article(&last.prefix);
                // A name the tagger cut after a linker (`وسعيد ولد`) has
                // no surname.
                if !article && !is_linker(lex, &last.folded) && last.lookup.chars().count() >= 3 {
                    *surnames.entry(last.lookup.as_str()).or_default() += 1;
                }
            }
        }
    }
    if surnames.is_empty() {
        return;
    }
    let mut added: Vec<(usize, Span)> = Vec::new();
    // (sentence, span, surname, whether the tables name a place or an
    // organisation with the word).
    let mut retyped: Vec<(usize, usize, &str, bool)> = Vec::new();
    // Per surname, how often the tagger gave it alone another type.
    let mut other: FxHashMap<&str, usize> = FxHashMap::default();
    for (si, (_, views, spans)) in sentences.iter().enumerate() {
        for (i, v) in views.iter().enumerate() {
            let w = &v.word;
            if !surnames.contains_key(w.lookup.as_str())
                || has_article(&w.prefix)
                || lex.common_words.contains(w.folded.as_str())
                || v.marks.person_title
                || v.marks.gaz != 0
            {
                continue;
            }
            match spans.iter().position(|s| s.start <= i && i < s.end) {
                // The tagger's other type for the surname alone
                // (`لافروف:` at a sentence start read as a place) loses
                // to the full name: one sense per article.
                Some(k) if spans[k].start == i && spans[k].end == i + 1 => {
                    let known = lex.surface_words.contains(w.folded.as_str());
                    retyped.push((si, k, w.lookup.as_str(), known));
                    *other.entry(w.lookup.as_str()).or_default() += 1;
                }
                Some(_) => {}
                None => added.push((
                    si,
                    Span {
                        start: i,
                        end: i + 1,
                        kind: Kind::Person,
                    },
                )),
            }
        }
    }
    // Unless the word is in a name of the tables and the other type is its
    // usual sense in the article: the tagger's `متمردو دارفور` (Darfur's
    // rebels) as a person does not make `دارفور` (in `جنوب دارفور`), a
    // place seven times, a person; `لافروف:` read twice as a place still
    // becomes `سيرغي لافروف`.
    let retyped: Vec<(usize, usize)> = retyped
        .into_iter()
        .filter(|&(_, _, word, known)| !known || other.get(word) <= surnames.get(word))
        .map(|(si, k, _, _)| (si, k))
        .collect();
    for (si, k) in retyped {
        sentences[si].2[k].kind = Kind::Person;
    }
    for (si, span) in added {
        sentences[si].2.push(span);
    }
}

/// A word that joins the parts of a name (`بن`, `عبد`; the table is
/// `data/entities/ar/name_linkers.txt`), by its folded form.
fn is_linker(lex: &Lexicon, folded: &str) -> bool {
    lex.name_linkers.contains(folded)
}

/// The most words of a name announced by a title (`رياض حجاب`,
/// `محمد بن سلمان`).
const MAX_TITLED_NAME: usize = 3;

/// The Arabic title rule: a person title (`منسق`, `الرئيس`), then at most
/// four words of its complement, each with the article (`المعارضة
/// السورية`), then two or three words without the article that are given
/// names or surnames of the word table and not frequent words, titles or
/// heads: a person (`منسق المعارضة السورية رياض حجاب`). The name ends at
/// the first word with the article (`الاثنين`), a conjunction, punctuation
/// or a frequent word; the linkers ([`is_linker`]) continue it. Only where
/// the tagger found no person: its other spans inside the name are
/// replaced, a name overlapping any other is left alone.
fn titled_persons(lex: &Lexicon, views: &[TokenView], spans: &mut Vec<Span>) {
    let with_article = |v: &TokenView| has_article(&v.word.prefix);
    let mut i = 0;
    while i < views.len() {
        if !views[i].marks.person_title {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < views.len() && views[j].marks.person_title {
            j += 1;
        }
        let complement_end = (j + 4).min(views.len());
        while j < complement_end && with_article(&views[j]) && views[j].marks.gaz != b'P' {
            j += 1;
        }
        let start = j;
        while j < views.len() && j - start < MAX_TITLED_NAME {
            let v = &views[j];
            let linker = is_linker(lex, &v.word.folded);
            let plain = v.word.prefix.is_empty()
                && v.word.folded.chars().count() >= 2
                && v.word.folded.chars().all(is_arabic_letter)
                && !lex.common_words.contains(v.word.folded.as_str())
                && !v.marks.person_title
                && !v.marks.org_head
                && !v.marks.place_head;
            // The article only inside a compound name (`عبد الله`).
            let after_linker = j > start
                && lex
                    .compound_linkers
                    .contains(views[j - 1].word.folded.as_str());
            if !(plain || linker || (after_linker && with_article(v))) {
                break;
            }
            j += 1;
        }
        // A name does not end on a linker.
        while j > start && is_linker(lex, &views[j - 1].word.folded) {
            j -= 1;
        }
        // A title announces a full name: a one-word person of the tagger
        // right after it takes the plain word that follows when the two
        // are the whole name (`منسق المعارضة السورية رياض حجاب` where the
        // tagger saw only `رياض`); three words could be two people.
        // Every word a given name or surname of the word table, a linker
        // or the article word after `عبد`: after a title, `شيراك سيقرر`
        // (Chirac will decide) and `اتصالا تليفونيا` (a phone call) are
        // plain words, no name.
        let name_words = views[start..j]
            .iter()
            .all(|v| is_linker(lex, &v.word.folded) || with_article(v) || v.keys.is_name_unit());
        if j - start == 2 && name_words {
            let alone = |s: &Span| s.start < j && start < s.end;
            if spans.iter().filter(|s| alone(s)).count() == 1 {
                if let Some(s) = spans
                    .iter_mut()
                    .find(|s| s.kind == Kind::Person && s.start == start && s.end == start + 1)
                {
                    s.end = j;
                    i = j;
                    continue;
                }
            }
        }
        if j - start >= 2 && name_words {
            // The tagger's persons win (it tells `فرانسوا هولاند` from
            // `رياض حجاب` after it); its other spans only inside the name.
            let keep = spans.iter().any(|s| {
                s.start < j
                    && start < s.end
                    && (s.kind == Kind::Person || s.start < start || s.end > j)
            });
            if !keep {
                spans.retain(|s| s.end <= start || s.start >= j);
                spans.push(Span {
                    start,
                    end: j,
                    kind: Kind::Person,
                });
            }
        }
        i = j.max(i + 1);
    }
}

/// English: runs of capitalised words, typed by the tables; a run neither
/// begins nor ends with a frequent word (`The`, `On`, `Wednesday`). With
/// `guess`, a run of two or more words the tables know nothing about is a
/// person.
fn english_spans(lex: &Lexicon, views: &[TokenView], forms: &[&str], guess: bool) -> Vec<Span> {
    let common = |i: usize| lex.common_words.contains(views[i].word.folded.as_str());
    let cap = |i: usize| {
        forms[i]
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() && !is_arabic_letter(c))
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < forms.len() {
        if !cap(i) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < forms.len() && (cap(j) || (forms[j] == "of" && j + 1 < forms.len() && cap(j + 1)))
        {
            j += 1;
        }
        let next = j;
        while j > i && common(j - 1) {
            j -= 1;
        }
        // Leading frequent words and titles (`President`, `Mr.`); a title
        // announces a person.
        let mut b = i;
        while b < j && common(b) {
            b += 1;
        }
        let mut s = b;
        while s < j && views[s].marks.person_title {
            s += 1;
        }
        let titled = s > b || (b > 0 && views[b - 1].marks.person_title);
        if s < j {
            let run = &views[s..j];
            let kind = if run.iter().any(|v| v.marks.org_head) {
                Some(Kind::Organization)
            } else if run.iter().any(|v| v.marks.place_head)
                || run.iter().all(|v| v.marks.gaz == b'L')
            {
                Some(Kind::Location)
            } else if run.iter().all(|v| v.marks.gaz == b'O') {
                Some(Kind::Organization)
            } else if titled || (guess && j - s >= 2 && run.iter().all(|v| v.marks.gaz == 0)) {
                Some(Kind::Person)
            } else {
                None
            };
            if let Some(kind) = kind {
                out.push(Span {
                    start: s,
                    end: j,
                    kind,
                });
            }
        }
        i = next;
    }
    out
}

impl Stage for Entities {
    fn name(&self) -> &'static str {
        "entities"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        let analysis = doc.analysis();
        let english = match doc.language.as_ref().map(|l| l.code.as_str()) {
            Some("en") => true,
            Some("ar") => false,
            _ => !doc.text.chars().any(is_arabic_letter),
        };
        let dateline = DatelineNames::of(doc);
        doc.entities = self.extract_with(&doc.text, &analysis, english, &dateline);
        Ok(())
    }
}

/// Where the names of the article's dateline (`structure`'s
/// `{place, agency, start, end}`) stand in `doc.text`, in chars.
#[derive(Debug, Default, PartialEq)]
struct DatelineNames {
    /// The place: its last occurrence inside the dateline.
    place: Option<(usize, usize)>,
    /// The agency: its first occurrence inside the dateline.
    agency: Option<(usize, usize)>,
}

impl DatelineNames {
    fn of(doc: &Document) -> DatelineNames {
        let Some(dateline) = doc.fields.get(DATELINE_FIELD) else {
            return DatelineNames::default();
        };
        let bound = |key: &str| {
            dateline
                .get(key)
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
        };
        let (Some(start), Some(end)) = (bound("start"), bound("end")) else {
            return DatelineNames::default();
        };
        let head: String = doc
            .text
            .chars()
            .skip(start)
            .take(end.saturating_sub(start))
            .collect();
        let at = |name: &str, last: bool| {
            let byte = if last {
                head.rfind(name)
            } else {
                head.find(name)
            }?;
            let from = start + head[..byte].chars().count();
            Some((from, from + name.chars().count()))
        };
        let name = |key: &str| {
            dateline
                .get(key)
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
        };
        DatelineNames {
            place: name("place").and_then(|p| at(p, true)),
            agency: name("agency").and_then(|a| at(a, false)),
        }
    }
}

/// Makes the tokens of a dateline's agency (`range`, chars) an
/// organisation, replacing the spans over them.
fn dateline_agency(toks: &[Token], spans: &mut Vec<Span>, range: (usize, usize)) {
    let mut inside =
        (0..toks.len()).filter(|&i| toks[i].start >= range.0 && toks[i].end <= range.1);
    let Some(first) = inside.next() else {
        return;
    };
    let last = inside.next_back().unwrap_or(first);
    replace_spans(spans, first, last + 1, Kind::Organization);
}

/// Puts a span of `kind` over tokens `start..end` in place of every span
/// overlapping them.
fn replace_spans(spans: &mut Vec<Span>, start: usize, end: usize, kind: Kind) {
    spans.retain(|s| s.end <= start || s.start >= end);
    spans.push(Span { start, end, kind });
}

pub mod conll;
#[cfg(test)]
mod tests;
