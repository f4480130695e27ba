//! Insight stages benchmark: `cargo bench --bench insight`.
//!
//! - `insight/all_stages`: keywords, themes, tone, summary and dedup together
//!   on one thread, over real SaudiNewsNet articles when `../shared` (or
//!   `AKHBAR_SHARED_DIR`) is there, else over the bundled fixtures; the
//!   articles are prepared by the stages before them (id, clean, language,
//!   structure), as in the pipeline. Throughput is printed in articles/s.
//! - `insight/dedup_lookup_1m`: one lookup and insert into a full index of
//!   1,000,000 entries.
//! - The memory of a full 1,000,000-entry index is printed, both as the
//!   index counts it and as the allocator saw it.

use akhbar::document::{Document, RawArticle};
use akhbar::stages::dedup::DedupIndex;
use akhbar::stages::{Chain, StageKind, StagesConfig};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

/// Counts the bytes allocated while `COUNTING` is on (only around the
/// index fill: an atomic add on every allocation would slow the
/// throughput measurement down).
struct Counting;
static ALLOCATED: AtomicIsize = AtomicIsize::new(0);
static COUNTING: AtomicBool = AtomicBool::new(false);

fn count(delta: isize) {
    if COUNTING.load(Ordering::Relaxed) {
        ALLOCATED.fetch_add(delta, Ordering::Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn articles() -> Vec<RawArticle> {
    let shared = std::env::var_os("AKHBAR_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let sample = shared.join("data/news_ar/saudinewsnet/sample_1000.jsonl");
    if let Ok(text) = std::fs::read_to_string(&sample) {
        eprintln!("corpus: {}", sample.display());
        return text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| RawArticle {
                id: v["url"].as_str().map(String::from),
                title: v["title"].as_str().map(String::from),
                body: v["content"].as_str().map(String::from),
                ..RawArticle::default()
            })
            .filter(|a| a.body.as_deref().is_some_and(|b| !b.trim().is_empty()))
            .collect();
    }
    eprintln!("corpus: bundled fixtures ({} absent)", sample.display());
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    [
        "seed_article.jsonl",
        "seed_article_reedited.jsonl",
        "samples.jsonl",
    ]
    .iter()
    .flat_map(|f| {
        std::fs::read_to_string(dir.join(f))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect::<Vec<RawArticle>>()
    })
    .collect()
}

fn insight(c: &mut Criterion) {
    let config = StagesConfig::default();
    let before = Chain::build(
        &[
            StageKind::Id,
            StageKind::Clean,
            StageKind::Language,
            StageKind::Structure,
        ],
        &config,
    )
    .expect("chain");
    let insight = Chain::build(
        &[
            StageKind::Keywords,
            StageKind::Themes,
            StageKind::Tone,
            StageKind::Summary,
            StageKind::Dedup,
        ],
        &config,
    )
    .expect("chain");
    let docs: Vec<Document> = articles()
        .into_iter()
        .filter_map(|raw| {
            let mut d = Document::new(raw, None);
            before.run(&mut d, |_| {}).ok()?;
            d.analysis();
            Some(d)
        })
        .collect();
    let mut group = c.benchmark_group("insight");
    group.throughput(Throughput::Elements(docs.len() as u64));
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(15));
    group.bench_function("all_stages", |b| {
        b.iter(|| {
            for d in &docs {
                let mut d = d.clone();
                let _ = insight.run(&mut d, |_| {});
            }
        })
    });

    COUNTING.store(true, Ordering::Relaxed);
    let mut index = DedupIndex::new(1_000_000, u32::MAX, 8);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..1_000_000u64 {
        let fp = next();
        // Memory does not depend on lookups: fill without them.
        index.insert(fp, &format!("akh-{:016x}", i), 0);
    }
    COUNTING.store(false, Ordering::Relaxed);
    let allocated = ALLOCATED.load(Ordering::Relaxed);
    eprintln!(
        "dedup index, 1,000,000 entries, 20-byte ids, max_distance 8: {:.1} MB counted by the index, {:.1} MB allocated",
        index.memory_bytes() as f64 / 1e6,
        allocated as f64 / 1e6
    );
    group.throughput(Throughput::Elements(1));
    group.sample_size(50);
    let mut i = 1_000_000u64;
    group.bench_function("dedup_lookup_1m", |b| {
        b.iter(|| {
            i += 1;
            index.check_and_insert(next(), &format!("akh-{i:016x}"), 0)
        })
    });
    group.finish();
}

criterion_group!(benches, insight);
criterion_main!(benches);
