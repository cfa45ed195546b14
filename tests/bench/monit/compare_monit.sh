#!/usr/bin/env bash
# Side by side with Monit on the same simulated station (scripts/lib/station.sh), run by hand:
#   tests/bench/monit/compare_monit.sh [SECONDS_HEALTHY]     (needs: scripts/install-deps.sh --with-bench)
# Both watch the encoder's CPU, the HLS playlist's age and Icecast's /admin/stats every second and
# run a shell command as "alert" and as "remedy". Prints resident memory, CPU time over the run, and
# the time from killing ffmpeg to each one's first alert and to its remedy.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$PWD
healthy=${1:-60}
source scripts/lib/station.sh
watchdog=$root/build/bin/encoder-watchdog
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

stamp="date +%s.%N"
cat >"$work/pipeline.yaml" <<YAML
watchdog: { name: bench, interval: 1s, timeout: 900ms, state_file: state.json }
log: { console: false, file: watchdog.log }
checks:
  icecast: { plugin: icecast, url: "http://127.0.0.1:$ICECAST_PORT", user: admin, password: "$ADMIN_PW", mount: /live }
  encoder_cpu: { plugin: process_cpu, pidfile: $work/encoder.pid, min_percent: 0.1 }
  playlist_age: { plugin: hls_age, directory: $work/hls, pattern: "*.m3u8", max_age: 4s }
actions:
  alert: { plugin: exec, role: notifier, shell: true, command: "$stamp >> $work/watchdog-alerts" }
  remedy: { plugin: exec, role: remedy, shell: true, command: "$stamp >> $work/watchdog-remedy" }
rules:
  failover: { when: "2 of [icecast, encoder_cpu, playlist_age]", warn: [alert], wait: 5s, then: [remedy] }
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
echo "both watching the station for ${healthy}s..."
sleep 3
w0=$(cpu_ticks $wpid); m0=$(cpu_ticks $mpid)
sleep "$healthy"
w1=$(cpu_ticks $wpid); m1=$(cpu_ticks $mpid)
wrss=$(rss_kib $wpid); mrss=$(rss_kib $mpid)
[[ -s $work/watchdog-alerts || -s $work/monit-alerts ]] && echo "warning: an alert fired while healthy" >&2

killed=$(date +%s.%N)
station_kill_encoder
station_wait 60 "both remedies" bash -c "test -s $work/watchdog-remedy && test -s $work/monit-remedy" || true
first() { [[ -s $1 ]] && awk -v t0="$killed" 'NR==1 {printf "%.2f s", $1 - t0}' "$1" || echo "none"; }
hz=$(getconf CLK_TCK)
printf '\n%-34s %-18s %-18s\n' "" "encoder-watchdog" "monit $(monit -V | awk 'NR==1 {print $5}')"
printf '%-34s %-18s %-18s\n' "resident memory" "$((wrss / 1024)).$(((wrss % 1024) * 10 / 1024)) MiB" "$((mrss / 1024)).$(((mrss % 1024) * 10 / 1024)) MiB"
printf '%-34s %-18s %-18s\n' "CPU time over ${healthy}s" "$(awk -v t=$((w1 - w0)) -v hz="$hz" 'BEGIN {printf "%.2f s", t / hz}')" "$(awk -v t=$((m1 - m0)) -v hz="$hz" 'BEGIN {printf "%.2f s", t / hz}')"
printf '%-34s %-18s %-18s\n' "ffmpeg killed -> first alert" "$(first "$work/watchdog-alerts")" "$(first "$work/monit-alerts")"
printf '%-34s %-18s %-18s\n' "ffmpeg killed -> remedy" "$(first "$work/watchdog-remedy")" "$(first "$work/monit-remedy")"
