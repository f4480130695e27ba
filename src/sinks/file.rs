//! JSON Lines output for `enrich` and `demo --output`.

use std::io::Write;

/// Writes one record per line.
pub struct JsonLinesWriter<W: Write> {
    out: W,
    pub written: usize,
}

impl<W: Write> JsonLinesWriter<W> {
    pub fn new(out: W) -> Self {
        JsonLinesWriter { out, written: 0 }
    }

    /// Writes `record` (one JSON document without newline) and a newline.
    pub fn write(&mut self, record: &[u8]) -> std::io::Result<()> {
        self.out.write_all(record)?;
        self.out.write_all(b"\n")?;
        self.written += 1;
        Ok(())
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
