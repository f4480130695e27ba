//! Exactly-once mode on the mock cluster: the transaction call sequence
//! works end to end and injected abortable and fatal errors are handled.
//!
//! The mock cluster accepts transactions but stores no transactional offsets
//! and writes no abort markers, so aborted records stay visible here: these
//! tests check the handling (abort, rewind, no loss, stop on fatal), not
//! what a `read_committed` reader sees. The tansu module checks the offsets
//! and fencing against a real broker; the full guarantee needs Apache Kafka
//! (README, "Exactly-once").

use crate::support::{articles, cluster, config, ids, slow_chain, start, verify_async, INPUT};
use akhbar::config::{Config, Guarantee};
use akhbar::harness::produce;
use akhbar::pipeline::PipelineError;
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use std::time::Duration;

fn exactly_once(brokers: &str, group: &str) -> Config {
    let mut cfg = config(brokers, group);
    cfg.delivery.guarantee = Guarantee::ExactlyOnce;
    cfg.delivery.transactional_id = format!("{group}-txn");
    cfg.delivery.transaction_interval_ms = 200;
    cfg
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_article_is_delivered_through_committed_transactions() {
    let c = cluster(2);
    let brokers = c.bootstrap_servers().to_string();
    let cfg = exactly_once(&brokers, "g-eos");
    produce(&brokers, INPUT, articles("x", 0..200))
        .await
        .unwrap();
    // About 2 s of work at 20 ms an article on 2 workers: several
    // transactions of 200 ms.
    let (stop, task) = start(cfg, slow_chain(20));
    let v = verify_async(&brokers, 2, ids("x", 0..200), 0).await;
    stop.send(()).unwrap();
    let summary = task.await.unwrap().unwrap();
    assert!(v.lost.is_empty(), "lost {}", v.lost.len());
    assert_eq!(v.duplicated, 0, "no fault, no abort, no duplicate");
    assert_eq!(
        summary.published, 200,
        "each record counted once, when its transaction committed"
    );
    assert!(
        summary.transactions.committed >= 2,
        "work spread over several transactions: {summary:?}"
    );
    assert_eq!(summary.transactions.aborted, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_delivery_aborts_the_transaction_and_the_work_is_done_again() {
    let c = cluster(2);
    let brokers = c.bootstrap_servers().to_string();
    let cfg = exactly_once(&brokers, "g-eos-abort");
    produce(&brokers, INPUT, articles("y", 0..200))
        .await
        .unwrap();
    // A non-retriable produce error fails a delivery inside the open
    // transaction, which then can only be aborted.
    c.request_errors(
        RDKafkaApiKey::Produce,
        vec![RDKafkaRespErr::RD_KAFKA_RESP_ERR_INVALID_RECORD; 2],
    )
    .unwrap();
    let (stop, task) = start(cfg, slow_chain(10));
    let v = verify_async(&brokers, 2, ids("y", 0..200), 0).await;
    stop.send(()).unwrap();
    let summary = task.await.unwrap().unwrap();
    assert!(v.lost.is_empty(), "lost {}", v.lost.len());
    assert!(
        summary.transactions.aborted >= 1,
        "the failed delivery aborted a transaction: {summary:?}"
    );
    assert!(summary.transactions.committed >= 1, "{summary:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fenced_producer_stops_the_pipeline_with_a_clear_error() {
    let c = cluster(1);
    let brokers = c.bootstrap_servers().to_string();
    let cfg = exactly_once(&brokers, "g-eos-fenced");
    produce(&brokers, INPUT, articles("z", 0..50))
        .await
        .unwrap();
    // The broker answers the commit as it answers a zombie whose
    // transactional id a newer instance took over.
    c.request_errors(
        RDKafkaApiKey::EndTxn,
        vec![RDKafkaRespErr::RD_KAFKA_RESP_ERR_PRODUCER_FENCED; 10],
    )
    .unwrap();
    let (_stop, task) = start(cfg, slow_chain(1));
    let result = tokio::time::timeout(Duration::from_secs(120), task)
        .await
        .expect("the pipeline stops by itself")
        .unwrap();
    match result {
        Err(PipelineError::Fatal(reason)) => assert!(
            reason.to_lowercase().contains("fenced"),
            "the error says why: {reason}"
        ),
        other => panic!("expected a fatal stop, got {other:?}"),
    }
}
