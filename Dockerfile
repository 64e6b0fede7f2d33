# lstm-serve: a static release binary built with the official Swift image, run on a distroless base.
#   docker build -t lstm-serve .
#   docker run --rm -p 8080:8080 lstm-serve
# Options are read from LSTM_SERVE_* variables too, e.g. -e LSTM_SERVE_MAX_BATCH_SIZE=128.
# Kubernetes manifests: deploy/kubernetes; docs/deploy.md explains them and the image's size. deploy/check.sh lints
# this file; deploy/check_image.sh checks, without a Docker engine, that the runtime stage has every library the
# binary needs and runs it there.

# Debian 12, the distribution CI builds and checks on: the same toolchain and libraries as deploy/check_image.sh.
FROM swift:6.3-bookworm AS build
# Unpinned on purpose: pinning Debian package versions breaks the build whenever a security update replaces them.
# hadolint ignore=DL3008
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends zlib1g-dev libssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY deploy/build_release.sh ./deploy/
# Static Swift runtime, no ICU: the C libraries below are all it links. Stripped; symbols in /out/lstm-serve.debug.
RUN deploy/build_release.sh /out

# Optional test stage: docker build --target test .
FROM build AS test
COPY Models ./Models
RUN swift test

# The symbols the shipped binary was stripped of, for symbolizing a crash (deploy/build_release.sh):
#   docker build --target debug-symbols --output type=local,dest=symbols .
FROM scratch AS debug-symbols
COPY --from=build /out/lstm-serve.debug /

# glibc, libstdc++, libgcc_s, zlib, OpenSSL's libssl and libcrypto, CA certificates and tzdata: what the binary
# links and nothing else (no shell, no package manager). Debian 13's: forward compatible with the Debian 12 build.
FROM gcr.io/distroless/cc-debian13:nonroot AS runtime
WORKDIR /srv/lstm-serve
COPY --from=build /out/lstm-serve /usr/local/bin/lstm-serve
COPY Models ./Models
# Numeric user and group, both 10001, which the Kubernetes manifests name in runAsUser and runAsGroup: a runtime
# can check it is not root without reading /etc/passwd (Kubernetes' runAsNonRoot refuses a named user it cannot
# resolve). They have no names in the image: it has no useradd, and the service needs none.
USER 10001:10001
# Shutdown defaults for running behind a load balancer: on SIGTERM /readyz answers 503 at once while requests
# are still served for DRAIN_DELAY_S, so the balancer's health check takes the container out first; then
# in-flight requests get DRAIN_TIMEOUT_S. 5 + 4 = 9 s stays under `docker stop`'s default 10 s before SIGKILL;
# raise --stop-timeout with them. The Kubernetes manifests set their own values.
ENV LSTM_SERVE_DRAIN_DELAY_S=5 \
    LSTM_SERVE_DRAIN_TIMEOUT_S=4
EXPOSE 8080
# `lstm-serve healthcheck` GETs /healthz on the address and port that LSTM_SERVE_HOST and LSTM_SERVE_PORT name, over
# TLS when LSTM_SERVE_TLS_CERT is set, read as `serve` reads them, so it follows any -e; it exits 0 on a 2xx answer,
# else 1; its own timeout is 2 s.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/lstm-serve", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/lstm-serve"]
CMD ["serve"]
