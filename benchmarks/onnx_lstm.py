"""The imdb-lstm model as a hand-built ONNX graph, shared by peers.py and fastapi_peer/app.py.

Graph (opset 17):  ids int64 [B, T] -> Gather(embedding) [B, T, D] -> Transpose [T, B, D]
                   -> LSTM (hidden H) -> Y_h [1, B, H] -> Squeeze [B, H] -> MatMul + Add -> Sigmoid
                   -> score float [B, 1]

Two variants of the same weights:
  padded   inputs: ids [B, 500], Keras `pre` padding; the LSTM starts from zeros, as in Keras.
  trimmed  inputs: ids [B, T] holding each sequence's real ids LEFT-aligned (zeros after, T the
           batch's longest), sequence_lens int32 [B], initial_h/initial_c float [1, B, H]. A
           sequence of L ids stands for 500 - L pad ids followed by its ids, so its initial state
           is the LSTM state after 500 - L pad tokens (`pad_states`, computed once with numpy);
           the LSTM then reads only its L real steps and Y_h is the state after the last one.

Keras -> ONNX conversion:
  Keras LSTM kernel [D, 4H], recurrent kernel [H, 4H], bias [4H], gate column blocks i, f, c, o.
  ONNX W [1, 4H, D], R [1, 4H, H] (transposed), gate row blocks i, o, f, c; B [1, 8H] = Wb ++ Rb,
  with the Keras bias in Wb and zeros in Rb. Default ONNX activations (sigmoid, tanh, tanh) are
  Keras's recurrent_activation=sigmoid / activation=tanh.

CLI:  python onnx_lstm.py --model Models/imdb-lstm.keras --out /tmp/imdb-lstm   (writes
      /tmp/imdb-lstm-padded.onnx and /tmp/imdb-lstm-trimmed.onnx; needs keras)
"""

from __future__ import annotations

import argparse
import os

import numpy as np

MAX_LENGTH = 500
OPSET = 17


class KerasWeights:
    """The float32 weights of Embedding -> LSTM -> Dense(1, sigmoid)."""

    def __init__(self, embedding, kernel, recurrent, bias, dense_w, dense_b):
        self.embedding = np.asarray(embedding, np.float32)  # [V, D]
        self.kernel = np.asarray(kernel, np.float32)  # [D, 4H] i f c o
        self.recurrent = np.asarray(recurrent, np.float32)  # [H, 4H] i f c o
        self.bias = np.asarray(bias, np.float32)  # [4H] i f c o
        self.dense_w = np.asarray(dense_w, np.float32).reshape(-1, 1)  # [H, 1]
        self.dense_b = np.asarray(dense_b, np.float32).reshape(1)  # [1]

    @property
    def units(self) -> int:
        return self.recurrent.shape[0]

    @classmethod
    def from_keras_model(cls, model) -> "KerasWeights":
        import keras

        emb = lstm = dense = None
        for layer in model.layers:
            if isinstance(layer, keras.layers.Embedding):
                emb = layer
            elif isinstance(layer, keras.layers.LSTM):
                lstm = layer
            elif isinstance(layer, keras.layers.Dense):
                dense = layer
        if emb is None or lstm is None or dense is None:
            raise ValueError("expected Embedding -> LSTM -> Dense")
        cfg = lstm.get_config()
        if cfg.get("activation") != "tanh" or cfg.get("recurrent_activation") != "sigmoid":
            raise ValueError(f"unsupported LSTM activations: {cfg.get('activation')}, "
                             f"{cfg.get('recurrent_activation')}")
        if not cfg.get("use_bias", True) or not dense.get_config().get("use_bias", True):
            raise ValueError("use_bias=False is not handled here")
        (embedding,) = emb.get_weights()
        kernel, recurrent, bias = lstm.get_weights()
        dense_w, dense_b = dense.get_weights()
        return cls(embedding, kernel, recurrent, bias, dense_w, dense_b)


def _iofc(m: np.ndarray, h: int) -> np.ndarray:
    """Reorders Keras gate blocks i, f, c, o (last axis) into ONNX's i, o, f, c."""
    i, f, c, o = (m[..., k * h:(k + 1) * h] for k in range(4))
    return np.concatenate([i, o, f, c], axis=-1)


def build_onnx(w: KerasWeights, trimmed: bool):
    """The ONNX ModelProto of the padded or the trimmed variant."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    h = w.units
    W = _iofc(w.kernel, h).T[None, :, :]  # [1, 4H, D]
    R = _iofc(w.recurrent, h).T[None, :, :]  # [1, 4H, H]
    B = np.concatenate([_iofc(w.bias, h), np.zeros(4 * h, np.float32)])[None, :]  # [1, 8H]
    inits = [
        numpy_helper.from_array(w.embedding, "embedding"),
        numpy_helper.from_array(np.ascontiguousarray(W), "W"),
        numpy_helper.from_array(np.ascontiguousarray(R), "R"),
        numpy_helper.from_array(np.ascontiguousarray(B), "B"),
        numpy_helper.from_array(w.dense_w, "dense_w"),
        numpy_helper.from_array(w.dense_b, "dense_b"),
        numpy_helper.from_array(np.array([0], np.int64), "axis0"),
    ]
    inputs = [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "time"])]
    lstm_inputs = ["x_tbd", "W", "R", "B"]
    if trimmed:
        inputs += [
            helper.make_tensor_value_info("sequence_lens", TensorProto.INT32, ["batch"]),
            helper.make_tensor_value_info("initial_h", TensorProto.FLOAT, [1, "batch", h]),
            helper.make_tensor_value_info("initial_c", TensorProto.FLOAT, [1, "batch", h]),
        ]
        lstm_inputs += ["sequence_lens", "initial_h", "initial_c"]
    nodes = [
        helper.make_node("Gather", ["embedding", "ids"], ["x_btd"], axis=0),
        helper.make_node("Transpose", ["x_btd"], ["x_tbd"], perm=[1, 0, 2]),
        helper.make_node("LSTM", lstm_inputs, ["", "y_h"], hidden_size=h, direction="forward"),
        helper.make_node("Squeeze", ["y_h", "axis0"], ["h_last"]),
        helper.make_node("MatMul", ["h_last", "dense_w"], ["logit0"]),
        helper.make_node("Add", ["logit0", "dense_b"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["score"]),
    ]
    outputs = [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["batch", 1])]
    graph = helper.make_graph(nodes, "imdb_lstm_" + ("trimmed" if trimmed else "padded"),
                              inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="lstm-serve-benchmarks")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def weights_from_onnx(model) -> KerasWeights:
    """Back to Keras layout from a graph built by build_onnx (for pad_states in the peer)."""
    from onnx import numpy_helper

    t = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    h = t["R"].shape[2]

    def ifco(m):  # ONNX rows i, o, f, c -> Keras columns i, f, c, o
        i, o, f, c = (m[k * h:(k + 1) * h] for k in range(4))
        return np.concatenate([i, f, c, o], axis=0).T

    return KerasWeights(t["embedding"], ifco(t["W"][0]), ifco(t["R"][0]),
                        ifco(t["B"][0][:4 * h, None])[0], t["dense_w"], t["dense_b"])


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def pad_states(w: KerasWeights, max_length: int = MAX_LENGTH):
    """(h, c) float32 [max_length + 1, H]: the LSTM state after k pad (id 0) tokens, k = 0..max."""
    h = w.units
    x = w.embedding[0].astype(np.float64) @ w.kernel.astype(np.float64) + w.bias
    U = w.recurrent.astype(np.float64)
    hs = np.zeros((max_length + 1, h))
    cs = np.zeros((max_length + 1, h))
    hk = np.zeros(h)
    ck = np.zeros(h)
    for k in range(1, max_length + 1):
        z = x + hk @ U
        i, f, g, o = _sigmoid(z[:h]), _sigmoid(z[h:2 * h]), np.tanh(z[2 * h:3 * h]), _sigmoid(z[3 * h:])
        ck = f * ck + i * g
        hk = o * np.tanh(ck)
        hs[k], cs[k] = hk, ck
    return hs.astype(np.float32), cs.astype(np.float32)


def padded_batch(seqs: list[list[int]], max_length: int = MAX_LENGTH) -> dict:
    """Feed for the padded graph: Keras pad_sequences(padding='pre', truncating='pre')."""
    ids = np.zeros((len(seqs), max_length), np.int64)
    for r, s in enumerate(seqs):
        s = s[-max_length:]
        ids[r, max_length - len(s):] = s
    return {"ids": ids}


def trimmed_batch(seqs: list[list[int]], hs, cs, max_length: int = MAX_LENGTH) -> dict:
    """Feed for the trimmed graph: real ids left-aligned, each starting from its pad state."""
    seqs = [s[-max_length:] for s in seqs]
    lens = np.array([len(s) for s in seqs], np.int32)
    ids = np.zeros((len(seqs), int(lens.max())), np.int64)
    for r, s in enumerate(seqs):
        ids[r, :len(s)] = s
    k = max_length - lens
    return {"ids": ids, "sequence_lens": lens,
            "initial_h": hs[k][None, :, :], "initial_c": cs[k][None, :, :]}


def session(model_or_path, threads: int = 2):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    data = model_or_path if isinstance(model_or_path, (str, os.PathLike)) else model_or_path.SerializeToString()
    return ort.InferenceSession(data, so, providers=["CPUExecutionProvider"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="Keras checkpoint (.keras or .h5)")
    ap.add_argument("--out", required=True, help="path prefix: writes PREFIX-padded.onnx and PREFIX-trimmed.onnx")
    args = ap.parse_args()
    import onnx
    import keras

    w = KerasWeights.from_keras_model(keras.models.load_model(args.model, compile=False))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    for variant in ("padded", "trimmed"):
        path = f"{args.out}-{variant}.onnx"
        onnx.save(build_onnx(w, trimmed=variant == "trimmed"), path)
        print(path)


if __name__ == "__main__":
    main()
