"""Train the IMDB sentiment LSTM and write the checkpoint, vocabulary and metrics.

    python training/train.py --data ../shared/data/imdb --out Models/

Architecture (fixed; the service serves exactly this graph):
    Embedding(10000, 32) -> LSTM(32) -> Dense(1, sigmoid), 328,353 parameters,
    inputs padded/truncated to 500 ids with padding='pre', truncating='pre'.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import time

import numpy as np

import tokenizer as tok


def read_jsonl(path: str) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def build_model(vocab_size: int, max_length: int, width: int, units: int, dropout: float, recurrent_dropout: float):
    import keras
    model = keras.Sequential(
        [
            keras.Input(shape=(max_length,), dtype="int32", name="token_ids"),
            keras.layers.Embedding(vocab_size, width, name="embedding"),
            keras.layers.LSTM(units, dropout=dropout, recurrent_dropout=recurrent_dropout, name="lstm"),
            keras.layers.Dense(1, activation="sigmoid", name="dense"),
        ],
        name="imdb_lstm",
    )
    return model


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="folder with train.jsonl.gz and test.jsonl.gz")
    p.add_argument("--out", default="Models", help="output folder (default: Models)")
    p.add_argument("--vocab-size", type=int, default=10_000)
    p.add_argument("--max-length", type=int, default=500)
    p.add_argument("--width", type=int, default=32, help="embedding width")
    p.add_argument("--units", type=int, default=32, help="LSTM units")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--dropout", type=float, default=0.2, help="dropout on the LSTM inputs (training only)")
    p.add_argument("--recurrent-dropout", type=float, default=0.0, help="dropout on the recurrent state (training only)")
    p.add_argument("--patience", type=int, default=2, help="epochs without a better validation accuracy before stopping")
    p.add_argument("--validation", type=int, default=2_500, help="training reviews held out to pick the epoch")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--name", default="imdb-lstm", help="file stem of the checkpoint and vocabulary")
    args = p.parse_args()

    import keras
    import tensorflow as tf

    random.seed(args.seed)
    np.random.seed(args.seed)
    keras.utils.set_random_seed(args.seed)

    train = read_jsonl(os.path.join(args.data, "train.jsonl.gz"))
    test = read_jsonl(os.path.join(args.data, "test.jsonl.gz"))
    vocab = tok.build_vocabulary((r["text"] for r in train), args.vocab_size)
    word_ids = {w: i for i, w in enumerate(vocab) if i > tok.UNUSED_ID}

    def arrays(rows):
        x = np.array([tok.pad(tok.encode(r["text"], word_ids), args.max_length) for r in rows], dtype=np.int32)
        y = np.array([r["label"] for r in rows], dtype=np.float32)
        return x, y

    order = np.random.permutation(len(train))
    train = [train[i] for i in order]
    x_train, y_train = arrays(train)
    x_test, y_test = arrays(test)
    x_fit, y_fit = x_train[args.validation:], y_train[args.validation:]
    x_val, y_val = x_train[: args.validation], y_train[: args.validation]

    model = build_model(args.vocab_size, args.max_length, args.width, args.units, args.dropout, args.recurrent_dropout)
    model.compile(optimizer=keras.optimizers.Adam(args.learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    model.summary()

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            logs["seconds"] = time.perf_counter() - self.start

    history = model.fit(
        x_fit, y_fit, validation_data=(x_val, y_val), epochs=args.epochs, batch_size=args.batch_size,
        callbacks=[EpochTimer(), keras.callbacks.EarlyStopping("val_accuracy", patience=args.patience, restore_best_weights=True)],
        verbose=2,
    )
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    print(f"test accuracy {accuracy:.4f} loss {loss:.4f} on {len(x_test)} reviews")

    os.makedirs(args.out, exist_ok=True)
    model.save(os.path.join(args.out, f"{args.name}.keras"))
    tok.write_vocabulary(vocab, os.path.join(args.out, f"{args.name}-vocab.txt"))
    metrics = {
        "test_accuracy": float(accuracy), "test_loss": float(loss), "test_reviews": len(x_test),
        "parameters": int(model.count_params()),
        "epochs_run": len(history.history["loss"]),
        "best_epoch": int(np.argmax(history.history["val_accuracy"])) + 1,
        "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
        "args": vars(args), "tensorflow": tf.__version__, "keras": keras.__version__,
    }
    with open(os.path.join(args.out, f"{args.name}-training.json"), "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
