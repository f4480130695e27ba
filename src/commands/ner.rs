//! `train-ner`, `build-gazetteers`, `tag` and `eval-ner`: the entity tagger's
//! training and evaluation commands.

use crate::entities::conll::{self, Score};
use crate::entities::gazetteer;
use crate::entities::lexicon::Lexicon;
use crate::entities::tagger::Tagger;
use crate::entities::train::{self, TrainOptions};
use anyhow::Context;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `akhbar train-ner`.
#[derive(Debug, Clone)]
pub struct TrainArgs {
    pub train: PathBuf,
    pub out: PathBuf,
    pub seed: u64,
    pub epochs: usize,
    pub buckets_log2: u32,
    pub dev_fraction: f64,
    pub word_dropout: f64,
}

/// Trains the tagger and writes the model file.
pub fn train_cmd(args: TrainArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.train)
        .with_context(|| format!("cannot read {}", args.train.display()))?;
    let sentences = conll::parse(&text);
    let lexicon = Lexicon::builtin()?;
    let opts = TrainOptions {
        epochs: args.epochs,
        seed: args.seed,
        buckets: 1usize << args.buckets_log2.clamp(8, 24),
        dev_fraction: args.dev_fraction,
        word_dropout: args.word_dropout,
    };
    eprintln!(
        "training on {} sentences ({} held out), {} epochs, seed {}",
        sentences.len(),
        (sentences.len() as f64 * args.dev_fraction).round(),
        opts.epochs,
        opts.seed
    );
    let started = Instant::now();
    let model = train::train(&sentences, &lexicon, opts, |epoch, dev| match dev {
        Some(score) => {
            let t = score.total(&["PER", "LOC", "ORG"]);
            eprintln!(
                "epoch {epoch}: dev PER+LOC+ORG f1 {:.4} (PER {:.4} LOC {:.4} ORG {:.4})",
                t.f1(),
                score.by_type.get("PER").map_or(0.0, |c| c.f1()),
                score.by_type.get("LOC").map_or(0.0, |c| c.f1()),
                score.by_type.get("ORG").map_or(0.0, |c| c.f1()),
            );
        }
        None => eprintln!("epoch {epoch} done"),
    });
    let bytes = model.to_bytes();
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir).ok();
    }
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "wrote {} ({} bytes) in {:.1}s",
        args.out.display(),
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
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

fn load_tagger(model: Option<&Path>) -> anyhow::Result<Tagger> {
    let started = Instant::now();
    let tagger = match model {
        Some(path) => Tagger::from_file(path)?,
        None => Tagger::builtin()?,
    };
    tracing::debug!(
        event = "tagger_loaded",
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "Tagger loaded."
    );
    Ok(tagger)
}

/// Tags CoNLL tokens from stdin, writing `token<TAB>TAG` lines to stdout.
pub fn tag_cmd(model: Option<&Path>) -> anyhow::Result<()> {
    let tagger = load_tagger(model)?;
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut sentence: Vec<String> = Vec::new();
    let flush = |sentence: &mut Vec<String>, out: &mut dyn Write| -> std::io::Result<()> {
        if sentence.is_empty() {
            return Ok(());
        }
        for (tok, tag) in sentence.iter().zip(tagger.tag(sentence)) {
            writeln!(out, "{tok}\t{tag}")?;
        }
        writeln!(out)?;
        sentence.clear();
        Ok(())
    };
    for line in stdin.lock().lines() {
        let line = line.context("cannot read stdin")?;
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

/// Tags a labelled CoNLL file and prints precision, recall and F1 per type.
pub fn eval_cmd(file: &Path, model: Option<&Path>) -> anyhow::Result<()> {
    let tagger = load_tagger(model)?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut score = Score::default();
    for s in conll::parse(&text) {
        score.add(&s.tags, &tagger.tag(&s.tokens));
    }
    print!("{}", score.report());
    Ok(())
}
