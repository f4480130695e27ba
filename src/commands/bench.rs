//! `akhbar bench`: throughput of the stage chain and of the whole Kafka path.
//!
//! 1. In-process: every article of the corpus through decode, the configured
//!    stages and encode on one thread: articles per CPU-second and latency
//!    percentiles; the same with no stages gives the framework's own cost.
//! 2. Kafka path: `--messages` articles produced to an in-process cluster (or
//!    `--brokers`), the real pipeline started, and the output read back:
//!    sustained articles per second from first consume to last output.

use super::{build_chain, runtime};
use crate::config::Config;
use crate::embedded_cluster::EmbeddedCluster;
use crate::harness::{produce, read_topics};
use crate::pipeline;
use crate::pipeline::process::{process, Processed};
use crate::sources::fixtures;
use crate::stages::Chain;
use anyhow::{bail, Context};
use std::path::Path;
use std::time::{Duration, Instant};

pub struct BenchArgs<'a> {
    pub messages: usize,
    pub partitions: i32,
    pub corpus: Option<&'a Path>,
    pub brokers: Option<&'a str>,
}

pub fn cmd(mut config: Config, args: BenchArgs<'_>) -> anyhow::Result<()> {
    let corpus = load_corpus(args.corpus)?;
    println!(
        "corpus: {} articles ({})",
        corpus.len(),
        args.corpus
            .map_or("bundled samples".into(), |p| p.display().to_string())
    );
    let chain = build_chain(&config)?;

    let full = in_process(&chain, &corpus, config.pipeline.max_message_bytes);
    let bare = in_process(
        &Chain::from_stages(Vec::new()),
        &corpus,
        config.pipeline.max_message_bytes,
    );
    println!("\nin-process, one thread (decode + stages + encode):");
    println!(
        "  stages {:<40} {:>10.0} articles/CPU-s  p50 {:>8.1} µs  p99 {:>8.1} µs",
        chain.names().join(","),
        full.rate,
        full.p50_us,
        full.p99_us
    );
    println!("  no stages (framework: decode + encode) {:>10.0} articles/CPU-s  p50 {:>8.1} µs  p99 {:>8.1} µs", bare.rate, bare.p50_us, bare.p99_us);

    // The Kafka path.
    let cluster;
    let brokers = match args.brokers {
        Some(b) => b.to_string(),
        None => {
            cluster = EmbeddedCluster::start(1)?;
            cluster.create_topic(&config.topics.input, args.partitions)?;
            cluster.create_topic(&config.topics.output, args.partitions)?;
            cluster.create_topic(&config.topics.dead_letter, 1)?;
            cluster.bootstrap_servers().to_string()
        }
    };
    config.kafka.brokers = brokers.clone();
    config.kafka.group_id = format!("akhbar-bench-{}", std::process::id());
    config
        .kafka
        .options
        .entry("session.timeout.ms".into())
        .or_insert_with(|| "6000".into());
    let n = args.messages;
    let messages: Vec<(Option<Vec<u8>>, Vec<u8>)> = (0..n)
        .map(|i| {
            let mut v = corpus[i % corpus.len()].clone();
            let id = format!("bench-{i}");
            v["id"] = serde_json::json!(id);
            // Keyed, so the articles spread over every partition (the mock
            // cluster keeps only 5 MB per partition and drops older data).
            (
                Some(id.into_bytes()),
                serde_json::to_vec(&v).unwrap_or_default(),
            )
        })
        .collect();
    let rt = runtime()?;
    let (elapsed, got) = rt.block_on(async {
        produce(&brokers, &config.topics.input, messages).await?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let started = Instant::now();
        let task = {
            let (config, chain) = (config.clone(), chain.clone());
            tokio::spawn(async move {
                pipeline::run(&config, chain, async {
                    let _ = stop_rx.await;
                })
                .await
            })
        };
        let (out, parts, b) = (
            config.topics.output.clone(),
            args.partitions,
            brokers.clone(),
        );
        let records = tokio::task::spawn_blocking(move || {
            read_topics(
                &b,
                &[(out.as_str(), parts)],
                Duration::from_secs(600),
                |r| r.len() >= n,
            )
        })
        .await??;
        // From the first output record to the last: steady state, without
        // the consumer group's join delay.
        let stamps: Vec<i64> = records.iter().filter_map(|r| r.timestamp_ms).collect();
        let span = match (stamps.iter().min(), stamps.iter().max()) {
            (Some(a), Some(b)) if b > a => Duration::from_millis((b - a) as u64),
            _ => started.elapsed(),
        };
        let _ = stop_tx.send(());
        task.await??;
        anyhow::Ok((span, records.len()))
    })?;
    if got < n {
        bail!("only {got} of {n} records came out");
    }
    println!(
        "\nKafka path ({} partitions, {} workers, {}):",
        args.partitions,
        config.pipeline.worker_count(),
        if args.brokers.is_some() {
            "external broker"
        } else {
            "in-process mock cluster"
        }
    );
    println!(
        "  {n} articles in {:.2} s (first to last output) = {:.0} articles/s",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64().max(1e-6)
    );
    println!(
        "  machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    Ok(())
}

struct Timing {
    rate: f64,
    p50_us: f64,
    p99_us: f64,
}

fn in_process(chain: &Chain, corpus: &[serde_json::Value], max: usize) -> Timing {
    let payloads: Vec<Vec<u8>> = corpus
        .iter()
        .map(|v| serde_json::to_vec(v).unwrap_or_default())
        .collect();
    // At least ~2,000 runs so percentiles mean something.
    let rounds = (2_000 / payloads.len().max(1)).max(1);
    let mut latencies = Vec::with_capacity(rounds * payloads.len());
    let cpu = cpu_time();
    for _ in 0..rounds {
        for p in &payloads {
            let t = Instant::now();
            let out = process(chain, p, p.len(), None, max, |_| {});
            latencies.push(t.elapsed());
            std::hint::black_box(matches!(out, Processed::Enriched { .. }));
        }
    }
    let cpu = cpu_time() - cpu;
    latencies.sort();
    let pct = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e6;
    Timing {
        rate: latencies.len() as f64 / cpu.max(1e-9),
        p50_us: pct(0.5),
        p99_us: pct(0.99),
    }
}

/// CPU time of this process in seconds.
fn cpu_time() -> f64 {
    // SAFETY: getrusage only writes the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Raw articles from a JSON Lines corpus; SaudiNewsNet's `content` is taken
/// as the body.
fn load_corpus(path: Option<&Path>) -> anyhow::Result<Vec<serde_json::Value>> {
    let lines: Vec<Vec<u8>> = match path {
        Some(p) => std::fs::read(p)
            .with_context(|| format!("cannot read {}", p.display()))?
            .split(|b| *b == b'\n')
            .map(<[u8]>::to_vec)
            .collect(),
        None => fixtures::articles().into_iter().map(|f| f.bytes).collect(),
    };
    let corpus: Vec<serde_json::Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_slice::<serde_json::Value>(l).ok())
        .filter_map(|mut v| {
            if v.get("body").is_none() && v.get("html").is_none() {
                let content = v.get("content")?.clone();
                v["body"] = content;
            }
            Some(v)
        })
        .collect();
    if corpus.is_empty() {
        bail!("the corpus holds no usable articles");
    }
    Ok(corpus)
}
