//! Specifications of quote finding and speaker attribution.

use super::*;
use crate::document::{Entity, Mention};
use serde_json::Map;

fn finder() -> QuoteFinder {
    QuoteFinder::new(Limits::default()).unwrap()
}

fn quotes_with(text: &str, entities: &[Entity]) -> Vec<Quote> {
    let f = finder();
    let analysis = crate::text::analyze(text);
    f.find(&View::new(text, &analysis), entities)
}

fn quotes(text: &str) -> Vec<Quote> {
    quotes_with(text, &[])
}

/// (kind, text, speaker name) of each quote.
fn summary(text: &str) -> Vec<(String, String, Option<String>)> {
    quotes(text)
        .into_iter()
        .map(|q| (q.kind, q.text, q.speaker.map(|s| s.name)))
        .collect()
}

/// An entity with a mention at each occurrence of each form in `text`.
fn entity(text: &str, name: &str, kind: &str, forms: &[&str]) -> Entity {
    let mut mentions = Vec::new();
    for form in forms {
        for (byte, _) in text.match_indices(form) {
            let start = text[..byte].chars().count();
            mentions.push(Mention {
                text: form.to_string(),
                start,
                end: start + form.chars().count(),
            });
        }
    }
    Entity {
        name: name.into(),
        kind: kind.into(),
        mentions,
        links: Map::new(),
    }
}

fn s(v: &str) -> String {
    v.to_string()
}

#[test]
fn indirect_speech_after_a_reporting_verb_and_inna() {
    let got = summary("وقال لافروف خلال زيارة إلى بلغراد إن روسيا مستعدة للتفاوض.");
    assert_eq!(
        got,
        vec![(s("indirect"), s("روسيا مستعدة للتفاوض"), Some(s("لافروف")))]
    );
}

#[test]
fn an_unnamed_source_is_the_phrase_as_written() {
    let got = summary("وقال مصدر في المعارضة السورية المسلحة للجزيرة إن روسيا ترفض.");
    assert_eq!(
        got[0].2.as_deref(),
        Some("مصدر في المعارضة السورية المسلحة")
    );
}

#[test]
fn the_subject_ends_at_a_date_word() {
    let got = summary("ذكرت وزارة الخارجية الأميركية الاثنين أن روسيا أبلغت الولايات المتحدة.");
    assert_eq!(got[0].2.as_deref(), Some("وزارة الخارجية الأميركية"));
    assert_eq!(got[0].1, "روسيا أبلغت الولايات المتحدة");
}

#[test]
fn a_direct_quote_takes_the_verb_before_it_in_its_sentence() {
    let got = summary("وقال المتحدث باسم الوزارة جون كيربي في إفادة صحفية ردا على سؤال، “بدلا من قبول المقترح الأميركي أبلغنا الروس”.");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "direct");
    assert_eq!(got[0].1, "بدلا من قبول المقترح الأميركي أبلغنا الروس");
    assert_eq!(got[0].2.as_deref(), Some("المتحدث باسم الوزارة جون كيربي"));
}

#[test]
fn a_cue_without_subject_continues_the_previous_speaker() {
    let text = "وقال كيربي “الوضع صعب جدا في المدينة”.\nوأضاف “هذا غير مقبول بالمرة”.\nوقال “فرقنا لا تزال تحاول”.";
    let got = summary(text);
    assert_eq!(got.len(), 3);
    assert!(
        got.iter().all(|q| q.2.as_deref() == Some("كيربي")),
        "{got:?}"
    );
}

#[test]
fn wa_abbara_an_itiqadihi_continues_the_speaker() {
    let text = "وقال لافروف إن المحادثات متعثرة.\nوعبر عن اعتقاده بأن سيطرة التنظيم تمت بمساعدة.";
    let got = quotes(text);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].cue.as_deref(), Some("وعبر عن اعتقاده"));
    assert_eq!(got[1].speaker.as_ref().unwrap().name, "لافروف");
}

#[test]
fn a_comma_after_the_cue_means_no_subject() {
    let text = "قال البيت الأبيض إن واشنطن ستواصل مساعيها.\nوأضاف، في بيان له “نحن لا زلنا مهتمين بالدبلوماسية”.";
    let got = summary(text);
    assert_eq!(got[1].2.as_deref(), Some("البيت الأبيض"));
}

#[test]
fn colon_introduced_speech_is_direct() {
    let text = "وقال مدير المعرض إن الإقبال كبير.\nوأضاف: نسعى إلى أن يكون المعرض منصة للحوار";
    let got = summary(text);
    assert_eq!(
        got[1],
        (
            s("direct"),
            s("نسعى إلى أن يكون المعرض منصة للحوار"),
            Some(s("مدير المعرض"))
        )
    );
}

#[test]
fn a_colon_followed_by_quotation_marks_is_one_quote() {
    let got = summary("وقال مدير المعرض: \"نسعى إلى أن يكون المعرض منصة\".");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1, "نسعى إلى أن يكون المعرض منصة");
}

#[test]
fn a_caption_name_colon_statement_is_the_persons_quote() {
    let text = "نص الخبر هنا.\nلافروف: المحادثات مع أميركا وصلت إلى طريق مسدود (رويترز) |\nنص آخر.";
    let got = summary(text);
    assert_eq!(
        got,
        vec![(
            s("direct"),
            s("المحادثات مع أميركا وصلت إلى طريق مسدود"),
            Some(s("لافروف"))
        )]
    );
}

#[test]
fn colon_labels_and_times_are_not_speech() {
    assert!(quotes("المصدر: وكالة الأنباء السعودية الرسمية").is_empty());
    assert!(quotes("الساعة 10:30 صباحا في الرياض").is_empty());
}

#[test]
fn scare_quotes_without_a_cue_are_not_quotes() {
    assert!(quotes("أعلن تنظيم «داعش» مسؤوليته عن الهجوم").is_empty());
}

#[test]
fn a_long_quotation_without_a_cue_is_kept() {
    let got = quotes("«هذه جملة طويلة جدا فيها أكثر من ثماني كلمات كاملة»");
    assert_eq!(got.len(), 1);
}

#[test]
fn english_inverted_said_after_a_quotation() {
    let text = "\"We will not give up,\" said Riyad Hijab, the coordinator of the Syrian opposition, after meeting officials.\nHe added that any agreement had to include safe passage for civilians.";
    let got = summary(text);
    assert_eq!(
        got[0],
        (
            s("direct"),
            s("We will not give up,"),
            Some(s("Riyad Hijab"))
        )
    );
    assert_eq!(got[1].0, "indirect");
    assert_eq!(
        got[1].1,
        "any agreement had to include safe passage for civilians"
    );
    assert_eq!(got[1].2.as_deref(), Some("Riyad Hijab"));
}

#[test]
fn english_according_to_names_the_source() {
    let got = summary("According to the State Department, talks in Geneva would resume next week.");
    assert_eq!(
        got,
        vec![(
            s("indirect"),
            s("talks in Geneva would resume next week"),
            Some(s("State Department"))
        )]
    );
}

#[test]
fn english_unnamed_source_said_that() {
    let got = summary("A senior official said that the gap between the two sides remained wide.");
    assert_eq!(got[0].2.as_deref(), Some("A senior official"));
    assert_eq!(got[0].1, "the gap between the two sides remained wide");
}

#[test]
fn english_subject_before_said_on_a_day_that() {
    let got = summary("Saudi Arabia's energy minister Khalid al-Falih said on Saturday that the kingdom was ready.");
    assert_eq!(
        got[0].2.as_deref(),
        Some("Saudi Arabia's energy minister Khalid al-Falih")
    );
    assert_eq!(got[0].1, "the kingdom was ready");
}

#[test]
fn english_quote_then_subject_then_said() {
    let got = summary("\"The market is now pricing in a tighter balance,\" an analyst at a London brokerage said.");
    assert_eq!(
        got[0].2.as_deref(),
        Some("an analyst at a London brokerage")
    );
}

#[test]
fn a_role_in_apposition_names_the_person_entity() {
    let text = "وقال المتحدث باسم الوزارة جون كيربي إن المحادثات متعثرة.";
    let entities = vec![
        entity(
            text,
            "وزارة الخارجية الأميركية",
            "organization",
            &["الوزارة"],
        ),
        entity(text, "جون كيربي", "person", &["جون كيربي"]),
    ];
    let got = quotes_with(text, &entities);
    let speaker = got[0].speaker.clone().unwrap();
    assert_eq!(
        (speaker.name.as_str(), speaker.entity),
        ("جون كيربي", Some(1))
    );
}

#[test]
fn a_surname_mention_resolves_to_the_full_name() {
    let text = "ولفت كيربي إلى أن المسؤولين يواصلون محادثاتهم.";
    let entities = vec![entity(text, "جون كيربي", "person", &["كيربي"])];
    let got = quotes_with(text, &entities);
    assert_eq!(got[0].speaker.as_ref().unwrap().name, "جون كيربي");
    assert_eq!(got[0].speaker.as_ref().unwrap().entity, Some(0));
}

#[test]
fn an_unnamed_source_mentioning_an_organisation_stays_the_phrase() {
    let text = "وقال مصدر في المعارضة السورية للجزيرة إن روسيا ترفض.";
    let entities = vec![entity(
        text,
        "المعارضة السورية",
        "organization",
        &["المعارضة السورية"],
    )];
    let got = quotes_with(text, &entities);
    assert_eq!(
        got[0].speaker.as_ref().unwrap().name,
        "مصدر في المعارضة السورية"
    );
    assert_eq!(got[0].speaker.as_ref().unwrap().entity, None);
}

#[test]
fn an_organisation_subject_resolves_to_its_entity() {
    let text = "قال البيت الأبيض إن الولايات المتحدة ستواصل مساعيها.";
    let entities = vec![entity(
        text,
        "البيت الأبيض",
        "organization",
        &["البيت الأبيض"],
    )];
    let got = quotes_with(text, &entities);
    assert_eq!(got[0].speaker.as_ref().unwrap().entity, Some(0));
}

#[test]
fn with_entities_a_caption_prefix_must_be_an_entity() {
    let text = "لافروف: المحادثات وصلت إلى طريق مسدود\nملاحظة هامة: الطريق مغلق اليوم";
    let entities = vec![entity(text, "سيرغي لافروف", "person", &["لافروف"])];
    let got = quotes_with(text, &entities);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].speaker.as_ref().unwrap().name, "سيرغي لافروف");
}

#[test]
fn a_participle_continues_its_sentences_speaker() {
    let got = summary("وقال المدير إن الدورة ناجحة، مشيرا إلى أن البرنامج يتضمن ندوات.");
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].1, "الدورة ناجحة");
    assert_eq!(got[1].1, "البرنامج يتضمن ندوات");
    assert_eq!(got[1].2.as_deref(), Some("المدير"));
}

#[test]
fn a_reporting_verb_far_from_any_complementizer_is_not_speech() {
    assert!(quotes("أكدت المعارضة السورية والولايات المتحدة رفض روسيا أي مقترح بشأن وقف إطلاق النار وإخراج المدنيين من حلب والمناطق المجاورة لها أيضا.").is_empty());
}

#[test]
fn offsets_slice_the_quote_text() {
    let text = "وقال كيربي “الوضع صعب جدا في المدينة”.";
    let q = &quotes(text)[0];
    let got: String = text.chars().skip(q.start).take(q.end - q.start).collect();
    assert_eq!(got, q.text);
}

#[test]
fn a_quotation_spanning_paragraphs_is_one_quote() {
    let text = "وقال كيربي «الوضع صعب جدا\nوالمفاوضات متعثرة» في جنيف.";
    let got = quotes(text);
    assert_eq!(got.len(), 1);
    assert!(got[0].text.contains("المفاوضات"));
}

#[test]
fn unbalanced_marks_end_at_the_paragraph() {
    let got = summary("وقال كيربي “الوضع صعب جدا في المدينة\nفقرة أخرى بلا علامات.");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1, "الوضع صعب جدا في المدينة");
}

#[test]
fn a_reporting_verb_inside_reported_content_is_part_of_it() {
    let got = quotes("ذكرت الوزارة أن روسيا أبلغت الولايات المتحدة برغبتها في التأجيل، ووصفته بأنه اقتراح غير مقبول.");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].speaker.as_ref().unwrap().name, "الوزارة");
}

#[test]
fn a_short_quoted_name_is_neither_a_quote_nor_the_end_of_the_speaker() {
    let text = "في المقابل، اكد رئيس مجموعة شبكة \"بي إين سبورتس\" ناصر الخليفي: \"حصولنا على حقوق بث الدورات يعزز طموحنا\".";
    let got = summary(text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        got[0].2.as_deref(),
        Some("رئيس مجموعة شبكة \"بي إين سبورتس\" ناصر الخليفي")
    );
}

#[test]
fn a_quoted_fragment_inside_reported_content_stays_in_it() {
    let got = summary("ذكرت المنظمة أن الفترة شهدت \"ارتفاعا غير مسبوق في الأحكام\" في إيران.");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "indirect");
    assert!(got[0].1.ends_with("في إيران"));
}

#[test]
fn an_honorific_pronoun_continues_the_previous_speaker() {
    let got = summary("وأوضح وزير العدل وليد الصمعاني أن الأمر يأتي دعما للقضاء. وأكد معاليه أن التعيينات ستسهم في سرعة البت.");
    assert_eq!(got[1].2.as_deref(), Some("وزير العدل وليد الصمعاني"));
}

#[test]
fn a_name_in_apposition_between_commas_is_part_of_the_speaker() {
    let got = summary("وأوضح مدير شؤون المعلمين، الدكتور حمدان العمري، أن الإدارة زودت كل متقدم.");
    assert_eq!(
        got[0].2.as_deref(),
        Some("مدير شؤون المعلمين، الدكتور حمدان العمري")
    );
}

#[test]
fn a_link_label_before_a_colon_is_not_a_speaker() {
    assert!(quotes("رابط الخبر بصحيفة الوئام: بلدية الجبيل تضبط كميات من الفاكهة").is_empty());
}

#[test]
fn a_colon_statement_ends_where_a_new_cue_opens_a_sentence() {
    let got = summary("وقال الربيعي: إن الكليات المشاركة كثيرة. وأشار إلى أن القبول سيكون متاحا.");
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].1, "إن الكليات المشاركة كثيرة.");
    assert_eq!(got[1].1, "القبول سيكون متاحا");
}

#[test]
fn a_colon_statement_ends_where_the_next_colon_statements_cue_begins() {
    let got = summary("وقال الوزير: الوضع مستقر تماما وقال المتحدث: سنواصل العمل حتى النهاية");
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].1, "الوضع مستقر تماما");
    assert_eq!(got[1].1, "سنواصل العمل حتى النهاية");
}

#[test]
fn a_colon_statement_is_cut_at_max_quote_chars() {
    let limits = Limits {
        max_quote_chars: 100,
        ..Limits::default()
    };
    let f = QuoteFinder::new(limits).unwrap();
    let text = format!("وأضاف الوزير: {}", "الوضع مستقر ".repeat(50));
    let analysis = crate::text::analyze(&text);
    let got = f.find(&View::new(&text, &analysis), &[]);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].text.chars().count() <= 100, "{}", got[0].text);
    assert!(got[0].text.starts_with("الوضع مستقر"));
}

#[test]
fn repeated_cues_with_colons_give_no_quotes_of_each_other() {
    let text = "وقال محمد: ".repeat(2_000);
    let got = quotes(&text);
    assert!(got.iter().all(|q| !q.text.contains("وقال محمد")), "{got:?}");
}

#[test]
fn an_quoted_from_x_his_saying_names_x() {
    let got = summary("ونقلت وكالة أنباء الجمهورية الإسلامية اليوم عن ظريف قوله “قلنا إن الأنشطة لها علاقة ببناء طرق.”");
    assert_eq!(got[0].2.as_deref(), Some("ظريف"));
}

#[test]
fn a_two_word_quote_right_after_its_cue_is_kept() {
    let got = summary("وقال المعهد “نحن محايدون”.");
    assert_eq!(got.len(), 1);
}
