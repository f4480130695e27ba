//! `html`: the article inside a web page.
//!
//! Runs first among the text stages (before `clean`). When the raw article
//! carries `html` and no `body`, the page's main text becomes `doc.text`:
//! one line per paragraph, in order, with subheadings (`<h2>`..`<h6>`) and
//! figure captions kept as lines of their own and listed in `doc.headings`
//! and `doc.captions`, so that `structure` marks them. Navigation, share
//! bars, related links, comments, ads, tags and footers are dropped. When a
//! `body` is given too, only the page's metadata is used.
//!
//! Metadata comes from JSON-LD (`NewsArticle` and kin), Open Graph and
//! `article:` meta tags, then `<h1>` and `<title>`: title, published time
//! (filled into `published_at` when the input had none), author and section
//! (`doc.fields["author"]`, `doc.fields["section"]`).
//!
//! How the main text is found (readability-style, measured against other
//! extractors in `docs/html-extraction.md`): boilerplate subtrees are
//! skipped by tag, ARIA role and class/id words; every remaining text run
//! becomes a block attributed to its innermost block element (so pages made
//! of `<div>`s instead of `<p>`s work); prose blocks score their parent and
//! grandparents; the best-scoring container and its strong siblings hold the
//! article. Parsing is html5ever (via `scraper`) into an arena, and every
//! walk here is iterative, so deep pages cannot overflow the stack; pages
//! over `max_bytes` or nested deeper than `max_depth` are refused up front
//! because the HTML tree builder's cost grows with nesting depth.

use super::{Stage, StageError};
use crate::document::{Caption, Document};
use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::node::Element;
use scraper::{Html as Page, Node};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

/// Output field for the author named by the page.
pub const AUTHOR_FIELD: &str = "author";
/// Output field for the page's section (`سياسة`, `World`).
pub const SECTION_FIELD: &str = "section";

/// Options of the `html` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HtmlConfig {
    /// Pages larger than this (bytes) are refused with an `errors` entry.
    pub max_bytes: usize,
    /// Pages whose elements nest deeper than this are refused likewise.
    pub max_depth: usize,
}

impl Default for HtmlConfig {
    fn default() -> Self {
        HtmlConfig {
            max_bytes: 6_000_000,
            max_depth: 500,
        }
    }
}

/// The `html` stage.
pub struct Html {
    max_bytes: usize,
    max_depth: usize,
}

impl Html {
    pub fn new(config: &HtmlConfig) -> Self {
        Html {
            max_bytes: config.max_bytes,
            max_depth: config.max_depth.max(16),
        }
    }
}

/// What a block of text is on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    Heading,
    Caption,
    /// The `<h1>`: the headline, not body text.
    Title,
}

/// One block of the extracted article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub text: String,
    pub kind: BlockKind,
}

/// What a page holds: metadata and the article's blocks in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extracted {
    pub title: Option<String>,
    pub published: Option<String>,
    pub author: Option<String>,
    pub section: Option<String>,
    pub blocks: Vec<Block>,
}

impl Stage for Html {
    fn name(&self) -> &'static str {
        "html"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        let Some(html) = doc.raw.html.as_deref() else {
            return Ok(());
        };
        let has_body = doc
            .raw
            .body
            .as_deref()
            .is_some_and(|b| !b.trim().is_empty());
        if html.len() > self.max_bytes {
            return Err(StageError::Failed(format!(
                "html is {} bytes, over the limit of {}",
                html.len(),
                self.max_bytes
            )));
        }
        let depth = nesting_depth(html);
        if depth > self.max_depth {
            return Err(StageError::Failed(format!(
                "html nests elements {depth} deep, over the limit of {}",
                self.max_depth
            )));
        }
        let page = extract(html);
        if doc.title.is_none() {
            doc.title = page.title.clone();
        }
        if doc
            .raw
            .published_at
            .as_deref()
            .is_none_or(|p| p.trim().is_empty())
        {
            if let Some(p) = &page.published {
                doc.raw.published_at = Some(p.clone());
            }
        }
        for (field, value) in [(AUTHOR_FIELD, &page.author), (SECTION_FIELD, &page.section)] {
            if let Some(v) = value {
                doc.fields.entry(field).or_insert_with(|| json!(v));
            }
        }
        if has_body {
            return Ok(());
        }
        let lines: Vec<&Block> = page
            .blocks
            .iter()
            .filter(|b| b.kind != BlockKind::Title)
            .collect();
        if !lines.iter().any(|b| b.kind == BlockKind::Paragraph) {
            return Err(StageError::Failed(
                "no article text found in the html".into(),
            ));
        }
        doc.text = lines
            .iter()
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        for b in lines {
            match b.kind {
                BlockKind::Heading => doc.headings.push(b.text.clone()),
                BlockKind::Caption => doc.captions.push(Caption {
                    text: b.text.clone(),
                    credit: None,
                }),
                _ => {}
            }
        }
        Ok(())
    }
}

/// An upper bound on element nesting found by a cheap scan of the tags,
/// without parsing. Void elements and elements HTML closes implicitly
/// (`p`, `li`, table cells, ...) do not count.
pub fn nesting_depth(html: &str) -> usize {
    const NOT_NESTING: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "td", "th", "tr", "option", "dt", "dd", "param", "!",
    ];
    let bytes = html.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while let Some(off) = memchr(b'<', &bytes[i..]) {
        i += off + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let name_start = i + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take(16)
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'!')
            .count();
        if name_len == 0 {
            continue;
        }
        let name = html
            .get(name_start..name_start + name_len)
            .unwrap_or("")
            .to_ascii_lowercase();
        if NOT_NESTING.contains(&name.as_str()) || name.starts_with('!') {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            // `<x ... />` does not nest either.
            let self_closing =
                memchr(b'>', &bytes[i..]).is_some_and(|end| end > 0 && bytes[i + end - 1] == b'/');
            if !self_closing {
                depth += 1;
                max = max.max(depth);
            }
        }
    }
    max
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

const SKIPPED_TAGS: &[&str] = &[
    "head", "script", "style", "noscript", "template", "iframe", "svg", "math", "form", "button",
    "input", "select", "textarea", "nav", "aside", "footer", "object", "embed", "canvas", "video",
    "audio", "map", "dialog", "menu",
];

const SKIPPED_ROLES: &[&str] = &[
    "navigation",
    "complementary",
    "contentinfo",
    "menu",
    "menubar",
    "search",
    "dialog",
    "alert",
];

/// Class and id words (split at `-`, `_`, spaces) that mark boilerplate.
const BOILERPLATE_WORDS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "share",
    "sharing",
    "social",
    "related",
    "comment",
    "comments",
    "footer",
    "sidebar",
    "ad",
    "ads",
    "advert",
    "adverts",
    "advertisement",
    "adsense",
    "banner",
    "promo",
    "newsletter",
    "subscribe",
    "subscription",
    "tags",
    "tag",
    "breadcrumb",
    "breadcrumbs",
    "cookie",
    "cookies",
    "popup",
    "modal",
    "widget",
    "widgets",
    "trending",
    "popular",
    "recommended",
    "outbrain",
    "taboola",
    "sponsored",
    "meta",
    "print",
    "toolbar",
    "pagination",
    "pager",
    "masthead",
    "login",
    "signup",
    "disqus",
    "mostread",
    "readmore",
];

/// Class and id words that mark the article's container.
const CONTENT_WORDS: &[&str] = &[
    "article",
    "content",
    "body",
    "story",
    "entry",
    "post",
    "text",
    "articlebody",
    "main",
    "news",
    "detail",
    "details",
];

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "figcaption",
    "figure",
    "pre",
    "td",
    "th",
    "tr",
    "table",
    "dd",
    "dt",
    "dl",
    "header",
    "body",
    "address",
    "center",
];

fn class_words(el: &Element) -> impl Iterator<Item = String> + '_ {
    el.attr("class")
        .into_iter()
        .chain(el.attr("id"))
        .flat_map(|v| v.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
}

/// True for an element whose whole subtree is not article text.
fn is_skipped(el: &Element, in_article: bool) -> bool {
    let name = el.name();
    if SKIPPED_TAGS.contains(&name) || (name == "header" && !in_article) {
        return true;
    }
    if el.attr("hidden").is_some()
        || el.attr("aria-hidden") == Some("true")
        || el
            .attr("style")
            .is_some_and(|s| s.replace(' ', "").contains("display:none"))
    {
        return true;
    }
    if el.attr("role").is_some_and(|r| SKIPPED_ROLES.contains(&r)) {
        return true;
    }
    // The article's own wrapper often carries CMS classes such as
    // `tag-politics`; never skip it for its classes.
    if matches!(name, "article" | "main" | "body" | "html")
        || el.attr("itemprop") == Some("articleBody")
    {
        return false;
    }
    class_words(el).any(|w| BOILERPLATE_WORDS.contains(&w.as_str()))
}

/// A block of text as found, before the article is chosen.
struct RawBlock {
    text: String,
    kind: BlockKind,
    /// The innermost block element holding the text.
    node: NodeId,
    chars: usize,
    link_chars: usize,
}

/// An open element during the walk.
struct Frame {
    block: bool,
    heading: bool,
    title: bool,
    caption: bool,
    link: bool,
    article: bool,
    node: NodeId,
}

/// Extracts metadata and the article's blocks from a page.
pub fn extract(html: &str) -> Extracted {
    let page = Page::parse_document(html);
    let mut out = metadata(&page);
    let raw = blocks(&page);
    let selected = choose(&page, &raw);
    let mut last: Option<&str> = None;
    for (i, b) in raw.iter().enumerate() {
        if !selected.contains(&i) {
            continue;
        }
        if b.kind == BlockKind::Title && out.title.is_none() {
            out.title = Some(b.text.clone());
        }
        // Repeats: the same line twice, or the headline again as text.
        if last == Some(b.text.as_str())
            || (b.kind == BlockKind::Paragraph && out.title.as_deref() == Some(b.text.as_str()))
        {
            continue;
        }
        last = Some(b.text.as_str());
        out.blocks.push(Block {
            text: b.text.clone(),
            kind: b.kind,
        });
    }
    if out.title.is_none() {
        out.title = raw
            .iter()
            .find(|b| b.kind == BlockKind::Title)
            .map(|b| b.text.clone());
    }
    if out.title.is_none() {
        out.title = page_title(&page);
    }
    out
}

/// Walks the page once and cuts its visible text into blocks.
fn blocks(page: &Page) -> Vec<RawBlock> {
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut skip = 0usize;
    let mut buf = String::new();
    let mut link_chars = 0usize;
    for edge in page.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    if skip > 0 {
                        skip += 1;
                        continue;
                    }
                    let name = el.name();
                    let in_article = stack.iter().any(|f| f.article);
                    if is_skipped(el, in_article) {
                        skip = 1;
                        continue;
                    }
                    let caption_class = class_words(el)
                        .any(|w| w == "caption" || w == "figcaption" || w == "credit");
                    // A caption in a `<span>` is a block of its own too.
                    let block = BLOCK_TAGS.contains(&name) || caption_class;
                    if block || name == "br" {
                        flush(&mut buf, &mut link_chars, &stack, &mut out);
                    }
                    stack.push(Frame {
                        block,
                        heading: matches!(name, "h2" | "h3" | "h4" | "h5" | "h6"),
                        title: name == "h1",
                        caption: name == "figcaption" || caption_class,
                        link: name == "a",
                        article: matches!(name, "article" | "main")
                            || el.attr("itemprop") == Some("articleBody"),
                        node: node.id(),
                    });
                }
                Node::Text(t) if skip == 0 => {
                    let in_link = stack.iter().any(|f| f.link);
                    let added = push_text(&mut buf, t);
                    if in_link {
                        link_chars += added;
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if !node.value().is_element() {
                    continue;
                }
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                if let Some(frame) = stack.last() {
                    if frame.block {
                        flush(&mut buf, &mut link_chars, &stack, &mut out);
                    }
                }
                stack.pop();
            }
        }
    }
    flush(&mut buf, &mut link_chars, &stack, &mut out);
    out
}

/// Appends text, folding runs of white space to one space; returns the
/// characters appended.
fn push_text(buf: &mut String, text: &str) -> usize {
    let mut added = 0;
    for c in text.chars() {
        if c.is_whitespace() {
            if !buf.ends_with(' ') && !buf.is_empty() {
                buf.push(' ');
                added += 1;
            }
        } else if !c.is_control() {
            buf.push(c);
            added += 1;
        }
    }
    added
}

/// Ends the current text run as a block of the innermost block element.
fn flush(buf: &mut String, link_chars: &mut usize, stack: &[Frame], out: &mut Vec<RawBlock>) {
    let text = buf.trim();
    if !text.is_empty() {
        if let Some(owner) = stack.iter().rev().find(|f| f.block) {
            let kind = if stack.iter().any(|f| f.caption) {
                BlockKind::Caption
            } else if owner.heading {
                BlockKind::Heading
            } else if owner.title {
                BlockKind::Title
            } else {
                BlockKind::Paragraph
            };
            out.push(RawBlock {
                text: text.to_string(),
                kind,
                node: owner.node,
                chars: text.chars().count(),
                link_chars: (*link_chars).min(text.chars().count()),
            });
        }
    }
    buf.clear();
    *link_chars = 0;
}

fn link_density(b: &RawBlock) -> f64 {
    b.link_chars as f64 / b.chars.max(1) as f64
}

fn is_prose(b: &RawBlock) -> bool {
    b.kind == BlockKind::Paragraph && b.chars >= 25 && link_density(b) < 0.33
}

/// Chooses the blocks that make the article: indices into `raw`.
fn choose(page: &Page, raw: &[RawBlock]) -> HashSet<usize> {
    let mut scores: HashMap<NodeId, f64> = HashMap::new();
    for b in raw.iter().filter(|b| is_prose(b)) {
        let commas = b.text.matches([',', '،']).count() as f64;
        let score = 1.0 + commas + (b.chars as f64 / 100.0).min(3.0);
        let Some(node) = page.tree.get(b.node) else {
            continue;
        };
        // A `<p>` scores its parent; a `<div>` holding text directly is a
        // paragraph too and scores its parent likewise.
        for (level, ancestor) in node.ancestors().take(3).enumerate() {
            let Some(el) = ancestor.value().as_element() else {
                break;
            };
            let entry = scores
                .entry(ancestor.id())
                .or_insert_with(|| initial_score(el));
            *entry += score / (level as f64 + 1.0);
        }
    }
    let Some((&top, &top_score)) = scores
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then_with(|| b.0.cmp(a.0)))
    else {
        return HashSet::new();
    };
    // The top container and its strong siblings.
    let mut roots: HashSet<NodeId> = HashSet::from([top]);
    let mut sibling_blocks: HashSet<NodeId> = HashSet::new();
    if let Some(parent) = page.tree.get(top).and_then(|n| n.parent()) {
        let threshold = (top_score * 0.2).max(10.0);
        for sibling in parent.children() {
            if scores.get(&sibling.id()).is_some_and(|s| *s >= threshold) {
                roots.insert(sibling.id());
            } else {
                sibling_blocks.insert(sibling.id());
            }
        }
    }
    let within = |id: NodeId| -> bool {
        page.tree.get(id).is_some_and(|n| {
            std::iter::once(n)
                .chain(n.ancestors())
                .any(|a| roots.contains(&a.id()))
        })
    };
    raw.iter()
        .enumerate()
        .filter(|(_, b)| {
            let inside = within(b.node)
                || (sibling_blocks.contains(&b.node) && b.chars > 80 && link_density(b) < 0.25);
            inside
                && link_density(b) <= 0.5
                && b.text.chars().any(char::is_alphabetic)
                && (b.kind != BlockKind::Paragraph || b.text.split_whitespace().count() >= 2)
        })
        .map(|(i, _)| i)
        .collect()
}

fn initial_score(el: &Element) -> f64 {
    let tag = match el.name() {
        "article" => 10.0,
        "div" | "main" => 5.0,
        "section" | "td" | "blockquote" | "pre" => 3.0,
        "li" | "ul" | "ol" | "form" | "dl" => -3.0,
        _ => 0.0,
    };
    let content = if class_words(el).any(|w| CONTENT_WORDS.contains(&w.as_str())) {
        25.0
    } else {
        0.0
    };
    let itemprop = if el.attr("itemprop") == Some("articleBody") {
        50.0
    } else {
        0.0
    };
    tag + content + itemprop
}

/// Title, published time, author and section from meta tags and JSON-LD.
fn metadata(page: &Page) -> Extracted {
    let mut meta: HashMap<String, String> = HashMap::new();
    let mut json_ld: Vec<Value> = Vec::new();
    let mut first_time: Option<String> = None;
    for node in page.tree.root().descendants() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        match el.name() {
            "meta" => {
                let key = el
                    .attr("property")
                    .or(el.attr("name"))
                    .or(el.attr("itemprop"));
                if let (Some(k), Some(v)) = (key, el.attr("content")) {
                    let v = v.trim();
                    if !v.is_empty() {
                        meta.entry(k.to_ascii_lowercase())
                            .or_insert_with(|| v.to_string());
                    }
                }
            }
            "script" if el.attr("type").is_some_and(|t| t.contains("ld+json")) => {
                let text: String = node
                    .children()
                    .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                    .collect();
                if let Ok(v) = serde_json::from_str::<Value>(text.trim()) {
                    json_ld.push(v);
                }
            }
            "time" if first_time.is_none() => {
                first_time = el.attr("datetime").map(|d| d.trim().to_string());
            }
            _ => {}
        }
    }
    let article = json_ld.iter().find_map(|v| find_article(v, 0));
    let ld = |key: &str| article.and_then(|a| a.get(key)).and_then(text_of);
    let get = |keys: &[&str]| keys.iter().find_map(|k| meta.get(*k).cloned());
    Extracted {
        title: ld("headline")
            .or_else(|| get(&["og:title", "twitter:title", "title", "headline"]))
            .filter(|t| !t.is_empty()),
        published: ld("datePublished")
            .or_else(|| {
                get(&[
                    "article:published_time",
                    "og:article:published_time",
                    "datepublished",
                    "pubdate",
                    "publishdate",
                    "date",
                    "dc.date",
                ])
            })
            .or(first_time)
            .filter(|t| !t.is_empty()),
        author: article
            .and_then(|a| a.get("author"))
            .and_then(author_of)
            .or_else(|| get(&["author", "article:author", "byl", "dc.creator"]))
            .filter(|a| !a.is_empty() && !a.starts_with("http")),
        section: ld("articleSection")
            .or_else(|| get(&["article:section", "section"]))
            .filter(|s| !s.is_empty()),
        blocks: Vec::new(),
    }
}

const ARTICLE_TYPES: &[&str] = &[
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "BlogPosting",
    "LiveBlogPosting",
    "Report",
];

/// The first JSON-LD object typed as an article, searching `@graph` and
/// arrays (bounded depth).
fn find_article(v: &Value, depth: usize) -> Option<&Value> {
    if depth > 8 {
        return None;
    }
    match v {
        Value::Array(items) => items.iter().find_map(|i| find_article(i, depth + 1)),
        Value::Object(map) => {
            let typed = match map.get("@type") {
                Some(Value::String(t)) => ARTICLE_TYPES.contains(&t.as_str()),
                Some(Value::Array(ts)) => ts
                    .iter()
                    .any(|t| t.as_str().is_some_and(|t| ARTICLE_TYPES.contains(&t))),
                _ => false,
            };
            if typed {
                return Some(v);
            }
            map.get("@graph").and_then(|g| find_article(g, depth + 1))
        }
        _ => None,
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Array(items) => items.iter().find_map(text_of),
        _ => None,
    }
}

/// An author as a name: a string, `{ "name": ... }`, or a list of them.
fn author_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Object(m) => m.get("name").and_then(text_of),
        Value::Array(items) => {
            let names: Vec<String> = items.iter().filter_map(author_of).collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        _ => None,
    }
}

/// `<title>` without the site name: the longest part between separators.
fn page_title(page: &Page) -> Option<String> {
    let title = page
        .tree
        .root()
        .descendants()
        .find(|n| n.value().as_element().is_some_and(|e| e.name() == "title"))?;
    let text: String = title
        .children()
        .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
        .collect();
    let mut parts = vec![text.as_str()];
    for sep in [" | ", " - ", " – ", " — ", " :: "] {
        parts = parts.into_iter().flat_map(|p| p.split(sep)).collect();
    }
    parts
        .into_iter()
        .map(str::trim)
        .max_by_key(|s| s.chars().count())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

pub mod layouts;

#[cfg(test)]
mod tests;
