"""Build ``wordnet_definitions.csv.gz`` from WordNet 3.0's noun database (run once; not run by tests).

WordNet files every noun sense in one of 26 "lexicographer files" (supersenses):
``noun.animal``, ``noun.food``, ... This script takes the definitions of eight
concrete supersenses and samples the same number of each, giving a short-text
topic task: from a dictionary definition, what kind of thing is defined?

Input: ``data.noun`` of WordNet 3.0, as installed by Debian's ``wordnet-base``
package (``apt-get install wordnet-base``, or ``apt-get download wordnet-base``
and ``dpkg-deb -x`` it) at ``/usr/share/wordnet/data.noun``. The format is
documented in WordNet's ``wndb(5WN)`` manual page: one synset per line,
``offset lex_filenum ss_type w_cnt word lex_id ... | gloss``.

What is kept, in order:

1. Noun synsets whose lexicographer file is one of :data:`CATEGORIES`.
2. Not taxa: synsets with a word such as ``genus_Orycteropus`` or
   ``family_Rosaceae`` (:data:`_TAXON`), whose definitions are mostly Latin names.
3. The definition is the gloss up to its first quoted example (``; "...``).
4. Definitions of at least 3 words that occur once among the kept synsets
   (a repeated definition is ambiguous or a near-duplicate sense).
5. ``PER_CATEGORY`` rows of each category, sampled without replacement with
   ``numpy.random.default_rng(SEED)``, then shuffled with the same generator.

Columns: ``synset`` (WordNet 3.0 offset + ``-n``, to trace a row back),
``word`` (the synset's first word, ``_`` as spaces), ``definition`` and
``category``. The built-in uses only ``definition`` and ``category``.

Run: ``python datasets/build_wordnet_definitions.py [--data-noun PATH] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import gzip
import re
from pathlib import Path

import numpy as np
import pandas as pd

#: Lexicographer file number (``lexnames(5WN)``) -> category name.
CATEGORIES = {5: "animal", 6: "artifact", 8: "body", 13: "food", 15: "location", 18: "person", 20: "plant",
              27: "substance"}
PER_CATEGORY = 2000
SEED = 0
# A taxon's synset has a word like genus_Orycteropus or family_Rosaceae (a capital after the rank).
_TAXON = re.compile(r"^(genus|family|subfamily|superfamily|order|suborder|superorder|infraorder|class|subclass|"
                    r"superclass|phylum|subphylum|division|subdivision|kingdom|subkingdom|tribe)_[A-Z]")
_EXAMPLE = re.compile(r';\s*"')
_TOO_FEW = ("category {name!r} has {n} usable definitions, fewer than per_category={per_category}; "
            "pass a smaller per_category.")


def parse(path) -> pd.DataFrame:
    """Every noun synset of :data:`CATEGORIES` in ``data.noun``: synset, word, definition, category, taxon."""
    rows = []
    with open(path, encoding="latin-1") as fh:  # WordNet 3.0's files are ASCII with a few Latin-1 bytes
        for line in fh:
            if line.startswith("  "):  # the licence header
                continue
            head, gloss = line.rstrip("\n").split(" | ", 1)
            fields = head.split()
            lex = int(fields[1])
            if lex not in CATEGORIES:
                continue
            words = [fields[4 + 2 * i] for i in range(int(fields[3], 16))]
            definition = _EXAMPLE.split(gloss.strip(), maxsplit=1)[0].strip().rstrip(";").strip()
            taxon = any(_TAXON.match(w) for w in words)
            rows.append((f"{fields[0]}-n", words[0].replace("_", " "), definition, CATEGORIES[lex], taxon))
    return pd.DataFrame(rows, columns=["synset", "word", "definition", "category", "taxon"])


def select(frame: pd.DataFrame, *, per_category: int = PER_CATEGORY, seed: int = SEED) -> pd.DataFrame:
    """Steps 2-5 of the module docstring: filter ``parse``'s rows, then sample each category.

    Parameters
    ----------
    frame : DataFrame
        What :func:`parse` returned.
    per_category : int, default=PER_CATEGORY
        Rows kept of each category.
    seed : int, default=SEED
        Seeds the sampling and the final shuffle.

    Returns
    -------
    DataFrame
        ``synset``, ``word``, ``definition``, ``category``; ``per_category`` rows of each category.

    Raises
    ------
    ValueError
        If a category has fewer than ``per_category`` usable definitions (:data:`_TOO_FEW`).
    """
    frame = frame[~frame["taxon"]]
    frame = frame[frame["definition"].str.split().str.len() >= 3]
    frame = frame[~frame["definition"].duplicated(keep=False)]
    rng = np.random.default_rng(seed)
    parts = []
    for name in sorted(CATEGORIES.values()):
        rows = frame[frame["category"] == name]
        if len(rows) < per_category:
            raise ValueError(_TOO_FEW.format(name=name, n=len(rows), per_category=per_category))
        parts.append(rows.iloc[rng.choice(len(rows), per_category, replace=False)])
    out = pd.concat(parts)
    out = out.iloc[rng.permutation(len(out))]
    return out.drop(columns="taxon").reset_index(drop=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-noun", default="/usr/share/wordnet/data.noun")
    parser.add_argument("--out", default=str(Path(__file__).with_name("wordnet_definitions.csv.gz")))
    args = parser.parse_args(argv)
    table = select(parse(args.data_noun))
    # gzip.compress stores no file name and mtime=0 no time: the same input gives the same bytes.
    Path(args.out).write_bytes(gzip.compress(table.to_csv(index=False).encode("utf-8"), compresslevel=9, mtime=0))
    print(f"wrote {len(table):,} rows to {args.out}")
    print(table["category"].value_counts().sort_index().to_string())


if __name__ == "__main__":
    main()
