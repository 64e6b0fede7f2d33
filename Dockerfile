# lstm-serve: build a release binary with the official Swift image, run it on a slim Ubuntu.
#   docker build -t lstm-serve .
#   docker run --rm -p 8080:8080 lstm-serve
# Options are read from LSTM_SERVE_* variables too, e.g. -e LSTM_SERVE_MAX_BATCH_SIZE=128.
# Kubernetes manifests: deploy/kubernetes; docs/deploy.md explains them. deploy/check.sh lints this file.

FROM swift:6.3-noble AS build
# Unpinned on purpose: pinning Ubuntu package versions breaks the build whenever a security update replaces them.
# hadolint ignore=DL3008
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends zlib1g-dev libssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product lstm-serve \
    && cp "$(swift build -c release --show-bin-path)/lstm-serve" /usr/local/bin/lstm-serve

# Optional test stage: docker build --target test .
FROM build AS test
COPY Models ./Models
RUN swift test

FROM ubuntu:noble AS runtime
# zlib and libcrypto are linked dynamically; nothing else is needed (the health check is lstm-serve's own).
# The user and its group get the same fixed id, 10001, which the Kubernetes manifests name in runAsUser and
# runAsGroup; the names only make `ps` and `ls -l` readable. Unpinned for the reason given in the build stage.
# hadolint ignore=DL3008
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends zlib1g libssl3t64 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 lstm-serve \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /srv/lstm-serve --shell /usr/sbin/nologin lstm-serve
WORKDIR /srv/lstm-serve
COPY --from=build /usr/local/bin/lstm-serve /usr/local/bin/lstm-serve
COPY Models ./Models
# Numeric, so a runtime can check it is not root without reading /etc/passwd (Kubernetes' runAsNonRoot
# refuses a named user it cannot resolve).
USER 10001:10001
# Shutdown defaults for running behind a load balancer: on SIGTERM /readyz answers 503 at once while requests
# are still served for DRAIN_DELAY_S, so the balancer's health check takes the container out first; then
# in-flight requests get DRAIN_TIMEOUT_S. 5 + 4 = 9 s stays under `docker stop`'s default 10 s before SIGKILL;
# raise --stop-timeout with them. The Kubernetes manifests set their own values.
ENV LSTM_SERVE_DRAIN_DELAY_S=5 \
    LSTM_SERVE_DRAIN_TIMEOUT_S=4
EXPOSE 8080
# `lstm-serve healthcheck` GETs /healthz on the port LSTM_SERVE_PORT names; its own timeout is 2 s.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/lstm-serve", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/lstm-serve"]
CMD ["serve"]
