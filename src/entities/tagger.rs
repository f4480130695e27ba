//! The sequence tagger: a trained [`Model`] with the [`Lexicon`] that gives
//! its gazetteer features. Tokens in, BIO tags out.
//!
//! The committed model `models/ner-ar.bin` is compiled into the binary, so
//! loading is parsing a few MB of weights (see `akhbar tag --timing`).

use super::features::{features_of, Keys, TokenView};
use super::history::{self, History};
use super::lexicon::{Hit, Lexicon, LexiconError};
use super::model::{Model, ModelError};
use super::normalize::{word, Word};
use std::path::Path;
use thiserror::Error;

/// The committed Arabic model (trained by `akhbar train-ner`, see models/NOTICE).
pub const BUILTIN_MODEL: &[u8] = include_bytes!("../../models/ner-ar.bin");

/// The committed English model (trained on GUM news, see models/NOTICE).
pub const BUILTIN_ENGLISH_MODEL: &[u8] = include_bytes!("../../models/ner-en.bin");

/// Longest run of tokens decoded at once; longer sentences are cut, which
/// bounds the work per sentence whatever the input.
pub const MAX_SENTENCE_TOKENS: usize = 200;

/// A tagger that could not be loaded.
#[derive(Debug, Error)]
pub enum TaggerError {
    #[error("cannot read model {path}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Lexicon(#[from] LexiconError),
}

/// Model and lexicon, loaded once and shared.
pub struct Tagger {
    pub model: Model,
    pub lexicon: Lexicon,
}

impl Tagger {
    /// The committed model and tables.
    pub fn builtin() -> Result<Tagger, TaggerError> {
        Ok(Tagger {
            model: Model::from_bytes(BUILTIN_MODEL)?,
            lexicon: Lexicon::builtin()?,
        })
    }

    /// The committed English model and tables.
    pub fn builtin_english() -> Result<Tagger, TaggerError> {
        Ok(Tagger {
            model: Model::from_bytes(BUILTIN_ENGLISH_MODEL)?,
            lexicon: Lexicon::builtin()?,
        })
    }

    /// A model file from disk with the committed tables.
    pub fn from_file(path: &Path) -> Result<Tagger, TaggerError> {
        let bytes = std::fs::read(path).map_err(|source| TaggerError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Tagger {
            model: Model::from_bytes(&bytes)?,
            lexicon: Lexicon::builtin()?,
        })
    }

    /// The tagger's view of a sentence's tokens (forms and lexicon marks).
    pub fn views<S: AsRef<str>>(lexicon: &Lexicon, tokens: &[S]) -> Vec<TokenView> {
        Tagger::views_and_hits(lexicon, tokens).0
    }

    /// The views of a sentence's tokens with the lexicon's names found in
    /// them (one automaton pass serves both).
    pub fn views_and_hits<S: AsRef<str>>(
        lexicon: &Lexicon,
        tokens: &[S],
    ) -> (Vec<TokenView>, Vec<Hit>) {
        let words = tokens.iter().map(|t| word(t.as_ref())).collect();
        Tagger::views_of_words(lexicon, tokens, words)
    }

    /// [`Tagger::views_and_hits`] of tokens whose matching forms are known
    /// (`words[i]` is [`word`] of `forms[i]`).
    pub fn views_of_words<S: AsRef<str>>(
        lexicon: &Lexicon,
        forms: &[S],
        words: Vec<Word>,
    ) -> (Vec<TokenView>, Vec<Hit>) {
        let tokens = forms;
        let lookups: Vec<&str> = words.iter().map(|w| w.lookup.as_str()).collect();
        let hits = lexicon.hits(&lookups);
        let marks = lexicon.marks_of(&hits, tokens.len());
        let views = tokens
            .iter()
            .zip(words)
            .zip(marks)
            .map(|((t, word), marks)| TokenView {
                keys: Keys::new(t.as_ref(), &word, &marks, lexicon.words.class(&word)),
                word,
                marks,
            })
            .collect();
        (views, hits)
    }

    /// Tag indices (see [`Tagger::tag_indices`]) for tokens already viewed
    /// (see [`Tagger::views`]), decoded in pieces of at most
    /// [`MAX_SENTENCE_TOKENS`].
    pub fn tag_views(&self, views: &[TokenView]) -> Vec<usize> {
        Tagger::tag_views_with(&self.model, views)
    }

    /// [`Tagger::tag_views`] with another model over the same features
    /// (the English one), the sentence a document of its own.
    pub fn tag_views_with(model: &Model, views: &[TokenView]) -> Vec<usize> {
        Tagger::tag_views_in(model, views, &mut History::new())
    }

    /// [`Tagger::tag_views_with`] for one sentence of a document: a model
    /// with prediction history reads what `memory` holds of the document's
    /// earlier sentences, and adds this one's tags to it.
    pub fn tag_views_in(model: &Model, views: &[TokenView], memory: &mut History) -> Vec<usize> {
        let mut out = Vec::with_capacity(views.len());
        let mut feats = Vec::new();
        for chunk in views.chunks(MAX_SENTENCE_TOKENS) {
            out.extend(Tagger::decode_in(model, chunk, memory, &mut feats));
        }
        out
    }

    /// Decodes `views` in one piece (the callers bound its length): the
    /// features, the history's slots when the model has them, Viterbi, and
    /// the tags recorded in the history. `feats` is scratch space.
    pub fn decode_in(
        model: &Model,
        views: &[TokenView],
        memory: &mut History,
        feats: &mut Vec<u32>,
    ) -> Vec<usize> {
        features_of(model.features, views, model.buckets, feats);
        if model.history {
            memory.fill(views.iter().map(history::key), model.buckets, feats);
        }
        let tags = model.decode(feats);
        if model.history {
            memory.record(
                views.iter().map(history::key),
                tags.iter().map(|&i| model.bio_tag(i)),
            );
        }
        tags
    }

    /// Tag indices (into `model.tags`, BIO names by [`Model::bio_tag`]) for
    /// one sentence, a document of its own; sentences longer than
    /// [`MAX_SENTENCE_TOKENS`] are decoded in pieces.
    pub fn tag_indices<S: AsRef<str>>(&self, tokens: &[S]) -> Vec<usize> {
        self.tag_indices_in(tokens, &mut History::new())
    }

    /// [`Tagger::tag_indices`] for one sentence of a document (see
    /// [`Tagger::tag_views_in`]).
    pub fn tag_indices_in<S: AsRef<str>>(&self, tokens: &[S], memory: &mut History) -> Vec<usize> {
        let mut out = Vec::with_capacity(tokens.len());
        for chunk in tokens.chunks(MAX_SENTENCE_TOKENS) {
            let views = Tagger::views(&self.lexicon, chunk);
            out.extend(Tagger::tag_views_in(&self.model, &views, memory));
        }
        out
    }

    /// BIO tags for one sentence, a document of its own.
    pub fn tag<S: AsRef<str>>(&self, tokens: &[S]) -> Vec<&str> {
        self.tag_in(tokens, &mut History::new())
    }

    /// BIO tags for one sentence of a document (see [`Tagger::tag_views_in`]).
    pub fn tag_in<S: AsRef<str>>(&self, tokens: &[S], memory: &mut History) -> Vec<&str> {
        self.tag_indices_in(tokens, memory)
            .into_iter()
            .map(|i| self.model.bio_tag(i))
            .collect()
    }
}
