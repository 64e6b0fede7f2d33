"""Both models under concurrent load on every inference route: each answer comes from the model it names, and each
model's batches hold only its own sequences.

    python Tests/Integration/two_models_load.py      (LSTM_SERVE: the binary; default .build/release/lstm-serve)

32 keep-alive clients send, for 10 s, a random mix of /classify (with "model"), /v2/models/{name}/infer (INT64
ids) and /v1/models/{name}:predict (ids padded to 500) to imdb and small, 1 to 4 sequences a request. Every answer
must name its model (where the route's answer has a name) and carry, bit for bit, the scores that model gives those
ids alone: a sequence run through the other model, or read with the other model's table, would score otherwise.
Then /metrics: each model's lstm_serve_batch_size_sum grew by exactly the sequences sent to it, so no pass of one
model took another's sequence; the largest X-Batch-Size seen shows the requests did share passes.
"""

import http.client
import json
import random
import threading
import time

from orchestration import Failure, run
from two_models import call, call_json, golden_cases, pre_padded, same_bits, two_models

VOCABULARY = {"imdb": 10_000, "small": 5_000}


def batch_size_sums(port):
    """lstm_serve_batch_size_sum by model, from a scrape."""
    _, _, text = call(port, "GET", "/metrics")
    sums = {}
    for line in text.decode().splitlines():
        if line.startswith("lstm_serve_batch_size_sum{"):
            model = line.split('model="')[1].split('"')[0]
            sums[model] = float(line.rsplit(" ", 1)[1])
    return sums


def main():
    sequences = [case["ids"][:120] for case in golden_cases(24)]
    with two_models() as port:
        expected = {}
        for model, vocabulary in VOCABULARY.items():
            for index, ids in enumerate(sequences):
                row = [min(i, vocabulary - 1) for i in ids]
                expected[model, index] = call_json(port, "POST", "/classify", {"tokens": row, "model": model})["score"]
        before = batch_size_sums(port)
        sent = {model: 0 for model in VOCABULARY}
        largest_batch = [0]
        failures = []
        lock = threading.Lock()
        deadline = time.monotonic() + 10

        def client(seed):
            generator = random.Random(seed)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                while time.monotonic() < deadline and not failures:
                    model = generator.choice(list(VOCABULARY))
                    picks = [generator.randrange(len(sequences)) for _ in range(generator.randint(1, 4))]
                    rows = [[min(i, VOCABULARY[model] - 1) for i in sequences[index]] for index in picks]
                    route = generator.choice(["classify", "infer", "predict"])
                    if route == "classify":
                        path, body = "/classify", {"tokens": rows, "model": model}
                    elif route == "infer":
                        padded = [pre_padded(row, 120) for row in rows]
                        path = f"/v2/models/{model}/infer"
                        body = {"inputs": [{"name": "tokens", "shape": [len(rows), 120], "datatype": "INT64", "data": padded}]}
                    else:
                        path, body = f"/v1/models/{model}:predict", {"instances": [pre_padded(row, 500) for row in rows]}
                    connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
                    response = connection.getresponse()
                    answer = json.loads(response.read())
                    if response.status != 200:
                        raise Failure(f"{path} answered {response.status}: {answer}")
                    if route == "classify":
                        name, scores = answer["model"]["name"], [result["score"] for result in answer["results"]]
                    elif route == "infer":
                        name, scores = answer["model_name"], answer["outputs"][0]["data"]
                    else:
                        name, scores = model, [score[0] for score in answer["predictions"]]
                    if name != model:
                        raise Failure(f"{path} for {model} answered as {name}")
                    if not same_bits(scores, [expected[model, index] for index in picks]):
                        raise Failure(f"{path}: {model}'s scores are not the ones it gives those ids alone")
                    with lock:
                        sent[model] += len(rows)
                        largest_batch[0] = max(largest_batch[0], int(response.getheader("X-Batch-Size")))
            except Exception as error:  # noqa: BLE001 - any failure of a client thread fails the check
                with lock:
                    failures.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=client, args=(seed,)) for seed in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        if any(thread.is_alive() for thread in threads):
            raise Failure("a client thread did not finish within 60 s")
        if failures:
            raise Failure(f"{len(failures)} client(s) failed; the first: {failures[0]}")
        after = batch_size_sums(port)
        for model in VOCABULARY:
            grown = after.get(model, 0) - before.get(model, 0)
            if grown != sent[model]:
                raise Failure(f"{model}'s passes took {grown} sequences but {sent[model]} were sent to it")
        print(f"sent imdb {sent['imdb']} and small {sent['small']} sequences over three routes; every answer from its model,"
              f" each model's passes took exactly its sequences; largest X-Batch-Size {largest_batch[0]}")


if __name__ == "__main__":
    run(main)
