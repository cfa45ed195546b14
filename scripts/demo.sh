#!/usr/bin/env bash
# The demo: a simulated station on loopback (icecast2, an ffmpeg "encoder" streaming a tone and
# writing HLS segments) watched by encoder-watchdog with SQLite history and the Discord and AWS
# actions in dry-run mode. First the encoder goes silent (dead air: every other check stays green,
# the audio check fails, the failover follows); then it dies (the old script's 2-of-4 failover);
# each time it comes back and the recovery shows; then the history, and everything it started is
# stopped. --keep-running leaves the station up.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
keep_running=0
[[ "${1:-}" == "--keep-running" ]] && keep_running=1
source scripts/lib/station.sh

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
fail() { echo "demo: $*; the watchdog's last lines:" >&2; tail -n 30 "$work/watchdog.log" >&2 || true; exit 1; }
# Each scenario looks only at what the watchdog logged since it began (since_now).
log_mark=0
since_now() { log_mark=$(wc -l <"$work/watchdog.log"); }
logged() { tail -n +"$((log_mark + 1))" "$work/watchdog.log" | grep -qF -- "$1"; }
await() { station_wait "$1" "$2" logged "$3" || fail "no '$3' after $1 s"; }
# The dead-air story in one run of every check (`check --json`): the four checks a Monit-style
# monitor has (Icecast source, encoder CPU, HLS count and age) pass, audio fails. Prints each check
# and whether it is what the story needs; false when it is not. python3 reads the JSON (it comes with
# awscli, which install-deps.sh installs).
dead_air_story() {
  "$watchdog" check "$work/pipeline.yaml" --json >"$work/check.json" 2>"$work/check.err" || true  # exit 2: a check failed
  python3 - "$work/check.json" <<'PY' || { sed 's/^/  check: /' "$work/check.err"; return 1; }
import json, sys
story = {"icecast": "pass", "encoder_cpu": "pass", "ts_count": "pass", "ts_age": "pass", "audio": "fail"}
try:
    with open(sys.argv[1]) as f:
        checks = {c["id"]: c for c in json.load(f)["checks"]}
except (OSError, ValueError, KeyError, TypeError) as e:
    print(f"  no usable `check --json` output ({e})")
    sys.exit(1)
told = True
for check, wanted in story.items():
    c = checks.get(check, {})
    status = c.get("status", "missing")
    print(f"  {check:12} {status:5} {c.get('summary', '')}" + ("" if status == wanted else f"   <- expected {wanted}"))
    told = told and status == wanted
sys.exit(0 if told else 1)
PY
}

step "installing what is missing and building"
scripts/install-deps.sh
scripts/build.sh >/dev/null
watchdog=$root/build/bin/encoder-watchdog

work=$(mktemp -d /tmp/encoder-watchdog-demo.XXXXXX)
watchdog_pid=""
cleanup() {
  [[ $keep_running -eq 1 ]] && return
  [[ -n $watchdog_pid ]] && { kill "$watchdog_pid" 2>/dev/null || true; wait "$watchdog_pid" 2>/dev/null || true; }
  station_stop
  rm -rf "$work"
}
trap cleanup EXIT

station_init "$work"
status_port=$(station_free_port 19480)
step "starting the station: icecast2 on 127.0.0.1:$ICECAST_PORT, ffmpeg streaming a tone to /live and writing HLS"
# The encoder mutes itself a while after it starts, once the healthy station has been seen.
dead_air_from=20 dead_air_to=45
station_start silent-between "$dead_air_from" "$dead_air_to"

cat >"$work/.env" <<ENV
ICECAST_ADMIN_PASSWORD=$ADMIN_PW
DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/123456789012345678/demo-token-not-real
ENV
chmod 600 "$work/.env"
sed -e "s|@WORK@|$work|g" -e "s|@ICECAST_PORT@|$ICECAST_PORT|g" -e "s|@STATUS_PORT@|$status_port|g" \
  examples/demo/pipeline.yaml.in >"$work/pipeline.yaml"

step "validating the pipeline ($work/pipeline.yaml)"
"$watchdog" validate "$work/pipeline.yaml"

step "starting encoder-watchdog; status page on http://127.0.0.1:$status_port/"
"$watchdog" run "$work/pipeline.yaml" > >(tee "$work/watchdog.log") 2>&1 &
watchdog_pid=$!
for check in icecast encoder_cpu ts_count ts_age audio; do await 30 "$check to pass" "check $check is now passing"; done
step "all five checks pass; watching the healthy station for a few seconds"
sleep 4

step "dead air: the encoder keeps running but its fader is muted (${dead_air_from}s to ${dead_air_to}s of its stream)"
since_now
await 60 "the audio check to fail" "check audio is now failing"
step "one run of every check (encoder-watchdog check --json):"
attempts=1
until dead_air_story; do
  ((attempts++ < 3)) || fail "the dead-air story did not happen: icecast, encoder_cpu, ts_count and ts_age should pass while audio fails"
  echo "  (not the story yet; running the checks again)"
  sleep 1
done
step "icecast, process_cpu, hls_count and hls_age (what a Monit-style monitor watches) pass; only audio hears the silence"
await 60 "the dead-air warning" "[warning]"
step "warning sent to Discord (dry run); the dead-air countdown runs (12s here)"
await 60 "the failover" "[failover]"
await 60 "the outcome of the backup start" "[outcome]"
step "the backup start ran for dead air (dry run)"

step "the fader comes back up"
since_now
await 60 "the recovery" "[recovered]"

step "the encoder dies: killing ffmpeg (pid $ENCODER_PID)"
since_now
station_kill_encoder
await 60 "the warning" "[warning]"
step "warning sent to Discord (dry run); the countdown runs (8s here, 300s by default)"
await 60 "the failover" "[failover]"
await 60 "the outcome of the backup start" "[outcome]"
step "the backup start ran (dry run: the signed EC2 request is printed above)"

step "the encoder comes back"
since_now
station_start_encoder tone
await 60 "the recovery" "[recovered]"
sleep 1   # the history sink writes in batches of up to 200 ms

step "history of this run"
"$watchdog" history "$work/pipeline.yaml" --since 10m

if [[ $keep_running -eq 1 ]]; then
  step "left running: status page http://127.0.0.1:$status_port/ ; stop with: kill $watchdog_pid ${STATION_PIDS[*]}; rm -rf $work"
  exit 0
fi
step "stopping everything"
kill -TERM "$watchdog_pid"
wait "$watchdog_pid" || true
watchdog_pid=""
echo "demo finished"
