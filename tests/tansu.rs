//! End to end against a real broker process (tansu), with `akhbar run` as a
//! separate process. `.ci/run` fetches and starts tansu and sets
//! `AKHBAR_TEST_BROKERS`; the module is compiled only with the
//! `tansu-tests` feature, so a bare `cargo test` needs no broker.

use crate::support::{akhbar, articles, ids, verify, Watchdog, DEAD, INPUT, OUTPUT, TEST_LIMIT};
use akhbar::harness::produce;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::ClientConfig;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const PARTITIONS: i32 = 3;

fn brokers() -> String {
    std::env::var("AKHBAR_TEST_BROKERS")
        .expect("AKHBAR_TEST_BROKERS must name the tansu broker (.ci/run sets it)")
}

async fn create_topics(brokers: &str, suffix: &str) -> (String, String, String) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .unwrap();
    let names = (
        format!("{INPUT}.{suffix}"),
        format!("{OUTPUT}.{suffix}"),
        format!("{DEAD}.{suffix}"),
    );
    let topics = [
        NewTopic::new(&names.0, PARTITIONS, TopicReplication::Fixed(1)),
        NewTopic::new(&names.1, PARTITIONS, TopicReplication::Fixed(1)),
        NewTopic::new(&names.2, 1, TopicReplication::Fixed(1)),
    ];
    for result in admin
        .create_topics(&topics, &AdminOptions::new())
        .await
        .unwrap()
    {
        if let Err((topic, e)) = result {
            panic!("cannot create {topic}: {e}");
        }
    }
    names
}

fn spawn_run(brokers: &str, group: &str, topics: &(String, String, String)) -> Child {
    akhbar()
        .arg("run")
        .env("AKHBAR_KAFKA__BROKERS", brokers)
        .env("AKHBAR_KAFKA__GROUP_ID", group)
        .env("AKHBAR_HTTP__LISTEN", "127.0.0.1:0")
        .env("AKHBAR_TOPICS__INPUT", &topics.0)
        .env("AKHBAR_TOPICS__OUTPUT", &topics.1)
        .env("AKHBAR_TOPICS__DEAD_LETTER", &topics.2)
        .env("AKHBAR_KAFKA__OPTIONS__SESSION_TIMEOUT_MS", "6000")
        .env("AKHBAR_LOG__STATS_INTERVAL_SECS", "5")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("akhbar run starts")
}

fn sigterm(child: &mut Child) -> std::process::ExitStatus {
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "akhbar did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_articles_and_bad_messages_through_a_real_broker_lose_nothing() {
    let _watchdog = Watchdog::arm(TEST_LIMIT);
    let brokers = brokers();
    let topics = create_topics(&brokers, "e2e").await;
    let mut messages = articles("t", 0..1000);
    let bad: Vec<_> = (0..20)
        .map(|i| (None, format!("{{\"broken\": {i}").into_bytes()))
        .collect();
    messages.extend(bad);
    produce(&brokers, &topics.0, messages).await.unwrap();
    let mut child = spawn_run(&brokers, "akhbar-e2e", &topics);
    let (b, t) = (brokers.clone(), topics.clone());
    let v = tokio::task::spawn_blocking(move || verify_topics(&b, &t, &ids("t", 0..1000), 20))
        .await
        .unwrap();
    let status = sigterm(&mut child);
    assert!(status.success(), "exit status {status}");
    assert!(
        v.lost.is_empty(),
        "lost {} e.g. {:?}",
        v.lost.len(),
        v.lost.iter().take(5).collect::<Vec<_>>()
    );
    assert_eq!(v.delivered, 1000);
    assert_eq!(v.dead_lettered, 20);
}

fn verify_topics(
    brokers: &str,
    topics: &(String, String, String),
    ids: &[String],
    dead: usize,
) -> crate::support::Verdict {
    crate::support::verify_named(
        brokers,
        &topics.1,
        &topics.2,
        PARTITIONS,
        ids,
        dead,
        Duration::from_secs(120),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_with_sigkill_and_restarted_loses_nothing() {
    let _watchdog = Watchdog::arm(TEST_LIMIT);
    let brokers = brokers();
    let topics = create_topics(&brokers, "kill").await;
    produce(&brokers, &topics.0, articles("k", 0..600))
        .await
        .unwrap();
    let mut child = spawn_run(&brokers, "akhbar-kill", &topics);
    // Let it get going, then kill it without warning.
    let (b, out) = (brokers.clone(), topics.1.clone());
    tokio::task::spawn_blocking(move || {
        akhbar::harness::read_topics(
            &b,
            &[(out.as_str(), PARTITIONS)],
            Duration::from_secs(60),
            |r| r.len() >= 50,
        )
    })
    .await
    .unwrap()
    .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let mut child = spawn_run(&brokers, "akhbar-kill", &topics);
    let (b, t) = (brokers.clone(), topics.clone());
    let v = tokio::task::spawn_blocking(move || verify_topics(&b, &t, &ids("k", 0..600), 0))
        .await
        .unwrap();
    let status = sigterm(&mut child);
    assert!(status.success());
    assert!(v.lost.is_empty(), "lost {}", v.lost.len());
    let _ = verify;
}
