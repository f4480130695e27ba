//! One message through decode, the stage chain and encode: the unit of work
//! shared by `run` (on worker threads) and `enrich` (on the file).

use crate::decode::decode;
use crate::document::{Document, SourceOffset};
use crate::events::StageFailed;
use crate::record;
use crate::stages::{Chain, Run};

/// Why a message was refused: a bounded reason code and the details.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// `not_utf8`, `not_json`, `no_body`, `too_large`, `stage_fatal`,
    /// `timeout`, `output_rejected`, ...
    pub reason: &'static str,
    /// The stage that refused it, when a stage did.
    pub stage: Option<String>,
    pub message: String,
}

/// The result of processing one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Processed {
    /// An enriched record, serialised, with its id (the output key).
    Enriched { id: String, payload: Vec<u8> },
    /// The message goes to the dead-letter topic.
    Refused(Refusal),
}

/// Decodes, enriches and encodes one message.
///
/// `original_len` is the size of the message as it arrived (the bytes given
/// may be a truncated copy of an oversized message). `go_on` is told the
/// index of the stage about to run and answers whether to run it; once it
/// answers `false` (the worker's time limit passed) the message is refused
/// as `timeout` without running the rest of the chain.
pub fn process(
    chain: &Chain,
    bytes: &[u8],
    original_len: usize,
    source_offset: Option<SourceOffset>,
    max_bytes: usize,
    go_on: impl FnMut(usize) -> bool,
) -> Processed {
    let decoded = if original_len > max_bytes {
        Err(crate::decode::DecodeError::TooLarge {
            size: original_len,
            limit: max_bytes,
        })
    } else {
        decode(bytes, max_bytes)
    };
    let raw = match decoded {
        Ok(raw) => raw,
        Err(e) => {
            return Processed::Refused(Refusal {
                reason: e.reason(),
                stage: None,
                message: e.to_string(),
            })
        }
    };
    let mut doc = Document::new(raw, source_offset);
    match chain.run_while(&mut doc, go_on) {
        Ok(Run::Finished) => {}
        Ok(Run::Abandoned { before }) => {
            let names = chain.names();
            let stage = before
                .checked_sub(1)
                .and_then(|i| names.get(i))
                .map(|s| s.to_string());
            return Processed::Refused(Refusal {
                reason: "timeout",
                message: format!(
                    "abandoned before stage {}: the time limit passed",
                    names.get(before).copied().unwrap_or("encode")
                ),
                stage,
            });
        }
        Err(rejection) => {
            return Processed::Refused(Refusal {
                reason: "stage_fatal",
                stage: Some(rejection.stage),
                message: rejection.message,
            })
        }
    }
    for failure in &doc.errors {
        StageFailed {
            stage: &failure.stage,
            article_id: doc.id.as_deref(),
            message: &failure.message,
        }
        .emit();
    }
    let id = doc.id.clone().unwrap_or_default();
    Processed::Enriched {
        id,
        payload: record::to_json(&doc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::{StageKind, StagesConfig};

    fn chain() -> Chain {
        Chain::build(StageKind::ALL, &StagesConfig::default()).unwrap()
    }

    #[test]
    fn a_good_message_becomes_an_enriched_record_keyed_by_id() {
        let msg = br#"{"id":"a1","body":"Hello world, said the editor.","feed":"w"}"#;
        match process(&chain(), msg, msg.len(), None, 1 << 20, |_| true) {
            Processed::Enriched { id, payload } => {
                assert_eq!(id, "a1");
                let v: serde_json::Value = serde_json::from_slice(&payload).unwrap();
                assert_eq!(v["schema"], crate::record::SCHEMA);
                assert_eq!(v["text"], "Hello world, said the editor.");
                assert_eq!(v["extra"]["feed"], "w");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_undecodable_message_is_refused_with_its_reason() {
        let msg = b"\xff\xfe";
        match process(&chain(), msg, msg.len(), None, 1 << 20, |_| true) {
            Processed::Refused(r) => assert_eq!(r.reason, "not_utf8"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_fifty_megabyte_message_is_refused_without_parsing() {
        let mut msg = br#"{"body":""#.to_vec();
        msg.extend(std::iter::repeat_n(b'a', 50 * 1024 * 1024));
        msg.extend(br#""}"#);
        match process(&chain(), &msg, msg.len(), None, 8 << 20, |_| true) {
            Processed::Refused(r) => assert_eq!(r.reason, "too_large"),
            other => panic!("{other:?}"),
        }
    }

    struct Refuses;

    impl crate::stages::Stage for Refuses {
        fn name(&self) -> &'static str {
            "refuses"
        }
        fn apply(&self, _: &mut Document) -> Result<(), crate::stages::StageError> {
            Err(crate::stages::StageError::Fatal("no article here".into()))
        }
    }

    #[test]
    fn a_stage_that_refuses_the_article_is_a_stage_fatal_refusal_naming_it() {
        let chain = Chain::from_stages(vec![Box::new(Refuses)]);
        let msg = br#"{"id":"a1","body":"Hello world."}"#;
        match process(&chain, msg, msg.len(), None, 1 << 20, |_| true) {
            Processed::Refused(r) => {
                assert_eq!(r.reason, "stage_fatal");
                assert_eq!(r.stage.as_deref(), Some("refuses"));
                assert!(r.message.contains("no article here"), "{}", r.message);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_message_abandoned_between_stages_is_a_timeout_naming_the_last_stage_run() {
        let msg = br#"{"id":"a1","body":"Hello world."}"#;
        let chain = chain();
        match process(&chain, msg, msg.len(), None, 1 << 20, |i| i < 2) {
            Processed::Refused(r) => {
                assert_eq!(r.reason, "timeout");
                assert_eq!(r.stage.as_deref(), Some(chain.names()[1]));
                assert!(r.message.contains(chain.names()[2]), "{}", r.message);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_truncated_copy_of_an_oversized_message_is_refused_as_too_large() {
        let msg = br#"{"body":"x"}"#;
        match process(&chain(), msg, 50_000_000, None, 1 << 20, |_| true) {
            Processed::Refused(r) => assert_eq!(r.reason, "too_large"),
            other => panic!("{other:?}"),
        }
    }
}
