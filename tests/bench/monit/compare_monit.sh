#!/usr/bin/env bash
# Side by side with Monit on the same simulated station (scripts/lib/station.sh), run by hand:
#   tests/bench/monit/compare_monit.sh [SECONDS_HEALTHY]     (needs: scripts/install-deps.sh --with-bench)
# SECONDS_HEALTHY (default 60, or COMPARE_MONIT_SECONDS) is how long both watch a healthy station;
# COMPARE_MONIT_SMAPS=N also prints encoder-watchdog's N largest mapped objects (smaps_by_object.sh);
# WATCHDOG_BUILD_DIR picks another build (default build/). The last lines are the table as Markdown,
# for tests/bench/README.md and the README.
# COMPARE_MONIT_AUDIO=hls or =icecast adds the `audio` check (dead air) to encoder-watchdog's pipeline
# only (Monit cannot listen): on the station's HLS playlist (interval 1s) or its Icecast mount
# (sample 3s, interval 10s); COMPARE_MONIT_AUDIO_INTERVAL overrides the interval. Monit's checks stay
# the same, so the CPU row compares encoder-watchdog with audio against Monit without.
# Both watch the encoder's CPU, the HLS playlist's age and segment count and Icecast's /admin/stats
# every second and run a shell command as "alert" and as "remedy". encoder-watchdog runs the seed's
# pipeline beside them (Discord and AWS start in dry run, SQLite history). Prints resident memory,
# Pss, private dirty memory, threads and shared-object mappings (/proc/PID/smaps_rollup, maps), CPU
# time over the run, and the time from killing ffmpeg to each one's first alert and to its remedy.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$PWD
healthy=${1:-${COMPARE_MONIT_SECONDS:-60}}
source scripts/lib/station.sh
watchdog=${WATCHDOG_BUILD_DIR:-$root/build}/bin/encoder-watchdog
[[ -x $watchdog ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v monit >/dev/null || { echo "install monit: scripts/install-deps.sh --with-bench" >&2; exit 1; }

work=$(mktemp -d /tmp/encoder-watchdog-vs-monit.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  station_stop
  rm -rf "$work"
}
trap cleanup EXIT
station_init "$work"
station_start tone

audio=${COMPARE_MONIT_AUDIO:-}
case $audio in
  "") audio_check="" ;;
  hls) audio_check="dead_air: { plugin: audio, directory: $work/hls, playlist: live.m3u8, interval: ${COMPARE_MONIT_AUDIO_INTERVAL:-1s} }" ;;
  icecast) audio_check="dead_air: { plugin: audio, url: \"http://127.0.0.1:$ICECAST_PORT/live\", sample: 3s, interval: ${COMPARE_MONIT_AUDIO_INTERVAL:-10s}, timeout: 8s }" ;;
  *) echo "COMPARE_MONIT_AUDIO is hls or icecast, not $audio" >&2; exit 1 ;;
esac
stamp="date +%s.%N"
cat >"$work/pipeline.yaml" <<YAML
watchdog: { name: bench, interval: 1s, timeout: 900ms, state_file: state.json }
log: { console: false, file: watchdog.log }
checks:
$(station_seed_checks)
  $audio_check
actions:
  alert: { plugin: exec, role: notifier, shell: true, command: "$stamp >> $work/watchdog-alerts" }
  remedy: { plugin: exec, role: remedy, shell: true, command: "$stamp >> $work/watchdog-remedy" }
  discord: { plugin: discord_notify, dry_run: true, webhook_url: "https://discord.com/api/webhooks/1/bench" }
  backup: { plugin: aws_start, dry_run: true, instance_id: i-0123456789abcdef0, region: eu-west-2 }
rules:
  failover: { when: "2 of [icecast, encoder_cpu, playlist_age, ts_count]", warn: [alert, discord], wait: 5s, then: [remedy, backup] }
sinks:
  - { plugin: sqlite, path: history.db }
YAML
auth=$(printf 'admin:%s' "$ADMIN_PW" | base64)
cat >"$work/monitrc" <<MONIT
set daemon 1
set logfile $work/monit.log
set idfile $work/monit.id
set statefile $work/monit.state
set pidfile $work/monit.pid
check process encoder with pidfile $work/encoder.pid
  if does not exist then exec "/bin/sh -c '$stamp >> $work/monit-alerts'"
  if cpu usage < 0.1% for 3 cycles then exec "/bin/sh -c '$stamp >> $work/monit-alerts'"
check file playlist with path $work/hls/live.m3u8
  if timestamp > 4 seconds then exec "/bin/sh -c '$stamp >> $work/monit-alerts'"
  if timestamp > 9 seconds then exec "/bin/sh -c '$stamp >> $work/monit-remedy'"
check host icecast with address 127.0.0.1
  if failed port $ICECAST_PORT protocol http request "/admin/stats" with http headers [Authorization: Basic $auth]
     content = "source_ip" then exec "/bin/sh -c '$stamp >> $work/monit-alerts'"
MONIT
chmod 600 "$work/monitrc"
monit -t -c "$work/monitrc" >/dev/null

"$watchdog" run "$work/pipeline.yaml" >"$work/watchdog.out" 2>&1 &
wpid=$!
pids+=("$wpid")
monit -I -c "$work/monitrc" >"$work/monit.out" 2>&1 &
mpid=$!
pids+=("$mpid")

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
rollup_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/smaps_rollup"; }
threads() { awk '/^Threads/ {print $2}' "/proc/$1/status"; }
so_mappings() { grep -c '\.so' "/proc/$1/maps"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
echo "both watching the station for ${healthy}s..."
sleep 3
w0=$(cpu_ticks $wpid); m0=$(cpu_ticks $mpid)
sleep "$healthy"
w1=$(cpu_ticks $wpid); m1=$(cpu_ticks $mpid)
wrss=$(rss_kib $wpid); mrss=$(rss_kib $mpid)
wpss=$(rollup_kib $wpid Pss); mpss=$(rollup_kib $mpid Pss)
wdirty=$(rollup_kib $wpid Private_Dirty); mdirty=$(rollup_kib $mpid Private_Dirty)
wthreads=$(threads $wpid); mthreads=$(threads $mpid)
wmaps=$(so_mappings $wpid); mmaps=$(so_mappings $mpid)
[[ -n ${COMPARE_MONIT_SMAPS:-} ]] && tests/bench/memory/smaps_by_object.sh "$wpid" "$COMPARE_MONIT_SMAPS"
[[ -s $work/watchdog-alerts || -s $work/monit-alerts ]] && echo "warning: an alert fired while healthy" >&2

killed=$(date +%s.%N)
station_kill_encoder
station_wait 60 "both remedies" bash -c "test -s $work/watchdog-remedy && test -s $work/monit-remedy" || true
first() { [[ -s $1 ]] && awk -v t0="$killed" 'NR==1 {printf "%.2f s", $1 - t0}' "$1" || echo "none"; }
hz=$(getconf CLK_TCK)
printf '\n%-34s %-18s %-18s\n' "" "encoder-watchdog" "monit $(monit -V | awk 'NR==1 {print $5}')"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2fx", a / b; else printf "-"}'; }
printf '%-34s %-18s %-18s %s\n' "resident memory" "$(mib "$wrss")" "$(mib "$mrss")" "$(ratio "$wrss" "$mrss")"
printf '%-34s %-18s %-18s %s\n' "proportional set (Pss)" "$(mib "$wpss")" "$(mib "$mpss")" "$(ratio "$wpss" "$mpss")"
printf '%-34s %-18s %-18s\n' "private dirty" "$(mib "$wdirty")" "$(mib "$mdirty")"
printf '%-34s %-18s %-18s\n' "threads" "$wthreads" "$mthreads"
printf '%-34s %-18s %-18s\n' "shared-object mappings" "$wmaps" "$mmaps"
cpu() { awk -v t="$1" -v hz="$hz" 'BEGIN {printf "%.2f s", t / hz}'; }
cpu_label="CPU time over ${healthy}s${audio:+ (+ audio: $audio)}"
printf '%-34s %-18s %-18s %s\n' "$cpu_label" "$(cpu $((w1 - w0)))" "$(cpu $((m1 - m0)))" "$(ratio $((w1 - w0)) $((m1 - m0)))"
printf '%-34s %-18s %-18s\n' "ffmpeg killed -> first alert" "$(first "$work/watchdog-alerts")" "$(first "$work/monit-alerts")"
printf '%-34s %-18s %-18s\n' "ffmpeg killed -> remedy" "$(first "$work/watchdog-remedy")" "$(first "$work/monit-remedy")"

printf '\n| | encoder-watchdog | Monit %s | ratio |\n|---|---|---|---|\n' "$(monit -V | awk 'NR==1 {print $5}')"
printf '| resident memory | %s | %s | %s |\n' "$(mib "$wrss")" "$(mib "$mrss")" "$(ratio "$wrss" "$mrss")"
printf '| proportional set (Pss) | %s | %s | %s |\n' "$(mib "$wpss")" "$(mib "$mpss")" "$(ratio "$wpss" "$mpss")"
printf '| private dirty | %s | %s | %s |\n' "$(mib "$wdirty")" "$(mib "$mdirty")" "$(ratio "$wdirty" "$mdirty")"
printf '| threads | %s | %s | |\n| shared-object mappings | %s | %s | |\n' "$wthreads" "$mthreads" "$wmaps" "$mmaps"
printf '| %s | %s | %s | %s |\n' "$cpu_label" "$(cpu $((w1 - w0)))" "$(cpu $((m1 - m0)))" \
  "$(ratio $((w1 - w0)) $((m1 - m0)))"
printf '| ffmpeg killed → first alert | %s | %s | |\n' "$(first "$work/watchdog-alerts")" "$(first "$work/monit-alerts")"
printf '| ffmpeg killed → remedy | %s | %s | |\n' "$(first "$work/watchdog-remedy")" "$(first "$work/monit-remedy")"
