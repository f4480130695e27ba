//! `akhbar eval-articles`: quote recall, speaker accuracy and date accuracy
//! on hand-annotated real articles (see `crate::eval`).

use super::build_chain;
use crate::config::Config;
use crate::eval::{default_corpus, evaluate, read_corpus, read_gold};
use anyhow::{bail, Context};
use std::path::PathBuf;

pub fn cmd(
    config: Config,
    gold: Vec<PathBuf>,
    corpus: Option<PathBuf>,
    verbose: bool,
) -> anyhow::Result<()> {
    let chain = build_chain(&config)?;
    let corpus_path = corpus.unwrap_or_else(default_corpus);
    let corpus = read_corpus(&corpus_path)
        .context("cannot load the corpus (set AKHBAR_SHARED_DIR or --corpus)")?;
    let mut articles = Vec::new();
    for path in &gold {
        articles.extend(read_gold(path)?);
    }
    if articles.is_empty() {
        bail!("no annotated articles in {gold:?}");
    }
    let scores = evaluate(&chain, &articles, &corpus);
    if verbose {
        for miss in &scores.misses {
            println!("miss: {miss}");
        }
    }
    println!(
        "{}",
        serde_json::json!({
            "articles": scores.articles,
            "skipped": scores.skipped,
            "quote_recall": round(scores.quote_recall()),
            "speaker_accuracy": round(scores.speaker_accuracy()),
            "quotes_gold": scores.quotes_gold,
            "quotes_predicted": scores.quotes_predicted,
            "date_accuracy": round(scores.date_accuracy()),
            "dates_gold": scores.dates_gold,
        })
    );
    Ok(())
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
