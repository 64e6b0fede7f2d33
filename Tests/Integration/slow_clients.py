"""Many and slow clients against the release binary: each gets its limit's answer in time, the rest are served.

lstm-serve is started with its open-file soft limit at 1,024 (it must raise it itself: the log line is checked),
--max-connections 6050 and --header-timeout-ms 20000. Then, in order:

1. idle latency: a separate process sends 1,000 `POST /classify` (one real review, keep-alive, one at a time)
   to the otherwise idle server; p50 and p99;
2. 5,000 connections each send `GET /healthz`, get 200, and stay open (keep-alive);
3. 1,000 clients open connections and trickle a request head at one byte a second, all at once;
4. while all of them are open: the same latency measurement, and meanwhile a client that announces a 2 GiB
   chunked body and streams it, and one that sends `Content-Length: 2147483648`: both must get 413 within 5 s;
5. 100 more connections: those beyond --max-connections must get 503 with Retry-After within 2 s;
6. the trickling clients must each get 408, naming the 20 s limit, 20 s after they connected (-1 s to +3 s: the
   server starts the clock at its accept, this script when its event loop gets to the connection);
7. the 5,000 kept-alive connections must each still answer `GET /healthz` with 200;
8. idle latency again, with every load connection closed.

Passes when every answer above holds and, for p50 and p99 alike, the latency under load is within 2x of the
idle latency (the mean of the two idle runs, before and after: this VM drifts). Prints the figures. About a minute.
This process needs about 6,200 descriptors: it raises its own soft limit to the hard one (and, as root, the hard
limit to 16,384 if it is lower).

    LSTM_SERVE=.build/release/lstm-serve python3 Tests/Integration/slow_clients.py
"""

import asyncio
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time

from orchestration import Failure, Replica, free_port, lstm_serve_binary, review_bodies, run

IDLE_CONNECTIONS = 5000
TRICKLERS = 1000
EXTRA = 100
MAX_CONNECTIONS = 6050
HEADER_TIMEOUT_S = 20
LATENCY_REQUESTS = 1000
SERVER_SOFT_LIMIT = 1024


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(port, count):
    """In its own process: `count` sequential keep-alive `POST /classify`; prints the latencies in ms as JSON."""
    body = review_bodies(1)[0].encode()
    request = (f"POST /classify HTTP/1.1\r\nHost: latency\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    latencies = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for index in range(count + 50):
            started = time.perf_counter()
            connection.sendall(request)
            received = b""
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    raise SystemExit("the server closed the latency connection")
                received += chunk
                head, separator, rest = received.partition(b"\r\n\r\n")
                if separator:
                    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                      if line.lower().startswith(b"content-length:")))
                    if len(rest) >= length:
                        break
            if not head.startswith(b"HTTP/1.1 200"):
                raise SystemExit(f"latency request answered {head[:40]!r}")
            if index >= 50:  # the first 50 warm the connection and the caches
                latencies.append((time.perf_counter() - started) * 1000)
    print(json.dumps(latencies))


def latency(port):
    """Runs `measure` in a child process, so this process's event loop never delays it; returns (p50, p99) in ms."""
    result = subprocess.run([sys.executable, __file__, "--measure", str(port), str(LATENCY_REQUESTS)],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise Failure(f"latency measurement failed: {result.stderr.strip()[-500:]}")
    values = json.loads(result.stdout)
    return percentile(values, 0.50), percentile(values, 0.99)


async def read_response(reader, timeout):
    """(status, headers dict, body bytes) of one response, or raises Failure after `timeout` seconds."""
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError) as error:
        raise Failure(f"no response within {timeout} s: {error!r}")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip()
               for name, _, value in (line.partition(":") for line in lines[1:] if line)}
    body = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", "0"))), timeout)
    return int(lines[0].split(" ")[1]), headers, body


async def open_idle(port, count):
    """`count` connections that each get 200 for `GET /healthz` and stay open; 200 connect at a time."""
    gate = asyncio.Semaphore(200)

    async def one(index):
        async with gate:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: idle\r\n\r\n")
            status, _, _ = await read_response(reader, 10)
            if status != 200:
                raise Failure(f"idle connection {index}: /healthz answered {status}")
            return reader, writer

    return await asyncio.gather(*(one(index) for index in range(count)))


async def trickle(port, index, opened_all, results):
    """Opens a connection and sends a request head one byte a second until the server answers; records the answer."""
    head = (b"GET /healthz HTTP/1.1\r\nHost: trickle\r\nUser-Agent: one-byte-a-second-" + str(index).encode() +
            b"\r\nX-Padding: " + b"p" * 64 + b"\r\n\r\n")
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    connected = time.monotonic()
    opened_all.release()
    answer = asyncio.ensure_future(read_response(reader, HEADER_TIMEOUT_S + 10))
    await asyncio.sleep(random.random())  # spread the writes over the second
    for position in range(len(head)):
        if answer.done():
            break
        writer.write(head[position:position + 1])
        await asyncio.wait([answer], timeout=1)
    try:
        status, _, body = await answer
    except Failure as failure:
        status, body = None, str(failure).encode()
    results.append((status, time.monotonic() - connected, body))
    writer.close()


async def huge_body(port, chunked):
    """Announces a 2 GiB body (chunked, then streamed; or by Content-Length); returns (status, seconds, bytes sent)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    framing = b"Transfer-Encoding: chunked\r\n\r\n80000000\r\n" if chunked else b"Content-Length: 2147483648\r\n\r\n"
    writer.write(b"POST /classify HTTP/1.1\r\nHost: huge\r\nContent-Type: application/json\r\n" + framing)
    answer = asyncio.ensure_future(read_response(reader, 5))
    sent = 0
    piece = b"[" * 65536
    while chunked and not answer.done() and sent < (1 << 31):
        writer.write(piece)
        sent += len(piece)
        try:
            await asyncio.wait_for(writer.drain(), 0.5)
        except (asyncio.TimeoutError, ConnectionError):
            await asyncio.wait([answer], timeout=0.5)
    status, _, body = await answer
    writer.close()
    return status, time.monotonic() - started, sent, body


async def extra_connections(port):
    """`EXTRA` more connections, one at a time; returns their statuses and the 503s' times and Retry-After values."""
    statuses, slowest, retry_after = [], 0.0, set()
    kept = []
    for _ in range(EXTRA):
        started = time.monotonic()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: extra\r\n\r\n")
        try:
            status, headers, _ = await read_response(reader, 2)
        except Failure:
            status, headers = None, {}
        statuses.append(status)
        if status == 503:
            slowest = max(slowest, time.monotonic() - started)
            retry_after.add(headers.get("retry-after"))
            writer.close()
        else:
            kept.append(writer)  # an accepted one stays open, so the next one finds the server as full
    for writer in kept:
        writer.close()
    return statuses, slowest, retry_after


async def load_phase(port):
    idle = await open_idle(port, IDLE_CONNECTIONS)
    print(f"{IDLE_CONNECTIONS} connections open, each answered 200 and kept alive")

    opened = asyncio.Semaphore(0)
    results = []
    tricklers = [asyncio.ensure_future(trickle(port, index, opened, results)) for index in range(TRICKLERS)]
    for _ in range(TRICKLERS):
        await asyncio.wait_for(opened.acquire(), 30)
    trickle_started = time.monotonic()
    print(f"{TRICKLERS} clients trickling their heads at one byte a second")
    await asyncio.sleep(2)

    loop = asyncio.get_running_loop()
    measured = loop.run_in_executor(None, latency, port)
    await asyncio.sleep(0.3)
    chunked = await huge_body(port, chunked=True)
    declared = await huge_body(port, chunked=False)
    under_load = await measured
    if time.monotonic() - trickle_started >= HEADER_TIMEOUT_S - 1:
        raise Failure("the latency under load was not measured while every trickling client was still trickling")
    extra = await extra_connections(port)

    await asyncio.wait_for(asyncio.gather(*tricklers), HEADER_TIMEOUT_S + 20)

    reopened = 0
    for index, (reader, writer) in enumerate(idle):
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: idle\r\n\r\n")
    for index, (reader, writer) in enumerate(idle):
        status, _, _ = await read_response(reader, 10)
        if status != 200:
            raise Failure(f"kept-alive connection {index} answered {status} after the load")
        reopened += 1
        writer.close()
    return under_load, chunked, declared, extra, results, reopened


def raise_own_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed and os.geteuid() == 0:
        hard = 16384
    if soft == resource.RLIM_INFINITY or soft < needed:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError) as error:
            raise Failure(f"cannot raise this process's open-file limit to {needed}: {error}")
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        raise Failure(f"this process may open {soft} files; it needs {needed} (raise the hard limit: ulimit -Hn)")


def main():
    raise_own_limit(IDLE_CONNECTIONS + TRICKLERS + EXTRA + 200)
    binary = lstm_serve_binary()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as logs:
        replica = Replica(binary, free_port(), logs, "slow-clients", "--max-connections", str(MAX_CONNECTIONS),
                          "--header-timeout-ms", str(HEADER_TIMEOUT_S * 1000), "--idle-timeout-s", "300")
        # The server starts where many systems start it, at a soft limit of 1,024 descriptors (inherited from this
        # process for the moment of the fork), and must raise it itself.
        own = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (SERVER_SOFT_LIMIT, own[1]))
        try:
            replica.start()
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, own)
        try:
            raised = [line for line in replica.log().splitlines() if "open-file limit" in line]
            print(f"server log: {raised[0] if raised else '(no open-file limit line)'}")
            if not raised or f"from {SERVER_SOFT_LIMIT} to" not in raised[0]:
                raise Failure("the server did not log raising its open-file limit from 1024")

            idle_before = latency(replica.port)
            print(f"idle:          p50 {idle_before[0]:.3f} ms  p99 {idle_before[1]:.3f} ms  ({LATENCY_REQUESTS} requests)")
            under_load, chunked, declared, extra, trickled, reopened = asyncio.run(load_phase(replica.port))
            idle_after = latency(replica.port)
            print(f"under load:    p50 {under_load[0]:.3f} ms  p99 {under_load[1]:.3f} ms  "
                  f"({IDLE_CONNECTIONS} kept-alive + {TRICKLERS} trickling connections open)")
            print(f"idle again:    p50 {idle_after[0]:.3f} ms  p99 {idle_after[1]:.3f} ms")

            failures = []
            for name, (status, seconds, sent, body) in [("2 GiB chunked body", chunked), ("Content-Length 2 GiB", declared)]:
                print(f"{name}: {status} after {seconds:.2f} s, {sent / 1048576:.1f} MiB sent: {body.decode()[:120]}")
                if status != 413 or seconds > 5:
                    failures.append(f"{name}: answered {status} after {seconds:.1f} s")
            statuses, slowest, retry_after = extra
            refused = statuses.count(503)
            print(f"{EXTRA} more connections: {statuses.count(200)} answered 200, {refused} answered 503 "
                  f"(slowest {slowest * 1000:.0f} ms, Retry-After {sorted(map(str, retry_after))})")
            if refused == 0 or any(status not in (200, 503) for status in statuses) or slowest > 2 or None in retry_after:
                failures.append(f"extra connections: statuses {statuses}, slowest 503 {slowest:.1f} s, Retry-After {retry_after}")
            timed_out = [seconds for status, seconds, _ in trickled if status == 408]
            named = sum(f"limit of {HEADER_TIMEOUT_S} s".encode() in body for status, _, body in trickled if status == 408)
            others = sorted({str(status) for status, _, _ in trickled if status != 408})
            print(f"trickling clients: {len(timed_out)} of {TRICKLERS} answered 408 ({named} naming the limit), "
                  f"after {min(timed_out, default=0):.2f} to {max(timed_out, default=0):.2f} s; other answers: {others}")
            if len(timed_out) != TRICKLERS or named != TRICKLERS:
                failures.append(f"trickling clients: {len(timed_out)} got 408, {named} named the limit; others {others}")
            elif min(timed_out) < HEADER_TIMEOUT_S - 1 or max(timed_out) > HEADER_TIMEOUT_S + 3:
                failures.append(f"408s came after {min(timed_out):.1f}..{max(timed_out):.1f} s, not {HEADER_TIMEOUT_S} s")
            print(f"kept-alive connections answering after the load: {reopened} of {IDLE_CONNECTIONS}")

            idle = [(before + after) / 2 for before, after in zip(idle_before, idle_after)]
            for name, loaded, rest in [("p50", under_load[0], idle[0]), ("p99", under_load[1], idle[1])]:
                print(f"{name} under load / idle: {loaded / rest:.2f}")
                if loaded > 2 * rest:
                    failures.append(f"{name} under load {loaded:.3f} ms is over twice the idle {rest:.3f} ms")
            if replica.process.poll() is not None:
                failures.append("the server exited")
            if failures:
                raise Failure("; ".join(failures))
            if replica.terminate() != 0:
                raise Failure("lstm-serve did not exit 0 on SIGTERM")
            print(f"slow_clients: passed in {time.monotonic() - started:.0f} s")
        finally:
            replica.kill()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        measure(int(sys.argv[2]), int(sys.argv[3]))
    else:
        run(main)
