"""TF Serving's documented :predict request shapes against lstm-serve with two models.

    python Tests/Integration/tfserving_check.py      (LSTM_SERVE: the binary; default .build/release/lstm-serve)

A Keras user sends ids padded with pad_sequences(maxlen=500) to TF Serving: the row format
{"instances": [[...500 ids...], ...]}, the columnar format {"inputs": [[...], ...]}, each also with a named input
and signature_name "serving_default", at /v1/models/{name}:predict and /v1/models/{name}/versions/1:predict. Every
score must equal, bit for bit, the one /classify gives for the same unpadded ids; errors take TF Serving's
{"error": "..."} shape; GET /v1/models/{name} carries model_version_status AVAILABLE.
"""

from orchestration import Failure, run
from two_models import call, call_json, classify_scores, golden_cases, pre_padded, same_bits, two_models
import json


def check(condition, what):
    if not condition:
        raise Failure(what)


def main():
    ids = [case["ids"] for case in golden_cases(16)]
    with two_models() as port:
        for model, length, vocabulary in (("imdb", 500, 10_000), ("small", 400, 5_000)):
            rows = [[min(i, vocabulary - 1) for i in row] for row in ids]
            expected = classify_scores(port, {"tokens": rows, "model": model})
            bodies = []
            for padded in ([pre_padded(row, 500) for row in rows], [pre_padded(row, length) for row in rows]):
                bodies += [
                    ({"instances": padded}, "predictions"),
                    ({"signature_name": "serving_default", "instances": [{"input_1": row} for row in padded]}, "predictions"),
                    ({"inputs": padded}, "outputs"),
                    ({"signature_name": "serving_default", "inputs": {"input_1": padded}}, "outputs"),
                ]
            for path in (f"/v1/models/{model}:predict", f"/v1/models/{model}/versions/1:predict"):
                for body, key in bodies:
                    answer = call_json(port, "POST", path, body)
                    scores = answer[key]
                    check(all(len(score) == 1 for score in scores), f"{path}: not one [p] per item: {scores[:2]}")
                    check(same_bits([score[0] for score in scores], expected), f"{path} {list(body)}: scores differ from /classify")
            status = call_json(port, "GET", f"/v1/models/{model}")["model_version_status"]
            check(status == [{"version": "1", "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}], f"status: {status}")
            print(f"{model}: row and columnar, padded to 500 and to {length}, plain and named: same scores as /classify")

        for body, words in (({"instances": [[1, 10_000]]}, "outside"), ({"instances": [[1]], "signature_name": "x"}, "signature")):
            status, _, payload = call(port, "POST", "/v1/models/imdb:predict", body)
            error = json.loads(payload).get("error")
            check(status == 400 and isinstance(error, str) and words in error, f"{body}: {status} {payload!r}")
        status, _, payload = call(port, "POST", "/v1/models/nope:predict", {"instances": [[1]]})
        check(status == 404 and isinstance(json.loads(payload).get("error"), str), f"unknown model: {status} {payload!r}")
        print("errors answer in TF Serving's shape")


if __name__ == "__main__":
    run(main)
