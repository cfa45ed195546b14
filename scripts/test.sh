#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs what is missing, builds, runs ctest
# (unit, integration and e2e labels). The tests start and stop their own icecast2, ffmpeg, MariaDB
# and Chromium on loopback. Extra arguments go to ctest (e.g. -L unit, -R icecast).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j"$(nproc)" "$@"
