"""Throughput of the imdb-lstm model in its peers, on the same real IMDB test reviews.

    benchmarks/.venv/bin/python benchmarks/peers.py --data DATA_DIR --model Models/imdb-lstm.keras \
        [--lstm-serve .build/release/lstm-serve] [--reviews 4096] [--repeats 5]

Cases (sequences per second = reviews scored / wall-clock seconds of the inference calls only;
tokenizing and building the input arrays happen before the clock starts):
  (reviews: N evenly spaced through test.jsonl.gz, see read_reviews)
  keras            model.predict(batch_size=64) on [N, 500] pre-padded ids (jit_compile=False)
  keras-xla        the same after model.compile(jit_compile=True)
  onnx-padded      ONNX Runtime (intra_op_num_threads=2), batches of B padded to 500
  onnx-trimmed     ONNX Runtime, reviews sorted by length, batches of B padded only to their
                   longest member, each sequence starting from the exact state after its
                   500 - L pad tokens (initial_h/initial_c + sequence_lens; see onnx_lstm.py)
  lstm-serve       optional: `lstm-serve bench --data FILE --reviews N --batch-sizes ... --json`,
                   FILE holding exactly the reviews above; its rows are compared like for like:
                   cases named real_lengths (or *trim*) with onnx-trimmed, max_length (or *pad*)
                   with onnx-padded, others with both;
                   while `bench` is not available: `lstm-serve eval --batch-size B` on a file of
                   exactly these reviews, reading the forward-pass seconds it prints
                   (case lstm-serve:eval-forward; --no-eval-fallback to skip)
ONNX cases run at batch sizes 1, 8, 64, 256 (--batch-sizes). Each number is the median of
--repeats timed runs after one warm-up run. The ONNX scores are checked against Keras predict
(max |difference| must be <= 1e-5) at every batch size before it is timed; the script stops
if they differ.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "training"))
sys.path.insert(0, HERE)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import onnx_lstm  # noqa: E402
import tokenizer as tok  # noqa: E402

TOLERANCE = 1e-5


def machine() -> dict:
    cpu = "unknown"
    flags = set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and cpu == "unknown":
                    cpu = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "simd": [f for f in ("avx2", "fma", "avx512f") if f in flags],
        "loadavg_at_start": load,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def versions() -> dict:
    import importlib.metadata as md

    out = {}
    for name in ("tensorflow-cpu", "tensorflow", "keras", "numpy", "onnx", "onnxruntime"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            pass
    return out


def read_reviews(data_dir: str, n: int) -> list[dict]:
    """n reviews of test.jsonl.gz evenly spaced through the file (which is sorted by label), the
    same ones on every run: review i * total // n for i < n."""
    path = os.path.join(data_dir, "test.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        lines = f.readlines()
    n = min(n, len(lines))
    return [json.loads(lines[i * len(lines) // n]) for i in range(n)]


def timed(fn, repeats: int) -> tuple[float, list[float]]:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def chunks(seq, size):
    return [seq[i:i + size] for i in range(0, len(seq), size)]


def write_reviews(reviews: list[dict], path: str) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for r in reviews:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def run_lstm_serve(binary: str, data_path: str, n: int, batch_sizes: list[int],
                   extra: list[str]) -> list[dict] | None:
    """`lstm-serve bench --data FILE --json` (FILE: exactly the reviews the peers read), its JSON
    lines with at least case, batch_size, sequences_per_second. Versions of bench that print
    JSON without being asked and refuse --json are run again without it."""
    base = [binary, "bench", "--data", data_path, "--reviews", str(n),
            "--batch-sizes", *map(str, batch_sizes), *extra]
    for cmd in (base + ["--json"], base):
        print("running:", " ".join(cmd), flush=True)
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as e:
            print(f"lstm-serve bench: not available ({e})")
            return None
        rows = []
        for line in p.stdout.splitlines():
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if {"case", "batch_size", "sequences_per_second"} <= row.keys():
                rows.append(row)
        if p.returncode == 0 and rows:
            return rows
        usage = "Usage: lstm-serve bench" in p.stderr or "Unknown option" in p.stderr
        if not (p.returncode == 64 and usage and "--json" in cmd):
            break
    tail = (p.stderr.strip().splitlines() or [""])[-1]
    print(f"lstm-serve bench: not available (exit {p.returncode}; {tail[:200]})")
    return None


def run_lstm_serve_eval(binary: str, reviews: list[dict], batch_sizes: list[int], repeats: int) -> list[dict]:
    """Fallback while `lstm-serve bench` does not exist: `lstm-serve eval --batch-size B` on a
    .jsonl.gz holding exactly these reviews, reading the forward-pass seconds it prints
    ("forward X s"). Median of `repeats` runs after one warm-up, like the other cases."""
    import re
    import tempfile

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "reviews.jsonl.gz")
        write_reviews(reviews, path)
        for bs in batch_sizes:
            cmd = [binary, "eval", "--data", path, "--batch-size", str(bs)]
            times = []
            for rep in range(repeats + 1):
                try:
                    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
                except (OSError, subprocess.TimeoutExpired) as e:
                    print(f"lstm-serve eval: failed ({e})")
                    return rows
                m = re.search(r"forward ([0-9.]+) s", p.stdout + p.stderr)
                if p.returncode != 0 or not m:
                    print(f"lstm-serve eval: no 'forward X s' in its output (exit {p.returncode}); skipped")
                    return rows
                if rep:
                    times.append(float(m.group(1)))
            med = statistics.median(times)
            rows.append({"case": "eval-forward", "batch_size": bs, "sequences": len(reviews),
                         "sequences_per_second": len(reviews) / med, "median_seconds": med,
                         "all_seconds": times, "source": " ".join(cmd[:2] + cmd[4:])})
            print(f"  lstm-serve:eval-forward batch {bs:>4}: {len(reviews) / med:>10.1f} seq/s "
                  f"(median {med:.3f} s of {len(times)})", flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="folder with test.jsonl.gz")
    ap.add_argument("--model", required=True, help="Keras checkpoint, e.g. Models/imdb-lstm.keras")
    ap.add_argument("--vocab", help="vocabulary (default: <model stem>-vocab.txt beside the model)")
    ap.add_argument("--lstm-serve", help="lstm-serve executable; runs `lstm-serve bench` for comparison")
    ap.add_argument("--lstm-serve-arg", action="append", default=[],
                    help="extra argument for `lstm-serve bench` (repeatable)")
    ap.add_argument("--no-eval-fallback", action="store_true",
                    help="without `lstm-serve bench`, do not time `lstm-serve eval` instead")
    ap.add_argument("--reviews", type=int, default=4096, help="first N test reviews (default 4096)")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per case; the median is reported")
    ap.add_argument("--batch-sizes", default="1,8,64,256", help="ONNX Runtime batch sizes")
    ap.add_argument("--threads", type=int, default=2, help="ONNX Runtime intra_op_num_threads")
    ap.add_argument("--skip-keras-timing", action="store_true",
                    help="run Keras predict once for the check, time only ONNX")
    ap.add_argument("--no-xla", action="store_true", help="skip the keras-xla case")
    ap.add_argument("--json-out", help="also write the JSON summary to this file")
    args = ap.parse_args()

    info = {"machine": machine(), "versions": versions()}
    print(f"machine: {info['machine']['cpu']}, {info['machine']['usable_cpus']} usable cores "
          f"({info['machine']['logical_cpus']} logical), simd {','.join(info['machine']['simd'])}, "
          f"load average {info['machine']['loadavg_at_start']}")
    print("versions:", ", ".join(f"{k} {v}" for k, v in info["versions"].items()))

    vocab_path = args.vocab or os.path.splitext(args.model)[0] + "-vocab.txt"
    words = tok.read_vocabulary(vocab_path)
    word_ids = {w: i for i, w in enumerate(words) if i > tok.UNUSED_ID}
    reviews = read_reviews(args.data, args.reviews)
    seqs = [tok.encode(r["text"], word_ids) for r in reviews]
    n = len(seqs)
    lengths = np.array([min(len(s), onnx_lstm.MAX_LENGTH) for s in seqs])
    print(f"reviews: {n} from {os.path.join(args.data, 'test.jsonl.gz')}; ids per review "
          f"(start id included, after truncation to 500): mean {lengths.mean():.1f}, "
          f"median {int(np.median(lengths))}, {(np.array([len(s) for s in seqs]) > 500).mean() * 100:.1f}% truncated")
    padded_all = onnx_lstm.padded_batch(seqs)["ids"]

    import keras

    model = keras.models.load_model(args.model, compile=False)
    w = onnx_lstm.KerasWeights.from_keras_model(model)
    results: list[dict] = []

    def record(case, batch_size, seconds, times, **extra):
        row = {"case": case, "batch_size": batch_size, "sequences": n,
               "sequences_per_second": n / seconds, "median_seconds": seconds,
               "all_seconds": [round(t, 4) for t in times], **extra}
        results.append(row)
        d = f", max |diff| vs keras {extra['max_abs_diff_vs_keras']:.2g}" if "max_abs_diff_vs_keras" in extra else ""
        print(f"  {case:<14} batch {batch_size:>4}: {row['sequences_per_second']:>10.1f} seq/s "
              f"(median {seconds:.3f} s of {len(times)}{d})", flush=True)

    # Keras predict: the reference scores, and its throughput.
    model.compile(jit_compile=False)
    t0 = time.perf_counter()
    keras_scores = model.predict(padded_all, batch_size=64, verbose=0).reshape(-1)
    print(f"keras predict (reference scores): {time.perf_counter() - t0:.2f} s incl. tracing", flush=True)
    if not args.skip_keras_timing:
        med, times = timed(lambda: model.predict(padded_all, batch_size=64, verbose=0), args.repeats)
        record("keras", 64, med, times)
        if not args.no_xla:
            try:
                model.compile(jit_compile=True)
                xla = model.predict(padded_all, batch_size=64, verbose=0).reshape(-1)
                diff = float(np.abs(xla - keras_scores).max())
                med, times = timed(lambda: model.predict(padded_all, batch_size=64, verbose=0), args.repeats)
                record("keras-xla", 64, med, times, max_abs_diff_vs_keras=diff,
                       jit_compile_effective=bool(model.jit_compile))
            except Exception as e:  # XLA may refuse the graph; report and go on
                print(f"  keras-xla: failed ({type(e).__name__}: {str(e).splitlines()[0][:200]})")

    # ONNX Runtime, built by hand from the Keras weights.
    hs, cs = onnx_lstm.pad_states(w)
    sess_padded = onnx_lstm.session(onnx_lstm.build_onnx(w, trimmed=False), args.threads)
    sess_trimmed = onnx_lstm.session(onnx_lstm.build_onnx(w, trimmed=True), args.threads)
    order = np.argsort(lengths, kind="stable")
    batch_sizes = [int(b) for b in args.batch_sizes.split(",")]

    def padded_feeds(bs):
        return [{"ids": padded_all[i:i + bs]} for i in range(0, n, bs)]

    def trimmed_feeds(bs):
        return [(idx, onnx_lstm.trimmed_batch([seqs[j] for j in idx], hs, cs))
                for idx in chunks(order, bs)]

    # Correctness first: both variants against Keras predict, at batch 64.
    onnx_p = np.concatenate([sess_padded.run(None, f)[0].reshape(-1) for f in padded_feeds(64)])
    onnx_t = np.empty(n, np.float32)
    for idx, f in trimmed_feeds(64):
        onnx_t[idx] = sess_trimmed.run(None, f)[0].reshape(-1)
    checks = {"onnx-padded": float(np.abs(onnx_p - keras_scores).max()),
              "onnx-trimmed": float(np.abs(onnx_t - keras_scores).max())}
    for case, diff in checks.items():
        print(f"check {case} vs keras predict on {n} reviews: max |diff| = {diff:.3g} "
              f"({'ok' if diff <= TOLERANCE else 'FAIL'}, tolerance {TOLERANCE:g})")
    info["checks"] = {k: {"max_abs_diff": v, "ok": v <= TOLERANCE} for k, v in checks.items()}
    accuracy = float(((keras_scores >= 0.5) == np.array([r["label"] == 1 for r in reviews])).mean())
    info["keras_accuracy_on_these_reviews"] = accuracy
    if not all(v <= TOLERANCE for v in checks.values()):
        print("ONNX scores differ from Keras: not timing them", file=sys.stderr)
        sys.exit(1)

    for bs in batch_sizes:
        feeds = padded_feeds(bs)
        got = np.concatenate([sess_padded.run(None, f)[0].reshape(-1) for f in feeds])
        diff_p = float(np.abs(got - keras_scores).max())
        med, times = timed(lambda: [sess_padded.run(None, f) for f in feeds], args.repeats)
        record("onnx-padded", bs, med, times, threads=args.threads, max_abs_diff_vs_keras=diff_p)
        indexed = trimmed_feeds(bs)
        tfeeds = [f for _, f in indexed]
        got = np.empty(n, np.float32)
        for idx, f in indexed:
            got[idx] = sess_trimmed.run(None, f)[0].reshape(-1)
        diff_t = float(np.abs(got - keras_scores).max())
        if max(diff_p, diff_t) > TOLERANCE:
            print(f"  batch {bs}: ONNX differs from Keras by {max(diff_p, diff_t):.3g} (> {TOLERANCE:g})",
                  file=sys.stderr)
            sys.exit(1)
        steps = sum(int(f["ids"].shape[1]) * len(f["sequence_lens"]) for f in tfeeds)
        med, times = timed(lambda: [sess_trimmed.run(None, f) for f in tfeeds], args.repeats)
        record("onnx-trimmed", bs, med, times, threads=args.threads, max_abs_diff_vs_keras=diff_t,
               lstm_steps_fraction_of_padded=round(steps / (n * onnx_lstm.MAX_LENGTH), 4))

    ours = None
    if args.lstm_serve:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "reviews.jsonl.gz")
            write_reviews(reviews, path)  # the same reviews, in the same order
            ours = run_lstm_serve(args.lstm_serve, path, n, batch_sizes, args.lstm_serve_arg)
    if args.lstm_serve and ours is None and not args.no_eval_fallback:
        print("falling back to `lstm-serve eval` forward-pass time on the same reviews", flush=True)
        ours = run_lstm_serve_eval(args.lstm_serve, reviews, batch_sizes, args.repeats) or None
    ratios = []
    if ours:
        onnx_by = {(r["case"], r["batch_size"]): r["sequences_per_second"] for r in results}
        for row in ours:
            results.append({**row, "case": "lstm-serve:" + str(row["case"])})
            case = str(row["case"])
            # like for like: real lengths vs trimmed ONNX, maximum length vs padded ONNX
            peers = (("onnx-trimmed",) if "real" in case or "trim" in case or "eval" in case
                     else ("onnx-padded",) if "max" in case or "pad" in case
                     else ("onnx-padded", "onnx-trimmed"))
            for peer in peers:
                ref = onnx_by.get((peer, row["batch_size"]))
                if ref:
                    ratios.append({"lstm_serve_case": row["case"], "batch_size": row["batch_size"],
                                   "vs": peer, "ratio": row["sequences_per_second"] / ref})

    print()
    print(f"{'case':<28} {'batch':>5} {'seq/s':>11} {'median s':>9}")
    for r in results:
        med = f"{r['median_seconds']:.3f}" if "median_seconds" in r else "-"
        print(f"{r['case']:<28} {r['batch_size']:>5} {r['sequences_per_second']:>11.1f} {med:>9}")
    if ratios:
        print()
        print(f"{'lstm-serve case':<20} {'batch':>5} {'vs':<13} {'ratio':>7}")
        for r in ratios:
            flag = "" if r["ratio"] >= 1 else "  <-- slower than ONNX Runtime"
            print(f"{r['lstm_serve_case']:<20} {r['batch_size']:>5} {r['vs']:<13} {r['ratio']:>7.2f}{flag}")
    try:
        info["machine"]["loadavg_at_end"] = os.getloadavg()
    except OSError:
        pass
    summary = {**info, "reviews": n, "repeats": args.repeats, "results": results, "ratios": ratios}
    print()
    print("JSON " + json.dumps(summary))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
