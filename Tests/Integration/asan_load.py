"""The server built with AddressSanitizer (and LeakSanitizer, and UBSan in the C kernel) under hostile load.

Starts the sanitizer build of lstm-serve on a free loopback port, then in turn: wrk posting real reviews over 32
keep-alive connections; malformed raw requests of many kinds, each on a connection of its own; connections reset
in the middle of a head, a body or a chunk; and thousands of connections opened and dropped, some after a partial
request. After each phase the server must still answer. Then SIGTERM: the process must exit 0 with LeakSanitizer's
check at exit passed. Any sanitizer report in its output or in ASAN_OPTIONS' log files fails the test.

    LSTM_SERVE=.build-asan/debug/lstm-serve python3 Tests/Integration/asan_load.py

wrk is Debian's package. Waits are bounded and scaled by LSTM_SERVE_TEST_TIMEOUT_SCALE (a sanitizer build is slow).
"""

import json
import os
import resource
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from orchestration import REPO, Failure, free_port, http_status, review_bodies, run, wait_until

SCALE = int(os.environ.get("LSTM_SERVE_TEST_TIMEOUT_SCALE", "4"))
REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "SUMMARY: AddressSanitizer", "SUMMARY: UndefinedBehaviorSanitizer")

HOST = b"Host: 127.0.0.1\r\n"
CLASSIFY = b"POST /classify HTTP/1.1\r\n" + HOST + b"Content-Type: application/json\r\n"


def body_request(body, extra=b""):
    return CLASSIFY + extra + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


# Requests nobody should send, each on a connection of its own; the server must answer or close, and live on.
MALFORMED = [
    b"GET / HTTP/1.1\n" + HOST + b"\n",  # bare LF
    b"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",  # bare CR
    b"GET / HTTP/1.1\r\n X: folded\r\n\r\n",  # obs-fold
    b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\n" + HOST + b"\r\n",  # request line too long
    b"GET / HTTP/1.1\r\n" + HOST + b"X-Big: " + b"b" * 40_000 + b"\r\n\r\n",  # head too large
    b"GET / HTTP/1.1\r\n" + HOST + b"".join(b"X-%d: v\r\n" % i for i in range(500)) + b"\r\n",  # too many headers
    b"GET / HTTP/9.9\r\n" + HOST + b"\r\n",
    b"PURGE / HTTP/1.1\r\n" + HOST + b"\r\n",
    b"GET http://other.example/healthz HTTP/1.1\r\n" + HOST + b"\r\n",
    b"GET / HTTP/1.1\r\n\r\n",  # no Host
    b"G\x00T / HTTP/1.1\r\n" + HOST + b"\r\n",
    b"\xff\xfe\xfd\r\n\r\n",
    CLASSIFY + b"Content-Length: -1\r\n\r\n",
    CLASSIFY + b"Content-Length: 99999999999999999999999\r\n\r\n",
    CLASSIFY + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    CLASSIFY + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    CLASSIFY + b"Transfer-Encoding: gzip\r\n\r\n",
    CLASSIFY + b"Transfer-Encoding: chunked, gzip\r\n\r\n",
    CLASSIFY + b"Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
    CLASSIFY + b"Transfer-Encoding: chunked\r\n\r\n2;\r\nhi\r\n0\r\n\r\n",
    CLASSIFY + b"Transfer-Encoding: chunked\r\n\r\n2\r\nhiXX0\r\n\r\n",
    CLASSIFY + b"Content-Length: 2000000\r\n\r\n" + b"x" * 1000,  # over the body limit
    CLASSIFY + b"Expect: 999-nothing\r\nContent-Length: 2\r\n\r\n{}",
    body_request(b""),
    body_request(b"{"),
    body_request(b'{"text": "\xff\xfe"}'),
    body_request(b'{"text": "\\ud800"}'),
    body_request(b"[" * 10_000 + b"]" * 10_000),
    body_request(b'{"tokens": [1, 99999999, -5]}'),
    body_request(b'{"tokens": [1e400, 1.5, 123456789012345678901234567890]}'),
    body_request(b'{"text": "a", "text": "b"}'),
    body_request(b"\x00" * 64),
]

# Valid but heavy or odd: any answer will do, as long as there is one and the server lives on.
HEAVY = [
    body_request(b'{"texts": [' + b",".join([b'"x"'] * 5000) + b"]}"),
    body_request(json.dumps({"text": "\u00e9\u2019<br />" * 2000}).encode()),
    body_request(json.dumps({"tokens": [[1] * 500] * 64}).encode()),
]


def exchange(port, data, timeout):
    """Sends `data` on a new connection, then reads until the server closes or `timeout`; returns what came back."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        try:
            connection.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused and closed before taking everything: that is an answer too
        received = b""
        try:
            while not complete(received) and (chunk := connection.recv(65536)):
                received += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        return received


def complete(received):
    """Whether `received` holds a whole response (the server frames every response with Content-Length)."""
    head, separator, body = received.partition(b"\r\n\r\n")
    if not separator:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return True


def reset(connection):
    """Closes with SO_LINGER 0, so the peer sees a reset, not an orderly end."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def healthy(port):
    wait_until(lambda: http_status(port, "/healthz", timeout=2.0 * SCALE) == 200, 10 * SCALE, "the server to answer /healthz")
    response = exchange(port, body_request(b'{"text": "a fine film"}', b"Connection: close\r\n"), 10 * SCALE)
    if not response.startswith(b"HTTP/1.1 200"):
        raise Failure(f"a valid /classify got {response[:200]!r}")


def main():
    binary = os.environ.get("LSTM_SERVE") or str(REPO / ".build-asan/debug/lstm-serve")
    if not os.access(binary, os.X_OK):
        raise Failure(f"no lstm-serve at {binary}: build it with --sanitize=address or set LSTM_SERVE")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 8192), hard), hard))
    work = Path(tempfile.mkdtemp(prefix="asan-load-"))
    port = free_port()
    env = dict(os.environ)
    # Reports also go to files, in case one comes from a thread whose standard error is gone.
    env["ASAN_OPTIONS"] = f"detect_leaks=1:halt_on_error=1:log_path={work}/asan"
    env["UBSAN_OPTIONS"] = f"print_stacktrace=1:halt_on_error=1:log_path={work}/ubsan"
    log_path = work / "server.log"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [binary, "--host", "127.0.0.1", "--port", str(port), "--model", str(REPO / "Models/imdb-lstm.keras"),
         "--max-connections", "4096", "--header-timeout-ms", "2000"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    started = time.monotonic()
    try:
        wait_until(lambda: http_status(port, "/readyz") == 200 or process.poll() is not None, 60 * SCALE, "the server to be ready")
        if process.poll() is not None:
            raise Failure(f"the server exited with {process.returncode} before serving:\n{log_path.read_text()[-4000:]}")
        print(f"ready after {time.monotonic() - started:.1f} s")

        # 1. wrk: real reviews over 32 keep-alive connections.
        script = work / "post.lua"
        bodies = review_bodies(16)
        script.write_text(
            "local bodies = {" + ",".join(json.dumps(b) for b in bodies) + "}\n"
            "local i = 0\n"
            "request = function()\n  i = i % #bodies + 1\n"
            '  return wrk.format("POST", "/classify", {["Content-Type"] = "application/json"}, bodies[i])\nend\n')
        wrk = subprocess.run(["wrk", "-t2", "-c32", "-d10s", "--timeout", f"{5 * SCALE}s", "-s", str(script), f"http://127.0.0.1:{port}/"],
                             capture_output=True, text=True, timeout=60 * SCALE)
        print("wrk: " + " | ".join(line.strip() for line in wrk.stdout.splitlines() if "Requests/sec" in line or "requests in" in line
                                   or "Non-2xx" in line or "Socket errors" in line))
        if wrk.returncode != 0 or "Non-2xx" in wrk.stdout:
            raise Failure(f"wrk failed or got errors:\n{wrk.stdout}\n{wrk.stderr}")
        healthy(port)

        # 2. Malformed requests: each answered (4xx/5xx) or closed.
        answered = 0
        for data in MALFORMED:
            response = exchange(port, data, 10 * SCALE)
            if response.startswith(b"HTTP/1.1 2"):
                raise Failure(f"{data[:80]!r} was accepted: {response[:200]!r}")
            answered += response.startswith(b"HTTP/1.1 ")
        print(f"malformed: {len(MALFORMED)} kinds sent, {answered} answered with an error status, the rest closed")
        for data in HEAVY:
            response = exchange(port, data, 30 * SCALE)
            if not response.startswith(b"HTTP/1.1 "):
                raise Failure(f"no answer to {data[:80]!r}: {response[:200]!r}")
        healthy(port)

        # 3. Resets in the middle of a head, a fixed-length body and a chunked body.
        partials = [
            CLASSIFY + b"Content-Le",
            CLASSIFY + b"Content-Length: 100000\r\n\r\n" + b'{"text": "' + b"x" * 30_000,
            CLASSIFY + b"Transfer-Encoding: chunked\r\n\r\n4000\r\n" + b"y" * 5000,
            CLASSIFY + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-Trail",
        ]
        for round_ in range(100):
            for data in partials:
                connection = socket.create_connection(("127.0.0.1", port), timeout=10 * SCALE)
                connection.sendall(data)
                reset(connection)
        print(f"resets: {100 * len(partials)} connections reset mid-request")
        healthy(port)

        # 4. Thousands of connections opened and dropped, in waves of 500: idle, half a head, or reset.
        dropped = 0
        for wave in range(6):
            connections = []
            for index in range(500):
                try:
                    connection = socket.create_connection(("127.0.0.1", port), timeout=10 * SCALE)
                except OSError as error:
                    raise Failure(f"connection {wave * 500 + index} failed: {error}")
                if index % 3 == 1:
                    connection.sendall(b"GET /healthz HTTP/1.1\r\nHo")
                connections.append(connection)
            for index, connection in enumerate(connections):
                reset(connection) if index % 2 else connection.close()
                dropped += 1
        print(f"dropped: {dropped} connections opened and dropped")
        healthy(port)

        # SIGTERM: drains and exits 0; LeakSanitizer checks at exit (exit status 23 on a leak).
        process.send_signal(signal.SIGTERM)
        try:
            status = process.wait(timeout=60 * SCALE)
        except subprocess.TimeoutExpired:
            raise Failure(f"the server did not exit within {60 * SCALE} s of SIGTERM")
        log.close()
        output = log_path.read_text()
        for report in sorted(work.glob("asan*")) + sorted(work.glob("ubsan*")):
            output += report.read_text()
        found = [line for line in output.splitlines() if any(marker in line for marker in REPORTS)]
        if found or status != 0:
            raise Failure(f"exit status {status}; sanitizer reports:\n" + "\n".join(found) + "\n" + output[-6000:])
        print(f"SIGTERM: exit 0, no sanitizer report; {time.monotonic() - started:.0f} s in all")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    run(main)
