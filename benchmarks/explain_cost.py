"""The cost of `"explain": true` beside a plain `POST /classify`, on real IMDB test reviews.

    python3 benchmarks/explain_cost.py --data DATA_DIR [--binary .build/release/lstm-serve] \\
        [--reviews 240] [--rounds 5] [--port 18195]

Starts the binary on 127.0.0.1:PORT (the bundled model, `--scheduler inline`, one I/O thread),
waits for /readyz, then sends each review alone over one keep-alive connection, with and without
`"explain": true`, alternating: each round takes every review once in both ways, the order of the
two flipped from one review to the next and from one round to the next, so drift of this VM
touches both alike. Reviews are evenly spaced through `test.jsonl.gz`.

Prints, per length class (by the result's `tokens`: up to 440 ids, whose prefixes are read off one
pass; more, whose longest prefixes run whole), the median round-trip time of each way, their ratio,
the median server CPU time per request (all its threads' /proc/PID/task/*/schedstat, the mean
over each class's requests of a round) and the median response size. Stops the server by its PID. Standard library only.
"""
import argparse
import gzip
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import time

CLASSES = [("<= 440 ids", lambda n: n <= 440), ("> 440 ids", lambda n: n > 440), ("all", lambda n: True)]


def read_reviews(path: str, count: int) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    step = max(len(texts) // count, 1)
    return texts[::step][:count]


def cpu_seconds(pid: int) -> float:
    """CPU time of all the process's threads so far, to the nanosecond (/proc/PID/stat counts 10 ms ticks)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:
            pass  # a thread that ended
    return total / 1e9


def ready(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=0.5)
    try:
        connection.request("GET", "/readyz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder holding test.jsonl.gz")
    parser.add_argument("--binary", default=".build/release/lstm-serve")
    parser.add_argument("--reviews", type=int, default=240)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--port", type=int, default=18195)
    args = parser.parse_args()
    if ready(args.port):
        parser.error(f"something already answers on port {args.port}")
    reviews = read_reviews(os.path.join(args.data, "test.jsonl.gz"), args.reviews)
    bodies = {
        mode: [json.dumps({"text": text, **({"explain": True} if mode == "explain" else {})}).encode() for text in reviews]
        for mode in ("plain", "explain")
    }
    server = subprocess.Popen(
        [args.binary, "--host", "127.0.0.1", "--port", str(args.port), "--scheduler", "inline", "--io-threads", "1",
         "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not ready(args.port):
            if server.poll() is not None or time.monotonic() > deadline:
                print("the server did not become ready", file=sys.stderr)
                return 1
            time.sleep(0.05)
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        headers = {"Content-Type": "application/json"}

        def send(body: bytes) -> tuple[float, bytes]:
            start = time.perf_counter()
            connection.request("POST", "/classify", body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            elapsed = time.perf_counter() - start
            if response.status != 200:
                raise RuntimeError(f"status {response.status}: {data[:200]!r}")
            return elapsed, data

        # One warm-up pass over everything; it also gives each review's length and response sizes.
        tokens = []
        sizes = {"plain": [], "explain": []}
        for index in range(len(reviews)):
            for mode in ("plain", "explain"):
                _, data = send(bodies[mode][index])
                sizes[mode].append(len(data))
            tokens.append(json.loads(data)["tokens"])
        times = {(mode, name): [] for mode in ("plain", "explain") for name, _ in CLASSES}
        cpu = {(mode, name): [] for mode in ("plain", "explain") for name, _ in CLASSES}
        for round_number in range(args.rounds):
            spent = {key: 0.0 for key in cpu}
            counted = {key: 0 for key in cpu}
            for index in range(len(reviews)):
                order = ("plain", "explain") if (index + round_number) % 2 == 0 else ("explain", "plain")
                for mode in order:
                    before = cpu_seconds(server.pid)
                    elapsed, _ = send(bodies[mode][index])
                    used = cpu_seconds(server.pid) - before
                    for name, member in CLASSES:
                        if member(tokens[index]):
                            times[(mode, name)].append(elapsed)
                            spent[(mode, name)] += used
                            counted[(mode, name)] += 1
            for key in cpu:
                if counted[key]:
                    cpu[key].append(spent[key] / counted[key])
        connection.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()

    print(f"{len(reviews)} reviews, {args.rounds} rounds; binary {args.binary}; load average {os.getloadavg()[0]:.2f}")
    print(f"{'class':<11} {'reviews':>7} {'mean ids':>8} {'plain ms':>9} {'explain ms':>10} {'ratio':>6} "
          f"{'plain cpu ms':>12} {'explain cpu ms':>14} {'plain B':>8} {'explain B':>9}")
    for name, member in CLASSES:
        members = [i for i in range(len(reviews)) if member(tokens[i])]
        if not members:
            continue
        plain = statistics.median(times[("plain", name)]) * 1000
        explain = statistics.median(times[("explain", name)]) * 1000
        plain_cpu = statistics.median(cpu[("plain", name)]) * 1000
        explain_cpu = statistics.median(cpu[("explain", name)]) * 1000
        print(f"{name:<11} {len(members):>7} {statistics.mean(tokens[i] for i in members):>8.0f} {plain:>9.3f} {explain:>10.3f} "
              f"{explain / plain:>6.1f} {plain_cpu:>12.3f} {explain_cpu:>14.3f} "
              f"{statistics.median(sizes['plain'][i] for i in members):>8.0f} "
              f"{statistics.median(sizes['explain'][i] for i in members):>9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
