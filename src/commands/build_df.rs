//! `akhbar build-df`: document frequencies of word keys over a corpus, the
//! background statistics of the `keywords` stage (`data/insight/df_*.tsv`).
//!
//! Reads every file named (directories recursively, in name order):
//! `.zip` archives of the files below, `.json` (an array of article
//! objects), `.jsonl` (one object a line), `.conllu` (documents split on
//! `# newdoc`, text from `# text =` lines, as in GUM) and `.txt` CoNLL files
//! (`token TAG` lines, blank lines between sentences, as ANERcorp), whose
//! documents are runs of `sentences_per_document` consecutive sentences
//! (ANERcorp marks no article boundaries). An article's text is
//! its `title` and `content`, `body` or `text`. Writes `__docs__<TAB>N` and
//! the `top` most frequent keys with `df >= min_df`, sorted by frequency
//! then key, so the same corpus always gives the same file. Only counts
//! leave the corpus: no text is written.

use crate::stages::{document_terms, DOCS_ROW};
use anyhow::{bail, Context};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Options of `build-df`.
pub struct BuildDfArgs {
    pub corpus: Vec<PathBuf>,
    pub out: PathBuf,
    pub top: usize,
    pub min_df: u64,
    /// Sentences per document in CoNLL `.txt` files.
    pub sentences_per_document: usize,
}

pub fn cmd(args: BuildDfArgs) -> anyhow::Result<()> {
    let mut counts = Counts {
        sentences_per_document: args.sentences_per_document.max(1),
        ..Counts::default()
    };
    for path in &args.corpus {
        counts.add_path(path)?;
    }
    if counts.docs == 0 {
        bail!("no documents found in the corpus");
    }
    let mut rows: Vec<(&String, &u64)> = counts
        .df
        .iter()
        .filter(|(_, &n)| n >= args.min_df)
        .collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    rows.truncate(args.top);
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&args.out)
            .with_context(|| format!("cannot create {}", args.out.display()))?,
    );
    writeln!(
        out,
        "# Document frequencies of word keys (lookup forms), written by `akhbar build-df`."
    )?;
    writeln!(
        out,
        "# Counts only; see NOTICE in this folder for the corpus and its licence."
    )?;
    writeln!(out, "{DOCS_ROW}\t{}", counts.docs)?;
    for (term, n) in rows {
        writeln!(out, "{term}\t{n}")?;
    }
    out.flush()?;
    eprintln!(
        "build-df: {} documents, {} distinct keys, wrote {}",
        counts.docs,
        counts.df.len(),
        args.out.display()
    );
    Ok(())
}

#[derive(Default)]
struct Counts {
    docs: u64,
    df: HashMap<String, u64>,
    sentences_per_document: usize,
}

impl Counts {
    fn add_text(&mut self, text: &str) {
        let terms = document_terms(text);
        if terms.is_empty() {
            return;
        }
        self.docs += 1;
        for t in terms {
            *self.df.entry(t).or_default() += 1;
        }
    }

    fn add_path(&mut self, path: &Path) -> anyhow::Result<()> {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot list {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for entry in entries {
                self.add_path(&entry)?;
            }
            return Ok(());
        }
        let name = path.to_string_lossy().to_string();
        if name.ends_with(".zip") {
            let file = std::fs::File::open(path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            let mut archive = zip::ZipArchive::new(file)
                .with_context(|| format!("cannot read {}", path.display()))?;
            for i in 0..archive.len() {
                let mut entry = archive.by_index(i)?;
                let entry_name = entry.name().to_string();
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes)?;
                self.add_bytes(&entry_name, &bytes)
                    .with_context(|| format!("{} in {}", entry_name, path.display()))?;
            }
            return Ok(());
        }
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        self.add_bytes(&name, &bytes)
            .with_context(|| format!("in {}", path.display()))
    }

    fn add_bytes(&mut self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let text = String::from_utf8_lossy(bytes);
        if name.ends_with(".jsonl") {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let v: Value = serde_json::from_str(line)?;
                self.add_text(&article_text(&v));
            }
        } else if name.ends_with(".json") {
            let v: Value = serde_json::from_str(&text)?;
            for article in v.as_array().into_iter().flatten() {
                self.add_text(&article_text(article));
            }
        } else if name.ends_with(".conllu") {
            for doc in conllu_documents(&text) {
                self.add_text(&doc);
            }
        } else if name.ends_with(".txt") {
            for doc in conll_documents(&text, self.sentences_per_document) {
                self.add_text(&doc);
            }
        }
        Ok(())
    }
}

/// Title and body of an article object.
fn article_text(v: &Value) -> String {
    let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("");
    let body = ["content", "body", "text"]
        .iter()
        .map(|k| field(k))
        .find(|s| !s.is_empty())
        .unwrap_or("");
    format!("{}\n{}", field("title"), body)
}

/// Documents of a CoNLL file: its sentences (tokens joined by spaces), `per`
/// consecutive sentences a document.
fn conll_documents(text: &str, per: usize) -> Vec<String> {
    crate::entities::conll::parse(text)
        .chunks(per.max(1))
        .map(|sentences| {
            sentences
                .iter()
                .map(|s| s.tokens.join(" "))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}

/// Documents of a CoNLL-U file: `# text =` lines, split on `# newdoc`.
fn conllu_documents(text: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in text.lines() {
        if line.starts_with("# newdoc") && !docs.last().is_some_and(String::is_empty) {
            docs.push(String::new());
        } else if let Some(sentence) = line.strip_prefix("# text = ") {
            if let Some(d) = docs.last_mut() {
                d.push_str(sentence);
                d.push('\n');
            }
        }
    }
    docs.retain(|d| !d.is_empty());
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conllu_documents_are_split_on_newdoc() {
        let docs = conllu_documents(
            "# newdoc id = a\n# text = One two.\n1\tOne\n# newdoc id = b\n# text = Three.\n",
        );
        assert_eq!(docs, vec!["One two.\n".to_string(), "Three.\n".to_string()]);
    }

    #[test]
    fn each_document_counts_a_key_once() {
        let mut c = Counts::default();
        c.add_bytes(
            "a.jsonl",
            "{\"body\":\"حلب حلب وحلب\"}\n{\"content\":\"حلب\"}\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(c.docs, 2);
        assert_eq!(c.df["حلب"], 2);
    }

    #[test]
    fn conll_sentences_are_grouped_into_documents() {
        let text = "قال O\nالأسد B-PERS\n\nفي O\nحلب B-LOC\n\nثم O\n";
        let docs = conll_documents(text, 2);
        assert_eq!(docs, vec!["قال الأسد\nفي حلب".to_string(), "ثم".to_string()]);
    }
}
