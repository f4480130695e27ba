//! Property tests: any input, offsets always valid, nothing panics.
//!
//! Covers folding, analysis, and the `structure` and `html` stages that sit
//! on them, over random Unicode, random bytes made text, and strings drawn
//! from the characters the code treats specially (Arabic letters and marks,
//! terminators, quotes, dashes, brackets, newlines, tags).

use super::*;
use crate::document::{Document, RawArticle};
use crate::stages::{Html, HtmlConfig, Stage, Structure, StructureConfig};
use proptest::prelude::*;

/// Strings built from the characters with special meaning to the code.
fn tricky() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "قال",
        "الرياض",
        "أميركا",
        "والولايات",
        "للجزيرة",
        "مُحَمَّد",
        "ـ",
        "ة",
        "ى",
        "٣",
        "۴",
        "\u{200f}",
        "\u{200c}",
        "\u{FEFB}",
        "\u{FDFA}",
        "İ",
        "U.S.",
        "Dr.",
        "د.",
        "م.",
        ".",
        "!",
        "?",
        "؟",
        "؛",
        "،",
        ":",
        "…",
        "“",
        "”",
        "«",
        "»",
        "\"",
        "'",
        "(",
        ")",
        "|",
        " - ",
        " – ",
        "—",
        "\n",
        "\n\n",
        " ",
        "\t",
        "(رويترز)",
        "(AFP)",
        "Photo:",
        "المصدر:",
        "بقلم:",
        "By",
        "LONDON",
        "WASHINGTON (Reuters) -",
        "<p>",
        "</p>",
        "<div class=\"ad\">",
        "</div>",
        "<h2>",
        "</h2>",
        "<figure><figcaption>",
        "</figcaption></figure>",
        "<br>",
        "<script>",
        "</script>",
        "&amp;",
        "<!--",
        "-->",
        "\u{0}",
        "\u{feff}",
        "e\u{301}",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(any::<u8>(), 0..400)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        tricky(),
    ]
}

fn check_analysis(text: &str, a: &Analysis) {
    let n = text.chars().count();
    for p in &a.paragraphs {
        assert!(p.start < p.end && p.end <= n);
    }
    for s in &a.sentences {
        let p = &a.paragraphs[s.paragraph];
        assert!(p.start <= s.start && s.start < s.end && s.end <= p.end);
    }
    for t in &a.tokens {
        let s = &a.sentences[t.sentence];
        assert!(s.start <= t.start && t.start < t.end && t.end <= s.end);
        assert!(text.is_char_boundary(t.byte_start) && text.is_char_boundary(t.byte_end));
        assert_eq!(
            text[t.byte_start..t.byte_end].chars().count(),
            t.end - t.start
        );
        assert_eq!(text[..t.byte_start].chars().count(), t.start);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn folding_maps_every_character_into_the_source(s in any_text()) {
        let f = fold_with_map(&s);
        let n = s.chars().count();
        prop_assert_eq!(&f.text, &fold(&s));
        prop_assert_eq!(f.map.len(), f.text.chars().count());
        let mut last = 0;
        for &(a, b) in &f.map {
            prop_assert!(a < b && b <= n && a >= last);
            last = a;
        }
    }

    #[test]
    fn analysis_offsets_are_valid_for_any_text(s in any_text()) {
        check_analysis(&s, &analyze(&s));
    }

    #[test]
    fn structure_never_fails_and_keeps_offsets_valid(s in any_text()) {
        let mut d = Document { text: s.clone(), ..Document::default() };
        Structure::new(&StructureConfig::default()).apply(&mut d).unwrap();
        let a = d.analysis();
        check_analysis(&s, &a);
        if let Some(dl) = d.fields.get("dateline") {
            let n = s.chars().count() as u64;
            prop_assert!(dl["start"].as_u64().unwrap() <= dl["end"].as_u64().unwrap());
            prop_assert!(dl["end"].as_u64().unwrap() <= n);
        }
    }

    #[test]
    fn html_extraction_never_panics(s in any_text()) {
        let mut d = Document::new(RawArticle { html: Some(s), ..RawArticle::default() }, None);
        let result = Html::new(&HtmlConfig::default()).apply(&mut d);
        // Either an article came out, or the page is marked as having none.
        prop_assert_eq!(result.is_ok(), !d.text.trim().is_empty());
    }
}
