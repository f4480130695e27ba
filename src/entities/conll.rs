//! CoNLL files (one `token TAG` per line, blank line between sentences) and
//! entity-level scoring: exact span and type, as `score_ner.py` counts.

use std::collections::{BTreeMap, HashSet};

/// A sentence: tokens and their gold tags (empty tags when unlabelled).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sentence {
    pub tokens: Vec<String>,
    pub tags: Vec<String>,
}

/// Parses CoNLL text. The token is the first field, the tag the last (space
/// or tab separated); a line with one field is an unlabelled token.
pub fn parse(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut cur = Sentence::default();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !cur.tokens.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let parts: Vec<&str> = if line.contains('\t') {
            line.split('\t').collect()
        } else {
            line.split_whitespace().collect()
        };
        cur.tokens.push(parts[0].to_string());
        cur.tags.push(if parts.len() > 1 {
            parts[parts.len() - 1].trim().to_string()
        } else {
            String::new()
        });
    }
    if !cur.tokens.is_empty() {
        out.push(cur);
    }
    out
}

/// The entity type of a tag, with ANERcorp's `PERS` written `PER`.
pub fn tag_type(tag: &str) -> Option<(char, &str)> {
    let (bio, ty) = tag.split_once('-')?;
    let bio = match bio {
        "B" | "b" => 'B',
        "I" | "i" => 'I',
        _ => return None,
    };
    Some((
        bio,
        if ty.eq_ignore_ascii_case("PERS") {
            "PER"
        } else {
            ty
        },
    ))
}

/// Entity spans `(start, end, type)` of a tag sequence (an `I-` after
/// another type starts a new span, as in conlleval).
pub fn spans<S: AsRef<str>>(tags: &[S]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let parsed = tag_type(tag.as_ref());
        let continues = matches!((&open, parsed), (Some((_, t)), Some(('I', ty))) if t == ty);
        if !continues {
            if let Some((s, t)) = open.take() {
                out.push((s, i, t));
            }
            if let Some((_, ty)) = parsed {
                open = Some((i, ty.to_string()));
            }
        }
    }
    if let Some((s, t)) = open {
        out.push((s, tags.len(), t));
    }
    out
}

/// True positives, predictions and gold entities of one type.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub tp: usize,
    pub pred: usize,
    pub gold: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.pred)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.gold)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Per-type counts over many sentences.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    pub by_type: BTreeMap<String, Counts>,
}

impl Score {
    /// Adds one sentence's gold and predicted tags.
    pub fn add<S: AsRef<str>, T: AsRef<str>>(&mut self, gold: &[S], pred: &[T]) {
        let g: HashSet<_> = spans(gold).into_iter().collect();
        let p: HashSet<_> = spans(pred).into_iter().collect();
        for s in &g {
            self.by_type.entry(s.2.clone()).or_default().gold += 1;
        }
        for s in &p {
            let c = self.by_type.entry(s.2.clone()).or_default();
            c.pred += 1;
            if g.contains(s) {
                c.tp += 1;
            }
        }
    }

    /// Adds another score's counts (folds of a cross-validation).
    pub fn merge(&mut self, other: &Score) {
        for (ty, c) in &other.by_type {
            let t = self.by_type.entry(ty.clone()).or_default();
            t.tp += c.tp;
            t.pred += c.pred;
            t.gold += c.gold;
        }
    }

    /// Counts summed over `types`.
    pub fn total(&self, types: &[&str]) -> Counts {
        let mut t = Counts::default();
        for (ty, c) in &self.by_type {
            if types.contains(&ty.as_str()) {
                t.tp += c.tp;
                t.pred += c.pred;
                t.gold += c.gold;
            }
        }
        t
    }

    /// A plain-text table: one line per type, then the PER/LOC/ORG total.
    pub fn report(&self) -> String {
        let mut out = format!(
            "{:<8} {:>9} {:>9} {:>9} {:>6} {:>6}\n",
            "type", "precision", "recall", "f1", "gold", "pred"
        );
        let line = |name: &str, c: &Counts| {
            format!(
                "{:<8} {:>9.4} {:>9.4} {:>9.4} {:>6} {:>6}\n",
                name,
                c.precision(),
                c.recall(),
                c.f1(),
                c.gold,
                c.pred
            )
        };
        for (ty, c) in &self.by_type {
            out.push_str(&line(ty, c));
        }
        out.push_str(&line("PER+LOC+ORG", &self.total(&["PER", "LOC", "ORG"])));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_split_on_blank_lines() {
        let s = parse("a B-LOC\nb O\n\nc\tI-PERS\n");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].tags, vec!["B-LOC", "O"]);
        assert_eq!(s[1].tokens, vec!["c"]);
    }

    #[test]
    fn spans_follow_bio_and_merge_pers_into_per() {
        let tags = ["B-PERS", "I-PERS", "O", "I-LOC", "B-ORG", "I-LOC"];
        assert_eq!(
            spans(&tags),
            vec![
                (0, 2, "PER".to_string()),
                (3, 4, "LOC".to_string()),
                (4, 5, "ORG".to_string()),
                (5, 6, "LOC".to_string())
            ]
        );
    }

    #[test]
    fn only_exact_spans_of_the_right_type_count() {
        let mut s = Score::default();
        s.add(&["B-PERS", "I-PERS", "B-LOC"], &["B-PERS", "O", "B-LOC"]);
        let per = s.by_type["PER"];
        assert_eq!((per.tp, per.pred, per.gold), (0, 1, 1));
        assert_eq!(s.by_type["LOC"].f1(), 1.0);
        assert!((s.total(&["PER", "LOC"]).f1() - 0.5).abs() < 1e-9);
    }
}
