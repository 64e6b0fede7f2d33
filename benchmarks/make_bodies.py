"""Writes N request bodies {"text": REVIEW}, one JSON a line, from DATA_DIR/test.jsonl.gz.

    python3 benchmarks/make_bodies.py --data DATA_DIR --out bodies.jsonl [--count 2048]

Standard library only. Reviews are evenly spaced through the file (review i * total // N), like
peers.py, so both halves of the label-sorted test split are represented. Bodies are UTF-8
(ensure_ascii=False), as a typical client sends them, with U+0085, U+2028 and U+2029 escaped so
that no line reader splits a body.
"""
import argparse
import gzip
import json
import os

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True, help="folder with test.jsonl.gz")
ap.add_argument("--out", required=True)
ap.add_argument("--count", type=int, default=2048)
args = ap.parse_args()
with gzip.open(os.path.join(args.data, "test.jsonl.gz"), "rt", encoding="utf-8") as f:
    lines = f.readlines()
n = min(args.count, len(lines))
total = 0
with open(args.out, "w", encoding="utf-8", newline="\n") as out:
    for i in range(n):
        body = json.dumps({"text": json.loads(lines[i * len(lines) // n])["text"]}, ensure_ascii=False)
        # json.dumps escapes every control character below U+0020; also escape the scalars that
        # other line readers (Python's splitlines) treat as line breaks.
        for ch in ("\x85", "\u2028", "\u2029"):
            body = body.replace(ch, "\\u%04x" % ord(ch))
        assert len(body.splitlines()) == 1
        out.write(body + "\n")
        total += len(body.encode())
print(f"{n} bodies, mean {total / n:.0f} bytes -> {args.out}")
