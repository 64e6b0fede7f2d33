"""Writes the same N reviews as three request files for protocols_load.sh: /classify JSON, Open Inference Protocol
JSON (BYTES input) and Open Inference Protocol binary (the binary tensor data extension).

    python3 benchmarks/make_protocol_bodies.py --data DATA_DIR --out-dir DIR [--count 2048] [--model imdb-lstm]

Each file is a sequence of records "PATH JSON_LENGTH BODY_LENGTH\\n" followed by BODY_LENGTH bytes; JSON_LENGTH is the
Inference-Header-Content-Length to send (0: none, the body is all JSON). Reviews are evenly spaced through
test.jsonl.gz, as make_bodies.py picks them. Standard library only.
"""
import argparse
import gzip
import json
import os
import struct

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True, help="folder with test.jsonl.gz")
ap.add_argument("--out-dir", required=True)
ap.add_argument("--count", type=int, default=2048)
ap.add_argument("--model", default="imdb-lstm")
args = ap.parse_args()
with gzip.open(os.path.join(args.data, "test.jsonl.gz"), "rt", encoding="utf-8") as f:
    lines = f.readlines()
n = min(args.count, len(lines))
reviews = [json.loads(lines[i * len(lines) // n])["text"] for i in range(n)]
infer = f"/v2/models/{args.model}/infer"


def record(path, body, json_length=0):
    return f"{path} {json_length} {len(body)}\n".encode() + body


files = {
    "classify": [record("/classify", json.dumps({"text": review}, ensure_ascii=False).encode()) for review in reviews],
    "v2-json": [
        record(infer, json.dumps({"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": [review]}]}, ensure_ascii=False).encode())
        for review in reviews
    ],
}
binary = []
for review in reviews:
    data = review.encode()
    tensor = struct.pack("<I", len(data)) + data
    header = json.dumps({"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": len(tensor)}}],
                         "outputs": [{"name": "score", "parameters": {"binary_data": True}}]}).encode()
    binary.append(record(infer, header + tensor, len(header)))
files["v2-binary"] = binary
for name, records in files.items():
    path = os.path.join(args.out_dir, f"{name}.records")
    with open(path, "wb") as out:
        out.write(b"".join(records))
    print(f"{name}: {len(records)} requests -> {path}")
