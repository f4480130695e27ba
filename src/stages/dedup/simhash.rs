//! 64-bit SimHash over folded word shingles.
//!
//! Each run of `shingle` consecutive words (their lookup forms: folded,
//! proclitics stripped, so `أميركا`/`اميركا` and `والولايات`/`الولايات`
//! meet; punctuation ignored, so commas do not matter) is hashed with
//! FNV-1a and a SplitMix64 finaliser, both fixed functions, so the same
//! text gives the same fingerprint in every process and version (needed to
//! compare fingerprints across replicas). Bit `i` of the fingerprint is set
//! when more shingles have bit `i` set than not (Charikar's SimHash): texts
//! sharing most shingles differ in few bits.

use crate::text::Token;
use std::sync::LazyLock;

/// For each byte value, +1.0 for its set bits and -1.0 for the others
/// (lowest bit first): a SimHash vote without a branch or a conversion.
static SIGNS: LazyLock<[[f64; 8]; 256]> = LazyLock::new(|| {
    let mut table = [[0.0; 8]; 256];
    for (value, row) in table.iter_mut().enumerate() {
        for (bit, sign) in row.iter_mut().enumerate() {
            *sign = if value >> bit & 1 == 1 { 1.0 } else { -1.0 };
        }
    }
    table
});

/// FNV-1a over bytes, then SplitMix64 to spread the bits.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    splitmix64(h)
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The SimHash of the shingles of `words` (word keys with their weights);
/// 0 when there are none. Fewer words than `shingle` make one shingle of
/// all of them. A shingle votes with the mean weight of its words (for
/// example their IDF, so that boilerplate formulas count less than the
/// story's own words).
pub fn simhash(words: &[(&str, f64)], shingle: usize) -> u64 {
    if words.is_empty() {
        return 0;
    }
    let n = shingle.clamp(1, words.len());
    let mut votes = [0f64; 64];
    let mut buf = Vec::new();
    for window in words.windows(n) {
        buf.clear();
        let mut w = 0.0;
        for (k, weight) in window {
            buf.extend_from_slice(k.as_bytes());
            buf.push(0x1f);
            w += weight;
        }
        let h = stable_hash(&buf);
        let w = w / n as f64;
        // +w where a bit is set, -w where not, a byte of bits at a time.
        for (byte, votes) in votes.chunks_exact_mut(8).enumerate() {
            let signs = &SIGNS[((h >> (8 * byte)) & 0xff) as usize];
            for (vote, sign) in votes.iter_mut().zip(signs) {
                *vote += sign * w;
            }
        }
    }
    votes
        .iter()
        .enumerate()
        .filter(|(_, &v)| v > 0.0)
        .fold(0u64, |fp, (bit, _)| fp | 1 << bit)
}

/// The word keys of a text's tokens, in order, each with weight 1 (tests,
/// tools).
pub fn unweighted(tokens: &[Token]) -> Vec<(&str, f64)> {
    tokens
        .iter()
        .filter(|t| t.is_word)
        .map(|t| (t.lookup(), 1.0))
        .collect()
}

/// Bits in which two fingerprints differ.
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn fp(text: &str) -> u64 {
        simhash(&unweighted(&tokenize(text)), 2)
    }

    #[test]
    fn the_hash_is_fixed_across_processes() {
        // A constant: a change here breaks fingerprints stored elsewhere.
        assert_eq!(stable_hash(b"akhbar"), stable_hash(b"akhbar"));
        assert_eq!(stable_hash(b""), splitmix64(0xcbf2_9ce4_8422_2325));
    }

    #[test]
    fn spelling_variants_and_punctuation_do_not_change_the_fingerprint() {
        assert_eq!(
            fp("المحادثات مع أميركا، وصلت إلى طريق مسدود"),
            fp("المحادثات مع اميركا وصلت إلى طريق مسدود.")
        );
    }

    #[test]
    fn different_texts_are_far_apart() {
        let a = fp("رفضت روسيا مقترح وقف إطلاق النار في حلب وقالت إن المحادثات وصلت إلى طريق مسدود");
        let b = fp("فاز الهلال على النصر في مباراة الدوري أمس بهدفين نظيفين أمام جمهور كبير");
        assert!(distance(a, b) > 15, "{}", distance(a, b));
    }

    #[test]
    fn no_words_give_a_zero_fingerprint() {
        assert_eq!(fp(""), 0);
        assert_eq!(fp("، . !"), 0);
    }
}
