//! Stages: the extraction steps every article passes through, in order.
//!
//! A stage is a small synchronous transformation of a [`Document`]; it knows
//! nothing of Kafka, tokio or metrics, so it tests as a plain function. The
//! worker pool (`pipeline/workers.rs`) runs the [`Chain`] on blocking threads.
//!
//! To add a stage: write `stages/<name>.rs` with a config struct and a type
//! implementing [`Stage`], add a variant to [`StageKind`] and a field to
//! [`StagesConfig`]; the compiler finds the one `build` match to extend.

mod clean;
mod dates;
pub mod dedup;
mod entities;
mod html;
mod id;
mod keywords;
mod language;
mod lexicon;
mod quotes;
mod structure;
mod summary;
mod themes;
mod tone;
mod word_count;

pub use clean::{Clean, CleanConfig};
pub use dates::{Dates, DatesConfig};
pub use dedup::{Dedup, DedupConfig};
pub use entities::{conll as entities_conll, Entities, EntitiesConfig};
pub use html::{extract as extract_html, layouts, BlockKind, Html, HtmlConfig};
pub use id::{Id, IdConfig};
pub use keywords::{document_terms, DfTable, Keywords, KeywordsConfig, DOCS_ROW, KEYWORDS_FIELD};
pub use language::{LanguageConfig, LanguageStage};
pub use lexicon::{PhraseLexicon, WordSet};
pub use quotes::{Quotes, QuotesConfig};
pub use structure::{Structure, StructureConfig};
pub use summary::{Summary, SummaryConfig};
pub use themes::{Themes, ThemesConfig};
pub use tone::{Tone, ToneConfig};
pub use word_count::{WordCount, WordCountConfig};

use crate::document::{Document, StageFailure};
use serde::{Deserialize, Serialize};
use std::panic::{catch_unwind, AssertUnwindSafe};
use thiserror::Error;

/// How a stage failed on one article.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum StageError {
    /// The article is marked (an `errors` entry) and the other stages still run.
    #[error("{0}")]
    Failed(String),
    /// The article cannot be processed at all: it goes to the dead-letter topic.
    #[error("{0}")]
    Fatal(String),
}

/// One extraction step.
///
/// Called by a worker thread once per article, in the configured order.
/// `Err(Failed)` marks the record and the chain goes on; `Err(Fatal)` sends the
/// message to the dead-letter topic. A panic is caught and treated as
/// `Failed`. Implementations must be cheap to share (`Sync`): models and
/// tables are loaded once in `build`, never per article.
pub trait Stage: Send + Sync {
    /// The stage's name, as written in config and in `errors[].stage`.
    fn name(&self) -> &'static str;
    /// Reads and enriches the document.
    fn apply(&self, doc: &mut Document) -> Result<(), StageError>;
}

/// The closed set of stages, as named in `pipeline.stages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    Id,
    Html,
    Clean,
    Language,
    Structure,
    Entities,
    Quotes,
    Dates,
    Keywords,
    Themes,
    Tone,
    Summary,
    Dedup,
    WordCount,
}

impl StageKind {
    /// Every stage the project has, in the order the default pipeline runs them.
    pub const ALL: &'static [StageKind] = &[
        StageKind::Id,
        StageKind::Html,
        StageKind::Clean,
        StageKind::Language,
        StageKind::Structure,
        StageKind::Entities,
        StageKind::Quotes,
        StageKind::Dates,
        StageKind::Keywords,
        StageKind::Themes,
        StageKind::Tone,
        StageKind::Summary,
        StageKind::Dedup,
        StageKind::WordCount,
    ];

    /// The config and log name of the stage.
    pub fn name(self) -> &'static str {
        match self {
            StageKind::Id => "id",
            StageKind::Html => "html",
            StageKind::Clean => "clean",
            StageKind::Language => "language",
            StageKind::Structure => "structure",
            StageKind::Entities => "entities",
            StageKind::Quotes => "quotes",
            StageKind::Dates => "dates",
            StageKind::Keywords => "keywords",
            StageKind::Themes => "themes",
            StageKind::Tone => "tone",
            StageKind::Summary => "summary",
            StageKind::Dedup => "dedup",
            StageKind::WordCount => "word_count",
        }
    }
}

/// Per-stage options: one table per stage under `[stages.<name>]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StagesConfig {
    pub id: IdConfig,
    pub html: HtmlConfig,
    pub clean: CleanConfig,
    pub language: LanguageConfig,
    pub structure: StructureConfig,
    pub entities: EntitiesConfig,
    pub quotes: QuotesConfig,
    pub dates: DatesConfig,
    pub keywords: KeywordsConfig,
    pub themes: ThemesConfig,
    pub tone: ToneConfig,
    pub summary: SummaryConfig,
    pub dedup: DedupConfig,
    pub word_count: WordCountConfig,
}

/// A stage whose options are invalid or whose data failed to load.
#[derive(Debug, Error)]
#[error("stage `{stage}`: {message}")]
pub struct BuildError {
    pub stage: &'static str,
    pub message: String,
}

/// A message the chain refused: it goes to the dead-letter topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub stage: String,
    pub message: String,
}

/// The configured stages, built once and shared by every worker.
pub struct Chain {
    stages: Vec<Box<dyn Stage>>,
}

impl Chain {
    /// Builds the stages named in `order` from their options.
    pub fn build(order: &[StageKind], config: &StagesConfig) -> Result<Chain, BuildError> {
        let stages = order
            .iter()
            .map(|kind| -> Result<Box<dyn Stage>, BuildError> {
                Ok(match kind {
                    StageKind::Id => Box::new(Id::new(&config.id)),
                    StageKind::Html => Box::new(Html::new(&config.html)),
                    StageKind::Clean => Box::new(Clean::new(&config.clean)),
                    StageKind::Language => Box::new(LanguageStage::new(&config.language)?),
                    StageKind::Structure => Box::new(Structure::new(&config.structure)),
                    StageKind::Entities => Box::new(Entities::new(&config.entities)?),
                    StageKind::Quotes => Box::new(Quotes::new(&config.quotes)?),
                    StageKind::Dates => Box::new(Dates::new(&config.dates)?),
                    StageKind::Keywords => Box::new(Keywords::new(&config.keywords)?),
                    StageKind::Themes => Box::new(Themes::new(&config.themes)?),
                    StageKind::Tone => Box::new(Tone::new(&config.tone)?),
                    StageKind::Summary => Box::new(Summary::new(&config.summary)),
                    StageKind::Dedup => Box::new(Dedup::new(&config.dedup)?),
                    StageKind::WordCount => Box::new(WordCount::new(&config.word_count)),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Chain { stages })
    }

    /// A chain of arbitrary stages (tests, benchmarks).
    pub fn from_stages(stages: Vec<Box<dyn Stage>>) -> Chain {
        Chain { stages }
    }

    /// Names of the stages in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|s| s.name()).collect()
    }

    /// Runs every stage on `doc`.
    ///
    /// A failing or panicking stage is recorded in `doc.errors` and the next
    /// stage runs; only a [`StageError::Fatal`] stops the chain.
    /// `on_stage` is told which stage is running (for time-limit reports).
    pub fn run(
        &self,
        doc: &mut Document,
        mut on_stage: impl FnMut(usize),
    ) -> Result<(), Rejection> {
        self.run_while(doc, |index| {
            on_stage(index);
            true
        })
        .map(|_| ())
    }

    /// [`Chain::run`], asking `go_on` before each stage whether to run it:
    /// once it answers `false`, no further stage runs and the run is
    /// [`Run::Abandoned`]. A worker whose article passed its time limit says
    /// so, so that the blocking thread stops after the stage at hand instead
    /// of running the rest of the chain for a record nobody will publish.
    pub fn run_while(
        &self,
        doc: &mut Document,
        mut go_on: impl FnMut(usize) -> bool,
    ) -> Result<Run, Rejection> {
        for (index, stage) in self.stages.iter().enumerate() {
            if !go_on(index) {
                return Ok(Run::Abandoned { before: index });
            }
            let result = catch_unwind(AssertUnwindSafe(|| stage.apply(doc)));
            let failure = match result {
                Ok(Ok(())) => continue,
                Ok(Err(StageError::Fatal(message))) => {
                    return Err(Rejection {
                        stage: stage.name().to_string(),
                        message,
                    })
                }
                Ok(Err(StageError::Failed(message))) => message,
                Err(panic) => format!("stage panicked: {}", panic_message(&*panic)),
            };
            doc.errors.push(StageFailure {
                stage: stage.name().to_string(),
                message: failure,
            });
        }
        Ok(Run::Finished)
    }
}

/// How far [`Chain::run_while`] went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// Every stage ran.
    Finished,
    /// Stopped before the stage of this index, which did not run.
    Abandoned { before: usize },
}

/// The text of a caught panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::RawArticle;

    struct Fails(StageError);
    impl Stage for Fails {
        fn name(&self) -> &'static str {
            "fails"
        }
        fn apply(&self, _: &mut Document) -> Result<(), StageError> {
            Err(self.0.clone())
        }
    }

    struct Panics;
    impl Stage for Panics {
        fn name(&self) -> &'static str {
            "panics"
        }
        fn apply(&self, _: &mut Document) -> Result<(), StageError> {
            panic!("boom on purpose")
        }
    }

    struct Counts;
    impl Stage for Counts {
        fn name(&self) -> &'static str {
            "counts"
        }
        fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
            doc.word_count = Some(doc.word_count.unwrap_or(0) + 1);
            Ok(())
        }
    }

    fn doc() -> Document {
        Document::new(
            RawArticle {
                body: Some("a b".into()),
                ..RawArticle::default()
            },
            None,
        )
    }

    #[test]
    fn a_failing_stage_marks_the_record_and_later_stages_still_run() {
        let chain = Chain::from_stages(vec![
            Box::new(Fails(StageError::Failed("no luck".into()))),
            Box::new(Counts),
        ]);
        let mut d = doc();
        chain.run(&mut d, |_| {}).unwrap();
        assert_eq!(d.errors.len(), 1);
        assert_eq!(d.errors[0].stage, "fails");
        assert_eq!(d.word_count, Some(1));
    }

    #[test]
    fn a_panicking_stage_is_caught_and_recorded() {
        let chain = Chain::from_stages(vec![Box::new(Panics), Box::new(Counts)]);
        let mut d = doc();
        chain.run(&mut d, |_| {}).unwrap();
        assert!(d.errors[0].message.contains("boom on purpose"));
        assert_eq!(d.word_count, Some(1));
    }

    #[test]
    fn a_run_told_to_stop_runs_no_further_stage() {
        let chain = Chain::from_stages(vec![Box::new(Counts), Box::new(Counts), Box::new(Counts)]);
        let mut d = doc();
        let run = chain.run_while(&mut d, |index| index < 1).unwrap();
        assert_eq!(run, Run::Abandoned { before: 1 });
        assert_eq!(d.word_count, Some(1), "only the first stage ran");
        let mut d = doc();
        assert_eq!(chain.run_while(&mut d, |_| true), Ok(Run::Finished));
        assert_eq!(d.word_count, Some(3));
    }

    #[test]
    fn a_fatal_stage_error_rejects_the_message() {
        let chain = Chain::from_stages(vec![
            Box::new(Fails(StageError::Fatal("cannot".into()))),
            Box::new(Counts),
        ]);
        let mut d = doc();
        let rejection = chain.run(&mut d, |_| {}).unwrap_err();
        assert_eq!(rejection.stage, "fails");
        assert_eq!(d.word_count, None);
    }

    #[test]
    fn the_default_order_names_every_stage() {
        let chain = Chain::build(StageKind::ALL, &StagesConfig::default()).unwrap();
        let names: Vec<_> = StageKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(chain.names(), names);
    }
}
