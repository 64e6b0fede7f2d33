#!/usr/bin/env bash
# CI step for explanations (issue 21): the Python offset tokenizer that writes the explain goldens agrees with the
# Python tokenizer on every text of the committed fixtures and on random texts (standard library only, no TensorFlow:
# the goldens themselves are checked by `swift test`; `.ci/run` runs `predict --explain`'s tests on the release
# binary with the other executable tests). Takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

python3 - <<'PY'
import json, random, sys
sys.path.insert(0, "training")
import tokenizer as tok

texts = []
for name in ("imdb-lstm-golden.json", "imdb-lstm-explain-golden.json"):
    with open(f"Tests/SentimentModelTests/Fixtures/{name}", encoding="utf-8") as f:
        texts += [case["text"] for case in json.load(f)["cases"] if "text" in case]
pieces = ["a", "Z", "q9", "'", "\u2019", " ", ".", "\n", "<br>", "<BR />", "<br/", "<b", "<", ">", "é", "É", "ß", "×", "÷",
          "ÿ", "Þ", "Ā", "😀", "日本", "\u0301", "𝒜", "\r\n"]
rng = random.Random(21)
texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(24))) for _ in range(20_000)]
for text in texts:
    spans = tok.token_spans(text)
    assert [s[0] for s in spans] == tok.tokenize(text), repr(text)
    for token, start, end in spans:
        assert end - start == len(token) and 0 <= start < end <= len(text), repr(text)
print(f"token_spans agrees with tokenize on {len(texts)} texts")
PY
echo "explain CI step took $((SECONDS - started)) s"
