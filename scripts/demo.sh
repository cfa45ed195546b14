#!/usr/bin/env bash
# The demo: a simulated station on loopback (icecast2, an ffmpeg "encoder" streaming a tone and
# writing HLS segments) watched by encoder-watchdog with SQLite history and the Discord and AWS
# actions in dry-run mode. It stops the encoder, shows the failover, restarts it, shows the recovery
# and the history, and stops everything it started. --keep-running leaves the station up.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
keep_running=0
[[ "${1:-}" == "--keep-running" ]] && keep_running=1

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "installing what is missing and building"
scripts/install-deps.sh
scripts/build.sh >/dev/null
watchdog=$root/build/bin/encoder-watchdog

work=$(mktemp -d /tmp/encoder-watchdog-demo.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/hls" "$work/icecast-log"
chown nobody:nogroup "$work/icecast-log" 2>/dev/null || true
pids=()
cleanup() {
  [[ $keep_running -eq 1 ]] && return
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local p
  for p in $(seq "$1" $(($1 + 500))); do
    (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo "$p"; return; }
  done
  echo "no free port from $1" >&2; exit 1
}
wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      echo "demo: timed out waiting for $what; the watchdog's log:" >&2
      tail -n 30 "$work/watchdog.log" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
}
logged() { grep -qF -- "$1" "$work/watchdog.log"; }

icecast_port=$(free_port 18000)
status_port=$(free_port 19480)
source_pw=demo-source-$RANDOM
admin_pw=demo-admin-$RANDOM

step "starting icecast2 on 127.0.0.1:$icecast_port"
cat >"$work/icecast.xml" <<XML
<icecast>
  <location>demo</location><admin>demo@localhost</admin>
  <limits><clients>20</clients><sources>4</sources><source-timeout>5</source-timeout></limits>
  <authentication><source-password>$source_pw</source-password><admin-user>admin</admin-user><admin-password>$admin_pw</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>$icecast_port</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <paths><basedir>$work</basedir><logdir>$work/icecast-log</logdir><webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><errorlog>error.log</errorlog><accesslog>access.log</accesslog><loglevel>2</loglevel></logging>
  <security><chroot>0</chroot>$( [[ $(id -u) -eq 0 ]] && echo '<changeowner><user>nobody</user><group>nogroup</group></changeowner>')</security>
</icecast>
XML
icecast2 -c "$work/icecast.xml" >"$work/icecast.out" 2>&1 &
pids+=($!)
wait_for 10 "icecast2 to listen" bash -c "exec 3<>/dev/tcp/127.0.0.1/$icecast_port"

start_encoder() {
  ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi -i "sine=frequency=440:sample_rate=44100" \
    -c:a libmp3lame -b:a 64k -content_type audio/mpeg -f mp3 "icecast://source:$source_pw@127.0.0.1:$icecast_port/live" \
    -c:a aac -b:a 64k -f hls -hls_time 1 -hls_list_size 5 -hls_flags delete_segments \
    -hls_segment_filename "$work/hls/seg%05d.ts" "$work/hls/live.m3u8" >>"$work/ffmpeg.out" 2>&1 &
  encoder_pid=$!
  echo "$encoder_pid" >"$work/encoder.pid"
  pids+=("$encoder_pid")
}
step "starting the encoder: ffmpeg streams a tone to /live and writes HLS segments"
start_encoder

cat >"$work/.env" <<ENV
ICECAST_ADMIN_PASSWORD=$admin_pw
DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/123456789012345678/demo-token-not-real
ENV
chmod 600 "$work/.env"
sed -e "s|@WORK@|$work|g" -e "s|@ICECAST_PORT@|$icecast_port|g" -e "s|@STATUS_PORT@|$status_port|g" \
  examples/demo/pipeline.yaml.in >"$work/pipeline.yaml"

step "validating the pipeline"
"$watchdog" validate "$work/pipeline.yaml"

step "starting encoder-watchdog (status page: http://127.0.0.1:$status_port/)"
"$watchdog" run "$work/pipeline.yaml" > >(tee "$work/watchdog.log") 2>&1 &
watchdog_pid=$!
pids=("$watchdog_pid" "${pids[@]}")
wait_for 30 "the checks to pass" logged "check ts_age is now passing"
wait_for 30 "the icecast check to pass" logged "check icecast is now passing"

step "the encoder dies: killing ffmpeg (pid $encoder_pid)"
kill "$encoder_pid"
wait_for 60 "the warning" logged "[warning]"
step "warning sent; the countdown runs (wait: 8s in this demo, 300s by default)"
wait_for 60 "the failover" logged "[failover]"
wait_for 60 "the backup start outcome" logged "[outcome]"
step "the backup start ran (dry run: the signed EC2 request is printed above)"

step "the encoder comes back"
start_encoder
wait_for 60 "the recovery" logged "[recovered]"

step "history of this run"
"$watchdog" history "$work/pipeline.yaml" --since 10m

if [[ $keep_running -eq 1 ]]; then
  step "still running: status page http://127.0.0.1:$status_port/, stop with: kill ${pids[*]}; rm -rf $work"
  exit 0
fi
step "stopping everything"
kill -TERM "$watchdog_pid"
wait "$watchdog_pid" || true
echo "demo finished"
