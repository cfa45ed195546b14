#!/usr/bin/env bash
# Every shell script the project ships or runs (scripts/, .ci/, tests/, examples/) passes shellcheck.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v shellcheck >/dev/null || { echo "shellcheck is not installed (scripts/install-deps.sh installs it)"; exit 1; }
mapfile -t files < <({ ls .ci/*; git ls-files '*.sh' 2>/dev/null || find scripts tests examples -name '*.sh'; } | sort -u)
shellcheck -x "${files[@]}"
echo "${#files[@]} passed, 0 failed"
