"""The review tokenizer: the one specification that Python (training) and Swift (serving) share.

Specification (version 1). Text is handled as a sequence of Unicode scalars (code points):

1. Line breaks: every `<br`, followed by zero or more U+0020 spaces, an optional `/`, and `>`
   (the letters `b` and `r` in either case) is replaced by one space.
2. Apostrophes: U+2019 (right single quotation mark) becomes U+0027 (').
3. Lower-casing: A-Z become a-z; U+00C0-U+00DE except U+00D7 become the scalar 0x20 above
   (the Latin-1 capitals to their small letters). Nothing else changes.
4. Word scalars: a-z, 0-9, U+0027 ('), and U+00DF-U+00FF except U+00F7. Every other scalar
   separates words (punctuation, other scripts, emoji).
5. A token is a maximal run of word scalars with its leading and trailing apostrophes removed;
   a run that is left empty is dropped.
6. Ids follow keras.datasets.imdb: 0 padding, 1 start of review, 2 out of vocabulary,
   3 reserved (unused); the word of frequency rank r (1 = most frequent in the training split,
   ties broken by code-point order of the word) has id r + 3, and only ids below the
   vocabulary size (10,000) are kept, so the vocabulary holds 9,996 words.
   A review's ids are [1] followed by one id per token.
7. Keras `pad_sequences(maxlen=500, padding="pre", truncating="pre")` then keeps the last
   500 ids, or puts zeros in front of a shorter sequence.

The vocabulary file (`Models/imdb-vocab.txt`) has one entry a line, UTF-8, line k holding the
word of id k; lines 0-3 hold the reserved names `<pad>`, `<start>`, `<unk>`, `<unused>`.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

PAD_ID, START_ID, OOV_ID, UNUSED_ID = 0, 1, 2, 3
INDEX_FROM = 3
RESERVED = ["<pad>", "<start>", "<unk>", "<unused>"]

_BREAK = re.compile(r"<[bB][rR] */?>")


def _lower(ch: str) -> str:
    o = ord(ch)
    if 0x41 <= o <= 0x5A or (0xC0 <= o <= 0xDE and o != 0xD7):
        return chr(o + 0x20)
    return ch


def _is_word(ch: str) -> bool:
    o = ord(ch)
    return (0x61 <= o <= 0x7A or 0x30 <= o <= 0x39 or o == 0x27
            or (0xDF <= o <= 0xFF and o != 0xF7))


def tokenize(text: str) -> list[str]:
    """Split a review into tokens (steps 1-5 of the specification)."""
    text = _BREAK.sub(" ", text).replace("\u2019", "'")
    tokens: list[str] = []
    run: list[str] = []
    for ch in text:
        ch = _lower(ch)
        if _is_word(ch):
            run.append(ch)
            continue
        if run:
            word = "".join(run).strip("'")
            if word:
                tokens.append(word)
            run = []
    if run:
        word = "".join(run).strip("'")
        if word:
            tokens.append(word)
    return tokens


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """The tokens of `tokenize(text)`, each with where it lies in `text`: (token, start, end) in
    code points (Python `str` indices), end exclusive, so `text[start:end]` is what the token was
    made from. Steps 1-5 position by position: steps 2 and 3 map one scalar to one, so each
    scalar of a token has one source position, and a line-break tag only separates."""
    spans: list[tuple[str, int, int]] = []
    run: list[str] = []
    run_start = 0

    def flush() -> None:
        word = "".join(run)
        lead = len(word) - len(word.lstrip("'"))
        kept = word.strip("'")
        if kept:
            spans.append((kept, run_start + lead, run_start + lead + len(kept)))
        run.clear()

    index = 0
    while index < len(text):
        tag = _BREAK.match(text, index)
        if tag:
            flush()
            index = tag.end()
            continue
        ch = _lower("'" if text[index] == "\u2019" else text[index])
        if _is_word(ch):
            if not run:
                run_start = index
            run.append(ch)
        elif run:
            flush()
        index += 1
    if run:
        flush()
    return spans


def build_vocabulary(texts: Iterable[str], size: int = 10_000) -> list[str]:
    """The id-ordered vocabulary (step 6): entry k is the word of id k."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(tokenize(text))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    words = [w for w, _ in ranked[: size - INDEX_FROM - 1]]
    return RESERVED + words


def encode(text: str, word_ids: dict[str, int]) -> list[int]:
    """The unpadded id sequence of a review: [1] then one id per token."""
    return [START_ID] + [word_ids.get(t, OOV_ID) for t in tokenize(text)]


def pad(ids: list[int], max_length: int = 500) -> list[int]:
    """Keras pad_sequences with padding='pre', truncating='pre'."""
    ids = ids[-max_length:]
    return [PAD_ID] * (max_length - len(ids)) + ids


def read_vocabulary(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")[:-1]


def write_vocabulary(words: list[str], path: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for w in words:
            f.write(w + "\n")
