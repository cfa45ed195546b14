#!/usr/bin/env bash
# Regenerates cmake/HotFunctions.txt, the functions the daemon runs on every round of checks, which
# the build lays out together at the start of each binary's code (cmake/HotLayout.cmake). Run by
# hand after changing what a round does (needs valgrind and the station's icecast2 and ffmpeg):
#   tests/bench/memory/hot_functions.sh [SECONDS=12]
# The seed pipeline (icecast, process_cpu, hls_age, hls_count, SQLite; exec, Discord and AWS idle;
# not audio: valgrind 3.19 cannot run FFmpeg's libhwy) runs under callgrind on the simulated station; its counters are zeroed
# after the start-up page trim and dumped SECONDS later. Every function of this project's binaries
# that ran in that dump is listed, as the section name -ffunction-sections gives it.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$PWD
seconds=${1:-12}
build=${WATCHDOG_BUILD_DIR:-$root/build}
source scripts/lib/station.sh
command -v valgrind >/dev/null || { echo "install valgrind" >&2; exit 1; }

work=$(mktemp -d /tmp/encoder-watchdog-hot.XXXXXX)
wpid=""
cleanup() {
  if [[ -n $wpid ]]; then kill "$wpid" 2>/dev/null || true; fi
  station_stop
  rm -rf "$work"
}
trap cleanup EXIT
station_init "$work"
station_start tone
cat >"$work/pipeline.yaml" <<YAML
watchdog: { name: hot, interval: 1s, timeout: 5s, state_file: state.json }
log: { console: false, file: watchdog.log }
checks:
$(station_seed_checks)
actions:
  alert: { plugin: exec, role: notifier, command: [/bin/true] }
  discord: { plugin: discord_notify, dry_run: true, webhook_url: "https://discord.com/api/webhooks/1/hot" }
  backup: { plugin: aws_start, dry_run: true, instance_id: i-0123456789abcdef0, region: eu-west-2 }
rules:
  failover: { when: "2 of [icecast, encoder_cpu, playlist_age, ts_count]", warn: [alert, discord], wait: 5s, then: [backup] }
sinks:
  - { plugin: sqlite, path: history.db }
YAML
valgrind --tool=callgrind --demangle=no --dump-instr=no --callgrind-out-file="$work/callgrind.out" \
  "$build/bin/encoder-watchdog" run "$work/pipeline.yaml" --plugin-path "$build/lib/encoder-watchdog/plugins" \
  >"$work/valgrind.out" 2>&1 &
wpid=$!
station_wait 120 "the start-up page trim" grep -q "of start-up library pages" "$work/watchdog.log"
sleep 2
callgrind_control -z "$wpid" >/dev/null 2>&1
sleep "$seconds"
callgrind_control -d "$wpid" >/dev/null 2>&1
dump=$(find "$work" -name "callgrind.out.*" | head -n 1)
{
  echo "# The functions of one round of checks (tests/bench/memory/hot_functions.sh, $(date -u +%Y-%m-%d))."
  awk -v build="$build/" '
    function resolve(table, rest,    id, name) {
      if (match(rest, /^\([0-9]+\)/)) {
        id = substr(rest, 2, RLENGTH - 2); name = substr(rest, RLENGTH + 2)
        if (name != "") table[id] = name
        return table[id]
      }
      return rest
    }
    /^ob=/ { ob = resolve(objects, substr($0, 4)); next }
    /^cob=/ { resolve(objects, substr($0, 5)); next }
    # A complete-object constructor or destructor (C1, D1) is an alias in the section of its base variant
    # section (C2, D2): list both names.
    /^fn=/ {
      fn = resolve(functions, substr($0, 4))
      if (index(ob, build) != 1 || fn !~ /^[A-Za-z_]/) next
      print ".text." fn
      base = fn
      if (sub(/C1E/, "C2E", base) || sub(/D1E/, "D2E", base)) print ".text." base
      next
    }
    /^cfn=/ { resolve(functions, substr($0, 5)); next }
  ' "$dump" | LC_ALL=C sort -u
} >cmake/HotFunctions.txt
echo "$(grep -c '^\.text' cmake/HotFunctions.txt) functions in cmake/HotFunctions.txt"
