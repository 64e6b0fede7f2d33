"""Write the small fixture files the KerasCheckpoint Swift tests read, plus the golden values.

    python training/make_checkpoint_fixtures.py --out Tests/KerasFilesTests/Fixtures

Every expected value in `expected.json` comes from Python's zipfile / h5py / Keras, never typed by hand.
The fixtures are deterministic apart from zip timestamps and Keras' `date_saved`; rerunning is safe.
Keep the folder small (well under 300 KB): tiny dimensions, few layers.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import zipfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import h5py  # noqa: E402
import numpy as np  # noqa: E402


def floats(array) -> list[float]:
    """Row-major float values as Python floats.

    float32/float16 values are written in their shortest float32 decimal form (smaller JSON); the
    assertion guarantees that parsing the decimal as a double and rounding to float32 gives the value back.
    """
    array = np.asarray(array)
    if array.dtype.itemsize > 4:
        return [float(x) for x in array.reshape(-1)]
    result = []
    for x in array.astype("<f4").reshape(-1):
        short = float(str(np.float32(x)))
        assert np.float32(short) == x or (np.isnan(x) and np.isnan(short))
        result.append(short)
    return result


# ---------------------------------------------------------------------------------------------- zip


class _NonSeekable(io.RawIOBase):
    """A write-only stream without seek/tell, so zipfile must use data descriptors (flag bit 3)."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buffer += bytes(data)
        return len(data)


def make_zips(out: str) -> dict:
    entries = {
        "stored.txt": (b"hello, stored entry\n", zipfile.ZIP_STORED),
        "deflated.txt": (b"deflate me " * 40, zipfile.ZIP_DEFLATED),
        "dir/binary.bin": (bytes(range(256)) * 3, zipfile.ZIP_DEFLATED),
        "empty.txt": (b"", zipfile.ZIP_STORED),
    }
    with zipfile.ZipFile(os.path.join(out, "plain.zip"), "w") as z:
        for name, (data, method) in entries.items():
            z.writestr(name, data, compress_type=method)
    stream = _NonSeekable()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, (data, _) in entries.items():
            with z.open(name, "w") as w:
                w.write(data)
    with open(os.path.join(out, "descriptor.zip"), "wb") as f:
        f.write(bytes(stream.buffer))

    expected = {}
    for file in ("plain.zip", "descriptor.zip"):
        with zipfile.ZipFile(os.path.join(out, file)) as z:
            expected[file] = [
                {
                    "name": info.filename,
                    "method": info.compress_type,
                    "crc": info.CRC,
                    "size": info.file_size,
                    "dataDescriptor": bool(info.flag_bits & 0x08),
                    "hex": z.read(info.filename).hex(),
                }
                for info in z.infolist()
            ]
    return expected


# --------------------------------------------------------------------------------------------- hdf5


def _compact_dataset(f: h5py.File, name: str, data: np.ndarray) -> None:
    space = h5py.h5s.create_simple(data.shape)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    dset = h5py.h5d.create(f.id, name.encode(), h5py.h5t.IEEE_F32LE, space, dcpl=dcpl)
    dset.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(data, dtype="<f4"))


def make_hdf5(out: str, file: str, libver: str | None, dense_group: bool) -> dict:
    rng = np.random.default_rng(1234)
    path = os.path.join(out, file)
    kwargs = {"libver": libver} if libver else {}
    with h5py.File(path, "w", **kwargs) as f:
        f["contiguous"] = rng.standard_normal((3, 4)).astype("<f4")
        f.create_dataset("chunked", data=rng.standard_normal((10, 7)).astype("<f4"), chunks=(4, 3))
        f.create_dataset(
            "deflate", data=rng.standard_normal((20, 5)).astype("<f4"), chunks=(8, 5), compression="gzip"
        )
        f.create_dataset(
            "shuffle_deflate",
            data=rng.standard_normal(16).astype("<f4"),
            chunks=(5,),
            shuffle=True,
            compression="gzip",
            compression_opts=9,
        )
        f.create_dataset("many_chunks", data=np.arange(200, dtype="<f4") / 8, chunks=(2,))
        f.create_dataset("single_chunk", data=rng.standard_normal((3, 3)).astype("<f4"), chunks=(3, 3))
        f.create_dataset(
            "single_chunk_deflate",
            data=rng.standard_normal((3, 3)).astype("<f4"),
            chunks=(3, 3),
            compression="gzip",
        )
        _compact_dataset(f, "compact", rng.standard_normal((2, 3)).astype("<f4"))
        f.create_dataset(
            "fletcher", data=np.linspace(-1, 1, 12, dtype="<f4").reshape(3, 4), chunks=(2, 2), fletcher32=True
        )
        # Unlimited max shape: v1 B-tree with the default libver, extensible-array index with libver='latest'.
        f.create_dataset("resizable", data=np.arange(4, dtype="<f4"), maxshape=(None,), chunks=(2,))
        f["float64"] = rng.standard_normal(5).astype("<f8")
        f["float16"] = rng.standard_normal(4).astype("<f2")
        f["big_endian"] = rng.standard_normal(3).astype(">f4")
        f["scalar"] = np.float32(2.5)
        f["int32"] = np.arange(4, dtype="<i4")
        f.create_dataset("unwritten", shape=(4,), dtype="<f4")
        f["nested/a/b/deep"] = rng.standard_normal((2, 2)).astype("<f4")
        f["nested/soft"] = h5py.SoftLink("/nested/a/b")
        f["nested/hard"] = f["nested/a"]
        f.attrs["vlen_str"] = "héllo vlen"
        f.attrs["fixed_str"] = np.bytes_(b"fixed bytes")
        f.attrs["vlen_str_array"] = ["alpha", "beta", "gamma"]
        f.attrs["fixed_str_array"] = np.array([b"lstm_1", b"dense_12"])
        f.attrs["int_scalar"] = np.int64(-42)
        f.attrs["int_array"] = np.array([1, 2, 3], dtype="<i4")
        f.attrs["float_scalar"] = np.float64(0.125)
        f.attrs["float_array"] = np.array([1.5, -2.25], dtype="<f4")
        f.attrs["empty_array"] = np.array([], dtype="<f8")
        f["nested/a"].attrs["on_group"] = "group attribute"
        f["contiguous"].attrs["on_dataset"] = np.int32(7)
        group = f.create_group("many")
        for i in range(20 if dense_group else 0):
            group[f"d{i:02d}"] = np.array([i], dtype="<f4")

    expected: dict = {"datasets": {}, "attributes": {}, "groups": {}}
    with h5py.File(path, "r") as f:
        for name in (
            "contiguous", "chunked", "deflate", "shuffle_deflate", "many_chunks", "single_chunk",
            "single_chunk_deflate", "compact", "fletcher", "float64", "float16", "big_endian", "scalar", "unwritten",
            "nested/a/b/deep", "nested/soft/deep", "nested/hard/b/deep",
        ):
            d = f[name]
            expected["datasets"][name] = {"shape": list(d.shape), "values": floats(d[()])}
        for key, value in f.attrs.items():
            expected["attributes"][key] = _attr_json(value)
        expected["attributes"]["nested/a:on_group"] = _attr_json(f["nested/a"].attrs["on_group"])
        expected["attributes"]["contiguous:on_dataset"] = _attr_json(f["contiguous"].attrs["on_dataset"])
        expected["groups"]["/"] = sorted(f.keys())
        expected["groups"]["nested"] = sorted(f["nested"].keys())
        expected["groups"]["many"] = sorted(f["many"].keys())
        expected["superblock"] = f.id.get_create_plist().get_version()[0]
    return expected


def _attr_json(value) -> dict:
    if isinstance(value, bytes):
        return {"strings": [value.decode()]}
    if isinstance(value, str):
        return {"strings": [value]}
    array = np.asarray(value)
    if array.dtype.kind in "SO U":
        return {"strings": [x.decode() if isinstance(x, bytes) else str(x) for x in array.reshape(-1)]}
    if array.dtype.kind in "iu":
        return {"ints": [int(x) for x in array.reshape(-1)]}
    return {"doubles": floats(array)}


def make_dense(out: str) -> None:
    """A libver='latest' group with more links than fit compactly: dense storage (fractal heap + v2 B-tree)."""
    with h5py.File(os.path.join(out, "dense_links.h5"), "w", libver="latest") as f:
        for i in range(20):
            f[f"many/d{i:02d}"] = np.array([i], dtype="<f4")


def make_cyclic(out: str) -> None:
    with h5py.File(os.path.join(out, "cyclic.h5"), "w") as f:
        f["a/x"] = np.zeros(2, dtype="<f4")
        f["a/loop"] = f["a"]  # hard-link cycle: /a/loop -> /a
        f["s1"] = h5py.SoftLink("/s2")
        f["s2"] = h5py.SoftLink("/s1")  # soft-link cycle
        f["self"] = h5py.SoftLink("/self/x")


# -------------------------------------------------------------------------------------------- keras


def make_keras(out: str) -> dict:
    import keras

    keras.utils.set_random_seed(7)
    L = keras.layers

    def lstm_model(**lstm_kwargs):
        return keras.Sequential(
            [keras.Input((12,), dtype="int32"), L.Embedding(30, 6), L.LSTM(5, **lstm_kwargs),
             L.Dense(1, activation="sigmoid")]
        )

    def functional():
        inputs = keras.Input((12,), dtype="int32", name="tokens")
        x = L.Embedding(30, 4, name="emb")(inputs)
        x = L.LSTM(3, name="rnn")(x)
        outputs = L.Dense(1, activation="sigmoid", name="head")(x)
        return keras.Model(inputs, outputs)

    models = {
        "lstm": (lstm_model(), ("keras", "h5")),
        "lstm_nobias": (lstm_model(use_bias=False, recurrent_activation="hard_sigmoid"), ("keras", "h5")),
        "gru": (
            keras.Sequential([keras.Input((12,), dtype="int32"), L.Embedding(30, 4), L.GRU(3),
                              L.Dense(1, activation="sigmoid")]),
            ("keras",),
        ),
        "stacked": (
            keras.Sequential([keras.Input((12,), dtype="int32"), L.Embedding(30, 4),
                              L.LSTM(3, return_sequences=True), L.LSTM(2), L.Dense(1, activation="sigmoid")]),
            ("keras",),
        ),
        "functional": (functional(), ("keras",)),
    }
    expected = {}
    for name, (model, formats) in models.items():
        for layer in model.layers:  # random (non-zero) weights everywhere, biases included
            layer.set_weights([np.random.default_rng(len(w.shape) * 31 + i).uniform(-1, 1, w.shape).astype("f4")
                               for i, w in enumerate(layer.get_weights())])
        layers = []
        for layer in model.layers:
            config = layer.get_config()
            layers.append({
                "className": layer.__class__.__name__,
                "name": layer.name,
                "config": {k: config[k] for k in ("units", "activation", "recurrent_activation", "use_bias",
                                                  "return_sequences", "input_dim", "output_dim") if k in config},
                "weights": [{"shape": list(w.shape), "values": floats(w)} for w in layer.get_weights()],
            })
        record = {"modelClassName": model.__class__.__name__ if name != "functional" else "Functional",
                  "kerasVersion": keras.__version__, "layers": layers}
        for fmt in formats:
            file = f"{name}.{fmt}"
            model.save(os.path.join(out, file))
            expected[file] = record
    expected["keras2_lstm.h5"] = make_keras2_style(out, models["lstm"][0])
    return expected


def make_keras2_style(out: str, model) -> dict:
    """A Keras-2-era legacy file: fixed-length byte-string attributes, `name:0` weights, batch_input_shape."""
    names = {"embedding": "embedding_1", "lstm": "lstm_1", "dense": "dense_1"}
    weight_names = {
        "embedding": ["embeddings:0"],
        "lstm": ["kernel:0", "recurrent_kernel:0", "bias:0"],
        "dense": ["kernel:0", "bias:0"],
    }
    layer_configs = []
    for i, layer in enumerate(model.layers):
        config = {k: v for k, v in layer.get_config().items() if k not in ("dtype", "quantization_config")}
        config["name"] = names[layer.name]
        config["dtype"] = "float32"
        if i == 0:
            config["batch_input_shape"] = [None, 12]
        layer_configs.append({"class_name": layer.__class__.__name__, "config": config})
    model_config = {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": layer_configs}}
    path = os.path.join(out, "keras2_lstm.h5")
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = np.bytes_(b"2.4.0")
        f.attrs["backend"] = np.bytes_(b"tensorflow")
        f.attrs["model_config"] = np.bytes_(json.dumps(model_config).encode("utf8"))
        weights_group = f.create_group("model_weights")
        weights_group.attrs["layer_names"] = np.array([names[l.name].encode() for l in model.layers])
        weights_group.attrs["backend"] = np.bytes_(b"tensorflow")
        weights_group.attrs["keras_version"] = np.bytes_(b"2.4.0")
        for layer in model.layers:
            name = names[layer.name]
            group = weights_group.create_group(name)
            full = [f"{name}/{w}" for w in weight_names[layer.name]]
            group.attrs["weight_names"] = np.array([w.encode() for w in full])
            for w, value in zip(full, layer.get_weights()):
                group[w] = value
    layers = []
    for layer in model.layers:
        layers.append({"className": layer.__class__.__name__, "name": names[layer.name], "config": {},
                       "weights": [{"shape": list(w.shape), "values": floats(w)} for w in layer.get_weights()]})
    return {"modelClassName": "Sequential", "kerasVersion": "2.4.0", "layers": layers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="Tests/KerasFilesTests/Fixtures")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    expected = {
        "zip": make_zips(args.out),
        "hdf5": {
            "v0.h5": make_hdf5(args.out, "v0.h5", None, dense_group=True),
            "latest.h5": make_hdf5(args.out, "latest.h5", "latest", dense_group=False),
        },
        "keras": make_keras(args.out),
    }
    make_dense(args.out)
    make_cyclic(args.out)
    with open(os.path.join(args.out, "expected.json"), "w") as f:
        json.dump(expected, f, sort_keys=True, separators=(",", ":"))
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(args.out, n)) for n in os.listdir(args.out))
    print(f"wrote {len(os.listdir(args.out))} files, {total} bytes, to {args.out}")


if __name__ == "__main__":
    main()
