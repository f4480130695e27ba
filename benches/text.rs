//! Throughput of the text path on one core: `clean` + `structure` (which
//! computes the shared analysis: paragraphs, sentences, tokens) on plain
//! articles, and the `html` stage on pages.
//!
//! Articles are the SaudiNewsNet sample from `../shared` when present (test
//! and benchmark data only), else the bundled fixtures; pages are those
//! articles in every layout of `akhbar::stages::layouts`.
//!
//! Run: `cargo bench --bench text`. Throughput is printed as elements/s:
//! articles/s for `plain`, pages/s for `html`.

use akhbar::document::{Document, RawArticle};
use akhbar::stages::layouts::{self, Article, LAYOUTS};
use akhbar::stages::{Clean, CleanConfig, Html, HtmlConfig, Stage, Structure, StructureConfig};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

/// `(title, paragraphs)` of the articles to measure.
fn articles() -> Vec<(String, Vec<String>)> {
    if let Some(sample) = layouts::saudinewsnet_sample(1_000, 1) {
        eprintln!("text bench: {} SaudiNewsNet articles", sample.len());
        return sample
            .into_iter()
            .map(|a| (a.title, a.paragraphs))
            .collect();
    }
    eprintln!("text bench: SaudiNewsNet sample absent, using bundled fixtures");
    [
        include_str!("../fixtures/seed_article.jsonl"),
        include_str!("../fixtures/samples.jsonl"),
    ]
    .iter()
    .flat_map(|f| f.lines())
    .filter_map(|l| serde_json::from_str::<RawArticle>(l).ok())
    .filter_map(|a| {
        let body = a.body?;
        Some((
            a.title.unwrap_or_default(),
            body.lines().map(String::from).collect(),
        ))
    })
    .collect()
}

fn plain(c: &mut Criterion) {
    let bodies: Vec<String> = articles().into_iter().map(|(_, p)| p.join("\n")).collect();
    let clean = Clean::new(&CleanConfig::default());
    let structure = Structure::new(&StructureConfig::default());
    let mut group = c.benchmark_group("plain");
    group.throughput(Throughput::Elements(bodies.len() as u64));
    group.bench_function("clean+structure", |b| {
        b.iter(|| {
            for body in &bodies {
                let mut d = Document::new(
                    RawArticle {
                        body: Some(body.clone()),
                        ..RawArticle::default()
                    },
                    None,
                );
                let _ = clean.apply(&mut d);
                let _ = structure.apply(&mut d);
                black_box(&d);
            }
        })
    });
    let cleaned: Vec<String> = bodies
        .iter()
        .map(|body| {
            let mut d = Document {
                text: body.clone(),
                ..Document::default()
            };
            let _ = clean.apply(&mut d);
            d.text
        })
        .collect();
    group.bench_function("analyze", |b| {
        b.iter(|| {
            for text in &cleaned {
                black_box(akhbar::text::analyze(text));
            }
        })
    });
    group.finish();
}

fn html(c: &mut Criterion) {
    let pages: Vec<String> = articles()
        .iter()
        .take(100)
        .enumerate()
        .map(|(i, (title, paragraphs))| {
            let (_, layout) = LAYOUTS[i % LAYOUTS.len()];
            layout(&Article {
                title,
                paragraphs,
                heading: None,
                caption: None,
            })
        })
        .collect();
    let stage = Html::new(&HtmlConfig::default());
    let mut group = c.benchmark_group("html");
    group.throughput(Throughput::Elements(pages.len() as u64));
    group.sample_size(20);
    group.bench_function("extract", |b| {
        b.iter(|| {
            for page in &pages {
                let mut d = Document::new(
                    RawArticle {
                        html: Some(page.clone()),
                        ..RawArticle::default()
                    },
                    None,
                );
                let _ = stage.apply(&mut d);
                black_box(&d);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, plain, html);
criterion_main!(benches);
