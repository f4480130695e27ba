//! Insight stages (`keywords`, `themes`, `tone`, `summary`, `dedup`) through
//! the real default chain: the seed, its re-edited copy later in the same
//! stream, bad input, and 800 real SaudiNewsNet articles (read from
//! `../shared` at run time; skipped with a message when absent).

use crate::support::{enrich_in_process as enrich, fixture, unrelated_article};
use akhbar::document::RawArticle;
use akhbar::stages::{Chain, StageKind, StagesConfig};
use serde_json::Value;

fn chain() -> Chain {
    Chain::build(StageKind::ALL, &StagesConfig::default()).expect("default chain")
}

#[test]
fn the_seed_has_keywords_themes_a_negative_tone_and_a_shorter_summary() {
    let r = enrich(&chain(), fixture("fixtures/seed_article.jsonl"));
    let keywords: Vec<&str> = r["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["text"].as_str().unwrap())
        .collect();
    assert!(
        keywords.contains(&"حلب") || keywords.contains(&"وقف إطلاق النار"),
        "{keywords:?}"
    );
    assert!(!r["themes"].as_array().unwrap().is_empty());
    assert!(r["tone"]["score"].as_f64().unwrap() < 0.0, "{}", r["tone"]);
    let summary = r["summary"].as_str().unwrap();
    let text = r["text"].as_str().unwrap();
    assert!(summary.chars().count() < text.chars().count());
    assert_eq!(r["duplicate_of"], Value::Null);
    assert_eq!(r["fingerprint"].as_str().unwrap().len(), 16);
}

#[test]
fn the_re_edited_seed_later_in_the_stream_is_a_duplicate_of_the_seed() {
    let chain = chain();
    let seed = enrich(&chain, fixture("fixtures/seed_article.jsonl"));
    let other = enrich(&chain, unrelated_article());
    let edited = enrich(&chain, fixture("fixtures/seed_article_reedited.jsonl"));
    assert_eq!(seed["duplicate_of"], Value::Null);
    assert_eq!(other["duplicate_of"], Value::Null);
    assert_eq!(edited["duplicate_of"], "seed-aleppo-ceasefire");
}

#[test]
fn the_same_message_replayed_is_not_its_own_duplicate() {
    let chain = chain();
    enrich(&chain, fixture("fixtures/seed_article.jsonl"));
    let again = enrich(&chain, fixture("fixtures/seed_article.jsonl"));
    assert_eq!(again["duplicate_of"], Value::Null);
}

#[test]
fn bad_input_gives_sane_insight_fields() {
    let chain = chain();
    let body = |s: String| RawArticle {
        id: Some(format!("bad-{}", s.len())),
        body: Some(s),
        ..RawArticle::default()
    };
    let empty = enrich(&chain, body(String::new()));
    assert_eq!(empty["keywords"], serde_json::json!([]));
    assert_eq!(empty["summary"], Value::Null);
    assert_eq!(empty["tone"]["score"], 0.0);
    assert_eq!(empty["duplicate_of"], Value::Null);

    let one = enrich(&chain, body("حلب".into()));
    assert_eq!(one["keywords"][0]["text"], "حلب");
    assert_eq!(one["summary"], "حلب");

    // 1 MB of one word.
    let huge = "كلمة ".repeat(1_000_000 / "كلمة ".len());
    let r = enrich(&chain, body(huge.clone()));
    assert!(
        r["errors"].as_array().unwrap().is_empty(),
        "{}",
        r["errors"]
    );
    assert!(r["summary"].as_str().unwrap().chars().count() <= 500);
    assert!(r["keywords"].as_array().unwrap().len() <= 10);
    // The same text again is a duplicate; an empty text never is.
    let mut huge_again = body(huge);
    huge_again.id = Some("bad-huge-again".into());
    let again = enrich(&chain, huge_again);
    assert!(again["duplicate_of"].is_string());
    let mut empty_again = body(String::new());
    empty_again.id = Some("bad-empty-again".into());
    assert_eq!(enrich(&chain, empty_again)["duplicate_of"], Value::Null);
}

/// 800 different SaudiNewsNet articles: few flagged as duplicates. The
/// flagged pairs were checked by hand (docs/insight.md, by url).
#[test]
fn few_of_800_different_real_articles_are_flagged_as_duplicates() {
    let Some(shared) = akhbar::shared_data::existing_or_skip() else {
        return;
    };
    let path = shared.join("data/news_ar/saudinewsnet/sample_1000.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        akhbar::shared_data::skip(format!("{} is absent", path.display()));
        return;
    };
    let chain = chain();
    let mut urls = std::collections::HashSet::new();
    let mut flagged = Vec::new();
    let mut n = 0;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let url = v["url"].as_str().unwrap_or_default().to_string();
        let body = v["content"].as_str().unwrap_or_default();
        if body.trim().is_empty() || !urls.insert(url.clone()) {
            continue;
        }
        let r = enrich(
            &chain,
            RawArticle {
                id: Some(url.clone()),
                title: v["title"].as_str().map(String::from),
                body: Some(body.into()),
                ..RawArticle::default()
            },
        );
        if let Some(earlier) = r["duplicate_of"].as_str() {
            flagged.push((url, earlier.to_string()));
        }
        n += 1;
        if n == 800 {
            break;
        }
    }
    assert_eq!(n, 800);
    eprintln!("flagged {} of {n}: {flagged:#?}", flagged.len());
    assert!(flagged.len() * 20 <= n, "{} flagged", flagged.len());
}
