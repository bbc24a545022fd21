#!/usr/bin/env bash
# Release checks for cfonb, called by .ci/run:
#  1. the Windows cross-build: `GOOS=windows go vet ./...` and a build of
#     cfonb (the tests' Windows path cases run on linux too, in the test step);
#  2. goreleaser (through `go run`, pinned, no install): `check`, then a
#     snapshot release of the six targets (linux, darwin, windows × amd64,
#     arm64: binaries, archives, checksums), then a smoke test of the linux
#     binary it built.
# The goreleaser part runs when CFONB_RELEASE_CHECK=1: .ci/run sets it on a
# v* tag (cold, `go run` downloads and compiles goreleaser: far longer than
# the rest of CI on 2 cores; README, Releases), and a caller may set it.
# The container image is not built here: its base images come from a
# registry CI cannot reach (--skip=docker); `docker build .` builds it.
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER=(go run github.com/goreleaser/goreleaser/v2@v2.15.1)

echo "== windows cross-build"
# One architecture: what breaks a Windows build is the system (syscall,
# paths), not the processor; the snapshot below builds all six targets.
start=$SECONDS
GOOS=windows GOARCH=amd64 go vet ./...   # type-checks every package, tests included, for Windows
GOOS=windows GOARCH=amd64 go build -o /dev/null ./cmd/cfonb
echo "windows cross-build and vet in $((SECONDS - start)) s"

if [ "${CFONB_RELEASE_CHECK:-0}" != 1 ]; then
  echo "== goreleaser: skipped (set CFONB_RELEASE_CHECK=1 to build the snapshot release)"
  exit 0
fi

echo "== goreleaser check"
start=$SECONDS
"${GORELEASER[@]}" check
echo "goreleaser ready in $((SECONDS - start)) s"

echo "== goreleaser snapshot release (6 targets)"
start=$SECONDS
"${GORELEASER[@]}" release --snapshot --clean --skip=publish,docker
echo "snapshot release built in $((SECONDS - start)) s"

echo "== smoke test of the release binaries"
fail() { echo "release smoke test: $*" >&2; exit 1; }
for target in linux_amd64_v1 linux_arm64_v8.0 darwin_amd64_v1 darwin_arm64_v8.0 windows_amd64_v1 windows_arm64_v8.0; do
  bin=dist/cfonb_${target}/cfonb
  case $target in windows*) bin=$bin.exe ;; esac
  [ -s "$bin" ] || fail "$bin was not built"
done
ls dist/*.tar.gz dist/*.zip
[ "$(ls dist/cfonb_*_linux_*.tar.gz dist/cfonb_*_darwin_*.tar.gz | wc -l)" = 4 ] || fail "want 4 tar.gz archives"
[ "$(ls dist/cfonb_*_windows_*.zip | wc -l)" = 2 ] || fail "want 2 zip archives for Windows"
(cd dist && sha256sum -c checksums.txt) || fail "checksums.txt does not match the archives"
[ "$(head -c2 dist/cfonb_windows_amd64_v1/cfonb.exe)" = MZ ] || fail "the Windows binary is not a PE executable"

bin=dist/cfonb_linux_amd64_v1/cfonb
want=$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' dist/metadata.json)
got=$("$bin" --version)
echo "$got"
rev=$(git rev-parse HEAD | cut -c1-12)
case "$got" in
  "cfonb $want (revision $rev, "*) ;;
  *) fail "--version printed \"$got\", want \"cfonb $want (revision $rev, DATE) GOVERSION\"" ;;
esac
[ -n "$want" ] || fail "no version in dist/metadata.json"
if command -v ldd >/dev/null && ldd "$bin" 2>&1 | grep -q '=>'; then
  fail "$bin is not static: $(ldd "$bin")"
fi
"$bin" validate testdata/valid/multi-crlf.txt || fail "validate of a valid file failed"
"$bin" export --format csv testdata/valid/multi-crlf.txt >/dev/null || fail "export failed"
set +e
"$bin" validate testdata/invalid >/dev/null 2>&1
code=$?
set -e
[ "$code" = 1 ] || fail "validate of invalid files exited $code, want 1"
echo "release smoke test passed"
