#!/usr/bin/env bash
# One naming scheme: source files are PascalCase after what they hold (tests, benchmarks and fuzzers
# are test_*, bench_*, fuzz_* after their ctest or binary name, and main.cpp); the code of plugin folder X is in
# namespace watchdog::X; SDK headers are included as <watchdog/...>.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
failures=0
fail() {
  echo "FAIL: $1"
  failures=$((failures + 1))
}
sources=$(git ls-files -- core plugins actions sinks examples tests | grep -E '\.(cpp|h)$')
for f in $sources; do
  name=${f##*/}
  [[ $name == main.cpp || $name =~ ^(test|bench|fuzz)_[a-z0-9_]+\.(cpp|h)$ || $name =~ ^[A-Z][A-Za-z0-9]*\.(cpp|h)$ ]] ||
    fail "$f: file names are PascalCase (or test_/bench_/fuzz_ with the target's name)"
done
for dir in plugins/* actions/* sinks/*; do
  [[ -d $dir && ${dir##*/} != common ]] || continue
  plugin=${dir##*/}
  while IFS= read -r hit; do
    fail "$hit: plugin code is in namespace watchdog::$plugin"
  done < <(grep -Hn -E '^namespace watchdog([^a-z_]|$)' "$dir"/*.cpp "$dir"/*.h 2>/dev/null |
    grep -v -E "/test_[^:]*:|namespace watchdog::($plugin|test)( |$)")
done
while IFS= read -r hit; do
  fail "$hit: SDK headers are included as <watchdog/...>"
done < <(git grep -n '#include "watchdog/' -- '*.cpp' '*.h' '*.in')
echo "$((failures == 0 ? 1 : 0)) passed, $((failures == 0 ? 0 : 1)) failed"
[[ $failures -eq 0 ]]
