"""Triton's own Open Inference Protocol client against lstm-serve with two models (tritonclient[http]).

    python Tests/Integration/tritonclient_check.py      (LSTM_SERVE: the binary; default .build/release/lstm-serve)

Checks is_server_live, is_server_ready, is_model_ready and get_model_metadata for both models, then infer with
BYTES texts and with INT64 ids pre-padded to 500 (and unpadded), with binary and with JSON inputs and outputs:
every score must equal, bit for bit, the one /classify gives for the same review. Then the protocol
specification's JSON examples, sent with curl: the inference request example (adapted to this model's input and
output names) answers with the id echoed and an FP32 [N, 1] output; the specification's own request, whose tensors
this model does not have, answers 400 with {"error": "..."}; the binary example of Triton's extension, likewise
adapted, answers with the output's bytes after Inference-Header-Content-Length bytes of JSON.
"""

import json
import subprocess

import numpy
import tritonclient.http as httpclient

from orchestration import Failure, run
from two_models import call_json, classify_scores, golden_cases, pre_padded, same_bits, two_models


def check(condition, what):
    if not condition:
        raise Failure(what)


def infer(client, model, input_tensor, binary_outputs, outputs=("score", "label")):
    requested = [httpclient.InferRequestedOutput(name, binary_data=binary_outputs) for name in outputs]
    return client.infer(model, inputs=[input_tensor], outputs=requested, request_id="check-1")


def main():
    cases = golden_cases(16)
    texts = [case["text"] for case in cases]
    ids = [case["ids"] for case in cases]
    with two_models() as port:
        client = httpclient.InferenceServerClient(url=f"127.0.0.1:{port}")
        check(client.is_server_live(), "is_server_live is false")
        check(client.is_server_ready(), "is_server_ready is false")
        for model in ("imdb", "small"):
            check(client.is_model_ready(model), f"is_model_ready({model}) is false")
        check(not client.is_model_ready("nope"), "is_model_ready(nope) is true")
        metadata = client.get_model_metadata("imdb")
        check([tensor["name"] for tensor in metadata["inputs"]] == ["text", "tokens"], f"imdb inputs: {metadata['inputs']}")
        check([tensor["name"] for tensor in metadata["outputs"]] == ["score", "label"], f"imdb outputs: {metadata['outputs']}")
        check([tensor["name"] for tensor in client.get_model_metadata("small")["inputs"]] == ["tokens"], "small takes ids only")
        server = client.get_server_metadata()
        check("binary_tensor_data" in server["extensions"], f"server metadata: {server}")

        expected = classify_scores(port, {"texts": texts})
        labels = ["positive" if score >= 0.5 else "negative" for score in expected]
        padded = numpy.array([pre_padded(row, 500) for row in ids], dtype=numpy.int64)
        for binary_inputs in (True, False):
            for binary_outputs in (True, False):
                how = f"binary inputs {binary_inputs}, binary outputs {binary_outputs}"
                text_input = httpclient.InferInput("text", [len(texts)], "BYTES")
                text_input.set_data_from_numpy(numpy.array([text.encode() for text in texts], dtype=numpy.object_), binary_data=binary_inputs)
                result = infer(client, "imdb", text_input, binary_outputs)
                check(same_bits(result.as_numpy("score"), expected), f"BYTES scores differ from /classify ({how})")
                check(result.as_numpy("score").shape == (len(texts), 1), f"score shape {result.as_numpy('score').shape}")
                check([label.decode() if isinstance(label, bytes) else label for label in result.as_numpy("label").reshape(-1)] == labels,
                      f"labels differ ({how})")
                check(result.get_response()["id"] == "check-1", "the request id was not echoed")

                id_input = httpclient.InferInput("tokens", list(padded.shape), "INT64")
                id_input.set_data_from_numpy(padded, binary_data=binary_inputs)
                check(same_bits(infer(client, "imdb", id_input, binary_outputs, ("score",)).as_numpy("score"), expected),
                      f"INT64 padded scores differ from /classify ({how})")
            print(f"imdb: BYTES and INT64 [16, 500], binary inputs {binary_inputs}: same scores as /classify for both output forms")

        # Unpadded rows of equal length, and the small model, whose ids and length (400) differ.
        shortest = min(len(row) for row in ids)
        rows = [row[:shortest] for row in ids]
        row_input = httpclient.InferInput("tokens", [len(rows), shortest], "INT64")
        row_input.set_data_from_numpy(numpy.array(rows, dtype=numpy.int64))
        check(same_bits(infer(client, "imdb", row_input, True, ("score",)).as_numpy("score"), classify_scores(port, {"tokens": rows})),
              "unpadded INT64 rows differ from /classify")
        small_rows = [[min(i, 4999) for i in row] for row in ids]
        small_input = httpclient.InferInput("tokens", [len(small_rows), 400], "INT64")
        small_input.set_data_from_numpy(numpy.array([pre_padded(row, 400) for row in small_rows], dtype=numpy.int64))
        small = infer(client, "small", small_input, True, ("score",))
        check(small.get_response()["model_name"] == "small", "the small model did not answer")
        check(same_bits(small.as_numpy("score"), classify_scores(port, {"tokens": small_rows, "model": "small"})),
              "small model scores differ from /classify")
        print("unpadded rows and the small model: same scores as /classify")

        spec_examples(port)


def curl(port, path, *arguments):
    """(headers, body) of a curl request, curl's own framing."""
    done = subprocess.run(["curl", "-sS", "-D", "-", f"http://127.0.0.1:{port}{path}", *arguments], capture_output=True, timeout=30, check=True)
    head, _, body = done.stdout.partition(b"\r\n\r\n")
    return head.decode("latin-1"), body


def spec_examples(port):
    example = {"id": "42", "inputs": [{"name": "tokens", "shape": [2, 2], "datatype": "INT64", "data": [1, 2, 3, 4]}],
               "outputs": [{"name": "score"}]}
    head, body = curl(port, "/v2/models/imdb/infer", "-H", "Content-Type: application/json", "-d", json.dumps(example))
    answer = json.loads(body)
    check(" 200 " in head.splitlines()[0] and answer["id"] == "42", f"the spec's example: {head} {body!r}")
    check(answer["outputs"][0]["shape"] == [2, 1] and answer["outputs"][0]["datatype"] == "FP32", f"the spec's example: {answer}")
    verbatim = {"id": "42", "inputs": [{"name": "input0", "shape": [2, 2], "datatype": "UINT32", "data": [1, 2, 3, 4]},
                                       {"name": "input1", "shape": [3], "datatype": "BOOL", "data": [True]}],
                "outputs": [{"name": "output0"}]}
    head, body = curl(port, "/v2/models/imdb/infer", "-H", "Content-Type: application/json", "-d", json.dumps(verbatim))
    check(" 400 " in head.splitlines()[0] and isinstance(json.loads(body)["error"], str), f"the spec's own tensors: {head} {body!r}")
    for path, key in (("/v2", "extensions"), ("/v2/health/live", "live"), ("/v2/health/ready", "ready"), ("/v2/models/small", "inputs"),
                      ("/v2/models/small/ready", "ready")):
        head, body = curl(port, path)
        check(" 200 " in head.splitlines()[0] and key in json.loads(body), f"GET {path}: {head} {body!r}")

    # Triton's binary example, adapted: the JSON, then 16 bytes of INT64 ids; the output back as 8 bytes.
    header = json.dumps({"inputs": [{"name": "tokens", "shape": [1, 2], "datatype": "INT64", "parameters": {"binary_data_size": 16}}],
                         "outputs": [{"name": "score", "parameters": {"binary_data": True}}]}).encode()
    body = header + numpy.array([1, 14], dtype="<i8").tobytes()
    done = subprocess.run(["curl", "-sS", "-D", "-", f"http://127.0.0.1:{port}/v2/models/imdb/infer", "-H", "Content-Type: application/octet-stream",
                           "-H", f"Inference-Header-Content-Length: {len(header)}", "--data-binary", "@-"],
                          input=body, capture_output=True, timeout=30, check=True)
    head, _, answer = done.stdout.partition(b"\r\n\r\n")
    lengths = [line.split(b":")[1].strip() for line in head.splitlines() if line.lower().startswith(b"inference-header-content-length:")]
    check(len(lengths) == 1, f"no Inference-Header-Content-Length: {head!r}")
    json_length = int(lengths[0])
    outputs = json.loads(answer[:json_length])["outputs"]
    check(outputs[0]["parameters"]["binary_data_size"] == 4 and len(answer) == json_length + 4, f"binary answer: {answer!r}")
    score = numpy.frombuffer(answer[json_length:], dtype="<f4")
    check(same_bits(score, classify_scores(port, {"tokens": [[1, 14]]})), "the binary example's score differs from /classify")
    print("the specification's JSON examples and Triton's binary example work with curl")


if __name__ == "__main__":
    run(main)
