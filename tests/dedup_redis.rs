//! The shared near-duplicate index (`[stages.dedup] index = "redis"`)
//! against a real `redis-server`, started here on a free loopback port and
//! stopped at the end of each test; the tests that need it skip with a
//! message when the binary is absent (scripts/test.sh installs it).

use crate::support::{enrich_in_process as enrich, fixture, unrelated_article};
use akhbar::document::RawArticle;
use akhbar::stages::dedup::IndexKind;
use akhbar::stages::{Chain, StageKind, StagesConfig};
use serde_json::Value;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` process on a free port, killed on drop.
struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// Starts one, or returns None (with a printed reason) when there is
    /// no `redis-server` on PATH.
    fn start() -> Option<RedisServer> {
        let port = free_port();
        let child = match Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(child) => child,
            Err(e) => {
                akhbar::shared_data::skip(format!(
                    "cannot start redis-server ({e}); scripts/test.sh installs it"
                ));
                return None;
            }
        };
        let server = RedisServer { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The default chain with the shared index at `url` under `key`.
fn chain(url: &str, key: &str) -> Chain {
    let mut config = StagesConfig::default();
    config.dedup.index = IndexKind::Redis;
    config.dedup.redis_url = url.into();
    config.dedup.redis_key = key.into();
    config.dedup.redis_timeout_ms = 300;
    Chain::build(StageKind::ALL, &config).expect("chain")
}

fn dedup_errors(record: &Value) -> Vec<String> {
    record["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter(|e| e["stage"] == "dedup")
                .map(|e| e["message"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn two_instances_sharing_the_store_find_the_cross_instance_duplicate() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let key = "test:cross-instance";
    let first = chain(&server.url(), key);
    let seed = enrich(&first, fixture("fixtures/seed_article.jsonl"));
    // The second instance starts after the seed went through the first,
    // so it also shows a late replica catching up on the log.
    let second = chain(&server.url(), key);
    let other = enrich(&second, unrelated_article());
    let edited = enrich(&second, fixture("fixtures/seed_article_reedited.jsonl"));
    assert_eq!(seed["duplicate_of"], Value::Null);
    assert_eq!(other["duplicate_of"], Value::Null);
    assert_eq!(edited["duplicate_of"], "seed-aleppo-ceasefire");
    for record in [&seed, &other, &edited] {
        assert!(dedup_errors(record).is_empty(), "{}", record["errors"]);
    }
    // And the other way round: the first instance sees the second's articles.
    let again = enrich(
        &first,
        RawArticle {
            id: Some("unrelated-repost".into()),
            ..unrelated_article()
        },
    );
    assert_eq!(again["duplicate_of"], "unrelated");
}

#[test]
fn the_memory_index_misses_what_the_shared_one_finds() {
    // The baseline the shared index exists for: two in-memory instances.
    let first = Chain::build(StageKind::ALL, &StagesConfig::default()).expect("chain");
    let second = Chain::build(StageKind::ALL, &StagesConfig::default()).expect("chain");
    enrich(&first, fixture("fixtures/seed_article.jsonl"));
    let edited = enrich(&second, fixture("fixtures/seed_article_reedited.jsonl"));
    assert_eq!(edited["duplicate_of"], Value::Null);
}

#[test]
fn a_store_lost_mid_stream_marks_the_record_and_the_local_copy_still_answers() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let chain = chain(&server.url(), "test:lost");
    let seed = enrich(&chain, fixture("fixtures/seed_article.jsonl"));
    assert!(dedup_errors(&seed).is_empty(), "{}", seed["errors"]);
    server.stop();
    let edited = enrich(&chain, fixture("fixtures/seed_article_reedited.jsonl"));
    let errors = dedup_errors(&edited);
    assert_eq!(errors.len(), 1, "{}", edited["errors"]);
    assert!(errors[0].contains("unreachable"), "{errors:?}");
    assert_eq!(edited["fingerprint"].as_str().map(str::len), Some(16));
    assert_eq!(edited["duplicate_of"], "seed-aleppo-ceasefire");
}

#[test]
fn an_unreachable_store_is_an_error_entry_never_a_silent_miss() {
    // Bound and released: nothing listens on this port.
    let port = free_port();
    let chain = chain(&format!("redis://127.0.0.1:{port}"), "test:none");
    let record = enrich(&chain, fixture("fixtures/seed_article.jsonl"));
    let errors = dedup_errors(&record);
    assert_eq!(errors.len(), 1, "{}", record["errors"]);
    assert!(errors[0].contains("this replica's copy only"), "{errors:?}");
    assert_eq!(record["fingerprint"].as_str().map(str::len), Some(16));
    // Later articles fail fast, backing off instead of waiting out a
    // connection timeout each, and are still marked.
    let next = enrich(&chain, unrelated_article());
    let errors = dedup_errors(&next);
    assert_eq!(errors.len(), 1, "{}", next["errors"]);
    assert!(
        errors[0].contains("tried again at most once a second"),
        "{errors:?}"
    );
}
