//! The tabular (arithmetical) Islamic calendar, for Hijri dates in text.
//!
//! Civil epoch (1 Muharram 1 AH = 16 July 622 Julian), the common 2, 5, 7,
//! 10, 13, 16, 18, 21, 24, 26, 29 leap-year cycle of 30 years ("Kuwaiti
//! algorithm"). It needs no table and no licence, and is exact arithmetic;
//! the calendars actually used (Saudi Umm al-Qura, or sighting of the moon)
//! differ from it by a day, sometimes two, at month starts. A Hijri date in
//! an article therefore resolves to within ±1 day (rarely ±2) of the civil
//! date the outlet meant. Umm al-Qura tables would narrow that, but none with
//! a permissive licence was at hand.

use time::Date;

/// Julian day number of 1 Muharram 1 AH in the civil tabular calendar.
const EPOCH_JDN: i64 = 1_948_440;

/// The Gregorian date of a Hijri date, or `None` when it does not exist
/// (day 0 or past 30, month outside 1..=12) or falls outside years 1..=9999.
pub fn to_gregorian(year: i64, month: u32, day: u32) -> Option<Date> {
    if !(1..=9_600).contains(&year) || !(1..=12).contains(&month) || !(1..=30).contains(&day) {
        return None;
    }
    if day == 30 && month_length(year, month) < 30 {
        return None;
    }
    let m = i64::from(month);
    let jdn = i64::from(day)
        + (59 * (m - 1) + 1) / 2
        + (year - 1) * 354
        + (3 + 11 * year) / 30
        + EPOCH_JDN
        - 1;
    Date::from_julian_day(i32::try_from(jdn).ok()?).ok()
}

/// The Hijri year in which a Gregorian date falls.
pub fn year_of(date: Date) -> i64 {
    let jdn = i64::from(date.to_julian_day());
    // Start from an estimate and correct it; at most a couple of steps.
    let mut year = ((jdn - EPOCH_JDN) * 30 + 10_646) / 10_631;
    while year > 1 && first_day_jdn(year) > jdn {
        year -= 1;
    }
    while first_day_jdn(year + 1) <= jdn {
        year += 1;
    }
    year
}

fn first_day_jdn(year: i64) -> i64 {
    (year - 1) * 354 + (3 + 11 * year) / 30 + EPOCH_JDN
}

fn is_leap(year: i64) -> bool {
    (14 + 11 * year).rem_euclid(30) < 11
}

fn month_length(year: i64, month: u32) -> u32 {
    if month % 2 == 1 || (month == 12 && is_leap(year)) {
        30
    } else {
        29
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_epoch_is_16_july_622_julian() {
        // 16 July 622 Julian is 19 July 622 proleptic Gregorian.
        assert_eq!(to_gregorian(1, 1, 1), Some(date!(0622 - 07 - 19)));
    }

    #[test]
    fn converts_23_jumada_al_ula_1446_within_a_day_of_umm_al_qura() {
        // Umm al-Qura: 23 Jumada al-Ula 1446 is Monday 25 November 2024.
        let got = to_gregorian(1446, 5, 23).unwrap();
        let diff = (got - date!(2024 - 11 - 25)).whole_days().abs();
        assert!(diff <= 1, "{got}");
    }

    #[test]
    fn converts_1_ramadan_1436_within_a_day_of_umm_al_qura() {
        let got = to_gregorian(1436, 9, 1).unwrap();
        let diff = (got - date!(2015 - 06 - 18)).whole_days().abs();
        assert!(diff <= 1, "{got}");
    }

    #[test]
    fn rejects_impossible_hijri_dates() {
        assert_eq!(to_gregorian(1446, 13, 1), None);
        assert_eq!(to_gregorian(1446, 2, 30), None);
        assert_eq!(to_gregorian(99_999, 1, 1), None);
        assert_eq!(to_gregorian(1446, 1, 0), None);
    }

    #[test]
    fn finds_the_hijri_year_of_a_gregorian_date() {
        assert_eq!(year_of(date!(2016 - 12 - 12)), 1438);
        assert_eq!(year_of(date!(2015 - 08 - 01)), 1436);
    }
}
