"""Start-up time of an HTTP service: from launching the process to its first `GET /readyz` 200.

    python3 benchmarks/startup.py [--runs 9] [--port 18190] -- COMMAND [ARGS...]
    python3 benchmarks/startup.py -- .build/release/lstm-serve --host 127.0.0.1 --port 18190 --log-level warning

COMMAND must listen on 127.0.0.1:PORT (pass the same port to it). Each run launches the command,
polls /readyz every millisecond over loopback, records the time of the first 200, stops the
process with SIGTERM and waits for it. Prints every run and the median. Standard library only.
"""
import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import time


def ready(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=0.2)
    try:
        connection.request("GET", "/readyz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--port", type=int, default=18190)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for readiness per run")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command after --")
    if ready(args.port):
        parser.error(f"something already answers on port {args.port}")
    times = []
    for run in range(args.runs):
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not ready(args.port):
                if process.poll() is not None:
                    print(f"run {run + 1}: the process exited with {process.returncode} before it was ready", file=sys.stderr)
                    return 1
                if time.perf_counter() - start > args.timeout:
                    print(f"run {run + 1}: not ready after {args.timeout} s", file=sys.stderr)
                    return 1
                time.sleep(0.001)
            elapsed = (time.perf_counter() - start) * 1000
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        times.append(elapsed)
        print(f"run {run + 1}: ready after {elapsed:.1f} ms")
    print(f"start-up to /readyz 200: median {statistics.median(times):.1f} ms of {len(times)} "
          f"(min {min(times):.1f}, max {max(times):.1f}); {os.uname().machine}, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
