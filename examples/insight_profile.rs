//! Profiling driver for the insight stages: runs keywords, themes, tone,
//! summary and dedup over SaudiNewsNet sample articles (prepared by `id,
//! clean, language, structure` first) in one function that callgrind can
//! isolate, and prints articles per CPU-second of this thread.
//!
//! ```sh
//! cargo build --release --example insight_profile
//! $CARGO_TARGET_DIR/release/examples/insight_profile 1000 5      # articles, rounds
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*run_insight*' \
//!     $CARGO_TARGET_DIR/release/examples/insight_profile 200 1
//! DUMP=out.jsonl $CARGO_TARGET_DIR/release/examples/insight_profile 1000 1  # the fields, to diff
//! ```
//!
//! Reads `$AKHBAR_SHARED_DIR` (else `../shared`)
//! `/data/news_ar/saudinewsnet/sample_1000.jsonl`.

use akhbar::document::{Document, RawArticle};
use akhbar::stages::{Chain, StageKind, StagesConfig};
use std::io::Write;
use std::path::PathBuf;

#[inline(never)]
fn run_insight(chain: &Chain, docs: &[Document], rounds: usize) -> usize {
    let mut fields = 0;
    for _ in 0..rounds {
        for d in docs {
            let mut d = d.clone();
            let _ = chain.run(&mut d, |_| {});
            fields += d.fields.len();
        }
    }
    fields
}

/// CPU time of this thread, in seconds.
fn thread_cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the one we pass.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn main() -> anyhow::Result<()> {
    let shared = std::env::var_os("AKHBAR_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let sample = shared.join("data/news_ar/saudinewsnet/sample_1000.jsonl");
    let text = std::fs::read_to_string(&sample)
        .map_err(|e| anyhow::anyhow!("{}: {e}", sample.display()))?;
    let mut args = std::env::args().skip(1);
    let limit: usize = args.next().map_or(Ok(300), |s| s.parse())?;
    let rounds: usize = args.next().map_or(Ok(1), |s| s.parse())?;
    let config = StagesConfig::default();
    let before = Chain::build(
        &[
            StageKind::Id,
            StageKind::Clean,
            StageKind::Language,
            StageKind::Structure,
        ],
        &config,
    )?;
    let insight = Chain::build(
        &[
            StageKind::Keywords,
            StageKind::Themes,
            StageKind::Tone,
            StageKind::Summary,
            StageKind::Dedup,
        ],
        &config,
    )?;
    let docs: Vec<Document> = text
        .lines()
        .take(limit)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| RawArticle {
            id: v["url"].as_str().map(String::from),
            title: v["title"].as_str().map(String::from),
            body: v["content"].as_str().map(String::from),
            ..RawArticle::default()
        })
        .filter_map(|raw| {
            let mut d = Document::new(raw, None);
            before.run(&mut d, |_| {}).ok()?;
            d.analysis();
            Some(d)
        })
        .collect();
    if let Some(path) = std::env::var_os("DUMP") {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        for d in &docs {
            let mut d = d.clone();
            let _ = insight.run(&mut d, |_| {});
            writeln!(out, "{}", serde_json::to_string(&d.fields)?)?;
        }
        return Ok(());
    }
    let (cpu, wall) = (thread_cpu(), std::time::Instant::now());
    let fields = run_insight(&insight, &docs, rounds);
    let (cpu, wall) = (thread_cpu() - cpu, wall.elapsed().as_secs_f64());
    let n = (docs.len() * rounds) as f64;
    println!(
        "{} articles x {rounds}: {:.0} articles per CPU-second ({:.0}/s wall; {fields} fields)",
        docs.len(),
        n / cpu,
        n / wall
    );
    Ok(())
}
