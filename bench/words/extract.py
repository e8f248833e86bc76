#!/usr/bin/env python3
"""Derives the syllable and syllable-pair frequency lists of the "real" benchmark corpus.

Usage: bench/words/extract.py SEEDS_DIR   (run once; writes seeds-syllables.tsv and
seeds-pairs.tsv next to this script)

SEEDS_DIR holds public Vietnamese government documents as plain text (the province's
plans, kept by the team outside this repository). Only counts are kept, never running
text: every syllable with its count, and every pair of neighbouring syllables inside one
clause (no punctuation between them) seen at least twice, with its count. Lines that are
mostly upper case (document headings) are lowercased; an all-caps token elsewhere is an
acronym (UBND, VNeID) and keeps its form; a syllable written with a capital in mid-clause
more often than not (Sơn, La, Nhà) keeps the capital. Digits are dropped, and so are
tokens that are neither a syllable of the dictionary (vi-syllables.dic) nor an acronym nor
a foreign word of three letters or more (fragments of words broken in the PDF's text).
Standard library only; output is sorted by count, then form, so it is reproducible.
"""
import collections
import os
import re
import sys
import unicodedata

WORD = re.compile(r"[^\W\d_]+")
# Clause breaks: the chain of pairs is cut at these.
CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”‘’'/…–—*#|<>=+]|\s-\s")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    seeds = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    counts = collections.Counter()
    capital = collections.Counter()  # mid-clause occurrences written with a capital
    mid = collections.Counter()  # mid-clause occurrences
    forms = {}  # key -> acronym form
    pairs = collections.Counter()
    # An all-caps token that is a Vietnamese syllable (BAN, DÂN in a heading) is a word.
    with open(os.path.join(here, "vi-syllables.dic"), encoding="utf-8") as f:
        entries = [line.strip() for line in f.readlines()[1:]]
    # Its acronyms (UBND, HĐND) are not syllables; its names (Nguyễn) are.
    syllables = {e.lower() for e in entries if sum(c.isupper() for c in e) < 2}
    # One-letter syllables of the dictionary (`i`, `ố`) in these texts are nearly always
    # fragments; these four are words.
    syllables = {s for s in syllables if len(s) > 1 or s in ("ở", "ý", "à", "ạ")}
    for name in sorted(os.listdir(seeds)):
        if not name.endswith(".txt"):
            continue
        with open(os.path.join(seeds, name), encoding="utf-8") as f:
            text = unicodedata.normalize("NFC", f.read())
        for line in text.splitlines():
            letters = [c for c in line if c.isalpha()]
            shouting = letters and sum(c.isupper() for c in letters) / len(letters) > 0.6
            for clause in CLAUSE.split(line):
                prev = None
                pos = 0
                for m in WORD.finditer(clause):
                    tok = m.group(0)
                    low = tok.lower()
                    upper = sum(c.isupper() for c in tok)
                    if low not in syllables and upper < 2 and not (len(tok) >= 3 and tok.isascii()):
                        # A fragment of a word broken by the PDF's text layer (`nhi ệm`), a
                        # list letter (`b)`): not a syllable; the clause's chain breaks here.
                        prev = None
                        continue
                    if shouting and low in syllables:
                        tok = low
                    if tok.lower() not in syllables and (len(tok) > 1 and tok.isupper() or any(c.isupper() for c in tok[1:])):
                        key = tok  # acronym or brand (UBND, VNeID)
                        forms[key] = tok
                    else:
                        key = tok.lower()
                        if pos > 0:
                            mid[key] += 1
                            capital[key] += tok[0].isupper()
                    pos += 1
                    counts[key] += 1
                    if prev is not None:
                        pairs[(prev, key)] += 1
                    prev = key

    def form(key):
        if key in forms:
            return forms[key]
        if mid[key] and capital[key] * 2 > mid[key]:
            return key[0].upper() + key[1:]
        return key

    with open(os.path.join(here, "seeds-syllables.tsv"), "w", encoding="utf-8") as out:
        out.write("# syllable\tcount (derived by extract.py from the province's public plans)\n")
        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            out.write(f"{form(key)}\t{n}\n")
    with open(os.path.join(here, "seeds-pairs.tsv"), "w", encoding="utf-8") as out:
        out.write("# first second\tcount, pairs seen at least twice (derived by extract.py)\n")
        for (a, b), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])):
            if n >= 2:
                out.write(f"{form(a)} {form(b)}\t{n}\n")
    print(f"{len(counts)} syllables, {sum(counts.values())} tokens, "
          f"{sum(1 for n in pairs.values() if n >= 2)} pairs seen twice or more", file=sys.stderr)


if __name__ == "__main__":
    main()
