#!/usr/bin/env bash
# The logic of the promptlint GitHub Action (action.yml), kept in a script so it can be tested
# locally against a temporary git repository. Inputs come from PROMPTLINT_* environment variables.
set -uo pipefail

read -r -a paths <<< "${PROMPTLINT_PATHS:-.}"
read -r -a extra <<< "${PROMPTLINT_ARGS:-}"
base="${PROMPTLINT_BASE_REF:-}"

common=()
if [ -n "$base" ]; then
  # A shallow checkout may lack the base commit: fetch it so `git diff` can see it.
  if ! git cat-file -e "$base^{commit}" 2>/dev/null; then
    git fetch --quiet --depth=1 origin "$base" 2>/dev/null || true
  fi
  common+=(--changed-since "$base")
fi

status=0
if [ -n "${PROMPTLINT_SARIF:-}" ]; then
  promptlint check "${common[@]}" "${extra[@]}" --exit-zero --format sarif --output-file "$PROMPTLINT_SARIF" \
    "${paths[@]}" || status=$?
  [ "$status" -eq 2 ] && exit 2
fi

ensemble=()
if [ -n "${PROMPTLINT_API_KEY:-}" ]; then
  export ANTHROPIC_API_KEY="$PROMPTLINT_API_KEY"
  echo "::add-mask::$PROMPTLINT_API_KEY"
  ensemble+=(--ensemble --max-cost "${PROMPTLINT_MAX_COST:-1.00}" --samples "${PROMPTLINT_SAMPLES:-8}")
  if [ -n "${PROMPTLINT_THRESHOLD:-}" ]; then
    ensemble+=(--threshold "$PROMPTLINT_THRESHOLD")
  fi
fi

promptlint check "${common[@]}" "${ensemble[@]}" "${extra[@]}" --format github "${paths[@]}"
exit $?
