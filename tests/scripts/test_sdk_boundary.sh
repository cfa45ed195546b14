#!/usr/bin/env bash
# A plugin reaches the core only through the public SDK (core/include/watchdog): no plugin's build
# adds core/src to its include path, no plugin source (tests aside) includes a core-internal header,
# and no plugin test builds its options from the core's YAML tree (the plugin test kit does that).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
failures=0
while IFS= read -r hit; do
  echo "FAIL: $hit adds the core's internals to a plugin's include path"
  failures=$((failures + 1))
done < <(grep -ln 'core/src' plugins/*/CMakeLists.txt actions/*/CMakeLists.txt sinks/*/CMakeLists.txt 2>/dev/null)
internal=$(cd core/src && find . -name '*.h' | sed 's|^\./||')
for f in $(find plugins actions sinks -name '*.cpp' -o -name '*.h' | grep -v '/test_'); do
  for h in $internal; do
    if grep -q "^#include [\"<]${h}[\">]" "$f"; then
      echo "FAIL: $f includes the core-internal $h (use <watchdog/...>)"
      failures=$((failures + 1))
    fi
  done
done
while IFS= read -r hit; do
  echo "FAIL: $hit includes config/ConfigNode.h (use <watchdog/testing/PluginTestKit.h>)"
  failures=$((failures + 1))
done < <(grep -l '#include "config/ConfigNode.h"' plugins/*/test_*.cpp actions/*/test_*.cpp sinks/*/test_*.cpp 2>/dev/null)
echo "$((failures == 0 ? 1 : 0)) passed, $((failures == 0 ? 0 : 1)) failed"
[[ $failures -eq 0 ]]
