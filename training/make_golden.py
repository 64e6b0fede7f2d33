"""Write the golden fixtures the Swift tests compare against, from the real reference (Keras).

    python training/make_golden.py --data ../shared/data/imdb --model Models/imdb-lstm.keras \
        --vocab Models/imdb-lstm-vocab.txt --out Tests/SentimentModelTests/Fixtures

Writes to --out:
- imdb-lstm-golden.json: for 240 test reviews and a set of edge cases, the text, the Python
  tokenizer's unpadded ids and Keras `model.predict` on the padded ids;
- imdb-lstm.h5: the same model in the legacy single-file HDF5 format, and its Keras scores
  are the same golden values;
- alt-5000x16x48.keras (+ -golden.json): another shape of the family (vocabulary 5,000,
  embedding 16, 48 units, length 400), trained briefly on the real data;
- keras2-hard-sigmoid.h5 (+ -golden.json): a small model saved by Keras 2 (tf-keras) with
  `recurrent_activation="hard_sigmoid"` (Keras 2's 0.2x + 0.5), scored by Keras 2.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random

import numpy as np

import tokenizer as tok

EDGE_CASES = {
    "empty": "",
    "whitespace": "   \n\t  ",
    "one_word": "great",
    "one_word_negative": "awful",
    "only_unknown": "zxqvbnm qwertyuiopasdf blorptastic",
    "punctuation_only": "!!! ??? ... --- ***",
    "html": "<br /><br />A <b>wonderful</b> film.<br/>Truly<BR>moving &amp; sincere.<br  />",
    "unicode_emoji": "I loved it 😍😍 — the café scene, naïve charm, ÉTÉ ×÷ 日本語 🎬 10/10",
    "apostrophes": "Don’t miss it. It's 'great' ''' isn't it'",
    "numbers": "1/10 0 7 10 2001 3.5 1,000,000",
    "long_repeated": " ".join(["this movie was terrible and boring"] * 150),
    "long_positive": " ".join(["a brilliant, moving and beautiful masterpiece"] * 120),
    "exactly_499_tokens": " ".join(["good"] * 499),
    "exactly_500_tokens": " ".join(["bad"] * 500),
    "mixed_case": "THE BEST MOVIE EVER MADE. Absolutely WONDERFUL!",
}


def read_jsonl(path: str) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def keras_scores(model, ids: list[list[int]], max_length: int) -> list[float]:
    x = np.array([tok.pad(s, max_length) for s in ids], dtype=np.int32)
    return [float(v) for v in model.predict(x, batch_size=64, verbose=0)[:, 0]]


def write_json(path: str, value) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=1)
        f.write("\n")


def bundled_golden(args, test) -> None:
    import keras
    model = keras.models.load_model(args.model)
    max_length = model.input_shape[1]
    vocab = tok.read_vocabulary(args.vocab)
    word_ids = {w: i for i, w in enumerate(vocab) if i > tok.UNUSED_ID}
    rng = random.Random(7)
    sample = rng.sample(test, args.reviews)
    cases = [{"name": f"test/{r['id']}", "label": r["label"], "text": r["text"]} for r in sample]
    cases += [{"name": f"edge/{k}", "text": v} for k, v in EDGE_CASES.items()]
    ids = [tok.encode(c["text"], word_ids) for c in cases]
    scores = keras_scores(model, ids, max_length)
    for case, case_ids, score in zip(cases, ids, scores):
        case["tokens"] = tok.tokenize(case["text"])
        case["ids"] = case_ids
        case["keras_score"] = score
    write_json(os.path.join(args.out, "imdb-lstm-golden.json"),
               {"model": os.path.basename(args.model), "max_length": max_length, "cases": cases})
    model.save(os.path.join(args.out, "imdb-lstm.h5"), include_optimizer=False)
    legacy = keras.models.load_model(os.path.join(args.out, "imdb-lstm.h5"), compile=False)
    legacy_scores = keras_scores(legacy, ids, max_length)
    assert max(abs(a - b) for a, b in zip(scores, legacy_scores)) < 1e-6


def alternate_model(args, train, test) -> None:
    """A different member of the family, trained for one epoch on 5,000 reviews."""
    import keras
    keras.utils.set_random_seed(11)
    vocab_size, width, units, max_length = 5_000, 16, 48, 400
    vocab = tok.build_vocabulary((r["text"] for r in train), vocab_size)
    word_ids = {w: i for i, w in enumerate(vocab) if i > tok.UNUSED_ID}
    rows = random.Random(3).sample(train, 5_000)
    x = np.array([tok.pad(tok.encode(r["text"], word_ids), max_length) for r in rows], dtype=np.int32)
    y = np.array([r["label"] for r in rows], dtype=np.float32)
    model = keras.Sequential([
        keras.Input(shape=(max_length,), dtype="int32"),
        keras.layers.Embedding(vocab_size, width),
        keras.layers.LSTM(units),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=1, batch_size=64, verbose=0)
    sample = random.Random(5).sample(test, 60)
    ids = [tok.encode(r["text"], word_ids) for r in sample] + [[1], [1, 2, 3, 4], list(range(1, 4_999))]
    scores = keras_scores(model, ids, max_length)
    name = "alt-5000x16x48"
    # Save an uncompiled copy: the file then holds no optimizer state and stays small.
    inference = keras.models.clone_model(model)
    inference.set_weights(model.get_weights())
    inference.save(os.path.join(args.out, f"{name}.keras"))
    write_json(os.path.join(args.out, f"{name}-golden.json"), {
        "model": f"{name}.keras", "vocabulary_size": vocab_size, "embedding_width": width, "units": units,
        "max_length": max_length, "parameters": int(model.count_params()),
        "cases": [{"ids": i, "keras_score": s} for i, s in zip(ids, scores)],
    })


def keras2_model(args) -> None:
    """A legacy file as Keras 2 writes it, with Keras 2's hard_sigmoid; no input length recorded."""
    import tf_keras
    tf_keras.utils.set_random_seed(13)
    vocab_size, width, units = 300, 8, 6
    model = tf_keras.Sequential([
        tf_keras.layers.Embedding(vocab_size, width),
        tf_keras.layers.LSTM(units, recurrent_activation="hard_sigmoid"),
        tf_keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.build((None, None))
    # Random weights are too small to reach the clipped parts of hard_sigmoid; scale them up.
    model.set_weights([w * 3.0 for w in model.get_weights()])
    rng = np.random.default_rng(17)
    ids = [[1] + rng.integers(2, vocab_size, size=int(n)).tolist() for n in (0, 1, 5, 37, 120, 499, 650)]
    max_length = 500
    x = np.array([tok.pad(s, max_length) for s in ids], dtype=np.int32)
    scores = [float(v) for v in model.predict(x, verbose=0)[:, 0]]
    model.save(os.path.join(args.out, "keras2-hard-sigmoid.h5"))
    write_json(os.path.join(args.out, "keras2-hard-sigmoid-golden.json"), {
        "model": "keras2-hard-sigmoid.h5", "keras_version": tf_keras.__version__, "max_length": max_length,
        "cases": [{"ids": i, "keras_score": s} for i, s in zip(ids, scores)],
    })


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--model", default="Models/imdb-lstm.keras")
    p.add_argument("--vocab", default="Models/imdb-lstm-vocab.txt")
    p.add_argument("--out", default="Tests/SentimentModelTests/Fixtures")
    p.add_argument("--reviews", type=int, default=240)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    train = read_jsonl(os.path.join(args.data, "train.jsonl.gz"))
    test = read_jsonl(os.path.join(args.data, "test.jsonl.gz"))
    bundled_golden(args, test)
    alternate_model(args, train, test)
    keras2_model(args)


if __name__ == "__main__":
    main()
