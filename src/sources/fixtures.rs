//! The sample articles bundled into the binary for `akhbar demo`.
//!
//! The Arabic seed article (plain, as an HTML page, and re-edited as another
//! outlet would), short English, Arabic and French articles, and a few
//! messages that must be dead-lettered, so the demo shows every outcome.

/// One bundled message: a name for the summary and its bytes.
pub struct Fixture {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    /// Whether the pipeline is expected to dead-letter it.
    pub bad: bool,
}

const SEED: &str = include_str!("../../fixtures/seed_article.jsonl");
const SEED_HTML: &str = include_str!("../../fixtures/seed_article_html.jsonl");
const SAMPLES: &str = include_str!("../../fixtures/samples.jsonl");
const SEED_REEDITED: &str = include_str!("../../fixtures/seed_article_reedited.jsonl");

/// Every good sample article, one JSON object each.
pub fn articles() -> Vec<Fixture> {
    // The re-edited seed comes last: `dedup` marks it a near-duplicate.
    [SEED, SEED_HTML, SAMPLES, SEED_REEDITED]
        .iter()
        .flat_map(|file| file.lines())
        .filter(|line| !line.trim().is_empty())
        .map(|line| Fixture {
            name: "article",
            bytes: line.as_bytes().to_vec(),
            bad: false,
        })
        .collect()
}

/// Messages the pipeline must refuse, one per reason.
pub fn bad_messages() -> Vec<Fixture> {
    vec![
        Fixture {
            name: "truncated JSON",
            bytes: br#"{"id":"broken","body":"the rest never arri"#.to_vec(),
            bad: true,
        },
        Fixture {
            name: "invalid UTF-8",
            bytes: b"{\"body\":\"\xff\xfe\"}".to_vec(),
            bad: true,
        },
        Fixture {
            name: "no body",
            bytes: br#"{"id":"headline-only","title":"A headline and nothing else"}"#.to_vec(),
            bad: true,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_article_decodes() {
        for f in articles() {
            crate::decode::decode(&f.bytes, 1 << 24).unwrap();
        }
        assert!(articles().len() >= 5);
    }

    #[test]
    fn every_bad_message_is_refused() {
        for f in bad_messages() {
            assert!(
                crate::decode::decode(&f.bytes, 1 << 24).is_err(),
                "{}",
                f.name
            );
        }
    }
}
