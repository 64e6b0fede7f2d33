"""Rolling restart behind HAProxy: two replicas, load through the balancer, each replica restarted in turn.

HAProxy checks /readyz every 200 ms (fall 1, rise 2) and never retries (`retries 0`), so a request a replica drops
reaches the client as an error. wrk posts real reviews over 32 keep-alive connections for the whole run; each
replica gets SIGTERM, exits, and starts again on its port. The test passes with 0 non-2xx responses and 0 socket
errors, and prints the counts either way.

    LSTM_SERVE=.build/release/lstm-serve python3 Tests/Integration/rolling_restart.py
"""

import re
import subprocess
import tempfile
from pathlib import Path

from orchestration import Failure, Replica, run, free_port, lstm_serve_binary, review_bodies, wait_until

HAPROXY_CONFIG = """
global
    stats socket {stats} mode 600 level admin
defaults
    mode http
    retries 0
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend front
    bind 127.0.0.1:{front}
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk GET /readyz
    default-server inter 200ms fall 1 rise 2
    server a 127.0.0.1:{a} check
    server b 127.0.0.1:{b} check
"""

WRK_SCRIPT = """
local bodies = {}
local index = 0
function init(args)
   for line in io.lines(args[1]) do
      table.insert(bodies, wrk.format("POST", "/classify", {["Content-Type"] = "application/json"}, line))
   end
end
function request()
   index = index % #bodies + 1
   return bodies[index]
end
"""


def show_stat(stats_path):
    """HAProxy's `show stat` as dictionaries keyed by its column names, one per proxy or server; [] if unreachable."""
    import socket as sockets
    try:
        with sockets.socket(sockets.AF_UNIX) as connection:
            connection.settimeout(2)
            connection.connect(stats_path)
            connection.sendall(b"show stat\n")
            data = b""
            while chunk := connection.recv(65536):
                data += chunk
    except OSError:
        return []
    lines = data.decode().splitlines()
    if not lines or not lines[0].startswith("# "):
        return []
    names = lines[0][2:].split(",")
    return [dict(zip(names, line.split(","))) for line in lines[1:] if line]


def server_states(stats_path):
    """HAProxy's view of each replica: {'a': 'UP', 'b': 'DOWN', ...}."""
    return {row["svname"]: row["status"].split(" ")[0] for row in show_stat(stats_path)
            if row.get("pxname") == "replicas" and row.get("svname") in ("a", "b")}


def requests_through(stats_path):
    """Requests HAProxy's frontend has taken so far."""
    rows = [row for row in show_stat(stats_path) if row.get("pxname") == "front" and row.get("svname") == "FRONTEND"]
    return int(rows[0].get("req_tot") or 0) if rows else 0


def main():
    binary = lstm_serve_binary()
    work = Path(tempfile.mkdtemp(prefix="rolling-restart-"))
    ports = {"a": free_port(), "b": free_port()}
    front = free_port()
    stats = str(work / "haproxy.sock")
    (work / "haproxy.cfg").write_text(HAPROXY_CONFIG.format(stats=stats, front=front, a=ports["a"], b=ports["b"]))
    (work / "bodies.txt").write_text("\n".join(review_bodies()) + "\n")
    (work / "post.lua").write_text(WRK_SCRIPT)
    # The drain delay outlasts HAProxy's detection (one failed check, every 200 ms) with room to spare.
    replicas = {name: Replica(binary, port, work, name, "--drain-delay-s", "1", "--drain-timeout-s", "10")
                for name, port in ports.items()}
    haproxy = wrk = None
    try:
        for replica in replicas.values():
            replica.start()
        haproxy = subprocess.Popen(["haproxy", "-f", str(work / "haproxy.cfg"), "-db"],
                                   stdout=open(work / "haproxy.log", "w"), stderr=subprocess.STDOUT)
        wait_until(lambda: server_states(stats) == {"a": "UP", "b": "UP"}, 15, "HAProxy to see both replicas UP")

        seconds = 14
        wrk = subprocess.Popen(["wrk", "-t2", "-c32", f"-d{seconds}s", "-s", str(work / "post.lua"),
                                f"http://127.0.0.1:{front}", "--", str(work / "bodies.txt")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # The first restart comes under load: once 1,000 requests have gone through the balancer.
        wait_until(lambda: requests_through(stats) >= 1000, 30, "1,000 requests through HAProxy before the first restart")
        for name, replica in replicas.items():
            status = replica.terminate()
            if status != 0:
                raise Failure(f"replica {name} exited with {status} on SIGTERM")
            replica.start()
            wait_until(lambda: server_states(stats).get(name) == "UP", 15, f"HAProxy to see {name} UP again")
            print(f"replica {name}: restarted, UP again", flush=True)
        output, _ = wrk.communicate(timeout=seconds + 30)
        print(output)
        requests = int(re.search(r"(\d+) requests in", output).group(1))
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
        failed = int(non2xx.group(1)) if non2xx else 0
        socket_errors = sum(int(value) for value in errors.groups()) if errors else 0
        print(f"rolling restart: {requests} requests, {failed} non-2xx, {socket_errors} socket errors")
        if requests < 1000:
            raise Failure(f"only {requests} requests: too little load to mean anything")
        if failed or socket_errors:
            raise Failure(f"{failed} non-2xx responses and {socket_errors} socket errors across the restarts")
    finally:
        if wrk and wrk.poll() is None:
            wrk.kill()
        if haproxy:
            haproxy.terminate()
            haproxy.wait(timeout=10)
        for replica in replicas.values():
            replica.kill()
    print("rolling restart: 0 failed requests")


if __name__ == "__main__":
    run(main)
