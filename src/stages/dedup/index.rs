//! A bounded index of recent fingerprints with banded, multi-probe lookup.
//!
//! Entries are kept in arrival order (a ring), so the oldest goes first when
//! the index is full or an entry falls out of the time window. To find a
//! fingerprint within `max_distance` bits without scanning every entry, the
//! 64 bits are cut into `n` bands (`max(4, ceil((max_distance + 1) / 2))`,
//! 5 bands of 12 or 13 bits for 8). By the pigeonhole principle two
//! fingerprints within `max_distance` bits differ in at most
//! `max_distance / n` bits (0 or 1) of some band, so a lookup reads, in
//! each band, the bucket of its own band value and, when that radius is 1,
//! the buckets of the values one bit away (14 buckets a band): exact
//! recall, no false negatives, and buckets 32 times smaller than with
//! 9 exact bands of 7 bits. Each bucket lists its entries in arrival order
//! (eviction pops from the front in O(1)) with 32 more bits of their
//! fingerprint (those after the band), so most candidates are rejected
//! from the bucket itself without reading the fingerprint array.
//!
//! Memory is a few flat arrays: 8 bytes of fingerprint and 12 of slot an
//! entry, the id's bytes in one ring of bytes, and 8 bytes an entry per
//! band (measured by the `insight` bench: see docs/insight.md).

use super::simhash::distance;
use std::collections::VecDeque;

/// One indexed article (its fingerprint is in `fingerprints`, a dense
/// array, so that comparing candidates touches 8 bytes each).
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Seconds since the index was made.
    at: u32,
    /// Start of the id in `ids` (a position that wraps, see `ids_front`).
    id_pos: u32,
    id_len: u16,
}

/// Recent fingerprints of one stream; see the module documentation.
#[derive(Debug)]
pub struct DedupIndex {
    capacity: usize,
    window_secs: u32,
    max_distance: u32,
    /// `(shift, bits)` of each band.
    bands: Vec<(u32, u32)>,
    /// Differing bits probed in a band: 0 or 1.
    radius: u32,
    slots: VecDeque<Slot>,
    /// Fingerprints, parallel to `slots`.
    fingerprints: VecDeque<u64>,
    /// Sequence number of `slots[0]`; sequence numbers wrap at 2^32.
    front_seq: u32,
    ids: VecDeque<u8>,
    /// Position of `ids[0]`.
    ids_front: u32,
    /// Per band, per band value: sequence numbers and the 32 fingerprint
    /// bits after the band ([`check_bits`]), oldest first.
    tables: Vec<Vec<VecDeque<(u32, u32)>>>,
}

/// Longest id kept (longer ids are cut at a character boundary).
const MAX_ID_BYTES: usize = 512;

impl DedupIndex {
    /// An empty index of at most `capacity` entries younger than
    /// `window_secs`, matching within `max_distance` bits (0 to 24).
    pub fn new(capacity: usize, window_secs: u32, max_distance: u32) -> DedupIndex {
        let max_distance = max_distance.min(24);
        let n_bands = (max_distance + 1).div_ceil(2).max(4);
        // Below 2 by the choice of `n_bands`.
        let radius = max_distance / n_bands;
        let base = 64 / n_bands;
        let extra = 64 % n_bands;
        let mut bands = Vec::new();
        let mut shift = 0;
        for b in 0..n_bands {
            let bits = base + u32::from(b < extra);
            bands.push((shift, bits));
            shift += bits;
        }
        // Each band table is sized for an even spread of a full index, so a
        // full index does not double its lists' capacity.
        let tables = bands
            .iter()
            .map(|&(_, bits)| {
                let buckets = 1usize << bits;
                let per = (capacity / buckets) + (capacity / buckets) / 8 + 1;
                (0..buckets)
                    .map(|_| VecDeque::with_capacity(per.min(capacity)))
                    .collect()
            })
            .collect();
        DedupIndex {
            capacity: capacity.max(1),
            window_secs,
            max_distance,
            bands,
            radius,
            slots: VecDeque::with_capacity(capacity.min(1 << 24)),
            fingerprints: VecDeque::with_capacity(capacity.min(1 << 24)),
            front_seq: 0,
            ids: VecDeque::new(),
            ids_front: 0,
            tables,
        }
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Bytes held by the index's arrays (their capacity, not their length).
    pub fn memory_bytes(&self) -> usize {
        let deque = std::mem::size_of::<VecDeque<(u32, u32)>>();
        self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.fingerprints.capacity() * 8
            + self.ids.capacity()
            + self
                .tables
                .iter()
                .flatten()
                .map(|d| deque + d.capacity() * 8)
                .sum::<usize>()
    }

    fn band_value(&self, band: usize, fingerprint: u64) -> usize {
        let (shift, bits) = self.bands[band];
        ((fingerprint >> shift) & ((1u64 << bits) - 1)) as usize
    }

    /// The 32 bits of `fingerprint` after band `band` (wrapping round).
    fn check_bits(&self, band: usize, fingerprint: u64) -> u32 {
        let (shift, bits) = self.bands[band];
        fingerprint.rotate_right(shift + bits) as u32
    }

    fn id_of(&self, slot: &Slot) -> String {
        let start = slot.id_pos.wrapping_sub(self.ids_front) as usize;
        let bytes: Vec<u8> = self
            .ids
            .range(start..start + slot.id_len as usize)
            .copied()
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Drops entries older than the window (relative to `now`) and, while
    /// more than `keep` are held, the oldest.
    fn evict(&mut self, now: u32, keep: usize) {
        while let (Some(oldest), Some(&fingerprint)) =
            (self.slots.front().copied(), self.fingerprints.front())
        {
            let expired = now.saturating_sub(oldest.at) > self.window_secs;
            if !expired && self.slots.len() <= keep {
                break;
            }
            for band in 0..self.bands.len() {
                let v = self.band_value(band, fingerprint);
                self.tables[band][v].pop_front();
            }
            for _ in 0..oldest.id_len {
                self.ids.pop_front();
            }
            self.ids_front = self.ids_front.wrapping_add(u32::from(oldest.id_len));
            self.slots.pop_front();
            self.fingerprints.pop_front();
            self.front_seq = self.front_seq.wrapping_add(1);
        }
    }

    /// The id of the closest earlier entry within `max_distance` bits whose
    /// id is not `id` (a replayed message is no duplicate of itself); ties
    /// go to the oldest. Then records `(fingerprint, id)` unless `id` is
    /// already there. `now` is in seconds and must not go backwards.
    pub fn check_and_insert(&mut self, fingerprint: u64, id: &str, now: u32) -> Option<String> {
        self.evict(now, self.capacity);
        let mut best: Option<(u32, u32)> = None; // (distance, seq offset)
        let mut seen_self = false;
        for band in 0..self.bands.len() {
            let value = self.band_value(band, fingerprint);
            let check = self.check_bits(band, fingerprint);
            let bits = self.bands[band].1;
            let probes = if self.radius == 0 { 0 } else { bits };
            // The band's own value, then the values one bit away.
            for probe in std::iter::once(value).chain((0..probes).map(|b| value ^ (1 << b))) {
                for &(seq, other_check) in &self.tables[band][probe] {
                    // At most `max_distance` bits differ in any part.
                    if (other_check ^ check).count_ones() > self.max_distance {
                        continue;
                    }
                    let offset = seq.wrapping_sub(self.front_seq);
                    let Some(&other) = self.fingerprints.get(offset as usize) else {
                        continue;
                    };
                    let d = distance(other, fingerprint);
                    if d > self.max_distance || best.is_some_and(|b| (d, offset) >= b) {
                        continue;
                    }
                    let Some(slot) = self.slots.get(offset as usize) else {
                        continue;
                    };
                    if self.id_of(slot) == truncate(id) {
                        seen_self = true;
                        continue;
                    }
                    best = Some((d, offset));
                }
            }
        }
        let found =
            best.and_then(|(_, offset)| self.slots.get(offset as usize).map(|s| self.id_of(s)));
        if !seen_self {
            self.insert(fingerprint, id, now);
        }
        found
    }

    /// Records `(fingerprint, id)` without looking it up (warming an index
    /// from a log of earlier fingerprints; benchmarks).
    pub fn insert(&mut self, fingerprint: u64, id: &str, now: u32) {
        self.evict(now, self.capacity - 1);
        let id = truncate(id);
        let seq = self.front_seq.wrapping_add(self.slots.len() as u32);
        let id_pos = self.ids_front.wrapping_add(self.ids.len() as u32);
        self.ids.extend(id.as_bytes());
        self.fingerprints.push_back(fingerprint);
        self.slots.push_back(Slot {
            at: now,
            id_pos,
            id_len: id.len() as u16,
        });
        for band in 0..self.bands.len() {
            let v = self.band_value(band, fingerprint);
            let check = self.check_bits(band, fingerprint);
            self.tables[band][v].push_back((seq, check));
        }
    }
}

/// `id` cut to [`MAX_ID_BYTES`] at a character boundary.
fn truncate(id: &str) -> &str {
    if id.len() <= MAX_ID_BYTES {
        return id;
    }
    let mut end = MAX_ID_BYTES;
    while !id.is_char_boundary(end) {
        end -= 1;
    }
    &id[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_within_the_distance_is_found() {
        let mut index = DedupIndex::new(100, 3600, 3);
        assert_eq!(index.check_and_insert(0b1011, "a", 0), None);
        assert_eq!(index.check_and_insert(0b0011_0000_0000, "b", 1), None);
        // Three bits from "a".
        // Two bits from "a", three from "b".
        assert_eq!(index.check_and_insert(0b0001, "c", 2), Some("a".into()));
    }

    #[test]
    fn a_fingerprint_beyond_the_distance_is_not() {
        let mut index = DedupIndex::new(100, 3600, 3);
        index.check_and_insert(0, "a", 0);
        assert_eq!(index.check_and_insert(0b1111, "b", 1), None);
    }

    #[test]
    fn the_closest_earlier_entry_wins() {
        let mut index = DedupIndex::new(100, 3600, 8);
        index.check_and_insert(0b1111_0000, "far", 0);
        index.check_and_insert(0b0000_0001, "near", 1);
        assert_eq!(index.check_and_insert(0, "new", 2), Some("near".into()));
    }

    #[test]
    fn the_same_id_again_is_not_its_own_duplicate() {
        let mut index = DedupIndex::new(100, 3600, 3);
        index.check_and_insert(42, "a", 0);
        assert_eq!(index.check_and_insert(42, "a", 1), None);
        assert_eq!(index.len(), 1);
    }

    #[test]
    fn the_oldest_entry_leaves_a_full_index() {
        let mut index = DedupIndex::new(2, 3600, 3);
        index.check_and_insert(u64::MAX, "a", 0);
        index.check_and_insert(1 << 40, "b", 0);
        index.check_and_insert(1 << 20, "c", 0);
        assert_eq!(index.len(), 2);
        assert_eq!(index.check_and_insert(u64::MAX, "d", 0), None);
        assert_eq!(index.check_and_insert(1 << 20, "e", 0), Some("c".into()));
    }

    #[test]
    fn entries_older_than_the_window_are_forgotten() {
        let mut index = DedupIndex::new(100, 60, 3);
        index.check_and_insert(7, "a", 0);
        assert_eq!(index.check_and_insert(7, "b", 30), Some("a".into()));
        assert_eq!(index.check_and_insert(7, "c", 200), None);
        assert_eq!(index.len(), 1);
    }

    #[test]
    fn every_fingerprint_within_the_distance_is_found_whichever_bits_differ() {
        // Random fingerprints and copies with up to 8 random bits flipped:
        // the multi-probe lookup must find each one (exact recall).
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for max_distance in [0, 3, 8, 12] {
            let mut index = DedupIndex::new(10_000, 3600, max_distance);
            for i in 0..2_000 {
                let original = next();
                index.insert(original, &format!("o{i}"), 0);
                let mut copy = original;
                let flips = (next() % (u64::from(max_distance) + 1)) as u32;
                while distance(copy, original) < flips {
                    copy ^= 1 << (next() % 64);
                }
                let found = index.check_and_insert(copy, &format!("c{i}"), 0);
                assert!(found.is_some(), "d={max_distance} flips={flips}");
            }
        }
    }

    #[test]
    fn long_ids_survive_a_wrapping_ring() {
        let mut index = DedupIndex::new(3, 3600, 3);
        for i in 0..50u64 {
            let id = format!("article-{i}-{}", "x".repeat(i as usize));
            index.check_and_insert(i << 32, &id, 0);
        }
        assert_eq!(
            index.check_and_insert(49 << 32, "again", 0),
            Some(format!("article-49-{}", "x".repeat(49)))
        );
    }
}
