//! `train-ner`, `build-gazetteers`, `tag` and `eval-ner`: the entity tagger's
//! training and evaluation commands (`eval-ner --stage` scores the whole
//! entity stage).

use crate::cli::{EvalNerArgs, GumDocuments, NerFeatures, NerTagging, TrainNerArgs, WordsLanguage};
use crate::config::Config;
use crate::entities::conll::{self, Score, Sentence};
use crate::entities::features::FeatureSet;
use crate::entities::gazetteer;
use crate::entities::gum;
use crate::entities::history::History;
use crate::entities::lexicon::Lexicon;
use crate::entities::tagger::Tagger;
use crate::entities::train::{self, Recipe, TrainOptions};
use crate::entities::words;
use crate::stages::{entities_conll, Chain, StageKind};
use anyhow::Context;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The labelled sentences of a CoNLL file, or of the chosen documents of a
/// directory of GUM CoNLL-U files, one list per document (a CoNLL file is
/// one document).
fn read_documents(path: &Path, documents: GumDocuments) -> anyhow::Result<Vec<Vec<Sentence>>> {
    if path.is_dir() {
        let docs =
            gum::read_dir(path).with_context(|| format!("cannot read {}", path.display()))?;
        let chosen: Vec<Vec<Sentence>> = docs
            .iter()
            .filter(|d| match documents {
                GumDocuments::Train => !gum::is_held_out(&d.id),
                GumDocuments::Test => gum::is_held_out(&d.id),
                GumDocuments::All => true,
            })
            .map(gum::sentences)
            .collect();
        anyhow::ensure!(!chosen.is_empty(), "no GUM documents in {}", path.display());
        return Ok(chosen);
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(vec![conll::parse(&text)])
}

fn print_dev(label: &str, score: &Score) {
    let t = score.total(&["PER", "LOC", "ORG"]);
    eprintln!(
        "{label}: dev PER+LOC+ORG f1 {:.4} (PER {:.4} LOC {:.4} ORG {:.4})",
        t.f1(),
        score.by_type.get("PER").map_or(0.0, |c| c.f1()),
        score.by_type.get("LOC").map_or(0.0, |c| c.f1()),
        score.by_type.get("ORG").map_or(0.0, |c| c.f1()),
    );
}

/// Trains the tagger and writes the model file (or cross-validates it).
/// What `train-ner` does with its flags: those left out take the committed
/// model's recipe ([`Recipe::committed`]) for the chosen templates.
#[derive(Debug, Clone, PartialEq)]
struct TrainSettings {
    opts: TrainOptions,
    average_seeds: usize,
    out: PathBuf,
}

impl TrainSettings {
    fn of(args: &TrainNerArgs) -> TrainSettings {
        let features = match args.features {
            NerFeatures::Arabic => FeatureSet::Arabic,
            NerFeatures::English => FeatureSet::English,
        };
        let committed = Recipe::committed(features);
        let recipe = Recipe {
            seed: args.seed.unwrap_or(committed.seed),
            epochs: args.epochs.unwrap_or(committed.epochs),
            buckets_log2: args.buckets_log2.unwrap_or(committed.buckets_log2),
            word_dropout: args.word_dropout.unwrap_or(committed.word_dropout),
            bilou: args
                .tagging
                .map_or(committed.bilou, |t| t == NerTagging::Bilou),
            history: args.history.unwrap_or(committed.history),
            average_seeds: args.average_seeds.unwrap_or(committed.average_seeds),
            margin: args.margin.unwrap_or(committed.margin),
            ..committed
        };
        TrainSettings {
            opts: TrainOptions {
                dev_fraction: args.dev_fraction,
                ..recipe.options()
            },
            average_seeds: recipe.average_seeds,
            out: args
                .out
                .clone()
                .unwrap_or_else(|| PathBuf::from(recipe.out)),
        }
    }
}

pub fn train_cmd(args: TrainNerArgs) -> anyhow::Result<()> {
    let docs = read_documents(&args.train, args.documents)?;
    let lexicon = Lexicon::builtin()?;
    let TrainSettings {
        opts,
        average_seeds,
        out,
    } = TrainSettings::of(&args);
    if let Some(k) = args.folds {
        let docs = if docs.len() == 1 {
            contiguous_blocks(docs.into_iter().flatten().collect(), k)
        } else {
            docs
        };
        return cross_validate(&docs, &lexicon, opts, k, average_seeds);
    }
    let sentences: Vec<Sentence> = docs.into_iter().flatten().collect();
    eprintln!(
        "training on {} sentences ({} held out), {} epochs, seed {}{}",
        sentences.len(),
        (sentences.len() as f64 * args.dev_fraction).round(),
        opts.epochs,
        opts.seed,
        if average_seeds > 1 {
            format!(" (the mean of {average_seeds} seeds from it)")
        } else {
            String::new()
        }
    );
    let started = Instant::now();
    let seeds = average_seeds.max(1);
    let (train_set, dev_set) = train::split(&sentences, opts.dev_fraction);
    let model = train::train_seeds(
        &train_set,
        &dev_set,
        &lexicon,
        opts,
        seeds,
        |seed, epoch, dev| {
            let label = if seeds > 1 {
                format!("seed {seed} epoch {epoch}")
            } else {
                format!("epoch {epoch}")
            };
            match dev {
                Some(score) => print_dev(&label, score),
                None => eprintln!("{label} done"),
            }
        },
    )
    .context("the models of the seeds came out unlike")?;
    let bytes = model.to_bytes();
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).ok();
    }
    std::fs::write(&out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!(
        "wrote {} ({} bytes) in {:.1}s",
        out.display(),
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A file's sentences cut into `k` contiguous blocks (whole articles stay
/// together, mostly, as ANERcorp keeps no article boundaries), each then
/// one "document" of [`cross_validate`].
fn contiguous_blocks(sentences: Vec<Sentence>, k: usize) -> Vec<Vec<Sentence>> {
    let n = sentences.len();
    let k = k.clamp(1, n.max(1));
    let mut blocks: Vec<Vec<Sentence>> = (0..k).map(|_| Vec::new()).collect();
    for (i, s) in sentences.into_iter().enumerate() {
        blocks[i * k / n.max(1)].push(s);
    }
    blocks
}

/// K-fold cross-validation by document: document `i` is in fold `i % k`;
/// prints the score summed over the folds after each epoch, or, for a mean
/// of several seeds' models, of the mean after the last epoch.
fn cross_validate(
    docs: &[Vec<Sentence>],
    lexicon: &Lexicon,
    opts: TrainOptions,
    k: usize,
    seeds: usize,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        (2..=docs.len()).contains(&k),
        "--folds must be between 2 and the number of documents ({})",
        docs.len()
    );
    let mut per_epoch = vec![Score::default(); opts.epochs];
    let mut averaged = Score::default();
    for fold in 0..k {
        let (mut train_set, mut dev_set) = (Vec::new(), Vec::new());
        for (i, d) in docs.iter().enumerate() {
            let part = if i % k == fold {
                &mut dev_set
            } else {
                &mut train_set
            };
            part.extend(d.iter());
        }
        if seeds > 1 {
            // The epochs of each seed's model are not scored: only the mean.
            let model = train::train_seeds(&train_set, &[], lexicon, opts, seeds, |_, _, _| {})
                .context("the models of the seeds came out unlike")?;
            averaged.merge(&train::evaluate(&model, lexicon, &dev_set, opts.history));
            continue;
        }
        train::train_on(&train_set, &dev_set, lexicon, opts, |epoch, dev| {
            if let (Some(score), Some(sum)) = (dev, per_epoch.get_mut(epoch - 1)) {
                sum.merge(score);
            }
        });
    }
    if seeds > 1 {
        print_dev(
            &format!("mean of {seeds} seeds, {} epochs ({k} folds)", opts.epochs),
            &averaged,
        );
        return Ok(());
    }
    for (epoch, score) in per_epoch.iter().enumerate() {
        print_dev(&format!("epoch {} ({k} folds)", epoch + 1), score);
    }
    Ok(())
}

/// Builds `places.tsv` from the shared gazetteer sources.
pub fn build_gazetteers_cmd(shared: &Path, out: &Path) -> anyhow::Result<()> {
    let src = out.join("src");
    let places = gazetteer::build(shared, &src)?;
    let n = gazetteer::write(&places, out)?;
    eprintln!("wrote {} places to {}", n, out.join("places.tsv").display());
    Ok(())
}

/// Writes a word table (and, for Arabic, the letter model) from a wordfreq
/// dump, a name-unit list (Arabic) and optionally word clusters.
pub fn build_words_cmd(
    language: WordsLanguage,
    wordfreq: &Path,
    names: Option<&Path>,
    clusters: Option<&Path>,
    out: Option<&Path>,
    letters_out: &Path,
) -> anyhow::Result<()> {
    let read = |p: &Path| {
        std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
    };
    let clusters = clusters.map(read).transpose()?;
    let default_out = PathBuf::from(format!("data/entities/{}/words.tsv", language.dir()));
    let out = out.unwrap_or(&default_out);
    let mut written = Vec::new();
    match language {
        WordsLanguage::En => {
            let words = words::build_english(&read(wordfreq)?, clusters.as_deref())?;
            written.push((words, out, "words"));
        }
        WordsLanguage::Ar => {
            let names = names.context("--names is needed for the Arabic table")?;
            let built = words::build(&read(wordfreq)?, &read(names)?, clusters.as_deref())?;
            written.push((built.words, out, "words"));
            written.push((built.letters, letters_out, "letter grams"));
        }
    }
    for (text, path, what) in written {
        std::fs::write(path, &text).with_context(|| format!("cannot write {}", path.display()))?;
        let rows = text.lines().filter(|l| !l.starts_with('#')).count();
        eprintln!("wrote {rows} {what} to {}", path.display());
    }
    Ok(())
}

/// The tagger of `model`, else the committed Arabic one (the English one
/// when `english`).
fn load_tagger(model: Option<&Path>, english: bool) -> anyhow::Result<Tagger> {
    let started = Instant::now();
    let tagger = match model {
        Some(path) => Tagger::from_file(path)?,
        None if english => Tagger::builtin_english()?,
        None => Tagger::builtin()?,
    };
    tracing::debug!(
        event = "tagger_loaded",
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "Tagger loaded."
    );
    Ok(tagger)
}

/// Tags CoNLL tokens from stdin, writing `token<TAB>TAG` lines to stdout;
/// a model with prediction history reads each run of `document_sentences`
/// sentences as a document.
pub fn tag_cmd(model: Option<&Path>, document_sentences: usize) -> anyhow::Result<()> {
    let tagger = load_tagger(model, false)?;
    let mut memory = History::new();
    let mut sentences = 0usize;
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut sentence: Vec<String> = Vec::new();
    let mut flush = |sentence: &mut Vec<String>, out: &mut dyn Write| -> std::io::Result<()> {
        if sentence.is_empty() {
            return Ok(());
        }
        memory.at_sentence(sentences, document_sentences);
        sentences += 1;
        for (tok, tag) in sentence.iter().zip(tagger.tag_in(sentence, &mut memory)) {
            writeln!(out, "{tok}\t{tag}")?;
        }
        writeln!(out)?;
        sentence.clear();
        Ok(())
    };
    // Bytes, not `lines()`: a line that is not UTF-8 keeps its place (its
    // bad bytes replaced, said on stderr), so the output stays aligned with
    // the gold file token for token.
    for (n, line) in stdin.lock().split(b'\n').enumerate() {
        let bytes = line.context("cannot read stdin")?;
        let line = String::from_utf8_lossy(bytes.strip_suffix(b"\r").unwrap_or(&bytes));
        if let std::borrow::Cow::Owned(_) = line {
            eprintln!("akhbar tag: line {}: not UTF-8, bad bytes replaced", n + 1);
        }
        let token = line.split(['\t', ' ']).find(|s| !s.is_empty());
        match token {
            None => flush(&mut sentence, &mut out)?,
            Some(tok) => sentence.push(tok.to_string()),
        }
    }
    flush(&mut sentence, &mut out)?;
    out.flush()?;
    Ok(())
}

/// The `--predictions` file: `token<TAB>gold<TAB>predicted` per token, a
/// blank line after each sentence (conlleval's input), or nothing.
struct Predictions(Option<std::io::BufWriter<std::fs::File>>);

impl Predictions {
    fn create(path: Option<&Path>) -> anyhow::Result<Predictions> {
        let file = path
            .map(|p| {
                std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))
            })
            .transpose()?;
        Ok(Predictions(file.map(std::io::BufWriter::new)))
    }

    fn sentence<S: AsRef<str>>(&mut self, sentence: &Sentence, pred: &[S]) -> anyhow::Result<()> {
        let Some(out) = &mut self.0 else {
            return Ok(());
        };
        for ((token, gold), pred) in sentence.tokens.iter().zip(&sentence.tags).zip(pred) {
            writeln!(out, "{token}\t{gold}\t{}", pred.as_ref())?;
        }
        writeln!(out)?;
        Ok(())
    }

    fn finish(self) -> anyhow::Result<()> {
        if let Some(mut out) = self.0 {
            out.flush().context("cannot write the predictions")?;
        }
        Ok(())
    }
}

/// Scores a labelled CoNLL file (or GUM directory) and prints precision,
/// recall and F1 per type: of the tagger alone, or with `stage` of the
/// whole entity stage.
pub fn eval_cmd(config: Config, args: EvalNerArgs) -> anyhow::Result<()> {
    let mut predictions = Predictions::create(args.predictions.as_deref())?;
    let score = if args.stage {
        score_stage(config, &args, &mut predictions)?
    } else {
        score_tagger(&args, &mut predictions)?
    };
    predictions.finish()?;
    print!("{}", score.report());
    Ok(())
}

/// The tagger alone. A GUM directory is English: without a model the
/// English one scores it. A model with prediction history reads each GUM
/// document, and each run of `document_sentences` sentences, as a document.
fn score_tagger(args: &EvalNerArgs, predictions: &mut Predictions) -> anyhow::Result<Score> {
    let tagger = load_tagger(args.model.as_deref(), args.file.is_dir())?;
    let mut score = Score::default();
    let mut memory = History::new();
    for doc in read_documents(&args.file, args.documents)? {
        for (i, s) in doc.iter().enumerate() {
            memory.at_sentence(i, args.document_sentences);
            let pred = tagger.tag_in(&s.tokens, &mut memory);
            score.add(&s.tags, &pred);
            predictions.sentence(s, &pred)?;
        }
    }
    Ok(score)
}

/// The entity stage, after clean, language and structure as in the
/// pipeline, configured as for `run` (`model` in place of the configured
/// one). Each GUM document, and each run of `document_sentences` sentences
/// of a CoNLL file, is one article.
fn score_stage(
    mut config: Config,
    args: &EvalNerArgs,
    predictions: &mut Predictions,
) -> anyhow::Result<Score> {
    let file = &args.file;
    if let Some(model) = &args.model {
        let slot = if file.is_dir() {
            &mut config.stages.entities.english_model
        } else {
            &mut config.stages.entities.model
        };
        *slot = Some(model.clone());
    }
    let order = [
        StageKind::Clean,
        StageKind::Language,
        StageKind::Structure,
        StageKind::Entities,
    ];
    let chain = Chain::build(&order, &config.stages).context("cannot build the entity stage")?;
    let mut score = Score::default();
    let mut articles = 0usize;
    for doc in read_documents(file, args.documents)? {
        let articles_of: Vec<&[Sentence]> = if file.is_dir() {
            vec![&doc[..]]
        } else {
            doc.chunks(args.document_sentences.max(1)).collect()
        };
        for sentences in articles_of {
            articles += 1;
            let pred = entities_conll::tag_document(&chain, sentences)
                .with_context(|| format!("article {articles} of {}", file.display()))?;
            // Sentence by sentence, so that no name runs across a boundary.
            let mut rest = &pred[..];
            for s in sentences {
                let (here, next) = rest.split_at(s.tags.len().min(rest.len()));
                score.add(&s.tags, here);
                predictions.sentence(s, here)?;
                rest = next;
            }
        }
    }
    eprintln!("articles read by the entity stage: {articles}");
    Ok(score)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(i: usize) -> Sentence {
        Sentence {
            tokens: vec![i.to_string()],
            tags: vec!["O".into()],
        }
    }

    #[test]
    fn a_conll_file_is_cut_into_contiguous_blocks_for_cross_validation() {
        let blocks = contiguous_blocks((0..10).map(sentence).collect(), 3);
        let firsts: Vec<Vec<&str>> = blocks
            .iter()
            .map(|b| b.iter().map(|s| s.tokens[0].as_str()).collect())
            .collect();
        assert_eq!(
            firsts,
            vec![
                vec!["0", "1", "2", "3"],
                vec!["4", "5", "6"],
                vec!["7", "8", "9"]
            ]
        );
    }

    const TOY: &str = "قال O\nبشار B-PERS\nالأسد I-PERS\nفي O\nدمشق B-LOC\n\n\
                       زار O\nجون B-PERS\nكيربي I-PERS\nموسكو B-LOC\n\n\
                       وصل O\nبشار B-PERS\nإلى O\nباريس B-LOC\n";

    fn toy_args(dir: &Path) -> TrainNerArgs {
        let train = dir.join("toy.txt");
        std::fs::write(&train, TOY).unwrap();
        TrainNerArgs {
            train,
            documents: GumDocuments::Train,
            folds: None,
            out: Some(dir.join("toy.bin")),
            seed: Some(7),
            epochs: Some(3),
            buckets_log2: Some(10),
            dev_fraction: 0.0,
            word_dropout: Some(0.0),
            features: NerFeatures::Arabic,
            tagging: Some(NerTagging::Bilou),
            history: Some(0),
            average_seeds: Some(1),
            margin: Some(0.0),
        }
    }

    /// The `train-ner` options of a command line.
    fn train_args(line: &str) -> TrainNerArgs {
        use clap::Parser;
        match crate::cli::Cli::try_parse_from(line.split_whitespace()) {
            Ok(crate::cli::Cli {
                command: crate::cli::Command::TrainNer(args),
                ..
            }) => args,
            other => panic!("not a train-ner command: {line}: {other:?}"),
        }
    }

    #[test]
    fn a_margin_below_zero_or_not_a_number_is_refused() {
        use clap::Parser;
        for bad in ["-1", "NaN", "inf", "wide"] {
            let line = ["akhbar", "train-ner", "--train", "t.txt", "--margin", bad];
            assert!(
                crate::cli::Cli::try_parse_from(line).is_err(),
                "--margin {bad} was accepted"
            );
        }
        assert_eq!(
            train_args("akhbar train-ner --train t.txt --margin 0").margin,
            Some(0.0)
        );
    }

    /// The `akhbar train-ner` commands of models/NOTICE, each joined into
    /// one line.
    fn notice_commands() -> Vec<String> {
        let notice = include_str!("../../models/NOTICE").replace("\\\n", " ");
        notice
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("akhbar train-ner"))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn train_ner_given_only_the_training_data_rebuilds_the_committed_models() {
        let commands = notice_commands();
        assert_eq!(commands.len(), 2, "{commands:?}");
        for command in &commands {
            let committed = train_args(command);
            let mut bare = format!("akhbar train-ner --train {}", committed.train.display());
            if committed.features == NerFeatures::English {
                bare.push_str(" --documents train --features english");
            }
            assert_eq!(
                TrainSettings::of(&train_args(&bare)),
                TrainSettings::of(&committed),
                "{command}"
            );
        }
    }

    #[test]
    fn the_built_in_models_record_the_settings_of_their_recipes() {
        for (tagger, features) in [
            (Tagger::builtin().unwrap(), FeatureSet::Arabic),
            (Tagger::builtin_english().unwrap(), FeatureSet::English),
        ] {
            let recipe = Recipe::committed(features);
            let model = &tagger.model;
            assert_eq!(model.features, features);
            assert_eq!(model.buckets, 1 << recipe.buckets_log2);
            assert_eq!(model.history, recipe.history > 0);
            assert_eq!(model.tags.len(), if recipe.bilou { 17 } else { 9 });
        }
    }

    #[test]
    fn a_model_averaged_over_seeds_is_written_and_loads() {
        let dir = tempfile::tempdir().unwrap();
        let args = TrainNerArgs {
            average_seeds: Some(3),
            ..toy_args(dir.path())
        };
        train_cmd(args.clone()).unwrap();
        let out = args.out.as_ref().unwrap();
        let averaged = std::fs::read(out).unwrap();
        crate::entities::model::Model::from_bytes(&averaged).unwrap();
        train_cmd(TrainNerArgs {
            average_seeds: Some(1),
            ..args.clone()
        })
        .unwrap();
        assert_ne!(std::fs::read(out).unwrap(), averaged);
    }

    #[test]
    fn an_average_over_seeds_can_be_cross_validated() {
        let dir = tempfile::tempdir().unwrap();
        train_cmd(TrainNerArgs {
            folds: Some(2),
            average_seeds: Some(2),
            ..toy_args(dir.path())
        })
        .unwrap();
        assert!(
            !dir.path().join("toy.bin").exists(),
            "--folds writes no model"
        );
    }

    #[test]
    fn more_folds_than_sentences_give_one_block_per_sentence() {
        let blocks = contiguous_blocks((0..2).map(sentence).collect(), 5);
        assert_eq!(blocks.len(), 2);
        assert!(contiguous_blocks(Vec::new(), 3).iter().all(Vec::is_empty));
    }
}
