#!/usr/bin/env bash
# The hot layout (cmake/HotLayout.cmake) is in effect: the functions of cmake/HotFunctions.txt that
# the daemon's binary holds lie together, within a few 64 KiB windows, not spread over its 1.9 MB.
# Run by ctest with WATCHDOG_BINARY and WATCHDOG_HOT_LAYOUT (ON when the build links with gold).
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${WATCHDOG_BINARY:?set by ctest: the encoder-watchdog binary}
if [[ ${WATCHDOG_HOT_LAYOUT:-} != ON ]]; then
  echo "hot layout is off in this build (WATCHDOG_HOT_LAYOUT, or no gold): nothing to check"
  exit 0
fi
# Section ".text.NAME" holds the function NAME: the listed functions' addresses, lowest first.
mapfile -t addresses < <(nm --defined-only "$binary" | awk '
  NR == FNR { if (sub(/^\.text\./, "")) hot[$0] = 1; next }
  ($3 in hot) && ($2 ~ /^[tTwW]$/) { print $1 }' cmake/HotFunctions.txt - | sort)
count=${#addresses[@]}
if ((count < 20)); then
  echo "only $count listed functions found in $binary: regenerate cmake/HotFunctions.txt (tests/bench/memory/hot_functions.sh)"
  exit 1
fi
# The most of them that any 256 KiB of the binary holds (a name can also be a same-named static
# function of another file, laid out elsewhere: so not all of them).
values=()
for a in "${addresses[@]}"; do values+=($((16#$a))); done
best=0 first=0
for ((last = 0; last < count; last++)); do
  while ((values[last] - values[first] > 256 * 1024)); do first=$((first + 1)); done
  if ((last - first + 1 > best)); then best=$((last - first + 1)); fi
done
echo "$best of the $count listed functions found in $binary lie within 256 KiB"
if ((best * 100 < count * 80)); then
  echo "fewer than 80 % of them: the ordering file was not used"
  exit 1
fi
