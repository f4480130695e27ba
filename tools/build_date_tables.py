#!/usr/bin/env python3
"""Generate the month, weekday and relative-date tables under data/dates/.

usage: python3 tools/build_date_tables.py [SHARED_DIR]

SHARED_DIR defaults to $AKHBAR_SHARED_DIR, else ../shared beside the repo.
Reads (read-only):
  data/gazetteers/cldr_ar/calendar_names_ar.tsv   Unicode CLDR 41, Unicode licence
  data/gazetteers/cldr_ar/date_fields_relative_ar.tsv
  data/gazetteers/cldr_ar/main_en.xml
  data/gazetteers/dateparser_ar/ar.py              dateparser 1.5.0, BSD-3-Clause
Writes data/dates/{ar,en}/{months,weekdays,relative}.tsv. Each row names its
source in the last column; rows marked `akhbar` are the project's own
additions (spelling variants seen in news, not in either source). The output
is sorted and deterministic: rerunning on the same inputs gives the same
files, which a unit test relies on only through their content.
"""
import ast
import os
import sys
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MONTHS_EN = ["january", "february", "march", "april", "may", "june", "july",
             "august", "september", "october", "november", "december"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS_EN = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

# Project additions: forms common in news that neither source lists.
EXTRA_MONTHS_AR = [
    ("ربيع الثاني", "islamic", 4), ("جمادى الأول", "islamic", 5),
    ("جمادى الثانية", "islamic", 6), ("جمادى الثاني", "islamic", 6),
    ("جمادى الاولى", "islamic", 5), ("ذي القعدة", "islamic", 11),
    ("ذي الحجة", "islamic", 12), ("ذو القعده", "islamic", 11),
    ("محرّم", "islamic", 1),
]
EXTRA_DAYS_AR = [("الإثنين", "mon"), ("الجمعه", "fri")]
# unit offset: week 0 is "this week", "مطلع الأسبوع" is early this week.
EXTRA_RELATIVE_AR = [
    ("أمس الأول", "day", -2), ("غدا", "day", 1), ("الأمس", "day", -1),
    ("البارحة", "day", -1), ("الليلة", "day", 0), ("الليلة الماضية", "day", -1),
    ("مطلع الأسبوع", "week", 0), ("مطلع الأسبوع الجاري", "week", 0),
    ("مطلع الأسبوع الماضي", "week", -1), ("نهاية الأسبوع الماضي", "week", -1),
    ("الأسبوع المقبل", "week", 1), ("الأسبوع الجاري", "week", 0),
    ("الأسبوع المنصرم", "week", -1), ("الشهر المقبل", "month", 1),
    ("الشهر الجاري", "month", 0), ("الشهر المنصرم", "month", -1),
    ("مطلع الشهر الجاري", "month", 0), ("مطلع الشهر المقبل", "month", 1),
    ("العام الماضي", "year", -1), ("العام المقبل", "year", 1),
    ("العام القادم", "year", 1), ("العام الجاري", "year", 0),
    ("العام الحالي", "year", 0), ("هذا العام", "year", 0),
    ("السنة المقبلة", "year", 1), ("السنة الجارية", "year", 0),
    ("العام المنصرم", "year", -1), ("الشهر الحالي", "month", 0),
]
RELATIVE_EN = [
    ("today", "day", 0), ("yesterday", "day", -1), ("tomorrow", "day", 1),
    ("the day before yesterday", "day", -2), ("tonight", "day", 0),
    ("last night", "day", -1), ("this week", "week", 0), ("last week", "week", -1),
    ("next week", "week", 1), ("earlier this week", "week", 0),
    ("this month", "month", 0), ("last month", "month", -1), ("next month", "month", 1),
    ("this year", "year", 0), ("last year", "year", -1), ("next year", "year", 1),
    ("earlier this month", "month", 0), ("earlier this year", "year", 0),
]
UNITS = {"day", "week", "month", "year"}


def shared_dir():
    if len(sys.argv) > 1:
        return sys.argv[1]
    return os.environ.get("AKHBAR_SHARED_DIR") or os.path.join(REPO, "..", "shared")


def write(path, header, rows):
    rows = sorted(set(rows))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(str(x) for x in r) + "\n")
    print(f"{path}: {len(rows)} rows")


def main():
    gaz = os.path.join(shared_dir(), "data", "gazetteers")
    months, days, rel = [], [], []
    with open(os.path.join(gaz, "cldr_ar", "calendar_names_ar.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            locale, cal, kind, _ctx, width, index, _variant, name = line.rstrip("\n").split("\t")
            if width == "narrow" or not name:
                continue
            if kind == "month" and cal in ("gregorian", "islamic"):
                months.append((name, cal, int(index), "cldr"))
            elif kind == "day" and cal == "gregorian" and width != "short":
                days.append((name, index, "cldr"))
    with open(os.path.join(gaz, "cldr_ar", "date_fields_relative_ar.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            field, offset, name = line.rstrip("\n").split("\t")
            if field in UNITS:
                rel.append((name, field, int(offset), "cldr"))
    with open(os.path.join(gaz, "dateparser_ar", "ar.py"), encoding="utf-8") as f:
        src = f.read()
    info = ast.literal_eval(src[src.index("{"):])

    def take(d):
        for i, m in enumerate(MONTHS_EN):
            for name in d.get(m, []):
                months.append((name, "gregorian", i + 1, "dateparser"))
        for i, day in enumerate(DAYS_EN):
            for name in d.get(day, []):
                days.append((name, DAYS[i], "dateparser"))

    take(info)
    for sub in info.get("locale_specific", {}).values():
        take(sub)
    for key, names in info.get("relative-type", {}).items():
        parts = key.split()
        if parts[0] != "in" and parts[-1] != "ago":
            continue  # a duration ("2 day": يومين), not a point in time
        if parts[0] == "in":
            n, unit = int(parts[1]), parts[2]
        else:
            n, unit = -int(parts[0]), parts[1]
        if unit in UNITS:
            for name in names:
                rel.append((name, unit, n, "dateparser"))
    months += [(n, c, i, "akhbar") for n, c, i in EXTRA_MONTHS_AR]
    days += [(n, d, "akhbar") for n, d in EXTRA_DAYS_AR]
    rel += [(n, u, o, "akhbar") for n, u, o in EXTRA_RELATIVE_AR]

    out = os.path.join(REPO, "data", "dates")
    os.makedirs(os.path.join(out, "ar"), exist_ok=True)
    os.makedirs(os.path.join(out, "en"), exist_ok=True)
    write(os.path.join(out, "ar", "months.tsv"), ["form", "calendar", "month", "source"], months)
    write(os.path.join(out, "ar", "weekdays.tsv"), ["form", "weekday", "source"], days)
    write(os.path.join(out, "ar", "relative.tsv"), ["form", "unit", "offset", "source"], rel)

    root = ET.parse(os.path.join(gaz, "cldr_ar", "main_en.xml")).getroot()
    greg = root.find(".//calendar[@type='gregorian']")
    en_months, en_days = [], []
    for width in ("wide", "abbreviated"):
        for i, m in enumerate(greg.findall(f"./months/monthContext[@type='format']/monthWidth[@type='{width}']/month")):
            en_months.append((m.text, "gregorian", i + 1, "cldr"))
    en_months.append(("Sept", "gregorian", 9, "akhbar"))
    for d in greg.findall("./days/dayContext[@type='format']/dayWidth[@type='wide']/day"):
        en_days.append((d.text, d.get("type"), "cldr"))
    write(os.path.join(out, "en", "months.tsv"), ["form", "calendar", "month", "source"], en_months)
    write(os.path.join(out, "en", "weekdays.tsv"), ["form", "weekday", "source"], en_days)
    write(os.path.join(out, "en", "relative.tsv"), ["form", "unit", "offset", "source"],
          [(n, u, o, "akhbar") for n, u, o in RELATIVE_EN])


if __name__ == "__main__":
    main()
