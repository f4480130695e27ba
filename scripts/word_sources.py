#!/usr/bin/env python3
"""Fetches the sources of data/entities/ar/words.tsv and dumps them as TSV.

    scripts/word_sources.py OUTDIR
    akhbar build-words --wordfreq OUTDIR/wordfreq_ar.tsv --names OUTDIR/name_units_ar.tsv

Downloads two pinned PyPI wheels (checked against their sha256) and writes:
- wordfreq_ar.tsv and wordfreq_en.tsv: wordfreq 3.1.1's large Arabic and
  English lists, `word<TAB>zipf` (data CC BY-SA 4.0, Robyn Speer et al.);
- name_units_ar.tsv: arabic-name-romanizer 0.2.0's name units,
  `unit<TAB>total<TAB>given<TAB>surname<TAB>unknown` (MIT; the counts come
  from Wikidata person labels, CC0).
Needs pip and the msgpack package (`pip install msgpack`).
"""
import gzip, os, sqlite3, sys

from pinned_wheel import fetch

WHEELS = {
    "wordfreq==3.1.1": "4b1c6ecffc6198be3396d5cf871c4423ca71c907c231348d352dd54d62b97473",
    "arabic-name-romanizer==0.2.0": "f70b89614d9b5866dcf911d098c5e45d2b1f559461f238e8c5259b731fcf2a7e",
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    import msgpack

    wf = fetch("wordfreq==3.1.1", WHEELS["wordfreq==3.1.1"], out)
    for lang in ("ar", "en"):
        data = msgpack.unpackb(gzip.decompress(wf.read(f"wordfreq/data/large_{lang}.msgpack.gz")),
                               raw=False)
        n = 0
        with open(os.path.join(out, f"wordfreq_{lang}.tsv"), "w", encoding="utf-8") as f:
            # After the header, bucket i holds the words of frequency 10^(-i/100).
            for i, words in enumerate(data[1:]):
                for w in words:
                    f.write(f"{w}\t{9 - i / 100.0:.2f}\n")
                    n += 1
        print(f"wordfreq_{lang}.tsv: {n} words", file=sys.stderr)

    nr = fetch("arabic-name-romanizer==0.2.0", WHEELS["arabic-name-romanizer==0.2.0"], out)
    db_path = os.path.join(out, "names.sqlite3")
    with open(db_path, "wb") as f:
        f.write(nr.read("arabic_name_romanizer/resources/names.sqlite3"))
    db = sqlite3.connect(db_path)
    rows = db.execute(
        "select arabic_key,"
        " sum(count),"
        " sum(case when role='given' then count else 0 end),"
        " sum(case when role='surname' then count else 0 end),"
        " sum(case when role not in ('given','surname') then count else 0 end)"
        " from units group by arabic_key order by arabic_key").fetchall()
    with open(os.path.join(out, "name_units_ar.tsv"), "w", encoding="utf-8") as f:
        f.write("# unit\ttotal\tgiven\tsurname\tunknown\n")
        for r in rows:
            f.write("\t".join(str(x) for x in r) + "\n")
    print(f"name_units_ar.tsv: {len(rows)} units", file=sys.stderr)


if __name__ == "__main__":
    main()
