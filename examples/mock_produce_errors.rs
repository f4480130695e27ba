//! Evidence for a limit of librdkafka's mock cluster, without akhbar:
//! with produce errors injected (NOT_LEADER_FOR_PARTITION and
//! REQUEST_TIMED_OUT), a plain idempotent producer (acks=all, lz4, linger
//! 5 ms, paced sends, the sink's settings) gets every record acknowledged,
//! yet the cluster's log sometimes holds fewer. This is why the fault suite
//! injects no produce errors on the mock cluster (README, "Proof under
//! faults").
//!
//!     cargo run --release --example mock_produce_errors
use akhbar::embedded_cluster::EmbeddedCluster;
use akhbar::harness::read_topics;
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr::*};
use std::time::Duration;

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Twelve runs: the loss shows in a few of them.
    for run in 0..12 {
        let c = EmbeddedCluster::start(1).unwrap();
        c.create_topic("t", 2).unwrap();
        let brokers = c.bootstrap_servers().to_string();
        c.request_errors(
            RDKafkaApiKey::Produce,
            [
                RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            ]
            .repeat(5),
        )
        .unwrap();
        let msgs: Vec<_> = (0..300)
            .map(|i| {
                (
                    Some(format!("k{i}").into_bytes()),
                    format!("v{i}").into_bytes(),
                )
            })
            .collect();
        let acked = rt.block_on(async {
            use rdkafka::producer::{FutureProducer, FutureRecord};
            let p: FutureProducer = rdkafka::ClientConfig::new()
                .set("bootstrap.servers", &brokers)
                .set("enable.idempotence", "true")
                .set("acks", "all")
                .set("compression.type", "lz4")
                .set("linger.ms", "5")
                .create()
                .unwrap();
            let mut futs = Vec::new();
            for (k, v) in &msgs {
                tokio::time::sleep(Duration::from_millis(3)).await;
                futs.push(
                    p.send_result(FutureRecord::to("t").key(k.as_deref().unwrap()).payload(v))
                        .unwrap(),
                );
            }
            let mut ok = 0;
            for f in futs {
                if let Ok(Ok(_)) = f.await {
                    ok += 1;
                }
            }
            ok
        });

        let recs = read_topics(&brokers, &[("t", 2)], Duration::from_secs(5), |r| {
            r.len() >= 300
        })
        .unwrap();
        let mut keys: Vec<_> = recs.iter().filter_map(|r| r.key.clone()).collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        println!(
            "run {run}: acked {acked}, read {n}, distinct {}",
            keys.len()
        );
    }
}
