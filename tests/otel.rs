//! Optional OpenTelemetry export: one span per article, exported over
//! OTLP/HTTP with the article id, continuing the input's trace.

use crate::support::{akhbar, cluster, INPUT, OUTPUT};
use akhbar::harness::read_topics;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A minimal OTLP/HTTP collector: stores every request body, answers 200.
fn collector() -> (u16, Arc<Mutex<Vec<Vec<u8>>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let store = bodies.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            store.lock().unwrap().push(body);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        }
    });
    (port, bodies)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_carry_the_article_id_and_continue_the_input_trace() {
    let c = cluster(1);
    let brokers = c.bootstrap_servers().to_string();
    let (port, bodies) = collector();
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .create()
        .unwrap();
    let headers = OwnedHeaders::new().insert(Header {
        key: "traceparent",
        value: Some(format!("00-{trace_id}-00f067aa0ba902b7-01").as_bytes()),
    });
    producer
        .send(
            FutureRecord::to(INPUT)
                .key("otel-article-1")
                .payload(r#"{"id":"otel-article-1","body":"A traced article."}"#)
                .headers(headers),
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    let mut child = akhbar()
        .arg("run")
        .env("AKHBAR_KAFKA__BROKERS", &brokers)
        .env("AKHBAR_KAFKA__GROUP_ID", "g-otel")
        .env("AKHBAR_KAFKA__OPTIONS__SESSION_TIMEOUT_MS", "6000")
        .env("AKHBAR_HTTP__LISTEN", "")
        .env(
            "AKHBAR_OTEL__ENDPOINT",
            format!("http://127.0.0.1:{port}/v1/traces"),
        )
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let b = brokers.clone();
    let records = tokio::task::spawn_blocking(move || {
        read_topics(&b, &[(OUTPUT, 1)], Duration::from_secs(30), |r| {
            !r.is_empty()
        })
    })
    .await
    .unwrap()
    .unwrap();
    // SAFETY: kill(2) on our own child; SIGTERM flushes the exporter.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success());
    let out_parent = records[0]
        .header("traceparent")
        .expect("output traceparent")
        .to_string();
    assert!(
        out_parent.starts_with(&format!("00-{trace_id}-")),
        "{out_parent}"
    );
    assert!(
        !out_parent.contains("00f067aa0ba902b7"),
        "a new span, not the input's"
    );
    let exported: Vec<u8> = bodies.lock().unwrap().concat();
    let contains = |needle: &[u8]| exported.windows(needle.len()).any(|w| w == needle);
    assert!(contains(b"akhbar.article"), "span name exported");
    assert!(
        contains(b"article.id") && contains(b"otel-article-1"),
        "article id attribute exported"
    );
    assert!(contains(b"messaging.offset"), "source offset exported");
}
