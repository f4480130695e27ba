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

/// Runs `akhbar COMMAND` with one environment variable set.
fn with_env(command: &str, var: &str, value: &str) -> std::process::Output {
    akhbar().arg(command).env(var, value).output().unwrap()
}

#[test]
fn an_unknown_environment_key_stops_start_up_with_one_line_naming_it() {
    let out = with_env("config", "AKHBAR_KAFKA__BROKERZ", "x:1");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("brokerz"), "{stderr}");
}

#[test]
fn a_bad_topic_name_stops_start_up() {
    let out = with_env("run", "AKHBAR_TOPICS__INPUT", "no spaces please");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("topics.input"));
}

#[test]
fn a_bad_stage_option_fails_the_config_command_as_bad_configuration() {
    let out = with_env("config", "AKHBAR_STAGES__KEYWORDS__MAX_WORDS", "5");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invalid configuration"), "{stderr}");
    assert!(stderr.contains("max_words"), "{stderr}");
}

#[test]
fn a_bad_stage_option_stops_enrich_with_the_configuration_exit_code() {
    let out = with_env("enrich", "AKHBAR_STAGES__KEYWORDS__MAX_WORDS", "5");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stage `keywords`"));
}

#[test]
fn a_client_override_that_breaks_the_guarantee_stops_start_up() {
    let out = with_env("config", "AKHBAR_KAFKA__PRODUCER__ACKS", "1");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("acks"));
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

/// Runs `akhbar eval-ner --stage ARGS GOLD` on a CoNLL file of `gold` in
/// `dir`; fails the test unless it succeeds.
fn eval_ner_stage(
    dir: &std::path::Path,
    gold: &str,
    args: &[&std::ffi::OsStr],
) -> std::process::Output {
    let file = dir.join("gold.txt");
    std::fs::write(&file, gold).unwrap();
    let out = akhbar()
        .args(["eval-ner", "--stage"])
        .args(args)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn eval_ner_with_stage_scores_the_whole_entity_stage_on_a_conll_file() {
    let dir = tempfile::tempdir().unwrap();
    // A country: the gazetteer names it whatever the tagger says.
    let out = eval_ner_stage(
        dir.path(),
        "زار O\nالوزير O\nمصر B-LOC\nأمس O\n. O\n\nوعاد O\nإلى O\nبلاده O\n. O\n",
        &[],
    );
    let report = String::from_utf8_lossy(&out.stdout);
    let loc: Vec<&str> = report
        .lines()
        .find(|l| l.starts_with("LOC"))
        .unwrap_or_else(|| panic!("{report}"))
        .split_whitespace()
        .collect();
    assert_eq!(loc[2], "1.0000", "LOC recall: {report}");
    assert_eq!(loc[4], "1", "one gold place: {report}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("articles read by the entity stage: 1"));
}

#[test]
fn eval_ner_writes_each_tokens_gold_and_predicted_tag_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let predictions = dir.path().join("pred.tsv");
    eval_ner_stage(
        dir.path(),
        "زار O\nمصر B-LOC\n\nعاد O\n",
        &["--predictions".as_ref(), predictions.as_os_str()],
    );
    let written = std::fs::read_to_string(&predictions).unwrap();
    assert_eq!(written, "زار\tO\tO\nمصر\tB-LOC\tB-LOC\n\nعاد\tO\tO\n\n");
}

#[test]
fn tag_conll_writes_one_line_per_token_and_a_blank_line_per_sentence() {
    let out = run_with_stdin(&["tag", "--conll"], "قال\nالرئيس\n\nParis\n".as_bytes());
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(lines[0].starts_with("قال\t"));
    assert!(lines[1].starts_with("الرئيس\t"));
    assert_eq!(lines[2], "");
    assert!(lines[3].starts_with("Paris\t"));
    assert_eq!(lines[4], "");
}

#[test]
fn tag_conll_keeps_a_line_that_is_not_utf8_in_its_place_and_says_so() {
    let out = run_with_stdin(
        &["tag", "--conll"],
        b"\xd8\xad\xd9\x84\xd8\xa8\nx\xff\xfey\n\nParis\n",
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let tokens: Vec<&str> = text
        .lines()
        .map(|l| l.split('\t').next().unwrap_or(""))
        .collect();
    assert_eq!(tokens, ["حلب", "x\u{fffd}\u{fffd}y", "", "Paris", ""]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2: not UTF-8"));
}
