"""Prove the Python and Swift tokenizers agree: identical ids on every review of both splits.

    swift build -c release
    python training/check_tokenizer.py --data ../shared/data/imdb --lstm-serve .build/release/lstm-serve

Runs `lstm-serve tokenize` on each split and compares its ids, review by review, with
training/tokenizer.py's. Prints the count checked and the first differences; exits 1 on any.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys

import tokenizer as tok


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="folder with train.jsonl.gz and test.jsonl.gz")
    p.add_argument("--lstm-serve", default=".build/release/lstm-serve")
    p.add_argument("--vocab", default="Models/imdb-lstm-vocab.txt")
    args = p.parse_args()

    vocab = tok.read_vocabulary(args.vocab)
    word_ids = {w: i for i, w in enumerate(vocab) if i > tok.UNUSED_ID}
    total, mismatches = 0, 0
    for split in ("train", "test"):
        path = os.path.join(args.data, f"{split}.jsonl.gz")
        swift = subprocess.run([args.lstm_serve, "tokenize", "--vocab", args.vocab, "--data", path],
                               check=True, capture_output=True, text=True).stdout.splitlines()
        with gzip.open(path, "rt", encoding="utf-8") as f:
            rows = [json.loads(line) for line in f]
        if len(swift) != len(rows):
            print(f"{split}: Swift printed {len(swift)} reviews, the file has {len(rows)}")
            return 1
        for row, line in zip(rows, swift):
            review_id, _, ids = line.partition("\t")
            expected = " ".join(map(str, tok.encode(row["text"], word_ids)))
            total += 1
            if review_id != row["id"] or ids != expected:
                mismatches += 1
                if mismatches <= 5:
                    print(f"{split} {row['id']}: ids differ\n  python: {expected[:200]}\n  swift:  {ids[:200]}")
        print(f"{split}: {len(rows)} reviews compared")
    print(f"{total} reviews, {mismatches} with different ids")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
