//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The built `akhbar` binary.
pub fn akhbar() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_akhbar"));
    // Tests must not pick up the developer's environment.
    for (key, _) in std::env::vars() {
        if key.starts_with("AKHBAR_") || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Runs `akhbar args...` with `stdin` and returns its output.
pub fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = akhbar()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("akhbar starts");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// A path in the repository.
pub fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The JSON lines of a command's stdout.
pub fn json_lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("stdout line is JSON"))
        .collect()
}

use akhbar::config::Config;
use akhbar::embedded_cluster::EmbeddedCluster;
use akhbar::harness::{read_topics, ReadRecord};
use std::collections::HashMap;
use std::time::Duration;

pub const INPUT: &str = "news.raw";
pub const OUTPUT: &str = "news.enriched";
pub const DEAD: &str = "news.dead-letter";

/// Longest any broker test may run. A test past it is a hang: the watchdog
/// ends the whole test binary with a message naming the test, so the suite
/// fails at once instead of running into CI's time limit.
pub const TEST_LIMIT: Duration = Duration::from_secs(300);

/// Ends the test process if it is not dropped within its limit.
pub struct Watchdog {
    _disarm: std::sync::mpsc::Sender<()>,
}

thread_local! {
    /// The watchdog of the test running on this thread. It is dropped when
    /// the thread ends (libtest runs each test on a thread of its own), so
    /// it also covers what runs after the test body, such as the tokio
    /// runtime's shutdown waiting for its blocking threads.
    static THREAD_WATCHDOG: std::cell::RefCell<Option<Watchdog>> =
        const { std::cell::RefCell::new(None) };
}

impl Watchdog {
    /// Arms a watchdog for the test on this thread, until the thread ends
    /// (or the next test on it arms its own).
    pub fn arm_for_thread(limit: Duration) {
        let dog = Watchdog::arm(limit);
        THREAD_WATCHDOG.with(|slot| *slot.borrow_mut() = Some(dog));
    }

    pub fn arm(limit: Duration) -> Watchdog {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let test = std::thread::current()
            .name()
            .unwrap_or("an unnamed test")
            .to_string();
        std::thread::spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(limit) {
                eprintln!(
                    "WATCHDOG: {test} still running after {limit:?}; it hangs. \
                     Ending the test binary so that the suite fails now."
                );
                std::process::exit(124);
            }
        });
        Watchdog { _disarm: tx }
    }
}

/// A mock cluster with the three topics created.
pub struct TestCluster {
    cluster: EmbeddedCluster,
}

impl std::ops::Deref for TestCluster {
    type Target = EmbeddedCluster;
    fn deref(&self) -> &EmbeddedCluster {
        &self.cluster
    }
}

/// A mock cluster with the three topics created. The test it serves must
/// end within [`TEST_LIMIT`].
pub fn cluster(partitions: i32) -> TestCluster {
    Watchdog::arm_for_thread(TEST_LIMIT);
    let c = EmbeddedCluster::start(1).expect("mock cluster");
    c.create_topic(INPUT, partitions).unwrap();
    c.create_topic(OUTPUT, partitions).unwrap();
    c.create_topic(DEAD, 1).unwrap();
    TestCluster { cluster: c }
}

/// A config for tests against `brokers`.
pub fn config(brokers: &str, group: &str) -> Config {
    let mut c = Config::default();
    c.kafka.brokers = brokers.into();
    c.kafka.group_id = group.into();
    c.kafka
        .options
        .insert("session.timeout.ms".into(), "6000".into());
    c.kafka
        .options
        .insert("heartbeat.interval.ms".into(), "500".into());
    c.kafka
        .consumer
        .insert("auto.commit.interval.ms".into(), "500".into());
    c.log.stats_interval_secs = 0;
    c.pipeline.workers = 2;
    c
}

/// Numbered raw articles `{"id":"<prefix>-<i>","body":...}`, keyed by id
/// (so they spread over partitions, as keyed production does).
pub fn articles(prefix: &str, range: std::ops::Range<usize>) -> Vec<(Option<Vec<u8>>, Vec<u8>)> {
    range
        .map(|i| {
            let v = serde_json::json!({
                "id": format!("{prefix}-{i}"),
                "body": format!("Article number {i}. The minister said on Monday that talks would resume."),
                "seq": i,
            });
            (
                Some(format!("{prefix}-{i}").into_bytes()),
                serde_json::to_vec(&v).unwrap(),
            )
        })
        .collect()
}

/// What came out of the output and dead-letter topics.
#[derive(Debug, Default)]
pub struct Verdict {
    pub delivered: usize,
    pub dead_lettered: usize,
    pub duplicated: usize,
    pub lost: Vec<String>,
    pub records: Vec<ReadRecord>,
}

/// The verifier: reads both topics until every expected id arrived (or
/// `timeout`) and counts delivered, dead-lettered, duplicated and lost.
/// Dead-lettered messages are matched by their `akhbar.source.offset`
/// header, enriched ones by id.
pub fn verify(
    brokers: &str,
    partitions: i32,
    ids: &[String],
    dead: usize,
    timeout: Duration,
) -> Verdict {
    verify_named(brokers, OUTPUT, DEAD, partitions, ids, dead, timeout)
}

/// [`verify`] with explicit topic names.
pub fn verify_named(
    brokers: &str,
    output: &str,
    dead_topic: &str,
    partitions: i32,
    ids: &[String],
    dead: usize,
    timeout: Duration,
) -> Verdict {
    let mut settle: Option<std::time::Instant> = None;
    let records = read_topics(
        brokers,
        &[(output, partitions), (dead_topic, 1)],
        timeout,
        |r| {
            let out: std::collections::HashSet<_> = r
                .iter()
                .filter(|x| x.topic == output)
                .filter_map(|x| x.key.clone())
                .collect();
            let d = r.iter().filter(|x| x.topic == dead_topic).count();
            let complete = ids.iter().all(|id| out.contains(id.as_bytes())) && d >= dead;
            // Once complete, read a little longer to catch late duplicates.
            if complete {
                let since = *settle.get_or_insert_with(std::time::Instant::now);
                since.elapsed() > Duration::from_millis(500)
            } else {
                false
            }
        },
    )
    .expect("read back");
    let mut counts: HashMap<Vec<u8>, usize> = HashMap::new();
    for r in records.iter().filter(|r| r.topic == output) {
        *counts.entry(r.key.clone().unwrap_or_default()).or_default() += 1;
    }
    let lost = ids
        .iter()
        .filter(|id| !counts.contains_key(id.as_bytes()))
        .cloned()
        .collect();
    Verdict {
        delivered: counts.len(),
        dead_lettered: records.iter().filter(|r| r.topic == dead_topic).count(),
        duplicated: counts.values().map(|n| n - 1).sum(),
        lost,
        records,
    }
}

pub fn ids(prefix: &str, range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("{prefix}-{i}")).collect()
}

/// A free loopback port (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET path` on 127.0.0.1:port: (status, body), or None if not listening.
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())?;
    Some((status, body))
}

use akhbar::document::Document;
use akhbar::pipeline::{self, RunSummary};
use akhbar::stages::{Chain, Stage, StageError};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use std::sync::Arc;
use tokio::sync::oneshot;

/// Runs the pipeline in the background; send on the returned sender to stop.
pub fn start(
    config: akhbar::config::Config,
    chain: Arc<Chain>,
) -> (
    oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<RunSummary, pipeline::PipelineError>>,
) {
    let member = Member::start(config, chain);
    (member.stop, member.task)
}

/// A pipeline member whose state the test can watch.
pub struct Member {
    pub stop: oneshot::Sender<()>,
    pub task: tokio::task::JoinHandle<Result<RunSummary, pipeline::PipelineError>>,
    pub shared: Arc<pipeline::Shared>,
}

impl Member {
    pub fn start(config: akhbar::config::Config, chain: Arc<Chain>) -> Member {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(std::env::var("TEST_LOG").unwrap_or_else(|_| "warn".into()))
            .with_test_writer()
            .try_init();
        let pipeline::Running { stop, task, shared } = pipeline::spawn(config, chain);
        Member { stop, task, shared }
    }

    /// The partitions this member holds now.
    pub fn assigned(&self) -> usize {
        self.shared.tracker().assigned().len()
    }

    /// Stops the member and returns its summary.
    pub async fn finish(self) -> RunSummary {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap()
    }
}

/// Waits until `condition` holds, checking every 100 ms; false if it did not
/// within `limit`.
pub async fn eventually(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    condition()
}

/// Committed offsets of `group` on the input topic, per partition.
pub fn committed(brokers: &str, group: &str, partitions: i32) -> Vec<i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", group)
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(INPUT, p);
    }
    let got = consumer
        .committed_offsets(tpl, Duration::from_secs(10))
        .unwrap();
    got.elements()
        .iter()
        .map(|e| match e.offset() {
            Offset::Offset(o) => o,
            _ => 0,
        })
        .collect()
}

pub async fn verify_async(
    brokers: &str,
    partitions: i32,
    ids: Vec<String>,
    dead: usize,
) -> Verdict {
    let brokers = brokers.to_string();
    tokio::task::spawn_blocking(move || {
        verify(&brokers, partitions, &ids, dead, Duration::from_secs(120))
    })
    .await
    .unwrap()
}

/// A stage that takes a while, so that work is in flight during rebalances.
pub struct Slow(pub Duration);
impl Stage for Slow {
    fn name(&self) -> &'static str {
        "slow"
    }
    fn apply(&self, _: &mut Document) -> Result<(), StageError> {
        std::thread::sleep(self.0);
        Ok(())
    }
}

pub fn slow_chain(ms: u64) -> Arc<Chain> {
    use akhbar::stages::{Id, IdConfig};
    Arc::new(Chain::from_stages(vec![
        Box::new(Id::new(&IdConfig::default())),
        Box::new(Slow(Duration::from_millis(ms))),
    ]))
}

/// A gate that a test stage waits at until the test opens it.
#[derive(Clone, Default)]
pub struct Gate(Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>);

impl Gate {
    /// Blocks until the gate is open.
    pub fn wait(&self) {
        let (open, opened) = &*self.0;
        let mut is_open = open.lock().unwrap_or_else(|e| e.into_inner());
        while !*is_open {
            is_open = opened.wait(is_open).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Opens the gate when dropped, also when an assertion fails first, so
    /// that no test stage is left waiting.
    pub fn opener(&self) -> Opener {
        Opener(self.clone())
    }
}

/// A chain of `id` then a stage that holds the article `held` at `gate`.
pub fn held_chain(held: &'static str, gate: Gate) -> Arc<Chain> {
    struct Holds(&'static str, Gate);
    impl Stage for Holds {
        fn name(&self) -> &'static str {
            "held_one"
        }
        fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
            if doc.id.as_deref() == Some(self.0) {
                self.1.wait();
            }
            Ok(())
        }
    }
    use akhbar::stages::{Id, IdConfig};
    Arc::new(Chain::from_stages(vec![
        Box::new(Id::new(&IdConfig::default())),
        Box::new(Holds(held, gate)),
    ]))
}

/// Opens its [`Gate`] when dropped.
pub struct Opener(Gate);

impl Drop for Opener {
    fn drop(&mut self) {
        let (open, opened) = &*(self.0).0;
        *open.lock().unwrap_or_else(|e| e.into_inner()) = true;
        opened.notify_all();
    }
}

/// Prints a fault-scenario line for the README's table
/// (`cargo test --test tests -- --nocapture | grep '^REPORT'`).
pub fn report_line(scenario: &str, messages: usize, faults: &str, v: &Verdict) {
    println!(
        "REPORT | {scenario} | {messages} | {faults} | {} | {} |",
        v.lost.len(),
        v.duplicated
    );
}

/// Runs `chain` on `raw` in-process and returns the output record.
pub fn enrich_in_process(chain: &Chain, raw: akhbar::document::RawArticle) -> serde_json::Value {
    let mut doc = akhbar::document::Document::new(raw, None);
    chain.run(&mut doc, |_| {}).expect("not rejected");
    akhbar::record::to_value(&doc)
}

/// The first article of a bundled JSON Lines fixture.
pub fn fixture(name: &str) -> akhbar::document::RawArticle {
    let text = std::fs::read_to_string(repo(name)).expect("fixture");
    serde_json::from_str(text.lines().next().expect("one line")).expect("raw article")
}

/// A short sports report that shares no story with the seed article.
pub fn unrelated_article() -> akhbar::document::RawArticle {
    akhbar::document::RawArticle {
        id: Some("unrelated".into()),
        body: Some(
            "فاز الهلال على النصر بهدفين نظيفين في المباراة التي جمعت الفريقين مساء أمس على ملعب الملك فهد الدولي في الرياض ضمن الجولة الأولى من الدوري السعودي للمحترفين وسط حضور جماهيري كبير."
                .into(),
        ),
        ..akhbar::document::RawArticle::default()
    }
}
