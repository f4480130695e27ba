//! Compares main-text extractors on akhbar's test pages: the seed page and
//! every layout of `akhbar::stages::layouts` around SaudiNewsNet articles
//! (read from `../shared` at run time), plus an English page.
//!
//! Run: `cd tools/html-eval && cargo run --release -- [ARTICLES]`
//! Prints, per extractor: paragraph recall, pages leaking boilerplate,
//! subheadings and captions kept, titles right, and pages per second.

use akhbar::stages::layouts::{self, Article, BOILERPLATE_MARKERS, LAYOUTS};
use std::time::Instant;

struct Page {
    name: String,
    html: String,
    title: String,
    paragraphs: Vec<String>,
    heading: Option<String>,
    caption: Option<String>,
    junk: Vec<String>,
}

struct Output {
    title: String,
    text: String,
}

type Extractor = (&'static str, fn(&str) -> Option<Output>);

fn ours(html: &str) -> Option<Output> {
    let page = akhbar::stages::extract_html(html);
    Some(Output {
        title: page.title.unwrap_or_default(),
        text: page
            .blocks
            .iter()
            .filter(|b| b.kind != akhbar::stages::BlockKind::Title)
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    })
}

fn smoothie(html: &str) -> Option<Output> {
    let mut r = dom_smoothie::Readability::new(html, None, None).ok()?;
    let a = r.parse().ok()?;
    Some(Output {
        title: a.title,
        text: a.text_content.to_string(),
    })
}

fn rs_traf(html: &str) -> Option<Output> {
    let r = rs_trafilatura::extract(html).ok()?;
    Some(Output {
        title: r.metadata.title.unwrap_or_default(),
        text: r.content_text,
    })
}

fn traf(html: &str) -> Option<Output> {
    let r = trafilatura::extract(html, &trafilatura::Options::default()).ok()?;
    Some(Output {
        title: r.metadata.title,
        text: r.content_text,
    })
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

const ENGLISH: &[&str] = &[
    "WASHINGTON (Reuters) - The State Department said on Monday that Russia had told the United States it wanted to delay a ceasefire in Aleppo by several days, calling the proposal unacceptable.",
    "\"Instead of accepting the U.S. proposal for an immediate ceasefire, the Russians told us it could not start for several days,\" spokesman John Kirby told a news briefing.",
    "Kirby said U.S. and Russian officials were still talking in Geneva, but that there was a gap between the two countries' positions that could not be bridged.",
    "The White House said the United States would continue its diplomatic efforts to end the fighting in Syria.",
];

fn pages(limit: usize) -> Vec<Page> {
    let mut out = Vec::new();
    let seed_html: serde_json::Value = serde_json::from_str(
        include_str!("../../../fixtures/seed_article_html.jsonl").lines().next().unwrap_or("{}"),
    )
    .unwrap_or_default();
    let seed_plain: serde_json::Value = serde_json::from_str(
        include_str!("../../../fixtures/seed_article.jsonl").lines().next().unwrap_or("{}"),
    )
    .unwrap_or_default();
    let body = seed_plain["body"].as_str().unwrap_or("");
    out.push(Page {
        name: "seed".into(),
        html: seed_html["html"].as_str().unwrap_or("").into(),
        title: "روسيا ترفض وقف إطلاق النار في حلب".into(),
        paragraphs: body
            .lines()
            .filter(|l| !l.ends_with('|') && *l != "طريق مسدود")
            .map(String::from)
            .collect(),
        heading: Some("طريق مسدود".into()),
        caption: Some("لافروف: المحادثات مع أميركا وصلت إلى طريق مسدود".into()),
        junk: ["الرئيسية", "شارك:", "الوسوم", "اقرأ أيضا", "جميع الحقوق"]
            .map(String::from)
            .to_vec(),
    });
    let english: Vec<String> = ENGLISH.iter().map(|s| s.to_string()).collect();
    let en = Article {
        title: "Russia wants Aleppo ceasefire delayed, U.S. says",
        paragraphs: &english,
        heading: Some("Talks in Geneva"),
        caption: Some("Smoke rises over eastern Aleppo (Reuters)"),
    };
    out.push(Page {
        name: "english".into(),
        html: layouts::english_page(&en),
        title: en.title.into(),
        paragraphs: english.clone(),
        heading: Some("Talks in Geneva".into()),
        caption: Some("Smoke rises over eastern Aleppo (Reuters)".into()),
        junk: BOILERPLATE_MARKERS.iter().map(|s| s.to_string()).collect(),
    });
    let Some(sample) = layouts::saudinewsnet_sample(limit, 3) else {
        eprintln!("SaudiNewsNet sample absent: seed and English page only");
        return out;
    };
    for a in &sample {
        let prose: Vec<String> = a
            .paragraphs
            .iter()
            .filter(|p| p.split_whitespace().count() >= 2 && p.chars().any(char::is_alphabetic))
            .cloned()
            .collect();
        for (name, layout) in LAYOUTS {
            let html = layout(&Article {
                title: &a.title,
                paragraphs: &a.paragraphs,
                heading: Some("عنوان فرعي للاختبار"),
                caption: Some("صورة أرشيفية للموقع (واس)"),
            });
            out.push(Page {
                name: name.to_string(),
                html,
                title: a.title.clone(),
                paragraphs: prose.clone(),
                heading: Some("عنوان فرعي للاختبار".into()),
                caption: Some("صورة أرشيفية للموقع".into()),
                junk: BOILERPLATE_MARKERS.iter().map(|s| s.to_string()).collect(),
            });
        }
    }
    out
}

fn main() {
    let limit = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(30);
    let pages = pages(limit);
    let extractors: &[Extractor] = &[
        ("akhbar (scraper)", ours),
        ("dom_smoothie 0.19", smoothie),
        ("rs-trafilatura 0.2", rs_traf),
        ("trafilatura 0.6", traf),
    ];
    println!(
        "{} pages ({} layouts x SaudiNewsNet articles + seed + English)\n",
        pages.len(),
        LAYOUTS.len()
    );
    println!("| extractor | paragraph recall | pages leaking boilerplate | subheading kept | caption kept | title right | failed | pages/s |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (name, extract) in extractors {
        let (mut found, mut expected, mut leaks, mut heads, mut caps, mut titles, mut failed) =
            (0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
        let mut per_layout: std::collections::BTreeMap<String, (usize, usize, usize)> =
            Default::default();
        let start = Instant::now();
        for p in &pages {
            let out = extract(&p.html);
            let Some(out) = out else {
                failed += 1;
                expected += p.paragraphs.len();
                continue;
            };
            let text = norm(&out.text);
            let f = p.paragraphs.iter().filter(|q| text.contains(&norm(q))).count();
            found += f;
            expected += p.paragraphs.len();
            let leak = p.junk.iter().any(|j| text.contains(j.as_str()));
            leaks += usize::from(leak);
            let e = per_layout.entry(p.name.clone()).or_default();
            e.0 += f;
            e.1 += p.paragraphs.len();
            e.2 += usize::from(leak);
            heads += usize::from(p.heading.as_ref().is_some_and(|h| text.contains(h.as_str())));
            caps += usize::from(p.caption.as_ref().is_some_and(|c| text.contains(c.as_str())));
            titles += usize::from(norm(&out.title) == norm(&p.title));
        }
        let secs = start.elapsed().as_secs_f64();
        let n = pages.len();
        println!(
            "| {name} | {:.3} | {leaks}/{n} | {heads}/{n} | {caps}/{n} | {titles}/{n} | {failed} | {:.0} |",
            found as f64 / expected.max(1) as f64,
            n as f64 / secs
        );
        for (layout, (f, e, l)) in per_layout {
            eprintln!("  {name:20} {layout:26} recall {:.3} leaks {l}", f as f64 / e.max(1) as f64);
        }
    }
}
