//! 64-bit FNV-1a, the string hash of the tagger's features and word table.
//! Uses nothing outside `core`: build.rs includes this file too, to pack the
//! word tables with the same hash (see [`super::word_rows`]).

/// The FNV-1a offset basis: the hash of the empty string.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// One byte of 64-bit FNV-1a.
#[inline]
pub fn fnv(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
}

/// 64-bit FNV-1a of a string's bytes.
pub fn hash_str(s: &str) -> u64 {
    s.bytes().fold(FNV_OFFSET, fnv)
}
