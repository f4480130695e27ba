//! The workplace's shared data directory (`../shared`: ANERcorp,
//! SaudiNewsNet, GUM, the gazetteer sources): read by tests, benchmarks and
//! the evaluation commands when it is there, never shipped.

use std::path::{Path, PathBuf};

/// `AKHBAR_SHARED_DIR`, else `../shared` beside the crate, whether or not it
/// exists.
pub fn dir() -> PathBuf {
    std::env::var_os("AKHBAR_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// [`dir`] if it exists.
pub fn existing() -> Option<PathBuf> {
    let dir = dir();
    dir.is_dir().then_some(dir)
}

/// [`existing`], or `None` after saying that the calling test is skipped
/// for want of it.
pub fn existing_or_skip() -> Option<PathBuf> {
    let found = existing();
    if found.is_none() {
        skip("shared data not found (set AKHBAR_SHARED_DIR)");
    }
    found
}

/// Says on the process's stderr that a test is skipped and why. libtest
/// captures `eprintln!` of a passing test, so a skip written that way would
/// show as a plain `ok`; a write to the stderr handle is not captured.
pub fn skip(reason: impl std::fmt::Display) {
    use std::io::Write;
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let _ = writeln!(std::io::stderr(), "skipped {test}: {reason}");
}
