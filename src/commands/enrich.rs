//! `akhbar enrich`: the stages over JSON Lines, for files and backfills.

use super::build_chain;
use crate::config::Config;
use crate::pipeline::process::{process, Processed};
use crate::sinks::file::JsonLinesWriter;
use crate::sources::file::lines;
use anyhow::{bail, Context};
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;

pub fn cmd(config: Config, input: Option<PathBuf>, output: Option<PathBuf>) -> anyhow::Result<()> {
    let chain = build_chain(&config)?;
    let reader: Box<dyn std::io::BufRead> = match &input {
        Some(path) => Box::new(BufReader::new(
            File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        )),
        None => Box::new(BufReader::new(std::io::stdin().lock())),
    };
    let writer: Box<dyn Write> = match &output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let mut out = JsonLinesWriter::new(writer);
    let (mut bad, mut total) = (0usize, 0usize);
    for line in lines(reader) {
        let line = line.context("cannot read the input")?;
        total += 1;
        let max = config.pipeline.max_message_bytes;
        match process(&chain, &line.bytes, line.bytes.len(), None, max, |_| true) {
            Processed::Enriched { payload, .. } => {
                out.write(&payload).context("cannot write the output")?
            }
            Processed::Refused(refusal) => {
                bad += 1;
                eprintln!(
                    "line {}: skipped ({}): {}",
                    line.number, refusal.reason, refusal.message
                );
            }
        }
    }
    out.flush().context("cannot write the output")?;
    tracing::info!(
        event = "enrich_finished",
        lines = total,
        written = out.written,
        skipped = bad,
        "Enrich finished."
    );
    if total > 0 && out.written == 0 {
        bail!("none of the {total} input lines could be read as an article");
    }
    Ok(())
}
