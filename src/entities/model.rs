//! The tagger's model: hashed feature weights per tag, tag transitions, and
//! Viterbi decoding under the BIO constraints.
//!
//! File format (little endian): magic `AKNER1\0\0`, bucket count (u32), tag
//! count (u32), weight scale (f32), the tag names (u8 length + UTF-8 each),
//! start and transition weights (f32), then `buckets × tags` weights
//! quantised to i16 (`weight = q × scale`). Quantisation keeps the file at a
//! quarter of its f32 size with no measurable loss in tagging accuracy.

use thiserror::Error;

const MAGIC: &[u8; 8] = b"AKNER1\0\0";

/// The BIO tag set of ANERcorp, in model order.
pub const TAGS: [&str; 9] = [
    "O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC",
];

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

/// Weights of a linear-chain tagger.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub buckets: usize,
    pub tags: Vec<String>,
    /// `buckets × tags`, row per bucket.
    pub weights: Vec<f32>,
    /// Score of starting a sentence with each tag.
    pub start: Vec<f32>,
    /// `tags × tags`: from (row) to (column).
    pub trans: Vec<f32>,
    /// `(tags + 1) × tags`: which transitions [`allowed`] permits; row 0 is
    /// the sentence start, row `p + 1` is from tag `p`.
    mask: Vec<bool>,
}

/// Whether tag `to` may follow tag `from` (index into [`Model::tags`]; `None`
/// at sentence start): `I-X` only after `B-X` or `I-X`.
pub fn allowed(tags: &[String], from: Option<usize>, to: usize) -> bool {
    let Some(rest) = tags[to].strip_prefix("I-") else {
        return true;
    };
    match from {
        None => false,
        Some(f) => tags[f].get(2..) == Some(rest),
    }
}

fn mask(tags: &[String]) -> Vec<bool> {
    let t = tags.len();
    let mut m = Vec::with_capacity((t + 1) * t);
    for from in std::iter::once(None).chain((0..t).map(Some)) {
        for to in 0..t {
            m.push(allowed(tags, from, to));
        }
    }
    m
}

impl Model {
    /// A zero model over `tags` with `buckets` hashed feature rows.
    pub fn zeros(buckets: usize, tags: &[&str]) -> Model {
        let t = tags.len();
        let tags: Vec<String> = tags.iter().map(|s| s.to_string()).collect();
        Model {
            buckets,
            mask: mask(&tags),
            tags,
            weights: vec![0.0; buckets * t],
            start: vec![0.0; t],
            trans: vec![0.0; t * t],
        }
    }

    /// Per-token, per-tag emission scores of a sentence's features.
    pub fn emissions(&self, features: &[Vec<u32>], out: &mut Vec<f32>) {
        let t = self.tags.len();
        out.clear();
        out.resize(features.len() * t, 0.0);
        for (i, feats) in features.iter().enumerate() {
            let row = &mut out[i * t..(i + 1) * t];
            for &f in feats {
                let w = &self.weights[f as usize * t..(f as usize + 1) * t];
                for (r, x) in row.iter_mut().zip(w) {
                    *r += x;
                }
            }
        }
    }

    /// The best tag sequence (indices into `tags`) for the given features.
    pub fn decode(&self, features: &[Vec<u32>]) -> Vec<usize> {
        let mut em = Vec::new();
        self.emissions(features, &mut em);
        self.viterbi(&em, features.len())
    }

    /// Viterbi over emission scores `em` (`n × tags`) with BIO constraints.
    pub fn viterbi(&self, em: &[f32], n: usize) -> Vec<usize> {
        let t = self.tags.len();
        if n == 0 {
            return Vec::new();
        }
        let mut score = vec![f32::NEG_INFINITY; n * t];
        let mut back = vec![0usize; n * t];
        for y in 0..t {
            if self.mask[y] {
                score[y] = self.start[y] + em[y];
            }
        }
        for i in 1..n {
            for y in 0..t {
                let mut best = f32::NEG_INFINITY;
                let mut arg = 0;
                for p in 0..t {
                    if !self.mask[(p + 1) * t + y] {
                        continue;
                    }
                    let s = score[(i - 1) * t + p] + self.trans[p * t + y];
                    if s > best {
                        best = s;
                        arg = p;
                    }
                }
                score[i * t + y] = best + em[i * t + y];
                back[i * t + y] = arg;
            }
        }
        let mut y = (0..t)
            .max_by(|&a, &b| score[(n - 1) * t + a].total_cmp(&score[(n - 1) * t + b]))
            .unwrap_or(0);
        let mut path = vec![0; n];
        for i in (0..n).rev() {
            path[i] = y;
            y = back[i * t + y];
        }
        path
    }

    /// Serialises the model (weights quantised to i16).
    pub fn to_bytes(&self) -> Vec<u8> {
        let t = self.tags.len();
        let max = self.weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 {
            max / f32::from(i16::MAX)
        } else {
            1.0
        };
        let mut out = Vec::with_capacity(32 + self.weights.len() * 2);
        out.extend_from_slice(MAGIC);
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
        for w in &self.weights {
            let q = (w / scale)
                .round()
                .clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16;
            out.extend_from_slice(&q.to_le_bytes());
        }
        out
    }

    /// Reads a model written by [`Model::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let mut r = Reader { bytes, pos: 0 };
        if r.take(8)? != MAGIC {
            return Err(ModelError::BadMagic);
        }
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
        let weights = raw
            .chunks_exact(2)
            .map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) * scale)
            .collect();
        if r.pos != bytes.len() {
            return Err(ModelError::Shape("trailing bytes".into()));
        }
        Ok(Model {
            buckets,
            mask: mask(&tags),
            tags,
            weights,
            start,
            trans,
        })
    }
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

    #[test]
    fn a_model_survives_a_round_trip_through_bytes() {
        let mut m = Model::zeros(8, &TAGS);
        m.weights[5] = 1.5;
        m.weights[17] = -0.75;
        m.trans[3] = 0.25;
        let back = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(back.tags, m.tags);
        assert_eq!(back.trans, m.trans);
        assert!((back.weights[5] - 1.5).abs() < 1e-3);
        assert!((back.weights[17] + 0.75).abs() < 1e-3);
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
