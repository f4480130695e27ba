//! Throughput of the `entities` stage on real articles (SaudiNewsNet sample,
//! read from the shared data; skipped with a message when absent).
//!
//! Run: `AKHBAR_SHARED_DIR=../shared cargo bench --bench entities`.
//! Target: at least 2,000 articles per second on one core.

use akhbar::document::{Document, Language, RawArticle};
use akhbar::stages::{Chain, Stage, StageKind, StagesConfig};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn articles() -> Option<Vec<Document>> {
    let dir = akhbar::shared_data::existing()?;
    let text =
        std::fs::read_to_string(dir.join("data/news_ar/saudinewsnet/sample_1000.jsonl")).ok()?;
    let prepare = Chain::build(
        &[StageKind::Clean, StageKind::Structure],
        &StagesConfig::default(),
    )
    .ok()?;
    let docs = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            let mut doc = Document::new(
                RawArticle {
                    body: Some(v["content"].as_str()?.to_string()),
                    ..RawArticle::default()
                },
                None,
            );
            doc.language = Some(Language {
                code: "ar".into(),
                confidence: 1.0,
            });
            prepare.run(&mut doc, |_| {}).ok()?;
            // The analysis is cached on the document, as in the pipeline
            // where `structure` computed it before `entities` runs.
            let _ = doc.analysis();
            Some(doc)
        })
        .collect();
    Some(docs)
}

fn bench(c: &mut Criterion) {
    let Some(docs) = articles() else {
        eprintln!("skipping: shared data not found (set AKHBAR_SHARED_DIR)");
        return;
    };
    let stage =
        akhbar::stages::Entities::new(&akhbar::stages::EntitiesConfig::default()).expect("stage");
    let mut group = c.benchmark_group("entities");
    group.throughput(Throughput::Elements(docs.len() as u64));
    group.sample_size(10);
    group.bench_function("saudinewsnet_sample_1000", |b| {
        b.iter_batched(
            || docs.clone(),
            |mut docs| {
                for d in &mut docs {
                    stage.apply(d).expect("apply");
                }
                docs
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
