#!/usr/bin/env bash
# A packager builds with -DBUILD_TESTING=OFF: the project then configures without doctest and defines
# no test target, while the daemon, the plugins and the SDK's test kit are still there to build.
set -uo pipefail
source_dir="$(cd "$(dirname "$0")/../.." && pwd)"
build_dir="$(mktemp -d)"
trap 'rm -rf "$build_dir"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# With doctest disabled, configuring fails if anything still asks for it.
if ! out=$(cmake -S "$source_dir" -B "$build_dir" -DBUILD_TESTING=OFF -DCMAKE_DISABLE_FIND_PACKAGE_doctest=ON 2>&1); then
  echo "$out" | tail -20
  fail "configuring with BUILD_TESTING=OFF failed"
else
  targets=$(cmake --build "$build_dir" --target help)
  for wanted in encoder-watchdog watchdog_core watchdog_plugin_testkit plugin_hls_count plugin_mysql plugin_discord_notify; do
    grep -qx "\.\.\. $wanted" <<<"$targets" || fail "no target $wanted"
  done
  tests=$(grep -E '^\.\.\. (test_|bench_|fuzz_)' <<<"$targets" | tr '\n' ' ')
  [[ -z $tests ]] || fail "test targets defined without BUILD_TESTING: $tests"
  [[ ! -e "$build_dir/CTestTestfile.cmake" ]] || fail "ctest tests were registered"
fi
echo "$((failures == 0 ? 1 : 0)) passed, $((failures == 0 ? 0 : 1)) failed"
[[ $failures -eq 0 ]]
