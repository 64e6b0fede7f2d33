#!/usr/bin/env python3
"""Writes the fuzz targets' seed inputs into Tests/Fuzz/Corpus/<target>/ (docs/fuzzing.md).

Seeds are the starting points; the committed corpora are these merged with what the fuzzers found
(`fuzz.sh merge`). Running this again adds the seeds back without removing anything. Files are named by
the SHA-1 of their contents, as libFuzzer names its own.
"""

import hashlib
import io
import pathlib
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "Tests" / "Fuzz" / "Corpus"


def write(target: str, data: bytes) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def http_seeds() -> None:
    host = b"Host: example.com\r\n"
    chunked = b"POST /classify HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\n"
    requests = [
        b"GET / HTTP/1.1\r\n" + host + b"\r\n",
        b"GET /healthz?verbose=1 HTTP/1.1\r\n" + host + b"Connection: close\r\n\r\n",
        b"POST /classify HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\nContent-Length: 15\r\n\r\n"
        + b'{"text": "fun"}',
        chunked + b"4\r\nabcd\r\n2;name=value\r\nef\r\n0\r\nX-Trailer: 1\r\n\r\n",
        chunked + b'3 ;a = "q\\"v" ; b\r\nabc\r\n0\r\n\r\n',
        b"POST /classify HTTP/1.1\r\n" + host + b"Expect: 100-continue\r\nContent-Length: 4\r\n\r\nbody",
        b"GET http://example.com/v1/models HTTP/1.1\r\n" + host + b"\r\n",
        b"OPTIONS * HTTP/1.1\r\n" + host + b"\r\n",
        b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        b"\r\n\r\nGET / HTTP/1.1\r\n" + host + b"\r\n",
        b"GET /a HTTP/1.1\r\n" + host + b"\r\nGET /b HTTP/1.1\r\n" + host + b"\r\nPOST /c HTTP/1.1\r\n" + host
        + b"Content-Length: 2\r\n\r\nhiGET /d HTTP/1.1\r\n" + host + b"\r\n",
        b"HEAD / HTTP/1.1\r\n" + host + b"X-A: b\r\n c\r\n\r\n",
        b"GET / HTTP/1.1\nHost: example.com\n\n",
        b"POST / HTTP/1.1\r\n" + host + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
        b"POST / HTTP/1.1\r\n" + host + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\n" + host + b"Content-Length: 5, 5\r\n\r\nhello",
        b"PURGE / HTTP/1.1\r\n" + host + b"\r\n",
        b"GET / HTTP/2.0\r\n" + host + b"\r\n",
        b"DELETE /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        chunked + b"ffffffffffffffffff\r\n",
    ]
    for request in requests:
        write("http", b"\x00" + request)  # one byte at a time, default limits
        write("http", b"\x83\x05\x11\x00" + request)  # chunks of 5, 17 and 0, small limits
        write("http", b"\x01\x40" + request)  # chunks of 64


def json_seeds() -> None:
    bodies = [
        '{"text": "A wonderful film."}',
        '{"text": "esc \\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00"}',
        '{"texts": ["good", "bad", ""]}',
        '{"tokens": [1, 14, 22, 9999]}',
        '{"tokens": [[1, 14], [1, 22, 16], []]}',
        '{"tokens": [1e2, 100.0, -0, 1E+1, 9223372036854775807, -9223372036854775808]}',
        '{"tokens": [1.5, 1e-1, 1e19, 1.000000000000000000001]}',
        '{"tokens": [123456789012345678e1]}',
        '\ufeff {"text": "bom"} ',
        '{"text": "a", "text": "b"}',
        '{"text": "a", "texts": ["b"]}',
        '{"unknown": {"a": [true, false, null, {"b": -1.5e-3}]}}',
        '{"text": 3}',
        '[{"text": "x"}]',
        '"just a string"',
        '{"texts": ["a",]}',
        '{"tokens": [01]}',
        '[[[[[[[[[["deep"]]]]]]]]]]',
        '{"text": "\\ud800"}',
        '{"tokens": [1e400, -1e400]}',
        '{"text" : "a" }\n\t\r',
    ]
    for body in bodies:
        write("classify-json", body.encode("utf-8"))
    write("classify-json", b'{"text": "\xff\xfe invalid utf-8"}')
    write("classify-json", '{"text": "utf-16"}'.encode("utf-16-le"))


def tokenizer_seeds() -> None:
    texts = [
        "This movie was GREAT! I loved it.<br /><br />The acting: superb; the plot - thin.",
        "Don\u2019t  watch 'it'. ''quoted'' words' ends' and 'starts",
        "\u00c9T\u00c9 CAF\u00c9 na\u00efve \u00d7 \u00f7 \u00df \u00de\u00ff \u00c0\u00c1\u00c2",
        "<br><BR><bR    /><br/ ><br <br/>x</br>",
        "emoji \U0001f600 and \u4e2d\u6587 and \u0410\u0411 and e\u0301 combining",
        "1234 56,78 9.0 x1y2 a_b c-d",
        "a" * 300 + " " + "b" * 7 + " " + "c" * 8 + " " + "d" * 9,
        "the and a of to is in it this that",
        "",
    ]
    for text in texts:
        write("tokenizer", text.encode("utf-8"))
    write("tokenizer", b"bytes \xc3 cut \xe2\x80 and \xff invalid \xc3\x28")


def checkpoint_seeds() -> None:
    fixtures = ROOT / "Tests" / "KerasFilesTests" / "Fixtures"
    for path in sorted(fixtures.iterdir()):
        if path.suffix in (".keras", ".h5", ".zip"):
            write("checkpoint", path.read_bytes())
        if path.suffix == ".keras":
            with zipfile.ZipFile(path) as archive:
                for name in ("config.json", "model.weights.h5"):
                    write("checkpoint", archive.read(name))
    write("checkpoint", (ROOT / "Tests" / "SentimentModelTests" / "Fixtures" / "keras2-hard-sigmoid.h5").read_bytes())
    # The bundled model is 4 MB, over the corpus budget: its config.json stands for it (fuzz.sh adds the whole
    # file to the fuzzer's starting inputs).
    with zipfile.ZipFile(ROOT / "Models" / "imdb-lstm.keras") as archive:
        write("checkpoint", archive.read("config.json"))
        write("checkpoint", archive.read("metadata.json"))


if __name__ == "__main__":
    http_seeds()
    json_seeds()
    tokenizer_seeds()
    checkpoint_seeds()
    for folder in sorted(CORPUS.iterdir()):
        files = list(folder.iterdir())
        print(f"{folder.name}: {len(files)} files, {sum(f.stat().st_size for f in files)} bytes")
