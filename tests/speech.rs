//! Bad input for the `quotes` and `dates` stages: unbalanced marks, huge
//! quotations, impossible dates, random text. No panic, offsets always
//! slice the text, invalid dates unresolved.

use akhbar::document::{Document, RawArticle};
use akhbar::stages::{Dates, DatesConfig, Quotes, QuotesConfig, Stage};
use proptest::prelude::*;

fn run(text: &str) -> Document {
    let mut doc = Document::new(
        RawArticle {
            published_at: Some("2016-12-14T09:30:00Z".into()),
            ..RawArticle::default()
        },
        None,
    );
    doc.text = text.to_string();
    Quotes::new(&QuotesConfig::default())
        .unwrap()
        .apply(&mut doc)
        .unwrap();
    Dates::new(&DatesConfig::default())
        .unwrap()
        .apply(&mut doc)
        .unwrap();
    doc
}

fn assert_offsets_slice(doc: &Document) {
    let chars: Vec<char> = doc.text.chars().collect();
    for q in &doc.quotes {
        assert!(q.start <= q.end && q.end <= chars.len(), "{q:?}");
        assert_eq!(chars[q.start..q.end].iter().collect::<String>(), q.text);
    }
    for d in &doc.dates {
        assert!(d.start <= d.end && d.end <= chars.len(), "{d:?}");
        assert_eq!(chars[d.start..d.end].iter().collect::<String>(), d.text);
    }
}

#[test]
fn a_50000_character_quotation_is_handled() {
    let body = "كلمة ".repeat(10_000);
    let doc = run(&format!("وقال كيربي “{body}”.\nوأضاف أن الوضع صعب."));
    assert_offsets_slice(&doc);
    assert!(!doc.quotes.is_empty());
}

#[test]
fn a_50000_character_unclosed_quotation_is_handled() {
    let body = "word ".repeat(10_000);
    let doc = run(&format!("He said \"{body}"));
    assert_offsets_slice(&doc);
}

#[test]
fn many_unbalanced_marks_are_handled() {
    let text = "« “ \" ‘ „ قال: ".repeat(5_000);
    let doc = run(&text);
    assert_offsets_slice(&doc);
}

#[test]
fn impossible_dates_stay_unresolved() {
    let doc = run("في 31/02/2016 وفي 12 ديسمبر 99999 وفي 30 فبراير 2015");
    assert_eq!(doc.dates.len(), 3);
    assert!(
        doc.dates.iter().all(|d| d.value.is_none()),
        "{:?}",
        doc.dates
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics_and_offsets_slice_the_text(text in "[\\s\\d/.:،,«»“”\"‘’„()قالنإأبوتيةهمعسجدركشwd Monday-]{0,400}") {
        let doc = run(&text);
        assert_offsets_slice(&doc);
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC{0,300}") {
        let doc = run(&text);
        assert_offsets_slice(&doc);
    }

    #[test]
    fn numeric_dates_resolve_only_to_themselves(d in 0u32..40, m in 0u32..15, y in 0u32..100_000) {
        let doc = run(&format!("في {d}/{m}/{y} وقال"));
        for date in &doc.dates {
            if let Some(v) = &date.value {
                if HIJRI_YEARS.contains(&y) {
                    // Day/month of that Hijri year, on the Gregorian calendar.
                    let day = time::Date::parse(v, &time::format_description::well_known::Iso8601::DATE);
                    prop_assert!((1..=30).contains(&d) && (1..=12).contains(&m), "{}/{}/{} gave {}", d, m, y, v);
                    prop_assert_eq!(day.map(akhbar::dates::hijri::year_of).ok(), Some(i64::from(y)), "{}/{}/{} gave {}", d, m, y, v);
                } else {
                    prop_assert_eq!(Some(v.clone()), expected(d, m, y), "{}/{}/{}", d, m, y);
                }
            }
        }
    }

    #[test]
    fn numeric_dates_of_hijri_years_keep_their_order(d in 1u32..30, m in 1u32..13, y in 1300u32..1500) {
        // Day d and day d + 1 of the same month are consecutive days.
        let first = run(&format!("في {d}/{m}/{y} وقال"));
        let next = run(&format!("في {}/{m}/{y} وقال", d + 1));
        let value = |doc: &Document| {
            doc.dates.iter().find_map(|x| x.value.clone()).and_then(|v| {
                time::Date::parse(&v, &time::format_description::well_known::Iso8601::DATE).ok()
            })
        };
        let first = value(&first);
        prop_assert!(first.is_some(), "{}/{}/{} is a Hijri date", d, m, y);
        if let (Some(a), Some(b)) = (first, value(&next)) {
            prop_assert_eq!(b - a, time::Duration::days(1), "{}/{}/{}", d, m, y);
        }
    }

    #[test]
    fn numeric_dates_of_modern_years_resolve_exactly_when_they_exist(d in 0u32..40, m in 0u32..15, y in 1900u32..2100) {
        let doc = run(&format!("في {d}/{m}/{y} وقال"));
        let values: Vec<&str> = doc.dates.iter().filter_map(|x| x.value.as_deref()).collect();
        let want: Vec<String> = expected(d, m, y).into_iter().collect();
        prop_assert_eq!(values, want, "{}/{}/{}", d, m, y);
    }
}

/// Four-digit years without an era mark that the dates stage reads as
/// Hijri (`1/1/1440`, as Saudi news writes them).
const HIJRI_YEARS: std::ops::Range<u32> = 1300..1500;

/// What `a/b/y` means outside [`HIJRI_YEARS`]: day/month, as Arabic news
/// writes it, or month/day when only that order is a date; `None` when
/// neither is. A year written with two digits is 1970-2069.
fn expected(a: u32, b: u32, written: u32) -> Option<String> {
    let y = match written {
        10..=69 => 2000 + written,
        70..=99 => 1900 + written,
        _ => written,
    };
    if real_date(a, b, y) {
        Some(format!("{y:04}-{b:02}-{a:02}"))
    } else if real_date(b, a, y) {
        Some(format!("{y:04}-{a:02}-{b:02}"))
    } else {
        None
    }
}

/// Whether day `d` of month `m` of year `y` is on the calendar.
fn real_date(d: u32, m: u32, y: u32) -> bool {
    let (Ok(month), Ok(day)) = (time::Month::try_from(m as u8), u8::try_from(d)) else {
        return false;
    };
    time::Date::from_calendar_date(y as i32, month, day).is_ok()
}
