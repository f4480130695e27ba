//! Any bytes through decode, the default stage chain (HTML extraction
//! included when the input is a JSON object with `html`) and encode. Checks
//! that every offset in the record is a valid code point span of `text`.
#![no_main]
use akhbar::config::Config;
use akhbar::pipeline::process::{process, Processed};
use akhbar::stages::Chain;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn chain() -> &'static Chain {
    static CHAIN: OnceLock<Chain> = OnceLock::new();
    CHAIN.get_or_init(|| {
        let c = Config::default();
        Chain::build(&c.pipeline.stages, &c.stages).expect("default chain builds")
    })
}

fuzz_target!(|data: &[u8]| {
    // Also feed the bytes as an HTML page and as a body.
    let as_text = String::from_utf8_lossy(data);
    let inputs = [
        data.to_vec(),
        serde_json::to_vec(&serde_json::json!({ "html": as_text })).unwrap(),
        serde_json::to_vec(&serde_json::json!({ "body": as_text, "published_at": "2016-12-14T10:00:00Z" })).unwrap(),
    ];
    for input in inputs {
        if let Processed::Enriched { payload, .. } = process(chain(), &input, input.len(), None, 1 << 20, |_| {}) {
            let record: serde_json::Value = serde_json::from_slice(&payload).expect("records are JSON");
            let chars = record["text"].as_str().map_or(0, |t| t.chars().count());
            let spans = record["entities"].as_array().into_iter().flatten()
                .flat_map(|e| e["mentions"].as_array().cloned().unwrap_or_default())
                .chain(record["quotes"].as_array().cloned().unwrap_or_default())
                .chain(record["dates"].as_array().cloned().unwrap_or_default());
            for span in spans {
                let (start, end) = (span["start"].as_u64().unwrap_or(0), span["end"].as_u64().unwrap_or(0));
                assert!(start <= end && end as usize <= chars, "span {start}..{end} outside text of {chars}");
            }
        }
    }
});
