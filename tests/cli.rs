//! Command line: help, config errors, `akhbar config`.

use crate::support::{akhbar, run_with_stdin};

#[test]
fn help_names_every_command() {
    let out = akhbar().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for command in ["run", "enrich", "demo", "bench", "config"] {
        assert!(help.contains(command), "{help}");
    }
}

#[test]
fn an_unknown_environment_key_stops_start_up_with_one_line_naming_it() {
    let out = akhbar()
        .args(["config"])
        .env("AKHBAR_KAFKA__BROKERZ", "x:1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("brokerz"), "{stderr}");
}

#[test]
fn a_bad_topic_name_stops_start_up() {
    let out = akhbar()
        .args(["run"])
        .env("AKHBAR_TOPICS__INPUT", "no spaces please")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("topics.input"));
}

#[test]
fn the_config_command_shows_overrides_and_hides_secrets() {
    let out = akhbar()
        .args(["config"])
        .env("AKHBAR_KAFKA__BROKERS", "kafka-1:9092")
        .env("AKHBAR_KAFKA__OPTIONS__SASL_PASSWORD", "hunter2")
        .output()
        .unwrap();
    assert!(out.status.success());
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("kafka-1:9092"));
    assert!(!shown.contains("hunter2"));
}

#[test]
fn a_missing_config_file_is_a_clear_error() {
    let out = run_with_stdin(&["--config", "/nonexistent/akhbar.toml", "config"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/akhbar.toml"));
}
