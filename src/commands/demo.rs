//! `akhbar demo`: the whole pipeline on the bundled samples, no broker needed.
//!
//! Starts an in-process Kafka cluster, produces the sample articles and a few
//! bad messages with a real client, runs the real consumer, stages and
//! producer, reads the output and dead-letter topics back and prints a
//! summary per article.

use super::{build_chain, consumer_default, runtime};
use crate::config::Config;
use crate::embedded_cluster::EmbeddedCluster;
use crate::harness::{produce, read_topics, ReadRecord};
use crate::pipeline;
use crate::pipeline::dead_letter::headers as h;
use crate::sinks::file::JsonLinesWriter;
use crate::sources::fixtures;
use anyhow::{bail, Context};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

const INPUT_PARTITIONS: i32 = 3;

pub fn cmd(mut config: Config, output: Option<PathBuf>) -> anyhow::Result<()> {
    let cluster = EmbeddedCluster::start_with_rebalance_delay(1, Duration::ZERO)
        .context("cannot start the in-process cluster")?;
    let brokers = cluster.bootstrap_servers().to_string();
    config.kafka.brokers = brokers.clone();
    config.kafka.group_id = "akhbar-demo".into();
    consumer_default(&mut config, "session.timeout.ms", "6000");
    let topics = config.topics.clone();
    cluster.create_topic(&topics.input, INPUT_PARTITIONS)?;
    cluster.create_topic(&topics.output, INPUT_PARTITIONS)?;
    cluster.create_topic(&topics.dead_letter, 1)?;

    let chain = build_chain(&config)?;
    let messages: Vec<_> = fixtures::articles()
        .into_iter()
        .chain(fixtures::bad_messages())
        .collect();
    let expected = messages.len();
    let rt = runtime()?;
    println!(
        "akhbar demo: in-process Kafka at {brokers}; {} sample articles and {} bad messages into `{}`.",
        messages.iter().filter(|m| !m.bad).count(),
        messages.iter().filter(|m| m.bad).count(),
        topics.input
    );
    let records = rt.block_on(async {
        produce(
            &brokers,
            &topics.input,
            messages.into_iter().map(|m| (None, m.bytes)),
        )
        .await?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let pipeline = {
            let config = config.clone();
            tokio::spawn(async move {
                pipeline::run(&config, chain, async {
                    let _ = stop_rx.await;
                })
                .await
            })
        };
        let reader_brokers = brokers.clone();
        let read_topics_list = [
            (topics.output.clone(), INPUT_PARTITIONS),
            (topics.dead_letter.clone(), 1),
        ];
        let records = tokio::task::spawn_blocking(move || {
            let list: Vec<(&str, i32)> = read_topics_list
                .iter()
                .map(|(t, p)| (t.as_str(), *p))
                .collect();
            read_topics(&reader_brokers, &list, Duration::from_secs(90), |r| {
                r.len() >= expected
            })
        })
        .await??;
        let _ = stop_tx.send(());
        pipeline.await??;
        anyhow::Ok(records)
    })?;
    if records.len() < expected {
        bail!(
            "only {} of {expected} messages came out within the time limit",
            records.len()
        );
    }
    print_summary(&records, &topics.output);
    if let Some(path) = output {
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let mut writer = JsonLinesWriter::new(std::io::BufWriter::new(file));
        for r in records.iter().filter(|r| r.topic == topics.output) {
            writer.write(&r.payload)?;
        }
        writer.flush()?;
        println!("Enriched records written to {}.", path.display());
    }
    Ok(())
}

fn print_summary(records: &[ReadRecord], output_topic: &str) {
    let mut out = std::io::stdout().lock();
    let mut sorted: Vec<&ReadRecord> = records.iter().collect();
    sorted.sort_by_key(|r| (r.topic != output_topic, r.partition, r.offset));
    for r in sorted {
        if r.topic == output_topic {
            let Some(v) = r.json() else { continue };
            let title: String = v["title"]
                .as_str()
                .or_else(|| v["text"].as_str())
                .unwrap_or("")
                .chars()
                .take(60)
                .collect();
            let _ = writeln!(
                out,
                "\n● {}  [{} {:.2}]  {}\n  words {}  chars {}  headings {}  captions {}  entities {}  quotes {}  dates {}  errors {}",
                v["id"].as_str().unwrap_or("?"),
                v["language"]["code"].as_str().unwrap_or("?"),
                v["language"]["confidence"].as_f64().unwrap_or(0.0),
                title,
                v["word_count"],
                v["text"].as_str().map_or(0, |t| t.chars().count()),
                len(&v["headings"]),
                len(&v["captions"]),
                len(&v["entities"]),
                len(&v["quotes"]),
                len(&v["dates"]),
                len(&v["errors"]),
            );
            let keywords: Vec<&str> = v["keywords"]
                .as_array()
                .map(|k| {
                    k.iter()
                        .take(4)
                        .filter_map(|k| k["text"].as_str())
                        .collect()
                })
                .unwrap_or_default();
            let themes: Vec<&str> = v["themes"]
                .as_array()
                .map(|t| t.iter().filter_map(|t| t.as_str()).collect())
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  keywords {}  themes {}  tone {}{}",
                keywords.join(" · "),
                themes.join(","),
                v["tone"]["score"],
                v["duplicate_of"]
                    .as_str()
                    .map(|d| format!("  duplicate of {d}"))
                    .unwrap_or_default(),
            );
            if let Some(errors) = v["errors"].as_array() {
                for e in errors {
                    let _ = writeln!(
                        out,
                        "  ! {}: {}",
                        e["stage"].as_str().unwrap_or("?"),
                        e["message"].as_str().unwrap_or("")
                    );
                }
            }
        } else {
            let _ = writeln!(
                out,
                "\n✗ dead-lettered {}[{}]@{}  reason {}  {}",
                r.header(h::SOURCE_TOPIC).unwrap_or("?"),
                r.header(h::SOURCE_PARTITION).unwrap_or("?"),
                r.header(h::SOURCE_OFFSET).unwrap_or("?"),
                r.header(h::REASON).unwrap_or("?"),
                r.header(h::ERROR).unwrap_or(""),
            );
        }
    }
    let published = records.iter().filter(|r| r.topic == output_topic).count();
    let _ = writeln!(
        out,
        "\n{} messages in: {} enriched, {} dead-lettered, 0 lost.",
        records.len(),
        published,
        records.len() - published
    );
}

fn len(v: &serde_json::Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}
