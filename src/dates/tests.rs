//! Specifications of date finding and resolution.

use super::*;
use crate::text::{analyze, View};
use time::macros::date;

fn find_with(
    text: &str,
    anchor: Option<Date>,
    order: NumericOrder,
) -> Vec<(String, Option<String>)> {
    let finder = DateFinder::new().unwrap();
    finder
        .find(&View::new(text, &analyze(text)), anchor, order)
        .into_iter()
        .map(|m| (m.text, m.value))
        .collect()
}

/// Dates found in `text` published on Monday 2016-12-12.
fn find(text: &str) -> Vec<(String, Option<String>)> {
    find_with(text, Some(date!(2016 - 12 - 12)), NumericOrder::DayFirst)
}

fn values(text: &str) -> Vec<Option<String>> {
    find(text).into_iter().map(|(_, v)| v).collect()
}

fn one(v: &str) -> Vec<Option<String>> {
    vec![Some(v.to_string())]
}

#[test]
fn a_bare_weekday_is_the_latest_such_day_on_or_before_publication() {
    assert_eq!(values("قال لافروف الاثنين إن"), one("2016-12-12"));
    assert_eq!(values("وصل الأحد إلى"), one("2016-12-11"));
    assert_eq!(values("وصل الثلاثاء إلى"), one("2016-12-06"));
}

#[test]
fn weekday_spellings_and_clitics_are_recognised() {
    for text in ["الإثنين", "والاثنين", "بالاثنين", "يوم الاثنين", "ويوم الإثنين"]
    {
        assert_eq!(values(text), one("2016-12-12"), "{text}");
    }
    assert_eq!(find("يوم الاثنين")[0].0, "يوم الاثنين");
}

#[test]
fn weekday_direction_words_move_the_date() {
    assert_eq!(values("الاثنين الماضي"), one("2016-12-05"));
    assert_eq!(values("الخميس المقبل"), one("2016-12-15"));
    assert_eq!(values("next Monday"), one("2016-12-19"));
    assert_eq!(values("last Friday"), one("2016-12-09"));
}

#[test]
fn a_future_marker_before_a_weekday_means_the_next_one() {
    assert_eq!(values("ومن المقرر أن يصل الأربعاء"), one("2016-12-14"));
    assert_eq!(values("He will arrive on Thursday"), one("2016-12-15"));
}

#[test]
fn english_weekdays_resolve_against_a_wednesday() {
    let found = find_with(
        "in Paris on Monday.",
        Some(date!(2016 - 12 - 14)),
        NumericOrder::MonthFirst,
    );
    assert_eq!(found, vec![("Monday".into(), Some("2016-12-12".into()))]);
}

#[test]
fn relative_days_resolve_against_publication() {
    assert_eq!(values("أمس"), one("2016-12-11"));
    assert_eq!(values("وصل اليوم"), one("2016-12-12"));
    assert_eq!(values("غدا"), one("2016-12-13"));
    assert_eq!(values("غدًا"), one("2016-12-13"));
    assert_eq!(values("أمس الأول"), one("2016-12-10"));
    assert_eq!(values("yesterday"), one("2016-12-11"));
}

#[test]
fn relative_weeks_months_and_years_have_their_granularity() {
    assert_eq!(values("الأسبوع الماضي"), one("2016-W49"));
    assert_eq!(values("مطلع الأسبوع"), one("2016-W50"));
    assert_eq!(values("الشهر المقبل"), one("2017-01"));
    assert_eq!(values("العام الماضي"), one("2015"));
    assert_eq!(values("last week"), one("2016-W49"));
    assert_eq!(values("next month"), one("2017-01"));
}

#[test]
fn relative_expressions_without_publication_stay_unresolved() {
    let found = find_with("قال أمس الاثنين", None, NumericOrder::DayFirst);
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|(_, v)| v.is_none()));
}

#[test]
fn absolute_arabic_dates_in_every_month_style() {
    for text in [
        "12 ديسمبر 2016",
        "12 كانون الأول 2016",
        "12 ديسمبر/كانون الأول 2016",
        "١٢ ديسمبر ٢٠١٦",
        "12 دجنبر 2016",
        "12/12/2016",
        "١٢/١٢/٢٠١٦",
        "12-12-2016",
        "12.12.2016",
    ] {
        assert_eq!(values(text), one("2016-12-12"), "{text}");
    }
    assert_eq!(values("4 غشت 2015"), one("2015-08-04"));
}

#[test]
fn a_day_and_month_without_year_take_the_publication_year() {
    assert_eq!(values("حتى 15 أغسطس"), one("2016-08-15"));
    assert_eq!(
        find_with("حتى 15 أغسطس", None, NumericOrder::DayFirst)[0].1,
        None
    );
}

#[test]
fn month_and_year_resolve_to_a_month() {
    assert_eq!(values("في ديسمبر 2016"), one("2016-12"));
    assert_eq!(values("in December 2016"), one("2016-12"));
}

#[test]
fn a_year_after_a_year_word_resolves_to_a_year() {
    assert_eq!(values("منذ عام 2011"), one("2011"));
    assert_eq!(values("since 2011"), one("2011"));
}

#[test]
fn hijri_dates_convert_to_gregorian() {
    let got = values("23 جمادى الأولى 1446هـ");
    assert_eq!(got.len(), 1);
    let d = got[0].clone().unwrap();
    assert!(
        d == "2024-11-25" || d == "2024-11-24" || d == "2024-11-26",
        "{d}"
    );
    assert_eq!(
        find("23 جمادى الأولى 1446 هـ")[0].0,
        "23 جمادى الأولى 1446 هـ"
    );
}

#[test]
fn english_formats() {
    for text in [
        "December 12, 2016",
        "Dec. 12, 2016",
        "12 Dec 2016",
        "2016-12-12",
        "Dec 12 2016",
    ] {
        assert_eq!(values(text), one("2016-12-12"), "{text}");
    }
}

#[test]
fn month_first_numeric_dates_in_english_text() {
    let got = find_with("on 12/11/2016", None, NumericOrder::MonthFirst);
    assert_eq!(got[0].1.as_deref(), Some("2016-12-11"));
    let got = find_with("on 12/11/2016", None, NumericOrder::DayFirst);
    assert_eq!(got[0].1.as_deref(), Some("2016-11-12"));
}

#[test]
fn invalid_dates_are_found_but_unresolved() {
    assert_eq!(values("31/02/2016"), vec![None]);
    assert_eq!(values("31 فبراير 2016"), vec![None]);
    assert_eq!(values("12 ديسمبر 99999"), vec![None]);
    assert_eq!(values("12 ديسمبر 9999999999999"), vec![None]);
}

#[test]
fn month_names_without_numbers_are_not_dates() {
    assert!(find("مارس الرياضة").is_empty());
    assert!(find("It may rain in March").is_empty());
}

#[test]
fn offsets_point_into_the_text() {
    let text = "وقال الاثنين";
    let finder = DateFinder::new().unwrap();
    let m = &finder.find(
        &View::new(text, &analyze(text)),
        None,
        NumericOrder::DayFirst,
    )[0];
    let got: String = text.chars().skip(m.start).take(m.end - m.start).collect();
    assert_eq!(got, m.text);
}

#[test]
fn the_anchor_is_the_calendar_date_of_published_at() {
    assert_eq!(
        anchor_of("2016-12-12T18:00:00Z"),
        Some(date!(2016 - 12 - 12))
    );
    assert_eq!(anchor_of("2016-13-12"), None);
    assert_eq!(anchor_of("x"), None);
}

#[test]
fn a_weekday_before_a_date_takes_the_dates_value() {
    let got = find("اعتبارًا من الاثنين 27 يوليو (تموز)");
    assert_eq!(
        got[0],
        (
            "الاثنين 27 يوليو".to_string(),
            Some("2016-07-27".to_string())
        )
    );
}

#[test]
fn today_followed_by_a_weekday_is_that_weekday() {
    // Published (crawled) Monday 12 December; "today (Friday)" is the 9th.
    assert_eq!(
        values("اليوم (الجمعة)"),
        vec![Some("2016-12-09".into()), Some("2016-12-09".into())]
    );
}

#[test]
fn numeric_hijri_dates_convert_to_gregorian() {
    // Tabular calendar: 17 Shawwal 1436 is 3 August 2015, a day after Umm al-Qura.
    assert_eq!(values("في 17/10/1436هـ"), one("2015-08-03"));
    // Named as a Sunday: the weekday corrects the calendar's day.
    assert_eq!(values("الأحد 17/10/1436هـ"), one("2015-08-02"));
    assert_eq!(values("يوم 8 /11 /1436هـ"), one("2015-08-23"));
    assert_eq!(
        values("يوم 28/4/1387 ه"),
        vec![hijri::to_gregorian(1387, 4, 28).map(iso_day)]
    );
}

#[test]
fn long_dotted_numbers_are_not_dates() {
    assert!(find("139.153.090 سهما").is_empty());
}

#[test]
fn a_gregorian_equivalent_after_muwafiq_wins_over_the_tabular_calendar() {
    let got = values("26 شوال 1436 هـ الموافق 11 اغسطس 2015 م");
    assert_eq!(
        got,
        vec![Some("2015-08-11".into()), Some("2015-08-11".into())]
    );
}

#[test]
fn that_day_is_not_today() {
    assert!(find("وأعلنت ذلك اليوم عيدا").is_empty());
}

#[test]
fn the_number_two_is_not_monday() {
    assert!(find("مع مسلحين اثنين").is_empty());
}

#[test]
fn a_lone_digit_or_a_day_word_at_the_end_does_not_panic() {
    // Found by proptest (tests/speech.rs): a day word as the last token.
    assert!(find("0").is_empty());
    let _ = find("يوم");
}
