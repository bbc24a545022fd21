# syntax=docker/dockerfile:1
#
# cfonb in a container: a static binary on a distroless base, run as a
# non-root user (uid 65532). Two ways to build it:
#
#   docker build -t cfonb .                  # from source (stages build, then the last one)
#   goreleaser release ...                   # dockers_v2 builds --target=goreleaser with its binaries
#
# Run: docker run --rm -v "$PWD:/data" -w /data cfonb validate statements/

ARG GO_VERSION=1.26

# Stage 1: compile a static binary from source.
FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/cfonb ./cmd/cfonb

# The runtime base: no shell, no libc, CA certificates (upload speaks
# HTTPS) and a non-root user.
FROM gcr.io/distroless/static-debian12:nonroot AS runtime
USER nonroot:nonroot
ENV XDG_STATE_HOME=/home/nonroot/.local/state
ENTRYPOINT ["/usr/local/bin/cfonb"]
CMD ["--help"]

# Stage for goreleaser: its context holds the binaries it built, one per
# platform (linux/amd64/cfonb, linux/arm64/cfonb).
FROM runtime AS goreleaser
ARG TARGETPLATFORM
COPY ${TARGETPLATFORM}/cfonb /usr/local/bin/cfonb

# Default stage: the binary compiled in stage 1.
FROM runtime
COPY --from=build /out/cfonb /usr/local/bin/cfonb
