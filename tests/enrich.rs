//! `akhbar enrich`: the stages over JSON Lines.

use crate::support::{json_lines, repo, run_with_stdin};

#[test]
fn enriches_every_good_line_in_order_and_reports_bad_ones_by_number() {
    let input = b"{\"id\":\"a\",\"body\":\"First article.\"}\nnot json\n\n{\"id\":\"b\",\"body\":\"Second.\",\"feed\":\"x\"}\n{\"title\":\"no body\"}\n";
    let out = run_with_stdin(&["enrich"], input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = json_lines(&out.stdout);
    let ids: Vec<_> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(records[1]["extra"]["feed"], "x");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 2: skipped (not_json)"), "{stderr}");
    assert!(stderr.contains("line 5: skipped (no_body)"), "{stderr}");
}

#[test]
fn the_seed_article_comes_out_as_a_contract_record() {
    let seed = std::fs::read(repo("fixtures/seed_article.jsonl")).unwrap();
    let out = run_with_stdin(&["enrich"], &seed);
    assert!(out.status.success());
    let r = &json_lines(&out.stdout)[0];
    assert_eq!(r["schema"], "news.enriched/v1");
    assert_eq!(r["id"], "seed-aleppo-ceasefire");
    assert_eq!(r["language"]["code"], "ar");
    assert!(r["language"]["confidence"].as_f64().unwrap() >= 0.9);
    for field in [
        "text", "headings", "captions", "entities", "quotes", "dates",
    ] {
        assert!(r.get(field).is_some(), "missing {field}");
    }
    assert!(
        r.get("source_offset").is_none(),
        "file mode has no Kafka offset"
    );
}

#[test]
fn fails_when_no_line_is_an_article() {
    let out = run_with_stdin(&["enrich"], b"junk\nmore junk\n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("none of the 2 input lines"));
}

#[test]
fn reads_and_writes_files_when_given() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.jsonl"), dir.path().join("out.jsonl"));
    std::fs::write(&input, "{\"body\":\"x y z\"}\n").unwrap();
    let out = run_with_stdin(
        &[
            "enrich",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success());
    let records = json_lines(&std::fs::read(&output).unwrap());
    assert_eq!(records[0]["word_count"], 3);
    assert!(
        records[0]["id"].as_str().unwrap().starts_with("akh-"),
        "derived id"
    );
}
