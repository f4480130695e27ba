//! Named entities: people, organisations and places.
//!
//! | module | what |
//! | --- | --- |
//! | [`normalize`] | the per-word matching forms (folded, clitic-stripped) |
//! | [`features`] | the tagger's feature templates, hashed |
//! | [`model`] | weights, Viterbi decoding, the model file format |
//! | [`train`] | averaged structured perceptron training on CoNLL files |
//! | [`conll`] | CoNLL reading and entity-level scoring |
//! | [`gum`] | English names from the GUM corpus's CoNLL-U files |
//! | [`history`] | what the tagger said of a word earlier in the document |
//! | [`gazetteer`] | the place table and the command that builds it |
//! | [`lexicon`] | gazetteer and rule tables with one Aho-Corasick automaton |
//! | [`words`] | word frequencies, name-unit counts and clusters of general usage |
//! | [`word_rows`] | the word tables' rows and the packed table build.rs makes of them |
//! | [`letters`] | how name-like a word's letters are (letter trigrams) |
//! | [`tagger`] | model and lexicon together: tokens in, BIO tags out |
//!
//! The `entities` stage (`stages/entities.rs`) runs the tagger on an
//! article, adds what the tables know, groups mentions and links places.

pub mod conll;
pub mod features;
mod fnv;
pub mod gazetteer;
pub mod gum;
pub mod history;
pub mod letters;
pub mod lexicon;
pub mod model;
pub mod normalize;
pub mod tagger;
pub mod train;
pub mod word_rows;
pub mod words;
