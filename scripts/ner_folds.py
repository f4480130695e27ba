#!/usr/bin/env python3
"""Cross-validated F1 of the Arabic tagger alone and of the whole entity stage.

    scripts/ner_folds.py TRAIN.txt [--folds 5] [--akhbar target/release/akhbar]
        [--work DIR] [--score ../shared/tools/score_ner.py] [-- TRAIN-NER FLAGS]

Cuts a CoNLL training file into K contiguous blocks of sentences (as
`akhbar train-ner --folds` does), trains a model on the other blocks of each
fold with train-ner's defaults, which are the committed model's flags
(models/NOTICE), or with the flags after `--`; tags each block with `akhbar
eval-ner --predictions` twice (the tagger alone, then `--stage`), and scores
the pooled predictions with score_ner.py (PER, LOC, ORG). Reads only the file it is given: pass the
training split, never the test split.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile


def main():
    argv = sys.argv[1:]
    flags = []
    if "--" in argv:
        cut = argv.index("--")
        argv, flags = argv[:cut], argv[cut + 1:]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("train")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--akhbar", default="target/release/akhbar")
    ap.add_argument("--work", default=None, help="keep fold files and models here")
    ap.add_argument("--score", default="../shared/tools/score_ner.py")
    args = ap.parse_args(argv)

    with open(args.train, encoding="utf-8") as f:
        sentences = [s for s in re.split(r"\n\s*\n", f.read()) if s.strip()]
    n, k = len(sentences), max(2, min(args.folds, len(sentences)))
    blocks = [[] for _ in range(k)]
    for i, s in enumerate(sentences):
        blocks[i * k // n].append(s.strip("\n"))

    work = args.work or tempfile.mkdtemp(prefix="akhbar-folds-")
    os.makedirs(work, exist_ok=True)
    pooled = {"tagger": [], "stage": []}
    gold_all = os.path.join(work, "gold.txt")
    with open(gold_all, "w", encoding="utf-8") as gold_out:
        for fold in range(k):
            test = os.path.join(work, f"fold{fold}_test.txt")
            train = os.path.join(work, f"fold{fold}_train.txt")
            model = os.path.join(work, f"fold{fold}.bin")
            with open(test, "w", encoding="utf-8") as f:
                f.write("\n\n".join(blocks[fold]) + "\n\n")
            gold_out.write("\n\n".join(blocks[fold]) + "\n\n")
            with open(train, "w", encoding="utf-8") as f:
                f.write("\n\n".join(s for b in range(k) if b != fold for s in blocks[b]) + "\n\n")
            subprocess.run([args.akhbar, "train-ner", "--train", train, "--out", model, *flags],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for what, extra in (("tagger", []), ("stage", ["--stage"])):
                pred = os.path.join(work, f"fold{fold}_{what}.tsv")
                subprocess.run([args.akhbar, "eval-ner", test, "--model", model,
                                "--predictions", pred, *extra],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                pooled[what].append(pred)
            print(f"fold {fold + 1}/{k} done", file=sys.stderr)
    for what, parts in pooled.items():
        joined = os.path.join(work, f"{what}.tsv")
        with open(joined, "w", encoding="utf-8") as out:
            for p in parts:
                with open(p, encoding="utf-8") as f:
                    out.write(f.read())
        print(f"== {what} ({k} folds, {n} sentences)")
        sys.stdout.flush()
        subprocess.run([sys.executable, args.score, gold_all, joined], check=True)
    print(f"(fold files, models and predictions in {work})", file=sys.stderr)


if __name__ == "__main__":
    main()
