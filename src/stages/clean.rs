//! `clean`: the body (or text extracted from HTML) to clean `text`.
//!
//! Clean-up is conservative because every offset in the record points into
//! `text`: line endings become `\n`, control and format junk (NUL, BOM, C1
//! controls) go, runs of spaces and tabs become one space, each paragraph is
//! trimmed, and blank lines between paragraphs collapse to one `\n`. Letters,
//! diacritics, punctuation and joiners are never touched: folding for
//! matching is the normalisation layer's job, not this stage's.

use super::{Stage, StageError};
use crate::document::Document;
use serde::{Deserialize, Serialize};

/// Options of the `clean` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CleanConfig {
    /// Paragraphs longer than this many characters are kept whole but the
    /// article is marked; 0 disables the check.
    pub max_chars: usize,
}

impl Default for CleanConfig {
    fn default() -> Self {
        CleanConfig {
            max_chars: 2_000_000,
        }
    }
}

/// The `clean` stage.
pub struct Clean {
    max_chars: usize,
}

impl Clean {
    pub fn new(config: &CleanConfig) -> Self {
        Clean {
            max_chars: config.max_chars,
        }
    }
}

/// Characters dropped from text: controls other than newline and tab, the
/// BOM and the object replacement character.
fn is_junk(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || c == '\u{feff}' || c == '\u{fffc}'
}

/// Horizontal white space folded to one ASCII space.
fn is_blank(c: char) -> bool {
    c == ' '
        || c == '\t'
        || c == '\u{a0}'
        || c == '\u{3000}'
        || ('\u{2000}'..='\u{200a}').contains(&c)
}

/// Cleans a body: see the module documentation for what changes. One pass:
/// `\r\n`, `\r`, U+2028 and U+2029 end a line like `\n` (the blank line
/// a `\r\n` would leave collapses with the others).
pub fn clean_text(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    // Whether the current line has kept a character, and whether a blank
    // run follows its last one.
    let mut line_has_text = false;
    let mut pending_space = false;
    // Kept characters are copied a run at a time: the byte offset where
    // the current run started.
    let mut run: Option<usize> = None;
    let bytes = input.as_bytes();
    let mut next = 0;
    while next < bytes.len() {
        let at = next;
        let lead = bytes[at];
        next += match lead {
            0x00..=0x7F => 1,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        // Printable ASCII and the Arabic block (lead bytes D8 to DB) are
        // kept as they are: most of the text, so not decoded.
        let (kept, line_end, blank) =
            if (0x21..=0x7E).contains(&lead) || (0xD8..=0xDB).contains(&lead) {
                (true, false, false)
            } else {
                let c = input[at..].chars().next().unwrap_or(' ');
                let line_end = matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
                (
                    !line_end && !is_junk(c) && !is_blank(c),
                    line_end,
                    is_blank(c),
                )
            };
        if kept {
            if run.is_none() {
                if !line_has_text {
                    if !out.is_empty() {
                        out.push('\n');
                    }
                    line_has_text = true;
                } else if pending_space {
                    out.push(' ');
                }
                pending_space = false;
                run = Some(at);
            }
            continue;
        }
        if let Some(from) = run.take() {
            out.push_str(&input[from..at]);
        }
        if line_end {
            line_has_text = false;
            pending_space = false;
        } else if blank {
            pending_space = line_has_text;
        }
    }
    if let Some(from) = run {
        out.push_str(&input[from..]);
    }
    out
}

impl Stage for Clean {
    fn name(&self) -> &'static str {
        "clean"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        let cleaned = if !doc.text.is_empty() {
            clean_text(&doc.text)
        } else if let Some(body) = doc.raw.body.as_deref() {
            clean_text(body)
        } else {
            String::new()
        };
        doc.text = cleaned;
        if doc.text.is_empty() {
            return Err(StageError::Failed(
                "no text: the body is empty and no text was extracted from html".into(),
            ));
        }
        // A text of at most `max_chars` bytes has at most as many chars.
        if self.max_chars > 0
            && doc.text.len() > self.max_chars
            && doc.text.chars().count() > self.max_chars
        {
            return Err(StageError::Failed(format!(
                "text is over {} characters; later stages may be slow",
                self.max_chars
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::RawArticle;

    #[test]
    fn collapses_blank_lines_and_spaces_and_trims_paragraphs() {
        assert_eq!(clean_text("  a  b\t c \r\n\r\n\n d\u{a0}e  "), "a b c\nd e");
    }

    #[test]
    fn every_line_ending_splits_paragraphs() {
        assert_eq!(
            clean_text("a\r\nb\rc\u{2028}d\u{2029}e\n\r\n f"),
            "a\nb\nc\nd\ne\nf"
        );
        assert_eq!(clean_text(" \t\r\n\n"), "");
    }

    #[test]
    fn drops_control_characters_and_the_bom_but_keeps_letters_and_marks() {
        assert_eq!(clean_text("\u{feff}قالَ\u{0}\u{7}ـ x"), "قالَـ x");
    }

    #[test]
    fn keeps_zero_width_joiners_that_carry_meaning() {
        assert_eq!(clean_text("می\u{200c}خواهم"), "می\u{200c}خواهم");
    }

    #[test]
    fn an_article_with_no_text_is_marked() {
        let mut d = Document::new(
            RawArticle {
                html: Some("<p></p>".into()),
                ..Default::default()
            },
            None,
        );
        let err = Clean::new(&CleanConfig::default())
            .apply(&mut d)
            .unwrap_err();
        assert!(matches!(err, StageError::Failed(_)));
    }

    #[test]
    fn cleans_the_body_into_text() {
        let mut d = Document::new(
            RawArticle {
                body: Some("one\n\ntwo".into()),
                ..Default::default()
            },
            None,
        );
        Clean::new(&CleanConfig::default()).apply(&mut d).unwrap();
        assert_eq!(d.text, "one\ntwo");
    }
}
