//! English training and test data: the news articles of GUM, the Georgetown
//! University Multilayer corpus (Zeldes 2017; texts CC BY 2.5 Wikinews,
//! annotations CC BY 4.0), read from its CoNLL-U files.
//!
//! GUM annotates every mention of every entity (`Entity=` in the last
//! column): noun phrases of any kind (`the team`, `U.S. President Donald
//! Trump's`), typed `person`, `organization`, `place` and others, with a
//! Wikipedia identity when there is one. A named-entity tagger needs the
//! names inside them, so [`parse`] derives them by a fixed rule (see
//! [`name_span`]):
//!
//! 1. Types: `person` is `PER`, `organization` `ORG`, `place` `LOC`; the
//!    others (`event`, `time`, `abstract`, ...) are left out.
//! 2. The mention's syntactic head (its one token whose head lies outside
//!    it) must be a proper noun (`NNP`, `NNPS`); a `person` headed by a
//!    plural proper noun is a group (`Muslims`) and left out.
//! 3. The name is the head with the proper nouns attached to it as `flat`,
//!    `compound`, `amod`, `fixed` or `goeswith` (and, for organisations and
//!    places, an `nmod` to its right: `University of Texas`), recursively,
//!    as one contiguous run; `of`, `and`, `&`, `the`, `de`, `for`, `on` and
//!    hyphens count inside the run, never at its edges. Titles are
//!    `nmod:desc` in GUM and stay out (`President` of `President Donald
//!    Trump`), as do determiners and the possessive.
//! 4. A person's name made only of title words (`The President`, `the
//!    Secretary of State`; words of `data/entities/en/person_titles.txt`)
//!    is not a name.
//! 5. Names are flat: of overlapping names the longest (then the first)
//!    stays (`United States National Security Council`, not `United
//!    States` inside it).
//!
//! The older, narrower gold ([`Document::linked`]) keeps GUM's
//! Wikipedia-linked mentions that begin and end with a proper noun (UPOS
//! `PROPN`), the whole mention, nested ones too: the figure the project
//! reported first, kept for comparison.
//!
//! Train and test: GUM's own partition (the `partition` attribute of its
//! XML files) puts 20 of the 24 news articles in `train`, two in `dev` and
//! two in `test`. Here `dev` and `test` together are the test documents
//! ([`HELD_OUT`]); choices are made by cross-validation on the 20.

use super::conll::Sentence;
use std::collections::HashSet;
use std::path::Path;
use std::sync::LazyLock;

/// GUM's `dev` and `test` news documents (the rest are `train`): never
/// trained or tuned on.
pub const HELD_OUT: [&str; 4] = [
    "GUM_news_homeopathic",
    "GUM_news_iodine",
    "GUM_news_nasa",
    "GUM_news_sensitive",
];

/// Whether a GUM document is one of the test documents.
pub fn is_held_out(id: &str) -> bool {
    HELD_OUT.contains(&id)
}

/// A name in the text: code point offsets, end-exclusive, and its CoNLL
/// type (`PER`, `ORG`, `LOC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GoldName {
    pub start: usize,
    pub end: usize,
    pub kind: &'static str,
}

/// One GUM document as text with its names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// `# newdoc id`, e.g. `GUM_news_afghan`.
    pub id: String,
    /// The tokens joined as written (`SpaceAfter=No` respected), one line
    /// per paragraph (`# newpar`).
    pub text: String,
    /// The names by the rule of this module, flat, in text order.
    pub names: Vec<GoldName>,
    /// The older gold: Wikipedia-linked mentions bounded by proper nouns.
    pub linked: Vec<GoldName>,
}

/// One token of a CoNLL-U sentence.
#[derive(Debug, Clone)]
struct Tok {
    form: String,
    upos: String,
    xpos: String,
    /// Index of the head in the sentence, `None` for the root.
    head: Option<usize>,
    rel: String,
    start: usize,
    end: usize,
}

/// An entity mention: tokens `start..end` of sentence `sent`.
#[derive(Debug, Clone)]
struct Mention {
    etype: String,
    linked: bool,
    sent: usize,
    start: usize,
    end: usize,
}

/// A mention still open while reading: (GUM entity id, type, linked,
/// sentence, first token).
type Open = (String, String, bool, usize, usize);

/// The mention `opened` closed on token `last` of its sentence.
fn close((_, etype, linked, sent, start): Open, last: usize) -> Mention {
    Mention {
        etype,
        linked,
        sent,
        start,
        end: last + 1,
    }
}

/// Words of the English person titles, lower-cased.
static TITLE_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("../../data/entities/en/person_titles.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::split_whitespace)
        .map(str::to_lowercase)
        .collect()
});

fn conll_type(etype: &str) -> Option<&'static str> {
    match etype {
        "person" => Some("PER"),
        "organization" => Some("ORG"),
        "place" => Some("LOC"),
        _ => None,
    }
}

fn is_proper(t: &Tok) -> bool {
    t.xpos == "NNP" || t.xpos == "NNPS"
}

fn is_connector(t: &Tok) -> bool {
    matches!(
        t.form.to_lowercase().as_str(),
        "of" | "and" | "&" | "the" | "de" | "for" | "on" | "-"
    )
}

/// The name inside a mention (tokens `start..end` of `sent`), by the rule
/// of the module documentation, as token indices.
fn name_span(sent: &[Tok], start: usize, end: usize, kind: &str) -> Option<(usize, usize)> {
    let inside = |i: usize| (start..end).contains(&i);
    let mut heads =
        (start..end).filter(|&i| sent[i].rel != "punct" && !sent[i].head.is_some_and(inside));
    let head = heads.next()?;
    if heads.next().is_some() || !is_proper(&sent[head]) {
        return None;
    }
    if kind == "PER" && sent[head].xpos == "NNPS" {
        return None;
    }
    let mut inc = vec![false; sent.len()];
    inc[head] = true;
    loop {
        let mut changed = false;
        for i in start..end {
            let t = &sent[i];
            let Some(p) = t.head else { continue };
            if inc[i] || !inc.get(p).copied().unwrap_or(false) || !is_proper(t) {
                continue;
            }
            let rel = t.rel.split(':').next().unwrap_or("");
            let joins = matches!(rel, "flat" | "compound" | "amod" | "fixed" | "goeswith")
                || (t.rel == "nmod" && kind != "PER" && i > p);
            if joins {
                inc[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let ok = |i: usize| inc[i] || is_connector(&sent[i]);
    let (mut a, mut b) = (head, head + 1);
    while a > start && ok(a - 1) {
        a -= 1;
    }
    while b < end && ok(b) {
        b += 1;
    }
    while a < b && !inc[a] {
        a += 1;
    }
    while b > a && !inc[b - 1] {
        b -= 1;
    }
    if kind == "PER"
        && sent[a..b]
            .iter()
            .all(|t| TITLE_WORDS.contains(&t.form.to_lowercase()))
    {
        return None;
    }
    Some((a, b))
}

/// Parses one GUM CoNLL-U document (see the module documentation).
pub fn parse(conllu: &str) -> Document {
    let mut doc = Document::default();
    let mut sents: Vec<Vec<Tok>> = Vec::new();
    let mut cur: Vec<Tok> = Vec::new();
    let mut mentions = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut chars = 0usize;
    let mut space_before = false;
    for line in conllu.lines() {
        if let Some(id) = line.strip_prefix("# newdoc id = ") {
            doc.id = id.trim().to_string();
            continue;
        }
        if line.starts_with("# newpar") && !doc.text.is_empty() {
            doc.text.push('\n');
            chars += 1;
            space_before = false;
            continue;
        }
        if line.trim().is_empty() {
            if !cur.is_empty() {
                sents.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 10 || !cols[0].bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if space_before {
            doc.text.push(' ');
            chars += 1;
        }
        let start = chars;
        doc.text.push_str(cols[1]);
        chars += cols[1].chars().count();
        let misc = cols[9];
        space_before = !misc.split('|').any(|f| f == "SpaceAfter=No");
        let idx = cur.len();
        cur.push(Tok {
            form: cols[1].to_string(),
            upos: cols[3].to_string(),
            xpos: cols[4].to_string(),
            head: cols[6].parse::<usize>().ok().and_then(|h| h.checked_sub(1)),
            rel: cols[7].to_string(),
            start,
            end: chars,
        });
        let sent = sents.len();
        let Some(ent) = misc.split('|').find_map(|f| f.strip_prefix("Entity=")) else {
            continue;
        };
        let mut rest = ent;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('(') {
                let stop = r.find(['(', ')']).unwrap_or(r.len());
                // GRP-etype-infstat-salience-centering-minspan-link-identity
                let fields: Vec<&str> = r[..stop].splitn(8, '-').collect();
                let linked = fields.len() == 8 && !fields[7].is_empty();
                let etype = fields.get(1).unwrap_or(&"").to_string();
                open.push((fields[0].to_string(), etype, linked, sent, idx));
                rest = &r[stop..];
                // `(5-...)` opens and closes on this token.
                if let Some(r2) = rest.strip_prefix(')') {
                    if let Some(opened) = open.pop() {
                        mentions.push(close(opened, idx));
                    }
                    rest = r2;
                }
            } else {
                let stop = rest.find(')').unwrap_or(rest.len());
                let id = &rest[..stop];
                if let Some(i) = open.iter().rposition(|e| e.0 == id) {
                    mentions.push(close(open.remove(i), idx));
                }
                rest = rest.get(stop + 1..).unwrap_or("");
            }
        }
    }
    if !cur.is_empty() {
        sents.push(cur);
    }
    let mut names = Vec::new();
    for m in &mentions {
        let Some(kind) = conll_type(&m.etype) else {
            continue;
        };
        let Some(sent) = sents.get(m.sent) else {
            continue;
        };
        if m.end > sent.len() || m.start >= m.end {
            continue;
        }
        if m.linked && sent[m.start].upos == "PROPN" && sent[m.end - 1].upos == "PROPN" {
            doc.linked.push(GoldName {
                start: sent[m.start].start,
                end: sent[m.end - 1].end,
                kind,
            });
        }
        if let Some((a, b)) = name_span(sent, m.start, m.end, kind) {
            names.push(GoldName {
                start: sent[a].start,
                end: sent[b - 1].end,
                kind,
            });
        }
    }
    // Longest first, then the first in the text; drop what overlaps a kept name.
    names.sort_by_key(|n| (std::cmp::Reverse(n.end - n.start), n.start));
    for n in names {
        if !doc.names.iter().any(|k| k.start < n.end && n.start < k.end) {
            doc.names.push(n);
        }
    }
    doc.names.sort_by_key(|n| n.start);
    doc.linked.sort_by_key(|n| n.start);
    doc
}

/// The GUM documents of a directory (`*.conllu`), sorted by id.
pub fn read_dir(dir: &Path) -> std::io::Result<Vec<Document>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "conllu"))
        .collect();
    paths.sort();
    let mut docs = Vec::new();
    for p in paths {
        docs.push(parse(&std::fs::read_to_string(&p)?));
    }
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(docs)
}

/// The document as the tagger sees it at run time: the text layer's
/// sentences and tokens ([`crate::text::analyze`]) with BIO tags from
/// the names. A token belongs to a name when it starts inside it (a token
/// `Trump's` is the name `Trump`).
pub fn sentences(doc: &Document) -> Vec<Sentence> {
    let analysis = crate::text::analyze(&doc.text);
    let mut out = Vec::new();
    for si in 0..analysis.sentences.len() {
        let toks = analysis.tokens_of(si);
        if toks.is_empty() {
            continue;
        }
        let mut s = Sentence::default();
        let mut prev: Option<usize> = None;
        for t in toks {
            s.tokens.push(
                doc.text
                    .get(t.byte_start..t.byte_end)
                    .unwrap_or("")
                    .to_string(),
            );
            let name = doc
                .names
                .iter()
                .position(|n| n.start <= t.start && t.start < n.end);
            s.tags.push(match name {
                Some(n) => {
                    let bio = if prev == Some(n) { "I" } else { "B" };
                    let kind = if doc.names[n].kind == "PER" {
                        "PERS"
                    } else {
                        doc.names[n].kind
                    };
                    format!("{bio}-{kind}")
                }
                None => "O".to_string(),
            });
            prev = name;
        }
        out.push(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GUM-style sentence: `U.S. President Donald Trump met the team`,
    /// the person mention with `U.S.` (a linked place) nested in it.
    const SAMPLE: &str = "# newdoc id = GUM_news_sample
# newpar
# sent_id = s1
1\tU.S.\tU.S.\tPROPN\tNNP\t_\t2\tcompound\t_\tEntity=(1-person-new-_-_-1-coref-Donald_Trump(2-place-new-_-_-1-sgl-United_States)
2\tPresident\tPresident\tPROPN\tNNP\t_\t3\tnmod:desc\t_\t_
3\tDonald\tDonald\tPROPN\tNNP\t_\t5\tnsubj\t_\t_
4\tTrump\tTrump\tPROPN\tNNP\t_\t3\tflat\t_\tEntity=1)
5\tmet\tmeet\tVERB\tVBD\t_\t0\troot\t_\t_
6\tthe\tthe\tDET\tDT\t_\t7\tdet\t_\tEntity=(3-organization-new-_-_-1-sgl-
7\tteam\tteam\tNOUN\tNN\t_\t5\tobj\t_\tEntity=3)|SpaceAfter=No
8\t.\t.\tPUNCT\t.\t_\t5\tpunct\t_\t_

# newpar
# sent_id = s2
1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\tEntity=(4-organization-new-_-_-1-sgl-University_of_Texas
2\tUniversity\tUniversity\tPROPN\tNNP\t_\t5\tnsubj\t_\t_
3\tof\tof\tADP\tIN\t_\t4\tcase\t_\t_
4\tTexas\tTexas\tPROPN\tNNP\t_\t2\tnmod\t_\tEntity=(5-place-new-_-_-1-sgl-Texas)4)
5\tagreed\tagree\tVERB\tVBD\t_\t0\troot\t_\tSpaceAfter=No
6\t.\t.\tPUNCT\t.\t_\t5\tpunct\t_\t_
";

    fn names(doc: &Document) -> Vec<(String, &'static str)> {
        doc.names
            .iter()
            .map(|n| {
                let s: String = doc
                    .text
                    .chars()
                    .skip(n.start)
                    .take(n.end - n.start)
                    .collect();
                (s, n.kind)
            })
            .collect()
    }

    #[test]
    fn the_text_joins_tokens_as_written_one_line_per_paragraph() {
        let doc = parse(SAMPLE);
        assert_eq!(doc.id, "GUM_news_sample");
        assert_eq!(
            doc.text,
            "U.S. President Donald Trump met the team.\nThe University of Texas agreed."
        );
    }

    #[test]
    fn a_name_is_the_proper_noun_head_without_title_or_determiner() {
        let doc = parse(SAMPLE);
        assert_eq!(
            names(&doc),
            vec![
                ("U.S.".to_string(), "LOC"),
                ("Donald Trump".to_string(), "PER"),
                ("University of Texas".to_string(), "ORG"),
            ]
        );
    }

    #[test]
    fn the_linked_gold_keeps_whole_mentions_bounded_by_proper_nouns() {
        let doc = parse(SAMPLE);
        let linked: Vec<_> = doc
            .linked
            .iter()
            .map(|n| (n.start, n.end, n.kind))
            .collect();
        // The person mention, and U.S. inside it; not `The University of Texas`.
        assert_eq!(linked, vec![(0, 4, "LOC"), (0, 27, "PER"), (60, 65, "LOC")]);
    }

    #[test]
    fn a_person_named_only_by_titles_is_not_a_name() {
        let conllu =
            "1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\tEntity=(1-person-giv-_-_-1-coref-Donald_Trump
2\tPresident\tPresident\tPROPN\tNNP\t_\t3\tnsubj\t_\tEntity=1)
3\tspoke\tspeak\tVERB\tVBD\t_\t0\troot\t_\t_
";
        assert!(parse(conllu).names.is_empty());
    }

    #[test]
    fn sentences_carry_bio_tags_on_the_text_layers_tokens() {
        let doc = parse(SAMPLE);
        let s = sentences(&doc);
        assert_eq!(s.len(), 2);
        // The text layer cuts the abbreviation's last dot off: it stays in the name.
        assert_eq!(
            s[0].tokens[..5],
            ["U.S", ".", "President", "Donald", "Trump"]
        );
        assert_eq!(
            s[0].tags[..6],
            ["B-LOC", "I-LOC", "O", "B-PERS", "I-PERS", "O"]
        );
        assert_eq!(s[1].tags[..5], ["O", "B-ORG", "I-ORG", "I-ORG", "O"]);
    }

    #[test]
    fn broken_lines_are_skipped_not_panicked_on() {
        let doc = parse(
            "1\tx\n2\ty\ty\tPROPN\tNNP\t_\t9\tflat\t_\tEntity=(1-person-\n\n\t\t\t\t\t\t\t\t\t",
        );
        assert!(doc.names.is_empty());
    }

    #[test]
    fn the_held_out_documents_are_gums_dev_and_test_partitions() {
        let Some(shared) = crate::shared_data::existing_or_skip() else {
            return;
        };
        let dir = shared.join("data/ner_en/gum_news/xml");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            crate::shared_data::skip(format!("{} not found", dir.display()));
            return;
        };
        let mut held_out = Vec::new();
        for e in entries.flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            let head = text.lines().next().unwrap_or("");
            if head.contains("partition=\"dev\"") || head.contains("partition=\"test\"") {
                let id = head.split("id=\"").nth(1).and_then(|s| s.split('"').next());
                held_out.push(id.unwrap_or("").to_string());
            }
        }
        held_out.sort();
        assert_eq!(held_out, HELD_OUT);
    }
}
