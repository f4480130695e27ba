//! Loads a JSON Lines file of raw articles into a broker's input topic, for
//! measuring `akhbar run` against it (README, "Performance"). Creates the
//! default input and output topics with PARTITIONS partitions and the
//! dead-letter topic with one, if missing; keys each line by its `id`.
//!
//!     cargo run --release --example produce_file -- 127.0.0.1:PORT ARTICLES.jsonl [PARTITIONS]
use akhbar::config::Config;
use akhbar::harness::{create_topics, produce};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: produce_file BROKERS ARTICLES.jsonl [PARTITIONS]";
    let brokers = args.next().ok_or_else(|| anyhow::anyhow!(usage))?;
    let path = args.next().ok_or_else(|| anyhow::anyhow!(usage))?;
    let partitions: i32 = args.next().map_or(Ok(8), |p| p.parse())?;
    let topics = Config::default().topics;
    let messages: Vec<(Option<Vec<u8>>, Vec<u8>)> = std::fs::read_to_string(&path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let id = serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v["id"].as_str().map(|s| s.as_bytes().to_vec()));
            (id, line.as_bytes().to_vec())
        })
        .collect();
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        create_topics(
            &brokers,
            &[
                (&topics.input, partitions),
                (&topics.output, partitions),
                (&topics.dead_letter, 1),
            ],
        )
        .await?;
        let n = produce(&brokers, &topics.input, messages).await?;
        println!("{n} articles produced to {}", topics.input);
        anyhow::Ok(())
    })
}
