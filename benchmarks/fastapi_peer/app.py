"""The peer service most people would write: FastAPI + uvicorn + ONNX Runtime, dynamic batching.

    benchmarks/.venv/bin/python benchmarks/fastapi_peer/app.py --onnx-prefix PREFIX \
        --vocab Models/imdb-lstm-vocab.txt [--mode padded|trimmed] [--host 127.0.0.1] [--port 18182]

(benchmarks/run_fastapi_peer.sh builds PREFIX-{padded,trimmed}.onnx from the Keras checkpoint
and starts this.)

  POST /classify {"text": "..."} -> {"label", "score", "tokens", "truncated"}, header X-Batch-Size
  GET  /healthz                  -> {"status": "ok"}

Each request is tokenized on the event loop (training/tokenizer.py, the same ids as lstm-serve)
and put on an asyncio queue. One batching task takes the first waiting request and every other
one already queued, up to --max-batch (64), and runs ONNX Runtime (intra_op_num_threads=2) for
them in a one-thread executor; requests that arrive meanwhile form the next batch. No delay is
added to wait for company (like lstm-serve's default --max-batch-delay-us 0).

--mode padded (default, what most people write): every batch is [B, 500] with Keras `pre`
padding. --mode trimmed: the batch is padded only to its longest member, each sequence starting
from the exact LSTM state after its omitted pad tokens (see onnx_lstm.py); same scores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "training"))
sys.path.insert(0, os.path.dirname(HERE))

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from pydantic import BaseModel, ConfigDict  # noqa: E402

import onnx_lstm  # noqa: E402
import tokenizer as tok  # noqa: E402

MAX_LENGTH = onnx_lstm.MAX_LENGTH


class ClassifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str


class Batcher:
    def __init__(self, onnx_prefix: str, mode: str, max_batch: int, threads: int):
        self.mode = mode
        self.max_batch = max_batch
        path = f"{onnx_prefix}-{mode}.onnx"
        self.session = onnx_lstm.session(path, threads)
        if mode == "trimmed":
            self.hs, self.cs = onnx_lstm.pad_states(onnx_lstm.weights_from_onnx(onnx.load(path)))
        self.queue: asyncio.Queue = asyncio.Queue()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="onnx")
        self.task: asyncio.Task | None = None

    def infer(self, seqs: list[list[int]]) -> np.ndarray:
        if self.mode == "trimmed":
            feed = onnx_lstm.trimmed_batch(seqs, self.hs, self.cs)
        else:
            feed = onnx_lstm.padded_batch(seqs)
        return self.session.run(None, feed)[0].reshape(-1)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self.queue.get()]
            while len(batch) < self.max_batch and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                scores = await loop.run_in_executor(self.executor, self.infer, [ids for ids, _ in batch])
                for (_, fut), score in zip(batch, scores):
                    if not fut.done():
                        fut.set_result((float(score), len(batch)))
            except Exception as e:  # pragma: no cover - reported to every waiter
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(e)

    async def classify(self, ids: list[int]) -> tuple[float, int]:
        fut = asyncio.get_running_loop().create_future()
        await self.queue.put((ids, fut))
        return await fut


def create_app(onnx_prefix: str, vocab: str, mode: str = "padded", max_batch: int = 64,
               threads: int = 2) -> FastAPI:
    words = tok.read_vocabulary(vocab)
    word_ids = {w: i for i, w in enumerate(words) if i > tok.UNUSED_ID}
    batcher = Batcher(onnx_prefix, mode, max_batch, threads)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        batcher.task = asyncio.create_task(batcher.run())
        yield
        batcher.task.cancel()

    app = FastAPI(title="imdb-lstm FastAPI peer", lifespan=lifespan)

    @app.post("/classify")
    async def classify(req: ClassifyRequest):
        ids = tok.encode(req.text, word_ids)
        score, batch_size = await batcher.classify(ids[-MAX_LENGTH:])
        return JSONResponse(
            {"label": "positive" if score >= 0.5 else "negative", "score": score,
             "tokens": len(ids), "truncated": len(ids) > MAX_LENGTH},
            headers={"X-Batch-Size": str(batch_size)})

    @app.get("/healthz")
    async def healthz():
        return {"status": "ok"}

    return app


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnx-prefix", required=True, help="reads PREFIX-padded.onnx or PREFIX-trimmed.onnx")
    ap.add_argument("--vocab", default=os.path.join(REPO, "Models", "imdb-lstm-vocab.txt"))
    ap.add_argument("--mode", choices=["padded", "trimmed"], default="padded")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=18182)
    ap.add_argument("--max-batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2, help="ONNX Runtime intra_op_num_threads")
    args = ap.parse_args()
    import uvicorn

    app = create_app(args.onnx_prefix, args.vocab, args.mode, args.max_batch, args.threads)
    print(f"fastapi peer: mode {args.mode}, max batch {args.max_batch}, {args.host}:{args.port}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, workers=1, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
