"""A gzip bomb against the release binary: 1 GiB of zeros, compressed at test time, ends in 413 in bounded memory.

The bomb is made by streaming 1 GiB of zeros through zlib (level 9) in 1 MiB pieces, so neither this script nor the
repository ever holds the gigabyte: about 1 MB of gzip. It is sent as a `/classify` body with `Content-Encoding: gzip`
(then again as zlib-wrapped `deflate`) to lstm-serve started with `--max-body-bytes 2097152`: the compressed body is
under the limit as sent, so only the limit on the decoded size can stop it.

Passes when each answer is 413 `payload_too_large` naming the limit, within 10 s, and the server's peak resident
memory while it handled the bomb rose above its resting size by less than the body limit plus 8 MiB: the compressed
body is held (about 1 MB, and the parser's copy of it), and the decoded bytes up to the limit, never the gigabyte.
The peak is the kernel's VmHWM from /proc/PID/status, reset to the resident size just before each bomb by writing 5
to /proc/PID/clear_refs (Linux 4.0 and later). The server must then still classify.

    LSTM_SERVE=.build/release/lstm-serve python3 Tests/Integration/gzip_bomb.py
"""

import json
import socket
import tempfile
import time
import zlib
from pathlib import Path

from orchestration import Failure, Replica, free_port, lstm_serve_binary, run

LIMIT = 2 * 1024 * 1024
SLACK = 8 * 1024 * 1024
ZEROS = 1 << 30


def bomb(wbits):
    """1 GiB of zeros compressed with zlib's `wbits` (31: gzip, 15: zlib), made in 1 MiB pieces."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    piece = bytes(1 << 20)
    parts = [compressor.compress(piece) for _ in range(ZEROS // len(piece))]
    parts.append(compressor.flush())
    return b"".join(parts)


def status_kib(pid, field):
    """A `kB` field of /proc/PID/status, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise Failure(f"no {field} in /proc/{pid}/status")


def reset_peak(pid):
    """Resets VmHWM to the current VmRSS (clear_refs 5); returns the resting VmRSS in KiB."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError as error:
        raise Failure(f"cannot reset the peak resident size through /proc/{pid}/clear_refs: {error}")
    resting = status_kib(pid, "VmRSS")
    peak = status_kib(pid, "VmHWM")
    if peak > resting + 1024:
        raise Failure(f"VmHWM {peak} KiB did not reset to VmRSS {resting} KiB")
    return resting


def exchange(port, head, body, timeout=10):
    """Sends one request; returns (status, headers text, body bytes, seconds). The answer is read to its Content-Length."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        try:
            connection.sendall(head + body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything; the answer is still readable
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = connection.recv(65536)
            if not chunk:
                raise Failure(f"connection closed before an answer; got {received[:200]!r}")
            received += chunk
        head_text, _, rest = received.partition(b"\r\n\r\n")
        lines = head_text.decode("latin-1").split("\r\n")
        length = next((int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), 0)
        while len(rest) < length:
            chunk = connection.recv(65536)
            if not chunk:
                break
            rest += chunk
    return int(lines[0].split(" ")[1]), "\r\n".join(lines[1:]), rest[:length], time.monotonic() - started


def classify_head(length, coding=None):
    extra = f"Content-Encoding: {coding}\r\n" if coding else ""
    return (f"POST /classify HTTP/1.1\r\nHost: bomb\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {length}\r\n\r\n").encode()


def main():
    binary = lstm_serve_binary()
    with tempfile.TemporaryDirectory() as logs:
        replica = Replica(binary, free_port(), logs, "bomb", "--max-body-bytes", str(LIMIT))
        replica.start()
        try:
            pid = replica.process.pid
            review = json.dumps({"texts": ["A wonderful, moving film."] * 8}).encode()
            # Warm up: plain and compressed requests, so the allocator has what steady serving uses.
            for _ in range(20):
                for body, coding in [(review, None), (zlib.compress(review), "deflate")]:
                    status, _, _, _ = exchange(replica.port, classify_head(len(body), coding), body)
                    if status != 200:
                        raise Failure(f"warm-up request answered {status}")
            for name, coding, wbits in [("gzip", "gzip", 31), ("zlib-wrapped deflate", "deflate", 15)]:
                started = time.monotonic()
                payload = bomb(wbits)
                made = time.monotonic() - started
                if len(payload) >= LIMIT:
                    raise Failure(f"the {name} bomb is {len(payload)} bytes, not under the {LIMIT}-byte limit as sent")
                resting = reset_peak(pid)
                status, headers, body, seconds = exchange(replica.port, classify_head(len(payload), coding), payload)
                peak = status_kib(pid, "VmHWM")
                rise = (peak - resting) * 1024
                print(f"{name} bomb: {ZEROS} zeros as {len(payload)} bytes (made in {made:.1f} s); answer {status} in "
                      f"{seconds * 1000:.0f} ms; resident {resting / 1024:.1f} MiB at rest, peak {peak / 1024:.1f} MiB, "
                      f"rise {rise / 1048576:.2f} MiB (bound: limit {LIMIT / 1048576:.0f} MiB + {SLACK / 1048576:.0f} MiB)")
                answer = json.loads(body or b"{}")
                if status != 413 or answer.get("error", {}).get("code") != "payload_too_large":
                    raise Failure(f"the {name} bomb was answered {status} {body[:300]!r}")
                if f"limit of {LIMIT} bytes" not in answer["error"]["message"]:
                    raise Failure(f"the 413 does not name the limit: {answer['error']['message']!r}")
                if seconds > 10:
                    raise Failure(f"the {name} bomb took {seconds:.1f} s to refuse")
                if rise >= LIMIT + SLACK:
                    raise Failure(f"resident memory rose by {rise} bytes for the {name} bomb, over {LIMIT + SLACK}")
            status, _, body, _ = exchange(replica.port, classify_head(len(review)), review)
            if status != 200:
                raise Failure(f"after the bombs, /classify answered {status} {body[:200]!r}")
            if replica.terminate() != 0:
                raise Failure("lstm-serve did not exit 0 on SIGTERM")
            print("gzip_bomb: passed")
        finally:
            replica.kill()


if __name__ == "__main__":
    run(main)
