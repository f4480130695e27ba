//! The tagger's model: hashed feature weights per tag, tag transitions, and
//! Viterbi decoding under the BIO or BILOU constraints.
//!
//! File format (little endian): magic `AKNER7\0\0` (the `7` is
//! [`super::features::FEATURES_VERSION`]: a model of other features is
//! refused; the last two bytes name the template set, `\0\0` the Arabic
//! one, `en` the English one), bucket count (u32), tag
//! count (u32), weight scale (f32), the tag names (u8 length + UTF-8 each),
//! start and transition weights (f32), then `buckets × tags` weights
//! quantised to i16 (`weight = q × scale`). Quantisation keeps the file at a
//! quarter of its f32 size with no measurable loss in tagging accuracy.

use super::features::{FeatureSet, FEATURES_VERSION, NUM_FEATURES};
use thiserror::Error;

const MAGIC: &[u8; 8] = b"AKNER7\0\0";
const MAGIC_ENGLISH: &[u8; 8] = b"AKNER7en";
/// The same template sets with prediction history ([`Model::history`]).
const MAGIC_HISTORY: &[u8; 8] = b"AKNER7h\0";
const MAGIC_ENGLISH_HISTORY: &[u8; 8] = b"AKNER7eh";
const _: () = assert!(FEATURES_VERSION == 7, "change MAGIC with the features");

/// The BIO tag set of ANERcorp, in model order.
pub const TAGS: [&str; 9] = [
    "O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC",
];

/// The BILOU tag set over the same types: `B` begins a name of two words or
/// more, `I` continues it, `L` ends it, `U` is a one-word name. Decoding
/// with it tells the tagger where a name ends, which BIO leaves to the next
/// tag; [`Model::bio_tag`] gives the BIO name of each tag.
pub const BILOU_TAGS: [&str; 17] = [
    "O", "B-PERS", "I-PERS", "L-PERS", "U-PERS", "B-LOC", "I-LOC", "L-LOC", "U-LOC", "B-ORG",
    "I-ORG", "L-ORG", "U-ORG", "B-MISC", "I-MISC", "L-MISC", "U-MISC",
];

/// A tag's scheme letter and type (`('O', "")` for `O`).
fn parts(tag: &str) -> (char, &str) {
    match tag.split_once('-') {
        Some((p, t)) => (p.chars().next().unwrap_or('O'), t),
        None => ('O', ""),
    }
}

/// Whether a tag set is BILOU (has `L-` or `U-` tags) rather than BIO.
pub fn is_bilou<S: AsRef<str>>(tags: &[S]) -> bool {
    tags.iter()
        .any(|t| matches!(parts(t.as_ref()).0, 'L' | 'U'))
}

/// The BILOU tags of a BIO sequence (`B-X I-X I-X` → `B-X I-X L-X`, `B-X`
/// alone → `U-X`); an `I-X` that continues nothing begins a name.
pub fn bio_to_bilou(bio: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(bio.len());
    for (i, tag) in bio.iter().enumerate() {
        let (p, t) = parts(tag);
        if p == 'O' {
            out.push("O".to_string());
            continue;
        }
        // `O` has the empty type, so an `I-X` after `O` begins a name too.
        let begins = p == 'B' || i == 0 || parts(&bio[i - 1]).1 != t;
        let continues = bio.get(i + 1).is_some_and(|n| parts(n) == ('I', t));
        let letter = match (begins, continues) {
            (true, true) => 'B',
            (true, false) => 'U',
            (false, true) => 'I',
            (false, false) => 'L',
        };
        out.push(format!("{letter}-{t}"));
    }
    out
}

/// A model file that cannot be read.
#[derive(Debug, Error)]
pub enum ModelError {
    #[error("not a tagger model (bad magic bytes)")]
    BadMagic,
    #[error("model file truncated at byte {0}")]
    Truncated(usize),
    #[error("model has unexpected shape: {0}")]
    Shape(String),
}

/// The feature weights, `buckets × tags`, row per bucket.
#[derive(Debug, Clone, PartialEq)]
pub enum Weights {
    /// As training updates them.
    Exact(Vec<f32>),
    /// As a model file holds them (`weight = q × scale`), kept quantised in
    /// memory: half the size of `f32`, so twice as many rows stay in cache
    /// when tagging (the weight lookups are most of the tagger's time).
    Quantized { q: Vec<i16>, scale: f32 },
}

/// Weights of a linear-chain tagger.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The templates the weights belong to.
    pub features: FeatureSet,
    /// Trained with prediction history: the tagger fills the history slots
    /// ([`super::history::History`]) as it reads a document.
    pub history: bool,
    pub buckets: usize,
    pub tags: Vec<String>,
    pub weights: Weights,
    /// Score of starting a sentence with each tag.
    pub start: Vec<f32>,
    /// `tags × tags`: from (row) to (column).
    pub trans: Vec<f32>,
    /// `start` and `trans` with `-inf` where [`allowed`] forbids the
    /// transition, then the end scores ([`may_end`]): `(tags + 2) × tags`.
    masked: Vec<f32>,
    /// The BIO name of each tag ([`Model::bio_tag`]).
    bio: Vec<String>,
}

/// Whether tag `to` may follow tag `from` (index into [`Model::tags`]; `None`
/// at sentence start): `I-X` (and in BILOU `L-X`) only after `B-X` or
/// `I-X`; in BILOU, after `B-X` or `I-X` nothing else.
pub fn allowed(tags: &[String], from: Option<usize>, to: usize) -> bool {
    let open = from.and_then(|f| {
        let (p, t) = parts(&tags[f]);
        matches!(p, 'B' | 'I').then_some(t)
    });
    let (p, t) = parts(&tags[to]);
    match p {
        'I' | 'L' => open == Some(t),
        _ => open.is_none() || !is_bilou(tags),
    }
}

/// Whether a sentence may end on tag `last`: in BILOU not inside a name.
pub fn may_end(tags: &[String], last: usize) -> bool {
    !(is_bilou(tags) && matches!(parts(&tags[last]).0, 'B' | 'I'))
}

/// Start, transition and end scores with `-inf` where the scheme forbids:
/// row 0 the start, row `p + 1` from tag `p`, row `tags + 1` the end (0 or
/// `-inf`).
fn masked(tags: &[String], start: &[f32], trans: &[f32]) -> Vec<f32> {
    let t = tags.len();
    let mut m = Vec::with_capacity((t + 2) * t);
    for from in std::iter::once(None).chain((0..t).map(Some)) {
        for to in 0..t {
            let score = match from {
                None => start[to],
                Some(p) => trans[p * t + to],
            };
            m.push(if allowed(tags, from, to) {
                score
            } else {
                f32::NEG_INFINITY
            });
        }
    }
    m.extend((0..t).map(|last| {
        if may_end(tags, last) {
            0.0
        } else {
            f32::NEG_INFINITY
        }
    }));
    m
}

/// The BIO name of each tag (`U-X` → `B-X`, `L-X` → `I-X`).
fn bio_names(tags: &[String]) -> Vec<String> {
    tags.iter()
        .map(|tag| match parts(tag) {
            ('U', t) => format!("B-{t}"),
            ('L', t) => format!("I-{t}"),
            _ => tag.clone(),
        })
        .collect()
}

impl Model {
    /// A zero model over `tags` with `buckets` hashed feature rows.
    pub fn zeros(buckets: usize, tags: &[&str]) -> Model {
        let t = tags.len();
        let tags: Vec<String> = tags.iter().map(|s| s.to_string()).collect();
        Model::new(
            buckets,
            tags,
            Weights::Exact(vec![0.0; buckets * t]),
            vec![0.0; t],
            vec![0.0; t * t],
        )
    }

    /// A model from its parts (`weights` of `buckets × tags`, `start` of
    /// `tags`, `trans` of `tags × tags`).
    pub fn new(
        buckets: usize,
        tags: Vec<String>,
        weights: Weights,
        start: Vec<f32>,
        trans: Vec<f32>,
    ) -> Model {
        Model {
            features: FeatureSet::Arabic,
            history: false,
            buckets,
            masked: masked(&tags, &start, &trans),
            bio: bio_names(&tags),
            tags,
            weights,
            start,
            trans,
        }
    }

    /// Recomputes the decoding tables after `start` or `trans` changed.
    pub fn refresh(&mut self) {
        self.masked = masked(&self.tags, &self.start, &self.trans);
    }

    /// The BIO name of tag `i` (the tag itself in a BIO model; `U-X` is
    /// `B-X` and `L-X` is `I-X` in a BILOU one); `O` past the tags.
    pub fn bio_tag(&self, i: usize) -> &str {
        self.bio.get(i).map_or("O", String::as_str)
    }

    /// Weight `i` of the `buckets × tags` table.
    pub fn weight(&self, i: usize) -> f32 {
        match &self.weights {
            Weights::Exact(w) => w.get(i).copied().unwrap_or(0.0),
            Weights::Quantized { q, scale } => q.get(i).map_or(0.0, |&x| f32::from(x) * scale),
        }
    }

    /// Per-token, per-tag emission scores of a sentence's features
    /// ([`NUM_FEATURES`] ids per token; ids beyond the buckets, such as
    /// [`super::features::NO_FEATURE`], are skipped).
    pub fn emissions(&self, features: &[u32], out: &mut Vec<f32>) {
        let t = self.tags.len();
        let n = features.len() / NUM_FEATURES;
        out.clear();
        out.resize(n * t, 0.0);
        let rows = out
            .chunks_exact_mut(t)
            .zip(features.chunks_exact(NUM_FEATURES));
        match &self.weights {
            Weights::Exact(weights) => {
                for (row, feats) in rows {
                    for &f in feats {
                        let Some(w) = weights.get(f as usize * t..(f as usize + 1) * t) else {
                            continue;
                        };
                        for (r, x) in row.iter_mut().zip(w) {
                            *r += x;
                        }
                    }
                }
            }
            Weights::Quantized { q, scale } if t == TAGS.len() => {
                emissions_fixed::<{ TAGS.len() }>(q, *scale, features, out);
            }
            Weights::Quantized { q, scale } if t == BILOU_TAGS.len() => {
                emissions_fixed::<{ BILOU_TAGS.len() }>(q, *scale, features, out);
            }
            Weights::Quantized { q, scale } => {
                let mut acc = [0i32; 64];
                let acc = &mut acc[..t.min(64)];
                for (row, feats) in rows {
                    acc.fill(0);
                    for &f in feats {
                        let Some(w) = q.get(f as usize * t..(f as usize + 1) * t) else {
                            continue;
                        };
                        for (a, &x) in acc.iter_mut().zip(w) {
                            *a += i32::from(x);
                        }
                    }
                    for (r, &a) in row.iter_mut().zip(acc.iter()) {
                        *r = a as f32 * scale;
                    }
                }
            }
        }
    }

    /// The best tag sequence (indices into `tags`) for the given features.
    pub fn decode(&self, features: &[u32]) -> Vec<usize> {
        let mut em = Vec::new();
        self.emissions(features, &mut em);
        self.viterbi(&em, features.len() / NUM_FEATURES)
    }

    /// Viterbi over emission scores `em` (`n × tags`) with BIO constraints.
    pub fn viterbi(&self, em: &[f32], n: usize) -> Vec<usize> {
        let t = self.tags.len();
        if n == 0 || em.len() < n * t {
            return vec![0; n];
        }
        if t == TAGS.len() {
            return viterbi_fixed::<{ TAGS.len() }>(&self.masked, em, n);
        }
        if t == BILOU_TAGS.len() {
            return viterbi_fixed::<{ BILOU_TAGS.len() }>(&self.masked, em, n);
        }
        let mut score = vec![f32::NEG_INFINITY; n * t];
        let mut back = vec![0u8; n * t];
        for y in 0..t {
            score[y] = self.masked[y] + em[y];
        }
        for i in 1..n {
            let (done, rest) = score.split_at_mut(i * t);
            let prev = &done[(i - 1) * t..];
            let cur = &mut rest[..t];
            for y in 0..t {
                let mut best = f32::NEG_INFINITY;
                let mut arg = 0;
                for (p, &s) in prev.iter().enumerate() {
                    // Forbidden transitions are -inf in `masked`.
                    let s = s + self.masked[(p + 1) * t + y];
                    if s > best {
                        best = s;
                        arg = p;
                    }
                }
                cur[y] = best + em[i * t + y];
                back[i * t + y] = arg as u8;
            }
        }
        let end = &self.masked[(t + 1) * t..];
        let last = |y: usize| score[(n - 1) * t + y] + end[y];
        let mut y = (0..t)
            .max_by(|&a, &b| last(a).total_cmp(&last(b)))
            .unwrap_or(0);
        let mut path = vec![0; n];
        for i in (0..n).rev() {
            path[i] = y;
            y = usize::from(back[i * t + y]);
        }
        path
    }

    /// Serialises the model (weights quantised to i16).
    pub fn to_bytes(&self) -> Vec<u8> {
        let t = self.tags.len();
        let (q, scale) = match &self.weights {
            Weights::Exact(w) => quantize(w),
            Weights::Quantized { q, scale } => (q.clone(), *scale),
        };
        let mut out = Vec::with_capacity(32 + q.len() * 2);
        out.extend_from_slice(match (self.features, self.history) {
            (FeatureSet::Arabic, false) => MAGIC,
            (FeatureSet::English, false) => MAGIC_ENGLISH,
            (FeatureSet::Arabic, true) => MAGIC_HISTORY,
            (FeatureSet::English, true) => MAGIC_ENGLISH_HISTORY,
        });
        out.extend_from_slice(&(self.buckets as u32).to_le_bytes());
        out.extend_from_slice(&(t as u32).to_le_bytes());
        out.extend_from_slice(&scale.to_le_bytes());
        for tag in &self.tags {
            out.push(tag.len() as u8);
            out.extend_from_slice(tag.as_bytes());
        }
        for x in self.start.iter().chain(&self.trans) {
            out.extend_from_slice(&x.to_le_bytes());
        }
        for x in q {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out
    }

    /// Reads a model written by [`Model::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let mut r = Reader { bytes, pos: 0 };
        let (features, history) = match r.take(8)? {
            m if m == MAGIC => (FeatureSet::Arabic, false),
            m if m == MAGIC_ENGLISH => (FeatureSet::English, false),
            m if m == MAGIC_HISTORY => (FeatureSet::Arabic, true),
            m if m == MAGIC_ENGLISH_HISTORY => (FeatureSet::English, true),
            _ => return Err(ModelError::BadMagic),
        };
        let buckets = r.u32()? as usize;
        let t = r.u32()? as usize;
        let scale = f32::from_le_bytes(r.array()?);
        if t == 0 || t > 64 || buckets == 0 || buckets > (1 << 26) {
            return Err(ModelError::Shape(format!("{buckets} buckets, {t} tags")));
        }
        let mut tags = Vec::with_capacity(t);
        for _ in 0..t {
            let len = r.take(1)?[0] as usize;
            let name = std::str::from_utf8(r.take(len)?)
                .map_err(|_| ModelError::Shape("tag name is not UTF-8".into()))?;
            tags.push(name.to_string());
        }
        let mut floats = |n: usize| -> Result<Vec<f32>, ModelError> {
            (0..n).map(|_| Ok(f32::from_le_bytes(r.array()?))).collect()
        };
        let start = floats(t)?;
        let trans = floats(t * t)?;
        let raw = r.take(buckets * t * 2)?;
        let q = raw
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        if r.pos != bytes.len() {
            return Err(ModelError::Shape("trailing bytes".into()));
        }
        if !scale.is_finite() {
            return Err(ModelError::Shape("weight scale is not finite".into()));
        }
        let mut model = Model::new(buckets, tags, Weights::Quantized { q, scale }, start, trans);
        model.features = features;
        model.history = history;
        Ok(model)
    }
}

/// [`Model::emissions`] for `T` tags, quantised weights: the tag loops have
/// a fixed length, so the compiler unrolls them.
fn emissions_fixed<const T: usize>(q: &[i16], scale: f32, features: &[u32], out: &mut [f32]) {
    for (i, (row, feats)) in out
        .chunks_exact_mut(T)
        .zip(features.chunks_exact(NUM_FEATURES))
        .enumerate()
    {
        prefetch_rows::<T>(
            q,
            features.get((i + 2) * NUM_FEATURES..(i + 3) * NUM_FEATURES),
        );
        let mut acc = [0i32; T];
        for &f in feats {
            let from = f as usize * T;
            let Some(Ok(w)) = q.get(from..from + T).map(<&[i16; T]>::try_from) else {
                continue;
            };
            for k in 0..T {
                acc[k] += i32::from(w[k]);
            }
        }
        for (r, a) in row.iter_mut().zip(acc) {
            *r = a as f32 * scale;
        }
    }
}

/// Asks the CPU to fetch the weight rows of a token further on while the
/// current one is summed: the rows are scattered over megabytes, and the
/// tagger otherwise waits on memory for most of its time.
#[inline]
fn prefetch_rows<const T: usize>(q: &[i16], feats: Option<&[u32]>) {
    #[cfg(target_arch = "x86_64")]
    for &f in feats.unwrap_or_default() {
        if let Some(w) = q.get(f as usize * T) {
            // SAFETY: a prefetch is a hint with no effect on memory or
            // registers; the pointer comes from a live reference.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    (w as *const i16).cast::<i8>(),
                )
            };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (q, feats);
}

/// [`Model::viterbi`] for `T` tags (`masked` of `(T + 2) × T`, `em` of at
/// least `n × T`, `n > 0`).
fn viterbi_fixed<const T: usize>(masked: &[f32], em: &[f32], n: usize) -> Vec<usize> {
    let mut trans = [[f32::NEG_INFINITY; T]; T];
    for (p, row) in trans.iter_mut().enumerate() {
        row.copy_from_slice(&masked[(p + 1) * T..(p + 2) * T]);
    }
    let mut prev = [0f32; T];
    for y in 0..T {
        prev[y] = masked[y] + em[y];
    }
    let mut back: Vec<[u8; T]> = Vec::with_capacity(n);
    back.push([0; T]);
    for e in em.chunks_exact(T).take(n).skip(1) {
        let mut cur = [f32::NEG_INFINITY; T];
        let mut arg = [0u8; T];
        for (p, &s) in prev.iter().enumerate() {
            for y in 0..T {
                // Forbidden transitions are -inf.
                let v = s + trans[p][y];
                if v > cur[y] {
                    cur[y] = v;
                    arg[y] = p as u8;
                }
            }
        }
        for y in 0..T {
            cur[y] += e[y];
        }
        prev = cur;
        back.push(arg);
    }
    let end = &masked[(T + 1) * T..(T + 2) * T];
    let mut y = (0..T)
        .max_by(|&a, &b| (prev[a] + end[a]).total_cmp(&(prev[b] + end[b])))
        .unwrap_or(0);
    let mut path = vec![0; n];
    for i in (0..n).rev() {
        path[i] = y;
        y = usize::from(back[i][y]);
    }
    path
}

/// Weights as i16 with a scale (the largest weight maps to `i16::MAX`).
fn quantize(w: &[f32]) -> (Vec<i16>, f32) {
    let max = w.iter().fold(0f32, |m, w| m.max(w.abs()));
    let scale = if max > 0.0 {
        max / f32::from(i16::MAX)
    } else {
        1.0
    };
    let q = w
        .iter()
        .map(|w| {
            (w / scale)
                .round()
                .clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16
        })
        .collect();
    (q, scale)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(ModelError::Truncated(self.pos))?;
        let s = self
            .bytes
            .get(self.pos..end)
            .ok_or(ModelError::Truncated(self.pos))?;
        self.pos = end;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags() -> Vec<String> {
        TAGS.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn inside_tags_only_continue_their_own_type() {
        let t = tags();
        assert!(!allowed(&t, None, 2), "I-PERS cannot start a sentence");
        assert!(allowed(&t, Some(1), 2), "B-PERS I-PERS");
        assert!(!allowed(&t, Some(3), 2), "B-LOC I-PERS");
        assert!(!allowed(&t, Some(0), 4), "O I-LOC");
        assert!(allowed(&t, Some(0), 3), "O B-LOC");
    }

    #[test]
    fn viterbi_never_outputs_an_orphan_inside_tag() {
        let m = Model::zeros(4, &TAGS);
        // Emissions that prefer I-LOC everywhere.
        let mut em = vec![0.0; 3 * 9];
        for i in 0..3 {
            em[i * 9 + 4] = 5.0;
            em[i * 9 + 3] = 1.0;
        }
        let path = m.viterbi(&em, 3);
        assert_eq!(path, vec![3, 4, 4]);
    }

    fn strings(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn bio_becomes_bilou_with_names_ended_and_single_words_as_units() {
        let bio = strings(&["B-PERS", "I-PERS", "I-PERS", "O", "B-LOC", "B-LOC", "I-LOC"]);
        assert_eq!(
            bio_to_bilou(&bio),
            strings(&["B-PERS", "I-PERS", "L-PERS", "O", "U-LOC", "B-LOC", "L-LOC"])
        );
    }

    #[test]
    fn an_orphan_inside_tag_begins_a_bilou_name() {
        let bio = strings(&["I-ORG", "O", "I-LOC", "I-LOC", "I-PERS"]);
        assert_eq!(
            bio_to_bilou(&bio),
            strings(&["U-ORG", "O", "B-LOC", "L-LOC", "U-PERS"])
        );
    }

    #[test]
    fn bilou_names_are_closed_before_anything_else_follows() {
        let t = strings(&BILOU_TAGS);
        let at = |tag: &str| BILOU_TAGS.iter().position(|x| *x == tag).unwrap();
        assert!(is_bilou(&t) && !is_bilou(&tags()));
        assert!(allowed(&t, Some(at("B-LOC")), at("L-LOC")), "B-LOC L-LOC");
        assert!(allowed(&t, Some(at("I-LOC")), at("I-LOC")), "B-LOC I-LOC");
        assert!(!allowed(&t, Some(at("B-LOC")), at("O")), "B-LOC O");
        assert!(
            !allowed(&t, Some(at("I-LOC")), at("U-PERS")),
            "I-LOC U-PERS"
        );
        assert!(!allowed(&t, Some(at("B-LOC")), at("L-ORG")), "B-LOC L-ORG");
        assert!(!allowed(&t, None, at("L-LOC")), "L-LOC cannot start");
        assert!(!allowed(&t, Some(at("U-LOC")), at("I-LOC")), "U-LOC I-LOC");
        assert!(allowed(&t, Some(at("L-LOC")), at("U-LOC")), "L-LOC U-LOC");
        assert!(!may_end(&t, at("B-PERS")) && !may_end(&t, at("I-PERS")));
        assert!(may_end(&t, at("L-PERS")) && may_end(&t, at("U-PERS")));
        assert!(may_end(&tags(), 1), "BIO may end on B-PERS");
    }

    #[test]
    fn bilou_decoding_never_leaves_a_name_open_at_the_end() {
        let m = Model::zeros(4, &BILOU_TAGS);
        let at = |tag: &str| BILOU_TAGS.iter().position(|x| *x == tag).unwrap();
        // Emissions that prefer B-LOC, then I-LOC, everywhere: the path must
        // still close the name on the last word.
        let t = BILOU_TAGS.len();
        let mut em = vec![0.0; 3 * t];
        for i in 0..3 {
            em[i * t + at("B-LOC")] = 5.0;
            em[i * t + at("I-LOC")] = 2.0;
            em[i * t + at("L-LOC")] = 1.0;
        }
        let path = m.viterbi(&em, 3);
        assert_eq!(path, vec![at("B-LOC"), at("I-LOC"), at("L-LOC")]);
        let names: Vec<&str> = path.iter().map(|&i| m.bio_tag(i)).collect();
        assert_eq!(names, ["B-LOC", "I-LOC", "I-LOC"]);
    }

    #[test]
    fn bilou_tags_read_as_bio() {
        let m = Model::zeros(4, &BILOU_TAGS);
        let at = |tag: &str| BILOU_TAGS.iter().position(|x| *x == tag).unwrap();
        assert_eq!(m.bio_tag(at("U-ORG")), "B-ORG");
        assert_eq!(m.bio_tag(at("L-MISC")), "I-MISC");
        assert_eq!(m.bio_tag(at("B-PERS")), "B-PERS");
        assert_eq!(m.bio_tag(at("O")), "O");
        assert_eq!(m.bio_tag(99), "O", "past the tags");
    }

    #[test]
    fn a_model_survives_a_round_trip_through_bytes() {
        let mut w = vec![0.0; 8 * TAGS.len()];
        w[5] = 1.5;
        w[17] = -0.75;
        let mut trans = vec![0.0; TAGS.len() * TAGS.len()];
        trans[3] = 0.25;
        let tags = TAGS.iter().map(|s| s.to_string()).collect();
        let m = Model::new(8, tags, Weights::Exact(w), vec![0.0; TAGS.len()], trans);
        let back = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(back.tags, m.tags);
        assert_eq!(back.trans, m.trans);
        assert!((back.weight(5) - 1.5).abs() < 1e-3);
        assert!((back.weight(17) + 0.75).abs() < 1e-3);
        assert_eq!(
            back.to_bytes(),
            m.to_bytes(),
            "a loaded model saves as read"
        );
    }

    #[test]
    fn the_history_flag_survives_a_round_trip_with_either_template_set() {
        for features in [FeatureSet::Arabic, FeatureSet::English] {
            for history in [false, true] {
                let mut m = Model::zeros(8, &TAGS);
                m.features = features;
                m.history = history;
                let back = Model::from_bytes(&m.to_bytes()).unwrap();
                assert_eq!((back.features, back.history), (features, history));
            }
        }
    }

    #[test]
    fn quantized_and_exact_weights_score_alike() {
        let w: Vec<f32> = (0..16 * TAGS.len())
            .map(|i| ((i * 37) % 23) as f32 - 11.0)
            .collect();
        let tags: Vec<String> = TAGS.iter().map(|s| s.to_string()).collect();
        let exact = Model::new(
            16,
            tags,
            Weights::Exact(w),
            vec![0.0; TAGS.len()],
            vec![0.0; TAGS.len() * TAGS.len()],
        );
        let loaded = Model::from_bytes(&exact.to_bytes()).unwrap();
        let feats: Vec<u32> = (0..2 * NUM_FEATURES as u32).map(|i| i % 16).collect();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        exact.emissions(&feats, &mut a);
        loaded.emissions(&feats, &mut b);
        assert_eq!(a.len(), 2 * TAGS.len());
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-2, "{x} vs {y}");
        }
    }

    #[test]
    fn garbage_is_refused_not_panicked_on() {
        assert!(matches!(
            Model::from_bytes(b"nope"),
            Err(ModelError::Truncated(_))
        ));
        assert!(matches!(
            Model::from_bytes(b"XXXXXXXXXXXXXXXXXXXX"),
            Err(ModelError::BadMagic)
        ));
        let mut bytes = Model::zeros(8, &TAGS).to_bytes();
        bytes.truncate(bytes.len() - 3);
        assert!(Model::from_bytes(&bytes).is_err());
    }
}
