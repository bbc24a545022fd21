#!/usr/bin/env bash
# golangci-lint for cfonb, called by .ci/run: `golangci-lint run ./...` must
# report 0 issues with .golangci.yml. It runs through `go run`, pinned (no
# install), like goreleaser in release.sh.
#   CFONB_LINT=1     always (cold: `go run` downloads 700 MB and compiles
#                    golangci-lint, about 8 CPU-minutes, 10 minutes of a busy
#                    2-core machine);
#   CFONB_LINT=auto  the default: runs when golangci-lint's module is in the
#                    Go module cache (a runner that keeps its Go caches: then
#                    it takes about 20 s), else says why it is skipped;
#                    stopped after 300 s (a cold build cache) or at CI's
#                    budget, with a notice;
#   CFONB_LINT=0     never.
# When CFONB_CI_DEADLINE (a Unix time) is set, an "auto" run is stopped there
# at the latest and reported as not done (a notice, not a failure), so that
# CI stays within its budget. Findings fail CI.
set -euo pipefail
cd "$(dirname "$0")/.."

version=v2.15.0
LINT=(go run "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version")

notice() {
  # A line GitHub Actions shows as an annotation; plain text elsewhere.
  if [ -n "${GITHUB_ACTIONS:-}" ]; then echo "::notice title=golangci-lint::$*"; else echo "NOTICE (golangci-lint): $*"; fi
}

echo "== golangci-lint $version"
mode=${CFONB_LINT:-auto}
case $mode in
  1) "${LINT[@]}" run ./... ;;
  auto)
    modcache=$(go env GOMODCACHE)
    if [ ! -e "$modcache/cache/download/github.com/golangci/golangci-lint/v2/@v/$version.zip" ]; then
      notice "skipped: golangci-lint $version is not in the Go module cache ($modcache), and a cold build takes about 10 minutes of a 2-core machine. Keep the Go caches between CI runs, or run CFONB_LINT=1 bash .ci/lint.sh"
      exit 0
    fi
    # At most 300 s (warm, it takes 10-20 s), so that a cold build cache
    # does not take the time of the release check that follows.
    left=300
    if [ -n "${CFONB_CI_DEADLINE:-}" ]; then
      left=$((CFONB_CI_DEADLINE - $(date +%s)))
      if [ "$left" -lt 60 ]; then
        notice "skipped: only ${left} s of CI's budget left"
        exit 0
      fi
      left=$((left < 300 ? left : 300))
    fi
    start=$SECONDS
    set +e
    timeout --kill-after=10 "$left" "${LINT[@]}" run ./...
    code=$?
    set -e
    if [ "$code" = 124 ] || [ "$code" = 137 ]; then
      notice "stopped after $((SECONDS - start)) s (its cap of 300 s, or CI's time budget), not finished: its Go build cache was cold; run CFONB_LINT=1 bash .ci/lint.sh"
      exit 0
    fi
    [ "$code" = 0 ] || exit "$code"
    echo "golangci-lint: 0 issues in $((SECONDS - start)) s"
    ;;
  *) echo "skipped (CFONB_LINT=$mode; set it to 1 to run golangci-lint)" ;;
esac
