"""Many and slow clients against the release binary: each gets its limit's answer in time, the rest are served.

lstm-serve is started with its open-file soft limit at 1,024 (it must raise it itself: the log line is checked),
--max-connections 6050 and --header-timeout-ms 20000. Then, in order:

1. idle latency: a separate process sends `POST /classify` (one real review, keep-alive, one at a time) to the
   otherwise idle server, in 3 rounds of 1,000; p50 and p99 of each round;
2. 5,000 connections each send `GET /healthz`, get 200, and stay open (keep-alive);
3. 1,000 clients open connections and trickle a request head at one byte a second each (1,000 bytes a second, evenly
   spread);
4. once every trickling client has sent its first byte: the same latency measurement, in 5 rounds, and while it runs
   a client that announces a 2 GiB chunked body and streams it, and one that sends `Content-Length: 2147483648`:
   both must get 413 within 5 s;
5. 100 more connections: those beyond --max-connections must get 503 with Retry-After within 2 s;
6. the trickling clients must each get 408, naming the 20 s limit, 20 s after they connected (-1 s to +3 s: the
   server starts the clock at its accept, this script when its event loop gets to the connection);
7. the 5,000 kept-alive connections must each still answer `GET /healthz` with 200;
8. idle latency again (3 rounds), with every load connection closed.

Passes when every answer above holds, the median latency under load is within 2x of the idle server's (the
issue's bound), and its p99 within 3x. Each figure is the median over its rounds (idle: the 6 rounds before and
after). The p99 of 1,000 requests of a fifth of a millisecond is the 10th-slowest of them: on this 2-core VM, where
this script's 1,000 writes a second, the server and the latency client share the cores, it sits 1.4-1.8x above the
idle one on quiet runs and lower than it when other work keeps the cores awake (docs/performance.md), so 3x is the
guard against a real regression (a trickled byte that costs the server a millisecond) rather than against
scheduling noise. Prints every round. About 25 s.
This process needs about 6,200 descriptors: it raises its own soft limit to the hard one (and, as root, the hard
limit to 16,384 if it is lower).

    LSTM_SERVE=.build/release/lstm-serve python3 Tests/Integration/slow_clients.py
"""

import asyncio
import itertools
import json
import os
import resource
import socket
import statistics
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
LATENCY_REQUESTS = 1000  # per round
IDLE_ROUNDS = 3  # before the load, and again after it
LOAD_ROUNDS = 5
SERVER_SOFT_LIMIT = 1024


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(port, rounds, count):
    """In its own process: 50 warm-up requests, a line "warm", then `rounds` rounds of `count` sequential keep-alive
    `POST /classify`; prints each round's latencies in ms as one JSON list of lists."""
    body = review_bodies(1)[0].encode()
    request = (f"POST /classify HTTP/1.1\r\nHost: latency\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body

    def exchange(connection):
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

    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(50):  # warm the connection and the caches
            connection.sendall(request)
            exchange(connection)
        print("warm", flush=True)
        latencies = []
        for _ in range(rounds):
            latencies.append([])
            for _ in range(count):
                started = time.perf_counter()
                connection.sendall(request)
                exchange(connection)
                latencies[-1].append((time.perf_counter() - started) * 1000)
    print(json.dumps(latencies))


class Latency:
    """`measure` in a child process, so this process's event loop never delays it."""

    def __init__(self, port, rounds):
        self.process = subprocess.Popen([sys.executable, __file__, "--measure", str(port), str(rounds),
                                         str(LATENCY_REQUESTS)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)

    def warm(self):
        """Blocks until the warm-up is over and the measured rounds begin (the child's socket timeout bounds it)."""
        if self.process.stdout.readline().strip() != "warm":
            raise Failure(f"latency measurement failed: {self.result()}")

    def running(self):
        return self.process.poll() is None

    def result(self):
        """[(p50, p99)] in ms, a pair per round."""
        try:
            output, errors = self.process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise Failure("latency measurement did not finish within 120 s")
        if self.process.returncode != 0:
            raise Failure(f"latency measurement failed: {errors.strip()[-500:]}")
        return [(percentile(values, 0.50), percentile(values, 0.99)) for values in json.loads(output)]


def latency(port, rounds):
    measurement = Latency(port, rounds)
    measurement.warm()
    return measurement.result()


def median_round(rounds):
    """(median p50, median p99) over the rounds."""
    return statistics.median(p50 for p50, _ in rounds), statistics.median(p99 for _, p99 in rounds)


def show(name, rounds):
    p50, p99 = median_round(rounds)
    each = "  ".join(f"{a:.3f}/{b:.3f}" for a, b in rounds)
    print(f"{name:<14} p50 {p50:.3f} ms  p99 {p99:.3f} ms  (median of {len(rounds)} rounds of {LATENCY_REQUESTS}; "
          f"each p50/p99: {each})")


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


class Tricklers:
    """`TRICKLERS` connections sending a request head one byte a second each, until the server answers.

    One pacing task writes every byte: each 10 ms it writes the next byte of a hundredth of the connections, so the
    server sees 1,000 one-byte writes a second, evenly spread. (A task and a timer per connection would spend more of
    this script's CPU, which on 2 cores the server and the latency client it measures share.)"""

    TICKS_PER_SECOND = 100

    def __init__(self):
        self.writers, self.heads, self.answers, self.results = [], [], [], []
        self.first_bytes_sent = asyncio.Event()

    async def open(self, port):
        """Opens the connections, 200 at a time; each starts waiting for its answer."""
        gate = asyncio.Semaphore(200)

        async def one(index):
            async with gate:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            connected = time.monotonic()
            self.writers[index] = writer
            self.answers[index] = asyncio.ensure_future(self.answer(reader, writer, connected))

        self.writers = [None] * TRICKLERS
        self.answers = [None] * TRICKLERS
        self.heads = [b"GET /healthz HTTP/1.1\r\nHost: trickle\r\nUser-Agent: one-byte-a-second-" + str(index).encode() +
                      b"\r\nX-Padding: " + b"p" * 64 + b"\r\n\r\n" for index in range(TRICKLERS)]
        await asyncio.wait_for(asyncio.gather(*(one(index) for index in range(TRICKLERS))), 30)

    async def answer(self, reader, writer, connected):
        try:
            status, _, body = await read_response(reader, HEADER_TIMEOUT_S + 10)
        except Failure as failure:
            status, body = None, str(failure).encode()
        self.results.append((status, time.monotonic() - connected, body))
        writer.close()

    async def pace(self):
        """Writes the heads a byte per connection per second until every connection has its answer."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        for tick in itertools.count():
            if all(answer.done() for answer in self.answers):
                return
            second, slot = divmod(tick, self.TICKS_PER_SECOND)
            for index in range(slot, TRICKLERS, self.TICKS_PER_SECOND):
                if second < len(self.heads[index]) and not self.answers[index].done():
                    self.writers[index].write(self.heads[index][second:second + 1])
            if tick == self.TICKS_PER_SECOND - 1:
                self.first_bytes_sent.set()
            await asyncio.sleep(max(0.0, started + (tick + 1) / self.TICKS_PER_SECOND - loop.time()))  # the pace itself


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

    tricklers = Tricklers()
    await tricklers.open(port)
    trickle_started = time.monotonic()
    pacing = asyncio.ensure_future(tricklers.pace())
    await asyncio.wait_for(tricklers.first_bytes_sent.wait(), 10)
    print(f"{TRICKLERS} clients trickling their heads at one byte a second")

    loop = asyncio.get_running_loop()
    measurement = Latency(port, LOAD_ROUNDS)
    await loop.run_in_executor(None, measurement.warm)
    chunked = await huge_body(port, chunked=True)
    declared = await huge_body(port, chunked=False)
    if not measurement.running():
        raise Failure("the latency measurement ended before the 2 GiB bodies were refused: they did not overlap")
    under_load = await loop.run_in_executor(None, measurement.result)
    if time.monotonic() - trickle_started >= HEADER_TIMEOUT_S - 1:
        raise Failure("the latency under load was not measured while every trickling client was still trickling")
    extra = await extra_connections(port)

    await asyncio.wait_for(asyncio.gather(pacing, *tricklers.answers), HEADER_TIMEOUT_S + 20)

    reopened = 0
    for index, (reader, writer) in enumerate(idle):
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: idle\r\n\r\n")
    for index, (reader, writer) in enumerate(idle):
        status, _, _ = await read_response(reader, 10)
        if status != 200:
            raise Failure(f"kept-alive connection {index} answered {status} after the load")
        reopened += 1
        writer.close()
    return under_load, chunked, declared, extra, tricklers.results, reopened


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

            idle_before = latency(replica.port, IDLE_ROUNDS)
            show("idle:", idle_before)
            under_load_rounds, chunked, declared, extra, trickled, reopened = asyncio.run(load_phase(replica.port))
            idle_after = latency(replica.port, IDLE_ROUNDS)
            show("under load:", under_load_rounds)
            print(f"               ({IDLE_CONNECTIONS} kept-alive + {TRICKLERS} trickling connections open)")
            show("idle again:", idle_after)
            under_load, idle = median_round(under_load_rounds), median_round(idle_before + idle_after)

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

            for name, loaded, rest, bound in [("p50", under_load[0], idle[0], 2), ("p99", under_load[1], idle[1], 3)]:
                print(f"{name} under load / idle: {loaded / rest:.2f} (bound {bound})")
                if loaded > bound * rest:
                    failures.append(f"{name} under load {loaded:.3f} ms is over {bound}x the idle {rest:.3f} ms")
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
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        measure(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        run(main)
