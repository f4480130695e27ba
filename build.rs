//! Packs the committed word tables (`data/entities/ar/words.tsv`, then
//! `data/entities/en/words.tsv`) into the open-addressing table the tagger
//! reads in place (`src/entities/word_rows.rs`), so that the binary carries
//! 16 MB of slots rather than 19 MB of text to parse at every start.

use std::path::PathBuf;

#[allow(dead_code)]
#[path = "src/entities/fnv.rs"]
mod fnv;
#[allow(dead_code)]
#[path = "src/entities/word_rows.rs"]
mod word_rows;

const TABLES: [&str; 2] = ["data/entities/ar/words.tsv", "data/entities/en/words.tsv"];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/entities/fnv.rs");
    println!("cargo:rerun-if-changed=src/entities/word_rows.rs");
    let mut rows = Vec::new();
    for path in TABLES {
        println!("cargo:rerun-if-changed={path}");
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
        if let Err((line, reason)) = word_rows::parse_rows(&text, &mut rows) {
            panic!("{path} line {line}: {reason}");
        }
    }
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("words.bin");
    std::fs::write(&out, word_rows::pack(&rows))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
