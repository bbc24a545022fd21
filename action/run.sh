#!/usr/bin/env bash
# The script part of action.yml (a composite GitHub Action): builds cfonb
# from the action's own checkout (the exact version the workflow names)
# and runs cfonb validate on the given paths.
#
# Inputs, as the action passes them:
#   INPUT_PATHS       files or directories, one per line (default ".")
#   INPUT_FORMAT      github (annotations on the pull request) or sarif
#   INPUT_SARIF_FILE  where sarif goes (default cfonb.sarif)
#   INPUT_ARGS        more arguments for cfonb validate, split on spaces
# Outputs (to $GITHUB_OUTPUT): sarif-file, exit-code.
# Exit status: cfonb validate's (0 ok, 1 errors, 2 usage or I/O error).
set -uo pipefail

action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}
bin_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/cfonb-action"
mkdir -p "$bin_dir"
bin="$bin_dir/cfonb"
(cd "$action_path" && go build -o "$bin" ./cmd/cfonb) || { echo "::error::cfonb could not be built"; exit 2; }
"$bin" --version

paths=()
while IFS= read -r p; do
  p="${p#"${p%%[![:space:]]*}"}"
  p="${p%"${p##*[![:space:]]}"}"
  [ -n "$p" ] && paths+=("$p")
done <<< "${INPUT_PATHS:-.}"
[ ${#paths[@]} -gt 0 ] || paths=(.)
read -r -a extra <<< "${INPUT_ARGS:-}"

output=${GITHUB_OUTPUT:-/dev/null}
case "${INPUT_FORMAT:-github}" in
  github)
    "$bin" validate --format github "${extra[@]}" -- "${paths[@]}"
    status=$?
    ;;
  sarif)
    sarif=${INPUT_SARIF_FILE:-cfonb.sarif}
    "$bin" validate --format sarif --output "$sarif" "${extra[@]}" -- "${paths[@]}"
    status=$?
    echo "sarif-file=$sarif" >> "$output"
    echo "cfonb: SARIF report in $sarif (exit status $status)"
    ;;
  *)
    echo "::error::format must be github or sarif, not ${INPUT_FORMAT}"
    status=2
    ;;
esac
echo "exit-code=$status" >> "$output"
exit "$status"
