#!/usr/bin/env bash
# Where a running process's memory goes, by mapped object, from /proc/PID/smaps, run by hand:
#   tests/bench/memory/smaps_by_object.sh PID [LINES]
# Prints Rss, Pss and private dirty KiB per file (anonymous mappings, heap and stacks grouped as
# [anon]), largest Rss first, then the totals from /proc/PID/smaps_rollup.
set -euo pipefail
pid=${1:?usage: smaps_by_object.sh PID [LINES]}
lines=${2:-25}
awk '
  /^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == "" || $6 ~ /^\[/) ? "[anon]" : $6; n = split(name, p, "/"); name = p[n]; next }
  $1 == "Rss:" { rss[name] += $2 } $1 == "Pss:" { pss[name] += $2 } $1 == "Private_Dirty:" { dirty[name] += $2 }
  END { for (k in rss) if (rss[k] > 0) printf "%8d %8d %8d  %s\n", rss[k], pss[k], dirty[k], k }
' "/proc/$pid/smaps" | sort -rn | { printf '%8s %8s %8s  %s\n' "Rss KiB" "Pss KiB" "PrivDirty" "object"; head -n "$lines"; }
awk '$1 ~ /^(Rss|Pss|Private_Dirty):$/ {printf "%s %s KiB  ", $1, $2} END {print ""}' "/proc/$pid/smaps_rollup"
printf 'threads %s\n' "$(awk '/^Threads/ {print $2}' "/proc/$pid/status")"
