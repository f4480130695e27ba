//! The pipeline over the real Kafka protocol, on librdkafka's mock cluster.

use crate::support::{
    self, articles, cluster, committed, config, eventually, held_chain, ids, slow_chain, start,
    verify_async, Gate, Member, DEAD, INPUT, OUTPUT,
};
use akhbar::commands::build_chain;
use akhbar::document::Document;
use akhbar::harness::produce;
use akhbar::stages::{Chain, Stage, StageError};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_article_in_comes_out_enriched_keyed_by_id_with_origin_headers() {
    let c = cluster(3);
    let brokers = c.bootstrap_servers().to_string();
    let cfg = config(&brokers, "g-basic");
    produce(&brokers, INPUT, articles("a", 0..60))
        .await
        .unwrap();
    let (stop, task) = start(cfg.clone(), build_chain(&cfg).unwrap());
    let v = verify_async(&brokers, 3, ids("a", 0..60), 0).await;
    stop.send(()).unwrap();
    let summary = task.await.unwrap().unwrap();
    assert!(v.lost.is_empty(), "lost {:?}", v.lost);
    assert_eq!((v.delivered, v.duplicated, v.dead_lettered), (60, 0, 0));
    assert!(summary.drained);
    for r in &v.records {
        let body = r.json().unwrap();
        assert_eq!(r.key.as_deref(), body["id"].as_str().map(str::as_bytes));
        assert_eq!(r.header("akhbar.schema"), Some("news.enriched/v1"));
        assert_eq!(r.header("akhbar.source.topic"), Some(INPUT));
        let so = &body["source_offset"];
        assert_eq!(
            r.header("akhbar.source.partition"),
            Some(so["partition"].to_string().as_str())
        );
        assert_eq!(
            r.header("akhbar.source.offset"),
            Some(so["offset"].to_string().as_str())
        );
    }
    assert_eq!(
        committed(&brokers, "g-basic", 3).iter().sum::<i64>(),
        60,
        "all committed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_messages_go_to_the_dead_letter_topic_with_bytes_and_reasons() {
    let c = cluster(1);
    let brokers = c.bootstrap_servers().to_string();
    let cfg = config(&brokers, "g-dead");
    let bad: Vec<(Option<Vec<u8>>, Vec<u8>)> = vec![
        (Some(b"k1".to_vec()), b"{\"body\":\"\xff\"}".to_vec()),
        (None, b"{\"body\": \"cut".to_vec()),
        (None, br#"{"title":"only a title"}"#.to_vec()),
        (None, br#"{"body": 42}"#.to_vec()),
    ];
    let mut messages = articles("d", 0..10);
    messages.extend(bad.clone());
    produce(&brokers, INPUT, messages).await.unwrap();
    let (stop, task) = start(cfg.clone(), build_chain(&cfg).unwrap());
    let v = verify_async(&brokers, 1, ids("d", 0..10), 4).await;
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
    assert!(v.lost.is_empty());
    let mut dead: Vec<_> = v.records.iter().filter(|r| r.topic == DEAD).collect();
    // Workers finish in any order; compare in input order.
    dead.sort_by_key(|r| {
        r.header("akhbar.source.offset")
            .unwrap()
            .parse::<i64>()
            .unwrap()
    });
    let reasons: Vec<_> = dead
        .iter()
        .map(|r| r.header("akhbar.reason").unwrap())
        .collect();
    assert_eq!(reasons, ["not_utf8", "not_json", "no_body", "wrong_type"]);
    for (record, (key, original)) in dead.iter().zip(&bad) {
        assert_eq!(&record.payload, original, "original bytes kept");
        assert_eq!(&record.key, key, "original key kept");
        assert_eq!(record.header("akhbar.source.topic"), Some(INPUT));
        assert!(record.header("akhbar.source.offset").is_some());
        assert!(!record.header("akhbar.error").unwrap_or("").is_empty());
    }
    assert_eq!(
        committed(&brokers, "g-dead", 1),
        vec![14],
        "dead letters count as finished"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_resumes_from_the_committed_position_without_loss_or_replay() {
    let c = cluster(2);
    let brokers = c.bootstrap_servers().to_string();
    let cfg = config(&brokers, "g-restart");
    let chain = build_chain(&cfg).unwrap();
    produce(&brokers, INPUT, articles("r", 0..40))
        .await
        .unwrap();
    let (stop, task) = start(cfg.clone(), chain.clone());
    let first = verify_async(&brokers, 2, ids("r", 0..40), 0).await;
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
    assert!(first.lost.is_empty());

    produce(&brokers, INPUT, articles("r", 40..70))
        .await
        .unwrap();
    let (stop, task) = start(cfg.clone(), chain);
    let second = verify_async(&brokers, 2, ids("r", 0..70), 0).await;
    stop.send(()).unwrap();
    let summary = task.await.unwrap().unwrap();
    assert!(second.lost.is_empty(), "lost {:?}", second.lost);
    assert_eq!(
        summary.consumed, 30,
        "the second run starts past the first's work"
    );
    assert_eq!(second.duplicated, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn members_joining_and_leaving_during_a_backlog_lose_nothing() {
    let partitions = 6;
    let c = cluster(partitions);
    let brokers = c.bootstrap_servers().to_string();
    let mut cfg = config(&brokers, "g-group");
    cfg.pipeline.max_in_flight = 40;
    cfg.pipeline.max_in_flight_per_partition = 10;
    cfg.pipeline.workers = 1;
    // About 100 articles/s with two members: a backlog of some 20 seconds.
    let n = 2000;
    produce(&brokers, INPUT, articles("m", 0..n)).await.unwrap();
    let a = Member::start(cfg.clone(), slow_chain(20));
    let b = Member::start(cfg.clone(), slow_chain(20));
    let settle = Duration::from_secs(60);
    assert!(
        eventually(settle, || a.assigned() + b.assigned() == 6).await,
        "the first two members share the partitions"
    );
    // A third member joins mid-backlog: the cooperative rebalance moves
    // partitions to it while the others keep working.
    let c3 = Member::start(cfg.clone(), slow_chain(20));
    assert!(
        eventually(settle, || c3.assigned() > 0
            && a.assigned() + b.assigned() + c3.assigned() == 6)
        .await,
        "the joining member gets partitions"
    );
    // Then the first leaves, still mid-backlog.
    let sa = a.finish().await;
    let v = verify_async(&brokers, partitions, ids("m", 0..n), 0).await;
    let (sb, sc) = (b.finish().await, c3.finish().await);
    assert!(
        v.lost.is_empty(),
        "lost {} e.g. {:?}",
        v.lost.len(),
        v.lost.iter().take(5).collect::<Vec<_>>()
    );
    assert_eq!(v.delivered, n);
    assert!(
        sa.published > 0 && sb.published > 0 && sc.published > 0,
        "every member worked: {sa:?} {sb:?} {sc:?}"
    );
    // Duplicates come from work finished but not yet committed at a
    // hand-over: in-flight work, plus what the mock cluster refused to
    // commit (RebalanceInProgress) during its slower cooperative rebalance.
    assert!(v.duplicated <= n / 10, "{} duplicates", v.duplicated);
    eprintln!(
        "rebalance scenario: delivered {}, duplicated {}, lost 0",
        v.delivered, v.duplicated
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_order_completion_never_commits_past_unfinished_work() {
    // One held article among fast ones: while it is in flight nothing past
    // it may be committed, even though everything after it is published.
    // The test releases it (also when an assertion fails first).
    let gate = Gate::default();
    let release = gate.opener();
    let c = cluster(1);
    let brokers = c.bootstrap_servers().to_string();
    let mut cfg = config(&brokers, "g-order");
    cfg.pipeline.workers = 4;
    let chain = held_chain("o-3", gate);
    produce(&brokers, INPUT, articles("o", 0..20))
        .await
        .unwrap();
    let (stop, task) = start(cfg.clone(), chain);
    let mut others = ids("o", 0..20);
    others.retain(|i| i != "o-3");
    let v = verify_async(&brokers, 1, others, 0).await;
    assert_eq!(v.delivered, 19, "all but the held one are out");
    // The finished prefix (offsets 0-2) is committed, and nothing past it.
    let prefix = eventually(Duration::from_secs(10), || {
        committed(&brokers, "g-order", 1)[0] == 3
    })
    .await;
    assert!(prefix, "committed {:?}", committed(&brokers, "g-order", 1));
    tokio::time::sleep(Duration::from_millis(1200)).await; // > auto-commit interval
    assert_eq!(
        committed(&brokers, "g-order", 1),
        vec![3],
        "nothing past unfinished offset 3"
    );
    drop(release);
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
    assert_eq!(committed(&brokers, "g-order", 1), vec![20]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drain_that_times_out_commits_the_finished_prefix_and_the_rest_is_done_again() {
    // One article is held past the drain deadline: the stop reports an
    // unfinished drain, commits only below it, and the next member
    // processes it and everything after it.
    let gate = Gate::default();
    let release = gate.opener();
    let c = cluster(1);
    let brokers = c.bootstrap_servers().to_string();
    let mut cfg = config(&brokers, "g-drain");
    cfg.pipeline.workers = 4;
    cfg.shutdown.drain_timeout_ms = 1_000;
    let chain = held_chain("d-5", gate);
    produce(&brokers, INPUT, articles("d", 0..10))
        .await
        .unwrap();
    let member = Member::start(cfg.clone(), chain);
    let mut others = ids("d", 0..10);
    others.retain(|i| i != "d-5");
    let first = verify_async(&brokers, 1, others, 0).await;
    assert_eq!(first.delivered, 9, "all but the held one are out");
    let summary = member.finish().await;
    assert!(!summary.drained, "the held article outlived the drain");
    assert_eq!(
        committed(&brokers, "g-drain", 1),
        vec![5],
        "committed up to the unfinished offset 5, not past it"
    );
    drop(release);
    let next = Member::start(cfg, slow_chain(0));
    let v = verify_async(&brokers, 1, ids("d", 0..10), 0).await;
    next.finish().await;
    assert!(v.lost.is_empty(), "lost {:?}", v.lost);
    assert_eq!(
        v.duplicated, 4,
        "offsets 6-9 were published but not committed: done again, and only they"
    );
    assert_eq!(committed(&brokers, "g-drain", 1), vec![10]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stage_that_hangs_is_timed_out_and_dead_lettered_while_the_rest_flows() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;
    /// Holds `h-1` until released, then notes that it returned.
    struct Hangs {
        gate: Gate,
        returned: Arc<AtomicBool>,
    }
    impl Stage for Hangs {
        fn name(&self) -> &'static str {
            "hangs"
        }
        fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
            if doc.id.as_deref() == Some("h-1") {
                self.gate.wait();
                self.returned.store(true, Ordering::SeqCst);
            }
            Ok(())
        }
    }
    /// The ids of the articles that reached the stage after `hangs`.
    struct Sees(Arc<Mutex<Vec<String>>>);
    impl Stage for Sees {
        fn name(&self) -> &'static str {
            "sees"
        }
        fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
            self.0
                .lock()
                .unwrap()
                .push(doc.id.clone().unwrap_or_default());
            Ok(())
        }
    }
    let gate = Gate::default();
    let release = gate.opener();
    let returned = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let c = cluster(1);
    let brokers = c.bootstrap_servers().to_string();
    let mut cfg = config(&brokers, "g-hang");
    cfg.pipeline.article_timeout_ms = 500;
    cfg.pipeline.workers = 1;
    use akhbar::stages::{Id, IdConfig};
    let chain = Arc::new(Chain::from_stages(vec![
        Box::new(Id::new(&IdConfig::default())),
        Box::new(Hangs {
            gate,
            returned: returned.clone(),
        }),
        Box::new(Sees(seen.clone())),
    ]));
    produce(&brokers, INPUT, articles("h", 0..10))
        .await
        .unwrap();
    let (stop, task) = start(cfg, chain);
    let mut rest = ids("h", 0..10);
    rest.retain(|i| i != "h-1");
    let v = verify_async(&brokers, 1, rest, 1).await;
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
    assert_eq!(
        v.delivered, 9,
        "one worker, still all the others got through"
    );
    let dead: Vec<_> = v.records.iter().filter(|r| r.topic == DEAD).collect();
    assert_eq!(dead[0].header("akhbar.reason"), Some("timeout"));
    assert_eq!(dead[0].header("akhbar.stage"), Some("hangs"));
    // The hung thread, once its stage returns, runs nothing more.
    drop(release);
    assert!(
        eventually(Duration::from_secs(10), || returned.load(Ordering::SeqCst)).await,
        "the hung stage returned"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 9, "the others went through every stage");
    assert!(!seen.contains(&"h-1".to_string()), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_dead_letters_stop_the_pipeline_with_a_clear_error() {
    let c = cluster(1);
    let brokers = c.bootstrap_servers().to_string();
    let mut cfg = config(&brokers, "g-limit");
    cfg.dead_letter.min_messages = 10;
    cfg.dead_letter.window = 20;
    cfg.pipeline.max_in_flight = 20;
    let junk: Vec<_> = (0..500)
        .map(|i| (None, format!("junk {i}").into_bytes()))
        .collect();
    produce(&brokers, INPUT, junk).await.unwrap();
    let (_stop, task) = start(cfg.clone(), build_chain(&cfg).unwrap());
    let result = tokio::time::timeout(Duration::from_secs(60), task)
        .await
        .unwrap()
        .unwrap();
    let err = result.unwrap_err().to_string();
    assert!(err.contains("dead_letter.max_ratio"), "{err}");
    let done = committed(&brokers, "g-limit", 1)[0];
    assert!(
        done < 50,
        "stopped before dead-lettering everything (committed {done})"
    );
    let _ = OUTPUT;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backpressure_pauses_and_resumes_partitions_without_stalling() {
    let c = cluster(2);
    let brokers = c.bootstrap_servers().to_string();
    let mut cfg = config(&brokers, "g-pause");
    cfg.pipeline.max_in_flight = 8;
    cfg.pipeline.max_in_flight_per_partition = 3;
    cfg.pipeline.workers = 1;
    produce(&brokers, INPUT, articles("p", 0..200))
        .await
        .unwrap();
    let member = Member::start(cfg, slow_chain(5));
    let v = verify_async(&brokers, 2, ids("p", 0..200), 0).await;
    let stats = &member.shared.stats;
    let (pauses, resumes) = (
        stats.pauses.load(std::sync::atomic::Ordering::Relaxed),
        stats.resumes.load(std::sync::atomic::Ordering::Relaxed),
    );
    member.finish().await;
    assert!(v.lost.is_empty(), "lost {}", v.lost.len());
    assert_eq!(v.duplicated, 0, "pausing must not replay work");
    assert!(pauses > 0, "a backlog of 200 over a limit of 8 pauses");
    assert!(resumes > 0, "and every paused partition came back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_commits_exits_zero_and_the_next_replica_resumes_exactly_there() {
    let c = cluster(2);
    let brokers = c.bootstrap_servers().to_string();
    produce(&brokers, INPUT, articles("s", 0..3000))
        .await
        .unwrap();
    let child = support::akhbar()
        .arg("run")
        .env("AKHBAR_KAFKA__BROKERS", &brokers)
        .env("AKHBAR_KAFKA__GROUP_ID", "g-sigterm")
        .env("AKHBAR_HTTP__LISTEN", "127.0.0.1:0")
        .env("AKHBAR_KAFKA__OPTIONS__SESSION_TIMEOUT_MS", "6000")
        .env("AKHBAR_PIPELINE__STAGES", "id,clean,language,word_count")
        .env("AKHBAR_LOG__FORMAT", "json")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first records, then ask it to stop mid-stream.
    let b = brokers.clone();
    tokio::task::spawn_blocking(move || {
        akhbar::harness::read_topics(&b, &[(OUTPUT, 2)], Duration::from_secs(60), |r| {
            !r.is_empty()
        })
    })
    .await
    .unwrap()
    .unwrap();
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = tokio::task::spawn_blocking(move || {
        let out = child.wait_with_output().unwrap();
        (
            out.status,
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    });
    let (status, logs) = tokio::time::timeout(Duration::from_secs(40), status)
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "exit {status}");
    for phase in [
        "stopping intake",
        "draining in-flight work",
        "flushing producer",
        "committing offsets",
        "leaving group",
    ] {
        assert!(logs.contains(phase), "no `{phase}` in logs");
    }
    assert!(
        logs.lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()),
        "JSON lines"
    );
    let done: i64 = committed(&brokers, "g-sigterm", 2).iter().sum();
    let cfg = config(&brokers, "g-sigterm");
    let (stop, task) = start(cfg.clone(), build_chain(&cfg).unwrap());
    let v = verify_async(&brokers, 2, ids("s", 0..3000), 0).await;
    stop.send(()).unwrap();
    let summary = task.await.unwrap().unwrap();
    assert!(v.lost.is_empty(), "lost {}", v.lost.len());
    assert_eq!(
        summary.consumed as i64,
        3000 - done,
        "resumed exactly at the committed position"
    );
    assert_eq!(v.duplicated, 0, "a drained shutdown replays nothing");
}

/// Produces `value` to `topic` with one header whose key is the bytes `key`
/// (rdkafka's safe API takes keys as `&str` only, so librdkafka is called).
async fn produce_with_raw_header_key(brokers: &str, topic: &str, value: &[u8], key: &[u8]) {
    use rdkafka::message::OwnedHeaders;
    use rdkafka::producer::{FutureProducer, FutureRecord};
    let headers = OwnedHeaders::new();
    let native = headers.as_borrowed() as *const _ as *mut rdkafka::bindings::rd_kafka_headers_t;
    // SAFETY: a BorrowedHeaders reference is the native headers pointer
    // (rdkafka's own `as_borrowed` casts it so); the key and value are copied.
    let err = unsafe {
        rdkafka::bindings::rd_kafka_header_add(
            native,
            key.as_ptr().cast(),
            key.len() as isize,
            b"v".as_ptr().cast(),
            1,
        )
    };
    assert_eq!(
        err,
        rdkafka::bindings::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR
    );
    let producer: FutureProducer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .unwrap();
    producer
        .send(
            FutureRecord::<[u8], [u8]>::to(topic)
                .payload(value)
                .headers(headers),
            Duration::from_secs(30),
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_key_that_is_not_utf8_is_enriched_like_any_message() {
    let c = cluster(1);
    let brokers = c.bootstrap_servers().to_string();
    let cfg = config(&brokers, "g-bad-header");
    let batch = articles("h", 0..3);
    produce(&brokers, INPUT, batch[..1].to_vec()).await.unwrap();
    produce_with_raw_header_key(&brokers, INPUT, &batch[1].1, b"x-\xff\xfe").await;
    produce(&brokers, INPUT, batch[2..].to_vec()).await.unwrap();
    let (stop, task) = start(cfg.clone(), build_chain(&cfg).unwrap());
    let v = verify_async(&brokers, 1, ids("h", 0..3), 0).await;
    stop.send(()).unwrap();
    let summary = task.await.unwrap().unwrap();
    assert!(v.lost.is_empty(), "lost {:?}", v.lost);
    assert_eq!((v.delivered, v.dead_lettered), (3, 0));
    assert!(summary.drained);
    // Passed on with the bad bytes replaced, so readers of the output
    // never meet them.
    let passed_on = v
        .records
        .iter()
        .find(|r| r.header("x-\u{fffd}\u{fffd}").is_some());
    assert!(passed_on.is_some());
    assert_eq!(committed(&brokers, "g-bad-header", 1), vec![3]);
}
