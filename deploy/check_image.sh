#!/usr/bin/env bash
# The container image checked without a Docker engine (none exists on these machines):
#
# 1. builds the binary with the build stage's own script (deploy/build_release.sh) and reports its size, not
#    stripped and stripped; fails when the stripped binary is over MAX_STRIPPED_BYTES (25 MB: ICU's 34 MB of data
#    linked back in by a Foundation import would cross it);
# 2. assembles the runtime stage's root file system from the Debian 13 packages the base image is made of
#    (gcr.io/distroless/cc-debian13, see RUNTIME_PACKAGES) -- downloaded with apt into a private apt state and
#    unpacked with dpkg-deb, as distroless unpacks them -- plus what the Dockerfile copies in;
# 3. lists the shared libraries the binary needs (readelf -d, NEEDED) and fails when one is not in that root,
#    naming the package that provides each;
# 4. as root (CI): runs the binary chrooted into that root with the image's user (10001:10001), working
#    directory and environment: the dynamic loader resolves every library from the image's own files, a TLS
#    server (the test fixture's certificate) passes `lstm-serve healthcheck` over TLS, a plain one answers
#    POST /classify, `lstm-serve healthcheck` exits 0 on the port LSTM_SERVE_PORT names and 1 on another, and
#    SIGTERM drains and exits 0 within the image's drain settings;
# 5. prints the image's size as the sum of the root's files, the binary and Models/.
#
# What it does not prove: that the published base image holds exactly these packages (the list follows
# distroless's cc image definition; the check takes the packages' current versions from Debian's archive, which
# the base image is rebuilt from), or anything about the engine's own behaviour (HEALTHCHECK scheduling, signals
# sent by `docker stop`). It needs network access to a Debian mirror (DEBIAN_MIRROR) and, for step 4, root.
#
#   WORK  where the root and the downloads go; default .build/image-check (removed and made again)
set -euo pipefail
cd "$(dirname "$0")/.."

WORK="${WORK:-.build/image-check}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DEBIAN_SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
SUITE=trixie
MAX_STRIPPED_BYTES=25000000
# gcr.io/distroless/cc-debian13 is distroless's static image (base-files, netbase, tzdata, media-types, plus the
# CA bundle, passwd and group files, /tmp), its base image's libc6, libssl3t64, libzstd1 and zlib1g, and the cc
# image's libgomp1, libstdc++6, libgcc-s1 and gcc-14-base (static/static.bzl, base/config.bzl, cc/config.bzl in
# github.com/GoogleContainerTools/distroless). ca-certificates is left out: distroless keeps only its bundle.
RUNTIME_PACKAGES=(base-files netbase tzdata media-types libc6 libssl3t64 libzstd1 zlib1g libgomp1 libstdc++6 libgcc-s1
    gcc-14-base)
IMAGE_USER=10001:10001
IMAGE_WORKDIR=/srv/lstm-serve

started=$SECONDS
for tool in readelf objcopy dpkg-deb apt-get python3; do
    command -v "$tool" >/dev/null || { echo "error: $tool is needed" >&2; exit 1; }
done
# A run stopped before its clean-up may have left /proc mounted in the root; never descend into it.
umount "$WORK/root/proc" 2>/dev/null || true
rm -rf --one-file-system "$WORK"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"

# 1. The binary, as the build stage makes it.
SCRATCH_PATH=.build-image deploy/build_release.sh "$WORK/out"
unstripped="$(swift build -c release --static-swift-stdlib --show-bin-path --scratch-path .build-image)/lstm-serve"
binary="$WORK/out/lstm-serve"
stripped_bytes=$(stat -c %s "$binary")
printf 'binary: %s bytes not stripped, %s bytes stripped (limit %s), debug symbols %s bytes\n' \
    "$(stat -c %s "$unstripped")" "$stripped_bytes" "$MAX_STRIPPED_BYTES" "$(stat -c %s "$WORK/out/lstm-serve.debug")"
if [ "$stripped_bytes" -gt "$MAX_STRIPPED_BYTES" ]; then
    echo "error: the stripped binary is over $MAX_STRIPPED_BYTES bytes; is ICU linked again (a module importing Foundation)?" >&2
    exit 1
fi

# 2. The runtime root: Debian 13's packages through apt with a state of its own, so the machine's apt is untouched.
apt_dir="$WORK/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/parts" "$apt_dir/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$apt_dir/sources.list" <<EOF
deb [signed-by=$keyring] $DEBIAN_MIRROR $SUITE main
deb [signed-by=$keyring] $DEBIAN_MIRROR $SUITE-updates main
deb [signed-by=$keyring] $DEBIAN_SECURITY_MIRROR $SUITE-security main
EOF
: >"$apt_dir/status"
apt_options=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/parts"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::State::status=$apt_dir/status" -o "Dir::Cache=$apt_dir"
    -o "Dir::Cache::archives=$apt_dir/archives" -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$apt_dir/parts"
    -o APT::Architecture=amd64 -o APT::Sandbox::User=root -o Debug::NoLocking=1)
apt-get "${apt_options[@]}" update -qq
(cd "$apt_dir/debs" && apt-get "${apt_options[@]}" download -qq "${RUNTIME_PACKAGES[@]}")
root="$WORK/root"
mkdir -p "$root"
for deb in "$apt_dir"/debs/*.deb; do
    dpkg-deb -x "$deb" "$root"
    dpkg-deb -c "$deb" | awk -v package="$(dpkg-deb -f "$deb" Package)" '{ print package "\t" $6 }' >>"$WORK/contents.tsv"
done
echo "runtime root: $(for deb in "$apt_dir"/debs/*.deb; do printf '%s=%s ' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)"; done)"
# Merged /usr: the binary's loader is /lib64/ld-linux-x86-64.so.2. Made here if no package ships the links
# (distroless's common rootfs layer does in the image).
for link in bin lib lib64 sbin; do
    [ -e "$root/$link" ] || [ ! -d "$root/usr/$link" ] || ln -s "usr/$link" "$root/$link"
done
root_bytes=$(du -sb "$root" | cut -f1)

# 3. Every NEEDED library is a file of the root, and which package ships it.
missing=0
while read -r soname; do
    found=""
    for dir in usr/lib/x86_64-linux-gnu usr/lib64 usr/lib; do
        if [ -e "$root/$dir/$soname" ]; then found="/$dir/$soname"; break; fi
    done
    if [ -z "$found" ]; then
        echo "error: $soname (NEEDED) is in none of the runtime packages" >&2
        missing=1
        continue
    fi
    package=$(awk -F'\t' -v name="/$soname" 'substr($2, length($2) - length(name) + 1) == name { print $1; exit }' "$WORK/contents.tsv")
    printf 'NEEDED %-24s %-48s from %s\n' "$soname" "$found" "${package:-?}"
done < <(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ "$missing" -eq 0 ] || exit 1
interpreter=$(readelf -l "$binary" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
[ -e "$root$interpreter" ] || { echo "error: the program interpreter $interpreter is not in the runtime root" >&2; exit 1; }

# What the Dockerfile's runtime stage adds.
install -D -m 0755 "$binary" "$root/usr/local/bin/lstm-serve"
mkdir -p "$root$IMAGE_WORKDIR"
cp -R Models "$root$IMAGE_WORKDIR/"
models_bytes=$(du -sb Models | cut -f1)
# Only for the TLS run below; not part of the image.
install -D -m 0644 Tests/Fixtures/TLS/server.pem "$root$IMAGE_WORKDIR/tls/server.pem"
install -D -m 0644 Tests/Fixtures/TLS/server.key "$root$IMAGE_WORKDIR/tls/server.key"

# 4. Run it there, as the image would.
# An engine mounts /proc in every container, and the binary needs it: without it the Swift runtime, which
# reads /proc/self/maps, finds no command-line arguments (and `lstm-serve --help` runs `serve`).
mkdir -p "$root/proc"
if [ "$(id -u)" -ne 0 ]; then
    echo "NOT RUN: not root, so the binary was not run in the runtime root (only its libraries were checked)"
elif ! mount --bind /proc "$root/proc"; then
    echo "NOT RUN: /proc cannot be mounted here, so the binary was not run in the runtime root (only its libraries were checked)"
else
    trap 'umount "$root/proc"' EXIT
    # The runtime stage's ENV instruction, continuation lines included.
    environment=$(awk '/^ENV / { on = 1 } on { print } on && !/\\$/ { on = 0 }' Dockerfile | grep -oE 'LSTM_SERVE_[A-Z_]+=[^ \\]+' | tr '\n' ' ')
    ROOT="$root" IMAGE_USER="$IMAGE_USER" IMAGE_WORKDIR="$IMAGE_WORKDIR" IMAGE_ENVIRONMENT="$environment" python3 - <<'EOF'
import json, os, signal, socket, subprocess, sys, time, urllib.request

root, workdir = os.environ["ROOT"], os.environ["IMAGE_WORKDIR"]
uid, gid = (int(part) for part in os.environ["IMAGE_USER"].split(":"))
image_environment = dict(item.split("=", 1) for item in os.environ["IMAGE_ENVIRONMENT"].split())
print(f"image environment: {image_environment}")
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]

def enter():  # what the engine does before exec: root, working directory, user (no supplementary groups)
    os.chroot(root)
    os.chdir(workdir)
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)

def run(*arguments, **environment):
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", **image_environment, **environment}
    return subprocess.Popen(["/usr/local/bin/lstm-serve", *arguments], env=env, preexec_fn=enter,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

def finish(process, timeout):
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        sys.exit(f"error: `{' '.join(process.args[1:])}` did not finish within {timeout} s:\n{output}")
    return process.returncode, output

def fail(message):
    server.kill()
    output, _ = server.communicate()
    sys.exit(f"error: {message}\nserver output:\n{output}")

# The loader's own account of where each library comes from, inside the root.
listing = subprocess.run(["/usr/local/bin/lstm-serve"], env={"LD_TRACE_LOADED_OBJECTS": "1"}, preexec_fn=enter,
                         capture_output=True, text=True, timeout=30)
print(listing.stdout.rstrip())
if listing.returncode != 0 or "not found" in listing.stdout:
    sys.exit(f"error: the loader cannot resolve the binary's libraries in the runtime root\n{listing.stderr}")

def start(**environment):
    """A server with `environment`, once `lstm-serve healthcheck` with the same environment exits 0."""
    global server
    server = run("serve", **environment)
    deadline = time.monotonic() + 60
    while True:
        status, output = finish(run("healthcheck", **environment), 10)
        if status == 0:
            print(f"healthcheck with {environment}: exit 0 ({output.strip()})")
            return
        if server.poll() is not None or time.monotonic() > deadline:
            fail(f"the server was not healthy within 60 s; last healthcheck: {output.strip()}")
        time.sleep(0.2)

# TLS through the root's libssl: the healthcheck verifies the server's certificate (the test fixture's).
tls = {"LSTM_SERVE_TLS_CERT": f"{workdir}/tls/server.pem", "LSTM_SERVE_TLS_KEY": f"{workdir}/tls/server.key"}
start(LSTM_SERVE_PORT=str(port), LSTM_SERVE_DRAIN_DELAY_S="0", **tls)
server.send_signal(signal.SIGTERM)
status, output = finish(server, 30)
if status != 0:
    sys.exit(f"error: after SIGTERM the TLS server exited {status}\n{output}")

start(LSTM_SERVE_PORT=str(port))
with open(f"/proc/{server.pid}/status") as status_file:
    ids = {line.split(":")[0]: line.split()[1:] for line in status_file if line.startswith(("Uid", "Gid"))}
if ids["Uid"][0] != str(uid) or ids["Gid"][0] != str(gid):
    fail(f"the server runs as uid {ids['Uid'][0]} gid {ids['Gid'][0]}, not {uid}:{gid}")
request = urllib.request.Request(f"http://127.0.0.1:{port}/classify", data=b'{"text": "A wonderful, moving film."}',
                                 headers={"Content-Type": "application/json"})
with urllib.request.urlopen(request, timeout=10) as response:
    answer = json.load(response)
if answer.get("label") != "positive":
    fail(f"POST /classify answered {answer}")
print(f"POST /classify as uid {uid} gid {gid}: {answer}")
status, output = finish(run("healthcheck", LSTM_SERVE_PORT=str(port + 1 if port < 65535 else port - 1)), 10)
if status != 1:
    fail(f"healthcheck on a port with no server exited {status}, not 1: {output.strip()}")
print(f"healthcheck on another port: exit 1 ({output.strip()})")

delay = int(image_environment.get("LSTM_SERVE_DRAIN_DELAY_S", "0"))
timeout = int(image_environment.get("LSTM_SERVE_DRAIN_TIMEOUT_S", "0"))
sent = time.monotonic()
server.send_signal(signal.SIGTERM)
status, output = finish(server, delay + timeout + 10)
if status != 0:
    sys.exit(f"error: after SIGTERM the server exited {status}\n{output}")
print(f"SIGTERM: exit 0 after {time.monotonic() - sent:.1f} s (drain delay {delay} s, drain timeout {timeout} s)")
EOF
fi

# 5. The image's size: the layers hold the root's files, the binary and Models/ (uncompressed; the engine adds
# metadata only).
binary_bytes=$(stat -c %s "$binary")
awk -v root="$root_bytes" -v binary="$binary_bytes" -v models="$models_bytes" 'BEGIN {
    printf "image size estimate: %.1f MB = runtime packages %.1f MB + binary %.1f MB + Models %.1f MB\n",
        (root + binary + models) / 1e6, root / 1e6, binary / 1e6, models / 1e6
}'
echo "deploy/check_image.sh: passed in $((SECONDS - started)) s"
