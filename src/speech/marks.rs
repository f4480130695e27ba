//! Pairs quotation marks: “…” «…» "…" „…“ ‘…’, with nesting for guillemets,
//! quotations running over paragraphs (closed later, or reopened at each
//! paragraph start), and unbalanced marks (the quotation runs to the end of
//! its paragraph).
//!
//! Linear in practice: each search stops at a closing mark, after three
//! paragraphs, or after `max` characters, and the scan resumes after what it
//! consumed.

/// A quotation found by its marks; offsets are code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkSpan {
    /// The opening mark.
    pub open: usize,
    /// The closing mark, or the end of the content when unbalanced.
    pub close: usize,
    /// Whether a closing mark was found.
    pub closed: bool,
}

impl MarkSpan {
    /// The first offset after the quotation (and its closing mark).
    pub fn close_end(&self) -> usize {
        if self.closed {
            self.close + 1
        } else {
            self.close
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Curly,
    Guillemet,
    Single,
    Straight,
}

fn family(c: char) -> Option<Family> {
    match c {
        '“' | '„' | '‟' | '”' => Some(Family::Curly),
        '«' => Some(Family::Guillemet),
        '‘' => Some(Family::Single),
        '"' => Some(Family::Straight),
        _ => None,
    }
}

fn is_letter(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric())
}

/// Whether the mark at `k` opens a quotation: nothing word-like before it,
/// something other than a space after it (guillemets and curly marks may be
/// spaced).
fn opens(chars: &[char], k: usize) -> Option<Family> {
    let c = chars[k];
    let fam = family(c)?;
    let prev = if k > 0 { chars.get(k - 1) } else { None };
    let next = chars.get(k + 1);
    if is_letter(prev) && fam != Family::Guillemet {
        return None;
    }
    if c == '”' && !prev.is_none_or(|p| p.is_whitespace() || "(:،,".contains(*p)) {
        return None;
    }
    match next {
        None => None,
        Some(n) if n.is_whitespace() && matches!(fam, Family::Straight | Family::Single) => None,
        Some('\n') => None,
        _ => Some(fam),
    }
}

fn closes(fam: Family, chars: &[char], k: usize) -> bool {
    let c = chars[k];
    match fam {
        Family::Curly => c == '”' || (c == '“' && !is_letter(chars.get(k + 1))),
        Family::Guillemet => c == '»',
        Family::Single => c == '’' && !is_letter(chars.get(k + 1)),
        Family::Straight => c == '"',
    }
}

/// Whether `offset` lies inside a quotation of `spans` (ordered as for
/// [`opens_at`]): after its opening mark, up to and including its closing
/// one.
pub fn inside(spans: &[MarkSpan], offset: usize) -> bool {
    let k = spans.partition_point(|s| s.open < offset);
    k > 0 && offset < spans[k - 1].close_end()
}

/// Whether a quotation of `spans` (in order and not overlapping, as
/// [`find`] gives them, or a subsequence of those) opens at `offset`: a
/// binary search, since long articles ask this for many tokens.
pub fn opens_at(spans: &[MarkSpan], offset: usize) -> bool {
    spans.binary_search_by_key(&offset, |s| s.open).is_ok()
}

/// Whether a quotation of `spans` (ordered as for [`opens_at`]) has its
/// closing mark at `offset`. Spans that do not overlap are ordered by
/// their closing marks too.
pub fn closes_at(spans: &[MarkSpan], offset: usize) -> bool {
    spans.binary_search_by_key(&offset, |s| s.close).is_ok()
}

/// Quotations of a text, in order, not overlapping.
pub fn find(chars: &[char], max: usize) -> Vec<MarkSpan> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let Some(fam) = opens(chars, k) else {
            k += 1;
            continue;
        };
        let span = pair(chars, k, fam, max);
        k = span.close_end().max(k + 1);
        out.push(span);
    }
    out
}

/// The quotation opened at `open`.
fn pair(chars: &[char], open: usize, fam: Family, max: usize) -> MarkSpan {
    let limit = chars.len().min(open.saturating_add(1).saturating_add(max));
    let mut first_para_end = None;
    let mut paragraphs = 0;
    let mut depth = 0usize;
    let mut at_para_start = false;
    let mut k = open + 1;
    while k < limit {
        let c = chars[k];
        if c == '\n' {
            first_para_end.get_or_insert(k);
            paragraphs += 1;
            if paragraphs > 3 {
                break;
            }
            at_para_start = true;
            k += 1;
            continue;
        }
        if at_para_start {
            if c.is_whitespace() {
                k += 1;
                continue;
            }
            at_para_start = false;
            // A quotation reopened at the start of the next paragraph.
            if family(c) == Some(fam) && opens(chars, k).is_some() {
                k += 1;
                continue;
            }
        }
        if fam == Family::Guillemet && c == '«' {
            depth += 1;
        } else if closes(fam, chars, k) {
            if depth == 0 {
                return MarkSpan {
                    open,
                    close: k,
                    closed: true,
                };
            }
            depth -= 1;
        } else if paragraphs > 0 && family(c) == Some(fam) && opens(chars, k).is_some() {
            // A new quotation in a later paragraph: ours was never closed.
            break;
        }
        k += 1;
    }
    let end = first_para_end.unwrap_or(limit).min(limit);
    MarkSpan {
        open,
        close: end,
        closed: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        find(&chars, 20_000)
            .into_iter()
            .map(|s| chars[s.open + 1..s.close].iter().collect())
            .collect()
    }

    #[test]
    fn pairs_every_mark_style() {
        assert_eq!(spans("قال “نعم” ثم"), vec!["نعم"]);
        assert_eq!(spans("قال «نعم» ثم"), vec!["نعم"]);
        assert_eq!(spans("said \"yes\" then"), vec!["yes"]);
        assert_eq!(spans("sagte „ja“ dann"), vec!["ja"]);
        assert_eq!(spans("said ‘yes’ then"), vec!["yes"]);
    }

    #[test]
    fn opens_and_closes_at_find_exactly_the_marks_of_the_quotations() {
        let text = "«قال «لا» ثم» قال “نعم” ثم \"yes\" then ‘ok’ ثم «بلا إغلاق";
        let chars: Vec<char> = text.chars().collect();
        let found = find(&chars, 20_000);
        assert_eq!(found.len(), 5);
        for offset in 0..=chars.len() {
            let opens = found.iter().any(|s| s.open == offset);
            let closes = found.iter().any(|s| s.close == offset);
            assert_eq!(opens_at(&found, offset), opens, "open at {offset}");
            assert_eq!(closes_at(&found, offset), closes, "close at {offset}");
        }
    }

    #[test]
    fn inside_is_after_the_opening_mark_up_to_the_closing_one() {
        let chars: Vec<char> = "قال «نعم» ثم".chars().collect();
        let found = find(&chars, 20_000);
        let inside_at: Vec<usize> = (0..=chars.len()).filter(|&k| inside(&found, k)).collect();
        assert_eq!(inside_at, vec![5, 6, 7, 8]);
    }

    #[test]
    fn nested_marks_stay_inside_the_outer_quotation() {
        assert_eq!(spans("«قال «لا» ثم»"), vec!["قال «لا» ثم"]);
        assert_eq!(spans("“he said ‘no’ today”"), vec!["he said ‘no’ today"]);
    }

    #[test]
    fn apostrophes_are_not_quotation_marks() {
        assert!(spans("don’t say it’s over").is_empty());
    }

    #[test]
    fn an_unbalanced_mark_runs_to_the_end_of_its_paragraph() {
        assert_eq!(spans("قال “نعم لا\nفقرة أخرى"), vec!["نعم لا"]);
    }

    #[test]
    fn a_quotation_reopened_at_each_paragraph_start_spans_them() {
        let got = spans("“first part\n“second part” after");
        assert_eq!(got, vec!["first part\n“second part"]);
    }

    #[test]
    fn a_quotation_closed_in_a_later_paragraph_spans_them() {
        assert_eq!(spans("«أولا\nثانيا» بعد"), vec!["أولا\nثانيا"]);
    }

    #[test]
    fn a_new_quotation_in_a_later_paragraph_ends_an_unclosed_one() {
        assert_eq!(spans("“one\nsaid “two” x"), vec!["one", "two"]);
    }
}
