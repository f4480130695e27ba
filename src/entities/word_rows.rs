//! The rows of a word table (`data/entities/LANG/words.tsv`) and the packed
//! table the tagger looks forms up in.
//!
//! A row is `key<TAB>surface<TAB>stem<TAB>given<TAB>surname`, optionally
//! followed by `<TAB>fine<TAB>middle<TAB>coarse` cluster numbers (0: none);
//! `#` lines are comments. Each row becomes one slot of an open-addressing
//! table: the 64-bit hash of its key and its values packed into another 64
//! bits, little-endian, so that the table is the same bytes on every host.
//!
//! build.rs includes this file (and [`super::fnv`]) to pack the committed
//! tables at build time: the binary then carries the slots (16 MB) instead
//! of 19 MB of text parsed at every start. So it uses nothing outside
//! `core` and `alloc`.

use super::fnv::hash_str;

/// Bits of the fine, middle and coarse cluster numbers in a slot (the
/// committed tables have 1,024 / 256 / 64 classes, numbered from 1).
const CLUSTER_BITS: [u32; 3] = [12, 10, 10];

/// The largest cluster number each level may hold.
pub const MAX_CLUSTER: [u16; 3] = [(1 << 12) - 1, (1 << 10) - 1, (1 << 10) - 1];

/// What a row says of its form, as stored in a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Entry {
    /// Zipf × 10 of the key as a whole folded word, 0 if not seen.
    pub surface: u8,
    /// Zipf × 10 of the key as a clitic-stripped word.
    pub stem: u8,
    /// Name-unit class ([`name_class`]).
    pub name: u8,
    /// Fine, middle and coarse clusters (0: none).
    pub clusters: [u16; 3],
}

impl Entry {
    /// The entry in 64 bits: surface, stem and name in the low three
    /// bytes, the clusters in [`CLUSTER_BITS`] bits each above them.
    fn pack(self) -> u64 {
        let clusters = (0..3).fold(0u64, |acc, i| {
            (acc << CLUSTER_BITS[i]) | u64::from(self.clusters[i] & MAX_CLUSTER[i])
        });
        u64::from(self.surface)
            | u64::from(self.stem) << 8
            | u64::from(self.name) << 16
            | clusters << 32
    }

    /// The entry of [`Entry::pack`].
    fn unpack(p: u64) -> Entry {
        let c = p >> 32;
        let level = |shift: u32, i: usize| ((c >> shift) & u64::from(MAX_CLUSTER[i])) as u16;
        Entry {
            surface: p as u8,
            stem: (p >> 8) as u8,
            name: (p >> 16) as u8,
            clusters: [
                level(CLUSTER_BITS[1] + CLUSTER_BITS[2], 0),
                level(CLUSTER_BITS[2], 1),
                level(0, 2),
            ],
        }
    }
}

/// The name class of a unit seen `given` times as a given name and
/// `surname` times as a surname: kind × 8 + count band, 0 for neither.
pub fn name_class(given: u32, surname: u32) -> u8 {
    let total = given + surname;
    let band = match total {
        0 => return 0,
        1 => 1,
        2..=4 => 2,
        5..=19 => 3,
        20..=99 => 4,
        _ => 5,
    };
    let kind = if given * 5 >= total * 4 {
        1
    } else if surname * 5 >= total * 4 {
        2
    } else {
        3
    };
    kind * 8 + band
}

/// One line of a table: its key's hash and entry, `None` for a comment or
/// an empty line, or why it is malformed.
pub fn parse_row(line: &str) -> Result<Option<(u64, Entry)>, String> {
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let mut cols = line.split('\t');
    let key = cols.next().ok_or("no key")?;
    let mut num = |what: &str| -> Result<u32, String> {
        cols.next()
            .ok_or_else(|| format!("no {what} column"))?
            .parse::<u32>()
            .map_err(|_| format!("{what} is not a number"))
    };
    let surface = num("surface")?;
    let stem = num("stem")?;
    let given = num("given")?;
    let surname = num("surname")?;
    let mut clusters = [0u16; 3];
    for ((c, what), max) in clusters
        .iter_mut()
        .zip(["fine", "middle", "coarse"])
        .zip(MAX_CLUSTER)
    {
        match cols.next() {
            None if what == "fine" => break,
            None => return Err(format!("no {what} cluster column")),
            Some(v) => {
                *c = v
                    .parse::<u16>()
                    .ok()
                    .filter(|&n| n <= max)
                    .ok_or_else(|| format!("{what} cluster is not a number up to {max}"))?
            }
        }
    }
    Ok(Some((
        hash_str(key),
        Entry {
            surface: surface.min(255) as u8,
            stem: stem.min(255) as u8,
            name: name_class(given, surname),
            clusters,
        },
    )))
}

/// Appends the rows of a table's text to `rows`, or says which line (from
/// 1) is malformed and why.
pub fn parse_rows(text: &str, rows: &mut Vec<(u64, Entry)>) -> Result<(), (usize, String)> {
    for (i, line) in text.lines().enumerate() {
        if let Some(row) = parse_row(line).map_err(|reason| (i + 1, reason))? {
            rows.push(row);
        }
    }
    Ok(())
}

/// Bytes before the slots: the magic and the number of forms.
const HEADER: usize = 16;
const MAGIC: &[u8; 8] = b"AKWORDS1";
/// Bytes of a slot: the key's hash, then the packed entry.
const SLOT: usize = 16;

/// The slot key of a form hash: 0 marks an empty slot, so a form hashing
/// to 0 is kept as 1 (and a form hashing to 1 then shares its key: one
/// chance in 2^63).
fn slot_key(hash: u64) -> u64 {
    hash.max(1)
}

/// The first slot a key probes (the hash's high bits, which FNV-1a mixes
/// best), of `slots` (a power of two).
fn home(key: u64, slots: usize) -> usize {
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - slots.trailing_zeros())) as usize
}

fn read_u64(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Packs rows into a table (a form of a later row replaces the same form
/// of an earlier one). Slots are at most 5/8 full, so a lookup probes one
/// or two.
pub fn pack(rows: &[(u64, Entry)]) -> Vec<u8> {
    let slots = (rows.len() * 8 / 5).max(16).next_power_of_two();
    let mut table = vec![0u8; HEADER + slots * SLOT];
    let mut forms = 0u64;
    for &(hash, entry) in rows {
        let key = slot_key(hash);
        let mut i = home(key, slots);
        loop {
            let at = HEADER + i * SLOT;
            let there = read_u64(&table, at);
            if there == 0 || there == key {
                forms += u64::from(there == 0);
                table[at..at + 8].copy_from_slice(&key.to_le_bytes());
                table[at + 8..at + 16].copy_from_slice(&entry.pack().to_le_bytes());
                break;
            }
            i = (i + 1) & (slots - 1);
        }
    }
    table[..8].copy_from_slice(MAGIC);
    table[8..16].copy_from_slice(&forms.to_le_bytes());
    table
}

/// Whether `bytes` is a table of [`pack`]: the magic, a power of two of
/// whole slots, and a free slot (so that every lookup ends).
pub fn is_table(bytes: &[u8]) -> bool {
    let slots = bytes.len().saturating_sub(HEADER) / SLOT;
    bytes.len() >= HEADER
        && &bytes[..8] == MAGIC
        && slots.is_power_of_two()
        && bytes.len() == HEADER + slots * SLOT
        && len(bytes) < slots
}

/// The number of forms of a table of [`pack`].
pub fn len(table: &[u8]) -> usize {
    read_u64(table, 8) as usize
}

/// The entry of a form hash in a table that [`is_table`].
pub fn get(table: &[u8], hash: u64) -> Option<Entry> {
    let slots = (table.len() - HEADER) / SLOT;
    let key = slot_key(hash);
    let mut i = home(key, slots);
    loop {
        let at = HEADER + i * SLOT;
        match read_u64(table, at) {
            0 => return None,
            k if k == key => return Some(Entry::unpack(read_u64(table, at + 8))),
            _ => i = (i + 1) & (slots - 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(surface: u8, clusters: [u16; 3]) -> Entry {
        Entry {
            surface,
            stem: surface / 2,
            name: name_class(3, 40),
            clusters,
        }
    }

    #[test]
    fn an_entry_survives_packing_at_the_largest_cluster_numbers() {
        for e in [
            entry(255, MAX_CLUSTER),
            entry(1, [1, 0, 7]),
            Entry::default(),
        ] {
            assert_eq!(Entry::unpack(e.pack()), e);
        }
    }

    #[test]
    fn every_packed_form_is_found_and_others_are_not() {
        let rows: Vec<(u64, Entry)> = (0..1000u64)
            .map(|n| {
                (
                    hash_str(&n.to_string()),
                    entry((n % 200) as u8, [n as u16 % 4000, 3, 2]),
                )
            })
            .collect();
        let table = pack(&rows);
        assert!(is_table(&table));
        assert_eq!(len(&table), 1000);
        for (hash, e) in &rows {
            assert_eq!(get(&table, *hash), Some(*e));
        }
        assert_eq!(get(&table, hash_str("1000")), None);
    }

    #[test]
    fn a_later_row_of_the_same_form_replaces_the_earlier() {
        let h = hash_str("london");
        let table = pack(&[(h, entry(10, [1, 1, 1])), (h, entry(20, [2, 2, 2]))]);
        assert_eq!(len(&table), 1);
        assert_eq!(get(&table, h), Some(entry(20, [2, 2, 2])));
    }

    #[test]
    fn a_form_hashing_to_zero_is_still_found() {
        let table = pack(&[(0, entry(5, [0; 3]))]);
        assert_eq!(get(&table, 0), Some(entry(5, [0; 3])));
    }

    #[test]
    fn truncated_or_foreign_bytes_are_no_table() {
        let table = pack(&[(7, entry(5, [0; 3]))]);
        assert!(!is_table(&table[..table.len() - 1]));
        assert!(!is_table(b"AKWORDS1"));
        let mut other = table.clone();
        other[0] = b'X';
        assert!(!is_table(&other));
    }
}
