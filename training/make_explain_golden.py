"""Write the golden fixture of per-word explanations, from the real reference (Keras).

    python training/make_explain_golden.py --model Models/imdb-lstm.keras \\
        --vocab Models/imdb-lstm-vocab.txt --out Tests/SentimentModelTests/Fixtures

For a set of texts (hand-written cases, and reviews of every length taken from
`imdb-lstm-golden.json`, which `make_golden.py` wrote), it writes `imdb-lstm-explain-golden.json`:
per text, the ids, each token with its code-point offsets in the text (`tokenizer.token_spans`),
and the score of each prefix of the ids the model reads: Keras `predict` on the first k ids alone,
padded in front to `max_length` as the model's input always is. The baseline is the score before
the first word: of the start id alone; or, for a review truncated to its last `max_length` ids
(which drops the start id), of an input of padding only.

It also reports `stepwise_gap`: how far those scores are from the Dense layer applied to the LSTM's
state after each step of one pass over the whole padded review (`return_sequences=True`). Padding
ids are not masked and move the LSTM's state until it settles, after about 50 of them; so the two
agree while a review leaves that much padding, and differ for the first words of longer ones.
lstm-serve computes the first from the second where they agree, and runs the other prefixes whole.
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np

import tokenizer as tok
from make_golden import EDGE_CASES

# Texts the model cannot read (point 2 of issue 21) and a few short reviews people try first.
CASES = {
    "readme": "A wonderful, moving film. The acting is superb.",
    "readme_negative": "Dull, predictable and far too long.",
    "readme_positive": "I loved every minute of it.",
    "unreadable/empty": "",
    "unreadable/punctuation": "?!... --- (*) ;-)",
    "unreadable/emoji": "😍😍👍 🎬🍿",
    "unreadable/chinese": "这部电影非常精彩，演员的表演令人难忘。",
    "unreadable/arabic": "فيلم رائع جدا، أحببته كثيرا",
    "mixed": "这部电影 was great 😍 — a true classic!",
    "unknown_words_only": "zxqvbnm qwertyuiopasdf blorptastic",
    "astral_scalars": "𝒜 film 😍 that I 💯 loved, naïve and 𝕓𝕠𝕝𝕕",
    "combining_marks": "cafe\u0301 nai\u0308ve — a moving film",
}

# Reviews from the committed golden fixture, chosen by id count: short, typical, near the maximum
# length (few padding steps) and truncated.
REVIEW_LENGTHS = [12, 60, 130, 230, 350, 460, 490, 499, 500, 501, 560]


def pick_reviews(golden: dict) -> dict[str, str]:
    reviews = [c for c in golden["cases"] if c["name"].startswith("test/")]
    picked: dict[str, str] = {}
    for length in REVIEW_LENGTHS:
        best = min(reviews, key=lambda c: (abs(len(c["ids"]) - length), c["name"]))
        reviews.remove(best)
        picked[best["name"]] = best["text"]
    return picked


def stepwise_model(model):
    """The same layers with the LSTM returning its state after every step, and the same weights."""
    import keras
    max_length = model.input_shape[1]
    embedding, lstm, dense = (layer for layer in model.layers if layer.weights)
    config = lstm.get_config()
    config["return_sequences"] = True
    config["name"] = "lstm_steps"
    steps = keras.Sequential([
        keras.Input(shape=(max_length,), dtype="int32"),
        keras.layers.Embedding.from_config(embedding.get_config()),
        keras.layers.LSTM.from_config(config),
        keras.layers.Dense.from_config(dense.get_config()),
    ])
    steps.set_weights(model.get_weights())
    return steps


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="Models/imdb-lstm.keras")
    p.add_argument("--vocab", default="Models/imdb-lstm-vocab.txt")
    p.add_argument("--out", default="Tests/SentimentModelTests/Fixtures")
    args = p.parse_args()

    import keras
    model = keras.models.load_model(args.model)
    max_length = model.input_shape[1]
    steps = stepwise_model(model)

    vocab = tok.read_vocabulary(args.vocab)
    word_ids = {w: i for i, w in enumerate(vocab) if i > tok.UNUSED_ID}
    with open(os.path.join(args.out, "imdb-lstm-golden.json"), encoding="utf-8") as f:
        texts = dict(CASES, **{f"edge/{k}": v for k, v in EDGE_CASES.items()}, **pick_reviews(json.load(f)))

    cases = []
    worst_gap = (0.0, "")
    for name, text in texts.items():
        spans = tok.token_spans(text)
        assert [s[0] for s in spans] == tok.tokenize(text), name
        ids = [tok.START_ID] + [word_ids.get(s[0], tok.OOV_ID) for s in spans]
        kept = ids[-max_length:]
        truncated = len(ids) > max_length
        padded = np.array([tok.pad(ids, max_length)], dtype=np.int32)
        trajectory = [float(v) for v in steps.predict(padded, verbose=0)[0, :, 0]]
        stepwise = trajectory[max_length - len(kept):]
        prefixes = np.array([tok.pad(kept[:k], max_length) for k in range(0, len(kept) + 1)], dtype=np.int32)
        alone = [float(v) for v in model.predict(prefixes, batch_size=256, verbose=0)[:, 0]]
        assert abs(stepwise[-1] - alone[-1]) < 1e-6, name  # the whole review: both are the model's score
        gap = max(abs(a - b) for a, b in zip(stepwise, alone[1:]))
        worst_gap = max(worst_gap, (gap, name))
        if truncated:
            baseline, word_scores = alone[0], alone[1:]
        else:
            baseline, word_scores = alone[1], alone[2:]
        words = spans[len(spans) - len(word_scores):]
        cases.append({
            "name": name,
            "text": text,
            "ids": ids,
            "truncated": truncated,
            "keras_score": alone[-1],
            "baseline": baseline,
            "words": [{"token": t, "start": s, "end": e, "id": i, "score": v}
                      for (t, s, e), i, v in zip(words, kept[len(kept) - len(word_scores):], word_scores)],
            "stepwise_gap": gap,
        })
        print(f"{name}: {len(ids)} ids, score {alone[-1]:.6f}, stepwise gap {gap:.2e}")
        if len(kept) <= max_length - 50:
            assert gap < 1e-6, f"{name}: the padding state has not settled after {max_length - len(kept)} steps"
    print(f"largest stepwise gap: {worst_gap[0]:.3e} ({worst_gap[1]})")
    # One case a line: the file stays small and its diffs readable.
    with open(os.path.join(args.out, "imdb-lstm-explain-golden.json"), "w", encoding="utf-8") as f:
        header = {"model": os.path.basename(args.model), "max_length": max_length, "keras_version": keras.__version__}
        f.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "cases": [\n')
        f.write(",\n".join(json.dumps(case, ensure_ascii=False, separators=(",", ":")) for case in cases))
        f.write("\n]}\n")


if __name__ == "__main__":
    main()
