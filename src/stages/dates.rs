//! `dates`: temporal expressions in `text`, resolved against `published_at`.
//!
//! The finding and resolving is in `crate::dates` (tables under
//! `data/dates/`); this stage picks the anchor and the numeric date order
//! (month first for English text, day first otherwise) and fills `doc.dates`.

use super::{BuildError, Stage, StageError};
use crate::dates::{anchor_of, DateFinder, NumericOrder};
use crate::document::Document;
use crate::text::View;
use serde::{Deserialize, Serialize};

/// Options of the `dates` stage (none yet).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DatesConfig {}

/// The `dates` stage.
pub struct Dates {
    finder: DateFinder,
}

impl Dates {
    /// Loads the date tables.
    pub fn new(_: &DatesConfig) -> Result<Self, BuildError> {
        let finder = DateFinder::new().map_err(|e| BuildError {
            stage: "dates",
            message: e.to_string(),
        })?;
        Ok(Dates { finder })
    }
}

impl Stage for Dates {
    fn name(&self) -> &'static str {
        "dates"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        let anchor = doc.raw.published_at.as_deref().and_then(anchor_of);
        let order = match doc.language.as_ref().map(|l| l.code.as_str()) {
            Some("en") => NumericOrder::MonthFirst,
            _ => NumericOrder::DayFirst,
        };
        // The shared analysis, computed once per document (usually by
        // `structure`) and cached.
        let analysis = doc.analysis();
        let view = View::new(&doc.text, &analysis);
        doc.dates = self.finder.find(&view, anchor, order);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::RawArticle;

    fn doc(text: &str, published_at: Option<&str>) -> Document {
        let mut d = Document::new(
            RawArticle {
                published_at: published_at.map(String::from),
                ..RawArticle::default()
            },
            None,
        );
        d.text = text.into();
        d
    }

    #[test]
    fn resolves_weekdays_against_published_at() {
        let stage = Dates::new(&DatesConfig::default()).unwrap();
        let mut d = doc("قال لافروف الاثنين إن", Some("2016-12-12T18:00:00Z"));
        stage.apply(&mut d).unwrap();
        assert_eq!(d.dates.len(), 1);
        assert_eq!(d.dates[0].value.as_deref(), Some("2016-12-12"));
        assert_eq!((d.dates[0].start, d.dates[0].end), (11, 18));
    }

    #[test]
    fn without_published_at_relative_dates_are_null_and_absolute_ones_resolve() {
        let stage = Dates::new(&DatesConfig::default()).unwrap();
        let mut d = doc("أمس، 12 ديسمبر 2016", None);
        stage.apply(&mut d).unwrap();
        let values: Vec<_> = d.dates.iter().map(|m| m.value.as_deref()).collect();
        assert_eq!(values, vec![None, Some("2016-12-12")]);
    }
}
