//! Tests of the `html` stage: the seed page, layouts around real articles
//! (read from `../shared` at run time), English pages and bad input.

use super::layouts::{self, Article, BOILERPLATE_MARKERS, LAYOUTS};
use super::*;
use crate::document::RawArticle;
use crate::stages::{Structure, StructureConfig};

fn page_doc(html: String) -> Document {
    Document::new(
        RawArticle {
            html: Some(html),
            ..RawArticle::default()
        },
        None,
    )
}

fn run(html: String) -> (Document, Result<(), StageError>) {
    let mut d = page_doc(html);
    let r = Html::new(&HtmlConfig::default()).apply(&mut d);
    (d, r)
}

fn seed() -> (RawArticle, RawArticle) {
    let read = |s: &str| serde_json::from_str::<RawArticle>(s.lines().next().unwrap()).unwrap();
    (
        read(include_str!("../../../fixtures/seed_article_html.jsonl")),
        read(include_str!("../../../fixtures/seed_article.jsonl")),
    )
}

#[test]
fn the_seed_page_gives_title_every_paragraph_and_no_boilerplate() {
    let (page, plain) = seed();
    let mut d = Document::new(page, None);
    Html::new(&HtmlConfig::default()).apply(&mut d).unwrap();
    assert_eq!(d.title.as_deref(), Some("روسيا ترفض وقف إطلاق النار في حلب"));
    let lines: Vec<&str> = d.text.lines().collect();
    for para in plain.body.unwrap().lines() {
        let para = para.trim_end_matches('|').trim();
        let para = para.strip_suffix("(رويترز)").map_or(para, str::trim);
        assert!(
            lines.iter().any(|l| l.starts_with(para)),
            "missing paragraph: {para}"
        );
    }
    for junk in [
        "الرئيسية",
        "شارك",
        "فيسبوك",
        "الوسوم",
        "اقرأ أيضا",
        "مجلس الأمن يناقش",
        "جميع الحقوق",
        "سياسة الخصوصية",
        "ابحث",
    ] {
        assert!(!d.text.contains(junk), "boilerplate kept: {junk}");
    }
    // The ad banner's one word also occurs inside the article's text.
    assert!(!lines.contains(&"إعلان"));
}

#[test]
fn the_seed_page_subheading_and_caption_survive_structure() {
    let (page, _) = seed();
    let mut d = Document::new(page, None);
    Html::new(&HtmlConfig::default()).apply(&mut d).unwrap();
    Structure::new(&StructureConfig::default())
        .apply(&mut d)
        .unwrap();
    assert_eq!(d.headings, ["طريق مسدود"]);
    assert_eq!(d.captions.len(), 1);
    assert_eq!(d.captions[0].credit.as_deref(), Some("رويترز"));
    assert!(d.captions[0].text.starts_with("لافروف: المحادثات"));
}

#[test]
fn the_seed_page_published_time_is_kept_from_the_input() {
    let (page, _) = seed();
    let mut d = Document::new(page, None);
    d.raw.published_at = None;
    Html::new(&HtmlConfig::default()).apply(&mut d).unwrap();
    assert_eq!(d.raw.published_at.as_deref(), Some("2016-12-12T18:00:00Z"));
}

/// Share of `expected` paragraphs found as whole lines of `text`.
fn recall(text: &str, expected: &[String]) -> f64 {
    let lines: HashSet<&str> = text.lines().collect();
    let found = expected
        .iter()
        .filter(|p| lines.contains(p.as_str()))
        .count();
    found as f64 / expected.len().max(1) as f64
}

#[test]
fn unseen_layouts_around_real_articles_keep_the_article_and_drop_the_rest() {
    let Some(sample) = layouts::saudinewsnet_sample(40, 3) else {
        crate::shared_data::skip("../shared/data/news_ar/saudinewsnet/sample_1000.jsonl is absent");
        return;
    };
    // Paragraphs a reader would call text: letters and at least two words.
    let prose =
        |p: &String| p.split_whitespace().count() >= 2 && p.chars().any(char::is_alphabetic);
    for (name, layout) in LAYOUTS {
        let mut total = 0.0;
        for a in &sample {
            let expected: Vec<String> = a.paragraphs.iter().filter(|p| prose(p)).cloned().collect();
            let page = layout(&Article {
                title: &a.title,
                paragraphs: &a.paragraphs,
                heading: Some("عنوان فرعي للاختبار"),
                caption: Some("صورة أرشيفية للموقع (واس)"),
            });
            let (d, r) = run(page);
            assert!(r.is_ok(), "{name} {}: {r:?}", a.url);
            for marker in BOILERPLATE_MARKERS {
                assert!(!d.text.contains(marker), "{name} {}: kept {marker}", a.url);
            }
            assert!(
                d.headings.iter().any(|h| h == "عنوان فرعي للاختبار"),
                "{name} {}",
                a.url
            );
            assert!(
                d.captions
                    .iter()
                    .any(|c| c.text == "صورة أرشيفية للموقع (واس)"),
                "{name} {}",
                a.url
            );
            total += recall(&d.text, &expected);
        }
        let mean = total / sample.len() as f64;
        assert!(mean >= 0.97, "{name}: paragraph recall {mean:.3}");
    }
}

#[test]
fn layouts_give_the_title_from_metadata_or_the_headline() {
    let paragraphs = vec![
        "قال المتحدث باسم الوزارة إن المحادثات مستمرة، وإن الوفدين سيلتقيان مجددا الأسبوع المقبل في جنيف.".to_string(),
        "وأضاف أن الخلافات لا تزال قائمة بشأن عدد من النقاط، لكنه أعرب عن تفاؤله بالتوصل إلى اتفاق قريبا.".to_string(),
        "ولم يصدر عن الطرف الآخر أي تعليق على هذه التصريحات حتى الآن، بحسب ما أفادت وسائل إعلام محلية.".to_string(),
    ];
    for (name, layout) in LAYOUTS {
        let (d, _) = run(layout(&Article {
            title: "عنوان الخبر الرئيسي",
            paragraphs: &paragraphs,
            heading: None,
            caption: None,
        }));
        assert_eq!(d.title.as_deref(), Some("عنوان الخبر الرئيسي"), "{name}");
        assert_eq!(recall(&d.text, &paragraphs), 1.0, "{name}: {}", d.text);
    }
}

const ENGLISH: &[&str] = &[
    "WASHINGTON (Reuters) - The State Department said on Monday that Russia had told the United States it wanted to delay a ceasefire in Aleppo by several days, calling the proposal unacceptable.",
    "\"Instead of accepting the U.S. proposal for an immediate ceasefire, the Russians told us it could not start for several days,\" spokesman John Kirby told a news briefing.",
    "Kirby said U.S. and Russian officials were still talking in Geneva, but that there was a gap between the two countries' positions that could not be bridged.",
    "The White House said the United States would continue its diplomatic efforts to end the fighting in Syria.",
];

#[test]
fn an_english_page_gives_its_text_metadata_and_dateline() {
    let paragraphs: Vec<String> = ENGLISH.iter().map(|s| s.to_string()).collect();
    let (mut d, r) = run(layouts::english_page(&Article {
        title: "Russia wants Aleppo ceasefire delayed, U.S. says",
        paragraphs: &paragraphs,
        heading: Some("Talks in Geneva"),
        caption: Some("Smoke rises over eastern Aleppo (Reuters)"),
    }));
    r.unwrap();
    assert_eq!(
        d.title.as_deref(),
        Some("Russia wants Aleppo ceasefire delayed, U.S. says")
    );
    assert_eq!(recall(&d.text, &paragraphs), 1.0, "{}", d.text);
    for marker in BOILERPLATE_MARKERS {
        assert!(!d.text.contains(marker), "kept {marker}");
    }
    assert_eq!(d.raw.published_at.as_deref(), Some("2016-12-12T18:00:00Z"));
    assert_eq!(d.fields[AUTHOR_FIELD], "Jane Doe");
    assert_eq!(d.fields[SECTION_FIELD], "World");
    Structure::new(&StructureConfig::default())
        .apply(&mut d)
        .unwrap();
    assert_eq!(d.fields["dateline"]["place"], "WASHINGTON");
    assert_eq!(d.fields["dateline"]["agency"], "Reuters");
    assert_eq!(d.headings, ["Talks in Geneva"]);
    assert_eq!(d.captions[0].credit.as_deref(), Some("Reuters"));
}

#[test]
fn json_ld_gives_headline_date_author_and_section() {
    let paragraphs: Vec<String> = ENGLISH.iter().map(|s| s.to_string()).collect();
    let page = LAYOUTS
        .iter()
        .find(|(n, _)| *n == "json-ld-and-figure")
        .unwrap()
        .1(&Article {
        title: "عنوان من JSON-LD",
        paragraphs: &paragraphs,
        heading: None,
        caption: None,
    });
    let (d, _) = run(page);
    assert_eq!(d.title.as_deref(), Some("عنوان من JSON-LD"));
    assert_eq!(
        d.raw.published_at.as_deref(),
        Some("2015-08-06T08:08:28+03:00")
    );
    assert_eq!(d.fields[AUTHOR_FIELD], "محرر الصحيفة");
    assert_eq!(d.fields[SECTION_FIELD], "محليات");
}

#[test]
fn a_given_body_is_kept_and_only_metadata_is_taken_from_the_page() {
    let (page, _) = seed();
    let mut d = Document::new(
        RawArticle {
            body: Some("نص المقال كما أرسله الناشر.".into()),
            ..page
        },
        None,
    );
    Html::new(&HtmlConfig::default()).apply(&mut d).unwrap();
    assert!(d.text.is_empty());
    assert_eq!(d.title.as_deref(), Some("روسيا ترفض وقف إطلاق النار في حلب"));
}

#[test]
fn an_article_without_html_is_left_alone() {
    let mut d = Document::new(
        RawArticle {
            body: Some("نص.".into()),
            ..RawArticle::default()
        },
        None,
    );
    Html::new(&HtmlConfig::default()).apply(&mut d).unwrap();
    assert!(d.text.is_empty() && d.title.is_none());
}

#[test]
fn a_page_with_no_text_is_marked_not_crashed() {
    for html in [
        "",
        "<html><body></body></html>",
        "<html><head><title>x</title></head><body><nav><a href=/>Home</a></nav><script>x()</script></body></html>",
        "<div><img src=a.jpg><br><br></div>",
    ] {
        let (_, r) = run(html.to_string());
        assert!(matches!(r, Err(StageError::Failed(_))), "{html:?}: {r:?}");
    }
}

#[test]
fn binary_junk_is_marked_not_crashed() {
    let junk: String = (0..20_000u32)
        .map(|i| char::from_u32((i * 7919) % 0x2FFFF).unwrap_or('\u{fffd}'))
        .collect();
    let (doc, r) = run(junk);
    // Marked: either text came out, or the record carries why none did.
    match r {
        Ok(()) => assert!(!doc.text.trim().is_empty()),
        Err(StageError::Failed(why)) => assert!(!why.is_empty()),
        Err(other) => panic!("{other:?}"),
    }
}

#[test]
fn deeply_nested_tags_are_refused_up_front() {
    let html = format!(
        "{}text{}",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    let (_, r) = run(html);
    match r {
        Err(StageError::Failed(m)) => assert!(m.contains("deep"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn many_unclosed_paragraphs_are_not_taken_for_nesting() {
    let html = format!(
        "<html><body><article>{}</article></body></html>",
        "<p>فقرة من نص الخبر تكفي طولا لتحسب نصا، وفيها فاصلة.".repeat(2_000)
    );
    assert!(nesting_depth(&html) < 10);
    let (d, r) = run(html);
    r.unwrap();
    assert_eq!(d.text.lines().count(), 1);
}

#[test]
fn a_page_over_the_size_limit_is_refused() {
    let html = format!("<p>{}</p>", "كلمة ".repeat(1_500_000));
    let (_, r) = run(html);
    assert!(matches!(r, Err(StageError::Failed(m)) if m.contains("over the limit")));
}

#[test]
fn a_five_megabyte_page_is_extracted() {
    let para = "<p>قال المتحدث باسم الوزارة إن المحادثات مستمرة، وإن الوفدين سيلتقيان مجددا.";
    let paras: String = (0..5_000_000 / (para.len() + 10))
        .map(|i| format!("{para} {i}</p>\n"))
        .collect();
    let html = format!("<html><body><article>{paras}</article></body></html>");
    assert!(html.len() > 4_900_000);
    let (d, r) = run(html);
    r.unwrap();
    assert!(d.text.lines().count() > 1_000);
}

#[test]
fn boilerplate_class_words_match_whole_words_only() {
    let html = "<html><body><div class=\"header-shadow thread\"><p>قال المتحدث باسم الوزارة إن المحادثات مستمرة، وإن الوفدين سيلتقيان مجددا في جنيف.</p></div></body></html>";
    let (d, r) = run(html.into());
    r.unwrap();
    assert!(d.text.contains("المحادثات"));
}
