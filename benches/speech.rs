//! Throughput of the `quotes` and `dates` stages together, on SaudiNewsNet
//! articles (the shared sample; `AKHBAR_SHARED_DIR` or `../shared`), or on
//! the bundled seed article when the corpus is absent.
//!
//! `cargo bench --bench speech`; the figure to compare with the target
//! (5,000 articles per second on one core) is the reported elements/s of
//! `quotes+dates`. Both stages read the shared text analysis, which the
//! chain computes before them (`structure`, benchmarked in `text`), so it
//! is computed here in the setup; `analysis+quotes+dates` computes it in
//! the measured loop too.

use akhbar::document::{Document, Language, RawArticle};
use akhbar::eval::default_corpus;
use akhbar::stages::{Dates, DatesConfig, Quotes, QuotesConfig, Stage};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn articles() -> Vec<Document> {
    let make = |body: String, published_at: Option<String>| {
        let mut doc = Document::new(
            RawArticle {
                published_at,
                ..RawArticle::default()
            },
            None,
        );
        doc.text = body;
        doc.language = Some(Language {
            code: "ar".into(),
            confidence: 1.0,
        });
        doc
    };
    if let Ok(text) = std::fs::read_to_string(default_corpus()) {
        let docs: Vec<Document> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| {
                let body = v["content"].as_str().unwrap_or_default().to_string();
                let date = v["date_extracted"]
                    .as_str()
                    .map(|d| d.replace(' ', "T") + "Z");
                make(body, date)
            })
            .collect();
        if !docs.is_empty() {
            eprintln!("bench corpus: {} SaudiNewsNet articles", docs.len());
            return docs;
        }
    }
    eprintln!("bench corpus: SaudiNewsNet absent, using the seed article");
    let seed = include_str!("../fixtures/seed_article.jsonl");
    let v: serde_json::Value =
        serde_json::from_str(seed.lines().next().unwrap_or("{}")).unwrap_or_default();
    vec![make(
        v["body"].as_str().unwrap_or_default().to_string(),
        v["published_at"].as_str().map(String::from),
    )]
}

fn quotes_and_dates(c: &mut Criterion) {
    let quotes = Quotes::new(&QuotesConfig::default()).expect("quotes tables");
    let dates = Dates::new(&DatesConfig::default()).expect("date tables");
    let bare = articles();
    // As the chain hands them over: the analysis computed and cached.
    let docs: Vec<Document> = bare
        .iter()
        .cloned()
        .map(|mut d| {
            d.analysis();
            d
        })
        .collect();
    let mut group = c.benchmark_group("speech");
    group.throughput(Throughput::Elements(docs.len() as u64));
    group.sample_size(10);
    group.bench_function("quotes+dates", |b| {
        b.iter_batched(
            || docs.clone(),
            |mut docs| {
                for doc in &mut docs {
                    let _ = quotes.apply(doc);
                    let _ = dates.apply(doc);
                }
                docs
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.bench_function("analysis+quotes+dates", |b| {
        b.iter_batched(
            || bare.clone(),
            |mut docs| {
                for doc in &mut docs {
                    let _ = quotes.apply(doc);
                    let _ = dates.apply(doc);
                }
                docs
            },
            criterion::BatchSize::LargeInput,
        )
    });
    for (name, stage) in [
        ("quotes", &quotes as &dyn Stage),
        ("dates", &dates as &dyn Stage),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || docs.clone(),
                |mut docs| {
                    for doc in &mut docs {
                        let _ = stage.apply(doc);
                    }
                    docs
                },
                criterion::BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, quotes_and_dates);
criterion_main!(benches);
