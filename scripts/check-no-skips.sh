#!/usr/bin/env bash
# Fails when ctest skipped a test although this machine has every prerequisite: run as root after
# scripts/setup.sh (as scripts/test.sh does), nothing may skip: lab tests skip only when not root,
# and the tests that need Nmap's database skip only when Nmap is not installed.
# Usage: scripts/check-no-skips.sh CTEST_LOG
# STACKPRINT_ALLOWED_SKIPS: an extended regular expression of test names that may skip anyway.
set -euo pipefail
log=${1:?usage: check-no-skips.sh CTEST_LOG}
if [ "$(id -u)" != 0 ]; then
  echo "check-no-skips: not root, lab tests may skip; not checked"
  exit 0
fi
skipped=$(grep -E '\*\*\*Skipped|\(Skipped\)' "$log" || true)
if [ -n "${STACKPRINT_ALLOWED_SKIPS:-}" ] && [ -n "$skipped" ]; then
  skipped=$(grep -Ev -- "$STACKPRINT_ALLOWED_SKIPS" <<< "$skipped" || true)
fi
if [ -n "$skipped" ]; then
  echo "check-no-skips: tests skipped although their prerequisites are installed:" >&2
  echo "$skipped" >&2
  exit 1
fi
echo "check-no-skips: no test skipped"
