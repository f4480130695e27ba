//! The health and metrics endpoint of `akhbar run`.

use crate::support::{akhbar, articles, cluster, free_port, http_get, INPUT, OUTPUT};
use akhbar::harness::{produce, read_topics};
use std::time::{Duration, Instant};

fn wait_for(mut check: impl FnMut() -> bool, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_immediate_readiness_waits_for_partitions_and_metrics_show_the_series() {
    let c = cluster(2);
    let brokers = c.bootstrap_servers().to_string();
    produce(&brokers, INPUT, articles("h", 0..20))
        .await
        .unwrap();
    let mut bad = articles("x", 0..1);
    bad[0].1 = b"not json".to_vec();
    produce(&brokers, INPUT, bad).await.unwrap();
    let port = free_port();
    let mut child = akhbar()
        .arg("run")
        .env("AKHBAR_KAFKA__BROKERS", &brokers)
        .env("AKHBAR_KAFKA__GROUP_ID", "g-http")
        .env("AKHBAR_KAFKA__OPTIONS__SESSION_TIMEOUT_MS", "6000")
        .env("AKHBAR_HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let result = std::panic::catch_unwind(|| {
        assert!(
            wait_for(
                || http_get(port, "/healthz").is_some(),
                Duration::from_secs(10)
            ),
            "listening"
        );
        let (status, _) = http_get(port, "/healthz").unwrap();
        assert_eq!(status, 200, "live at once");
        let (status, body) = http_get(port, "/readyz").unwrap();
        assert_eq!(
            status, 503,
            "not ready before the group assigns partitions: {body}"
        );
        assert!(
            wait_for(
                || http_get(port, "/readyz").map(|r| r.0) == Some(200),
                Duration::from_secs(30)
            ),
            "ready once assigned"
        );
        read_topics(&brokers, &[(OUTPUT, 2)], Duration::from_secs(30), |r| {
            r.len() >= 20
        })
        .unwrap();
        let metrics = || http_get(port, "/metrics").unwrap().1;
        assert!(
            wait_for(
                || metrics().contains("akhbar_dead_lettered_total"),
                Duration::from_secs(10)
            ),
            "{}",
            metrics()
        );
        let text = metrics();
        for series in [
            "akhbar_consumed_total",
            "akhbar_published_total",
            "akhbar_dead_lettered_total{reason=\"not_json\"}",
            "akhbar_stage_duration_seconds_bucket{stage=\"clean\"",
            "akhbar_in_flight_messages",
            "akhbar_rebalances_total{kind=\"assign\"}",
            "akhbar_producer_queue_messages",
            "akhbar_assigned_partitions 2",
        ] {
            assert!(text.contains(series), "no {series} in\n{text}");
        }
    });
    child.kill().unwrap();
    child.wait().unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn a_bad_listen_address_fails_start_up_with_one_line() {
    let out = akhbar()
        .arg("run")
        .env("AKHBAR_HTTP__LISTEN", "everywhere")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("http.listen"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
}
