//! `akhbar bench`: throughput of the stage chain and of the whole Kafka path.
//!
//! 1. In-process: every article of the corpus through decode, the configured
//!    stages and encode on one thread: articles per CPU-second and latency
//!    percentiles; the same with no stages gives the framework's own cost.
//! 2. Kafka path: `--messages` articles produced to an in-process cluster (or
//!    `--brokers`), the real pipeline started, and the output read back:
//!    sustained articles per second from first consume to last output. With
//!    `--rate R` the articles are produced at R per second while the
//!    pipeline runs instead, and the end-to-end latency (input record's
//!    creation to enriched record's) is reported as p50/p99, leaving out the
//!    first second (the consumer's start), whose maximum is shown apart.
//! 3. Start-up (stages, models and gazetteers loaded; consumer ready) and
//!    resident memory (now and peak, from /proc).

use super::{build_chain, consumer_default, runtime};
use crate::config::Config;
use crate::embedded_cluster::EmbeddedCluster;
use crate::harness::{create_topics, produce, read_topics};
use crate::pipeline;
use crate::pipeline::process::{process, Processed};
use crate::sources::fixtures;
use crate::stages::Chain;
use anyhow::{bail, Context};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Clone, Copy)]
pub struct BenchArgs<'a> {
    pub messages: usize,
    pub partitions: i32,
    pub corpus: Option<&'a Path>,
    pub brokers: Option<&'a str>,
    /// Produce at this many articles per second while the pipeline runs,
    /// and report latency; `None`: produce everything first (throughput).
    pub rate: Option<f64>,
    /// Pipelines in the one consumer group (replicas).
    pub replicas: usize,
}

pub fn cmd(mut config: Config, args: BenchArgs<'_>) -> anyhow::Result<()> {
    let corpus = load_corpus(args.corpus)?;
    println!(
        "corpus: {} articles ({})",
        corpus.len(),
        args.corpus
            .map_or("bundled samples".into(), |p| p.display().to_string())
    );
    let loading = Instant::now();
    let chain = build_chain(&config)?;
    let loaded_in = loading.elapsed();

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
    println!(
        "  stages, models and gazetteers loaded in {:.0} ms; resident memory {}",
        loaded_in.as_secs_f64() * 1e3,
        memory()
    );

    // The Kafka path, on topics of this run's own: a broker kept between
    // runs would otherwise hand the reader an earlier run's records.
    let run = std::process::id();
    for topic in [
        &mut config.topics.input,
        &mut config.topics.output,
        &mut config.topics.dead_letter,
    ] {
        *topic = format!("{topic}.bench-{run}");
    }
    let cluster;
    let brokers = match args.brokers {
        Some(b) => {
            // Those that exist are left as they are.
            runtime()?.block_on(create_topics(
                b,
                &[
                    (&config.topics.input, args.partitions),
                    (&config.topics.output, args.partitions),
                    (&config.topics.dead_letter, 1),
                ],
            ))?;
            b.to_string()
        }
        None => {
            cluster = EmbeddedCluster::start_with_rebalance_delay(1, Duration::ZERO)?;
            cluster.create_topic(&config.topics.input, args.partitions)?;
            cluster.create_topic(&config.topics.output, args.partitions)?;
            cluster.create_topic(&config.topics.dead_letter, 1)?;
            cluster.bootstrap_servers().to_string()
        }
    };
    config.kafka.brokers = brokers.clone();
    config.kafka.group_id = format!("akhbar-bench-{run}");
    consumer_default(&mut config, "session.timeout.ms", "6000");
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
    let run = rt.block_on(kafka_path(&config, chain, &brokers, messages, args))?;
    if run.records < n {
        bail!(
            "only {} of {n} records came out, none in the last {} s{}",
            run.records,
            STALLED.as_secs(),
            if args.brokers.is_none() {
                " (the in-process cluster keeps at most 5 MB per partition and drops \
                 older records: raise --partitions)"
            } else {
                ""
            }
        );
    }
    println!(
        "\nKafka path ({} partitions, {} replica(s) of {} worker(s), {}, {}):",
        args.partitions,
        args.replicas,
        config.pipeline.worker_count(),
        if args.brokers.is_some() {
            "external broker"
        } else {
            "in-process mock cluster"
        },
        match config.delivery.guarantee {
            crate::config::Guarantee::AtLeastOnce => "at-least-once",
            crate::config::Guarantee::ExactlyOnce => "exactly-once",
        }
    );
    println!(
        "  ready to consume {:.2} s after start (includes the group join)",
        run.ready_after.as_secs_f64()
    );
    match args.rate {
        None => println!(
            "  {n} articles in {:.2} s (first to last output) = {:.0} articles/s",
            run.span.as_secs_f64(),
            n as f64 / run.span.as_secs_f64().max(1e-6)
        ),
        Some(rate) => println!(
            "  {n} articles produced at {rate:.0}/s: end-to-end latency after the first {} s \
             p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (first {} s: max {:.1} ms)",
            WARM_UP.as_secs(),
            run.latency_ms.0,
            run.latency_ms.1,
            run.latency_ms.2,
            WARM_UP.as_secs(),
            run.warm_up_max_ms
        ),
    }
    if run.dead_letters > 0 {
        println!(
            "  of which {} dead-lettered (articles of the corpus without a body)",
            run.dead_letters
        );
    }
    println!("  resident memory {}", memory());
    println!(
        "  machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    Ok(())
}

/// Paced runs: latency percentiles leave out what was produced in this
/// first stretch (the consumer starting), whose maximum is shown apart.
const WARM_UP: Duration = Duration::from_secs(1);

/// How long the reader waits for a next record before it gives up.
const STALLED: Duration = Duration::from_secs(30);

/// What a run through the Kafka path measured.
struct KafkaRun {
    /// Enriched records and dead letters.
    records: usize,
    dead_letters: usize,
    ready_after: Duration,
    /// First to last output record.
    span: Duration,
    /// End-to-end p50, p99 and max in milliseconds (paced runs).
    latency_ms: (f64, f64, f64),
    /// Paced runs: the highest latency of the first second.
    warm_up_max_ms: f64,
}

async fn kafka_path(
    config: &Config,
    chain: std::sync::Arc<Chain>,
    brokers: &str,
    messages: Vec<(Option<Vec<u8>>, Vec<u8>)>,
    args: BenchArgs<'_>,
) -> anyhow::Result<KafkaRun> {
    let n = messages.len();
    let started = Instant::now();
    let members: Vec<pipeline::Running> = (0..args.replicas.max(1))
        .map(|_| pipeline::spawn(config.clone(), chain.clone()))
        .collect();
    // Ready when every member has partitions (or, with more members than
    // partitions, when all partitions are taken).
    let ready = |m: &[pipeline::Running]| {
        let owned = m.iter().filter(|r| r.shared.is_ready()).count();
        owned == m.len() || owned >= args.partitions as usize
    };
    while !ready(&members)
        && started.elapsed() < Duration::from_secs(60)
        && !members.iter().any(|r| r.task.is_finished())
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let ready_after = started.elapsed();
    // Produced once every member has its partitions, so that the group's
    // joins and rebalances are not measured; the producer is many times
    // faster than the pipeline, which is saturated from its first record.
    let sent_at = match args.rate {
        Some(rate) => produce_paced(brokers, &config.topics.input, messages, rate).await?,
        None => {
            produce(brokers, &config.topics.input, messages).await?;
            HashMap::new()
        }
    };
    let (out, dead, parts, b) = (
        config.topics.output.clone(),
        config.topics.dead_letter.clone(),
        args.partitions,
        brokers.to_string(),
    );
    // Every article ends as a record or a dead letter (a corpus may hold
    // articles without a body). Given up when nothing new has come for
    // STALLED: a broker that dropped records (the mock cluster past 5 MB a
    // partition) never sends the rest.
    let records = tokio::task::spawn_blocking(move || {
        let mut progress = (0, Instant::now());
        read_topics(
            &b,
            &[(out.as_str(), parts), (dead.as_str(), 1)],
            Duration::from_secs(600),
            |r| {
                if r.len() != progress.0 {
                    progress = (r.len(), Instant::now());
                }
                r.len() >= n || progress.1.elapsed() > STALLED
            },
        )
    })
    .await??;
    let mut tasks = Vec::with_capacity(members.len());
    for member in members {
        let _ = member.stop.send(());
        tasks.push(member.task);
    }
    for task in tasks {
        task.await??;
    }
    // From the first output record to the last: steady state, without the
    // consumer group's join delay.
    let stamps: Vec<i64> = records.iter().filter_map(|r| r.timestamp_ms).collect();
    let span = match (stamps.iter().min(), stamps.iter().max()) {
        (Some(a), Some(b)) if b > a => Duration::from_millis((b - a) as u64),
        _ => started.elapsed(),
    };
    // Latency in steady state: the first second after the first record is
    // the consumer's start (fetch positions, first fetches), reported apart.
    let first_sent = sent_at.values().min().copied().unwrap_or(0);
    let warm_up_ms = WARM_UP.as_millis() as i64;
    let (mut warm_up_max, mut steady) = (0, Vec::new());
    for r in &records {
        let Some(sent) = r.key.as_deref().and_then(|k| sent_at.get(k)) else {
            continue;
        };
        let Some(done) = r.timestamp_ms else { continue };
        if sent - first_sent < warm_up_ms {
            warm_up_max = warm_up_max.max(done - sent);
        } else {
            steady.push(done - sent);
        }
    }
    steady.sort_unstable();
    let pct = |q: f64| {
        steady
            .get(((steady.len().max(1) - 1) as f64 * q) as usize)
            .map_or(0.0, |v| *v as f64)
    };
    let dead_letters = records
        .iter()
        .filter(|r| r.topic == config.topics.dead_letter)
        .count();
    Ok(KafkaRun {
        records: records.len(),
        dead_letters,
        ready_after,
        span,
        latency_ms: (pct(0.5), pct(0.99), pct(1.0)),
        warm_up_max_ms: warm_up_max as f64,
    })
}

/// Produces `messages` at `rate` per second; returns each key's creation
/// time (ms since the epoch, the record's timestamp).
async fn produce_paced(
    brokers: &str,
    topic: &str,
    messages: Vec<(Option<Vec<u8>>, Vec<u8>)>,
    rate: f64,
) -> anyhow::Result<HashMap<Vec<u8>, i64>> {
    use rdkafka::producer::{FutureProducer, FutureRecord};
    let producer: FutureProducer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("enable.idempotence", "true")
        .set("linger.ms", "0")
        .create()
        .context("bench producer")?;
    let start = tokio::time::Instant::now();
    let mut sent_at = HashMap::with_capacity(messages.len());
    let mut deliveries = Vec::with_capacity(messages.len());
    for (i, (key, value)) in messages.iter().enumerate() {
        tokio::time::sleep_until(start + Duration::from_secs_f64(i as f64 / rate)).await;
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let mut record = FutureRecord::to(topic).payload(value).timestamp(now_ms);
        if let Some(k) = key {
            record = record.key(k);
            sent_at.insert(k.clone(), now_ms);
        }
        match producer.send_result(record) {
            Ok(delivery) => deliveries.push(delivery),
            Err((e, _)) => bail!("produce to {topic}: {e}"),
        }
    }
    for delivery in deliveries {
        if let Ok(Err((e, _))) = delivery.await {
            bail!("produce to {topic}: {e}");
        }
    }
    Ok(sent_at)
}

/// Resident memory now and at its peak (Linux /proc; "unknown" elsewhere).
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(now), Some(peak)) => format!("{} MB now, {} MB peak", now / 1024, peak / 1024),
        _ => "unknown".into(),
    }
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
            let out = process(chain, p, p.len(), None, max, |_| true);
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
