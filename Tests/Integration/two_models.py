"""The protocol checks' server: the lstm-serve binary with two models side by side, on a loopback port it picks.

    imdb  = Models/imdb-lstm.keras (10,000 ids x 32 x 32, with its vocabulary)
    small = Tests/SentimentModelTests/Fixtures/alt-5000x16x48.keras (5,000 ids x 16 x 48, ids only)

Helpers shared by tritonclient_check.py, tfserving_check.py and two_models_load.py: the server as a context
manager (stopped by its process id, its log printed on failure), small HTTP calls with the standard library, the
committed golden reviews, and their ids pre-padded to a length as Keras' pad_sequences gives them.
"""

import contextlib
import json
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from orchestration import GOLDEN, REPO, Failure, free_port, http_status, lstm_serve_binary, wait_until

MODELS = {
    "imdb": REPO / "Models/imdb-lstm.keras",
    "small": REPO / "Tests/SentimentModelTests/Fixtures/alt-5000x16x48.keras",
}


@contextlib.contextmanager
def two_models(*extra):
    """Yields the port of an lstm-serve serving both models; stops it by process id on exit."""
    port = free_port()
    arguments = [lstm_serve_binary(), "--host", "127.0.0.1", "--port", str(port)]
    for name, path in MODELS.items():
        arguments += ["--model", f"{name}={path}"]
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(arguments + list(extra), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            wait_until(lambda: http_status(port, "/readyz") == 200 or process.poll() is not None, 30, "lstm-serve to be ready")
            if process.poll() is not None:
                raise Failure(f"lstm-serve exited with status {process.returncode}")
            yield port
            if process.poll() is not None:
                raise Failure(f"lstm-serve exited during the check with status {process.returncode}")
        except Failure:
            log.seek(0)
            print(log.read()[-4000:])
            raise
        finally:
            process.kill()
            process.wait(timeout=10)


def call(port, method, path, body=None, headers=None):
    """(status, headers, body bytes) of one request on a new connection; `body` a dict is sent as JSON."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=headers or {})
    if isinstance(body, dict):
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def call_json(port, method, path, body=None, expect=200):
    """The JSON answer of a request that must answer `expect`."""
    status, _, payload = call(port, method, path, body)
    if status != expect:
        raise Failure(f"{method} {path} answered {status}, not {expect}: {payload[:300]!r}")
    return json.loads(payload)


def golden_cases(count):
    """The first `count` committed golden reviews: text and unpadded ids (start id 1 first)."""
    return json.loads(GOLDEN.read_text())["cases"][:count]


def pre_padded(ids, length):
    """`ids` as pad_sequences(maxlen=length) gives them: leading zeros, or only the last `length` ids."""
    return [0] * (length - len(ids)) + ids[-length:]


def classify_scores(port, body):
    """The scores /classify answers for a batch body, as the float32 values it printed."""
    import numpy

    answer = call_json(port, "POST", "/classify", body)
    return numpy.array([result["score"] for result in answer["results"]], dtype=numpy.float32)


def same_bits(first, second):
    """Whether two float32 arrays are equal bit for bit."""
    import numpy

    first, second = numpy.asarray(first, dtype=numpy.float32).reshape(-1), numpy.asarray(second, dtype=numpy.float32).reshape(-1)
    return first.shape == second.shape and bool((first.view(numpy.uint32) == second.view(numpy.uint32)).all())
