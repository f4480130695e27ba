//! Training: an averaged structured perceptron (Collins 2002) with Viterbi
//! decoding over the BIO or BILOU tags, on CoNLL sentences (BIO gold,
//! converted for a BILOU model).
//!
//! Deterministic for a given seed: sentence order is shuffled per epoch by a
//! SplitMix64 generator seeded from `--seed`, and features hash with a fixed
//! function. A share of the training sentences can be held out (`dev`) to
//! choose the number of epochs; the test split is never read here.

use super::conll::{Score, Sentence};
use super::features::{features_of, FeatureSet, IDENTITY_FEATURES, NO_FEATURE, NUM_FEATURES};
use super::history::{self, History};
use super::lexicon::Lexicon;
use super::model::{bio_to_bilou, Model, Weights, BILOU_TAGS, TAGS};
use super::tagger::Tagger;

/// Training options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOptions {
    pub epochs: usize,
    pub seed: u64,
    /// Hashed feature rows; a power of two keeps the file size round.
    pub buckets: usize,
    /// Share of the sentences held out for evaluation after each epoch
    /// (0 trains on all of them).
    pub dev_fraction: f64,
    /// Probability of hiding a token's word-identity features in a training
    /// pass, so that the model also learns from context, affixes and
    /// gazetteers: what it has for names it never saw.
    pub word_dropout: f64,
    /// The template set (Arabic or English).
    pub features: FeatureSet,
    /// Decode with BILOU tags ([`BILOU_TAGS`]) instead of BIO ([`TAGS`]).
    pub bilou: bool,
    /// Prediction history ([`History`]) over documents of this many
    /// consecutive sentences (the CoNLL files mark no articles); 0 trains
    /// a model without it.
    pub history: usize,
    /// Cost-augmented training: while training decodes, every wrong tag of
    /// a token scores this much more, so that a sentence also updates the
    /// weights when its gold tags win by less than their Hamming distance
    /// times the margin (a margin perceptron); 0 is the plain perceptron.
    pub margin: f32,
}

impl TrainOptions {
    /// The tag set the model is trained over.
    pub fn tags(&self) -> &'static [&'static str] {
        if self.bilou {
            &BILOU_TAGS
        } else {
            &TAGS
        }
    }
}

/// How a committed model was trained (the commands in models/NOTICE): the
/// defaults of `akhbar train-ner` for its template set, so that the command
/// given only `--train` (and `--features`) rebuilds the committed file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recipe {
    pub features: FeatureSet,
    pub seed: u64,
    pub epochs: usize,
    /// Hashed feature rows, as a power of two.
    pub buckets_log2: u32,
    pub word_dropout: f64,
    pub bilou: bool,
    /// Sentences per document of the prediction history (0: none).
    pub history: usize,
    /// Models averaged, of the seeds `seed..seed + average_seeds`.
    pub average_seeds: usize,
    /// The training margin ([`TrainOptions::margin`]).
    pub margin: f32,
    /// Where the model is committed.
    pub out: &'static str,
}

impl Recipe {
    /// The recipe of the committed model of a template set: Arabic
    /// `models/ner-ar.bin`, English `models/ner-en.bin`.
    pub const fn committed(features: FeatureSet) -> Recipe {
        match features {
            FeatureSet::Arabic => Recipe {
                features,
                seed: 42,
                epochs: 12,
                buckets_log2: 17,
                word_dropout: 0.25,
                bilou: true,
                history: history::DOCUMENT_SENTENCES,
                average_seeds: 5,
                margin: 40.0,
                out: "models/ner-ar.bin",
            },
            // On the 20 GUM training documents neither BILOU, the history
            // nor the mean of seeds helped (README, "Entities").
            FeatureSet::English => Recipe {
                features,
                seed: 42,
                epochs: 10,
                buckets_log2: 16,
                word_dropout: 0.25,
                bilou: false,
                history: 0,
                average_seeds: 1,
                margin: 40.0,
                out: "models/ner-en.bin",
            },
        }
    }

    /// The training options of this recipe.
    pub fn options(&self) -> TrainOptions {
        TrainOptions {
            epochs: self.epochs,
            seed: self.seed,
            // Within what a model file and memory allow.
            buckets: 1 << self.buckets_log2.clamp(8, 24),
            dev_fraction: 0.0,
            word_dropout: self.word_dropout,
            features: self.features,
            bilou: self.bilou,
            history: self.history,
            margin: self.margin,
        }
    }
}

/// SplitMix64: small, seedable, and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

struct Example {
    /// [`NUM_FEATURES`] per token.
    features: Vec<u32>,
    gold: Vec<usize>,
    /// The tokens' history keys ([`history::key`]).
    keys: Vec<u64>,
}

/// The index of a tag in `tags` (`O` if unknown).
fn tag_index(tags: &[&str], tag: &str) -> usize {
    tags.iter().position(|t| *t == tag).unwrap_or(0)
}

fn examples(
    sentences: &[&Sentence],
    lexicon: &Lexicon,
    set: FeatureSet,
    buckets: usize,
    tags: &[&str],
) -> Vec<Example> {
    let bilou = super::model::is_bilou(tags);
    sentences
        .iter()
        .map(|s| {
            let views = Tagger::views(lexicon, &s.tokens);
            let mut features = Vec::new();
            features_of(set, &views, buckets, &mut features);
            let converted;
            let gold = if bilou {
                converted = bio_to_bilou(&s.tags);
                &converted
            } else {
                &s.tags
            };
            Example {
                features,
                gold: gold.iter().map(|t| tag_index(tags, t)).collect(),
                keys: views.iter().map(history::key).collect(),
            }
        })
        .collect()
}

/// Weights plus the running sums averaging needs.
struct Averaged {
    model: Model,
    /// Per weight: sum of `step × update`.
    acc_w: Vec<f32>,
    acc_start: Vec<f32>,
    acc_trans: Vec<f32>,
    step: f32,
}

impl Averaged {
    fn update(&mut self, ex: &Example, pred: &[usize]) {
        let t = self.model.tags.len();
        let c = self.step;
        // Training starts from `Model::zeros`, whose weights are exact.
        let Weights::Exact(weights) = &mut self.model.weights else {
            return;
        };
        for (i, feats) in ex.features.chunks_exact(NUM_FEATURES).enumerate() {
            let (g, p) = (ex.gold[i], pred[i]);
            if g != p {
                for &f in feats {
                    if f == NO_FEATURE {
                        continue;
                    }
                    let f = f as usize * t;
                    weights[f + g] += 1.0;
                    self.acc_w[f + g] += c;
                    weights[f + p] -= 1.0;
                    self.acc_w[f + p] -= c;
                }
            }
            let (gp, pp) = if i == 0 {
                (None, None)
            } else {
                (Some(ex.gold[i - 1]), Some(pred[i - 1]))
            };
            if (gp, g) != (pp, p) {
                for (prev, cur, sign) in [(gp, g, 1.0), (pp, p, -1.0)] {
                    match prev {
                        None => {
                            self.model.start[cur] += sign;
                            self.acc_start[cur] += sign * c;
                        }
                        Some(prev) => {
                            self.model.trans[prev * t + cur] += sign;
                            self.acc_trans[prev * t + cur] += sign * c;
                        }
                    }
                }
            }
        }
        self.model.refresh();
    }

    fn averaged(&self) -> Model {
        let mut m = self.model.clone();
        let avg = |w: &mut [f32], acc: &[f32]| {
            for (x, a) in w.iter_mut().zip(acc) {
                *x -= a / self.step;
            }
        };
        if let Weights::Exact(w) = &mut m.weights {
            avg(w, &self.acc_w);
        }
        avg(&mut m.start, &self.acc_start);
        avg(&mut m.trans, &self.acc_trans);
        m.refresh();
        m
    }
}

/// The mean of models trained alike with different seeds: their weights,
/// start and transition scores averaged. `None` for no models, or models
/// that are not alike (other tags, rows or templates, or weights read from
/// a file rather than trained).
pub fn average(models: Vec<Model>) -> Option<Model> {
    let n = models.len() as f32;
    let mut it = models.into_iter();
    let mut out = it.next()?;
    for m in it {
        let alike = m.tags == out.tags
            && m.buckets == out.buckets
            && m.features == out.features
            && m.history == out.history;
        let (Weights::Exact(a), Weights::Exact(b)) = (&mut out.weights, &m.weights) else {
            return None;
        };
        if !alike || a.len() != b.len() {
            return None;
        }
        for (x, y) in a.iter_mut().zip(b) {
            *x += y;
        }
        for (x, y) in out.start.iter_mut().zip(&m.start) {
            *x += y;
        }
        for (x, y) in out.trans.iter_mut().zip(&m.trans) {
            *x += y;
        }
    }
    let Weights::Exact(a) = &mut out.weights else {
        return None;
    };
    for x in a.iter_mut().chain(&mut out.start).chain(&mut out.trans) {
        *x /= n;
    }
    out.refresh();
    Some(out)
}

/// Splits sentences into (train, dev): the dev part is the last
/// `dev_fraction` of the file, a contiguous block, so that it holds whole
/// articles the training part never saw (random sentences would share names
/// with their neighbours and flatter the score).
pub fn split(sentences: &[Sentence], dev_fraction: f64) -> (Vec<&Sentence>, Vec<&Sentence>) {
    let n_dev = ((sentences.len() as f64) * dev_fraction.clamp(0.0, 0.9)).round() as usize;
    let cut = sentences.len() - n_dev;
    (
        sentences[..cut].iter().collect(),
        sentences[cut..].iter().collect(),
    )
}

/// Scores a model on labelled sentences, documents of `per_document`
/// consecutive sentences for a model with prediction history (see
/// [`History::at_sentence`]).
pub fn evaluate(
    model: &Model,
    lexicon: &Lexicon,
    sentences: &[&Sentence],
    per_document: usize,
) -> Score {
    let mut score = Score::default();
    let mut feats = Vec::new();
    let mut memory = History::new();
    for (n, s) in sentences.iter().enumerate() {
        memory.at_sentence(n, per_document);
        let views = Tagger::views(lexicon, &s.tokens);
        // Whole sentences, as training sees them (the tagger cuts long
        // ones at MAX_SENTENCE_TOKENS).
        let pred: Vec<&str> = Tagger::decode_in(model, &views, &mut memory, &mut feats)
            .into_iter()
            .map(|i| model.bio_tag(i))
            .collect();
        score.add(&s.tags, &pred);
    }
    score
}

/// Trains a model; `on_epoch(epoch, dev_score)` is called after each epoch
/// (with a score only when sentences are held out).
pub fn train(
    sentences: &[Sentence],
    lexicon: &Lexicon,
    opts: TrainOptions,
    on_epoch: impl FnMut(usize, Option<&Score>),
) -> Model {
    let (train_set, dev_set) = split(sentences, opts.dev_fraction);
    train_on(&train_set, &dev_set, lexicon, opts, on_epoch)
}

/// [`train_on`] once per seed of `opts.seed..opts.seed + seeds` (at least
/// one), and the mean of the models ([`average`]); `on_epoch(seed, epoch,
/// dev_score)`. `None` only if the models came out unlike, which training
/// alike does not do.
pub fn train_seeds(
    train_set: &[&Sentence],
    dev_set: &[&Sentence],
    lexicon: &Lexicon,
    opts: TrainOptions,
    seeds: usize,
    mut on_epoch: impl FnMut(u64, usize, Option<&Score>),
) -> Option<Model> {
    let models = (0..seeds.max(1) as u64).map(|i| {
        let opts = TrainOptions {
            seed: opts.seed.wrapping_add(i),
            ..opts
        };
        train_on(train_set, dev_set, lexicon, opts, |epoch, dev| {
            on_epoch(opts.seed, epoch, dev)
        })
    });
    average(models.collect())
}

/// [`train`] on given training and held-out sentences (`opts.dev_fraction`
/// is not used): cross-validation by document holds out whole documents.
pub fn train_on(
    train_set: &[&Sentence],
    dev_set: &[&Sentence],
    lexicon: &Lexicon,
    opts: TrainOptions,
    mut on_epoch: impl FnMut(usize, Option<&Score>),
) -> Model {
    let tags = opts.tags();
    let exs = examples(train_set, lexicon, opts.features, opts.buckets, tags);
    let t = tags.len();
    let mut model = Model::zeros(opts.buckets, tags);
    model.features = opts.features;
    model.history = opts.history > 0;
    let mut avg = Averaged {
        model,
        acc_w: vec![0.0; opts.buckets * t],
        acc_start: vec![0.0; t],
        acc_trans: vec![0.0; t * t],
        step: 1.0,
    };
    let mut rng = Rng::new(opts.seed);
    // Documents: runs of `opts.history` consecutive sentences, shuffled as
    // wholes and read in order, so that the history sees what came before;
    // without history every sentence is its own document.
    let per_doc = opts.history.max(1);
    let mut order: Vec<usize> = (0..exs.len().div_ceil(per_doc)).collect();
    let mut em = Vec::new();
    let drop_below = (opts.word_dropout.clamp(0.0, 1.0) * u64::MAX as f64) as u64;
    let mut seen = Example {
        features: Vec::new(),
        gold: Vec::new(),
        keys: Vec::new(),
    };
    let mut memory = History::new();
    for epoch in 1..=opts.epochs {
        rng.shuffle(&mut order);
        for &d in &order {
            memory.clear();
            for orig in &exs[d * per_doc..((d + 1) * per_doc).min(exs.len())] {
                let mut ex = orig;
                if drop_below > 0 || opts.history > 0 {
                    seen.gold.clone_from(&ex.gold);
                    seen.features.clone_from(&ex.features);
                    if drop_below > 0 {
                        for feats in seen.features.chunks_exact_mut(NUM_FEATURES) {
                            if rng.next_u64() < drop_below {
                                for &f in &IDENTITY_FEATURES {
                                    feats[f] = NO_FEATURE;
                                }
                            }
                        }
                    }
                    if opts.history > 0 {
                        memory.fill(orig.keys.iter().copied(), opts.buckets, &mut seen.features);
                    }
                    ex = &seen;
                }
                avg.model.emissions(&ex.features, &mut em);
                if opts.margin > 0.0 {
                    add_costs(&mut em, &ex.gold, t, opts.margin);
                }
                let pred = avg.model.viterbi(&em, ex.gold.len());
                if opts.history > 0 {
                    let tags = pred.iter().map(|&i| avg.model.bio_tag(i));
                    memory.record(orig.keys.iter().copied(), tags);
                }
                if pred != ex.gold {
                    avg.update(ex, &pred);
                }
                avg.step += 1.0;
            }
        }
        if dev_set.is_empty() {
            on_epoch(epoch, None);
        } else {
            let score = evaluate(&avg.averaged(), lexicon, dev_set, opts.history);
            on_epoch(epoch, Some(&score));
        }
    }
    avg.averaged()
}

/// Adds `margin` to the emission score of every tag but the gold one, per
/// token: the loss-augmented decoding of a margin perceptron.
fn add_costs(em: &mut [f32], gold: &[usize], tags: usize, margin: f32) {
    for (row, &g) in em.chunks_exact_mut(tags).zip(gold) {
        for (k, e) in row.iter_mut().enumerate() {
            if k != g {
                *e += margin;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::conll::parse;

    const TOY: &str = "قال O\nالرئيس O\nبشار B-PERS\nالأسد I-PERS\nفي O\nدمشق B-LOC\n\n\
                       زار O\nجون B-PERS\nكيربي I-PERS\nموسكو B-LOC\n\n\
                       وصل O\nبشار B-PERS\nإلى O\nباريس B-LOC\n";

    fn small() -> TrainOptions {
        TrainOptions {
            epochs: 5,
            seed: 7,
            buckets: 1 << 12,
            dev_fraction: 0.0,
            word_dropout: 0.0,
            features: FeatureSet::Arabic,
            bilou: false,
            history: 0,
            margin: 0.0,
        }
    }

    #[test]
    fn training_learns_a_toy_corpus() {
        let lex = Lexicon::builtin().unwrap();
        let sents = parse(TOY);
        let model = train(&sents, &lex, small(), |_, _| {});
        let refs: Vec<&Sentence> = sents.iter().collect();
        let score = evaluate(&model, &lex, &refs, 0);
        assert_eq!(score.total(&["PER", "LOC"]).f1(), 1.0);
    }

    #[test]
    fn the_margin_is_added_to_every_tag_but_the_gold_one() {
        let mut em = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        add_costs(&mut em, &[2, 0], 3, 10.0);
        assert_eq!(em, vec![11.0, 12.0, 3.0, 4.0, 15.0, 16.0]);
    }

    #[test]
    fn a_margin_goes_on_updating_where_the_plain_perceptron_stops() {
        let lex = Lexicon::builtin().unwrap();
        let sents = parse(TOY);
        let plain = train(&sents, &lex, small(), |_, _| {});
        let opts = TrainOptions {
            margin: 40.0,
            ..small()
        };
        let margin = train(&sents, &lex, opts, |_, _| {});
        // The plain perceptron updates on mistakes only; with the margin a
        // sentence tagged right but by too little updates the weights too.
        assert_ne!(plain.weights, margin.weights);
        let refs: Vec<&Sentence> = sents.iter().collect();
        let score = evaluate(&margin, &lex, &refs, 0);
        assert_eq!(score.total(&["PER", "LOC"]).f1(), 1.0);
    }

    #[test]
    fn the_average_of_models_is_the_mean_of_their_weights() {
        let lex = Lexicon::builtin().unwrap();
        let sents = parse(TOY);
        let a = train(&sents, &lex, small(), |_, _| {});
        let b = train(&sents, &lex, TrainOptions { seed: 8, ..small() }, |_, _| {});
        let (Weights::Exact(wa), Weights::Exact(wb)) = (&a.weights, &b.weights) else {
            panic!("trained weights are exact");
        };
        let i = wa
            .iter()
            .zip(wb)
            .position(|(x, y)| x != y)
            .expect("two seeds give different weights");
        let want = (wa[i] + wb[i]) / 2.0;
        let start = (a.start[1] + b.start[1]) / 2.0;
        let mean = average(vec![a, b]).unwrap();
        let Weights::Exact(w) = &mean.weights else {
            panic!("the mean is exact");
        };
        assert_eq!(w[i], want);
        assert_eq!(mean.start[1], start);
        let refs: Vec<&Sentence> = sents.iter().collect();
        assert_eq!(
            evaluate(&mean, &lex, &refs, 0).total(&["PER", "LOC"]).f1(),
            1.0
        );
    }

    #[test]
    fn models_that_are_not_alike_have_no_average() {
        let lex = Lexicon::builtin().unwrap();
        let sents = parse(TOY);
        let bio = train(&sents, &lex, small(), |_, _| {});
        let bilou = train(
            &sents,
            &lex,
            TrainOptions {
                bilou: true,
                ..small()
            },
            |_, _| {},
        );
        assert!(average(vec![bio, bilou]).is_none());
        assert!(average(Vec::new()).is_none());
    }

    #[test]
    fn a_bilou_model_learns_the_toy_corpus_and_tags_in_bio() {
        let lex = Lexicon::builtin().unwrap();
        let sents = parse(TOY);
        let opts = TrainOptions {
            bilou: true,
            ..small()
        };
        let model = train(&sents, &lex, opts, |_, _| {});
        assert_eq!(model.tags.len(), BILOU_TAGS.len());
        let refs: Vec<&Sentence> = sents.iter().collect();
        assert_eq!(
            evaluate(&model, &lex, &refs, 0).total(&["PER", "LOC"]).f1(),
            1.0
        );
        let tagger = Tagger {
            model,
            lexicon: lex,
        };
        assert_eq!(
            tagger.tag(&["زار", "جون", "كيربي", "موسكو"]),
            ["O", "B-PERS", "I-PERS", "B-LOC"]
        );
    }

    #[test]
    fn training_is_deterministic_for_a_seed() {
        let lex = Lexicon::builtin().unwrap();
        let sents = parse(TOY);
        let a = train(&sents, &lex, small(), |_, _| {});
        let b = train(&sents, &lex, small(), |_, _| {});
        assert_eq!(a.to_bytes(), b.to_bytes());
    }

    #[test]
    fn the_dev_split_is_the_tail_of_the_file() {
        let sents = parse(&[TOY; 10].join("\n"));
        let (tr, dev) = split(&sents, 0.2);
        assert_eq!(tr.len() + dev.len(), sents.len());
        assert_eq!(dev.len(), 6);
        assert!(
            std::ptr::eq(dev[0], &sents[24]),
            "the dev part is the file's tail"
        );
    }
}
