"""Convert the extracted Large Movie Review Dataset (aclImdb_v1.tar.gz) to the jsonl.gz files the tools read.

    python training/aclimdb_to_jsonl.py --aclimdb aclImdb --out data/imdb

Writes train.jsonl.gz and test.jsonl.gz: one {"id", "rating", "label", "text"} object a line,
from aclImdb/{train,test}/{neg,pos}/<id>_<rating>.txt (label 0 for neg, 1 for pos).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--aclimdb", required=True, help="the extracted aclImdb folder")
    p.add_argument("--out", required=True, help="folder for train.jsonl.gz and test.jsonl.gz")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for split in ("train", "test"):
        rows = []
        for label, polarity in ((0, "neg"), (1, "pos")):
            folder = os.path.join(args.aclimdb, split, polarity)
            for name in sorted(os.listdir(folder)):
                stem, _, rating = name.removesuffix(".txt").partition("_")
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    rows.append({"id": f"{stem}_{rating}", "rating": int(rating), "label": label, "text": f.read()})
        with gzip.open(os.path.join(args.out, f"{split}.jsonl.gz"), "wt", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{split}: {len(rows)} reviews")


if __name__ == "__main__":
    main()
