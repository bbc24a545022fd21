#!/usr/bin/env bash
# Release checks for cfonb, called by .ci/run:
#  1. the Windows cross-build: `GOOS=windows go vet ./...` and a build of
#     cfonb (the tests' Windows path cases run on linux too, in the test step);
#  2. goreleaser (through `go run`, pinned, no install): `check`, then a
#     snapshot release of the six targets (linux, darwin, windows × amd64,
#     arm64: binaries, archives, checksums), then a smoke test of the linux
#     binary it built.
# The goreleaser part (.ci/run decides; README, Releases):
#   CFONB_RELEASE_CHECK=1     always (a v* tag, or a caller who wants it);
#   CFONB_RELEASE_CHECK=main  the main branch: runs when goreleaser's module
#                             is in the Go module cache (a runner that keeps
#                             its Go caches), else says why it is skipped;
#                             cold, `go run` downloads 1.9 GB and compiles
#                             goreleaser, then the snapshot compiles six
#                             targets: about 15 min of a 2-core machine,
#                             more than CI's budget;
#   CFONB_RELEASE_CHECK=0     never.
# When CFONB_CI_DEADLINE (a Unix time) is set, in "main" mode the goreleaser
# part is stopped there and reported as not done (a notice, not a failure),
# so that CI stays within its budget; a real failure fails CI.
# The container image is not built here: its base images come from a
# registry CI cannot reach (--skip=docker); `docker build .` builds it.
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER=(go run github.com/goreleaser/goreleaser/v2@v2.15.1)

# `.ci/release.sh goreleaser` runs the goreleaser part alone (below, under
# the budget's timeout).
if [ "${1:-}" != goreleaser ]; then

echo "== windows cross-build"
# One architecture: what breaks a Windows build is the system (syscall,
# paths), not the processor; the snapshot below builds all six targets.
start=$SECONDS
GOOS=windows GOARCH=amd64 go vet ./...   # type-checks every package, tests included, for Windows
GOOS=windows GOARCH=amd64 go build -o /dev/null ./cmd/cfonb
echo "windows cross-build and vet in $((SECONDS - start)) s"

notice() {
  # A line GitHub Actions shows as an annotation; plain text elsewhere.
  if [ -n "${GITHUB_ACTIONS:-}" ]; then echo "::notice title=release check::$*"; else echo "NOTICE (release check): $*"; fi
}

mode=${CFONB_RELEASE_CHECK:-0}
case $mode in
  1) ;;
  main)
    modcache=$(go env GOMODCACHE)
    if [ ! -e "$modcache/cache/download/github.com/goreleaser/goreleaser/v2/@v/v2.15.1.zip" ]; then
      notice "skipped on this main-branch run: goreleaser v2.15.1 is not in the Go module cache ($modcache), and a cold goreleaser build plus the six-target snapshot take about 15 minutes of a 2-core machine, more than CI's budget. Keep the Go caches between CI runs, or run CFONB_RELEASE_CHECK=1 bash .ci/release.sh"
      exit 0
    fi
    if [ -n "${CFONB_CI_DEADLINE:-}" ]; then
      left=$((CFONB_CI_DEADLINE - $(date +%s)))
      if [ "$left" -lt 60 ]; then
        notice "skipped: only ${left} s of CI's budget left"
        exit 0
      fi
      echo "== goreleaser: ${left} s of CI's budget left"
      set +e
      timeout --kill-after=10 "$left" bash "$0" goreleaser
      code=$?
      set -e
      if [ "$code" = 124 ] || [ "$code" = 137 ]; then
        notice "stopped at CI's time budget, not finished: the snapshot was not verified on this run (its Go build cache was cold); run CFONB_RELEASE_CHECK=1 bash .ci/release.sh"
        exit 0
      fi
      exit "$code"
    fi
    ;;
  *)
    echo "== goreleaser: skipped (CFONB_RELEASE_CHECK=$mode; set it to 1 to build the snapshot release)"
    exit 0
    ;;
esac

fi # the goreleaser part

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
