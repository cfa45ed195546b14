#!/usr/bin/env bash
# A plugin reaches the core only through the public SDK (core/include/watchdog): no plugin's build
# adds core/src to its include path, no plugin source (tests aside) includes a core-internal header,
# no plugin test builds its options from the core's YAML tree (the plugin test kit does that), and
# the core library exports only what the public headers declare (argument: the library's path).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
failures=0
while IFS= read -r hit; do
  echo "FAIL: $hit adds the core's internals to a plugin's include path"
  failures=$((failures + 1))
done < <(grep -ln 'core/src' plugins/*/CMakeLists.txt actions/*/CMakeLists.txt sinks/*/CMakeLists.txt 2>/dev/null)
internal=$(cd core/src && find . -name '*.h' | sed 's|^\./||; s|\.|\\.|g' | paste -sd'|')
while IFS= read -r hit; do
  echo "FAIL: ${hit%%:*} includes the core-internal ${hit#*:} (use <watchdog/...>)"
  failures=$((failures + 1))
done < <(find plugins actions sinks -name '*.cpp' -o -name '*.h' | grep -v '/test_' |
  xargs grep -H -o -E "^#include [\"<]($internal)[\">]" | sed -E 's/#include [<"]([^">]*)[">]/\1/')
while IFS= read -r hit; do
  echo "FAIL: $hit includes config/ConfigNode.h (use <watchdog/testing/PluginTestKit.h>)"
  failures=$((failures + 1))
done < <(grep -l '#include "config/ConfigNode.h"' plugins/*/test_*.cpp actions/*/test_*.cpp sinks/*/test_*.cpp 2>/dev/null)
# The core library is built with hidden visibility: what it exports in namespace watchdog is declared
# in the public headers, besides the plugin test kit's two ways in (parseYaml, SinkQueue).
library=${WATCHDOG_CORE_LIBRARY:-}
if [[ -n $library ]]; then
  public=$(cat core/include/watchdog/*.h core/include/watchdog/testing/*.h)
  exported=$(nm -DC --defined-only "$library" | cut -d' ' -f3- | grep -E '^((typeinfo|vtable|typeinfo name) for )?watchdog::' |
    sed -E 's/^(typeinfo name for |typeinfo for |vtable for )//; s/^watchdog::([A-Za-z0-9_]+).*/\1/' | sort -u)
  [[ -n $exported ]] || { echo "FAIL: $library exports nothing in namespace watchdog"; failures=$((failures + 1)); }
  for name in $exported; do
    case $name in parseYaml | SinkQueue) continue ;; esac
    grep -q -E "((class|struct)( WATCHDOG_API)? $name\b|namespace watchdog::$name\b|[ *&:]$name\()" <<<"$public" || {
      echo "FAIL: $library exports watchdog::...$name, which no public header declares (hidden visibility, WATCHDOG_API)"
      failures=$((failures + 1))
    }
  done
  echo "$(wc -w <<<"$exported") exported names checked against core/include/watchdog"
fi
echo "$((failures == 0 ? 1 : 0)) passed, $((failures == 0 ? 0 : 1)) failed"
[[ $failures -eq 0 ]]
