# lstm-serve: build a release binary with the official Swift image, run it on a slim Ubuntu.
#   docker build -t lstm-serve .
#   docker run --rm -p 8080:8080 lstm-serve
# Options are read from LSTM_SERVE_* variables too, e.g. -e LSTM_SERVE_MAX_BATCH_SIZE=128.

FROM swift:6.3-noble AS build
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
# zlib and libcrypto are linked dynamically; curl is only for the health check.
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends zlib1g libssl3t64 curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /srv/lstm-serve lstm-serve
WORKDIR /srv/lstm-serve
COPY --from=build /usr/local/bin/lstm-serve /usr/local/bin/lstm-serve
COPY Models ./Models
USER lstm-serve
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=2s --start-period=5s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/lstm-serve"]
CMD ["serve"]
