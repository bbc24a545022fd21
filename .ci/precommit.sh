#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml with Debian's pre-commit on a throwaway git
# repository: a good bank file is committed, a bad one (an unbalanced
# statement) and a non-canonical one (Latin-1, LF) are refused.
#
# pre-commit builds cfonb from this repository's HEAD ("language: golang"
# with the system Go): no download but the Go modules, which come from the
# module cache (GOMODCACHE is passed on) or the module proxy.
#
# Outside CI, without pre-commit installed, it says how to run it and stops
# (exit 0); with CI=true a missing pre-commit is installed, and a failure
# fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if ! command -v pre-commit >/dev/null 2>&1; then
  if [ "${CI:-}" != true ]; then
    echo "precommit.sh: skipped: pre-commit is not installed (apt-get install pre-commit, or run with CI=true as root)"
    exit 0
  fi
  apt-get update -qq
  apt-get install -y -qq pre-commit >/dev/null
fi
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PRE_COMMIT_HOME="$tmp/pre-commit-cache"
export GOMODCACHE="$(go env GOMODCACHE)" GOCACHE="$(go env GOCACHE)"
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.invalid GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.invalid

rev=$(git rev-parse HEAD)
if ! git cat-file -e "$rev:.pre-commit-hooks.yaml" 2>/dev/null; then
  echo "precommit.sh: HEAD ($rev) has no .pre-commit-hooks.yaml: commit it first" >&2
  exit 1
fi

repo="$tmp/repo"
git init -q "$repo"
cd "$repo"
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $root
    rev: $rev
    hooks:
      - id: cfonb-validate
      - id: cfonb-fmt
YAML
git add .pre-commit-config.yaml
git commit -q -m "pre-commit configuration"
pre-commit install >/dev/null

fail() { echo "precommit.sh: FAIL: $*" >&2; exit 1; }

echo "== pre-commit: a good bank file and a README are committed"
cp "$root/testdata/valid/multi-crlf.txt" good.txt
printf '# statements\n' > README.md
git add good.txt README.md
git commit -q -m "good statement" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "the good commit was refused"; }

echo "== pre-commit: an unbalanced statement is refused by cfonb-validate"
cp "$root/testdata/invalid/balance.txt" bad.txt
git add bad.txt
if git commit -q -m "bad statement" >"$tmp/out" 2>&1; then cat "$tmp/out"; fail "the bad commit was accepted"; fi
grep -q 'bad.txt:4:91: error: new balance 125.00 does not reconcile' "$tmp/out" || { cat "$tmp/out"; fail "no balance diagnostic"; }
git rm -q --cached bad.txt && rm bad.txt

echo "== pre-commit: a Latin-1 export is refused by cfonb-fmt"
cp "$root/testdata/fmt/latin1-lf.txt" legacy.txt
git add legacy.txt
if git commit -q -m "legacy export" >"$tmp/out" 2>&1; then cat "$tmp/out"; fail "the non-canonical commit was accepted"; fi
grep -q '^legacy.txt$' "$tmp/out" || { cat "$tmp/out"; fail "cfonb fmt --check did not name legacy.txt"; }
grep -q 'cfonb fmt --check.*Failed' "$tmp/out" || { cat "$tmp/out"; fail "the cfonb-fmt hook did not fail"; }

echo "precommit.sh: ok (good commit accepted, bad and non-canonical commits refused)"
