#!/usr/bin/env python3
"""Server memory under pipelining clients that read slowly.

Starts lstm-serve on a loopback port, then runs CLIENTS connections. Each one keeps
pipelining GET /v1/models/imdb-lstm requests while reading its responses slowly, through a
small receive buffer, so the server always has responses queued. The script prints the
server's resident memory every two seconds and the peak at the end.

The server stops reading a connection once 1 MiB of responses wait unsent. Memory should stay
near start-up size plus about 2 MiB per client.

    python3 benchmarks/slow_readers.py --server .build/release/lstm-serve [--clients 40] [--seconds 20]
"""
import argparse
import os
import socket
import subprocess
import threading
import time
import urllib.request


def resident_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", required=True, help="the lstm-serve executable")
    parser.add_argument("--port", type=int, default=18291)
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--pause", type=float, default=0.008, help="seconds a client sleeps between reads")
    parser.add_argument("--read-size", type=int, default=16384, help="bytes a client reads at a time")
    parser.add_argument("--receive-buffer", type=int, default=8192, help="SO_RCVBUF of each client")
    args = parser.parse_args()

    server = subprocess.Popen(
        [args.server, "--host", "127.0.0.1", "--port", str(args.port), "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not answer /healthz")
        start_kb = resident_kb(server.pid)
        print(f"server pid {server.pid}: {start_kb / 1024:.0f} MB resident after start-up", flush=True)

        stop = threading.Event()
        received = [0] * args.clients
        batch = b"GET /v1/models/imdb-lstm HTTP/1.1\r\nHost: x\r\n\r\n" * 50

        def client(index):
            connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.receive_buffer)
            connection.connect(("127.0.0.1", args.port))
            connection.setblocking(False)
            offset = 0
            while not stop.is_set():
                try:
                    offset = (offset + connection.send(batch[offset:])) % len(batch)
                except BlockingIOError:
                    pass
                try:
                    data = connection.recv(args.read_size)
                    if not data:
                        break
                    received[index] += len(data)
                except BlockingIOError:
                    pass
                time.sleep(args.pause)
            connection.close()

        threads = [threading.Thread(target=client, args=(index,)) for index in range(args.clients)]
        for thread in threads:
            thread.start()
        began = time.monotonic()
        peak_kb = start_kb
        while time.monotonic() - began < args.seconds:
            time.sleep(2)
            now_kb = resident_kb(server.pid)
            peak_kb = max(peak_kb, now_kb)
            print(f"t={time.monotonic() - began:4.0f} s  resident {now_kb / 1024:5.0f} MB  "
                  f"clients have read {sum(received) / 1e6:6.0f} MB", flush=True)
        stop.set()
        for thread in threads:
            thread.join()
        print(f"peak resident {peak_kb / 1024:.0f} MB with {args.clients} clients "
              f"(start-up {start_kb / 1024:.0f} MB; expected at most about start-up + {2 * args.clients} MB)")
    finally:
        server.terminate()
        server.wait(15)


if __name__ == "__main__":
    main()
