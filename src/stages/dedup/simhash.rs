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

/// The SimHash of the word tokens' shingles; 0 when there are no words.
/// Fewer words than `shingle` make one shingle of all of them. A shingle
/// votes with `weight` of its word keys (for example their mean IDF, so
/// that boilerplate formulas count less than the story's own words).
pub fn simhash<'a>(
    words: impl Iterator<Item = &'a Token>,
    shingle: usize,
    weight: impl Fn(&[&str]) -> f64,
) -> u64 {
    let keys: Vec<&str> = words.filter(|t| t.is_word).map(|t| t.lookup()).collect();
    if keys.is_empty() {
        return 0;
    }
    let n = shingle.clamp(1, keys.len());
    let mut votes = [0f64; 64];
    let mut buf = Vec::new();
    for window in keys.windows(n) {
        buf.clear();
        for k in window {
            buf.extend_from_slice(k.as_bytes());
            buf.push(0x1f);
        }
        let h = stable_hash(&buf);
        let w = weight(window);
        for (bit, vote) in votes.iter_mut().enumerate() {
            *vote += if h >> bit & 1 == 1 { w } else { -w };
        }
    }
    votes
        .iter()
        .enumerate()
        .filter(|(_, &v)| v > 0.0)
        .fold(0u64, |fp, (bit, _)| fp | 1 << bit)
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
        simhash(tokenize(text).iter(), 2, |_| 1.0)
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
