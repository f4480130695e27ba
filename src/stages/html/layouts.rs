//! Test page layouts: an article's title and paragraphs wrapped in the
//! page shapes news sites use, with boilerplate around them.
//!
//! Used by the `html` stage's tests, the `text` benchmark and
//! `tools/html-eval` (the extractor comparison), so all three measure the
//! same pages. The article text is given at run time (SaudiNewsNet articles
//! read from `../shared`, never committed); the boilerplate is written here
//! and every boilerplate string contains one of [`BOILERPLATE_MARKERS`], so
//! a check can tell leaked boilerplate from article text.

/// Strings that occur only in the boilerplate of these layouts.
pub const BOILERPLATE_MARKERS: &[&str] = &[
    "القائمة الرئيسية",
    "الأكثر قراءة",
    "تعليقات القراء",
    "إعلان ممول",
    "اقرأ أيضا",
    "جميع الحقوق محفوظة",
    "شارك المقال",
    "الوسوم",
    "اشترك في النشرة",
    "Most read",
    "Sign up for our newsletter",
    "Related coverage",
    "All rights reserved",
    "Share this article",
];

/// One article to wrap.
pub struct Article<'a> {
    pub title: &'a str,
    pub paragraphs: &'a [String],
    /// A subheading placed before the middle paragraph, when given.
    pub heading: Option<&'a str>,
    /// A figure caption placed after the first paragraph, when given.
    pub caption: Option<&'a str>,
}

/// A layout: a name and the function building the page.
pub type Layout = (&'static str, fn(&Article) -> String);

/// Every layout.
pub const LAYOUTS: &[Layout] = &[
    ("paragraphs-in-article", paragraphs_in_article),
    ("divs-not-paragraphs", divs_not_paragraphs),
    ("sidebar-with-headlines", sidebar_with_headlines),
    ("comment-block", comment_block),
    ("inline-ads-and-related", inline_ads_and_related),
    ("table-and-br", table_and_br),
    ("json-ld-and-figure", json_ld_and_figure),
];

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn head(a: &Article) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\"><title>{} | صحيفة</title><meta property=\"og:title\" content=\"{}\"><script>var ads = {{slot: 'top'}};</script><style>body{{margin:0}}</style></head>",
        escape(a.title),
        escape(a.title)
    )
}

fn nav() -> &'static str {
    "<header><nav class=\"main-nav\"><a href=\"/\">القائمة الرئيسية</a> <a href=\"/local\">محليات القائمة الرئيسية</a> <a href=\"/sport\">رياضة القائمة الرئيسية</a></nav></header>"
}

fn footer() -> &'static str {
    "<footer class=\"site-footer\"><p>جميع الحقوق محفوظة لصحيفة النموذج ٢٠١٥</p><a href=\"/about\">من نحن جميع الحقوق محفوظة</a></footer></body></html>"
}

/// The article's body lines with the optional heading and caption, as
/// `(kind, text)` with kind `p`, `h` or `c`.
fn lines<'a>(a: &'a Article) -> Vec<(char, &'a str)> {
    let mut out = Vec::new();
    let middle = a.paragraphs.len() / 2;
    for (i, p) in a.paragraphs.iter().enumerate() {
        if i == middle {
            if let Some(h) = a.heading {
                out.push(('h', h));
            }
        }
        out.push(('p', p.as_str()));
        if i == 0 {
            if let Some(c) = a.caption {
                out.push(('c', c));
            }
        }
    }
    out
}

fn figure(caption: &str) -> String {
    format!(
        "<figure class=\"photo\"><img src=\"/img/1.jpg\" alt=\"\"><figcaption>{}</figcaption></figure>",
        escape(caption)
    )
}

fn paragraphs_in_article(a: &Article) -> String {
    let mut body = String::new();
    for (kind, text) in lines(a) {
        match kind {
            'h' => body.push_str(&format!("<h2>{}</h2>\n", escape(text))),
            'c' => body.push_str(&figure(text)),
            _ => body.push_str(&format!("<p>{}</p>\n", escape(text))),
        }
    }
    format!(
        "{}<body>{}<main><article><h1>{}</h1><div class=\"share-bar\">شارك المقال: فيسبوك تويتر</div>{}<div class=\"tags\">الوسوم: أخبار محليات</div></article></main>{}",
        head(a),
        nav(),
        escape(a.title),
        body,
        footer()
    )
}

fn divs_not_paragraphs(a: &Article) -> String {
    let mut body = String::new();
    for (kind, text) in lines(a) {
        match kind {
            'h' => body.push_str(&format!(
                "<div class=\"subtitle\"><h3>{}</h3></div>",
                escape(text)
            )),
            'c' => body.push_str(&format!(
                "<div class=\"img-wrap\"><img src=\"/i.jpg\"><div class=\"caption\">{}</div></div>",
                escape(text)
            )),
            _ => body.push_str(&format!("<div>{}</div>", escape(text))),
        }
    }
    format!(
        "{}<body>{}<div id=\"wrapper\"><div class=\"news-title\"><h1>{}</h1></div><div class=\"news-body\">{}</div><div class=\"social-icons\">شارك المقال عبر تويتر</div></div>{}",
        head(a),
        nav(),
        escape(a.title),
        body,
        footer()
    )
}

fn sidebar_with_headlines(a: &Article) -> String {
    let mut body = String::new();
    for (kind, text) in lines(a) {
        match kind {
            'h' => body.push_str(&format!("<h2>{}</h2>", escape(text))),
            'c' => body.push_str(&figure(text)),
            _ => body.push_str(&format!("<p>{}</p>", escape(text))),
        }
    }
    let mut side = String::from("<div class=\"col-left\"><h3>الأكثر قراءة</h3><ul>");
    for i in 1..=8 {
        side.push_str(&format!(
            "<li><a href=\"/n/{i}\">الأكثر قراءة: عنوان خبر آخر رقم {i} في الصحيفة اليوم</a></li>"
        ));
    }
    side.push_str("</ul><h3>الأكثر قراءة هذا الأسبوع</h3>");
    for i in 1..=4 {
        side.push_str(&format!(
            "<div class=\"teaser\"><a href=\"/t/{i}\">الأكثر قراءة: تقرير مطول عن موضوع آخر</a><span> الأكثر قراءة منذ ساعة</span></div>"
        ));
    }
    side.push_str("</div>");
    format!(
        "{}<body>{}<div class=\"container\"><div class=\"col-right\"><h1>{}</h1><div class=\"entry\">{}</div></div>{}</div>{}",
        head(a),
        nav(),
        escape(a.title),
        body,
        side,
        footer()
    )
}

fn comment_block(a: &Article) -> String {
    let mut body = String::new();
    for (kind, text) in lines(a) {
        match kind {
            'h' => body.push_str(&format!("<h2>{}</h2>", escape(text))),
            'c' => body.push_str(&figure(text)),
            _ => body.push_str(&format!("<p>{}</p>", escape(text))),
        }
    }
    let mut comments = String::from("<section id=\"comments\"><h3>تعليقات القراء</h3>");
    for i in 1..=6 {
        comments.push_str(&format!(
            "<div class=\"comment\"><span class=\"author\">قارئ {i}</span><p>تعليقات القراء: هذا تعليق طويل من قارئ يكتب رأيه في الخبر، ويضيف تفاصيل كثيرة عن الموضوع، ويختلف مع ما جاء فيه، ويطالب بالمزيد من التوضيح من الجهات المختصة.</p></div>"
        ));
    }
    comments.push_str("</section>");
    format!(
        "{}<body>{}<div class=\"page\"><article class=\"post\"><h1>{}</h1>{}</article>{}</div>{}",
        head(a),
        nav(),
        escape(a.title),
        body,
        comments,
        footer()
    )
}

fn inline_ads_and_related(a: &Article) -> String {
    let mut body = String::new();
    for (i, (kind, text)) in lines(a).into_iter().enumerate() {
        match kind {
            'h' => body.push_str(&format!("<h2>{}</h2>", escape(text))),
            'c' => body.push_str(&figure(text)),
            _ => body.push_str(&format!("<p>{}</p>", escape(text))),
        }
        if i % 2 == 1 {
            body.push_str(
                "<div class=\"ad-slot\"><span>إعلان ممول</span><script>show_ad()</script></div>",
            );
        }
        if i == 2 {
            body.push_str("<div class=\"inline-related\"><a href=\"/r/1\">اقرأ أيضا: خبر متصل بالموضوع نفسه</a></div>");
        }
    }
    format!(
        "{}<body>{}<div id=\"content\"><h1 class=\"headline\">{}</h1><div class=\"article-text\">{}</div><div class=\"newsletter\">اشترك في النشرة البريدية اليومية</div></div>{}",
        head(a),
        nav(),
        escape(a.title),
        body,
        footer()
    )
}

fn table_and_br(a: &Article) -> String {
    let mut body = String::new();
    for (kind, text) in lines(a) {
        match kind {
            'h' => body.push_str(&format!(
                "<b class=\"crosshead\"><h4>{}</h4></b>",
                escape(text)
            )),
            'c' => body.push_str(&format!(
                "<span class=\"caption\">{}</span><br>",
                escape(text)
            )),
            _ => body.push_str(&format!("{}<br><br>\n", escape(text))),
        }
    }
    format!(
        "{}<body><table width=\"100%\"><tr><td class=\"menu\" width=\"20%\"><a href=\"/\">القائمة الرئيسية</a><br><a href=\"/x\">القائمة الرئيسية للأقسام</a></td><td class=\"main\"><font size=\"5\"><b>{}</b></font><br><br>{}</td></tr></table>{}",
        head(a),
        escape(a.title),
        body,
        footer()
    )
}

fn json_ld_and_figure(a: &Article) -> String {
    let mut body = String::new();
    for (kind, text) in lines(a) {
        match kind {
            'h' => body.push_str(&format!("<h2 class=\"sub\">{}</h2>", escape(text))),
            'c' => body.push_str(&figure(text)),
            _ => body.push_str(&format!("<p>{}</p>", escape(text))),
        }
    }
    let ld = serde_json::json!({
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "صحيفة"},
            {"@type": "NewsArticle", "headline": a.title, "datePublished": "2015-08-06T08:08:28+03:00",
             "author": {"@type": "Person", "name": "محرر الصحيفة"}, "articleSection": "محليات"}
        ]
    });
    format!(
        "<!DOCTYPE html><html><head><title>صحيفة</title><script type=\"application/ld+json\">{}</script></head><body>{}<div class=\"layout\"><div class=\"article-body\" itemprop=\"articleBody\">{}</div><aside><h3>Most read</h3><p>Most read: another story entirely about other things.</p></aside><div class=\"related-news\"><h3>اقرأ أيضا</h3><p><a href=\"/a\">اقرأ أيضا: خبر متصل</a></p></div></div>{}",
        escape(&ld.to_string()).replace("&quot;", "\""),
        nav(),
        body,
        footer()
    )
}

/// An English news page (Reuters-like) with its boilerplate.
pub fn english_page(a: &Article) -> String {
    let mut body = String::new();
    for (kind, text) in lines(a) {
        match kind {
            'h' => body.push_str(&format!("<h2>{}</h2>", escape(text))),
            'c' => body.push_str(&figure(text)),
            _ => body.push_str(&format!("<p>{}</p>", escape(text))),
        }
    }
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>{} | News</title><meta property=\"article:published_time\" content=\"2016-12-12T18:00:00Z\"><meta name=\"author\" content=\"Jane Doe\"><meta property=\"article:section\" content=\"World\"></head><body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav><div class=\"share\">Share this article</div><article><header><h1>{}</h1><p class=\"byline\">By Jane Doe</p></header><div class=\"article-body\">{}</div><div class=\"related-coverage\"><h3>Related coverage</h3><ul><li><a href=\"/1\">Related coverage: Other story one</a></li><li><a href=\"/2\">Related coverage: Other story two</a></li></ul></div></article><div class=\"newsletter-signup\">Sign up for our newsletter today</div><footer>All rights reserved</footer></body></html>",
        escape(a.title),
        escape(a.title),
        body
    )
}

/// One SaudiNewsNet article: url, title and paragraphs (the non-blank
/// lines of its content, trimmed).
pub struct SampleArticle {
    pub url: String,
    pub title: String,
    pub paragraphs: Vec<String>,
}

/// Up to `limit` articles of the SaudiNewsNet sample with at least
/// `min_paragraphs` paragraphs, in file order; `None` when the sample is
/// absent (test and benchmark data only: never commit its text).
pub fn saudinewsnet_sample(limit: usize, min_paragraphs: usize) -> Option<Vec<SampleArticle>> {
    let path = crate::shared_data::existing()?.join("data/news_ar/saudinewsnet/sample_1000.jsonl");
    let text = std::fs::read_to_string(path).ok()?;
    let articles = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            let paragraphs: Vec<String> = v["content"]
                .as_str()?
                .split('\n')
                .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|p| !p.is_empty())
                .collect();
            Some(SampleArticle {
                url: v["url"].as_str().unwrap_or("").to_string(),
                title: v["title"].as_str().unwrap_or("").trim().to_string(),
                paragraphs,
            })
        })
        .filter(|a| a.paragraphs.len() >= min_paragraphs && !a.title.is_empty())
        .take(limit)
        .collect();
    Some(articles)
}
