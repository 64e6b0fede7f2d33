"""TLS on the release binary, checked by real peers.

Starts lstm-serve with the test-only certificates of Tests/Fixtures/TLS (copied to a temporary directory, so the
reload can replace them) on a free loopback port, then:

- curl --cacert: POST /classify over HTTP/1.1, ALPN http/1.1 accepted, certificate verified;
- Python's ssl: TLS 1.2 and TLS 1.3 succeed (verified, ALPN http/1.1); TLS 1.0 and TLS 1.1 are refused;
- openssl s_client: verified handshake, ALPN http/1.1, an answer;
- plain HTTP on the TLS port: closed without an HTTP answer;
- a silent client: closed after the handshake timeout (--header-timeout-ms 1500, on a second server), not before;
- SIGHUP with a bad certificate file: the old certificate stays, the log says why; SIGHUP with a renewed certificate:
  a new client sees the renewed certificate's fingerprint, while a keep-alive connection opened before either
  reload keeps working;
- lstm-serve healthcheck with LSTM_SERVE_TLS_CERT answers 0;
- testssl.sh (unless --skip-testssl), after one more SIGHUP to a certificate made now in a public CA's shape (90 days,
  CRL and OCSP addresses; testssl rates the certificate as well as the server): no finding of severity HIGH or CRITICAL
  in its JSON output; the summary is printed.

After all that the server must still be running, and exit 0 on SIGTERM.

    LSTM_SERVE=.build/release/lstm-serve python3 Tests/Integration/tls_check.py [--skip-testssl]
"""

import argparse
import collections
import hashlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

from orchestration import REPO, Failure, Replica, free_port, lstm_serve_binary, run, wait_until

FIXTURES = REPO / "Tests/Fixtures/TLS"
CA = str(FIXTURES / "ca.pem")
HEADER_TIMEOUT_MS = 1500
REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def check(condition, message):
    if not condition:
        raise Failure(message)


def fingerprint(path):
    """SHA-256 of the first certificate in a PEM file (a chain), hexadecimal."""
    end = "-----END CERTIFICATE-----"
    first = Path(path).read_text().split(end)[0].strip() + "\n" + end + "\n"
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(first)).hexdigest()


def client_context(maximum=None, minimum=None):
    context = ssl.create_default_context(cafile=CA)
    context.set_alpn_protocols(["http/1.1"])
    if minimum is not None:
        context.minimum_version = minimum
    if maximum is not None:
        context.maximum_version = maximum
    return context


def tls_connect(port, context=None):
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        return (context or client_context()).wrap_socket(raw, server_hostname="127.0.0.1")
    except BaseException:
        raw.close()
        raise


def ask(connection):
    """Sends GET /healthz on a kept-alive connection; returns the status line."""
    connection.sendall(REQUEST)
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(4096)
        check(chunk, "the connection closed before an answer")
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += connection.recv(4096)
    return head.split(b"\r\n")[0].decode()


def read_until_closed(sock, limit):
    """Raw bytes until the peer closes; raises Failure if it stays open `limit` seconds."""
    sock.settimeout(limit)
    received = b""
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                return received
            received += chunk
    except ConnectionResetError:
        return received
    except socket.timeout:
        raise Failure(f"the server left the connection open for {limit} s")


def check_curl(port):
    result = subprocess.run(
        ["curl", "-sS", "-v", "--http1.1", "--cacert", CA, "--max-time", "10", "-H", "Content-Type: application/json",
         "-d", '{"text": "A wonderful, moving film."}', f"https://127.0.0.1:{port}/classify"],
        capture_output=True, text=True, timeout=20)
    check(result.returncode == 0, f"curl failed: {result.stderr[-800:]}")
    check('"label"' in result.stdout, f"curl got no classification: {result.stdout[:300]}")
    check("ALPN: server accepted http/1.1" in result.stderr or "ALPN, server accepted to use http/1.1" in result.stderr,
          f"curl saw no ALPN http/1.1: {result.stderr[-800:]}")
    print("curl --cacert: POST /classify 200 over", next(
        (line.split("using ")[1] for line in result.stderr.splitlines() if "SSL connection using" in line), "TLS"), "ALPN http/1.1")


def check_python_versions(port):
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        with tls_connect(port, client_context(maximum=version, minimum=version)) as connection:
            check(connection.version() == version.name.replace("_", "."),
                  f"asked for {version.name}, got {connection.version()}")
            check(connection.selected_alpn_protocol() == "http/1.1", f"ALPN: {connection.selected_alpn_protocol()}")
            status = ask(connection)
            check(status.startswith("HTTP/1.1 200"), f"{version.name}: {status}")
            print(f"python ssl {connection.version()}: {connection.cipher()[0]}, {status}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.load_verify_locations(CA)
            context.minimum_version = version
            context.maximum_version = version
            context.set_ciphers("ALL:@SECLEVEL=0")  # let this client offer the old protocol at all
            try:
                with tls_connect(port, context) as connection:
                    raise Failure(f"{version.name} was accepted ({connection.version()})")
            except ssl.SSLError as error:
                check("PROTOCOL_VERSION" in str(error).upper() or "UNSUPPORTED" in str(error).upper() or "ALERT" in str(error).upper(),
                      f"{version.name} refused for an unexpected reason: {error}")
                print(f"python ssl {version.name}: refused ({error.reason})")


def check_s_client(port):
    result = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", CA, "-verify_return_error",
         "-verify_ip", "127.0.0.1", "-alpn", "http/1.1", "-ign_eof"],
        input=b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", capture_output=True, timeout=20)
    output = result.stdout.decode("latin-1")
    check("Verify return code: 0 (ok)" in output, f"s_client did not verify: {output[-1000:]}")
    check("ALPN protocol: http/1.1" in output, f"s_client saw no ALPN http/1.1: {output[-1000:]}")
    check("HTTP/1.1 200" in output, f"s_client got no answer: {output[-1000:]}")
    protocol = next((line.split(",")[1].strip() for line in output.splitlines() if line.startswith("New, ")), "?")
    print(f"openssl s_client: verified, {protocol}, ALPN http/1.1, 200")


def check_plain_http(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(REQUEST)
        received = read_until_closed(sock, 5)
    check(not received.startswith(b"HTTP/"), f"plain HTTP got an HTTP answer: {received[:80]!r}")
    print(f"plain HTTP on the TLS port: closed, {len(received)} bytes answered, none of them HTTP")


def check_handshake_timeout(binary, work, certificate, key):
    """On a server of its own with a short timeout: testssl's many connections on the main one must not meet it."""
    port = free_port()
    replica = start(binary, port, work, "handshake-timeout", certificate, key, "--header-timeout-ms", str(HEADER_TIMEOUT_MS))
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            started = time.monotonic()
            received = read_until_closed(sock, 10)
            elapsed = time.monotonic() - started
        check(replica.terminate() == 0, f"the handshake-timeout server did not exit 0:\n{replica.log()[-2000:]}")
    finally:
        replica.kill()
    check(received == b"", f"a silent client was sent {received[:80]!r}")
    check(elapsed >= HEADER_TIMEOUT_MS / 1000 - 0.1, f"a silent client was closed after {elapsed:.2f} s, before the timeout")
    print(f"silent client: closed after {elapsed:.2f} s (timeout {HEADER_TIMEOUT_MS} ms)")


def check_reload(port, replica, certificate, key):
    original = fingerprint(FIXTURES / "server.pem")
    renewed = fingerprint(FIXTURES / "renewed.pem")
    kept = tls_connect(port)
    try:
        check(hashlib.sha256(kept.getpeercert(True)).hexdigest() == original, "the server did not start with server.pem")
        check(ask(kept).startswith("HTTP/1.1 200"), "the kept connection did not answer before the reload")

        def served():
            with tls_connect(port) as connection:
                return hashlib.sha256(connection.getpeercert(True)).hexdigest()

        Path(certificate).write_text("not a certificate\n")
        replica.process.send_signal(signal.SIGHUP)
        wait_until(lambda: "TLS reload failed" in replica.log(), 10, "the log to report the failed TLS reload")
        check(served() == original, "a bad certificate file replaced the served certificate")
        check(ask(kept).startswith("HTTP/1.1 200"), "the kept connection failed after a bad reload")
        print("SIGHUP with a bad certificate file: kept the old certificate; log:",
              next(line for line in replica.log().splitlines() if "TLS reload failed" in line)[:160], "...")

        shutil.copy(FIXTURES / "renewed.pem", certificate)
        shutil.copy(FIXTURES / "renewed.key", key)
        replica.process.send_signal(signal.SIGHUP)
        wait_until(lambda: served() == renewed, 10, "a new handshake to present the renewed certificate")
        check(ask(kept).startswith("HTTP/1.1 200"), "the keep-alive connection opened before the reload failed after it")
        check(hashlib.sha256(kept.getpeercert(True)).hexdigest() == original, "the kept connection's certificate changed")
        print(f"SIGHUP with a renewed certificate: new clients see sha256 {renewed[:16]}..., the keep-alive connection "
              f"opened before (sha256 {original[:16]}...) still answers")
    finally:
        kept.close()


def check_healthcheck(binary, port):
    environment = dict(os.environ, LSTM_SERVE_HOST="127.0.0.1", LSTM_SERVE_PORT=str(port), LSTM_SERVE_TLS_CERT=CA)
    result = subprocess.run([binary, "healthcheck"], env=environment, capture_output=True, text=True, timeout=20)
    check(result.returncode == 0, f"healthcheck with LSTM_SERVE_TLS_CERT failed: {result.stdout}{result.stderr}")
    print(f"lstm-serve healthcheck: {result.stdout.strip()}")


def make_public_style_certificate(work):
    """A CA and a leaf for 127.0.0.1 shaped like a public CA's: valid 90 days, with CRL and OCSP addresses.

    testssl rates the certificate too, and rates the committed fixtures' 100-year validity and their missing revocation
    addresses HIGH: right for a public server, beside the point for test fixtures that must not expire in a clone. So
    the server is switched (by SIGHUP, one more reload) to this certificate, made now, before testssl looks.
    """
    directory = Path(work) / "public"
    directory.mkdir()

    def openssl(*arguments):
        subprocess.run(["openssl", *arguments], cwd=directory, check=True, capture_output=True, timeout=60)

    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key")
    openssl("req", "-x509", "-new", "-key", "ca.key", "-sha256", "-days", "365", "-subj", "/CN=tls_check CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "ca.pem")
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "leaf.key")
    openssl("req", "-new", "-key", "leaf.key", "-subj", "/CN=127.0.0.1", "-out", "leaf.csr")
    (directory / "leaf.ext").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\ncrlDistributionPoints=URI:http://127.0.0.1/tls_check.crl\n"
        "authorityInfoAccess=OCSP;URI:http://127.0.0.1/ocsp\n")
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-sha256", "-days", "90",
            "-extfile", "leaf.ext", "-out", "leaf.pem")
    (directory / "chain.pem").write_text((directory / "leaf.pem").read_text() + (directory / "ca.pem").read_text())
    return directory / "chain.pem", directory / "leaf.key", directory / "ca.pem"


def check_testssl(port, work, replica, certificate, key):
    testssl = shutil.which("testssl") or shutil.which("testssl.sh")
    check(testssl is not None, "testssl is not installed (apt-get install testssl.sh), or pass --skip-testssl")
    chain, leaf_key, authority = make_public_style_certificate(work)
    shutil.copy(chain, certificate)
    shutil.copy(leaf_key, key)
    replica.process.send_signal(signal.SIGHUP)
    expected = fingerprint(chain)

    def served():
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            # Not verified: until the reload lands the old certificate is served, which this CA did not sign.
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as connection:
                return hashlib.sha256(connection.getpeercert(True)).hexdigest()

    wait_until(lambda: served() == expected, 10, "the server to present the 90-day certificate for testssl")
    report = Path(work) / "testssl.json"
    started = time.monotonic()
    result = subprocess.run(
        [testssl, "--quiet", "--color", "0", "--warnings", "off", "--add-ca", str(authority), "--jsonfile", str(report),
         f"https://127.0.0.1:{port}"], capture_output=True, text=True, timeout=1200)
    elapsed = time.monotonic() - started
    check(report.exists(), f"testssl wrote no JSON (exit {result.returncode}): {result.stdout[-1500:]}{result.stderr[-500:]}")
    findings = json.loads(report.read_text())
    check(findings, "testssl's JSON holds no findings")
    severities = collections.Counter(finding.get("severity", "?") for finding in findings)
    serious = [f for f in findings if f.get("severity") in ("HIGH", "CRITICAL")]
    print(f"testssl ({elapsed:.0f} s, exit {result.returncode}): {len(findings)} findings by severity: "
          + ", ".join(f"{name} {count}" for name, count in sorted(severities.items())))
    for finding in findings:
        if finding.get("severity") in ("LOW", "MEDIUM", "WARN"):
            print(f"  {finding['severity']:6} {finding['id']}: {finding['finding'][:110]}")
    for wanted in ("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3", "overall_grade"):
        match = next((f for f in findings if f["id"] == wanted), None)
        if match:
            print(f"  {wanted}: {match['finding']}")
    check(not serious, "testssl reported HIGH or CRITICAL findings:\n" + "\n".join(
        f"  {f['severity']} {f['id']}: {f['finding']}" for f in serious))


def start(binary, port, work, name, certificate, key, *extra):
    """An lstm-serve on `port` with the certificate and key, once it answers over TLS."""
    replica = Replica(binary, port, work, name, "--tls-cert", certificate, "--tls-key", key, "--log-level", "debug", *extra)
    # Not Replica.start, which polls /readyz over plain HTTP: here readiness is an answer over TLS.
    log = open(replica.log_path, "a")
    replica.process = subprocess.Popen(
        [binary, "--host", "127.0.0.1", "--port", str(port), "--model", str(REPO / "Models/imdb-lstm.keras"), *replica.extra],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def ready():
        try:
            with tls_connect(port) as connection:
                return ask(connection).startswith("HTTP/1.1 200")
        except (OSError, Failure):
            return False

    try:
        wait_until(ready, 30, f"{name} to answer over TLS")
    except Failure:
        replica.kill()
        raise
    return replica


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-testssl", action="store_true", help="leave out testssl.sh (it takes minutes)")
    arguments = parser.parse_args()
    binary = lstm_serve_binary()
    for tool in ("curl", "openssl"):
        check(shutil.which(tool), f"{tool} is not installed")
    with tempfile.TemporaryDirectory() as work:
        certificate, key = f"{work}/cert.pem", f"{work}/key.pem"
        shutil.copy(FIXTURES / "server.pem", certificate)
        shutil.copy(FIXTURES / "server.key", key)
        port = free_port()
        replica = start(binary, port, work, "tls", certificate, key)
        try:
            check_curl(port)
            check_python_versions(port)
            check_s_client(port)
            check_plain_http(port)
            check_handshake_timeout(binary, work, certificate, key)
            check_healthcheck(binary, port)
            check_reload(port, replica, certificate, key)
            if not arguments.skip_testssl:
                check_testssl(port, work, replica, certificate, key)
            check(replica.process.poll() is None, f"the server exited (status {replica.process.poll()}):\n{replica.log()[-2000:]}")
            refusals = [line for line in replica.log().splitlines() if "TLS handshake failed" in line]
            check(refusals, "no handshake refusal was logged at debug")
            print(f"server log: {len(refusals)} refused handshakes at debug, e.g. {refusals[0][:150]}")
            status = replica.terminate()
            check(status == 0, f"the server exited {status} on SIGTERM:\n{replica.log()[-2000:]}")
        finally:
            replica.kill()
    print("tls_check: all checks passed")


if __name__ == "__main__":
    run(main)
