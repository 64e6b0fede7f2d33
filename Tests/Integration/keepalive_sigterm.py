"""SIGTERM under keep-alive clients that talk to one replica directly.

32 clients post real reviews over persistent connections (Python's http.client, one thread each). After 2 s of load
the replica gets SIGTERM; it drains (--drain-delay-s 1, then --drain-timeout-s) and must exit 0.

A request is lost when it was sent on an open connection and got no complete 2xx answer: the connection closed or
reset under it, or it was answered with an error. A client stops, losing nothing, when the server tells it the
connection ends (`Connection: close`) or refuses a new connection: with one replica there is nowhere else to go,
and in production a client would go to another replica. The test passes with 0 lost requests.

    LSTM_SERVE=.build/release/lstm-serve python3 Tests/Integration/keepalive_sigterm.py [--drain-delay-s N]
"""

import argparse
import http.client
import tempfile
import threading

from orchestration import Failure, Replica, run, free_port, lstm_serve_binary, review_bodies, wait_until


def client(port, bodies, offset, stop, tally, lock, progress):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    sent = answered = 0
    lost = []
    index = offset
    try:
        connection.connect()
    except OSError as error:
        lost.append(f"first connect failed: {error}")
        stop.set()
    while not stop.is_set() and not lost:
        body = bodies[index % len(bodies)]
        index += 1
        try:
            connection.request("POST", "/classify", body=body, headers={"Content-Type": "application/json"})
        except ConnectionRefusedError:
            break  # a new connection the server no longer accepts: nothing was sent
        except OSError as error:
            lost.append(f"sending failed: {error!r}")
            break
        sent += 1
        try:
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as error:
            lost.append(f"no answer: {error!r}")
            break
        if response.status != 200:
            lost.append(f"status {response.status}")
            break
        answered += 1
        with lock:
            progress[0] += 1
        if (response.getheader("Connection") or "").lower() == "close":
            break  # the server is going away: a client with another replica would go there
    connection.close()
    with lock:
        tally["sent"] += sent
        tally["answered"] += answered
        tally["lost"] += lost


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--drain-delay-s", default="1")
    parser.add_argument("--clients", type=int, default=32)
    arguments = parser.parse_args()
    binary = lstm_serve_binary()
    work = tempfile.mkdtemp(prefix="keepalive-sigterm-")
    extra = ["--drain-timeout-s", "10"]
    if arguments.drain_delay_s != "none":
        extra += ["--drain-delay-s", arguments.drain_delay_s]
    replica = Replica(binary, free_port(), work, "replica", *extra)
    bodies = review_bodies()
    stop = threading.Event()
    lock = threading.Lock()
    tally = {"sent": 0, "answered": 0, "lost": []}
    progress = [0]  # answers so far, all clients together
    try:
        replica.start()
        threads = [threading.Thread(target=client, args=(replica.port, bodies, n, stop, tally, lock, progress),
                                    daemon=True)
                   for n in range(arguments.clients)]
        for thread in threads:
            thread.start()
        # The signal comes under load: once the clients together have had 5,000 answers.
        wait_until(lambda: progress[0] >= 5000, 30, "5,000 answers before SIGTERM")
        status = replica.terminate()
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
            if thread.is_alive():
                raise Failure("a client thread did not finish within 30 s")
        print(f"keep-alive SIGTERM: {tally['sent']} requests sent, {tally['answered']} answered, "
              f"{len(tally['lost'])} lost; exit status {status}")
        for reason in tally["lost"][:10]:
            print(f"  lost: {reason}")
        if status != 0:
            raise Failure(f"the replica exited with {status}:\n{replica.log()[-2000:]}")
        if tally["answered"] < 1000:
            raise Failure(f"only {tally['answered']} answers: too little load to mean anything")
        if tally["lost"]:
            raise Failure(f"{len(tally['lost'])} requests lost across SIGTERM")
    finally:
        replica.kill()


if __name__ == "__main__":
    run(main)
