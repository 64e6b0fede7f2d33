"""Shared pieces of the orchestration tests: free ports, lstm-serve replicas, bounded waits, review bodies.

Every wait is bounded and fails with a message; every process started is stopped by its process id.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "Tests/SentimentModelTests/Fixtures/imdb-lstm-golden.json"


class Failure(Exception):
    """A check of an orchestration test did not hold."""


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout, what):
    """Polls `predicate` every 50 ms until it is true; raises Failure naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise Failure(f"timed out after {timeout} s waiting for {what}")


def review_bodies(count=64):
    """`/classify` JSON bodies of real IMDB reviews (the committed golden texts), one a line."""
    cases = json.loads(GOLDEN.read_text())["cases"]
    return [json.dumps({"text": case["text"]}) for case in cases[:count]]


def http_status(port, path, timeout=1.0):
    """The status of `GET path` on a new connection, or None if there is no answer."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
            connection.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
            head = connection.recv(64).decode("latin-1")
            return int(head.split(" ")[1]) if head.startswith("HTTP/1.") else None
    except (OSError, ValueError, IndexError):
        return None


class Replica:
    """One lstm-serve process on a loopback port, its output in a log file."""

    def __init__(self, binary, port, log_dir, name, *extra):
        self.binary, self.port, self.name, self.extra = binary, port, name, list(extra)
        self.log_path = Path(log_dir) / f"{name}.log"
        self.process = None

    def start(self):
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [self.binary, "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "info",
             "--model", str(REPO / "Models/imdb-lstm.keras"), *self.extra],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_until(lambda: http_status(self.port, "/readyz") == 200, 30, f"{self.name} to be ready")

    def terminate(self, timeout=30):
        """SIGTERM, then waits for the exit; returns the exit status."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failure(f"{self.name} did not exit within {timeout} s of SIGTERM")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def log(self):
        return self.log_path.read_text() if self.log_path.exists() else ""


def lstm_serve_binary():
    """The binary to test: $LSTM_SERVE, else the release build."""
    binary = os.environ.get("LSTM_SERVE") or str(REPO / ".build/release/lstm-serve")
    if not os.access(binary, os.X_OK):
        raise Failure(f"no lstm-serve binary at {binary}: build it (swift build -c release) or set LSTM_SERVE")
    return binary


def run(main):
    """Runs a test's `main`, turning a Failure into one line on standard error and exit status 1."""
    try:
        main()
    except Failure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
